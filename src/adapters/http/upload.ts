/**
 * One legacy-API upload: a single multipart/form-data POST whose length is known up front (text
 * parts + file size), with the file streamed from disk, so memory stays flat for any size. The
 * timeout measures progress, not wall time: the request is aborted only when no byte has moved
 * for `stallMs` (and, once the body is sent, for a wait that grows with the file size).
 */
import { randomBytes } from "node:crypto";
import { open } from "node:fs/promises";
import type { ClientRequest, IncomingMessage } from "node:http";
import type { FormField } from "../../core/upload/form.ts";
import type { Secret } from "../../secret.ts";
import { transportFor } from "./agents.ts";
import { readResponse, type UploadResponse } from "./response.ts";

export type { UploadResponse } from "./response.ts";

export interface UploadRequest {
  url: string;
  fields: readonly FormField[];
  file: { path: string; filename: string; size: number };
  auth?: { username: string; password: Secret };
  userAgent: string;
  /** Abort when no byte moved (sent or received) for this long. */
  stallMs: number;
  /** Called as body bytes are handed to the socket. */
  onProgress?: (sent: number, total: number) => void;
  signal?: AbortSignal;
}

/** No HTTP answer came back: the connection failed, broke, or stalled. */
export class TransportError extends Error {
  /** Body bytes handed to the socket before the failure. */
  readonly bytesSent: number;
  /** True when the whole body had been sent: the index may have stored the file. */
  readonly bodySent: boolean;

  constructor(message: string, bytesSent: number, bodySent: boolean, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "TransportError";
    this.bytesSent = bytesSent;
    this.bodySent = bodySent;
  }
}

// uv's Accept header: PyPI then answers errors as JSON {message, code, title}, which survives HTTP/2.
const ACCEPT = "application/json;q=0.9, text/plain;q=0.8, text/html;q=0.7";
const CHUNK = 1024 * 1024;
const MIB = 1024 * 1024;

// WHATWG multipart/form-data escaping of names and filenames.
const escapeName = (name: string): string =>
  name.replaceAll("\n", "%0A").replaceAll("\r", "%0D").replaceAll('"', "%22");

