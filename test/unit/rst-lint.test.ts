/**
 * The built-in reStructuredText lint on small documents: each DESC05 failure class is found
 * with docutils' wording and the right line, and valid markup stays clean. Agreement with
 * readme_renderer itself is measured in readme-oracle.test.ts.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { analyzeRst, lintRst } from "../../src/core/readme/rst-lint.ts";
import { columnWidth, toLines } from "../../src/core/readme/rst-text.ts";

/** The first problem as "line: message" (first line of the message only). */
function first(text: string): string | undefined {
  const issue = lintRst(text)[0];
  return issue && `${issue.line}: ${issue.message.split("\n")[0]}`;
}

const CASES: [string, string, string][] = [
  ["title underline too short", "My Project\n=========\n\nText.\n", "2: Title underline too short."],
  ["title overline too short", "=====\nMy Project\n=====\n\nx\n", "1: Title overline too short."],
  ["overline/underline mismatch", "=====\nTitle\n-----\n\nx\n", "1: Title overline & underline mismatch."],
  ["wide characters count twice", "日本語のタイトル\n========\n\nx\n", "2: Title underline too short."],
  [
    "inconsistent title levels",
    "A\n=\n\nB\n-\n\nC\n~\n\nD\n=\n\nE\n~\n",
    "13: Inconsistent title style: skip from level 1 to 3.",
  ],
  ["title inside a list", "* item\n  ----\n", "2: Unexpected section title."],
  ["transition at the end", "Text\n\n----\n", "3: Transition at the end of the document."],
  ["Sphinx role", "See :ref:`install`.\n", '1: Unknown interpreted text role "ref".'],
  ["namespaced role", "Use :py:func:`foo`.\n", '1: Unknown interpreted text role "py:func".'],
  ["unimplemented role", "Use :index:`x`.\n", '1: Interpreted text role "index" not implemented.'],
  [
    "bad PEP number",
    "Read :pep:`eight`.\n",
    '1: PEP number must be a number from 0 to 9999; "eight" is invalid.',
  ],
  ["Sphinx directive", "Intro\n\n.. toctree::\n\n   usage\n", '3: Unknown directive type "toctree".'],
  ["raw is disabled", ".. raw:: html\n\n   <b>x</b>\n", '1: "raw" directive disabled.'],
  ["include is disabled", ".. include:: CHANGES.rst\n", '1: "include" directive disabled.'],
  [
    "raw role is disabled",
    ".. role:: html(raw)\n   :format: html\n\n:html:`<br>`\n",
    "4: raw (and derived) roles disabled",
  ],
  [
    "Sphinx-only option",
    ".. code-block:: python\n   :linenos:\n\n   x = 1\n",
    '1: Error in "code-block" directive:',
  ],
  [
    "admonition without content",
    ".. note::\n",
    '1: Content block expected for the "note" directive; none found.',
  ],
  [
    "bad image alignment",
    ".. image:: a.png\n   :align: middle\n",
    '1: Error in "image" directive: "middle" is not a valid value for the "align" option.  Valid values for "align" are: "left", "center", "right".',
  ],
  ["unexpected indentation", "Para one\nline two\n   indented three\n", "3: Unexpected indentation."],
  [
    "bullet list without blank line",
    "- one\n- two\nafter\n",
    "3: Bullet list ends without a blank line; unexpected unindent.",
  ],
  [
    "block quote without blank line",
    "Para:\n\n    quoted\nafter\n",
    "4: Block quote ends without a blank line; unexpected unindent.",
  ],
  [
    "explicit markup without blank line",
    ".. image:: logo.png\nText\n",
    "2: Explicit markup ends without a blank line; unexpected unindent.",
  ],
  [
    "definition list without blank line",
    "term\n  definition\nnext\n",
    "3: Definition list ends without a blank line; unexpected unindent.",
  ],
  ["literal block missing", "Example::\n\nnot indented\n", "3: Literal block expected; none found."],
  ["unclosed emphasis", "This is *important.\n", "1: Inline emphasis start-string without end-string."],
  ["unclosed literal", "Run ``pip install\n", "1: Inline literal start-string without end-string."],
  [
    "unclosed interpreted text",
    "A `phrase without end.\n",
    "1: Inline interpreted text or phrase reference start-string without end-string.",
  ],
  ["glob star", "Match *.py files.\n", "1: Inline emphasis start-string without end-string."],
  [
    "duplicate explicit target",
    ".. _a: https://a\n.. _a: https://b\n\na_\n",
    '2: Duplicate explicit target name: "a".',
  ],
  ["unknown target", "See docs_ for more.\n", '1: Unknown target name: "docs".'],
  [
    "ambiguous section reference",
    "Usage\n-----\n\nUsage\n-----\n\nsee Usage_\n",
    '7: Duplicate target name, cannot be used as a unique reference: "usage".',
  ],
  [
    "anonymous mismatch",
    "`a`__ and `b`__\n\n__ https://a\n",
    "1: Anonymous hyperlink mismatch: 2 references but 1 targets.",
  ],
  ["undefined substitution", "|build| status\n", '1: Undefined substitution referenced: "build".'],
  [
    "target in a substitution",
    ".. |x| replace:: `Py <https://python.org>`_\n\n|x|\n",
    "1: Targets (names and identifiers) are not supported in a substitution definition.",
  ],
  ["missing footnote", "Ref [1]_.\n", '1: Unknown target name: "1".'],
  ["grid table right border", "+-----+-----+\n| a   | b    |\n+-----+-----+\n", "2: Malformed table."],
  ["simple table margin text", "=====  =====\na     xb\n=====  =====\n", "2: Malformed table."],
  ["table without blank line", "+---+\n| a |\n+---+\ntext\n", "4: Blank line required after table."],
  [
    "list-table rows differ",
    ".. list-table::\n\n   * - a\n     - b\n   * - c\n",
    '1: Error parsing content block for the "list-table" directive: uniform two-level bullet list expected, but row 2 does not contain the same number of items as row 1 (1 vs 2).',
  ],
  [
    "csv-table bad quoting",
    '.. csv-table::\n\n   "a"b, c\n',
    '1: Error with CSV data in "csv-table" directive:',
  ],
  [
    "empty bibliographic field",
    ":Author:\n\nText\n",
    '1: Cannot extract empty bibliographic field "Author".',
  ],
];

