/**
 * Hostile repositories for `slipway scan`: a 200 MB blob in the history (counted and skipped,
 * never read into memory), a binary blob with a token among its bytes (found), a history of
 * 100,000 commits made with `git fast-import` (each blob read once, in seconds), and symlink
 * loops in the work tree (listed, never followed: no hang).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { scan } from "../../src/ops/scan.ts";
import { runSlipway } from "../helpers/cli.ts";
import { git, makeRepo, scratch } from "../helpers/git-repo.ts";
import { scanSection } from "../helpers/scan-json.ts";

const work = scratch("slipway-scan-bad-");
after(work.remove);

const AWS = "AKIAQWERTYUIOPASDFGH";
const SLACK = "xoxb-1234567890123-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx";
const env = { PATH: process.env["PATH"], HOME: work.dir };

/** Stages the blob `id` at `path` without a work-tree file (no copy of it on disk). */
function stageBlob(dir: string, id: string, path: string): void {
  git(dir, "update-index", "--add", "--cacheinfo", `100644,${id},${path}`);
}

test("a 200 MB blob in the history is counted and skipped unread; a 5 MB binary with a token is scanned", async () => {
  const dir = makeRepo(work.dir, { "README.md": "# demo\n" });
  // A sparse file hashed by git: Node never holds its bytes.
  const huge = join(work.dir, "huge.bin");
  writeFileSync(huge, "");
  truncateSync(huge, 200 * 1024 * 1024);
  const hugeId = git(dir, "hash-object", "-w", "--", huge).trim();
  stageBlob(dir, hugeId, "data/huge.bin");
  // A binary under the bound, a token in its middle.
  const bin = Buffer.alloc(5 * 1024 * 1024, 0);
  bin.write(`\n${AWS}\n`, 2 * 1024 * 1024, "latin1");
  for (let i = 0; i < bin.length; i += 4099) bin[i] = i & 0xff;
  writeFileSync(join(dir, "model.bin"), bin);
  git(dir, "add", "model.bin");
  git(dir, "commit", "-q", "-m", "data");
  git(dir, "rm", "-q", "--cached", "data/huge.bin");
  git(dir, "commit", "-q", "-m", "drop the data");

  const before = process.resourceUsage().maxRSS;
  const report = await scan({ root: dir, env, source: { kind: "history", refs: [] } });
  const grown = (process.resourceUsage().maxRSS - before) / 1024;
  assert.equal(report.history?.skipped, 1, "the huge blob is skipped");
  assert.ok(report.history!.bytes < 6 * 1024 * 1024, `read ${report.history!.bytes} bytes`);
  assert.deepEqual(
    report.findings.map((f) => `${f.id} ${f.location.file}`),
    ["aws-access-token model.bin"],
  );
  assert.ok(grown < 120, `peak RSS grew by ${grown.toFixed(0)} MB`);
  const cli = runSlipway(dir, ["scan", "--history", "--json"], env);
  assert.equal(cli.code, 1, cli.stderr);
  assert.deepEqual(scanSection(cli.stdout).history.skipped, 1);
});

test("100,000 commits made by git fast-import: every blob once, the planted token found with its commit", (t) => {
  const dir = join(work.dir, "long");
  mkdirSync(dir);
  git(dir, "init", "-q", "-b", "main");
  const n = 100_000;
  const planted = 50_000;
  const who = "Slipway Tests <tests@slipway.dev>";
  const parts: string[] = [];
  for (let i = 1; i <= n; i++) {
    const body =
      i === planted ? `SLACK = "${SLACK}"\n` : `def f_${i}(x):\n    return x * ${i} + ${(i * 7) % 1000}\n`;
    const message = `commit ${i}`;
    parts.push(
      `commit refs/heads/main\nmark :${i}\ncommitter ${who} ${1_700_000_000 + i} +0000\ndata ${message.length}\n${message}\n`,
      i > 1 ? `from :${i - 1}\n` : "",
      `M 100644 inline src/pkg/m${i % 200}.py\ndata ${Buffer.byteLength(body)}\n${body}\n`,
    );
  }
  let started = performance.now();
  execFileSync("git", ["fast-import", "--quiet"], {
    cwd: dir,
    input: parts.join(""),
    stdio: ["pipe", "ignore", "pipe"],
  });
  t.diagnostic(`fast-import: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const plantedCommit = git(dir, "rev-parse", `main~${n - planted}`).trim();

  started = performance.now();
  const r = runSlipway(dir, ["scan", "--history", "--json"], env);
  const seconds = (performance.now() - started) / 1000;
  t.diagnostic(`scan of ${n} commits: ${seconds.toFixed(1)} s`);
  assert.equal(r.code, 1, r.stderr);
  const doc = scanSection(r.stdout);
  assert.equal(doc.history.commits, n);
  assert.equal(doc.history.blobs, n, "each blob once");
  assert.equal(doc.findings.length, 1);
  assert.equal(doc.findings[0].location.file, `src/pkg/m${planted % 200}.py`);
  assert.equal(doc.findings[0].location.commit, plantedCommit);
  assert.equal(doc.findings[0].location.line, 1);
  // The range of the last thousand commits does not hold it.
  const recent = runSlipway(dir, ["scan", "--since", "main~1000", "--json"], env);
  assert.equal(recent.code, 0, recent.stderr);
  assert.equal(scanSection(recent.stdout).history.commits, 1000);
});

test("symlink loops in the work tree are listed, never followed: the scan ends, in and outside git", {
  timeout: 30_000,
}, async () => {
  const dir = makeRepo(work.dir, { "src/app.py": `KEY = "${AWS}"\n` });
  symlinkSync("self", join(dir, "self"));
  symlinkSync("b", join(dir, "a"));
  symlinkSync("a", join(dir, "b"));
  symlinkSync("..", join(dir, "src", "up"));
  symlinkSync(".", join(dir, "here"));
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "-m", "links");
  const tree = await scan({ root: dir, env });
  assert.deepEqual(
    tree.findings.map((f) => f.location.file),
    ["src/app.py"],
  );
  assert.equal(tree.files.skipped, 5, "the five links are skipped");
  // In the history a link is a blob holding its target's name: scanned as text, not followed.
  const history = await scan({ root: dir, env, source: { kind: "history", refs: [] } });
  assert.equal(history.history?.blobs, 6);
  assert.equal(history.findings.length, 1);
  execFileSync("rm", ["-rf", join(dir, ".git")]);
  const walked = await scan({ root: dir, env });
  assert.deepEqual(
    walked.findings.map((f) => f.location.file),
    ["src/app.py"],
  );
});
