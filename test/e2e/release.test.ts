/**
 * `slipway release` end to end, as a user runs it: the CLI in a child process on a real git
 * repository with a bare remote, real hatchling builds, the embedded stage, a real pip install
 * from it, and the embedded index as the target. Failures and kills are in release-resume.test.ts.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { startIndex } from "../../src/server/index-server.ts";
import { git } from "../helpers/git-repo.ts";
import { jsonLines, reportOf } from "../helpers/json-lines.ts";
import { CHANGELOG, makeReleaseRepo, type ReleaseRepo, runRelease } from "../helpers/release-repo.ts";
import { hasScript, onTerminal } from "../helpers/terminal.ts";

const work = mkdtempSync(join(tmpdir(), "slipway-release-"));
const cache = join(work, "cache");
const repos: ReleaseRepo[] = [];
after(async () => {
  for (const r of repos) await r.close();
  rmSync(work, { recursive: true, force: true });
});

async function repo(
  options: { config?: string; verify?: string; files?: Record<string, string>; fix?: string } = {},
): Promise<ReleaseRepo> {
  const r = await makeReleaseRepo(work, { cache, ...options });
  repos.push(r);
  return r;
}

const sha256 = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");
const read = (r: ReleaseRepo, path: string) => readFileSync(join(r.project, path), "utf8");

/** What a release may change: HEAD, tags, the remote, tracked files' texts, untracked files. */
function snapshot(r: ReleaseRepo) {
  return {
    head: git(r.project, "rev-parse", "HEAD"),
    tags: git(r.project, "tag", "--list"),
    remote: git(r.project, "ls-remote", "origin"),
    status: git(r.project, "status", "--porcelain", "--untracked-files=all"),
    index: git(r.project, "ls-files", "--stage"),
    files: ["pyproject.toml", "src/slipway_demo_lib/__init__.py", "CHANGELOG.md"].map((p) => read(r, p)),
  };
}

async function targetFiles(r: ReleaseRepo, project = "slipway-demo-lib"): Promise<Map<string, string>> {
  const page = await fetch(`${r.target.simpleUrl}${project}/`, {
    headers: { Accept: "application/vnd.pypi.simple.v1+json" },
  });
  if (page.status === 404) return new Map();
  const json = (await page.json()) as { files: { filename: string; hashes: { sha256: string } }[] };
  return new Map(json.files.map((f) => [f.filename, f.hashes.sha256]));
}

