/**
 * Oracle: the built-in reStructuredText lint against readme_renderer 46 / docutils 0.23 (the
 * peers venv), which is what PyPI runs. On a corpus of hand-written documents (every DESC05
 * failure class), the real READMEs of the peers' own packages and seeded mutations of them,
 * the lint must give readme_renderer's verdict and name docutils' first problem. Also checks the
 * lint's tables (directives, roles, Pygments lexers), its CSV reader and its column widths.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { DOCUTILS_DIALECT, parseCsv } from "../../src/core/readme/rst-csv.ts";
import { DIRECTIVE_SPECS } from "../../src/core/readme/rst-directive-specs.ts";
import { analyzeRst } from "../../src/core/readme/rst-lint.ts";
import { DIRECTIVE_ALIASES, ROLE_ALIASES, ROLE_KINDS } from "../../src/core/readme/rst-names.ts";
import { columnWidth } from "../../src/core/readme/rst-text.ts";
import pygments from "../../src/data/pygments-lexers.json" with { type: "json" };
import { pythonJson } from "../helpers/peers.ts";

const corpus = readFileSync(new URL("../fixtures/readme/rst-corpus.txt", import.meta.url), "utf8")
  .split("\n%%%\n")
  .slice(1);

/**
 * Documents where the lint and readme_renderer are known to disagree, by name, with the reason.
 * Empty today: every disagreement found so far was fixed in the lint.
 */
const KNOWN_GAPS: Readonly<Record<string, string>> = {};

// Renders every document with readme_renderer (roles reset between documents: docutils keeps
// `.. role::` definitions in a module-level registry), reads the peers' own READMEs, mutates
// them with a fixed seed, and answers the table, CSV and width questions, in one process.
const ORACLE_PY = String.raw`
import csv, email, glob, io, json, os, random, re, sys, unicodedata
import pygments.lexers
import readme_renderer.rst as rr
from docutils.parsers.rst import directives, roles
from docutils.parsers.rst.languages import en
from docutils.utils import column_width
import importlib

payload = json.load(sys.stdin)

def render(text):
    roles._roles.clear()
    stream = io.StringIO()
    out = rr.render(text, stream=stream)
    m = re.match(r"<string>:\d*: \(\w+/\d\) (.*)", stream.getvalue().strip())
    return {"ok": out is not None, "message": None if out is not None else (m.group(1) if m else stream.getvalue().strip())}

site = next(p for p in sys.path if p.endswith("site-packages"))
real = []
for path in sorted(glob.glob(os.path.join(site, "*.dist-info", "METADATA"))):
    msg = email.message_from_string(open(path, encoding="utf-8").read())
    ctype = (msg.get("Description-Content-Type") or "text/x-rst").lower()
    body = msg.get_payload()
    if "x-rst" in ctype and isinstance(body, str) and body.strip():
        real.append((os.path.basename(os.path.dirname(path)), body))

rng = random.Random(20260101)
INSERTS = [".. note::", "- item", "1. x", "   | a", ".. _t: https://x", "::", "----", ":field: v", ">>> x", "*open"]
mutated = []
for name, text in real:
    lines = text.split("\n")
    for k in range(8):
        a = rng.randrange(0, max(1, len(lines)))
        part = lines[a:a + rng.randrange(5, 60)]
        for _ in range(rng.randrange(1, 4)):
            if not part:
                break
            i = rng.randrange(len(part))
            op = rng.randrange(6)
            line = part[i]
            if op == 0 and re.fullmatch(r"([=\-~^*#+])\1{3,}\s*", line):
                part[i] = line[:max(1, len(line) // 2)]
            elif op == 1:
                part[i] = "  " + line
            elif op == 2 and line.startswith(" "):
                part[i] = line.lstrip()
            elif op == 3:
                marks = [j for j, c in enumerate(line) if c in "*_|"]
                if marks:
                    j = rng.choice(marks)
                    part[i] = line[:j] + line[j + 1:]
            elif op == 4:
                part.insert(i, rng.choice(INSERTS))
            elif op == 5 and not line.strip():
                del part[i]
        mutated.append(("%s mutation %d" % (name, k), "\n".join(part)))

docs = [("corpus #%d" % i, t) for i, t in enumerate(payload["corpus"])] + real + mutated
rendered = [dict(name=n, text=t, **render(t)) for n, t in docs]

specs = {}
for name, (module, cls) in directives._directive_registry.items():
    c = getattr(importlib.import_module("docutils.parsers.rst.directives." + module), cls)
    specs[name] = [c.required_arguments, c.optional_arguments, bool(c.final_argument_whitespace),
                   bool(c.has_content), sorted((c.option_spec or {}).keys())]

class Dialect(csv.Dialect):
    delimiter, quotechar, doublequote, skipinitialspace = ",", '"', True, True
    strict, lineterminator, quoting = True, "\n", csv.QUOTE_MINIMAL

def read_csv(lines):
    try:
        return list(csv.reader((line + "\n" for line in lines), dialect=Dialect()))
    except csv.Error as e:
        return {"error": str(e)}

aliases = sorted({a.lower() for _, names, _, _ in pygments.lexers.get_all_lexers(plugins=False) for a in names})
print(json.dumps({
    "rendered": rendered,
    "directives": specs,
    "directiveAliases": en.directives,
    "roleAliases": en.roles,
    "roleRegistry": sorted(roles._role_registry.keys()),
    "pygments": aliases,
    "csv": [read_csv(lines) for lines in payload["csv"]],
    "widths": [column_width(s) for s in payload["widths"]],
}))
`;

