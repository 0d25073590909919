/**
 * Bare `slipway scan` on a real git project with a requirements lockfile: the secret scan, the
 * lockfile's integrity and its dependencies against the advisory database (the committed
 * jinja2/urllib3 OSV records) in one report and one gate; without a database the other scans
 * are still reported and the exit status is 3, never a pass; a history scan is secrets only;
 * one SARIF report of every section is valid SARIF 2.1.0, and the job summary lists each
 * scanner. The token is made here in PyPI's documented format, never a real one.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { ADVISORY_FIXTURES } from "../helpers/advisory-snapshot.ts";
import { runSlipway } from "../helpers/cli.ts";
import { makeRepo, scratch } from "../helpers/git-repo.ts";
import { sarifSchemaErrors } from "../helpers/sarif-schema.ts";

const work = scratch("slipway-scan-whole-");
after(work.remove);

const TOKEN = `pypi-AgEIcHlwaS5vcmc${"V2hvbGVfc2Nhbl90ZXN0X3Rva2VuX25vdF9yZWFsX2F0X2FsbA".repeat(2)}`;
const env = {
  PATH: process.env["PATH"],
  HOME: work.dir,
  SLIPWAY_CACHE_DIR: join(work.dir, "cache"),
  NO_COLOR: "1",
};

function project(files: Record<string, string> = {}): string {
  return makeRepo(work.dir, {
    "pyproject.toml": '[project]\nname = "demo"\nversion = "1.0"\ndependencies = ["jinja2", "urllib3"]\n',
    "requirements.txt": "jinja2==2.10\nurllib3==2.2.2\n",
    "src/demo/__init__.py": "VERSION = '1.0'\n",
    ...files,
  });
}

interface Doc {
  ok: boolean;
  exit: number;
  sections: { scanner: string; failed: boolean; findings: { id: string; severity: string }[] }[];
}
const parse = (stdout: string) => JSON.parse(stdout) as Doc;

test("one report: secrets, the lockfile and its vulnerable pins, each a section; one exit status", () => {
  const dir = project({ "src/demo/settings.py": `TOKEN = "${TOKEN}"\n` });
  const r = runSlipway(dir, ["scan", "--db", ADVISORY_FIXTURES, "--json"], env);
  assert.equal(r.code, 1, r.stderr);
  const doc = parse(r.stdout);
  assert.deepEqual(
    doc.sections.map((s) => [s.scanner, s.failed]),
    [
      ["secrets", true],
      ["lock", false],
      ["deps", true],
    ],
  );
  const deps = doc.sections[2]!;
  assert.ok(
    deps.findings.some((f) => f.id === "PYSEC-2019-217"),
    JSON.stringify(deps.findings.map((f) => f.id)),
  );
  assert.equal(doc.exit, 1);
  assert.ok(!(r.stdout + r.stderr).includes(TOKEN.slice(4, 24)), "a secret in the output");

  // The dependency gate alone: with the secret gone and --fail-on critical, the unscored
  // jinja2 advisories (counted as high) are warnings, and the scan passes.
  writeFileSync(join(dir, "src/demo/settings.py"), "import os\nTOKEN = os.environ['TOKEN']\n");
  const relaxed = runSlipway(
    dir,
    ["scan", "--db", ADVISORY_FIXTURES, "--fail-on", "critical", "--json"],
    env,
  );
  const relaxedDoc = parse(relaxed.stdout);
  assert.deepEqual(
    relaxedDoc.sections.map((s) => s.failed),
    [false, false, false],
    relaxed.stdout.slice(0, 400),
  );
  assert.equal(relaxed.code, 0, relaxed.stderr);
});

test("no advisory database: the other scans are reported, and the exit status is 3, never a pass", () => {
  const dir = project();
  const r = runSlipway(dir, ["scan", "--json"], env);
  assert.equal(r.code, 3, r.stderr);
  const doc = parse(r.stdout);
  assert.equal(doc.exit, 3);
  assert.equal(doc.ok, false);
  assert.deepEqual(
    doc.sections.map((s) => s.scanner),
    ["secrets", "lock"],
  );
  assert.match(r.stderr, /the dependency scan did not run: no advisory database/);
  assert.match(r.stderr, /slipway scan update-db/);
  // A finding still wins over the missing feed: exit 1, so a retry on 3 cannot hide it.
  const leaked = project({ "deploy.env": `PYPI_TOKEN=${TOKEN}\n` });
  assert.equal(runSlipway(leaked, ["scan"], env).code, 1);
});

test("a history scan is the secret scan only; --db without a lockfile is a usage error", () => {
  const dir = project();
  const history = runSlipway(dir, ["scan", "--history", "--json"], env);
  assert.equal(history.code, 0, history.stderr);
  assert.deepEqual(
    parse(history.stdout).sections.map((s) => s.scanner),
    ["secrets"],
  );
  const bare = makeRepo(work.dir, { "pyproject.toml": '[project]\nname = "bare"\nversion = "1"\n' });
  const plain = runSlipway(bare, ["scan", "--json"], env);
  assert.equal(plain.code, 0, plain.stderr);
  assert.deepEqual(
    parse(plain.stdout).sections.map((s) => s.scanner),
    ["secrets"],
  );
  const usage = runSlipway(bare, ["scan", "--db", ADVISORY_FIXTURES], env);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /has no lockfile/);
  assert.equal(runSlipway(dir, ["scan", "secrets", "--db", ADVISORY_FIXTURES], env).code, 2);
  assert.equal(runSlipway(dir, ["scan", "--fail-on", "urgent", "--db", ADVISORY_FIXTURES], env).code, 2);
});

test("--sarif: one valid SARIF 2.1.0 log of every section; the job summary names each scanner", () => {
  const dir = project({ "src/demo/settings.py": `TOKEN = "${TOKEN}"\n` });
  const summary = join(work.dir, "summary.md");
  writeFileSync(summary, "");
  const r = runSlipway(dir, ["scan", "--db", ADVISORY_FIXTURES, "--sarif", "scan.sarif"], {
    ...env,
    GITHUB_STEP_SUMMARY: summary,
  });
  assert.equal(r.code, 1, r.stderr);
  const text = readFileSync(join(dir, "scan.sarif"), "utf8");
  assert.ok(!text.includes(TOKEN.slice(4, 24)), "a secret in the SARIF");
  const log = JSON.parse(text) as { runs: { results: { ruleId: string }[] }[] };
  assert.deepEqual(sarifSchemaErrors(log), []);
  const rules = log.runs.flatMap((run) => run.results.map((res) => res.ruleId));
  assert.ok(rules.includes("pypi-upload-token"));
  assert.ok(rules.includes("PYSEC-2019-217"));
  const markdown = readFileSync(summary, "utf8");
  for (const scanner of ["secrets", "lock", "deps"]) assert.match(markdown, new RegExp(`\\| ${scanner}`));
  assert.ok(!markdown.includes(TOKEN.slice(4, 24)));
});
