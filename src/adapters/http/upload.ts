/**
 * One legacy-API upload: a single multipart/form-data POST whose length is known up front (text
 * parts + file size), with the file streamed from disk, so memory stays flat for any size. Two
 * limits: no byte moving for `stallMs` (and, once the body is sent, for a wait that grows with
 * the file size), and a total deadline (`deadlineMs`, see uploadDeadlineMs) that a server
 * dripping its answer cannot stretch.
 */
import { randomBytes } from "node:crypto";
import { open } from "node:fs/promises";
import type { ClientRequest, IncomingMessage } from "node:http";
import type { FormField } from "../../core/upload/form.ts";
import type { Secret } from "../../secret.ts";
import { transportFor } from "./agents.ts";
import { Deadline, displayUrl, type Exchange, type ExchangeListener, formatSeconds } from "./exchange.ts";
import { mask, readResponse, type UploadResponse } from "./response.ts";

export type { UploadResponse } from "./response.ts";

export interface UploadRequest {
  url: string;
  fields: readonly FormField[];
  /** The distribution, sent last as the `content` part; without one only the fields go (the credential probe). */
  file?: { path: string; filename: string; size: number };
  auth?: { username: string; password: Secret };
  userAgent: string;
  /** Abort when no byte moved (sent or received) for this long. */
  stallMs: number;
  /** Abort when the whole answer has not arrived within this long of the start. */
  deadlineMs: number;
  /** Called as body bytes are handed to the socket. */
  onProgress?: (sent: number, total: number) => void;
  signal?: AbortSignal;
  /** Told how the request ended, for `--verbose`. */
  onExchange?: ExchangeListener;
  /** The purpose the exchange is logged under (default: upload). */
  purpose?: Exchange["purpose"];
}

/** No HTTP answer came back: the connection failed, broke, or stalled. */
export class TransportError extends Error {
  /** Body bytes handed to the socket before the failure. */
  readonly bytesSent: number;
  /** True when the whole body had been sent: the index may have stored the file. */
  readonly bodySent: boolean;
  /** The total deadline passed: the index is too slow for another attempt to help. */
  readonly deadline: boolean;

  constructor(
    message: string,
    state: { bytesSent: number; bodySent: boolean; deadline?: boolean },
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "TransportError";
    this.bytesSent = state.bytesSent;
    this.bodySent = state.bodySent;
    this.deadline = state.deadline ?? false;
  }
}

// uv's Accept header: PyPI then answers errors as JSON {message, code, title}, which survives HTTP/2.
const ACCEPT = "application/json;q=0.9, text/plain;q=0.8, text/html;q=0.7";
const CHUNK = 1024 * 1024;
const MIB = 1024 * 1024;

// WHATWG multipart/form-data escaping of names and filenames.
const escapeName = (name: string): string =>
  name.replaceAll("\n", "%0A").replaceAll("\r", "%0D").replaceAll('"', "%22");

/**
 * The encoded multipart envelope: everything before the file bytes, and everything after. Without
 * a filename there is no content part: the fields, then the closing boundary.
 */
