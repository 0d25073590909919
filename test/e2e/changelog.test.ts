/**
 * `slipway changelog` on real git histories: conventional commits since the last release tag,
 * a squash merge, a real `git revert`, breaking changes, hand-written fragments, and an existing
 * CHANGELOG.md with hand edits that must stay byte-identical above the new entry.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { readCommitsSince } from "../../src/adapters/git.ts";
import { applyChangelogPlan, planChangelog } from "../../src/ops/changelog.ts";
import { runSlipway } from "../helpers/cli.ts";
import { commit, git, makeRepo, makeTaggedRepo, readTagFixture, scratch } from "../helpers/git-repo.ts";

const work = scratch("slipway-changelog-");
after(work.remove);

const pyproject = (version: string, extra = "") =>
  `[project]\nname = "demo-pkg"\nversion = "${version}"\n${extra}`;

// Hand edits everywhere: an odd header, an HTML comment, a past entry with a typo, reference links.
const HEAD = "# Changes\r\n\r\nEverything *notable*, by hand.  \r\n<!-- keep this -->\r\n\r\n";
const PAST =
  "## [1.0.0] - 2025-12-01\r\n\r\n### Added\r\n\r\n-  First relase (sic).\r\n\r\n[1.0.0]: https://example.invalid/v1.0.0\r\n";

const slipway = (cwd: string, ...args: string[]) =>
  runSlipway(cwd, ["changelog", ...args], {
    PATH: process.env["PATH"] ?? "",
    HOME: process.env["HOME"] ?? "/tmp",
    NO_COLOR: "1",
  });

/** v1.0.0 tagged, then a history with every kind of commit the parser must get right. */
function history(): { dir: string; reverted: string } {
  const dir = makeRepo(
    work.dir,
    { "pyproject.toml": pyproject("1.0.0"), "CHANGELOG.md": HEAD + PAST },
    "feat: first release",
  );
  git(dir, "tag", "v1.0.0");
  commit(dir, "feat(api): add the widgets endpoint", { "a.py": "a = 1\n" });
  commit(dir, "fix: handle empty input\n\nThe parser crashed on ''.");
  commit(
    dir,
    "Release train (#12)\n\n* feat: squashed feature one\n\n* fix(cli): squashed fix two\n\nMore words about it.\n\n---------\n\nCo-authored-by: A <a@example.invalid>",
  );
  const reverted = commit(dir, "feat: a bad idea", { "b.py": "b = 1\n" });
  git(dir, "revert", "--no-edit", reverted);
  commit(dir, "docs: typo");
  commit(dir, "chore: tidy up");
  commit(dir, "feat!: new config format\n\nBREAKING CHANGE: the old config keys are gone.");
  return { dir, reverted };
}

