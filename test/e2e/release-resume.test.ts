/**
 * `slipway release` interrupted and resumed: the process SIGKILLed as each step starts (and
 * between two uploads of the target publish), and real failures after the commit point (the
 * remote refusing the push). Every resumed release must end with each file uploaded to the
 * target exactly once, one release commit, one tag on the remote, and the journal done.
 */
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { startFaultProxy } from "../helpers/fault-proxy.ts";
import { git } from "../helpers/git-repo.ts";
import { type CliRun, makeReleaseRepo, type ReleaseRepo, runRelease } from "../helpers/release-repo.ts";

const work = mkdtempSync(join(tmpdir(), "slipway-release-resume-"));
const cache = join(work, "cache");
const repos: ReleaseRepo[] = [];
after(async () => {
  for (const r of repos) await r.close();
  rmSync(work, { recursive: true, force: true });
});

async function repo(): Promise<ReleaseRepo> {
  const r = await makeReleaseRepo(work, { cache });
  repos.push(r);
  return r;
}

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
}

/**
 * Resumes until done (at most twice: a kill before the journal's first write leaves nothing to
 * resume, and then a fresh run is the right next step, which the CLI says).
 */
async function finish(r: ReleaseRepo, killed: CliRun): Promise<CliRun[]> {
  const runs = [killed];
  const resumed = await runRelease(r, [...r.args, "--resume", "--yes"]);
  runs.push(resumed);
  if (resumed.status === 2 && /nothing to resume/.test(resumed.stderr)) {
    runs.push(await runRelease(r, [...r.args, "--yes"]));
  }
  return runs;
}

for (const step of ["edit", "build", "check", "stage", "verify", "commit-tag", "publish", "push"]) {
  test(`killed as "${step}" starts, then --resume completes the release once`, async () => {
    const r = await repo();
    const killed = await runRelease(r, [...r.args, "--yes"], {
      killWhen: (line) => line === `release: ${step}: started (${titleOf(step)})`,
    });
    assert.equal(killed.signal, "SIGKILL", `the run finished before "${step}" started:\n${killed.stderr}`);
    const runs = await finish(r, killed);
    assertReleasedOnce(r, runs);
    if (step !== "edit") {
      // The stale lock of the killed process was taken over, and done steps were re-checked, not redone.
      assert.match(runs[1]!.stderr, /took over the release lock of pid \d+/);
      assert.match(runs[1]!.stderr, /release: edit: already done \(re-checked\), skipped/);
    }
  });
}

test("killed between the two uploads of the target publish: the resume uploads only the missing file", async () => {
  const r = await repo();
  // Uploads go through a proxy that lets the first file through and cuts every other upload off
  // mid-body until the kill, so the kill lands with exactly one file on the target. The
  // credential probes (small posts with no file) pass.
  let resumed = false;
  let posts = 0;
  const probe = (req: IncomingMessage) => Number(req.headers["content-length"] ?? 0) < 1024;
  const proxy = await startFaultProxy({
    upstream: r.target.url,
    pick: (req) =>
      req.method !== "POST" || resumed || probe(req) || ++posts === 1 ? "pass" : "drop-mid-body",
    slowMs: 0,
  });
  try {
    const args = [...r.args];
    args[args.indexOf("--to") + 1] = `${proxy.url}legacy/`;
    const killed = await runRelease(r, [...args, "--yes"], {
      killWhen: (line) => /^release: publish: .*: uploaded$/.test(line),
    });
    assert.equal(killed.signal, "SIGKILL");
    assert.equal(
      r.uploads.filter((u) => u.outcome === "stored").length,
      1,
      "one file went out before the kill",
    );
    resumed = true;
    const resume = await runRelease(r, [...args, "--resume", "--yes"]);
    assertReleasedOnce(r, [killed, resume]);
    assert.match(resume.stderr, /release: publish: .*: exists-identical/);
    assert.match(resume.stderr, /release: publish: .*: uploaded/);
  } finally {
    await proxy.close();
  }
});

test("the remote refuses the push: the release stays published, and --resume pushes it", async () => {
  const r = await repo();
  const hook = join(r.remote, "hooks", "pre-receive");
  writeFileSync(hook, "#!/bin/sh\necho 'pushes are frozen today' >&2\nexit 1\n");
  chmodSync(hook, 0o755);
  const failed = await runRelease(r, [...r.args, "--yes"]);
  assert.equal(failed.status, 1);
  assert.match(failed.stdout, /release failed at "Push the commit and tag"/);
  assert.match(failed.stdout, /pushes are frozen today/);
  assert.match(failed.stdout, /next: fix the cause and run again with --resume/);
  assert.doesNotMatch(failed.stdout, /undone:/, "nothing is undone after the commit point");
  assert.equal(git(r.project, "log", "-1", "--format=%s").trim(), "chore(release): 0.1.1");
  assert.doesNotMatch(git(r.project, "ls-remote", "origin"), /v0\.1\.1/, "--atomic: neither ref moved");
  rmSync(hook);
  const resumed = await runRelease(r, [...r.args, "--resume", "--yes"]);
  assertReleasedOnce(r, [failed, resumed]);
  assert.match(resumed.stderr, /release: publish: .*: exists-identical/);
});

test("a fresh run refuses to start over an unfinished one", async () => {
  const r = await repo();
  const killed = await runRelease(r, [...r.args, "--yes"], {
    killWhen: (line) => line.startsWith("release: stage: started"),
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

function titleOf(step: string): string {
  return {
    edit: "Write the version and changelog",
    build: "Build the sdist and wheel",
    check: "Check the project and artifacts",
    stage: "Publish to the staging index",
    verify: "Install from the stage and smoke-test",
    "commit-tag": "Commit and tag locally",
    publish: "Publish to the target index",
    push: "Push the commit and tag",
  }[step]!;
}

test("artifacts gone before a resume: rebuilt, and checked and verified again before anything is published", async () => {
  const r = await repo();
  const killed = await runRelease(r, [...r.args, "--yes"], {
    killWhen: (line) => line.startsWith("release: commit-tag: started"),
  });
  assert.equal(killed.signal, "SIGKILL");
  rmSync(join(r.project, ".slipway", "dist"), { recursive: true, force: true });
  const resumed = await runRelease(r, [...r.args, "--resume", "--yes"]);
  assertReleasedOnce(r, [killed, resumed]);
  assert.match(resumed.stderr, /release: edit: already done \(re-checked\), skipped/);
  for (const step of ["build", "check", "verify"]) {
    assert.match(resumed.stderr, new RegExp(`release: ${step}: done in`), `${step} ran again`);
  }
});
