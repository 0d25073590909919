/**
 * slipway as a library, imported the way users import it (the built dist/index.js) in a process
 * of its own: check() returns findings as data, reports progress through events, never prints.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { test } from "node:test";
import { loadCorpus } from "../helpers/corpus.ts";
import { peersPython } from "../helpers/peers.ts";

const entry = new URL("../../dist/index.js", import.meta.url);

const USER = `
const slipway = await import(process.argv[1]);
const events = [];
const report = await slipway.check({
  cwd: process.cwd(),
  env: { PATH: process.env.PATH, SLIPWAY_NO_CACHE: "1" },
  dists: [process.argv[2]],
  python: process.argv[3],
  onEvent: (e) => events.push(e.type),
});
let configError;
try {
  await slipway.check({ cwd: process.cwd(), env: {}, project: "/nonexistent-slipway-project" });
} catch (e) {
  configError = e instanceof slipway.SlipwayError ? e.code : String(e);
}
process.stdout.write("RESULT " + JSON.stringify({ events, report, configError, checks: slipway.ALL_CHECKS.length }));
`;

test("check() from the built library returns findings and emits events without printing", () => {
  assert.ok(existsSync(entry), "dist/index.js is missing: run `npm run build` first (npm test does)");
  assert.ok(
    existsSync(new URL("../../dist/types/index.d.ts", import.meta.url)),
    "type declarations are built",
  );
  const broken = loadCorpus().find((c) => c.category === "broken" && c.expect.includes("REC07"));
  assert.ok(broken, "the corpus has a RECORD hash mismatch case");
  const out = execFileSync(
    process.execPath,
    ["--input-type=module", "-e", USER, entry.href, broken.file, peersPython()],
    { encoding: "utf8" },
  );
  assert.ok(out.startsWith("RESULT "), `the library printed something of its own: ${out.slice(0, 200)}`);
  const { events, report, configError, checks } = JSON.parse(out.slice(7)) as {
    events: string[];
    report: { ok: boolean; errors: number; findings: { id: string; severity: string }[] };
    configError: string;
    checks: number;
  };
  // `members` says how many members the archive holds as soon as the reader knows (the CLI
  // switches to memory mode on a large count).
  assert.deepEqual(events, ["start", "members", "file-done"]);
  assert.equal(report.ok, false);
  assert.ok(report.findings.some((f) => f.id === "REC07" && f.severity === "error"));
  assert.equal(report.errors, report.findings.filter((f) => f.severity === "error").length);
  assert.equal(configError, "config");
  assert.ok(checks >= 148);
});
