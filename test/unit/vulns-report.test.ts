/** The pure part of `scan deps`: the gate and levels, ignores and their expiry, merged findings, the section. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { parse } from "smol-toml";
import { getTable, type TomlTable } from "../../src/core/pyproject/access.ts";
import { calendarDate, readDepsIgnores } from "../../src/core/vulns/ignores.ts";
import { indexAdvisories, trimCoveredVersions } from "../../src/core/vulns/match.ts";
import { type OsvRecord, osvRecordFrom } from "../../src/core/vulns/osv.ts";
import { assembleDepsReport, type DepsPin, failsGate, parseGate } from "../../src/core/vulns/report.ts";
import { SlipwayError } from "../../src/errors.ts";

function record(value: unknown): OsvRecord {
  const parsed = osvRecordFrom(value);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

const RECORDS = [
  record({
    id: "PYSEC-1",
    modified: "x",
    aliases: ["CVE-1", "GHSA-aaaa"],
    summary: "bad thing",
    affected: [
      {
        package: { ecosystem: "PyPI", name: "Demo" },
        ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed: "2.0" }] }],
      },
    ],
  }),
  record({
    id: "GHSA-aaaa",
    modified: "x",
    aliases: ["CVE-1"],
    severity: [{ type: "CVSS_V3", score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:N" }],
    affected: [
      {
        package: { ecosystem: "PyPI", name: "demo" },
        ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "1.0" }, { fixed: "1.5" }] }],
      },
    ],
  }),
  record({
    id: "GHSA-crit",
    modified: "x",
    database_specific: { severity: "CRITICAL" },
    affected: [{ package: { ecosystem: "PyPI", name: "other" }, versions: ["3.0"] }],
  }),
];

const problems = { dbErrors: [], dbLabel: "db", lockErrors: [], unpinned: [], unreadable: [] };

function report(pins: DepsPin[], extra: Partial<Parameters<typeof assembleDepsReport>[0]> = {}) {
  return assembleDepsReport({
    pins,
    index: indexAdvisories(RECORDS),
    gate: "high",
    ignores: [],
    today: "2026-12-07",
    problems,
    revision: "r1",
    ...extra,
  });
}

test("levels and the gate: unknown counts as high; medium is moderate", () => {
  assert.equal(parseGate("Medium"), "moderate");
  assert.equal(parseGate("critical"), "critical");
  assert.equal(parseGate("severe"), undefined);
  assert.equal(failsGate("unknown", "high"), true);
  assert.equal(failsGate("unknown", "critical"), false);
  assert.equal(failsGate("moderate", "high"), false);
  assert.equal(failsGate("moderate", "moderate"), true);
  assert.equal(failsGate("low", "low"), true);
});

test("aliased records are one finding; repeats across files merge; markers add up or drop", () => {
  const r = report([
    { name: "demo", version: "1.2", file: "uv.lock", line: 10, marker: "sys_platform == 'win32'" },
    { name: "demo", version: "1.2", file: "requirements.txt", line: 3, marker: "python_version < '3.12'" },
    { name: "demo", version: "1.2", file: "uv.lock", line: 40 },
    { name: "other", version: "3.0", file: "uv.lock", line: 20 },
    { name: "other", version: "3.1", file: "uv.lock", line: 30 },
  ]);
  assert.deepEqual(
    r.vulnerabilities.map((v) => [v.id, v.ids, v.level, v.severity, v.file, v.line, v.alsoIn, v.marker]),
    [
      // The scored GHSA (moderate 6.5) beats the unscored PYSEC; the last pin had no marker.
      [
        "PYSEC-1",
        ["CVE-1", "GHSA-aaaa", "PYSEC-1"],
        "moderate",
        "warning",
        "uv.lock",
        10,
        ["requirements.txt"],
        undefined,
      ],
      ["GHSA-crit", ["GHSA-crit"], "critical", "error", "uv.lock", 20, [], undefined],
    ],
  );
  assert.equal(r.section.failed, true);
  assert.deepEqual(r.section.fingerprints, ["PYSEC-1:demo:1.2:uv.lock", "GHSA-crit:other:3.0:uv.lock"]);
  assert.deepEqual(
    r.section.rules.map((rule) => [rule.id, rule.help, rule.helpUri, rule.securitySeverity]),
    [
      ["PYSEC-1", "upgrade demo to 1.5 or later", "https://osv.dev/vulnerability/PYSEC-1", 6.5],
      [
        "GHSA-crit",
        "no fixed version of other is known; remove or replace it, or ignore GHSA-crit with a reason",
        "https://osv.dev/vulnerability/GHSA-crit",
        9.5,
      ],
    ],
  );
  const conditional = report([
    { name: "demo", version: "1.2", file: "a.txt", marker: "a" },
    { name: "demo", version: "1.2", file: "b.txt", marker: "b" },
  ]);
  assert.equal(conditional.vulnerabilities[0]!.marker, "(a) or (b)");
  assert.match(
    conditional.section.findings[0]!.message,
    /\(only when \(a\) or \(b\)\); also pinned in b\.txt$/,
  );
});

const scan = (text: string): TomlTable | undefined =>
  getTable(getTable(getTable(parse(text) as TomlTable, "tool"), "slipway"), "scan");

test("ignores: TOML dates and strings; in force through the expiry day, an error finding after", () => {
  const ignores = readDepsIgnores(
    scan(`[[tool.slipway.scan.ignore]]
id = "cve-1"
reason = "not reachable"
expires = 2026-12-07

[[tool.slipway.scan.ignore]]
id = "GHSA-crit"
reason = "vendored copy unused"
expires = "2026-12-06"
package = "Other"
`),
  );
  assert.deepEqual(
    ignores.map((i) => [i.id, i.expires, i.package]),
    [
      ["cve-1", "2026-12-07", undefined],
      ["GHSA-crit", "2026-12-06", "other"],
    ],
  );
  const pins = [
    { name: "demo", version: "1.2", file: "uv.lock" },
    { name: "other", version: "3.0", file: "uv.lock" },
  ];
  const today = report(pins, { ignores });
  assert.deepEqual(
    today.ignored.map((i) => [i.id, i.reason]),
    [["PYSEC-1", "not reachable"]],
  );
  assert.deepEqual(
    today.section.findings.map((f) => [f.id, f.severity]),
    [
      ["GHSA-crit", "error"],
      ["DEPS-IGNORE-EXPIRED", "error"],
    ],
  );
  const later = report(pins, { ignores, today: "2026-12-08" });
  assert.deepEqual(later.ignored, []);
  assert.equal(later.section.findings.filter((f) => f.id === "DEPS-IGNORE-EXPIRED").length, 2);
});

test("ignores: every malformed entry is a config error naming it", () => {
  const cases: [string, RegExp][] = [
    ["ignore = 5", /ignore: expected an array of tables, found an integer/],
    ["ignore = [1]", /ignore\[1\]: expected a table, found an integer/],
    [
      '[[tool.slipway.scan.ignore]]\nid = ""\nreason = "x"\nexpires = 2030-01-01',
      /ignore\[1\]\.id: expected a non-empty string/,
    ],
    [
      '[[tool.slipway.scan.ignore]]\nid = "a b"\nreason = "x"\nexpires = 2030-01-01',
      /"a b" is not an advisory id/,
    ],
    ['[[tool.slipway.scan.ignore]]\nid = "X"\nreason = "x"\nexpires = 2030-01-01T10:00:00', /./],
    [
      '[[tool.slipway.scan.ignore]]\nid = "X"\nreason = "x"\nexpires = 2030',
      /expected a date such as 2027-01-31, found an integer/,
    ],
    ['[[tool.slipway.scan.ignore]]\nid = "X"\nreason = "x"\nexpires = "tomorrow"', /found "tomorrow"/],
  ];
  for (const [body, pattern] of cases) {
    const text = body.startsWith("[[") ? body : `[tool.slipway.scan]\n${body}`;
    if (pattern.source === ".") {
      // A date-time is taken by its day.
      assert.equal(readDepsIgnores(scan(text))[0]!.expires, "2030-01-01");
      continue;
    }
    assert.throws(
      () => readDepsIgnores(scan(text)),
      (error: unknown) =>
        error instanceof SlipwayError && error.code === "config" && pattern.test(error.message),
      body,
    );
  }
  assert.equal(calendarDate("2028-02-29"), "2028-02-29");
  assert.equal(calendarDate("2027-02-29"), undefined);
  assert.equal(calendarDate("2027-1-01"), undefined);
});

test("trimming a record for the index keeps every match and drops GIT ranges", () => {
  const full = record({
    id: "PYSEC-9",
    modified: "x",
    affected: [
      {
        package: { ecosystem: "PyPI", name: "demo" },
        ranges: [
          { type: "GIT", events: [{ introduced: "0" }, { fixed: "abc" }] },
          { type: "ECOSYSTEM", events: [{ introduced: "1.0" }, { fixed: "1.4" }] },
        ],
        versions: ["1.0", "1.3", "1.4.post1", "2.0", "not-a-version"],
      },
    ],
  });
  const trimmed = trimCoveredVersions(full);
  assert.deepEqual(trimmed.affected[0]!.versions, ["1.4.post1", "2.0", "not-a-version"]);
  assert.deepEqual(
    trimmed.affected[0]!.ranges.map((r) => r.type),
    ["ECOSYSTEM"],
  );
  const pins = ["0.9", "1.0", "1.3", "1.3.0", "1.4", "1.4.post1", "2.0", "2.0.0", "not-a-version", "3"];
  const found = (records: OsvRecord[]) =>
    pins.map(
      (version) =>
        report([{ name: "demo", version, file: "f" }], { index: indexAdvisories(records) }).vulnerabilities
          .length,
    );
  assert.deepEqual(found([trimmed]), found([full]));
  assert.deepEqual(found([full]), [0, 1, 1, 1, 0, 1, 1, 1, 1, 0]);
});

test("a version above a package's bound is never affected by its records (so a warm scan may skip them)", async () => {
  const { readdirSync, readFileSync } = await import("node:fs");
  const { join } = await import("node:path");
  const { parseOsvRecord } = await import("../../src/core/vulns/osv-yaml.ts");
  const { ADVISORY_FIXTURES } = await import("../helpers/advisory-snapshot.ts");
  const { findVulnerabilities, isAboveBound, upperBoundOf } = await import("../../src/core/vulns/match.ts");
  const records: OsvRecord[] = [];
  for (const pkg of ["jinja2", "urllib3"]) {
    for (const file of readdirSync(join(ADVISORY_FIXTURES, "vulns", pkg))) {
      const parsed = parseOsvRecord(
        readFileSync(join(ADVISORY_FIXTURES, "vulns", pkg, file), "utf8"),
        "yaml",
      );
      assert.ok(parsed.ok);
      records.push(trimCoveredVersions(parsed.value));
    }
  }
  const eco = (name: string, events: Record<string, string>[], versions: string[] = []) =>
    record({
      id: `X-${name}`,
      modified: "x",
      affected: [{ package: { ecosystem: "PyPI", name }, ranges: [{ type: "ECOSYSTEM", events }], versions }],
    });
  records.push(
    eco("last", [{ introduced: "1.0" }, { last_affected: "1.4" }]),
    eco("limit", [{ introduced: "1.0" }, { limit: "1.6" }]),
    eco("open", [{ introduced: "0" }, { fixed: "1.2" }, { introduced: "1.5" }]),
    eco("listed", [{ introduced: "0" }, { fixed: "1.0" }], ["1.7"]),
    eco("tie", [{ introduced: "1.0" }, { fixed: "1.3" }, { introduced: "1.3" }]),
  );
  const index = indexAdvisories(records);
  const versions = [
    "0",
    "0.9",
    "1.0",
    "1.2",
    "1.3",
    "1.4",
    "1.4.post1",
    "1.5",
    "1.6",
    "1.7",
    "1.7.1",
    "2.0",
    "2.10",
    "2.10.1",
    "2.11.3",
    "3.1.6",
    "1.24.1",
    "1.26.17",
    "1.26.18",
    "2.0.7",
    "9",
    "1!0",
    "x.y",
  ];
  let skipped = 0;
  for (const name of ["jinja2", "urllib3", "last", "limit", "open", "listed", "tie"]) {
    const bound = upperBoundOf(index.byName.get(name) ?? [], name);
    for (const version of versions) {
      if (!isAboveBound(version, bound)) continue;
      skipped++;
      assert.deepEqual(
        findVulnerabilities(index, name, version),
        [],
        `${name} ${version} above ${JSON.stringify(bound)}`,
      );
    }
  }
  assert.ok(skipped > 20);
  assert.deepEqual(upperBoundOf(index.byName.get("open")!, "open"), null);
  assert.deepEqual(upperBoundOf(index.byName.get("tie")!, "tie"), null);
  assert.deepEqual(upperBoundOf(index.byName.get("last")!, "last"), { version: "1.4", inclusive: true });
  assert.deepEqual(upperBoundOf(index.byName.get("limit")!, "limit"), { version: "1.6", inclusive: false });
  assert.deepEqual(upperBoundOf(index.byName.get("listed")!, "listed"), { version: "1.7", inclusive: true });
  assert.equal(isAboveBound("1.6", upperBoundOf(index.byName.get("limit")!, "limit")), true);
  assert.equal(isAboveBound("1.4", upperBoundOf(index.byName.get("last")!, "last")), false);
});
