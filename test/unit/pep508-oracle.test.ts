/**
 * PEP 508 against Python's packaging 26.3 on a generated set (fixed seed): marker validity,
 * str(Marker) and evaluation in several environments; requirement validity and every part of
 * str(Requirement).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { formatSpecifierSet } from "../../src/core/pep440/specifier.ts";
import {
  formatMarker,
  type MarkerContext,
  type MarkerEnvironment,
  parseMarker,
  tryEvaluateMarker,
} from "../../src/core/pep508/marker.ts";
import { formatRequirement, parseRequirement } from "../../src/core/pep508/requirement.ts";
import { pythonJson } from "../helpers/peers.ts";

/** Whitespace-separated tokens of a template (keeps long case lists readable). */
function words(text: string): string[] {
  return text.trim().split(/\s+/);
}

const rng = seededRandom;

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

const VERSION_VARS = ["python_version", "python_full_version", "implementation_version", "platform_release"];
const STRING_VARS = [
  ...words(`
    os_name os.name sys_platform sys.platform platform_machine platform.machine platform_system
    platform_version platform.version platform_python_implementation python_implementation
    implementation_name
  `),
];
const EXTRA_VARS = ["extra", "extras", "dependency_groups"];
const BAD_VARS = ["python_versions", "platform.release", "os_Name", "unknown", "Python_version"];
const OPS = ["==", "!=", "<", "<=", ">", ">=", "~=", "===", "in", "not in", "not\tin", "not  in"];
const BAD_OPS = ["=", "<>", "notin", "is", "=>", "not"];
const VERSION_VALUES = [
  ...words(`
    3.8 3 3.10 3.11 2.7.18 3.11.0rc1 3.* 3.8.* 3.11.4 7.3 6.1 foo
  `),
  "",
];
const STRING_VALUES = [
  ...words(`
    linux win32 darwin Linux x86_64 posix nt cpython CPython lin #1
  `),
  "",
];
const EXTRA_VALUES = ["Foo_Bar", "foo-bar", "test", "doc.s", "Test", "dev", "foo..bar"];
const ESCAPED = [
  "\\x41",
  "\\n",
  "\\\\",
  "\\t",
  "\\d",
  "\\101",
  "\\u00e9",
  "\\U0001F600",
  "\\x4",
  "\\",
  "caf\u00e9",
];

function quote(random: () => number, value: string): string {
  let body = value;
  if (random() < 0.06) body += pick(random, ESCAPED);
  const q = random() < 0.5 ? '"' : "'";
  if (random() < 0.03) return `'''${body}'''`;
  return q + body + q;
}

function ws(random: () => number): string {
  return pick(random, ["", " ", " ", " ", "  ", "\t"]);
}

function markerAtom(random: () => number): string {
  const roll = random();
  let variable: string;
  let values: string[];
  if (roll < 0.4) [variable, values] = [pick(random, VERSION_VARS), VERSION_VALUES];
  else if (roll < 0.8) [variable, values] = [pick(random, STRING_VARS), STRING_VALUES];
  else if (roll < 0.95) [variable, values] = [pick(random, EXTRA_VARS), EXTRA_VALUES];
  else [variable, values] = [pick(random, BAD_VARS), STRING_VALUES];
  const op = random() < 0.95 ? pick(random, OPS) : pick(random, BAD_OPS);
  const constant = quote(random, pick(random, values));
  const sides = random();
  const [left, right] =
    sides < 0.2
      ? [constant, variable]
      : sides < 0.23
        ? [constant, quote(random, pick(random, values))]
        : sides < 0.26
          ? [variable, pick(random, VERSION_VARS)]
          : [variable, constant];
  // Word operators need spaces around them; symbols take any spacing.
  const gap = /^[a-z]/.test(op) ? " " : ws(random);
  return `${left}${gap}${op}${gap === " " ? " " : ws(random)}${right}`;
}

function markerExpression(random: () => number, depth: number): string {
  if (depth > 2 || random() < 0.45) {
    const atom = markerAtom(random);
    return random() < 0.1 ? `(${ws(random)}${atom}${ws(random)})` : atom;
  }
  const parts = 2 + Math.floor(random() * 2);
  let text = markerExpression(random, depth + 1);
  for (let i = 1; i < parts; i++) {
    text += ` ${random() < 0.5 ? "and" : "or"} ${markerExpression(random, depth + 1)}`;
  }
  return random() < 0.4 ? `(${text})` : text;
}

