/**
 * `slipway check dist/*` when dist/ holds a checksum file: SHA256SUMS written by the real
 * `sha256sum` (text, binary and --tag modes) and slipway's build manifest are verified, not
 * called bad distributions (ART01). Tampered, missing and unlisted files, and hostile checksum
 * files (oversized, naming a FIFO) give findings, never a crash or a hang.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  appendFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { after, before, beforeEach, test } from "node:test";
import { fileURLToPath } from "node:url";
import { type BuildManifest, MANIFEST_FILE } from "../../src/core/build/output.ts";
import { writeDists } from "../helpers/dists.ts";

const cli = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
let root: string;
let dist: string;

interface Report {
  ok: boolean;
  files: string[];
  findings: { id: string; severity: string; message: string; location: { file: string; line?: number } }[];
}

function slipway(args: string[]): { code: number | null; report: Report } {
  const r = spawnSync(process.execPath, [cli, "check", ...args, "--json"], {
    cwd: root,
    env: { PATH: process.env["PATH"] ?? "", HOME: root },
    encoding: "utf8",
    timeout: 60_000,
  });
  assert.equal(r.stderr, "", r.stderr);
  return { code: r.status, report: JSON.parse(r.stdout) as Report };
}

/** What the shell's `dist/*` expands to: every name not starting with a dot, sorted. */
const glob = () =>
  readdirSync(dist)
    .filter((n) => !n.startsWith("."))
    .sort()
    .map((n) => `dist/${n}`);

const sha256 = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");
const ids = (report: Report) => report.findings.map((f) => `${f.id} ${f.severity}`);
const artifacts = () => readdirSync(dist).filter((n) => /\.(whl|tar\.gz)$/.test(n));

