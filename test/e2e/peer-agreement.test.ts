/**
 * Peer agreement: slipway's `check()` against `twine check --strict` over the whole corpus
 * (example builds, real PyPI dists, deliberately broken dists; see scripts/corpus.mjs).
 * 1. What twine refuses, slipway refuses: invalid metadata or a failed render -> an error;
 *    twine's strict-only warnings (no long description / no content type) -> the same finding.
 * 2. What PyPI accepts (the examples, the real dists, the valid edge cases) gets no slipway error.
 * 3. Each broken dist gets every check ID its sidecar expects, as an error.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { after, describe, test } from "node:test";
import type { Finding } from "../../src/core/findings.ts";
import type { CheckReport } from "../../src/ops/check.ts";
import { type CorpusEntry, loadCorpus } from "../helpers/corpus.ts";
import { peersPython } from "../helpers/peers.ts";

/** twine's verdict on one file. `invalid`: twine raised on the file (bad archive or metadata). */
interface TwineVerdict {
  status: "passed" | "warnings" | "failed" | "invalid";
  /** The text twine printed for the file (status, errors, warnings). */
  output: string;
}

// Colour codes, should a twine version ignore --no-color.
const ANSI = /\x1b\[[0-9;]*m/g;

/** Splits twine's combined output into one block per "Checking <file>: " line. */
function parseTwineOutput(text: string): Map<string, TwineVerdict> {
  const verdicts = new Map<string, TwineVerdict>();
  const blocks = text
    .replace(ANSI, "")
    .split(/^Checking /m)
    .slice(1);
  for (const block of blocks) {
    const match = /^(.+?): (.*)$/ms.exec(block);
    if (!match) continue;
    const [, file = "", rest = ""] = match;
    const status = rest.startsWith("FAILED due to warnings")
      ? "warnings"
      : rest.startsWith("PASSED with warnings")
        ? "warnings"
        : rest.startsWith("PASSED")
          ? "passed"
          : rest.startsWith("FAILED")
            ? "failed"
            : "invalid";
    verdicts.set(file, { status, output: rest.trim() });
  }
  return verdicts;
}

/**
 * Runs `twine check --strict` on all files in one process. twine stops at the first file it
 * cannot even parse (it raises InvalidDistribution), so it is run again on the files after it.
 */
function twineCheck(files: readonly string[]): Map<string, TwineVerdict> {
  const verdicts = new Map<string, TwineVerdict>();
  const dir = mkdtempSync(join(tmpdir(), "slipway-twine-"));
  let pending = [...files];
  try {
    for (let round = 0; pending.length > 0; round++) {
      const log = join(dir, `twine-${round}.log`);
      const fd = openSync(log, "w");
      // One fd for stdout and stderr keeps each error next to its "Checking" line.
      const result = spawnSync(
        peersPython(),
        ["-m", "twine", "--no-color", "check", "--strict", ...pending],
        {
          stdio: ["ignore", fd, fd],
          // Unbuffered keeps the two streams in order; a wide console keeps rich from wrapping paths.
          env: { ...process.env, PYTHONUNBUFFERED: "1", COLUMNS: "100000" },
        },
      );
      closeSync(fd);
      const text = readFileSync(log, "utf8");
      const seen = parseTwineOutput(text);
      for (const [file, verdict] of seen) verdicts.set(file, verdict);
      const next = pending.filter((file) => !seen.has(file));
      if (next.length === pending.length) {
        throw new Error(`twine check made no progress (exit ${result.status}):\n${text.slice(-2000)}`);
      }
      pending = next;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return verdicts;
}

const corpus = loadCorpus();
const twine = twineCheck(corpus.map((entry) => entry.file));
const python = peersPython();
const reports = new Map<string, Promise<CheckReport>>();

/** slipway's report for one dist, computed once and shared by the tests below. */
function slipway(entry: CorpusEntry): Promise<CheckReport> {
  let report = reports.get(entry.file);
  if (!report) {
    // Imported on first use so the corpus sanity tests run even while check() cannot load.
    report = import("../../src/ops/check.ts").then(({ check }) =>
      check({ cwd: dirname(entry.file), env: process.env, dists: [entry.file], python }),
    );
    reports.set(entry.file, report);
  }
  return report;
}

const errorsOf = (report: CheckReport): Finding[] => report.findings.filter((f) => f.severity === "error");
const show = (findings: readonly Finding[]): string =>
  findings.map((f) => `  ${f.id} ${f.severity}: ${f.message}`).join("\n") || "  (no findings)";
const label = (entry: CorpusEntry): string =>
  entry.category === "broken" || entry.category === "valid"
    ? `${entry.name} (${basename(entry.file)})`
    : basename(entry.file);

function verdictOf(entry: CorpusEntry): TwineVerdict {
  const verdict = twine.get(entry.file);
  assert.ok(verdict, `twine printed no verdict for ${entry.file}`);
  return verdict;
}

after(() => {
  // Keeps rejected promises from surfacing as unhandled after the tests that awaited them.
  for (const report of reports.values()) report.catch(() => undefined);
});

describe("corpus sanity", () => {
  test("the corpus holds examples, real PyPI dists, valid edge cases and at least 12 broken cases", () => {
    const count = (category: string) => corpus.filter((e) => e.category === category).length;
    assert.ok(count("example") >= 6, `examples: ${count("example")}`);
    assert.ok(count("real") >= 12, `real: ${count("real")}`);
    assert.ok(count("broken") >= 12, `broken: ${count("broken")}`);
    assert.ok(count("valid") >= 5, `valid: ${count("valid")}`);
    for (const entry of corpus.filter((e) => e.category === "broken")) {
      assert.ok(entry.expect.length > 0, `${entry.name} expects no check ID`);
    }
  });

  test("twine check --strict passes every example dist and valid edge case", () => {
    const failing = corpus
      .filter((e) => e.category === "example" || e.category === "valid")
      .map((e) => [basename(e.file), verdictOf(e)] as const)
      .filter(([, v]) => v.status !== "passed");
    assert.deepEqual(failing, []);
  });

  test("twine refuses some broken dists and passes others (both directions are exercised)", () => {
    const statuses = new Set(corpus.filter((e) => e.category === "broken").map((e) => verdictOf(e).status));
    assert.ok(
      statuses.has("invalid") && statuses.has("failed") && statuses.has("passed"),
      [...statuses].join(),
    );
  });
});

describe("what twine refuses, slipway refuses", { concurrency: 8 }, () => {
  for (const entry of corpus) {
    const verdict = twine.get(entry.file);
    if (!verdict || verdict.status === "passed") continue;
    test(`${entry.category} ${label(entry)}: twine ${verdict.status}`, async () => {
      const report = await slipway(entry);
      const context = `twine said:\n${verdict.output}\nslipway said:\n${show(report.findings)}`;
      if (verdict.status === "invalid") {
        assert.ok(errorsOf(report).length > 0, `slipway reports no error\n${context}`);
      } else if (verdict.status === "failed") {
        // twine renders only the description: a render failure is DESC03 (markup) or DESC04 (empty).
        const ids = errorsOf(report).map((f) => f.id);
        assert.ok(ids.includes("DESC03") || ids.includes("DESC04"), `no DESC03/DESC04 error\n${context}`);
      } else {
        // Strict-only failure: twine's two warnings map to DESC02 and DESC01 (validation.md (a) D).
        const ids = report.findings.map((f) => f.id);
        if (verdict.output.includes("`long_description_content_type` missing")) {
          assert.ok(ids.includes("DESC02"), `no DESC02 finding\n${context}`);
        }
        if (verdict.output.includes("`long_description` missing")) {
          assert.ok(ids.includes("DESC01"), `no DESC01 finding\n${context}`);
        }
        assert.ok(report.errors + report.warnings > 0, `slipway --strict would pass\n${context}`);
      }
    });
  }
});

describe("what PyPI accepts gets no slipway error", { concurrency: 8 }, () => {
  for (const entry of corpus.filter((e) => e.category !== "broken")) {
    test(`${entry.category} ${label(entry)}`, async () => {
      const report = await slipway(entry);
      assert.deepEqual(
        errorsOf(report),
        [],
        `false errors on a dist PyPI accepts:\n${show(errorsOf(report))}`,
      );
      assert.equal(report.errors, 0);
    });
  }
});

describe("each broken dist gets its expected errors", { concurrency: 8 }, () => {
  for (const entry of corpus.filter((e) => e.category === "broken")) {
    test(`${entry.expect.join("+")} on ${label(entry)}: ${entry.about}`, async () => {
      const report = await slipway(entry);
      const errors = new Set(errorsOf(report).map((f) => f.id));
      const any = new Set(report.findings.map((f) => f.id));
      const missing = [
        ...entry.expect.filter((id) => !errors.has(id)),
        ...entry.warn.filter((id) => !any.has(id)).map((id) => `${id} (any severity)`),
      ];
      assert.deepEqual(missing, [], `slipway said:\n${show(report.findings)}`);
      assert.equal(report.ok, false);
    });
  }
});

describe("parseTwineOutput", () => {
  test("reads each status and keeps the error text with its file", () => {
    const text = [
      "Checking a.whl: \x1b[32mPASSED\x1b[0m",
      "Checking b.whl: FAILED due to warnings",
      "WARNING  `long_description_content_type` missing. defaulting to `text/x-rst`.",
      "Checking c.whl: FAILED",
      "ERROR    `long_description` has syntax errors in markup and would not be rendered on PyPI.",
      "Checking d.tar.gz: ERROR    InvalidDistribution: Invalid distribution metadata: bad",
    ].join("\n");
    const verdicts = parseTwineOutput(text);
    assert.deepEqual(
      [...verdicts].map(([file, v]) => [file, v.status]),
      [
        ["a.whl", "passed"],
        ["b.whl", "warnings"],
        ["c.whl", "failed"],
        ["d.tar.gz", "invalid"],
      ],
    );
    assert.match(verdicts.get("b.whl")?.output ?? "", /long_description_content_type/);
  });
});
