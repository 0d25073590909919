/**
 * `slipway release --dry-run` builds what the real release builds: in a scratch git worktree of
 * HEAD with the planned edits, so the sha256s of a reproducible backend's artifacts and the file
 * list of a setuptools-scm sdist are the real run's; the worktree is gone afterwards (also after
 * Ctrl-C), and the check's findings are on the step lines and in the report, named by files the
 * user has, not by the scratch directory.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { after, test } from "node:test";
import { release } from "../../src/ops/release.ts";
import { REPO } from "../helpers/build-project.ts";
import { git } from "../helpers/git-repo.ts";
import { reportOf } from "../helpers/json-lines.ts";
import { peersPython } from "../helpers/peers.ts";
import { makeReleaseRepo, type ReleaseRepo, runRelease } from "../helpers/release-repo.ts";
import { wheelhouse } from "../helpers/wheelhouse.ts";

const work = mkdtempSync(join(tmpdir(), "slipway-dry-run-"));
const cache = join(work, "cache");
const repos: ReleaseRepo[] = [];
after(async () => {
  for (const r of repos) await r.close();
  rmSync(work, { recursive: true, force: true });
});

async function repo(options: { files?: Record<string, string>; fix?: string } = {}): Promise<ReleaseRepo> {
  const r = await makeReleaseRepo(work, { cache, ...options });
  repos.push(r);
  return r;
}

/** The worktrees git lists for the repository: only the project itself when nothing is left. */
const worktrees = (r: ReleaseRepo) =>
  git(r.project, "worktree", "list", "--porcelain")
    .split("\n")
    .filter((l) => l.startsWith("worktree "));

async function targetFiles(r: ReleaseRepo, project: string): Promise<Map<string, string>> {
  const page = await fetch(`${r.target.simpleUrl}${project}/`, {
    headers: { Accept: "application/vnd.pypi.simple.v1+json" },
  });
  const json = (await page.json()) as { files: { filename: string; hashes: { sha256: string } }[] };
  return new Map(json.files.map((f) => [f.filename, f.hashes.sha256]));
}

/** Every file under `dir`, as relative path → text. */
function readTree(dir: string, under = dir): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) Object.assign(files, readTree(path, under));
    else files[relative(under, path)] = readFileSync(path, "utf8");
  }
  return files;
}

/** The member names of a wheel or an sdist, sorted. */
function members(path: string): string[] {
  const names = path.endsWith(".whl")
    ? execFileSync(
        peersPython(),
        ["-c", "import sys, zipfile; print('\\n'.join(zipfile.ZipFile(sys.argv[1]).namelist()))", path],
        { encoding: "utf8" },
      )
    : execFileSync("tar", ["tzf", path], { encoding: "utf8" });
  return names
    .split("\n")
    .filter((n) => n !== "" && !n.endsWith("/"))
    .sort();
}

test("the dry run's uploads have the sha256s the real release uploads (hatchling, SOURCE_DATE_EPOCH from HEAD)", async () => {
  const r = await repo();
  const dry = await runRelease(r, [...r.args, "--dry-run", "--json"]);
  assert.equal(dry.status, 0, `${dry.stderr}\n${dry.stdout}`);
  const planned = reportOf(dry.stdout).steps.find((s: { id: string }) => s.id === "publish").plan.uploads as {
    filename: string;
    sha256: string;
  }[];
  assert.deepEqual(worktrees(r), [`worktree ${r.project}`], "the dry run's worktree is gone");

  const real = await runRelease(r, [...r.args, "--yes", "--json"]);
  assert.equal(real.status, 0, `${real.stderr}\n${real.stdout}`);
  assert.deepEqual(
    await targetFiles(r, "slipway-demo-lib"),
    new Map(planned.map((u) => [u.filename, u.sha256])),
    "the real release uploaded other bytes than the dry run built",
  );
});

/**
 * attrs' layout: hatchling's default sdist (everything its top .gitignore does not exclude: it
 * reads no nested .gitignore), versions from tags through hatch-vcs, and a .gitignore that does
 * not name .slipway/. Built in the project directory, the real release shipped its own journal
 * and lock (.slipway/release.json, .slipway/release.lock) in the sdist. towncrier builds its
 * CHANGELOG.md from changelog.d/, so the release writes no entry of its own there.
 */
