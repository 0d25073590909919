/**
 * The `slipway publish` command itself, in a child process against the embedded index: JSON
 * lines, --password-stdin, the human summary, and exit codes 0, 1 and 2.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { type RunningIndex, startIndex } from "../../src/server/index-server.ts";
import { writeDists } from "../helpers/dists.ts";
import { runAsync } from "../helpers/run-async.ts";

const CLI = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "slipway-publish-cli-"));
let index: RunningIndex;
let dirs = 0;
const fresh = (name: string) => join(work, `${name}-${dirs++}`);
before(async () => {
  index = await startIndex({ root: join(work, "index") });
});
after(async () => {
  await index.close();
  rmSync(work, { recursive: true, force: true });
});

/** The CLI in a child process, asynchronously: the embedded index answers from this process. */
const cli = (args: string[], input = "") =>
  runAsync([process.execPath, CLI, "publish", ...args], {
    env: { PATH: process.env["PATH"], HOME: work, CI: "1" },
    cwd: work,
    input,
  });

test("the CLI: --json lines, --password-stdin, exit codes 0, 1 and 2", async () => {
  const dists = writeDists(fresh("cli"), { name: "slipway-pub-cli", version: "3.0" }).all;
  const base = [...dists, "--to", index.uploadUrl, "--check-url", index.simpleUrl, "--json"];
  const ok = await cli([...base, "--password-stdin"], `${index.token}\n`);
  assert.equal(ok.status, 0, ok.stderr);
  const lines = ok.stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(
    lines.map((l) => [l["type"], l["status"]]),
    [
      ["outcome", "uploaded"],
      ["outcome", "uploaded"],
      ["summary", undefined],
    ],
  );
  assert.equal(lines.at(-1)?.["ok"], true);
  const again = await cli(base);
  assert.equal(again.status, 0, "already there needs no credentials");
  const rebuilt = writeDists(fresh("cli2"), { name: "slipway-pub-cli", version: "3.0", salt: "x" }).all;
  const conflict = await cli([...rebuilt, ...base.slice(2)]);
  assert.equal(conflict.status, 1);
  assert.match(conflict.stdout, /"status":"conflict"/);
  const usage = await cli([...dists, "--to", "https://nowhere.example/legacy/"]);
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /no simple-API URL.*\nhint: Pass --check-url/);
  const human = await cli([...dists, "--to", index.uploadUrl, "--check-url", index.simpleUrl]);
  assert.equal(human.status, 0);
  assert.match(human.stdout, /already there {2}.*slipway_pub_cli-3\.0-py3-none-any\.whl/);
  assert.match(human.stdout, /2 already there: every file is on the index with its sha256/);
  assert.match(human.stderr, /exists-identical slipway_pub_cli-3\.0\.tar\.gz/);
});
