import assert from "node:assert/strict";
import { test } from "node:test";
import type { Change } from "../../src/core/changelog/change.ts";
import { type CommitRecord, parseCommits } from "../../src/core/changelog/commits.ts";
import { breakingNotes, parseFooters, parseHeader } from "../../src/core/changelog/message.ts";
import { assessHistoryRange } from "../../src/core/changelog/range.ts";

let counter = 0;
/** A record with a fresh 40-hex hash. */
function commit(subject: string, body = ""): CommitRecord {
  counter++;
  return { hash: counter.toString(16).padStart(40, "0"), subject, body };
}

const summary = (c: Change) =>
  `${c.section ?? "hidden"}|${c.bump}|${c.scope ?? ""}|${c.breaking ? "!" : ""}${c.description}`;

test("parseHeader reads type(scope)!: description, case-insensitive types, and rejects look-alikes", () => {
  assert.deepEqual(parseHeader("feat(cli)!: add --json"), {
    type: "feat",
    scope: "cli",
    bang: true,
    description: "add --json",
  });
  assert.deepEqual(parseHeader("Fix: Crash"), {
    type: "fix",
    scope: undefined,
    bang: false,
    description: "Crash",
  });
  assert.equal(parseHeader("fix(): empty scope")?.scope, undefined);
  for (const line of [
    "Update README",
    "fix:no space",
    "fix : spaced",
    "feat!(cli): bang first",
    "fix: ",
    "1.0: x",
  ]) {
    assert.equal(parseHeader(line), undefined, line);
  }
});

test("parseFooters: trailing footer paragraphs, `Token #value`, continuation lines, URLs are not tokens", () => {
  const body = [
    "See http://example.com: it explains.",
    "",
    "Reviewed-by: Z",
    "Refs #133",
    "",
    "BREAKING CHANGE: the config key `a`",
    "  is now `b`.",
    "Signed-off-by: A <a@example.com>",
  ].join("\n");
  assert.deepEqual(parseFooters(body), [
    { token: "Reviewed-by", value: "Z" },
    { token: "Refs", value: "133" },
    { token: "BREAKING CHANGE", value: "the config key `a`\nis now `b`." },
    { token: "Signed-off-by", value: "A <a@example.com>" },
  ]);
  assert.deepEqual(parseFooters("just prose\nover lines"), []);
  assert.deepEqual(parseFooters("http://example.com/x"), []);
});

test("breakingNotes: footer anywhere at a paragraph start, both spellings; lower case is not a token", () => {
  assert.deepEqual(breakingNotes("BREAKING CHANGE: one\n\nmore prose\n\nSigned-off-by: A"), ["one"]);
  assert.deepEqual(breakingNotes("Intro.\n\nBREAKING-CHANGE: two"), ["two"]);
  assert.deepEqual(breakingNotes("BREAKING CHANGES: plural, as Angular writes it"), [
    "plural, as Angular writes it",
  ]);
  assert.deepEqual(breakingNotes("breaking change: not per the spec"), []);
  assert.deepEqual(breakingNotes("We avoid a BREAKING CHANGE: mid-sentence is no footer."), []);
});

test("types map to Keep a Changelog sections and bumps; hidden types stay hidden unless breaking", () => {
  const history = parseCommits([
    commit("feat(cli): add --json"),
    commit("fix: crash on empty README"),
    commit("perf(build): reuse venvs"),
    commit("deprecate: the --legacy flag"),
    commit("remove: the old API"),
    commit("docs: explain stages"),
    commit("chore(deps): bump"),
    commit("refactor!: require Python 3.10"),
    commit("wip: unknown type"),
    commit("constructor: not a prototype lookup"),
  ]);
  assert.deepEqual(history.changes.map(summary), [
    "Added|minor|cli|add --json",
    "Fixed|patch||crash on empty README",
    "Changed|patch|build|reuse venvs",
    "Deprecated|minor||the --legacy flag",
    "Removed|major||the old API",
    "hidden|none||explain stages",
    "hidden|none|deps|bump",
    "Changed|major||!require Python 3.10",
    "hidden|none||unknown type",
    "hidden|none||not a prototype lookup",
  ]);
  assert.deepEqual(history.nonConventional, []);
});

test("breaking changes: `!` and footers, the note kept for the changelog", () => {
  const [bang, footer, hyphen] = parseCommits([
    commit("feat(api)!: rename run()"),
    commit(
      "fix: stricter parsing",
      "The parser is strict now.\n\nBREAKING CHANGE: `1.0-1` is rejected.\n\nRefs: #4",
    ),
    commit("perf: faster", "BREAKING-CHANGE: needs 2 GB of RAM"),
  ]).changes;
  assert.equal(bang?.bumpReason, "`!` in the header");
  assert.deepEqual([bang?.breaking, bang?.bump, bang?.section], [true, "major", "Added"]);
  assert.deepEqual(footer?.breakingNotes, ["`1.0-1` is rejected."]);
  assert.deepEqual([footer?.bump, footer?.bumpReason], ["major", "BREAKING CHANGE footer"]);
  assert.deepEqual([hyphen?.bump, hyphen?.breakingNotes], ["major", ["needs 2 GB of RAM"]]);
});