import { seededInt } from "../helpers/random.ts";

interface OracleAnswer {
  rendered: { name: string; text: string; ok: boolean; message: string | null }[];
  directives: Record<string, [number, number, boolean, boolean, string[]]>;
  directiveAliases: Record<string, string>;
  roleAliases: Record<string, string>;
  roleRegistry: string[];
  pygments: string[];
  csv: (string[][] | { error: string })[];
  widths: number[];
}

const rng = seededInt;

const r = rng(7);
const CSV_PARTS = ["a", "b c", '"q"', '"x, y"', '""', '"un', 'end"', ",", " ", '"a""b"', "é", "\\"];
const csvInputs = Array.from({ length: 300 }, () =>
  Array.from({ length: 1 + r(3) }, () =>
    Array.from({ length: r(5) }, () => CSV_PARTS[r(CSV_PARTS.length)]).join(""),
  ),
);
const WIDTH_PARTS = [
  "a",
  "日本",
  "é",
  "e\u0301",
  "🚀",
  "한글",
  "ｆｕｌｌ",
  "\u3000",
  "·",
  "ß",
  "\u200b",
  "𝔘",
];
const widthInputs = Array.from({ length: 300 }, () =>
  Array.from({ length: 1 + r(6) }, () => WIDTH_PARTS[r(WIDTH_PARTS.length)]).join(""),
);

let answer: OracleAnswer | undefined;
const oracle = (): OracleAnswer =>
  (answer ??= pythonJson<OracleAnswer>(ORACLE_PY, { corpus, csv: csvInputs, widths: widthInputs }));

test("the rst lint gives readme_renderer's verdict on the corpus, the peers' READMEs and mutations", () => {
  const { rendered } = oracle();
  assert.ok(corpus.length >= 60, `corpus has ${corpus.length} documents`);
  assert.ok(rendered.length > corpus.length + 100, `only ${rendered.length} documents rendered`);
  assert.ok(rendered.filter((d) => !d.ok).length > 200, "too few failing documents to mean anything");
  const disagreements: string[] = [];
  for (const doc of rendered) {
    const a = analyzeRst(doc.text);
    const lintOk = a.issues.length === 0 && !a.empty;
    if (lintOk !== doc.ok && !(doc.name in KNOWN_GAPS)) {
      const lint = lintOk ? "renders" : (a.issues[0]?.message ?? "renders nothing");
      disagreements.push(`${doc.name}: readme_renderer ${doc.ok ? "renders" : doc.message}; lint ${lint}`);
    }
  }
  assert.deepEqual(disagreements, []);
  for (const name of Object.keys(KNOWN_GAPS))
    assert.ok(
      rendered.some((d) => d.name === name),
      `stale known gap ${name}`,
    );
});

test("the rst lint names the problem docutils stops at", () => {
  const missed: string[] = [];
  for (const doc of oracle().rendered) {
    if (doc.ok || doc.message === null || doc.name in KNOWN_GAPS) continue;
    const want = doc.message.replace(/ \(id="[^"]*"\)/, "").slice(0, 40);
    const a = analyzeRst(doc.text);
    const found = doc.message.startsWith("No content rendered")
      ? a.empty
      : a.issues.some((i) => i.message.startsWith(want));
    if (!found) missed.push(`${doc.name}: ${doc.message}`);
  }
  assert.deepEqual(missed, []);
});

test("directive table matches docutils 0.23: names, arguments, content and options", () => {
  const { directives, directiveAliases } = oracle();
  assert.deepEqual(DIRECTIVE_ALIASES, directiveAliases);
  assert.deepEqual(Object.keys(DIRECTIVE_SPECS).sort(), Object.keys(directives).sort());
  for (const [name, [required, optional, finalWhitespace, content, options]] of Object.entries(directives)) {
    const spec = DIRECTIVE_SPECS[name]!;
    assert.deepEqual(
      [spec.required, spec.optional, spec.finalWhitespace, spec.content, Object.keys(spec.options).sort()],
      [required, optional, finalWhitespace, content, options],
      name,
    );
  }
});

test("role table matches docutils 0.23", () => {
  const { roleAliases, roleRegistry } = oracle();
  assert.deepEqual(ROLE_ALIASES, roleAliases);
  assert.deepEqual(Object.keys(ROLE_KINDS).sort(), roleRegistry);
});

test("src/data/pygments-lexers.json is the peers' Pygments alias list (node scripts/gen-pygments-lexers.mjs)", () => {
  assert.deepEqual(pygments.aliases, oracle().pygments);
});

test("csv-table content is read like Python's csv module with docutils' dialect", () => {
  const { csv } = oracle();
  csvInputs.forEach((lines, i) => {
    const mine = parseCsv(lines, DOCUTILS_DIALECT);
    const theirs = csv[i]!;
    assert.deepEqual("error" in mine ? { error: mine.error } : mine.rows, theirs, JSON.stringify(lines));
  });
});

test("title widths are docutils column widths (wide East Asian characters, combining marks)", () => {
  const { widths } = oracle();
  widthInputs.forEach((text, i) => {
    assert.equal(columnWidth(text), widths[i], JSON.stringify(text));
  });
});
