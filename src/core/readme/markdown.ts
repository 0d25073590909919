/**
 * Markdown long descriptions. PyPI renders them with comrak (GFM) and only refuses one that
 * renders to nothing (readme_renderer markdown.py returns None); micromark stands in
 * for comrak here, which is exact enough for "is anything rendered" and for finding links.
 */
import { parse, postprocess, preprocess } from "micromark";
import { gfm } from "micromark-extension-gfm";
import { memoByText } from "./memo.ts";
import { type HtmlProblem, type HtmlUrl, inspectHtml } from "./sanitizer.ts";

/** True when the Markdown renders to no HTML at all (PyPI: "The description failed to render"). */
export function markdownRendersEmpty(text: string): boolean {
  return scanMarkdown(text).empty;
}

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

export interface MarkdownScan {
  /** Link and image destinations, in Markdown syntax and in raw HTML. */
  urls: HtmlUrl[];
  /** Raw HTML PyPI's sanitizer changes. */
  html: HtmlProblem[];
  /** Renders to no HTML (only blank lines and unreferenced definitions). */
  empty: boolean;
}

/** Finds the links, images and raw HTML of a Markdown document, and whether it renders at all. */
export const scanMarkdown = memoByText((text: string): MarkdownScan => {
  // CommonMark core, not GFM, for links and HTML: twice as fast and the same answers (tables,
  // task lists and strikethrough hold the same links; GFM's bare-URL autolinks are absolute).
  const events = parseEvents(text, false);
  const urls: HtmlUrl[] = [];
  const html: HtmlProblem[] = [];
  let images = 0;
  for (const [kind, token, context] of events) {
    if (token.type === "image") images += kind === "enter" ? 1 : -1;
    if (kind !== "enter") continue;
    const line = token.start.line;
    if (token.type === "resourceDestinationString" || token.type === "definitionDestinationString") {
      const url = context.sliceSerialize(token);
      const image = images > 0 && token.type === "resourceDestinationString";
      urls.push({ url, line, kind: image ? "image" : "link" });
    } else if (token.type === "htmlFlow" || token.type === "htmlText") {
      const found = inspectHtml(context.sliceSerialize(token), line);
      html.push(...found.problems);
      urls.push(...found.urls);
    }
  }
  return { urls, html, empty: couldBeEmpty(text) && rendersNothing(parseEvents(text, true)) };
});

function parseEvents(text: string, withGfm: boolean) {
  return postprocess(
    parse(withGfm ? { extensions: [gfm()] } : {})
      .document()
      .write(preprocess()(text, undefined, true)),
  );
}

/**
 * Only a document whose first non-blank line opens a link or footnote definition can render
 * nothing; any other first block (heading, paragraph, HTML, code, list...) renders something.
 */
function couldBeEmpty(text: string): boolean {
  const first = /^(?:[ \t]*(?:\r\n|\r|\n))*([^\r\n]*)/.exec(text)?.[1] ?? "";
  return /^[ \t]*$/.test(first) || /^ {0,3}\[/.test(first);
}

/** GFM events with no rendering token outside link and footnote definitions. */
function rendersNothing(events: ReturnType<typeof parseEvents>): boolean {
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
/** Signs that a text is Markdown rather than reStructuredText, for hints (not a verdict). */
export function markdownEvidence(text: string): string | undefined {
  const signs: [RegExp, string][] = [
    [/^#{1,6} \S/m, "ATX headings (# Title)"],
    [/^(```|~~~)/m, "fenced code blocks (```)"],
    [/(?<!!)\[[^\]\n]+\]\((?:https?:\/\/|\.{0,2}\/|#)[^)\s]*\)/, "Markdown links [text](url)"],
    [/!\[[^\]\n]*\]\([^)\s]+\)/, "Markdown images ![alt](url)"],
    [/^\s*\|.*\|\s*\n\s*\|?\s*:?-{3,}/m, "pipe tables"],
  ];
  const found = signs.filter(([re]) => re.test(text)).map(([, what]) => what);
  return found.length > 0 ? found.join(", ") : undefined;
}
