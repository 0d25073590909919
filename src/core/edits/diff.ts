import { pushAll } from "../arrays.ts";
/**
 * A small unified diff (the `diff -u` / `git diff` hunk format) for showing planned edits. Version
 * and changelog edits touch a few lines of small files, so the common head and tail are cut first
 * and only the middle is compared with a longest-common-subsequence table.
 */

export interface DiffOptions {
  /** Unchanged lines shown around each change; default 3. */
  context?: number;
  /** Header names; default `a/<path>` and `b/<path>`. */
  from?: string;
  to?: string;
}

type Op = { kind: " " | "-" | "+"; text: string; missingEol: boolean };

// Past this many table cells the middle is shown as one removal and one addition: still a
// correct diff, just not a minimal one, and never quadratic in a large rewritten file.
const MAX_CELLS = 4_000_000;

/** Lines with their endings removed; `missingEol` marks a last line without one. */
function splitLines(text: string): { text: string; missingEol: boolean }[] {
  if (text === "") return [];
  const parts = text.split("\n");
  const last = parts.pop()!;
  const lines = parts.map((line) => ({ text: line, missingEol: false }));
  if (last !== "") lines.push({ text: last, missingEol: true });
  return lines;
}

function sameLine(a: { text: string; missingEol: boolean }, b: { text: string; missingEol: boolean }) {
  return a.text === b.text && a.missingEol === b.missingEol;
}

function middleOps(
  a: readonly { text: string; missingEol: boolean }[],
  b: readonly { text: string; missingEol: boolean }[],
): Op[] {
  const n = a.length;
  const m = b.length;
  if (n * m > MAX_CELLS) {
    return [...a.map((l) => ({ kind: "-" as const, ...l })), ...b.map((l) => ({ kind: "+" as const, ...l }))];
  }
  // lcs[i][j]: length of the LCS of a[i..] and b[j..], in one flat array.
  const width = m + 1;
  const lcs = new Uint32Array((n + 1) * width);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * width + j] = sameLine(a[i]!, b[j]!)
        ? lcs[(i + 1) * width + j + 1]! + 1
        : Math.max(lcs[(i + 1) * width + j]!, lcs[i * width + j + 1]!);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && sameLine(a[i]!, b[j]!)) {
      ops.push({ kind: " ", ...a[i++]! });
      j++;
    } else if (j === m || (i < n && lcs[(i + 1) * width + j]! >= lcs[i * width + j + 1]!)) {
      // On a tie the removal goes first, as diff -u prints a change.
      ops.push({ kind: "-", ...a[i++]! });
    } else {
      ops.push({ kind: "+", ...b[j++]! });
    }
  }
  return ops;
}

/**
 * The unified diff turning `before` into `after`, headed `--- a/<path>` / `+++ b/<path>`; the
 * empty string when they are equal. Line endings other than `\n` stay part of the line text, so
 * a CRLF file diffs by its content; a last line without an ending is marked as diff marks it.
 */
export function renderUnifiedDiff(
  path: string,
  before: string,
  after: string,
  options: DiffOptions = {},
): string {
  if (before === after) return "";
  const context = options.context ?? 3;
  const a = splitLines(before);
  const b = splitLines(after);
  let head = 0;
  while (head < a.length && head < b.length && sameLine(a[head]!, b[head]!)) head++;
  let tail = 0;
  while (
    tail < a.length - head &&
    tail < b.length - head &&
    sameLine(a[a.length - 1 - tail]!, b[b.length - 1 - tail]!)
  ) {
    tail++;
  }
  const ops: Op[] = [
    ...a.slice(0, head).map((l) => ({ kind: " " as const, ...l })),
    ...middleOps(a.slice(head, a.length - tail), b.slice(head, b.length - tail)),
    ...a.slice(a.length - tail).map((l) => ({ kind: " " as const, ...l })),
  ];
  const out = [`--- ${options.from ?? `a/${path}`}`, `+++ ${options.to ?? `b/${path}`}`];
  for (const hunk of hunks(ops, context)) pushAll(out, hunk);
  return `${out.join("\n")}\n`;
}

function hunks(ops: readonly Op[], context: number): string[][] {
  const changed = ops.flatMap((op, k) => (op.kind === " " ? [] : [k]));
  const result: string[][] = [];
  let k = 0;
  while (k < changed.length) {
    const start = Math.max(0, changed[k]! - context);
    let end = changed[k]! + 1;
    // Changes closer than twice the context share one hunk.
    while (k < changed.length && changed[k]! - end <= 2 * context) end = changed[k++]! + 1;
    end = Math.min(ops.length, end + context);
    let oldLine = 1;
    let newLine = 1;
    for (const op of ops.slice(0, start)) {
      if (op.kind !== "+") oldLine++;
      if (op.kind !== "-") newLine++;
    }
    const body = ops.slice(start, end);
    const oldCount = body.filter((op) => op.kind !== "+").length;
    const newCount = body.filter((op) => op.kind !== "-").length;
    const range = (line: number, count: number) =>
      count === 1 ? `${line}` : `${count === 0 ? line - 1 : line},${count}`;
    const lines = [`@@ -${range(oldLine, oldCount)} +${range(newLine, newCount)} @@`];
    for (const op of body) {
      lines.push(`${op.kind}${op.text}`);
      if (op.missingEol) lines.push("\\ No newline at end of file");
    }
    result.push(lines);
  }
  return result;
}
