import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Finding } from "../../src/core/findings.ts";
import { lockRules, lockSection } from "../../src/core/locks/lock-section.ts";
import {
  FINGERPRINT_KEY,
  GITHUB_SARIF_LIMITS,
  relativeUri,
  sarifLimitProblems,
  toSarif,
} from "../../src/core/sarif/write.ts";
import type { ScanSection } from "../../src/core/scan/report.ts";
import { secretAsFinding } from "../../src/core/scan/secrets.ts";
import { scanText } from "../../src/core/secrets/scan-text.ts";

const meta = { version: "9.9.9" };

function f(
  id: string,
  severity: Finding["severity"],
  file: string,
  line?: number,
  extra: Partial<Finding["location"]> = {},
): Finding {
  return {
    id,
    severity,
    message: `${id} in ${file}`,
    hint: `fix ${id}`,
    location: { file, ...(line === undefined ? {} : { line }), ...extra },
  };
}

const deps: ScanSection = {
  scanner: "deps",
  version: "db-2026-12-01",
  findings: [
    f("PYSEC-2024-1", "warning", "uv.lock", 40),
    f("GHSA-aaaa-bbbb-cccc", "error", "uv.lock", 12),
    f("PYSEC-2024-1", "error", "requirements.txt", 3),
  ],
  fingerprints: ["deps:a", "deps:b", "deps:c"],
  rules: [
    {
      id: "GHSA-aaaa-bbbb-cccc",
      description: "jinja2: sandbox escape",
      help: "Upgrade jinja2 to 3.1.6 or later.",
      helpUri: "https://osv.dev/vulnerability/GHSA-aaaa-bbbb-cccc",
      securitySeverity: 8.8,
    },
    {
      id: "PYSEC-2024-1",
      description: "urllib3: a [link](http://x) *and* <b>html</b>",
      help: "Upgrade | now",
      securitySeverity: 5,
    },
  ],
  failed: true,
};

