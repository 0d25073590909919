#!/usr/bin/env node
// Benchmark: `slipway scan deps` as a whole process (`node dist/cli.js scan deps uv.lock --db …`)
// on a 500-pin uv.lock against the whole PyPA advisory snapshot: cold (an empty cache: every
// record parsed, the index written) and warm (the files stat'ed, the index header and the pinned
// packages' records read), medians of several runs, beside bare `node -e 0`. Run `npm run build`
// first. pip-audit has no offline mode against a local database (see bench/README.md).
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadAdvisoryDb } from "../src/adapters/advisory-db.ts";
import { compareVersions, parseVersion } from "../src/core/pep440/version.ts";
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

/**
 * 500 pins: the database's package names in record order. "vulnerable": each at a version its
 * records name as affected (the first listed, else the first introduced), so nearly every pin has
 * findings, the worst case. "patched": each at the highest version its records name as fixed,
 * as a maintained project's lockfile would be: few findings.
 */
function pins(records, kind) {
  const out = new Map();
  for (const record of records) {
    for (const entry of record.affected) {
      const events = entry.ranges.filter((r) => r.type === "ECOSYSTEM").flatMap((r) => r.events);
      if (kind === "vulnerable") {
        const introduced = events.find((e) => e.kind === "introduced" && e.version !== "0");
        const version =
          entry.versions[0] ?? introduced?.version ?? events.find((e) => e.kind === "fixed")?.version;
        if (version !== undefined && !out.has(entry.name)) out.set(entry.name, version);
      } else {
        for (const e of events) {
          if (e.kind !== "fixed") continue;
          const v = parseVersion(e.version);
          const known = out.get(entry.name);
          if (v && (known === undefined || compareVersions(v, parseVersion(known)) > 0))
            out.set(entry.name, e.version);
        }
      }
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

const node = process.execPath;

/** One lockfile kind: cold runs (each with an empty cache) and warm runs, interleaved with bare node. */
function measure(db, kind) {
  const project = join(work, kind);
  mkdirSync(project);
  writeFileSync(join(project, "uv.lock"), uvLock(pins(db.records, kind)));
  writeFileSync(join(project, "pyproject.toml"), '[project]\nname = "bench-project"\nversion = "0.1.0"\n');
  const scan = (cache, extra = []) => ({
    argv: [node, CLI, "scan", "deps", "uv.lock", "--db", dir, ...extra],
    options: { cwd: project, env: { ...process.env, SLIPWAY_CACHE_DIR: cache } },
  });
  const check = (r) => {
    if (r.status !== 1 && r.status !== 0) throw new Error(`scan deps exited ${r.status}: ${r.stderr}`);
    return r.ms;
  };
  const cold = [];
  for (let i = 0; i < 3; i++) {
    const c = scan(join(work, `cache-${kind}-${i}`));
    cold.push(check(timeOnce(c.argv, c.options)));
  }
  const w = scan(join(work, `cache-${kind}-0`));
  const bare = [];
  const warm = [];
  for (let i = 0; i < runs; i++) {
    bare.push(timeOnce([node, "-e", "0"]).ms);
    warm.push(check(timeOnce(w.argv, w.options)));
  }
  const j = scan(join(work, `cache-${kind}-0`), ["--json"]);
  const out = JSON.parse(
    spawnSync(j.argv[0], j.argv.slice(1), { ...j.options, encoding: "utf8", maxBuffer: 1 << 28 }).stdout,
  );
  console.log(
    `${kind}: 500 pins, ${out.sections[0].vulnerabilities.length} vulnerabilities; cold (empty cache, median of 3) ${fmt(median(cold), 0)} ms; warm (median of ${runs}) ${fmt(median(warm), 1)} ms (min ${fmt(Math.min(...warm), 1)}); bare node -e 0 ${fmt(median(bare), 1)} ms`,
  );
}

try {
  const db = await loadAdvisoryDb(dir, { SLIPWAY_NO_CACHE: "1" });
  console.log(
    `advisory snapshot: ${db.records.length} records; uv.lock files of 500 pins; \`slipway scan deps uv.lock --db …\` as a process`,
  );
  for (const kind of ["patched", "vulnerable"]) measure(db, kind);
} finally {
  rmSync(work, { recursive: true, force: true });
}
