import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { checkLockHashes } from "../../src/core/locks/integrity.ts";
import { lockFormatOf, readLock } from "../../src/core/locks/pins.ts";

const fixture = (path: string) => readFileSync(new URL(`../fixtures/locks/${path}`, import.meta.url), "utf8");

function pinsOf(read: ReturnType<typeof readLock>) {
  assert.ok(read.ok, read.ok ? "" : `${read.error.file}:${read.error.line}: ${read.error.message}`);
  return read;
}

test("lockFormatOf knows the lockfile names, including requirements-*.txt and pylock.<name>.toml", () => {
  assert.equal(lockFormatOf("a/uv.lock"), "uv.lock");
  assert.equal(lockFormatOf("poetry.lock"), "poetry.lock");
  assert.equal(lockFormatOf("Pipfile.lock"), "Pipfile.lock");
  assert.equal(lockFormatOf("pylock.toml"), "pylock.toml");
  assert.equal(lockFormatOf("pylock.ci.toml"), "pylock.toml");
  assert.equal(lockFormatOf("requirements-dev.txt"), "requirements");
  assert.equal(lockFormatOf("pyproject.toml"), undefined);
});

test("a real poetry.lock (poetry 2.5.1): pins with normalized names, markers and sha256 hashes", () => {
  const { pins } = pinsOf(readLock("poetry.lock", "poetry.lock", fixture("poetry-project/poetry.lock")));
  assert.deepEqual(
    pins.map((pin) => [pin.normalized, pin.version, pin.marker, pin.hashes.length, pin.line]),
    [
      ["packaging", "26.4", undefined, 2, 3],
      ["pluggy", "1.7.0", 'sys_platform == "win32"', 2, 15],
      ["tomlkit", "0.15.3", 'extra == "toml"', 2, 28],
      ["wheel", "0.48.0", undefined, 2, 41],
    ].map(([name, version, marker, hashes, line]) => [name, version, marker, hashes, line]),
  );
  assert.ok(pins.every((pin) => pin.hashes.every((hash) => /^sha256:[0-9a-f]{64}$/.test(hash))));
});

test("uv.lock: the project's own entry (no version) is not a pin; markers and hashes are kept", () => {
  const text = [
    "version = 1",
    'requires-python = ">=3.10"',
    "",
    "[[package]]",
    'name = "demo"',
    'version = "0.1.0"',
    'source = { editable = "." }',
    "dependencies = [",
    '    { name = "jinja2", marker = "sys_platform == \'win32\'" },',
    "]",
    "",
    "[[package]]",
    'name = "member"',
    'source = { directory = "member" }',
    "",
    "[[package]]",
    'name = "Jinja2"',
    'version = "3.1.4"',
    'source = { registry = "https://pypi.org/simple" }',
    'sdist = { url = "https://files.example/jinja2-3.1.4.tar.gz", hash = "sha256:aa", size = 1 }',
    "wheels = [",
    '    { url = "https://files.example/jinja2-3.1.4-py3-none-any.whl", hash = "sha256:bb", size = 1 },',
    "]",
  ].join("\n");
  const { pins } = pinsOf(readLock("uv.lock", "uv.lock", text));
  assert.deepEqual(
    pins.map(({ name, normalized, version, marker, hashes, line }) => ({
      name,
      normalized,
      version,
      marker,
      hashes,
      line,
    })),
    [
      { name: "demo", normalized: "demo", version: "0.1.0", marker: undefined, hashes: [], line: 4 },
      {
        name: "Jinja2",
        normalized: "jinja2",
        version: "3.1.4",
        marker: "sys_platform == 'win32'",
        hashes: ["sha256:aa", "sha256:bb"],
        line: 16,
      },
    ],
  );
});

