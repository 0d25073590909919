/**
 * Secrets in test fixtures and documentation, through the real archive readers and `check`:
 * an sdist laid out like requests', aiohttp's, urllib3's, cryptography's and httpx's (keys
 * generated here, not committed), a wheel with a README in its package, and the
 * `[tool.slipway.check] allow-secrets` setting that silences fixtures shipped on purpose.
 */
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { check } from "../../src/ops/check.ts";
import { buildSdist } from "../helpers/tar-writer.ts";
import { buildWheel } from "../helpers/zip-writer.ts";

let dir: string;
let sdist: string;
let wheel: string;

const rsa = () =>
  generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({
    type: "pkcs1",
    format: "pem",
  }) as string;
const ec = () =>
  generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey.export({
    type: "sec1",
    format: "pem",
  }) as string;
const indent = (text: string, by: string) =>
  text
    .trimEnd()
    .split("\n")
    .map((l) => `${by}${l}`)
    .join("\n");

before(() => {
  dir = mkdtempSync(join(tmpdir(), "slipway-secrets-"));
  const built = buildSdist({
    files: {
      "tests/certs/valid/server/server.key": rsa(), // requests 2.34.2
      "examples/server.key": rsa(), // aiohttp 3.14.5
      "dummyserver/certs/server.key": ec(), // urllib3 2.8.0
      // cryptography 51.0.1 docs/x509/ocsp.rst
      "docs/x509/ocsp.rst": `OCSP\n====\n\n.. testsetup::\n\n    ca_key = b"""\n${indent(ec(), "    ")}\n    """\n`,
      // httpx 0.29.0 tests/fixtures/.netrc
      "tests/fixtures/.netrc": "machine netrcexample.org\nlogin example-username\npassword example-password",
      "README.rst": `demo\n====\n\nAn example key::\n\n${indent(ec(), "    ")}\n\nThe end.\n`,
      "src/demo_pkg/_deploy.py": `KEY = """${rsa()}"""\n`,
    },
  });
  sdist = join(dir, built.filename);
  writeFileSync(sdist, built.bytes);
  const w = buildWheel({
    files: {
      "demo_pkg/README.md": `# demo\n\n\`\`\`pem\n${ec()}\`\`\`\n`,
      "demo_pkg/keys.py": `KEY = """${ec()}"""\n`,
    },
  });
  wheel = join(dir, w.filename);
  writeFileSync(wheel, w.bytes);
});

after(() => rmSync(dir, { recursive: true, force: true }));

const secrets = (findings: readonly { id: string; severity: string; location: { member?: string } }[]) =>
  findings
    .filter((f) => f.id === "SEC08" || f.id === "SEC09")
    .map((f) => `${f.id} ${f.severity} ${f.location.member}`)
    .sort();

test("keys in tests/, examples/, dummyserver/, docs/ and code blocks are warnings; in the package they are errors", async () => {
  const report = await check({ cwd: dir, env: {}, dists: [sdist, wheel], select: ["SEC08", "SEC09"] });
  assert.deepEqual(secrets(report.findings), [
    "SEC08 warning demo_pkg-1.0.0/dummyserver/certs/server.key",
    "SEC08 warning demo_pkg-1.0.0/examples/server.key",
    "SEC08 warning demo_pkg-1.0.0/tests/certs/valid/server/server.key",
    "SEC08 warning demo_pkg-1.0.0/tests/fixtures/.netrc",
    "SEC09 error demo_pkg-1.0.0/src/demo_pkg/_deploy.py",
    "SEC09 error demo_pkg/keys.py",
    "SEC09 warning demo_pkg-1.0.0/README.rst",
    "SEC09 warning demo_pkg-1.0.0/docs/x509/ocsp.rst",
    "SEC09 warning demo_pkg-1.0.0/dummyserver/certs/server.key",
    "SEC09 warning demo_pkg-1.0.0/examples/server.key",
    "SEC09 warning demo_pkg-1.0.0/tests/certs/valid/server/server.key",
    "SEC09 warning demo_pkg/README.md",
  ]);
  assert.equal(report.errors, 2);
});

test("[tool.slipway.check] allow-secrets drops SEC08/SEC09 on the listed paths, and nothing else", async () => {
  const project = join(dir, "project");
  mkdirSync(project, { recursive: true });
  const pyproject = (allow: string) =>
    writeFileSync(
      join(project, "pyproject.toml"),
      `[project]\nname = "demo-pkg"\nversion = "1.0.0"\n\n[tool.slipway.check]\nallow-secrets = ${allow}\n`,
    );
  pyproject('["tests/**", "examples/**", "dummyserver/**", "docs/**", "demo_pkg/README.md"]');
  const report = await check({
    cwd: dir,
    env: {},
    project,
    dists: [sdist, wheel],
    select: ["SEC08", "SEC09"],
  });
  assert.deepEqual(secrets(report.findings), [
    "SEC09 error demo_pkg-1.0.0/src/demo_pkg/_deploy.py",
    "SEC09 error demo_pkg/keys.py",
    "SEC09 warning demo_pkg-1.0.0/README.rst",
  ]);
  pyproject('["../outside/**"]');
  await assert.rejects(
    check({ cwd: dir, env: {}, project, dists: [sdist], select: ["SEC09"] }),
    (error: Error & { code?: string }) =>
      error.code === "config" && /\[tool\.slipway\.check\] allow-secrets\[0\]/.test(error.message),
  );
});
