import assert from "node:assert/strict";
import { test } from "node:test";
import {
  assembleReadmeUpdate,
  firstInvalidUtf8,
  type ReadmeFormat,
  readmeFormatOf,
} from "../../src/core/badges/readme-block.ts";
import { SlipwayError } from "../../src/errors.ts";

const enc = (text: string) => new TextEncoder().encode(text);
const dec = (bytes: Uint8Array) => new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes);

function update(text: string | Uint8Array, lines: string[], format: ReadmeFormat = "markdown") {
  return assembleReadmeUpdate({
    bytes: typeof text === "string" ? enc(text) : text,
    file: "README.md",
    format,
    lines,
  });
}

const MD_START = "<!-- slipway:badges:start -->";
const MD_END = "<!-- slipway:badges:end -->";

test("Markdown: only the block between the markers changes", () => {
  const before = `# Title\n\n${MD_START}\n![old](x)\n${MD_END}\n\nBody  \n`;
  const r = update(before, ["![a](u1)", "![b](u2)"]);
  assert.equal(dec(r.bytes), `# Title\n\n${MD_START}\n![a](u1)\n![b](u2)\n${MD_END}\n\nBody  \n`);
  assert.equal(r.changed, true);
  assert.equal(r.inserted, false);
  // The same lines again: nothing changes, the very bytes come back.
  const again = update(r.bytes, ["![a](u1)", "![b](u2)"]);
  assert.equal(again.changed, false);
  assert.equal(again.bytes, r.bytes);
});

test("CRLF: the block takes the file's CRLF endings, every other byte stays", () => {
  const before = `# T\r\n\r\n${MD_START}\r\nold\r\n${MD_END}\r\ntail\r\n`;
  const r = update(before, ["a", "b"]);
  assert.equal(dec(r.bytes), `# T\r\n\r\n${MD_START}\r\na\r\nb\r\n${MD_END}\r\ntail\r\n`);
});

test("no trailing newline: the file still ends without one", () => {
  const before = `# T\n${MD_START}\nold\n${MD_END}`;
  assert.equal(dec(update(before, ["new"]).bytes), `# T\n${MD_START}\nnew\n${MD_END}`);
  // A title that is the whole file, without an ending: the block goes below it.
  assert.equal(dec(update("# T", ["b"]).bytes), `# T\n\n${MD_START}\nb\n${MD_END}\n`);
});

test("a BOM is kept, also when the marker is the first line", () => {
  const bom = "\uFEFF";
  const r = update(`${bom}${MD_START}\nold\n${MD_END}\nx\n`, ["new"]);
  assert.deepEqual([...r.bytes.slice(0, 3)], [0xef, 0xbb, 0xbf]);
  assert.equal(dec(r.bytes), `${bom}${MD_START}\nnew\n${MD_END}\nx\n`);
  const inserted = update(`${bom}# T\n\ntext\n`, ["b"]);
  assert.equal(dec(inserted.bytes), `${bom}# T\n\n${MD_START}\nb\n${MD_END}\n\ntext\n`);
});

test("first insertion goes under the title (ATX, setext), or at the top without one", () => {
  const atx = update("# Project\nIntro.\n", ["b1"]);
  assert.equal(dec(atx.bytes), `# Project\n\n${MD_START}\nb1\n${MD_END}\n\nIntro.\n`);
  assert.equal(atx.inserted, true);
  assert.equal(
    dec(update("\nProject\n=======\n\nIntro.\n", ["b"]).bytes),
    `\nProject\n=======\n\n${MD_START}\nb\n${MD_END}\n\nIntro.\n`,
  );
  assert.equal(dec(update("Just text.\n", ["b"]).bytes), `${MD_START}\nb\n${MD_END}\n\nJust text.\n`);
  assert.equal(dec(update("", ["b"]).bytes), `${MD_START}\nb\n${MD_END}\n`);
  // CRLF is followed on insertion too.
  assert.equal(
    dec(update("# P\r\nx\r\n", ["b"]).bytes),
    `# P\r\n\r\n${MD_START}\r\nb\r\n${MD_END}\r\n\r\nx\r\n`,
  );
});

test("markers inside a fenced code block are examples, not the block", () => {
  const before = `# T\n\n\`\`\`markdown\n${MD_START}\n${MD_END}\n\`\`\`\n`;
  const r = update(before, ["b"]);
  assert.equal(r.inserted, true);
  assert.equal(
    dec(r.bytes),
    `# T\n\n${MD_START}\nb\n${MD_END}\n\n\`\`\`markdown\n${MD_START}\n${MD_END}\n\`\`\`\n`,
  );
});

