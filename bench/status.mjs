#!/usr/bin/env node
// Benchmark: `slipway status --site DIR` as a whole process on the prompt-manager example (a git
// copy with a vulnerable pin planted, requirements.txt jinja2==2.10, and the committed advisory
// records as --db): the secret scan of the tree, the lockfile and dependency scans, the document,
// the page and the badges. Warm (the caches filled by a first run), median of several runs,
// beside bare `node -e 0`; and the size of the page and of the whole site. Target: < 300 ms, a
// page < 50 KB. Run `npm run build` first. No peer tool builds such a site.
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { fmt, median, timeOnce } from "./lib.mjs";

const CLI = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
const EXAMPLE = fileURLToPath(new URL("../examples/prompt-manager", import.meta.url));
const ADVISORIES = fileURLToPath(new URL("../test/fixtures/advisories", import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 11);
const node = process.execPath;

export function benchStatus() {
  const work = mkdtempSync(join(tmpdir(), "slipway-bench-status-"));
  try {
    const project = join(work, "prompt-manager");
    cpSync(EXAMPLE, project, {
      recursive: true,
      filter: (src) => !/[/\\](dist|\.slipway|__pycache__)$/.test(src),
    });
    writeFileSync(join(project, "requirements.txt"), "jinja2==2.10\n");
    const git = (...args) => execFileSync("git", args, { cwd: project, stdio: "ignore" });
    git("init", "-q");
    git("add", "-A");
    git("-c", "user.name=bench", "-c", "user.email=bench@slipway.dev", "commit", "-qm", "bench");
    const env = { ...process.env, SLIPWAY_CACHE_DIR: join(work, "cache") };
    const argv = [node, CLI, "status", "--site", "site", "--db", ADVISORIES, "--now", "2026-12-01T00:00:00Z"];
    const once = () => {
      const r = timeOnce(argv, { cwd: project, env });
      if (r.status !== 0) throw new Error(`slipway status exited ${r.status}: ${r.stderr}`);
      return r.ms;
    };
    once(); // the caches: advisory index, lockfile pins, README verdicts
    const bare = [];
    const warm = [];
    for (let i = 0; i < runs; i++) {
      bare.push(timeOnce([node, "-e", "0"]).ms);
      warm.push(once());
    }
    const site = join(project, "site");
    let total = 0;
    const walk = (dir) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else total += statSync(path).size;
      }
    };
    walk(site);
    const page = statSync(join(site, "index.html")).size;
    console.log(
      `slipway status --site on prompt-manager (a vulnerable pin planted), warm, median of ${runs}: ${fmt(median(warm), 1)} ms (min ${fmt(Math.min(...warm), 1)}); bare node -e 0 ${fmt(median(bare), 1)} ms; index.html ${fmt(page / 1024, 1)} KB, the whole site ${fmt(total / 1024, 1)} KB`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) benchStatus();
