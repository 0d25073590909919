/** OSV records parsed as hostile input, and matched to pins: ranges, versions lists, withdrawn, aliases, severity. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseVersion } from "../../src/core/pep440/version.ts";
import {
  findVulnerabilities,
  fixHint,
  indexAdvisories,
  rangeAffects,
  type VulnFinding,
} from "../../src/core/vulns/match.ts";
import { compactRecord, type OsvRecord, osvRecordFrom } from "../../src/core/vulns/osv.ts";
import { parseOsvRecord } from "../../src/core/vulns/osv-yaml.ts";

const PYSEC_YAML = `id: PYSEC-2021-66
details: This affects the package jinja2 from 0.0.0 and before 2.11.3.
  More text.
affected:
- package:
    name: Jinja2
    ecosystem: PyPI
    purl: pkg:pypi/jinja2
  ranges:
  - type: GIT
    repo: https://github.com/pallets/jinja
    events:
    - introduced: '0'
    - fixed: ab81fd9c277900c85da0c322a2ff9d68a235b2e6
  - type: ECOSYSTEM
    events:
    - introduced: '0'
    - fixed: 2.11.3
  versions:
  - '2.10'
  - 2.11.2
aliases:
- CVE-2020-28493
- GHSA-g3rq-g295-4j3m
modified: '2021-03-22T16:34:00Z'
published: '2021-02-01T20:15:00Z'
`;

function record(value: unknown): OsvRecord {
  const parsed = osvRecordFrom(value);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

function eco(...events: Record<string, string>[]) {
  return { type: "ECOSYSTEM", events };
}

function advisory(id: string, ranges: unknown[], extra: Record<string, unknown> = {}, versions?: string[]) {
  return record({
    id,
    modified: "2024-01-01T00:00:00Z",
    affected: [{ package: { ecosystem: "PyPI", name: "demo-pkg" }, ranges, ...(versions && { versions }) }],
    ...extra,
  });
}

function ids(findings: VulnFinding[]): string[] {
  return findings.map((f) => f.id);
}

test("a PyPA YAML record parses: name normalized, GIT range kept but typed, summary from details", () => {
  const parsed = parseOsvRecord(PYSEC_YAML, "yaml");
  assert.ok(parsed.ok, !parsed.ok ? parsed.error : "");
  const r = parsed.value;
  assert.equal(r.id, "PYSEC-2021-66");
  assert.deepEqual(r.aliases, ["CVE-2020-28493", "GHSA-g3rq-g295-4j3m"]);
  assert.equal(r.summary, "This affects the package jinja2 from 0.0.0 and before 2.11.3. More text.");
  assert.equal(r.affected[0]!.name, "jinja2");
  assert.deepEqual(
    r.affected[0]!.ranges.map((range) => range.type),
    ["GIT", "ECOSYSTEM"],
  );
  assert.deepEqual(r.affected[0]!.versions, ["2.10", "2.11.2"]);
  // The same record as OSV JSON parses to the same shape, and the compact form round-trips.
  const json = parseOsvRecord(JSON.stringify(compactRecord(r)), "json");
  assert.deepEqual(json, { ok: true, value: r });
});

test("damaged records are errors naming the field, never throws", () => {
  const cases: [string, "yaml" | "json", RegExp][] = [
    ["id: [unterminated", "yaml", /not valid YAML/],
    ["{", "json", /not valid JSON/],
    ["- a\n- b\n", "yaml", /not a mapping/],
    ["modified: x\n", "yaml", /id is missing/],
    ["id: X-1\n", "yaml", /modified is missing/],
    ["id: X-1\nmodified: x\nschema_version: 2.0.0\n", "yaml", /not 1\.x/],
    ["id: X-1\nmodified: x\naffected: nope\n", "yaml", /affected is not a list/],
    ["id: X-1\nmodified: x\naffected:\n- package: {name: a}\n", "yaml", /affected\[0\]\.package/],
    [
      "id: X-1\nmodified: x\naffected:\n- package: {name: a, ecosystem: PyPI}\n  ranges:\n  - type: ECOSYSTEM\n    events:\n    - fixed: '1'\n",
      "yaml",
      /no introduced event/,
    ],
    [
      "id: X-1\nmodified: x\naffected:\n- package: {name: a, ecosystem: PyPI}\n  ranges:\n  - type: ECOSYSTEM\n    events:\n    - {introduced: '0', fixed: '1'}\n",
      "yaml",
      /exactly one of/,
    ],
    ["id: X-1\nmodified: x\naliases: [1, {a: b}]\n", "yaml", /aliases\[1\]/],
    ["id: X-1\nid: X-2\nmodified: x\n", "yaml", /not valid YAML/],
    ['{"id": "X-1", "modified": "x", "severity": [{"type": "CVSS_V3"}]}', "json", /severity\[0\]/],
    // "billion laughs": alias expansion is bounded
    [
      `a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n`,
      "yaml",
      /not valid YAML/,
    ],
  ];
  for (const [text, format, error] of cases) {
    const parsed = parseOsvRecord(text, format);
    assert.equal(parsed.ok, false, text);
    assert.match(!parsed.ok ? parsed.error : "", error, text);
  }
});

test("ranges follow OSV's evaluation with PEP 440 order", () => {
  const v = (text: string) => parseVersion(text)!;
  const r = (...events: Record<string, string>[]) =>
    record({
      id: "X",
      modified: "m",
      affected: [{ package: { ecosystem: "PyPI", name: "a" }, ranges: [eco(...events)] }],
    }).affected[0]!.ranges[0]!;
  const fixed = r({ introduced: "1.0" }, { fixed: "1.2.3" });
  assert.deepEqual(
    ["0.9", "1.0rc1", "1.0", "1.2.3rc1", "1.2.3.dev0", "1.2.3", "1.2.3.post1", "1.10"].map((t) =>
      rangeAffects(fixed, v(t)),
    ),
    [false, false, true, true, true, false, false, false],
  );
  const last = r({ introduced: "0" }, { last_affected: "2.0" });
  assert.deepEqual(
    ["0.0.1", "2.0", "2.0.0", "2.0.post1", "2.0.1"].map((t) => rangeAffects(last, v(t))),
    [true, true, true, false, false],
  );
  // Several windows in one range, in any order of events.
  const windows = r({ fixed: "1.5" }, { introduced: "2.0" }, { introduced: "1.0" }, { fixed: "2.1" });
  assert.deepEqual(
    ["0.5", "1.0", "1.4", "1.5", "1.9", "2.0", "2.0.9", "2.1"].map((t) => rangeAffects(windows, v(t))),
    [false, true, true, false, false, true, true, false],
  );
  const open = r({ introduced: "3" });
  assert.deepEqual(
    ["2.9", "3", "99"].map((t) => rangeAffects(open, v(t))),
    [false, true, true],
  );
  const limited = r({ introduced: "0" }, { limit: "5" });
  assert.deepEqual(
    ["4.9", "5", "6"].map((t) => rangeAffects(limited, v(t))),
    [true, false, false],
  );
});

test("findings: versions lists, other packages and range types ignored, unparseable pins", () => {
  const index = indexAdvisories([
    advisory("PYSEC-1", [eco({ introduced: "0" }, { fixed: "1.0" })]),
    advisory("PYSEC-2", [{ type: "GIT", repo: "r", events: [{ introduced: "0" }, { fixed: "abc" }] }], {}, [
      "2.0",
      "weird-1",
    ]),
    advisory("PYSEC-3", [{ type: "SEMVER", events: [{ introduced: "0" }] }]),
  ]);
  assert.deepEqual(ids(findVulnerabilities(index, "Demo_Pkg", "0.9")), ["PYSEC-1"]);
  assert.deepEqual(ids(findVulnerabilities(index, "demo.pkg", "2.0.0")), ["PYSEC-2"]);
  assert.deepEqual(ids(findVulnerabilities(index, "demo-pkg", "weird-1")), ["PYSEC-2"]);
  assert.deepEqual(ids(findVulnerabilities(index, "demo-pkg", "1.0")), []);
  assert.deepEqual(ids(findVulnerabilities(index, "other", "0.1")), []);
});

test("withdrawn records never match; aliased records merge into one finding with every id", () => {
  const index = indexAdvisories([
    advisory("PYSEC-2024-9", [eco({ introduced: "0" }, { fixed: "3.1.6" })], { aliases: ["CVE-2025-27516"] }),
    advisory(
      "GHSA-cpwx-vrp4-4pq7",
      [eco({ introduced: "3.0.0" }, { fixed: "3.1.5" }, { introduced: "3.1.5" }, { fixed: "3.1.6" })],
      {
        aliases: ["CVE-2025-27516"],
        database_specific: { severity: "MODERATE" },
      },
    ),
    advisory("GHSA-old-withdrawn", [eco({ introduced: "0" })], { withdrawn: "2024-02-02T00:00:00Z" }),
    advisory("PYSEC-2020-1", [
      eco({ introduced: "0" }, { fixed: "2.0" }, { introduced: "2.5" }, { fixed: "3.2" }),
    ]),
  ]);
  const found = findVulnerabilities(index, "demo-pkg", "3.1.4");
  assert.deepEqual(ids(found), ["PYSEC-2020-1", "PYSEC-2024-9"]);
  const merged = found[1]!;
  assert.deepEqual(merged.ids, ["CVE-2025-27516", "GHSA-cpwx-vrp4-4pq7", "PYSEC-2024-9"]);
  assert.deepEqual(merged.fixed, ["3.1.5", "3.1.6"]);
  assert.equal(merged.fixedIn, "3.1.5");
  assert.equal(merged.severity.level, "moderate");
  assert.equal(fixHint(merged), "upgrade demo-pkg to 3.1.5 or later");
  // The fix named is above the pin, not the lowest fixed version overall.
  assert.equal(found[0]!.fixedIn, "3.2");
  assert.deepEqual(found[0]!.fixed, ["2.0", "3.2"]);
  // An alias chain joins records that share no id directly: A~C, B~C.
  const chain = indexAdvisories([
    advisory("PYSEC-A", [eco({ introduced: "0" })], { aliases: ["CVE-C"] }),
    advisory("GHSA-B", [eco({ introduced: "0" })], { aliases: ["OSV-D"] }),
    advisory("OSV-D", [eco({ introduced: "0" })], { aliases: ["CVE-C"] }),
  ]);
  const one = findVulnerabilities(chain, "demo-pkg", "1");
  assert.deepEqual(
    one.map((f) => f.ids),
    [["CVE-C", "GHSA-B", "OSV-D", "PYSEC-A"]],
  );
  assert.match(fixHint(one[0]!), /no fixed version of demo-pkg is known/);
});

test("severity: a CVSS v3 vector is scored; v4 without a score falls back to the database word, else unknown", () => {
  const v3 = { type: "CVSS_V3", score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" };
  const v4 = { type: "CVSS_V4", score: "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N" };
  const index = indexAdvisories([
    advisory("GHSA-3", [eco({ introduced: "0" })], {
      severity: [v3],
      database_specific: { severity: "LOW" },
    }),
    advisory("GHSA-4", [eco({ introduced: "0" })], {
      severity: [v4],
      database_specific: { severity: "HIGH" },
    }),
    advisory("GHSA-5", [eco({ introduced: "0" })], { severity: [v4] }),
  ]);
  const found = findVulnerabilities(index, "demo-pkg", "1.0");
  assert.deepEqual(
    found.map((f) => [f.id, f.severity]),
    [
      ["GHSA-3", { level: "critical", score: 9.8, vector: v3.score }],
      ["GHSA-4", { level: "high" }],
      ["GHSA-5", { level: "unknown" }],
    ],
  );
});
