/**
 * Hostile SecurityStatus documents, history files and saved scans: each refused with a clear
 * error naming the file, the line (history) and the JSON path; another schema version says which
 * one this slipway reads; nothing slow on large or deep input.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { buildStatus, renderStatus } from "../../src/core/status/build.ts";
import {
  parseHistory,
  parseScanDocument,
  parseSecurityStatus,
  renderHistory,
} from "../../src/core/status/stored.ts";
import { SlipwayError } from "../../src/errors.ts";

const doc = buildStatus({
  sections: [
    {
      scanner: "secrets",
      findings: [
        {
          id: "r",
          severity: "warning",
          message: "m",
          location: { file: "a.py", line: 2 },
          fingerprint: "r:a.py:1",
        },
      ],
      rules: [],
    },
  ],
  project: { name: "demo", version: "1.0", sourceVersion: "1.1.dev0" },
  commit: null,
  now: Date.parse("2026-12-01T00:00:00Z"),
  scanners: [{ name: "secrets", version: "0.1.0" }],
});
const text = renderStatus(doc);

function refused(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof SlipwayError, String(error));
    assert.match(error.message, pattern);
    return true;
  });
}

// biome-ignore lint/suspicious/noExplicitAny: the tests edit the JSON document as data
function edited(edit: (d: Record<string, any>) => void): string {
  const d = JSON.parse(text);
  edit(d);
  return JSON.stringify(d);
}

test("a valid document reads back equal, with a BOM too", () => {
  assert.deepEqual(parseSecurityStatus(text, "index.json"), doc);
  assert.deepEqual(parseSecurityStatus(`\uFEFF${text}`, "index.json"), doc);
});

test("another schema version names the version this slipway reads", () => {
  refused(
    () =>
      parseSecurityStatus(
        edited((d) => (d.schema = 2)),
        "old.json",
      ),
    /^old\.json: .*schema 2; this slipway reads SecurityStatus schema 1/,
  );
  refused(
    () =>
      parseSecurityStatus(
        edited((d) => delete d.schema),
        "x.json",
      ),
    /no schema number/,
  );
});

test("malformed documents: the file and the JSON path", () => {
  refused(() => parseSecurityStatus("{", "index.json"), /^index\.json is not JSON/);
  refused(() => parseSecurityStatus("[]", "index.json"), /index\.json: .*\$: not an object/);
  refused(
    () =>
      parseSecurityStatus(
        edited((d) => (d.grade = "G")),
        "i.json",
      ),
    /\$\.grade: not one of A, B, C, D, E, F/,
  );
  refused(
    () =>
      parseSecurityStatus(
        edited((d) => (d.findings[0].level = "severe")),
        "i.json",
      ),
    /\$\.findings\[0\]\.level/,
  );
  refused(
    () =>
      parseSecurityStatus(
        edited((d) => (d.findings[0].firstSeen = "yesterday")),
        "i.json",
      ),
    /\$\.findings\[0\]\.firstSeen: not a YYYY-MM-DD date/,
  );
  refused(
    () =>
      parseSecurityStatus(
        edited((d) => (d.findings[0].extra = 1)),
        "i.json",
      ),
    /\$\.findings\[0\]\.extra: not a field of schema 1/,
  );
  refused(
    () =>
      parseSecurityStatus(
        edited((d) => (d.counts.total.high = -1)),
        "i.json",
      ),
    /\$\.counts\.total\.high/,
  );
  refused(
    () =>
      parseSecurityStatus(
        edited((d) => (d.counts.bySource.x = {})),
        "i.json",
      ),
    /\$\.counts\.bySource\["x"\]\.critical/,
  );
  refused(
    () =>
      parseSecurityStatus(
        edited((d) => (d.generatedAt = "2026-12-01")),
        "i.json",
      ),
    /\$\.generatedAt/,
  );
  refused(
    () =>
      parseSecurityStatus(
        edited((d) => (d.project.name = 3)),
        "i.json",
      ),
    /\$\.project\.name: not a string/,
  );
  refused(
    () =>
      parseSecurityStatus(
        edited((d) => (d.findings[0].message = "x".repeat(5000))),
        "i.json",
      ),
    /longer than 4096/,
  );
  refused(
    () => parseSecurityStatus(text.replace("{", '{"__proto__": {"grade": "A"},'), "i.json"),
    /\$\.__proto__: not a field of schema 1/,
  );
});

test("deeply nested or large input fails fast", () => {
  const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
  const start = performance.now();
  assert.throws(() => parseSecurityStatus(deep, "deep.json"));
  refused(() => parseSecurityStatus(" ".repeat(64 * 1024 * 1024 + 1), "big.json"), /larger than/);
  assert.ok(performance.now() - start < 2000);
});

test("history: JSON lines, errors name the line, another schema refused", () => {
  const two = renderHistory([doc, doc]);
  assert.equal(two.split("\n").length, 3);
  assert.deepEqual(parseHistory(two, "h.jsonl"), [doc, doc]);
  assert.equal(renderHistory(parseHistory(two, "h.jsonl")), two, "read and written again: the same bytes");
  assert.deepEqual(parseHistory("", "h.jsonl"), []);
  const v2 = JSON.stringify({ ...JSON.parse(text), schema: 2 });
  refused(
    () => parseHistory(`${JSON.stringify(doc)}\n${v2}\n`, "h.jsonl"),
    /^h\.jsonl line 2: .*schema 2; this slipway reads SecurityStatus schema 1/,
  );
  refused(() => parseHistory(`${JSON.stringify(doc)}\n{"trunc`, "h.jsonl"), /^h\.jsonl line 2 is not JSON/);
  refused(
    () => parseHistory(`${JSON.stringify(doc)}\n\n${JSON.stringify(doc)}\n`, "h.jsonl"),
    /^h\.jsonl line 2 is not JSON/,
  );
  refused(() => parseHistory(`${text}`, "h.jsonl"), /^h\.jsonl line 1 is not JSON/);
});

test("saved scans: the sections read, hostile ones refused with the path", () => {
  const scan = {
    ok: false,
    exit: 1,
    sections: [
      {
        scanner: "deps",
        version: "rev",
        failed: true,
        errors: 1,
        findings: [
          {
            id: "P-1",
            severity: "error",
            message: "m",
            hint: "h",
            location: { file: "r.txt", line: 1 },
            fingerprint: "P-1:a:1:r.txt",
          },
        ],
        rules: [{ id: "P-1", description: "d", help: "h", securitySeverity: 8 }],
        vulnerabilities: [
          { id: "P-1", ids: ["P-1"], name: "a", version: "1", level: "high", file: "r.txt", fixed: [] },
        ],
        ignored: [],
      },
    ],
  };
  const read = parseScanDocument(JSON.stringify(scan), "scan.json");
  assert.equal(read.exit, 1);
  assert.equal(read.sections[0]!.vulnerabilities![0]!.level, "high");
  refused(
    () => parseScanDocument('{"type":"error","message":"no pyproject"}', "scan.json"),
    /scan\.json: .*the scan did not run/,
  );
  refused(() => parseScanDocument(JSON.stringify({ ...scan, exit: 2 }), "scan.json"), /\$\.exit/);
  const bad = structuredClone(scan);
  (bad.sections[0]!.findings[0] as Record<string, unknown>)["fingerprint"] = 7;
  refused(
    () => parseScanDocument(JSON.stringify(bad), "scan.json"),
    /\$\.sections\[0\]\.findings\[0\]\.fingerprint: not a string/,
  );
  refused(() => parseScanDocument("null", "scan.json"), /not a `slipway scan --json` document/);
});