test("security: type, scope or footer list the change under Security and make it at least a patch", () => {
  const history = parseCommits([
    commit("security: escape HTML in reports"),
    commit("fix(security): redact tokens"),
    commit("feat: signed uploads", "Security: GHSA-xxxx-yyyy-zzzz"),
    commit("chore(security): bump urllib3"),
  ]);
  assert.deepEqual(history.changes.map(summary), [
    "Security|patch||escape HTML in reports",
    "Security|patch|security|redact tokens",
    "Security|minor||signed uploads",
    "Security|patch|security|bump urllib3",
  ]);
});

test("squash merges: each `* type: …` item is its own change; the rest of the body stays with the subject", () => {
  const body = [
    "* feat(cli): add --json",
    "",
    "Long explanation.",
    "",
    "* fix: crash",
    "",
    "* address review comments",
    "",
    "* refactor!: drop the v1 API",
    "",
    "BREAKING CHANGE: v1 endpoints are gone.",
    "",
    "---------",
    "",
    "Co-authored-by: B <b@example.com>",
  ].join("\n");
  const history = parseCommits([commit("Feature/json output (#12)", body)]);
  assert.deepEqual(history.changes.map(summary), [
    "Added|minor|cli|add --json",
    "Fixed|patch||crash",
    "Changed|major||!drop the v1 API",
  ]);
  assert.ok(history.changes.every((c) => c.origin.kind === "commit" && c.origin.squashed));
  assert.deepEqual(history.changes[2]?.breakingNotes, ["v1 endpoints are gone."]);
  assert.deepEqual(history.nonConventional, [], "a squash with items is not noise");

  // A conventional subject counts too; its own footers come from outside the items.
  const titled = parseCommits([
    commit(
      "feat: json output (#12)",
      "* feat: json output\n* docs: mention it\n\n---------\n\nSecurity: yes",
    ),
  ]);
  assert.deepEqual(titled.changes.map(summary), [
    "Security|minor||json output (#12)",
    "Added|minor||json output",
    "hidden|none||mention it",
  ]);
});

test("a squash item whose subject runs on the next line keeps its whole text (GitHub's squash body)", () => {
  // GitHub writes each original commit as `* <message>`; a subject wrapped by its author (git's
  // subject is the whole first paragraph) comes out indented under the bullet.
  const body = [
    "* feat(client): add a timeout to every request so that a stalled",
    "  server no longer blocks the event loop",
    "",
    "The default is 5 seconds.",
    "",
    "* fix: retry once on a reset connection",
    "* fix(auth): refresh the token",
    "before it expires",
    "Refs: #87",
    "",
    "* add a note",
    "",
    "---------",
    "",
    "Co-authored-by: A <a@example.com>",
  ].join("\n");
  const history = parseCommits([commit("Client timeouts (#88)", body)]);
  assert.deepEqual(history.changes.map(summary), [
    "Added|minor|client|add a timeout to every request so that a stalled server no longer blocks the event loop",
    "Fixed|patch||retry once on a reset connection",
    "Fixed|patch|auth|refresh the token before it expires",
  ]);
  const origin = history.changes[0]!.origin;
  assert.equal(
    origin.kind === "commit" ? origin.header : "",
    "feat(client): add a timeout to every request so that a stalled server no longer blocks the event loop",
  );
});

test("squash parsing leaves ordinary lists alone and can be turned off", () => {
  const body = "Notes:\n\n- note: this is a list item, not a commit\n* see the docs";
  assert.deepEqual(parseCommits([commit("fix: x", body)]).changes.map(summary), ["Fixed|patch||x"]);
  const squash = parseCommits([commit("Merge feature (#3)", "* feat: a\n* fix: b")], { squash: false });
  assert.deepEqual(squash.changes, []);
  assert.equal(squash.nonConventional.length, 1);
});

test("a revert in range cancels the reverted commit; reverting the revert brings it back", () => {
  const feat = commit("feat: add x");
  const revert = commit('Revert "feat: add x"', `This reverts commit ${feat.hash}.`);
  const fix = commit("fix: y");
  const cancelled = parseCommits([revert, fix, feat]);
  assert.deepEqual(cancelled.changes.map(summary), ["Fixed|patch||y"]);
  assert.deepEqual(cancelled.cancelled, [{ hash: feat.hash, by: revert.hash }]);

  const again = commit('Revert "Revert "feat: add x""', `This reverts commit ${revert.hash.slice(0, 7)}.`);
  const restored = parseCommits([again, revert, feat]);
  assert.deepEqual(restored.changes.map(summary), ["Added|minor||add x"]);
  assert.deepEqual(restored.cancelled, [{ hash: revert.hash, by: again.hash }]);
});

