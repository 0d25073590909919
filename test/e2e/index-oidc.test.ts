/**
 * Trusted publishing on the embedded index, on loopback: a test OIDC issuer (its own keys and
 * JWKS) → `/_/oidc/mint-token` → an upload with the minted token (raw and by twine), scoped to the
 * publisher's project and refused after expiry; every mint error code PyPI answers; and neither
 * the JWT nor the minted token in anything the index emits.
 */
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import type { IndexEvent, RunningIndex } from "../../src/server/index-server.ts";
import { startIndex } from "../../src/server/index-server.ts";
import type { TrustedPublishingConfig } from "../../src/server/oidc/config.ts";
import { loadTrustedPublishingConfig } from "../../src/server/oidc/config.ts";
import { TrustedPublishing } from "../../src/server/oidc/mint.ts";
import { CLI } from "../helpers/cli.ts";
import { writeDists } from "../helpers/dists.ts";
import { makeWheel, rawRequest, uploadRaw } from "../helpers/index-client.ts";
import { startIssuer, type TestIssuer } from "../helpers/oidc-issuer.ts";
import { peersPython } from "../helpers/peers.ts";
import { runAsync } from "../helpers/run-async.ts";

const work = mkdtempSync(join(tmpdir(), "slipway-index-oidc-"));
let github: TestIssuer;
let gitlab: TestIssuer;
let index: RunningIndex;
const events: IndexEvent[] = [];
/** Added to the index's clock: moves it past a minted token's expiry. */
let skewMs = 0;

const REPO = "octo/widget";
const WORKFLOW = "release.yml";

function config(): TrustedPublishingConfig {
  return {
    audience: "pypi",
    tokenLifetimeSeconds: 60,
    issuers: [
      { url: github.url, kind: "github", jwksUrl: github.jwksUrl },
      { url: gitlab.url, kind: "gitlab", jwks: gitlab.jwks },
    ],
    publishers: [
      { kind: "github", projects: ["widget"], repository: REPO, workflow: WORKFLOW, environment: "pypi" },
      { kind: "gitlab", projects: ["gadget"], projectPath: "group/gadget", ciConfigPath: ".gitlab-ci.yml" },
    ],
  };
}

before(async () => {
  github = await startIssuer();
  gitlab = await startIssuer();
  index = await startIndex({
    root: join(work, "index"),
    trustedPublishing: config(),
    now: () => Date.now() + skewMs,
    onEvent: (e) => events.push(e),
  });
});
after(async () => {
  await index?.close();
  await github?.close();
  await gitlab?.close();
  rmSync(work, { recursive: true, force: true });
});

interface MintAnswer {
  status: number;
  json: {
    success?: boolean;
    token?: string;
    expires?: number;
    message?: string;
    errors?: { code: string; description: string }[];
  };
  text: string;
}

async function mintRaw(body: string | Buffer, base = index.url): Promise<MintAnswer> {
  const buffer = Buffer.isBuffer(body) ? body : Buffer.from(body);
  const r = await rawRequest(base, "/_/oidc/mint-token", {
    method: "POST",
    body: buffer,
    headers: { "Content-Type": "application/json", "Content-Length": buffer.length },
  });
  const text = r.body.toString();
  let json: MintAnswer["json"] = {};
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: r.status, json, text };
}

const mint = (jwt: string) => mintRaw(JSON.stringify({ token: jwt }));
const goodGithub = (over: Partial<Parameters<TestIssuer["github"]>[0]> = {}) =>
  github.github({ repository: REPO, workflow: WORKFLOW, environment: "pypi", ...over });

function assertMintError(r: MintAnswer, code: string, pattern?: RegExp): void {
  assert.equal(r.status, 422, r.text);
  assert.equal(r.json.message, "Token request failed");
  assert.equal(r.json.errors?.length, 1, r.text);
  assert.equal(r.json.errors?.[0]?.code, code, r.text);
  if (pattern) assert.match(r.json.errors?.[0]?.description ?? "", pattern);
}

const wheelOf = (name: string, version = "1.0") => ({ ...makeWheel({ name, version }), name, version });

