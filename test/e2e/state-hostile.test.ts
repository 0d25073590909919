/**
 * Files slipway reads back from `.slipway/` are hostile input: a repository can commit them
 * (`git add -f`), and a clone then hands them to the next run. Each test plants a journal as an
 * attacker would, in a real git repository (and a real clone), runs the real CLI, and checks that
 * nothing outside the project changed and that the refusal names the file, the field and the fix.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { git, makeRepo, scratch, writeFiles } from "../helpers/git-repo.ts";

const main = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
const work = scratch("slipway-state-hostile-");
after(work.remove);

const PROJECT = {
  "pyproject.toml": `[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n\n[project]\nname = "demo-pkg"\nversion = "1.2.3"\n`,
  "src/demo_pkg/__init__.py": `__version__ = "1.2.3"\n`,
};

// A pid no process has (Linux caps pids far below this): the "interrupted" edit looks dead.
const DEAD_PID = 2_147_483_646;

function slipway(cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [main, ...args], {
    cwd,
    encoding: "utf8",
    env: { PATH: process.env["PATH"] ?? "", HOME: work.dir, NO_COLOR: "1", CI: "1" },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Files outside any project the journal aims at: one to overwrite, one to delete, one to create. */
function victims() {
  const dir = join(work.dir, `outside-${Math.random().toString(16).slice(2)}`);
  mkdirSync(dir);
  const overwrite = join(dir, "notes.txt");
  const remove = join(dir, "keep-me.txt");
  const create = join(dir, "evil.sh");
  writeFileSync(overwrite, "precious\n");
  writeFileSync(remove, "do not delete\n");
  return {
    overwrite,
    remove,
    create,
    assertUntouched() {
      assert.equal(readFileSync(overwrite, "utf8"), "precious\n", "the outside file is not overwritten");
      assert.equal(existsSync(remove), true, "the outside file is not deleted");
      assert.equal(existsSync(create), false, "no file is created outside the project");
    },
  };
}

/** The attack of issue 11 B1: a rolled-back "interrupted edit" that writes and deletes outside. */
function hostileEditJournal(v: ReturnType<typeof victims>) {
  return {
    schema: 1,
    label: "version 1.2.3 → 1.2.4",
    pid: DEAD_PID,
    startedAt: "2026-01-01T00:00:00.000Z",
    files: [
      // Holds its `after` text, so a roll-back writes `before` over it.
      {
        path: "notes.txt",
        target: v.overwrite,
        temp: null,
        mode: 0o644,
        before: "owned\n",
        after: "precious\n",
      },
      // Does not exist (its `after` is null), so a roll-back creates it, executable.
      {
        path: "evil.sh",
        target: v.create,
        temp: null,
        mode: 0o755,
        before: "#!/bin/sh\necho owned\n",
        after: null,
      },
      // Already "restored"; its temp file is removed.
      {
        path: "gone",
        target: join(v.create, "..", "nothing"),
        temp: v.remove,
        mode: 0o644,
        before: null,
        after: null,
      },
    ],
  };
}

test("a committed version-edit journal in a clone: 'version bump' refuses it and touches nothing", () => {
  const v = victims();
  const origin = makeRepo(work.dir, PROJECT);
  writeFiles(origin, { ".slipway/version-edit.json": JSON.stringify(hostileEditJournal(v), null, 1) });
  git(origin, "add", "-f", ".slipway/version-edit.json");
  git(origin, "commit", "-q", "-m", "docs: notes");
  const clone = join(work.dir, `clone-${Math.random().toString(16).slice(2)}`);
  git(work.dir, "clone", "-q", origin, clone);

  const r = slipway(clone, "version", "bump", "patch");
  v.assertUntouched();
  assert.notEqual(r.code, 0, `refused:\n${r.stdout}${r.stderr}`);
  assert.match(r.stderr, /git tracks \.slipway\/version-edit\.json/);
  assert.match(r.stderr, /git rm -r --cached \.slipway/);
  assert.equal(readFileSync(join(clone, "pyproject.toml"), "utf8"), PROJECT["pyproject.toml"], "no bump");
  assert.equal(git(clone, "status", "--porcelain"), "");
  // Every command that meets the journal says what it is, not "recover an interrupted edit".
  for (const args of [
    ["version", "show"],
    ["version", "recover"],
  ]) {
    const other = slipway(clone, ...args);
    assert.equal(other.code, 1, args.join(" "));
    assert.match(other.stderr, /git tracks \.slipway\/version-edit\.json/, args.join(" "));
  }
  v.assertUntouched();
});

/** A project (not a clone: the journal came some other way, e.g. in a tarball) with `journal` planted. */
function planted(journal: unknown): string {
  const dir = makeRepo(work.dir, PROJECT);
  writeFiles(dir, { ".slipway/version-edit.json": JSON.stringify(journal, null, 1) });
  return dir;
}

