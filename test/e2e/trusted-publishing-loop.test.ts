/**
 * Trusted publishing end to end on loopback, both halves of slipway against each other: a
 * GitHub Actions job's OIDC token (signed by the test issuer, served by a stand-in of GitHub's
 * token endpoint) → `slipway publish --trusted-publishing always` asks the embedded index for
 * its audience and mints there (`index serve --trusted-publisher`: JWT verified against the
 * issuer's JWKS, the publisher matched) → the files land with the minted token. A project the
 * publisher is not configured for is refused at upload in the index's words, and no token is in
 * any output.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import type { IndexEvent } from "../../src/server/events.ts";
import { type RunningIndex, startIndex } from "../../src/server/index-server.ts";
import { writeDists } from "../helpers/dists.ts";
import { startIssuer, type TestIssuer } from "../helpers/oidc-issuer.ts";
import { runAsync } from "../helpers/run-async.ts";

const CLI = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "slipway-tp-loop-"));
const REPO = "octo/widget";
const WORKFLOW = "release.yml";
const BEARER = "gh-request-bearer-canary-7f3a";

let issuer: TestIssuer;
let index: RunningIndex;
let github: Server;
let githubUrl = "";
const events: IndexEvent[] = [];
const issued: string[] = [];

before(async () => {
  issuer = await startIssuer();
  index = await startIndex({
    root: join(work, "index"),
    trustedPublishing: {
      audience: "pypi",
      tokenLifetimeSeconds: 900,
      issuers: [{ url: issuer.url, kind: "github", jwksUrl: issuer.jwksUrl }],
      publishers: [
        { kind: "github", projects: ["tp-loop"], repository: REPO, workflow: WORKFLOW, environment: "pypi" },
      ],
    },
    onEvent: (e) => events.push(e),
  });
  // GitHub's token endpoint: the job's request bearer in, an ID token for the asked audience out.
  github = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (req.headers.authorization !== `Bearer ${BEARER}` || url.searchParams.get("audience") !== "pypi") {
      res.writeHead(401).end();
      return;
    }
    const jwt = issuer.sign(
      issuer.github({ repository: REPO, workflow: WORKFLOW, environment: "pypi", aud: "pypi" }),
    );
    issued.push(jwt);
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ value: jwt }));
  });
  await new Promise<void>((done) => github.listen(0, "127.0.0.1", () => done()));
  githubUrl = `http://127.0.0.1:${(github.address() as AddressInfo).port}/token?api-version=2.0`;
});

after(async () => {
  github.closeAllConnections();
  await new Promise<void>((done) => github.close(() => done()));
  await index.close();
  await issuer.close();
  rmSync(work, { recursive: true, force: true });
});

async function publish(name: string) {
  const dists = writeDists(join(work, name), { name, version: "1.0.0" }).all;
  const r = await runAsync(
    [
      process.execPath,
      CLI,
      "publish",
      ...dists,
      "--to",
      index.uploadUrl,
      "--check-url",
      index.simpleUrl,
      "--trusted-publishing",
      "always",
      // Attestations are test/e2e/attest-publish-loop.test.ts's.
      "--attestations",
      "never",
    ],
    {
      cwd: work,
      env: {
        PATH: process.env["PATH"] ?? "",
        HOME: work,
        GITHUB_ACTIONS: "true",
        ACTIONS_ID_TOKEN_REQUEST_URL: githubUrl,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: BEARER,
      },
    },
  );
  return { ...r, dists, out: r.stdout + r.stderr };
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

test("the job's OIDC token is minted at the embedded index and the files land", async () => {
  const run = await publish("tp-loop");
  assert.equal(run.status, 0, run.out);
  assert.match(run.stdout.split("\n")[0] ?? "", /^::add-mask::pypi-/, "the minted token is masked first");
  const page = await (await fetch(`${index.simpleUrl}tp-loop/`)).text();
  for (const dist of run.dists) assert.ok(page.includes(dist.split("/").pop()!), page);
  assert.ok(
    events.some((e) => e.type === "mint"),
    "the index minted",
  );
  assertClean(run.out);
});

test("a project the publisher does not cover: the minted token is refused for it, in the index's words, and nothing lands", async () => {
  // As on PyPI, the mint knows the publisher, not the project: the upload is what refuses.
  const run = await publish("tp-other");
  assert.equal(run.status, 1, run.out);
  assert.match(
    run.out,
    /the index answered 403 The given token isn't allowed to upload to project 'tp-other': it was minted by trusted publishing for tp-loop/,
  );
  assert.match(
    run.out,
    /hint: The token trusted publishing minted covers other projects: add a trusted publisher for this project/,
  );
  const page = await fetch(`${index.simpleUrl}tp-other/`);
  assert.equal(page.status, 404, "nothing was uploaded");
  assertClean(run.out);
});