describe("audience and minting", () => {
  test("GET /_/oidc/audience answers the configured audience", async () => {
    const r = await rawRequest(index.url, "/_/oidc/audience");
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.body.toString()), { audience: "pypi" });
  });

  test("an index without trusted publishing answers 403 / not-enabled, as PyPI", async () => {
    const plain = await startIndex({ root: join(work, "plain") });
    try {
      const a = await rawRequest(plain.url, "/_/oidc/audience");
      assert.equal(a.status, 403);
      assert.deepEqual(JSON.parse(a.body.toString()), {
        message: "Trusted publishing functionality not enabled",
      });
      assertMintError(await mintRaw(JSON.stringify({ token: "x" }), plain.url), "not-enabled");
    } finally {
      await plain.close();
    }
  });

  test("a GitHub token (RS256, fetched JWKS) mints a token that uploads its project only", async () => {
    const r = await mint(github.sign(goodGithub()));
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.success, true);
    assert.equal(typeof r.json.token, "string");
    const now = Math.floor(Date.now() / 1000);
    assert.ok((r.json.expires ?? 0) > now + 50 && (r.json.expires ?? 0) <= now + 61, String(r.json.expires));
    const token = r.json.token ?? "";
    const own = await uploadRaw(index.uploadUrl, token, wheelOf("widget"));
    assert.equal(own.status, 200, own.statusMessage);
    const other = await uploadRaw(index.uploadUrl, token, wheelOf("gadget"));
    assert.equal(other.status, 403);
    assert.match(other.statusMessage, /isn't allowed to upload to project 'gadget'/);
    // The index's own token still works alongside.
    assert.equal((await uploadRaw(index.uploadUrl, index.token, wheelOf("gadget", "0.1"))).status, 200);
  });

  test("an ES256 token works too, and the JWKS is fetched once and cached", async () => {
    const before = github.fetches();
    const r = await mint(github.sign(goodGithub(), { alg: "ES256" }));
    assert.equal(r.status, 200, r.text);
    assert.equal(github.fetches(), before);
  });

  test("a GitLab token (inline JWKS) mints for its project", async () => {
    const claims = gitlab.gitlab({ projectPath: "group/gadget", ciConfigPath: ".gitlab-ci.yml" });
    const r = await mint(gitlab.sign(claims, { alg: "ES256" }));
    assert.equal(r.status, 200, r.text);
    assert.equal(
      (await uploadRaw(index.uploadUrl, r.json.token ?? "", wheelOf("gadget", "0.2"))).status,
      200,
    );
    assert.equal(
      (await uploadRaw(index.uploadUrl, r.json.token ?? "", wheelOf("widget", "0.2"))).status,
      403,
    );
  });

  test("a minted token is refused after it expires", async () => {
    const r = await mint(github.sign(goodGithub()));
    assert.equal(r.status, 200, r.text);
    skewMs = 61_000;
    try {
      const late = await uploadRaw(index.uploadUrl, r.json.token ?? "", wheelOf("widget", "1.1"));
      assert.equal(late.status, 403);
      assert.match(late.statusMessage, /expired/);
    } finally {
      skewMs = 0;
    }
  });

  test("twine uploads with the minted token as TWINE_PASSWORD", async () => {
    const r = await mint(github.sign(goodGithub()));
    assert.equal(r.status, 200, r.text);
    const dir = join(work, "twine-dist");
    mkdirSync(dir, { recursive: true });
    const wheel = wheelOf("widget", "2.0");
    writeFileSync(join(dir, wheel.filename), wheel.bytes);
    const ran = await new Promise<{ code: number; out: string }>((resolve) => {
      execFile(
        join(dirname(peersPython()), "twine"),
        [
          "upload",
          "--non-interactive",
          "--disable-progress-bar",
          "--repository-url",
          index.uploadUrl,
          join(dir, wheel.filename),
        ],
        {
          env: {
            ...process.env,
            TWINE_USERNAME: "__token__",
            TWINE_PASSWORD: r.json.token ?? "",
            NO_COLOR: "1",
          },
          timeout: 120_000,
        },
        (error, stdout, stderr) =>
          resolve({
            code: error ? (typeof error.code === "number" ? error.code : 1) : 0,
            out: `${stdout}${stderr}`,
          }),
      );
    });
    assert.equal(ran.code, 0, ran.out);
    const page = await rawRequest(index.url, "/simple/widget/", {
      headers: { Accept: "application/vnd.pypi.simple.v1+json" },
    });
    assert.match(page.body.toString(), /widget-2\.0-py3-none-any\.whl/);
  });
});

