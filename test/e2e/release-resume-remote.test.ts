/**
 * A release interrupted after its commit point on one machine (a CI runner that died with its
 * disk), resumed from a fresh clone on another: the state the checkpoint pushed to the remote
 * (refs/slipway/release/<tag>: the journal and the artifacts; refs/slipway/release-tag/<tag>: the
 * tag object) is all the second machine has. Real git remote, real clone, real CLI, the embedded
 * index as the target, SIGKILL mid-publish.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { git } from "../helpers/git-repo.ts";
import { type JsonLine, jsonLines } from "../helpers/json-lines.ts";
import { firstUploadOnly, type ReleaseRepo, releaseRepos, runRelease } from "../helpers/release-repo.ts";

const { work, repo } = releaseRepos("slipway-release-remote-");

/** The `--json` events of a run of type `type`. */
const events = (stdout: string, type: string): JsonLine[] => jsonLines(stdout).filter((e) => e.type === type);

interface JournalDoc {
  steps: { id: string; record: Record<string, unknown> }[];
}

const record = (journal: JournalDoc, id: string) => journal.steps.find((s) => s.id === id)!.record;

/** The target's files, by the sha256 its simple API lists. */
async function targetFiles(r: ReleaseRepo): Promise<Map<string, string>> {
  const page = await fetch(`${r.target.simpleUrl}slipway-demo-lib/`, {
    headers: { Accept: "application/vnd.pypi.simple.v1+json" },
  });
  const json = (await page.json()) as { files: { filename: string; hashes: { sha256: string } }[] };
  return new Map(json.files.map((f) => [f.filename, f.hashes.sha256]));
}

