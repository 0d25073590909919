/**
 * Oracle: the one-pass Markdown scanner (markdown-scan.ts) against micromark, which it replaced
 * for finding links and raw HTML. micromark's CommonMark parse is re-created here exactly as the
 * README checks used it: resourceDestinationString/definitionDestinationString tokens (an image
 * when inside an image token) and the text of htmlFlow/htmlText tokens. Both must give the same
 * items, in the same order, with the same lines, on: the committed fixtures, every Markdown
 * README of the peers venv (and of directories named in SLIPWAY_README_CORPUS), seeded
 * mutations of the fixtures, generated documents, and hand-picked edge cases.
 */
import assert from "node:assert/strict";
import { closeSync, existsSync, fstatSync, openSync, readdirSync, readFileSync, readSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { inflateRawSync } from "node:zlib";
import { field, parseMetadataFile } from "../../src/core/metadata/parse.ts";
import { scanMarkdown } from "../../src/core/readme/markdown.ts";
import { type MarkdownItem, scanMarkdownSyntax } from "../../src/core/readme/markdown-scan.ts";
import { type HtmlProblem, type HtmlUrl, inspectHtml } from "../../src/core/readme/sanitizer.ts";
import { PATHOLOGICAL_MARKDOWN } from "../helpers/markdown-pathological.ts";
import { scanMarkdownSyntax as micromarkItems } from "../helpers/micromark-items.ts";
import { assertScalesLinearly } from "../helpers/scaling.ts";

/** scanMarkdown's links and HTML problems as the micromark-based version computed them. */
function micromarkScan(items: readonly MarkdownItem[]): { urls: HtmlUrl[]; html: HtmlProblem[] } {
  const urls: HtmlUrl[] = [];
  const html: HtmlProblem[] = [];
  for (const item of items) {
    if (item.type !== "html") urls.push({ url: item.text, line: item.line, kind: item.type });
    else {
      const found = inspectHtml(item.text, item.line);
      html.push(...found.problems);
      urls.push(...found.urls);
    }
  }
  return { urls, html };
}

/**
 * Documents where the scanner and micromark are known to disagree, with the reason. Each is
 * asserted below so the list cannot go stale.
 */
const ACCEPTED: readonly { doc: string; why: string }[] = [
  {
    // micromark expands a tab into virtual spaces before counting toward the 999-character
    // label limit; the scanner counts the tab once. Only labels of ~1000 characters notice.
    doc: `[a\t${"a".repeat(997)}]: /u`,
    why: "tab width inside a label at the 999-character limit",
  },
];

const FIXTURES = fileURLToPath(new URL("../fixtures/markdown/", import.meta.url));
const fixtures = readdirSync(FIXTURES)
  .filter((f) => f.endsWith(".md"))
  .sort()
  .map((f) => ({ name: f, text: readFileSync(join(FIXTURES, f), "utf8") }));

/** Asserts the scanner finds micromark's items; returns them. */
function agree(name: string, text: string): MarkdownItem[] {
  const expected = micromarkItems(text);
  const actual = scanMarkdownSyntax(text);
  if (JSON.stringify(actual) === JSON.stringify(expected)) return expected;
  let k = 0;
  while (k < expected.length && JSON.stringify(actual[k]) === JSON.stringify(expected[k])) k++;
  assert.deepEqual(
    actual[k],
    expected[k],
    `${name}: item ${k} differs\n${JSON.stringify(text.slice(0, 400))}`,
  );
  assert.deepEqual(actual, expected, name);
  return expected;
}

/** Asserts scanMarkdown's findings match the micromark-based scan's. */
function sameFindings(name: string, text: string, items: readonly MarkdownItem[]): void {
  const { urls, html } = scanMarkdown(text);
  assert.deepEqual({ urls, html }, micromarkScan(items), name);
}

function counts(items: readonly MarkdownItem[]): Record<MarkdownItem["type"], number> {
  const tally = { link: 0, image: 0, html: 0 };
  for (const item of items) tally[item.type]++;
  return tally;
}

test("scanMarkdownSyntax finds micromark's links, images and HTML in the Markdown fixtures", () => {
  assert.ok(fixtures.length >= 10, "the fixtures are present");
  for (const { name, text } of fixtures) sameFindings(name, text, agree(name, text));
  // The corpus must exercise every kind of item, or agreeing proves little.
  const tally = counts(fixtures.flatMap((f) => scanMarkdownSyntax(f.text)));
  assert.ok(tally.link > 50 && tally.image > 20 && tally.html > 30, JSON.stringify(tally));
});

test("scanMarkdownSyntax agrees with micromark on every Markdown README on this machine", (t) => {
  const readmes = machineReadmes();
  if (readmes.length === 0) return t.skip("no installed packages with a Markdown description here");
  // scanMarkdown's URLs and HTML problems too, as the DESC checks read them.
  for (const { name, text } of readmes) sameFindings(name, text, agree(name, text));
  t.diagnostic(`${readmes.length} READMEs`);
});

test("scanMarkdownSyntax agrees with micromark on mutated fixtures and other line endings", () => {
  const random = rng(11);
  for (let i = 0; i < 600; i++) {
    const { name, text } = fixtures[i % fixtures.length] as { name: string; text: string };
    agree(`${name} mutation ${i}`, mutate(text, random));
  }
  for (const { name, text } of fixtures) {
    agree(`${name} CRLF`, text.replaceAll("\n", "\r\n"));
    agree(`${name} CR`, text.replaceAll("\n", "\r"));
    agree(`${name} quoted`, text.replace(/^/gm, "> "));
    agree(`${name} in a list item`, `- ${text.replace(/\n/g, "\n  ")}`);
  }
});

test("scanMarkdownSyntax agrees with micromark on generated documents", () => {
  const random = rng(7);
  const tally = { link: 0, image: 0, html: 0 };
  for (let i = 0; i < 4000; i++) {
    const doc = generate(random);
    agree(`generated ${i}`, doc);
    const c = counts(scanMarkdownSyntax(doc));
    tally.link += c.link;
    tally.image += c.image;
    tally.html += c.html;
  }
  assert.ok(tally.link > 1000 && tally.image > 300 && tally.html > 1000, JSON.stringify(tally));
});

test("scanMarkdownSyntax agrees with micromark on edge cases", () => {
  for (const doc of EDGE_CASES) agree(JSON.stringify(doc.slice(0, 80)), doc);
});

test("scanMarkdownSyntax follows micromark where it departs from the CommonMark prose", () => {
  const html = (doc: string) => scanMarkdownSyntax(doc).map((i) => i.text);
  // Indented code leaves the flow "inside a construct": `2.` may not start a list after it.
  assert.deepEqual(scanMarkdownSyntax("    code\n\n2. <b>"), [{ type: "html", text: "<b>", line: 3 }]);
  // A complete tag alone on a lazy line cuts the paragraph, and the quote stays open.
  assert.deepEqual(html("> a\n<x>\n> b"), ["<x>\nb"]);
  // An unquoted attribute value ends at `/` in a block, so this is no HTML block (nor inline).
  assert.deepEqual(html("<a href=x/y>"), []);
  // `<!-->` closes a comment block at once; a raw block ends at any raw end tag.
  assert.deepEqual(html("<!-->\n<script>\n</PRE>\nx"), ["<!-->", "<script>\n</PRE>"]);
  // Blocks 1-5 keep the line ending before a new container, not before a lazy line.
  assert.deepEqual(html("- <!--\n- b"), ["<!--\n"]);
  assert.deepEqual(html("> <!--\nb"), ["<!--"]);
  // A link inside an image's description counts as an image.
  assert.deepEqual(
    scanMarkdownSyntax("![a [b](c)](d)").map((i) => i.type),
    ["image", "image"],
  );
});

test("scanMarkdownSyntax's accepted differences from micromark are still exactly these", () => {
  for (const { doc, why } of ACCEPTED) {
    assert.notDeepEqual(scanMarkdownSyntax(doc), micromarkItems(doc), `no longer differs: ${why}`);
  }
});

test("scanMarkdownSyntax stays linear on pathological input", () => {
  assertScalesLinearly(PATHOLOGICAL_MARKDOWN, (doc) => scanMarkdownSyntax(doc));
});

// ---- corpora -----------------------------------------------------------------------------

let machine: { name: string; text: string }[] | undefined;

/** Markdown descriptions of the peers venv's packages, plus any directories in SLIPWAY_README_CORPUS. */
function machineReadmes(): { name: string; text: string }[] {
  if (machine) return machine;
  const seen = new Set<string>();
  machine = [];
  const add = (name: string, bytes: Uint8Array | undefined) => {
    if (!bytes) return;
    const md = parseMetadataFile(bytes);
    const type = field(md, "Description-Content-Type")?.split(";")[0]?.trim().toLowerCase();
    const text = md.body ?? field(md, "Description");
    if (type !== "text/markdown" || !text?.trim() || seen.has(text)) return;
    seen.add(text);
    machine?.push({ name, text });
  };
  const peers = fileURLToPath(new URL("../../.cache/peers/", import.meta.url));
  for (const dir of [
    ...subdirs(peers).flatMap((venv) => sitePackages(join(venv, "lib"))),
    // More site-packages or wheel directories for a wider local run, e.g. a Python's own.
    ...(process.env["SLIPWAY_README_CORPUS"] ?? "").split(":").filter((d) => d !== ""),
  ]) {
    for (const info of subdirs(dir).filter((d) => d.endsWith(".dist-info"))) {
      const path = join(info, "METADATA");
      if (existsSync(path)) add(path, readFileSync(path));
    }
  }
  for (const dir of (process.env["SLIPWAY_README_CORPUS"] ?? "").split(":").filter((d) => d !== "")) {
    for (const wheel of listFiles(dir).filter((f) => f.endsWith(".whl"))) add(wheel, wheelMetadata(wheel));
  }
  return machine;
}

function subdirs(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => join(dir, e.name));
}

