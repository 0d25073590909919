/**
 * Loading an advisory directory: damaged records are per-file errors, a symlink loop does not hang,
 * and a warm load reads the cached index instead of the record files (shown by changing a file's
 * bytes behind the index's back: the warm load still returns the record it had).
 */
import assert from "node:assert/strict";
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { loadAdvisoryDb } from "../../src/adapters/advisory-db.ts";
import { findVulnerabilities, indexAdvisories } from "../../src/core/vulns/match.ts";
import { ADVISORY_FIXTURES } from "../helpers/advisory-snapshot.ts";

const SNAPSHOT = join(ADVISORY_FIXTURES, "vulns");
const scratch = mkdtempSync(join(tmpdir(), "slipway-advisory-db-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

function makeDb(name: string): string {
  const dir = join(scratch, name);
  for (const pkg of ["jinja2", "urllib3"])
    cpSync(join(SNAPSHOT, pkg), join(dir, "vulns", pkg), { recursive: true });
  mkdirSync(join(dir, "osv", "deep"), { recursive: true });
  writeFileSync(
    join(dir, "osv", "deep", "GHSA-test-json.json"),
    JSON.stringify({
      id: "GHSA-test-json",
      modified: "2025-01-01T00:00:00Z",
      aliases: ["CVE-2099-0001"],
      affected: [
        {
          package: { ecosystem: "PyPI", name: "Demo_Pkg" },
          ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed: "2.0" }] }],
        },
      ],
      database_specific: { severity: "HIGH" },
    }),
  );
  writeFileSync(join(dir, "vulns", "jinja2", "PYSEC-broken.yaml"), "id: PYSEC-broken\naffected: [\n");
  writeFileSync(
    join(dir, "osv", "half.json"),
    '{"id": "GHSA-half", "modified": "x", "affected": [{"package": ',
  );
  writeFileSync(join(dir, "README.md"), "not a record\n");
  symlinkSync(dir, join(dir, "osv", "loop"));
  return dir;
}

/** The record files makeDb lays out: the two packages' snapshot records, one JSON record, two damaged ones. */
const fileCount = (_dir: string) =>
  ["jinja2", "urllib3"].reduce((sum, pkg) => sum + readdirSync(join(SNAPSHOT, pkg)).length, 0) + 3;

test("damaged records are named per file; the rest load and match", async () => {
  const dir = makeDb("damaged");
  const db = await loadAdvisoryDb(dir, { SLIPWAY_NO_CACHE: "1" });
  assert.equal(db.fromIndex, false);
  assert.equal(db.filesRead, fileCount(dir));
  assert.deepEqual(
    db.errors.map((e) => e.path),
    ["osv/half.json", "vulns/jinja2/PYSEC-broken.yaml"],
  );
  assert.match(db.errors[0]!.error, /not valid JSON/);
  assert.match(db.errors[1]!.error, /not valid YAML/);
  assert.equal(db.records.length, fileCount(dir) - 2);
  const index = indexAdvisories(db.records);
  assert.deepEqual(
    findVulnerabilities(index, "demo-pkg", "1.0").map((f) => [f.ids, f.severity.level, f.fixedIn]),
    [[["CVE-2099-0001", "GHSA-test-json"], "high", "2.0"]],
  );
  assert.ok(findVulnerabilities(index, "Jinja2", "2.10").some((f) => f.ids.includes("CVE-2020-28493")));
});

test("a warm load reads the index, not the record files; a changed file makes a new revision", async () => {
  const dir = makeDb("warm");
  const env = { SLIPWAY_CACHE_DIR: join(scratch, "cache") };
  const target = join(dir, "osv", "deep", "GHSA-test-json.json");
  const stamp = 1_700_000_000; // whole seconds: restored exactly below
  utimesSync(target, stamp, stamp);
  const cold = await loadAdvisoryDb(dir, env);
  assert.equal(cold.fromIndex, false);
  assert.equal(cold.filesRead, fileCount(dir));
  const warm = await loadAdvisoryDb(dir, env);
  assert.equal(warm.fromIndex, true);
  assert.equal(warm.filesRead, 0);
  assert.equal(warm.revision, cold.revision);
  assert.deepEqual(warm.records, cold.records);
  assert.deepEqual(warm.errors, cold.errors);

  // Same size, same mtime, other bytes: only a load that reads the file could notice.
  const before = statSync(target);
  writeFileSync(target, "x".repeat(before.size));
  utimesSync(target, stamp, stamp);
  const still = await loadAdvisoryDb(dir, env);
  assert.equal(still.fromIndex, true);
  assert.ok(still.records.some((r) => r.id === "GHSA-test-json"));

  // A real change (size or mtime) is a new revision: parsed again, and the damage is reported.
  writeFileSync(target, "x".repeat(before.size + 1));
  const changed = await loadAdvisoryDb(dir, env);
  assert.equal(changed.fromIndex, false);
  assert.notEqual(changed.revision, cold.revision);
  assert.ok(changed.errors.some((e) => e.path === "osv/deep/GHSA-test-json.json"));
});

test("a damaged or planted index is ignored and rebuilt, never trusted", async () => {
  const dir = makeDb("planted");
  const cacheDir = join(scratch, "cache-planted");
  const env = { SLIPWAY_CACHE_DIR: cacheDir };
  const cold = await loadAdvisoryDb(dir, env);
  const indexFile = join(cacheDir, "advisories", `${cold.revision}.json`);
  for (const planted of [
    "{not json",
    JSON.stringify({ format: 1, revision: "other", records: [], errors: [] }),
    JSON.stringify({ format: 1, revision: cold.revision, records: [{ id: 5 }], errors: [] }),
    JSON.stringify({ format: 1, revision: cold.revision, records: [], errors: [{ path: 1 }] }),
  ]) {
    writeFileSync(indexFile, planted);
    const db = await loadAdvisoryDb(dir, env);
    assert.equal(db.fromIndex, false, planted);
    assert.deepEqual(db.records, cold.records);
  }
  // A symlink at the index path is not followed.
  rmSync(indexFile);
  symlinkSync(join(dir, "osv", "deep", "GHSA-test-json.json"), indexFile);
  assert.equal((await loadAdvisoryDb(dir, env)).fromIndex, false);
});
