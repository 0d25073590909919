/**
 * `slipway release` interrupted and resumed: the process SIGKILLed as each step starts (and
 * between two uploads of the target publish), and real failures after the commit point (the
 * remote refusing the push). Every resumed release must end with each file uploaded to the
 * target exactly once, one release commit, one tag on the remote, and the journal done.
 */
import assert from "node:assert/strict";
import { chmodSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { git } from "../helpers/git-repo.ts";
import { type JsonLine, jsonLines } from "../helpers/json-lines.ts";
import {
  type CliRun,
  firstUploadOnly,
  type ReleaseRepo,
  releaseRepos,
  runRelease,
} from "../helpers/release-repo.ts";

const { repo } = releaseRepos("slipway-release-resume-");

/** The end state of a finished release of 0.1.1, however many runs it took. */
function assertReleasedOnce(r: ReleaseRepo, runs: CliRun[]): void {
  const last = runs[runs.length - 1]!;
  assert.equal(last.status, 0, `${last.stderr}\n${last.stdout}`);
  const stored = r.uploads.filter((u) => u.outcome === "stored").map((u) => u.filename);
  assert.deepEqual(
    stored.sort(),
    ["slipway_demo_lib-0.1.1-py3-none-any.whl", "slipway_demo_lib-0.1.1.tar.gz"],
    "each file uploaded to the target exactly once",
  );
  assert.equal(r.uploads.filter((u) => u.outcome === "conflict").length, 0);
  const subjects = git(r.project, "log", "--format=%s").trim().split("\n");
  assert.equal(subjects.filter((s) => s === "chore(release): 0.1.1").length, 1, "one release commit");
  const head = git(r.project, "rev-parse", "HEAD").trim();
  const remote = git(r.project, "ls-remote", "origin");
  assert.match(remote, new RegExp(`^${head}\trefs/heads/main$`, "m"));
  assert.equal(remote.match(/refs\/tags\/v0\.1\.1$/gm)?.length, 1, "one tag on the remote");
  assert.equal(git(r.project, "rev-parse", "v0.1.1^{commit}").trim(), head);
  assert.match(readFileSync(join(r.project, "pyproject.toml"), "utf8"), /^version = "0\.1\.1"$/m);
  assert.equal(JSON.parse(readFileSync(join(r.project, ".slipway", "release.json"), "utf8")).status, "done");
  assert.equal(git(r.project, "status", "--porcelain", "--untracked-files=all"), "");
  assert.doesNotMatch(remote, /refs\/slipway\//, "the release state refs went with the push");
}

/** The `--json` events of a run (its report line included). */
const eventsOf = (run: CliRun): JsonLine[] => jsonLines(run.stdout);
const skipped = (run: CliRun, step: string) =>
  eventsOf(run).some((e) => e.type === "step-skipped" && e.step === step);
const ran = (run: CliRun, step: string) =>
  eventsOf(run).some((e) => e.type === "step-done" && e.step === step);
/** The target's per-file outcomes in a run, e.g. ["exists-identical", "uploaded"]. */
const published = (run: CliRun) =>
  eventsOf(run)
    .filter((e) => e.type === "file-published" && e.step === "publish")
    .map((e) => e["status"]);

/**
 * Resumes until done (at most twice: a kill before the journal's first write leaves nothing to
 * resume, and then a fresh run is the right next step, which the CLI says).
 */
async function finish(r: ReleaseRepo, killed: CliRun): Promise<CliRun[]> {
  const runs = [killed];
  const resumed = await runRelease(r, [...r.args, "--resume", "--yes", "--json"]);
  runs.push(resumed);
  if (resumed.status === 2 && /nothing to resume/.test(resumed.stderr)) {
    runs.push(await runRelease(r, [...r.args, "--yes"]));
  }
  return runs;
}

for (const step of [
  "edit",
  "build",
  "check",
  "stage",
  "verify",
  "commit-tag",
  "checkpoint",
  "publish",
  "push",
]) {
  test(`killed as "${step}" starts, then --resume completes the release once`, async () => {
    const r = await repo();
    const killed = await runRelease(r, [...r.args, "--yes", "--json"], {
      killOnEvent: (e) => e.type === "step-start" && e.step === step,
    });
    assert.equal(killed.signal, "SIGKILL", `the run finished before "${step}" started:\n${killed.stderr}`);
    const runs = await finish(r, killed);
    assertReleasedOnce(r, runs);
    if (step !== "edit") {
      // The stale lock of the killed process was taken over, and done steps were re-checked, not redone.
      assert.ok(
        eventsOf(runs[1]!).some((e) => e.type === "lock-taken-over"),
        "the stale lock was taken over",
      );
      assert.ok(skipped(runs[1]!, "edit"), "edit re-checked and skipped");
    }
  });
}

test("killed between the two uploads of the target publish: the resume uploads only the missing file", async () => {
  const r = await repo();
  const { args, proxy, release } = await firstUploadOnly(r);
  try {
    const killed = await runRelease(r, [...args, "--yes", "--json"], {
      killOnEvent: (e) => e.type === "file-published" && e.step === "publish" && e["status"] === "uploaded",
    });
    assert.equal(killed.signal, "SIGKILL");
    assert.equal(
      r.uploads.filter((u) => u.outcome === "stored").length,
      1,
      "one file went out before the kill",
    );
    release();
    const resume = await runRelease(r, [...args, "--resume", "--yes", "--json"]);
    assertReleasedOnce(r, [killed, resume]);
    assert.deepEqual(published(resume).sort(), ["exists-identical", "uploaded"]);
  } finally {
    await proxy.close();
  }
});

test("the remote refuses the push: the release stays published, and --resume pushes it", async () => {
  const r = await repo();
  const hook = join(r.remote, "hooks", "pre-receive");
  // Branches and tags are frozen; the release state refs (refs/slipway/*) are still taken.
  writeFileSync(
    hook,
    "#!/bin/sh\nwhile read old new ref; do case $ref in refs/heads/*|refs/tags/*) echo 'pushes are frozen today' >&2; exit 1;; esac; done\n",
  );
  chmodSync(hook, 0o755);
  const failed = await runRelease(r, [...r.args, "--yes"]);
  assert.equal(failed.status, 1);
  assert.match(failed.stdout, /release failed at "Push the commit and tag"/);
  assert.match(failed.stdout, /pushes are frozen today/);
  assert.match(failed.stdout, /next: fix the cause and run again with --resume/);
  assert.doesNotMatch(failed.stdout, /undone:/, "nothing is undone after the commit point");
  assert.equal(git(r.project, "log", "-1", "--format=%s").trim(), "chore(release): 0.1.1");
  const refs = git(r.project, "ls-remote", "origin");
  const release = git(r.project, "rev-parse", "HEAD").trim();
  assert.doesNotMatch(
    refs,
    new RegExp(`^${release}\trefs/heads/main$`, "m"),
    "--atomic: the branch did not move",
  );
  assert.doesNotMatch(refs, /refs\/tags\/v0\.1\.1/, "--atomic: no tag either");
  assert.match(
    refs,
    /refs\/slipway\/release\/v0\.1\.1/,
    "--atomic: the state refs stay for a resume elsewhere",
  );
  rmSync(hook);
  const resumed = await runRelease(r, [...r.args, "--resume", "--yes", "--json"]);
  assertReleasedOnce(r, [failed, resumed]);
  assert.deepEqual(published(resumed), ["exists-identical", "exists-identical"]);
});

test("a fresh run refuses to start over an unfinished one", async () => {
  const r = await repo();
  const killed = await runRelease(r, [...r.args, "--yes", "--json"], {
    killOnEvent: (e) => e.type === "step-start" && e.step === "stage",
  });
  assert.equal(killed.signal, "SIGKILL");
  const fresh = await runRelease(r, [...r.args, "--yes"]);
  assert.equal(fresh.status, 2);
  assert.match(
    fresh.stderr,
    /an unfinished release \(slipway-demo-lib 0\.1\.1 → http:\/\/127\.0\.0\.1:\d+\/legacy\/\) is recorded/,
  );
  assert.match(fresh.stderr, /hint: continue it with 'slipway release --resume'/);
  assertReleasedOnce(r, await finish(r, killed).then((runs) => runs.slice(1)));
});

test("artifacts gone before a resume: rebuilt, and checked and verified again before anything is published", async () => {
  const r = await repo();
  const killed = await runRelease(r, [...r.args, "--yes", "--json"], {
    killOnEvent: (e) => e.type === "step-start" && e.step === "commit-tag",
  });
  assert.equal(killed.signal, "SIGKILL");
  rmSync(join(r.project, ".slipway", "dist"), { recursive: true, force: true });
  const resumed = await runRelease(r, [...r.args, "--resume", "--yes", "--json"]);
  assertReleasedOnce(r, [killed, resumed]);
  assert.ok(skipped(resumed, "edit"), "edit re-checked and skipped");
  for (const step of ["build", "check", "verify"]) assert.ok(ran(resumed, step), `${step} ran again`);
});