test("an untracked journal naming files outside the project: refused field by field, nothing touched", () => {
  const v = victims();
  const hostile = hostileEditJournal(v);
  const cases: [number, RegExp][] = [
    [0, /version-edit\.json files\[0\]\.target: ".*notes\.txt" is outside the project/],
    [1, /version-edit\.json files\[0\]\.target: ".*evil\.sh" is outside the project/],
    [2, /version-edit\.json files\[0\]\.target: ".*nothing" is outside the project/],
  ];
  for (const [i, message] of cases) {
    const dir = planted({ ...hostile, files: [hostile.files[i]] });
    const r = slipway(dir, "version", "recover");
    v.assertUntouched();
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, message);
    assert.equal(
      existsSync(join(dir, ".slipway/version-edit.json")),
      true,
      "the journal is left for a human",
    );
  }
});

test("a journal whose temp lies outside, or whose target is reached through a symlink out: refused", () => {
  const v = victims();
  const dir = planted({});
  // A target inside the project, but a temp elsewhere: recovery would delete it.
  const inside = join(dir, "pyproject.toml");
  const withTemp = {
    ...hostileEditJournal(v),
    files: [
      { path: "pyproject.toml", target: inside, temp: v.remove, mode: 0o644, before: null, after: null },
    ],
  };
  writeFiles(dir, { ".slipway/version-edit.json": JSON.stringify(withTemp) });
  let r = slipway(dir, "version", "recover");
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    /files\[0\]\.temp: expected a temp file beside ".*pyproject\.toml", found ".*keep-me\.txt"/,
  );
  // A directory symlink inside the project that leads out of it.
  symlinkSync(join(v.overwrite, ".."), join(dir, "docs"));
  const throughLink = {
    ...hostileEditJournal(v),
    files: [
      {
        path: "docs/notes.txt",
        target: join(dir, "docs", "notes.txt"),
        temp: null,
        mode: 0o644,
        before: "owned\n",
        after: "precious\n",
      },
    ],
  };
  writeFiles(dir, { ".slipway/version-edit.json": JSON.stringify(throughLink) });
  r = slipway(dir, "version", "recover");
  assert.equal(r.code, 1);
  assert.match(r.stderr, /files\[0\]\.target: ".*docs\/notes\.txt" is outside the project/);
  v.assertUntouched();
});

test("a journal with an unknown or mistyped field is refused before anything is touched, naming the field", () => {
  const v = victims();
  const good = {
    schema: 1,
    label: "version 1.2.3 → 1.2.4",
    pid: DEAD_PID,
    startedAt: "2026-01-01T00:00:00.000Z",
    files: [{ path: "pyproject.toml", target: "", temp: null, mode: 0o644, before: "a", after: "b" }],
  };
  const cases: [(j: typeof good, dir: string) => unknown, RegExp][] = [
    [(j) => ({ ...j, files: [{ ...j.files[0], chmod: 0o4755 }] }), /files\[0\]\.chmod: unknown field/],
    [
      (j) => ({ ...j, files: [{ ...j.files[0], mode: "493" }] }),
      /files\[0\]\.mode: expected an integer from 0 to 4095, found "493"/,
    ],
    [
      (j) => ({ ...j, files: [{ ...j.files[0], path: "../notes.txt" }] }),
      /files\[0\]\.path: expected a relative path inside the project/,
    ],
    [(j) => ({ ...j, schema: 2 }), /schema: expected 1, found 2/],
    [(j) => ({ ...j, run: "rm -rf /" }), /\brun: unknown field/],
  ];
  for (const [change, message] of cases) {
    const dir = planted({});
    const pyproject = join(dir, "pyproject.toml");
    writeFiles(dir, {
      ".slipway/version-edit.json": JSON.stringify(
        change(
          { ...good, files: [{ ...good.files[0]!, target: pyproject, after: PROJECT["pyproject.toml"] }] },
          dir,
        ),
      ),
    });
    const r = slipway(dir, "version", "bump", "patch");
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, /\.slipway\/version-edit\.json is not a file slipway wrote: /);
    assert.match(r.stderr, message);
    assert.equal(
      readFileSync(pyproject, "utf8"),
      PROJECT["pyproject.toml"],
      "nothing rolled back, nothing bumped",
    );
  }
  v.assertUntouched();
});

test(".slipway as a symlink out of the project is refused, not written through", () => {
  const v = victims();
  const dir = makeRepo(work.dir, PROJECT);
  symlinkSync(join(v.overwrite, ".."), join(dir, ".slipway"));
  const r = slipway(dir, "version", "bump", "patch");
  assert.equal(r.code, 1, r.stdout);
  assert.match(r.stderr, /\.slipway is a symlink: slipway keeps its run state in a directory of its own/);
  v.assertUntouched();
  assert.deepEqual(
    readdirSync(join(v.overwrite, "..")).sort(),
    ["keep-me.txt", "notes.txt"],
    "no journal or .gitignore written through the link",
  );
  assert.equal(statSync(join(dir, ".slipway")).isDirectory(), true);
});
