/**
 * PEP 440 against Python's packaging 26.3 on a broad generated set (fixed seed): validity,
 * normalized text, canonical check, total order, specifier parsing and printing, contains().
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  formatSpecifierSet,
  parseSpecifierSet,
  type Specifier,
  specifierSetContains,
} from "../../src/core/pep440/specifier.ts";
import {
  canonicalizeVersion,
  compareVersions,
  formatVersion,
  isCanonicalVersion,
  parseVersion,
  type Version,
} from "../../src/core/pep440/version.ts";
import { pythonJson } from "../helpers/peers.ts";

/** Whitespace-separated tokens of a template (keeps long case lists readable). */
function words(text: string): string[] {
  return text.trim().split(/\s+/);
}

const rng = seededRandom;

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

const SEPARATORS = ["", "", "", ".", "-", "_"];
const PRE = ["a", "A", "alpha", "ALPHA", "b", "beta", "Beta", "c", "rc", "RC", "pre", "preview", "Preview"];
const POST = ["post", "POST", "rev", "r", "R"];
const NUMBERS = words("0 1 2 9 10 00 007 0100 2025 09 123456789 99999999999999999999");
const NOISE = [...words("- . _ + ! * x a dev post .. ++ v ,"), " ", "\t", "\u00a0", "\u017f", "é"];

function number(random: () => number): string {
  return pick(random, NUMBERS);
}

/** One version spelling: mostly valid PEP 440 in its many forms, some mutated into invalid. */
function versionText(random: () => number): string {
  let text = random() < 0.1 ? pick(random, ["v", "V"]) : "";
  if (random() < 0.1) text += `${number(random)}!`;
  const parts = 1 + Math.floor(random() * 4);
  for (let i = 0; i < parts; i++) text += (i === 0 ? "" : ".") + number(random);
  if (random() < 0.35) {
    text += pick(random, SEPARATORS) + pick(random, PRE) + pick(random, SEPARATORS);
    if (random() < 0.7) text += number(random);
  }
  if (random() < 0.3) {
    if (random() < 0.3) text += `-${number(random)}`;
    else {
      text += pick(random, SEPARATORS) + pick(random, POST) + pick(random, SEPARATORS);
      if (random() < 0.7) text += number(random);
    }
  }
  if (random() < 0.3) {
    text += `${pick(random, SEPARATORS)}${pick(random, ["dev", "DEV", "Dev"])}${pick(random, SEPARATORS)}`;
    if (random() < 0.7) text += number(random);
  }
  if (random() < 0.2) {
    const labels = ["ubuntu", "Foo", "1", "abc", "00", "deadbeef", "Z9"];
    text += `+${pick(random, labels)}`;
    while (random() < 0.4) text += pick(random, [".", "-", "_"]) + pick(random, labels);
  }
  if (random() < 0.1)
    text = pick(random, [" ", "\t", "\n", "\u3000", "\x1c"]) + text + pick(random, [" ", "\n", ""]);
  if (random() < 0.2) {
    const at = Math.floor(random() * (text.length + 1));
    text = text.slice(0, at) + pick(random, NOISE) + text.slice(at);
  }
  return text;
}

const FIXED_VERSIONS = [
  ...words(`
    1 1.0 1.0.0 1.0- 1..0 .1 1. v 1.0+ 1.0+a..b 1.0+-a 1.0a.1 1.0a- 1.0.post.dev 1.0-r4 1.0-1 1.0--1 0!0
    1!1.0 1.0+Foo_Bar 1.0+ubuntu-1 1.1RC1 1.0pre 1.0preview2 1.2.post-2 1.2-dev2 2025.09.04 00.09000
    12345678901234567890.1 1.0.dev20250904123456789012 1.0+abc.12345678901234567890
  `),
  "",
  " ",
  "\u017f1.0",
  "1.0.po\u017ft1",
  "1.0+\u017f",
  "1.0\u0085",
  "1.0\ufeff",
];

function versionCorpus(): string[] {
  const random = rng(440);
  const seen = new Set(FIXED_VERSIONS);
  while (seen.size < 4000) seen.add(versionText(random));
  return [...seen];
}

