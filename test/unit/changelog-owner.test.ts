/**
 * Whose changelog a real project keeps (core/changelog/owner.ts), and the entry of a project that
 * writes no conventional commits (core/changelog/plan.ts, `non-conventional = "auto"`). The
 * inputs are the real projects' top-level files and towncrier tables as their sdists ship them.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { CommitRecord } from "../../src/core/changelog/commits.ts";
import { assessChangelogOwner, describeForeignChangelog } from "../../src/core/changelog/owner.ts";
import { assembleChangelogPlan, type ChangelogInputs } from "../../src/core/changelog/plan.ts";
import { parseSlipwayConfig } from "../../src/core/version/config.ts";

const owner = (
  files: string[],
  pyproject: Record<string, unknown> = {},
  towncrierToml?: Record<string, unknown>,
) =>
  assessChangelogOwner({
    pyproject,
    path: "CHANGELOG.md",
    files,
    ...(towncrierToml === undefined ? {} : { towncrierToml }),
  });

test("click, requests: a hand-kept CHANGES.md or HISTORY.md is the project's changelog, not a missing CHANGELOG.md", () => {
  assert.deepEqual(owner(["CHANGES.md", "LICENSE.txt", "README.md", "pyproject.toml", "uv.lock"]), {
    kind: "other",
    file: "CHANGES.md",
  });
  assert.deepEqual(owner(["HISTORY.md", "LICENSE", "MANIFEST.in", "NOTICE", "README.md", "setup.py"]), {
    kind: "other",
    file: "HISTORY.md",
  });
});

test("attrs, pluggy: towncrier builds the changelog, in the file its table names (NEWS.rst by default)", () => {
  const attrs = { tool: { towncrier: { directory: "changelog.d", filename: "CHANGELOG.md" } } };
  assert.deepEqual(owner(["CHANGELOG.md", "README.md", "pyproject.toml"], attrs), {
    kind: "towncrier",
    file: "CHANGELOG.md",
    config: "[tool.towncrier] in pyproject.toml",
  });
  const pluggy = {
    tool: { towncrier: { package: "pluggy", filename: "CHANGELOG.rst", directory: "changelog/" } },
  };
  const found = owner(["CHANGELOG.rst", "README.rst", "RELEASING.rst", "pyproject.toml"], pluggy);
  assert.deepEqual(found, {
    kind: "towncrier",
    file: "CHANGELOG.rst",
    config: "[tool.towncrier] in pyproject.toml",
  });
  assert.deepEqual(owner(["NEWS.rst"], {}, { tool: { towncrier: { directory: "news" } } }), {
    kind: "towncrier",
    file: "NEWS.rst",
    config: "towncrier.toml",
  });
  // slipway writes Markdown: an .rst file is never offered to it.
  const { todo } = describeForeignChangelog(
    { kind: "towncrier", file: "CHANGELOG.rst", config: "[tool.towncrier] in pyproject.toml" },
    { path: "CHANGELOG.md", version: "1.7.1" },
  );
  assert.equal(todo, "run 'towncrier build --version 1.7.1' and commit it");
});

test("rich, httpx: CHANGELOG.md is slipway's; so is any file [tool.slipway.changelog] path names", () => {
  assert.deepEqual(owner(["CHANGELOG.md", "LICENSE", "README.md", "pyproject.toml"]), { kind: "slipway" });
  assert.deepEqual(
    owner(["LICENSE", "README.md", "pyproject.toml"]),
    { kind: "slipway" },
    "none yet: slipway starts one",
  );
  const configured = {
    tool: { slipway: { changelog: { path: "CHANGES.md" } }, towncrier: { filename: "CHANGES.md" } },
  };
  assert.deepEqual(owner(["CHANGES.md"], configured), { kind: "slipway" });
});

const HASH = (n: number) => String(n).repeat(40).slice(0, 40);

/** The commits after rich's last release tag: a typo fix, a merged PR, a GitHub squash merge. */
const RICH_COMMITS: CommitRecord[] = [
  { hash: HASH(1), subject: "update tests for new pytest", body: "" },
  {
    hash: HASH(2),
    subject: "Handle empty input in the parser (#4033)",
    body: "* Handle empty input in the parser\n  instead of raising an IndexError deep inside\n* add a regression test for the empty\n  input case\n\n---------\n\nCo-authored-by: Jane Doe <jane@example.com>",
  },
  {
    hash: HASH(3),
    subject: "Merge pull request #4021 from someone/fix-windows-paths",
    body: "Fix windows paths",
  },
  { hash: HASH(4), subject: "Fix windows paths", body: "" },
  { hash: HASH(5), subject: "Fix a typo in the README", body: "" },
];

const RICH_CHANGELOG =
  "# Changelog\n\nAll notable changes to this project will be documented in this file.\n\n## [15.0.0] - 2026-04-01\n\n### Changed\n\n- Dropped support for Python 3.8\n";

function inputs(commits: CommitRecord[], changelogTable: Record<string, unknown> = {}): ChangelogInputs {
  const config = parseSlipwayConfig({ tool: { slipway: { changelog: changelogTable } } }).changelog;
  return {
    config,
    tagFormat: "v{version}",
    lastTag: { name: "v15.0.0", version: "15.0.0" },
    current: "15.0.0",
    commits,
    fragments: [],
    changelog: RICH_CHANGELOG,
  };
}

test("rich: with no conventional commit in the range, the entry lists the commits, never 'No user-facing changes.'", () => {
  const plan = assembleChangelogPlan(inputs(RICH_COMMITS), { version: "15.0.1", date: "2026-12-07" });
  assert.equal(plan.listedNonConventional, true);
  assert.equal(
    plan.entryText,
    [
      "## [15.0.1] - 2026-12-07",
      "",
      "### Changed",
      "",
      "- update tests for new pytest",
      "- Handle empty input in the parser (#4033)",
      "- Fix windows paths",
      "- Fix a typo in the README",
      "",
    ].join("\n"),
  );
  // Said as the project asks: hidden when configured so.
  const hidden = assembleChangelogPlan(inputs(RICH_COMMITS, { "non-conventional": "hide" }), {
    version: "15.0.1",
    date: "2026-12-07",
  });
  assert.match(hidden.entryText, /No user-facing changes\./);
  assert.equal(hidden.listedNonConventional, false);
});

test("a project that writes conventional commits keeps its drive-by non-conventional commits hidden", () => {
  const commits: CommitRecord[] = [
    { hash: HASH(6), subject: "docs: explain stages", body: "" },
    { hash: HASH(7), subject: "Fix a typo in the README", body: "" },
  ];
  const plan = assembleChangelogPlan(inputs(commits), { version: "15.0.1", date: "2026-12-07" });
  assert.equal(plan.listedNonConventional, false);
  assert.match(plan.entryText, /No user-facing changes\./);
});

test("rich's hand-written Unreleased items are the entry: the commits are not listed next to them", () => {
  const hand = RICH_CHANGELOG.replace(
    "## [15.0.0]",
    "## [Unreleased]\n\n### Fixed\n\n- Fixed a crash on empty input\n\n## [15.0.0]",
  );
  const plan = assembleChangelogPlan(
    { ...inputs(RICH_COMMITS), changelog: hand },
    { version: "15.0.1", date: "2026-12-07" },
  );
  assert.equal(plan.listedNonConventional, false);
  assert.equal(plan.entryText, "## [15.0.1] - 2026-12-07\n\n### Fixed\n\n- Fixed a crash on empty input\n");
});
