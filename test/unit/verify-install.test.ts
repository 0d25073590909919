import assert from "node:assert/strict";
import { test } from "node:test";
import {
  checkArchiveHash,
  compareInstalledRecord,
  describeDifferences,
  findReportItem,
  type InstalledFile,
  parsePipReport,
  urlFilename,
} from "../../src/core/verify/install-proof.ts";
import {
  baseRequirements,
  consoleScriptEntries,
  parseImportMs,
  readInstallFacts,
  scriptArgv,
  slowestImports,
  stripImportTime,
  topLevelModules,
} from "../../src/core/verify/smoke-targets.ts";

const A = "a".repeat(64);
const B = "b".repeat(64);

test("parsePipReport reads name, version, url and the sha256 from hashes or hash", () => {
  const report = JSON.stringify({
    version: "1",
    install: [
      {
        download_info: {
          url: "file:///w/demo_pkg-1.0-py3-none-any.whl",
          archive_info: { hash: `sha256=${A}` },
        },
        metadata: { name: "Demo.Pkg", version: "1.0" },
      },
      {
        download_info: {
          url: "http://i/x-2.tar.gz#md5=00",
          archive_info: { hash: "md5=00", hashes: { sha256: B } },
        },
        metadata: { name: "x", version: "2" },
      },
      { download_info: { url: "http://i/y.whl", archive_info: { hash: "md5=00" } }, metadata: { name: "y" } },
    ],
  });
  const items = parsePipReport(report);
  assert.equal(items[0]?.sha256, A);
  assert.equal(items[1]?.sha256, B);
  assert.equal(items[2]?.sha256, undefined);
  assert.equal(items[2]?.hash, "md5=00");
  assert.equal(findReportItem(items, "demo-pkg")?.version, "1.0");
  assert.equal(findReportItem(items, "other"), undefined);
  assert.throws(() => parsePipReport("{}"));
});

test("urlFilename drops the fragment and decodes", () => {
  assert.equal(urlFilename("http://h/p/a%2Bb-1.0.tar.gz#sha256=00"), "a+b-1.0.tar.gz");
  assert.equal(urlFilename("file:///tmp/w/x.whl"), "x.whl");
});

test("checkArchiveHash names both hashes on a mismatch, and foreign files", () => {
  const item = { name: "x", version: "1", url: "http://i/x-1-py3-none-any.whl", sha256: A };
  const same = checkArchiveHash(item, [{ filename: "x-1-py3-none-any.whl", sha256: A }]);
  assert.equal(same.ok, true);
  const other = checkArchiveHash(item, [{ filename: "x-1-py3-none-any.whl", sha256: B }]);
  assert.equal(other.ok, false);
  assert.match(other.message, new RegExp(`${A}.*${B}`));
  const foreign = checkArchiveHash(item, [{ filename: "x-1.tar.gz", sha256: A }]);
  assert.equal(foreign.ok, false);
  assert.match(foreign.message, /not among the artifacts under test \(x-1\.tar\.gz\)/);
  const { sha256: _, ...noHash } = item;
  assert.equal(checkArchiveHash(noHash, [{ filename: "x-1-py3-none-any.whl", sha256: A }]).ok, "unknown");
});

