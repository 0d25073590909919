/**
 * Python's `csv.reader` with the default dialect, fed a piece of text at a time: the way pip,
 * installer and PyPI read RECORD (`csv.reader(text.splitlines())`), without ever holding the
 * whole text, a list of its lines or a line longer than the piece it arrived in.
 */

/** One CSV row as `csv.reader` yields it. */
export interface CsvRow {
  /** The row's fields; only the first `maxFields` when the reader keeps fewer (see `count`). */
  fields: string[];
  /** How many fields the row has (more than `fields.length` when they were not all kept). */
  count: number;
  /** 1-based index of the row's first line. */
  line: number;
}

/** `csv.field_size_limit()` default: a longer field raises csv.Error (and PyPI rejects the RECORD). */
export const CSV_FIELD_LIMIT = 131072;

type State = "startRecord" | "startField" | "inField" | "inQuoted" | "quoteInQuoted" | "eatCrnl";

const LINE_END = /(?:\r\n|\r|\n)$/;

/**
 * The fields of a whole line with no quote character: the line (less its `\n`, `\r\n` or `\r`
 * terminator) split at every `,`; none for an empty line. Undefined when the line needs the
 * state machine: a quote, a line break before the end, or a field long enough that the limit
 * may apply (`split` counts UTF-16 units, the limit code points, so a longer one is a maybe).
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
 * The state machine of _csv.c (delimiter `,`, quotechar `"`, doublequote, strict=False, no
 * escapechar): quotes only open a field at its start, `""` inside quotes is a quote, anything
 * after a closing quote is kept, a quoted field continues across lines, and an unterminated
 * quote ends at end of input. Text comes as pieces of lines; `end` closes the current line.
 */
export class CsvReader {
  private readonly onRow: (row: CsvRow) => void;
  private readonly maxFields: number;
  private state: State = "startRecord";
  private fields: string[] = [];
  private count = 0;
  // Characters of the current field, joined when it is saved: appending to a string one
  // character at a time leaves every field as a long rope of pieces.
  private field: string[] = [];
  private fieldLength = 0;
  private lineNo = 0;
  private rowLine = 0;
  private atLineStart = true;
  /** The csv.Error Python would raise; the reader stops there. */
  error: string | undefined;
  /** Characters that went through the state machine (the slow path), for work accounting. */
  slowChars = 0;

  constructor(onRow: (row: CsvRow) => void, options: { maxFields?: number } = {}) {
    this.onRow = onRow;
    this.maxFields = options.maxFields ?? Number.POSITIVE_INFINITY;
  }

  /** Takes the next piece of the current line; `end` when the line ends with it. */
  text(piece: string, end: boolean): void {
    if (this.error !== undefined) return;
    if (this.atLineStart) {
      this.lineNo++;
      this.atLineStart = false;
      if (this.state === "startRecord") this.rowLine = this.lineNo;
      // Most rows are one line without a quote: for them the machine only splits at `,`.
      if (end && this.state === "startRecord") {
        const simple = simpleRow(piece);
        if (simple !== undefined) {
          this.atLineStart = true;
          const fields = simple.length > this.maxFields ? simple.slice(0, this.maxFields) : simple;
          this.onRow({ fields, count: simple.length, line: this.rowLine });
          return;
        }
      }
    }
    for (const c of piece) {
      this.slowChars++;
      const error = this.step(c);
      if (error !== undefined) {
        this.error = error;
        return;
      }
    }
    if (!end) return;
    this.atLineStart = true;
    const error = this.step(null);
    if (error !== undefined) this.error = error;
    else if (this.state === "startRecord") this.emit();
  }

  /** End of input: a quoted field still open is kept (strict=False), as Python does. */
  finish(): void {
    if (this.error !== undefined) return;
    if (this.state === "inQuoted" || this.fieldLength > 0) {
      this.save();
      this.emit();
    }
  }

  private emit(): void {
    this.onRow({ fields: this.fields, count: this.count, line: this.rowLine });
    this.fields = [];
    this.count = 0;
  }

  private save(): void {
    if (this.count < this.maxFields) this.fields.push(this.field.join(""));
    this.count++;
    this.field = [];
    this.fieldLength = 0;
  }

  private add(c: string): string | undefined {
    if (this.fieldLength >= CSV_FIELD_LIMIT) return `field larger than field limit (${CSV_FIELD_LIMIT})`;
    this.fieldLength++;
    if (this.count < this.maxFields) this.field.push(c);
    return undefined;
  }

