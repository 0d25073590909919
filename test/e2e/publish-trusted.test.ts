/**
 * Trusted publishing end to end on loopback: a stand-in written here plays GitHub's OIDC token
 * endpoint (it checks the request bearer and the audience) and PyPI's `/_/oidc/audience` and
 * `/_/oidc/mint-token` (success, or each of PyPI's error shapes), and passes uploads and simple
 * pages through to the embedded index, whose upload token is exactly what the stand-in mints.
 * `slipway publish` runs as in a GitHub job: the files land, `::add-mask::` comes first on
 * stdout, a short expiry forces a refresh with a fresh OIDC token, and neither the canary OIDC
 * token nor the minted token appears in any output (text, --json, --verbose, failures) beyond
 * the mask line.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { inspect } from "node:util";
import { publish } from "../../src/ops/publish.ts";
import { trustedPublishingApplies } from "../../src/ops/publish-trusted.ts";
import { Secret } from "../../src/secret.ts";
import { type RunningIndex, startIndex } from "../../src/server/index-server.ts";
import { writeDists } from "../helpers/dists.ts";
import { runAsync } from "../helpers/run-async.ts";

const MINTED = "mintcanary-5e0b7c2d9a4f1e86b3";
const REQUEST_BEARER = "ghreqcanary-83d1c6a0f7e2b945";
const SIG = "oidcsigcanary4b9d2e7f1a";
const AUDIENCE = "slipway-test-audience";
const CLI = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));

const work = mkdtempSync(join(tmpdir(), "slipway-tp-"));
let index: RunningIndex;
let standin: Server;
let base = "";

/** What the stand-in does next, and what it saw. */
const state = {
  mint: "ok" as string,
  expiresIn: 900,
  claims: {} as Record<string, string>,
  issued: [] as string[],
  minted: [] as string[],
  badRequests: [] as string[],
};

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = "";
    req.on("data", (c: Buffer) => {
      text += c.toString();
    });
    req.on("end", () => resolve(text));
  });
}

function proxy(req: IncomingMessage, res: import("node:http").ServerResponse): void {
  const target = new URL(req.url ?? "/", index.url);
  const out = request(
    target,
    { method: req.method, headers: { ...req.headers, host: target.host } },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.headers);
      answer.pipe(res);
    },
  );
  out.on("error", () => res.writeHead(502).end());
  req.pipe(out);
}

function startStandin(): Promise<Server> {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const json = (status: number, value: unknown) =>
      res.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(value));
    if (url.pathname === "/gh-token") {
      await body(req);
      if (req.headers.authorization !== `Bearer ${REQUEST_BEARER}`) {
        state.badRequests.push("bearer");
        return json(403, { message: "bad bearer" });
      }
      if (url.searchParams.get("audience") !== AUDIENCE || url.searchParams.get("api-version") !== "2.0") {
        state.badRequests.push(`audience ${url.search}`);
        return json(400, { message: "bad audience" });
      }
      const jwt = `${b64url({ alg: "RS256", typ: "JWT" })}.${b64url({
        jti: `jti-${state.issued.length}`,
        aud: AUDIENCE,
        sub: "repo:octo/demo:environment:pypi",
        repository: "octo/demo",
        workflow_ref: "octo/demo/.github/workflows/release.yml@refs/tags/v1",
        job_workflow_ref: "octo/demo/.github/workflows/release.yml@refs/tags/v1",
        environment: "pypi",
        ref: "refs/tags/v1",
        ...state.claims,
      })}.${SIG}${state.issued.length}`;
      state.issued.push(jwt);
      return json(200, { count: 1, value: jwt });
    }
    if (url.pathname === "/computeMetadata/v1/instance/service-accounts/default/identity") {
      if (req.headers["metadata-flavor"] !== "Google" || url.searchParams.get("audience") !== AUDIENCE) {
        state.badRequests.push("google");
        return res.writeHead(403).end();
      }
      const jwt = `${b64url({ alg: "RS256" })}.${b64url({ sub: "1234567890", aud: AUDIENCE })}.${SIG}g${state.issued.length}`;
      state.issued.push(jwt);
      return res.writeHead(200, { "Content-Type": "text/plain" }).end(jwt);
    }
    if (url.pathname === "/_/oidc/audience") return json(200, { audience: AUDIENCE });
    if (url.pathname === "/_/oidc/mint-token") {
      const sent = JSON.parse(await body(req)) as { token?: string };
      if (sent.token === undefined || !state.issued.includes(sent.token)) {
        return json(422, {
          message: "Token request failed",
          errors: [{ code: "invalid-token", description: "unknown" }],
        });
      }
      if (state.minted.includes(sent.token)) {
        return json(422, {
          message: "Token request failed",
          errors: [{ code: "invalid-reuse-token", description: "replayed" }],
        });
      }
      state.minted.push(sent.token);
      if (state.mint !== "ok") {
        return json(422, {
          message: "Token request failed",
          errors: [{ code: state.mint, description: `the index says ${state.mint}` }],
        });
      }
      return json(200, {
        success: true,
        token: MINTED,
        expires: Math.floor(Date.now() / 1000) + state.expiresIn,
      });
    }
    proxy(req, res);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

