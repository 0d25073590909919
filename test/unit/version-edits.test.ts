/**
 * Version edits, fixture in / snapshot out: test/fixtures/version-edits/<case>/in.* is bumped
 * (or set) and must equal out.* byte for byte, differing only inside the version's span. Python
 * reads both sides where it can (tomllib, ast, configparser as setuptools uses it) and must see
 * the old version in `in` and the new one in `out`. SLIPWAY_UPDATE_SNAPSHOTS=1 writes missing
 * or changed out files for review.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { test } from "node:test";
import type { VersionLocation } from "../../src/core/edits/version-edit.ts";
import { findVersion, replaceVersion, updateVersion } from "../../src/core/edits/version-edit.ts";
import { bumpVersion, parseBumpKind, setVersion } from "../../src/core/pep440/bump.ts";
import { pythonJson } from "../helpers/peers.ts";

const FIXTURES = new URL("../fixtures/version-edits/", import.meta.url);
const PROJECT: VersionLocation = { kind: "toml", path: ["project", "version"] };
const POETRY: VersionLocation = { kind: "toml", path: ["tool", "poetry", "version"] };
const PY: VersionLocation = { kind: "python" };
const PY_TUPLE: VersionLocation = { kind: "python", name: "VERSION" };
const CFG: VersionLocation = { kind: "setup-cfg" };
const MARKER: VersionLocation = { kind: "marker" };

interface EditCase {
  name: string;
  location: VersionLocation;
  /** A bump kind as the CLI spells it, or `=X` for `set X`. */
  to: string;
  /** The new version, or the error the edit must fail with. */
  expect: string | RegExp;
}

const CASES: EditCase[] = [
  { name: "toml-project-comments", location: PROJECT, to: "patch", expect: "1.2.4" },
  { name: "toml-crlf-single-quotes", location: PROJECT, to: "release", expect: "1.0.0" },
  { name: "toml-poetry-lookalikes", location: POETRY, to: "dev", expect: "1.2.3.dev1" },
  { name: "toml-dotted-epoch", location: POETRY, to: "patch", expect: "1!2.0.1" },
  { name: "toml-literal-triple-post", location: PROJECT, to: "post", expect: "1.0.post2" },
  { name: "toml-local", location: PROJECT, to: "=1.2.4", expect: "1.2.4" },
  { name: "toml-inline-table", location: POETRY, to: "patch", expect: /inside an inline table/ },
  {
    name: "toml-dynamic",
    location: PROJECT,
    to: "patch",
    expect: /^found 0 project\.version; expected exactly 1$/,
  },
  { name: "toml-escapes", location: PROJECT, to: "patch", expect: /escapes or line breaks/ },
  {
    name: "toml-not-a-string",
    location: PROJECT,
    to: "patch",
    expect: /project\.version is a number, not a string/,
  },
  { name: "py-annotated", location: PY, to: "minor", expect: "1.3.0" },
  { name: "py-chained-rc", location: PY, to: "pre", expect: "2.0.0rc2" },
  { name: "py-tuple", location: PY_TUPLE, to: "patch", expect: "1.2.4" },
  { name: "py-tuple-multiline", location: PY_TUPLE, to: "major", expect: "2.0.0" },
  {
    name: "py-tuple-pre",
    location: PY_TUPLE,
    to: "pre=rc",
    expect: /only a plain release like 1\.2\.4 fits/,
  },
  { name: "py-nested-ignored", location: PY, to: "release", expect: "1.0.0" },
  {
    name: "py-twice",
    location: PY,
    to: "patch",
    expect: /^found 2 __version__ assignment \(lines 1, 5\); expected exactly 1$/,
  },
  { name: "py-computed", location: PY, to: "patch", expect: /line 3 is not a literal/ },
  { name: "py-crlf-dev", location: PY, to: "dev", expect: "1.0.dev4" },
  { name: "py-local", location: PY, to: "=1.2.4", expect: "1.2.4" },
  { name: "py-bytes", location: PY, to: "patch", expect: /is a b-string/ },
  { name: "cfg-lookalikes", location: CFG, to: "patch", expect: "1.2.4" },
  { name: "cfg-crlf", location: CFG, to: "pre", expect: "1.0rc2" },
  { name: "cfg-default-section", location: CFG, to: "post", expect: "1.0.post2" },
  { name: "cfg-continued", location: CFG, to: "patch", expect: /continues on indented lines/ },
  { name: "cfg-attr", location: CFG, to: "patch", expect: /reads the version from attr:/ },
  { name: "cfg-twice", location: CFG, to: "patch", expect: /^found 2 \[metadata\] version \(lines 2, 4\)/ },
  { name: "marker-readme", location: MARKER, to: "pre=rc", expect: "1.2.4rc1" },
  { name: "marker-yaml-v", location: MARKER, to: "minor", expect: "1.3.0" },
  {
    name: "marker-no-version",
    location: MARKER,
    to: "patch",
    expect: /line 1 has the marker .* but no version/,
  },
  { name: "marker-twice", location: MARKER, to: "patch", expect: /^found 2 line marked .* \(lines 1, 2\)/ },
];

