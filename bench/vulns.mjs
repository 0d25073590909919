#!/usr/bin/env node
// Benchmark: the advisory side of `slipway scan deps`, in process (the command is not wired yet):
// 500 pins against the whole PyPA advisory snapshot, cold (every record parsed, the index written)
// and warm (the files stat'ed, the index read back and checked), each followed by matching.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadAdvisoryDb } from "../src/adapters/advisory-db.ts";
import { findVulnerabilities, indexAdvisories } from "../src/core/vulns/match.ts";
import { advisorySnapshot } from "../test/helpers/advisory-snapshot.ts";
import { fmt, median } from "./lib.mjs";

const dir = advisorySnapshot();
if (dir === undefined) {
  console.error(
    "bench/vulns.mjs: the PyPA advisory snapshot (shared/data/pypa-advisory-database) is not here; set SLIPWAY_TEST_ADVISORY_DB",
  );
  process.exit(2);
}
const cache = mkdtempSync(join(tmpdir(), "slipway-bench-vulns-"));
const env = { SLIPWAY_CACHE_DIR: cache };

/** 500 pins: the database's package names, each at a version taken from its records (fixed order). */
function pins(records) {
  const out = new Map();
  for (const record of records) {
    for (const entry of record.affected) {
      const event = entry.ranges
        .flatMap((r) => r.events)
        .find((e) => e.kind === "fixed" || e.kind === "last_affected");
      const version = entry.versions[0] ?? event?.version ?? "1.0";
      if (!out.has(entry.name)) out.set(entry.name, version);
    }
  }
  const list = [...out].slice(0, 500);
  for (let i = 0; list.length < 500; i++) list.push([`unlisted-${i}`, "1.0"]);
  return list;
}

async function run() {
  const start = performance.now();
  const db = await loadAdvisoryDb(dir, env);
  const loaded = performance.now();
  const index = indexAdvisories(db.records);
  const list = pins(db.records);
  let findings = 0;
  for (const [name, version] of list) findings += findVulnerabilities(index, name, version).length;
  const done = performance.now();
  return {
    fromIndex: db.fromIndex,
    records: db.records.length,
    load: loaded - start,
    match: done - loaded,
    total: done - start,
    findings,
  };
}

try {
  const cold = await run();
  const warm = [];
  for (let i = 0; i < 5; i++) warm.push(await run());
  console.log(`advisory snapshot: ${cold.records} records; 500 pins, ${cold.findings} findings`);
  console.log(
    `cold: load ${fmt(cold.load, 0)} ms + match ${fmt(cold.match, 0)} ms = ${fmt(cold.total, 0)} ms`,
  );
  console.log(
    `warm (median of 5, from index: ${warm.every((w) => w.fromIndex)}): load ${fmt(median(warm.map((w) => w.load)), 0)} ms + match ${fmt(median(warm.map((w) => w.match)), 0)} ms = ${fmt(median(warm.map((w) => w.total)), 0)} ms`,
  );
} finally {
  rmSync(cache, { recursive: true, force: true });
}
