/**
 * `slipway status` as a whole process (dist/cli.js) on a copy of examples/hatch-lib with a
 * vulnerable pin planted (jinja2==2.10) and the committed advisory fixtures as --db: the document,
 * byte-identical runs under a pinned clock, --from a saved scan, exit 3 without a database, the
 * history's rotation and first-seen dates, hostile history and document files (nothing changed),
 * the index version read from a loopback simple API; every document valid under the JSON Schema.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { ADVISORY_FIXTURES } from "../helpers/advisory-snapshot.ts";
import { runAsync } from "../helpers/run-async.ts";
import { statusSchemaErrors } from "../helpers/status-schema.ts";

const CLI = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
const EXAMPLE = fileURLToPath(new URL("../../examples/hatch-lib", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "slipway-status-"));
const produced: unknown[] = [];
after(() => {
  rmSync(scratch, { recursive: true, force: true });
});

const env = {
  PATH: process.env.PATH ?? "",
  HOME: join(scratch, "home"),
  SLIPWAY_CACHE_DIR: join(scratch, "cache"),
  NO_COLOR: "1",
};

let n = 0;
/** A fresh copy of the example, a git repository with the vulnerable pin committed. */
function project(): string {
  const dir = join(scratch, `p${n++}`);
  cpSync(EXAMPLE, dir, { recursive: true });
  writeFileSync(join(dir, "requirements.txt"), "jinja2==2.10\n");
  const git = (...args: string[]) =>
    execFileSync("git", args, { cwd: dir, env: { ...env, GIT_CONFIG_NOSYSTEM: "1" } });
  git("init", "-q");
  git("-c", "user.name=T", "-c", "user.email=t@example.invalid", "add", ".");
  git("-c", "user.name=T", "-c", "user.email=t@example.invalid", "commit", "-qm", "init");
  return dir;
}