export function encodeEnvelope(
  fields: readonly FormField[],
  filename: string | undefined,
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
  if (filename === undefined) return { head: Buffer.concat(parts), tail: Buffer.from(`--${boundary}--\r\n`) };
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

/** Streams the file through `write` with two reused buffers; stops early when `stop()` says so. */
async function pumpFile(
  file: { path: string; filename: string; size: number },
  write: (chunk: Buffer) => Promise<void>,
  stop: () => boolean,
): Promise<void> {
  // One buffer is read from disk while the other is on its way out. Fresh chunks per read would
  // leave hundreds of MB of garbage for a large file.
  const fh = await open(file.path, "r");
  const buffers = [Buffer.allocUnsafe(CHUNK), Buffer.allocUnsafe(CHUNK)];
  const inFlight: (Promise<void> | undefined)[] = [undefined, undefined];
  let position = 0;
  try {
    for (let turn = 0; position < file.size; turn ^= 1) {
      await inFlight[turn];
      if (stop()) return;
      const buffer = buffers[turn] as Buffer;
      const want = Math.min(CHUNK, file.size - position);
      const { bytesRead } = await fh.read(buffer, 0, want, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      inFlight[turn] = write(buffer.subarray(0, bytesRead));
      // A rejection is seen when this slot is awaited again or at the end.
      inFlight[turn]?.catch(() => {});
    }
    await Promise.all(inFlight);
    if (position !== file.size || (await fh.stat()).size !== file.size) {
      throw new Error(`${file.filename} changed size while it was sent (expected ${file.size} bytes)`);
    }
  } finally {
    await fh.close();
  }
}

/**
 * Sends one file to a legacy upload URL. Resolves with the index's answer (any status); rejects
 * with TransportError when no complete answer came (refused, reset, stalled, past the deadline,
 * aborted). Redirects are returned, not followed. The Authorization header is the only place the
 * password goes, and an answer that echoes it (in any encoding) has it masked.
 */
export function postUpload(request: UploadRequest): Promise<UploadResponse> {
  const boundary = newBoundary(request.fields);
  const file = request.file;
  const { head, tail } = encodeEnvelope(request.fields, file?.filename, boundary);
  const total = head.length + (file?.size ?? 0) + tail.length;
  const url = new URL(request.url);
  const shown = displayUrl(request.url);
  const headers: Record<string, string | number> = {
    "Content-Type": `multipart/form-data; boundary=${boundary}`,
    "Content-Length": total,
    Accept: ACCEPT,
    "User-Agent": request.userAgent,
  };
  const secrets: string[] = [];
  if (request.auth !== undefined) {
    const pair = `${request.auth.username}:${request.auth.password.reveal()}`;
    headers["Authorization"] = `Basic ${Buffer.from(pair, "utf8").toString("base64")}`;
    secrets.push(request.auth.password.reveal());
  }

  return new Promise((resolve, reject) => {
    const transport = transportFor(url);
    const req: ClientRequest = transport.request(url, { method: "POST", headers, agent: transport.agent });
    let sent = 0;
    let received = 0;
    let status: number | undefined;
    let reason: string | undefined;
    let bodySent = false;
    let settled = false;
    let responded = false;
    const log = (error?: string) =>
      request.onExchange?.({
        purpose: request.purpose ?? "upload",
        method: "POST",
        url: shown,
        ...(status === undefined ? {} : { status }),
        ...(reason === undefined ? {} : { reason }),
        ms: deadline.elapsed(),
        sent,
        received,
        ...(error === undefined ? {} : { error }),
      });
    const finish = () => {
      settled = true;
      watchdog.stop();
      deadline.stop();
      request.signal?.removeEventListener("abort", onAbort);
    };
    const fail = (message: string, extra: { deadline?: boolean; cause?: unknown } = {}) => {
      if (settled) return;
      finish();
      req.destroy();
      log(message);
      reject(
        new TransportError(
          message,
          { bytesSent: sent, bodySent, deadline: extra.deadline ?? false },
          extra.cause,
        ),
      );
    };
    const watchdog = new Watchdog(request.stallMs, () => {
      const seconds = formatSeconds(watchdog.ms);
      fail(
        bodySent
          ? `no answer ${seconds} s after the whole body was sent`
          : `no progress for ${seconds} s while sending (${sent} of ${total} bytes sent)`,
      );
    });
    const deadline = new Deadline(request.deadlineMs, () => {
      const where = responded
        ? `the answer (${status}) was still arriving: ${received} bytes so far`
        : bodySent
          ? "the whole body was sent, no answer yet"
          : `${sent} of ${total} bytes sent`;
      fail(
        `no complete answer from ${shown} within the ${formatSeconds(request.deadlineMs)} s deadline (${where})`,
        {
          deadline: true,
        },
      );
    });
    const onAbort = () => fail("aborted");
    request.signal?.addEventListener("abort", onAbort, { once: true });
    if (request.signal?.aborted) onAbort();

    req.on("error", (error: NodeJS.ErrnoException) => {
      // An index may answer early (401, 413) and close while the body is still going: keep the answer.
      if (!responded) fail(`${error.code ?? "error"}: ${error.message}`, { cause: error });
    });
    req.on("response", (res: IncomingMessage) => {
      responded = true;
      status = res.statusCode;
      reason = mask(res.statusMessage ?? "", secrets);
      watchdog.rearm(request.stallMs);
      readResponse(res, secrets, (bytes) => {
        received += bytes;
        watchdog.poke();
      }).then(
        (answer) => {
          if (settled) return;
          finish();
          log();
          resolve(answer);
        },
        (error: Error) => fail(`the answer broke off: ${error.message}`, { cause: error }),
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

    const pump = async () => {
      await write(head);
      if (file !== undefined) await pumpFile(file, write, () => settled || responded);
      if (settled || responded) return;
      await write(tail);
      req.end();
      bodySent = true;
      // The index may hash and scan a large file before it answers.
      if (!responded) watchdog.rearm(responseWaitMs(request.stallMs, file?.size ?? 0));
    };
    pump().catch((error: Error) => {
      if (!responded) fail(`sending failed: ${error.message}`, { cause: error });
    });
  });
}