  /** One character (null: the end of a line); an error message when csv.Error would be raised. */
  private step(c: string | null): string | undefined {
    const eol = c === null;
    const newline = c === "\n" || c === "\r";
    switch (this.state) {
      case "startRecord":
        if (eol) return undefined;
        if (newline) {
          this.state = "eatCrnl";
          return undefined;
        }
        this.state = "startField";
        return this.step(c);
      case "startField":
        if (eol || newline) {
          this.save();
          this.state = eol ? "startRecord" : "eatCrnl";
        } else if (c === '"') this.state = "inQuoted";
        else if (c === ",") this.save();
        else {
          this.state = "inField";
          return this.add(c);
        }
        return undefined;
      case "inField":
        if (eol || newline) {
          this.save();
          this.state = eol ? "startRecord" : "eatCrnl";
        } else if (c === ",") {
          this.save();
          this.state = "startField";
        } else return this.add(c);
        return undefined;
      case "inQuoted":
        // End of a line inside quotes: the line break itself is lost (splitlines dropped it).
        if (eol) return undefined;
        if (c === '"') this.state = "quoteInQuoted";
        else return this.add(c);
        return undefined;
      case "quoteInQuoted":
        if (c === '"') {
          this.state = "inQuoted";
          return this.add(c);
        }
        if (c === ",") {
          this.save();
          this.state = "startField";
        } else if (eol || newline) {
          this.save();
          this.state = eol ? "startRecord" : "eatCrnl";
        } else {
          // strict=False: a character after the closing quote is kept.
          this.state = "inField";
          return this.add(c);
        }
        return undefined;
      case "eatCrnl":
        if (eol) this.state = "startRecord";
        else if (!newline) return "new-line character seen in unquoted field";
        return undefined;
    }
  }
}

/** Where a line splitter sends its output: a piece of the current line, and whether it ends it. */
export type LineSink = (piece: string, end: boolean) => void;

// str.splitlines() boundaries: \n \r (and \r\n) \v \f \x1c \x1d \x1e \x85 \u2028 \u2029.
const PY_BREAKS = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/g;
// A file opened with newline="" ends lines after \n, \r or \r\n.
const FILE_BREAKS = /\r\n|[\n\r]/g;

/**
 * Splits text arriving in pieces into lines, as `str.splitlines()` does (`keepEnds` false) or as
 * a file opened with `newline=""` yields them (`keepEnds` true: the terminator stays on the
 * line). A `\r` at the end of a piece waits for the next one, which may start with its `\n`.
 */
export class LineSplitter {
  private readonly breaks: RegExp;
  private readonly keepEnds: boolean;
  private readonly sink: LineSink;
  private heldCr = false;
  private open = false;

  constructor(options: { keepEnds: boolean; sink: LineSink }) {
    this.keepEnds = options.keepEnds;
    this.breaks = new RegExp(options.keepEnds ? FILE_BREAKS : PY_BREAKS);
    this.sink = options.sink;
  }

  push(chunk: string): void {
    let text = this.heldCr ? `\r${chunk}` : chunk;
    this.heldCr = false;
    if (text.endsWith("\r")) {
      this.heldCr = true;
      text = text.slice(0, -1);
    }
    this.breaks.lastIndex = 0;
    let start = 0;
    for (let m = this.breaks.exec(text); m !== null; m = this.breaks.exec(text)) {
      const stop = this.keepEnds ? m.index + m[0].length : m.index;
      this.sink(text.slice(start, stop), true);
      start = m.index + m[0].length;
      this.open = false;
    }
    if (start < text.length) {
      this.sink(text.slice(start), false);
      this.open = true;
    }
  }

  finish(): void {
    if (this.heldCr) {
      this.heldCr = false;
      this.sink(this.keepEnds ? "\r" : "", true);
      this.open = false;
    }
    // A last line without a terminator still ends (splitlines("a") is ["a"]).
    if (this.open) this.sink("", true);
    this.open = false;
  }
}

/** Python's `str.splitlines()` (without keepends). */
export function splitPythonLines(text: string): string[] {
  return collectLines(text, false);
}

/**
 * Lines as a file opened with `newline=""` yields them: split after `\n`, `\r` or `\r\n`, with
 * the terminator kept. That is what `csv.writer` output means; comparing it with the
 * splitlines reading finds rows that consumers see differently from how they were written.
 */
export function splitFileLines(text: string): string[] {
  return collectLines(text, true);
}

