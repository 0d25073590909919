/**
 * `slipway version` against real git repositories in temp dirs: every place found and shown,
 * drift reported, bumps written to every place byte-exactly, dry runs that write nothing, tags
 * for VCS-derived versions, and all-or-nothing writes when a step fails.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { rename } from "node:fs/promises";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { after, describe, test } from "node:test";
import { run } from "../../src/cli/commands/version.ts";
import { SlipwayError } from "../../src/errors.ts";
import { applyVersionPlan, assembleVersionPlan, readVersionPlaces } from "../../src/ops/version.ts";
import { CLI, runSlipway } from "../helpers/cli.ts";
import { commit, git, makeRepo, scratch } from "../helpers/git-repo.ts";

const work = scratch("slipway-version-");
after(work.remove);

const PLACES = ["pyproject.toml", "src/demo_pkg/__init__.py", "setup.cfg", "README.md"] as const;

function project(
  v: Partial<Record<(typeof PLACES)[number], string>> & { all?: string } = {},
): Record<string, string> {
  const at = (path: (typeof PLACES)[number]) => v[path] ?? v.all ?? "1.2.3";
  return {
    "pyproject.toml": `[build-system]\nrequires = ["setuptools>=77"]\nbuild-backend = "setuptools.build_meta"\n\n[project]\nname = "demo-pkg"\nversion = "${at("pyproject.toml")}"  # keep this comment\ndependencies = ["other==1.2.3"]\n\n[tool.slipway.version]\nfiles = [{ path = "README.md", kind = "marker" }]\n`,
    "src/demo_pkg/__init__.py": `"""Demo, version 1.2.3 in a docstring stays."""\n\n__version__: str = "${at("src/demo_pkg/__init__.py")}"\n`,
    "setup.cfg": `[metadata]\nname = demo-pkg\nversion = ${at("setup.cfg")}\n\n[options]\ninstall_requires = other==1.2.3\n`,
    "README.md": `# Demo\r\n\r\n    pip install demo-pkg==${at("README.md")}  # slipway: version\r\n\r\nWorks with other 1.2.3.\r\n`,
  };
}

const slipway = (cwd: string, ...args: string[]) =>
  runSlipway(cwd, ["version", ...args], {
    PATH: process.env["PATH"] ?? "",
    HOME: process.env["HOME"] ?? "/tmp",
    NO_COLOR: "1",
  });

function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(PLACES.map((p) => [p, readFileSync(join(dir, p), "utf8")]));
}

/** Each file as `project({all: version})` writes it: the whole text, not just the version. */
function assertAllAt(dir: string, version: string): void {
  assert.deepEqual(snapshot(dir), project({ all: version }));
}

function assertClean(dir: string): void {
  const leftovers = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() && e.name !== ".git"
        ? leftovers(join(d, e.name))
        : e.name.includes(".slipway-")
          ? [e.name]
          : [],
    );
  assert.deepEqual(leftovers(dir), [], "no temp files are left");
  assert.equal(existsSync(join(dir, ".slipway/version-edit.json")), false, "no journal is left");
}