before(async () => {
  index = await startIndex({ root: join(work, "index"), token: MINTED });
  standin = await startStandin();
  base = `http://127.0.0.1:${(standin.address() as AddressInfo).port}`;
});

after(async () => {
  standin.closeAllConnections();
  await new Promise<void>((done) => standin.close(() => done()));
  await index.close();
  rmSync(work, { recursive: true, force: true });
});

function reset(mint = "ok", expiresIn = 900, claims: Record<string, string> = {}): void {
  Object.assign(state, { mint, expiresIn, claims, issued: [], minted: [], badRequests: [] });
}

const GITHUB = {
  GITHUB_ACTIONS: "true",
  ACTIONS_ID_TOKEN_REQUEST_URL: "",
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: REQUEST_BEARER,
};

async function cli(args: string[], env: Record<string, string>) {
  const result = await runAsync([process.execPath, CLI, "publish", ...args], {
    cwd: work,
    env: { PATH: process.env["PATH"] ?? "", HOME: work, ...env },
  });
  return {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    out: result.stdout + result.stderr,
  };
}

function github(extra: Record<string, string> = {}): Record<string, string> {
  return { ...GITHUB, ACTIONS_ID_TOKEN_REQUEST_URL: `${base}/gh-token?api-version=2.0`, ...extra };
}

/** No credential in the output: the mask lines removed, neither token nor any OIDC token. */
function assertClean(where: string, out: string): void {
  const rest = out
    .split("\n")
    .filter((line) => line !== `::add-mask::${MINTED}`)
    .join("\n");
  for (const secret of [
    MINTED,
    REQUEST_BEARER,
    SIG,
    ...state.issued,
    ...state.issued.map((t) => t.split(".")[1] ?? ""),
  ]) {
    assert.ok(!rest.includes(secret), `${where}: a credential leaked:\n${rest.slice(0, 3000)}`);
  }
}

function files(name: string): string[] {
  return writeDists(join(work, name), { name, version: "1" }).all;
}

// Attestations (on by default with trusted publishing) are test/e2e/attest-publish-loop.test.ts's;
// here they would sign at Sigstore's public instance.
function target(): string[] {
  return [
    "--to",
    `${base}/legacy/`,
    "--check-url",
    `${base}/simple/`,
    "--concurrency",
    "1",
    "--attestations",
    "never",
  ];
}

