/**
 * `slipway scan update-db` against a loopback HTTP server (node:http, in this process) serving an
 * OSV-style archive made from the committed advisory records (YAML converted to JSON), and the
 * ways a feed fails: garbage, a ZIP of something else, 404, a stall past the deadline, a cut
 * connection. Every failure exits 3 and leaves the database in use as it was; `scan deps` then
 * reads the downloaded database without --db.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { ADVISORY_FIXTURES } from "../helpers/advisory-snapshot.ts";
import { runAsync } from "../helpers/run-async.ts";
import { scanSection } from "../helpers/scan-json.ts";
import { buildZip, type ZipEntry } from "../helpers/zip-writer.ts";

const CLI = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "slipway-update-db-"));
const cache = join(scratch, "cache");
const feedDir = join(cache, "osv-pypi");
const env = {
  PATH: process.env.PATH ?? "",
  HOME: join(scratch, "home"),
  SLIPWAY_CACHE_DIR: cache,
  NO_COLOR: "1",
};

/** The committed records of `packages` as OSV JSON members named `<id>.json`, as OSV's archive has them. */
function osvMembers(packages: string[]): ZipEntry[] {
  const entries: ZipEntry[] = [];
  for (const pkg of packages) {
    const dir = join(ADVISORY_FIXTURES, "vulns", pkg);
    for (const file of readdirSync(dir).sort()) {
      const record = parseYaml(readFileSync(join(dir, file), "utf8")) as { id: string };
      entries.push({ name: `${record.id}.json`, data: JSON.stringify(record) });
    }
  }
  return entries;
}

const FULL = buildZip({ entries: osvMembers(["jinja2", "urllib3"]) });
const URLLIB_ONLY = buildZip({
  entries: [
    ...osvMembers(["urllib3"]),
    { name: "PYSEC-damaged.json", data: '{"id": "PYSEC-damaged", "affected": [' },
    // Bytes that do not match the CRC-32 the archive records, and a member claiming 8 MiB.
    { name: "PYSEC-crc.json", data: '{"id": "PYSEC-crc"}', central: { crc: 1 }, local: { crc: 1 } },
    { name: "PYSEC-huge.json", data: "{}", central: { size: 8 * 1024 * 1024 } },
    { name: "docs/", data: "" },
  ],
});
const NOT_OSV = buildZip({
  entries: [
    { name: "README.txt", data: "hello" },
    { name: "a.json", data: "[1, 2]" },
  ],
});

const stalled: import("node:http").ServerResponse[] = [];
let server: Server;
let base = "";

