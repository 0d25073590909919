/**
 * One streaming pass over a wheel's RECORD, bytes in as the archive reader inflates them: the
 * UTF-8 text is read the way pip, installer and PyPI read it (`csv.reader(text.splitlines())`)
 * and, alongside, the way it was written (a file opened with newline=""), each row is judged on
 * its own (REC02, REC04–REC06, REC08, REC09), matched to the archive's members and checked
 * against their digests and sizes (REC07). It runs after the members were read, so no row is
 * kept: memory is a line number and a fingerprint per member plus the finding caps, whatever
 * the RECORD's size (a list of 150,000 rows kept ~22 MB alive for a whole check).
 */

import { type ArchiveIssue, issue } from "../archive/issues.ts";
import { CappedList } from "../arrays.ts";
import type { HashAlg } from "../dist/artifact.ts";
import { parseRecordHash, parseRecordSize, type RecordHash, type RecordScan } from "../dist/record.ts";
import { type CsvRow, TwoReadings } from "../dist/record-csv.ts";
import type { RecordMembers } from "./record-members.ts";
import { printable } from "./wheel-layout.ts";

/**
 * The largest RECORD slipway verifies. A row per member: 500,000 members (the most slipway reads
 * from a central directory) at ~120 bytes a row is ~60 MB, and pip and installer hold RECORD
 * whole in memory several times over (installer 1.1's validate_record peaked at 466 MB on a
 * 77 MB RECORD), so a larger one is not a wheel anyone installs. Past it: REC01, an error.
 */
export const MAX_RECORD_BYTES = 128 * 1024 * 1024;

/** Findings of one check listed one by one, per RECORD; the rest are counted and summarized. */
export const MAX_LISTED = 20;

/** Bytes of RECORD decoded and read at a time, to the end of a line. */
const TEXT_PIECE = 8 * 1024;

/** Where the piece of `chunk` starting at `at` ends: after the last `\n` within TEXT_PIECE bytes, else after the next one. */
function pieceEnd(chunk: Uint8Array, at: number): number {
  const limit = at + TEXT_PIECE;
  if (limit >= chunk.length) return chunk.length;
  const last = chunk.lastIndexOf(0x0a, limit - 1);
  if (last >= at) return last + 1;
  const next = chunk.indexOf(0x0a, limit);
  return next < 0 ? chunk.length : next + 1;
}

/** Fields kept per row: three are a valid row, a fourth says why one is not. */
const KEPT_FIELDS = 8;
/** How much of an untrusted path a message shows. */
const SHOWN = 300;

const shown = (text: string): string => printable(text.length > SHOWN ? `${text.slice(0, SHOWN)}…` : text);

/** Python's int() on a size: digits with optional sign, surrounding space and `_` separators. */
const PY_INT = /^\s*[+-]?\d+(?:_\d+)*\s*$/;

/**
 * Matches every path a PATH_RULES rule (or the backslash warning) could flag: a leading `/`, `\\`
 * or drive letter, any `\\`, an empty segment, a `.` or `..` segment. A path it misses is clean.
 */
const MAYBE_BAD_PATH = /^[/\\]|^[A-Za-z]:|\\|\/\/|\/$|(?:^|\/)\.\.?(?:\/|$)/;

/** What makes a RECORD path point outside site-packages or at no file ([CWC] validate_path). */
const PATH_RULES: readonly [(path: string, segments: readonly string[]) => boolean, string][] = [
  [(p) => /^[/\\]/.test(p), "is absolute"],
  [(p) => /^[A-Za-z]:/.test(p), "starts with a drive letter"],
  [(_, s) => s.includes(".."), 'has a ".." segment'],
  [(_, s) => s.includes("."), 'has a "." segment'],
  [(_, s) => s.includes(""), "has an empty segment"],
];

export interface RecordScannerOptions {
  /** The RECORD member's name (`<name>-<version>.dist-info/RECORD`). */
  path: string;
  /** The artifact's members, which RECORD must list (see `isListable`). */
  members: RecordMembers;
  /** Bytes past which the RECORD is refused unread (default MAX_RECORD_BYTES). */
  limit?: number;
}

