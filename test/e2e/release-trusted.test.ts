/**
 * `slipway release` from a GitHub Actions-shaped job with no secret at all: the stage is the
 * embedded index (its own token), the target is an embedded index playing PyPI with a trusted
 * publisher; the release mints there, attests every file at the Sigstore stand-in, and the
 * target verifies the attestations and serves their provenance. The preflight names the missing
 * OIDC permission before anything changes when the job has none.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { readTrustRoot } from "../../src/core/attest/verify.ts";
import type { IndexEvent } from "../../src/server/events.ts";
import { type RunningIndex, startIndex } from "../../src/server/index-server.ts";
import { startIssuer, type TestIssuer } from "../helpers/oidc-issuer.ts";
import { makeReleaseRepo, runRelease } from "../helpers/release-repo.ts";
import { type SigstoreStandIn, startSigstore } from "../helpers/sigstore.ts";

const work = mkdtempSync(join(tmpdir(), "slipway-release-tp-"));
const REPO = "octo/demo-lib";
const WORKFLOW = "release.yml";
const BEARER = "gh-request-bearer-canary-0d2e";

let issuer: TestIssuer;
let sigstore: SigstoreStandIn;
let pypi: RunningIndex;
let github: Server;
let githubUrl = "";
const events: IndexEvent[] = [];
const issued: string[] = [];

before(async () => {
  issuer = await startIssuer();
  sigstore = await startSigstore({ issuers: [{ iss: issuer.url, jwks: issuer.jwks }] });
  const trust = readTrustRoot(sigstore.trustedRoot, "the stand-in's trusted root");
  assert.ok(trust.ok);
  pypi = await startIndex({
    root: join(work, "pypi"),
    trustedPublishing: {
      audience: "pypi",
      tokenLifetimeSeconds: 900,
      issuers: [{ url: issuer.url, kind: "github", jwksUrl: issuer.jwksUrl }],
      publishers: [{ kind: "github", projects: ["slipway-demo-lib"], repository: REPO, workflow: WORKFLOW }],
    },
    attestationTrustRoot: trust.value,
    onEvent: (e) => events.push(e),
  });
  github = createServer((req, res) => {
    const audience = new URL(req.url ?? "/", "http://localhost").searchParams.get("audience") ?? "";
    if (req.headers.authorization !== `Bearer ${BEARER}`) {
      res.writeHead(401).end();
      return;
    }
    const jwt = issuer.sign(issuer.github({ repository: REPO, workflow: WORKFLOW, aud: audience }));
    issued.push(jwt);
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ value: jwt }));
  });
  await new Promise<void>((done) => github.listen(0, "127.0.0.1", () => done()));
  githubUrl = `http://127.0.0.1:${(github.address() as AddressInfo).port}/token`;
});

after(async () => {
  github?.closeAllConnections();
  await new Promise<void>((done) => github?.close(() => done()));
  await pypi?.close();
  await sigstore?.close();
  await issuer?.close();
  rmSync(work, { recursive: true, force: true });
});

test("a release with trusted publishing and attestations, no secret anywhere", async () => {
  const r = await makeReleaseRepo(work, { cache: join(work, "cache") });
  try {
    const args = [...r.args];
    args[args.indexOf("--to") + 1] = pypi.uploadUrl;
    args[args.indexOf("--check-url") + 1] = pypi.simpleUrl;
    const sigstoreArgs = [
      "--fulcio",
      sigstore.fulcioUrl,
      "--rekor",
      sigstore.rekorUrl,
      "--trust-root",
      sigstore.trustedRootPath,
    ];
    const env = { ...r.env, TWINE_PASSWORD: "", TWINE_USERNAME: "", GITHUB_ACTIONS: "true" };

    // No id-token permission: the preflight says so, and nothing is committed or tagged.
    const refused = await runRelease(
      r,
      [...args, "--bump", "patch", "--trusted-publishing", "always", ...sigstoreArgs],
      { env },
    );
    assert.equal(refused.status, 1, `${refused.stderr}\n${refused.stdout}`);
    assert.match(`${refused.stderr}${refused.stdout}`, /id-token: write/);
    assert.equal(execFileSync("git", ["tag", "-l", "v0.1.1"], { cwd: r.project, encoding: "utf8" }), "");
    assert.equal(events.filter((e) => e.type === "upload").length, 0);

    const run = await runRelease(
      r,
      [...args, "--bump", "patch", "--trusted-publishing", "always", ...sigstoreArgs],
      {
        env: { ...env, ACTIONS_ID_TOKEN_REQUEST_URL: githubUrl, ACTIONS_ID_TOKEN_REQUEST_TOKEN: BEARER },
      },
    );
    assert.equal(run.status, 0, `${run.stderr}\n${run.stdout}`);
    const verified = events.filter((e) => e.type === "attestation" && e.outcome === "verified");
    assert.equal(verified.length, 2, "the wheel and the sdist came with verified attestations");
    const page = (await (
      await fetch(`${pypi.simpleUrl}slipway-demo-lib/`, {
        headers: { Accept: "application/vnd.pypi.simple.v1+json" },
      })
    ).json()) as { files: { filename: string; provenance: unknown }[] };
    assert.equal(page.files.length, 2);
    for (const file of page.files)
      assert.match(String(file.provenance), /\/integrity\/slipway-demo-lib\/0\.1\.1\//);
    const out = `${run.stdout}\n${run.stderr}`
      .split("\n")
      .filter((line) => !line.startsWith("::add-mask::"))
      .join("\n");
    for (const secret of [BEARER, ...issued]) assert.ok(!out.includes(secret), "a credential in the output");
  } finally {
    await r.close();
  }
});
