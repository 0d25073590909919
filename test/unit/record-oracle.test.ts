/**
 * Oracles: RECORD parsing against Python's csv module (as pip, installer and PyPI call it) and
 * entry_points.txt against configparser with warehouse's settings, over generated inputs.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  isPythonIdentifier,
  isRecommendedEntryName,
  isValidGroupName,
  readEntryPointsFile,
} from "../../src/core/dist/entry-points.ts";
import { CSV_FIELD_LIMIT, readCsv, splitFileLines, splitPythonLines } from "../../src/core/dist/record.ts";
import { pythonJson } from "../helpers/peers.ts";
import { seededInt } from "../helpers/random.ts";

const rng = seededInt;

const pick = <T>(r: (n: number) => number, items: readonly T[]): T => items[r(items.length)]!;

const PATH_PARTS = [
  "pkg/mod.py",
  "a,b.py",
  'quo"te.py',
  "sp ace.py",
  "ünï/cödé.py",
  "x\vy.py",
  "f\fg",
  "fs\x1cgs\x1drs\x1e",
  "nel\x85",
  "ls\u2028ps\u2029",
  "cr\rlf\n",
  "crlf\r\n",
  "𝔘nicode.py",
  "",
  ",",
  '"',
];
const FIELDS = ["sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU", "", "12", "abc", ' "lead', 'tail" '];

function recordText(r: (n: number) => number): string {
  const rows: string[] = [];
  const count = 1 + r(6);
  for (let i = 0; i < count; i++) {
    if (r(8) === 0) {
      rows.push("");
      continue;
    }
    let path = "";
    for (let k = 0, n = 1 + r(3); k < n; k++) path += pick(r, PATH_PARTS);
    const style = r(4);
    const first =
      style === 0
        ? path
        : style === 1
          ? `"${path.replaceAll('"', '""')}"`
          : style === 2
            ? `"${path}"`
            : `"${path}`;
    const extra = Array.from({ length: r(4) }, () => pick(r, FIELDS));
    rows.push([first, ...extra].join(","));
  }
  const eol = pick(r, ["\n", "\r\n", "\r"]);
  return rows.join(eol) + (r(2) === 0 ? eol : "");
}

const CSV_ORACLE = `
import csv, io, json, sys
out = []
for text in json.load(sys.stdin):
    result = {}
    try:
        result["read"] = list(csv.reader(text.splitlines()))
    except csv.Error as e:
        result["readError"] = str(e)
    try:
        result["written"] = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as e:
        result["writtenError"] = str(e)
    out.append(result)
print(json.dumps(out))
`;

interface CsvOracle {
  read?: string[][];
  readError?: string;
  written?: string[][];
  writtenError?: string;
}

test("RECORD CSV reading matches Python's csv.reader over splitlines() and over the file", () => {
  const r = rng(20260821);
  const texts = Array.from({ length: 1500 }, () => recordText(r));
  texts.push(
    '"wcwidth/textwrap.py,cover",sha256=x,1\r\n',
    "a".repeat(CSV_FIELD_LIMIT + 1),
    `"${"b".repeat(CSV_FIELD_LIMIT)}",,`,
    "",
    "\n\n",
    '"unterminated',
  );
  const expected = pythonJson<CsvOracle[]>(CSV_ORACLE, texts);
  texts.forEach((text, i) => {
    const want = expected[i]!;
    const read = readCsv(splitPythonLines(text));
    const written = readCsv(splitFileLines(text));
    const label = JSON.stringify(text);
    if (want.readError !== undefined) assert.ok(read.error, `read ${label} should fail: ${want.readError}`);
    else {
      assert.equal(read.error, undefined, `read ${label}`);
      assert.deepEqual(
        read.rows.map((row) => row.fields),
        want.read,
        `read ${label}`,
      );
    }
    if (want.writtenError !== undefined)
      assert.ok(written.error, `written ${label} should fail: ${want.writtenError}`);
    else {
      assert.equal(written.error, undefined, `written ${label}`);
      assert.deepEqual(
        written.rows.map((row) => row.fields),
        want.written,
        `written ${label}`,
      );
    }
  });
});

const INI_LINES = [
  "[console_scripts]",
  "[gui_scripts]",
  "[g]",
  "[ g ]",
  "[DEFAULT]",
  "[a]b] tail",
  "[]",
  "[x",
  "  [g]",
  "name = pkg.mod:attr",
  "name=value",
  "Name = Value",
  "name : value",
  "= v",
  "k = ",
  "k==v",
  "k = v = w",
  "k\t=\tv",
  "k\u00a0= v\u3000",
  "ü = x",
  "dup = 1",
  "# comment",
  "; comment",
  "  # indented comment",
  "",
  "   ",
  "\t",
  "  continuation",
  "\tcont = inued",
  "    deeper = x",
  "no delimiter",
  "x\ry = z",
  "a\x1cb = c\x1c",
  "\ufeff[g]",
  "k = %(interp)s",
];

function iniText(r: (n: number) => number): string {
  const lines = Array.from({ length: 1 + r(9) }, () => pick(r, INI_LINES));
  if (r(3) > 0) lines.unshift(pick(r, ["[console_scripts]", "[g]", "[DEFAULT]"]));
  const eol = pick(r, ["\n", "\r\n"]);
  return lines.join(eol) + (r(2) === 0 ? eol : "");
}

const INI_ORACLE = `
import configparser, json, sys
out = []
for text in json.load(sys.stdin):
    parser = configparser.ConfigParser(delimiters=("=",))
    parser.optionxform = str
    try:
        parser.read_string(text)
        out.append({
            "ok": True,
            "sections": [[name, list(parser._sections[name].items())] for name in parser._sections],
            "defaults": list(parser._defaults.items()),
        })
    except configparser.Error as e:
        out.append({"ok": False, "error": type(e).__name__})
print(json.dumps(out))
`;

type IniOracle =
  | { ok: true; sections: [string, [string, string][]][]; defaults: [string, string][] }
  | { ok: false; error: string };

test("entry_points.txt reading matches configparser(delimiters=('=',), optionxform=str, strict)", () => {
  const r = rng(427);
  const texts = Array.from({ length: 2000 }, () => iniText(r));
  const expected = pythonJson<IniOracle[]>(INI_ORACLE, texts);
  let accepted = 0;
  texts.forEach((text, i) => {
    const want = expected[i]!;
    const file = readEntryPointsFile(text);
    const label = JSON.stringify(text);
    assert.equal(
      file.problems.length === 0,
      want.ok,
      `${label}: ${JSON.stringify(file.problems)} vs ${JSON.stringify(want)}`,
    );
    if (!want.ok) return;
    accepted++;
    const groups = file.sections.filter((s) => s.name !== "DEFAULT").map((s) => s.name);
    const sections = groups.map((g) => [
      g,
      file.entries.filter((e) => e.group === g).map((e) => [e.name, e.value]),
    ]);
    assert.deepEqual(sections, want.sections, label);
    const defaults = file.entries.filter((e) => e.group === "DEFAULT").map((e) => [e.name, e.value]);
    assert.deepEqual(defaults, want.defaults, label);
  });
  // The generated set must exercise both outcomes, or the comparison proves little.
  assert.ok(accepted > 200 && accepted < texts.length - 200, `accepted ${accepted}`);
});

const NAME_CHARS = [
  ..."aZ_09.-: /+é",
  "\u0301",
  "\u0660",
  "\u00b2",
  "\u216b",
  "一",
  "\u00b7",
  "\u2118",
  "\uff10",
  "\u00aa",
  "\u02b0",
  "\u0e33",
  "\u1885",
  "\u0345",
  "😀",
  "𝟎",
  "\u00a0",
];

test("group, entry name and identifier rules match Python's re \\w and str.isidentifier()", () => {
  const r = rng(99);
  const names = Array.from({ length: 1500 }, () =>
    Array.from({ length: 1 + r(4) }, () => pick(r, NAME_CHARS)).join(""),
  );
  const expected = pythonJson<[boolean, boolean, boolean][]>(
    `
import json, re, sys
group = re.compile(r"\\w+(\\.\\w+)*")
entry = re.compile(r"[\\w.-]+")
print(json.dumps([[bool(group.fullmatch(n)), bool(entry.fullmatch(n)), n.isidentifier()] for n in json.load(sys.stdin)]))
`,
    names,
  );
  names.forEach((name, i) => {
    const [g, e, id] = expected[i]!;
    assert.equal(isValidGroupName(name), g, `group ${JSON.stringify(name)}`);
    assert.equal(isRecommendedEntryName(name), e, `entry ${JSON.stringify(name)}`);
    assert.equal(isPythonIdentifier(name), id, `identifier ${JSON.stringify(name)}`);
  });
});
