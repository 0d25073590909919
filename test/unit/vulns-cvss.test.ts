/** CVSS 3.x base scores against the vector → score pairs of FIRST's CVSS v3.1 examples document. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { cvss3BaseScore, levelOfScore, levelOfWord, roundUp } from "../../src/core/vulns/cvss.ts";

const KNOWN: [string, number][] = [
  // CVE-2014-0160 (Heartbleed)
  ["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 7.5],
  // CVE-2014-6271 (Shellshock)
  ["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8],
  // CVE-2013-1937 (phpMyAdmin reflected XSS): scope changed
  ["CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1],
  // CVE-2015-1098 (iWork denial of service)
  ["CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", 7.8],
  // CVE-2013-0375 (MySQL stored SQL injection): scope changed, PR:L
  ["CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N", 6.4],
  // CVE-2012-1516 (VMware guest to host escape)
  ["CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H", 9.9],
  // CVE-2016-1645 (Chrome PDFium)
  ["CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", 8.8],
  // CVE-2014-3566 (POODLE)
  ["CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N", 3.1],
  // CVE-2013-6014 (Juniper proxy ARP)
  ["CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:C/C:H/I:N/A:H", 9.3],
  ["CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10],
  ["CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N", 1.6],
  ["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0],
  // temporal metrics are accepted and leave the base score alone
  ["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O/RC:C", 9.8],
];

test("known vectors give the specification's base scores", () => {
  for (const [vector, score] of KNOWN) {
    const got = cvss3BaseScore(vector);
    assert.deepEqual(got, { ok: true, value: score }, vector);
  }
});

test("roundUp is the specification's floating-point-safe ceiling to one decimal", () => {
  assert.equal(roundUp(4.000000001), 4.0);
  assert.equal(roundUp(4.02), 4.1);
  assert.equal(roundUp(4.0), 4.0);
  assert.equal(roundUp(7.3500000000000005), 7.4);
});

test("malformed vectors are errors, not scores", () => {
  for (const bad of [
    "",
    "CVSS:2.0/AV:N",
    "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
    "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H",
    "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
    "CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
    "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/ZZ:1",
    "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
  ]) {
    assert.equal(cvss3BaseScore(bad).ok, false, bad);
  }
});

test("levels follow the v3.1 qualitative scale; database words map onto them", () => {
  assert.deepEqual([0, 3.9, 4, 6.9, 7, 8.9, 9, 10].map(levelOfScore), [
    "low",
    "low",
    "moderate",
    "moderate",
    "high",
    "high",
    "critical",
    "critical",
  ]);
  assert.deepEqual(["MODERATE", "Medium", "HIGH", "low", "CRITICAL", "weird", undefined].map(levelOfWord), [
    "moderate",
    "moderate",
    "high",
    "low",
    "critical",
    "unknown",
    "unknown",
  ]);
});
