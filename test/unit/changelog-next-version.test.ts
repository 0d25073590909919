import assert from "node:assert/strict";
import { test } from "node:test";
import { parseCommits } from "../../src/core/changelog/commits.ts";
import { parseFragments } from "../../src/core/changelog/fragments.ts";
import { assembleBump } from "../../src/core/changelog/next-version.ts";

function changes(...subjects: string[]) {
  return parseCommits(subjects.map((subject, i) => ({ hash: `${i}`.padStart(40, "a"), subject, body: "" })))
    .changes;
}

test("breaking → major, feat → minor, fix/perf → patch, nothing that bumps → none (from 1.0 on)", () => {
  const kind = (...s: string[]) => assembleBump(changes(...s), { current: "1.4.2" }).kind;
  assert.equal(kind("fix: a", "feat!: b", "feat: c"), "major");
  assert.equal(kind("fix: a", "feat: c", "docs: d"), "minor");
  assert.equal(kind("perf: a", "docs: d"), "patch");
  assert.equal(kind("docs: d", "chore: e", "Update README"), "none");
  assert.equal(kind(), "none");
});

test("the reasons are the changes that decided the kind, in input order", () => {
  const decision = assembleBump(changes("fix: a", "feat(cli): b", "docs: c", "feat: d"), {
    current: "2.0.0",
  });
  assert.equal(decision.kind, "minor");
  assert.deepEqual(
    decision.reasons.map((r) => [r.change.description, r.kind, r.why]),
    [
      ["b", "minor", "type feat"],
      ["d", "minor", "type feat"],
    ],
  );
  assert.deepEqual(assembleBump(changes("docs: x"), { current: "2.0.0" }).reasons, []);
});

test("below 1.0: breaking bumps minor and feat stays minor by default; both rules configurable", () => {
  const breaking = changes("feat!: drop x", "fix: y");
  const feat = changes("feat: x");
  const pre = assembleBump(breaking, { current: "0.9.3" });
  assert.deepEqual([pre.kind, pre.preOne], ["minor", true]);
  assert.equal(pre.reasons[0]?.implied, "major");
  assert.equal(pre.reasons[0]?.why, "`!` in the header (major → minor below 1.0)");
  assert.equal(
    assembleBump(breaking, { current: "0.9.3", rules: { preOneBreakingIsMinor: false } }).kind,
    "major",
  );
  assert.equal(assembleBump(feat, { current: "0.9.3" }).kind, "minor");
  assert.equal(assembleBump(feat, { current: "0.9.3", rules: { preOneFeatIsPatch: true } }).kind, "patch");
  // With both rules, a breaking change and a feat tie at minor and both are reasons.
  const both = assembleBump([...breaking, ...feat], { current: "0.2.0" });
  assert.deepEqual(
    both.reasons.map((r) => r.change.description),
    ["drop x", "x"],
  );
});

test("pre-1.0 is read from the PEP 440 version: 0.x pre-releases count, 1.0rc1 does not; bad text throws", () => {
  const breaking = changes("fix!: x");
  assert.equal(assembleBump(breaking, { current: "0.5.0rc1" }).kind, "minor");
  assert.equal(assembleBump(breaking, { current: "v1.0.0rc1" }).kind, "major");
  assert.equal(assembleBump(breaking, { current: undefined }).kind, "major");
  assert.throws(() => assembleBump(breaking, { current: "1.0-beta.x" }), /not a PEP 440 version/);
});

test("fragments bump like the commit types they stand for", () => {
  const fragments = parseFragments([
    { name: "3.fixed.md", text: "A fix." },
    { name: "4.added.md", text: "A feature." },
  ]).changes;
  const decision = assembleBump(fragments, { current: "1.0.0" });
  assert.equal(decision.kind, "minor");
  assert.equal(decision.reasons[0]?.why, "fragment 4.added.md");
});
