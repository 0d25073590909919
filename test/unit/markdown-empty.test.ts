/**
 * markdownRendersEmpty decides from one parse which documents render no HTML. Held here to
 * micromark's own HTML output (GFM, raw HTML allowed) over generated documents made of the
 * pieces that render nothing (blank lines, link and footnote definitions) and those that do.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { micromark } from "micromark";
import { gfm, gfmHtml } from "micromark-extension-gfm";
import { couldBeEmpty } from "../../src/core/readme/markdown.ts";
import { markdownRendersEmpty, opensBlockAfterBlank } from "../../src/core/readme/markdown-empty.ts";
import { seededRandom } from "../helpers/random.ts";
import { assertScalesLinearly } from "../helpers/scaling.ts";

const SILENT = [
  "",
  "\n",
  "   \n",
  "\t\n",
  "[a]: http://x\n",
  "[b]: <y> 'title'\n",
  "[^1]: a note\n",
  "  [c]:\n  /url\n",
  "[d\ne]: /u\n",
  "[f\\]g]: /u\n",
  "[h\\\\]: /u\n",
  "   [i]:\t<>\n",
  "[^j]:\n",
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
  "[![PyPI](https://img.shields.io/pypi/v/x.svg)](https://pypi.org/project/x/)\n",
  "[a](b)\n",
  "[a]:\n",
  "[a\\]: b\n",
  "[]: /u\n",
  "\t[a]: /u\n",
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

test("couldBeEmpty sends only a document opening with a definition to the full GFM parse", () => {
  const badges = "[![PyPI](https://img.shields.io/pypi/v/x.svg)](https://pypi.org/project/x/)\n\n# x\n";
  for (const doc of [badges, "# Title\n", "[link](https://x)\n", "[TOC]\n", "  <p>x</p>\n", "\t[a]: /u\n"]) {
    assert.equal(couldBeEmpty(doc), false, JSON.stringify(doc));
  }
  for (const doc of [
    "",
    " \n\t\n",
    "\n\n[a]: /u\n",
    "   [^1]: note",
    "[a\nb]:\n/u",
    "[a\\[b]: /u",
    "\r\n[a]: /u",
  ]) {
    assert.equal(couldBeEmpty(doc), true, JSON.stringify(doc));
  }
});

test("a block opened after a blank line answers without micromark, and agrees with it", () => {
  const html = (doc: string) =>
    micromark(doc, { extensions: [gfm()], htmlExtensions: [gfmHtml()], allowDangerousHtml: true }).trim();
  for (const end of ["\n", "\r\n", "\r"]) {
    for (const tail of ["x", "<!-- c -->", "#", "- ", "> ", "|a|", "\\", "***", "![i](s)"]) {
      const doc = `[a]: /u${end}${end}${tail}${end}`;
      assert.equal(opensBlockAfterBlank(doc), true, JSON.stringify(doc));
      assert.equal(markdownRendersEmpty(doc), html(doc) === "", JSON.stringify(doc));
    }
    // Not decided by the pass: definitions, indented lines (a footnote's content), no blank line.
    for (const doc of [
      `[a]: /u${end}${end}[b]: /v${end}`,
      `[^1]: a${end}${end}    b${end}`,
      `[^1]: a${end}${end}\tb${end}`,
      `[a]:${end}/u${end}'t${end}x'${end}`,
      `[a]: /u${end}x${end}`,
    ]) {
      assert.equal(opensBlockAfterBlank(doc), false, JSON.stringify(doc));
      assert.equal(markdownRendersEmpty(doc), html(doc) === "", JSON.stringify(doc));
    }
  }
});

test("markdownRendersEmpty stays linear where micromark is quadratic", () => {
  // micromark takes ~3 s for n = 4,000 here and 64x the time for 8x the input.
  const cases: Record<string, (n: number) => string> = {
    "code spans": (n) => `[a]: /u\n\n<b> ${"\\``".repeat(n)}`,
    comments: (n) => `[a]: /u\n\nx ${"<!-- x ".repeat(n)}`,
    titles: (n) => `[a]: /u\n\nx ${"[a](b (c ".repeat(n)}`,
  };
  // A fresh string each time: the memo would answer a repeat at once.
  assertScalesLinearly(cases, (doc, attempt) =>
    assert.equal(markdownRendersEmpty(`${doc}${attempt}`), false),
  );
});
