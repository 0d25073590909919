/**
 * Reading an artifact's bytes: one sequential pass in large blocks (read ahead on libuv's pool,
 * hashed for the artifact's sha256 as they arrive) and positional reads for the few records that
 * live elsewhere (the ZIP end records and central directory, RECORD, overlapping members).
 */
import { Buffer } from "node:buffer";
import { createHash, type Hash } from "node:crypto";
import type { FileHandle } from "node:fs/promises";

/**
 * Where a member's bytes come from: the sequential pass or positional reads. Views are only
 * valid until the next call on the source (buffers are reused); copy what must live longer.
 */
export interface ByteSource {
  /** Bytes [pos, pos + length), shorter when the file ends first. Zero-copy when possible. */
  view(pos: number, length: number): Promise<Uint8Array>;
  /** The same bytes when they are already in memory in one piece (no I/O, no copy), else undefined. */
  peek(pos: number, length: number): Uint8Array | undefined;
  /** Hands [pos, end) to `fn` in pieces, in order; awaits `fn` when it returns a promise. */
  forEach(pos: number, end: number, fn: (chunk: Uint8Array) => void | Promise<void>): Promise<void>;
}

/** Positional read of up to `length` bytes at `pos` (shorter at the end of the file). */
export function readAt(fh: FileHandle, pos: number, length: number): Promise<Buffer> {
  return readInto(fh, Buffer.allocUnsafe(Math.max(0, length)), pos, length);
}

