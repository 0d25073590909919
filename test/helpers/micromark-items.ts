/**
 * The oracle of the Markdown scanner (src/core/readme/markdown-scan.ts): the items micromark's
 * CommonMark parse yields, read through its events as the README checks read them before the
 * scanner. Self-contained (no import from src/), because bench/readme.mjs also copies this file
 * in place of the scanner to measure a bundle built on micromark.
 */
import { parse, postprocess, preprocess } from "micromark";

export interface MarkdownItem {
  type: "link" | "image" | "html";
  text: string;
  line: number;
}

export function scanMarkdownSyntax(text: string): MarkdownItem[] {
  const events = postprocess(
    parse()
      .document()
      .write(preprocess()(text, undefined, true)),
  );
  const items: MarkdownItem[] = [];
  let images = 0;
  for (const [kind, token, context] of events) {
    if (token.type === "image") images += kind === "enter" ? 1 : -1;
    if (kind !== "enter") continue;
    const line = token.start.line;
    if (token.type === "resourceDestinationString" || token.type === "definitionDestinationString") {
      const image = images > 0 && token.type === "resourceDestinationString";
      items.push({ type: image ? "image" : "link", text: context.sliceSerialize(token), line });
    } else if (token.type === "htmlFlow" || token.type === "htmlText") {
      items.push({ type: "html", text: context.sliceSerialize(token), line });
    }
  }
  return items;
}
