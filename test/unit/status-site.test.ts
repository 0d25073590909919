import assert from "node:assert/strict";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { escapeHtml } from "../../src/core/html.ts";
import {
  assembleStatusBadges,
  assembleStatusSite,
  assembleTrend,
  countsSummary,
  SITE_MARKER,
} from "../../src/core/status/site.ts";
import { GRADE_STYLE, LEVEL_COLOR, MAX_ROWS, safeHref } from "../../src/core/status/site-page.ts";
import { SlipwayError } from "../../src/errors.ts";
import { pythonJson } from "../helpers/peers.ts";
import { sampleHistory, sampleStatus } from "../helpers/status-sample.ts";

const endpointSchema = fileURLToPath(
  new URL("../fixtures/shields-endpoint/endpoint-schema.json", import.meta.url),
);

/** The schema's complaints per document (`path: message`); empty lists when all are valid. */
function endpointSchemaErrors(docs: unknown[]): string[][] {
  return pythonJson<string[][]>(
    `import json, sys, jsonschema
p = json.load(sys.stdin)
schema = json.load(open(p["schema"]))
cls = jsonschema.validators.validator_for(schema)
cls.check_schema(schema)
v = cls(schema)
print(json.dumps([sorted(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in v.iter_errors(d)) for d in p["docs"]]))`,
    { schema: endpointSchema, docs },
  );
}

test("the site's files: the document, the page, endpoint JSON and SVG per badge, the marker", () => {
  const doc = sampleStatus(3);
  const files = assembleStatusSite(doc);
  assert.deepEqual([...files.keys()].sort(), [
    SITE_MARKER,
    "badge/findings.json",
    "badge/findings.svg",
    "badge/grade.json",
    "badge/grade.svg",
    "badge/security.json",
    "badge/security.svg",
    "index.html",
    "index.json",
  ]);
  assert.deepEqual(JSON.parse(files.get("index.json") ?? ""), doc);
  assert.deepEqual(JSON.parse(files.get(SITE_MARKER) ?? ""), { generator: "slipway", site: 1 });
  const text = '{"schema": 1}\n';
  assert.equal(assembleStatusSite(doc, { documentText: text }).get("index.json"), text);
});

test("deterministic: the same document and history give the same bytes", () => {
  const a = assembleStatusSite(sampleStatus(20), { history: sampleHistory(30) });
  const b = assembleStatusSite(sampleStatus(20), { history: sampleHistory(30).reverse() });
  assert.deepEqual([...a.entries()], [...b.entries()]);
});

test("a document of another schema is refused with a clear error", () => {
  const doc = { ...sampleStatus(1), schema: 2 } as unknown as Parameters<typeof assembleStatusSite>[0];
  assert.throws(
    () => assembleStatusSite(doc),
    (error: unknown) => error instanceof SlipwayError && /schema 1, not 2/.test(error.message),
  );
});

test("badges: grade colors and counts in the messages", () => {
  const clean = assembleStatusBadges(sampleStatus(0));
  assert.deepEqual(clean.security, { label: "security", message: "A", color: "brightgreen" });
  assert.deepEqual(clean.findings, { label: "open findings", message: "none", color: "brightgreen" });
  const some = assembleStatusBadges(sampleStatus(7));
  // 7 findings over five levels: 2 critical, 2 high, 1 moderate, 1 low, 1 info.
  assert.equal(countsSummary(sampleStatus(7).counts.total), "2 critical, 2 high, 1 moderate, 1 low");
  assert.deepEqual(some.security, { label: "security", message: "D · 6 open", color: "yellow" });
  assert.deepEqual(some.grade, { label: "security grade", message: "D", color: "yellow" });
  assert.equal(some.findings.color, "red");
});

test("endpoint JSON validates against shields' documented schema (and the schema can fail)", () => {
  const files = assembleStatusSite(sampleStatus(12));
  const endpoints = [...files.entries()]
    .filter(([path]) => path.startsWith("badge/") && path.endsWith(".json"))
    .map(([, content]) => JSON.parse(content) as unknown);
  assert.equal(endpoints.length, 3);
  const bad = [
    { schemaVersion: 2, label: "x", message: "y" },
    { schemaVersion: 1, label: "x", message: "" },
    { schemaVersion: 1, label: 3, message: "y", color: "red" },
    { schemaVersion: 1, message: "y", cacheSeconds: "300" },
  ];
  const errors = endpointSchemaErrors([...endpoints, ...bad]);
  assert.deepEqual(errors.slice(0, 3), [[], [], []]);
  for (const complaints of errors.slice(3)) assert.ok(complaints.length > 0);
});

test("the page: accessible structure, links only to http(s) advisories", () => {
  const html = assembleStatusSite(sampleStatus(10), { history: sampleHistory(5) }).get("index.html") ?? "";
  assert.match(html, /^<!doctype html>\n<html lang="en">/);
  assert.match(html, /<meta name="viewport" content="width=device-width, initial-scale=1">/);
  assert.match(html, /<h1>prompt-manager: security status<\/h1>/);
  assert.match(html, /<table id="findings"[^>]*><caption>Open findings \(10\)/);
  assert.equal((html.match(/<th scope="col">/g) ?? []).length, 6 + 1);
  assert.match(html, /<th scope="row">/);
  assert.match(html, /Grade D: high findings open/);
  assert.match(html, /<a href="https:\/\/osv\.dev\/vulnerability\/PYSEC-2024-100" rel="noreferrer">/);
  assert.doesNotMatch(html, /href="javascript:/i);
  assert.match(html, /<svg id="sparkline"[^>]*role="img"/);
  assert.match(html, /6 documents\): open findings 4 → 8, at most 8; grade F → D/);
});