const VERSION_ORACLE = `
import json, sys
from packaging.version import Version, InvalidVersion
texts = json.load(sys.stdin)
out, valid = [], []
for t in texts:
    try:
        v = Version(t)
    except InvalidVersion:
        out.append(None)
        continue
    out.append(str(v))
    valid.append(v)
distinct = sorted(set(valid))
rank = {v: i for i, v in enumerate(distinct)}
ranks = [rank[v] for v in valid]
from packaging.utils import canonicalize_version
trimmed = [canonicalize_version(v) for v in valid]
print(json.dumps({"normalized": out, "ranks": ranks, "trimmed": trimmed}))
`;

test("versions: validity, normalized text, canonical form and order equal packaging's", () => {
  const texts = versionCorpus();
  const expected = pythonJson<{ normalized: (string | null)[]; ranks: number[]; trimmed: string[] }>(
    VERSION_ORACLE,
    texts,
  );
  const valid: Version[] = [];
  const mismatches: string[] = [];
  texts.forEach((text, i) => {
    const parsed = parseVersion(text);
    const got = parsed === undefined ? null : formatVersion(parsed);
    if (got !== expected.normalized[i]) {
      mismatches.push(`${JSON.stringify(text)}: ${got} vs ${expected.normalized[i]}`);
    }
    if (isCanonicalVersion(text) !== (expected.normalized[i] === text)) mismatches.push(`canonical ${text}`);
    if (parsed !== undefined) valid.push(parsed);
  });
  assert.deepEqual(mismatches, []);
  assert.ok(
    valid.length > 1500 && valid.length < texts.length - 500,
    `a mix of valid and invalid (${valid.length})`,
  );
  // Ranks among distinct versions: equal versions share a rank, so ties are checked too.
  const order = valid.map((_, i) => i).sort((i, j) => compareVersions(valid[i]!, valid[j]!));
  const ranks: number[] = new Array(valid.length);
  let rank = -1;
  order.forEach((index, k) => {
    if (k === 0 || compareVersions(valid[order[k - 1]!]!, valid[index]!) !== 0) rank++;
    ranks[index] = rank;
  });
  assert.deepEqual(ranks, expected.ranks);
  assert.deepEqual(
    valid.map((v) => canonicalizeVersion(v)),
    expected.trimmed,
  );
});

const OPERATORS = ["==", "!=", "<=", ">=", "<", ">", "~=", "==="];
const BAD_OPERATORS = ["=", "=>", "<>", "", "~", "=<"];
const SPEC_VERSIONS = [
  ...words(`
    1 1.0 1.0.0 1.1 2.0 1.0a1 1.0b2 1.0rc1 1.0.post1 1.0.dev1 1.0a1.dev1 1.0.post1.dev1 1.0+local
    1.0+local.1 1!1.0 0 0.dev0 v1.0 1.0.* 1.* 1.0.0.* 1.0a1.* 2.* 1.4.5 1.4.5a1 1.0-r4 1.0-1 1.0RC1 foo
    * 1.0.*.1 1.0+
  `),
];

function specifierClause(random: () => number): string {
  const spaced = random() < 0.2;
  return (
    (random() < 0.1 ? " " : "") +
    pick(random, random() < 0.9 ? OPERATORS : BAD_OPERATORS) +
    (spaced ? pick(random, [" ", "\t", "  ", "\u00a0"]) : "") +
    pick(random, SPEC_VERSIONS) +
    (random() < 0.1 ? " " : "")
  );
}

function specifierCorpus(): string[] {
  const random = rng(508440);
  const fixed = [
    "",
    " ",
    ",",
    ">=1.0,",
    ">=3.6.*",
    "*",
    "3.5",
    "~=1",
    "~=1.0",
    "<1.0+loc",
    "===foo",
    "=== foo bar",
  ];
  const seen = new Set(fixed);
  while (seen.size < 1000) {
    const clauses = 1 + Math.floor(random() * 3);
    const parts: string[] = [];
    for (let i = 0; i < clauses; i++) parts.push(specifierClause(random));
    seen.add(parts.join(random() < 0.5 ? "," : ", ") + (random() < 0.05 ? "," : ""));
  }
  return [...seen];
}

