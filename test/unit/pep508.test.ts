/** PEP 508 requirements and markers: the rules of validation.md (c) "Dependency specifiers". */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  checkMarkerSemantics,
  evaluateMarker,
  formatMarker,
  type Marker,
  markerExtras,
  parseMarker,
  tryEvaluateMarker,
} from "../../src/core/pep508/marker.ts";
import { formatRequirement, parseRequirement, type Requirement } from "../../src/core/pep508/requirement.ts";

function requirement(text: string): Requirement {
  const parsed = parseRequirement(text);
  assert.ok(parsed.ok, parsed.ok ? "" : parsed.error);
  return parsed.value;
}

function marker(text: string): Marker {
  const parsed = parseMarker(text);
  assert.ok(parsed.ok, parsed.ok ? "" : parsed.error);
  return parsed.value;
}

test("a full requirement parses into name, extras, specifiers and marker", () => {
  const r = requirement('requests [security,tests] >= 2.8.1, == 2.8.* ; python_version < "2.7"');
  assert.equal(r.name, "requests");
  assert.deepEqual(r.extras, ["security", "tests"]);
  assert.deepEqual(r.specifier, [
    { operator: ">=", version: "2.8.1" },
    { operator: "==", version: "2.8.*" },
  ]);
  assert.equal(r.url, undefined);
  assert.equal(formatRequirement(r), 'requests[security,tests]==2.8.*,>=2.8.1; python_version < "2.7"');
});

test("parenthesised specifiers are accepted and printed without parentheses", () => {
  assert.equal(formatRequirement(requirement("name (>=1.0, <2)")), "name<2,>=1.0");
  assert.equal(formatRequirement(requirement("name ()")), "name");
  assert.ok(!parseRequirement("name (>=1.0").ok);
});

test("a direct reference needs whitespace before the `;` of its marker", () => {
  const r = requirement("pkg @ https://x/y.whl ; python_version<'3.11'");
  assert.equal(r.url, "https://x/y.whl");
  assert.equal(formatRequirement(r), 'pkg @ https://x/y.whl ; python_version < "3.11"');
  // Without the space, `;…` is part of the URL and the rest is junk.
  assert.ok(!parseRequirement("pkg @ https://x/y.whl; python_version<'3.11'").ok);
  assert.equal(
    requirement("pkg @ https://x/y.whl;python_version<'3.11'").url,
    "https://x/y.whl;python_version<'3.11'",
  );
  assert.ok(!parseRequirement("pkg @ ").ok);
});

test("names and extras are identifiers; invalid shapes are rejected with a position", () => {
  for (const bad of [
    "",
    "-foo",
    "foo-",
    "foo bar",
    "foo[a b]",
    "foo[a,]",
    "foo[",
    "foo;",
    "foo>=1.0.*",
    "foo<1.0+x",
  ]) {
    const parsed = parseRequirement(bad);
    assert.ok(!parsed.ok, JSON.stringify(bad));
    assert.match(parsed.error, /at column \d+/);
  }
  // packaging's identifier token ends at a word boundary: `foo_` passes here (check names apart).
  assert.equal(requirement("foo_").name, "foo_");
  assert.deepEqual(requirement("foo[]").extras, []);
  assert.equal(formatRequirement(requirement("foo[b,a,a]>=1,")), "foo[a,b]>=1");
});

test("markers: `and` binds tighter than `or`, parentheses override it and are kept", () => {
  const m = marker("os_name=='a' or os_name=='b' and os_name=='c'");
  assert.equal(m.kind, "or");
  assert.equal(formatMarker(m), 'os_name == "a" or os_name == "b" and os_name == "c"');
  const grouped = marker("(os_name=='a' or os_name=='b') and os_name=='c'");
  assert.equal(grouped.kind, "and");
  assert.equal(formatMarker(grouped), '(os_name == "a" or os_name == "b") and os_name == "c"');
  assert.equal(formatMarker(marker("((os_name == 'a'))")), 'os_name == "a"');
  assert.equal(
    formatMarker(marker("(os_name == 'a' and os_name == 'b')")),
    'os_name == "a" and os_name == "b"',
  );
  const env = { os_name: "a" };
  assert.equal(evaluateMarker(m, env, { context: "requirement" }), true);
  assert.equal(evaluateMarker(grouped, env, { context: "requirement" }), false);
});

test("markers: single or double quotes, no chaining, no triple quotes, known variables only", () => {
  assert.equal(formatMarker(marker(`os_name == 'it"s'`)), `os_name == 'it"s'`);
  for (const bad of [
    '"3.4" < python_version < "3.9"',
    "os_name == '''nt'''",
    "python_versions == '3'",
    "os_name = 'nt'",
    "os_name notin 'nt'",
    'os_name=="a"andos_name=="b"',
    "",
  ]) {
    assert.ok(!parseMarker(bad).ok, bad);
  }
});

test("markers: legacy spellings are accepted and printed canonically", () => {
  const m = marker("os.name == 'nt' and python_implementation == 'CPython'");
  assert.equal(formatMarker(m), 'os_name == "nt" and platform_python_implementation == "CPython"');
});

test("markers: backslash escapes decode as Python's; \\N{…} is refused (deviation)", () => {
  assert.equal(formatMarker(marker(String.raw`os_name == "\x41\101\u00e9"`)), 'os_name == "AAé"');
  assert.ok(!parseMarker(String.raw`os_name == "\x4"`).ok);
  // packaging decodes named escapes through Python's Unicode name table, which we do not ship.
  const named = parseMarker(String.raw`os_name == "\N{EM DASH}"`);
  assert.ok(!named.ok && /named Unicode escapes/.test(named.error));
});

