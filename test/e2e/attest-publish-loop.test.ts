/**
 * The whole tokenless path on loopback, as a GitHub Actions release job runs it against PyPI:
 * the job's OIDC tokens (audience of the index for the mint, `sigstore` for signing) from a
 * stand-in of GitHub's token endpoint → `slipway publish` mints at the embedded index, signs each
 * file at the Sigstore stand-in and uploads it with its attestation → the index verifies the
 * attestations against its trust root and the minting publisher, and serves the provenance →
 * `slipway verify-attestations NAME==VERSION --index` verifies it from the integrity API. A
 * re-run of the job converges: the files are there, the attestations are re-verified and kept.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { readTrustRoot } from "../../src/core/attest/verify.ts";
import type { IndexEvent } from "../../src/server/events.ts";
import { type RunningIndex, startIndex } from "../../src/server/index-server.ts";
import { writeDists } from "../helpers/dists.ts";
import { startIssuer, type TestIssuer } from "../helpers/oidc-issuer.ts";
import { runAsync } from "../helpers/run-async.ts";
import { type SigstoreStandIn, startSigstore } from "../helpers/sigstore.ts";

const CLI = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "slipway-attest-loop-"));
const REPO = "octo/widget";
const WORKFLOW = "release.yml";
const BEARER = "gh-request-bearer-canary-51c9";

let issuer: TestIssuer;
let sigstore: SigstoreStandIn;
let index: RunningIndex;
let github: Server;
let githubUrl = "";
const events: IndexEvent[] = [];
const issued: string[] = [];
let workflow = WORKFLOW;

before(async () => {
  issuer = await startIssuer();
  sigstore = await startSigstore({ issuers: [{ iss: issuer.url, jwks: issuer.jwks }] });
  const trust = readTrustRoot(sigstore.trustedRoot, "the stand-in's trusted root");
  assert.ok(trust.ok);
  index = await startIndex({
    root: join(work, "index"),
    trustedPublishing: {
      audience: "pypi",
      tokenLifetimeSeconds: 900,
      issuers: [{ url: issuer.url, kind: "github", jwksUrl: issuer.jwksUrl }],
      publishers: [{ kind: "github", projects: ["attest-loop"], repository: REPO, workflow: WORKFLOW }],
    },
    attestationTrustRoot: trust.value,
    onEvent: (e) => events.push(e),
  });
  // GitHub's token endpoint: the job's request bearer in, an ID token for the asked audience out.
  github = createServer((req, res) => {
    const audience = new URL(req.url ?? "/", "http://localhost").searchParams.get("audience");
    if (
      req.headers.authorization !== `Bearer ${BEARER}` ||
      (audience !== "pypi" && audience !== "sigstore")
    ) {
      res.writeHead(401).end();
      return;
    }
    const jwt = issuer.sign(issuer.github({ repository: REPO, workflow, aud: audience }));
    issued.push(jwt);
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ value: jwt }));
  });
  await new Promise<void>((done) => github.listen(0, "127.0.0.1", () => done()));
  githubUrl = `http://127.0.0.1:${(github.address() as AddressInfo).port}/token?api-version=2.0`;
});

after(async () => {
  github?.closeAllConnections();
  await new Promise<void>((done) => github?.close(() => done()));
  await index?.close();
  await sigstore?.close();
  await issuer?.close();
  rmSync(work, { recursive: true, force: true });
});

const env = () => ({
  PATH: process.env["PATH"] ?? "",
  HOME: work,
  GITHUB_ACTIONS: "true",
  ACTIONS_ID_TOKEN_REQUEST_URL: githubUrl,
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: BEARER,
});

async function publish(dists: string[], extra: string[] = []) {
  const r = await runAsync(
    [
      process.execPath,
      CLI,
      "publish",
      ...dists,
      ...["--to", index.uploadUrl, "--check-url", index.simpleUrl, "--trusted-publishing", "always"],
      ...[
        "--fulcio",
        sigstore.fulcioUrl,
        "--rekor",
        sigstore.rekorUrl,
        "--trust-root",
        sigstore.trustedRootPath,
      ],
      ...extra,
    ],
    { cwd: work, env: env() },
  );
  return { ...r, out: r.stdout + r.stderr };
}

/** Every credential out of the output but the mask line GitHub needs. */
function assertClean(out: string): void {
  const rest = out
    .split("\n")
    .filter((line) => !line.startsWith("::add-mask::"))
    .join("\n");
  for (const secret of [BEARER, ...issued, ...issued.map((t) => t.split(".")[1] ?? "")])
    assert.ok(!rest.includes(secret), `a credential in the output:\n${rest.slice(0, 2000)}`);
  assert.ok(!/pypi-[A-Za-z0-9_-]{20,}/.test(rest), "a minted token in the output");
}

