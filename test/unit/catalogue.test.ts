/**
 * The check catalogue as a whole: every ID of the checklist sections slipway promises exists once,
 * each has the text docs/checks.md is made of, each is exercised by a test named after it, and the
 * committed docs page is the one the catalogue generates.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { renderChecksPage } from "../../scripts/gen-docs.ts";
import { ALL_CHECKS } from "../../src/core/checks/registry.ts";

// The sections of the validation checklist (shared reference, validation.md) and their sizes.
const REQUIRED: Record<string, number> = {
  ART: 12,
  FN: 11,
  MD: 27,
  DESC: 9,
  LIC: 10,
  WHL: 15,
  REC: 9,
  EP: 10,
  SD: 6,
  XA: 5,
  PP: 18,
  SEC: 13,
  TYP: 5,
  SUM: 4,
  DOC: 6,
  LINK: 4,
};

const required = Object.entries(REQUIRED).flatMap(([prefix, n]) =>
  Array.from({ length: n }, (_, i) => `${prefix}${String(i + 1).padStart(2, "0")}`),
);

test("every checklist ID is in the catalogue exactly once", () => {
  const ids = ALL_CHECKS.map((c) => c.id);
  assert.equal(new Set(ids).size, ids.length, "duplicate IDs");
  const missing = required.filter((id) => !ids.includes(id));
  assert.deepEqual(missing, []);
  const unknown = ids.filter((id) => !required.includes(id));
  assert.deepEqual(unknown, [], "IDs outside the checklist need a section here and in docs");
});

test("every catalogue entry has a severity and the texts the docs are made of", () => {
  for (const c of ALL_CHECKS) {
    assert.ok(c.severity === "error" || c.severity === "warning", c.id);
    for (const key of ["title", "why", "fix", "source"] as const) {
      assert.ok(c[key].trim().length >= 3, `${c.id}.${key} is empty`);
    }
  }
});

function testSources(dir: string): string {
  return readdirSync(dir, { withFileTypes: true })
    .map((e) =>
      e.isDirectory()
        ? testSources(join(dir, e.name))
        : e.name.endsWith(".ts")
          ? readFileSync(join(dir, e.name), "utf8")
          : "",
    )
    .join("\n");
}

test("every check ID is exercised by a test named after it", () => {
  const sources = testSources(fileURLToPath(new URL("..", import.meta.url)));
  const untested = ALL_CHECKS.map((c) => c.id).filter((id) => !new RegExp(`["'\`]${id}\\b`).test(sources));
  assert.deepEqual(untested, []);
});

test("docs/checks.md is generated from the catalogue (run `node scripts/gen-docs.ts`)", () => {
  const page = readFileSync(new URL("../../docs/checks.md", import.meta.url), "utf8");
  assert.equal(page, renderChecksPage(ALL_CHECKS));
});