test("a byte-proof failure's hint names where pip took the file, and what can put another file there", () => {
  const locals = [{ filename: "x-1-py3-none-any.whl", sha256: B }];
  const sources = { indexUrl: "http://127.0.0.1:8080/simple/", findLinks: ["/w/wheels"] };
  const fromIndex = {
    name: "x",
    version: "1",
    url: "http://127.0.0.1:8080/files/x/x-1-py3-none-any.whl",
    sha256: A,
  };
  const index = checkArchiveHash(fromIndex, locals, sources);
  assert.equal(index.ok, false);
  assert.ok(
    index.ok === false &&
      index.hint.startsWith(
        `pip took it from ${fromIndex.url}, through the index ${sources.indexUrl}, which holds other bytes`,
      ),
    index.ok === false ? index.hint : "",
  );
  assert.doesNotMatch(index.ok === false ? index.hint : "", /fix the package/);

  const local = checkArchiveHash(
    { ...fromIndex, url: "file:///w/wheels/x-1-py3-none-any.whl" },
    locals,
    sources,
  );
  assert.match(local.ok === false ? local.hint : "", /through the find-links directory \/w\/wheels,/);

  const elsewhere = checkArchiveHash(
    { ...fromIndex, url: "http://mirror.example/x-1-py3-none-any.whl" },
    locals,
    sources,
  );
  const hint = elsewhere.ok === false ? elsewhere.hint : "";
  assert.match(
    hint,
    /^pip took it from http:\/\/mirror\.example\/x-1-py3-none-any\.whl, which is none of the places slipway gave pip \(index http:\/\/127\.0\.0\.1:8080\/simple\/, find-links \/w\/wheels\)/,
  );
  assert.match(hint, /pip configuration or an extra index \(pip\.conf, PIP_INDEX_URL, PIP_EXTRA_INDEX_URL\)/);

  const foreign = checkArchiveHash(fromIndex, [{ filename: "x-1.tar.gz", sha256: A }], sources);
  assert.match(
    foreign.ok === false ? foreign.hint : "",
    /through the index .*, which serves another file for this version/,
  );
});

const di = "x-1.dist-info";
const wheel = [
  { path: "x/__init__.py", sha256: "h1" },
  { path: `${di}/METADATA`, sha256: "h2" },
  { path: `${di}/RECORD`, sha256: "h3" },
  { path: "x-1.data/scripts/tool", sha256: "h4" },
  { path: "x-1.data/purelib/y.py", sha256: "h5" },
  { path: "x-1.data/data/share/x/a.txt", sha256: "h6" },
  { path: "x-1.data/headers/x.h", sha256: "h7" },
];
const installed: InstalledFile[] = [
  { scheme: "lib", path: "x/__init__.py", hash: "sha256=h1" },
  { scheme: "lib", path: "x/__pycache__/__init__.cpython-312.pyc", hash: "" },
  { scheme: "lib", path: `${di}/METADATA`, hash: "sha256=h2" },
  { scheme: "lib", path: `${di}/RECORD`, hash: "" },
  { scheme: "lib", path: `${di}/INSTALLER`, hash: "sha256=i" },
  { scheme: "lib", path: `${di}/REQUESTED`, hash: "sha256=r" },
  { scheme: "lib", path: `${di}/direct_url.json`, hash: "sha256=d" },
  { scheme: "scripts", path: "tool", hash: "sha256=rewritten" },
  { scheme: "scripts", path: "x-cli", hash: "sha256=wrapper" },
  { scheme: "lib", path: "y.py", hash: "sha256=h5" },
  { scheme: "data", path: "share/x/a.txt", hash: "sha256=h6" },
  { scheme: "data", path: "include/site/python3.12/x/x.h", hash: "sha256=h7" },
];

test("compareInstalledRecord accepts an install of the same files, whatever pip adds", () => {
  assert.deepEqual(compareInstalledRecord(wheel, installed, di), []);
});

test("compareInstalledRecord reports changed, missing and unexpected files", () => {
  const changed = installed
    .map((f) => (f.path === "x/__init__.py" ? { ...f, hash: "sha256=zz" } : f))
    .filter((f) => f.path !== "y.py");
  changed.push({ scheme: "lib", path: "x/extra.py", hash: "sha256=e" });
  changed.push({ scheme: "lib", path: "x-1.dist-info/INSTALLER/odd", hash: "sha256=o" });
  const diffs = compareInstalledRecord(wheel, changed, di);
  assert.deepEqual(
    diffs.map((d) => [d.path, d.problem]),
    [
      ["x/__init__.py", "different"],
      ["x-1.data/purelib/y.py", "missing"],
      ["x/extra.py", "unexpected"],
      ["x-1.dist-info/INSTALLER/odd", "unexpected"],
    ],
  );
  assert.deepEqual(describeDifferences(diffs, 1), [
    "x/__init__.py: installed sha256=zz, local wheel sha256=h1",
    "... and 3 more",
  ]);
});