export class RecordScanner {
  private readonly path: string;
  private readonly members: RecordMembers;
  private readonly limit: number;
  private readonly decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  private readonly readings: TwoReadings;
  private readonly issues = new CappedList<ArchiveIssue>(MAX_LISTED);
  /** The line of the first row naming each member (0: none), by member position. */
  private readonly lines: Int32Array;
  /** A fingerprint of that row's hash and size: a later row for the member is a duplicate. */
  private readonly fingerprints: Uint32Array;
  /** The first row naming a member with `\\` separators, by member position. */
  private readonly backslashed = new Map<number, { path: string; line: number; fingerprint: number }>();
  /** Member files some row uses as a directory: position → name. */
  private readonly usedAsDir = new Map<number, string>();
  private readonly algorithms = new Set<HashAlg>(["sha256"]);
  private unusable: string | undefined;
  private bytes = 0;
  private work = 0;

  constructor(options: RecordScannerOptions) {
    this.path = options.path;
    this.members = options.members;
    this.lines = new Int32Array(options.members.list.length);
    this.fingerprints = new Uint32Array(options.members.list.length);
    this.limit = options.limit ?? MAX_RECORD_BYTES;
    this.readings = new TwoReadings({
      maxFields: KEPT_FIELDS,
      onRow: (row) => this.judge(row),
      onSplit: (written, read) => this.reportSplit(written, read),
    });
  }

  /** True once the RECORD is known to be unusable: the rest of it need not be read. */
  get done(): boolean {
    return this.unusable !== undefined;
  }

  /** The RECORD's next bytes (a view the caller may reuse after the call). */
  push(chunk: Uint8Array): void {
    if (this.unusable !== undefined) return;
    this.bytes += chunk.length;
    if (this.bytes > this.limit) {
      this.refuse(`more than ${this.limit}`);
      return;
    }
    // Small pieces: the text and the rows both readings hold until they are paired live only
    // as long as one piece takes, not long enough for V8 to move them to its old generation
    // (an inflater's 256 KiB at once promoted ~20 MB of a 12 MB RECORD). Pieces end after a
    // `\n`, so lines stay whole for the readers' fast path; a longer line is one piece.
    for (let at = 0; at < chunk.length && this.unusable === undefined; ) {
      const end = pieceEnd(chunk, at);
      let text: string;
      try {
        text = this.decoder.decode(chunk.subarray(at, end), { stream: true });
      } catch {
        this.unusable = "it is not valid UTF-8";
        return;
      }
      this.feed(text);
      at = end;
    }
  }

  /** Refuses a RECORD declared larger than the limit before any of it is read. */
  expect(size: number): void {
    if (size > this.limit) this.refuse(String(size));
  }

  private refuse(size: string): void {
    this.unusable = `it is ${size} bytes; slipway verifies RECORDs up to ${this.limit} bytes, more than twice what 500,000 files need`;
  }

  /** The end of the RECORD: what the scan found. */
  end(): RecordScan {
    if (this.unusable === undefined) {
      try {
        this.feed(this.decoder.decode());
      } catch {
        this.unusable = "it is not valid UTF-8";
      }
    }
    if (this.unusable === undefined) {
      this.readings.finish();
      const error = this.readings.error;
      if (error !== undefined) this.unusable = `it is not readable as CSV: ${error}`;
      this.reportConflicts();
      for (const [later, first] of this.members.aliases) this.lines[later] = this.lines[first] ?? 0;
    }
    const scan: RecordScan = {
      path: this.path,
      issues: this.issues.kept,
      more: this.issues.dropped,
      lines: this.lines,
      backslashed: new Map([...this.backslashed].map(([position, row]) => [position, row.path])),
      algorithms: [...this.algorithms],
      work: this.work + this.issues.work + this.members.work + this.readings.work,
    };
    if (this.unusable !== undefined) scan.unusable = this.unusable;
    return scan;
  }

  private feed(text: string): void {
    if (text === "") return;
    this.readings.push(text);
    // csv.Error: consumers refuse the whole RECORD, so nothing else is worth reading.
    const error = this.readings.error;
    if (error !== undefined) this.unusable = `it is not readable as CSV: ${error}`;
  }

  private reportSplit(written: CsvRow | undefined, read: CsvRow | undefined): void {
    const line = read?.line ?? written?.line ?? 0;
    const show = (row: CsvRow | undefined) => JSON.stringify((row?.fields ?? []).map((f) => shown(f)));
    this.add(
      "REC02",
      () =>
        `${this.path} line ${line}: the row written as ${show(written)} reads as ${show(read)} after str.splitlines(), as pip, installer and PyPI read it`,
      line,
      "error",
    );
  }