function sitePackages(lib: string): string[] {
  return subdirs(lib)
    .filter((d) => /python3[\d.]*$/.test(d))
    .map((d) => join(d, "site-packages"));
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** The METADATA member of a wheel, read through its central directory (no ZIP64). */
function wheelMetadata(path: string): Uint8Array | undefined {
  const fd = openSync(path, "r");
  const read = (length: number, position: number) => {
    const buf = Buffer.alloc(length);
    readSync(fd, buf, 0, length, position);
    return buf;
  };
  try {
    const size = fstatSync(fd).size;
    const tail = read(Math.min(size, 65_557), Math.max(0, size - 65_557));
    const end = tail.lastIndexOf(Buffer.from("PK\x05\x06", "latin1"));
    if (end < 0 || tail.readUInt32LE(end + 16) === 0xffffffff) return undefined;
    const cd = read(tail.readUInt32LE(end + 12), tail.readUInt32LE(end + 16));
    for (let p = 0; p + 46 <= cd.length; ) {
      const name = cd.toString("utf8", p + 46, p + 46 + cd.readUInt16LE(p + 28));
      const [method, compressed, local] = [
        cd.readUInt16LE(p + 10),
        cd.readUInt32LE(p + 20),
        cd.readUInt32LE(p + 42),
      ];
      p += 46 + cd.readUInt16LE(p + 28) + cd.readUInt16LE(p + 30) + cd.readUInt16LE(p + 32);
      if (!/^[^/]+\.dist-info\/METADATA$/.test(name)) continue;
      const header = read(30, local);
      const data = read(compressed, local + 30 + header.readUInt16LE(26) + header.readUInt16LE(28));
      return method === 8 ? inflateRawSync(data) : method === 0 ? data : undefined;
    }
    return undefined;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

// ---- generated documents -----------------------------------------------------------------

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(random: () => number, list: readonly T[]): T =>
  list[Math.floor(random() * list.length)] as T;

// Container prefixes (with odd indents and tabs), block openers, and inline pieces.
const PREFIXES = [
  "",
  "",
  "",
  " ",
  "  ",
  "   ",
  "    ",
  "\t",
  "> ",
  ">",
  "> > ",
  "- ",
  "-",
  "* ",
  "+ ",
  "1. ",
  "2) ",
  "10. ",
  "  - ",
  "   > ",
  ">\t",
  "-\t",
  "1.  ",
  "-     ",
  " \t",
];
const OPENERS = [
  "",
  "",
  "",
  "# ",
  "## ",
  "###### ",
  "####### ",
  "```",
  "```js",
  "~~~",
  "````",
  "``` `x",
  "---",
  "***",
  "* * *",
  "___",
  "===",
  "--",
  "<div>",
  "</div>",
  "<div/>",
  "<!--",
  "-->",
  "<?php",
  "?>",
  "<!DOCTYPE html>",
  "<![CDATA[",
  "]]>",
  "<script>",
  "</script>",
  "<pre>",
  "</pre>",
  "<del>",
  '<a href="x">',
  "</a>",
  "<x y=z>",
  "<img src=a/b>",
  "[a]: /url",
  "[a]:\n/url 'title'",
  '[b]: <u v> "t"',
  "[^n]: note",
  "[a\\]]: x",
  "    ",
];
const PIECES = [
  "a",
  "b",
  " ",
  " ",
  " ",
  "\t",
  "[",
  "]",
  "(",
  ")",
  "![",
  "<",
  ">",
  "`",
  "``",
  "\\",
  '"',
  "'",
  "*",
  "_",
  "#",
  "[a]",
  "[b]",
  "[a][]",
  "[x][a]",
  "[a](b)",
  "[a](<b c>)",
  '[a](b "t")',
  "](",
  "](/u)",
  "](x 'y')",
  "![i](s.png)",
  "[![i](s)](h)",
  "<http://x.y/z>",
  "<a@b.c>",
  '<a href="x">',
  "<br/>",
  "<img src=\"p.png\" alt='q'>",
  "<!-- c -->",
  "<!-->",
  "<?x?>",
  "<!X y>",
  "<![CDATA[z]]>",
  "</b>",
  '<b\n c="d">',
  "`[a](b)`",
  "\\[",
  "\\]",
  "\\`",
  "&amp;",
  "(x)",
  "((y))",
  "[a](b(c)d)",
  "[a](</u>)",
  "[]",
  "[ ]",
  "\n",
  "\n",
  "\n",
  "\n  ",
  "\n\t",
  "\n> ",
  "\n- ",
  "\n\n",
  "\n    ",
  "\n```\n",
  "\n<div>\n",
  "\n[a]: /x\n",
  "\n===\n",
  "\n---\n",
  "\r\n",
  "\r",
];
const JOINERS = ["\n", "\n", "\n", "\n", "\n\n", "\r\n", "\r", "\n> ", "\n- ", "\n  ", "\n\t", "\n1. "];

function generate(random: () => number): string {
  let doc = "";
  const lines = 1 + Math.floor(random() * 10);
  for (let i = 0; i < lines; i++) {
    if (i > 0) doc += pick(random, JOINERS);
    for (let d = Math.floor(random() * 3); d > 0; d--) doc += pick(random, PREFIXES);
    if (random() < 0.5) doc += pick(random, OPENERS);
    for (let k = Math.floor(random() * 7); k > 0; k--) doc += pick(random, PIECES);
  }
  return doc;
}

/** A slice of a real README with a few characters inserted or removed, maybe nested. */
function mutate(text: string, random: () => number): string {
  const start = Math.floor(random() * text.length);
  let doc = text.slice(start, start + 200 + Math.floor(random() * 2000));
  for (let e = Math.floor(random() * 8); e > 0; e--) {
    const at = Math.floor(random() * (doc.length + 1));
    const cut = random() < 0.5 ? 0 : 1 + Math.floor(random() * 5);
    doc = doc.slice(0, at) + (cut ? "" : pick(random, [...PIECES, ...OPENERS])) + doc.slice(at + cut);
  }
  if (random() < 0.5) {
    const prefix = pick(random, PREFIXES);
    doc = doc.replace(/^/gm, () => (random() < 0.7 ? prefix : ""));
  }
  return doc;
}

const a = (n: number) => "a".repeat(n);

const EDGE_CASES: readonly string[] = [
  "\uFEFF<b>\n[a](x)",
  "a\0b <x\0y> [a](b\0c)",
  `[${a(999)}]: /u\n[${a(999)}]`,
  `[${a(1000)}]: /u`,
  `[${a(998)}\\]]: /u`,
  `[a](${"(".repeat(32)}x${")".repeat(32)})`,
  `[a](${"(".repeat(33)}x${")".repeat(33)})`,
  `[a]: ${"(".repeat(40)}x${")".repeat(40)}`,
  `<${a(32)}:x> [a](b)`,
  `<${a(33)}:x> <b>`,
  `<a@${a(63)}.c> <i>`,
  `<a@${a(64)}.c> <i>`,
  "<a@b-.c> <i>",
  "<a@b.c-> <x>",
  "####### <b>",
  "#\t<b>",
  "#<b>",
  "# <b> #",
  "# <b> \\#",
  "``` <b>\n```",
  "`` a ` <b> ``",
  "`a``<b>`",
  "\\`<b>`",
  '[a]: /u "t"x\n<b>',
  "[a]: /u\n'a\nb' <i>",
  "[a]:/u <b>",
  "[a]: <b><c>",
  "[x\n\ny]: /u <b>",
  "  [a]: /u\n   [b]: /v\n <x>",
  "[a]: /u\n===\n<b>",
  "[a]: /u\nt\n===\n<b>",
  "<x>\n\t<y\n>",
  "\t> <b>",
  " \t<b>",
  "-\t\t<b>",
  "1.\t<b>\n \t<i>",
  "> \t\t<b>",
  ">\t\t<b>",
  "> <div>\n>\tfoo",
  "- a\n\t<b>\n  <i\n\tx>",
  "* a\n*\n  <b>",
  "-\n\n  <b>",
  "- \n  <b>",
  "1)\tx\n2)\t<b>",
  "1234567890. <b>",
  "123456789. <b>",
  "a\n> 2. <b>",
  "a\n> -\n>   <b>",
  "- a\n<img src=x>\nb",
  "> ```\n    code\n2. <b>",
  "<div\n<b>",
  "<div >\n\n",
  "<Script>\n</PRE>\n<b>",
  "<textarea>\n</textareax>\n</textarea>\n<b>",
  "<a b=c=d>",
  "x <a b=c=d> <a b=/x> <?> y?>",
  "x <a\n\nb>",
  "x <a b='c\nd'>",
  "x <!-- a\n-- b -->",
  "x <!a\nb>",
  "x <![CDATA[ ] ]] ]]>",
  "<!--\nx\n\n",
  "> <!--\n>\n>\n> x\ny",
  "- <!--\n  \n",
  "[![a](b)](c) [![a](b) c](d)",
  "![![a](b)](c)",
  "[a ![b](c) d](e)",
  "[a [b](c)](d)",
  "[]( ) [](\n) [a](<b\nc>)",
  `[a](b 'c' "d")`,
  "[a](\\(b) [c](d\\))",
  '[a](b\\\\) [c](d "e\\"f")',
  "[a]: b\n[a][] [a] [A] [ a ] [x][a] [a][x]",
  "[a]: b\n[a][x](y)",
  "[x][a](y)\n[a]: b",
  "* [a](b)\n  * [c](d)\n\n    [e](f)",
  "> - > [a](b)\n> - > c\n  [d](e)",
  "a\r\rb <c>",
  "a\r\n\r\n<b>\r\nc",
  "a\r<b\rc>",
];
