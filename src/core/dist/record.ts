/**
 * RECORD files ([REC], [BDF]): a CSV of `path,hash,size` rows. Read the way every consumer reads
 * them — pip, installer and PyPI all feed `text.splitlines()` into Python's default `csv.reader`
 * (warehouse utils/wheel.py, installer records.py) — so the parse here is that, not RFC 4180.
 */

import type { ArchiveIssue } from "../archive/issues.ts";
import type { Dropped } from "../arrays.ts";
import type { HashAlg } from "./artifact.ts";
import { type CsvRow, readCsv, splitFileLines, splitPythonLines } from "./record-csv.ts";

export {
  CSV_FIELD_LIMIT,
  CsvReader,
  type CsvRow,
  LineSplitter,
  readCsv,
  splitFileLines,
  splitPythonLines,
} from "./record-csv.ts";

/** A RECORD row with its three fields; `fields` keeps the raw row when it does not have three. */
export interface RecordEntry {
  path: string;
  hash: string;
  size: string;
  line: number;
  fields: string[];
}

export interface RecordFile {
  entries: RecordEntry[];
  /** csv.Error as Python raises it: PyPI then refuses the wheel ("does not contain the required RECORD"). */
  csvError?: string;
  /**
   * First line where reading with `str.splitlines()` (what consumers do) differs from reading
   * the file as written: a path holding `\v`, `\f`, `\x1c`–`\x1e`, `\x85`, U+2028/9 or a
   * quoted line break. Consumers then see other paths than the writer meant.
   */
  splitMismatch?: { line: number; written: string[]; read: string[] };
}

/**
 * Parses RECORD text (already decoded as UTF-8) the way pip, installer and PyPI do, keeping
 * every row: for RECORDs slipway wrote or installed itself. A wheel's RECORD is scanned as it
 * is read instead (checks/record-scan.ts), whatever its size.
 */
export function parseRecord(text: string): RecordFile {
  const read = readCsv(splitPythonLines(text));
  const written = readCsv(splitFileLines(text));
  const entries = read.rows.map((row) => ({
    path: row.fields[0] ?? "",
    hash: row.fields[1] ?? "",
    size: row.fields[2] ?? "",
    line: row.line,
    fields: row.fields,
  }));
  const result: RecordFile = { entries };
  if (read.error !== undefined) result.csvError = read.error;
  const mismatch = firstDifference(written.rows, read.rows);
  if (mismatch !== undefined) result.splitMismatch = mismatch;
  return result;
}

function firstDifference(
  written: readonly CsvRow[],
  read: readonly CsvRow[],
): RecordFile["splitMismatch"] | undefined {
  for (let i = 0; i < Math.max(written.length, read.length); i++) {
    const w = written[i]?.fields ?? [];
    const r = read[i]?.fields ?? [];
    if (w.length !== r.length || w.some((value, k) => value !== r[k])) {
      return { line: read[i]?.line ?? written[i]?.line ?? i + 1, written: w, read: r };
    }
  }
  return undefined;
}

/** Digest sizes in bytes of the algorithms RECORD may use (hashlib.algorithms_guaranteed minus md5/sha1). */
export const DIGEST_BYTES: Readonly<Record<HashAlg, number>> = {
  sha224: 28,
  sha256: 32,
  sha384: 48,
  sha512: 64,
  blake2b: 64,
  blake2s: 32,
  sha3_224: 28,
  sha3_256: 32,
  sha3_384: 48,
  sha3_512: 64,
};

/** Length of the unpadded urlsafe-base64 form of an `n`-byte digest. */
export const b64Length = (bytes: number): number => Math.ceil((bytes * 8) / 6);

export type RecordHash = { ok: true; alg: HashAlg; digest: string } | { ok: false; error: string };

const isHashAlg = (alg: string): alg is HashAlg => Object.hasOwn(DIGEST_BYTES, alg);

/**
 * Validates a RECORD hash field `<alg>=<urlsafe-b64-nopad digest>` ([REC], [BDF]). Names the
 * usual mistakes: hex digests (astral-sh/uv#15400), `=` padding, the standard base64
 * alphabet, md5/sha1 ("weak hash", pypa/wheel), shake (no fixed length), wrong length.
 */
export function parseRecordHash(value: string): RecordHash {
  const at = value.indexOf("=");
  if (at <= 0) return { ok: false, error: `"${value}" is not of the form <algorithm>=<digest>` };
  const alg = value.slice(0, at);
  const digest = value.slice(at + 1);
  if (alg === "md5" || alg === "sha1") {
    return { ok: false, error: `${alg} is too weak for a wheel RECORD (the spec forbids md5 and sha1)` };
  }
  if (alg === "shake_128" || alg === "shake_256") {
    return { ok: false, error: `${alg} has no fixed digest length; installers cannot verify it` };
  }
  if (!isHashAlg(alg)) {
    return {
      ok: false,
      error: `"${alg}" is not a hash algorithm every Python provides (hashlib.algorithms_guaranteed)`,
    };
  }
  const bytes = DIGEST_BYTES[alg];
  const expected = b64Length(bytes);
  if (digest.length === bytes * 2 && /^[0-9a-fA-F]+$/.test(digest)) {
    return { ok: false, error: `the ${alg} digest is hex; RECORD needs urlsafe base64 without padding` };
  }
  if (digest.endsWith("=")) {
    return { ok: false, error: `the ${alg} digest has "=" padding; RECORD digests are written without it` };
  }
  if (/[+/]/.test(digest)) {
    return {
      ok: false,
      error: `the ${alg} digest uses "+" or "/"; RECORD needs the urlsafe alphabet ("-" and "_")`,
    };
  }
  if (!/^[A-Za-z0-9_-]*$/.test(digest)) {
    return { ok: false, error: `the ${alg} digest has characters outside urlsafe base64` };
  }
  if (digest.length !== expected) {
    return { ok: false, error: `the ${alg} digest has ${digest.length} characters, expected ${expected}` };
  }
  return { ok: true, alg, digest };
}

/** RECORD size: a base-10 integer of the uncompressed length (int() would take more; writers never do). */
export function parseRecordSize(value: string): number | undefined {
  return /^[0-9]+$/.test(value) ? Number(value) : undefined;
}

/** What one streaming pass over a wheel's RECORD found (checks/record-scan.ts). */
export interface RecordScan {
  /** The RECORD member. */
  path: string;
  /** Why installers cannot use this RECORD at all (REC01): not UTF-8, csv.Error, too large. */
  unusable?: string;
  /** Problems of single rows (REC02, REC04–REC09), the first few of each check. */
  issues: ArchiveIssue[];
  /** Per check, what `issues` leaves out. */
  more: ReadonlyMap<string, Dropped<ArchiveIssue>>;
  /** The line of the first row naming each member (0: none), by position in `ArtifactModel.members`. */
  lines: Int32Array;
  /** Members RECORD names only with `\\` separators (by position): how it spells them. */
  backslashed: ReadonlyMap<number, string>;
  /** Hash algorithms the rows use (sha256 first). */
  algorithms: HashAlg[];
  /** Rows, characters and path segments the scan went through: linear in the RECORD's size. */
  work: number;
}