  /** A row's problem; the message is only made when it is listed (most of a flood is counted). */
  private add(id: string, message: () => string, line: number, severity: "error" | "warning"): void {
    this.work++;
    this.issues.add(id, () => ({ id, message: message(), line, severity }), severity === "error");
  }

  /** Every rule on one row as read, then its place among the members. */
  private judge(row: CsvRow): void {
    this.work++;
    const { line } = row;
    if (row.count !== 3) {
      this.fieldCount(row);
      return;
    }
    const [path = "", hash = "", size = ""] = row.fields;
    let parsed: RecordHash | undefined;
    this.checkPath(path, line);
    const where = () => `${this.path} line ${line} (${shown(path)})`;
    if (path === this.path) {
      if (hash !== "" || size !== "") {
        this.add(
          "REC05",
          () => `${where()}: RECORD's own row should have an empty hash and size`,
          line,
          "warning",
        );
      }
    } else {
      if (hash === "" || size === "") {
        const missing = [hash === "" ? "hash" : "", size === "" ? "size" : ""].filter(Boolean).join(" and ");
        this.add("REC05", () => `${where()} has no ${missing}`, line, "error");
      }
      if (size !== "" && !PY_INT.test(size)) {
        this.add("REC05", () => `${where()}: size "${shown(size)}" is not an integer`, line, "error");
      } else if (size !== "" && parseRecordSize(size) === undefined) {
        this.add(
          "REC05",
          () => `${where()}: size "${shown(size)}" is not written as plain digits`,
          line,
          "warning",
        );
      }
      if (hash !== "") {
        parsed = parseRecordHash(hash);
        const error = parsed.ok ? undefined : parsed.error;
        if (error !== undefined) this.add("REC06", () => `${where()}: ${error}`, line, "error");
        else if (parsed.ok) this.algorithms.add(parsed.alg);
      }
    }
    if (path !== "" && !path.endsWith("/")) this.place({ hash, size, line, parsed }, path);
  }

  private fieldCount(row: CsvRow): void {
    if (row.count === 0) {
      this.add(
        "REC02",
        () => `${this.path} line ${row.line} is blank; installers reject empty rows`,
        row.line,
        "error",
      );
      return;
    }
    const hint =
      row.count > 3
        ? "; a path containing a comma must be quoted (pypa/wheel#280)"
        : "; expected path,hash,size";
    const more = row.count > row.fields.length ? `,… ${row.count - row.fields.length} more` : "";
    const fields = () => row.fields.map((f) => JSON.stringify(shown(f))).join(",");
    this.add(
      "REC02",
      () => `${this.path} line ${row.line} has ${row.count} fields (${fields()}${more})${hint}`,
      row.line,
      "error",
    );
  }

  private checkPath(path: string, line: number): void {
    const where = () => `${this.path} line ${line}`;
    if (path === "") {
      this.add("REC08", () => `${where()} has an empty path`, line, "error");
      return;
    }
    if (path.endsWith("/")) {
      this.add(
        "REC09",
        () => `${where()} lists the directory ${shown(path)}; RECORD lists files only`,
        line,
        "warning",
      );
      return;
    }
    // Most paths break no rule: one scan tells, without splitting (this runs once per row).
    if (!MAYBE_BAD_PATH.test(path)) return;
    const segments = path.split(/[/\\]/);
    const problem = PATH_RULES.find(([broken]) => broken(path, segments))?.[1];
    if (problem !== undefined) {
      this.add("REC08", () => `${where()}: path ${shown(path)} ${problem}`, line, "error");
    } else if (path.includes("\\")) {
      this.add("REC08", () => `${where()}: path ${shown(path)} uses "\\" instead of "/"`, line, "warning");
    }
  }

  /**
   * Matches a row to the member it names: exactly, or through `\` separators (a Windows
   * writer's; installer turns them into `/`). A row naming no member is stale (REC04); it is
   * counted, not kept, so a RECORD of a million ghost rows costs no more memory than a small one.
   */
  private place(row: Row, path: string): void {
    this.members.filesAbove(path, (position, name) => this.usedAsDir.set(position, name));
    const position = this.members.file(path);
    if (position !== undefined) {
      if (this.isFirst(position, row, path)) this.verify(position, row);
      return;
    }
    if (this.members.isDirectory(path)) {
      this.add(
        "REC09",
        () => `${this.path} uses ${shown(path)} both as a file and as a directory`,
        row.line,
        "error",
      );
    }
    if (path.includes("\\")) {
      const member = this.members.file(path.replaceAll("\\", "/"));
      if (member !== undefined) {
        const earlier = this.backslashed.get(member);
        if (earlier === undefined)
          this.backslashed.set(member, { path, line: row.line, fingerprint: fingerprint(row) });
        else if (earlier.path === path) this.duplicate(path, earlier, row);
        return;
      }
    }
    this.add(
      "REC04",
      () => `${this.path} line ${row.line} lists ${shown(path)}, which is not in the wheel`,
      row.line,
      "warning",
    );
  }

