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
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { makeReleaseRepo, runRelease } from "../helpers/release-repo.ts";
import { credentialsIn, startTrustedWorld, type TrustedWorld } from "../helpers/trusted-world.ts";

const work = mkdtempSync(join(tmpdir(), "slipway-release-tp-"));
let world: TrustedWorld;

before(async () => {
  world = await startTrustedWorld({
    root: work,
    projects: ["slipway-demo-lib"],
    repository: "octo/demo-lib",
    workflow: "release.yml",
  });
});

after(async () => {
  await world?.close();
  rmSync(work, { recursive: true, force: true });
});

test("a release with trusted publishing and attestations, no secret anywhere", async () => {
  const r = await makeReleaseRepo(work, { cache: join(work, "cache") });
  try {
    const args = [...r.args];
    args[args.indexOf("--to") + 1] = world.index.uploadUrl;
    args[args.indexOf("--check-url") + 1] = world.index.simpleUrl;
    const sigstoreArgs = world.sigstoreArgs();
    // The job's environment without the OIDC permission first: no request URL, no bearer.
    const {
      ACTIONS_ID_TOKEN_REQUEST_URL: _url,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: _bearer,
      ...noPermission
    } = world.env();
    const env = {
      ...r.env,
      ...noPermission,
      HOME: r.env["HOME"] ?? work,
      TWINE_PASSWORD: "",
      TWINE_USERNAME: "",
    };

    // No id-token permission: the preflight says so, and nothing is committed or tagged.
    const refused = await runRelease(
      r,
      [...args, "--bump", "patch", "--trusted-publishing", "always", ...sigstoreArgs],
      { env },
    );
    assert.equal(refused.status, 1, `${refused.stderr}\n${refused.stdout}`);
    assert.match(`${refused.stderr}${refused.stdout}`, /id-token: write/);
    assert.equal(execFileSync("git", ["tag", "-l", "v0.1.1"], { cwd: r.project, encoding: "utf8" }), "");
    assert.equal(world.events.filter((e) => e.type === "upload").length, 0);

    const run = await runRelease(
      r,
      [...args, "--bump", "patch", "--trusted-publishing", "always", ...sigstoreArgs],
      {
        env: {
          ...env,
          ACTIONS_ID_TOKEN_REQUEST_URL: world.env()["ACTIONS_ID_TOKEN_REQUEST_URL"] ?? "",
          ACTIONS_ID_TOKEN_REQUEST_TOKEN: world.bearer,
        },
      },
    );
    assert.equal(run.status, 0, `${run.stderr}\n${run.stdout}`);
    const verified = world.events.filter((e) => e.type === "attestation" && e.outcome === "verified");
    assert.equal(verified.length, 2, "the wheel and the sdist came with verified attestations");
    const page = (await (
      await fetch(`${world.index.simpleUrl}slipway-demo-lib/`, {
        headers: { Accept: "application/vnd.pypi.simple.v1+json" },
      })
    ).json()) as { files: { filename: string; provenance: unknown }[] };
    assert.equal(page.files.length, 2);
    for (const file of page.files)
      assert.match(String(file.provenance), /\/integrity\/slipway-demo-lib\/0\.1\.1\//);
    assert.deepEqual(credentialsIn(world, `${run.stdout}\n${run.stderr}`), [], "a credential in the output");
  } finally {
    await r.close();
  }
});