const ATTRS_LAYOUT: Record<string, string> = {
  "pyproject.toml": [
    "[build-system]",
    'requires = ["hatchling", "hatch-vcs"]',
    'build-backend = "hatchling.build"',
    "",
    "[project]",
    'name = "attrs-layout"',
    'dynamic = ["version"]',
    'description = "Classes without boilerplate, laid out as attrs is."',
    'readme = "README.md"',
    'requires-python = ">=3.9"',
    'license = "MIT"',
    'license-files = ["LICENSE"]',
    "",
    "[tool.hatch.version]",
    'source = "vcs"',
    'raw-options = { local_scheme = "no-local-version" }',
    "",
    "[tool.hatch.build.targets.wheel]",
    'packages = ["src/attr", "src/attrs"]',
    "",
    "[tool.towncrier]",
    'directory = "changelog.d"',
    'filename = "CHANGELOG.md"',
    'start_string = "<!-- towncrier release notes start -->\\n"',
    "",
  ].join("\n"),
  "CHANGELOG.md":
    "# Changelog\n\n<!-- towncrier release notes start -->\n\n## [0.1.0](https://example.invalid/0.1.0) - 2026-01-01\n\n- First.\n",
  "changelog.d/1.change.md": "Handle empty input.\n",
  ".gitignore":
    "*.egg-info\n*.pyc\n.DS_Store\n.cache\n.coverage*\n.tox\n.venv*\nbuild\ndist\nhtmlcov\ntmp*\n",
  "README.md": "# attrs-layout\n\nClasses without boilerplate.\n",
  LICENSE: "MIT License\n\nCopyright (c) 2015 Hynek Schlawack and the attrs contributors\n",
  "src/attr/__init__.py": '"""Classes without boilerplate."""\n',
  "src/attrs/__init__.py": "from attr import *  # noqa: F403\n",
  "tests/test_make.py": "def test_nothing():\n    assert True\n",
};

test("attrs' layout (hatchling's default sdist): the real release ships no .slipway/ and uploads the dry run's sha256s", async () => {
  const r = await repo({ files: ATTRS_LAYOUT, fix: "src/attr/_make.py" });
  const dry = await runRelease(r, [...r.args, "--dry-run", "--json"]);
  assert.equal(dry.status, 0, `${dry.stderr}\n${dry.stdout}`);
  const dryJson = reportOf(dry.stdout);
  const planned = dryJson.steps.find((s: { id: string }) => s.id === "publish").plan.uploads as {
    filename: string;
    sha256: string;
  }[];
  assert.equal(dryJson.plan.changelog, null, "towncrier's changelog gets no slipway entry");
  assert.ok(
    dryJson.plan.notes.some((n: string) =>
      n.startsWith(
        "changelog not written: towncrier builds CHANGELOG.md here ([tool.towncrier] in pyproject.toml)",
      ),
    ),
    dryJson.plan.notes.join("\n"),
  );
  const changelog = readFileSync(join(r.project, "CHANGELOG.md"), "utf8");

  const real = await runRelease(r, [...r.args, "--yes", "--json"]);
  assert.equal(real.status, 0, `${real.stderr}\n${real.stdout}`);
  const dist = join(r.project, ".slipway", "dist", "0.1.1");
  const sdist = members(join(dist, "attrs_layout-0.1.1.tar.gz"));
  assert.ok(sdist.includes("attrs_layout-0.1.1/src/attr/_make.py"), sdist.join("\n"));
  assert.deepEqual(
    sdist.filter((m) => m.includes("/.slipway/")),
    [],
    "the sdist ships the release's own state",
  );
  assert.deepEqual(
    await targetFiles(r, "attrs-layout"),
    new Map(planned.map((u) => [u.filename, u.sha256])),
    "the real release uploaded other bytes than the dry run built",
  );
  assert.deepEqual(worktrees(r), [`worktree ${r.project}`], "the real run's worktree is gone");
  assert.equal(readFileSync(join(r.project, "CHANGELOG.md"), "utf8"), changelog);
});

