/**
 * Credentials are proven before anything changes, and the commit point is the first file the
 * target accepts: `slipway release` in a child process on a real repository (release-repo.ts),
 * with the embedded index as the target. A wrong token is refused at preflight in the index's
 * own words; an empty --password-stdin is a usage error; and when the target takes the
 * credential but refuses every file (as PyPI does for a token scoped to another project), the
 * release commit and tag are undone and HEAD is back where it was.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { git } from "../helpers/git-repo.ts";
import { jsonLines, reportOf } from "../helpers/json-lines.ts";
import { makeReleaseRepo, type ReleaseRepo, runRelease } from "../helpers/release-repo.ts";

const work = mkdtempSync(join(tmpdir(), "slipway-release-credentials-"));
const cache = join(work, "cache");
// The refused runs change nothing, so they share one repository.
let refused: ReleaseRepo;
before(async () => {
  refused = await makeReleaseRepo(work, { cache });
});
after(async () => {
  await refused.close();
  rmSync(work, { recursive: true, force: true });
});

/** What a release may change in git: HEAD, the tags, the remote, the work tree. */
const gitState = (r: ReleaseRepo) => ({
  head: git(r.project, "rev-parse", "HEAD"),
  tags: git(r.project, "tag", "--list"),
  remote: git(r.project, "ls-remote", "origin"),
  status: git(r.project, "status", "--porcelain", "--untracked-files=all"),
});

test("a wrong token is refused at preflight in the index's words: nothing is built, committed or tagged", async () => {
  const r = refused;
  const before = gitState(r);
  const run = await runRelease(r, [...r.args, "--yes"], { env: { TWINE_PASSWORD: "pypi-not-the-token" } });
  assert.equal(run.status, 1, run.stderr);
  assert.match(
    run.stdout,
    /error {3}http:\/\/127\.0\.0\.1:\d+\/legacy\/ refused the credentials \(user __token__, password from TWINE_PASSWORD\): the index answered 403 Invalid or non-existent authentication information: the token is not this index's token\./,
  );
  assert.match(run.stdout, /hint: The token was refused: check that it is complete/);
  assert.match(run.stdout, /release blocked before any change/);
  assert.deepEqual(gitState(r), before);
  assert.equal(existsSync(join(r.project, ".slipway", "dist")), false, "nothing was built");
  assert.deepEqual(r.uploads, []);
  assert.ok(!(run.stdout + run.stderr).includes("pypi-not-the-token"));

  // --json: the same refusal as data, no step started, and still no token in any line.
  const json = await runRelease(r, [...r.args, "--yes", "--json"], {
    env: { TWINE_PASSWORD: "pypi-not-the-token" },
  });
  assert.equal(json.status, 1, json.stderr);
  const events = jsonLines(json.stdout);
  assert.deepEqual(
    events.filter((e) => e.type.startsWith("step-")),
    [],
  );
  const report = reportOf(json.stdout);
  assert.equal(report.status, "blocked");
  const problem = report.problems.find((p: { id: string }) => p.id === "credentials");
  assert.match(problem.message, /refused the credentials \(user __token__, password from TWINE_PASSWORD\)/);
  assert.match(problem.hint, /The token was refused/);
  assert.ok(!(json.stdout + json.stderr).includes("pypi-not-the-token"));
  assert.deepEqual(gitState(r), before);
});

test("an empty --password-stdin is a usage error (exit 2)", async () => {
  const r = refused;
  const run = await runRelease(r, [...r.args, "--yes", "--password-stdin"]);
  assert.equal(run.status, 2, run.stderr);
  assert.match(run.stderr, /--password-stdin read an empty token from standard input/);
});

/**
 * A proxy in front of the target that lets everything through except uploads with a file,
 * which it refuses as PyPI refuses a token scoped to another project (authenticated, not
 * allowed): the credential probe (a small form with no file) passes, every upload fails.
 */
async function scopedTokenProxy(upstream: string): Promise<Server & { url: string }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      if (req.method === "POST" && body.includes('name="content"')) {
        res
          .writeHead(403, "The given token isn't allowed to upload to project 'slipway-demo-lib'.")
          .end("The given token isn't allowed to upload to project 'slipway-demo-lib'.");
        return;
      }
      const out = request(new URL(req.url ?? "/", upstream), { method: req.method, headers: req.headers });
      out.on("response", (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.headers);
        answer.pipe(res);
      });
      out.on("error", () => res.destroy());
      out.end(body);
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return Object.assign(server, { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` });
}

test("every file refused before one was accepted: the commit and tag are undone, HEAD is back", async () => {
  const r = await makeReleaseRepo(work, { cache });
  const proxy = await scopedTokenProxy(r.target.url);
  try {
    const before = gitState(r);
    const args = r.args.map((a) =>
      a === r.target.uploadUrl ? `${proxy.url}legacy/` : a === r.target.simpleUrl ? `${proxy.url}simple/` : a,
    );
    const run = await runRelease(r, [...args, "--yes", "--json"]);
    assert.equal(run.status, 1, `${run.stderr}\n${run.stdout}`);
    const events = jsonLines(run.stdout);
    const at = (type: string) => events.filter((e) => e.type === type).map((e) => e["step"]);
    // The release got as far as the commit and tag, then the target refused every file.
    assert.ok(at("step-done").includes("commit-tag"), run.stdout);
    const failed = events.find((e) => e.type === "step-failed");
    assert.equal(failed?.["step"], "publish");
    assert.match(
      String((failed?.["error"] as { message: string } | undefined)?.message),
      /isn't allowed to upload to project 'slipway-demo-lib'/,
    );
    // The checkpoint had pushed the state refs: undone too (the ls-remote below compares them).
    const undone = ["checkpoint", "commit-tag", "verify", "stage", "check", "build", "edit"];
    assert.deepEqual(at("step-undone"), undone);
    const report = reportOf(run.stdout);
    assert.equal(report.status, "failed");
    assert.equal(report.failed.step, "publish");
    assert.deepEqual(report.undone, undone);
    assert.match(report.next, /^nothing was published and the rest was undone/);
    assert.deepEqual(gitState(r), before, "HEAD, the tags, the remote and the tree are as they were");
    assert.equal(git(r.project, "tag", "--list", "v0.1.1"), "");
    assert.equal(existsSync(join(r.project, ".slipway", "release.json")), false, "nothing to resume");
    assert.deepEqual(r.uploads, [], "the target holds nothing");
  } finally {
    proxy.closeAllConnections();
    await new Promise<void>((done) => proxy.close(() => done()));
    await r.close();
  }
});