function writeManifest(): void {
  const manifest: Pick<BuildManifest, "format" | "tool" | "artifacts"> = {
    format: 1,
    tool: { name: "slipway", version: "0.1.0" },
    artifacts: artifacts().map((filename) => ({
      filename,
      kind: filename.endsWith(".whl") ? "wheel" : "sdist",
      size: readFileSync(join(dist, filename)).length,
      sha256: sha256(join(dist, filename)),
    })),
  };
  writeFileSync(join(dist, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
}

before(() => {
  assert.ok(existsSync(cli), "dist/cli.js is missing: run `npm run build` first");
  root = mkdtempSync(join(tmpdir(), "slipway-sums-"));
});
after(() => rmSync(root, { recursive: true, force: true }));

beforeEach(() => {
  dist = join(root, "dist");
  rmSync(dist, { recursive: true, force: true });
  writeDists(dist, { name: "demo-pkg" });
  writeFileSync(
    join(dist, "SHA256SUMS"),
    execFileSync("sha256sum", artifacts(), { cwd: dist, encoding: "utf8" }),
  );
  writeManifest();
});

test("dist/* with SHA256SUMS from sha256sum passes: the sums are verified, not an ART01", () => {
  const { code, report } = slipway(glob());
  assert.deepEqual(ids(report), []);
  assert.equal(code, 0);
  assert.deepEqual(report.files, [
    "dist/demo_pkg-1.0.0-py3-none-any.whl",
    "dist/demo_pkg-1.0.0.tar.gz",
    "dist/SHA256SUMS",
  ]);
  // Binary mode and the BSD tag form, and the build manifest (hidden, so named explicitly).
  for (const flags of [["-b"], ["--tag"]]) {
    writeFileSync(
      join(dist, "SHA256SUMS"),
      execFileSync("sha256sum", [...flags, ...artifacts()], { cwd: dist }),
    );
    assert.deepEqual(ids(slipway(glob()).report), [], flags.join());
  }
  assert.deepEqual(ids(slipway([`dist/${MANIFEST_FILE}`]).report), []);
  // NAME.sha256 beside NAME, as some projects publish them.
  const sdist = "demo_pkg-1.0.0.tar.gz";
  writeFileSync(join(dist, `${sdist}.sha256`), `${sha256(join(dist, sdist))}\n`);
  assert.deepEqual(ids(slipway([`dist/${sdist}.sha256`]).report), []);
});

test("sums kept in a hidden directory beside the distributions (dist/.slipway/) cover dist/", () => {
  execFileSync("mkdir", [join(dist, ".slipway")]);
  execFileSync("mv", [join(dist, "SHA256SUMS"), join(dist, ".slipway", "SHA256SUMS")]);
  assert.deepEqual(ids(slipway(["dist/.slipway/SHA256SUMS"]).report), []);
  appendFileSync(join(dist, "demo_pkg-1.0.0.tar.gz"), "\0");
  assert.deepEqual(ids(slipway(["dist/.slipway/SHA256SUMS"]).report), ["SUM01 error"]);
});

test("SUM01: a file changed after the sums were written is an error naming it and both hashes", () => {
  const sdist = join(dist, "demo_pkg-1.0.0.tar.gz");
  const listed = sha256(sdist);
  appendFileSync(sdist, "\0");
  const { code, report } = slipway([...glob(), `dist/${MANIFEST_FILE}`]);
  assert.equal(code, 1);
  const sums = report.findings.filter((f) => f.id === "SUM01");
  assert.deepEqual(
    sums.map((f) => f.location.file),
    ["dist/.slipway-build.json", "dist/SHA256SUMS"],
  );
  for (const f of sums) {
    assert.ok(f.message.includes(`demo_pkg-1.0.0.tar.gz has sha256 ${sha256(sdist)}`), f.message);
    assert.ok(f.message.includes(listed), f.message);
  }
  assert.match(sums[0]!.message, /bytes, listed \d+ bytes|\(\d+ bytes, listed \d+\)/);
});

test("SUM02 and SUM03: a listed file missing, a distribution not listed", () => {
  rmSync(join(dist, "demo_pkg-1.0.0-py3-none-any.whl"));
  writeDists(join(root, "old"), { name: "demo-pkg", version: "0.9.0" });
  execFileSync("cp", [join(root, "old", "demo_pkg-0.9.0.tar.gz"), dist]);
  const { code, report } = slipway(["dist/SHA256SUMS"]);
  assert.equal(code, 1);
  assert.deepEqual(ids(report), ["SUM02 error", "SUM03 warning"]);
  assert.match(
    report.findings[0]!.message,
    /demo_pkg-1\.0\.0-py3-none-any\.whl is listed \(sha256 [0-9a-f]{64}\) but is not in dist\//,
  );
  assert.match(
    report.findings[1]!.message,
    /demo_pkg-0\.9\.0\.tar\.gz is a distribution beside it that it does not list/,
  );
});

test("hostile checksum files: oversized, naming a FIFO or a path outside: findings, no hang, nothing read outside", () => {
  writeFileSync(join(dist, "SHA256SUMS"), `${"0".repeat(64)}  x.whl\n`.repeat(30_000));
  const big = slipway(["dist/SHA256SUMS"]);
  assert.deepEqual(ids(big.report), ["SUM04 error"]);
  assert.match(big.report.findings[0]!.message, /is \d+ bytes; a checksum file is at most 1048576/);
  execFileSync("mkfifo", [join(dist, "pipe.whl")]);
  writeFileSync(join(dist, "outside.txt"), "secret");
  writeFileSync(
    join(dist, "SHA256SUMS"),
    `${"0".repeat(64)}  pipe.whl\n${sha256(join(dist, "outside.txt"))}  ../dist/outside.txt\n`,
  );
  const hostile = slipway(["dist/SHA256SUMS", "--select", "SUM01,SUM02,SUM04"]);
  assert.deepEqual(ids(hostile.report), ["SUM02 error", "SUM04 error"]);
  assert.match(hostile.report.findings[0]!.message, /pipe\.whl is listed but is not a regular file/);
  assert.match(hostile.report.findings[1]!.message, /outside the checksum file's directory/);
  assert.equal(basename(hostile.report.findings[1]!.location.file), "SHA256SUMS");
});
