#!/usr/bin/env node
// Refreshes the action pin table (src/core/ci/action-pins.ts) from the GitHub API: for each
// action, the newest release tag of the same major version (or of any, with --major), resolved
// to the commit it points at (annotated tags peeled), written as `sha` + `version`. Run by a
// maintainer with network access (GITHUB_TOKEN raises the rate limit); review the diff, then run
// the tests (they lint every generated workflow with these pins).
//
//   node scripts/update-action-pins.mjs [--major] [--dry-run]
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const FILE = join(dirname(fileURLToPath(import.meta.url)), "..", "src", "core", "ci", "action-pins.ts");
const API = process.env.GITHUB_API_URL ?? "https://api.github.com";
const args = new Set(process.argv.slice(2));
const headers = {
  accept: "application/vnd.github+json",
  "x-github-api-version": "2022-11-28",
  ...(process.env.GITHUB_TOKEN ? { authorization: `Bearer ${process.env.GITHUB_TOKEN}` } : {}),
};

async function get(path) {
  const response = await fetch(`${API}${path}`, { headers, signal: AbortSignal.timeout(30_000) });
  if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

const semver = (tag) => /^v(\d+)\.(\d+)\.(\d+)$/.exec(tag)?.slice(1).map(Number);
const newer = (a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

/** The newest vX.Y.Z tag (same major as `current` unless --major) and its peeled commit. */
async function latest(repo, current) {
  const major = semver(current)?.[0];
  let best;
  for (let page = 1; page <= 10; page++) {
    const tags = await get(`/repos/${repo}/tags?per_page=100&page=${page}`);
    for (const tag of tags) {
      const v = semver(tag.name);
      if (v === undefined || (!args.has("--major") && v[0] !== major)) continue;
      if (best === undefined || newer(v, best.v) > 0) best = { v, name: tag.name };
    }
    if (tags.length < 100) break;
  }
  if (best === undefined) throw new Error(`${repo}: no release tag like ${current}`);
  let object = (await get(`/repos/${repo}/git/ref/tags/${best.name}`)).object;
  // An annotated tag points at a tag object; the pin is the commit under it.
  while (object.type === "tag") object = (await get(`/repos/${repo}/git/tags/${object.sha}`)).object;
  if (object.type !== "commit" || !/^[0-9a-f]{40}$/.test(object.sha))
    throw new Error(`${repo} ${best.name}: not a commit`);
  return { sha: object.sha, version: best.name };
}

const text = readFileSync(FILE, "utf8");
const begin = text.indexOf("// BEGIN PINS");
const end = text.indexOf("// END PINS");
if (begin < 0 || end < begin) throw new Error(`${FILE}: the BEGIN/END PINS markers are missing`);
// Each entry's three fields in this order, however the formatter wraps them.
const ENTRY = /uses: "([^"]+)",(\s*)sha: "([0-9a-f]{40})",(\s*)version: "([^"]+)"/g;
let block = text.slice(begin, end);
const changes = [];
for (const m of [...block.matchAll(ENTRY)]) {
  const [whole, uses, gap1, sha, gap2, version] = m;
  const repo = uses.split("/").slice(0, 2).join("/");
  const next = await latest(repo, version);
  if (next.sha !== sha || next.version !== version) {
    changes.push(`${uses}: ${version} ${sha.slice(0, 12)} → ${next.version} ${next.sha.slice(0, 12)}`);
    block = block.replace(
      whole,
      `uses: "${uses}",${gap1}sha: "${next.sha}",${gap2}version: "${next.version}"`,
    );
  }
}
for (const change of changes) console.log(change);
if (changes.length === 0) console.log("every pin is current");
else if (!args.has("--dry-run")) {
  const temp = `${FILE}.tmp-${process.pid}`;
  writeFileSync(temp, text.slice(0, begin) + block + text.slice(end));
  renameSync(temp, FILE);
  console.log(`wrote ${FILE}; run the tests (test/unit/ci-lint.test.ts) before committing`);
}