describe("show", () => {
  test("lists every place with its value, line and origin, and the last tag", async () => {
    const dir = makeRepo(work.dir, project());
    git(dir, "tag", "v1.2.3");
    const state = await readVersionPlaces(dir);
    assert.deepEqual(state.errors, []);
    assert.equal(state.current, "1.2.3");
    assert.deepEqual(
      state.places.map((p) => [p.kind, p.path, p.where, p.value, p.line ?? null]),
      [
        ["file", "pyproject.toml", "project.version", "1.2.3", 7],
        ["file", "README.md", 'line marked "slipway: version"', "1.2.3", 3],
        ["file", "src/demo_pkg/__init__.py", "__version__ assignment", "1.2.3", 3],
        ["file", "setup.cfg", "[metadata] version", "1.2.3", 3],
        ["tag", "v1.2.3", "git tag", "v1.2.3", null],
      ],
    );
    const cli = slipway(dir, "show");
    assert.equal(cli.code, 0, cli.stderr);
    for (const path of PLACES) assert.match(cli.stdout, new RegExp(path.replaceAll(".", "\\.")));
  });

  test("drift between places is an error naming each place and value", async () => {
    const dir = makeRepo(work.dir, project({ "setup.cfg": "1.2.2", "src/demo_pkg/__init__.py": "1.2.3.0" }));
    const state = await readVersionPlaces(dir);
    assert.equal(state.current, undefined);
    assert.equal(state.errors.length, 1);
    // 1.2.3.0 is 1.2.3 normalized, so only setup.cfg disagrees; every place is still named.
    for (const part of [
      "pyproject.toml project.version = 1.2.3",
      "setup.cfg [metadata] version = 1.2.2",
      "__version__ assignment = 1.2.3.0",
    ]) {
      assert.ok(state.errors[0]!.includes(part), `${state.errors[0]} names ${part}`);
    }
    const cli = slipway(dir);
    assert.equal(cli.code, 1);
    assert.match(cli.stdout, /error: the version differs between places/);
    const bump = slipway(dir, "bump", "patch");
    assert.equal(bump.code, 2);
    assert.match(bump.stderr, /the version differs between places/);
    assert.deepEqual(snapshot(dir), project({ "setup.cfg": "1.2.2", "src/demo_pkg/__init__.py": "1.2.3.0" }));
  });

  test("files behind the last release tag are drift; ahead of it is only a note", async () => {
    const dir = makeRepo(work.dir, project());
    git(dir, "tag", "v1.3.0");
    assert.match((await readVersionPlaces(dir)).errors[0] ?? "", /the last release tag v1\.3\.0 is newer/);
    git(dir, "tag", "-d", "v1.3.0");
    git(dir, "tag", "v1.2.0");
    const state = await readVersionPlaces(dir);
    assert.deepEqual(state.errors, []);
    assert.match(state.notes.join("\n"), /1\.2\.3 is not released yet: the last release tag is v1\.2\.0/);
  });

  test("without a command and without a terminal it shows and never prompts", () => {
    const dir = makeRepo(work.dir, project());
    const r = spawnSync(process.execPath, [CLI, "version"], {
      cwd: dir,
      encoding: "utf8",
      input: "1\n",
      timeout: 20_000,
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^version 1\.2\.3/);
    assert.doesNotMatch(r.stdout, /Next version/);
    assertAllAt(dir, "1.2.3");
  });
});

describe("bump and set", () => {
  test("bump writes every place; only the version's characters change", () => {
    const dir = makeRepo(work.dir, project());
    const r = slipway(dir, "bump", "pre=rc");
    assert.equal(r.code, 0, r.stderr);
    assertAllAt(dir, "1.2.4rc1");
    assertClean(dir);
    assert.equal(slipway(dir, "bump", "release").code, 0);
    assertAllAt(dir, "1.2.4");
  });

  test("--dry-run prints the diff of every file and writes nothing", () => {
    const dir = makeRepo(work.dir, project());
    const r = slipway(dir, "bump", "minor", "--dry-run");
    assert.equal(r.code, 0, r.stderr);
    assertAllAt(dir, "1.2.3");
    assert.equal(existsSync(join(dir, ".slipway")), false);
    for (const path of PLACES)
      assert.match(r.stdout, new RegExp(`^\\+\\+\\+ b/${path.replaceAll(".", "\\.")}$`, "m"));
    assert.match(
      r.stdout,
      /^-version = "1\.2\.3" {2}# keep this comment\n\+version = "1\.3\.0" {2}# keep this comment$/m,
    );
    assert.match(r.stdout, /^-__version__: str = "1\.2\.3"\n\+__version__: str = "1\.3\.0"$/m);
    assert.match(r.stdout, /dry run: nothing was written/);
    const json = JSON.parse(slipway(dir, "set", "2.0.0", "--dry-run", "--json").stdout) as {
      plan: { from: string; to: string; edits: { path: string; after: string }[] };
      applied: boolean;
    };
    assert.equal(json.applied, false);
    assert.deepEqual([json.plan.from, json.plan.to], ["1.2.3", "2.0.0"]);
    assert.deepEqual(
      Object.fromEntries(json.plan.edits.map((e) => [e.path, e.after])),
      project({ all: "2.0.0" }),
    );
  });

  test("set refuses a version that does not move forward; unknown bumps are usage errors", () => {
    const dir = makeRepo(work.dir, project());
    const lower = slipway(dir, "set", "1.2.3.0");
    assert.equal(lower.code, 2);
    assert.match(lower.stderr, /equal to the current version/);
    assert.equal(slipway(dir, "bump", "huge").code, 2);
    assertAllAt(dir, "1.2.3");
  });

  test("a setuptools attr version is edited in its module", async () => {
    const dir = makeRepo(work.dir, {
      "pyproject.toml":
        '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n\n[project]\nname = "other-name"\ndynamic = ["version"]\n\n[tool.setuptools.dynamic]\nversion = { attr = "pkg.about.VERSION" }\n',
      "src/pkg/about.py": 'VERSION = "0.9.0"\n',
    });
    const state = await readVersionPlaces(dir);
    assert.deepEqual(
      state.places.map((p) => [p.path, p.origin]),
      [["src/pkg/about.py", "[tool.setuptools.dynamic] version attr"]],
    );
    await applyVersionPlan(assembleVersionPlan(state, { bump: "minor" }));
    assert.equal(readFileSync(join(dir, "src/pkg/about.py"), "utf8"), 'VERSION = "0.10.0"\n');
  });
});

describe("versions from git tags", () => {
  const HATCH_VCS =
    '[build-system]\nrequires = ["hatchling", "hatch-vcs"]\nbuild-backend = "hatchling.build"\n\n[project]\nname = "demo-pkg"\ndynamic = ["version"]\n\n[tool.hatch.version]\nsource = "vcs"\n';

  test("hatch-vcs: the plan is a tag, no file is edited", async () => {
    const dir = makeRepo(
      work.dir,
      { "pyproject.toml": HATCH_VCS, "src/demo_pkg/__init__.py": "" },
      "feat: start",
    );
    git(dir, "tag", "v0.4.0");
    commit(dir, "feat: more");
    const state = await readVersionPlaces(dir);
    assert.deepEqual(state.mode, {
      kind: "vcs",
      backend: "hatch-vcs",
      setting: '[tool.hatch.version] source = "vcs"',
    });
    assert.equal(state.current, "0.4.0");
    const dry = slipway(dir, "bump", "minor", "--dry-run");
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /would create the annotated tag v0\.5\.0 on HEAD/);
    assert.equal(git(dir, "tag", "--list").trim(), "v0.4.0");
    const real = slipway(dir, "bump", "minor");
    assert.equal(real.code, 0, real.stderr);
    assert.equal(git(dir, "describe", "--exact-match", "HEAD").trim(), "v0.5.0");
    assert.equal(git(dir, "cat-file", "-t", "v0.5.0").trim(), "tag", "annotated");
    assert.equal(git(dir, "status", "--porcelain"), "");
    assert.equal(slipway(dir, "bump", "minor").code, 0, "the next bump counts from the new tag");
    assert.match(git(dir, "tag", "--list"), /v0\.6\.0/);
  });
});

