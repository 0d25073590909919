/**
 * DESC01–DESC09 on real description texts, for a distribution's METADATA Description and for a
 * project's readme file, with and without a renderer verdict.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  checkDescription,
  DESC_CHECKS,
  type DescriptionInput,
  needsMarkdownParse,
} from "../../src/core/checks/description.ts";
import type { Finding, Location } from "../../src/core/findings.ts";
import { markdownRendersEmpty } from "../../src/core/readme/markdown-empty.ts";
import { inspectHtml } from "../../src/core/readme/sanitizer.ts";
import type { RenderVerdict } from "../../src/core/readme/verdict.ts";

const DIST: Location = { file: "dist/demo-1.0.tar.gz", member: "demo-1.0/PKG-INFO", field: "Description" };
const README: Location = { file: "README.rst" };
const MD: Location = { file: "README.md" };

function check(input: Partial<DescriptionInput> & { description: string | undefined }): Finding[] {
  return checkDescription({ location: README, contentType: "text/x-rst", ...input });
}
const ids = (findings: Finding[]) => findings.map((f) => `${f.id}:${f.severity}`);

const GOOD_RST = "Demo\n====\n\nA *small* library. See `the docs <https://demo.example.com>`_.\n";
const GOOD_MD = "# Demo\n\nA **small** library. ![logo](https://example.com/logo.png)\n";
const REFERENCE = { readmeRenderer: "46.0", docutils: "0.23" };

const verdict = (over: Partial<RenderVerdict>): RenderVerdict => ({
  renderer: "readme_renderer 46.0, docutils 0.23",
  ok: true,
  empty: false,
  messages: [],
  versions: REFERENCE,
  ...over,
});

test("DESC01 fails on a missing, empty or UNKNOWN description", () => {
  for (const description of [undefined, "", "UNKNOWN", "UNKNOWN\n\n"]) {
    const found = check({ location: DIST, description, contentType: undefined });
    assert.deepEqual(ids(found), ["DESC01:warning"], String(description));
    assert.match(
      found[0]!.message,
      /^dist\/demo-1\.0\.tar\.gz demo-1\.0\/PKG-INFO Description: the long description/,
    );
  }
});

test("DESC01 passes on a real description (whitespace only is DESC04, not DESC01)", () => {
  assert.deepEqual(check({ description: GOOD_RST }), []);
  assert.deepEqual(ids(check({ description: " \n\n" })), ["DESC04:error"]);
});

test("DESC02 fails without a content type, and names the Markdown trap in its hint", () => {
  const found = check({
    location: DIST,
    description: "# Demo\n\n```python\nimport demo\n```\n",
    contentType: undefined,
  });
  assert.deepEqual(ids(found), ["DESC02:warning"]);
  assert.match(found[0]!.hint, /looks like Markdown .*ATX headings.*fenced code.* render .*reStructuredText/);
  assert.match(found[0]!.hint, /readme = "README.md"/);
  const plainRst = check({ location: DIST, description: GOOD_RST, contentType: undefined });
  assert.deepEqual(ids(plainRst), ["DESC02:warning"]);
  assert.doesNotMatch(plainRst[0]!.hint, /Markdown \(/);
});

test("DESC02 passes when the content type is declared (parameters allowed)", () => {
  assert.deepEqual(check({ description: GOOD_RST, contentType: "text/x-rst; charset=UTF-8" }), []);
  assert.deepEqual(
    check({ location: MD, description: GOOD_MD, contentType: "text/markdown; variant=GFM" }),
    [],
  );
});

test("DESC02 + DESC05: Markdown with no content type fails as reStructuredText, hint says why", () => {
  const found = check({
    location: DIST,
    description: "# Demo\n\nUse *args wisely.\n",
    contentType: undefined,
  });
  assert.deepEqual(ids(found), ["DESC02:warning", "DESC05:error"]);
  assert.match(found[1]!.message, /line 3: Inline emphasis start-string without end-string/);
  assert.match(found[1]!.hint, /looks like Markdown.*no content type is declared/);
});

test("DESC03 fails when PyPI's renderer refuses the text", () => {
  const failed = verdict({
    ok: false,
    messages: [{ line: 4, text: 'Unknown interpreted text role "ref".' }],
  });
  const found = check({ description: "Demo\n====\n\n:ref:`x`\n", verdict: failed, firstLine: 10 });
  assert.deepEqual(ids(found), ["DESC03:error"]);
  assert.equal(found[0]!.location.line, 13);
  assert.match(
    found[0]!.message,
    /^README\.rst line 4: Unknown interpreted text role "ref"\. \(rendering failed with readme_renderer 46\.0, docutils 0\.23, so PyPI refuses the upload\)$/,
  );
  assert.match(found[0]!.hint, /Sphinx role/);
});

test("DESC03 passes when PyPI's renderer accepts the text, even if the built-in lint would not", () => {
  assert.deepEqual(check({ description: "Demo\n====\n\nx *y\n", verdict: verdict({ ok: true }) }), []);
});

test("DESC04 fails on a reStructuredText description that renders to nothing (edge case 14)", () => {
  for (const description of ["   \n", ".. just a comment\n", ".. _x: https://example.com\n"]) {
    assert.deepEqual(ids(check({ description })), ["DESC04:error"], description);
  }
  const empty = verdict({
    ok: false,
    empty: true,
    messages: [{ text: "No content rendered from RST source." }],
  });
  assert.deepEqual(ids(check({ description: "  \n", verdict: empty })), ["DESC04:error"]);
});

test("DESC04 passes on content", () => {
  assert.deepEqual(check({ description: "One line of text.\n" }), []);
});

test("DESC05 fails per problem the built-in lint finds, with lines relative to the file", () => {
  const text = "Demo project\n====\n\n.. toctree::\n\n   usage\n\n- one\ncontinued\n";
  const found = check({ location: DIST, description: text, firstLine: 20 });
  assert.deepEqual(ids(found), ["DESC05:error", "DESC05:error", "DESC05:error"]);
  assert.deepEqual(
    found.map((f) => f.location.line),
    [21, 23, 28],
  );
  assert.match(
    found[0]!.message,
    /Description line 2: Title underline too short\. \(WARNING, found by the built-in rst lint\)/,
  );
  assert.match(found[1]!.hint, /Sphinx directive/);
  assert.match(found[2]!.hint, /blank line/);
  const unplaced = check({ location: DIST, description: text });
  assert.equal(unplaced[0]!.location.line, undefined, "no line inside PKG-INFO without firstLine");
  assert.match(unplaced[0]!.message, /Description line 2:/);
  assert.equal(check({ description: text })[0]!.location.line, 2, "a readme file's own line");
});

test("DESC05 warns only (never errors) on a code language Pygments lacks (edge case 13)", () => {
  const found = check({ description: ".. code:: guess\n\n   pip install demo\n" });
  assert.deepEqual(ids(found), ["DESC05:warning"]);
  assert.match(found[0]!.message, /no lexer for "guess"/);
});

test("DESC05 passes on valid reStructuredText", () => {
  assert.deepEqual(check({ description: `${GOOD_RST}\n.. code:: python\n\n   import demo\n` }), []);
});

test("DESC06 fails on Markdown that renders to nothing", () => {
  for (const description of ["  \n\n", "[docs]: https://example.com\n"]) {
    const input = { location: MD, description, contentType: "text/markdown" };
    // Whether such a text renders is the caller's GFM parse, loaded only when a text needs it.
    assert.equal(needsMarkdownParse({ ...input }), true);
    assert.throws(() => check(input), /markdownEmpty is not set/);
    const markdownEmpty = markdownRendersEmpty(description);
    assert.deepEqual(ids(check({ ...input, markdownEmpty })), ["DESC06:error"]);
  }
  // A definition that is used renders; so does any text not opening with a definition.
  const used = "[docs]: https://example.com\n\nSee [docs].\n";
  assert.equal(markdownRendersEmpty(used), false);
  assert.deepEqual(
    check({ location: MD, description: used, contentType: "text/markdown", markdownEmpty: false }),
    [],
  );
  assert.equal(
    needsMarkdownParse({ location: MD, description: GOOD_MD, contentType: "text/markdown" }),
    false,
  );
});

test("DESC06 passes on Markdown with content (Markdown never fails otherwise)", () => {
  assert.deepEqual(
    check({ location: MD, description: "# Demo\n\nUse *args wisely.\n", contentType: "text/markdown" }),
    [],
  );
});

test("DESC07 warns when text/plain holds Markdown or reStructuredText markup", () => {
  const md = check({ location: DIST, description: GOOD_MD, contentType: "text/plain" });
  assert.deepEqual(ids(md), ["DESC07:warning"]);
  assert.match(md[0]!.message, /looks like Markdown/);
  assert.deepEqual(ids(check({ description: GOOD_RST, contentType: "text/plain" })), ["DESC07:warning"]);
});

test("DESC07 passes on plain prose (text/plain never fails)", () => {
  assert.deepEqual(
    check({ description: "A small library.\nIt does things.\n", contentType: "text/plain" }),
    [],
  );
});

test("DESC08 warns on raw HTML PyPI strips, relative links and images, and disallowed schemes", () => {
  const text = [
    "# Demo",
    "",
    '<p align="center" style="color: red"><img src="docs/logo.png" width="100"></p>',
    "",
    "<script>alert(1)</script>",
    "",
    '<video src="https://example.com/demo.mp4"></video>',
    "",
    "See [usage](docs/usage.md), [top](#demo) and [ftp](ftp://example.com/file).",
  ].join("\n");
  const found = check({ location: MD, description: text, contentType: "text/markdown" });
  const lines = found.map((f) => `${f.location.line} ${f.message.replace(/^README\.md line \d+: /, "")}`);
  assert.deepEqual(lines, [
    "3 <p> loses style= (PyPI's HTML sanitizer drops this attribute)",
    "5 <script> is shown as literal text on PyPI (GFM tagfilter) and never runs",
    "7 <video> is removed by PyPI's HTML sanitizer",
    '3 relative image "docs/logo.png" does not resolve on PyPI (it points into pypi.org, not your repository)',
    '9 relative link "docs/usage.md" does not resolve on PyPI (it points into pypi.org, not your repository)',
    '9 link "ftp://example.com/file" uses a URL scheme PyPI\'s sanitizer removes (only http, https and mailto are kept)',
  ]);
  assert.ok(found.every((f) => f.id === "DESC08" && f.severity === "warning"));
  // An image's hint points at the raw file; a link's at the page, and says nothing of images.
  assert.match(
    found[3]!.hint,
    /image file, e\.g\. https:\/\/raw\.githubusercontent\.com\/OWNER\/REPO\/HEAD\/docs\/logo\.png/,
  );
  assert.match(found[4]!.hint, /https:\/\/github\.com\/OWNER\/REPO\/blob\/HEAD\/docs\/usage\.md/);
  for (const link of [found[4]!, found[5]!]) assert.doesNotMatch(`${link.message} ${link.hint}`, /image/i);
  const rst = check({ description: ".. image:: docs/logo.png\n\nSee `guide <docs/guide.rst>`_.\n" });
  assert.deepEqual(ids(rst), ["DESC08:warning", "DESC08:warning"]);
});

test("DESC08 reports each kind of HTML loss once, at its first line, with a count", () => {
  const rows = Array.from({ length: 5 }, (_, i) => `<tr><td valign="top">${i}</td></tr>`).join("\n");
  const found = check({
    location: MD,
    description: `# T\n\n<table>\n${rows}\n</table>\n`,
    contentType: "text/markdown",
  });
  assert.deepEqual(
    found.map((f) => `${f.location.line} ${f.message.replace(/^README\.md line \d+: /, "")}`),
    ["4 <td> loses valign= (PyPI's HTML sanitizer drops this attribute) (and 4 more times)"],
  );
});

test("DESC08 passes on absolute links and HTML PyPI keeps", () => {
  const text =
    '<p align="center"><a href="https://example.com"><img src="https://example.com/l.png" alt="logo"></a></p>\n\n[home](https://example.com) <mail@example.com>\n';
  assert.deepEqual(check({ location: MD, description: text, contentType: "text/markdown" }), []);
});

test("DESC09 warns when a non-PyPI docutils disagrees with the model of PyPI's renderer", () => {
  // docutils 0.19 refuses duplicate embedded targets that 0.23 accepts (seen on peewee's README).
  const text = "`x <https://a.example>`_ and `x <https://b.example>`_\n";
  const old = verdict({
    renderer: "docutils 0.19",
    ok: false,
    messages: [{ line: 1, text: 'Duplicate explicit target name: "x".' }],
    versions: { docutils: "0.19" },
  });
  const found = check({ description: text, verdict: old });
  assert.deepEqual(ids(found), ["DESC03:warning", "DESC09:warning"]);
  assert.match(
    found[1]!.message,
    /rendered with docutils 0\.19, not PyPI's readme_renderer 46\.0 with docutils 0\.23: it refuses it, while slipway's model of PyPI's renderer renders it/,
  );
  const passedLocally = check({
    description: "See :ref:`x`.\n",
    verdict: verdict({ renderer: "docutils 0.19", versions: { docutils: "0.19" } }),
  });
  assert.deepEqual(ids(passedLocally), ["DESC05:warning", "DESC09:warning"]);
});

test("DESC09 warns when the built-in lint passed constructs it does not fully verify", () => {
  const found = check({ description: ".. meta::\n   :keywords: demo\n\nDemo.\n" });
  assert.deepEqual(ids(found), ["DESC09:warning"]);
  assert.match(found[0]!.message, /built-in rst lint, which does not fully verify meta directive/);
});

test("DESC09 passes when the verdict came from PyPI's versions or agrees with the model", () => {
  assert.deepEqual(check({ description: GOOD_RST, verdict: verdict({}) }), []);
  const agreeing = verdict({ renderer: "docutils 0.19", versions: { docutils: "0.19" } });
  assert.deepEqual(check({ description: GOOD_RST, verdict: agreeing }), []);
  const failingToo = verdict({
    ...agreeing,
    ok: false,
    messages: [{ line: 1, text: 'Unknown target name: "x".' }],
  });
  assert.deepEqual(ids(check({ description: "x_\n", verdict: failingToo })), ["DESC03:error"]);
});

test("unknown content types are left to MD09; project and dist locations get fitting hints", () => {
  assert.deepEqual(check({ description: "<b>x</b>", contentType: "text/html" }), []);
  const project = check({
    location: { file: "pyproject.toml", field: "project.readme.text" },
    description: "x",
    contentType: undefined,
  });
  assert.match(project[0]!.hint, /README\.md or README\.rst/);
  const dist = check({ location: DIST, description: "x", contentType: undefined });
  assert.match(dist[0]!.hint, /long_description_content_type/);
});

test("DESC catalogue: nine checks with complete text", () => {
  assert.deepEqual(
    DESC_CHECKS.map((c) => c.id),
    ["DESC01", "DESC02", "DESC03", "DESC04", "DESC05", "DESC06", "DESC07", "DESC08", "DESC09"],
  );
  for (const c of DESC_CHECKS)
    for (const key of ["title", "why", "fix", "source"] as const)
      assert.ok(c[key].length > 10, `${c.id}.${key}`);
});

test("inspectHtml numbers each tag by its own line in a many-line block", () => {
  const html = [
    '<div align="center">',
    "",
    '  <a href="a"><img src="b" onclick="x"></a> <a href="c">',
    "</div>",
  ].join("\n");
  const found = inspectHtml(html, 10);
  assert.deepEqual(
    found.urls.map((u) => `${u.line} ${u.url}`),
    ["12 a", "12 b", "12 c"],
  );
  assert.deepEqual(
    found.problems.map((p) => `${p.line} ${p.message}`),
    ["12 <img> loses onclick= (PyPI's HTML sanitizer drops this attribute)"],
  );
  assert.deepEqual(
    inspectHtml("\n\n<blink>\n<b>\n<video>", 1).problems.map((p) => p.line),
    [3, 5],
  );
});