function collectLines(text: string, keepEnds: boolean): string[] {
  const lines: string[] = [];
  let current = "";
  const splitter = new LineSplitter({
    keepEnds,
    sink: (piece, end) => {
      current += piece;
      if (!end) return;
      lines.push(current);
      current = "";
    },
  });
  splitter.push(text);
  splitter.finish();
  return lines;
}

/** `csv.reader(lines)` over whole lines: its rows and the csv.Error it would raise, if any. */
export function readCsv(lines: readonly string[]): { rows: CsvRow[]; error?: string } {
  const rows: CsvRow[] = [];
  const reader = new CsvReader((row) => rows.push(row));
  for (const line of lines) reader.text(line, true);
  reader.finish();
  return reader.error === undefined ? { rows } : { rows, error: reader.error };
}

/**
 * RECORD read two ways at once, as the REC02 rule compares them: as pip, installer and PyPI read
 * it (`csv.reader(text.splitlines())`, rows to `onRow`) and as it was written (csv over a file
 * opened with newline=""). The first row where they differ goes to `onSplit`; from there only
 * the first reading runs. Both readings have taken the same text after each piece, so rows left
 * unpaired then mark that difference, and only one row per side waits for its counterpart.
 */
export class TwoReadings {
  private readonly read: CsvReader;
  private readonly written: CsvReader;
  private readonly readLines: LineSplitter;
  private readonly writtenLines: LineSplitter;
  private readonly onSplit: (written: CsvRow | undefined, read: CsvRow | undefined) => void;
  private readonly readQueue: CsvRow[] = [];
  private readonly writtenQueue: CsvRow[] = [];
  private comparing = true;
  private differs = false;
  private pairs = 0;

  constructor(options: {
    maxFields: number;
    onRow: (row: CsvRow) => void;
    onSplit: (written: CsvRow | undefined, read: CsvRow | undefined) => void;
  }) {
    const { maxFields, onRow } = options;
    this.onSplit = options.onSplit;
    this.read = new CsvReader(
      (row) => {
        onRow(row);
        this.queue(this.readQueue, row);
      },
      { maxFields },
    );
    this.written = new CsvReader((row) => this.queue(this.writtenQueue, row), { maxFields });
    this.readLines = new LineSplitter({ keepEnds: false, sink: (piece, end) => this.read.text(piece, end) });
    this.writtenLines = new LineSplitter({
      keepEnds: true,
      sink: (piece, end) => this.written.text(piece, end),
    });
  }

  /** The csv.Error the consumers' reading raises; it reads no further. */
  get error(): string | undefined {
    return this.read.error;
  }

  /** Characters and row pairs gone through: linear in the text. */
  get work(): number {
    return this.read.slowChars + this.written.slowChars + this.pairs;
  }

  push(text: string): void {
    this.readLines.push(text);
    if (this.read.error !== undefined || !this.comparing) return;
    this.writtenLines.push(text);
    this.pair(this.written.error !== undefined);
  }

  finish(): void {
    this.readLines.finish();
    this.read.finish();
    if (this.read.error !== undefined) return;
    this.writtenLines.finish();
    this.written.finish();
    this.pair(true);
  }

  private queue(into: CsvRow[], row: CsvRow): void {
    if (!this.comparing || (this.differs && into.length > 0)) return;
    into.push(row);
    if (this.differs && this.readQueue.length > 0 && this.writtenQueue.length > 0) this.pair(true);
  }

  /** Pairs rows in order; with `final` a row missing on one side counts as an empty one. */
  private pair(final: boolean): void {
    if (!this.comparing) return;
    const reads = this.readQueue;
    const writes = this.writtenQueue;
    const pairs = Math.min(reads.length, writes.length);
    this.pairs += pairs;
    for (let i = 0; i < pairs; i++) {
      if (!sameRow(writes[i], reads[i])) {
        this.split(writes[i], reads[i]);
        return;
      }
    }
    // One splice per piece, not a shift per row (shift moves the whole queue each time).
    reads.splice(0, pairs);
    writes.splice(0, pairs);
    if (reads.length === 0 && writes.length === 0) return;
    if (final) this.split(writes[0], reads[0]);
    else this.differs = true;
  }

  private split(written: CsvRow | undefined, read: CsvRow | undefined): void {
    this.comparing = false;
    this.readQueue.length = 0;
    this.writtenQueue.length = 0;
    this.onSplit(written, read);
  }
}

function sameRow(a: CsvRow | undefined, b: CsvRow | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.count !== b.count || a.fields.length !== b.fields.length) return false;
  for (let i = 0; i < a.fields.length; i++) if (a.fields[i] !== b.fields[i]) return false;
  return true;
}
