/**
 * Whether a Markdown long description renders to no HTML at all, as comrak would answer it
 * (PyPI: "The description failed to render"). micromark's GFM parse stands in for comrak here,
 * which is exact enough for "is anything rendered". It is its own module, loaded by `import()`
 * only for a text that `couldBeEmpty` (markdown.ts): most READMEs never need the parser.
 */
import { parse, postprocess, preprocess } from "micromark";
import { gfm } from "micromark-extension-gfm";
import { couldBeEmpty } from "./markdown.ts";
import { memoByText } from "./memo.ts";

// Tokens that produce no HTML by themselves; everything else renders something. Link and
// footnote definitions render nothing unless referenced (a reference is its own token).
const SILENT = new Set([
  "linePrefix",
  "lineSuffix",
  "lineEnding",
  "lineEndingBlank",
  "whitespace",
  "content",
]);
const DEFINITIONS = new Set(["definition", "gfmFootnoteDefinition"]);

function parseGfm(text: string) {
  return postprocess(
    parse({ extensions: [gfm()] })
      .document()
      .write(preprocess()(text, undefined, true)),
  );
}

/** GFM events with no rendering token outside link and footnote definitions. */
function rendersNothing(events: ReturnType<typeof parseGfm>): boolean {
  let definitions = 0;
  for (const [kind, token] of events) {
    if (DEFINITIONS.has(token.type)) definitions += kind === "enter" ? 1 : -1;
    if (kind !== "enter") continue;
    // A footnote call renders the footnote section, even from inside a definition.
    if (token.type === "gfmFootnoteCall") return false;
    if (definitions === 0 && !SILENT.has(token.type)) return false;
  }
  return true;
}

/**
 * True when, after a blank line, a line starts with anything but a space, a tab or `[`: that
 * line opens a top-level block that is no definition (a blank line ends every paragraph,
 * definition title and lazy line, and an unindented line ends a footnote's content), so the text
 * renders something. One linear pass that spares most texts micromark's parse, which is
 * quadratic on some inline input (unclosed code spans, comments, titles: bench/readme.mjs).
 */
export function opensBlockAfterBlank(text: string): boolean {
  let previousBlank = false;
  let start = true;
  let indented = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) {
      previousBlank = start;
      // \r\n is one line ending.
      if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
      start = true;
      indented = false;
    } else if (start) {
      if (c === 32 || c === 9) {
        indented = true;
        continue;
      }
      if (previousBlank && !indented && c !== 91) return true;
      start = false;
    }
  }
  return false;
}

/** True when the Markdown renders to no HTML at all. */
export const markdownRendersEmpty = memoByText(
  (text: string): boolean =>
    couldBeEmpty(text) && !opensBlockAfterBlank(text) && rendersNothing(parseGfm(text)),
);
