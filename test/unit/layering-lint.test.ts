/**
 * The layering biome.json enforces (DESIGN.md: cli → ops → (pipeline, server, adapters) → core,
 * all I/O in adapters): ops, pipeline and cli import no node:fs or node:os, cli imports no
 * adapter — not even a type — with no file excused. Checked by running biome with the
 * project's own overrides on probe files.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const BIOME = join(ROOT, "node_modules/.bin/biome");

interface Diagnostic {
  category: string;
  severity: string;
  location: { path: string; start: { line: number } };
}

const PROBES: Record<string, string> = {
  "src/ops/probe.ts": `import { readFile } from "node:fs/promises";\nimport { tmpdir } from "node:os";\nimport { join } from "node:path";\nimport { pathExists } from "../adapters/fs.ts";\nexport const x = [readFile, tmpdir, join, pathExists];\n`,
  "src/pipeline/probe.ts": `import { hostname } from "node:os";\nimport { readFileSync } from "node:fs";\nexport const x = [hostname, readFileSync];\n`,
  "src/cli/commands/probe.ts": `import type { ExecResult } from "../../adapters/exec.ts";\nimport { statSync } from "node:fs";\nimport { check } from "../../ops/check.ts";\nexport type R = ExecResult;\nexport const x = [statSync, check];\n`,
  "src/cli/probe.ts": `import { formatArgv } from "../adapters/exec.ts";\nexport const x = formatArgv;\n`,
  "src/adapters/probe.ts": `import { readFile } from "node:fs/promises";\nimport { hostname } from "node:os";\nexport const x = [readFile, hostname];\n`,
  "src/server/probe.ts": `import { readFile } from "node:fs/promises";\nexport const x = readFile;\n`,
  // A file that was once excused while it was converted: held like every other now.
  "src/cli/commands/release.ts": `import { readFile } from "node:fs/promises";\nimport { exec } from "../../adapters/exec.ts";\nexport const x = [readFile, exec];\n`,
};

test("biome.json bans file and machine I/O in ops, pipeline and cli, and adapters in cli", () => {
  const config = JSON.parse(readFileSync(join(ROOT, "biome.json"), "utf8")) as {
    $schema?: string;
    overrides: { plugins?: string[] }[];
  };
  delete config.$schema;
  // The call-spread plugin has its own test and a path relative to the repository.
  config.overrides = config.overrides.filter((o) => o.plugins === undefined);
  const dir = mkdtempSync(join(tmpdir(), "slipway-layering-"));
  try {
    writeFileSync(join(dir, "biome.json"), JSON.stringify(config));
    for (const [path, text] of Object.entries(PROBES)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    const run = spawnSync(BIOME, ["lint", "--reporter=json", "--max-diagnostics=1000", "src"], {
      cwd: dir,
      encoding: "utf8",
    });
    const report = JSON.parse(run.stdout) as { diagnostics: Diagnostic[] };
    const found = report.diagnostics
      .filter((d) => d.category === "lint/style/noRestrictedImports")
      .map((d) => `${d.severity} ${d.location.path}:${d.location.start.line}`)
      .sort();
    assert.deepEqual(found, [
      "error src/cli/commands/probe.ts:1",
      "error src/cli/commands/probe.ts:2",
      "error src/cli/commands/release.ts:1",
      "error src/cli/commands/release.ts:2",
      "error src/cli/probe.ts:1",
      "error src/ops/probe.ts:1",
      "error src/ops/probe.ts:2",
      "error src/pipeline/probe.ts:1",
      "error src/pipeline/probe.ts:2",
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
