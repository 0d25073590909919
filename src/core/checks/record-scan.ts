/**
 * One streaming pass over a wheel's RECORD, bytes in as the archive reader inflates them: the
 * UTF-8 text is read the way pip, installer and PyPI read it (`csv.reader(text.splitlines())`)
 * and, alongside, the way it was written (a file opened with newline=""), each row is judged on
 * its own (REC02, REC04–REC06, REC08, REC09) and matched to the archive's members. Memory stays
 * bounded by the member count and the finding caps, whatever the RECORD's size: only the first
 * row naming each member is kept, and rows naming no member are counted, not stored.
 */

import type { ArchiveIssue } from "../archive/issues.ts";
import { PATH_DIR, PATH_FILE, PathIndex } from "../archive/path-index.ts";
import { CappedList } from "../arrays.ts";
import type { HashAlg } from "../dist/artifact.ts";
import { parseRecordHash, parseRecordSize, type RecordRow, type RecordScan } from "../dist/record.ts";
import { CsvReader, type CsvRow, LineSplitter } from "../dist/record-csv.ts";
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

/** Fields kept per row: three are a valid row, a fourth says why one is not. */
const KEPT_FIELDS = 8;
/** How much of an untrusted path a message shows. */
const SHOWN = 300;

const shown = (text: string): string => printable(text.length > SHOWN ? `${text.slice(0, SHOWN)}…` : text);

/** Python's int() on a size: digits with optional sign, surrounding space and `_` separators. */
const PY_INT = /^\s*[+-]?\d+(?:_\d+)*\s*$/;

/** What makes a RECORD path point outside site-packages or at no file ([CWC] validate_path). */
const PATH_RULES: readonly [(path: string, segments: readonly string[]) => boolean, string][] = [
  [(p) => /^[/\\]/.test(p), "is absolute"],
  [(p) => /^[A-Za-z]:/.test(p), "starts with a drive letter"],
  [(_, s) => s.includes(".."), 'has a ".." segment'],
  [(_, s) => s.includes("."), 'has a "." segment'],
  [(_, s) => s.includes(""), "has an empty segment"],
];

/** Names of the files RECORD must list, as an index its rows are matched against. */
export function recordMemberIndex(names: Iterable<string>): PathIndex {
  const index = new PathIndex();
  for (const name of names) index.add(name, PATH_FILE);
  return index;
}

/** Whether RECORD must list this member: files, not directories (and not the signature files). */
export function isListable(member: { name: string; kind: string }, distInfo: string): boolean {
  if (member.kind === "dir" || member.name.endsWith("/") || member.name.endsWith("\\")) return false;
  return member.name !== `${distInfo}/RECORD.jws` && member.name !== `${distInfo}/RECORD.p7s`;
}

export interface RecordScannerOptions {
  /** The RECORD member's name (`<name>-<version>.dist-info/RECORD`). */
  path: string;
  /** The members RECORD must list (see `recordMemberIndex`, `isListable`). */
  members: PathIndex;
  /** Bytes past which the RECORD is refused unread (default MAX_RECORD_BYTES). */
  limit?: number;
}

export class RecordScanner {
  private readonly path: string;
  private readonly members: PathIndex;
  private readonly limit: number;
  private readonly decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  private readonly read: CsvReader;
  private readonly written: CsvReader;
  private readonly readLines: LineSplitter;
  private readonly writtenLines: LineSplitter;
  /**
   * Rows of each reading not yet paired with the other's. Both readings have taken the same
   * text after each piece, so rows left unpaired then mark the first difference: from there
   * only the first row of each side is kept until the other side's row arrives.
   */
  private readonly readQueue: CsvRow[] = [];
  private readonly writtenQueue: CsvRow[] = [];
  private comparing = true;
  private differs = false;
  private readonly issues = new CappedList<ArchiveIssue>(MAX_LISTED);
  private readonly rows = new Map<string, RecordRow>();
  private readonly backslashed = new Map<string, RecordRow & { path: string }>();
  /** Member files some row uses as a directory (node ids). */
  private readonly usedAsDir = new Set<number>();
  private readonly algorithms = new Set<HashAlg>(["sha256"]);
  private unusable: string | undefined;
  private bytes = 0;
  private work = 0;

