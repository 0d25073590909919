/**
 * `.slipway/release.json` as hostile input: a journal that a repository carries, or one edited
 * between a kill and the resume, must not make `slipway release --resume` delete, write or run
 * anything outside what the release itself would. Real repositories, a real clone, the real CLI.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { git } from "../helpers/git-repo.ts";
import { jsonLines } from "../helpers/json-lines.ts";
import { type ReleaseRepo, releaseRepos, runRelease } from "../helpers/release-repo.ts";

const { work, repo } = releaseRepos("slipway-release-hostile-");

/** A directory beside the project that a trusted journal could name; it must survive. */
function victim(r: ReleaseRepo): { dir: string; assertIntact: () => void } {
  const dir = join(r.project, "..", "victim");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "precious.txt"), "keep\n");
  return {
    dir,
    assertIntact: () => assert.equal(readFileSync(join(dir, "precious.txt"), "utf8"), "keep\n"),
  };
}

type JournalDoc = { steps: { id: string; record: Record<string, unknown> }[]; plan: Record<string, unknown> };
const journalPath = (r: ReleaseRepo) => join(r.project, ".slipway", "release.json");
const readJournal = (r: ReleaseRepo) => JSON.parse(readFileSync(journalPath(r), "utf8")) as JournalDoc;
const writeJournal = (r: ReleaseRepo, journal: JournalDoc) =>
  writeFileSync(journalPath(r), JSON.stringify(journal, null, 2));

test("a release journal committed to the repository: a clone refuses it, fresh or resumed", async () => {
  const r = await repo();
  const v = victim(r);
  const hostile = {
    schema: 1,
    subject: "x",
    plan: { schema: 1 },
    status: "failed",
    startedAt: "2026-01-01T00:00:00.000Z",
    updatedAt: "2026-01-01T00:00:00.000Z",
    running: null,
    steps: [
      { id: "build", finishedAt: "2026-01-01T00:00:00.000Z", record: { out: "../victim", scratch: v.dir } },
    ],
    failure: null,
  };
  mkdirSync(join(r.project, ".slipway"), { recursive: true });
  writeFileSync(journalPath(r), JSON.stringify(hostile));
  git(r.project, "add", "-f", ".slipway/release.json");
  git(r.project, "commit", "-q", "-m", "chore: notes");
  git(r.project, "push", "-q", "origin", "main");
  const clone = join(work, "clone");
  git(work, "clone", "-q", r.remote, clone);
  const inClone = { ...r, project: clone };
  for (const args of [["--resume"], []]) {
    const run = await runRelease(inClone, [...r.args, ...args, "--yes"]);
    assert.equal(run.status, 1, run.stderr);
    assert.match(
      run.stderr,
      /git tracks \.slipway\/release\.json: slipway's run state .* never comes from a repository/,
    );
    assert.match(run.stderr, /hint: stop tracking it: git rm -r --cached \.slipway/);
  }
  v.assertIntact();
  assert.equal(git(clone, "status", "--porcelain", "--untracked-files=all"), "");
  assert.equal(r.uploads.length, 0, "nothing was published");
});

test("a journal edited between a kill and the resume cannot make the undo delete outside the release", async () => {
  const r = await repo();
  const v = victim(r);
  const killed = await runRelease(r, [...r.args, "--yes"], {
    killWhen: (line) => line.startsWith("release: stage: started"),
  });
  assert.equal(killed.signal, "SIGKILL");
  const original = readJournal(r);
  // The stage cannot start on resume (a file where its directory goes), so the resume fails before
  // the commit point and undoes the build — from the record, which names another directory.
  rmSync(join(r.project, ".slipway", "stage"), { recursive: true, force: true });
  writeFileSync(join(r.project, ".slipway", "stage"), "not a directory\n");
  const tampered: [string, (j: JournalDoc) => void, RegExp][] = [
    [
      "scratch",
      (j) => (j.steps.find((s) => s.id === "build")!.record["scratch"] = v.dir),
      /release\.json steps\[1\]\.record is not a file slipway wrote: scratch: unknown field/,
    ],
    [
      "out",
      (j) => (j.steps.find((s) => s.id === "build")!.record["out"] = "../victim"),
      /steps\[1\]\.record is not a file slipway wrote: out: expected a relative path inside the project, found "\.\.\/victim"/,
    ],
    [
      "plan version",
      (j) => (j.plan["version"] = "../../victim"),
      /release\.json \(plan\) is not a file slipway wrote: version: expected a PEP 440 version/,
    ],
    [
      "plan edit",
      (j) => ((j.plan["edits"] as { path: string }[])[0]!.path = `${v.dir}/precious.txt`),
      /\(plan\) is not a file slipway wrote: edits\[0\]\.path: expected a relative path inside the project/,
    ],
  ];
  for (const [what, change, message] of tampered) {
    const journal = structuredClone(original);
    change(journal);
    writeJournal(r, journal);
    const resumed = await runRelease(r, [...r.args, "--resume", "--yes", "--json"]);
    v.assertIntact();
    assert.equal(resumed.status, 1, `${what}: ${resumed.stderr}`);
    assert.match(resumed.stderr, message, what);
    const lines = jsonLines(resumed.stdout);
    assert.deepEqual(
      lines.filter((e) => e.type.startsWith("step-")),
      [],
      `${what}: no step ran`,
    );
    assert.equal(lines.at(-1)?.type, "error", `${what}: the run ends with the error`);
    assert.match(String(lines.at(-1)?.["message"]), message, what);
  }
  assert.equal(existsSync(join(r.project, ".slipway", "dist", "0.1.1")), true, "the real build is untouched");
  assert.equal(r.uploads.length, 0);
});