const LINUX = {
  implementation_name: "cpython",
  implementation_version: "3.11.4",
  os_name: "posix",
  platform_machine: "x86_64",
  platform_release: "6.1.0-18-amd64",
  platform_system: "Linux",
  platform_version: "#1 SMP",
  python_full_version: "3.11.4",
  platform_python_implementation: "CPython",
  python_version: "3.11",
  sys_platform: "linux",
};

test("evaluation: version variables compare as versions, strings fall back as packaging does", () => {
  const check = (text: string, want: boolean) =>
    assert.equal(evaluateMarker(marker(text), LINUX), want, text);
  check('python_version > "3.9"', true); // 3.11 > 3.9 as versions, not as text
  check('"3.9" < python_version', true);
  check('python_version == "3.*"', true);
  check('python_full_version >= "3.11.0rc1"', true);
  check('platform_release >= "6"', false); // "6.1.0-18-amd64" is no version: >= means equality
  assert.equal(
    evaluateMarker(marker('platform_release >= "6"'), { ...LINUX, platform_release: "6.1.0" }),
    true,
  );
  check('os_name < "zzz"', false); // ordered ops on strings: < and > are always false
  check('os_name <= "posix"', true); // <= and >= mean equality
  check('"lin" in sys_platform', true);
  check('python_version in "3.11.4"', true); // `in` on a version variable is a substring test
  check('extra == "Foo.Bar"', false); // metadata context: extra defaults to ""
  assert.equal(evaluateMarker(marker('extra == "Foo.Bar"'), { ...LINUX, extra: "foo_bar" }), true);
  assert.equal(
    evaluateMarker(marker('"Foo" in extras'), { ...LINUX, extras: ["foo"] }, { context: "lock_file" }),
    true,
  );
});

test("evaluation: undefined comparisons and missing variables fail (every comparison is evaluated)", () => {
  const undefinedOp = tryEvaluateMarker(marker('os_name == "x" and os_name ~= "posix"'), LINUX);
  assert.ok(!undefinedOp.ok && /undefined comparison/.test(undefinedOp.error));
  const missing = tryEvaluateMarker(marker('os_name == "posix"'), { python_version: "3.11" });
  assert.ok(!missing.ok && /os_name is not defined/.test(missing.error));
  assert.throws(() => evaluateMarker(marker('"a" == "b"'), LINUX), /b is not defined/);
  assert.throws(() => evaluateMarker(marker('extra == "x"'), LINUX, { context: "requirement" }), /extra/);
  // python_full_version of an untagged build ends in "+"; packaging repairs it to a local version.
  assert.equal(
    evaluateMarker(marker('python_full_version >= "3.14"'), { ...LINUX, python_full_version: "3.14.0+" }),
    true,
  );
});

test("markerExtras lists the extras as written, on either side", () => {
  assert.deepEqual(markerExtras(marker('extra == "Foo_Bar" or ("doc" == extra and os_name == "nt")')), [
    "Foo_Bar",
    "doc",
  ]);
  assert.deepEqual(markerExtras(marker('os_name == "nt"')), []);
  // Printing normalizes them as packaging does (PEP 685).
  assert.equal(formatMarker(marker('extra == "Foo_Bar"')), 'extra == "foo-bar"');
});

test("checkMarkerSemantics passes well-typed markers", () => {
  for (const good of [
    'python_version >= "3.8" and sys_platform == "win32"',
    '"3.8" <= python_version',
    'python_version == "3.*"',
    'platform_release >= "6.1"',
    'platform_release == "NT"',
    '"linux" in sys_platform',
    'extra == "test"',
  ]) {
    assert.deepEqual(checkMarkerSemantics(marker(good)), [], good);
  }
});

test("checkMarkerSemantics flags what publishing tools SHOULD reject", () => {
  const cases: [string, RegExp][] = [
    ['os_name < "nt"', /< on the string variable os_name/],
    ['sys_platform ~= "linux"', /~= on the string variable/],
    ['implementation_name === "cpython"', /=== on the string variable/],
    ['python_version in "3.8 3.9"', /in on the version variable python_version/],
    ['python_version not in "3.8"', /not in on the version variable/],
    ['python_version >= "three"', /"three" is not a valid version for >=/],
    ['python_version ~= "3"', /"3" is not a valid version for ~=/],
    ['"3.x" < python_version', /"3.x" is not a valid version/],
    ['platform_release > "NT"', /ordered comparison of platform_release/],
    ['"a" == "b"', /compares two constants/],
    ["python_version == os_name", /compares two variables/],
    ['"x" in extras', /extras is defined only in lock files/],
    ['"dev" in dependency_groups', /dependency_groups is defined only in lock files/],
    ['os.name == "nt"', /os\.name is a legacy spelling; write os_name/],
    ['extra > "a"', /> on the string variable extra/],
  ];
  for (const [text, pattern] of cases) {
    const problems = checkMarkerSemantics(marker(text));
    assert.equal(problems.length, 1, `${text}: ${problems.join(" | ")}`);
    assert.match(problems[0]!, pattern, text);
  }
  assert.equal(
    checkMarkerSemantics(marker('os_name < "a" or (python_version in "3" and "x" == "y")')).length,
    3,
  );
});