function slipway(cwd: string, args: string[], extra: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, "status", ...args], {
    cwd,
    encoding: "utf8",
    env: { ...env, ...extra },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function doc(text: string) {
  const d = JSON.parse(text);
  produced.push(d);
  return d;
}

test("the document of a real scan: the planted advisories, the grade, the scanners", () => {
  const dir = project();
  const r = slipway(dir, ["--db", ADVISORY_FIXTURES, "--now", "2026-12-01T00:00:00Z"]);
  assert.equal(r.code, 0, r.stderr);
  const d = doc(r.stdout);
  assert.equal(d.schema, 1);
  assert.deepEqual(d.project, { name: "slipway-demo-lib", version: null, sourceVersion: "0.1.0" });
  assert.match(d.commit, /^[0-9a-f]{40}$/);
  assert.equal(d.generatedAt, "2026-12-01T00:00:00Z");
  const ids = d.findings.map((f: { id: string }) => f.id);
  assert.ok(ids.includes("PYSEC-2019-217"), ids.join(" "));
  const jinja = d.findings.find((f: { id: string }) => f.id === "PYSEC-2019-217");
  assert.deepEqual(jinja.package, { name: "jinja2", version: "2.10", runtime: true });
  assert.equal(jinja.fixedIn, "2.10.1");
  assert.equal(jinja.level, "high");
  assert.equal(jinja.firstSeen, "2026-12-01");
  assert.equal(d.daysSinceHighOrCritical, 0);
  assert.equal(d.grade, "C");
  assert.deepEqual(
    d.scanners.map((s: { name: string }) => s.name),
    ["secrets", "lock", "deps"],
  );
  assert.ok(d.scanners[2].database.length > 0);
  assert.equal(d.counts.total.high, d.counts.bySource.deps.high);
  assert.ok(d.counts.total.high >= 2);
});

test("byte-identical output for the same clock: --now and SOURCE_DATE_EPOCH", () => {
  const dir = project();
  const a = slipway(dir, ["--db", ADVISORY_FIXTURES, "--now", "2026-12-01T00:00:00Z"]);
  const b = slipway(dir, ["--db", ADVISORY_FIXTURES], {
    SOURCE_DATE_EPOCH: String(Date.parse("2026-12-01T00:00:00Z") / 1000),
  });
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  assert.equal(a.stdout, b.stdout);
  doc(a.stdout);
  const c = slipway(dir, ["--db", ADVISORY_FIXTURES, "--now", "2026-12-02T00:00:00Z"]);
  assert.notEqual(c.stdout, a.stdout);
  const bad = slipway(dir, ["--now", "tomorrow"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--now 'tomorrow' is not a time/);
});

test("--from a saved scan gives the same document as the live scan", () => {
  const dir = project();
  const scan = spawnSync(process.execPath, [CLI, "scan", "--json", "--db", ADVISORY_FIXTURES], {
    cwd: dir,
    encoding: "utf8",
    env,
  });
  assert.equal(scan.status, 1, scan.stderr);
  writeFileSync(join(scratch, "scan.json"), scan.stdout);
  const live = slipway(dir, ["--db", ADVISORY_FIXTURES, "--now", "2026-12-01T00:00:00Z"]);
  const from = slipway(dir, ["--from", join(scratch, "scan.json"), "--now", "2026-12-01T00:00:00Z"]);
  assert.equal(from.code, 0, from.stderr);
  assert.deepEqual(doc(from.stdout).findings, doc(live.stdout).findings);
  // Hostile saved scans: clear errors, exit 2.
  writeFileSync(join(scratch, "bad-scan.json"), '{"ok":true,"exit":0,"sections":[{"scanner":"x"}]}');
  const bad = slipway(dir, ["--from", join(scratch, "bad-scan.json")]);
  assert.equal(bad.code, 2);
  assert.match(
    bad.stderr,
    /bad-scan\.json: not a `slipway scan --json` document: \$\.sections\[0\]\.findings: not an array/,
  );
  const missing = slipway(dir, ["--from", "nope.json"]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /nope\.json: no such regular file/);
});

test("without an advisory database: the deps scan recorded as skipped, exit 3, never a silent pass", () => {
  const dir = project();
  const r = slipway(dir, ["--now", "2026-12-01T00:00:00Z"]);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /the deps scan did not run/);
  const d = doc(r.stdout);
  const deps = d.scanners.find((s: { name: string }) => s.name === "deps");
  assert.match(deps.skipped, /^no advisory database/);
  assert.ok(!r.stdout.includes(scratch), "no path of this machine in the document");
  assert.equal(d.grade, "C");
  // The same from a saved scan that could not check the dependencies.
  const scan = spawnSync(process.execPath, [CLI, "scan", "--json"], { cwd: dir, encoding: "utf8", env });
  assert.equal(scan.status, 3);
  writeFileSync(join(scratch, "scan3.json"), scan.stdout);
  const from = slipway(dir, ["--from", join(scratch, "scan3.json"), "--now", "2026-12-01T00:00:00Z"]);
  assert.equal(from.code, 3, from.stderr);
  assert.equal(
    doc(from.stdout).scanners.find((s: { name: string }) => s.name === "deps").skipped,
    deps.skipped,
  );
});

test("--out and --history: first-seen carried, rotation to --keep, atomic files", () => {
  const dir = project();
  const days = ["2026-11-01", "2026-11-10", "2026-11-20", "2026-12-01"];
  for (const day of days) {
    const r = slipway(dir, [
      "--db",
      ADVISORY_FIXTURES,
      "--now",
      `${day}T06:00:00Z`,
      "--out",
      "status.json",
      "--history",
      "history.jsonl",
      "--keep",
      "3",
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /grade [A-F] .*wrote status\.json/);
  }
  const lines = readFileSync(join(dir, "history.jsonl"), "utf8").trimEnd().split("\n");
  assert.equal(lines.length, 3);
  const history = lines.map(doc);
  assert.deepEqual(
    history.map((h) => h.generatedAt.slice(0, 10)),
    days.slice(1),
  );
  const last = doc(readFileSync(join(dir, "status.json"), "utf8"));
  assert.equal(JSON.stringify(last), JSON.stringify(history[2]));
  const jinja = last.findings.find((f: { id: string }) => f.id === "PYSEC-2019-217");
  assert.equal(jinja.firstSeen, "2026-11-01", "first seen in the first document, rotated out since");
  assert.equal(last.grade, "E", "a high open 30 days");
  // The fix lands: nothing high is open, the days are counted from the last document with one.
  writeFileSync(join(dir, "requirements.txt"), "jinja2==3.1.6\n");
  const r = slipway(dir, [
    "--db",
    ADVISORY_FIXTURES,
    "--now",
    "2026-12-05T06:00:00Z",
    "--out",
    "status.json",
    "--history",
    "history.jsonl",
    "--json",
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).type, "status");
  const fixed = doc(readFileSync(join(dir, "status.json"), "utf8"));
  assert.equal(fixed.daysSinceHighOrCritical, 4);
  assert.equal(readFileSync(join(dir, "history.jsonl"), "utf8").trimEnd().split("\n").length, 4);
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.startsWith("status.json") || f.startsWith("history.jsonl")),
    ["history.jsonl", "status.json"],
    "no temp file left beside them",
  );
});

