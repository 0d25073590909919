import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { test } from "node:test";
import { field, fieldAll, headersOf, parseMetadataFile } from "../../src/core/metadata/parse.ts";

const parse = (text: string) => parseMetadataFile(Buffer.from(text, "utf8"));

test("parses headers, repeated fields in order and the body verbatim", () => {
  const md = parse(
    "Metadata-Version: 2.4\nName: demo\nVersion: 1.0\nClassifier: A :: B\nclassifier: C :: D\n\n# Title\n\ntext\n",
  );
  assert.equal(field(md, "name"), "demo");
  assert.equal(field(md, "NAME"), "demo");
  assert.deepEqual(fieldAll(md, "Classifier"), ["A :: B", "C :: D"]);
  assert.deepEqual(
    md.headers.map((h) => [h.name, h.line]),
    [
      ["Metadata-Version", 1],
      ["Name", 2],
      ["Version", 3],
      ["Classifier", 4],
      ["classifier", 5],
    ],
  );
  assert.equal(md.body, "# Title\n\ntext\n");
  assert.equal(md.bodyLine, 7);
  assert.deepEqual(md.problems, []);
});

test("\\r\\n, bare \\r and \\n all end lines; the body keeps its own line endings", () => {
  for (const eol of ["\n", "\r\n", "\r"]) {
    const md = parse(`Name: demo${eol}Summary: s${eol}${eol}a${eol}b${eol}`);
    assert.equal(field(md, "Name"), "demo");
    assert.equal(field(md, "Summary"), "s");
    assert.equal(md.body, `a${eol}b${eol}`);
  }
  const mixed = parse("Name: a\rVersion: 1\r\nSummary: s\n\rbody");
  assert.deepEqual([field(mixed, "Name"), field(mixed, "Version"), field(mixed, "Summary")], ["a", "1", "s"]);
  assert.equal(mixed.body, "body");
});

test("folding keeps the line break and the continuation's leading whitespace (compat32)", () => {
  const md = parse("License: line one\n        line two\r\n\tthree\nName: x\n");
  assert.equal(field(md, "License"), "line one\n        line two\r\n\tthree");
  assert.equal(headersOf(md, "License")[0]?.continuations, 2);
  assert.equal(field(md, "Name"), "x");
});

test("values lose leading blanks and trailing line ends only", () => {
  const md = parse("Summary: \t  spaced  \nAuthor:\nKeywords:a,b\n");
  assert.equal(field(md, "Summary"), "spaced  ");
  assert.equal(field(md, "Author"), "");
  assert.equal(field(md, "Keywords"), "a,b");
});

test("headers end at the first empty line; later header-like lines are body", () => {
  const md = parse("Name: a\n\nVersion: 1.0\n");
  assert.equal(field(md, "Version"), undefined);
  assert.equal(md.body, "Version: 1.0\n");
});

test("a whitespace-only line inside the headers is a continuation, not the separator", () => {
  const md = parse("Summary: s\n   \nName: a\n");
  assert.equal(field(md, "Summary"), "s\n   ");
  assert.equal(field(md, "Name"), "a");
  assert.equal(md.body, undefined);
});

test("a non-header line ends the headers and is recorded as a problem", () => {
  const md = parse("Name: a\nthis is not a header\nVersion: 1.0\n");
  assert.equal(field(md, "Version"), undefined);
  assert.equal(md.body, "this is not a header\nVersion: 1.0\n");
  assert.equal(md.bodyLine, 2);
  assert.deepEqual(
    md.problems.map((p) => [p.kind, p.line]),
    [["non-header-line", 2]],
  );
  // A space before the colon is not a field name either.
  assert.equal(parse("Name : a\n").problems[0]?.kind, "non-header-line");
});

test("a UTF-8 byte order mark makes the first line a non-header (as Python reads it)", () => {
  const md = parse("\ufeffMetadata-Version: 2.4\nName: a\n");
  assert.equal(md.headers.length, 0);
  assert.equal(md.problems[0]?.kind, "non-header-line");
  assert.equal(md.body, "\ufeffMetadata-Version: 2.4\nName: a\n");
});

test("lines the email parser drops are reported: empty name, orphan continuation, From lines", () => {
  const md = parse(
    " orphan\nFrom first\nName: a\n: no name\n  lost\nFrom middle\nVersion: 1\nFrom last\n\nbody\n",
  );
  assert.deepEqual(
    md.problems.map((p) => [p.kind, p.line]),
    [
      ["orphan-continuation", 1],
      ["unix-from", 2],
      ["empty-name", 4],
      ["orphan-continuation", 5],
      ["unix-from", 6],
    ],
  );
  assert.deepEqual([field(md, "Name"), field(md, "Version")], ["a", "1"]);
  // A From line ending the headers is pushed back to the start of the body.
  assert.equal(md.body, "From last\nbody\n");
});

test("invalid UTF-8 is judged per header and for the body", () => {
  const bytes = Buffer.concat([
    Buffer.from("Name: ok\nAuthor: Jos"),
    Buffer.from([0xe9]),
    Buffer.from("\nSummary: caf\u00e9\n\nbad "),
    Buffer.from([0xff]),
    Buffer.from("\n"),
  ]);
  const md = parseMetadataFile(bytes);
  assert.equal(field(md, "Summary"), "café");
  const author = headersOf(md, "Author")[0];
  assert.equal(author?.invalidUtf8, true);
  assert.equal(author?.value, "Jos\ufffd");
  assert.equal(headersOf(md, "Name")[0]?.invalidUtf8, undefined);
  assert.deepEqual(
    md.problems.map((p) => [p.kind, p.line]),
    [
      ["invalid-utf8", 2],
      ["invalid-utf8", 5],
    ],
  );
  assert.equal(md.body, "bad \ufffd\n");
});

test("an empty body is no body; a whitespace body is kept", () => {
  assert.equal(parse("Name: a\n\n").body, undefined);
  assert.equal(parse("Name: a\n").body, undefined);
  assert.equal(parse("Name: a\n\n \n").body, " \n");
});

test("a last line without a line ending is still read", () => {
  const md = parse("Name: a\nVersion: 1.0");
  assert.equal(field(md, "Version"), "1.0");
});

test("WHEEL files use the same format", () => {
  const md = parse(
    "Wheel-Version: 1.0\nGenerator: hatchling 1.27\nRoot-Is-Purelib: true\nTag: py2-none-any\nTag: py3-none-any\n",
  );
  assert.equal(field(md, "wheel-version"), "1.0");
  assert.deepEqual(fieldAll(md, "Tag"), ["py2-none-any", "py3-none-any"]);
  assert.deepEqual(fieldAll(md, "Build"), []);
});

test("the parser never throws on arbitrary bytes", () => {
  let seed = 7;
  for (let n = 0; n < 300; n++) {
    const bytes = new Uint8Array(1 + (n % 97));
    for (let i = 0; i < bytes.length; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      bytes[i] = "Name:\n \r\t:aé".charCodeAt(seed % 12) & 0xff;
    }
    const md = parseMetadataFile(bytes);
    assert.ok(Array.isArray(md.headers));
  }
});
