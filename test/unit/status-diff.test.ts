/**
 * `status diff` (core/status/diff.ts), the strict reader of documents (core/status/stored.ts) and its
 * Markdown (core/status/notes.ts): each kind of change by fingerprint, the expiry against the
 * new document's date, hostile text kept literal, and bad documents named by JSON path.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { assembleStatusDiff, countChanges } from "../../src/core/status/diff.ts";
import { escapeMarkdown, MAX_MARKDOWN, renderDiffMarkdown } from "../../src/core/status/notes.ts";
import { parseSecurityStatus as readSecurityStatus } from "../../src/core/status/stored.ts";
import { SlipwayError } from "../../src/errors.ts";
import { dep, doc, secret } from "../helpers/status-docs.ts";

test("each kind of change by fingerprint, the rest counted unchanged", () => {
  const stays = dep("GHSA-same", "low");
  const older = doc("2026-12-01", [
    stays,
    dep("GHSA-gone", "high"),
    dep("GHSA-up", "moderate"),
    dep("GHSA-down", "critical"),
    dep("GHSA-fix", "high", { fixedIn: null }),
  ]);
  const newer = doc("2026-12-07", [
    stays,
    dep("GHSA-up", "critical"),
    dep("GHSA-down", "low"),
    dep("GHSA-fix", "high", { fixedIn: "2.0" }),
    dep("GHSA-new", "high"),
  ]);
  const diff = assembleStatusDiff(older, newer);
  assert.deepEqual(
    diff.changes.map((c) => [c.kind, c.finding.id, c.from ?? null, c.raised ?? null]),
    [
      ["new", "GHSA-new", null, null],
      ["severity-changed", "GHSA-up", "moderate", true],
      ["severity-changed", "GHSA-down", "critical", false],
      ["fix-available", "GHSA-fix", null, null],
      ["resolved", "GHSA-gone", null, null],
    ],
  );
  assert.equal(diff.unchanged, 1);
  assert.deepEqual(countChanges(diff), {
    new: 1,
    resolved: 1,
    "severity-changed": 2,
    "fix-available": 1,
    "ignore-expired": 0,
  });
  assert.equal(diff.from, "2026-12-01T06:00:00Z");
  assert.equal(diff.to, "2026-12-07T06:00:00Z");
});

test("an ignore expires on its date by the new document's clock, or when it disappears", () => {
  const ignored = (expires: string) => ({ ignored: { reason: "not reachable", expires } });
  const older = doc("2026-12-01", [
    dep("A", "high", { extra: ignored("2026-12-07") }),
    dep("B", "high", { extra: ignored("2026-12-08") }),
    dep("C", "high", { extra: ignored("2026-12-31") }),
    dep("D", "high", { extra: ignored("2026-11-30") }),
  ]);
  const newer = doc("2026-12-07", [
    dep("A", "high", { extra: ignored("2026-12-07") }),
    dep("B", "high", { extra: ignored("2026-12-08") }),
    dep("C", "high"),
    dep("D", "high", { extra: ignored("2026-11-30") }),
  ]);
  const diff = assembleStatusDiff(older, newer);
  assert.deepEqual(
    diff.changes.map((c) => [c.kind, c.finding.id, c.expired ?? null]),
    [
      ["ignore-expired", "A", "2026-12-07"],
      ["ignore-expired", "C", null],
    ],
  );
  // B is still in force on the 7th; D had expired before the old document: not a change now.
  assert.equal(diff.unchanged, 2);
});

test("one finding changed two ways is two changes; identical documents are no change", () => {
  const older = doc("2026-12-01", [dep("X", "moderate", { fixedIn: null })]);
  const newer = doc("2026-12-02", [dep("X", "high", { fixedIn: "1.0.2" })]);
  assert.deepEqual(
    assembleStatusDiff(older, newer).changes.map((c) => c.kind),
    ["severity-changed", "fix-available"],
  );
  const same = assembleStatusDiff(older, older);
  assert.deepEqual(same.changes, []);
  assert.equal(same.unchanged, 1);
});

test("the diff is linear: 20,000 findings each side in well under a second", () => {
  const many = (n: number, offset: number) =>
    Array.from({ length: n }, (_, i) => dep(`GHSA-${i + offset}`, "low", { pkg: `p${i + offset}` }));
  const started = process.hrtime.bigint();
  const diff = assembleStatusDiff(
    doc("2026-12-01", many(20_000, 0)),
    doc("2026-12-02", many(20_000, 10_000)),
  );
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  assert.equal(diff.unchanged, 10_000);
  assert.equal(diff.changes.length, 20_000);
  assert.ok(ms < 1000, `${ms} ms`);
});

test("Markdown: hostile text stays literal, links only to https, the body capped", () => {
  const evil = dep("GHSA-evil", "high", {
    extra: {
      message: "@admin see [click](javascript:alert(1)) <img src=x onerror=1> | cell\n# heading",
      url: "javascript:alert(1)",
    },
  });
  const md = renderDiffMarkdown(
    assembleStatusDiff(doc("2026-12-01", []), doc("2026-12-02", [evil, secret("aws", "tree")])),
  );
  assert.match(md, /^## Security status of demo\n/);
  assert.match(md, /### New \(2\)/);
  assert.ok(!md.includes("@admin"), "a mention is defused");
  assert.ok(!/(?<!\\)<img/.test(md) && md.includes("\\<img"), "HTML is escaped");
  assert.ok(!/(?<!\\)\]\(javascript/.test(md), "no link to a script");
  assert.ok(!/\n# heading/.test(md), "a newline in a message cannot start a heading");
  assert.match(md, /\*\*GHSA\\-evil\*\*|\*\*GHSA-evil\*\*/);
  assert.match(md, /\[GHSA-[a-z]+\]\(https:|`src\/app\.py`/);
  assert.equal(escapeMarkdown("a|b*c_d`e"), "a\\|b\\*c\\_d\\`e");

  const flood = Array.from({ length: 5000 }, (_, i) =>
    dep(`GHSA-${i}`, "moderate", { pkg: `p${i}`, extra: { message: "x".repeat(500) } }),
  );
  const big = renderDiffMarkdown(assembleStatusDiff(doc("2026-12-01", []), doc("2026-12-02", flood)));
  assert.ok(big.length <= MAX_MARKDOWN, `${big.length}`);
  assert.match(big, /… and \d+ more/);
});

