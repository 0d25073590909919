import assert from "node:assert/strict";
import { test } from "node:test";
import { formatKeyPath, lineOf, parsePyproject, scanToml } from "../../src/core/pyproject/toml.ts";
import { pythonJson } from "../helpers/peers.ts";

const VALUES = [
  '"plain"',
  '"tab\\tescape"',
  '"\\u00e9 \\U0001F600"',
  '"\\e"',
  '"\\x41"',
  '"\\q"',
  '"a\\\\e"',
  "'literal \\e'",
  '"""multi\nline"""',
  '"""ends with quotes"""""',
  '"""\\x41"""',
  "'''raw\\x41'''",
  '"""line \\\n   continued"""',
  "1_000",
  "0x1F",
  "0o17",
  "0b101",
  "+1",
  "01",
  "1e5",
  "1.",
  "inf",
  "-nan",
  "true",
  "True",
  "1979-05-27",
  "07:32:00",
  "07:32",
  "1979-05-27T07:32:00Z",
  "1979-05-27T07:32Z",
  "1979-05-27 07:32:00",
  "1979-05-27 07:32",
  "1979-05-27T00:32:00-07:00",
  "1979-05-27T00:32-07:00",
  "1979-05-27T00:32:00.999999",
  "[1, 2,]",
  "[\n  1,\n  2, # comment\n]",
  "[]",
  "[ [1], ['a'] ]",
  "{ a = 1 }",
  "{ a = 1, }",
  "{ a = 1, b = { c = 2 } }",
  "{\n a = 1 }",
  "{ a = [\n1] }",
  '{ a = """x\ny""" }',
  "{}",
  "{ a.b = 1, a.c = 2 }",
  '"\u0001"',
  "'\u007f'",
];

const DOCUMENTS = [
  ...VALUES.map((v) => `key = ${v}\n`),
  ...VALUES.map((v) => `[t]\narr = [${v}]\n`),
  ...VALUES.map((v) => `t = { k = ${v} }\n`),
  "\uFEFFa = 1\n",
  "a = 1\r\nb = 2\r\n",
  "a = 1\rb = 2\n",
  "a = 1\na = 2\n",
  "a.b = 1\n[a]\nc = 2\n",
  "[a]\nb = 1\n[a.c]\nd = 2\n",
  "[[arr]]\nx = 1\n[[arr]]\nx = 2\n",
  "é = 1\n",
  '"é" = 1\n',
  "a = 1 # comment \u007f\n",
  "a = 1 # comment é\n",
  "[project]\nname = 'x'\n[project]\nversion = '1'\n",
  "a = { b = 1 }\na.c = 2\n",
  "  [ spaced . table ]  # comment\n  key = 1\n",
  "a = 'x' b = 1\n",
  "[table\n",
  "a = [1, 2\n",
  "x = 1979-05-27T07:32:00Z # a time 12:30 in a comment\n",
  's = "12:30 in a string"\n',
];

test("PP01 oracle: parsePyproject accepts exactly what Python's tomllib (TOML 1.0) accepts", () => {
  const code = `
import json, sys, tomllib
out = []
for doc in json.load(sys.stdin):
    try:
        tomllib.loads(doc)
        out.append(True)
    except tomllib.TOMLDecodeError:
        out.append(False)
print(json.dumps(out))
`;
  const verdicts = pythonJson<boolean[]>(code, DOCUMENTS);
  assert.equal(verdicts.length, DOCUMENTS.length);
  const disagreements = DOCUMENTS.filter((doc, n) => parsePyproject(doc).ok !== verdicts[n]);
  assert.deepEqual(disagreements, []);
  // The set is broad enough to hold both outcomes in quantity.
  assert.ok(verdicts.filter(Boolean).length > 60 && verdicts.filter((v) => !v).length > 30);
});

test("PP01 parse errors carry the parser's line and column", () => {
  const result = parsePyproject('[project]\nname = "x"\nversion = \n');
  assert.equal(result.ok, false);
  if (!result.ok) assert.equal(result.problem.line, 3);
  const bom = parsePyproject("\uFEFF[project]\n");
  assert.deepEqual(bom.ok ? undefined : [bom.problem.line, bom.problem.column], [1, 1]);
});

test("PP01 TOML 1.1-only syntax is reported where it is", () => {
  const cases: [string, number, RegExp][] = [
    ['[project]\nname = "a\\eb"\n', 2, /escape \\e/],
    ["[tool.x]\nt = { a = 1,\n  b = 2 }\n", 2, /line break inside an inline table/],
    ["[tool.x]\n\nt = { a = 1, }\n", 3, /trailing comma/],
    ["[tool.x]\nwhen = 1979-05-27 07:32\n", 2, /without seconds/],
    ['x = "\\x41"\n', 1, /escape \\x/],
  ];
  for (const [text, line, pattern] of cases) {
    const result = parsePyproject(text);
    assert.equal(result.ok, false, text);
    if (!result.ok) {
      assert.equal(result.problem.line, line, text);
      assert.match(result.problem.message, pattern);
    }
  }
});

test("key lines are found for tables, dotted keys, inline tables and array items", () => {
  const text = [
    "[build-system]",
    'requires = ["hatchling"]',
    "",
    "[project]",
    'name = "demo"',
    "dependencies = [",
    '  "requests>=2",',
    "  'tomli; python_version < \"3.11\"',",
    "]",
    'urls = { Homepage = "https://x.org", "Bug Tracker" = "https://x.org/issues" }',
    'optional-dependencies.dev = ["pytest"]',
    "",
    "[[project.authors]]",
    'name = "A"',
    "",
    '[project.entry-points."my.group"]',
    'x = "a:b"',
  ].join("\n");
  const scan = scanToml(text);
  const line = (path: string[], item?: string): number | undefined => lineOf(scan, text, path, item);
  assert.equal(line(["build-system", "requires"]), 2);
  assert.equal(line(["project", "name"]), 5);
  assert.equal(line(["project", "dependencies"]), 6);
  assert.equal(line(["project", "dependencies"], "requests>=2"), 7);
  assert.equal(line(["project", "dependencies"], 'tomli; python_version < "3.11"'), 8);
  assert.equal(line(["project", "urls", "Bug Tracker"]), 10);
  assert.equal(line(["project", "optional-dependencies", "dev"]), 11);
  assert.equal(line(["project", "authors", "name"]), 14);
  assert.equal(line(["project", "entry-points", "my.group", "x"]), 17);
  assert.equal(line(["project", "readme"]), 4);
  assert.equal(line(["nothing"]), undefined);
});

test("key paths are written as TOML would need them", () => {
  assert.equal(
    formatKeyPath(["project", "optional-dependencies", "Foo"]),
    "project.optional-dependencies.Foo",
  );
  assert.equal(formatKeyPath(["project", "urls", "Bug Tracker"]), 'project.urls."Bug Tracker"');
  assert.equal(formatKeyPath(["project", "entry-points", "a.b"]), 'project.entry-points."a.b"');
});
