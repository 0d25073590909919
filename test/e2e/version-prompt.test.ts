/**
 * No conventional commits is normal: `slipway version bump` and `slipway release` without a bump
 * ask on a real pseudo-terminal (util-linux `script`), typed at as a person would, and off a
 * terminal they say exactly which arguments to pass. Repositories carry attrs' real tags and
 * a maintainer's ordinary commit messages.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { type ReleasePlan, release } from "../../src/ops/release.ts";
import { Secret } from "../../src/secret.ts";
import { runSlipway } from "../helpers/cli.ts";
import { commit, git, makeTaggedRepo, readTagFixture, scratch } from "../helpers/git-repo.ts";
import { hasScript, onTerminal } from "../helpers/terminal.ts";

const work = scratch("slipway-version-prompt-");
after(work.remove);
const env = { PATH: process.env["PATH"], HOME: work.dir, NO_COLOR: "1" };

const HATCH_VCS =
  '[build-system]\nrequires = ["hatchling", "hatch-vcs"]\nbuild-backend = "hatchling.build"\n\n[project]\nname = "attrs"\ndynamic = ["version", "readme"]\n\n[tool.hatch.version]\nsource = "vcs"\nraw-options = { local_scheme = "no-local-version" }\n';
const STATIC = (version: string) =>
  `[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n\n[project]\nname = "attrs"\nversion = "${version}"\n`;
const SINCE = ["Fix a typo in the docs (#1240)", "Support Python 3.13 (#1245)"];

const NEXT = /Next version \([^)]*\): $/;

const slipway = (cwd: string, ...args: string[]) => runSlipway(cwd, args, { ...env, CI: "true" });

describe("version bump on a terminal", {
  skip: hasScript() ? false : "util-linux script is not installed",
}, () => {
  test("versions from tags: the menu, a wrong pick asked again, the comment in the tag", async () => {
    const dir = makeTaggedRepo(work.dir, { "pyproject.toml": HATCH_VCS }, readTagFixture("attrs"), SINCE);
    const run = await onTerminal(["version", "bump"], {
      cwd: dir,
      env,
      answers: [
        { when: NEXT, send: "9\r" },
        { when: NEXT, send: "2\r" },
        { when: /Comment for the tag message \(optional, empty for none\): $/, send: "Drops Python 3.7.\r" },
      ],
    });
    assert.equal(run.status, 0, run.screen);
    assert.equal(run.unanswered, 0, run.screen);
    assert.match(run.screen, /current version 23\.2\.0 \(last release tag 23\.2\.0\)/);
    assert.match(
      run.screen,
      /2 commits since 23\.2\.0; none of them is a conventional commit that calls for a release/,
    );
    for (const line of [
      /1\) 23\.2\.1 +patch\r?\n/,
      /2\) 23\.3\.0 +minor\r?\n/,
      /3\) 24\.0\.0 +major\r?\n/,
      /4\) 23\.2\.1a1 +alpha of 23\.2\.1/,
      /6\) 23\.2\.1rc1 +release candidate of 23\.2\.1/,
      /7\) 23\.2\.0\.post1 +post-release/,
      /or type a version \(PEP 440, greater than 23\.2\.0\)/,
    ]) {
      assert.match(run.screen, line);
    }
    assert.doesNotMatch(run.screen, /suggested/, "no conventional commits: no default");
    assert.match(run.screen, /pick 1 to 7, a bump kind or a version/);
    assert.match(run.screen, /created tag 23\.3\.0/);
    assert.equal(git(dir, "cat-file", "-t", "23.3.0").trim(), "tag");
    assert.equal(
      git(dir, "tag", "-l", "--format=%(contents)", "23.3.0").trim(),
      "Release 23.3.0\n\nDrops Python 3.7.",
    );
  });

  test("version in files: a typed version checked as PEP 440 and greater; no comment (no commit)", async () => {
    const dir = makeTaggedRepo(
      work.dir,
      { "pyproject.toml": STATIC("23.2.0") },
      readTagFixture("attrs"),
      SINCE,
    );
    const run = await onTerminal(["version", "bump"], {
      cwd: dir,
      env,
      answers: [
        { when: NEXT, send: "23.1.0\r" },
        { when: NEXT, send: "24.0\r" },
      ],
    });
    assert.equal(run.status, 0, run.screen);
    assert.match(
      run.screen,
      /23\.1\.0 is lower than the current version 23\.2\.0; a new version must be greater/,
    );
    assert.match(run.screen, /→ 24\.0 \(typed\)/);
    assert.doesNotMatch(run.screen, /Comment/);
    assert.match(readFileSync(join(dir, "pyproject.toml"), "utf8"), /^version = "24\.0"$/m);
  });

  test("conventional commits preselect their bump: Enter takes it", async () => {
    const dir = makeTaggedRepo(work.dir, { "pyproject.toml": STATIC("23.2.0") }, readTagFixture("attrs"), [
      "fix: keep slots on subclasses",
      "feat: add attrs.evolve for frozen classes",
    ]);
    const run = await onTerminal(["version", "bump"], {
      cwd: dir,
      env,
      answers: [{ when: NEXT, send: "\r" }],
    });
    assert.equal(run.status, 0, run.screen);
    assert.match(
      run.screen,
      /conventional commits call for minor \(type feat: add attrs\.evolve for frozen classes\)/,
    );
    assert.match(run.screen, /2\) 23\.3\.0 +minor +\(suggested\)/);
    assert.match(run.screen, /empty for 2\): /);
    assert.match(readFileSync(join(dir, "pyproject.toml"), "utf8"), /^version = "23\.3\.0"$/m);
  });

  for (const [key, name] of [
    ["\x04", "Ctrl-D"],
    ["\x03", "Ctrl-C"],
  ] as const) {
    test(`${name} at the question cancels and changes nothing`, async () => {
      const dir = makeTaggedRepo(work.dir, { "pyproject.toml": HATCH_VCS }, readTagFixture("attrs"), SINCE);
      const run = await onTerminal(["version", "bump"], {
        cwd: dir,
        env,
        answers: [{ when: NEXT, send: key }],
      });
      assert.equal(run.status, 1, run.screen);
      assert.match(run.screen, /no version chosen: nothing was changed/);
      assert.doesNotMatch(git(dir, "tag", "--list"), /23\.2\.1|23\.3\.0/);
    });
  }
});

describe("off a terminal", () => {
  test("version bump without a KIND names each candidate and the command that makes it", () => {
    const dir = makeTaggedRepo(work.dir, { "pyproject.toml": HATCH_VCS }, readTagFixture("attrs"), SINCE);
    const run = slipway(dir, "version", "bump");
    assert.equal(run.code, 2);
    assert.equal(
      run.stderr,
      "slipway version: 'bump' needs a KIND (and there is no terminal to ask on): 2 commits since 23.2.0; none of them is a conventional commit that calls for a release\n" +
        "hint: run one of: slipway version bump patch (23.2.1), slipway version bump minor (23.3.0), slipway version bump major (24.0.0), slipway version bump pre=a (23.2.1a1), slipway version bump pre=b (23.2.1b1), slipway version bump pre=rc (23.2.1rc1), slipway version bump post (23.2.0.post1), or slipway version set X (any PEP 440 version greater than 23.2.0)\n",
    );
  });

  test("release without --bump names the flags; with conventional commits it takes their bump", async () => {
    const dir = makeTaggedRepo(work.dir, { "pyproject.toml": HATCH_VCS }, readTagFixture("attrs"), SINCE);
    const options = {
      cwd: dir,
      env: { PATH: process.env["PATH"], HOME: work.dir, CI: "true" },
      to: "http://127.0.0.1:9/legacy/",
      checkUrl: "http://127.0.0.1:9/simple/",
      password: new Secret("unused-token"),
      toolVersion: "test",
    };
    await assert.rejects(release(options), (error: Error & { code?: string; hint?: string }) => {
      assert.equal(error.code, "usage");
      assert.equal(
        error.message,
        "which version comes after 23.2.0? 2 commits since 23.2.0; none of them is a conventional commit that calls for a release, and no terminal to ask on",
      );
      assert.equal(
        error.hint,
        "pass one of: --bump patch (23.2.1), --bump minor (23.3.0), --bump major (24.0.0), --bump pre=a (23.2.1a1), --bump pre=b (23.2.1b1), --bump pre=rc (23.2.1rc1), --bump post (23.2.0.post1), or --version X (any PEP 440 version greater than 23.2.0)",
      );
      return true;
    });
    commit(dir, "fix: keep slots on subclasses");
    let plan: ReleasePlan | undefined;
    await release({
      ...options,
      confirm: async (p) => {
        plan = p;
        return false;
      },
    });
    assert.deepEqual([plan?.version, plan?.change], ["23.2.1", "bump patch, from 3 commits since 23.2.0"]);
  });

  test("the version chosen and the comment reach the release commit and the tag", async () => {
    const dir = makeTaggedRepo(
      work.dir,
      {
        "pyproject.toml": STATIC("23.2.0"),
        "CHANGELOG.md": "# Changelog\n\n## [Unreleased]\n\n- Hand-written.\n",
      },
      readTagFixture("attrs"),
      SINCE,
    );
    let plan: ReleasePlan | undefined;
    const offered: string[] = [];
    await release({
      cwd: dir,
      env: { PATH: process.env["PATH"], HOME: work.dir },
      to: "http://127.0.0.1:9/legacy/",
      checkUrl: "http://127.0.0.1:9/simple/",
      password: new Secret("unused-token"),
      toolVersion: "test",
      chooseVersion: async (read) => {
        offered.push(...read.menu.choices.map((c) => c.version));
        return {
          request: read.menu.choices[5]!.request,
          comment: "First release candidate of the 23.2 line.",
        };
      },
      confirm: async (p) => {
        plan = p;
        return false;
      },
    });
    assert.deepEqual(offered.slice(0, 3), ["23.2.1", "23.3.0", "24.0.0"]);
    assert.equal(plan?.version, "23.2.1rc1");
    assert.equal(
      plan?.commit?.message,
      "chore(release): 23.2.1rc1\n\nFirst release candidate of the 23.2 line.",
    );
    assert.match(
      plan?.tag.message ?? "",
      /^attrs 23\.2\.1rc1\n\nFirst release candidate of the 23\.2 line\.\n\n- Hand-written\.\n$/,
    );
  });
});