test("GitHub Actions: the OIDC token is traded for an upload token, masked first, and the files land", async () => {
  for (const [label, flags] of [
    ["text", []],
    ["json", ["--json"]],
    ["verbose", ["--verbose"]],
  ] as const) {
    reset();
    const name = `tp-demo-${label}`;
    const dists = files(name);
    const run = await cli([...dists, ...target(), ...flags], github());
    assert.equal(run.status, 0, `${label}: ${run.out}`);
    assert.deepEqual(state.badRequests, []);
    assert.equal(state.minted.length, 1, label);
    assert.equal(run.stdout.split("\n")[0], `::add-mask::${MINTED}`, `${label}: the mask comes first`);
    assertClean(label, run.out);
    const page = await fetch(`${index.simpleUrl}${name}/`);
    const html = await page.text();
    for (const dist of dists) assert.ok(html.includes(dist.split("/").pop() ?? "?"), `${label}: ${html}`);
  }
});

test("a token about to expire is minted again, with a fresh OIDC token, before each upload", async () => {
  reset("ok", 3);
  const dists = files("tp-refresh");
  const run = await cli([...dists, ...target(), "--trusted-publishing", "always"], github());
  assert.equal(run.status, 0, run.out);
  assert.ok(state.minted.length >= 3, `minted ${state.minted.length} times`);
  assert.equal(new Set(state.minted).size, state.minted.length, "each OIDC token minted once");
  assertClean("refresh", run.out);
});

test("a missing id-token: write permission and a fork pull request are explained", async () => {
  reset();
  const dists = files("tp-perm");
  const always = ["--trusted-publishing", "always"];
  const missing = await cli([...dists, ...target(), ...always], { GITHUB_ACTIONS: "true" });
  assert.equal(missing.status, 2, missing.out);
  assert.match(missing.out, /id-token: write/);
  const fork = await cli([...dists, ...target(), ...always], {
    GITHUB_ACTIONS: "true",
    GITHUB_EVENT_NAME: "pull_request",
  });
  assert.equal(fork.status, 2, fork.out);
  assert.match(fork.out, /fork/);
  const json = await cli([...dists, ...target(), "--json", ...always], { GITHUB_ACTIONS: "true" });
  assert.match(json.stdout, /id-token: write/);
  // auto, on an index that is not PyPI (it may take anonymous uploads): steps aside, and the
  // embedded index refuses the upload without a token.
  const auto = await cli([...dists, ...target()], { GITHUB_ACTIONS: "true" });
  assert.equal(auto.status, 1, auto.out);
  assert.doesNotMatch(auto.out, /id-token/);
});

test("every mint error code is explained beside the token's claims, in text, --json and --verbose", async () => {
  const codes = [
    "invalid-publisher",
    "invalid-pending-publisher",
    "invalid-token",
    "invalid-payload",
    "not-enabled",
    "invalid-claims",
  ];
  for (const code of codes) {
    for (const flags of [[], ["--json"], ["--verbose"]]) {
      reset(code);
      const run = await cli([...files(`tp-err-${code}`), ...target(), ...flags], github());
      assert.equal(run.status, 2, `${code}: ${run.out}`);
      assert.ok(run.out.includes(code), `${code}: ${run.out}`);
      assert.match(run.out, /repository: octo\/demo/);
      assert.match(run.out, /workflow file name: release\.yml/);
      assert.match(run.out, /environment: pypi/);
      assert.ok(!run.stdout.includes("::add-mask::"), "nothing minted, nothing to mask");
      assertClean(code, run.out);
    }
  }
});

test("a reusable workflow: the calling workflow is the one to register", async () => {
  reset("invalid-publisher", 900, {
    job_workflow_ref: "octo/shared/.github/workflows/publish.yml@refs/heads/main",
  });
  const run = await cli([...files("tp-reusable"), ...target()], github());
  assert.equal(run.status, 2, run.out);
  assert.match(run.out, /reusable workflow/);
  assert.match(run.out, /workflow file name: release\.yml/);
  assertClean("reusable", run.out);
});

