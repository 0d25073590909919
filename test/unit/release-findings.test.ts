/**
 * The release's compact finding lines, from findings as `check` reports them for a README with a
 * dark-mode logo and a local version (messages as the checks write them, files named as the
 * release's check step names them: project-relative paths and artifact filenames).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Finding } from "../../src/core/findings.ts";
import { assembleFindingLines, renderFindingLine } from "../../src/core/release/findings.ts";
import { REQUESTS_KEYS, requestsKeyFindings } from "../helpers/secret-findings.ts";

const WHEEL = "demo-1.0+g1a2b3c4-py3-none-any.whl";
const SDIST = "demo-1.0+g1a2b3c4.tar.gz";
const sanitized = "<source> is removed by PyPI's HTML sanitizer";

const findings: Finding[] = [
  {
    id: "FN08",
    severity: "error",
    message: `${WHEEL}: version "1.0+g1a2b3c4" has a local segment, which PyPI refuses`,
    hint: "Release under a public version.",
    location: { file: WHEEL },
  },
  {
    id: "DESC08",
    severity: "warning",
    message: `${SDIST} demo-1.0+g1a2b3c4/PKG-INFO Description line 2: ${sanitized}`,
    hint: "Remove the HTML or write it in Markdown.",
    location: { file: SDIST, member: "demo-1.0+g1a2b3c4/PKG-INFO", field: "Description", line: 37 },
  },
  {
    id: "DESC08",
    severity: "warning",
    message: `README.md line 2: ${sanitized}`,
    hint: "Remove the HTML or write it in Markdown.",
    location: { file: "README.md", line: 2 },
  },
  {
    id: "DESC08",
    severity: "warning",
    message: `${WHEEL} demo-1.0+g1a2b3c4.dist-info/METADATA Description line 2: ${sanitized}`,
    hint: "Remove the HTML or write it in Markdown.",
    location: { file: WHEEL, member: "demo-1.0+g1a2b3c4.dist-info/METADATA", field: "Description", line: 37 },
  },
  {
    id: "FN08",
    severity: "error",
    message: `${SDIST}: version "1.0+g1a2b3c4" has a local segment, which PyPI refuses`,
    hint: "Release under a public version.",
    location: { file: SDIST },
  },
  {
    id: "REC03",
    severity: "warning",
    message: "RECORD lists demo/missing.py, which the wheel does not contain",
    hint: "Rebuild the wheel.",
    location: { file: WHEEL, member: "demo-1.0+g1a2b3c4.dist-info/RECORD" },
  },
];

test("one line per problem, every place it was found, errors first", () => {
  assert.deepEqual(assembleFindingLines(findings).map(renderFindingLine), [
    `error FN08 version "1.0+g1a2b3c4" has a local segment, which PyPI refuses (${WHEEL}, ${SDIST})`,
    `warning DESC08 ${sanitized} (README.md:2, ${WHEEL}, ${SDIST})`,
    // A message that does not start with its file keeps its words, and the member is the place.
    `warning REC03 RECORD lists demo/missing.py, which the wheel does not contain (${WHEEL} demo-1.0+g1a2b3c4.dist-info/RECORD)`,
  ]);
});

test("the order does not depend on which archive the check finished first", () => {
  const lines = assembleFindingLines(findings);
  assert.deepEqual(assembleFindingLines([...findings].reverse()), lines);
  assert.equal(lines[1]!.hint, "Remove the HTML or write it in Markdown.");
});

test("the same words about different problems stay apart", () => {
  const two = assembleFindingLines([
    findings[0]!,
    { ...findings[0]!, id: "FN04", message: `${WHEEL}: version part "1.0+g1a2b3c4" is not normalized` },
  ]);
  assert.equal(two.length, 2);
});

test("requests' test keys: one line per thing to act on, the members as places", () => {
  const sdist = "requests-2.34.2.tar.gz";
  const lines = assembleFindingLines(requestsKeyFindings(sdist)).map(renderFindingLine);
  assert.deepEqual(lines, [
    `warning SEC08 looks like a key file in test or documentation material (tests/) (${REQUESTS_KEYS.map((k) => `${sdist} ${k}`).join(", ")})`,
    `warning SEC09 looks like a private key (----…) in test or documentation material (tests/) (${REQUESTS_KEYS.map((k) => `${sdist} ${k} line 1`).join(", ")})`,
  ]);
});