test("setuptools-scm: the dry run's sdist and wheel hold the files the real release's do", async () => {
  const r = await repo({
    files: readTree(join(REPO, "test", "fixtures", "build", "scm-lib")),
    fix: "testing/test_more.py",
  });
  // Copies of the dry run's artifacts, taken while they exist (the scratch goes at the end).
  const kept = mkdtempSync(join(work, "dry-artifacts-"));
  const report = await release({
    cwd: r.project,
    env: r.env,
    to: r.target.uploadUrl,
    checkUrl: r.target.simpleUrl,
    python: peersPython(),
    pip: { findLinks: [wheelhouse()], noIndex: true },
    dryRun: true,
    toolVersion: "0.0.0-test",
    onEvent: (e) => {
      if (e.type !== "step-done" || e.step !== "build") return;
      for (const a of e.record["artifacts"] as { file: string; filename: string }[])
        copyFileSync(a.file, join(kept, a.filename));
    },
  });
  assert.equal(report.result?.status, "planned", JSON.stringify(report.result));
  assert.equal(report.plan.mode, "vcs");
  assert.deepEqual(worktrees(r), [`worktree ${r.project}`]);

  const real = await runRelease(r, [...r.args, "--yes", "--json"]);
  assert.equal(real.status, 0, `${real.stderr}\n${real.stdout}`);
  const dist = join(r.project, ".slipway", "dist", report.plan.version);
  const built = readdirSync(dist)
    .filter((f) => /\.(whl|tar\.gz)$/.test(f))
    .sort();
  assert.deepEqual(readdirSync(kept).sort(), built);
  for (const name of built) {
    const dryMembers = members(join(kept, name));
    assert.deepEqual(dryMembers, members(join(dist, name)), `${name}: the dry run built other files`);
    // The file finder of setuptools-scm (git ls-files) put the tracked tests and docs in the sdist.
    if (name.endsWith(".tar.gz")) assert.ok(dryMembers.some((m) => m.endsWith("/testing/test_more.py")));
  }
});

test("Ctrl-C during the dry run's build leaves no worktree and no scratch behind", async () => {
  const r = await repo();
  const temp = mkdtempSync(join(work, "tmp-"));
  const run = await runRelease(r, [...r.args, "--dry-run"], {
    env: { TMPDIR: temp },
    killWhen: (line) => /^release: build: wheel/.test(line),
    killWith: "SIGINT",
  });
  assert.equal(run.signal, "SIGINT", `${run.stderr}\n${run.stdout}`);
  assert.deepEqual(worktrees(r), [`worktree ${r.project}`]);
  assert.deepEqual(
    readdirSync(temp).filter((n) => /^slipway-(release|build)-/.test(n)),
    [],
    "the scratch worktree and the build's temp dir are removed",
  );
  assert.equal(git(r.project, "status", "--porcelain", "--untracked-files=all"), "");
});

test("the check's findings are on the step lines and in the report, with their places, not scratch paths", async () => {
  const readme = readFileSync(join(REPO, "examples", "hatch-lib", "README.md"), "utf8");
  const r = await repo();
  // A dark-mode logo as many READMEs have it: PyPI's sanitizer drops <picture> and <source>.
  const logo = [
    "<picture>",
    '  <source media="(prefers-color-scheme: dark)" srcset="https://example.org/logo-dark.svg">',
    '  <img alt="logo" src="https://example.org/logo.svg">',
    "</picture>",
    "",
  ].join("\n");
  writeFileSync(join(r.project, "README.md"), `${logo}\n${readme}`);
  git(r.project, "commit", "-qam", "docs: a logo");
  git(r.project, "push", "-q", "origin", "main");

  const run = await runRelease(r, [...r.args, "--dry-run"]);
  assert.equal(run.status, 0, `${run.stderr}\n${run.stdout}`);
  const line =
    /warning DESC08 <source> is removed by PyPI's HTML sanitizer \(README\.md:2, slipway_demo_lib-0\.1\.1-py3-none-any\.whl, slipway_demo_lib-0\.1\.1\.tar\.gz\)/;
  assert.match(run.stderr, new RegExp(`^release: check: ${line.source}$`, "m"), run.stderr);
  // The report, printed after the scratch is gone, still lists it, with its hint.
  const report = run.stdout.slice(run.stdout.indexOf("Check findings"));
  assert.match(report, line);
  assert.match(report, /hint: /);
  assert.doesNotMatch(`${run.stdout}\n${run.stderr}`, /slipway-release-|slipway-dry-run|\.\.\//);

  const json = await runRelease(r, [...r.args, "--dry-run", "--json"]);
  const checked = reportOf(json.stdout).steps.find((s: { id: string }) => s.id === "check");
  assert.ok(
    checked.record.findings.some(
      (f: { id: string; places: string[] }) => f.id === "DESC08" && f.places.includes("README.md:2"),
    ),
  );
});