test("modes: never sends no OIDC request; always refuses a configured password and a missing provider", async () => {
  reset();
  const dists = files("tp-modes");
  const never = await cli([...dists, ...target(), "--trusted-publishing", "never", "--dry-run"], github());
  assert.equal(state.issued.length, 0, never.out);
  const mixed = await cli(
    [...dists, ...target(), "--trusted-publishing", "always"],
    github({ TWINE_PASSWORD: "pw-x9q7" }),
  );
  assert.equal(mixed.status, 2, mixed.out);
  assert.match(mixed.out, /configured too/);
  const none = await cli([...dists, ...target(), "--trusted-publishing", "always"], {});
  assert.equal(none.status, 2, none.out);
  assert.match(none.out, /no OIDC token provider/);
  const bad = await cli([...dists, ...target(), "--trusted-publishing", "sometimes"], {});
  assert.equal(bad.status, 2, bad.out);
  assert.equal(state.issued.length, 0);
});

test("GitLab CI's PYPI_ID_TOKEN and Google Cloud's metadata server are providers too", async () => {
  reset();
  const gitlabJwt = `${b64url({ alg: "RS256" })}.${b64url({ sub: "project_path:octo/demo:ref_type:tag:ref:v1" })}.${SIG}gl`;
  state.issued.push(gitlabJwt);
  const gitlab = await cli([...files("tp-gitlab"), ...target()], {
    GITLAB_CI: "true",
    PYPI_ID_TOKEN: gitlabJwt,
  });
  assert.equal(gitlab.status, 0, gitlab.out);
  assert.deepEqual(state.minted, [gitlabJwt]);
  assert.ok(!gitlab.stdout.includes("::add-mask::"), "only GitHub reads mask commands");
  assertClean("gitlab", gitlab.out);
  const missing = await cli([...files("tp-gitlab-missing"), ...target(), "--trusted-publishing", "always"], {
    GITLAB_CI: "true",
  });
  assert.equal(missing.status, 2, missing.out);
  assert.match(missing.out, /id_tokens/);
  assert.ok(missing.out.includes(AUDIENCE), missing.out);

  reset();
  const google = await cli([...files("tp-google"), ...target()], {
    GCE_METADATA_HOST: base.slice("http://".length),
  });
  assert.equal(google.status, 0, google.out);
  assert.deepEqual(state.badRequests, []);
  assert.equal(state.minted.length, 1);
  assertClean("google", google.out);
});

test("library: a custom oidcProvider and maskToken; the release preflight's view of it", async () => {
  reset();
  const jwt = `${b64url({ alg: "RS256" })}.${b64url({ sub: "custom" })}.${SIG}custom`;
  state.issued.push(jwt);
  const audiences: string[] = [];
  const masked: string[] = [];
  const events: unknown[] = [];
  const report = await publish({
    cwd: work,
    env: {},
    dists: files("tp-library"),
    to: `${base}/legacy/`,
    checkUrl: `${base}/simple/`,
    attestations: "never",
    oidcProvider: async (audience) => {
      audiences.push(audience);
      return jwt;
    },
    maskToken: (token) => masked.push(token.reveal()),
    onEvent: (e) => events.push(e),
  });
  assert.equal(report.ok, true);
  assert.deepEqual(audiences, [AUDIENCE]);
  assert.deepEqual(masked, [MINTED]);
  assertClean(
    "library",
    `${JSON.stringify(report)}${JSON.stringify(events)}${inspect(report, { depth: 9 })}`,
  );

  const none = {};
  assert.equal(trustedPublishingApplies({ env: {} }, none), false);
  assert.equal(trustedPublishingApplies({ env: { GITHUB_ACTIONS: "true" } }, none), true);
  assert.equal(trustedPublishingApplies({ env: { GITLAB_CI: "true" } }, none), true);
  assert.equal(trustedPublishingApplies({ env: {}, trustedPublishing: "always" }, none), true);
  assert.equal(
    trustedPublishingApplies({ env: { GITHUB_ACTIONS: "true" }, trustedPublishing: "never" }, none),
    false,
  );
  assert.equal(
    trustedPublishingApplies({ env: { GITHUB_ACTIONS: "true" } }, { password: new Secret("pw-x9q7") }),
    false,
  );
});
