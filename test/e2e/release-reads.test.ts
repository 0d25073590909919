/**
 * One `release` reads the project once: planning it (the version places, the suggestion from the
 * commits, the changelog entry, the target and a named stage from `[tool.slipway.indexes]`)
 * reads pyproject.toml a single time, through the snapshot every part of the plan is assembled
 * from. Reads are counted through the snapshot's injectable reader, in a real git repository.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, test } from "node:test";
import { openProject } from "../../src/adapters/snapshot.ts";
import { planChangelog } from "../../src/ops/changelog.ts";
import { type ReleasePlan, release } from "../../src/ops/release.ts";
import { readVersionPlaces } from "../../src/ops/version.ts";
import { readVersionMenu } from "../../src/ops/version-menu.ts";
import { commit, git, makeRepo, scratch } from "../helpers/git-repo.ts";

const work = scratch("slipway-reads-");
after(work.remove);

const PYPROJECT = `[project]
name = "reads-demo"
version = "0.1.0"

[tool.slipway.indexes.staging]
upload-url = "http://127.0.0.1:9/legacy/"
simple-url = "http://127.0.0.1:9/simple/"

[tool.slipway.release]
stage = "staging"
push = false
`;

const CHANGELOG = "# Changelog\n\n## [Unreleased]\n\n## [0.1.0] - 2026-01-01\n\n- First.\n";

/** A released project (tag v0.1.0) with a fix since, which calls for a patch release. */
function project(): string {
  const dir = makeRepo(work.dir, {
    "pyproject.toml": PYPROJECT,
    "CHANGELOG.md": CHANGELOG,
    "src/reads_demo/__init__.py": '__version__ = "0.1.0"\n',
  });
  git(dir, "tag", "-a", "-m", "Release 0.1.0", "v0.1.0");
  commit(dir, "fix: handle empty input", { "src/reads_demo/core.py": "def f():\n    return 1\n" });
  return dir;
}

/** A reader that counts the reads of each file. */
function countingReader() {
  const reads = new Map<string, number>();
  const readBytes = async (path: string) => {
    reads.set(path, (reads.get(path) ?? 0) + 1);
    return await readFile(path);
  };
  return { reads, readBytes };
}

test("a release plan reads pyproject.toml once, for every part of the plan", async () => {
  const dir = project();
  const { reads, readBytes } = countingReader();
  let planned: ReleasePlan | undefined;
  const report = await release({
    cwd: dir,
    // HOME without a .pypirc: the index configuration comes from pyproject.toml and the flags.
    env: { ...process.env, HOME: work.dir, TWINE_USERNAME: "__token__", TWINE_PASSWORD: "pypi-test" },
    toolVersion: "0.0.0-test",
    to: "http://127.0.0.1:9/target/legacy/",
    checkUrl: "http://127.0.0.1:9/target/simple/",
    readBytes,
    // Declining the plan stops the release after planning: nothing is built or changed.
    confirm: async (plan) => {
      planned = plan;
      return false;
    },
  });
  assert.equal(report.result, undefined);
  // Every part was planned: the suggestion from the fix, both version places, the changelog
  // entry, the named stage from [tool.slipway.indexes].
  assert.equal(planned?.version, "0.1.1");
  assert.deepEqual(planned?.edits.map((e) => e.path).sort(), [
    "CHANGELOG.md",
    "pyproject.toml",
    "src/reads_demo/__init__.py",
  ]);
  assert.equal(planned?.stage.kind, "index");
  assert.equal(planned?.stage.kind === "index" ? planned.stage.name : undefined, "staging");
  assert.equal(reads.get(join(dir, "pyproject.toml")), 1);
  // The target and the stage both resolve through ~/.pypirc: looked for once.
  assert.equal(reads.get(join(work.dir, ".pypirc")), 1);
  for (const [path, n] of reads) assert.equal(n, 1, `${path} was read ${n} times`);
});

test("version, menu and changelog share one snapshot: pyproject.toml read once", async () => {
  const dir = project();
  const { reads, readBytes } = countingReader();
  const snapshot = openProject(dir, { readBytes });
  const state = await readVersionPlaces(dir, { snapshot });
  const menu = await readVersionMenu(state, { snapshot });
  const plan = await planChangelog(dir, { snapshot, state, version: "0.1.1", date: "2026-02-01" });
  assert.equal(state.current, "0.1.0");
  assert.equal(menu.commits, 1);
  assert.match(plan.edit?.after ?? "", /## \[0\.1\.1\] - 2026-02-01/);
  assert.equal(reads.get(join(dir, "pyproject.toml")), 1);
});

test("the menu and the changelog read the project from the snapshot the version state came from", async () => {
  const dir = project();
  const state = await readVersionPlaces(dir);
  // A second read would now fail on the broken file: the suggestion proves there was none.
  writeFileSync(join(dir, "pyproject.toml"), "[project\n");
  const menu = await readVersionMenu(state);
  assert.equal(menu.commits, 1);
  assert.match(menu.why, /call for patch/);
  const plan = await planChangelog(dir, { state, version: "0.1.1", date: "2026-02-01" });
  assert.equal(plan.version, "0.1.1");
  // Without the state, the project is read anew, and the broken file is seen.
  await assert.rejects(planChangelog(dir, { version: "0.1.1" }), /not valid TOML/);
});

test("a snapshot of another directory is refused, not silently used", async () => {
  const dir = project();
  const other = openProject(work.dir);
  await assert.rejects(readVersionPlaces(dir, { snapshot: other }), /a snapshot of .* was passed for/);
});
