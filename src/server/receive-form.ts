/**
 * Receives a multipart upload form: text fields into memory, the `content` part streamed to a temp
 * file while it is hashed, so memory stays flat whatever the file's size.
 */
import { createHash, type Hash } from "node:crypto";
import { createWriteStream } from "node:fs";
import type { IncomingMessage } from "node:http";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Busboy, type BusboyConfig, type BusboyFileStream, type BusboyInstance } from "@fastify/busboy";
import { createBLAKE2b } from "hash-wasm";
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

export const FIELD_LIMIT = 16 * 1024 * 1024;

/**
 * Reads the whole request. `tempFor` names the temp file for the content part (from its
 * filename). Rejects when the connection fails mid-body; the temp file is then removed by the
 * caller (it is returned through `onTemp` as soon as it exists).
 */
export function receiveForm(
  req: IncomingMessage,
  tempFor: (filename: string | undefined) => string,
  onTemp: (path: string) => void,
): Promise<Received> {
  return new Promise<Received>((resolve, reject) => {
    const fields = new Map<string, string[]>();
    const fileParts: string[] = [];
    const received: Received = { form: { fields, fileParts }, size: 0, digests: {} };
    const pending: Promise<void>[] = [];
    let active: BusboyFileStream | undefined;
    let bb: BusboyInstance;
    try {
      bb = Busboy({
        headers: req.headers as BusboyConfig["headers"],
        preservePath: true,
        limits: { fieldSize: FIELD_LIMIT, fields: 10_000, files: 4, parts: 20_000 },
        // The content part always goes to disk, whatever headers it came with.
        isPartAFile: (name, _type, filename) => filename !== undefined || name === "content",
      });
    } catch (error) {
      reject(new FormError(`malformed multipart/form-data: ${(error as Error).message}`));
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
      if (name !== "content" || received.temp !== undefined) {
        if (name === "content") received.problem ??= "Upload payload has more than one file.";
        stream.resume();
        return;
      }
      const temp = tempFor(filename);
      received.temp = temp;
      if (filename !== undefined) received.form = { ...received.form, filename, contentType: mimeType };
      onTemp(temp);
      active = stream;
      const writing = writeContent(stream, temp, fields, received);
      // A failed write (disk full, aborted request) ends the whole form at once.
      writing.catch(reject);
      pending.push(writing);
    });
    bb.on("partsLimit", () => {
      received.problem ??= "The form has too many parts.";
    });
    bb.on("error", (error) => {
      const failure = new FormError(`malformed multipart/form-data: ${(error as Error).message}`);
      active?.destroy(failure);
      reject(failure);
    });
    bb.on("finish", () => {
      Promise.all(pending).then(() => resolve(received), reject);
    });
    req.on("error", (error) => {
      active?.destroy(error);
      reject(error);
    });
    req.on("close", () => {
      if (req.complete) return;
      const error = new Error("the client closed the connection before the upload was complete");
      active?.destroy(error);
      reject(error);
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
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      sha256.update(chunk);
      blake2?.update(chunk);
      md5?.update(chunk);
      callback(null, chunk);
    },
  });
  await pipeline(stream, hashing, createWriteStream(temp, { flags: "wx", mode: 0o644 }));
  received.size = size;
  received.digests = {
    sha256: sha256.hex(),
    ...(blake2 ? { blake2_256: blake2.hex() } : {}),
    ...(md5 ? { md5: md5.hex() } : {}),
  };
}
