/**
 * Lockfile integrity against the real tools: uv.lock files made by `uv lock` (the peers venv's uv,
 * offline, from the wheelhouse) from a small project, then the project edited; `uv lock --check`
 * is the oracle for each edit. poetry.lock against fixtures written by `poetry lock` (poetry 2.5.1,
 * not a peer: the fixtures were made once from PyPI and committed).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, describe, test } from "node:test";
import { parse } from "smol-toml";
import { listInstalled } from "../../src/adapters/installed.ts";
import {
  checkPoetryLock,
  checkUvLock,
  LOCK_CHECKS,
  poetryContentHash,
} from "../../src/core/locks/integrity.ts";
import { type LockFormat, readLock } from "../../src/core/locks/pins.ts";
import { normalizeName } from "../../src/core/names/name.ts";
import type { TomlTable } from "../../src/core/pyproject/access.ts";
import { peersPython, uvOfflineEnv } from "../helpers/peers.ts";
import { wheelhouse } from "../helpers/wheelhouse.ts";

const scratch = mkdtempSync(join(tmpdir(), "slipway-locks-"));
after(() => rmSync(scratch, { recursive: true, force: true }));
const files = { pyproject: "pyproject.toml", lock: "uv.lock" };

function uv(dir: string, args: string[]) {
  return uvRun(dir, ["lock", ...args]);
}

function uvRun(dir: string, [command = "lock", ...args]: string[]) {
  const result = spawnSync(
    join(dirname(peersPython()), "uv"),
    [command, "--offline", "--no-index", "--find-links", wheelhouse(), ...args],
    {
      cwd: dir,
      encoding: "utf8",
      env: uvOfflineEnv(scratch),
    },
  );
  return result;
}

const BASE = `[project]
name = "Demo_X"
version = "0.1.0"
description = "lock integrity"
requires-python = ">=3.10"
dependencies = ["Packaging >= 24,<30", "pluggy; sys_platform == \\"win32\\" and python_version>='3.10'"]

[project.optional-dependencies]
toml = ["tomlkit ; sys_platform=='linux'"]

[dependency-groups]
dev = ["wheel", {include-group = "lint"}]
lint = ["flit_core"]
`;

const toml = (text: string) => parse(text) as TomlTable;

function readLockPins(format: LockFormat, text: string) {
  const read = readLock(format, format, text);
  assert.ok(read.ok);
  return read.pins;
}

describe("uv.lock against pyproject.toml, with `uv lock --check` as the oracle", () => {
  const base = join(scratch, "base");
  let lockText = "";

  test("a fresh `uv lock` agrees with its pyproject", () => {
    mkdirSync(base);
    writeFileSync(join(base, "pyproject.toml"), BASE);
    const made = uv(base, []);
    assert.equal(made.status, 0, made.stderr);
    lockText = readFileSync(join(base, "uv.lock"), "utf8");
    assert.match(lockText, /\[package\.metadata\]/);
    assert.deepEqual(checkUvLock(toml(BASE), lockText, files), []);
  });

  test("the pins of uv.lock are those of `uv export` to pylock.toml and requirements.txt, markers included", () => {
    const pinsOf = (format: LockFormat, text: string) => {
      const read = readLock(format, format, text);
      assert.ok(read.ok, read.ok ? "" : read.error.message);
      assert.deepEqual(read.unpinned, []);
      return read.pins
        .filter((pin) => pin.normalized !== "demo-x")
        .map((pin) => `${pin.normalized}==${pin.version}; ${pin.marker ?? ""}`)
        .sort();
    };
    const exported = (format: string) => {
      const run = uvRun(base, [
        "export",
        "--format",
        format,
        "--all-extras",
        "--all-groups",
        "--no-emit-project",
      ]);
      assert.equal(run.status, 0, run.stderr);
      return run.stdout;
    };
    const fromLock = pinsOf("uv.lock", lockText);
    assert.deepEqual(fromLock, [
      "flit-core==4.2.0; ",
      "packaging==26.3; ",
      "pluggy==1.7.0; sys_platform == 'win32'",
      "tomlkit==0.15.2; sys_platform == 'linux'",
      "wheel==0.48.0; ",
    ]);
    const pylock = exported("pylock.toml");
    assert.deepEqual(pinsOf("pylock.toml", pylock), fromLock);
    assert.ok(readLockPins("pylock.toml", pylock).every((pin) => pin.hashes.length === 1));
    assert.deepEqual(pinsOf("requirements", exported("requirements.txt")), fromLock);
  });

  // [label, edit of BASE, IDs slipway reports (empty: the lock still agrees)]
  const cases: [string, (text: string) => string, string[]][] = [
    ["only the description changes", (t) => t.replace("lock integrity", "something else"), []],
    [
      "the same requirements spelled otherwise (order, spaces, quotes, python_version)",
      (t) =>
        t.replace(
          /^dependencies = .*$/m,
          `dependencies = ["pluggy ; python_version >= \\"3.10\\" and 'win32' == sys_platform", "packaging<30,>=24.0"]`,
        ),
      [],
    ],
    [
      "a dependency is added",
      (t) => t.replace('"Packaging >= 24,<30"', '"Packaging >= 24,<30", "wheel"'),
      ["LOCK02"],
    ],
    ["a specifier changes", (t) => t.replace(">= 24,<30", ">= 25,<30"), ["LOCK02"]],
    [
      "a marker changes",
      (t) => t.replace('sys_platform == \\"win32\\"', 'sys_platform == \\"darwin\\"'),
      ["LOCK02"],
    ],
    [
      "an optional dependency's marker changes",
      (t) => t.replace("sys_platform=='linux'", "sys_platform=='darwin'"),
      ["LOCK02"],
    ],
    [
      "an extra is added",
      (t) => t.replace('toml = ["tomlkit', 'cli = ["wheel"]\ntoml = ["tomlkit'),
      ["LOCK02"],
    ],
    ["an extra is removed", (t) => t.replace(/^toml = .*$/m, ""), ["LOCK02"]],
    [
      "an included group changes",
      (t) => t.replace('lint = ["flit_core"]', 'lint = ["flit_core>=4"]'),
      ["LOCK02"],
    ],
    ["a group is added", (t) => `${t}docs = ["tomlkit"]\n`, ["LOCK02"]],
    [
      "a group's name spelled otherwise (groups are normalized)",
      (t) => t.replace('lint = ["flit_core"]', 'Lint = ["flit-core"]'),
      [],
    ],
    [
      "tool.uv.dev-dependencies adds to the dev group",
      (t) => `${t}\n[tool.uv]\ndev-dependencies = ["tomlkit"]\n`,
      ["LOCK02"],
    ],
    ["requires-python changes", (t) => t.replace('">=3.10"', '">=3.11"'), ["LOCK03"]],
    ["requires-python ~=3.10 is not >=3.10", (t) => t.replace('">=3.10"', '"~=3.10"'), ["LOCK03"]],
    [
      "a path source is added for a dependency",
      (t) =>
        `${t}\n[tool.uv.sources]\npackaging = { path = ${JSON.stringify(join(wheelhouse(), "packaging-26.3-py3-none-any.whl"))} }\n`,
      ["LOCK02"],
    ],
    ["the project is renamed", (t) => t.replace('"Demo_X"', '"other-name"'), ["LOCK04"]],
  ];
  for (const [label, edit, ids] of cases) {
    test(`${label}: ${ids.length ? ids.join(", ") : "no finding"}, as uv says`, () => {
      const dir = mkdtempSync(join(scratch, "case-"));
      const text = edit(BASE);
      assert.notEqual(text, label.startsWith("only") ? "" : BASE);
      writeFileSync(join(dir, "pyproject.toml"), text);
      writeFileSync(join(dir, "uv.lock"), lockText);
      const found = checkUvLock(toml(text), lockText, files);
      assert.deepEqual([...new Set(found.map((f) => f.id))], ids, JSON.stringify(found, null, 1));
      for (const f of found) assert.equal(f.severity, LOCK_CHECKS[f.id]?.severity);
      const oracle = uv(dir, ["--check"]);
      assert.equal(oracle.status, ids.length ? 1 : 0, `uv lock --check: ${oracle.stderr}`);
    });
  }

  test("a dependency from a path source: uv locks it without its specifier, and so does slipway", () => {
    const dir = mkdtempSync(join(scratch, "sourced-"));
    mkdirSync(join(dir, "w"));
    cpSync(
      join(wheelhouse(), "packaging-26.3-py3-none-any.whl"),
      join(dir, "w", "packaging-26.3-py3-none-any.whl"),
    );
    const sourced = `${BASE}\n[tool.uv.sources]\npackaging = { path = "w/packaging-26.3-py3-none-any.whl" }\n`;
    writeFileSync(join(dir, "pyproject.toml"), sourced);
    assert.equal(uv(dir, []).status, 0);
    const lock = readFileSync(join(dir, "uv.lock"), "utf8");
    assert.match(lock, /\{ name = "packaging", path = "w\/packaging-26\.3-py3-none-any\.whl" \}/);
    assert.deepEqual(checkUvLock(toml(sourced), lock, files), []);
    // The source removed: the registry requirement is back, and the lock is stale.
    writeFileSync(join(dir, "pyproject.toml"), BASE);
    assert.deepEqual([...new Set(checkUvLock(toml(BASE), lock, files).map((f) => f.id))], ["LOCK02"]);
    assert.equal(uv(dir, ["--check"]).status, 1);
  });

  test("LOCK06: a downloaded artifact without a hash; local find-links files (uv records no hash) are not reported", () => {
    const edited = lockText.replace(
      /\{ path = "[^"]*packaging-26\.3-py3-none-any\.whl" \}/,
      '{ url = "https://files.example/packaging-26.3-py3-none-any.whl" }',
    );
    assert.notEqual(edited, lockText);
    const found = checkUvLock(toml(BASE), edited, files);
    assert.deepEqual(
      found.map((f) => [f.id, f.location.line !== undefined && edited.split("\n")[f.location.line - 1]]),
      [["LOCK06", "[[package]]"]],
    );
    assert.match(
      found[0]?.message ?? "",
      /packaging 26\.3 artifact https:\/\/files\.example\/\S+ has no hash/,
    );
    const hashed = edited.replace(
      'packaging-26.3-py3-none-any.whl" }',
      'packaging-26.3-py3-none-any.whl", hash = "sha256:00" }',
    );
    assert.deepEqual(checkUvLock(toml(BASE), hashed, files), []);
  });

  test("LOCK01: a damaged uv.lock is a finding with its line", () => {
    const damaged = lockText.replace('version = "0.1.0"', "version = 0.1.0");
    const found = checkUvLock(toml(BASE), damaged, files);
    assert.deepEqual(
      found.map((f) => f.id),
      ["LOCK01"],
    );
    assert.equal(damaged.split("\n")[(found[0]?.location.line ?? 0) - 1], "version = 0.1.0");
  });
});

describe("poetry.lock content-hash (fixtures written by poetry 2.5.1)", () => {
  const fixture = (dir: string, name: string) =>
    readFileSync(new URL(`../fixtures/locks/${dir}/${name}`, import.meta.url), "utf8");
  const poetryFiles = { pyproject: "pyproject.toml", lock: "poetry.lock" };

  for (const dir of ["poetry-project", "poetry-legacy", "poetry-groups"]) {
    test(`${dir}: the recorded hash is the one slipway computes; a dependency edit is LOCK05`, () => {
      const pyproject = fixture(dir, "pyproject.toml");
      const lock = fixture(dir, "poetry.lock");
      assert.deepEqual(checkPoetryLock(toml(pyproject), lock, poetryFiles), []);
      // Not part of the hash: metadata outside the dependency keys.
      assert.deepEqual(
        checkPoetryLock(toml(pyproject.replace('version = "0.1.0"', 'version = "0.2.0"')), lock, poetryFiles),
        [],
      );
      const edited = pyproject
        .replace('packaging = ">=24"', 'packaging = ">=25"')
        .replace('"packaging>=24"', '"packaging>=25"');
      assert.notEqual(edited, pyproject);
      const found = checkPoetryLock(toml(edited), lock, poetryFiles);
      assert.deepEqual(
        found.map((f) => f.id),
        ["LOCK05"],
      );
      assert.equal(lock.split("\n")[(found[0]?.location.line ?? 0) - 1]?.startsWith("content-hash = "), true);
    });
  }

  test("a lock written before poetry 2.3 was hashed without [dependency-groups], and poetry accepts it so", () => {
    const pyproject = toml(fixture("poetry-project", "pyproject.toml"));
    const lock = fixture("poetry-project", "poetry.lock");
    const withoutGroups = poetryContentHash(pyproject, { withDependencyGroups: false });
    assert.notEqual(withoutGroups, poetryContentHash(pyproject));
    const old = lock.replace(/content-hash = "[0-9a-f]+"/, `content-hash = "${withoutGroups}"`);
    assert.deepEqual(
      checkPoetryLock(pyproject, old.replace("Poetry 2.5.1", "Poetry 2.2.1"), poetryFiles),
      [],
    );
    assert.deepEqual(
      checkPoetryLock(pyproject, old, poetryFiles).map((f) => f.id),
      ["LOCK05"],
    );
  });

  test("LOCK06: a poetry.lock file entry without a hash", () => {
    const pyproject = fixture("poetry-project", "pyproject.toml");
    const lock = fixture("poetry-project", "poetry.lock").replace(/, hash = "sha256:[0-9a-f]+"\}/, "}");
    const found = checkPoetryLock(toml(pyproject), lock, poetryFiles);
    assert.deepEqual(
      found.map((f) => f.id),
      ["LOCK06"],
    );
    assert.match(found[0]?.message ?? "", /packaging 26\.4 has 1 file\(s\) without a hash/);
  });
});

test("--installed: the peers venv's dist-info list is what `pip list` reports", async () => {
  const venv = dirname(dirname(peersPython()));
  const { packages, unreadable } = await listInstalled(venv);
  assert.deepEqual(unreadable, []);
  const pip = spawnSync(
    peersPython(),
    ["-m", "pip", "list", "--format", "json", "--disable-pip-version-check"],
    {
      encoding: "utf8",
    },
  );
  assert.equal(pip.status, 0, pip.stderr);
  const expected = (JSON.parse(pip.stdout) as { name: string; version: string }[])
    .map((entry) => `${normalizeName(entry.name)}==${entry.version}`)
    .sort();
  assert.deepEqual(packages.map((entry) => `${entry.normalized}==${entry.version}`).sort(), expected);
  assert.ok(packages.some((entry) => entry.normalized === "uv"));
});
