/**
 * Which commits the changelog entry covers, on real repositories: pluggy's real plain tags
 * (`1.5.0`, no `v`), then a release candidate tag, a pre-release tagged on a branch that was
 * never merged, a GitHub squash merge whose bullet wraps, and shallow clones as CI makes them.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { SlipwayError } from "../../src/errors.ts";
import { planChangelog } from "../../src/ops/changelog.ts";
import { readVersionPlaces } from "../../src/ops/version.ts";
import { runSlipway } from "../helpers/cli.ts";
import { commit, git, makeTaggedRepo, readTagFixture, scratch } from "../helpers/git-repo.ts";

const work = scratch("slipway-changelog-range-");
after(work.remove);

const PYPROJECT =
  '[build-system]\nrequires = ["setuptools>=45.0", "setuptools-scm[toml]>=6.2.3"]\nbuild-backend = "setuptools.build_meta"\n\n[project]\nname = "pluggy"\ndynamic = ["version"]\n\n[tool.setuptools_scm]\nwrite_to = "src/pluggy/_version.py"\n';

// As GitHub writes a squash merge of three commits ("Default to commit messages"): one bullet per
// commit, a subject its author wrapped indented under its bullet, bodies, then the co-authors.
const SQUASH = [
  "Hook call timeouts (#512)",
  "",
  "* feat(hooks): add a per-call timeout so that a hook that never returns",
  "  no longer blocks the caller",
  "",
  "The timeout is off by default.",
  "",
  "* fix: keep the hook order when a plugin is unregistered",
  "",
  "* address review",
  "",
  "---------",
  "",
  "Co-authored-by: A Contributor <contributor@example.invalid>",
].join("\n");

/** pluggy's tags to 1.5.0, a fix, 1.6.0rc1, then a feature and the squash merge; `2.0.0a1` on a side branch. */
function history(): string {
  const dir = makeTaggedRepo(work.dir, { "pyproject.toml": PYPROJECT }, readTagFixture("pluggy"), [
    "fix: released in the candidate already",
  ]);
  git(dir, "tag", "-a", "1.6.0rc1", "-m", "1.6.0rc1");
  git(dir, "checkout", "-q", "-b", "next");
  commit(dir, "feat!: the 2.0 API, on a branch never merged");
  git(dir, "tag", "-a", "2.0.0a1", "-m", "2.0.0a1");
  git(dir, "checkout", "-q", "main");
  commit(dir, "feat: validate hook specs at registration", { "src/pluggy/_hooks.py": "x = 1\n" });
  commit(dir, SQUASH, { "src/pluggy/_callers.py": "y = 1\n" });
  return dir;
}

const slipway = (cwd: string, ...args: string[]) =>
  runSlipway(cwd, args, { PATH: process.env["PATH"] ?? "", HOME: work.dir, NO_COLOR: "1" });

describe("the range of the entry", () => {
  test("since the last release tag reachable from HEAD: a candidate counts, a branch's tag does not", async () => {
    const dir = history();
    const plan = await planChangelog(dir, { date: "2026-03-01" });
    assert.equal(plan.from, "1.6.0rc1");
    assert.equal(plan.version, "1.6.0", "a feature after rc1 finishes 1.6.0");
    assert.equal(plan.commitCount, 2);
    assert.equal(
      plan.entryText,
      [
        "## [1.6.0] - 2026-03-01",
        "",
        "### Added",
        "",
        "- **hooks**: add a per-call timeout so that a hook that never returns no longer blocks the caller",
        "- validate hook specs at registration",
        "",
        "### Fixed",
        "",
        "- keep the hook order when a plugin is unregistered",
        "",
      ].join("\n"),
    );
  });

  test("a shallow clone without the last release tag is refused, saying why and what to fetch", async () => {
    const dir = history();
    const shallow = join(work.dir, `shallow-${Date.now()}`);
    git(work.dir, "clone", "-q", "--depth", "2", `file://${dir}`, shallow);
    await assert.rejects(planChangelog(shallow, { date: "2026-03-01" }), (error: unknown) => {
      assert.ok(error instanceof SlipwayError);
      assert.equal(error.code, "config");
      assert.equal(
        error.message,
        "this is a shallow clone and no release tag is reachable from HEAD: the changelog would cover only the 2 commits fetched, not everything since the last release",
      );
      assert.match(error.hint ?? "", /git fetch --unshallow --tags/);
      return true;
    });
    const cli = slipway(shallow, "changelog", "--dry-run");
    assert.equal(cli.code, 2, cli.stdout);
    assert.match(cli.stderr, /shallow clone/);
    // setuptools-scm takes the version from the tag: unknown here, and said so (not "no release yet").
    const state = await readVersionPlaces(shallow);
    assert.equal(state.current, undefined);
    assert.equal(state.errors.length, 1);
    assert.match(
      state.errors[0] ?? "",
      /^this is a shallow clone and no release tag is reachable from HEAD: setuptools-scm derives the version from the last tag/,
    );
  });

  test("a shallow clone deep enough to hold the last release tag gives the same entry", async () => {
    const dir = history();
    const shallow = join(work.dir, `deep-${Date.now()}`);
    git(work.dir, "clone", "-q", "--depth", "3", `file://${dir}`, shallow);
    assert.equal(git(shallow, "rev-parse", "--is-shallow-repository").trim(), "true");
    const full = await planChangelog(dir, { date: "2026-03-01" });
    const part = await planChangelog(shallow, { date: "2026-03-01" });
    assert.deepEqual([part.from, part.entryText], [full.from, full.entryText]);
    // A version in the files is known in any clone; a missing tag is only a note there.
    const files = join(work.dir, `files-${Date.now()}`);
    const staticDir = makeTaggedRepo(
      work.dir,
      { "pyproject.toml": '[project]\nname = "pluggy"\nversion = "1.5.0"\n' },
      readTagFixture("pluggy"),
      ["Fix a typo"],
    );
    git(work.dir, "clone", "-q", "--depth", "1", `file://${staticDir}`, files);
    const state = await readVersionPlaces(files);
    assert.deepEqual([state.current, state.errors], ["1.5.0", []]);
    assert.ok(
      state.notes.some((n) =>
        n.startsWith("this is a shallow clone and no release tag is reachable from HEAD"),
      ),
    );
  });
});
