/**
 * `slipway scan deps` as a whole process (dist/cli.js): real lockfiles (a uv.lock made by real
 * `uv lock` offline from the wheelhouse, requirements files, a real venv made by `python -m venv`
 * and pip), the committed advisory fixtures plus records written here, the gate, ignores and
 * their expiry, damaged inputs, exit 3 without a database, and the JSON shape.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { ADVISORY_FIXTURES } from "../helpers/advisory-snapshot.ts";
import { peersPython, uvOfflineEnv } from "../helpers/peers.ts";
import { scanSection } from "../helpers/scan-json.ts";
import { wheelhouse, wheelhouseEnv } from "../helpers/wheelhouse.ts";

const CLI = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "slipway-scan-deps-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

const baseEnv = {
  PATH: process.env.PATH ?? "",
  HOME: join(scratch, "home"),
  SLIPWAY_CACHE_DIR: join(scratch, "cache"),
  NO_COLOR: "1",
};

function slipway(cwd: string, args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, "scan", "deps", ...args], {
    cwd,
    encoding: "utf8",
    env: { ...baseEnv, ...env },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function json(cwd: string, args: string[], env: Record<string, string> = {}) {
  const r = slipway(cwd, [...args, "--json"], env);
  assert.ok(r.stdout.startsWith("{"), `${r.code}: ${r.stderr}${r.stdout}`);
  return { code: r.code, report: scanSection(r.stdout, "deps"), stderr: r.stderr };
}

function record(
  id: string,
  name: string,
  events: Record<string, string>[],
  extra: Record<string, unknown> = {},
) {
  return JSON.stringify({
    schema_version: "1.6.0",
    id,
    modified: "2025-01-01T00:00:00Z",
    affected: [{ package: { ecosystem: "PyPI", name }, ranges: [{ type: "ECOSYSTEM", events }] }],
    ...extra,
  });
}

/** The committed jinja2 and urllib3 records, plus JSON records for wheelhouse packages. */
function makeDb(name: string): string {
  const dir = join(scratch, name);
  cpSync(join(ADVISORY_FIXTURES, "vulns"), join(dir, "vulns"), { recursive: true });
  mkdirSync(join(dir, "osv", "extra"), { recursive: true });
  writeFileSync(
    join(dir, "osv", "extra", "GHSA-pkg0-0000-0001.json"),
    record("GHSA-pkg0-0000-0001", "Packaging", [{ introduced: "20.0" }, { fixed: "99.0" }], {
      aliases: ["CVE-2099-1001"],
      summary: "packaging parses a marker badly",
      severity: [{ type: "CVSS_V3", score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" }],
    }),
  );
  writeFileSync(
    join(dir, "osv", "extra", "GHSA-plug-0000-0002.json"),
    record("GHSA-plug-0000-0002", "pluggy", [{ introduced: "0" }, { fixed: "9.0" }], {
      database_specific: { severity: "LOW" },
      summary: "pluggy low",
    }),
  );
  writeFileSync(
    join(dir, "osv", "extra", "GHSA-whl0-0000-0003.json"),
    record("GHSA-whl0-0000-0003", "wheel", [{ introduced: "0" }, { last_affected: "0.48.0" }], {
      database_specific: { severity: "MODERATE" },
    }),
  );
  return dir;
}

const db = makeDb("db");

function project(name: string, files: Record<string, string>): string {
  const dir = join(scratch, name);
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return dir;
}

const REQS = 'jinja2==2.10\nurllib3==1.24.1 ; sys_platform == "win32"\nrequests>=2\n';

describe("requirements files and the committed advisories", () => {
  test("one finding per vulnerability, aliases merged, fix and marker named; exit 1 at the default gate", () => {
    const dir = project("reqs", { "requirements.txt": REQS });
    const { code, report } = json(dir, ["--db", db]);
    assert.equal(code, 1);
    assert.equal(report.gate, "high");
    assert.equal(report.database.source, "dir");
    const jinja = report.vulnerabilities.find((v: { id: string }) => v.id === "PYSEC-2019-217");
    assert.deepEqual(jinja.ids, ["CVE-2019-10906", "GHSA-462w-v97r-4m45", "PYSEC-2019-217"]);
    assert.equal(jinja.fixedIn, "2.10.1");
    assert.equal(jinja.fix, "upgrade jinja2 to 2.10.1 or later");
    assert.equal(jinja.level, "unknown");
    assert.equal(jinja.severity, "error");
    assert.deepEqual([jinja.file, jinja.line], ["requirements.txt", 1]);
    // Never two findings for one (package, version, vulnerability).
    const keys = report.vulnerabilities.map((v: { id: string; name: string }) => `${v.id} ${v.name}`);
    assert.equal(new Set(keys).size, keys.length);
    const urllib = report.vulnerabilities.filter((v: { name: string }) => v.name === "urllib3");
    assert.ok(urllib.length >= 5);
    for (const v of urllib) assert.equal(v.marker, 'sys_platform == "win32"');
    const scored = urllib.find((v: { id: string }) => v.id === "PYSEC-2023-192");
    assert.deepEqual([scored.level, scored.score, scored.severity], ["high", 8.1, "error"]);
    const moderate = urllib.find((v: { id: string }) => v.id === "PYSEC-2023-212");
    assert.deepEqual([moderate.level, moderate.severity], ["moderate", "warning"]);
    // The section: findings, fingerprints and a rule per advisory id.
    const section = report;
    assert.equal(section.scanner, "deps");
    assert.equal(section.failed, true);
    assert.equal(section.findings.length, section.fingerprints.length);
    const rule = section.rules.find((r: { id: string }) => r.id === "PYSEC-2023-192");
    assert.deepEqual(rule, {
      id: "PYSEC-2023-192",
      description: rule.description,
      help: "upgrade urllib3 to 1.26.17 or later",
      helpUri: "https://osv.dev/vulnerability/PYSEC-2023-192",
      securitySeverity: 8.1,
    });
    const unpinned = section.findings.find((f: { id: string }) => f.id === "DEPS-UNPINNED");
    assert.deepEqual(unpinned.location, { file: "requirements.txt", line: 3 });
  });

  test("the text output names the fix, the marker and the aliases", () => {
    const dir = project("reqs-text", { "requirements.txt": REQS });
    const { code, stdout } = slipway(dir, ["--db", db]);
    assert.equal(code, 1);
    assert.match(
      stdout,
      /jinja2 2\.10 is vulnerable to PYSEC-2019-217 \(CVE-2019-10906, GHSA-462w-v97r-4m45\)/,
    );
    assert.match(stdout, /Upgrade jinja2 to 2\.10\.1 or later/);
    assert.match(stdout, /only when sys_platform == "win32"/);
    assert.match(stdout, /advisories: \d+ records from /);
  });

  test("the gate: below it warnings and exit 0; --fail-on low makes them errors", () => {
    const dir = project("gate", { "requirements.txt": "urllib3==1.24.1\n" });
    const critical = json(dir, ["--db", db, "--fail-on", "critical"]);
    assert.equal(critical.code, 0);
    assert.ok(critical.report.vulnerabilities.length > 0);
    assert.ok(critical.report.vulnerabilities.every((v: { severity: string }) => v.severity === "warning"));
    const low = json(dir, ["--db", db, "--fail-on", "low"]);
    assert.equal(low.code, 1);
    assert.ok(low.report.vulnerabilities.every((v: { severity: string }) => v.severity === "error"));
    const clean = project("clean", { "requirements.txt": "urllib3==2.5.0\njinja2==3.1.6\n" });
    assert.equal(slipway(clean, ["--db", db]).code, 0);
    const bad = slipway(dir, ["--db", db, "--fail-on", "severe"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--fail-on 'severe' is not one of low, moderate, high, critical/);
  });

  test("--format github writes annotations on the lockfile's lines", () => {
    const dir = project("github", { "requirements.txt": "jinja2==2.10\n" });
    const { code, stdout } = slipway(dir, ["--db", db, "--format", "github"]);
    assert.equal(code, 1);
    assert.match(stdout, /^::error file=requirements\.txt,line=1,title=PYSEC-2019-217/m);
  });
});

describe("ignores in [tool.slipway.scan]", () => {
  const pyproject = (ignores: string) =>
    `[project]\nname = "demo"\nversion = "1.0"\n\n[tool.slipway.scan]\n${ignores}`;

  test("an ignore in force silences its vulnerability by any of its ids; it is listed", () => {
    const dir = project("ignore", {
      "requirements.txt": "jinja2==2.10\n",
      "pyproject.toml": pyproject(
        '[[tool.slipway.scan.ignore]]\nid = "CVE-2019-10906"\nreason = "no sandbox here"\nexpires = 2999-01-31\n\n[[tool.slipway.scan.ignore]]\nid = "GHSA-g3rq-g295-4j3m"\nreason = "templates are ours"\nexpires = "2999-12-31"\npackage = "Jinja2"\n',
      ),
    });
    const { code, report } = json(dir, ["--db", db]);
    assert.equal(code, 0, JSON.stringify(report.findings));
    assert.deepEqual(report.vulnerabilities, []);
    assert.deepEqual(
      report.ignored.map((i: { id: string; reason: string; expires: string }) => [i.id, i.reason, i.expires]),
      [
        ["PYSEC-2019-217", "no sandbox here", "2999-01-31"],
        ["PYSEC-2021-66", "templates are ours", "2999-12-31"],
      ],
    );
  });

  test("an expired ignore silences nothing and is itself an error naming the entry", () => {
    const dir = project("expired", {
      "requirements.txt": "jinja2==2.10\n",
      "pyproject.toml": pyproject(
        '[[tool.slipway.scan.ignore]]\nid = "PYSEC-2019-217"\nreason = "was fine in 2020"\nexpires = 2020-06-30\n',
      ),
    });
    const { code, report } = json(dir, ["--db", db, "--fail-on", "critical"]);
    assert.equal(code, 1);
    const expired = report.findings.find((f: { id: string }) => f.id === "DEPS-IGNORE-EXPIRED");
    assert.equal(expired.severity, "error");
    assert.match(
      expired.message,
      /the ignore of PYSEC-2019-217 \(ignore\[1\], "was fine in 2020"\) expired on 2020-06-30/,
    );
    assert.deepEqual(expired.location, { file: "pyproject.toml", field: "tool.slipway.scan.ignore[1]" });
    assert.ok(report.vulnerabilities.some((v: { id: string }) => v.id === "PYSEC-2019-217"));
  });

  for (const [name, ignore, pattern] of [
    ["no reason", 'id = "PYSEC-2019-217"\nexpires = 2999-01-01', /ignore\[1\]\.reason: missing/],
    ["no expiry", 'id = "PYSEC-2019-217"\nreason = "x"', /ignore\[1\]\.expires: missing/],
    [
      "a bad date",
      'id = "X-1"\nreason = "x"\nexpires = "2027-02-30"',
      /expected a date such as 2027-01-31, found "2027-02-30"/,
    ],
    [
      "a number for an id",
      'id = 5\nreason = "x"\nexpires = 2999-01-01',
      /ignore\[1\]\.id: expected a non-empty string, found an integer/,
    ],
    [
      "an unknown key",
      'id = "X-1"\nreason = "x"\nexpires = 2999-01-01\nuntil = 1',
      /ignore\[1\]\.until: unknown key/,
    ],
  ] as const) {
    test(`a config error (exit 2): ${name}`, () => {
      const dir = project(`bad-${name.replaceAll(" ", "-")}`, {
        "requirements.txt": "jinja2==2.10\n",
        "pyproject.toml": pyproject(`[[tool.slipway.scan.ignore]]\n${ignore}\n`),
      });
      const r = slipway(dir, ["--db", db]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, pattern);
    });
  }

  test("ignore as a table instead of an array of tables is a config error", () => {
    const dir = project("bad-shape", {
      "requirements.txt": "jinja2==2.10\n",
      "pyproject.toml": pyproject('ignore = "PYSEC-2019-217"\n'),
    });
    const r = slipway(dir, ["--db", db]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /\[tool\.slipway\.scan\] ignore: expected an array of tables, found a string/);
  });
});

describe("the database: --db, damaged records, none at all", () => {
  test("no database: exit 3 with the way out, never a pass", () => {
    const dir = project("nodb", { "requirements.txt": "jinja2==2.10\n" });
    const r = slipway(dir, []);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /no advisory database/);
    const asJson = slipway(dir, ["--json"]);
    assert.equal(asJson.code, 3);
    assert.deepEqual([JSON.parse(asJson.stdout).type, JSON.parse(asJson.stdout).exit], ["error", 3]);
    assert.match(r.stderr, /slipway scan update-db/);
    assert.match(r.stderr, /--db DIR/);
    const empty = join(scratch, "empty-db");
    mkdirSync(empty);
    const e = slipway(dir, ["--db", empty]);
    assert.equal(e.code, 3);
    assert.match(e.stderr, /no OSV records in it/);
    const missing = slipway(dir, ["--db", join(scratch, "absent")]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /not a directory/);
  });

  test("a damaged OSV file is a warning naming it; the rest is scanned", () => {
    const dir = makeDb("damaged-db");
    writeFileSync(join(dir, "vulns", "jinja2", "PYSEC-broken.yaml"), "id: PYSEC-broken\naffected: [\n");
    writeFileSync(join(dir, "osv", "half.json"), '{"id": "GHSA-half", "affected": [');
    const proj = project("damaged", { "requirements.txt": "jinja2==2.10\n" });
    for (const run of ["cold", "warm"]) {
      const { code, report } = json(proj, ["--db", dir]);
      assert.equal(code, 1, run);
      assert.equal(report.database.fromIndex, run === "warm");
      const damaged = report.findings.filter((f: { id: string }) => f.id === "DEPS-DB");
      assert.deepEqual(
        damaged.map((f: { severity: string; location: { file: string } }) => [f.severity, f.location.file]),
        [
          ["warning", join(dir, "osv", "half.json")],
          ["warning", join(dir, "vulns", "jinja2", "PYSEC-broken.yaml")],
        ],
      );
      assert.match(damaged[1].message, /not valid YAML/);
      assert.ok(report.vulnerabilities.some((v: { id: string }) => v.id === "PYSEC-2019-217"));
    }
  });

  test("a malformed lockfile is an error naming the file and line; a usage error for a missing one", () => {
    const dir = project("malformed", { "uv.lock": 'version = 1\n[[package]]\nname = "x"\nversion = [\n' });
    const { code, report } = json(dir, ["--db", db]);
    assert.equal(code, 1);
    const lock = report.findings.find((f: { id: string }) => f.id === "DEPS-LOCK");
    assert.equal(lock.location.file, "uv.lock");
    assert.match(lock.message, /not valid TOML/);
    const missing = slipway(dir, ["nope.lock", "--db", db]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /nope\.lock: not a lockfile slipway reads/);
    const absent = slipway(dir, ["requirements.txt", "--db", db]);
    assert.equal(absent.code, 2);
    assert.match(absent.stderr, /requirements\.txt: no such file/);
    const none = project("no-lockfile", {});
    const n = slipway(none, ["--db", db]);
    assert.equal(n.code, 2);
    assert.match(n.stderr, /no lockfile in/);
  });
});

describe("real lockfiles and a real venv", () => {
  const uvEnv = () => uvOfflineEnv(scratch);

  test("a uv.lock made by `uv lock`: found without naming it, with uv's markers, beside a requirements file", () => {
    const dir = project("uv-project", {
      "pyproject.toml": `[project]\nname = "uv-demo"\nversion = "0.1.0"\nrequires-python = ">=3.10"\ndependencies = ["packaging>=24", "pluggy; sys_platform == 'win32'"]\n`,
      "requirements-dev.txt": "packaging==26.3\n",
    });
    const made = spawnSync(
      join(dirname(peersPython()), "uv"),
      ["lock", "--offline", "--no-index", "--find-links", wheelhouse()],
      { cwd: dir, encoding: "utf8", env: uvEnv() },
    );
    assert.equal(made.status, 0, made.stderr);
    const { code, report } = json(dir, ["--db", db]);
    assert.equal(code, 1);
    assert.deepEqual(
      report.inputs.map((i: { file: string; format: string }) => [i.file, i.format]),
      [
        ["requirements-dev.txt", "requirements"],
        ["uv.lock", "uv.lock"],
      ],
    );
    const packaging = report.vulnerabilities.find((v: { name: string }) => v.name === "packaging");
    assert.deepEqual(
      [packaging.id, packaging.ids, packaging.level, packaging.score, packaging.fixedIn],
      ["GHSA-pkg0-0000-0001", ["CVE-2099-1001", "GHSA-pkg0-0000-0001"], "critical", 9.8, "99.0"],
    );
    // One finding for the version pinned in both files, naming the other.
    assert.equal(report.vulnerabilities.filter((v: { name: string }) => v.name === "packaging").length, 1);
    assert.deepEqual(packaging.alsoIn, ["uv.lock"]);
    const pluggy = report.vulnerabilities.find((v: { name: string }) => v.name === "pluggy");
    assert.deepEqual(
      [pluggy.marker, pluggy.level, pluggy.severity],
      ["sys_platform == 'win32'", "low", "warning"],
    );
    const lockText = readFileSync(join(dir, "uv.lock"), "utf8").split("\n");
    assert.equal(lockText[pluggy.line - 1], "[[package]]");
    assert.equal(lockText[pluggy.line], 'name = "pluggy"');
  });

  test("--installed reads a real venv's dist-infos", () => {
    const venv = join(scratch, "venv");
    const made = spawnSync(peersPython(), ["-m", "venv", venv], { encoding: "utf8" });
    assert.equal(made.status, 0, made.stderr);
    const pip = spawnSync(
      join(venv, "bin", "python"),
      ["-m", "pip", "install", "--quiet", "--no-deps", "wheel==0.48.0", "packaging==26.3"],
      { encoding: "utf8", env: wheelhouseEnv() },
    );
    assert.equal(pip.status, 0, pip.stderr);
    const dir = project("installed", {});
    const { code, report } = json(dir, ["--installed", venv, "--db", db]);
    assert.equal(code, 1);
    // pip (and on older Pythons setuptools) from ensurepip, then wheel and packaging.
    assert.deepEqual(
      report.inputs.map((i: { format: string }) => i.format),
      ["installed"],
    );
    assert.ok(report.inputs[0].pins >= 3);
    const names = report.vulnerabilities.map((v: { name: string; version: string; level: string }) => [
      v.name,
      v.version,
      v.level,
    ]);
    assert.deepEqual(names.sort(), [
      ["packaging", "26.3", "critical"],
      ["wheel", "0.48.0", "moderate"],
    ]);
    const wheel = report.vulnerabilities.find((v: { name: string }) => v.name === "wheel");
    assert.match(wheel.file, /site-packages\/wheel-0\.48\.0\.dist-info\/METADATA$/);
    assert.equal(
      wheel.fix,
      "no fixed version of wheel is known; remove or replace it, or ignore GHSA-whl0-0000-0003 with a reason",
    );
    const notVenv = slipway(dir, ["--installed", dir, "--db", db]);
    assert.equal(notVenv.code, 2);
    assert.match(notVenv.stderr, /no site-packages in it/);
  });
});

test("--help has examples", () => {
  const r = slipway(scratch, ["--help"]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /Examples:\n {2}slipway scan update-db && slipway scan deps/);
  assert.match(r.stdout, /Exit status: 0 nothing at or above the gate, 1 a finding at or above it, 2 usage/);
});

describe("what a warm scan reuses is checked, never trusted", () => {
  test("a record added to the database is seen by the next scan; a planted pin cache is re-parsed", async () => {
    const dir = makeDb("growing-db");
    const cache = join(scratch, "cache-warm");
    const proj = project("warm", { "requirements.txt": "pluggy==1.7.0\n" });
    const first = json(proj, ["--db", dir], { SLIPWAY_CACHE_DIR: cache });
    assert.deepEqual(
      first.report.vulnerabilities.map((v: { id: string }) => v.id),
      ["GHSA-plug-0000-0002"],
    );
    assert.equal(json(proj, ["--db", dir], { SLIPWAY_CACHE_DIR: cache }).report.database.fromIndex, true);
    // A new file in an existing directory: the directory's mtime says the listing changed.
    writeFileSync(
      join(dir, "osv", "extra", "GHSA-plug-0000-0009.json"),
      record("GHSA-plug-0000-0009", "pluggy", [{ introduced: "1.0" }, { fixed: "1.8" }]),
    );
    const grown = json(proj, ["--db", dir], { SLIPWAY_CACHE_DIR: cache });
    assert.equal(grown.report.database.fromIndex, false);
    assert.deepEqual(
      grown.report.vulnerabilities.map((v: { id: string }) => v.id),
      ["GHSA-plug-0000-0002", "GHSA-plug-0000-0009"],
    );
    // Every cached read of a lockfile replaced by hostile shapes: the lockfile is read again.
    const { readdirSync } = await import("node:fs");
    const pinsDir = join(cache, "lock-pins-v1");
    for (const planted of [
      "{",
      JSON.stringify({ key: "other", read: { pins: [], unpinned: [] } }),
      (key: string) => JSON.stringify({ key, read: { pins: [{ name: 5 }], unpinned: [] } }),
      (key: string) => JSON.stringify({ key, read: { pins: [], unpinned: "x" } }),
    ]) {
      for (const name of readdirSync(pinsDir)) {
        const key = name.replace(/\.json$/, "");
        writeFileSync(join(pinsDir, name), typeof planted === "string" ? planted : planted(key));
      }
      const again = json(proj, ["--db", dir], { SLIPWAY_CACHE_DIR: cache });
      assert.equal(again.report.pins, 1);
      assert.deepEqual(again.report.vulnerabilities, grown.report.vulnerabilities);
    }
  });
});

test("over the whole PyPA snapshot, a warm scan (index, skipped packages) finds what a cold one finds", async (t) => {
  const { advisorySnapshot } = await import("../helpers/advisory-snapshot.ts");
  const { readdirSync } = await import("node:fs");
  const snapshot = advisorySnapshot();
  if (snapshot === undefined) {
    t.skip("the PyPA advisory snapshot is not here (set SLIPWAY_TEST_ADVISORY_DB)");
    return;
  }
  const names = readdirSync(join(snapshot, "vulns")).sort().slice(0, 400);
  const versions = ["0.1", "1.0", "1.2.3", "2.0", "2.31.0", "3.0.0rc1", "10", "99.0"];
  const lines = names.map((name, i) => `${name}==${versions[i % versions.length]}`);
  const dir = project("whole-snapshot", { "requirements.txt": `${lines.join("\n")}\n` });
  const cold = json(dir, ["--db", snapshot], { SLIPWAY_NO_CACHE: "1" });
  const cache = join(scratch, "cache-whole");
  json(dir, ["--db", snapshot], { SLIPWAY_CACHE_DIR: cache });
  const warm = json(dir, ["--db", snapshot], { SLIPWAY_CACHE_DIR: cache });
  assert.equal(cold.report.database.fromIndex, false);
  assert.equal(warm.report.database.fromIndex, true);
  assert.ok(cold.report.vulnerabilities.length > 100);
  assert.deepEqual(warm.report.vulnerabilities, cold.report.vulnerabilities);
  assert.equal(warm.code, cold.code);
});

test("a symlinked lockfile is followed; a FIFO or a directory is a usage error", async () => {
  const { symlinkSync } = await import("node:fs");
  const dir = project("links", { "real-requirements.txt": "jinja2==2.10\n" });
  symlinkSync(join(dir, "real-requirements.txt"), join(dir, "requirements.txt"));
  const linked = json(dir, ["requirements.txt", "--db", db]);
  assert.equal(linked.code, 1);
  assert.ok(linked.report.vulnerabilities.some((v: { id: string }) => v.id === "PYSEC-2019-217"));
  mkdirSync(join(dir, "uv.lock"));
  const directory = slipway(dir, ["uv.lock", "--db", db]);
  assert.equal(directory.code, 2);
  assert.match(directory.stderr, /uv\.lock: not a regular file/);
  assert.equal(spawnSync("mkfifo", [join(dir, "poetry.lock")]).status, 0);
  const fifo = slipway(dir, ["poetry.lock", "--db", db]);
  assert.equal(fifo.code, 2);
  assert.match(fifo.stderr, /poetry\.lock: not a regular file/);
});