test("a full release: version and changelog written, built, staged, verified, published, tagged and pushed", async () => {
  const r = await repo();
  const run = await runRelease(r, [...r.args, "--yes", "--json"]);
  assert.equal(run.status, 0, `${run.stderr}\n${run.stdout}`);
  const report = reportOf(run.stdout);
  assert.equal(report.status, "done");
  assert.equal(report.plan.version, "0.1.1");
  // --json: the events as the run went (the plan first, each step started then done), then the report.
  const events = jsonLines(run.stdout).slice(0, -1);
  assert.equal(events[0]?.type, "plan");
  assert.equal((events[0]?.["plan"] as { version: string } | undefined)?.version, "0.1.1");
  const steps = events.filter((e) => e.type === "step-start" || e.type === "step-done");
  assert.deepEqual(
    steps.map((e) => `${e["step"]}:${e.type}`),
    report.steps.flatMap((s: { id: string }) => [`${s.id}:step-start`, `${s.id}:step-done`]),
  );
  assert.ok(
    steps.every((e) => e.type === "step-start" || typeof e["ms"] === "number"),
    "each step-done says how long it took",
  );
  assert.match(report.plan.change, /^bump patch, from 1 commit since v0\.1\.0$/);
  assert.deepEqual(
    report.steps.map((s: { id: string; status: string }) => `${s.id}:${s.status}`),
    ["edit", "build", "check", "stage", "verify", "commit-tag", "checkpoint", "publish", "push"].map(
      (s) => `${s}:ran`,
    ),
  );

  // Every place holds the new version; the changelog entry sits above the old one, which is untouched.
  assert.match(read(r, "pyproject.toml"), /^version = "0\.1\.1"$/m);
  assert.match(read(r, "src/slipway_demo_lib/__init__.py"), /__version__ = "0\.1\.1"/);
  const changelog = read(r, "CHANGELOG.md");
  assert.match(changelog, /## \[0\.1\.1\] - \d{4}-\d\d-\d\d\n\n### Fixed\n\n- handle empty input/);
  assert.ok(changelog.endsWith(CHANGELOG.slice(CHANGELOG.indexOf("## [0.1.0]"))), "the old entry changed");

  // One release commit holding exactly the edited files, tagged, and both on the remote.
  const head = git(r.project, "rev-parse", "HEAD").trim();
  assert.equal(git(r.project, "log", "-1", "--format=%s").trim(), "chore(release): 0.1.1");
  assert.deepEqual(git(r.project, "show", "--name-only", "--format=", "HEAD").trim().split("\n").sort(), [
    "CHANGELOG.md",
    "pyproject.toml",
    "src/slipway_demo_lib/__init__.py",
  ]);
  assert.equal(git(r.project, "rev-parse", "v0.1.1^{commit}").trim(), head);
  assert.match(
    git(r.project, "tag", "-l", "--format=%(contents)", "v0.1.1"),
    /slipway-demo-lib 0\.1\.1\n\n### Fixed/,
  );
  const remote = git(r.project, "ls-remote", "origin");
  assert.match(remote, new RegExp(`^${head}\trefs/heads/main$`, "m"));
  assert.match(remote, /\trefs\/tags\/v0\.1\.1$/m);
  assert.doesNotMatch(
    remote,
    /refs\/slipway\//,
    "the state refs the checkpoint pushed went with the release",
  );

  // The target holds exactly the artifacts the release built (by sha256), each uploaded once.
  const dist = join(r.project, ".slipway", "dist", "0.1.1");
  const built = readdirSync(dist).filter((f) => /\.(whl|tar\.gz)$/.test(f));
  assert.equal(built.length, 2);
  const onTarget = await targetFiles(r);
  assert.deepEqual(new Map(built.map((f) => [f, sha256(join(dist, f))])), onTarget);
  assert.deepEqual(
    r.uploads.map((u) => u.outcome),
    ["stored", "stored"],
  );

  // The journal says done, the lock is gone, and git sees a clean tree (.slipway ignores itself).
  assert.equal(JSON.parse(read(r, ".slipway/release.json")).status, "done");
  assert.equal(existsSync(join(r.project, ".slipway", "release.lock")), false);
  assert.equal(git(r.project, "status", "--porcelain", "--untracked-files=all"), "");
});

test("--dry-run builds, checks, stages and verifies for real, prints the rest, and changes nothing", async () => {
  const r = await repo();
  const before = snapshot(r);
  const run = await runRelease(r, [...r.args, "--dry-run", "--bump", "minor"]);
  assert.equal(run.status, 0, `${run.stderr}\n${run.stdout}`);
  assert.deepEqual(snapshot(r), before);
  assert.equal(existsSync(join(r.project, ".slipway")), false, "a dry run leaves no state behind");
  assert.deepEqual(r.uploads, []);
  assert.equal((await targetFiles(r)).size, 0);
  // The real steps ran (plain lines in CI) ...
  for (const step of ["build", "check", "stage", "verify"])
    assert.match(run.stderr, new RegExp(`release: ${step}: done in`));
  assert.match(run.stderr, /verify: ok import slipway_demo_lib/);
  // ... and the plan of the rest comes from the same step table.
  assert.match(run.stdout, /^ {2}-version = "0\.1\.0"$/m);
  assert.match(run.stdout, /^ {2}\+version = "0\.2\.0"$/m);
  assert.match(run.stdout, /^ {2}\+## \[0\.2\.0\] - /m);
  assert.match(
    run.stdout,
    /git commit -m 'chore\(release\): 0\.2\.0' -- pyproject\.toml src\/slipway_demo_lib\/__init__\.py CHANGELOG\.md/,
  );
  assert.match(run.stdout, /upload slipway_demo_lib-0\.2\.0-py3-none-any\.whl {2}sha256 [0-9a-f]{16}…/);
  assert.match(run.stdout, /upload slipway_demo_lib-0\.2\.0\.tar\.gz/);
  assert.match(
    run.stdout,
    /git push --atomic origin HEAD:refs\/heads\/main refs\/tags\/v0\.2\.0:refs\/tags\/v0\.2\.0/,
  );
  assert.match(
    run.stdout,
    /Save the release state on origin \(for a resume elsewhere\)\n {2}refs\/slipway\/release\/v0\.2\.0\n {2}refs\/slipway\/release-tag\/v0\.2\.0/,
  );
  assert.match(run.stdout, /dry run complete/);
});

test("preflight reports every problem together, before anything changes", async () => {
  const r = await repo({
    config: `env = ["SLIPWAY_TEST_API_KEY"]\ngates = [["python3", "-c", "import sys; print('3 tests failed'); sys.exit(3)"]]\n`,
  });
  git(r.project, "checkout", "-q", "-b", "feature");
  writeFileSync(join(r.project, "notes.txt"), "scratch\n");
  const before = snapshot(r);
  const run = await runRelease(r, [...r.args, "--yes"], { env: { TWINE_PASSWORD: "" } });
  assert.equal(run.status, 1, run.stderr);
  const out = run.stdout;
  assert.match(out, /error {3}the work tree has 1 uncommitted change: \?\? notes\.txt/);
  assert.match(out, /error {3}releases are made from main, but feature is checked out/);
  assert.match(out, /error {3}the environment variable SLIPWAY_TEST_API_KEY is not set/);
  assert.match(out, /hint: set SLIPWAY_TEST_API_KEY/);
  assert.match(out, /error {3}gate `python3 -c .*` failed \(exit 3\):\n\s+3 tests failed/);
  assert.match(out, /error {3}no password or token for http:\/\/127\.0\.0\.1:\d+\/legacy\//);
  assert.match(out, /release blocked before any change: 5 problem/);
  assert.deepEqual(snapshot(r), before);
  assert.equal(existsSync(join(r.project, ".slipway", "release.json")), false);
  assert.equal(existsSync(join(r.project, ".slipway", "dist")), false);
  assert.deepEqual(r.uploads, []);
});

test("a failure before the commit point undoes everything: files, commit, tag, journal", async () => {
  const r = await repo({ verify: 'verify = { extras = [], imports = ["slipway_demo_lib.no_such_module"] }' });
  const before = snapshot(r);
  const run = await runRelease(r, [...r.args, "--yes"]);
  assert.equal(run.status, 1, run.stderr);
  assert.match(run.stdout, /release failed at "Install from the stage and smoke-test"/);
  assert.match(run.stdout, /import slipway_demo_lib\.no_such_module/);
  assert.match(run.stdout, /undone: stage, check, build, edit/);
  assert.match(run.stdout, /next: nothing was changed/);
  assert.deepEqual(snapshot(r), before);
  assert.equal(existsSync(join(r.project, ".slipway", "release.json")), false);
  assert.equal(existsSync(join(r.project, ".slipway", "dist", "0.1.1")), false);
  assert.deepEqual(r.uploads, []);
});

test("a second release of the same project is refused while one runs", async () => {
  const go = join(work, `go-${Date.now()}`);
  const r = await repo({
    config: `gates = [["python3", "-c", "import os, sys, time\\nwhile not os.path.exists(sys.argv[1]): time.sleep(0.05)", "${go}"]]\n`,
  });
  let started: () => void;
  const gateRunning = new Promise<void>((resolve) => {
    started = resolve;
  });
  const first = runRelease(r, [...r.args, "--yes", "--no-push"], {
    killWhen: (line) => {
      if (/edit: gate: python3/.test(line)) started();
      return false;
    },
  });
  await gateRunning;
  const second = await runRelease(r, [...r.args, "--yes", "--no-push"]);
  writeFileSync(go, "");
  const done = await first;
  assert.equal(second.status, 1, second.stderr);
  assert.match(second.stderr, /another release holds .*release\.lock: pid \d+ on .*, since /);
  assert.equal(done.status, 0, `${done.stderr}\n${done.stdout}`);
  assert.deepEqual(
    r.uploads.map((u) => u.outcome),
    ["stored", "stored"],
  );
  assert.equal(git(r.project, "tag", "--list", "v0.1.1").trim(), "v0.1.1");
  assert.doesNotMatch(git(r.project, "ls-remote", "origin"), /v0\.1\.1/, "--no-push pushes nothing");
});

test("usage mistakes exit 2 before anything runs", async () => {
  const r = await repo();
  const both = await runRelease(r, ["--bump", "patch", "--version", "1.0.0"]);
  assert.equal(both.status, 2);
  assert.match(both.stderr, /--bump and --version cannot be combined/);
  const badKind = await runRelease(r, ["--bump", "huge"]);
  assert.equal(badKind.status, 2);
  const nothing = await runRelease(r, [...r.args, "--resume"]);
  assert.equal(nothing.status, 2);
  assert.match(
    nothing.stderr,
    /nothing to resume: no \.slipway\/release\.json here, and origin holds no interrupted release/,
  );
  const help = await runRelease(r, ["--help"]);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /Examples:\n {2}slipway release +on a terminal: pick the version/);
  assert.match(help.stdout, /\n {2}slipway release --dry-run +see the whole release/);
});

test("a version from tags (hatch-vcs): no file edited, the build told the version, the tag made on HEAD", async () => {
  const r = await repo({
    files: {
      "pyproject.toml": [
        "[build-system]",
        'requires = ["hatchling", "hatch-vcs"]',
        'build-backend = "hatchling.build"',
        "",
        "[project]",
        'name = "slipway-vcs-demo"',
        'dynamic = ["version"]',
        'description = "A package whose version comes from git tags."',
        'readme = "README.md"',
        'requires-python = ">=3.9"',
        'license = "MIT"',
        "",
        "[tool.hatch.version]",
        'source = "vcs"',
        "",
      ].join("\n"),
      "README.md": "# slipway-vcs-demo\n\nVersioned by tags.\n",
      LICENSE: "MIT License\n\nCopyright (c) 2026 Slipway Tests\n",
      "src/slipway_vcs_demo/__init__.py": '"""Versioned by tags."""\n',
    },
    fix: "src/slipway_vcs_demo/fix.py",
  });
  const head = git(r.project, "rev-parse", "HEAD").trim();
  const run = await runRelease(r, [...r.args, "--yes", "--json"]);
  assert.equal(run.status, 0, `${run.stderr}\n${run.stdout}`);
  const report = reportOf(run.stdout);
  assert.equal(report.plan.mode, "vcs");
  assert.equal(report.plan.version, "0.1.1");
  assert.deepEqual(report.plan.edits, []);
  assert.equal(report.plan.commit, null);
  // No commit: the tag goes on the commit that was HEAD, and the artifacts carry its version.
  assert.equal(git(r.project, "rev-parse", "HEAD").trim(), head);
  assert.equal(git(r.project, "rev-parse", "v0.1.1^{commit}").trim(), head);
  assert.match(git(r.project, "ls-remote", "origin"), /\trefs\/tags\/v0\.1\.1$/m);
  assert.deepEqual([...(await targetFiles(r, "slipway-vcs-demo")).keys()].sort(), [
    "slipway_vcs_demo-0.1.1-py3-none-any.whl",
    "slipway_vcs_demo-0.1.1.tar.gz",
  ]);
});

test("a build that fails in a dry run reports the backend's error and leaves no scratch worktree behind", async () => {
  const r = await repo({
    files: {
      "pyproject.toml": [
        "[build-system]",
        "requires = []",
        'build-backend = "slipway_no_such_backend"',
        "",
        "[project]",
        'name = "slipway-broken-build"',
        'version = "0.1.0"',
        "",
      ].join("\n"),
      "broken/__init__.py": "",
    },
    fix: "broken/fix.py",
  });
  const temp = mkdtempSync(join(work, "tmp-"));
  const run = await runRelease(r, [...r.args, "--dry-run"], { env: { TMPDIR: temp } });
  assert.equal(run.status, 1, run.stderr);
  assert.match(run.stdout, /release failed at "Build the sdist and wheel"/);
  assert.match(run.stdout, /slipway_no_such_backend/);
  // (Node's compile cache may live there too; slipway's own temp dirs are all named slipway-*.)
  assert.deepEqual(
    readdirSync(temp).filter((name) => name.startsWith("slipway-")),
    [],
    "nothing of slipway's left in TMPDIR",
  );
  assert.deepEqual(
    git(r.project, "worktree", "list", "--porcelain").match(/^worktree .*$/gm),
    [`worktree ${r.project}`],
    "git lists no scratch worktree",
  );
});

test("a pre-commit hook refusing the release commit: the edits are restored and nothing is left", async () => {
  const r = await repo();
  const hook = join(r.project, ".git", "hooks", "pre-commit");
  writeFileSync(hook, "#!/bin/sh\necho 'lint: 1 file would be reformatted' >&2\nexit 1\n");
  chmodSync(hook, 0o755);
  const before = snapshot(r);
  const run = await runRelease(r, [...r.args, "--yes"]);
  assert.equal(run.status, 1, run.stderr);
  assert.match(run.stdout, /release failed at "Commit and tag locally"/);
  assert.match(run.stdout, /lint: 1 file would be reformatted/);
  assert.match(run.stdout, /undone: verify, stage, check, build, edit/);
  assert.deepEqual(snapshot(r), before);
  assert.equal(git(r.project, "tag", "--list", "v0.1.1"), "");
  assert.deepEqual(r.uploads, []);
});

test("a named stage index gets the artifacts first (credentials from .pypirc); a dry run never touches it", async () => {
  const stageUploads: string[] = [];
  const stage = await startIndex({
    root: join(work, `named-stage-${Date.now()}`),
    onEvent: (e) => {
      if (e.type === "upload") stageUploads.push(`${e.filename} ${e.outcome}`);
    },
  });
  try {
    const r = await repo({
      config: [
        'stage = "team-stage"',
        "",
        "[tool.slipway.indexes.team-stage]",
        `upload-url = "${stage.uploadUrl}"`,
        `simple-url = "${stage.simpleUrl}"`,
        "",
      ].join("\n"),
    });
    writeFileSync(
      join(String(r.env["HOME"]), ".pypirc"),
      `[distutils]\nindex-servers = team-stage\n\n[team-stage]\nrepository = ${stage.uploadUrl}\nusername = __token__\npassword = ${stage.token}\n`,
    );
    const dry = await runRelease(r, [...r.args, "--dry-run"]);
    assert.equal(dry.status, 0, `${dry.stderr}\n${dry.stdout}`);
    assert.match(dry.stderr, /a throwaway embedded index \(not team-stage: this is a dry run\)/);
    assert.deepEqual(stageUploads, [], "the dry run staged elsewhere");
    const run = await runRelease(r, [...r.args, "--yes"]);
    assert.equal(run.status, 0, `${run.stderr}\n${run.stdout}`);
    assert.deepEqual(stageUploads.sort(), [
      "slipway_demo_lib-0.1.1-py3-none-any.whl stored",
      "slipway_demo_lib-0.1.1.tar.gz stored",
    ]);
    assert.deepEqual(
      r.uploads.map((u) => u.outcome),
      ["stored", "stored"],
    );
    assert.doesNotMatch(run.stderr + run.stdout, new RegExp(stage.token), "the stage token never prints");
  } finally {
    await stage.close();
  }
});

const NEXT = /Next version \([^)]*\): $/;
const COMMENT = /Comment for the release commit and tag \(optional, empty for none\): $/;

test("on a terminal: the version asked (the commits' bump preselected), a live task list, and a question before anything changes", async (t) => {
  if (!hasScript()) {
    t.skip("util-linux script is not installed");
    return;
  }
  const r = await repo();
  const before = snapshot(r);
  const dry = await onTerminal(["release", ...r.args, "--dry-run"], {
    cwd: r.project,
    env: r.env,
    answers: [
      { when: NEXT, send: "\r" },
      { when: COMMENT, send: "\r" },
    ],
  });
  assert.equal(dry.status, 0, dry.screen);
  assert.match(dry.screen, /current version 0\.1\.0/);
  assert.match(
    dry.screen,
    /1 commit since v0\.1\.0; conventional commits call for patch \(type fix: handle empty input\)/,
  );
  assert.match(dry.screen, /1\) 0\.1\.1 +patch +\(suggested\)/);
  assert.match(dry.screen, /✓ Build the sdist and wheel +\d+\.\ds/);
  assert.match(dry.screen, /○ Publish to the target index/);
  assert.match(dry.screen, /dry run complete/);
  const declined = await onTerminal(["release", ...r.args], {
    cwd: r.project,
    env: r.env,
    answers: [
      { when: NEXT, send: "2\r" },
      { when: COMMENT, send: "The first minor release.\r" },
      { when: /\[y\/N\] $/, send: "n\r" },
    ],
  });
  assert.equal(declined.status, 1, declined.screen);
  assert.match(declined.screen, /slipway-demo-lib 0\.1\.0 → 0\.2\.0 +\(bump minor\)/);
  assert.match(
    declined.screen,
    /Release slipway-demo-lib 0\.2\.0 to http:\/\/127\.0\.0\.1:\d+\/legacy\/\? \[y\/N\]/,
  );
  assert.match(declined.screen, /release cancelled: nothing was changed/);
  // The task list shows with the first step, never above the question (it could not be redrawn).
  assert.doesNotMatch(declined.screen, /Write the version and changelog/);
  const ended = await onTerminal(["release", ...r.args], {
    cwd: r.project,
    env: r.env,
    answers: [{ when: NEXT, send: "\x04" }],
  });
  assert.equal(ended.status, 1, ended.screen);
  assert.match(ended.screen, /release cancelled: nothing was changed/);
  assert.deepEqual(snapshot(r), before);
  assert.deepEqual(r.uploads, []);
});