/** The encoded multipart envelope: everything before the file bytes, and everything after. */
export function encodeEnvelope(
  fields: readonly FormField[],
  filename: string,
  boundary: string,
): { head: Buffer; tail: Buffer } {
  const parts: Buffer[] = [];
  for (const [name, value] of fields) {
    parts.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${escapeName(name)}"\r\n\r\n`),
      Buffer.from(value, "utf8"),
      Buffer.from("\r\n"),
    );
  }
  parts.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="content"; filename="${escapeName(filename)}"\r\n` +
        "Content-Type: application/octet-stream\r\n\r\n",
    ),
  );
  return { head: Buffer.concat(parts), tail: Buffer.from(`\r\n--${boundary}--\r\n`) };
}

function newBoundary(fields: readonly FormField[]): string {
  for (;;) {
    const boundary = `slipway-${randomBytes(16).toString("hex")}`;
    if (!fields.some(([, value]) => value.includes(boundary))) return boundary;
  }
}

/** "0.3" or "60": seconds for messages, with a decimal only when short. */
export function formatSeconds(ms: number): string {
  return ms < 10_000 ? (ms / 1000).toFixed(1) : String(Math.round(ms / 1000));
}

/** The wait for an answer once the body is sent: the index may hash and scan a large file first. */
export function responseWaitMs(stallMs: number, size: number): number {
  return stallMs + Math.round((size / MIB) * 1000);
}

/** A timer that fires after `ms` without a poke; re-armed with a new length when the phase changes. */
class Watchdog {
  #timer: NodeJS.Timeout;
  #fire: () => void;
  ms: number;

  constructor(ms: number, fire: () => void) {
    this.ms = ms;
    this.#fire = fire;
    this.#timer = setTimeout(fire, ms);
  }

  poke(): void {
    this.#timer.refresh();
  }

  rearm(ms: number): void {
    clearTimeout(this.#timer);
    this.ms = ms;
    this.#timer = setTimeout(this.#fire, ms);
  }

  stop(): void {
    clearTimeout(this.#timer);
  }
}

/**
 * Sends one file to a legacy upload URL. Resolves with the index's answer (any status); rejects
 * with TransportError when no answer came (refused, reset, stalled, aborted). Redirects are
 * returned, not followed. The Authorization header is the only place the password goes, and an
 * answer that echoes it has it masked.
 */
export function postUpload(request: UploadRequest): Promise<UploadResponse> {
  const boundary = newBoundary(request.fields);
  const { head, tail } = encodeEnvelope(request.fields, request.file.filename, boundary);
  const total = head.length + request.file.size + tail.length;
  const url = new URL(request.url);
  const headers: Record<string, string | number> = {
    "Content-Type": `multipart/form-data; boundary=${boundary}`,
    "Content-Length": total,
    Accept: ACCEPT,
    "User-Agent": request.userAgent,
  };
  const secrets: string[] = [];
  if (request.auth !== undefined) {
    const pair = Buffer.from(`${request.auth.username}:${request.auth.password.reveal()}`, "utf8").toString(
      "base64",
    );
    headers["Authorization"] = `Basic ${pair}`;
    secrets.push(request.auth.password.reveal(), pair);
  }

  return new Promise((resolve, reject) => {
    const transport = transportFor(url);
    const req: ClientRequest = transport.request(url, { method: "POST", headers, agent: transport.agent });
    let sent = 0;
    let bodySent = false;
    let settled = false;
    let responded = false;
    const finish = () => {
      settled = true;
      watchdog.stop();
      request.signal?.removeEventListener("abort", onAbort);
    };
    const fail = (message: string, cause?: unknown) => {
      if (settled) return;
      finish();
      req.destroy();
      reject(new TransportError(message, sent, bodySent, cause));
    };
    const watchdog = new Watchdog(request.stallMs, () => {
      const seconds = formatSeconds(watchdog.ms);
      fail(
        bodySent
          ? `no answer ${seconds} s after the whole body was sent`
          : `no progress for ${seconds} s while sending (${sent} of ${total} bytes sent)`,
      );
    });
    const onAbort = () => fail("aborted");
    request.signal?.addEventListener("abort", onAbort, { once: true });
    if (request.signal?.aborted) onAbort();

    req.on("error", (error: NodeJS.ErrnoException) => {
      // An index may answer early (401, 413) and close while the body is still going: keep the answer.
      if (!responded) fail(`${error.code ?? "error"}: ${error.message}`, error);
    });
    req.on("response", (res: IncomingMessage) => {
      responded = true;
      watchdog.rearm(request.stallMs);
      readResponse(res, secrets, () => watchdog.poke()).then(
        (answer) => {
          if (settled) return;
          finish();
          resolve(answer);
        },
        (error: Error) => fail(`the answer broke off: ${error.message}`, error),
      );
    });

    // Resolves once the chunk is handed to the socket, so at most two chunks are ever queued.
    let closed = false;
    req.once("close", () => {
      closed = true;
    });
    const write = (chunk: Buffer): Promise<void> =>
      new Promise((done, broke) => {
        if (closed) {
          broke(new Error("the connection closed"));
          return;
        }
        const onClose = () => broke(new Error("the connection closed"));
        req.once("close", onClose);
        req.write(chunk, (error) => {
          req.off("close", onClose);
          if (error) return broke(error);
          sent += chunk.length;
          watchdog.poke();
          request.onProgress?.(sent, total);
          done();
        });
      });

    // Two reused buffers: one being read from disk while the other is on its way out. Fresh
    // chunks per read would leave hundreds of MB of garbage for a large file.
    const pump = async () => {
      await write(head);
      const fh = await open(request.file.path, "r");
      const buffers = [Buffer.allocUnsafe(CHUNK), Buffer.allocUnsafe(CHUNK)];
      const inFlight: (Promise<void> | undefined)[] = [undefined, undefined];
      let position = 0;
      try {
        for (let turn = 0; position < request.file.size; turn ^= 1) {
          await inFlight[turn];
          if (settled || responded) return;
          const buffer = buffers[turn] as Buffer;
          const want = Math.min(CHUNK, request.file.size - position);
          const { bytesRead } = await fh.read(buffer, 0, want, position);
          if (bytesRead === 0) break;
          position += bytesRead;
          inFlight[turn] = write(buffer.subarray(0, bytesRead));
          // A rejection is seen when this slot is awaited again or at the end.
          inFlight[turn]?.catch(() => {});
        }
        await Promise.all(inFlight);
        if (position !== request.file.size || (await fh.stat()).size !== request.file.size) {
          throw new Error(
            `${request.file.filename} changed size while it was sent (expected ${request.file.size} bytes)`,
          );
        }
      } finally {
        await fh.close();
      }
      await write(tail);
      req.end();
      bodySent = true;
      // The index may hash and scan a large file before it answers.
      if (!responded) watchdog.rearm(responseWaitMs(request.stallMs, request.file.size));
    };
    pump().catch((error: Error) => {
      if (!responded) fail(`sending failed: ${error.message}`, error);
    });
  });
}