test("pylock.toml (PEP 751): packages with per-artifact hash tables", () => {
  const text = [
    'lock-version = "1.0"',
    'created-by = "test"',
    "",
    "[[packages]]",
    'name = "attrs"',
    'version = "25.3.0"',
    "marker = \"python_version >= '3.9'\"",
    "",
    "[[packages.wheels]]",
    'name = "attrs-25.3.0-py3-none-any.whl"',
    'url = "https://files.example/attrs-25.3.0-py3-none-any.whl"',
    'hashes = { sha256 = "cc" }',
  ].join("\n");
  const { pins } = pinsOf(readLock("pylock.toml", "pylock.toml", text));
  assert.equal(pins.length, 1);
  assert.deepEqual(
    [pins[0]?.normalized, pins[0]?.version, pins[0]?.marker, pins[0]?.hashes, pins[0]?.line],
    ["attrs", "25.3.0", "python_version >= '3.9'", ["sha256:cc"], 4],
  );
});

test("requirements: exact pins with --hash continuation lines; anything else is reported unpinned", () => {
  const text = [
    "# comment",
    "-r other.txt",
    "--index-url https://example.org/simple",
    "Flask_Login==0.6.3 \\",
    "    --hash=sha256:AB12 \\",
    "    --hash=sha256:cd34",
    'pywin32==306 ; sys_platform == "win32"  # windows only',
    "requests>=2",
    "numpy",
    "django==4.*",
    "black[d]===24.1.0",
  ].join("\n");
  const read = pinsOf(readLock("requirements", "requirements.txt", text));
  assert.deepEqual(
    read.pins.map(({ name, normalized, version, marker, hashes, line }) => ({
      name,
      normalized,
      version,
      marker,
      hashes,
      line,
    })),
    [
      {
        name: "Flask_Login",
        normalized: "flask-login",
        version: "0.6.3",
        marker: undefined,
        hashes: ["sha256:ab12", "sha256:cd34"],
        line: 4,
      },
      {
        name: "pywin32",
        normalized: "pywin32",
        version: "306",
        marker: 'sys_platform == "win32"',
        hashes: [],
        line: 7,
      },
      { name: "black", normalized: "black", version: "24.1.0", marker: undefined, hashes: [], line: 11 },
    ],
  );
  assert.deepEqual(
    read.unpinned.map(({ requirement, line }) => [requirement, line]),
    [
      ["requests>=2", 8],
      ["numpy", 9],
      ["django==4.*", 10],
    ],
  );
});

test("Pipfile.lock: default and develop sections, `==` versions, markers and hashes", () => {
  const text = JSON.stringify(
    {
      _meta: { hash: { sha256: "x" } },
      default: {
        Requests: { hashes: ["sha256:ee"], version: "==2.31.0", markers: "python_version >= '3.7'" },
      },
      develop: { pytest: { hashes: [], version: "==8.0.0" }, local: { path: "." } },
    },
    null,
    4,
  );
  const read = pinsOf(readLock("Pipfile.lock", "Pipfile.lock", text));
  assert.deepEqual(
    read.pins.map(({ normalized, version, marker, hashes }) => [normalized, version, marker, hashes]),
    [
      ["requests", "2.31.0", "python_version >= '3.7'", ["sha256:ee"]],
      ["pytest", "8.0.0", undefined, []],
    ],
  );
  assert.deepEqual(
    read.pins.map((pin) => pin.line),
    [8, 17],
  );
  assert.deepEqual(
    read.unpinned.map((entry) => entry.requirement),
    ["local"],
  );
});

