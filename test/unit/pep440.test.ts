/** PEP 440 versions and specifiers: the tables of validation.md (b), edge case 18 of (d), PEP rules. */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  formatSpecifierSet,
  parseSpecifier,
  parseSpecifierSet,
  type Specifier,
  specifierContains,
  specifierSetContains,
} from "../../src/core/pep440/specifier.ts";
import {
  canonicalizeVersion,
  compareVersions,
  formatVersion,
  isCanonicalVersion,
  isPrerelease,
  normalizeVersion,
  parseVersion,
  publicVersion,
} from "../../src/core/pep440/version.ts";

// validation.md (b) "Versions": input → normalized.
const NORMALIZATION_TABLE: [string, string][] = [
  ["1.1RC1", "1.1rc1"],
  ["v1.0", "1.0"],
  [" 1.0\n", "1.0"],
  ["00.09000", "0.9000"],
  ["2025.09.04", "2025.9.4"],
  ["1.1.a1", "1.1a1"],
  ["1.1-a1", "1.1a1"],
  ["1.0a.1", "1.0a1"],
  ["1.1alpha1", "1.1a1"],
  ["1.1beta2", "1.1b2"],
  ["1.1c3", "1.1rc3"],
  ["1.0pre", "1.0rc0"],
  ["1.0preview2", "1.0rc2"],
  ["1.2a", "1.2a0"],
  ["1.2-post2", "1.2.post2"],
  ["1.2post2", "1.2.post2"],
  ["1.2.post-2", "1.2.post2"],
  ["1.0-r4", "1.0.post4"],
  ["1.0-1", "1.0.post1"],
  ["1.2.post", "1.2.post0"],
  ["1.2-dev2", "1.2.dev2"],
  ["1.2dev", "1.2.dev0"],
  ["1.2.dev", "1.2.dev0"],
  ["1.0+ubuntu-1", "1.0+ubuntu.1"],
  ["1.0+Foo_Bar", "1.0+foo.bar"],
  ["1!2.0", "1!2.0"],
];

test("versions normalize as the table of validation.md (b)", () => {
  for (const [input, normalized] of NORMALIZATION_TABLE) {
    assert.equal(normalizeVersion(input), normalized, input);
  }
});

test("versions that are not PEP 440 are rejected (`1.0-`, empty parts, stray text)", () => {
  for (const bad of [
    "1.0-",
    "",
    " ",
    "1..0",
    ".1",
    "1.",
    "v",
    "1.0+",
    "1.0+a..b",
    "1.0.*",
    "1.0 a1",
    "latest",
    "1,0",
  ]) {
    assert.equal(parseVersion(bad), undefined, JSON.stringify(bad));
  }
});

test("parsed versions expose their parts; local parts are numbers or lowercase text", () => {
  assert.deepEqual(parseVersion("1.0"), { epoch: 0, release: [1, 0] });
  assert.deepEqual(parseVersion("2!1.2.3rc4.post5.dev6+Ubuntu-07.x"), {
    epoch: 2,
    release: [1, 2, 3],
    pre: ["rc", 4],
    post: 5,
    dev: 6,
    local: ["ubuntu", 7, "x"],
  });
});

test("the canonical check is str(Version(v)) == v", () => {
  for (const yes of ["1.0", "1!2.0", "1.0a1", "1.0.post1.dev2", "1.0+foo.1", "0.0.1", "1.0.0"]) {
    assert.ok(isCanonicalVersion(yes), yes);
  }
  for (const no of ["v1.0", "1.0-1", "0!1.0", "01.0", "1.0RC1", "1.0+foo.01", "1.0+Foo", " 1.0", "nope"]) {
    assert.ok(!isCanonicalVersion(no), no);
  }
});

test("trailing zeros are stripped only by canonicalizeVersion, for comparison", () => {
  assert.equal(formatVersion(parseVersion("1.0.0")!), "1.0.0");
  assert.equal(canonicalizeVersion("1.0.0"), "1");
  assert.equal(canonicalizeVersion("1.4.0.0.0"), "1.4");
  assert.equal(canonicalizeVersion("0.0"), "0");
  assert.equal(canonicalizeVersion("1.0.0", { stripTrailingZero: false }), "1.0.0");
  assert.equal(canonicalizeVersion("foo bar"), "foo bar");
});