test("publish mints, attests and uploads; the index verifies and serves provenance; verify-attestations checks it", async () => {
  const dists = writeDists(join(work, "first"), { name: "attest-loop", version: "1.0.0" }).all;
  const run = await publish(dists);
  assert.equal(run.status, 0, run.out);
  assertClean(run.out);
  for (const dist of dists)
    assert.match(run.out, new RegExp(`attestation made for .*${basename(dist).replaceAll(".", "\\.")}`));
  const verified = events.filter((e) => e.type === "attestation" && e.outcome === "verified");
  assert.equal(verified.length, dists.length, JSON.stringify(verified));

  const page = (await (
    await fetch(`${index.simpleUrl}attest-loop/`, {
      headers: { Accept: "application/vnd.pypi.simple.v1+json" },
    })
  ).json()) as { files: { provenance: unknown }[] };
  for (const file of page.files)
    assert.match(String(file.provenance), /\/integrity\/attest-loop\/1\.0\.0\/.+\/provenance$/);

  const check = await runAsync(
    [
      process.execPath,
      CLI,
      "verify-attestations",
      "attest-loop==1.0.0",
      ...["--index", index.simpleUrl, "--repository", REPO, "--issuer", issuer.url],
      ...["--trust-root", sigstore.trustedRootPath, "--json"],
    ],
    { cwd: work, env: { PATH: process.env["PATH"] ?? "", HOME: work } },
  );
  assert.equal(check.status, 0, check.stdout + check.stderr);
  const report = JSON.parse(check.stdout);
  assert.equal(report.files.length, dists.length);
  for (const f of report.files)
    assert.match(f.publisher, /GitHub octo\/widget \.github\/workflows\/release\.yml/);

  // Expecting another repository: every file fails, naming who did sign.
  const wrong = await runAsync(
    [
      process.execPath,
      CLI,
      "verify-attestations",
      "attest-loop==1.0.0",
      ...["--index", index.simpleUrl, "--repository", "octo/other", "--issuer", issuer.url],
      ...["--trust-root", sigstore.trustedRootPath],
    ],
    { cwd: work, env: { PATH: process.env["PATH"] ?? "", HOME: work } },
  );
  assert.equal(wrong.status, 1);
  assert.match(
    wrong.stdout,
    /FAILED .*signed in https:\/\/github\.com\/octo\/widget, not https:\/\/github\.com\/octo\/other/,
  );

  // The job runs again (a re-run): the files are there, the attestations verify and are kept.
  const before = sigstore.counts();
  const again = await publish(dists);
  assert.equal(again.status, 0, again.out);
  assert.match(again.out, /attestation verified and kept/);
  assert.deepEqual(sigstore.counts(), before, "no Sigstore round trip on a re-run");
  assertClean(again.out);
  // And as NDJSON with every request shown: the events are there, no credential is.
  const verbose = await publish(dists, ["--json", "--verbose"]);
  assert.equal(verbose.status, 0, verbose.out);
  assert.match(verbose.stdout, /"type":"attested"/);
  assertClean(verbose.out);
});

test("attestations another workflow made are replaced before the upload, and the index takes the new ones", async () => {
  const dists = writeDists(join(work, "second"), { name: "attest-loop", version: "2.0.0" }).all;
  // A nightly workflow attested these files first (its attestations would be refused by the index).
  workflow = "nightly.yml";
  const nightly = await runAsync(
    [
      process.execPath,
      CLI,
      "attest",
      ...dists,
      ...[
        "--fulcio",
        sigstore.fulcioUrl,
        "--rekor",
        sigstore.rekorUrl,
        "--trust-root",
        sigstore.trustedRootPath,
      ],
    ],
    { cwd: work, env: env() },
  );
  assert.equal(nightly.status, 0, nightly.stderr);
  workflow = WORKFLOW;
  const run = await publish(dists);
  assert.equal(run.status, 0, run.out);
  assert.match(
    run.out,
    /attestation replaced for .*: signed by the workflow .*nightly\.yml.*, not .*release\.yml/,
  );
  assertClean(run.out);
});

test("--attestations always without trusted publishing is refused before anything is sent", async () => {
  const dists = writeDists(join(work, "third"), { name: "attest-loop", version: "3.0.0" }).all;
  const run = await publish(dists, ["--trusted-publishing", "never", "--attestations", "always"]);
  assert.equal(run.status, 2, run.out);
  assert.match(run.out, /--attestations always, but this publish does not use trusted publishing/);
});