  /** Notes the first row for a member; a later one is a duplicate (REC09). */
  private isFirst(position: number, row: Row, path: string): boolean {
    const line = this.lines[position] ?? 0;
    if (line === 0) {
      this.lines[position] = row.line;
      this.fingerprints[position] = fingerprint(row);
      return true;
    }
    this.duplicate(path, { line, fingerprint: this.fingerprints[position] ?? 0 }, row);
    return false;
  }

  private duplicate(path: string, earlier: { line: number; fingerprint: number }, row: Row): void {
    const same = earlier.fingerprint === fingerprint(row);
    this.add(
      "REC09",
      () =>
        `${this.path} lists ${shown(path)} on lines ${earlier.line} and ${row.line}${same ? "" : " with different hashes or sizes"}`,
      row.line,
      same ? "warning" : "error",
    );
  }

  /** REC07: the member's size and digest against its row (RECORD's own row has neither). */
  private verify(position: number, row: Row): void {
    const m = this.members.list[position];
    if (m === undefined || m.name === this.path) return;
    const size = parseRecordSize(row.size);
    if (size !== undefined && size !== m.size) {
      this.addAt(
        "REC07",
        m.name,
        () => `${m.name} is ${m.size} bytes but ${this.path} line ${row.line} says ${shown(row.size)}`,
      );
    }
    const hash = row.hash === "" ? undefined : (row.parsed ?? parseRecordHash(row.hash));
    if (hash === undefined || !hash.ok) return;
    const actual = m.digests?.[hash.alg];
    if (actual === undefined) {
      // Never a pass: a member that could not be hashed was not verified.
      const why =
        m.digests === undefined ? "its content could not be read" : `its ${hash.alg} digest was not computed`;
      this.addAt("REC07", m.name, () => `${m.name} was not verified against ${this.path}: ${why}`, UNREAD);
    } else if (actual !== hash.digest) {
      this.addAt(
        "REC07",
        m.name,
        () =>
          `${m.name} has ${hash.alg}=${actual} but ${this.path} line ${row.line} says ${hash.alg}=${hash.digest}`,
      );
    }
  }

  /** A problem located at a member rather than at a RECORD line. */
  private addAt(id: string, member: string, message: () => string, hint?: string): void {
    this.work++;
    this.issues.add(
      id,
      () => issue(id, message(), { member, severity: "error", ...(hint === undefined ? {} : { hint }) }),
      true,
    );
  }

  /** Member files a row passed through: a path cannot be a file and a directory at once. */
  private reportConflicts(): void {
    for (const [position, name] of this.usedAsDir) {
      const line = this.lines[position] ?? 0;
      if (line === 0) continue;
      this.add(
        "REC09",
        () => `${this.path} uses ${shown(name)} both as a file and as a directory`,
        line,
        "error",
      );
    }
  }
}

interface Row {
  hash: string;
  size: string;
  line: number;
  /** The hash field parsed, when the row's own checks already did. */
  parsed?: RecordHash | undefined;
}

const UNREAD = "See the archive findings for why the member could not be read.";

/** FNV-1a of a row's hash and size: equal rows give equal fingerprints (a collision only softens REC09). */
function fingerprint(row: Row): number {
  // Over `hash,size` without making that string (once per row).
  let h = 0x811c9dc5;
  for (let i = 0; i < row.hash.length; i++) h = Math.imul(h ^ row.hash.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ 0x2c, 0x01000193);
  for (let i = 0; i < row.size.length; i++) h = Math.imul(h ^ row.size.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Scans a RECORD held in memory (tests, and RECORDs read whole), in pieces like the reader's. */
export function scanRecord(bytes: Uint8Array, options: RecordScannerOptions): RecordScan {
  const scanner = new RecordScanner(options);
  const step = 64 * 1024;
  for (let at = 0; at < bytes.length && !scanner.done; at += step)
    scanner.push(bytes.subarray(at, at + step));
  return scanner.end();
}