test("killed mid-publish, .slipway/ and the clone gone: a fresh clone elsewhere resumes from the remote", async () => {
  const r = await repo();
  const { args, proxy, release } = await firstUploadOnly(r);
  try {
    const killed = await runRelease(r, [...args, "--yes", "--json"], {
      killOnEvent: (e) => e.type === "file-published" && e.step === "publish" && e["status"] === "uploaded",
    });
    assert.equal(killed.signal, "SIGKILL", killed.stderr);
    // The last line may be cut by the kill: only the complete ones are read.
    const [saved] = events(killed.stdout.slice(0, killed.stdout.lastIndexOf("\n") + 1), "checkpoint-saved");
    assert.deepEqual(saved && { ref: saved["ref"], remote: saved["remote"], artifacts: saved["artifacts"] }, {
      ref: "refs/slipway/release/v0.1.1",
      remote: "origin",
      artifacts: 2,
    });
    assert.equal(
      r.uploads.filter((u) => u.outcome === "stored").length,
      1,
      "one file went out before the kill",
    );
    const journal = JSON.parse(
      readFileSync(join(r.project, ".slipway", "release.json"), "utf8"),
    ) as JournalDoc;
    const built = record(journal, "build")["artifacts"] as { filename: string; sha256: string }[];
    const { commit, tagObject } = record(journal, "commit-tag") as { commit: string; tagObject: string };
    const onRemote = git(r.remote, "for-each-ref", "--format=%(refname) %(objectname)", "refs/slipway/");
    assert.match(onRemote, /^refs\/slipway\/release\/v0\.1\.1 [0-9a-f]{40}$/m);
    assert.match(onRemote, new RegExp(`^refs/slipway/release-tag/v0\\.1\\.1 ${tagObject}$`, "m"));
    assert.doesNotMatch(
      git(r.remote, "branch", "--list", "--contains", commit),
      /main/,
      "nothing was pushed yet",
    );

    // The machine is gone: its .slipway/ and its clone with it.
    rmSync(r.project, { recursive: true, force: true });
    const fresh = join(work, "other-machine");
    git(work, "clone", "-q", r.remote, fresh);
    const elsewhere = { ...r, project: fresh };

    // Another interrupted release on the remote: --resume must ask which.
    git(r.remote, "update-ref", "refs/slipway/release/v9.9.9", "refs/slipway/release/v0.1.1");
    const ambiguous = await runRelease(elsewhere, [...args, "--resume", "--yes"]);
    assert.equal(ambiguous.status, 2, ambiguous.stderr);
    assert.match(ambiguous.stderr, /origin holds 2 interrupted releases: v0\.1\.1, v9\.9\.9; which one\?/);
    assert.match(ambiguous.stderr, /hint: pick one with 'slipway release --resume --version VERSION'/);
    assert.equal(
      git(fresh, "rev-parse", "HEAD").trim(),
      record(journal, "commit-tag")["parent"],
      "nothing moved",
    );

    const stateCommit = git(r.remote, "rev-parse", "refs/slipway/release/v0.1.1").trim();
    release();
    const run = await runRelease(elsewhere, [...args, "--resume", "--version", "0.1.1", "--yes", "--json"]);
    assert.equal(run.status, 0, `${run.stderr}\n${run.stdout}`);
    const [restored] = events(run.stdout, "restored");
    assert.deepEqual(
      restored && {
        tag: restored["tag"],
        remote: restored["remote"],
        ref: restored["ref"],
        n: restored["artifacts"],
      },
      { tag: "v0.1.1", remote: "origin", ref: "refs/slipway/release/v0.1.1", n: 2 },
    );
    const skipped = events(run.stdout, "step-skipped").map((e) => e.step);
    for (const step of ["edit", "build", "check", "verify", "commit-tag", "checkpoint"]) {
      assert.ok(skipped.includes(step), `${step} re-checked and skipped`);
    }
    const outcomes = events(run.stdout, "file-published").filter((e) => e.step === "publish");
    assert.deepEqual(outcomes.map((e) => e["status"]).sort(), ["exists-identical", "uploaded"]);

    // Every file on the target once, with the sha256 the journal recorded (the bytes the stage verified).
    const stored = r.uploads.filter((u) => u.outcome === "stored").map((u) => u.filename);
    assert.deepEqual(stored.sort(), built.map((a) => a.filename).sort(), "each file uploaded exactly once");
    assert.deepEqual(await targetFiles(r), new Map(built.map((a) => [a.filename, a.sha256])));
    const dist = join(fresh, ".slipway", "dist", "0.1.1");
    for (const a of built) {
      assert.equal(
        createHash("sha256")
          .update(readFileSync(join(dist, a.filename)))
          .digest("hex"),
        a.sha256,
      );
    }

    // The recorded commit and tag object are on the remote; the state refs of v0.1.1 are gone.
    const remote = git(fresh, "ls-remote", "origin");
    assert.match(remote, new RegExp(`^${commit}\trefs/heads/main$`, "m"));
    assert.match(remote, new RegExp(`^${tagObject}\trefs/tags/v0\\.1\\.1$`, "m"));
    assert.doesNotMatch(remote, /refs\/slipway\/release(-tag)?\/v0\.1\.1/);
    assert.match(
      remote,
      /refs\/slipway\/release\/v9\.9\.9/,
      "another release's ref is not slipway's to delete",
    );
    assert.equal(git(fresh, "rev-parse", "HEAD").trim(), commit, "the branch moved to the release commit");
    assert.equal(git(fresh, "rev-parse", "v0.1.1").trim(), tagObject);
    assert.equal(git(fresh, "for-each-ref", "refs/slipway/"), "", "no local copy of the state is left");
    assert.equal(git(fresh, "status", "--porcelain", "--untracked-files=all"), "");
    const done = JSON.parse(readFileSync(join(fresh, ".slipway", "release.json"), "utf8"));
    assert.equal(done.status, "done");

    // State refs left behind by a release that is in fact complete (and main moved on since):
    // a resume from yet another clone says so, removes them, and publishes or pushes nothing.
    git(r.remote, "update-ref", "refs/slipway/release/v0.1.1", stateCommit);
    git(r.remote, "update-ref", "refs/slipway/release-tag/v0.1.1", tagObject);
    git(r.remote, "update-ref", "-d", "refs/slipway/release/v9.9.9");
    writeFileSync(join(fresh, "NEWS.md"), "after the release\n");
    git(fresh, "add", "NEWS.md");
    git(fresh, "commit", "-q", "-m", "docs: news");
    git(fresh, "push", "-q", "origin", "main");
    const third = join(work, "third-machine");
    git(work, "clone", "-q", r.remote, third);
    const again = await runRelease({ ...r, project: third }, [...args, "--resume", "--yes"]);
    assert.equal(again.status, 0, again.stderr);
    assert.match(
      again.stderr,
      /release: resume: the release v0\.1\.1 is already complete on origin \(its tag and commit are there\); removed its state refs/,
    );
    assert.match(again.stdout, /released slipway-demo-lib 0\.1\.1/);
    assert.equal(git(r.remote, "for-each-ref", "refs/slipway/"), "");
    assert.equal(r.uploads.filter((u) => u.outcome === "stored").length, 2, "nothing uploaded again");
    assert.equal(git(third, "status", "--porcelain", "--untracked-files=all"), "");
  } finally {
    await proxy.close();
  }
});

test("--resume in a clone with no journal and nothing on the remote says where it looked", async () => {
  const r = await repo();
  const run = await runRelease(r, [...r.args, "--resume", "--yes"]);
  assert.equal(run.status, 2, run.stderr);
  assert.match(
    run.stderr,
    /nothing to resume: no \.slipway\/release\.json here, and origin holds no interrupted release \(refs\/slipway\/release\/\*\)/,
  );
  assert.match(run.stderr, /hint: run without --resume to start a release/);
});
