import assert from "node:assert/strict";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, test } from "node:test";
import { assembleStatusSite, SITE_MARKER } from "../../src/core/status/site.ts";
import { SlipwayError } from "../../src/errors.ts";
import { writeStatusSite } from "../../src/ops/status-site.ts";
import { sampleStatus } from "../helpers/status-sample.ts";

let work = "";
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), "slipway-site-write-"));
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

/** Every file under `dir`, relative, sorted. */
function tree(dir: string, prefix = ""): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true })
    .flatMap((entry) => {
      const rel = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
      return entry.isDirectory() ? tree(dir, rel) : [rel];
    })
    .sort();
}

test("writes every file into a new directory (parents created), and replaces its own site", async () => {
  const files = assembleStatusSite(sampleStatus(3));
  const result = await writeStatusSite({ dir: "out/site", cwd: work, files });
  const dir = join(work, "out", "site");
  assert.equal(result.dir, dir);
  assert.equal(result.written[0], SITE_MARKER);
  assert.deepEqual(tree(dir), [...files.keys()].sort());
  for (const [path, content] of files) assert.equal(readFileSync(join(dir, path), "utf8"), content);

  const next = assembleStatusSite(sampleStatus(0));
  await writeStatusSite({ dir: "out/site", cwd: work, files: next });
  for (const [path, content] of next) assert.equal(readFileSync(join(dir, path), "utf8"), content);
  assert.deepEqual(tree(dir), [...next.keys()].sort(), "no temp files left beside");
});

test("an empty directory, or one with only what a Pages branch keeps, is taken", async () => {
  const dir = join(work, "pages");
  mkdirSync(join(dir, ".git"), { recursive: true });
  writeFileSync(join(dir, ".nojekyll"), "");
  writeFileSync(join(dir, "CNAME"), "status.example.org\n");
  await writeStatusSite({ dir: "pages", cwd: work, files: assembleStatusSite(sampleStatus(1)) });
  assert.equal(readFileSync(join(dir, "CNAME"), "utf8"), "status.example.org\n");
  assert.ok(statSync(join(dir, "index.html")).isFile());
});

test("a directory holding someone else's files is refused, and nothing is written", async () => {
  const dir = join(work, "docs");
  mkdirSync(dir);
  writeFileSync(join(dir, "index.html"), "<p>my own page</p>");
  await assert.rejects(
    writeStatusSite({ dir: "docs", cwd: work, files: assembleStatusSite(sampleStatus(1)) }),
    (error: unknown) =>
      error instanceof SlipwayError &&
      error.code === "conflict" &&
      error.message === `--site docs holds files slipway did not write (no ${SITE_MARKER} in it)`,
  );
  assert.deepEqual(tree(dir), ["index.html"]);
  assert.equal(readFileSync(join(dir, "index.html"), "utf8"), "<p>my own page</p>");

  // A marker that is not slipway's (or a symlink to one) does not count.
  writeFileSync(join(dir, SITE_MARKER), "not json");
  await assert.rejects(
    writeStatusSite({ dir: "docs", cwd: work, files: assembleStatusSite(sampleStatus(1)) }),
    SlipwayError,
  );
  rmSync(join(dir, SITE_MARKER));
  writeFileSync(join(work, "elsewhere.json"), '{"generator":"slipway"}');
  symlinkSync(join(work, "elsewhere.json"), join(dir, SITE_MARKER));
  await assert.rejects(
    writeStatusSite({ dir: "docs", cwd: work, files: assembleStatusSite(sampleStatus(1)) }),
    SlipwayError,
  );
  assert.equal(readFileSync(join(dir, "index.html"), "utf8"), "<p>my own page</p>");
});

test("a file where the directory should be is a usage error", async () => {
  writeFileSync(join(work, "site"), "x");
  await assert.rejects(
    writeStatusSite({ dir: "site", cwd: work, files: assembleStatusSite(sampleStatus(1)) }),
    (error: unknown) =>
      error instanceof SlipwayError &&
      error.code === "usage" &&
      /--site site is not a directory/.test(error.message),
  );
});

test("paths that would leave DIR are refused before anything is written", async () => {
  const files = new Map([
    ["../escape.txt", "x"],
    ["index.html", "y"],
  ]);
  await assert.rejects(writeStatusSite({ dir: "site", cwd: work, files }), /would land outside --site site/);
  assert.deepEqual(readdirSync(work), []);
});

test("a failed write leaves the earlier files whole and no temp files behind", async () => {
  await writeStatusSite({ dir: "site", cwd: work, files: assembleStatusSite(sampleStatus(1)) });
  const dir = join(work, "site");
  const before = readFileSync(join(dir, "index.html"), "utf8");
  // A file where the badge directory was: the badge writes fail before index.html is reached.
  rmSync(join(dir, "badge"), { recursive: true });
  writeFileSync(join(dir, "badge"), "in the way");
  await assert.rejects(
    writeStatusSite({ dir: "site", cwd: work, files: assembleStatusSite(sampleStatus(5)) }),
  );
  assert.equal(readFileSync(join(dir, "index.html"), "utf8"), before);
  assert.deepEqual(tree(dir), [SITE_MARKER, "badge", "index.html", "index.json"]);
});
