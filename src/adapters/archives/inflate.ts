/**
 * Raw-deflate decompression of ZIP members with a hard ceiling: never more output than the
 * member declares (the bomb guard holds per member, not only on the archive's totals). Small
 * members inflate in one synchronous call; large ones stream through zlib on libuv's pool while
 * the main thread hashes what has come out.
 */
import { once } from "node:events";
import { createInflateRaw, type InflateRaw, inflateRawSync } from "node:zlib";

export type InflateProblem = { problem: string };

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Inflates `data` completely; a problem when it is corrupt or inflates past `size` bytes. */
export function inflateWhole(data: Uint8Array, size: number): Uint8Array | InflateProblem {
  let out: Uint8Array;
  try {
    // One output buffer of exactly size + 1 bytes: zlib fills it once and stops (node's default
    // 16 KiB chunks would allocate three or four buffers per member and concatenate them).
    out = inflateRawSync(data, { maxOutputLength: Math.max(1, size), chunkSize: Math.max(64, size + 1) });
  } catch (error) {
    if ((error as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") {
      return { problem: `inflates to more than its declared size of ${size} bytes` };
    }
    return { problem: `corrupt deflate data (${describe(error)})` };
  }
  // Shorter output is not an error here: zipfile accepts it when the CRC matches (the caller
  // compares sizes); longer output never gets past maxOutputLength.
  return out;
}

/** A streaming inflater that passes output to `onData` and stops past `size` bytes. */
export class StreamInflater {
  private readonly zlib: InflateRaw;
  private readonly size: number;
  private produced = 0;
  private failure: string | undefined;
  private readonly done: Promise<void>;

  constructor(size: number, onData: (chunk: Uint8Array) => void) {
    this.size = size;
    this.zlib = createInflateRaw({ chunkSize: 256 * 1024 });
    this.zlib.on("data", (chunk: Uint8Array) => {
      if (this.failure !== undefined) return;
      this.produced += chunk.length;
      if (this.produced > this.size) {
        this.failure = `inflates to more than its declared size of ${this.size} bytes`;
        this.zlib.destroy();
        return;
      }
      onData(chunk);
    });
    this.done = new Promise((resolve) => {
      this.zlib.on("error", (error) => {
        this.failure ??= `corrupt deflate data (${describe(error)})`;
        resolve();
      });
      this.zlib.on("end", resolve);
      this.zlib.on("close", resolve);
    });
  }

  /** Feeds compressed bytes; waits while zlib's buffer is full. */
  async write(chunk: Uint8Array): Promise<void> {
    if (this.failure !== undefined || this.zlib.destroyed) return;
    if (!this.zlib.write(chunk)) {
      await Promise.race([once(this.zlib, "drain"), this.done]).catch(() => undefined);
    }
  }

  /** Feeds compressed bytes without waiting: zlib holds them until it gets to them. */
  queue(chunk: Uint8Array): void {
    if (this.failure === undefined && !this.zlib.destroyed) this.zlib.write(chunk);
  }

  /** Ends the input; resolves with the problem, if any, once all output has been handed on. */
  async end(): Promise<InflateProblem | undefined> {
    if (!this.zlib.destroyed) this.zlib.end();
    await this.done;
    if (this.failure !== undefined) return { problem: this.failure };
    return undefined;
  }
}