test("the order is PEP 440's: dev < a < b < rc < final < post, epochs first, locals last", () => {
  const ascending = [
    "1.0.dev0",
    "1.0.dev1",
    "1.0a1.dev1",
    "1.0a1",
    "1.0a1.post1.dev1",
    "1.0a1.post1",
    "1.0a2",
    "1.0b1",
    "1.0rc1",
    "1.0",
    "1.0+abc",
    "1.0+abc.1",
    "1.0+1",
    "1.0+2.abc",
    "1.0.post1.dev0",
    "1.0.post1",
    "1.0.post1+x",
    "1.0.1",
    "1.1.dev0",
    "2.0",
    "1!0.1",
  ];
  const parsed = ascending.map((v) => parseVersion(v)!);
  for (let i = 1; i < parsed.length; i++) {
    assert.ok(compareVersions(parsed[i - 1]!, parsed[i]!) < 0, `${ascending[i - 1]} < ${ascending[i]}`);
    assert.ok(compareVersions(parsed[i]!, parsed[i - 1]!) > 0, `${ascending[i]} > ${ascending[i - 1]}`);
  }
  assert.equal(compareVersions(parseVersion("1.0")!, parseVersion("1.0.0.0")!), 0);
  assert.equal(compareVersions(parseVersion("1.0+ABC")!, parseVersion("1.0+abc")!), 0);
});

test("integers beyond 2^53 keep their exact digits, in text and in order", () => {
  const a = parseVersion("1.0.dev20250904123456789012")!;
  const b = parseVersion("1.0.dev20250904123456789013")!;
  assert.equal(formatVersion(a), "1.0.dev20250904123456789012");
  assert.ok(compareVersions(a, b) < 0);
  assert.equal(normalizeVersion("0099999999999999999999.1"), "99999999999999999999.1");
  const spec = parseSpecifierSet("==99999999999999999999.*");
  assert.ok(spec.ok);
  assert.ok(specifierSetContains(spec.value, "99999999999999999999.5"));
  assert.ok(!specifierSetContains(spec.value, "99999999999999999998.5"));
});

test("isPrerelease and publicVersion", () => {
  assert.ok(isPrerelease(parseVersion("1.0.dev1")!));
  assert.ok(isPrerelease(parseVersion("1.0rc1")!));
  assert.ok(!isPrerelease(parseVersion("1.0.post1")!));
  assert.equal(formatVersion(publicVersion(parseVersion("1.0+local")!)), "1.0");
});

// validation.md (d) 18: specifiers that tools once tolerated in Requires-Python.
test("edge case 18: `>=3.6.*`, `*` and `3.5` are invalid specifiers", () => {
  for (const bad of [">=3.6.*", "*", "3.5"]) {
    const set = parseSpecifierSet(bad);
    assert.ok(!set.ok, bad);
    assert.match(set.error, new RegExp(bad.replace(/[.*]/g, "\\$&")));
  }
  assert.match((parseSpecifierSet(">=3.6.*") as { error: string }).error, /only with == and !=/);
  assert.match((parseSpecifierSet("3.5") as { error: string }).error, /needs an operator/);
  assert.ok(parseSpecifierSet(">=3.6").ok);
  assert.ok(parseSpecifierSet("==3.6.*").ok);
});

test("specifier syntax: `.*` only with == and !=, `~=` needs two parts, local only with ==, !=, ===", () => {
  for (const good of [
    "==1.0.*",
    "!=1.*",
    "~=1.0",
    "==1.0+local",
    "!=1.0+local",
    "===1.0+local",
    "===anything",
    "< 1.0",
  ]) {
    assert.ok(parseSpecifier(good).ok, good);
  }
  for (const bad of [
    ">=1.0.*",
    "~=1.0.*",
    "==1.0a1.*",
    "==1.*.0",
    "~=1",
    "<=1.0+local",
    "~=1.0+local",
    "=1.0",
    "1.0",
  ]) {
    assert.ok(!parseSpecifier(bad).ok, bad);
  }
  assert.deepEqual(parseSpecifier(" >= 1.0 "), { ok: true, value: { operator: ">=", version: "1.0" } });
  assert.deepEqual(parseSpecifier("===v1.0"), { ok: true, value: { operator: "===", version: "v1.0" } });
});