/** The case's `in.<ext>` and `out.<ext>` (the extension is whatever `in` has). */
function fixture(name: string): { inUrl: URL; outUrl: URL } {
  const dir = new URL(`${name}/`, FIXTURES);
  const input = readdirSync(dir).find((f) => f.startsWith("in."));
  assert.ok(input, `${name}: missing in.*`);
  return { inUrl: new URL(input, dir), outUrl: new URL(`out${input.slice(2)}`, dir) };
}

interface Outcome {
  name: string;
  location: VersionLocation;
  before: string;
  after: string;
  old: string;
  now: string;
}

/** Runs every case; returns the successful edits for the Python cross-check. */
function runCases(): Outcome[] {
  const outcomes: Outcome[] = [];
  for (const c of CASES) {
    const { inUrl, outUrl } = fixture(c.name);
    const before = readFileSync(inUrl, "utf8");
    const edit = editTo(c, before);
    if (c.expect instanceof RegExp) {
      assert.ok(!edit.ok, `${c.name} should fail`);
      assert.match(edit.error, c.expect, c.name);
      assert.ok(!existsSync(outUrl), `${c.name}: an error case has no out file`);
      continue;
    }
    assert.ok(edit.ok, `${c.name}: ${edit.ok ? "" : edit.error}`);
    const { text: after, old } = edit.value;
    assert.equal(edit.value.now, c.expect, c.name);
    if (
      process.env.SLIPWAY_UPDATE_SNAPSHOTS === "1" &&
      (!existsSync(outUrl) || readFileSync(outUrl, "utf8") !== after)
    ) {
      writeFileSync(outUrl, after);
    }
    assert.ok(existsSync(outUrl), `${c.name}: missing ${outUrl.pathname.split("/").pop()}`);
    assert.equal(after, readFileSync(outUrl, "utf8"), `${c.name}: snapshot`);
    // Only the value changed: everything before and after its span is byte-identical.
    const { start, end } = edit.value.spot;
    const tail = before.length - end;
    assert.equal(after.slice(0, start), before.slice(0, start), `${c.name}: prefix`);
    assert.equal(after.slice(after.length - tail), before.slice(end), `${c.name}: suffix`);
    outcomes.push({ name: c.name, location: c.location, before, after, old, now: edit.value.now });
  }
  return outcomes;
}

function editTo(c: EditCase, text: string) {
  const found = findVersion(c.location, text);
  if (!found.ok) return found;
  const current = found.value[0]?.value ?? "0";
  const next = c.to.startsWith("=") ? setVersion(current, c.to.slice(1)) : bumpVersion(current, kindOf(c.to));
  if (!next.ok) return next;
  const edit = updateVersion(c.location, text, next.value);
  if (!edit.ok) return edit;
  return {
    ok: true as const,
    value: { text: edit.value.text, old: current, now: next.value, spot: edit.value.before },
  };
}

function kindOf(text: string) {
  const kind = parseBumpKind(text);
  assert.ok(kind.ok, text);
  return kind.value;
}

// Reads a version as Python's own tools do: tomllib, ast (module body only) and configparser
// configured like setuptools (option names kept, then compared lowercase; DEFAULT applies).
const PYTHON_READERS = `
import ast, configparser, json, sys, tomllib
def read(kind, arg, text):
    if kind == "toml":
        node = tomllib.loads(text)
        for part in arg:
            node = node[part]
        return node
    if kind == "python":
        found = []
        for stmt in ast.parse(text).body:
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target] if isinstance(stmt, ast.AnnAssign) else []
            if any(isinstance(t, ast.Name) and t.id == arg for t in targets):
                value = ast.literal_eval(stmt.value)
                found.append(".".join(map(str, value)) if isinstance(value, tuple) else value)
        return found[0] if len(found) == 1 else found
    if kind == "setup-cfg":
        parser = configparser.ConfigParser()
        parser.optionxform = str
        parser.read_string(text)
        names = [o for o in parser.options("metadata") if o.lower() == "version"]
        return parser.get("metadata", names[0], raw=True) if len(names) == 1 else names
out = []
for kind, arg, before, after in json.load(sys.stdin):
    out.append([read(kind, arg, before), read(kind, arg, after)])
print(json.dumps(out))
`;

