/**
 * Where a member's uncompressed bytes go as they stream past, once: digests (sha256 and every
 * algorithm RECORD names), the ZIP CRC-32, the byte count, the secret scan, the first bytes, and
 * a copy when the checks need the content.
 */
import { Buffer } from "node:buffer";
import { createHash, type Hash, hash as hashOnce } from "node:crypto";
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
  /**
   * The size the content cannot exceed (the inflaters stop past a member's declared size). When
   * the first piece brings all of it, it is hashed in one call: no Hash object per member.
   */
  whole?: number | undefined;
}

export interface SinkResult {
  size: number;
  crc: number;
  /** One per algorithm, in the order asked, as latin1 strings of the raw bytes (see DigestTable.set). */
  digests: string[];
  content?: Uint8Array;
  head?: Uint8Array;
  hits: ContentHit[];
}

export class MemberSink {
  private readonly options: SinkOptions;
  /** Incremental hashes, made at the first piece that is not the whole content. */
  private hashes: Hash[] | undefined;
  /** Digests of content that came in one piece; `null` once more came after it (never, with a bound). */
  private once: string[] | null | undefined;
  private readonly scanner: ContentScanner | undefined;
  private readonly kept: Uint8Array[] = [];
  private headBytes: Uint8Array | undefined;
  private crcValue = 0;
  size = 0;

  constructor(options: SinkOptions) {
    this.options = options;
    this.scanner = options.scan ? new ContentScanner({ markup: options.markup }) : undefined;
  }

  /**
   * Takes the member's next bytes. `chunk` may be a view of a buffer the caller reuses, so
   * whatever outlives the call is copied (a view would also carry the whole buffer with it).
   */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.hash(chunk);
    if (this.options.crc) this.crcValue = crc32(chunk, this.crcValue);
    this.scanner?.push(chunk);
    if (this.options.keep) this.kept.push(Uint8Array.prototype.slice.call(chunk));
    if (this.size === 0 && this.options.head > 0) {
      this.headBytes = Uint8Array.prototype.slice.call(chunk, 0, this.options.head);
    }
    this.size += chunk.length;
  }

  private hash(chunk: Uint8Array): void {
    const algorithms = this.options.algorithms;
    if (this.size === 0 && chunk.length === this.options.whole) {
      this.once = algorithms.map((alg) => hashOnce(NODE_HASH[alg], chunk, "binary"));
      return;
    }
    // Past a declared size nothing arrives; should it, the digests would be wrong: drop them.
    if (this.once !== undefined) {
      this.once = null;
      return;
    }
    this.hashes ??= algorithms.map((alg) => createHash(NODE_HASH[alg]));
    for (const hash of this.hashes) hash.update(chunk);
  }

  end(): SinkResult {
    const digests =
      this.once === null
        ? []
        : (this.once ??
          (this.hashes ?? this.options.algorithms.map((alg) => createHash(NODE_HASH[alg]))).map((hash) =>
            hash.digest("binary"),
          ));
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