const FIXED_MARKERS = [
  '"3.4" < python_version < "3.9"',
  'python_version < "3.9" and',
  '(python_version < "3.9"',
  'python_version < "3.9")',
  'os_name=="a"andos_name=="b"',
  'os_name=="a"and os_name=="b"',
  'python_version>"3"or(os_name=="nt")',
  "((os_name == 'nt'))",
  "os_name == 'nt' and (sys_platform == 'win32' and platform_machine == 'x86')",
  'extra == "Foo.Bar" or "Doc_s" == extra',
  '"Foo_Bar" in extras and "Dev" not in dependency_groups',
  'python_full_version >= "3.14.0"',
  'python_version ~= "3"',
  'python_version ~= "3.8"',
  'os_name ~= "nt"',
  'os_name === "posix"',
  'python_version === "3.11"',
  'python_version in "3.11.4"',
  '"a" == "b"',
  '"os_name" == "posix"',
  "python_version == os_name",
  'os_name == "a\\\nb"',
  'os_name == "a\nb"',
  "os_name == 'a\\'",
  "",
  " ",
  "and",
  'os_name in "posix"',
  'os_name not in "posix"',
  // Backslash escapes, decoded as Python's ast.literal_eval does.
  ...[
    ...words(String.raw`\x41 \101 \777 \0 \u00e9 \U0001F600 \U00110000 \x4 \xZZ \u12 \d \\ \' \8 \x41\x22`),
    ...["\\a\\b\\f\\v\\t\\r\\n", "a\\\nb", "a\\\r\nb", "a\\\rb", "a\rb", "a\u0000b", "a\u2028b", "a\fb"],
  ].map((body) => `os_name == "${body}"`),
  "os_name == '\\\"'",
  "os_name == '\\x22\\x27'",
];

function markerCorpus(): string[] {
  const random = rng(508);
  const seen = new Set(FIXED_MARKERS);
  while (seen.size < 700) seen.add(markerExpression(random, 0));
  return [...seen];
}

const BASE_ENV = {
  implementation_name: "cpython",
  implementation_version: "3.11.4",
  os_name: "posix",
  platform_machine: "x86_64",
  platform_release: "6.1.0-18-amd64",
  platform_system: "Linux",
  platform_version: "#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1",
  python_full_version: "3.11.4",
  platform_python_implementation: "CPython",
  python_version: "3.11",
  sys_platform: "linux",
};

const WINDOWS = {
  os_name: "nt",
  platform_machine: "AMD64",
  platform_release: "10",
  platform_system: "Windows",
};
const MACOS = {
  platform_machine: "arm64",
  platform_release: "23.1.0",
  platform_system: "Darwin",
  sys_platform: "darwin",
};

const ENVIRONMENTS: { env: MarkerEnvironment; context: MarkerContext }[] = [
  { env: { ...BASE_ENV, extra: "Foo.Bar" }, context: "metadata" },
  {
    env: {
      ...BASE_ENV,
      ...WINDOWS,
      ...{ implementation_version: "3.8.10", platform_version: "10.0.19041", python_full_version: "3.8.10" },
      ...{ python_version: "3.8", sys_platform: "win32", extra: "test" },
    },
    context: "metadata",
  },
  {
    env: {
      ...BASE_ENV,
      ...MACOS,
      ...{ implementation_name: "pypy", implementation_version: "7.3.15", platform_version: "Darwin Kernel" },
      ...{ python_full_version: "3.13.0rc1", platform_python_implementation: "PyPy", python_version: "3.13" },
    },
    context: "metadata",
  },
  {
    env: {
      ...BASE_ENV,
      python_version: "foo",
      python_full_version: "3.14.0+",
      platform_release: "",
      os_name: "",
    },
    context: "metadata",
  },
  { env: { ...BASE_ENV, extras: ["Foo_Bar", "test"], dependency_groups: ["dev"] }, context: "lock_file" },
  { env: { ...BASE_ENV, extra: "doc-s" }, context: "requirement" },
];

