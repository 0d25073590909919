/**
 * SARIF in and out with real scanners: bandit (peers venv) run live with `-f sarif` on the
 * packaging 26.3 sdist from PyPI, semgrep's output on the same sdist (a committed fixture:
 * semgrep is too heavy to be a test peer; test/fixtures/sarif/README.md says how it was made).
 * The oracle of the reading is Python over the same file; the oracle of the writing is the
 * OASIS SARIF 2.1.0 schema under Python's jsonschema.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { sectionsFromSarif } from "../../src/core/sarif/read.ts";
import { toSarif } from "../../src/core/sarif/write.ts";
import { loadCorpus } from "../helpers/corpus.ts";
import { peersPython, pythonJson } from "../helpers/peers.ts";
import { sarifSchemaErrors } from "../helpers/sarif-schema.ts";

const cli = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
const fixtures = fileURLToPath(new URL("../fixtures/sarif/", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "slipway-scan-sarif-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

let banditText = "";
const semgrepText = readFileSync(join(fixtures, "semgrep-packaging-26.3.sarif"), "utf8");
const project = join(scratch, "project");

before(() => {
  const sdist = loadCorpus().find((e) => e.category === "real" && e.name === "packaging-26.3.tar.gz");
  assert.ok(sdist, "the corpus holds packaging-26.3.tar.gz");
  mkdirSync(project);
  const untar = spawnSync("tar", ["xzf", sdist.file, "-C", project]);
  assert.equal(untar.status, 0);
  const bandit = spawnSync(
    join(dirname(peersPython()), "bandit"),
    ["-q", "-r", "packaging-26.3", "-f", "sarif", "-o", join(scratch, "bandit.sarif")],
    { cwd: project, encoding: "utf8", env: { PATH: process.env.PATH ?? "", HOME: scratch } },
  );
  // bandit exits 1 when it found something.
  assert.equal(bandit.status, 1, bandit.stderr);
  banditText = readFileSync(join(scratch, "bandit.sarif"), "utf8");
});

function slipway(cwd: string, args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [cli, ...args], {
    cwd,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    env: { PATH: process.env.PATH ?? "", HOME: scratch, NO_COLOR: "1", ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const schemaErrors = sarifSchemaErrors;

/**
 * What Python reads from the same SARIF: per result (not suppressed, not pass), the rule, the
 * level as slipway maps it (result, else the rule's default, else warning), uri and line.
 */
function pythonOracle(text: string): [string, string, string, number | null, string][] {
  return pythonJson(
    `import json, sys
log = json.load(sys.stdin)
out = []
for run in log["runs"]:
    rules = run["tool"]["driver"].get("rules") or []
    for r in run.get("results") or []:
        if r.get("suppressions") or r.get("kind") in ("pass", "notApplicable"):
            continue
        rule = rules[r["ruleIndex"]] if "ruleIndex" in r else next((x for x in rules if x["id"] == r["ruleId"]), {})
        level = r.get("level") or rule.get("defaultConfiguration", {}).get("level") or "warning"
        sev = {"error": "error", "warning": "warning", "note": "info", "none": "info"}[level]
        loc = r["locations"][0]["physicalLocation"]
        out.append([r["ruleId"], sev, loc["artifactLocation"]["uri"], loc.get("region", {}).get("startLine"), r["message"]["text"]])
print(json.dumps(out))`,
    JSON.parse(text),
  );
}

describe("SARIF in: real bandit and semgrep output", () => {
  test("bandit, run live: every result a finding with its rule, severity, file, line and message, as Python reads them", () => {
    const sections = sectionsFromSarif(banditText, "bandit.sarif");
    assert.equal(sections.length, 1);
    const section = sections[0]!;
    assert.equal(section.scanner, "Bandit");
    assert.match(section.version ?? "", /^\d+\.\d+\.\d+$/);
    const expected = pythonOracle(banditText);
    assert.ok(expected.length > 100, `bandit found ${expected.length}`);
    assert.deepEqual(
      section.findings.map((f) => [f.id, f.severity, f.location.file, f.location.line ?? null, f.message]),
      expected,
    );
    const kinds = new Set(section.findings.map((f) => `${f.id}:${f.severity}`));
    // B101 (assert) is LOW: a note; B301 (pickle) is MEDIUM: no level, so a warning.
    assert.ok(kinds.has("B101:info") && kinds.has("B301:warning"), [...kinds].join(" "));
    const b102 = section.rules.find((r) => r.id === "B102");
    assert.match(b102?.helpUri ?? "", /^https:\/\/bandit\.readthedocs\.io\/.*b102_exec_used\.html$/);
    assert.equal(new Set(section.fingerprints).size, section.findings.length);
    // Stable: reading the same file again gives the same fingerprints.
    assert.deepEqual(sectionsFromSarif(banditText, "bandit.sarif")[0]!.fingerprints, section.fingerprints);
  });

  test("semgrep (fixture): levels from the rules' defaults; the shared placeholder fingerprint is not taken", () => {
    const [section] = sectionsFromSarif(semgrepText, "semgrep.sarif");
    assert.ok(section);
    assert.equal(section.scanner, "Semgrep OSS");
    assert.deepEqual(
      section.findings.map((f) => [f.id, f.severity, f.location.file, f.location.line ?? null, f.message]),
      pythonOracle(semgrepText),
    );
    assert.deepEqual([...new Set(section.findings.map((f) => `${f.id}:${f.severity}`))].sort(), [
      "assert-used:info",
      "exec-used:error",
      "subprocess-call:warning",
    ]);
    assert.equal(section.failed, true);
    assert.ok(section.fingerprints.every((p) => !p.includes("requires login")));
    assert.equal(new Set(section.fingerprints).size, section.findings.length);
  });

  test("the scanners' own files and slipway's SARIF of them are valid SARIF 2.1.0", () => {
    assert.deepEqual(schemaErrors(JSON.parse(semgrepText)), []);
    const sections = [
      ...sectionsFromSarif(banditText, "bandit.sarif"),
      ...sectionsFromSarif(semgrepText, "semgrep.sarif"),
    ];
    const log = toSarif(sections, { version: "0.1.0" });
    assert.deepEqual(schemaErrors(log), []);
    assert.deepEqual(
      log.runs.map((r) => [r.tool.driver.name, r.results.length]),
      sections.map((s) => [s.scanner, s.findings.length]),
    );
  });
});

