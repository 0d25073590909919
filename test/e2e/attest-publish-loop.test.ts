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
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { writeDists } from "../helpers/dists.ts";
import { runAsync } from "../helpers/run-async.ts";
import { credentialsIn, startTrustedWorld, type TrustedWorld } from "../helpers/trusted-world.ts";

const CLI = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "slipway-attest-loop-"));
const REPO = "octo/widget";
const WORKFLOW = "release.yml";

let world: TrustedWorld;

before(async () => {
  world = await startTrustedWorld({
    root: work,
    projects: ["attest-loop"],
    repository: REPO,
    workflow: WORKFLOW,
  });
});

after(async () => {
  await world?.close();
  rmSync(work, { recursive: true, force: true });
});

async function publish(dists: string[], extra: string[] = []) {
  const { index } = world;
  const r = await runAsync(
    [
      process.execPath,
      CLI,
      "publish",
      ...dists,
      ...["--to", index.uploadUrl, "--check-url", index.simpleUrl, "--trusted-publishing", "always"],
      ...world.sigstoreArgs(),
      ...extra,
    ],
    { cwd: work, env: world.env() },
  );
  return { ...r, out: r.stdout + r.stderr };
}

const assertClean = (out: string) =>
  assert.deepEqual(credentialsIn(world, out), [], "a credential in the output");

test("publish mints, attests and uploads; the index verifies and serves provenance; verify-attestations checks it", async () => {
  const dists = writeDists(join(work, "first"), { name: "attest-loop", version: "1.0.0" }).all;
  const run = await publish(dists);
  assert.equal(run.status, 0, run.out);
  assertClean(run.out);
  for (const dist of dists)
    assert.match(run.out, new RegExp(`attestation made for .*${basename(dist).replaceAll(".", "\\.")}`));
  const verified = world.events.filter((e) => e.type === "attestation" && e.outcome === "verified");
  assert.equal(verified.length, dists.length, JSON.stringify(verified));

  const page = (await (
    await fetch(`${world.index.simpleUrl}attest-loop/`, {
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
      ...["--index", world.index.simpleUrl, "--repository", REPO, "--issuer", world.issuer.url],
      ...["--trust-root", world.sigstore.trustedRootPath, "--json"],
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
      ...["--index", world.index.simpleUrl, "--repository", "octo/other", "--issuer", world.issuer.url],
      ...["--trust-root", world.sigstore.trustedRootPath],
    ],
    { cwd: work, env: { PATH: process.env["PATH"] ?? "", HOME: work } },
  );
  assert.equal(wrong.status, 1);
  assert.match(
    wrong.stdout,
    /FAILED .*signed in https:\/\/github\.com\/octo\/widget, not https:\/\/github\.com\/octo\/other/,
  );

  // The job runs again (a re-run): the files are there, the attestations verify and are kept.
  const before = world.sigstore.counts();
  const again = await publish(dists);
  assert.equal(again.status, 0, again.out);
  assert.match(again.out, /attestation verified and kept/);
  assert.deepEqual(world.sigstore.counts(), before, "no Sigstore round trip on a re-run");
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
  world.workflow = "nightly.yml";
  const nightly = await runAsync([process.execPath, CLI, "attest", ...dists, ...world.sigstoreArgs()], {
    cwd: work,
    env: world.env(),
  });
  assert.equal(nightly.status, 0, nightly.stderr);
  world.workflow = WORKFLOW;
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
