/**
 * Markdown long descriptions. PyPI renders them with comrak (GFM) and only refuses one that
 * renders to nothing (readme_renderer markdown.py returns None): whether one can is
 * `couldBeEmpty` here, and whether it does is markdown-empty.ts, which parses with micromark and
 * is loaded only for the rare text that needs it. Links and raw HTML come from
 * markdown-scan.ts, a one-pass scanner held to micromark's answers by
 * test/unit/markdown-scan.test.ts. It stays because bench/readme.mjs shows a user would notice
 * micromark here: ~100x the time warm, hundreds of ms for the first parse of a 20-50 KB README,
 * seconds for 1 MB, and quadratic time on unclosed code spans, comments and link titles.
 */
import { pushAll } from "../arrays.ts";
import { scanMarkdownSyntax } from "./markdown-scan.ts";
import { memoByText } from "./memo.ts";
import { type HtmlProblem, type HtmlUrl, inspectHtml } from "./sanitizer.ts";

export interface MarkdownScan {
  /** Link and image destinations, in Markdown syntax and in raw HTML. */
  urls: HtmlUrl[];
  /** Raw HTML PyPI's sanitizer changes. */
  html: HtmlProblem[];
}

/** Finds the links, images and raw HTML of a Markdown document. */
export const scanMarkdown = memoByText((text: string): MarkdownScan => {
  // CommonMark core, not GFM, for links and HTML: the same answers (tables, task lists and
  // strikethrough hold the same links; GFM's bare-URL autolinks are absolute).
  const urls: HtmlUrl[] = [];
  const html: HtmlProblem[] = [];
  for (const item of scanMarkdownSyntax(text)) {
    if (item.type !== "html") urls.push({ url: item.text, line: item.line, kind: item.type });
    else {
      const found = inspectHtml(item.text, item.line);
      pushAll(html, found.problems);
      pushAll(urls, found.urls);
    }
  }
  return { urls, html };
});

/**
 * Only a document whose first non-blank line can open a link or footnote definition (`[label]:`,
 * the label possibly running over lines) can render nothing; any other first block renders
 * something, a badge line `[![PyPI](...)](...)` included, so most READMEs skip the GFM parse.
 */
const MAYBE_EMPTY = /^(?:[ \t]*(?:\r\n|\r|\n))*(?:[ \t]*$| {0,3}\[(?:[^\\[\]]|\\[\s\S])*\]:)/;

/** Exported for tests: a superset of the documents that render nothing. */
export function couldBeEmpty(text: string): boolean {
  return MAYBE_EMPTY.test(text);
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