describe("each mint error, as PyPI codes it", () => {
  test("bad signature (a key the JWKS does not hold)", async () => {
    assertMintError(
      await mint(github.sign(goodGithub(), { foreignKey: true })),
      "invalid-token",
      /signature/,
    );
  });
  test("a tampered payload", async () => {
    const [h, , s] = github.sign(goodGithub()).split(".");
    const forged = Buffer.from(JSON.stringify({ ...goodGithub(), repository: "evil/widget" })).toString(
      "base64url",
    );
    assertMintError(await mint(`${h}.${forged}.${s}`), "invalid-token", /signature/);
  });
  test("unknown issuer", async () => {
    assertMintError(
      await mint(github.sign({ ...goodGithub(), iss: "https://evil.example" })),
      "invalid-payload",
      /unknown trusted publishing issuer/,
    );
  });
  test("wrong audience", async () => {
    assertMintError(await mint(github.sign(goodGithub({ aud: "testpypi" }))), "invalid-token", /audience/);
  });
  test("expired, and not yet valid", async () => {
    const claims = goodGithub();
    const old = {
      ...claims,
      exp: (claims.exp as number) - 3600,
      iat: (claims.iat as number) - 4000,
      nbf: (claims.nbf as number) - 4000,
    };
    assertMintError(await mint(github.sign(old)), "invalid-token", /expired/);
    assertMintError(
      await mint(github.sign({ ...claims, nbf: (claims.nbf as number) + 3600 })),
      "invalid-token",
      /not yet valid/,
    );
  });
  test("a replayed jti: each JWT mints once", async () => {
    const jwt = github.sign(goodGithub());
    assert.equal((await mint(jwt)).status, 200);
    assertMintError(await mint(jwt), "invalid-reuse-token");
  });
  test("unknown publisher: wrong repository, workflow or environment; a GitLab CI file", async () => {
    assertMintError(
      await mint(github.sign(goodGithub({ repository: "octo/other" }))),
      "invalid-publisher",
      /repository/,
    );
    assertMintError(
      await mint(github.sign(goodGithub({ workflow: "ci.yml" }))),
      "invalid-publisher",
      /workflow/,
    );
    assertMintError(
      await mint(github.sign(goodGithub({ environment: "staging" }))),
      "invalid-publisher",
      /environment/,
    );
    const noEnv = github.github({ repository: REPO, workflow: WORKFLOW });
    assertMintError(await mint(github.sign(noEnv)), "invalid-publisher", /environment/);
    const claims = gitlab.gitlab({ projectPath: "group/gadget", ciConfigPath: "ci/other.yml" });
    assertMintError(await mint(gitlab.sign(claims)), "invalid-publisher", /CI config/);
  });
  test("a reusable workflow: job_workflow_ref in another repository does not match", async () => {
    const claims = {
      ...goodGithub(),
      job_workflow_ref: `octo/shared/.github/workflows/${WORKFLOW}@refs/heads/main`,
    };
    assertMintError(await mint(github.sign(claims)), "invalid-publisher");
  });
  test("alg none, HS256 and an unknown kid are refused", async () => {
    const claims = goodGithub();
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
    const none = `${b64({ alg: "none", typ: "JWT" })}.${b64(claims)}.`;
    assertMintError(await mint(none), "invalid-payload");
    const noneSig = `${b64({ alg: "none", typ: "JWT" })}.${b64(claims)}.AAAA`;
    assertMintError(await mint(noneSig), "invalid-token", /algorithm/);
    assertMintError(
      await mint(github.sign(claims, { header: { alg: "HS256" } })),
      "invalid-token",
      /algorithm/,
    );
    assertMintError(
      await mint(github.sign(goodGithub(), { header: { kid: "nope" } })),
      "invalid-token",
      /kid/,
    );
  });
  test("garbage: bad JSON, wrong shapes, bad base64, huge bodies", async () => {
    assertMintError(await mintRaw("{not json"), "invalid-payload");
    assertMintError(await mintRaw("[]"), "invalid-payload");
    assertMintError(await mintRaw(JSON.stringify({ token: 42 })), "invalid-payload");
    assertMintError(await mint("a.b"), "invalid-payload");
    assertMintError(await mint("!!!.***.###"), "invalid-payload");
    assertMintError(await mint(`${Buffer.from("[1]").toString("base64url")}.e30.AA`), "invalid-payload");
    assertMintError(await mint("x".repeat(20_000)), "invalid-payload");
    assertMintError(await mintRaw(Buffer.alloc(200_000, 0x20)), "invalid-payload");
    const r = await rawRequest(index.url, "/_/oidc/mint-token");
    assert.equal(r.status, 405);
  });
});