test("topLevelModules finds modules, packages, extensions and namespace contents", () => {
  const paths = [
    "pkg/__init__.py",
    "pkg/sub/mod.py",
    "single.py",
    "_speedups.cpython-312-x86_64-linux-gnu.so",
    "ns/inner/__init__.py",
    "ns/leaf.py",
    "ns/deep/er/__init__.py",
    "data-dir/file.txt",
    "not-a-module.py",
    "x-1.dist-info/METADATA",
    "x-1.data/purelib/fromdata.py",
    "x-1.data/scripts/tool.py",
    "readme.txt",
    "pkg.pth",
  ];
  assert.deepEqual(topLevelModules(paths), [
    "_speedups",
    "fromdata",
    "ns.deep.er",
    "ns.inner",
    "ns.leaf",
    "pkg",
    "single",
  ]);
});

test("consoleScriptEntries lists console_scripts only, with the extras an entry declares", () => {
  const text = "[console_scripts]\ntool = x:main\nother=x.cli:run [cli, Fast]\n[gui_scripts]\ngui = x:gui\n";
  assert.deepEqual(consoleScriptEntries(text), [
    { name: "tool", extras: [] },
    { name: "other", extras: ["cli", "Fast"] },
  ]);
  assert.deepEqual(consoleScriptEntries(undefined), []);
});

test("readInstallFacts reads name, version, extras and requirements", () => {
  const md = new TextEncoder().encode(
    "Metadata-Version: 2.4\nName: x\nVersion: 1.0\nProvides-Extra: cli\nProvides-Extra: cli\nProvides-Extra: fast\nRequires-Dist: click; extra == 'cli'\n\n",
  );
  assert.deepEqual(readInstallFacts(md), {
    name: "x",
    version: "1.0",
    extras: ["cli", "fast"],
    requires: ["click; extra == 'cli'"],
  });
});

test("scriptArgv: a name runs with --help, a command line as written", () => {
  assert.deepEqual(scriptArgv("tool"), ["tool", "--help"]);
  assert.deepEqual(scriptArgv(" tool  --version "), ["tool", "--version"]);
});

test("import probe output: time, slowest modules, stripped noise", () => {
  assert.equal(parseImportMs("hello\n\n__slipway_import_ms__=312.500\n"), 312.5);
  assert.equal(parseImportMs("Traceback"), undefined);
  const stderr = [
    "import time:       100 |        100 |   site",
    "__slipway_import_start__",
    "import time:    300123 |     300123 |   slowpkg.slow",
    "import time:       200 |     300500 | slowpkg",
    "a warning",
  ].join("\n");
  assert.deepEqual(slowestImports(stderr, 2), [
    { module: "slowpkg.slow", selfMs: 300.123 },
    { module: "slowpkg", selfMs: 0.2 },
  ]);
  assert.equal(stripImportTime(stderr), "a warning");
});

test("baseRequirements drops what only an extra needs", () => {
  assert.deepEqual(
    baseRequirements([
      "a",
      'b; extra == "x"',
      "c; python_version >= '3' and extra == 'x'",
      "d; extra == 'x' or python_version < '3.8'",
      "e; extra == 'x' or extra == 'y'",
      "f; extra != 'x'",
      "g; sys_platform == 'win32'",
      "not a requirement ((",
    ]),
    [
      "a",
      "d; extra == 'x' or python_version < '3.8'",
      "f; extra != 'x'",
      "g; sys_platform == 'win32'",
      "not a requirement ((",
    ],
  );
});