test("version edits: fixtures in, snapshots out; Python reads the old and the new version", () => {
  const outcomes = runCases();
  const readable = outcomes.filter((o) => o.location.kind !== "marker");
  const payload = readable.map((o) => {
    const arg =
      o.location.kind === "toml"
        ? o.location.path
        : o.location.kind === "python"
          ? (o.location.name ?? "__version__")
          : null;
    return [o.location.kind, arg, o.before, o.after];
  });
  const read = pythonJson<[unknown, unknown][]>(PYTHON_READERS, payload);
  readable.forEach((o, i) => {
    assert.deepEqual(read[i], [o.old, o.now], `${o.name}: Python reads old → new`);
  });
  assert.ok(readable.length >= 15);
});

test("marker: the first PEP 440 token on the marked line, with word boundaries", () => {
  const cases: [string, string | RegExp][] = [
    ["pip install demo==1.2.3  # slipway: version", "1.2.3"],
    ["FROM python:3.12 AS base  # slipway: version", "3.12"],
    ["python3.11 ghcr.io/x/y:1.2.3rc1 # slipway: version", "1.2.3rc1"],
    ["on 2024-05-01 built demo-1.2.3.tar.gz # slipway: version", "1.2.3"],
    ["wheel demo_1.2-py3-none-any.whl # slipway: version", "1.2"],
    ["uses: org/action@v2.0.1 # slipway: version", "2.0.1"],
    ["x86-64 v1.0.post1.dev2 <!-- slipway: version -->", "1.0.post1.dev2"],
    ["The end is 1.2.3. # slipway: version", "1.2.3"],
    ["1!2.0+local.1 # slipway: version", "1!2.0+local.1"],
    ["no version 1.2.3x here # slipway: version", /no version on it/],
  ];
  for (const [line, expected] of cases) {
    const found = findVersion(MARKER, `first 9.9\n${line}\n`);
    if (typeof expected === "string") {
      assert.ok(found.ok, line);
      assert.deepEqual(
        found.value.map((s) => [s.value, s.line]),
        [[expected, 2]],
        line,
      );
    } else {
      assert.ok(!found.ok, line);
      assert.match(found.error, expected);
    }
  }
  const custom = findVersion({ kind: "marker", marker: "x-version-1" }, "v 3.0 x-version-1 4.0\n");
  assert.ok(custom.ok);
  assert.equal(custom.value[0]!.value, "3.0");
});

test("python: f-strings with nested quotes (3.12), prefixes, continuations and a BOM", () => {
  const text = [
    "\uFEFFs = f\"{'\"'}\" + rb'\\'' + f'''{x!r:>{w}}'''",
    "d = (",
    '    "a", # __version__ = "0"',
    ")",
    '__version__ = ("2.0.dev1")',
    "",
  ].join("\r");
  const found = findVersion(PY, text);
  assert.ok(found.ok, found.ok ? "" : found.error);
  assert.deepEqual(
    found.value.map((s) => [s.value, s.line, s.quote]),
    [["2.0.dev1", 5, '"']],
  );
  // Misread, the 3.12 f-string below would end at its second quote and expose an assignment.
  const nested = findVersion(PY, 's = f"{"__version__ = \'9\'"}"\n__version__ = "1.0"\n');
  assert.deepEqual(nested.ok && nested.value.map((spot) => spot.value), ["1.0"]);
  const unterminated = findVersion(PY, 'x = 1\r\n__version__ = "1.0\r\n');
  assert.ok(!unterminated.ok);
  assert.match(unterminated.error, /unterminated string starting at line 2/);
});

test("toml: a key inside an inline table on its own line is refused, not misread", () => {
  const found = findVersion({ kind: "toml", path: ["a", "a"] }, 'a = { a = "1.0" }\n');
  assert.ok(!found.ok);
  assert.match(found.error, /cannot edit a\.a at line 1: it is inside an inline table/);
  const invalid = findVersion(PROJECT, "[project]\nversion = \n");
  assert.ok(!invalid.ok);
  assert.match(invalid.error, /^not valid TOML \(line 2, column/);
});

test("replace: only canonical new versions, only into the text the spot came from", () => {
  const text = '__version__ = "1.0"\n';
  const found = findVersion(PY, text);
  assert.ok(found.ok);
  const spot = found.value[0]!;
  for (const bad of ["v1.1", "1.1-rc1", " 1.1", "1.1\n", 'x"']) {
    const edit = updateVersion(PY, text, bad);
    assert.ok(!edit.ok, bad);
    assert.match(edit.error, /is not a normalized PEP 440 version/);
  }
  const stale = replaceVersion(PY, '__version__ = "2.0"\n', spot, "1.1");
  assert.ok(!stale.ok);
  assert.match(stale.error, /line 1 no longer holds "1\.0"; find the version again/);
  assert.deepEqual(replaceVersion(PY, text, spot, "1.1"), { ok: true, value: '__version__ = "1.1"\n' });
});
