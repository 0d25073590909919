/**
 * The `slipway publish` command itself, in a child process against the embedded index: JSON
 * lines, --password-stdin (an empty one is a usage error), the human summary, exit codes 0, 1
 * and 2, and --verbose (every request, retry and the credential proof; never a credential).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { type RunningIndex, startIndex } from "../../src/server/index-server.ts";
import { writeDists } from "../helpers/dists.ts";
import { type Fault, startFaultProxy } from "../helpers/fault-proxy.ts";
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
  // NDJSON: the events as the work goes (no byte counts; requests and the proof need --verbose),
  // then the report.
  assert.deepEqual(
    lines.slice(0, 2).map((l) => l["type"]),
    ["target", "checked"],
  );
  assert.deepEqual(
    lines
      .slice(2, -1)
      .map((l) => l["type"])
      .sort(),
    ["file-done", "file-done", "file-start", "file-start"],
  );
  const done = lines
    .filter((l) => l["type"] === "file-done")
    .map((l) => l["outcome"] as Record<string, unknown>);
  assert.deepEqual(
    done.map((o) => o["status"]),
    ["uploaded", "uploaded"],
  );
  const report = lines.at(-1) as Record<string, unknown>;
  assert.equal(report["type"], "report");
  assert.equal(report["ok"], true);
  assert.deepEqual(report["outcomes"], done, "the report holds the outcomes the events told");
  assert.deepEqual((report["summary"] as { counts: Record<string, number> }).counts["uploaded"], 2);
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

test("--json when the checks refuse the batch: the events, then a report with the findings; nothing sent", async () => {
  const dists = writeDists(fresh("refused"), {
    name: "slipway-pub-refused",
    version: "1",
    badRecord: true,
  }).all;
  const run = await cli([...dists, "--to", index.uploadUrl, "--check-url", index.simpleUrl, "--json"]);
  assert.equal(run.status, 1, run.stderr);
  const lines = run.stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(
    lines.map((l) => l["type"]),
    ["target", "warning", "checked", "report"],
  );
  assert.equal(lines[1]?.["kind"], "no-credentials");
  assert.ok((lines[2]?.["errors"] as number) > 0);
  const report = lines[3] as {
    ok: boolean;
    check: { ok: boolean; findings: { id: string }[] };
    outcomes: [];
  };
  assert.equal(report.ok, false);
  assert.equal(report.check.ok, false);
  assert.ok(
    report.check.findings.some((f) => f.id.startsWith("REC")),
    JSON.stringify(report.check.findings),
  );
  assert.deepEqual(report.outcomes, []);
  assert.match(run.stderr, /the checks found errors, so nothing was sent/);
  assert.match(run.stderr, /warning: no password or token found for .*: uploading without credentials/);
});

test("an empty --password-stdin is a usage error, before anything is read or sent", async () => {
  const dists = writeDists(fresh("empty"), { name: "slipway-pub-empty", version: "1" }).all;
  for (const input of ["", "\n", "  \r\n"]) {
    const run = await cli(
      [...dists, "--to", index.uploadUrl, "--check-url", index.simpleUrl, "--password-stdin"],
      input,
    );
    assert.equal(run.status, 2, JSON.stringify(input));
    assert.match(
      run.stderr,
      /--password-stdin read an empty token from standard input\nhint: Check that the variable/,
    );
  }
  const page = await fetch(`${index.simpleUrl}slipway-pub-empty/`);
  assert.equal(page.status, 404, "nothing was sent");
});

test("--verbose: each request with its status, bytes and time, each retry with its reason and wait; no credential", async () => {
  // The first page read fails (500) and the first upload is rate-limited (429, Retry-After: 0).
  const seen = new Map<string, number>();
  const proxy = await startFaultProxy({
    upstream: index.url,
    slowMs: 0,
    pick: (req): Fault => {
      const small = Number(req.headers["content-length"] ?? 0) < 1024;
      const key = req.method === "GET" ? "GET" : small ? "probe" : "upload";
      const n = (seen.get(key) ?? 0) + 1;
      seen.set(key, n);
      if (n === 1 && key === "GET") return "error-500";
      if (n === 1 && key === "upload") return "rate-429";
      return "pass";
    },
  });
  try {
    const dists = writeDists(fresh("verbose"), { name: "slipway-pub-verbose", version: "1" }).all;
    const args = [...dists, "--to", `${proxy.url}legacy/`, "--check-url", `${proxy.url}simple/`];
    const run = await cli([...args, "--password-stdin", "--verbose"], index.token);
    assert.equal(run.status, 0, run.stderr);
    const err = run.stderr;
    const at = proxy.url.replace(/\/$/, "");
    const line = (text: string) => new RegExp(`^${text}$`, "m");
    assert.match(
      err,
      line(
        `http: GET ${at}/simple/slipway-pub-verbose/ \\(lookup\\) → 500 Internal Server Error, 12 B in \\d+ ms`,
      ),
    );
    assert.match(
      err,
      line(
        `retry: lookup ${at}/simple/slipway-pub-verbose/: answered 500 Internal Server Error; attempt 2 in \\d\\.\\d s`,
      ),
    );
    assert.match(
      err,
      line(`http: GET ${at}/simple/slipway-pub-verbose/ \\(lookup\\) → 404 Not Found, \\d+ B in \\d+ ms`),
    );
    assert.match(
      err,
      line(`http: POST ${at}/legacy/ \\(probe\\) → 400 Bad Request, \\d+ B sent, \\d+ B received in \\d+ ms`),
    );
    assert.match(err, line(`credentials: accepted by ${at}/legacy/: the index answered 400 .*`));
    assert.match(
      err,
      line(
        `http: POST ${at}/legacy/ \\(upload\\) → 429 Too Many Requests, \\d+\\.\\d KiB sent, \\d+ B received in \\d+ ms`,
      ),
    );
    assert.match(
      err,
      line(
        `retry: slipway_pub_verbose-1-py3-none-any\\.whl: the index answered 429 Too Many Requests: injected 429; attempt 2 in \\d\\.\\d s`,
      ),
    );
    assert.equal(err.match(/\(upload\) → 200 OK/g)?.length, 2, "both files, in the end");
    const basic = Buffer.from(`__token__:${index.token}`).toString("base64");
    assert.ok(!err.includes(index.token) && !err.includes(basic), "never a credential");

    // With --json, the same as JSON lines beside the outcomes (a new version: the probe is needed).
    const next = writeDists(fresh("verbose2"), { name: "slipway-pub-verbose", version: "2" }).all;
    const json = await cli(
      [...next, ...args.slice(dists.length), "--json", "--verbose", "--password-stdin"],
      index.token,
    );
    const lines = json.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const http = lines.find((l) => l["type"] === "http");
    assert.deepEqual(Object.keys(http ?? {}).sort(), [
      "method",
      "ms",
      "purpose",
      "reason",
      "received",
      "sent",
      "status",
      "type",
      "url",
    ]);
    assert.ok(lines.some((l) => l["type"] === "credentials"));
    const proof = lines.find((l) => l["type"] === "credentials");
    assert.equal(proof?.["verdict"], "accepted");
    assert.deepEqual(
      [
        (proof?.["cause"] as { kind: string } | undefined)?.kind,
        (proof?.["cause"] as { status: number } | undefined)?.status,
      ],
      ["answer", 400],
      "the proof rests on the index's answer, as data",
    );
    assert.ok(!lines.some((l) => l["type"] === "file-progress"), "byte counts stay out of the JSON");
    assert.ok(lines.some((l) => l["type"] === "file-done") && lines.at(-1)?.["type"] === "report");
  } finally {
    await proxy.close();
  }
});
