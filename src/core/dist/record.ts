/**
 * RECORD files ([REC], [BDF]): a CSV of `path,hash,size` rows. Read the way every consumer reads
 * them — pip, installer and PyPI all feed `text.splitlines()` into Python's default `csv.reader`
 * (warehouse utils/wheel.py, installer records.py) — so the parse here is that, not RFC 4180.
 */
import type { HashAlg } from "./artifact.ts";

/** One CSV row as `csv.reader` yields it. */
export interface CsvRow {
  fields: string[];
  /** 1-based index of the row's first line in `str.splitlines()` of the text. */
  line: number;
}

export interface CsvResult {
  rows: CsvRow[];
  /** The `csv.Error` Python would raise (the reader stops there), if any. */
  error?: string;
}

/** `csv.field_size_limit()` default: a longer field raises csv.Error (and PyPI rejects the RECORD). */
export const CSV_FIELD_LIMIT = 131072;

// str.splitlines() boundaries: \n \r (and \r\n) \v \f \x1c \x1d \x1e \x85 \u2028 \u2029.
const PY_LINE_BREAK = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/;

/** Python's `str.splitlines()` (without keepends). */
export function splitPythonLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split(new RegExp(PY_LINE_BREAK, "g"));
  // A trailing boundary does not start another line.
  if (PY_LINE_BREAK.test(text.at(-1) ?? "")) lines.pop();
  return lines;
}

/**
 * Lines as a file opened with `newline=""` yields them: split after `\n`, `\r` or `\r\n`, with
 * the terminator kept. That is what `csv.writer` output means; comparing it with the
 * splitlines reading finds rows that consumers see differently from how they were written.
 */
export function splitFileLines(text: string): string[] {
  return text.match(/[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$/g) ?? [];
}

type State = "startRecord" | "startField" | "inField" | "inQuoted" | "quoteInQuoted" | "eatCrnl";

const LINE_END = /(?:\r\n|\r|\n)$/;

/**
 * The fields `readCsv` reads from a row that is one whole line with no quote character: the
 * line (less its `\n`, `\r\n` or `\r` terminator) split at every `,`; none for an empty line.
 * Undefined when the line needs the state machine: a quote, a line break before the end, or a
 * field long enough that the field limit may apply (`split` counts UTF-16 units, the limit
 * code points, so a longer one is only a maybe).
 */
function simpleRow(line: string): string[] | undefined {
  if (line.includes('"')) return undefined;
  const body = line.replace(LINE_END, "");
  if (body.includes("\n") || body.includes("\r")) return undefined;
  if (body === "") return [];
  const fields = body.split(",");
  for (const field of fields) if (field.length > CSV_FIELD_LIMIT) return undefined;
  return fields;
}

/**
 * Python's `csv.reader(lines)` with the default dialect (delimiter `,`, quotechar `"`,
 * doublequote, strict=False, no escapechar), as _csv.c's state machine runs it: quotes only
 * open a field at its start, `""` inside quotes is a quote, anything after a closing quote is
 * kept, a quoted field continues across lines, and an unterminated quote ends at end of input.
 */
export function readCsv(lines: readonly string[]): CsvResult {
  const rows: CsvRow[] = [];
  let state: State = "startRecord";
  let fields: string[] = [];
  // Characters of the current field, joined when it is saved: appending to a string one
  // character at a time leaves every field as a long rope of pieces, and a RECORD of 10,000
  // rows then holds tens of MiB until the next full GC.
  let field: string[] = [];
  let rowLine = 0;
  const save = () => {
    fields.push(field.join(""));
    field = [];
  };
  const add = (c: string): string | undefined => {
    if (field.length >= CSV_FIELD_LIMIT) return `field larger than field limit (${CSV_FIELD_LIMIT})`;
    field.push(c);
    return undefined;
  };
  // Returns an error message when csv.Error would be raised.
  const step = (c: string | null): string | undefined => {
    const eol = c === null;
    const newline = c === "\n" || c === "\r";
    switch (state) {
      case "startRecord":
        if (eol) return undefined;
        if (newline) {
          state = "eatCrnl";
          return undefined;
        }
        state = "startField";
        return step(c);
      case "startField":
        if (eol || newline) {
          save();
          state = eol ? "startRecord" : "eatCrnl";
        } else if (c === '"') state = "inQuoted";
        else if (c === ",") save();
        else {
          state = "inField";
          return add(c);
        }
        return undefined;
      case "inField":
        if (eol || newline) {
          save();
          state = eol ? "startRecord" : "eatCrnl";
        } else if (c === ",") {
          save();
          state = "startField";
        } else return add(c);
        return undefined;
      case "inQuoted":
        // End of a line inside quotes: the line break itself is lost (splitlines dropped it).
        if (eol) return undefined;
        if (c === '"') state = "quoteInQuoted";
        else return add(c);
        return undefined;
      case "quoteInQuoted":
        if (c === '"') {
          state = "inQuoted";
          return add(c);
        }
        if (c === ",") {
          save();
          state = "startField";
        } else if (eol || newline) {
          save();
          state = eol ? "startRecord" : "eatCrnl";
        } else {
          // strict=False: a character after the closing quote is kept.
          state = "inField";
          return add(c);
        }
        return undefined;
      case "eatCrnl":
        if (eol) state = "startRecord";
        else if (!newline) return "new-line character seen in unquoted field";
        return undefined;
    }
  };
  let index = 0;
  while (index < lines.length) {
    rowLine = index + 1;
    // Most rows are one line without a quote; for them the state machine only splits at `,`
    // (and a file line's terminator ends the row). Quoted rows, rows that may hit the field
    // limit and anything else unusual take the character-by-character path below.
    const simple = simpleRow(lines[index] ?? "");
    if (simple !== undefined) {
      rows.push({ fields: simple, line: rowLine });
      index++;
      continue;
    }
    do {
      const line = lines[index] ?? "";
      index++;
      for (const c of line) {
        const error = step(c);
        if (error) return { rows, error };
      }
      const error = step(null);
      if (error) return { rows, error };
    } while (state !== "startRecord" && index < lines.length);
    if (state === "startRecord") {
      rows.push({ fields, line: rowLine });
      fields = [];
    }
  }
  // End of input inside a quoted field: strict=False keeps what was read.
  // (`state` is changed inside `step`, which TypeScript's narrowing does not see.)
  if ((state as State) === "inQuoted" || field.length > 0) {
    save();
    rows.push({ fields, line: rowLine });
  }
  return { rows };
}

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

/** Parses RECORD text (already decoded as UTF-8) the way pip, installer and PyPI do. */
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
