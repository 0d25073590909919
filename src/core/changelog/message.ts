/**
 * One commit message read the Conventional Commits 1.0.0 way: the header, the footers and the
 * breaking-change notes. https://www.conventionalcommits.org/en/v1.0.0/#specification
 */

export interface Header {
  /** Lower-cased: the spec makes every unit case-insensitive except `BREAKING CHANGE`. */
  type: string;
  scope: string | undefined;
  /** `!` before the colon. */
  bang: boolean;
  description: string;
}

export interface Footer {
  /** As written (`Signed-off-by`, `BREAKING CHANGE`). */
  token: string;
  /** Trimmed; continuation lines joined with "\n". */
  value: string;
}

// `type(scope)!: description`. The scope may be empty or hold anything but parentheses.
const HEADER = /^([A-Za-z][A-Za-z0-9_-]*)(?:\(([^()\r\n]*)\))?(!)?:[ \t]+(\S.*?)\s*$/;

// A footer opens with a word token (or `BREAKING CHANGE`) and `: ` or ` #` (spec items 8-11).
// A bare `:` glued to text (`http://x`) is not a separator; `Token:` at the end of a line is.
const FOOTER = /^(BREAKING[ -]CHANGES?|[A-Za-z][A-Za-z0-9-]*)(?::(?=[ \t]|$)[ \t]*| #)(.*)$/;

// The spec requires upper case; the plural is accepted because Angular-style messages use it and a
// missed breaking change (a minor release that breaks users' pins) costs more than an extra major.
const BREAKING_TOKEN = /^BREAKING[ -]CHANGES?$/;

/** The conventional header of a subject line; undefined when the line is not one. */
export function parseHeader(line: string): Header | undefined {
  const m = HEADER.exec(line);
  if (m === null) return undefined;
  const scope = m[2]?.trim();
  return {
    type: m[1]!.toLowerCase(),
    scope: scope === undefined || scope === "" ? undefined : scope,
    bang: m[3] === "!",
    description: m[4]!,
  };
}

/** Lines of a message body with CRLF folded and surrounding blank lines dropped. */
export function bodyLines(body: string): string[] {
  const lines = body.replace(/\r\n?/g, "\n").split("\n");
  while (lines.length > 0 && lines[0]!.trim() === "") lines.shift();
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === "") lines.pop();
  return lines;
}

/** Paragraphs (runs of non-blank lines) of a body, in order. */
export function paragraphs(lines: readonly string[]): string[][] {
  const result: string[][] = [];
  let current: string[] = [];
  for (const line of lines) {
    if (line.trim() === "") {
      if (current.length > 0) result.push(current);
      current = [];
    } else current.push(line);
  }
  if (current.length > 0) result.push(current);
  return result;
}

/** A line that opens a footer (`Token: value`, `Token #value`, `BREAKING CHANGE: …`). */
export function isFooterLine(line: string): boolean {
  return FOOTER.test(line);
}

// A paragraph that opens with a footer line is a footer block: each footer line starts a footer,
// every other line continues the value before it (the spec lets values span lines; git trailers
// indent continuations — both read the same here).
function footerBlock(paragraph: readonly string[]): Footer[] {
  const footers: { token: string; lines: string[] }[] = [];
  for (const line of paragraph) {
    const m = FOOTER.exec(line);
    if (m !== null) footers.push({ token: m[1]!, lines: [m[2]!] });
    else footers[footers.length - 1]?.lines.push(line.trim());
  }
  return footers.map((f) => ({ token: f.token, value: f.lines.join("\n").trim() }));
}

/**
 * The footers of a message body: the trailing paragraphs that each open with a footer line (git
 * reads trailers from the end of the message; several trailer paragraphs are read as one block).
 */
export function parseFooters(body: string): Footer[] {
  const paras = paragraphs(bodyLines(body));
  let first = paras.length;
  while (first > 0 && isFooterLine(paras[first - 1]![0]!)) first--;
  return paras.slice(first).flatMap(footerBlock);
}

/**
 * Breaking-change notes: the values of `BREAKING CHANGE:` / `BREAKING-CHANGE:` footers found at the
 * start of any paragraph, not only the trailing footer block — people write the note right after
 * the description and sign off below it, and missing it would under-bump.
 */
export function breakingNotes(body: string): string[] {
  const notes: string[] = [];
  for (const para of paragraphs(bodyLines(body))) {
    if (!isFooterLine(para[0]!)) continue;
    for (const footer of footerBlock(para)) {
      if (BREAKING_TOKEN.test(footer.token) && !notes.includes(footer.value)) notes.push(footer.value);
    }
  }
  return notes;
}
