/** The scan renderers beside SARIF: the job summary (escaped, capped), the gate's exit status, the flags. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  exitFor,
  renderScanGithub,
  renderScanJson,
  renderScanText,
  renderStepSummary,
  scanOutputOptions,
} from "../../src/cli/render/scan-output.ts";
import { makeStyle } from "../../src/cli/style.ts";
import type { Finding } from "../../src/core/findings.ts";
import type { ScanSection } from "../../src/core/scan/report.ts";
import { SlipwayError } from "../../src/errors.ts";

function section(
  scanner: string,
  findings: Finding[],
  failed = findings.some((f) => f.severity === "error"),
): ScanSection {
  return { scanner, findings, fingerprints: findings.map((_, i) => `${scanner}:${i}`), rules: [], failed };
}

const finding = (
  id: string,
  severity: Finding["severity"],
  message: string,
  file = "src/a.py",
  line = 3,
): Finding => ({
  id,
  severity,
  message,
  hint: "do something",
  location: { file, line },
});

describe("exitFor", () => {
  test("1 for a failed section, whatever the feed; 3 for an unreachable feed; else 0", () => {
    const clean = section("lock", [finding("LOCK07", "warning", "w")]);
    const failed = section("deps", [finding("GHSA-1", "error", "e")]);
    assert.equal(exitFor([clean], false), 0);
    assert.equal(exitFor([], false), 0);
    assert.equal(exitFor([clean], true), 3);
    assert.equal(exitFor([clean, failed], false), 1);
    assert.equal(exitFor([clean, failed], true), 1);
  });
});

describe("renderStepSummary", () => {
  const hostile = finding(
    "B999",
    "error",
    "<img src=x onerror=alert(1)> | [click](https://evil.example) ![i](x) **bold** `code` #1 & more\nsecond line",
    "src/we|ird [x].py",
    7,
  );

  test("counts per scanner and severity, then the findings, every cell escaped on one line", () => {
    const text = renderStepSummary(
      [
        section("lock", [finding("LOCK07", "warning", "unpinned")]),
        section("Bandit", [hostile, finding("B101", "info", "assert")]),
      ],
      { maxBytes: 1024 * 1024, exit: 1 },
    );
    const lines = text.split("\n");
    assert.equal(lines[0], "### ❌ slipway scan failed: 1 error, 1 warning, 1 note");
    assert.ok(lines.includes("| lock | 0 | 1 | 0 | ✅ passes |"));
    assert.ok(lines.includes("| Bandit | 1 | 0 | 1 | ❌ fails |"));
    const row = lines.find((l) => l.startsWith("| error |")) ?? "";
    assert.equal(
      row,
      "| error | Bandit | B999 | src/we\\|ird \\[x\\].py:7 | \\<img src=x onerror=alert\\(1\\)\\> \\| \\[click\\]\\(https://evil.example\\) \\!\\[i\\]\\(x\\) \\*\\*bold\\*\\* \\`code\\` \\#1 &amp; more second line |",
    );
    // Errors first, then warnings, then notes.
    const order = lines.filter((l) => /^\| (error|warning|info) \|/.test(l)).map((l) => l.split(" | ")[0]);
    assert.deepEqual(order, ["| error", "| warning", "| info"]);
    assert.equal(
      renderStepSummary([], { maxBytes: 1000, exit: 0 }),
      "### ✅ slipway scan passed: 0 errors, 0 warnings, 0 notes\n\n| Scanner | Errors | Warnings | Notes | Gate |\n| --- | ---: | ---: | ---: | --- |\n\n",
    );
    assert.match(
      renderStepSummary([], { maxBytes: 1000, exit: 3 }),
      /^### ❌ slipway scan incomplete \(an advisory feed was not reached\)/,
    );
  });

  test("within its byte budget: the top findings, long messages cut, the rest counted; a full file gets the heading or nothing", () => {
    const many = Array.from({ length: 5000 }, (_, i) =>
      finding("R1", i % 2 ? "warning" : "error", `${"é".repeat(1000)} ${i}`),
    );
    const full = renderStepSummary([section("big", many)], { maxBytes: 1024 * 1024, exit: 1 });
    assert.equal(
      full.split("\n").filter((l) => l.startsWith("| error |") || l.startsWith("| warning |")).length,
      50,
    );
    assert.match(full, /\n4950 more findings not shown: see the job log or the SARIF report\.\n$/);
    for (const l of full.split("\n")) assert.ok(l.length < 400, `${l.length}`);
    for (const budget of [20_000, 5000, 1200]) {
      const text = renderStepSummary([section("big", many)], { maxBytes: budget, exit: 1 });
      assert.ok(Buffer.byteLength(text) <= budget, `${Buffer.byteLength(text)} > ${budget}`);
      assert.match(text, /more findings not shown/);
    }
    assert.equal(
      renderStepSummary([section("big", many)], { maxBytes: 100, exit: 1 }),
      "### ❌ slipway scan failed: 2500 errors, 2500 warnings, 0 notes\n",
    );
    assert.equal(renderStepSummary([section("big", many)], { maxBytes: 10, exit: 1 }), "");
  });
});

describe("text, JSON and annotations of several sections", () => {
  const sections = [
    section("lock", [finding("LOCK02", "error", "uv.lock: stale", "uv.lock", 5)]),
    { ...section("Bandit", [finding("B101", "info", "assert used")]), version: "1.9.4" },
  ];

  test("text: a heading per scanner, then check's grouping and a verdict", () => {
    const text = renderScanText(sections, makeStyle(false), {
      checked: { lock: { count: 1, verb: "checked for lockfile integrity" } },
    });
    assert.match(text, /^\[lock\]\nuv\.lock\n {2}error {3}LOCK02 5: stale\n {17}hint: do something\n/);
    assert.match(text, /✗ 1 file checked for lockfile integrity: 1 error, 0 warnings\n/);
    assert.match(text, /\[Bandit 1\.9\.4\]\nsrc\/a\.py\n {2}info {4}B101 {3}3: assert used\n/);
    assert.match(text, /✓ 1 file reported by Bandit: 0 errors, 0 warnings, 1 info\n$/);
  });

  test("JSON: the exit status, and per section counts, findings with fingerprints, rules", () => {
    const doc = JSON.parse(renderScanJson(sections, 1));
    assert.equal(doc.ok, false);
    assert.equal(doc.exit, 1);
    assert.deepEqual(
      doc.sections.map((s: { scanner: string; errors: number; infos: number; failed: boolean }) => [
        s.scanner,
        s.errors,
        s.infos,
        s.failed,
      ]),
      [
        ["lock", 1, 0, true],
        ["Bandit", 0, 1, false],
      ],
    );
    assert.equal(doc.sections[0].findings[0].fingerprint, "lock:0");
    assert.equal(doc.sections[1].version, "1.9.4");
  });

  test("annotations: one line per finding, each section's verdict named", () => {
    const lines = renderScanGithub(sections).trimEnd().split("\n");
    assert.deepEqual(lines, [
      "::error file=uv.lock,line=5,title=LOCK02 5::uv.lock: stale%0Ahint: do something",
      "[lock] ✗ 1 file reported by lock: 1 error, 0 warnings",
      "::notice file=src/a.py,line=3,title=B101 3::assert used%0Ahint: do something",
      "[Bandit 1.9.4] ✓ 1 file reported by Bandit: 0 errors, 0 warnings, 1 info",
    ]);
  });
});

describe("scanOutputOptions", () => {
  test("formats, --json, --sarif and repeated --sarif-in; contradictions are usage errors", () => {
    assert.deepEqual(scanOutputOptions({}), { format: "text", sarifIn: [] });
    assert.deepEqual(
      scanOutputOptions({ json: true, sarif: "out.sarif", "sarif-in": ["a.sarif", "b.sarif"] }),
      {
        format: "json",
        sarif: "out.sarif",
        sarifIn: ["a.sarif", "b.sarif"],
      },
    );
    assert.equal(scanOutputOptions({ format: "github" }).format, "github");
    for (const bad of [{ format: "sarif" }, { format: "github", json: true }, { sarif: "" }]) {
      assert.throws(
        () => scanOutputOptions(bad),
        (e: unknown) => e instanceof SlipwayError && e.code === "usage",
      );
    }
  });
});