  constructor(options: RecordScannerOptions) {
    this.path = options.path;
    this.members = options.members;
    this.limit = options.limit ?? MAX_RECORD_BYTES;
    this.read = new CsvReader(
      (row) => {
        this.judge(row);
        this.queue(this.readQueue, row);
      },
      { maxFields: KEPT_FIELDS },
    );
    this.written = new CsvReader((row) => this.queue(this.writtenQueue, row), { maxFields: KEPT_FIELDS });
    this.readLines = new LineSplitter({ keepEnds: false, sink: (piece, end) => this.read.text(piece, end) });
    this.writtenLines = new LineSplitter({
      keepEnds: true,
      sink: (piece, end) => this.written.text(piece, end),
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
    let text: string;
    try {
      text = this.decoder.decode(chunk, { stream: true });
    } catch {
      this.unusable = "it is not valid UTF-8";
      return;
    }
    this.feed(text);
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
      this.readLines.finish();
      this.writtenLines.finish();
      this.read.finish();
      this.written.finish();
      if (this.read.error !== undefined) this.unusable = `it is not readable as CSV: ${this.read.error}`;
      else this.pair(true);
      this.reportConflicts();
    }
    const scan: RecordScan = {
      path: this.path,
      issues: this.issues.kept,
      more: this.issues.dropped,
      rows: this.rows,
      backslashed: new Map([...this.backslashed].map(([name, row]) => [name, row.path])),
      algorithms: [...this.algorithms],
      work: this.work + this.issues.work + this.members.work + this.read.slowChars + this.written.slowChars,
    };
    if (this.unusable !== undefined) scan.unusable = this.unusable;
    return scan;
  }

  private feed(text: string): void {
    if (text === "") return;
    this.readLines.push(text);
    // csv.Error: consumers refuse the whole RECORD, so nothing else is worth reading.
    if (this.read.error !== undefined) {
      this.unusable = `it is not readable as CSV: ${this.read.error}`;
      return;
    }
    if (!this.comparing) return;
    this.writtenLines.push(text);
    this.pair(this.written.error !== undefined);
  }

  private queue(into: CsvRow[], row: CsvRow): void {
    if (!this.comparing || (this.differs && into.length > 0)) return;
    into.push(row);
    if (this.differs && this.readQueue.length > 0 && this.writtenQueue.length > 0) this.pair(true);
  }

  /**
   * Pairs the readings' rows in order and reports the first pair that differs (REC02). With
   * `final` (the end of the text, or a difference already known) a row missing on one side
   * counts as an empty one.
   */
  private pair(final: boolean): void {
    if (!this.comparing) return;
    const reads = this.readQueue;
    const writes = this.writtenQueue;
    const pairs = Math.min(reads.length, writes.length);
    this.work += pairs;
    for (let i = 0; i < pairs; i++) {
      if (!sameRow(writes[i], reads[i])) {
        this.reportSplit(writes[i], reads[i]);
        return;
      }
    }
    // One splice per piece, not a shift per row (shift moves the whole queue each time).
    reads.splice(0, pairs);
    writes.splice(0, pairs);
    if (reads.length === 0 && writes.length === 0) return;
    if (final) this.reportSplit(writes[0], reads[0]);
    else this.differs = true;
  }

  private reportSplit(written: CsvRow | undefined, read: CsvRow | undefined): void {
    this.comparing = false;
    this.readQueue.length = 0;
    this.writtenQueue.length = 0;
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
        const parsed = parseRecordHash(hash);
        if (!parsed.ok) this.add("REC06", () => `${where()}: ${parsed.error}`, line, "error");
        else this.algorithms.add(parsed.alg);
      }
    }
    if (path !== "" && !path.endsWith("/")) this.place({ hash, size, line }, path);
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
  private place(row: RecordRow, path: string): void {
    const node = this.members.find(path, (parent) => {
      if ((this.members.flagsOf(parent) & PATH_FILE) !== 0) this.usedAsDir.add(parent);
    });
    if (node !== undefined && (this.members.flagsOf(node) & PATH_FILE) !== 0) {
      this.list(this.rows, path, row, path);
      return;
    }
    if (node !== undefined && (this.members.flagsOf(node) & PATH_DIR) !== 0) {
      this.add(
        "REC09",
        () => `${this.path} uses ${shown(path)} both as a file and as a directory`,
        row.line,
        "error",
      );
    }
    if (path.includes("\\")) {
      const slashed = path.replaceAll("\\", "/");
      const member = this.members.find(slashed);
      if (member !== undefined && (this.members.flagsOf(member) & PATH_FILE) !== 0) {
        this.list(this.backslashed, slashed, { ...row, path }, path);
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

  /** The first row for a member is kept; a later one is a duplicate (REC09). */
  private list<R extends RecordRow>(into: Map<string, R>, key: string, row: R, path: string): void {
    const earlier = into.get(key);
    if (earlier === undefined) {
      into.set(key, row);
      return;
    }
    if ("path" in earlier && earlier.path !== path) return;
    const same = earlier.hash === row.hash && earlier.size === row.size;
    this.add(
      "REC09",
      () =>
        `${this.path} lists ${shown(path)} on lines ${earlier.line} and ${row.line}${same ? "" : " with different hashes or sizes"}`,
      row.line,
      same ? "warning" : "error",
    );
  }

  /** Member files a row passed through: a path cannot be a file and a directory at once. */
  private reportConflicts(): void {
    for (const id of this.usedAsDir) {
      const name = this.members.nameOf(id);
      const row = name === undefined ? undefined : this.rows.get(name);
      if (name === undefined || row === undefined) continue;
      this.add(
        "REC09",
        () => `${this.path} uses ${shown(name)} both as a file and as a directory`,
        row.line,
        "error",
      );
    }
  }
}

function sameRow(a: CsvRow | undefined, b: CsvRow | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.count !== b.count || a.fields.length !== b.fields.length) return false;
  for (let i = 0; i < a.fields.length; i++) if (a.fields[i] !== b.fields[i]) return false;
  return true;
}

/** Scans a RECORD held in memory (tests, and RECORDs read whole), in pieces like the reader's. */
export function scanRecord(bytes: Uint8Array, options: RecordScannerOptions): RecordScan {
  const scanner = new RecordScanner(options);
  const step = 64 * 1024;
  for (let at = 0; at < bytes.length && !scanner.done; at += step)
    scanner.push(bytes.subarray(at, at + step));
  return scanner.end();
}