test("the reader: schema, JSON, truncation and shape errors name the file and the JSON path", () => {
  const good = JSON.stringify(doc("2026-12-01", [dep("A", "high")]));
  assert.equal(readSecurityStatus(good, "a.json").findings.length, 1);
  assert.equal(readSecurityStatus(`\ufeff${good}`, "a.json").schema, 1);
  const cases: [string, RegExp][] = [
    [
      good.replace('"schema":1', '"schema":2'),
      /^old\.json: .*\$\.schema: schema 2; this slipway reads SecurityStatus schema 1/,
    ],
    [good.slice(0, good.length / 2), /^old\.json is not JSON/],
    ["", /^old\.json is not JSON/],
    ["[]", /^old\.json: .*\$: not an object/],
    [
      good.replace('"level":"high"', '"level":"severe"'),
      /^old\.json: .*\$\.findings\[0\]\.level: not one of/,
    ],
    [
      good.replace('"runtime":true', '"runtime":"yes"'),
      /\$\.findings\[0\]\.package\.runtime: not true or false/,
    ],
    [good.replace('"fixedIn":"1.0.1"', '"fixedIn":1'), /\$\.findings\[0\]\.fixedIn: not a string/],
    [
      good.replace('"generatedAt":"2026-12-01T06:00:00Z"', '"generatedAt":"yesterday"'),
      /\$\.generatedAt: not an ISO 8601 UTC time/,
    ],
  ];
  for (const [text, message] of cases) {
    assert.throws(
      () => readSecurityStatus(text, "old.json"),
      (error: unknown) =>
        error instanceof SlipwayError && error.code === "config" && message.test(error.message),
      String(message),
    );
  }
});
