/**
 * Receives a multipart upload form: text fields into memory, the `content` part streamed to a temp
 * file while it is hashed, so memory stays flat whatever the file's size.
 */
import { createHash, type Hash } from "node:crypto";
import { once } from "node:events";
import type { IncomingMessage } from "node:http";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Busboy, type BusboyConfig, type BusboyFileStream, type BusboyInstance } from "@fastify/busboy";
import { createBLAKE2b } from "hash-wasm";
import { openExclusive } from "../adapters/fs.ts";
import type { ClaimedDigests, ReceivedForm } from "../core/upload/index-rules.ts";

/** A form whose `content` part (if any) now lies complete in `temp`. */
export interface Received {
  form: ReceivedForm;
  temp?: string;
  size: number;
  /** Digests of the content computed while it streamed: sha256 always, others when announced first. */
  digests: ClaimedDigests;
  /** A problem that makes the form unusable (a 400), found while reading it. */
  problem?: string;
}

interface Hasher {
  update(chunk: Uint8Array): void;
  hex(): string;
}

function nodeHasher(algorithm: string): Hasher {
  const hash: Hash = createHash(algorithm);
  return { update: (c) => hash.update(c), hex: () => hash.digest("hex") };
}

// Node's crypto has BLAKE2b-512 only; BLAKE2b-256 is a different parameterization, not a prefix.
// hash-wasm's WebAssembly BLAKE2b runs at several hundred MB/s (a pure-JS one at ~30).
export async function blake2Hasher(): Promise<Hasher> {
  const hash = await createBLAKE2b(256);
  hash.init();
  return { update: (c) => hash.update(c), hex: () => hash.digest("hex") };
}

/** The request body is not a well-formed multipart form (a 400, not a server fault). */
export class FormError extends Error {
  override name = "FormError";
}

/** The body stalled, or took longer than the deadline (a 408). */
export class BodyTimeout extends Error {
  override name = "BodyTimeout";
}

export const FIELD_LIMIT = 16 * 1024 * 1024;

export interface ReceiveOptions {
  /** Names the temp file for the content part (from its filename). */
  tempFor: (filename: string | undefined) => string;
  /** Told the temp file's path as soon as it exists, so the caller can remove it whatever happens. */
  onTemp: (path: string) => void;
  /** The body fails with BodyTimeout when no byte arrives for this long. */
  idleMs: number;
  /** ... or when it is not complete this long after the request started. */
  deadlineMs: number;
}

/**
 * Reads the whole request. Rejects when the body is malformed (FormError), stalls or is too slow
 * (BodyTimeout), or the connection fails; it settles only after the content file is closed, so
 * the caller's removal of the temp file is the last thing that happens to it.
 */
export function receiveForm(req: IncomingMessage, options: ReceiveOptions): Promise<Received> {
  return new Promise<Received>((resolve, reject) => {
    const fields = new Map<string, string[]>();
    const fileParts: string[] = [];
    const received: Received = { form: { fields, fileParts }, size: 0, digests: {} };
    const pending: Promise<void>[] = [];
    let active: BusboyFileStream | undefined;
    let settled = false;
    let bb: BusboyInstance | undefined;
    const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;
    const idle = setTimeout(
      () => fail(new BodyTimeout(`The upload stalled: no data for ${seconds(options.idleMs)}.`)),
      options.idleMs,
    );
    const deadline = setTimeout(
      () => fail(new BodyTimeout(`The upload took longer than ${seconds(options.deadlineMs)}.`)),
      options.deadlineMs,
    );
    const stopTimers = () => {
      clearTimeout(idle);
      clearTimeout(deadline);
    };
    function fail(error: Error): void {
      if (settled) return;
      settled = true;
      stopTimers();
      if (bb) req.unpipe(bb);
      active?.destroy(error);
      Promise.allSettled(pending).then(() => reject(error));
    }
    try {
      bb = Busboy({
        headers: req.headers as BusboyConfig["headers"],
        preservePath: true,
        limits: { fieldSize: FIELD_LIMIT, fields: 10_000, files: 4, parts: 20_000 },
        // The content part always goes to disk, whatever headers it came with.
        isPartAFile: (name, _type, filename) => filename !== undefined || name === "content",
      });
    } catch (error) {
      fail(new FormError(`malformed multipart/form-data: ${(error as Error).message}`));
      return;
    }
    bb.on("field", (name, value, _nameTruncated, valueTruncated) => {
      if (valueTruncated) received.problem ??= `${name}: the value is larger than ${FIELD_LIMIT} bytes.`;
      const list = fields.get(name);
      if (list) list.push(value);
      else fields.set(name, [value]);
    });
    bb.on("file", (name, stream, filename, _encoding, mimeType) => {
      fileParts.push(name);
      if (name !== "content" || received.temp !== undefined || settled) {
        if (name === "content") received.problem ??= "Upload payload has more than one file.";
        stream.resume();
        return;
      }
      const temp = options.tempFor(filename);
      received.temp = temp;
      if (filename !== undefined) received.form = { ...received.form, filename, contentType: mimeType };
      options.onTemp(temp);
      active = stream;
      // Its failure is read by the write below; until that starts, it must not go unheard.
      stream.on("error", () => undefined);
      const writing = writeContent(stream, temp, fields, received);
      // A failed write (disk full, aborted request) ends the whole form at once.
      writing.catch(fail);
      pending.push(writing);
    });
    bb.on("partsLimit", () => {
      received.problem ??= "The form has too many parts.";
    });
    bb.on("error", (error) => {
      fail(new FormError(`malformed multipart/form-data: ${(error as Error).message}`));
    });
    bb.on("finish", () => {
      Promise.all(pending).then(() => {
        if (settled) return;
        settled = true;
        stopTimers();
        resolve(received);
      }, fail);
    });
    req.on("data", () => {
      if (!settled) idle.refresh();
    });
    req.on("error", fail);
    req.on("close", () => {
      if (!req.complete) fail(new Error("the client closed the connection before the upload was complete"));
    });
    req.pipe(bb);
  });
}

async function writeContent(
  stream: BusboyFileStream,
  temp: string,
  fields: ReadonlyMap<string, readonly string[]>,
  received: Received,
): Promise<void> {
  const sha256 = nodeHasher("sha256");
  // Digests announced before the content are computed in the same pass; later ones by a re-read.
  const blake2 = fields.has("blake2_256_digest") ? await blake2Hasher() : undefined;
  const md5 = fields.has("md5_digest") ? nodeHasher("md5") : undefined;
  let size = 0;
  // Opened before any byte is written, and closed before this settles: no write outlives it.
  const file = await openExclusive(temp, 0o644);
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      sha256.update(chunk);
      blake2?.update(chunk);
      md5?.update(chunk);
      callback(null, chunk);
    },
  });
  const sink = file.createWriteStream(); // closes the handle when it ends or fails
  try {
    await pipeline(stream, hashing, sink);
  } finally {
    if (!sink.closed) await once(sink, "close").catch(() => undefined);
  }
  received.size = size;
  received.digests = {
    sha256: sha256.hex(),
    ...(blake2 ? { blake2_256: blake2.hex() } : {}),
    ...(md5 ? { md5: md5.hex() } : {}),
  };
}
