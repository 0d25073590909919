/** Core metadata files (METADATA, PKG-INFO, WHEEL) parsed with the email-header rules of packaging.metadata. */
import { Buffer } from "node:buffer";

export interface MetadataHeader {
  /** Field name as written. */
  name: string;
  /** Value as compat32 keeps it (leading whitespace stripped, folded lines kept with their break). */
  value: string;
  /** 1-based line of the header. */
  line: number;
  /** Number of folded continuation lines after the first (0 for a one-line header). */
  continuations?: number;
  /** True when the value is not valid UTF-8; `value` then holds U+FFFD for the bad bytes. */
  invalidUtf8?: boolean;
}

export interface MetadataProblem {
  /**
   * invalid-utf8: a header or the body is not UTF-8. non-header-line: a line that is neither a
   * header nor a continuation ended the headers early. empty-name: a line starting with `:` was
   * dropped. orphan-continuation: an indented line with no header before it was dropped.
   * unix-from: a `From ` envelope line inside the headers was dropped.
   */
  kind: "invalid-utf8" | "non-header-line" | "empty-name" | "orphan-continuation" | "unix-from";
  line: number;
  detail: string;
}

export interface MetadataFile {
  headers: MetadataHeader[];
  /** Lower-case field name → values in order. */
  fields: ReadonlyMap<string, readonly string[]>;
  /** Message body (the Description since 2.1), verbatim; undefined when there is none. */
  body: string | undefined;
  /** 1-based line where the body starts, when there is one. */
  bodyLine?: number;
  problems: MetadataProblem[];
}

// email.feedparser: a header line is `From `, a field name of printable ASCII except `:` (RFC
// 5322 ftext) followed by `:`, or a continuation starting with space or tab.
const HEADER_LINE = /^(From |[\x21-\x39\x3b-\x7e]*:|[\t ])/;
const LINE_END = /\r\n|\r|\n/g;
const TRAILING_EOL = /[\r\n]+$/;

interface RawLine {
  /** The line as latin1 text (one char per byte), with its line ending. */
  text: string;
  start: number;
  end: number;
}

/** Splits on `\r\n`, `\r` and `\n` like feedparser's NLCRE, keeping the endings. */
function splitLines(text: string): RawLine[] {
  const lines: RawLine[] = [];
  let start = 0;
  for (const match of text.matchAll(LINE_END)) {
    const end = match.index + match[0].length;
    lines.push({ text: text.slice(start, end), start, end });
    start = end;
  }
  if (start < text.length) lines.push({ text: text.slice(start), start, end: text.length });
  return lines;
}

const STRICT = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const LOSSY = new TextDecoder("utf-8", { ignoreBOM: true });

function decode(bytes: Uint8Array): { text: string; ok: boolean } {
  try {
    return { text: STRICT.decode(bytes), ok: true };
  } catch {
    return { text: LOSSY.decode(bytes), ok: false };
  }
}

const latin1Bytes = (text: string): Uint8Array => Buffer.from(text, "latin1");

const show = (line: RawLine): string => JSON.stringify(line.text.replace(TRAILING_EOL, "").slice(0, 60));

/**
 * Parses a METADATA, PKG-INFO or WHEEL file exactly as Python's `email.parser.BytesParser` with
 * `policy=compat32` does for packaging.metadata.parse_email: no unfolding, headers end at the first
 * empty line, and each header value and the body are decoded as strict UTF-8 on their own. Never
 * throws: what Python would silently drop or misread is listed in `problems`.
 */
