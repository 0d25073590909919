/**
 * Markdown that a scan without memos would rescan per attempt (unclosed code spans, comments and
 * titles, nested labels with definitions around), by repeat count: the scanner's linearity test
 * and bench/readme.mjs measure the same inputs.
 */
export const PATHOLOGICAL_MARKDOWN: Readonly<Record<string, (n: number) => string>> = {
  "code spans": (n) => `<b> ${"\\``".repeat(n)}`,
  comments: (n) => `x ${"<!-- x ".repeat(n)}`,
  "script block": (n) => `<script>\n${"x\n".repeat(2 * n)}`,
  titles: (n) => "[a](b (c ".repeat(n),
  "nested labels": (n) => `[a]: /u\n\n<b> ${"[".repeat(n)}${"]".repeat(n)}`,
  destinations: (n) => "[a](b".repeat(n),
  definitions: (n) => "[a]: /u\n".repeat(n),
};