test("GitHub's Revert button, squash-merged, is matched by subject; `revert:` uses Refs hashes", () => {
  const feat = commit("feat: add x (#12)");
  const button = commit('Revert "feat: add x (#12)" (#13)', "Reverts example/proj#12");
  assert.deepEqual(parseCommits([button, feat]).changes, []);
  const fix = commit("fix: y");
  const conventional = commit("revert: fix: y", `Refs: #${fix.hash.slice(0, 7)}, ${fix.hash.slice(0, 10)}`);
  assert.deepEqual(parseCommits([conventional, fix]).changes, []);
  // An issue number is not a hash, even when its digits happen to start one.
  const byIssue = commit("revert: fix: z", `Refs: #${fix.hash.slice(0, 7)}`);
  assert.deepEqual(parseCommits([byIssue, fix]).changes.map(summary), [
    'Changed|patch||revert "z"',
    "Fixed|patch||y",
  ]);
});

test("a revert of a commit released earlier is listed under Changed as a patch (hidden types stay hidden)", () => {
  const history = parseCommits([
    commit('Revert "feat(cli): add --fast"', `This reverts commit ${"f".repeat(40)}.`),
    commit('Revert "docs: typo"', `This reverts commit ${"e".repeat(40)}.`),
    commit('Reapply "fix: retry uploads"', `This reverts commit ${"d".repeat(40)}.`),
  ]);
  assert.deepEqual(history.changes.map(summary), [
    'Changed|patch|cli|revert "add --fast"',
    "Fixed|patch||retry uploads",
  ]);
  assert.equal(history.changes[0]?.bumpReason, "reverts a released feat");
  const breaking = parseCommits([commit('Revert "feat: add x"', "BREAKING CHANGE: x is gone again.")]);
  assert.deepEqual(breaking.changes.map(summary), ['Changed|major||!revert "add x"']);
});

test("non-conventional commits never bump; hidden by default, listed under Changed on request", () => {
  const records = [
    commit("Update README"),
    commit("Merge pull request #4 from a/b"),
    commit("fixup! feat: add x"),
    commit("fix: real"),
  ];
  const hidden = parseCommits(records);
  assert.deepEqual(hidden.changes.map(summary), ["Fixed|patch||real"]);
  assert.deepEqual(
    hidden.nonConventional,
    records.slice(0, 3).map((r) => r.hash),
  );
  const listed = parseCommits(records, { nonConventional: "changed" });
  assert.deepEqual(listed.changes.map(summary), ["Changed|none||Update README", "Fixed|patch||real"]);
});

test("types are configurable: docs listed, feat demoted", () => {
  const history = parseCommits([commit("docs: new guide"), commit("feat: small thing")], {
    types: { docs: { section: "Changed", bump: "none" }, feat: { section: "Added", bump: "patch" } },
  });
  assert.deepEqual(history.changes.map(summary), ["Changed|none||new guide", "Added|patch||small thing"]);
});

test("CRLF commit bodies read like LF ones", () => {
  const [change] = parseCommits([commit("fix: x", "Body.\r\n\r\nBREAKING CHANGE: y\r\n  z\r\n")]).changes;
  assert.deepEqual(change?.breakingNotes, ["y\nz"]);
});

test("a shallow clone: no release tag reachable, or a cut inside the range, is an error; a full range is fine", () => {
  const records = [commit("fix: a"), commit("fix: b"), commit("fix: c")];
  const tag = { name: "8.1.7", version: "8.1.7" };
  assert.equal(assessHistoryRange({ shallow: [], lastTag: undefined, commits: records }), undefined);
  const noTag = assessHistoryRange({ shallow: [records[2]!.hash], lastTag: undefined, commits: records });
  assert.match(
    noTag?.message ?? "",
    /shallow clone and no release tag is reachable from HEAD: .* only the 3 commits fetched/,
  );
  assert.match(noTag?.hint ?? "", /git fetch --unshallow --tags .*fetch-depth: 0/);
  const cut = assessHistoryRange({ shallow: [records[1]!.hash], lastTag: tag, commits: records });
  assert.match(
    cut?.message ?? "",
    new RegExp(`cut at ${records[1]!.hash.slice(0, 12)}, after the last release 8\\.1\\.7`),
  );
  // The cut at (or below) the tag: the range is whole.
  assert.equal(assessHistoryRange({ shallow: ["f".repeat(40)], lastTag: tag, commits: records }), undefined);
});
