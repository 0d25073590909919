/**
 * `slipway release` runs the secret scan in preflight: a token committed in the project's code
 * blocks the release before anything changes (nothing built, committed, tagged or uploaded),
 * the problem names the file and line and never the token; `[tool.slipway.release] scan = []`
 * turns the scan off, and a token under tests/ is a warning that does not block. The dependency
 * scan of the project's lockfiles blocks on a vulnerable pin (the committed jinja2 advisories),
 * and on a lockfile with no advisory database to hold it against. The token is
 * made here in PyPI's documented format (never a real one).
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { ADVISORY_FIXTURES } from "../helpers/advisory-snapshot.ts";
import { git, writeFiles } from "../helpers/git-repo.ts";
import { reportOf } from "../helpers/json-lines.ts";
import { makeReleaseRepo, type ReleaseRepo, runRelease } from "../helpers/release-repo.ts";

const work = mkdtempSync(join(tmpdir(), "slipway-release-scan-"));
const cache = join(work, "cache");
after(() => rmSync(work, { recursive: true, force: true }));

const TOKEN = `pypi-AgEIcHlwaS5vcmc${"U2xpcHdheV90ZXN0X3Rva2VuX25vdF9yZWFsX2F0X2FsbA".repeat(2)}`;

const gitState = (r: ReleaseRepo) => ({
  head: git(r.project, "rev-parse", "HEAD"),
  tags: git(r.project, "tag", "--list"),
  remote: git(r.project, "ls-remote", "origin"),
  status: git(r.project, "status", "--porcelain", "--untracked-files=all"),
});

function commit(r: ReleaseRepo, files: Record<string, string>): void {
  writeFiles(r.project, files);
  git(r.project, "add", "-A");
  git(r.project, "commit", "-q", "-m", "chore: settings");
  git(r.project, "push", "-q", "origin", "main");
}

test("a token in the code blocks the release at preflight: nothing changes, the token is never shown", async () => {
  const r = await makeReleaseRepo(work, { cache });
  try {
    commit(r, { "src/slipway_demo_lib/settings.py": `UPLOAD_TOKEN = "${TOKEN}"\n` });
    const before = gitState(r);
    const run = await runRelease(r, [...r.args, "--yes", "--json"]);
    assert.equal(run.status, 1, run.stderr);
    const report = reportOf(run.stdout);
    assert.equal(report.status, "blocked");
    const problem = report.problems.find((p: { id: string }) => p.id === "scan-secrets:pypi-upload-token");
    assert.ok(problem, JSON.stringify(report.problems));
    assert.match(problem.message, /^src\/slipway_demo_lib\/settings\.py:1: /);
    assert.match(problem.hint, /Revoke the secret/);
    assert.deepEqual(gitState(r), before);
    assert.equal(existsSync(join(r.project, ".slipway", "dist")), false, "nothing was built");
    assert.deepEqual(r.uploads, []);
    assert.ok(!(run.stdout + run.stderr).includes(TOKEN.slice(4, 24)), "the token in the output");
  } finally {
    await r.close();
  }
});

test("scan = [] turns the preflight scan off (the artifacts' check still stops the token); a test key under tests/ is a warning that does not block", async () => {
  const off = await makeReleaseRepo(work, { cache, config: "scan = []\n" });
  try {
    commit(off, { "src/slipway_demo_lib/settings.py": `UPLOAD_TOKEN = "${TOKEN}"\n` });
    const run = await runRelease(off, [...off.args, "--yes", "--dry-run", "--json"]);
    assert.equal(run.status, 1, run.stdout + run.stderr);
    const report = reportOf(run.stdout);
    assert.notEqual(report.status, "blocked", "the preflight scan ran");
    assert.equal(
      report.failed.step,
      "check",
      "the artifacts' SEC rules stop what the preflight did not look at",
    );
    assert.match(report.failed.message, /SEC09 looks like a PyPI API token/);
  } finally {
    await off.close();
  }
  const warned = await makeReleaseRepo(work, { cache });
  try {
    commit(warned, { "tests/test_upload.py": `TOKEN = "${TOKEN}"\n` });
    const run = await runRelease(warned, [...warned.args, "--yes", "--dry-run", "--json"]);
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.ok(!(run.stdout + run.stderr).includes(TOKEN.slice(4, 24)));
  } finally {
    await warned.close();
  }
});

test("a pinned dependency with a known vulnerability blocks the release; so does a lockfile with no advisory database", async () => {
  const vulnerable = { "requirements.txt": "jinja2==2.10\n" };
  const noDb = await makeReleaseRepo(work, { cache, config: 'scan = ["deps"]\n' });
  try {
    commit(noDb, vulnerable);
    const before = gitState(noDb);
    const run = await runRelease(noDb, [...noDb.args, "--yes", "--json"]);
    assert.equal(run.status, 1, run.stderr);
    const report = reportOf(run.stdout);
    assert.equal(report.status, "blocked");
    const problem = report.problems.find((p: { id: string }) => p.id === "scan-deps");
    assert.ok(problem, JSON.stringify(report.problems));
    assert.match(
      problem.message,
      /the dependency scan of requirements\.txt could not run: no advisory database/,
    );
    assert.match(problem.hint, /slipway scan update-db/);
    assert.deepEqual(gitState(noDb), before);
  } finally {
    await noDb.close();
  }
  // The database kept with the project ([tool.slipway.scan] db): the advisory is the problem.
  const withDb = await makeReleaseRepo(work, {
    cache,
    config: `scan = ["deps"]\n\n[tool.slipway.scan]\ndb = ${JSON.stringify(ADVISORY_FIXTURES)}\n`,
  });
  try {
    commit(withDb, vulnerable);
    const run = await runRelease(withDb, [...withDb.args, "--yes", "--dry-run", "--json"]);
    assert.equal(run.status, 1, run.stderr);
    const report = reportOf(run.stdout);
    assert.equal(report.status, "blocked");
    const problem = report.problems.find((p: { id: string }) => p.id === "scan-deps:PYSEC-2019-217");
    assert.ok(problem, JSON.stringify(report.problems));
    assert.match(problem.message, /^requirements\.txt:1: jinja2 2\.10 is vulnerable to PYSEC-2019-217/);
    assert.match(problem.hint, /Upgrade jinja2 to 2\.10\.1 or later/);
    // The gate is the project's: at critical, the unscored advisories are warnings and pass.
    writeFileSync(
      join(withDb.project, "pyproject.toml"),
      `${readFileSync(join(withDb.project, "pyproject.toml"), "utf8")}fail-on = "critical"\n`,
    );
    git(withDb.project, "commit", "-qam", "chore: gate at critical");
    git(withDb.project, "push", "-q", "origin", "main");
    const relaxed = await runRelease(withDb, [...withDb.args, "--yes", "--dry-run", "--json"]);
    assert.equal(relaxed.status, 0, relaxed.stdout.slice(-2000));
  } finally {
    await withDb.close();
  }
});
