/**
 * `status decide` (core/status/decide.ts, policy.ts, notes.ts) as a table of scenarios: each
 * kind of change × level × runtime/dev × fix or none, under the documented default policy,
 * asserting the decision and that the justification names the finding; then the secrets, the
 * precedence between findings, ignores, the policy table's parsing, and the release notes.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { decideRelease } from "../../src/core/status/decide.ts";
import { assembleStatusDiff } from "../../src/core/status/diff.ts";
import type { StatusFinding, StatusLevel } from "../../src/core/status/document.ts";
import { DEFAULT_POLICY, type Decision, parseSecurityPolicy } from "../../src/core/status/policy.ts";
import { SlipwayError } from "../../src/errors.ts";
import { dep, doc, secret } from "../helpers/status-docs.ts";

const FACTS = { publishedVersion: "1.0.0" };
const policy = parseSecurityPolicy(undefined);

// The default policy as docs/status-decide.md states it (written out, not read from the code).
type Case =
  | "runtime-fixed"
  | "runtime-unfixed"
  | "dev-fixed"
  | "dev-unfixed"
  | "resolved-runtime"
  | "resolved-dev";
const DOCUMENTED: Record<Case, Record<Exclude<StatusLevel, "info">, Decision>> = {
  "runtime-fixed": {
    critical: "release-now",
    high: "release-now",
    moderate: "release-recommended",
    low: "no-action",
  },
  "runtime-unfixed": { critical: "hold", high: "hold", moderate: "no-action", low: "no-action" },
  "dev-fixed": {
    critical: "release-recommended",
    high: "release-recommended",
    moderate: "no-action",
    low: "no-action",
  },
  "dev-unfixed": { critical: "no-action", high: "no-action", moderate: "no-action", low: "no-action" },
  "resolved-runtime": {
    critical: "release-recommended",
    high: "release-recommended",
    moderate: "no-action",
    low: "no-action",
  },
  "resolved-dev": { critical: "no-action", high: "no-action", moderate: "no-action", low: "no-action" },
};

type Kind = "new" | "raised" | "fix-available" | "ignore-expired" | "resolved";
const KINDS: Kind[] = ["new", "raised", "fix-available", "ignore-expired", "resolved"];
const LEVELS: Exclude<StatusLevel, "info">[] = ["critical", "high", "moderate", "low"];
const BELOW: Record<StatusLevel, StatusLevel> = {
  critical: "high",
  high: "moderate",
  moderate: "low",
  low: "info",
  info: "info",
};

/** The old and new documents in which `finding` changes by `kind`. */
function scenario(kind: Kind, level: StatusLevel, runtime: boolean, fixed: boolean) {
  const id = `GHSA-${kind}-${level}-${runtime ? "rt" : "dev"}-${fixed ? "fix" : "nofix"}`;
  const now = dep(id, level, {
    runtime,
    fixedIn: fixed ? "1.0.1" : null,
    pkg: `pkg-${runtime ? "rt" : "dev"}`,
  });
  const before: StatusFinding | undefined =
    kind === "new"
      ? undefined
      : kind === "raised"
        ? { ...now, level: BELOW[level] }
        : kind === "fix-available"
          ? { ...now, fixedIn: null }
          : kind === "ignore-expired"
            ? { ...now, ignored: { reason: "unreachable code path", expires: "2026-12-05" } }
            : now;
  const after =
    kind === "resolved"
      ? []
      : kind === "ignore-expired"
        ? [{ ...now, ignored: { reason: "unreachable code path", expires: "2026-12-05" } }]
        : [now];
  return {
    id,
    older: doc("2026-12-01", before === undefined ? [] : [before]),
    newer: doc("2026-12-07", after),
  };
}

function expected(
  kind: Kind,
  level: Exclude<StatusLevel, "info">,
  runtime: boolean,
  fixed: boolean,
): Decision {
  if (kind === "resolved") return DOCUMENTED[runtime ? "resolved-runtime" : "resolved-dev"][level];
  return DOCUMENTED[`${runtime ? "runtime" : "dev"}-${fixed ? "fixed" : "unfixed"}`][level];
}