test("the JWT and the minted token never appear in the index's events", async () => {
  const jwt = github.sign(goodGithub());
  const r = await mint(jwt);
  assert.equal(r.status, 200);
  const token = r.json.token ?? "";
  assert.equal(
    (await uploadRaw(`${index.uploadUrl}?password=${token}`, token, wheelOf("widget", "3.0"))).status,
    200,
  );
  await mint(jwt);
  const text = JSON.stringify(events);
  const sig = jwt.split(".")[2] ?? "";
  for (const secret of [jwt, sig, token, token.slice(5)])
    assert.ok(!text.includes(secret), "a secret leaked into events");
  assert.ok(events.some((e) => e.type === "request" && e.path === "/_/oidc/mint-token"));
  const mints = events.filter((e) => e.type === "mint");
  assert.ok(
    mints.some(
      (e) =>
        e.outcome === "minted" &&
        e.projects.join() === "widget" &&
        e.subject === `repo:${REPO}:environment:pypi` &&
        e.issuer === github.url,
    ),
    JSON.stringify(mints),
  );
  assert.ok(mints.some((e) => e.outcome === "refused" && e.code === "invalid-reuse-token"));
  // A hostile sub cannot break a log line.
  await mint(github.sign({ ...goodGithub(), sub: "evil\n\u001b[31mfake line" }));
  const last = events.filter((e) => e.type === "mint").at(-1);
  assert.equal(last?.type === "mint" ? last.subject : "", "evil??[31mfake line");
});

test("the config loads from TOML and JSON, and bad shapes are usage errors", async () => {
  const toml = join(work, "tp.toml");
  writeFileSync(
    toml,
    [
      'audience = "testpypi"',
      "[[issuers]]",
      'url = "https://token.actions.githubusercontent.com"',
      'kind = "github"',
      'jwksUrl = "https://token.actions.githubusercontent.com/.well-known/jwks"',
      "[[publishers]]",
      'kind = "github"',
      'projects = ["My_Package"]',
      'repository = "octo/widget"',
      'workflow = "release.yml"',
      "",
    ].join("\n"),
  );
  const loaded = await loadTrustedPublishingConfig(toml);
  assert.equal(loaded.audience, "testpypi");
  assert.equal(loaded.tokenLifetimeSeconds, 900);
  assert.deepEqual(loaded.publishers[0]?.projects, ["my-package"]);
  const json = join(work, "tp.json");
  writeFileSync(
    json,
    JSON.stringify({ issuers: [{ url: "https://gitlab.com", kind: "gitlab" }], publishers: [] }),
  );
  await assert.rejects(loadTrustedPublishingConfig(json), /exactly one of 'jwksUrl' and 'jwks'/);
  writeFileSync(json, "{");
  await assert.rejects(loadTrustedPublishingConfig(json), /not valid JSON/);
  writeFileSync(
    json,
    JSON.stringify({
      ...config(),
      publishers: [
        { kind: "github", projects: ["x"], repository: "o/r", workflow: ".github/workflows/x.yml" },
      ],
    }),
  );
  await assert.rejects(loadTrustedPublishingConfig(json), /file name/);
});

