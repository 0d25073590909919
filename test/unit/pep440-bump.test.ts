/**
 * Version bumps: the documented rule table, then Python's packaging 26.3 as an oracle on a
 * generated set of versions × kinds (valid, normalized, strictly greater, the right shape, and
 * refused exactly when the rules say so), and `setVersion` against packaging's ordering.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { BumpKind } from "../../src/core/pep440/bump.ts";
import { bumpVersion, describeKind, parseBumpKind, setVersion } from "../../src/core/pep440/bump.ts";
import { pythonJson } from "../helpers/peers.ts";
import { seededRandom } from "../helpers/random.ts";

const KINDS: readonly BumpKind[] = [
  "major",
  "minor",
  "patch",
  { pre: undefined },
  { pre: "a" },
  { pre: "b" },
  { pre: "rc" },
  "post",
  "dev",
  "release",
];

function kind(text: string): BumpKind {
  const parsed = parseBumpKind(text);
  assert.ok(parsed.ok, text);
  return parsed.value;
}

// [input, kind, expected output or /error/]
const CASES: [string, string, string | RegExp][] = [
  ["1.2.3", "patch", "1.2.4"],
  ["1.2.3", "minor", "1.3.0"],
  ["1.2.3", "major", "2.0.0"],
  ["1.2.0rc1", "release", "1.2.0"],
  ["1.2.0rc1", "patch", "1.2.0"],
  ["1.2.0rc1", "minor", "1.2.0"],
  ["1.2.0rc1", "major", "2.0.0"],
  ["1.2.3rc1", "minor", "1.3.0"],
  ["1.0.0.dev3", "patch", "1.0.0"],
  ["1.0.0.dev3", "major", "1.0.0"],
  ["1.0.0.dev3", "release", "1.0.0"],
  ["1.2.3", "pre", "1.2.4a1"],
  ["1.2.3", "pre=rc", "1.2.4rc1"],
  ["1.2.4rc1", "pre", "1.2.4rc2"],
  ["1.2.4rc1", "pre=rc", "1.2.4rc2"],
  ["1.2.4a2", "pre=b", "1.2.4b1"],
  ["1.2.4a2", "pre", "1.2.4a3"],
  ["1.2.4rc1", "pre=a", /already at rc; pre=a would go back/],
  ["1.2.4b3", "pre=a", /go back/],
  ["1.2.4rc2.dev1", "pre", "1.2.4rc2"],
  ["1.2.4rc1.post1", "pre", "1.2.4rc2"],
  ["1.2.4.dev3", "pre", "1.2.4a1"],
  ["1.2.4.dev3", "pre=rc", "1.2.4rc1"],
  ["1.2.3.post1", "pre=b", "1.2.4b1"],
  ["1.2.3", "post", "1.2.3.post1"],
  ["1.2.3.post1", "post", "1.2.3.post2"],
  ["1.2.3.post1.dev0", "post", "1.2.3.post1"],
  ["1.2.3rc1", "post", /strongly discourages post-releases of pre-releases/],
  ["1.2.3.dev1", "post", /development release of an unreleased version/],
  ["1.2.3", "dev", "1.2.4.dev0"],
  ["1.2.4.dev0", "dev", "1.2.4.dev1"],
  ["1.2.4rc1", "dev", "1.2.4rc2.dev0"],
  ["1.2.4rc1.dev5", "dev", "1.2.4rc1.dev6"],
  ["1.2.3.post1", "dev", "1.2.4.dev0"],
  ["1.2.3.post1.dev0", "dev", "1.2.3.post1.dev1"],
  ["1.2.3", "release", /already a final release/],
  ["1.2.3.post2", "release", /already a final release/],
  ["1.2.3.post2.dev1", "release", "1.2.3.post2"],
  ["1!2.0", "patch", "1!2.0.1"],
  ["1!2.0", "major", "1!3.0"],
  ["2024.5", "minor", "2024.6"],
  ["2024.5", "major", "2025.0"],
  ["2024.5", "patch", "2024.5.1"],
  ["1", "minor", "1.1"],
  ["1", "pre", "1.0.1a1"],
  ["1.2.3.4", "patch", "1.2.4.0"],
  ["1.2.3.4", "major", "2.0.0.0"],
  ["1.0.0.1.dev0", "patch", "1.0.1.0"],
  // Any spelling in, normalized out.
  ["v1.2.3-RC.1", "pre", "1.2.3rc2"],
  ["1.2.3-1", "post", "1.2.3.post2"],
  ["1.2.3c1", "release", "1.2.3"],
  ["1.0.dev20250904123456789012", "dev", "1.0.dev20250904123456789013"],
  ["1.0.99999999999999999999", "patch", "1.0.100000000000000000000"],
  ["1.2.3+local.7", "patch", /local version label.*PyPI refuses/],
  ["1.2.3+local.7", "release", /local version label/],
  ["not-a-version", "patch", /"not-a-version" is not a valid PEP 440 version/],
  ["", "patch", /is not a valid PEP 440 version/],
];

test("bump rules: the documented table", () => {
  for (const [input, spelled, expected] of CASES) {
    const got = bumpVersion(input, kind(spelled));
    if (typeof expected === "string")
      assert.deepEqual(got, { ok: true, value: expected }, `${input} ${spelled}`);
    else {
      assert.ok(!got.ok, `${input} ${spelled} should fail, gave ${got.ok ? got.value : ""}`);
      assert.match(got.error, expected, `${input} ${spelled}`);
    }
  }
});

test("bump kinds are parsed from the CLI spelling and printed back", () => {
  for (const text of [
    "major",
    "minor",
    "patch",
    "pre",
    "pre=a",
    "pre=b",
    "pre=rc",
    "post",
    "dev",
    "release",
  ]) {
    assert.equal(describeKind(kind(text)), text);
  }
  for (const text of ["micro", "pre=c", "pre=", "Major", ""]) {
    const parsed = parseBumpKind(text);
    assert.ok(!parsed.ok, text);
    assert.match(parsed.error, /unknown bump/);
  }
});

test("set: only strictly greater public versions, normalized; the message names both", () => {
  assert.deepEqual(setVersion("1.2.3", "1.3.0-RC1"), { ok: true, value: "1.3.0rc1" });
  assert.deepEqual(setVersion("1.2.3rc1", "1.2.3"), { ok: true, value: "1.2.3" });
  assert.deepEqual(setVersion("1.0+local", "1.0.post1"), { ok: true, value: "1.0.post1" });
  assert.deepEqual(setVersion("1.2.3", "1!0.1"), { ok: true, value: "1!0.1" });
  const cases: [string, string, RegExp][] = [
    ["1.0", "1.0.0", /^1\.0\.0 is equal to the current version 1\.0;/],
    ["1.2.3", "1.2.3rc9", /^1\.2\.3rc9 is lower than the current version 1\.2\.3;/],
    ["1.2.3", "1.3+x", /local version label/],
    ["1.2.3", "1.3-", /"1\.3-" is not a valid PEP 440 version/],
    ["nope", "1.3", /current version "nope" is not a valid/],
  ];
  for (const [current, next, error] of cases) {
    const got = setVersion(current, next);
    assert.ok(!got.ok, `${current} → ${next}`);
    assert.match(got.error, error);
  }
});

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

const NUMBERS = ["0", "0", "1", "1", "2", "3", "9", "10", "99", "2024", "007", "12345678901234567890"];
const SEP = ["", "", ".", "-", "_"];

/** A version in any spelling; about one in twelve carries a local label. */
function versionText(random: () => number): string {
  let text = random() < 0.05 ? "v" : "";
  if (random() < 0.1) text += `${pick(random, ["1", "2", "10"])}!`;
  const parts = 1 + Math.floor(random() * 4);
  for (let i = 0; i < parts; i++) text += (i === 0 ? "" : ".") + pick(random, NUMBERS);
  if (random() < 0.35) {
    text += pick(random, SEP) + pick(random, ["a", "alpha", "b", "beta", "c", "rc", "RC", "pre", "preview"]);
    text += pick(random, SEP) + (random() < 0.8 ? pick(random, NUMBERS) : "");
  }
  if (random() < 0.25) {
    text +=
      random() < 0.2
        ? `-${pick(random, NUMBERS)}`
        : `${pick(random, SEP)}${pick(random, ["post", "rev", "r"])}`;
  }
  if (random() < 0.3) text += `${pick(random, SEP)}dev${random() < 0.8 ? pick(random, NUMBERS) : ""}`;
  if (random() < 0.08) text += `+${pick(random, ["local", "ubuntu.1", "abc-2"])}`;
  return text;
}