const MARKER_ORACLE = `
import json, sys
from packaging.markers import Marker, InvalidMarker
data = json.load(sys.stdin)
envs = []
for e in data["envs"]:
    env = {k: (frozenset(v) if isinstance(v, list) else v) for k, v in e["env"].items()}
    envs.append((env, e["context"]))
out = []
for text in data["markers"]:
    try:
        m = Marker(text)
    except InvalidMarker:
        out.append(None)
        continue
    try:
        s = str(m)
    except ValueError:
        s = "!unprintable"
    results = []
    for env, context in envs:
        try:
            results.append(m.evaluate(env, context))
        except Exception as exc:
            results.append("error")
    out.append({"str": s, "eval": results})
print(json.dumps(out))
`;

test("markers: validity, str() and evaluation in six environments equal packaging's", () => {
  // packaging fills missing variables from the running interpreter: every env must be complete.
  for (const { env } of ENVIRONMENTS) for (const key of Object.keys(BASE_ENV)) assert.ok(key in env, key);
  const markers = markerCorpus();
  const expected = pythonJson<({ str: string; eval: (boolean | "error")[] } | null)[]>(MARKER_ORACLE, {
    markers,
    envs: ENVIRONMENTS,
  });
  const mismatches: string[] = [];
  let validCount = 0;
  const outcomes = new Set<string>();
  markers.forEach((text, i) => {
    const want = expected[i];
    const got = parseMarker(text);
    if (!got.ok || want === null || want === undefined) {
      if (got.ok !== (want !== null)) mismatches.push(`${JSON.stringify(text)} valid: ${got.ok}`);
      return;
    }
    validCount++;
    // packaging cannot print a value holding both quote kinds (it raises ValueError).
    if (want.str !== "!unprintable" && formatMarker(got.value) !== want.str) {
      mismatches.push(`${JSON.stringify(text)} str: ${formatMarker(got.value)} vs ${want.str}`);
    }
    ENVIRONMENTS.forEach(({ env, context }, k) => {
      const result = tryEvaluateMarker(got.value, env, { context });
      const value = result.ok ? result.value : "error";
      outcomes.add(String(value));
      if (value !== want.eval[k])
        mismatches.push(`${JSON.stringify(text)} env ${k}: ${value} vs ${want.eval[k]}`);
    });
  });
  assert.deepEqual(mismatches, []);
  assert.ok(
    validCount > 300 && validCount < markers.length - 50,
    `a mix of valid and invalid (${validCount})`,
  );
  assert.deepEqual([...outcomes].sort(), ["error", "false", "true"]);
});

const NAMES = [
  ...words(`
    requests Foo.Bar foo_bar foo- foo_ 1abc a -x Foo-Bar_baz.qux x.
  `),
  "\u00e9",
  "",
];
const EXTRAS = [
  ...words(`
    [] [a] [a,b] [a,] [ [security,tests] [b,a,a]
  `),
  "",
  "",
  "",
  "[ a , B_c ]",
  "[a b]",
];
const CLAUSES = [
  ...words(`
    >=2.8.1 <3 !=1.5 ~=1.4.2 ===1.0 >1.0a1 ==1.0+local >=1.0.* <1.0+x
  `),
  "== 2.8.*",
];
const URLS = [
  "https://example.com/pkg-1.0-py3-none-any.whl",
  "git+https://github.com/org/repo@v1.0#egg=pkg",
  "file:///tmp/pkg.tar.gz",
  "https://x/y.whl;python_version<'3'",
];

function specifierPart(random: () => number): string {
  if (random() < 0.3) return "";
  const n = 1 + Math.floor(random() * 3);
  const clauses: string[] = [];
  for (let i = 0; i < n; i++) clauses.push(pick(random, CLAUSES));
  let text = clauses.join(`${ws(random)},${ws(random)}`);
  if (random() < 0.1) text += ",";
  return random() < 0.2 ? `(${ws(random)}${text}${ws(random)})` : text;
}