test("a corrupt history or a document of another schema: a clear error naming the file and line, nothing changed", () => {
  const dir = project();
  const first = slipway(dir, [
    "--db",
    ADVISORY_FIXTURES,
    "--now",
    "2026-12-01T00:00:00Z",
    "--history",
    "h.jsonl",
  ]);
  assert.equal(first.code, 0, first.stderr);
  const good = readFileSync(join(dir, "h.jsonl"), "utf8");
  const corrupt = `${good}{"schema": 1, "project"\n`;
  writeFileSync(join(dir, "h.jsonl"), corrupt);
  const r = slipway(dir, ["--db", ADVISORY_FIXTURES, "--history", "h.jsonl", "--out", "out.json"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /h\.jsonl line 2 is not JSON/);
  assert.equal(readFileSync(join(dir, "h.jsonl"), "utf8"), corrupt);
  assert.ok(!existsSync(join(dir, "out.json")));

  const v2 = `${good}${JSON.stringify({ ...JSON.parse(good), schema: 2 })}\n`;
  writeFileSync(join(dir, "h.jsonl"), v2);
  const r2 = slipway(dir, ["--db", ADVISORY_FIXTURES, "--history", "h.jsonl"]);
  assert.equal(r2.code, 2);
  assert.match(r2.stderr, /h\.jsonl line 2: .*schema 2; this slipway reads SecurityStatus schema 1/);
  assert.equal(readFileSync(join(dir, "h.jsonl"), "utf8"), v2);

  writeFileSync(join(dir, "old.json"), JSON.stringify({ schema: 3 }));
  const r3 = slipway(dir, ["--db", ADVISORY_FIXTURES, "--out", "old.json"]);
  assert.equal(r3.code, 2);
  assert.match(r3.stderr, /old\.json: .*schema 3; this slipway reads SecurityStatus schema 1/);
  assert.equal(readFileSync(join(dir, "old.json"), "utf8"), JSON.stringify({ schema: 3 }));

  const nowhere = slipway(dir, ["--db", ADVISORY_FIXTURES, "--out", "no/such/dir/index.json"]);
  assert.equal(nowhere.code, 1);
  assert.match(nowhere.stderr, /no\/such\/dir\/index\.json: could not be written/);

  // A FIFO would block a reader forever: refused at once.
  execFileSync("mkfifo", [join(dir, "fifo")]);
  const fifo = slipway(dir, ["--db", ADVISORY_FIXTURES, "--history", "fifo"]);
  assert.equal(fifo.code, 2);
  assert.match(fifo.stderr, /fifo: not a regular file/);

  const keep = slipway(dir, ["--history", "h.jsonl", "--keep", "0"]);
  assert.equal(keep.code, 2);
  assert.match(keep.stderr, /--keep '0'/);
});

test("--sarif-in: another scanner's findings on the same scale, its own counts and version", () => {
  const dir = project();
  const sarif = fileURLToPath(new URL("../fixtures/sarif/semgrep-packaging-26.3.sarif", import.meta.url));
  const r = slipway(dir, ["--db", ADVISORY_FIXTURES, "--now", "2026-12-01T00:00:00Z", "--sarif-in", sarif]);
  assert.equal(r.code, 0, r.stderr);
  const d = doc(r.stdout);
  assert.deepEqual(d.scanners.at(-1), { name: "Semgrep OSS", version: "1.187.0" });
  // error (exec-used) → high, warning → moderate, note → low: no security-severity in semgrep's rules.
  assert.deepEqual(d.counts.bySource["Semgrep OSS"], { critical: 0, high: 1, moderate: 2, low: 7, info: 0 });
  assert.equal(d.counts.total.high, d.counts.bySource.deps.high + 1);
});

test("an ignored advisory is listed with its ignore, not counted", () => {
  const dir = project();
  const pyproject = join(dir, "pyproject.toml");
  writeFileSync(
    pyproject,
    `${readFileSync(pyproject, "utf8")}\n[[tool.slipway.scan.ignore]]\nid = "PYSEC-2019-217"\nreason = "no sandbox in use"\nexpires = 2027-01-31\n`,
  );
  const r = slipway(dir, ["--db", ADVISORY_FIXTURES, "--now", "2026-12-01T00:00:00Z"]);
  assert.equal(r.code, 0, r.stderr);
  const d = doc(r.stdout);
  const ignored = d.findings.filter((f: { ignored?: unknown }) => f.ignored !== undefined);
  assert.equal(ignored.length, 1);
  assert.equal(
    ignored[0].fingerprint,
    "PYSEC-2019-217:jinja2:2.10:requirements.txt",
    "the fingerprint it has when not ignored",
  );
  assert.deepEqual(ignored[0].ignored, { reason: "no sandbox in use", expires: "2027-01-31" });
  assert.equal(ignored[0].level, "high");
  assert.equal(ignored[0].fixedIn, "2.10.1");
  const open = d.findings.filter(
    (f: { ignored?: unknown; level: string }) => f.ignored === undefined && f.level === "high",
  );
  assert.equal(d.counts.total.high, open.length);
});

test("--index-url: the newest version the simple API lists", async () => {
  const dir = project();
  const server = createServer((req, res) => {
    if (req.url === "/simple/slipway-demo-lib/") {
      res.writeHead(200, { "content-type": "text/html" });
      res.end(
        '<html><body><a href="/f/slipway_demo_lib-0.9.0-py3-none-any.whl">w</a><a href="/f/slipway_demo_lib-0.10.0.tar.gz">s</a><a href="/f/slipway_demo_lib-0.10.0rc1.tar.gz">s</a></body></html>',
      );
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/simple/`;
    const r = await runAsync(
      [
        process.execPath,
        CLI,
        "status",
        "--db",
        ADVISORY_FIXTURES,
        "--now",
        "2026-12-01T00:00:00Z",
        "--index-url",
        url,
      ],
      { cwd: dir, env },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.equal(doc(r.stdout).project.version, "0.10.0");
    // Asked and not reached: an error, nothing written; a credential in the URL never shown.
    const refused = await runAsync(
      [
        process.execPath,
        CLI,
        "status",
        "--db",
        ADVISORY_FIXTURES,
        "--index-url",
        "http://user:hunter2@127.0.0.1:9/simple/",
        "--out",
        "o.json",
      ],
      { cwd: dir, env },
    );
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /--index-url: could not read slipway-demo-lib's page/);
    assert.ok(!refused.stderr.includes("hunter2"));
    assert.ok(!existsSync(join(dir, "o.json")));
    const notUrl = await runAsync([process.execPath, CLI, "status", "--index-url", "pypi.org"], {
      cwd: dir,
      env,
    });
    assert.equal(notUrl.status, 2);
    // Not on the index (404): null, not an error.
    const absent = await runAsync(
      [process.execPath, CLI, "status", "--db", ADVISORY_FIXTURES, "--index-url", `${url}other/`],
      { cwd: dir, env },
    );
    assert.equal(absent.status, 0, absent.stderr);
    assert.equal(doc(absent.stdout).project.version, null);
  } finally {
    server.close();
  }
});

test("a history another run appended to meanwhile is not overwritten", async () => {
  const dir = project();
  writeFileSync(join(dir, "h.jsonl"), "");
  // The index lookup runs between the history's read and its write: the other run appends then.
  const appended = `${JSON.stringify(JSON.parse(slipway(dir, ["--db", ADVISORY_FIXTURES, "--now", "2026-11-30T00:00:00Z"]).stdout))}\n`;
  const server = createServer((_req, res) => {
    writeFileSync(join(dir, "h.jsonl"), appended);
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/simple/`;
    const r = await runAsync(
      [
        process.execPath,
        CLI,
        "status",
        "--db",
        ADVISORY_FIXTURES,
        "--history",
        "h.jsonl",
        "--out",
        "o.json",
        "--index-url",
        url,
      ],
      { cwd: dir, env },
    );
    assert.equal(r.status, 1);
    assert.match(r.stderr, /h\.jsonl changed while slipway status ran; nothing was written/);
    assert.equal(readFileSync(join(dir, "h.jsonl"), "utf8"), appended);
    assert.ok(!existsSync(join(dir, "o.json")));
  } finally {
    server.close();
  }
});

test("--help has examples; every document of these tests is valid under the schema", () => {
  const r = slipway(scratch, ["--help"]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /Examples:\n {2}slipway status/);
  const docs = produced;
  assert.ok(docs.length >= 10, String(docs.length));
  const errors = statusSchemaErrors(docs);
  assert.deepEqual(
    errors.flatMap((e, i) => e.map((m) => `document ${i}: ${m}`)),
    [],
  );
});
