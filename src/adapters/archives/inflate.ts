/**
 * Raw-deflate decompression of ZIP members with a hard ceiling: never more output than the
 * member declares (the bomb guard holds per member, not only on the archive's totals).
 *
 * `RawInflater` is the normal path: one zlib engine per thread, reset between members, writing
 * into one reused output buffer. A fresh engine per member (what `inflateRawSync` does) costs
 * more than its zlib state: the closed engine and its output buffer stay reachable from the
 * native handle until a full GC, which V8 starts only after ~64 MiB of external memory piles up
 * per thread. `inflateWhole` and `StreamInflater` remain for a Node without that engine surface.
 */
import { Buffer } from "node:buffer";
import { once } from "node:events";
import { constants, createInflateRaw, deflateRawSync, type InflateRaw, inflateRawSync } from "node:zlib";

export type InflateProblem = { problem: string };

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));
const tooLarge = (size: number): string => `inflates to more than its declared size of ${size} bytes`;

/** Output buffer of a RawInflater: large enough for few calls per member, small enough to stay in cache. */
const OUT_SIZE = 256 * 1024;

/**
 * The synchronous engine surface of a zlib stream: `writeSync(flush, in, inOff, inLen, out,
 * outOff, outLen)` leaves [availOut, availIn] in `_writeState`. Undocumented, but it is what
 * Node's own `*Sync` functions call (lib/zlib.js processChunkSync) and what pngjs's sync
 * inflate has used for years; `canReuseEngine()` checks it works before anything relies on it.
 */
interface Engine extends InflateRaw {
  _handle?: {
    writeSync(
      flush: number,
      input: Uint8Array,
      inOff: number,
      inLen: number,
      out: Uint8Array,
      outOff: number,
      outLen: number,
    ): void;
    reset(): void;
  } | null;
  _writeState?: Uint32Array;
}

function createEngine(): Engine {
  // The stream's own 16 KiB output chunk is never used here.
  const engine: Engine = createInflateRaw({ chunkSize: constants.Z_MIN_CHUNK });
  // A corrupt member destroys the engine with an error; it is read from `errored`, and the
  // 'error' event that follows on the next tick must not become an uncaught exception.
  engine.on("error", () => undefined);
  return engine;
}

/**
 * Inflates members one after another on one engine. Output goes to `onData` as views of one
 * reused buffer, valid only during the call: consumers copy what they keep.
 */
export class RawInflater {
  private engine: Engine | undefined;
  private readonly out = new Uint8Array(OUT_SIZE);
  private limit = 0;
  private produced = 0;
  private failure: string | undefined;

  /** Starts a member that declares `size` uncompressed bytes. */
  begin(size: number): void {
    this.limit = size;
    this.produced = 0;
    this.failure = undefined;
    // An engine that failed is destroyed; otherwise reset (inflateReset) for the next stream.
    if (this.engine?._handle == null) this.engine = createEngine();
    else this.engine._handle.reset();
  }

  /**
   * Feeds the member's next compressed bytes; `final` on its last piece (then the deflate data
   * must end: zlib reports a truncated stream as "unexpected end of file"). Bytes after the end
   * of the deflate data are ignored, as zipfile does. Returns the problem once there is one.
   */
  write(input: Uint8Array, final: boolean, onData: (chunk: Uint8Array) => void): InflateProblem | undefined {
    if (this.failure !== undefined) return { problem: this.failure };
    const engine = this.engine;
    const handle = engine?._handle;
    const state = engine?._writeState;
    if (engine === undefined || handle == null || state === undefined)
      return this.fail("the inflater is closed");
    const flush = final ? constants.Z_FINISH : constants.Z_NO_FLUSH;
    let inOff = 0;
    let inLen = input.length;
    for (;;) {
      // Room for one byte past the declared size: getting it proves the member is too large,
      // and zlib never produces more than that.
      const room = Math.min(this.out.length, this.limit - this.produced + 1);
      handle.writeSync(flush, input, inOff, inLen, this.out, 0, room);
      if (engine.errored !== null) return this.fail(`corrupt deflate data (${describe(engine.errored)})`);
      const availOut = state[0] ?? 0;
      const availIn = state[1] ?? 0;
      const have = room - availOut;
      this.produced += have;
      if (this.produced > this.limit) return this.fail(tooLarge(this.limit));
      if (have > 0) onData(this.out.subarray(0, have));
      inOff += inLen - availIn;
      inLen = availIn;
      // Output room left means zlib has consumed all it can of this input.
      if (availOut !== 0) return undefined;
    }
  }

  private fail(problem: string): InflateProblem {
    this.failure = problem;
    return { problem };
  }
}

let reusable: boolean | undefined;

/** Whether this Node's zlib offers the engine surface RawInflater needs (probed once per thread). */
export function canReuseEngine(): boolean {
  reusable ??= probe();
  return reusable;
}

/** Inflates a known stream through the engine surface, twice, in two pieces, and checks the result. */
function probe(): boolean {
  try {
    const text = new TextEncoder().encode("slipway probes zlib's engine surface ".repeat(40));
    const packed = deflateRawSync(text);
    const inflater = new RawInflater();
    const parts: Uint8Array[] = [];
    for (let round = 0; round < 2; round++) {
      inflater.begin(text.length);
      const cut = packed.length >> 1;
      const onData = (chunk: Uint8Array) => parts.push(chunk.slice());
      if (inflater.write(packed.subarray(0, cut), false, onData) !== undefined) return false;
      if (inflater.write(packed.subarray(cut), true, onData) !== undefined) return false;
    }
    const joined = Buffer.concat(parts);
    return joined.length === 2 * text.length && joined.subarray(text.length).equals(text);
  } catch {
    return false;
  }
}

/** Inflates `data` completely; a problem when it is corrupt or inflates past `size` bytes. */
export function inflateWhole(data: Uint8Array, size: number): Uint8Array | InflateProblem {
  let out: Uint8Array;
  try {
    // One output buffer of exactly size + 1 bytes: zlib fills it once and stops (node's default
    // 16 KiB chunks would allocate three or four buffers per member and concatenate them).
    out = inflateRawSync(data, { maxOutputLength: Math.max(1, size), chunkSize: Math.max(64, size + 1) });
  } catch (error) {
    if ((error as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") return { problem: tooLarge(size) };
    return { problem: `corrupt deflate data (${describe(error)})` };
  }
  // Shorter output is not an error here: zipfile accepts it when the CRC matches (the caller
  // compares sizes); longer output never gets past maxOutputLength.
  return out;
}

/** A streaming inflater on libuv's pool that passes output to `onData` and stops past `size` bytes. */
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
        this.failure = tooLarge(this.size);
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