/** Reads up to `length` bytes at `pos` into `buffer`; returns the filled part. */
async function readInto(fh: FileHandle, buffer: Buffer, pos: number, length: number): Promise<Buffer> {
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await fh.read(buffer, filled, length - filled, pos + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled === buffer.length ? buffer : buffer.subarray(0, filled);
}

/** Positional reads through one reusable window; for out-of-order members. */
export class PositionalSource implements ByteSource {
  private readonly fh: FileHandle;
  private readonly chunkSize: number;

  constructor(fh: FileHandle, chunkSize = 1024 * 1024) {
    this.fh = fh;
    this.chunkSize = chunkSize;
  }

  view(pos: number, length: number): Promise<Uint8Array> {
    return readAt(this.fh, pos, length);
  }

  peek(): undefined {
    return undefined;
  }

  async forEach(pos: number, end: number, fn: (chunk: Uint8Array) => void | Promise<void>): Promise<void> {
    for (let at = pos; at < end; ) {
      const chunk = await readAt(this.fh, at, Math.min(this.chunkSize, end - at));
      if (chunk.length === 0) return;
      await fn(chunk);
      at += chunk.length;
    }
  }
}

interface Block {
  start: number;
  bytes: Buffer;
  /**
   * The same bytes as a plain Uint8Array, for the views handed out (a few per member): a
   * Buffer's subarray goes through its species constructor, several times slower.
   */
  plain: Uint8Array;
}

/**
 * Block buffers passes no longer need, by block size, for the next pass: a check of several
 * artifacts reuses a few blocks instead of leaving each pass's blocks to a full GC.
 */
const spareBlocks = new Map<number, Buffer[]>();
const MAX_SPARE_BLOCKS = 3;

/**
 * The one sequential pass over the file. Blocks are read in order with one read ahead in
 * flight; every block is hashed once, in order, for the artifact's sha256. Positions only move
 * forward: blocks wholly behind the last position asked for are recycled for later reads, so
 * a pass allocates a handful of blocks whatever the file size.
 */
export class SequentialSource implements ByteSource {
  private readonly fh: FileHandle;
  private readonly size: number;
  private readonly blockSize: number;
  private readonly signal: AbortSignal | undefined;
  private readonly hash: Hash = createHash("sha256");
  private blocks: Block[] = [];
  /** Recycled block buffers of this size (shared by every pass). */
  private readonly spare: Buffer[];
  /** File offset of the next block to request. */
  private nextStart = 0;
  private ahead: Promise<Block> | undefined;

  constructor(
    fh: FileHandle,
    size: number,
    options: { blockSize?: number; signal?: AbortSignal | undefined } = {},
  ) {
    this.fh = fh;
    this.size = size;
    this.blockSize = options.blockSize ?? 1024 * 1024;
    this.signal = options.signal;
    let spare = spareBlocks.get(this.blockSize);
    if (spare === undefined) {
      spare = [];
      spareBlocks.set(this.blockSize, spare);
    }
    this.spare = spare;
  }

  /** Bytes loaded so far end here. */
  private get loadedEnd(): number {
    const last = this.blocks[this.blocks.length - 1];
    return last === undefined ? this.nextStartLoaded : last.start + last.bytes.length;
  }

  private nextStartLoaded = 0;

  private request(): Promise<Block> {
    const start = this.nextStart;
    const length = Math.min(this.blockSize, this.size - start);
    this.nextStart += length;
    const buffer = this.spare.pop() ?? Buffer.allocUnsafe(Math.min(this.blockSize, this.size));
    return readInto(this.fh, buffer, start, length).then((bytes) => ({
      start,
      bytes,
      plain: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length),
    }));
  }

  /** Loads the next block (hashing it) and starts reading the one after. */
  private async loadNext(): Promise<boolean> {
    this.signal?.throwIfAborted();
    if (this.ahead === undefined) {
      if (this.nextStart >= this.size) return false;
      this.ahead = this.request();
    }
    const block = await this.ahead;
    this.ahead = this.nextStart < this.size ? this.request() : undefined;
    if (block.bytes.length === 0) {
      this.ahead = undefined;
      return false;
    }
    this.hash.update(block.bytes);
    this.blocks.push(block);
    this.nextStartLoaded = block.start + block.bytes.length;
    return true;
  }

  /** Drops blocks that end at or before `pos`. */
  private release(pos: number): void {
    let drop = 0;
    while (drop < this.blocks.length - 1) {
      const b = this.blocks[drop]!;
      if (b.start + b.bytes.length > pos) break;
      drop++;
    }
    if (drop === 0) return;
    for (const b of this.blocks.slice(0, drop)) this.recycle(b);
    this.blocks = this.blocks.slice(drop);
  }

  private recycle(block: Block): void {
    const { buffer, byteOffset } = block.bytes;
    if (this.spare.length < MAX_SPARE_BLOCKS && byteOffset === 0 && buffer.byteLength === this.blockSize) {
      this.spare.push(Buffer.from(buffer, 0, this.blockSize));
    }
  }

  peek(pos: number, length: number): Uint8Array | undefined {
    // Most headers and small members lie inside the block already loaded: no promise, no copy.
    const end = Math.min(pos + length, this.size);
    for (let i = this.blocks.length - 1; i >= 0; i--) {
      const b = this.blocks[i]!;
      if (pos >= b.start && end <= b.start + b.bytes.length)
        return b.plain.subarray(pos - b.start, end - b.start);
    }
    return undefined;
  }

  async view(pos: number, length: number): Promise<Uint8Array> {
    const end = Math.min(pos + length, this.size);
    this.release(pos);
    while (this.loadedEnd < end) {
      if (!(await this.loadNext())) break;
      this.release(pos);
    }
    const first = this.blocks[0];
    if (first === undefined || pos < first.start) throw new Error(`sequential read went back to ${pos}`);
    for (const b of this.blocks) {
      const bEnd = b.start + b.bytes.length;
      if (pos >= b.start && end <= bEnd) return b.plain.subarray(pos - b.start, end - b.start);
    }
    // Spans blocks: copy into one buffer (only headers and small members get here).
    const out = Buffer.allocUnsafe(Math.max(0, Math.min(end, this.loadedEnd) - pos));
    for (const b of this.blocks) {
      const from = Math.max(pos, b.start);
      const to = Math.min(end, b.start + b.bytes.length);
      if (to > from) b.bytes.copy(out, from - pos, from - b.start, to - b.start);
    }
    return out;
  }

  async forEach(pos: number, end: number, fn: (chunk: Uint8Array) => void | Promise<void>): Promise<void> {
    let at = pos;
    end = Math.min(end, this.size);
    while (at < end) {
      this.release(at);
      if (this.loadedEnd <= at && !(await this.loadNext())) return;
      const block = this.blocks.find((b) => at >= b.start && at < b.start + b.bytes.length);
      if (block === undefined) {
        if (!(await this.loadNext())) return;
        continue;
      }
      const to = Math.min(end, block.start + block.bytes.length);
      const done = fn(block.plain.subarray(at - block.start, to - block.start));
      if (done !== undefined) await done;
      at = to;
    }
  }

  /** Reads whatever is left and returns the file's sha256 (hex). */
  async finish(): Promise<string> {
    const drop = () => {
      for (const b of this.blocks) this.recycle(b);
      this.blocks = [];
    };
    drop();
    while (await this.loadNext()) drop();
    return this.hash.digest("hex");
  }
}