test("specifier sets: empty parts and a trailing comma are allowed; str() sorts and deduplicates", () => {
  assert.deepEqual(parseSpecifierSet(""), { ok: true, value: [] });
  assert.deepEqual(parseSpecifierSet(" , ,"), { ok: true, value: [] });
  const set = parseSpecifierSet(">=1.0, <2,!=1.5.*,>=1,");
  assert.ok(set.ok);
  assert.equal(set.value.length, 4);
  assert.equal(formatSpecifierSet(set.value), "!=1.5.*,<2,>=1");
  assert.equal(
    formatSpecifierSet([
      { operator: "~=", version: "1.0" },
      { operator: "~=", version: "1.0.0" },
    ]),
    "~=1.0,~=1.0.0",
  );
});

function contains(spec: string, version: string, prereleases?: boolean): boolean {
  const set = parseSpecifierSet(spec);
  assert.ok(set.ok, spec);
  return specifierSetContains(set.value, version, prereleases === undefined ? {} : { prereleases });
}

test("contains: the operator rules of the spec", () => {
  assert.ok(contains("==1.0", "1.0.0"));
  assert.ok(contains("==1.0", "1.0+local"), "== without local ignores the candidate's local");
  assert.ok(!contains("==1.0+a", "1.0+b"));
  assert.ok(contains("==1.1.*", "1.1.post1") && contains("==1.1.*", "1.1a1") && !contains("==1.1.*", "1.10"));
  assert.ok(contains("!=1.1.*", "1.2") && !contains("!=1.1.*", "1.1.5"));
  assert.ok(contains("~=2.2", "2.9") && !contains("~=2.2", "3.0") && !contains("~=2.2", "2.1"));
  assert.ok(contains("~=1.4.5", "1.4.9") && !contains("~=1.4.5", "1.5.0"));
  assert.ok(!contains(">1.7", "1.7.post1"), ">V excludes post-releases of V");
  assert.ok(contains(">1.7.post2", "1.7.post3"));
  assert.ok(!contains(">1.7", "1.7+local"));
  assert.ok(!contains("<1.7", "1.7a1"), "<V excludes pre-releases of V");
  assert.ok(contains("<1.7rc1", "1.7a1"));
  assert.ok(contains("<=1.7", "1.7+local"));
  assert.ok(contains("===1.0", "1.0") && !contains("===1.0", "1.0.0") && contains("===FOO", "foo"));
});

test("contains: pre-releases match unless prereleases is false (packaging 26 semantics)", () => {
  // packaging ≥ 26: one candidate has no alternatives, so PEP 440's fallback admits it.
  assert.ok(contains(">=1.0", "2.0a1"));
  assert.ok(!contains(">=1.0", "2.0a1", false));
  assert.ok(contains(">=1.0", "2.0a1", true));
  assert.ok(
    contains(">=1.0a1", "2.0a1", false) === false,
    "prereleases=false wins over a pre-release specifier",
  );
  assert.ok(contains("", "2.0a1") && !contains("", "2.0a1", false));
});

test("contains: text that is not a version matches only === or the empty set", () => {
  assert.ok(!contains(">=1.0", "foo"));
  assert.ok(contains("===foo", "FOO"));
  assert.ok(!contains("===foo,>=1", "foo"));
  assert.ok(contains("", "foo"));
});

test("specifierContains and reuse of one specifier object across calls", () => {
  const spec: Specifier = { operator: ">=", version: "1.0" };
  assert.ok(specifierContains(spec, "1.0"));
  assert.ok(!specifierContains(spec, "0.9"));
  spec.version = "2.0"; // a mutated specifier is recompiled, not served stale
  assert.ok(!specifierContains(spec, "1.5"));
  assert.ok(specifierContains({ operator: "==", version: "1.*" }, parseVersion("1.5")!));
  assert.ok(!specifierContains({ operator: ">=", version: "garbage" }, "1.0"));
});

test("deviation: `~=` with `ſ`/`ı` letters, which packaging's Unicode-mode branch accepts, is rejected", () => {
  // packaging accepts `~=1.0.poſt1` as a specifier, then fails an assertion in contains();
  // rejecting it up front is the only useful answer.
  assert.ok(!parseSpecifier("~=1.0.po\u017ft1").ok);
});