describe("all or nothing", () => {
  async function planned(version = "1.2.3") {
    const dir = makeRepo(work.dir, project({ all: version }));
    const plan = assembleVersionPlan(await readVersionPlaces(dir), { bump: "patch" });
    assert.deepEqual(
      plan.edits.map((e) => e.path),
      ["pyproject.toml", "README.md", "src/demo_pkg/__init__.py", "setup.cfg"],
    );
    return { dir, plan };
  }

  for (const failAt of [0, 1, 2, 3]) {
    test(`a rename failing at step ${failAt + 1} of 4 restores every file`, async () => {
      const { dir, plan } = await planned();
      let calls = 0;
      const failing = async (from: string, to: string) => {
        if (calls++ === failAt) throw Object.assign(new Error("EIO: injected"), { code: "EIO" });
        await rename(from, to);
      };
      await assert.rejects(applyVersionPlan(plan, { hooks: { rename: failing } }), (error: unknown) => {
        assert.ok(error instanceof SlipwayError);
        const outcome = failAt === 0 ? "no file was changed" : "every file was restored";
        assert.equal(error.message, `writing failed (EIO: injected); ${outcome}`);
        return true;
      });
      assertAllAt(dir, "1.2.3");
      assertClean(dir);
    });
  }

  test("a target replaced by a directory mid-way fails for real and every file is restored", async () => {
    const { dir, plan } = await planned();
    const hooks = {
      afterStep: (i: number) => {
        if (i !== 1) return;
        // The third file becomes a non-empty directory: rename() onto it fails with EISDIR.
        rmSync(join(dir, "src/demo_pkg/__init__.py"));
        mkdirSync(join(dir, "src/demo_pkg/__init__.py/x"), { recursive: true });
      },
    };
    await assert.rejects(applyVersionPlan(plan, { hooks }), /every file was restored/);
    rmSync(join(dir, "src/demo_pkg/__init__.py"), { recursive: true });
    writeFileSync(join(dir, "src/demo_pkg/__init__.py"), project()["src/demo_pkg/__init__.py"]!);
    assertAllAt(dir, "1.2.3");
    assertClean(dir);
  });

  test("an unwritable directory fails before any file changes", {
    skip: process.getuid?.() === 0 && "root ignores permissions (the rename hook tests cover this)",
  }, async () => {
    const { dir, plan } = await planned();
    const { chmodSync } = await import("node:fs");
    chmodSync(join(dir, "src/demo_pkg"), 0o555);
    try {
      await assert.rejects(applyVersionPlan(plan), /no file was changed/);
    } finally {
      chmodSync(join(dir, "src/demo_pkg"), 0o755);
    }
    assertAllAt(dir, "1.2.3");
    assertClean(dir);
  });

  test("a file changed since the plan was made: nothing is written", async () => {
    const { dir, plan } = await planned();
    writeFileSync(join(dir, "setup.cfg"), `${project()["setup.cfg"]}# edited\n`);
    await assert.rejects(applyVersionPlan(plan), /setup\.cfg changed since it was read; nothing was written/);
    assert.equal(readFileSync(join(dir, "pyproject.toml"), "utf8"), project()["pyproject.toml"]);
    assertClean(dir);
  });
});

