import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, test } from "node:test";
import { listProjectFiles, readProject } from "../../src/adapters/project.ts";
import { checkProject } from "../../src/core/checks/pyproject.ts";
import { SlipwayError } from "../../src/errors.ts";

const PYPROJECT = `[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "demo-pkg"
version = "1.0.0"
readme = "README.md"
license = "MIT"
license-files = ["LICEN[CS]E*", "licenses/*"]
`;

const roots: string[] = [];
after(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

function tree(files: Record<string, string | Uint8Array>): string {
  const root = mkdtempSync(join(tmpdir(), "slipway-project-"));
  roots.push(root);
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), content);
  }
  return root;
}

const git = (cwd: string, ...args: string[]): string =>
  execFileSync("git", args, { cwd, encoding: "utf8", env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1" } });

test("readProject in a git work tree lists tracked and untracked-not-ignored files only", async () => {
  const root = tree({
    "pyproject.toml": PYPROJECT,
    "README.md": "# Demo\n",
    LICENSE: "MIT License\n",
    "licenses/extra.txt": "Extra\n",
    "src/demo_pkg/__init__.py": "",
    "src/demo_pkg/py.typed": "",
    "old.txt": "to be deleted\n",
    ".gitignore": "secret.env\n*.log\n",
  });
  git(root, "init", "-q");
  git(root, "config", "user.email", "dev@example.org");
  git(root, "config", "user.name", "Dev");
  git(root, "config", "commit.gpgsign", "false");
  git(root, "add", ".");
  git(root, "commit", "-q", "-m", "initial");
  writeFileSync(join(root, "secret.env"), "TOKEN=x\n");
  writeFileSync(join(root, "debug.log"), "log\n");
  writeFileSync(join(root, "NEW.md"), "untracked but not ignored\n");
  rmSync(join(root, "old.txt"));

  const ctx = await readProject(root, { display: "pyproject.toml" });
  assert.deepEqual(ctx.files, [
    ".gitignore",
    "LICENSE",
    "NEW.md",
    "README.md",
    "licenses/extra.txt",
    "pyproject.toml",
    "src/demo_pkg/__init__.py",
    "src/demo_pkg/py.typed",
  ]);
  assert.equal(ctx.display, "pyproject.toml");
  assert.equal(ctx.pyprojectText, PYPROJECT);
  assert.deepEqual(JSON.parse(JSON.stringify(ctx.pyproject?.["project"])), {
    name: "demo-pkg",
    version: "1.0.0",
    readme: "README.md",
    license: "MIT",
    "license-files": ["LICEN[CS]E*", "licenses/*"],
  });
  assert.deepEqual([...ctx.contents.keys()].sort(), [
    "LICENSE",
    "README.md",
    "licenses/extra.txt",
    "pyproject.toml",
    "src/demo_pkg/py.typed",
  ]);
  assert.equal(new TextDecoder().decode(ctx.contents.get("README.md")), "# Demo\n");
  assert.deepEqual(checkProject(ctx), []);
});

test("readProject on a subdirectory of a repository lists paths relative to it", async () => {
  const root = tree({
    "tools/pkg/pyproject.toml": PYPROJECT,
    "tools/pkg/README.md": "x\n",
    "tools/pkg/LICENSE": "MIT\n",
    "other.txt": "",
  });
  git(root, "init", "-q");
  git(root, "add", ".");
  const files = await listProjectFiles(join(root, "tools/pkg"));
  assert.deepEqual(files, ["LICENSE", "README.md", "pyproject.toml"]);
});

test("readProject outside git walks the tree and skips VCS, virtualenv and build directories", async () => {
  const root = tree({
    "pyproject.toml": PYPROJECT,
    "README.md": "# Demo\n",
    "LICENCE.txt": "MIT\n",
    "src/demo_pkg/__init__.py": "",
    "src/demo_pkg/__pycache__/x.pyc": "",
    ".venv/lib/site.py": "",
    "venv/bin/python": "",
    ".git/HEAD": "ref: refs/heads/main\n",
    ".hg/store": "",
    "node_modules/x/index.js": "",
    ".tox/py/x": "",
    ".nox/s/x": "",
    "dist/demo_pkg-1.0.0.tar.gz": "",
    "build/lib/demo_pkg/__init__.py": "",
    "src/demo_pkg.egg-info/PKG-INFO": "",
    ".github/workflows/ci.yml": "on: push\n",
  });
  const ctx = await readProject(root);
  assert.deepEqual(ctx.files, [
    ".github/workflows/ci.yml",
    "LICENCE.txt",
    "README.md",
    "pyproject.toml",
    "src/demo_pkg/__init__.py",
  ]);
  assert.equal(ctx.display, join(root, "pyproject.toml"));
  assert.deepEqual([...ctx.contents.keys()].sort(), ["LICENCE.txt", "README.md", "pyproject.toml"]);
});

test("readProject keeps an invalid pyproject.toml for PP01 and fails without one", async () => {
  const broken = tree({ "pyproject.toml": "[project\nname = 1\n" });
  const ctx = await readProject(broken, { display: "pyproject.toml" });
  assert.equal(ctx.pyproject, undefined);
  assert.match(checkProject(ctx)[0]?.message ?? "", /^pyproject\.toml:1:\d+: /);

  const latin1 = tree({ "pyproject.toml": new Uint8Array([0x23, 0x20, 0xe9, 0x0a]) });
  const bad = await readProject(latin1, { display: "pyproject.toml" });
  assert.equal(bad.pyproject, undefined);
  assert.match(checkProject(bad)[0]?.message ?? "", /not UTF-8 \(invalid byte at offset 2\)/);

  const empty = tree({ "setup.py": "" });
  await assert.rejects(readProject(empty), (error: unknown) => {
    assert.ok(error instanceof SlipwayError);
    assert.equal(error.code, "config");
    assert.match(error.message, /no pyproject\.toml in /);
    assert.ok(error.hint);
    return true;
  });
  await assert.rejects(readProject(join(empty, "setup.py")), /is not a directory/);
});