test("reStructuredText: comment markers, insertion under an underlined or overlined title", () => {
  const lines = ["", "|python|", "", ".. |python| image:: https://x", "   :alt: python", ""];
  const r = update("Project\n=======\n\nIntro.\n", lines, "rst");
  assert.equal(
    dec(r.bytes),
    "Project\n=======\n\n.. slipway:badges:start\n\n|python|\n\n.. |python| image:: https://x\n   :alt: python\n\n.. slipway:badges:end\n\nIntro.\n",
  );
  const again = update(r.bytes, lines, "rst");
  assert.equal(again.changed, false);
  const over = update("=====\nTitle\n=====\nx\n", ["", "y", ""], "rst");
  assert.equal(
    dec(over.bytes),
    "=====\nTitle\n=====\n\n.. slipway:badges:start\n\ny\n\n.. slipway:badges:end\n\nx\n",
  );
  assert.equal(readmeFormatOf("docs/README.rst"), "rst");
  assert.equal(readmeFormatOf("README.md"), "markdown");
});

function assertConfigError(fn: () => unknown, pattern: RegExp) {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof SlipwayError);
    assert.equal(error.code, "config");
    assert.match(error.message, pattern);
    return true;
  });
}

test("broken markers: one only, twice, in the wrong order — an error naming the file and line", () => {
  assertConfigError(
    () => update(`# T\n\n${MD_START}\nx\n`, ["b"]),
    /^README\.md:3: a <!-- slipway:badges:start --> marker without/,
  );
  assertConfigError(
    () => update(`# T\n${MD_END}\n`, ["b"]),
    /^README\.md:2: a <!-- slipway:badges:end --> marker without/,
  );
  assertConfigError(
    () => update(`${MD_START}\n${MD_END}\n${MD_START}\n${MD_END}\n`, ["b"]),
    /^README\.md:3: a second <!-- slipway:badges:start --> marker \(the first is on line 1\)/,
  );
  assertConfigError(() => update(`${MD_END}\n${MD_START}\n`, ["b"]), /^README\.md:1: the .* comes before/);
  assertConfigError(
    () => update(".. slipway:badges:start\n", ["b"], "rst"),
    /^README\.md:1: a \.\. slipway:badges:start marker without/,
  );
});

test("not UTF-8: an error naming the line of the first bad byte", () => {
  const bytes = new Uint8Array([...enc("# T\nok\n"), 0xff, 0x0a]);
  assertConfigError(() => update(bytes, ["b"]), /^README\.md:3: not UTF-8 text \(byte 7\)/);
  assert.equal(firstInvalidUtf8(enc("héllo ✓ 𝄞")), -1);
  assert.equal(firstInvalidUtf8(new Uint8Array([0x61, 0xc0, 0x80])), 1); // overlong
  assert.equal(firstInvalidUtf8(new Uint8Array([0xed, 0xa0, 0x80])), 0); // surrogate
  assert.equal(firstInvalidUtf8(new Uint8Array([0xf4, 0x90, 0x80, 0x80])), 0); // past U+10FFFF
  assert.equal(firstInvalidUtf8(new Uint8Array([0xe2, 0x9c])), 0); // truncated
});

test("a large README is updated in linear time", () => {
  const big = `# T\n${"line of text\n".repeat(200_000)}`;
  const started = performance.now();
  update(big, ["b"]);
  assert.ok(performance.now() - started < 2000);
});

test("first insertion: after a YAML front matter, under a one-line <h1>", () => {
  assert.equal(
    dec(update("---\ntitle: x\n---\n# P\nx\n", ["b"]).bytes),
    `---\ntitle: x\n---\n# P\n\n${MD_START}\nb\n${MD_END}\n\nx\n`,
  );
  assert.equal(
    dec(update("---\na: 1\n---\ntext\n", ["b"]).bytes),
    `---\na: 1\n---\n\n${MD_START}\nb\n${MD_END}\n\ntext\n`,
  );
  assert.equal(
    dec(update('<h1 align="center">P</h1>\n\nx\n', ["b"]).bytes),
    `<h1 align="center">P</h1>\n\n${MD_START}\nb\n${MD_END}\n\nx\n`,
  );
});