describe("toSarif", () => {
  test("one run per section: slipway's own scanners as slipway, others under their name", () => {
    const bandit: ScanSection = {
      scanner: "Bandit",
      version: "1.9.4",
      findings: [f("B102", "warning", "docs/conf.py", 12)],
      fingerprints: ["x"],
      rules: [],
      failed: false,
    };
    const log = toSarif([deps, bandit], meta);
    assert.deepEqual(
      toSarif([bandit, deps, bandit], meta).runs.map((r) => r.automationDetails.id),
      ["slipway/bandit/", "slipway/deps/", "slipway/bandit-2/"],
    );
    assert.equal(log.version, "2.1.0");
    assert.equal(log.runs.length, 2);
    assert.deepEqual(log.runs[0]?.tool.driver.name, "slipway");
    assert.equal(log.runs[0]?.tool.driver.version, "9.9.9");
    assert.equal(log.runs[0]?.properties?.["slipway/scanner-version"], "db-2026-12-01");
    assert.equal(log.runs[1]?.tool.driver.name, "Bandit");
    assert.equal(log.runs[1]?.tool.driver.version, "1.9.4");
    // Distinct categories: GitHub refuses two runs of one tool in one category.
    assert.deepEqual(
      log.runs.map((r) => r.automationDetails.id),
      ["slipway/deps/", "slipway/bandit/"],
    );
    // A rule the section does not describe is made from its finding.
    assert.deepEqual(log.runs[1]?.tool.driver.rules[0]?.help.text, "fix B102");
  });

  test("rules carry help, helpUri and security-severity as a string; results point at them", () => {
    const run = toSarif([deps], meta).runs[0]!;
    const rules = run.tool.driver.rules;
    assert.deepEqual(
      rules.map((r) => [r.id, r.properties["security-severity"], r.defaultConfiguration.level]),
      [
        ["GHSA-aaaa-bbbb-cccc", "8.8", "error"],
        ["PYSEC-2024-1", "5.0", "error"],
      ],
    );
    assert.deepEqual(rules[0]?.properties.tags, ["security", "deps"]);
    assert.equal(rules[0]?.helpUri, "https://osv.dev/vulnerability/GHSA-aaaa-bbbb-cccc");
    assert.equal(rules[0]?.help.text, "Upgrade jinja2 to 3.1.6 or later.");
    // Markdown help never turns a rule's words into a link or HTML.
    assert.match(
      rules[1]?.help.markdown ?? "",
      /a \\\[link\\\]\\\(http:\/\/x\\\) \\\*and\\\* \\<b\\>html\\<\/b\\>/,
    );
    for (const result of run.results) {
      assert.equal(rules[result.ruleIndex]?.id, result.ruleId);
    }
    // Errors first, then by file and line.
    assert.deepEqual(
      run.results.map((r) => [
        r.level,
        r.locations[0]?.physicalLocation.artifactLocation.uri,
        r.locations[0]?.physicalLocation.region?.startLine,
      ]),
      [
        ["error", "requirements.txt", 3],
        ["error", "uv.lock", 12],
        ["warning", "uv.lock", 40],
      ],
    );
    assert.equal(run.results[0]?.locations[0]?.physicalLocation.artifactLocation.uriBaseId, "%SRCROOT%");
    assert.match(
      run.results[0]?.message.text ?? "",
      /^PYSEC-2024-1 in requirements\.txt\nHint: fix PYSEC-2024-1$/,
    );
  });

  test("deterministic: the same findings in another order give the same bytes; fingerprints follow the finding", () => {
    const shuffled: ScanSection = {
      ...deps,
      findings: [deps.findings[2]!, deps.findings[0]!, deps.findings[1]!],
      fingerprints: ["deps:c", "deps:a", "deps:b"],
      rules: [...deps.rules].reverse(),
    };
    const a = JSON.stringify(toSarif([deps], meta));
    assert.equal(JSON.stringify(toSarif([shuffled], meta)), a);
    const prints = toSarif([deps], meta).runs[0]!.results.map((r) => r.partialFingerprints[FINGERPRINT_KEY]);
    assert.equal(new Set(prints).size, 3);
    for (const p of prints) assert.match(p ?? "", /^[0-9a-f]{32}$/);
    // Not the scanner's own key (a secret scanner's holds the hash of the secret).
    assert.ok(!prints.includes("deps:a"));
    // A moved line keeps the fingerprint.
    const moved: ScanSection = {
      ...deps,
      findings: deps.findings.map((x) => ({
        ...x,
        location: { ...x.location, line: (x.location.line ?? 0) + 7 },
      })),
    };
    assert.deepEqual(
      toSarif([moved], meta).runs[0]!.results.map((r) => r.partialFingerprints[FINGERPRINT_KEY]),
      prints,
    );
  });

  test("locations: relative URIs encoded, absolute ones as file:, no region for a line inside an archive member", () => {
    assert.deepEqual(relativeUri("docs/my notes#1.md"), { uri: "docs/my%20notes%231.md", relative: true });
    assert.deepEqual(relativeUri("./src\\pkg\\a.py"), { uri: "src/pkg/a.py", relative: true });
    assert.deepEqual(relativeUri("/abs/x.py"), { uri: "file:///abs/x.py", relative: false });
    const section: ScanSection = {
      scanner: "secrets",
      findings: [
        f("SEC09", "error", "dist/p-1.0.tar.gz", 3, { member: "p-1.0/key.pem" }),
        f("SEC09", "error", "/abs/x.py", 2),
      ],
      fingerprints: ["1", "2"],
      rules: [],
      failed: true,
    };
    // Sorted by file: "/abs/x.py" before "dist/…".
    const [absolute, archive] = toSarif([section], meta).runs[0]!.results;
    assert.deepEqual(archive?.locations[0]?.physicalLocation, {
      artifactLocation: { uri: "dist/p-1.0.tar.gz", uriBaseId: "%SRCROOT%" },
    });
    assert.match(archive?.message.text ?? "", /\(in p-1\.0\/key\.pem line 3\)/);
    assert.deepEqual(absolute?.locations[0]?.physicalLocation, {
      artifactLocation: { uri: "file:///abs/x.py" },
      region: { startLine: 2 },
    });
  });

  test("more results than GitHub takes per run: the most severe are kept and the rest counted", () => {
    const n = GITHUB_SARIF_LIMITS.resultsPerRun + 5;
    const findings = Array.from({ length: n }, (_, i) =>
      f("R1", i < 10 ? "error" : "info", `f${i % 7}.py`, i + 1),
    );
    findings.reverse();
    const log = toSarif(
      [
        {
          scanner: "big",
          findings,
          fingerprints: findings.map((_, i) => String(i)),
          rules: [],
          failed: true,
        },
      ],
      meta,
    );
    const run = log.runs[0]!;
    assert.equal(run.results.length, GITHUB_SARIF_LIMITS.resultsPerRun);
    assert.equal(run.results.filter((r) => r.level === "error").length, 10);
    assert.equal(run.properties?.["slipway/omitted"], 5);
    assert.deepEqual(sarifLimitProblems(log), [
      "big (slipway/big/): 5 results left out, GitHub takes 25000 per run",
    ]);
    const many = toSarif(
      Array.from({ length: 21 }, (_, i) => ({ ...deps, scanner: `t${i}` })),
      meta,
    );
    assert.match(sarifLimitProblems(many)[0] ?? "", /21 runs: GitHub code scanning takes at most 20/);
  });

  test("a planted token never reaches the SARIF text: the finding holds four characters at most", () => {
    const token = `pypi-AgEIcHlwaS5vcmc${"Q7x9Kp2LmZ4vR8tW1yB6nD3fH5jS0aEcUgIoXqNrMsTuVwYz".repeat(2)}`;
    const found = scanText(`PYPI_TOKEN = "${token}"\n`, { path: "deploy/settings.py" });
    assert.equal(found.length, 1, JSON.stringify(found));
    const section: ScanSection = {
      scanner: "secrets",
      findings: found.map((x) => secretAsFinding(x)),
      fingerprints: found.map((x) => x.fingerprint),
      rules: [
        {
          id: found[0]!.ruleId,
          description: found[0]!.description,
          help: "Revoke it.",
          securitySeverity: 9.5,
        },
      ],
      failed: true,
    };
    const text = JSON.stringify(toSarif([section], meta));
    assert.match(text, /deploy\/settings\.py/);
    for (let i = 0; i + 8 <= token.length; i++) {
      assert.ok(!text.includes(token.slice(i, i + 8)), `8 characters of the token at ${i} are in the SARIF`);
    }
    // Nor the hash the secret scanner keys its baseline with.
    const hash = found[0]!.fingerprint.split(":").pop() ?? "";
    assert.ok(hash.length >= 32 && !text.includes(hash));
  });

  test("the lock section's rules come from the LOCK catalogue", () => {
    const section = lockSection([
      f("LOCK02", "error", "uv.lock", 5),
      f("LOCK07", "warning", "requirements.txt", 2),
    ]);
    assert.equal(section.failed, true);
    assert.deepEqual(
      section.rules.map((r) => r.id),
      ["LOCK02", "LOCK07"],
    );
    assert.equal(lockSection([f("LOCK07", "warning", "r.txt", 1)]).failed, false);
    assert.equal(lockSection([f("LOCK07", "warning", "r.txt", 1)], { strict: true }).failed, true);
    assert.equal(lockRules().length, 7);
    const run = toSarif([section], meta).runs[0]!;
    assert.equal(run.tool.driver.name, "slipway");
    assert.match(run.tool.driver.rules[0]?.help.text ?? "", /uv lock --check.*Run `uv lock`/);
  });
});