const BUMP_ORACLE = `
import json, sys
from packaging.version import Version, InvalidVersion
cases = json.load(sys.stdin)
out = []
for text, kind, result in cases:
    a = Version(text)
    # When must the bump be refused? Written from the rules, on packaging's view of the input.
    below_final = a.pre is not None or (a.dev is not None and a.post is None)
    refuse = (a.local is not None
        or (kind == "release" and a.pre is None and a.dev is None)
        or (kind == "post" and (a.pre is not None or (a.dev is not None and a.post is None)))
        or (kind.startswith("pre=") and a.pre is not None
            and ["a", "b", "rc"].index(kind[4:]) < ["a", "b", "rc"].index(a.pre[0])))
    problems = []
    if result is None:
        if not refuse: problems.append("refused")
        out.append(problems)
        continue
    if refuse: problems.append("should be refused")
    try:
        b = Version(result)
    except InvalidVersion:
        out.append(["invalid"])
        continue
    if str(b) != result: problems.append("not normalized")
    if not b > a: problems.append("not greater")
    if b.local is not None or b.epoch != a.epoch: problems.append("local or epoch")
    if kind in ("major", "minor", "patch"):
        k = ["major", "minor", "patch"].index(kind)
        old = list(a.release) + [0] * (k + 1 - len(a.release))
        new = list(b.release)
        if b.pre is not None or b.post is not None or b.dev is not None: problems.append("not final")
        if len(new) != len(old) or new[:k] != old[:k] or any(new[k + 1:]): problems.append("shape")
        if new[k] - old[k] not in ((0, 1) if below_final else (1,)): problems.append("step")
    elif kind.startswith("pre"):
        if b.pre is None or b.post is not None or b.dev is not None: problems.append("not a pre-release")
        if kind != "pre" and b.pre[0] != kind[4:]: problems.append("phase")
    elif kind == "post":
        if b.post is None or b.pre is not None or b.dev is not None or b.release != a.release:
            problems.append("not a post-release of the same release")
    elif kind == "dev":
        if b.dev is None: problems.append("not a dev release")
    elif kind == "release":
        if b.pre is not None or b.dev is not None or b.release != a.release: problems.append("not the release")
    out.append(problems)
print(json.dumps(out))
`;