describe("interactive", () => {
  test("on a terminal it shows the suggestions from the commits and applies the answer", async () => {
    const dir = makeRepo(work.dir, project(), "feat: first");
    git(dir, "tag", "v1.2.3");
    commit(dir, "feat(api): add a thing");
    const stdin = Object.assign(new PassThrough(), { isTTY: true });
    let shown = "";
    const stdout = Object.assign(new PassThrough(), { isTTY: true });
    stdout.on("data", (chunk: Buffer) => {
      shown += chunk.toString();
      // Answer once the question is asked: readline drops lines that come before it.
      if (/Next version.*: $/.test(shown) && !shown.includes("<answered>")) {
        shown += "<answered>";
        stdin.write("\n");
      }
    });
    const stderr = new PassThrough();
    const code = await run([], {
      version: "test",
      stdout,
      stderr,
      env: { NO_COLOR: "1" },
      cwd: dir,
      stdin,
    } as Parameters<typeof run>[1]);
    assert.equal(code, 0, shown);
    assert.match(shown, /2\) 1\.3\.0 +minor +\(suggested\)/);
    assert.match(
      shown,
      /1 commit since v1\.2\.3; conventional commits call for minor \(type feat: add a thing\)/,
    );
    assert.match(shown, /Next version \(1-7, a bump kind or a version; empty for 2\): /);
    assertAllAt(dir, "1.3.0");
  });
});
