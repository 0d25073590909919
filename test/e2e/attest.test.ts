/**
 * `slipway attest` and `slipway verify-attestations` end to end on loopback: a GitHub-shaped
 * identity token from the test OIDC issuer → the Sigstore stand-in (Fulcio with an embedded SCT,
 * a Rekor Merkle log) → `<dist>.publish.attestation` files, verified by slipway and by Python's
 * pypi-attestations against the same trusted root, and attestations pypi-attestations made
 * verified by slipway: each tool the other's oracle. Then re-runs: valid attestations are kept
 * with no Sigstore round trip; one for another file, a tampered one, one from another workflow
 * are replaced, each with its reason. No token in any output.
 */
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { attest } from "../../src/ops/attest.ts";
import { writeDists } from "../helpers/dists.ts";
import { startIssuer, type TestIssuer } from "../helpers/oidc-issuer.ts";
import { peersPython } from "../helpers/peers.ts";
import { runAsync } from "../helpers/run-async.ts";
import { type SigstoreStandIn, startSigstore } from "../helpers/sigstore.ts";

const CLI = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
const ORACLE = fileURLToPath(new URL("../helpers/attest_oracle.py", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "slipway-attest-"));
const REPO = "octo/widget";
const WORKFLOW = "release.yml";
const GITHUB_ISSUER = "https://token.actions.githubusercontent.com";

let issuer: TestIssuer;
let sigstore: SigstoreStandIn;

before(async () => {
  issuer = await startIssuer();
  sigstore = await startSigstore({
    issuers: [
      { iss: GITHUB_ISSUER, jwks: issuer.jwks },
      { iss: "https://gitlab.com", jwks: issuer.jwks },
    ],
  });
});
after(async () => {
  await sigstore?.close();
  await issuer?.close();
  rmSync(work, { recursive: true, force: true });
});

/** A sigstore-audience token of GitHub's shape for `workflow` in `repository`. */
const identity = (repository = REPO, workflow = WORKFLOW) =>
  issuer.sign({ ...issuer.github({ repository, workflow, aud: "sigstore" }), iss: GITHUB_ISSUER });

/** The Python oracle, asynchronously: a blocking call would stop the stand-in this process serves. */
const oracle = (args: string[]) => runAsync([peersPython(), ORACLE, ...args], { cwd: work });

function slipway(args: string[], token: string) {
  return runAsync([process.execPath, CLI, ...args], {
    cwd: work,
    env: { PATH: process.env.PATH ?? "", HOME: work, SIGSTORE_ID_TOKEN: token },
  });
}

const sigstoreFlags = () => [
  "--fulcio",
  sigstore.fulcioUrl,
  "--rekor",
  sigstore.rekorUrl,
  "--trust-root",
  sigstore.trustedRootPath,
];
const verifyFlags = () => [
  "--repository",
  REPO,
  "--workflow",
  WORKFLOW,
  "--trust-root",
  sigstore.trustedRootPath,
];

function freshDists(name: string) {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  return writeDists(dir, { name: `attest-${name}`, version: "1.0.0", pythonTags: ["py3"] });
}

function assertNoToken(output: string, token: string) {
  assert.equal(output.includes(token), false, "the identity token is in the output");
  assert.equal(
    output.includes(token.split(".")[2] ?? token),
    false,
    "the token's signature is in the output",
  );
}

test("attest signs every file with one certificate and one log entry each; slipway and pypi-attestations verify them", async () => {
  const dists = freshDists("first");
  const token = identity();
  const before = sigstore.counts();
  const run = await slipway(["attest", ...dists.all, ...sigstoreFlags(), "--json"], token);
  assert.equal(run.status, 0, run.stderr);
  assertNoToken(run.stdout + run.stderr, token);
  const report = JSON.parse(run.stdout);
  assert.deepEqual(report.publisher, { kind: "GitHub", repository: REPO, workflow: WORKFLOW });
  assert.deepEqual(
    report.files.map((f: { action: string }) => f.action),
    dists.all.map(() => "created"),
  );
  assert.deepEqual(report.roundTrips, { fulcio: 1, rekor: dists.all.length });
  const after = sigstore.counts();
  assert.equal(after.fulcio - before.fulcio, 1);
  assert.equal(after.rekor - before.rekor, dists.all.length);

  const attestation = JSON.parse(readFileSync(`${dists.sdist}.publish.attestation`, "utf8"));
  const statement = JSON.parse(Buffer.from(attestation.envelope.statement, "base64").toString());
  assert.equal(statement.subject[0].name, dists.sdist.split("/").pop());
  assert.equal(statement.predicateType, "https://docs.pypi.org/attestations/publish/v1");

  const verified = await slipway(["verify-attestations", ...dists.all, ...verifyFlags(), "--json"], token);
  assert.equal(verified.status, 0, verified.stdout + verified.stderr);
  assert.equal(JSON.parse(verified.stdout).files.length, dists.all.length);

  // The oracle: pypi-attestations (sigstore-python) verifies what slipway made.
  for (const file of dists.all) {
    const out = await oracle([
      "verify",
      ...[
        "--trust-root",
        sigstore.trustedRootPath,
        "--attestation",
        `${file}.publish.attestation`,
        "--dist",
        file,
      ],
      ...["--issuer", GITHUB_ISSUER, "--repository", REPO, "--workflow", WORKFLOW],
    ]);
    assert.equal(out.status, 0, out.stdout + out.stderr);
    assert.equal(JSON.parse(out.stdout).ok, true, out.stdout);
  }
});