test("bumps agree with packaging: valid, normalized, greater, right shape, refused only by the rules", () => {
  const random = seededRandom(4401);
  const versions = new Set<string>();
  while (versions.size < 1500) versions.add(versionText(random));
  const cases: [string, string, string | null][] = [];
  let refused = 0;
  for (const text of versions) {
    for (const k of KINDS) {
      const got = bumpVersion(text, k);
      if (!got.ok) refused++;
      cases.push([text, describeKind(k), got.ok ? got.value : null]);
    }
  }
  const problems = pythonJson<string[][]>(BUMP_ORACLE, cases);
  const bad = cases.flatMap(([text, k, result], i) =>
    problems[i]!.length === 0 ? [] : [`${text} ${k} → ${result}: ${problems[i]!.join(", ")}`],
  );
  assert.deepEqual(bad.slice(0, 20), []);
  // The corpus exercises both outcomes broadly.
  assert.ok(refused > 1000 && refused < cases.length / 3, `refused ${refused} of ${cases.length}`);
});

const SET_ORACLE = `
import json, sys
from packaging.version import Version
out = []
for current, nxt in json.load(sys.stdin):
    a, b = Version(current), Version(nxt)
    out.append(str(b) if b > a and b.local is None else None)
print(json.dumps(out))
`;

test("set agrees with packaging's order on generated pairs", () => {
  const random = seededRandom(4402);
  const pairs: [string, string][] = [];
  for (let i = 0; i < 3000; i++) pairs.push([versionText(random), versionText(random)]);
  const expected = pythonJson<(string | null)[]>(SET_ORACLE, pairs);
  const got = pairs.map(([a, b]) => {
    const r = setVersion(a, b);
    return r.ok ? r.value : null;
  });
  assert.deepEqual(got, expected);
  assert.ok(expected.filter((e) => e !== null).length > 1000);
});