const CANDIDATES = [
  ...words(`
    0 0.dev0 0.9 1 1.0 1.0.0 1.0a1 1.0a2 1.0b1 1.0rc1 1.0.dev0 1.0.dev1 1.0.dev2 1.0a1.dev1 1.0a1.post1
    1.0.post0 1.0.post1 1.0.post1.dev1 1.0.post2 1.0.post1+x 1.0+local 1.0+local.1 1.0+LOCAL 1.0+other
    1.0.dev1+local 1.0a1+local 1.0.0+local 1.0.1 1.0.1a1 1.1 1.1.dev0 1.1a1 1.4.4 1.4.5 1.4.5a1 1.4.6
    1.5 1.5.dev0 1.9.9 2 2.0 2.0a1 2.0.dev0 2.1 1!0.5 1!1.0 1!2.0 v1.0 1.0-r4 foo FOO 1.0+
  `),
  "1.0 ",
  "",
];

const SPECIFIER_ORACLE = `
import json, sys
from packaging.specifiers import SpecifierSet, InvalidSpecifier
data = json.load(sys.stdin)
out = []
for text in data["sets"]:
    try:
        s = SpecifierSet(text)
    except InvalidSpecifier:
        out.append(None)
        continue
    row = []
    for pre in (None, False, True):
        row.append("".join("1" if s.contains(c, prereleases=pre) else "0" for c in data["candidates"]))
    out.append({"str": str(s), "contains": row})
print(json.dumps(out))
`;

test("specifier sets: validity, str() and contains() for every candidate equal packaging's", () => {
  const sets = specifierCorpus();
  const expected = pythonJson<({ str: string; contains: string[] } | null)[]>(SPECIFIER_ORACLE, {
    sets,
    candidates: CANDIDATES,
  });
  const mismatches: string[] = [];
  let validCount = 0;
  sets.forEach((text, i) => {
    const want = expected[i];
    const got = parseSpecifierSet(text);
    if (!got.ok || want === null || want === undefined) {
      if (got.ok !== (want !== null)) mismatches.push(`${JSON.stringify(text)} valid: ${got.ok}`);
      return;
    }
    validCount++;
    if (formatSpecifierSet(got.value) !== want.str) {
      mismatches.push(`${JSON.stringify(text)} str: ${formatSpecifierSet(got.value)} vs ${want.str}`);
    }
    [undefined, false, true].forEach((prereleases, k) => {
      const options = prereleases === undefined ? {} : { prereleases };
      const row = CANDIDATES.map((c) => (specifierSetContains(got.value, c, options) ? "1" : "0")).join("");
      if (row !== want.contains[k]) {
        const diff = CANDIDATES.filter((_, j) => row[j] !== want.contains[k]![j]);
        mismatches.push(`${JSON.stringify(text)} prereleases=${prereleases}: ${diff.join(" ")}`);
      }
    });
  });
  assert.deepEqual(mismatches, []);
  assert.ok(validCount > 300 && validCount < sets.length - 100, `a mix of valid and invalid (${validCount})`);
});

const ARBITRARY_ORACLE = `
import json, sys
from packaging.specifiers import SpecifierSet
from packaging.version import Version
data = json.load(sys.stdin)
print(json.dumps([[SpecifierSet(s).contains(Version(v)) for v in data["versions"]] for s in data["sets"]]))
`;

import { seededRandom } from "../helpers/random.ts";

test("=== compares a Version object by its normalized text, as packaging does", () => {
  const sets = ["===1.0", "===1.0.0", "===V1.0", "===1.0,>=0.5", "===1.0a1", "===1.0rc1"];
  const versions = ["1.0", "v1.0", "1.0.0", "1.0a1", "1.0-rc1", "1.0RC1"];
  const expected = pythonJson<boolean[][]>(ARBITRARY_ORACLE, { sets, versions });
  const got = sets.map((s) => {
    const set = parseSpecifierSet(s);
    assert.ok(set.ok);
    return versions.map((v) => specifierSetContains(set.value as Specifier[], parseVersion(v)!));
  });
  assert.deepEqual(got, expected);
});