test("slipway index serve --trusted-publisher: mints, uploads, and logs neither the JWT nor the token", async () => {
  const cfg = join(work, "cli-tp.json");
  writeFileSync(cfg, JSON.stringify({ ...config(), tokenLifetimeSeconds: 900 }));
  const main = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
  const argv = [main, "index", "serve", "--root", join(work, "cli"), "--trusted-publisher", cfg];
  for (const extra of [[], ["--json"]]) {
    const child = spawn(process.execPath, [...argv, ...extra], {
      env: { ...process.env, CI: "true", NO_COLOR: "1" },
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      output += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    const jwt = github.sign(goodGithub());
    let token = "";
    try {
      let base = "";
      for (let waited = 0; base === "" && waited < 15_000; waited += 20) {
        base = /(http:\/\/127\.0\.0\.1:\d+\/)legacy\//.exec(output)?.[1] ?? "";
        if (base === "") await new Promise((r) => setTimeout(r, 20));
      }
      assert.notEqual(base, "", output);
      if (extra.length === 0)
        assert.match(output, /trusted publishing {2}http:\/\/127\.0\.0\.1:\d+\/_\/oidc\/mint-token/);
      const r = await mintRaw(JSON.stringify({ token: jwt }), base);
      assert.equal(r.status, 200, r.text);
      token = r.json.token ?? "";
      const version = extra.length === 0 ? "5.0" : "5.1";
      assert.equal((await uploadRaw(`${base}legacy/`, token, wheelOf("widget", version))).status, 200);
      assertMintError(await mintRaw(JSON.stringify({ token: jwt }), base), "invalid-reuse-token");
      for (let waited = 0; !output.includes("widget-") && waited < 5000; waited += 20) {
        await new Promise((r) => setTimeout(r, 20));
      }
    } finally {
      child.kill("SIGTERM");
    }
    assert.equal(await exited, 0, output);
    assert.match(output, /mint-token/);
    if (extra.length === 0) {
      assert.match(
        output,
        /mint for repo:octo\/widget:environment:pypi \(http:\/\/127\.0\.0\.1:\d+\): a token for widget/,
      );
      assert.match(output, /mint refused for repo:octo\/widget:environment:pypi: invalid-reuse-token/);
    } else assert.match(output, /"type":"mint","outcome":"minted"/);
    for (const secret of [jwt, jwt.split(".")[2] ?? "", token, token.slice(5, 20)]) {
      assert.ok(!output.includes(secret), `a secret leaked into the output:\n${output}`);
    }
  }
});

test("slipway index serve --trusted-publisher with a broken config fails with a usage error", async () => {
  const cfg = join(work, "broken.toml");
  writeFileSync(cfg, '[[issuers]]\nurl = "https://gitlab.com"\nkind = "bitbucket"\n');
  const main = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
  const ran = await new Promise<{ code: number | null; out: string }>((resolve) => {
    execFile(
      process.execPath,
      [main, "index", "serve", "--root", join(work, "cli2"), "--trusted-publisher", cfg],
      (error, stdout, stderr) =>
        resolve({
          code: error ? (typeof error.code === "number" ? error.code : 1) : 0,
          out: `${stdout}${stderr}`,
        }),
    );
  });
  assert.notEqual(ran.code, 0, ran.out);
  assert.match(ran.out, /'kind' must be "github" or "gitlab"/);
});

test("a JWKS that is unreachable, oversized, slow or not JSON refuses the mint (invalid-token), never hangs", async () => {
  const { createServer } = await import("node:http");
  const held: import("node:http").ServerResponse[] = [];
  const server = createServer((req, res) => {
    if (req.url === "/big") res.end(JSON.stringify({ keys: [{ kty: "RSA", n: "x".repeat(300_000) }] }));
    else if (req.url === "/slow") held.push(res);
    else res.end("<html>not json</html>");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const origin = `http://127.0.0.1:${(server.address() as import("node:net").AddressInfo).port}`;
  try {
    for (const [jwksUrl, pattern] of [
      ["http://127.0.0.1:9/jwks", /could not be fetched/],
      [`${origin}/big`, /larger than 256 KiB/],
      [`${origin}/slow`, /could not be fetched/],
      [`${origin}/html`, /could not be fetched/],
    ] as const) {
      const tp = new TrustedPublishing(
        { ...config(), issuers: [{ url: github.url, kind: "github", jwksUrl }] },
        { jwksTimeoutMs: 300 },
      );
      const started = Date.now();
      const r = await tp.mint(github.sign(goodGithub()));
      assert.ok(Date.now() - started < 3000);
      assert.equal(r.ok, false);
      assert.equal(r.ok ? "" : r.code, "invalid-token");
      assert.match(r.ok ? "" : r.description, pattern);
    }
  } finally {
    for (const res of held) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
});

test("a rotated key: an unknown kid refetches the JWKS, at most every 30 s", async () => {
  const keys = [...github.jwks.keys];
  let clock = Date.now();
  const tp = new TrustedPublishing(
    { ...config(), issuers: [{ url: github.url, kind: "github", jwksUrl: github.jwksUrl }] },
    { now: () => clock },
  );
  const fetches = github.fetches();
  assert.equal((await tp.mint(github.sign(goodGithub()))).ok, true);
  assert.equal(github.fetches(), fetches + 1);
  // An unknown kid within 30 s of the fetch is not worth another fetch.
  const stranger = await tp.mint(github.sign(goodGithub(), { header: { kid: "rotated" } }));
  assert.equal(stranger.ok ? "" : stranger.code, "invalid-token");
  assert.equal(github.fetches(), fetches + 1);
  clock += 31_000;
  await tp.mint(github.sign(goodGithub(), { header: { kid: "rotated" } }));
  assert.equal(github.fetches(), fetches + 2);
  assert.deepEqual(github.jwks.keys, keys);
});

test("slipway publish with TWINE_PASSWORD = a minted token: its project uploads, another is refused, and the token is not printed", async () => {
  const r = await mint(github.sign(goodGithub()));
  assert.equal(r.status, 200, r.text);
  const token = r.json.token ?? "";
  const publishCli = (dists: string[]) =>
    runAsync(
      [
        process.execPath,
        CLI,
        "publish",
        ...dists,
        "--to",
        index.uploadUrl,
        "--check-url",
        index.simpleUrl,
        "--verbose",
      ],
      {
        env: {
          PATH: process.env.PATH,
          HOME: work,
          CI: "1",
          TWINE_USERNAME: "__token__",
          TWINE_PASSWORD: token,
        },
        cwd: work,
      },
    );
  const own = await publishCli(writeDists(join(work, "pub-own"), { name: "widget", version: "7.0" }).all);
  assert.equal(own.status, 0, `${own.stdout}\n${own.stderr}`);
  const other = await publishCli(writeDists(join(work, "pub-other"), { name: "gadget", version: "7.0" }).all);
  assert.notEqual(other.status, 0);
  assert.match(`${other.stdout}${other.stderr}`, /isn't allowed to upload to project 'gadget'/);
  for (const out of [own, other]) {
    const text = `${out.stdout}${out.stderr}`;
    assert.ok(!text.includes(token) && !text.includes(token.slice(5, 20)), "the minted token was printed");
  }
});

test("the jti memory is per issuer: the same jti from GitHub and GitLab each mint once", async () => {
  const jti = `shared-${Date.now()}`;
  const gh = { ...goodGithub(), jti };
  const gl = { ...gitlab.gitlab({ projectPath: "group/gadget", ciConfigPath: ".gitlab-ci.yml" }), jti };
  assert.equal((await mint(github.sign(gh))).status, 200);
  assert.equal((await mint(gitlab.sign(gl))).status, 200);
  assertMintError(await mint(gitlab.sign(gl)), "invalid-reuse-token");
});