test("a malformed lockfile is an error naming the file and the line, never an exception", () => {
  const cases: [Parameters<typeof readLock>[0], string, number, RegExp][] = [
    ["uv.lock", 'version = 1\n\n[[package]]\nname = "a"\nversion = 1.2.3\n', 5, /not valid TOML/],
    ["uv.lock", 'version = 1\npackage = "x"\n', 1, /not an array/],
    [
      "uv.lock",
      'version = 1\n[[package]]\nname = "a"\n[[package]]\nversion = "1"\n',
      4,
      /entry 2 has no name/,
    ],
    [
      "uv.lock",
      '[[package]]\nname = "a"\nversion = "1"\nwheels = "oops"\n',
      1,
      /a: `wheels` is not an array/,
    ],
    ["poetry.lock", '[[package]]\nname = "a"\nversion = "1"\nfiles = 3\n', 1, /`files` is not an array/],
    ["pylock.toml", '[[packages]]\nname = "a"\nversion = ["1"]\n', 1, /`version` is not a string/],
    ["Pipfile.lock", '{\n  "default": {\n    "a": \n  }\n}', 4, /not valid JSON/],
    ["Pipfile.lock", '{\n  "default": {\n    "a": 3\n  }\n}', 3, /default\.a is not an object/],
    ["uv.lock", "\u0000\u0001binary", 1, /not valid TOML/],
  ];
  for (const [format, text, line, message] of cases) {
    const read = readLock(format, `dir/${format}`, text);
    assert.ok(!read.ok, `${format}: ${JSON.stringify(text)} was accepted`);
    assert.equal(read.error.file, `dir/${format}`);
    assert.equal(read.error.line, line, `${format}: ${read.error.message}`);
    assert.match(read.error.message, message);
  }
});

test("LOCK06/LOCK07: requirements in hash-checking mode need a hash and a pin on every line", () => {
  const text = ["a==1.0 --hash=sha256:aa", "b==2.0", "c>=3", ""].join("\n");
  const found = checkLockHashes("requirements", "req.txt", text, readLock("requirements", "req.txt", text));
  assert.deepEqual(
    found.map((f) => [f.id, f.severity, f.location.line]),
    [
      ["LOCK06", "error", 2],
      ["LOCK07", "error", 3],
    ],
  );
  // Without any --hash, an unpinned line is only a warning and missing hashes are not reported.
  const plain = "b==2.0\nc>=3\n";
  assert.deepEqual(
    checkLockHashes("requirements", "req.txt", plain, readLock("requirements", "req.txt", plain)).map((f) => [
      f.id,
      f.severity,
    ]),
    [["LOCK07", "warning"]],
  );
});

test("LOCK06: a pylock.toml artifact without hashes; LOCK01 for a damaged file", () => {
  const text = [
    'lock-version = "1.0"',
    "[[packages]]",
    'name = "a"',
    'version = "1"',
    'wheels = [{ url = "https://files.example/a-1-py3-none-any.whl", hashes = { sha256 = "aa" } }]',
    "[[packages]]",
    'name = "b"',
    'version = "2"',
    'sdist = { url = "https://files.example/b-2.tar.gz" }',
    "[[packages]]",
    'name = "c"',
    'directory = { path = "c" }',
  ].join("\n");
  const found = checkLockHashes(
    "pylock.toml",
    "pylock.toml",
    text,
    readLock("pylock.toml", "pylock.toml", text),
  );
  assert.deepEqual(
    found.map((f) => [f.id, f.location.line]),
    [["LOCK06", 6]],
  );
  const damaged = "[[packages]\n";
  assert.deepEqual(
    checkLockHashes(
      "pylock.toml",
      "pylock.toml",
      damaged,
      readLock("pylock.toml", "pylock.toml", damaged),
    ).map((f) => [f.id, f.location.line]),
    [["LOCK01", 1]],
  );
});

test("hostile requirements text: long runs of spaces and continuation lines stay linear", () => {
  const spaces = " ".repeat(200_000);
  const text = `a==1 ;${spaces}os_name == "nt"${spaces}x\nb==2 \\\n${"\\\n".repeat(20_000)}--hash=sha256:ab\n`;
  const started = process.hrtime.bigint();
  const read = readLock("requirements", "r.txt", text);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  assert.ok(read.ok);
  assert.deepEqual(
    read.pins.map((pin) => [pin.name, pin.version, pin.hashes, pin.line]),
    [
      ["a", "1", [], 1],
      ["b", "2", ["sha256:ab"], 2],
    ],
  );
  assert.ok(ms < 2000, `took ${ms} ms`);
});
