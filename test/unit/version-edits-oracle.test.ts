/**
 * The Python and setup.cfg finders against Python itself on generated files (fixed seeds):
 * `ast` says which module-level statements bind `__version__` and to what, configparser (set up
 * as setuptools uses it) says what `[metadata] version` is and whether the file is readable.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { findPythonVersion } from "../../src/core/edits/python-version.ts";
import { findSetupCfgVersion } from "../../src/core/edits/setup-cfg-version.ts";
import { pythonJson } from "../helpers/peers.ts";
import { seededRandom } from "../helpers/random.ts";

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

const PY_FRAGMENTS = [
  '__version__ = "1.0"\n',
  "__version__ = '1.1rc1'  # comment\n",
  '__version__ = """1.2"""\n',
  "__version__ = u'1.3'\n",
  '__version__ = R"1.4.dev0"\n',
  '__version__: str = "2.0"\n',
  "__version__: 'Final[str]' = '2.1'\n",
  '__version__ = VERSION = "3.0"\n',
  'VERSION = __version__ = "3.1"\n',
  "__version__ = (1, 2, 3)\n",
  "__version__ = 4, 5\n",
  "__version__ = (6,)\n",
  'def f():\n    __version__ = "4.0"\n    return __version__\n',
  'class C:\n    __version__ = "4.1"\n',
  'if True:\n    __version__ = "4.2"\nelse:\n    pass\n',
  'try:\n    pass\nexcept Exception:\n    __version__ = "4.3"\n',
  'x = """\n__version__ = "5.0"\n"""\n',
  '# __version__ = "5.1"\n',
  "y = '__version__ = \"5.2\"'\n",
  "z = f\"{'a'!r:>{3}} __version__ = {1}\"\n",
  "w = (\n    1,\n    2,  # __version__ = '5.3'\n)\n",
  'a = 1; __version__ = "6.0"\n',
  '__version__ = \\\n    "6.1"\n',
  'obj.__version__ = "6.2"\n',
  'd = {"__version__": "6.3"}\n',
  'if d: __version__ = "6.4"\n',
  "__version__ = get()\n",
  '__version__ += "x"\n',
  "from m import __version__\n",
  "from m import (a, b as __version__)\n",
  "import m as __version__\n",
  "from m import version\n",
  '__version__, b = "1", 2\n',
  "__version__ = b'7.0'\n",
  'first = f"7.1"\n',
  '__version__ = f"7.2"\n',
  '__version__ = "7.\\x33"\n',
  '__version__ = ("7.4")\n',
  '__version__ == "7.5"\n',
  'print(__version__ := "7.6")\n',
  "@decorator\ndef g():\n    pass\n",
  "\n",
  "    \n",
  "pass\n",
];

// A statement binding the name is editable when its value is a plain str literal (no b/f prefix,
// no backslash; parentheses allowed) or a tuple of integer literals; anything else is an error.
const PY_ORACLE = `
import ast, json, sys
NAME = "__version__"
def binds(target):
    if isinstance(target, ast.Name): return target.id == NAME
    if isinstance(target, (ast.Tuple, ast.List)): return any(binds(t) for t in target.elts)
    if isinstance(target, ast.Starred): return binds(target.value)
    return False
def editable(text, value):
    source = ast.get_source_segment(text, value)
    if isinstance(value, ast.Constant) and type(value.value) is str:
        ok = "\\\\" not in source and not source[0].lower() in "bf"
        return value.value if ok else None
    if isinstance(value, ast.Tuple) and value.elts and all(
            isinstance(e, ast.Constant) and type(e.value) is int for e in value.elts):
        return ".".join(str(e.value) for e in value.elts)
    return None
out = []
for text in json.load(sys.stdin):
    found = []
    for stmt in ast.parse(text).body:
        if isinstance(stmt, ast.Assign) and any(binds(t) for t in stmt.targets):
            direct = any(isinstance(t, ast.Name) and t.id == NAME for t in stmt.targets)
            found.append(editable(text, stmt.value) if direct else None)
        elif isinstance(stmt, ast.AnnAssign) and binds(stmt.target) and stmt.value is not None:
            found.append(editable(text, stmt.value))
        elif isinstance(stmt, ast.AugAssign) and binds(stmt.target):
            found.append(None)
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)) and any(
                (a.asname or a.name) == NAME for a in stmt.names):
            found.append(None)
    out.append("error" if None in found else found)
print(json.dumps(out))
`;

test("python finder: the same module-level literals as Python's ast, errors for the rest", () => {
  const random = seededRandom(4403);
  const modules: string[] = [];
  for (let n = 0; n < 600; n++) {
    let text = "";
    const count = 1 + Math.floor(random() * 5);
    for (let k = 0; k < count; k++) text += pick(random, PY_FRAGMENTS);
    modules.push(random() < 0.2 ? text.replaceAll("\n", "\r\n") : text);
  }
  const expected = pythonJson<(string[] | "error")[]>(PY_ORACLE, modules);
  const got = modules.map((text) => {
    const found = findPythonVersion(text);
    return found.ok ? found.value.map((s) => s.value) : "error";
  });
  const bad = modules.flatMap((text, i) =>
    JSON.stringify(got[i]) === JSON.stringify(expected[i])
      ? []
      : [`${JSON.stringify(text)}: ${JSON.stringify(got[i])} vs ${JSON.stringify(expected[i])}`],
  );
  assert.deepEqual(bad.slice(0, 10), []);
  const found = expected.filter((e) => e !== "error" && e.length > 0).length;
  const errors = expected.filter((e) => e === "error").length;
  assert.ok(found > 100 && errors > 100, `found ${found}, errors ${errors}`);
});

const CFG_LINES = [
  "version = 1.0",
  "Version: 1.1",
  "version=1.2rc1",
  "VERSION  =  1.3 ; not a comment",
  "version:",
  "version_file = v.py",
  "versions = 2",
  "name = demo",
  "description = text",
  "    continued",
  "    version = 9.0",
  "\tversion = 9.1",
  "",
  "# version = 0",
  "; version = 0",
  "    # indented comment",
  "junk",
  " = novalue",
];
const CFG_SECTIONS = [
  "[metadata]",
  "[metadata.extra]",
  "[options]",
  "[DEFAULT]",
  "[Metadata]",
  "[ metadata ]",
];

const CFG_ORACLE = `
import configparser, json, sys
out = []
for text in json.load(sys.stdin):
    parser = configparser.ConfigParser()
    parser.optionxform = str
    try:
        parser.read_string(text)
    except configparser.DuplicateOptionError as e:
        out.append("dup" if e.section == "metadata" and e.option.lower() == "version" else "skip")
        continue
    except configparser.Error:
        out.append("error")
        continue
    if not parser.has_section("metadata"):
        out.append([])
        continue
    values = [parser.get("metadata", o, raw=True) for o in parser.options("metadata") if o.lower() == "version"]
    out.append("error" if any("\\n" in v for v in values) else values)
print(json.dumps(out))
`;

test("setup.cfg finder: what configparser reads as [metadata] version, and refusals where it cannot", () => {
  const random = seededRandom(4404);
  const files: string[] = [];
  for (let n = 0; n < 1000; n++) {
    const others = CFG_SECTIONS.slice(1).filter(() => random() < 0.3);
    const sections = random() < 0.75 ? ["[metadata]", ...others] : others;
    let text = random() < 0.05 ? `${pick(random, CFG_LINES)}\n` : "";
    for (const section of sections) {
      text += `${section}\n`;
      const count = Math.floor(random() * 6);
      for (let k = 0; k < count; k++) {
        const line = pick(random, CFG_LINES);
        if ((line === "junk" || line === " = novalue") && random() < 0.7) continue;
        text += `${line}\n`;
      }
    }
    files.push(random() < 0.2 ? text.replaceAll("\n", "\r\n") : text);
  }
  const expected = pythonJson<(string[] | "error" | "dup" | "skip")[]>(CFG_ORACLE, files);
  const bad: string[] = [];
  let compared = 0;
  files.forEach((text, i) => {
    const want = expected[i]!;
    if (want === "skip") return;
    compared++;
    const found = findSetupCfgVersion(text);
    const got = found.ok ? found.value.map((s) => s.value) : "error";
    // configparser stops at the first duplicate; slipway reports "found 2" (or an earlier problem).
    const fine =
      want === "dup" ? got === "error" || got.length >= 2 : JSON.stringify(got) === JSON.stringify(want);
    if (!fine) bad.push(`${JSON.stringify(text)}: ${JSON.stringify(got)} vs ${JSON.stringify(want)}`);
  });
  assert.deepEqual(bad.slice(0, 10), []);
  const found = expected.filter((e) => Array.isArray(e) && e.length === 1).length;
  assert.ok(compared > 600 && found > 100, `compared ${compared}, found ${found}`);
});
