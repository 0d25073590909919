/**
 * The upload digests of a file in one streaming pass: sha256 (Node's OpenSSL) and BLAKE2b with a
 * 32-byte digest, which PyPI calls blake2_256. OpenSSL offers BLAKE2b only with 64-byte output
 * (a different parameter block, so truncating it is wrong), hence hash-wasm's WebAssembly one.
 */
import { createHash } from "node:crypto";
import { type FileHandle, open } from "node:fs/promises";
import { createBLAKE2b } from "hash-wasm";
import { SlipwayError } from "../errors.ts";

const CHUNK = 1024 * 1024;

export interface FileDigests {
  size: number;
  /** Lowercase hex. */
  sha256: string;
  /** Lowercase hex BLAKE2b-256. */
  blake2_256: string;
}

// Files are hashed one at a time, through one WebAssembly BLAKE2b instance and one reused read
// buffer: streaming a large file through fresh chunks leaves hundreds of MB of garbage behind.
let blake2: ReturnType<typeof createBLAKE2b> | undefined;
let buffer: Buffer | undefined;
let queue: Promise<unknown> = Promise.resolve();

/** Hashes the file at `path` (after any hashing already queued); `display` names it in errors. */
export function digestFile(path: string, display = path): Promise<FileDigests> {
  const run = queue.then(() => digestOne(path, display));
  queue = run.catch(() => undefined);
  return run;
}

async function digestOne(path: string, display: string): Promise<FileDigests> {
  const sha = createHash("sha256");
  blake2 ??= createBLAKE2b(256);
  const blake = await blake2;
  blake.init();
  buffer ??= Buffer.allocUnsafe(CHUNK);
  let size = 0;
  let fh: FileHandle | undefined;
  try {
    fh = await open(path, "r");
    for (;;) {
      const { bytesRead } = await fh.read(buffer, 0, CHUNK, size);
      if (bytesRead === 0) break;
      const chunk = buffer.subarray(0, bytesRead);
      sha.update(chunk);
      blake.update(chunk);
      size += bytesRead;
    }
  } catch (cause) {
    throw new SlipwayError("io", `cannot read ${display}: ${(cause as Error).message}`, { cause });
  } finally {
    await fh?.close();
  }
  return { size, sha256: sha.digest("hex"), blake2_256: blake.digest("hex") };
}