export function parseMetadataFile(bytes: Uint8Array): MetadataFile {
  const lines = splitLines(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1"));
  const problems: MetadataProblem[] = [];

  // Collect the header block: it ends at an empty line (consumed) or at any other line that is
  // not header-shaped (kept as the first body line: MissingHeaderBodySeparatorDefect).
  let headerEnd = lines.length;
  let bodyStart = lines.length;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as RawLine;
    if (HEADER_LINE.test(line.text)) continue;
    headerEnd = i;
    if (/^(\r\n|\r|\n)/.test(line.text)) {
      bodyStart = i + 1;
    } else {
      bodyStart = i;
      problems.push({
        kind: "non-header-line",
        line: i + 1,
        detail: `line ${i + 1} ${show(line)} is not a header, so it and everything after it is read as the body`,
      });
    }
    break;
  }

  const headers: MetadataHeader[] = [];
  let current: { name: string; first: number; parts: string[] } | undefined;
  let pushedBack: RawLine | undefined;
  const flush = () => {
    if (current === undefined) return;
    headers.push(makeHeader(current.name, current.first, current.parts, problems));
    current = undefined;
  };
  for (let i = 0; i < headerEnd; i++) {
    const line = lines[i] as RawLine;
    if (line.text[0] === " " || line.text[0] === "\t") {
      if (current === undefined) {
        problems.push({
          kind: "orphan-continuation",
          line: i + 1,
          detail: `line ${i + 1} ${show(line)} is indented but follows no header, so it is ignored`,
        });
      } else {
        current.parts.push(line.text);
      }
      continue;
    }
    flush();
    if (line.text.startsWith("From ")) {
      // feedparser: a unix-from envelope line is dropped on the first line, pushed back into the
      // body when it is the last header line, and dropped with a defect anywhere else.
      if (i === headerEnd - 1 && i !== 0) {
        pushedBack = line;
      } else {
        problems.push({
          kind: "unix-from",
          line: i + 1,
          detail: `line ${i + 1} ${show(line)} is an mbox "From " line, not a header, so it is ignored`,
        });
      }
      continue;
    }
    const colon = line.text.indexOf(":");
    if (colon === 0) {
      problems.push({
        kind: "empty-name",
        line: i + 1,
        detail: `line ${i + 1} ${show(line)} has no field name before ":", so it is ignored`,
      });
      continue;
    }
    current = { name: line.text.slice(0, colon), first: i + 1, parts: [line.text.slice(colon + 1)] };
  }
  flush();

  const fields = new Map<string, string[]>();
  for (const header of headers) {
    const key = header.name.toLowerCase();
    const values = fields.get(key);
    if (values === undefined) fields.set(key, [header.value]);
    else values.push(header.value);
  }

  const bodyFrom = pushedBack ?? lines[bodyStart];
  const result: MetadataFile = { headers, fields, body: undefined, problems };
  if (bodyFrom !== undefined) {
    const rest = lines[bodyStart]?.start ?? bytes.length;
    const parts = [pushedBack === undefined ? undefined : bytes.subarray(pushedBack.start, pushedBack.end)];
    const bodyBytes = Buffer.concat([...parts.filter((p) => p !== undefined), bytes.subarray(rest)]);
    if (bodyBytes.length > 0) {
      const decoded = decode(bodyBytes);
      const bodyLine = lines.indexOf(bodyFrom) + 1;
      result.body = decoded.text;
      result.bodyLine = bodyLine;
      if (!decoded.ok) {
        problems.push({
          kind: "invalid-utf8",
          line: bodyLine,
          detail: `the body (the Description, from line ${bodyLine}) is not valid UTF-8`,
        });
      }
    }
  }
  problems.sort((a, b) => a.line - b.line);
  return result;
}

/** compat32 `header_source_parse`: strip the value's leading blanks, keep folds, strip the final line ending. */
function makeHeader(
  name: string,
  line: number,
  parts: string[],
  problems: MetadataProblem[],
): MetadataHeader {
  const [first = "", ...rest] = parts;
  const raw = (first.replace(/^[ \t]+/, "") + rest.join("")).replace(TRAILING_EOL, "");
  const decoded = decode(latin1Bytes(raw));
  const header: MetadataHeader = { name, value: decoded.text, line };
  if (rest.length > 0) header.continuations = rest.length;
  if (!decoded.ok) {
    header.invalidUtf8 = true;
    problems.push({
      kind: "invalid-utf8",
      line,
      detail: `the ${name} header on line ${line} is not valid UTF-8`,
    });
  }
  return header;
}

/** First value of a field (case-insensitive name), or undefined. */
export function field(md: MetadataFile, name: string): string | undefined {
  return md.fields.get(name.toLowerCase())?.[0];
}

/** All values of a field (case-insensitive name). */
export function fieldAll(md: MetadataFile, name: string): readonly string[] {
  return md.fields.get(name.toLowerCase()) ?? [];
}

/** The headers of a field (case-insensitive name), in file order, with their lines. */
export function headersOf(md: MetadataFile, name: string): MetadataHeader[] {
  const key = name.toLowerCase();
  return md.headers.filter((h) => h.name.toLowerCase() === key);
}
