/**
 * Markdown long descriptions. PyPI renders them with comrak (GFM) and only refuses one that
 * renders to nothing (readme_renderer markdown.py returns None); micromark with GFM stands in
 * for comrak here, which is exact enough for "is anything rendered" and for finding links.
 */
import { micromark, parse, postprocess, preprocess } from "micromark";
import { gfm, gfmHtml } from "micromark-extension-gfm";
import { type HtmlProblem, type HtmlUrl, inspectHtml } from "./sanitizer.ts";

/** True when the Markdown renders to no HTML at all (PyPI: "The description failed to render"). */
export function markdownRendersEmpty(text: string): boolean {
  const html = micromark(text, {
    extensions: [gfm()],
    htmlExtensions: [gfmHtml()],
    allowDangerousHtml: true,
  });
  return html.trim() === "";
}

export interface MarkdownScan {
  /** Link and image destinations, in Markdown syntax and in raw HTML. */
  urls: HtmlUrl[];
  /** Raw HTML PyPI's sanitizer changes. */
  html: HtmlProblem[];
}

/** Finds the links, images and raw HTML of a Markdown document. */
export function scanMarkdown(text: string): MarkdownScan {
  const events = postprocess(
    parse({ extensions: [gfm()] })
      .document()
      .write(preprocess()(text, undefined, true)),
  );
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
  return { urls, html };
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
