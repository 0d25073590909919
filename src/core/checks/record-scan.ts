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
import { PATH_DIR, PathIndex } from "../archive/path-index.ts";
import { CappedList } from "../arrays.ts";
import type { ArchiveMember, HashAlg } from "../dist/artifact.ts";
import { parseRecordHash, parseRecordSize, type RecordScan } from "../dist/record.ts";
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

/**
 * The members a RECORD is matched against, by their position in the artifact's member list:
 * the files it must list (by name) and every member's directories (as a tree of segments, so
 * that finding the files a row passes through costs the row's length, whatever its depth).
 */
export class RecordMembers {
  /** The artifact's members, read (their digests and sizes are what rows are checked against). */
  readonly list: readonly ArchiveMember[];
  private readonly files = new Map<string, number>();
  /** A later member of a name already seen → the first one (duplicate names share a row). */
  readonly aliases: [number, number][] = [];
  private readonly dirs = new PathIndex();
  /** Directory nodes whose path is also a member file → that file's position. */
  private readonly dirFiles = new Map<number, number>();
  /** Lookups made: the unit of work, with the tree's own. */
  private lookups = 0;

  constructor(members: readonly ArchiveMember[], distInfo: string) {
    this.list = members;
    for (const [i, m] of members.entries()) {
      const name = m.name;
      const end = name.endsWith("/") ? name.length - 1 : name.lastIndexOf("/");
      if (end > 0) this.dirs.add(name.slice(0, end), PATH_DIR);
      if (!isListable(m, distInfo)) continue;
      const first = this.files.get(name);
      if (first === undefined) this.files.set(name, i);
      else this.aliases.push([i, first]);
    }
    // Rare: a file that is also some member's directory (`a/b` and `a/b/c` both in the wheel).
    for (const [name, i] of this.files) {
      if (!name.includes("/") && this.dirs.child(0, name) === undefined) continue;
      const node = this.dirs.find(name);
      if (node !== undefined) this.dirFiles.set(node, i);
    }
  }

  get work(): number {
    return this.lookups + this.dirs.work;
  }

  /** The position of the file named exactly `path`. */
  file(path: string): number | undefined {
    this.lookups++;
    return this.files.get(path);
  }

  /** Whether `path` is a directory of some member. */
  isDirectory(path: string): boolean {
    return this.dirs.find(path) !== undefined;
  }

  /** Calls `found` with each member file that is a proper prefix of `path` (used as a directory). */
  filesAbove(path: string, found: (position: number, name: string) => void): void {
    let node = 0;
    let start = 0;
    for (;;) {
      const slash = path.indexOf("/", start);
      if (slash < 0) return;
      const child = this.dirs.child(node, path.slice(start, slash));
      if (child === undefined) {
        // No member lies under this prefix, so no longer prefix is a member: only it may be a file.
        const prefix = path.slice(0, slash);
        const position = this.file(prefix);
        if (position !== undefined) found(position, prefix);
        return;
      }
      const position = this.dirFiles.get(child);
      if (position !== undefined) found(position, path.slice(0, slash));
      node = child;
      start = slash + 1;
    }
  }
}

/** Whether RECORD must list this member: files, not directories (and not the signature files). */
export function isListable(member: { name: string; kind: string }, distInfo: string): boolean {
  if (member.kind === "dir" || member.name.endsWith("/") || member.name.endsWith("\\")) return false;
  return member.name !== `${distInfo}/RECORD.jws` && member.name !== `${distInfo}/RECORD.p7s`;
}

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
      for (const [later, first] of this.members.aliases) this.lines[later] = this.lines[first] ?? 0;
    }
    const scan: RecordScan = {
      path: this.path,
      issues: this.issues.kept,
      more: this.issues.dropped,
      lines: this.lines,
      backslashed: new Map([...this.backslashed].map(([position, row]) => [position, row.path])),
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
    const hash = row.hash === "" ? undefined : parseRecordHash(row.hash);
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
}

const UNREAD = "See the archive findings for why the member could not be read.";

/** FNV-1a of a row's hash and size: equal rows give equal fingerprints (a collision only softens REC09). */
function fingerprint(row: Row): number {
  let h = 0x811c9dc5;
  const text = `${row.hash},${row.size}`;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
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

const ALGORITHM_NAMES =
  /,"?(sha224|sha256|sha384|sha512|blake2b|blake2s|sha3_224|sha3_256|sha3_384|sha3_512)=/g;
/** Longest `,"sha3_512=` match: what one piece must pass on to the next. */
const ALGORITHM_CARRY = 11;

/**
 * The hash algorithms a RECORD names, found in a quick pass before the members are read, so
 * that one pass over them computes every digest the rows need. A name that is not really in a
 * hash field costs one digest more; one missed here is reported as REC07 ("not computed").
 */
export class RecordAlgorithms {
  private readonly latin1 = new TextDecoder("latin1");
  private carry = "";
  readonly found = new Set<HashAlg>(["sha256"]);

  push(chunk: Uint8Array): void {
    const text = this.carry + this.latin1.decode(chunk);
    for (const m of text.matchAll(ALGORITHM_NAMES)) this.found.add(m[1] as HashAlg);
    this.carry = text.slice(-ALGORITHM_CARRY);
  }
}
