/**
 * The digests of an archive's members, raw bytes side by side in one buffer. As an object and a
 * base64 string per member they cost ~100 bytes of JS heap each, all alive for the whole check:
 * ~15 MB on a wheel of 150,000 members, and V8 sizes its young generation by what survives
 * (issue 11 B5). Here a sha256 is 32 bytes outside the heap.
 */
import { Buffer } from "node:buffer";
import type { HashAlg } from "./artifact.ts";
import { DIGEST_BYTES } from "./record.ts";

export class DigestTable {
  /** The algorithms every row holds, in the order `set` takes them. */
  private algs: readonly HashAlg[] = ["sha256"];
  /** Where each algorithm's digest starts in a row. */
  private offsets: readonly number[] = [0];
  private stride = DIGEST_BYTES.sha256;
  private bytes: Buffer = Buffer.alloc(0);
  /** 1 for rows whose digests are set. */
  private filled = new Uint8Array(0);

  /**
   * `rows` is a first capacity (the table grows as rows are set). The algorithms may be chosen
   * after the members are made, as long as no row is set yet (see `algorithms`).
   */
  constructor(algorithms: readonly HashAlg[] = ["sha256"], rows = 0) {
    this.algorithms = algorithms;
    this.reserve(rows);
  }

  get algorithms(): readonly HashAlg[] {
    return this.algs;
  }

  /** Chooses the algorithms: only while the table is empty (rows already set would be misread). */
  set algorithms(algorithms: readonly HashAlg[]) {
    if (this.filled.includes(1)) throw new Error("DigestTable: algorithms change after digests were set");
    let stride = 0;
    this.offsets = algorithms.map((alg) => {
      const at = stride;
      stride += DIGEST_BYTES[alg];
      return at;
    });
    this.algs = [...algorithms];
    this.stride = stride;
    this.bytes = Buffer.alloc(this.filled.length * stride);
  }

  /**
   * Stores row `row`'s digests: one per algorithm, in `algorithms` order, each as the latin1
   * string of its bytes (what `hash.digest("binary")` returns: no Buffer per digest).
   */
  set(row: number, digests: readonly string[]): void {
    if (digests.length !== this.algs.length) return;
    this.reserve(row + 1);
    const base = row * this.stride;
    for (let a = 0; a < digests.length; a++) {
      this.bytes.write(digests[a]!, base + this.offsets[a]!, DIGEST_BYTES[this.algs[a]!], "latin1");
    }
    this.filled[row] = 1;
  }

  has(row: number): boolean {
    return this.filled[row] === 1;
  }

  /** Row `row`'s digests in RECORD's form (urlsafe base64 without padding); undefined when unset. */
  get(row: number): Partial<Record<HashAlg, string>> | undefined {
    if (!this.has(row)) return undefined;
    const out: Partial<Record<HashAlg, string>> = {};
    for (let a = 0; a < this.algs.length; a++) {
      const alg = this.algs[a]!;
      const at = row * this.stride + this.offsets[a]!;
      // toString on a range of the table's own Buffer: no Buffer object per digest.
      out[alg] = this.bytes.toString("base64url", at, at + DIGEST_BYTES[alg]);
    }
    return out;
  }

  /** Bytes the table holds (for the memory guards in the tests). */
  get byteLength(): number {
    return this.bytes.byteLength + this.filled.byteLength;
  }

  private reserve(rows: number): void {
    if (rows <= this.filled.length) return;
    const capacity = Math.max(rows, this.filled.length * 2);
    const bytes = Buffer.alloc(capacity * this.stride);
    bytes.set(this.bytes);
    const filled = new Uint8Array(capacity);
    filled.set(this.filled);
    this.bytes = bytes;
    this.filled = filled;
  }
}
