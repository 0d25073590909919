/**
 * buildStatus on in-memory scan sections: the one level scale, first-seen dates carried by
 * fingerprint, days since a high or critical finding, the grade formula, counts, the order of
 * findings, byte-identical output, and every document valid under the published JSON Schema.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { buildStatus, renderStatus } from "../../src/core/status/build.ts";
import type { SecurityStatus, StatusFinding } from "../../src/core/status/document.ts";
import { gradeOf } from "../../src/core/status/grade.ts";
import { appendHistory } from "../../src/core/status/history.ts";
import {
  advisoryLevel,
  isRuntimeLockfile,
  type ScanDocSection,
  scoreLevel,
} from "../../src/core/status/levels.ts";
import { parseSecurityStatus } from "../../src/core/status/stored.ts";
import { statusSchemaErrors } from "../helpers/status-schema.ts";

const produced: SecurityStatus[] = [];
after(() => {
  // Every document these tests built is valid under the published schema.
  const errors = statusSchemaErrors(produced);
  assert.deepEqual(
    errors.flatMap((e, i) => e.map((m) => `document ${i}: ${m}`)),
    [],
  );
});

const DAY = 86_400_000;
const T0 = Date.parse("2026-12-01T12:00:00Z");
const project = { name: "demo", version: null, sourceVersion: "1.0" };

function build(
  sections: ScanDocSection[],
  extra: Partial<Parameters<typeof buildStatus>[0]> = {},
): SecurityStatus {
  const doc = buildStatus({
    sections,
    project,
    commit: "0123456789abcdef0123456789abcdef01234567",
    now: T0,
    scanners: sections.map((s) => ({ name: s.scanner })),
    ...extra,
  });
  produced.push(doc);
  return doc;
}

function secrets(
  severity: "error" | "warning" | "info" = "error",
  fp = "pypi-upload-token:a.py:1",
): ScanDocSection {
  return {
    scanner: "secrets",
    findings: [
      {
        id: "pypi-upload-token",
        severity,
        message: "PyPI upload token: pypi…",
        location: { file: "a.py", line: 3 },
        fingerprint: fp,
      },
    ],
    rules: [{ id: "pypi-upload-token", description: "", help: "", securitySeverity: 9 }],
  };
}

function deps(level: string, fixedIn?: string, file = "requirements.txt"): ScanDocSection {
  const fp = `PYSEC-1:jinja2:2.10:${file}`;
  return {
    scanner: "deps",
    version: "rev1",
    findings: [
      {
        id: "PYSEC-1",
        severity: "error",
        message: "jinja2 2.10 is vulnerable",
        location: { file, line: 1 },
        fingerprint: fp,
      },
    ],
    rules: [{ id: "PYSEC-1", description: "", help: "", helpUri: "https://osv.dev/vulnerability/PYSEC-1" }],
    vulnerabilities: [
      {
        id: "PYSEC-1",
        ids: ["PYSEC-1", "CVE-2019-1"],
        name: "jinja2",
        version: "2.10",
        level,
        file,
        url: "https://osv.dev/vulnerability/PYSEC-1",
        ...(fixedIn === undefined ? {} : { fixedIn }),
      },
    ],
  };
}

function sarif(severity: "error" | "warning" | "info", score?: number): ScanDocSection {
  return {
    scanner: "bandit",
    version: "1.8.0",
    findings: [
      {
        id: "B602",
        severity,
        message: "shell=True",
        location: { file: "x.py", line: 9 },
        fingerprint: `B602:x.py:${severity}`,
      },
    ],
    rules: [
      { id: "B602", description: "", help: "", ...(score === undefined ? {} : { securitySeverity: score }) },
    ],
  };
}

test("levels: every source on one scale", () => {
  assert.equal(build([secrets("error")]).findings[0]!.level, "critical");
  assert.equal(build([secrets("warning")]).findings[0]!.level, "low");
  assert.equal(build([deps("moderate")]).findings[0]!.level, "moderate");
  assert.equal(build([deps("unknown")]).findings[0]!.level, "high", "an unscored advisory counts as high");
  const lock: ScanDocSection = {
    scanner: "lock",
    findings: [
      {
        id: "LOCK01",
        severity: "error",
        message: "stale",
        location: { file: "uv.lock" },
        fingerprint: "LOCK01:uv.lock",
      },
      {
        id: "LOCK02",
        severity: "warning",
        message: "no hash",
        location: { file: "uv.lock" },
        fingerprint: "LOCK02:uv.lock",
      },
    ],
    rules: [],
  };
  assert.deepEqual(
    build([lock]).findings.map((f) => f.level),
    ["moderate", "low"],
  );
  assert.equal(build([sarif("info", 9.1)]).findings[0]!.level, "critical");
  assert.equal(build([sarif("warning", 7)]).findings[0]!.level, "high");
  assert.equal(build([sarif("error", 4)]).findings[0]!.level, "moderate");
  assert.equal(build([sarif("error", 0.1)]).findings[0]!.level, "low");
  assert.equal(build([sarif("error")]).findings[0]!.level, "high");
  assert.equal(build([sarif("warning")]).findings[0]!.level, "moderate");
  assert.equal(build([sarif("info")]).findings[0]!.level, "low");
  assert.equal(scoreLevel(0), undefined);
  assert.equal(scoreLevel(Number.NaN), undefined);
  assert.equal(advisoryLevel("CRITICAL"), "high", "only the scan's own words are levels");
});

test("a dependency finding carries its package, aliases, fix and advisory page", () => {
  const [f] = build([deps("high", "2.10.1")]).findings;
  assert.deepEqual(f, {
    fingerprint: "PYSEC-1:jinja2:2.10:requirements.txt",
    source: "deps",
    id: "PYSEC-1",
    aliases: ["CVE-2019-1"],
    level: "high",
    severity: "error",
    message: "jinja2 2.10 is vulnerable",
    location: { file: "requirements.txt", line: 1 },
    firstSeen: "2026-12-01",
    url: "https://osv.dev/vulnerability/PYSEC-1",
    package: { name: "jinja2", version: "2.10", runtime: true },
    fixedIn: "2.10.1",
  });
  assert.equal(build([deps("high", undefined, "requirements-dev.txt")]).findings[0]!.package!.runtime, false);
  assert.equal(build([deps("high")]).findings[0]!.fixedIn, null);
});

test("runtime or development pins, by the lockfile's name", () => {
  const runtime = [
    "requirements.txt",
    "uv.lock",
    "pylock.toml",
    "requirements/base.txt",
    "poetry.lock",
    "Pipfile.lock",
  ];
  const dev = [
    "requirements-dev.txt",
    "requirements/dev.txt",
    "docs/requirements.txt",
    "test-requirements.txt",
    "pylock.lint.toml",
    "ci/requirements.txt",
  ];
  assert.deepEqual(
    runtime.map(isRuntimeLockfile),
    runtime.map(() => true),
  );
  assert.deepEqual(
    dev.map(isRuntimeLockfile),
    dev.map(() => false),
  );
  assert.equal(isRuntimeLockfile("requirements-devtools.txt"), true, "a word, not a prefix");
});

test("ignored advisories are listed with their ignore but not counted or graded", () => {
  const section: ScanDocSection = {
    scanner: "deps",
    findings: [],
    rules: [],
    ignored: [
      {
        id: "GHSA-x",
        name: "jinja2",
        version: "2.10",
        reason: "not used",
        expires: "2027-01-31",
        file: "requirements.txt",
        level: "critical",
      },
    ],
  };
  const doc = build([section]);
  assert.equal(doc.findings.length, 1);
  assert.deepEqual(doc.findings[0]!.ignored, { reason: "not used", expires: "2027-01-31" });
  assert.equal(doc.findings[0]!.fingerprint, "GHSA-x:jinja2:2.10:requirements.txt");
  assert.equal(doc.findings[0]!.level, "critical");
  assert.equal(doc.counts.total.critical, 0);
  assert.equal(doc.grade, "A");
  assert.equal(doc.daysSinceHighOrCritical, null);
});

test("findings are ordered by level, source, fingerprint whatever order the scans gave", () => {
  const a = build([sarif("warning"), deps("low"), secrets("error"), secrets("warning", "zz")]);
  const b = build([secrets("warning", "zz"), secrets("error"), deps("low"), sarif("warning")], {
    scanners: [{ name: "bandit" }, { name: "deps" }, { name: "secrets" }],
  });
  const key = (d: SecurityStatus) => d.findings.map((f) => `${f.level}/${f.source}/${f.fingerprint}`);
  assert.deepEqual(key(a), [
    "critical/secrets/pypi-upload-token:a.py:1",
    "moderate/bandit/B602:x.py:warning",
    "low/deps/PYSEC-1:jinja2:2.10:requirements.txt",
    "low/secrets/zz",
  ]);
  assert.deepEqual(key(a), key(b));
  assert.deepEqual(
    Object.keys(b.counts.bySource),
    ["bandit", "deps", "secrets"],
    "counts follow the scanners' order",
  );
});

test("what a document holds it can read back: a long message is cut, a long rule id kept, a non-http link dropped", () => {
  const section: ScanDocSection = {
    scanner: "semgrep",
    findings: [
      {
        id: `python.${"x".repeat(300)}`,
        severity: "error",
        message: "m".repeat(10_000),
        location: { file: "a.py" },
        fingerprint: "f",
      },
    ],
    rules: [{ id: `python.${"x".repeat(300)}`, description: "", help: "", helpUri: "javascript:alert(1)" }],
  };
  const d = build([section]);
  assert.equal(d.findings[0]!.message.length, 4096);
  assert.ok(d.findings[0]!.message.endsWith("…"));
  assert.equal(d.findings[0]!.url, undefined);
  assert.deepEqual(parseSecurityStatus(renderStatus(d), "x.json"), d);
});

test("byte-identical output for the same inputs; keys in the document's order", () => {
  const input = [secrets("error"), deps("high", "2.11")];
  const one = renderStatus(build(input));
  const two = renderStatus(build(structuredClone(input)));
  assert.equal(one, two);
  assert.deepEqual(Object.keys(JSON.parse(one)), [
    "schema",
    "project",
    "commit",
    "generatedAt",
    "grade",
    "daysSinceHighOrCritical",
    "counts",
    "findings",
    "scanners",
  ]);
  assert.equal(JSON.parse(one).generatedAt, "2026-12-01T12:00:00Z");
  // Read back and written again: the same bytes.
  assert.equal(renderStatus(parseSecurityStatus(one, "x.json")), one);
});

test("firstSeen carries over by fingerprint from the previous document and the history", () => {
  const first = build([deps("high", "2.11")], { now: T0 - 20 * DAY });
  const second = build([deps("high", "2.11"), secrets("warning")], { now: T0 - 5 * DAY, previous: first });
  assert.deepEqual(
    second.findings.map((f) => [f.source, f.firstSeen]),
    [
      ["deps", "2026-11-11"],
      ["secrets", "2026-11-26"],
    ],
  );
  // From the history alone, the earliest date wins.
  const third = build([deps("high", "2.11"), secrets("warning")], { history: [first, second] });
  assert.deepEqual(
    third.findings.map((f) => f.firstSeen),
    ["2026-11-11", "2026-11-26"],
  );
  // The same fingerprint from another source is another finding.
  const other = build([{ ...secrets("warning", "PYSEC-1:jinja2:2.10:requirements.txt") }], {
    previous: first,
  });
  assert.equal(other.findings[0]!.firstSeen, "2026-12-01");
  // A previous document dated in the future (a clock set back) never dates a finding later than today.
  const future = build([deps("high", "2.11")], { now: T0 + 3 * DAY });
  assert.equal(build([deps("high", "2.11")], { previous: future }).findings[0]!.firstSeen, "2026-12-01");
});

test("days since a high or critical finding: 0 while open, counted from the last document that held one", () => {
  const high = build([deps("high", "2.11")], { now: T0 - 10 * DAY });
  assert.equal(high.daysSinceHighOrCritical, 0);
  const clean = build([secrets("warning")], { now: T0 - 4 * DAY, history: [high] });
  assert.equal(clean.daysSinceHighOrCritical, 6);
  // The high document rotated out: the clean one's count still carries the date.
  const later = build([], { history: [clean] });
  assert.equal(later.daysSinceHighOrCritical, 10);
  assert.equal(build([]).daysSinceHighOrCritical, null);
});

function at(
  level: StatusFinding["level"],
  firstSeen: string,
  extra: Partial<StatusFinding> = {},
): StatusFinding {
  return {
    fingerprint: `${level}${firstSeen}`,
    source: "x",
    id: "X",
    level,
    severity: "error",
    message: "m",
    location: { file: "f" },
    firstSeen,
    ...extra,
  };
}

test("the grade formula", () => {
  const today = "2026-12-01";
  assert.equal(gradeOf([], today, false), "A");
  assert.equal(gradeOf([at("low", "2020-01-01"), at("info", "2020-01-01")], today, false), "A");
  assert.equal(gradeOf([at("moderate", "2026-11-01")], today, false), "B");
  assert.equal(gradeOf([at("moderate", "2026-09-02")], today, false), "C", "a moderate open 90 days");
  assert.equal(gradeOf([at("high", "2026-11-25")], today, false), "C", "a high open less than 7 days");
  assert.equal(gradeOf([at("high", "2026-11-24")], today, false), "D", "a high open 7 days");
  assert.equal(
    gradeOf(
      [at("high", "2026-11-20", { package: { name: "a", version: "1", runtime: true }, fixedIn: null })],
      today,
      false,
    ),
    "C",
    "no fix known yet",
  );
  assert.equal(gradeOf([at("high", "2026-11-01")], today, false), "E", "a high open 30 days");
  assert.equal(
    gradeOf(
      [at("high", "2026-10-01", { package: { name: "a", version: "1", runtime: true }, fixedIn: null })],
      today,
      false,
    ),
    "E",
    "30 days is stale, fix or not",
  );
  assert.equal(gradeOf([at("critical", "2026-12-01"), at("low", "2026-12-01")], today, false), "F");
  assert.equal(
    gradeOf(
      [at("critical", "2026-12-01", { ignored: { reason: "r", expires: "2027-01-01" } })],
      today,
      false,
    ),
    "A",
  );
  assert.equal(gradeOf([], today, true), "C", "a scanner that did not run caps the grade");
  assert.equal(gradeOf([at("high", "2026-10-01")], today, true), "E");
  // Built: a secret is F.
  assert.equal(build([secrets("error")]).grade, "F");
});

test("a skipped scanner is kept in scanners with its reason, counted with zeros, and caps the grade", () => {
  const doc = build([secrets("warning")], {
    scanners: [
      { name: "secrets", version: "0.1.0" },
      { name: "deps", version: "0.1.0", skipped: "no advisory database" },
    ],
  });
  assert.deepEqual(doc.scanners, [
    { name: "secrets", version: "0.1.0" },
    { name: "deps", version: "0.1.0", skipped: "no advisory database" },
  ]);
  assert.deepEqual(doc.counts.bySource["deps"], { critical: 0, high: 0, moderate: 0, low: 0, info: 0 });
  assert.equal(doc.grade, "C");
});

test("history rotation keeps the last N, oldest first", () => {
  const docs = [0, 1, 2, 3].map((i) => build([], { now: T0 + i * DAY }));
  const kept = appendHistory(docs.slice(0, 3), docs[3]!, 2);
  assert.deepEqual(
    kept.map((d) => d.generatedAt),
    ["2026-12-03T12:00:00Z", "2026-12-04T12:00:00Z"],
  );
  assert.equal(appendHistory([], docs[0]!, 0).length, 1);
});