for (const [name, text, expected] of CASES) {
  test(`lintRst finds ${name}`, () => assert.equal(first(text), expected));
}

const VALID = [
  "Title\n=====\n\nA paragraph with *emphasis*, **strong**, ``literal`` and `a link <https://example.com>`_.\n",
  "===========\n My Project\n===========\n\n.. image:: https://img.shields.io/pypi/v/x.svg\n   :target: https://pypi.org/project/x/\n   :alt: PyPI\n\nInstall::\n\n    pip install x\n",
  "Usage\n-----\n\n.. code-block:: python\n\n   import x\n\n.. note:: Works on Python 3.\n\nSee Usage_ and the docs_.\n\n.. _docs: https://docs.example.com\n",
  "- one\n- two\n\n  continued\n\n1. first\n2. second\n\nterm\n    definition\n\n--verbose  Talk more.\n",
  "|badge| text\n\n.. |badge| image:: https://ci/badge.svg\n   :target: https://ci\n\nFootnote [1]_ and [#]_.\n\n.. [1] One.\n.. [#] Auto.\n",
  "+------+------+\n| a    | b    |\n+======+======+\n| 1    | 2    |\n+------+------+\n\n=====  =====\nx      y\n=====  =====\n",
  "Multiply 2 * 3, quote \"*\" and '*', escape \\*stars\\*, paths like a_b and snake_case.\n",
  "Rocket 🚀 launch\n================\n\nx\n",
];

test("lintRst leaves valid documents clean", () => {
  for (const text of VALID) assert.deepEqual(lintRst(text), [], text);
});

test("lintRst reports every problem, not only the first one docutils stops at", () => {
  const issues = lintRst("Title\n====\n\nSee :ref:`x` and *oops.\n\n.. toctree::\n");
  assert.deepEqual(
    issues.map((i) => [i.line, i.level]),
    [
      [2, "warning"],
      [4, "error"],
      [4, "warning"],
      [6, "error"],
    ],
  );
});

test("analyzeRst: whitespace, comments or targets only render to nothing (edge case 14)", () => {
  for (const text of [
    "",
    "   \n\n",
    ".. a comment\n",
    ".. _x: https://x\n",
    ".. |x| replace:: y\n",
    ".. contents::\n",
  ]) {
    const a = analyzeRst(text);
    assert.equal(a.empty, true, JSON.stringify(text));
    assert.deepEqual(a.issues, []);
  }
  assert.equal(analyzeRst("Text\n").empty, false);
  assert.equal(analyzeRst(".. _a:\n").empty, false);
});

test("analyzeRst notes code languages Pygments lacks without failing (edge case 13: `guess`)", () => {
  const a = analyzeRst(".. code:: guess\n\n   x\n\n.. code:: Python\n\n   y\n");
  assert.deepEqual(a.issues, []);
  assert.equal(a.notes.length, 1);
  assert.match(a.notes[0]!.message, /no lexer for "guess"/);
  assert.equal(a.notes[0]!.line, 1);
});

test("analyzeRst collects links and images for the sanitizer checks", () => {
  const a = analyzeRst(
    ".. image:: docs/logo.png\n\nSee `guide <docs/guide.rst>`_ and `x`__.\n\n__ https://x\n",
  );
  assert.deepEqual(
    a.links.map((l) => [l.kind, l.uri, l.line]),
    [
      ["image", "docs/logo.png", 1],
      ["link", "docs/guide.rst", 3],
      ["link", "https://x", 5],
    ],
  );
});

test("analyzeRst lists constructs it does not fully verify", () => {
  assert.deepEqual(analyzeRst(".. meta::\n   :keywords: a\n\nText\n").unverified, ["meta directive"]);
  assert.deepEqual(analyzeRst("Text\n").unverified, []);
});

test("toLines follows docutils string2lines: tabs to 8 columns, Python line boundaries", () => {
  assert.deepEqual(
    toLines("a\tb  \r\nc\u2028d\fe\n").map((l) => l.text),
    ["a       b", "c", "d e"],
  );
  assert.equal(columnWidth("日本"), 4);
  assert.equal(columnWidth("e\u0301"), 1);
  assert.equal(columnWidth("🚀"), 2);
});