test("the scenario table: change × level × runtime/dev × fix/none under the default policy", () => {
  let rows = 0;
  for (const kind of KINDS) {
    for (const level of LEVELS) {
      for (const runtime of [true, false]) {
        for (const fixed of [true, false]) {
          // A fix that became available is a fix: that change has no "none" column.
          if (kind === "fix-available" && !fixed) continue;
          const { id, older, newer } = scenario(kind, level, runtime, fixed);
          const diff = assembleStatusDiff(older, newer);
          const want = expected(kind, level, runtime, fixed);
          const row = `${kind} ${level} ${runtime ? "runtime" : "dev"} ${fixed ? "fixed" : "unfixed"}`;
          assert.equal(diff.changes.length, 1, `${row}: one change`);
          const result = decideRelease(diff, policy, FACTS);
          assert.equal(result.decision, want, row);
          assert.equal(result.reasons.length, 1, row);
          assert.equal(result.reasons[0]?.decision, want, row);
          assert.ok(
            result.justification.includes(id),
            `${row}: the justification names ${id}: ${result.justification}`,
          );
          assert.ok(result.justification.includes(level), `${row}: and its level`);
          if (want === "release-now" || want === "release-recommended") {
            assert.match(result.releaseNotes, /^### Security\n\n- /, row);
            assert.ok(result.releaseNotes.includes(id), `${row}: the notes name ${id}`);
          } else {
            assert.equal(result.releaseNotes, "", `${row}: nothing to announce`);
          }
          rows += 1;
        }
      }
    }
  }
  assert.equal(rows, 72);
});

test("a lowered level and a new finding under an ignore in force call for nothing", () => {
  const lowered = decideRelease(
    assembleStatusDiff(
      doc("2026-12-01", [dep("GHSA-l", "critical")]),
      doc("2026-12-07", [dep("GHSA-l", "low")]),
    ),
    policy,
    FACTS,
  );
  assert.equal(lowered.decision, "no-action");
  assert.match(lowered.justification, /GHSA-l.*lowered from critical/);
  const ignored = dep("GHSA-i", "critical", { extra: { ignored: { reason: "r", expires: "2026-12-08" } } });
  const quiet = decideRelease(
    assembleStatusDiff(doc("2026-12-01", []), doc("2026-12-07", [ignored])),
    policy,
    FACTS,
  );
  assert.equal(quiet.decision, "no-action");
  assert.match(quiet.justification, /GHSA-i.*ignored until 2026-12-08/);
});

test("secrets: one that shipped in a distribution is release-now; one in the tree is not a release", () => {
  const shipped = decideRelease(
    assembleStatusDiff(doc("2026-12-01", []), doc("2026-12-07", [secret("pypi-upload-token", "wheel")])),
    policy,
    FACTS,
  );
  assert.equal(shipped.decision, "release-now");
  assert.match(shipped.justification, /pypi-upload-token.*demo-1\.0\.0-py3-none-any\.whl.*secret-shipped/);
  assert.match(shipped.releaseNotes, /removes a credential that shipped/);
  const tree = decideRelease(
    assembleStatusDiff(doc("2026-12-01", []), doc("2026-12-07", [secret("aws-access-key", "tree")])),
    policy,
    FACTS,
  );
  assert.equal(tree.decision, "no-action");
  assert.match(tree.justification, /aws-access-key.*src\/app\.py:3.*secret-source/);
});

test("the strongest wins: release-now over hold over release-recommended; every driver named", () => {
  const now = dep("GHSA-now", "high", { pkg: "jinja2", fixedIn: "3.1.6" });
  const now2 = dep("GHSA-now2", "critical", { pkg: "urllib3", fixedIn: "2.2.2" });
  const hold = dep("GHSA-hold", "critical", { pkg: "lxml", fixedIn: null });
  const rec = dep("GHSA-rec", "moderate", { pkg: "requests" });
  const decide = (findings: StatusFinding[]) =>
    decideRelease(assembleStatusDiff(doc("2026-12-01", []), doc("2026-12-07", findings)), policy, FACTS);
  const all = decide([now, hold, rec, now2]);
  assert.equal(all.decision, "release-now");
  assert.match(all.justification, /^Release demo now \(published: 1\.0\.0\): /);
  assert.ok(all.justification.includes("GHSA-now ") && all.justification.includes("GHSA-now2"));
  assert.match(
    all.justification,
    /2 other change\(s\) call for less: GHSA-hold \(new, hold\), GHSA-rec \(new, release-recommended\)\.$/,
  );
  assert.equal(
    all.releaseNotes,
    "### Security\n\n- bumps jinja2 to 3.1.6 (GHSA-now, high)\n- bumps requests to 1.0.1 (GHSA-rec, moderate)\n- bumps urllib3 to 2.2.2 (GHSA-now2, critical)\n",
  );
  const held = decide([hold, rec]);
  assert.equal(held.decision, "hold");
  assert.match(held.justification, /GHSA-hold.*no fix known.*Releasing changes nothing/);
  assert.equal(decide([rec]).decision, "release-recommended");
  assert.equal(decide([]).decision, "no-action");
  assert.match(decide([]).justification, /did not change/);
});

test("one package's advisories make one bump, to the highest fixed version (PEP 440 order)", () => {
  const a = dep("GHSA-a", "high", { pkg: "jinja2", fixedIn: "3.1.10" });
  const b = dep("GHSA-b", "critical", { pkg: "jinja2", fixedIn: "3.1.9" });
  const result = decideRelease(
    assembleStatusDiff(doc("2026-12-01", []), doc("2026-12-07", [a, b])),
    policy,
    FACTS,
  );
  assert.equal(
    result.releaseNotes,
    "### Security\n\n- bumps jinja2 to 3.1.10 (GHSA-b, critical; GHSA-a, high)\n",
  );
});

test("the policy table: per level or one decision for all, over the defaults; mistakes are config errors", () => {
  assert.deepEqual(parseSecurityPolicy({}), DEFAULT_POLICY);
  const custom = parseSecurityPolicy({
    "runtime-unfixed": { critical: "release-now" },
    "dev-fixed": "no-action",
    "secret-source": "release-recommended",
  });
  assert.equal(custom["runtime-unfixed"].critical, "release-now");
  assert.equal(custom["runtime-unfixed"].high, "hold", "the other levels keep their default");
  assert.deepEqual(Object.values(custom["dev-fixed"]), [
    "no-action",
    "no-action",
    "no-action",
    "no-action",
    "no-action",
  ]);
  const held = dep("GHSA-h", "critical", { fixedIn: null });
  const diff = assembleStatusDiff(doc("2026-12-01", []), doc("2026-12-07", [held]));
  assert.equal(decideRelease(diff, custom, FACTS).decision, "release-now");
  assert.equal(decideRelease(diff, policy, FACTS).decision, "hold");
  assert.equal(DEFAULT_POLICY["runtime-unfixed"].critical, "hold", "the defaults are not changed by a parse");
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ "runtime-fixed": { severe: "hold" } }, /runtime-fixed\.severe: not a level/],
    [{ "runtime-fixed": { high: "ship-it" } }, /runtime-fixed\.high is "ship-it", not a decision/],
    [{ "secret-shipped": 3 }, /secret-shipped is an integer, not a decision/],
    [{ "runtime-fixd": "hold" }, /unknown key "runtime-fixd"/],
  ];
  for (const [table, message] of bad) {
    assert.throws(
      () => parseSecurityPolicy(table),
      (e: unknown) => e instanceof SlipwayError && e.code === "config" && message.test(e.message),
      String(message),
    );
  }
});
