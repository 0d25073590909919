import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { MAX_SARIF_BYTES, sectionsFromSarif } from "../../src/core/sarif/read.ts";
import { toSarif } from "../../src/core/sarif/write.ts";
import { SlipwayError } from "../../src/errors.ts";
import { assertScalesLinearly } from "../helpers/scaling.ts";

const log = (runs: unknown[], extra: Record<string, unknown> = {}) =>
  JSON.stringify({ version: "2.1.0", runs, ...extra });

const at = (uri: string, line?: number) => [
  {
    physicalLocation: {
      artifactLocation: { uri },
      ...(line === undefined ? {} : { region: { startLine: line } }),
    },
  },
];

function throwsAt(text: string, pattern: RegExp): void {
  assert.throws(
    () => sectionsFromSarif(text, "scan.sarif"),
    (error: unknown) => {
      assert.ok(error instanceof SlipwayError, String(error));
      assert.equal(error.code, "config");
      assert.match(error.message, /^scan\.sarif: /);
      assert.match(error.message, pattern);
      return true;
    },
  );
}

describe("sectionsFromSarif", () => {
  test("levels, rule defaults, kinds, suppressions and baseline states", () => {
    const [section] = sectionsFromSarif(
      log([
        {
          tool: {
            driver: {
              name: "Tool",
              semanticVersion: "2.0.1",
              rules: [
                { id: "R-ERR", defaultConfiguration: { level: "error" }, shortDescription: { text: "bad" } },
                { id: "R-PLAIN" },
              ],
            },
          },
          results: [
            { ruleId: "R-ERR", message: { text: "from the rule's default" }, locations: at("a.py", 3) },
            { ruleId: "R-PLAIN", message: { text: "no level: warning" }, locations: at("a.py", 4) },
            { ruleId: "R-PLAIN", level: "note", message: { text: "note" }, locations: at("b.py") },
            { ruleId: "R-PLAIN", level: "none", message: { text: "none" }, locations: at("b.py") },
            { ruleId: "R-PLAIN", kind: "pass", message: { text: "passed: not a problem" } },
            { ruleId: "R-PLAIN", kind: "informational", message: { text: "informational" } },
            { ruleId: "R-PLAIN", message: { text: "suppressed" }, suppressions: [{ kind: "inSource" }] },
            {
              ruleId: "R-PLAIN",
              message: { text: "under review stays" },
              suppressions: [{ kind: "external", status: "underReview" }],
            },
            { ruleId: "R-PLAIN", message: { text: "fixed since the baseline" }, baselineState: "absent" },
          ],
          unknownField: { anything: [1, 2, 3] },
        },
      ]),
      "scan.sarif",
    );
    assert.ok(section);
    assert.equal(section.scanner, "Tool");
    assert.equal(section.version, "2.0.1");
    assert.deepEqual(
      section.findings.map((f) => [f.id, f.severity, f.message, f.location.file, f.location.line]),
      [
        ["R-ERR", "error", "from the rule's default", "a.py", 3],
        ["R-PLAIN", "warning", "no level: warning", "a.py", 4],
        ["R-PLAIN", "info", "note", "b.py", undefined],
        ["R-PLAIN", "info", "none", "b.py", undefined],
        ["R-PLAIN", "info", "informational", "scan.sarif", undefined],
        ["R-PLAIN", "warning", "under review stays", "scan.sarif", undefined],
      ],
    );
    assert.equal(section.failed, true);
    assert.deepEqual(section.rules[0], { id: "R-ERR", description: "bad", help: "" });
  });

  test("CodeQL's shapes: rules in an extension, message strings with arguments, artifacts by index, uri bases", () => {
    const [section] = sectionsFromSarif(
      log([
        {
          tool: {
            driver: { name: "CodeQL", semanticVersion: "2.20.0", rules: [] },
            extensions: [
              {
                name: "codeql/python-queries",
                rules: [
                  {
                    id: "py/sql-injection",
                    name: "SqlInjection",
                    shortDescription: { text: "SQL query built from user-controlled sources" },
                    help: { text: "Use parameterized queries.", markdown: "# SQL" },
                    helpUri: "https://codeql.github.com/codeql-query-help/python/py-sql-injection/",
                    defaultConfiguration: { level: "error" },
                    properties: { "security-severity": "8.8", tags: ["security"] },
                    messageStrings: { default: { text: "This query depends on {0} ({1})." } },
                  },
                ],
              },
            ],
          },
          originalUriBaseIds: { SRCROOT: { uri: "file:///srv/ci/checkout/x/" }, SUB: { uri: "pkg/" } },
          artifacts: [{ location: { uri: "app/db.py", uriBaseId: "SRCROOT" } }],
          results: [
            {
              rule: { id: "py/sql-injection", index: 0, toolComponent: { index: 0 } },
              message: { id: "default", arguments: ["a user-provided value", "request.args"] },
              locations: [
                { physicalLocation: { artifactLocation: { index: 0 }, region: { startLine: 17 } } },
              ],
              partialFingerprints: { primaryLocationLineHash: "39fa2ee980eb94b0:1" },
            },
            {
              ruleId: "py/sql-injection",
              message: { text: "again" },
              locations: [
                { physicalLocation: { artifactLocation: { uri: "views%20old.py", uriBaseId: "SUB" } } },
              ],
            },
            {
              ruleId: "py/sql-injection",
              message: { text: "absolute" },
              locations: [{ physicalLocation: { artifactLocation: { uri: "file:///srv/app/x%23.py" } } }],
            },
          ],
        },
      ]),
      "codeql.sarif",
    );
    assert.ok(section);
    assert.deepEqual(
      section.findings.map((f) => [f.id, f.severity, f.message, f.location.file, f.location.line]),
      [
        [
          "py/sql-injection",
          "error",
          "This query depends on a user-provided value (request.args).",
          "app/db.py",
          17,
        ],
        ["py/sql-injection", "error", "again", "pkg/views old.py", undefined],
        ["py/sql-injection", "error", "absolute", "/srv/app/x#.py", undefined],
      ],
    );
    assert.deepEqual(section.rules, [
      {
        id: "py/sql-injection",
        description: "SQL query built from user-controlled sources",
        help: "Use parameterized queries.",
        helpUri: "https://codeql.github.com/codeql-query-help/python/py-sql-injection/",
        securitySeverity: 8.8,
      },
    ]);
    assert.match(section.findings[0]?.hint ?? "", /CodeQL rule py\/sql-injection: see https:\/\/codeql/);
    assert.equal(section.fingerprints[0], "primaryLocationLineHash=39fa2ee980eb94b0:1");
  });

  test("fingerprints: a placeholder every result shares is no identity; the fallback is stable and numbered", () => {
    const results = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        ruleId: "R",
        message: { text: i < 2 ? "same words" : `other ${i}` },
        locations: at("a.py", 10 + i),
        fingerprints: { "matchBasedId/v1": "requires login" },
      }));
    const read = (n: number) =>
      sectionsFromSarif(
        log([{ tool: { driver: { name: "Semgrep OSS" } }, results: results(n) }]),
        "s.sarif",
      )[0]!.fingerprints;
    const prints = read(3);
    assert.equal(new Set(prints).size, 3);
    assert.ok(prints.every((p) => !p.includes("requires login")));
    assert.match(prints[0] ?? "", /^[0-9a-f]{64}:1$/);
    assert.match(prints[1] ?? "", /^[0-9a-f]{64}:2$/);
    assert.match(prints[2] ?? "", /^[0-9a-f]{64}$/);
    // Lines are not part of it: the same results one line lower give the same fingerprints.
    const moved = JSON.parse(log([{ tool: { driver: { name: "Semgrep OSS" } }, results: results(3) }]));
    for (const r of moved.runs[0].results) r.locations[0].physicalLocation.region.startLine += 1;
    assert.deepEqual(sectionsFromSarif(JSON.stringify(moved), "s.sarif")[0]!.fingerprints, prints);
  });

  test("slipway's own SARIF reads back to the same findings", () => {
    const section = {
      scanner: "lock",
      findings: [
        {
          id: "LOCK02",
          severity: "error" as const,
          message: "uv.lock: stale",
          hint: "Run `uv lock`.",
          location: { file: "uv.lock", line: 5 },
        },
        {
          id: "LOCK07",
          severity: "warning" as const,
          message: "r.txt: unpinned",
          hint: "Pin it.",
          location: { file: "r.txt", line: 1 },
        },
      ],
      fingerprints: ["a", "b"],
      rules: [],
      failed: true,
    };
    const [back] = sectionsFromSarif(
      JSON.stringify(toSarif([section], { version: "1.0.0" })),
      "slipway.sarif",
    );
    assert.equal(back?.scanner, "slipway");
    assert.deepEqual(
      back?.findings.map((f) => [
        f.id,
        f.severity,
        f.location.file,
        f.location.line,
        f.message.split(" Hint: ")[0],
      ]),
      [
        ["LOCK02", "error", "uv.lock", 5, "uv.lock: stale"],
        ["LOCK07", "warning", "r.txt", 1, "r.txt: unpinned"],
      ],
    );
  });

  describe("hostile input: a clear error naming the file and the JSON path, never a crash", () => {
    test("not JSON, wrong version, no runs", () => {
      throwsAt("{", /\$: not JSON/);
      throwsAt("", /\$: not JSON/);
      throwsAt("[]", /\$: expected an object, found an array/);
      throwsAt(
        JSON.stringify({ version: "2.0.0", runs: [] }),
        /\$\.version: SARIF version "2\.0\.0"; slipway reads 2\.1\.0/,
      );
      throwsAt(JSON.stringify({ version: "2.1.0" }), /\$\.runs: expected an array, found nothing/);
    });

    test("the fields slipway reads must have their types", () => {
      const run = (result: unknown) =>
        log([
          { tool: { driver: { name: "T" } }, results: [{ ruleId: "R", message: { text: "ok" } }, result] },
        ]);
      throwsAt(log([{ tool: { driver: {} } }]), /\$\.runs\[0\]\.tool\.driver\.name: the tool has no name/);
      throwsAt(log([{ tool: {} }]), /\$\.runs\[0\]\.tool\.driver: expected an object, found nothing/);
      throwsAt(
        log([{ tool: { driver: { name: "T" } }, results: {} }]),
        /\$\.runs\[0\]\.results: expected an array/,
      );
      throwsAt(run({ ruleId: "R" }), /\$\.runs\[0\]\.results\[1\]\.message: expected an object/);
      throwsAt(run({ ruleId: "R", message: {} }), /results\[1\]\.message: a message needs "text"/);
      throwsAt(
        run({ ruleId: 7, message: { text: "x" } }),
        /results\[1\]\.ruleId: expected a string, found a number/,
      );
      throwsAt(
        run({ ruleIndex: "0", message: { text: "x" } }),
        /results\[1\]\.ruleIndex: "0" is not a rule index/,
      );
      throwsAt(run({ level: "fatal", message: { text: "x" } }), /results\[1\]\.level: "fatal" is not one of/);
      throwsAt(
        run({ message: { text: "x" }, locations: [{ physicalLocation: { artifactLocation: { uri: 5 } } }] }),
        /results\[1\]\.locations\[0\]\.physicalLocation\.artifactLocation\.uri: expected a string/,
      );
    });

    test("linear work: results that name their rule by id among as many rules, all sharing one placeholder fingerprint", () => {
      const make = (n: number) =>
        log([
          {
            tool: { driver: { name: "T", rules: Array.from({ length: n }, (_, i) => ({ id: `R${i}` })) } },
            results: Array.from({ length: n }, (_, i) => ({
              ruleId: `R${n - 1 - i}`,
              message: { text: "same" },
              locations: at("same.py", 1),
              fingerprints: { "matchBasedId/v1": "requires login" },
            })),
          },
        ]);
      assertScalesLinearly({ "by id": make }, (doc) => sectionsFromSarif(doc, "big.sarif"), {
        small: 4_000,
        large: 32_000,
      });
    });

    test("too large, deeply nested, control characters, endless strings", () => {
      throwsAt(" ".repeat(MAX_SARIF_BYTES + 1), /\$: larger than 64 MiB/);
      const deep = `${"[".repeat(200_000)}${"]".repeat(200_000)}`;
      const nested = `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"T"}},"properties":{"x":${deep}},"results":[]}]}`;
      let sections: unknown;
      try {
        sections = sectionsFromSarif(nested, "deep.sarif");
      } catch (error) {
        // A parser that refuses the depth must say so as a SlipwayError naming the file.
        assert.ok(
          error instanceof SlipwayError && /^deep\.sarif: \$: not JSON/.test(error.message),
          String(error),
        );
      }
      if (sections !== undefined) assert.equal((sections as unknown[]).length, 1);
      const [section] = sectionsFromSarif(
        log([
          {
            tool: { driver: { name: "Evil\u001b[31mTool\nsecond line" } },
            results: [
              {
                ruleId: `R\u0007${"x".repeat(5000)}`,
                message: {
                  text: `line one\r\n\u001b]8;;http://evil\u0007click\u001b]8;;\u0007 ${"y".repeat(10_000)}`,
                },
                locations: at(`${"d/".repeat(2000)}f.py`),
              },
            ],
          },
        ]),
        "evil.sarif",
      );
      assert.ok(section);
      const texts = [
        section.scanner,
        section.findings[0]!.id,
        section.findings[0]!.message,
        section.findings[0]!.location.file,
      ];
      for (const text of texts) {
        assert.doesNotMatch(text, /[\u0000-\u001f\u007f]/);
        assert.ok(text.length <= 2000, `${text.length} characters`);
      }
      assert.equal(section.scanner, "Evil [31mTool second line");
    });
  });
});