test("attestations pypi-attestations made are verified by slipway, and kept by a re-run", async () => {
  const dists = freshDists("oracle-made");
  const token = identity();
  const signed = await oracle([
    "sign",
    ...[
      "--trust-root",
      sigstore.trustedRootPath,
      "--fulcio",
      sigstore.fulcioUrl,
      "--rekor",
      sigstore.rekorUrl,
    ],
    ...["--token", token, ...dists.all],
  ]);
  assert.equal(signed.status, 0, signed.stdout + signed.stderr);
  const verified = await slipway(["verify-attestations", ...dists.all, ...verifyFlags()], token);
  assert.equal(verified.status, 0, verified.stdout + verified.stderr);
  const rerun = await slipway(["attest", ...dists.all, ...sigstoreFlags(), "--json"], token);
  assert.equal(rerun.status, 0, rerun.stderr);
  const report = JSON.parse(rerun.stdout);
  assert.deepEqual(
    report.files.map((f: { action: string }) => f.action),
    dists.all.map(() => "reused"),
  );
  assert.deepEqual(report.roundTrips, { fulcio: 0, rekor: 0 });
});

test("a re-run replaces attestations for another file, tampered ones and another workflow's, saying why", async () => {
  const dists = freshDists("rerun");
  const token = identity();
  const first = await slipway(["attest", ...dists.all, ...sigstoreFlags()], token);
  assert.equal(first.status, 0, first.stderr);
  const [wheel] = dists.wheels;
  assert.ok(wheel !== undefined);
  // The sdist's attestation now sits beside the wheel: valid, but for another file.
  copyFileSync(`${dists.sdist}.publish.attestation`, `${wheel}.publish.attestation`);
  // The sdist's own is tampered: its statement names another digest.
  const sdistAttestation = JSON.parse(readFileSync(`${dists.sdist}.publish.attestation`, "utf8"));
  const statement = JSON.parse(Buffer.from(sdistAttestation.envelope.statement, "base64").toString());
  statement.subject[0].digest.sha256 = "0".repeat(64);
  sdistAttestation.envelope.statement = Buffer.from(JSON.stringify(statement)).toString("base64");
  writeFileSync(`${dists.sdist}.publish.attestation`, JSON.stringify(sdistAttestation));

  const rerun = await slipway(["attest", ...dists.all, ...sigstoreFlags(), "--json"], token);
  assert.equal(rerun.status, 0, rerun.stderr);
  const byFile = new Map(JSON.parse(rerun.stdout).files.map((f: { file: string }) => [f.file, f]));
  const wheelResult = byFile.get(wheel) as { action: string; reason: string };
  assert.equal(wheelResult.action, "replaced");
  assert.match(wheelResult.reason, /the subject is .*\.tar\.gz, not .*\.whl/);
  const sdistResult = byFile.get(dists.sdist) as { action: string; reason: string };
  assert.equal(sdistResult.action, "replaced");
  assert.match(sdistResult.reason, /sha256/);
  const ok = await slipway(["verify-attestations", ...dists.all, ...verifyFlags()], token);
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);

  // Another workflow of the same repository signs next: what release.yml signed is not its own.
  const other = identity(REPO, "nightly.yml");
  const third = await slipway(["attest", dists.sdist, ...sigstoreFlags(), "--json"], other);
  assert.equal(third.status, 0, third.stderr);
  const replaced = JSON.parse(third.stdout).files[0];
  assert.equal(replaced.action, "replaced");
  assert.match(replaced.reason, /release\.yml/);

  // A signature that does not verify (one byte of it changed) is replaced too.
  const broken = JSON.parse(readFileSync(`${wheel}.publish.attestation`, "utf8"));
  const sig = Buffer.from(broken.envelope.signature, "base64");
  sig[sig.length - 1] = (sig[sig.length - 1] ?? 0) ^ 1;
  broken.envelope.signature = sig.toString("base64");
  writeFileSync(`${wheel}.publish.attestation`, JSON.stringify(broken));
  const failed = await slipway(["verify-attestations", wheel, ...verifyFlags()], token);
  assert.equal(failed.status, 1);
  assert.match(failed.stdout, /FAILED .*does not verify/);
  writeFileSync(`${wheel}.publish.attestation`, "{not json");
  const fourth = await slipway(["attest", wheel, ...sigstoreFlags(), "--json"], token);
  assert.equal(fourth.status, 0, fourth.stderr);
  assert.match(JSON.parse(fourth.stdout).files[0].reason, /malformed/);
});