function requirementText(random: () => number): string {
  let text = ws(random) + pick(random, NAMES) + ws(random) + pick(random, EXTRAS) + ws(random);
  const url = random() < 0.25;
  if (url) text += `@${ws(random)}${pick(random, URLS)}`;
  else text += specifierPart(random);
  if (random() < 0.5) {
    const space = url ? pick(random, [" ", " ", "", "\t"]) : ws(random);
    text += `${space};${ws(random)}${markerExpression(random, 1)}`;
  }
  return text + (random() < 0.1 ? " " : "");
}

function requirementCorpus(): string[] {
  const random = rng(50808);
  const fixed = [
    'requests [security,tests] >= 2.8.1, == 2.8.* ; python_version < "2.7"',
    "pip @ https://github.com/pypa/pip/archive/1.3.1.zip#sha1=da9234ee9982d4bbb3c72346a6de940a148ea686",
    "name@http://foo.com",
    "name [fred,bar] @ http://foo.com ; python_version=='2.7'",
    "name[quux, strange];python_version<'2.7' and platform_version=='2'",
    "name; os_name=='a' or os_name=='b'",
    "name>=3,",
    "name>=3,<2",
    "name ()",
    "name===1.0,>=2",
    "name===a,b",
    "name @ https://x/y.whl; os_name == 'nt'",
    "name @ https://x/y.whl ;os_name == 'nt'",
    "name @ ",
    "name;",
    "name[Foo_Bar]; extra == 'Foo_Bar'",
    "foo\u00e9",
    "foo-\u00e9>=1",
    "foo\u00a0>=1",
    "foo>=\u00a01.0",
    "foo>=1.0\u00a0",
    "foo>=\u20031.0;os_name=='nt'",
    "foo===\u00e9t\u00e9",
    "foo_ >= 1",
    "foo[bar_] >= 1",
    "foo[-bar]",
    "foo (>=1.0; os_name=='nt')",
    "foo (>=1.0) ; os_name=='nt'",
    "foo>=1.0 ,",
    "foo==1.0.*,!=1.0.1.*",
    "foo<1.0+LOCAL",
    "foo==1.0a1.*",
    "foo~=1",
    "foo>=1.0\t;\tos_name == 'nt'\t",
  ];
  const seen = new Set(fixed);
  while (seen.size < 600) seen.add(requirementText(random));
  return [...seen];
}

const REQUIREMENT_ORACLE = `
import json, sys
from packaging.requirements import Requirement, InvalidRequirement
out = []
for text in json.load(sys.stdin):
    try:
        r = Requirement(text)
    except InvalidRequirement:
        out.append(None)
        continue
    try:
        marker = None if r.marker is None else str(r.marker)
        whole = str(r)
    except ValueError:
        marker = whole = "!unprintable"
    out.append([r.name, sorted(r.extras), str(r.specifier), r.url, marker, whole])
print(json.dumps(out))
`;

import { seededRandom } from "../helpers/random.ts";

test("requirements: validity and every part of str() equal packaging's", () => {
  const texts = requirementCorpus();
  const expected = pythonJson<(unknown[] | null)[]>(REQUIREMENT_ORACLE, texts);
  const mismatches: string[] = [];
  let validCount = 0;
  texts.forEach((text, i) => {
    const want = expected[i];
    const got = parseRequirement(text);
    if (!got.ok || want === null || want === undefined) {
      if (got.ok !== (want !== null)) mismatches.push(`${JSON.stringify(text)} valid: ${got.ok}`);
      return;
    }
    validCount++;
    const r = got.value;
    const marker = r.marker === undefined ? null : formatMarker(r.marker);
    const parts = [
      r.name,
      [...new Set(r.extras)].sort(),
      formatSpecifierSet(r.specifier),
      r.url ?? null,
      want[4] === "!unprintable" ? "!unprintable" : marker,
      want[5] === "!unprintable" ? "!unprintable" : formatRequirement(r),
    ];
    if (JSON.stringify(parts) !== JSON.stringify(want)) {
      mismatches.push(`${JSON.stringify(text)}: ${JSON.stringify(parts)} vs ${JSON.stringify(want)}`);
    }
  });
  assert.deepEqual(mismatches, []);
  assert.ok(
    validCount > 150 && validCount < texts.length - 100,
    `a mix of valid and invalid (${validCount})`,
  );
});