before(async () => {
  server = createServer((req, res) => {
    const send = (body: Buffer) => {
      res.writeHead(200, { "Content-Type": "application/zip", "Content-Length": body.length });
      res.end(body);
    };
    switch (req.url) {
      case "/all.zip":
        return send(FULL);
      case "/v2.zip":
        return send(URLLIB_ONLY);
      case "/moved":
        res.writeHead(302, { Location: "/v2.zip" });
        return res.end();
      case "/garbage":
        return send(Buffer.from("<html>not a zip, a captive portal</html>".repeat(50)));
      case "/not-osv.zip":
        return send(NOT_OSV);
      case "/stall":
        res.writeHead(200, { "Content-Type": "application/zip", "Content-Length": FULL.length });
        res.write(FULL.subarray(0, 100));
        stalled.push(res);
        return;
      case "/cut":
        res.writeHead(200, { "Content-Type": "application/zip", "Content-Length": FULL.length });
        res.write(FULL.subarray(0, FULL.length >> 1));
        setTimeout(() => res.destroy(), 50);
        return;
      case "/huge":
        res.writeHead(200, { "Content-Type": "application/zip", "Content-Length": 5 * 1024 * 1024 * 1024 });
        return res.end();
      default:
        res.writeHead(404, "Not Found");
        return res.end("no such file");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  for (const res of stalled) res.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(scratch, { recursive: true, force: true });
});

const slipway = (args: string[], cwd = scratch) =>
  runAsync([process.execPath, CLI, "scan", ...args], { env, cwd });

const project = join(scratch, "project");
mkdirSync(project);
writeFileSync(join(project, "requirements.txt"), "jinja2==2.10\nurllib3==1.24.1\n");

async function scanJson() {
  const r = await slipway(["deps", "--json"], project);
  assert.ok(r.stdout.startsWith("{"), `${r.status} ${r.stderr}`);
  return { status: r.status, report: scanSection(r.stdout, "deps") };
}

const current = () => JSON.parse(readFileSync(join(feedDir, "current.json"), "utf8"));
/** What is in the feed directory besides the database in use: nothing (no temp file, no old archive). */
const leftovers = () =>
  readdirSync(feedDir).filter((name) => {
    const revision = current().revision;
    return name !== "current.json" && name !== `${revision}.zip` && name !== `${revision}.index.json`;
  });

describe("update-db, then scan deps without --db", () => {
  test("before any download: scan deps exits 3", async () => {
    const r = await slipway(["deps"], project);
    assert.equal(r.status, 3);
    assert.match(r.stderr, /run `slipway scan update-db`/);
  });

  test("a feed that is unreachable or not OSV exits 3 and installs nothing", async () => {
    for (const [path, pattern] of [
      ["/missing.zip", /the server answered 404 Not Found/],
      ["/garbage", /did not serve a ZIP archive/],
      [
        "/not-osv.zip",
        /served a ZIP archive that is not OSV records: 0 records read, 1 damaged \(a\.json: the record is not a mapping\)/,
      ],
    ] as const) {
      const r = await slipway(["update-db", "--url", `${base}${path}`]);
      assert.equal(r.status, 3, `${path}: ${r.stderr}`);
      assert.match(r.stderr, pattern);
      assert.deepEqual(readdirSync(feedDir), [], path);
    }
    const closed = await slipway(["update-db", "--url", "http://127.0.0.1:1/all.zip"]);
    assert.equal(closed.status, 3);
    assert.match(closed.stderr, /cannot download http:\/\/127\.0\.0\.1:1\/all\.zip: .*ECONNREFUSED/);
    const usage = await slipway(["update-db", "--url", "ftp://example/all.zip"]);
    assert.equal(usage.status, 2);
  });

  test("a good archive is downloaded, checked and used by scan deps", async () => {
    const r = await slipway(["update-db", "--url", `${base}/all.zip`, "--json"]);
    assert.equal(r.status, 0, r.stderr);
    const result = JSON.parse(r.stdout);
    assert.equal(result.state.records, 16);
    assert.equal(result.state.errors, 0);
    assert.equal(result.state.bytes, FULL.length);
    assert.equal(current().revision, result.state.revision);
    const { status, report } = await scanJson();
    assert.equal(status, 1);
    assert.equal(report.database.source, "feed");
    assert.equal(report.database.location, `${base}/all.zip`);
    assert.ok(report.vulnerabilities.some((v: { id: string }) => v.id === "PYSEC-2019-217"));
    assert.ok(report.vulnerabilities.some((v: { name: string }) => v.name === "urllib3"));
  });

  test("garbage, a stall past the deadline, a cut connection, an oversized archive: exit 3, the old database stays", async () => {
    const before = current().revision;
    const started = performance.now();
    const stall = await slipway(["update-db", "--url", `${base}/stall`, "--timeout", "1.5"]);
    assert.equal(stall.status, 3, stall.stderr);
    assert.match(stall.stderr, /no complete answer within the 1\.5 s deadline \(100 bytes arrived\)/);
    assert.ok(performance.now() - started < 15_000);
    for (const [path, pattern] of [
      ["/garbage", /did not serve a ZIP archive/],
      ["/cut", /before the archive was complete|aborted|socket hang up|ECONNRESET/],
      ["/huge", /more than the \d+ allowed/],
    ] as const) {
      const r = await slipway(["update-db", "--url", `${base}${path}`]);
      assert.equal(r.status, 3, `${path}: ${r.stderr}`);
      assert.match(r.stderr, pattern);
      assert.match(r.stderr, /the advisory database in use was kept/);
    }
    assert.equal(current().revision, before);
    assert.deepEqual(leftovers(), []);
    const { status, report } = await scanJson();
    assert.equal(status, 1);
    assert.equal(report.database.revision, before);
    assert.ok(report.vulnerabilities.some((v: { id: string }) => v.id === "PYSEC-2019-217"));
  });

  test("a newer archive (through a redirect) replaces the old one; its damaged member is named", async () => {
    const before = current().revision;
    const r = await slipway(["update-db", "--url", `${base}/moved`]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /advisory database updated: 11 records \(3 damaged\)/);
    assert.notEqual(current().revision, before);
    assert.deepEqual(leftovers(), []);
    const { report } = await scanJson();
    assert.ok(!report.vulnerabilities.some((v: { name: string }) => v.name === "jinja2"));
    assert.ok(report.vulnerabilities.some((v: { name: string }) => v.name === "urllib3"));
    const damaged = report.findings.filter((f: { id: string }) => f.id === "DEPS-DB");
    assert.deepEqual(
      damaged.map((f: { location: { file: string }; message: string }) => [
        f.location.file,
        f.message.split(": ").pop(),
      ]),
      [
        ["osv-pypi/PYSEC-damaged.json", damaged[0].message.split(": ").pop()],
        ["osv-pypi/PYSEC-crc.json", "its content does not match the archive's size and CRC-32"],
        ["osv-pypi/PYSEC-huge.json", "larger than 4194304 bytes"],
      ],
    );
    assert.match(damaged[0].message, /not valid JSON/);
    // The index is rebuilt from the stored archive when it goes missing.
    rmSync(join(feedDir, `${current().revision}.index.json`));
    const again = await scanJson();
    assert.equal(again.report.database.fromIndex, false);
    assert.deepEqual(again.report.vulnerabilities, report.vulnerabilities);
    assert.equal((await scanJson()).report.database.fromIndex, true);
  });

  test("--help has examples", async () => {
    const r = await slipway(["update-db", "--help"]);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /Examples:\n {2}slipway scan update-db\n/);
  });
});
