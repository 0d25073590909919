#!/usr/bin/env node
// Benchmark: `slipway scan deps` as a whole process (`node dist/cli.js scan deps uv.lock --db …`)
// on a 500-pin uv.lock against the whole PyPA advisory snapshot: cold (an empty cache: every
// record parsed, the index written) and warm (the files stat'ed, the index header and the pinned
// packages' records read), medians of several runs, beside bare `node -e 0`. Run `npm run build`
// first. pip-audit has no offline mode against a local database (see bench/README.md).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadAdvisoryDb } from "../src/adapters/advisory-db.ts";
import { advisorySnapshot } from "../test/helpers/advisory-snapshot.ts";
import { fmt, median, timeOnce } from "./lib.mjs";

const dir = advisorySnapshot();
if (dir === undefined) {
  console.error(
    "bench/vulns.mjs: the PyPA advisory snapshot (shared/data/pypa-advisory-database) is not here; set SLIPWAY_TEST_ADVISORY_DB",
  );
  process.exit(2);
}
const CLI = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "slipway-bench-vulns-"));
const runs = Number(process.env.BENCH_RUNS ?? 11);

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

/** A uv.lock as uv writes it: the project, then one [[package]] per pin with an sdist and a wheel. */
function uvLock(list) {
  const hash = (i) => `sha256:${i.toString(16).padStart(64, "0")}`;
  const lines = ["version = 1", "revision = 2", 'requires-python = ">=3.9"', ""];
  lines.push("[[package]]", 'name = "bench-project"', 'version = "0.1.0"', 'source = { editable = "." }');
  lines.push("dependencies = [");
  for (const [name] of list) lines.push(`    { name = "${name}" },`);
  lines.push("]", "");
  list.forEach(([name, version], i) => {
    lines.push(
      "[[package]]",
      `name = "${name}"`,
      `version = "${version}"`,
      'source = { registry = "https://pypi.org/simple" }',
      `sdist = { url = "https://files.example/${name}-${version}.tar.gz", hash = "${hash(2 * i)}", size = 1000 }`,
      "wheels = [",
      `    { url = "https://files.example/${name}-${version}-py3-none-any.whl", hash = "${hash(2 * i + 1)}", size = 1000 },`,
      "]",
      "",
    );
  });
  return `${lines.join("\n")}\n`;
}

try {
  const db = await loadAdvisoryDb(dir, { SLIPWAY_NO_CACHE: "1" });
  const project = join(work, "project");
  rmSync(project, { recursive: true, force: true });
  const { mkdirSync } = await import("node:fs");
  mkdirSync(project);
  writeFileSync(join(project, "uv.lock"), uvLock(pins(db.records)));
  writeFileSync(join(project, "pyproject.toml"), '[project]\nname = "bench-project"\nversion = "0.1.0"\n');
  const node = process.execPath;
  const scan = (cache) => ({
    argv: [node, CLI, "scan", "deps", "uv.lock", "--db", dir],
    options: { cwd: project, env: { ...process.env, SLIPWAY_CACHE_DIR: cache } },
  });
  const check = (r) => {
    if (r.status !== 1 && r.status !== 0) throw new Error(`scan deps exited ${r.status}: ${r.stderr}`);
    return r.ms;
  };
  // Cold: a fresh cache each run (the code cache of Node stays warm, as for a user's second project).
  const cold = [];
  for (let i = 0; i < 3; i++) {
    const cache = join(work, `cache-cold-${i}`);
    const c = scan(cache);
    cold.push(check(timeOnce(c.argv, c.options)));
  }
  const warmCache = join(work, "cache-cold-0");
  const w = scan(warmCache);
  const bare = [];
  const warm = [];
  for (let i = 0; i < runs; i++) {
    bare.push(timeOnce([node, "-e", "0"]).ms);
    warm.push(check(timeOnce(w.argv, w.options)));
  }
  const out = JSON.parse(
    (await import("node:child_process")).spawnSync(w.argv[0], [...w.argv.slice(1), "--json"], {
      ...w.options,
      encoding: "utf8",
      maxBuffer: 256 * 1024 * 1024,
    }).stdout,
  );
  console.log(
    `advisory snapshot: ${db.records.length} records; uv.lock with 500 pins: ${out.vulnerabilities?.length} vulnerabilities found`,
  );
  console.log(`cold (empty cache, median of 3): ${fmt(median(cold), 0)} ms`);
  console.log(
    `warm (median of ${runs}): ${fmt(median(warm), 1)} ms (min ${fmt(Math.min(...warm), 1)}); bare node -e 0: ${fmt(median(bare), 1)} ms`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
