/**
 * markdownRendersEmpty decides from one parse which documents render no HTML. Held here to
 * micromark's own HTML output (GFM, raw HTML allowed) over generated documents made of the
 * pieces that render nothing (blank lines, link and footnote definitions) and those that do.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { micromark } from "micromark";
import { gfm, gfmHtml } from "micromark-extension-gfm";
import { markdownRendersEmpty } from "../../src/core/readme/markdown.ts";
import { seededRandom } from "../helpers/random.ts";

const SILENT = [
  "",
  "\n",
  "   \n",
  "\t\n",
  "[a]: http://x\n",
  "[b]: <y> 'title'\n",
  "[^1]: a note\n",
  "  [c]:\n  /url\n",
];
const LOUD = [
  "# \n",
  "#",
  "<!-- c -->\n",
  "```\n```\n",
  "- \n",
  "> \n",
  "text\n",
  "***\n",
  "| a |\n|---|\n",
  "&nbsp;\n",
  "<br>\n",
  "\\\n",
  "[a]\n",
  "see[^1]\n",
  "    code\n",
  "~~~\n",
  "- [ ] \n",
  "<div></div>\n",
  "1.\n",
  "==\n",
];

const rng = seededRandom;

test("markdownRendersEmpty agrees with micromark's HTML on generated documents", () => {
  const random = rng(7);
  const pick = (list: string[]) => list[Math.floor(random() * list.length)] as string;
  let empties = 0;
  for (let i = 0; i < 3000; i++) {
    const parts = Array.from({ length: 1 + Math.floor(random() * 4) }, () =>
      random() < 0.7 ? pick(SILENT) : pick(LOUD),
    );
    const doc = parts.join(random() < 0.5 ? "\n" : "");
    const html = micromark(doc, {
      extensions: [gfm()],
      htmlExtensions: [gfmHtml()],
      allowDangerousHtml: true,
    });
    const expected = html.trim() === "";
    if (expected) empties++;
    assert.equal(markdownRendersEmpty(doc), expected, JSON.stringify(doc));
  }
  assert.ok(empties > 300 && empties < 2700, `both outcomes are exercised (${empties} empty)`);
});
