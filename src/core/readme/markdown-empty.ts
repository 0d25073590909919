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

/** True when the Markdown renders to no HTML at all. */
export const markdownRendersEmpty = memoByText(
  (text: string): boolean => couldBeEmpty(text) && rendersNothing(parseGfm(text)),
);