test("the page: self-contained (no scripts, external fonts, images or stylesheets)", () => {
  const html = assembleStatusSite(sampleStatus(50), { history: sampleHistory(90) }).get("index.html") ?? "";
  assert.doesNotMatch(html, /<script/i);
  assert.doesNotMatch(html, /<link\b/i);
  assert.doesNotMatch(html, /<img\b/i);
  assert.doesNotMatch(html, /@import|@font-face|url\(/i);
  assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
});

test("the page: hostile finding text is escaped, clipped, and control characters replaced", () => {
  const html = assembleStatusSite(sampleStatus(10)).get("index.html") ?? "";
  assert.doesNotMatch(html, /<img src=x/);
  assert.doesNotMatch(html, /<\/td><\/tr><\/table><script>/);
  assert.match(html, /&lt;img src=x onerror=alert\(4\)&gt;/);
  assert.match(html, /&lt;\/td&gt;&lt;\/tr&gt;&lt;\/table&gt;&lt;script&gt;alert\(&quot;x&quot;\)/);
  assert.doesNotMatch(html, /[\u0000\u001b]/);
  assert.doesNotMatch(html, /A{240}/);
  assert.match(html, /not reachable &lt;b&gt;here&lt;\/b&gt;/);
  assert.equal(escapeHtml(`<a b='c' d="e">&\u0007`), "&lt;a b=&#39;c&#39; d=&quot;e&quot;&gt;&amp;\uFFFD");
  for (const url of [
    "javascript:alert(1)",
    "data:text/html,x",
    'https://x/"onmouseover=1',
    "//evil",
    " https://x",
  ])
    assert.equal(safeHref(url), undefined, url);
  assert.equal(safeHref("https://github.com/advisories/GHSA-x"), "https://github.com/advisories/GHSA-x");
});

test("size: the page for ~50 findings and 90 days of history stays under 50 KB", () => {
  const files = assembleStatusSite(sampleStatus(50), { history: sampleHistory(90) });
  const page = Buffer.byteLength(files.get("index.html") ?? "");
  assert.ok(page < 50 * 1024, `index.html is ${page} bytes`);
  const badges = [...files.entries()].filter(([path]) => path.startsWith("badge/"));
  for (const [path, content] of badges) assert.ok(Buffer.byteLength(content) < 4096, path);
});

test("trend: schema-1 history entries by time, the current document last; bad entries left out", () => {
  const doc = sampleStatus(2);
  const history = [
    sampleStatus(4, { date: "2026-12-05" }),
    null,
    "corrupt",
    { schema: 2, generatedAt: "2026-12-01T00:00:00Z" },
    { ...sampleStatus(1, { date: "2026-12-02" }), counts: { total: { critical: -1 } } },
    sampleStatus(3, { date: "2026-12-03" }),
    doc,
  ];
  const trend = assembleTrend(doc, history);
  assert.deepEqual(
    trend.map((entry) => entry.generatedAt),
    ["2026-12-03T06:00:00Z", "2026-12-05T06:00:00Z", "2026-12-07T06:00:00Z"],
  );
  const html = assembleStatusSite(doc, { history: [] }).get("index.html") ?? "";
  assert.match(html, /One document so far: 2 open findings/);
});

test("an empty document renders a clean page", () => {
  const html = assembleStatusSite(sampleStatus(0)).get("index.html") ?? "";
  assert.match(html, /<p id="no-findings">No open findings\.<\/p>/);
  assert.match(html, /No high or critical finding on record\./);
  assert.match(html, /Grade A/);
});

/** WCAG 2 contrast ratio of two `#rrggbb` colors. */
function contrast(a: string, b: string): number {
  const lum = (hex: string) => {
    const [r, g, bl] = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16) / 255);
    const c = (v = 0) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * c(r) + 0.7152 * c(g) + 0.0722 * c(bl);
  };
  const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
  return ((x ?? 0) + 0.05) / ((y ?? 0) + 0.05);
}

test("colors: every grade box and level label passes WCAG AA contrast (4.5:1)", () => {
  for (const [grade, style] of Object.entries(GRADE_STYLE))
    assert.ok(contrast(style.fg, style.bg) >= 4.5, `grade ${grade}: ${contrast(style.fg, style.bg)}`);
  for (const [level, color] of Object.entries(LEVEL_COLOR))
    for (const bg of ["#ffffff", "#f3f5f7"]) assert.ok(contrast(color, bg) >= 4.5, `${level} on ${bg}`);
  assert.ok(contrast("#777777", "#ffffff") < 4.5, "the check itself can fail");
});

test("a huge document: the table stops at MAX_ROWS (the rest are in index.json), work stays linear", () => {
  const doc = sampleStatus(5000);
  const started = performance.now();
  const html = assembleStatusSite(doc, { history: sampleHistory(400) }).get("index.html") ?? "";
  assert.ok(performance.now() - started < 2000);
  assert.equal((html.match(/<tr><td data-label="Level">/g) ?? []).length, MAX_ROWS);
  assert.match(html, new RegExp(`<p id="more-findings">${5000 - MAX_ROWS} more \\(the least severe\\)`));
  assert.match(html, /Open findings \(5000\), most severe first/);
  assert.ok(Buffer.byteLength(html) < 200 * 1024, `${Buffer.byteLength(html)} bytes`);
});
