/**
 * `slipway status --site DIR` end to end: the document, the page and the badges written into a
 * site directory from a real scan (a git project with a vulnerable pin and the committed
 * jinja2/urllib3 advisories); the site's index.json is the document byte for byte, the history
 * feeds the next run, and a directory that is not a slipway site is refused before anything
 * (the site, the history) is written.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { ADVISORY_FIXTURES } from "../helpers/advisory-snapshot.ts";
import { runSlipway } from "../helpers/cli.ts";
import { makeRepo, scratch } from "../helpers/git-repo.ts";
import { statusSchemaErrors } from "../helpers/status-schema.ts";

const work = scratch("slipway-status-site-");
after(work.remove);
const env = {
  PATH: process.env["PATH"],
  HOME: work.dir,
  SLIPWAY_CACHE_DIR: join(work.dir, "cache"),
  NO_COLOR: "1",
};

function project(): string {
  return makeRepo(work.dir, {
    "pyproject.toml": '[project]\nname = "demo"\nversion = "1.0"\ndependencies = ["jinja2"]\n',
    "requirements.txt": "jinja2==2.10\n",
    "src/demo/__init__.py": "VERSION = '1.0'\n",
  });
}

test("--site writes the page, the badges and index.json (the document, byte for byte); the history carries on", () => {
  const dir = project();
  const args = ["status", "--db", ADVISORY_FIXTURES, "--history", "history.jsonl"];
  const first = runSlipway(dir, [...args, "--site", "site", "--now", "2026-12-01T06:00:00Z"], env);
  assert.equal(first.code, 0, first.stderr);
  assert.match(
    first.stdout,
    /^slipway status: grade [A-F] .*wrote history\.jsonl \(1 documents\), the site site \(\d+ files\)\n$/,
  );
  for (const file of [
    "index.json",
    "index.html",
    "badge/security.json",
    "badge/security.svg",
    ".slipway-site.json",
  ])
    assert.ok(existsSync(join(dir, "site", file)), file);
  const index = readFileSync(join(dir, "site", "index.json"), "utf8");
  const doc = JSON.parse(index);
  assert.deepEqual(statusSchemaErrors([doc]), [[]]);
  assert.ok(doc.findings.some((f: { id: string }) => f.id === "PYSEC-2019-217"));
  // The same clock and inputs without --site: the same bytes as the site's index.json.
  const alone = runSlipway(dir, ["status", "--db", ADVISORY_FIXTURES, "--now", "2026-12-01T06:00:00Z"], env);
  assert.equal(alone.stdout, index);
  const html = readFileSync(join(dir, "site", "index.html"), "utf8");
  assert.match(html, /PYSEC-2019-217/);
  assert.ok(Buffer.byteLength(html) < 50 * 1024, `the page is ${Buffer.byteLength(html)} bytes`);
  const badge = JSON.parse(readFileSync(join(dir, "site", "badge", "security.json"), "utf8"));
  assert.equal(badge.schemaVersion, 1);

  // A day later: the site is replaced, the history holds both, the finding keeps its first day.
  const second = runSlipway(dir, [...args, "--site", "site", "--now", "2026-12-02T06:00:00Z"], env);
  assert.equal(second.code, 0, second.stderr);
  assert.equal(readFileSync(join(dir, "history.jsonl"), "utf8").trim().split("\n").length, 2);
  const next = JSON.parse(readFileSync(join(dir, "site", "index.json"), "utf8"));
  const jinja = next.findings.find((f: { id: string }) => f.id === "PYSEC-2019-217");
  assert.equal(jinja.firstSeen, "2026-12-01");
});

test("a site directory holding someone else's files is refused, and nothing is written", () => {
  const dir = project();
  mkdirSync(join(dir, "docs-site"));
  writeFileSync(join(dir, "docs-site", "index.html"), "<p>the project's own page</p>\n");
  const r = runSlipway(
    dir,
    ["status", "--db", ADVISORY_FIXTURES, "--history", "history.jsonl", "--site", "docs-site"],
    env,
  );
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /docs-site/);
  assert.equal(readFileSync(join(dir, "docs-site", "index.html"), "utf8"), "<p>the project's own page</p>\n");
  assert.equal(existsSync(join(dir, "history.jsonl")), false, "the history was not written either");
});