test("verify-attestations refuses another repository's or workflow's attestations, and a missing one", async () => {
  const dists = freshDists("identity");
  const token = identity("evil/fork", WORKFLOW);
  const made = await slipway(["attest", dists.sdist, ...sigstoreFlags()], token);
  assert.equal(made.status, 0, made.stderr);
  const wrongRepo = await slipway(["verify-attestations", dists.sdist, ...verifyFlags()], token);
  assert.equal(wrongRepo.status, 1);
  assert.match(
    wrongRepo.stdout,
    /signed in https:\/\/github\.com\/evil\/fork, not https:\/\/github\.com\/octo\/widget/,
  );
  const missing = await slipway(["verify-attestations", ...dists.wheels, ...verifyFlags(), "--json"], token);
  assert.equal(missing.status, 1);
  assert.equal(JSON.parse(missing.stdout).files[0].problem, "missing");
  // Against Sigstore's public-good root, the stand-in's certificates do not chain.
  const foreign = await slipway(
    ["verify-attestations", dists.sdist, "--repository", "evil/fork", "--workflow", WORKFLOW],
    token,
  );
  assert.equal(foreign.status, 1);
  assert.match(foreign.stdout, /does not verify against Sigstore's public-good trust root/);
});

test("Sigstore outages: retried when transient, a clear error and nothing written when they persist", async () => {
  const dists = freshDists("outage");
  const token = identity();
  sigstore.failNext("rekor", 503, 1);
  const retried = await slipway(["attest", dists.sdist, ...sigstoreFlags()], token);
  assert.equal(retried.status, 0, retried.stderr);
  sigstore.failNext("fulcio", 500, 4);
  const down = await slipway(["attest", ...dists.wheels, ...sigstoreFlags()], token);
  assert.equal(down.status, 1);
  assert.match(down.stderr, /Fulcio \(http:\/\/127\.0\.0\.1:\d+\/?.*\) answered 500/);
  assertNoToken(down.stdout + down.stderr, token);
  for (const wheel of dists.wheels) assert.throws(() => readFileSync(`${wheel}.publish.attestation`));
});

test("no identity, no attestation: the error says where the token comes from", async () => {
  const dists = freshDists("no-identity");
  const run = await runAsync([process.execPath, CLI, "attest", dists.sdist], {
    cwd: work,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: work,
      GITHUB_ACTIONS: "true",
      GITHUB_EVENT_NAME: "pull_request",
    },
  });
  assert.equal(run.status, 2);
  assert.match(run.stderr, /forks never get an OIDC token/);
  const notDist = await slipway(["attest", join(work, "README.md"), ...sigstoreFlags()], identity());
  assert.equal(notDist.status, 2);
});

test("a certificate about to expire is renewed with a fresh identity token before the next signature", async () => {
  const dists = freshDists("renew");
  let tokens = 0;
  // The run's clock is 9.5 minutes ahead: every 10-minute certificate looks a minute from expiry.
  const report = await attest({
    files: dists.all,
    env: {},
    oidcProvider: async (audience) => {
      assert.equal(audience, "sigstore");
      tokens++;
      return identity();
    },
    fulcioUrl: sigstore.fulcioUrl,
    rekorUrl: sigstore.rekorUrl,
    trustRootFile: sigstore.trustedRootPath,
    concurrency: 1,
    userAgent: "slipway-test",
    now: () => Date.now() + 9.5 * 60_000,
  });
  assert.equal(report.roundTrips.fulcio, dists.all.length, "a certificate per file, each renewed");
  assert.equal(tokens, dists.all.length, "each renewal asked for a fresh token");
  const verified = await slipway(["verify-attestations", ...dists.all, ...verifyFlags()], identity());
  assert.equal(verified.status, 0, verified.stdout + verified.stderr);
});

test("GitLab CI: a SIGSTORE_ID_TOKEN of GitLab's shape signs as the project and its CI file", async () => {
  const dists = freshDists("gitlab");
  const token = issuer.sign({
    ...issuer.gitlab({ projectPath: "group/sub/widget", ciConfigPath: ".gitlab-ci.yml", aud: "sigstore" }),
    iss: "https://gitlab.com",
    sha: "0123456789abcdef0123456789abcdef01234567",
  });
  const made = await slipway(["attest", ...dists.all, ...sigstoreFlags(), "--json"], token);
  assert.equal(made.status, 0, made.stderr);
  assert.deepEqual(JSON.parse(made.stdout).publisher, {
    kind: "GitLab",
    repository: "group/sub/widget",
    workflowFilepath: ".gitlab-ci.yml",
  });
  const gitlab = ["--gitlab", "--repository", "group/sub/widget", "--trust-root", sigstore.trustedRootPath];
  const ok = await slipway(
    ["verify-attestations", ...dists.all, ...gitlab, "--workflow", ".gitlab-ci.yml"],
    token,
  );
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  const other = await slipway(
    ["verify-attestations", dists.sdist, ...gitlab, "--workflow", "ci/release.yml"],
    token,
  );
  assert.equal(other.status, 1);
  assert.match(other.stdout, /not https:\/\/gitlab\.com\/group\/sub\/widget\/\/ci\/release\.yml/);
});