describe("--sarif-in on the command line", () => {
  test("bandit's and semgrep's results under one gate, in every output format, and in the SARIF report", () => {
    writeFileSync(join(project, "requirements.txt"), "packaging==26.3\n");
    writeFileSync(join(project, "bandit.sarif"), banditText);
    writeFileSync(join(project, "semgrep.sarif"), semgrepText);
    const onlyBandit = slipway(project, ["scan", "lock", "--sarif-in", "bandit.sarif", "--json"]);
    // bandit found nothing at error level on packaging: the gate passes.
    assert.equal(onlyBandit.code, 0, onlyBandit.stderr);
    const doc = JSON.parse(onlyBandit.stdout);
    assert.deepEqual(
      doc.sections.map((s: { scanner: string; failed: boolean }) => [s.scanner, s.failed]),
      [
        ["lock", false],
        ["Bandit", false],
      ],
    );
    const summary = join(scratch, "summary.md");
    const both = slipway(
      project,
      ["scan", "lock", "--sarif-in", "bandit.sarif", "--sarif-in", "semgrep.sarif", "--sarif", "all.sarif"],
      { GITHUB_STEP_SUMMARY: summary },
    );
    assert.equal(both.code, 1, both.stderr);
    assert.match(
      both.stdout,
      /\[Semgrep OSS 1\.187\.0\]\npackaging-26\.3\/docs\/conf\.py\n {2}error {3}exec-used 12: exec\(\) runs a string as code/,
    );
    assert.match(both.stdout, /✗ \d+ files reported by Semgrep OSS: 1 error, 2 warnings, 7 info/);
    const report = JSON.parse(readFileSync(join(project, "all.sarif"), "utf8"));
    assert.deepEqual(
      report.runs.map((r: { tool: { driver: { name: string } } }) => r.tool.driver.name),
      ["slipway", "Bandit", "Semgrep OSS"],
    );
    assert.deepEqual(schemaErrors(report), []);
    const markdown = readFileSync(summary, "utf8");
    assert.match(markdown, /^### ❌ slipway scan failed: 1 error, \d+ warnings, \d+ notes\n/);
    assert.match(markdown, /\| Semgrep OSS 1\.187\.0 \| 1 \| 2 \| 7 \| ❌ fails \|/);
    assert.match(
      markdown,
      /\| error \| Semgrep OSS 1\.187\.0 \| exec-used \| packaging-26\.3\/docs\/conf\.py:12 \| exec\\\(\\\) runs/,
    );
    // Capped: the top 50 findings, the rest counted.
    assert.match(markdown, /\n\d+ more findings not shown: see the job log or the SARIF report\.\n$/);
    const github = slipway(project, ["scan", "lock", "--sarif-in", "semgrep.sarif", "--format", "github"]);
    assert.match(
      github.stdout,
      /^::error file=packaging-26\.3\/docs\/conf\.py,line=12,title=exec-used 12::exec\(\) runs a string as code/m,
    );
  });

  test("a SARIF file that is missing, not SARIF or damaged: exit 2 naming the file and the JSON path", () => {
    writeFileSync(join(project, "empty.sarif"), "");
    writeFileSync(join(project, "cut.sarif"), banditText.slice(0, banditText.length / 2));
    const damaged = JSON.parse(semgrepText);
    damaged.runs[0].results[3].message = "not an object";
    writeFileSync(join(project, "damaged.sarif"), JSON.stringify(damaged));
    const cases: [string, RegExp][] = [
      ["missing.sarif", /--sarif-in missing\.sarif: no such file/],
      ["empty.sarif", /empty\.sarif: \$: not JSON/],
      ["cut.sarif", /cut\.sarif: \$: not JSON/],
      [
        "damaged.sarif",
        /damaged\.sarif: \$\.runs\[0\]\.results\[3\]\.message: expected an object, found a string/,
      ],
      [".", /--sarif-in \.: not a regular file/],
      ["fifo.sarif", /--sarif-in fifo\.sarif: not a regular file/],
      ["huge.sarif", /--sarif-in huge\.sarif: 67108865 bytes, more than slipway reads \(67108864\)/],
    ];
    // A FIFO nobody writes to would block a reader forever; a sparse file claims 64 MiB + 1.
    assert.equal(spawnSync("mkfifo", [join(project, "fifo.sarif")]).status, 0);
    writeFileSync(join(project, "huge.sarif"), "");
    truncateSync(join(project, "huge.sarif"), 64 * 1024 * 1024 + 1);
    for (const [file, pattern] of cases) {
      const run = slipway(project, ["scan", "lock", "--sarif-in", file, "--sarif", "never.sarif"]);
      assert.equal(run.code, 2, `${file}: ${run.stderr}`);
      assert.match(run.stderr, pattern);
      assert.equal(run.stdout, "");
    }
    assert.throws(() => readFileSync(join(project, "never.sarif")));
  });
});
