/**
 * Where a member's uncompressed bytes go as they stream past, once: digests (sha256 and every
 * algorithm RECORD names), the ZIP CRC-32, the byte count, the secret scan, the first bytes, and
 * a copy when the checks need the content.
 */
import { Buffer } from "node:buffer";
import { createHash, type Hash } from "node:crypto";
import { crc32 } from "node:zlib";
import type { HashAlg } from "../../core/dist/artifact.ts";
import type { DocMarkup } from "../../core/secrets/doc-blocks.ts";
import { type ContentHit, ContentScanner } from "../../core/secrets/scanner.ts";

/** Node's names for RECORD's hashlib algorithms (hashlib's blake2b/blake2s default to 512/256 bits). */
export const NODE_HASH: Record<HashAlg, string> = {
  sha224: "sha224",
  sha256: "sha256",
  sha384: "sha384",
  sha512: "sha512",
  blake2b: "blake2b512",
  blake2s: "blake2s256",
  sha3_224: "sha3-224",
  sha3_256: "sha3-256",
  sha3_384: "sha3-384",
  sha3_512: "sha3-512",
};

export interface SinkOptions {
  algorithms: readonly HashAlg[];
  /** Keep a copy of the content (the checks read it). */
  keep: boolean;
  /** Scan text content for secrets and obfuscation markers. */
  scan: boolean;
  /** The member is a Markdown or reStructuredText document: its code blocks are tracked. */
  markup?: DocMarkup | undefined;
  /** Compute the CRC-32 (ZIP members). */
  crc: boolean;
  /** Keep this many leading bytes (file-type sniffing for the executable-bit check). */
  head: number;
}

export interface SinkResult {
  size: number;
  crc: number;
  digests: Partial<Record<HashAlg, string>>;
  content?: Uint8Array;
  head?: Uint8Array;
  hits: ContentHit[];
}

export class MemberSink {
  private readonly options: SinkOptions;
  private readonly hashes: [HashAlg, Hash][];
  private readonly scanner: ContentScanner | undefined;
  private readonly kept: Uint8Array[] = [];
  private headBytes: Uint8Array | undefined;
  private crcValue = 0;
  size = 0;

  constructor(options: SinkOptions) {
    this.options = options;
    this.hashes = options.algorithms.map((alg) => [alg, createHash(NODE_HASH[alg])]);
    this.scanner = options.scan ? new ContentScanner({ markup: options.markup }) : undefined;
  }

  /**
   * Takes the member's next bytes. `chunk` may be a view of a buffer the caller reuses, so
   * whatever outlives the call is copied (a view would also carry the whole buffer with it).
   */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    for (const [, hash] of this.hashes) hash.update(chunk);
    if (this.options.crc) this.crcValue = crc32(chunk, this.crcValue);
    this.scanner?.push(chunk);
    if (this.options.keep) this.kept.push(Uint8Array.prototype.slice.call(chunk));
    if (this.size === 0 && this.options.head > 0) {
      this.headBytes = Uint8Array.prototype.slice.call(chunk, 0, this.options.head);
    }
    this.size += chunk.length;
  }

  end(): SinkResult {
    const digests: Partial<Record<HashAlg, string>> = {};
    for (const [alg, hash] of this.hashes) digests[alg] = hash.digest("base64url");
    const result: SinkResult = {
      size: this.size,
      crc: this.crcValue,
      digests,
      hits: this.scanner?.finish() ?? [],
    };
    if (this.options.keep) result.content = this.kept.length === 1 ? this.kept[0]! : Buffer.concat(this.kept);
    if (this.headBytes !== undefined) result.head = this.headBytes;
    return result;
  }
}