describe("changelog", () => {
  test("the entry: sections, squash items, reverts cancelled, breaking noted; hand edits intact", async () => {
    const { dir } = history();
    const before = readFileSync(join(dir, "CHANGELOG.md"), "utf8");
    const dry = slipway(dir, "--dry-run", "--date", "2026-02-03");
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /^2\.0\.0 - 2026-02-03 \(major bump of 1\.0\.0: `!` in the header\)$/m);
    assert.match(dry.stdout, /^8 commit\(s\) since 1\.0\.0; 0 fragment\(s\) used; 1 cancelled by reverts$/m);
    assert.match(dry.stdout, /dry run: nothing was written/);
    assert.equal(readFileSync(join(dir, "CHANGELOG.md"), "utf8"), before);

    const real = slipway(dir, "--date", "2026-02-03");
    assert.equal(real.code, 0, real.stderr);
    const text = readFileSync(join(dir, "CHANGELOG.md"), "utf8");
    const entry = [
      "## [2.0.0] - 2026-02-03",
      "",
      "### Added",
      "",
      "- **Breaking:** new config format",
      "",
      "  the old config keys are gone.",
      "- squashed feature one",
      "- **api**: add the widgets endpoint",
      "",
      "### Fixed",
      "",
      "- **cli**: squashed fix two",
      "- handle empty input",
      "",
      "",
    ].join("\r\n");
    // Newest first, as git log lists them. Byte for byte: the hand-edited head, the new entry in
    // the file's CRLF, the past entry and its link untouched.
    assert.equal(text, HEAD + entry + PAST);
    assert.doesNotMatch(text, /bad idea|typo|tidy/);
  });

  test("commit records survive any text: separators, blank lines, a multi-line first paragraph", async () => {
    const dir = makeRepo(work.dir, { "pyproject.toml": pyproject("1.0.0") });
    git(dir, "tag", "v1.0.0");
    const odd = commit(dir, "fix: a\u001e \u001f %x00 subject\n\nbody line\n\n\n* feat: item\n");
    const wrapped = commit(dir, "feat: first line\nsecond line of the subject");
    const records = await readCommitsSince({ dir }, "v1.0.0");
    // git itself folds the run of blank lines (commit cleanup) and joins the first paragraph.
    assert.deepEqual(records, [
      { hash: wrapped, subject: "feat: first line second line of the subject", body: "" },
      { hash: odd, subject: "fix: a\u001e \u001f %x00 subject", body: "body line\n\n* feat: item" },
    ]);
    assert.equal((await readCommitsSince({ dir }, undefined)).length, 3);
  });

  test("a second run for the same version finds the entry and writes nothing", () => {
    const { dir } = history();
    assert.equal(slipway(dir, "--date", "2026-02-03").code, 0);
    const once = readFileSync(join(dir, "CHANGELOG.md"), "utf8");
    const again = slipway(dir, "--version", "2.0.0", "--date", "2026-02-04");
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /already has an entry for 2\.0\.0; nothing to write/);
    assert.equal(readFileSync(join(dir, "CHANGELOG.md"), "utf8"), once);
    const notes = slipway(dir, "--version", "2.0.0", "--notes");
    assert.match(notes.stdout, /^### Added\r?\n/);
    assert.match(notes.stdout, /- \*\*cli\*\*: squashed fix two/);
  });

  test("fragments join the entry and are deleted with the same write; --keep-fragments keeps them", async () => {
    const dir = makeRepo(work.dir, { "pyproject.toml": pyproject("0.3.0") }, "feat: start");
    git(dir, "tag", "v0.3.0");
    commit(dir, "fix: a fix", {
      "changes/7.added.md": "Widgets can be *round*.\n",
      "changes/+cleanup.removed.md": "- the `old` flag\n- the `older` flag\n",
      "changes/README.md": "How to write fragments.\n",
    });
    const plan = await planChangelog(dir, { date: "2026-03-04" });
    // Below 1.0 a removal (major) bumps the minor part.
    assert.equal(plan.version, "0.4.0");
    assert.deepEqual(plan.deletions.map((d) => d.path).sort(), [
      "changes/+cleanup.removed.md",
      "changes/7.added.md",
    ]);
    assert.equal(existsSync(join(dir, "CHANGELOG.md")), false);
    const done = await applyChangelogPlan(plan);
    assert.deepEqual(done.deleted.sort(), ["changes/+cleanup.removed.md", "changes/7.added.md"]);
    assert.equal(existsSync(join(dir, "changes/7.added.md")), false);
    assert.equal(existsSync(join(dir, "changes/README.md")), true);
    const text = readFileSync(join(dir, "CHANGELOG.md"), "utf8");
    assert.match(text, /^# Changelog\n/);
    assert.match(
      text,
      /## \[0\.4\.0\] - 2026-03-04\n\n### Added\n\n- Widgets can be \*round\*\. \(#7\)\n\n### Removed\n\n- the `old` flag\n- the `older` flag\n\n### Fixed\n\n- a fix\n/,
    );

    const kept = makeRepo(work.dir, {
      "pyproject.toml": pyproject("0.3.0"),
      "changes/8.fixed.md": "Fixed.\n",
    });
    const r = slipway(kept, "--keep-fragments", "--version", "0.3.1");
    assert.equal(r.code, 0, r.stderr);
    assert.equal(existsSync(join(kept, "changes/8.fixed.md")), true);
  });

  test("a failure after the changelog and one fragment changed puts all of them back", async () => {
    const fragments = { "changes/1.fixed.md": "One.\n", "changes/2.fixed.md": "Two.\n" };
    const dir = makeRepo(work.dir, {
      "pyproject.toml": pyproject("1.0.0"),
      "CHANGELOG.md": HEAD + PAST,
      ...fragments,
    });
    const plan = await planChangelog(dir, { version: "1.0.1", date: "2026-01-01" });
    const hooks = {
      afterStep: (i: number) => {
        if (i === 1) throw new Error("injected after the first fragment was deleted");
      },
    };
    await assert.rejects(
      applyChangelogPlan(plan, { hooks }),
      /injected after the first fragment.*every file was restored/,
    );
    assert.equal(readFileSync(join(dir, "CHANGELOG.md"), "utf8"), HEAD + PAST);
    for (const [path, text] of Object.entries(fragments))
      assert.equal(readFileSync(join(dir, path), "utf8"), text);
    assert.equal(existsSync(join(dir, ".slipway/changelog-edit.json")), false);
  });

  test("click keeps CHANGES.md and attrs has towncrier build CHANGELOG.md: no entry, nothing written, exit 2", () => {
    const changes =
      "## Version 8.1.7\n\nReleased 2023-08-17\n\n-   Fix issue with regex flags in shell completion.\n";
    const click = makeTaggedRepo(
      work.dir,
      {
        "pyproject.toml": pyproject(
          "8.1.7",
          '\n[build-system]\nrequires = ["flit_core<4"]\nbuild-backend = "flit_core.buildapi"\n',
        ),
        "CHANGES.md": changes,
      },
      readTagFixture("click"),
      ["Fix a typo in the docs", "Merge pull request #2601 from someone/docs"],
    );
    const run = slipway(click, "--version", "8.1.8");
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /no entry written: this project keeps its changelog in CHANGES\.md/);
    assert.match(run.stderr, /hint: update CHANGES\.md as usual/);
    assert.equal(existsSync(join(click, "CHANGELOG.md")), false, "no second changelog started");
    assert.equal(readFileSync(join(click, "CHANGES.md"), "utf8"), changes);

    const header = "# Changelog\n\n<!-- towncrier release notes start -->\n\n";
    const past =
      "## [23.2.0](https://github.com/python-attrs/attrs/tree/23.2.0) - 2023-12-31\n\n### Changes\n\n- Fixed.\n";
    const attrs = makeTaggedRepo(
      work.dir,
      {
        "pyproject.toml":
          '[project]\nname = "attrs"\ndynamic = ["version"]\n\n[tool.hatch.version]\nsource = "vcs"\n\n[tool.towncrier]\ndirectory = "changelog.d"\nfilename = "CHANGELOG.md"\nstart_string = "<!-- towncrier release notes start -->\\n"\n',
        "CHANGELOG.md": header + past,
        "changelog.d/1234.change.md": "Fixed a thing.\n",
      },
      readTagFixture("attrs"),
      ["Fix a typo"],
    );
    const towncrier = slipway(attrs, "--version", "23.2.1");
    assert.equal(towncrier.code, 2, towncrier.stderr);
    assert.match(
      towncrier.stderr,
      /towncrier builds CHANGELOG\.md here \(\[tool\.towncrier\] in pyproject\.toml\)/,
    );
    assert.match(towncrier.stderr, /run 'towncrier build --version 23\.2\.1' and commit it/);
    assert.equal(readFileSync(join(attrs, "CHANGELOG.md"), "utf8"), header + past);
    // An entry towncrier already wrote is read as it is, for the release notes.
    const notes = slipway(attrs, "--notes", "--version", "23.2.0", "--dry-run");
    assert.equal(notes.code, 0, notes.stderr);
    assert.match(notes.stdout, /- Fixed\./);
  });

  test("rich writes no conventional commits: the entry lists them as written (merges left out)", () => {
    const rich = makeTaggedRepo(
      work.dir,
      { "pyproject.toml": '[tool.poetry]\nname = "rich"\nversion = "13.7.1"\n', "CHANGELOG.md": HEAD + PAST },
      readTagFixture("rich"),
      [
        "Fix a typo in the README",
        "Merge pull request #3301 from someone/fix-windows-paths",
        "Handle empty input in the parser (#3310)\n\n* Handle empty input in the parser\n  instead of raising an IndexError\n* add a test",
      ],
    );
    const run = slipway(rich, "--dry-run", "--version", "13.7.2", "--date", "2026-01-01");
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /none of them is a conventional commit: listed under Changed as written/);
    assert.match(
      run.stdout,
      /## \[13\.7\.2\] - 2026-01-01\n\n### Changed\n\n- Handle empty input in the parser \(#3310\)\n- Fix a typo in the README\n/,
    );
    assert.doesNotMatch(run.stdout, /No user-facing changes|Merge pull request/);
  });

  test("the files' unreleased version wins over a computed one; nothing to release is a usage error", () => {
    const dir = makeRepo(work.dir, { "pyproject.toml": pyproject("1.0.0") }, "feat: start");
    git(dir, "tag", "v1.0.0");
    commit(dir, "docs: only docs");
    const none = slipway(dir, "--dry-run");
    assert.equal(none.code, 2);
    assert.match(
      none.stderr,
      /nothing since v1\.0\.0 calls for a new version[\s\S]*hint: pass the version explicitly/,
    );
    commit(dir, "chore: bump", { "pyproject.toml": pyproject("1.1.0") });
    const json = JSON.parse(slipway(dir, "--dry-run", "--json", "--date", "2026-01-01").stdout) as {
      version: string;
      versionSource: string;
      applied: boolean;
      diff: string;
    };
    assert.deepEqual([json.version, json.versionSource, json.applied], ["1.1.0", "files", false]);
    assert.match(json.diff, /^--- \/dev\/null\n\+\+\+ b\/CHANGELOG\.md\n/);
  });
});
