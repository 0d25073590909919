/**
 * The host-release operations (ops/host-release-assets.ts) and the HTTP client under them
 * (adapters/http/host-api.ts) against the loopback fakes, without a whole release around them:
 * each host's refusals (401/403/404/422/5xx) as clear errors, conflicts found by the host's digest
 * or by hashing a download, GitHub's unfinished assets, and the client's limits (deadline, answer
 * size, pagination only on the API's own host).
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { HostClient } from "../../src/adapters/http/host-api.ts";
import type { HostKind, PlannedHost } from "../../src/core/host/remote.ts";
import { SlipwayError } from "../../src/errors.ts";
import { ensureAssets, ensureRelease, type WantedAsset } from "../../src/ops/host-release-assets.ts";
import { Secret } from "../../src/secret.ts";
import type { FakeServer } from "../helpers/host-fakes/common.ts";
import { startGiteaFake } from "../helpers/host-fakes/gitea.ts";
import { startGithubFake } from "../helpers/host-fakes/github.ts";
import { startGitLabFake } from "../helpers/host-fakes/gitlab.ts";

const work = mkdtempSync(join(tmpdir(), "slipway-host-api-"));
after(() => rmSync(work, { recursive: true, force: true }));

const CONTENT = { tag: "v1.0.0", title: "demo 1.0.0", notes: "- fixed", prerelease: false };
const PKG = { name: "demo", version: "1.0.0" };

function file(name: string, text: string): WantedAsset {
  const path = join(work, `${Math.random().toString(36).slice(2)}-${name}`);
  writeFileSync(path, text);
  return {
    name,
    path,
    sha256: createHash("sha256").update(text).digest("hex"),
    size: Buffer.byteLength(text),
  };
}

interface Setup {
  fake: FakeServer & { token: string };
  host: PlannedHost;
  client: HostClient;
}

async function setup(kind: HostKind, t: { after: (f: () => Promise<void>) => void }): Promise<Setup> {
  const fake =
    kind === "github"
      ? await startGithubFake()
      : kind === "gitea"
        ? await startGiteaFake()
        : await startGitLabFake();
  t.after(() => fake.close());
  const apiUrl = kind === "github" ? fake.url : `${fake.url}/api/${kind === "gitea" ? "v1" : "v4"}`;
  const repository = kind === "gitlab" ? "group/sub/demo" : "octo/demo";
  const tokenEnv = kind === "github" ? "GITHUB_TOKEN" : kind === "gitea" ? "GITEA_TOKEN" : "GITLAB_TOKEN";
  const host: PlannedHost = { kind, apiUrl, repository, tokenEnv };
  const client = new HostClient({
    kind,
    apiUrl,
    token: new Secret(fake.token),
    tokenEnv,
    userAgent: "slipway-test",
  });
  return { fake, host, client };
}

const NAMES = { github: "GitHub", gitea: "Gitea", gitlab: "GitLab" } as const;

for (const kind of ["github", "gitea", "gitlab"] as const) {
  for (const [status, code, hint] of [
    [401, "network", /was not accepted/],
    [403, "network", /lacks the permission/],
    [404, "network", /check the repository name and the API URL/],
    [422, "conflict", /contradicts this request/],
    [500, "network", /had trouble; try again later \(it was already retried\)/],
  ] as const) {
    test(`${kind}: a ${status} to the create is a ${code} error with the host's words and the next step`, async (t) => {
      const { fake, host, client } = await setup(kind, t);
      fake.fail({
        method: "POST",
        path: /\/releases$/,
        status,
        body: { message: `the host says ${status}` },
        times: 9,
      });
      await assert.rejects(
        ensureRelease(client, host, CONTENT, () => {}),
        (e: unknown) => {
          assert.ok(e instanceof SlipwayError);
          assert.equal(e.code, code);
          assert.match(
            e.message,
            new RegExp(
              `^${NAMES[kind]} refused to create the release v1\\.0\\.0 \\(${status} from http://127\\.0\\.0\\.1:\\d+/.*\\): the host says ${status}$`,
            ),
          );
          assert.match(e.hint ?? "", hint);
          return true;
        },
      );
      const posts = fake.log.filter((l) => l.method === "POST").length;
      assert.equal(posts, status === 500 ? 4 : 1, "5xx are retried three times, refusals never");
    });
  }

  test(`${kind}: run twice, one release and each file once; the second run keeps them all`, async (t) => {
    const { fake, host, client } = await setup(kind, t);
    const wanted = [file("demo-1.0.0.tar.gz", "sdist bytes"), file("SHA256SUMS", "sums\n")];
    for (const expected of ["uploaded", "kept"]) {
      const release = await ensureRelease(client, host, CONTENT, () => {});
      const done = await ensureAssets(client, host, { release, wanted, pkg: PKG, onAsset: () => {} });
      assert.deepEqual(
        done.map((d) => d.status),
        [expected, expected],
      );
    }
    const logs = "upload" in fake ? [...fake.log, ...(fake.upload as FakeServer).log] : fake.log;
    const uploads = logs.filter(
      (l) => (l.method === "POST" || l.method === "PUT") && /\/assets\?|\/packages\/generic\//.test(l.path),
    );
    assert.equal(uploads.length, 2, "a file was uploaded twice");
  });

  test(`${kind}: the same name with other bytes is a conflict naming both digests; nothing replaced`, async (t) => {
    const { host, client } = await setup(kind, t);
    const release = await ensureRelease(client, host, CONTENT, () => {});
    await ensureAssets(client, host, {
      release,
      wanted: [file("SHA256SUMS", "one\n")],
      pkg: PKG,
      onAsset: () => {},
    });
    const other = file("SHA256SUMS", "two\n");
    await assert.rejects(
      ensureAssets(client, host, { release, wanted: [other], pkg: PKG, onAsset: () => {} }),
      (e: unknown) =>
        e instanceof SlipwayError &&
        e.code === "conflict" &&
        e.message.includes(
          `already has SHA256SUMS with other bytes (sha256 ${createHash("sha256").update("one\n").digest("hex").slice(0, 12)}…, this release's ${other.sha256.slice(0, 12)}…)`,
        ) &&
        /never replaces a published asset/.test(e.hint ?? ""),
    );
  });
}

test("github: an asset left unfinished by a failed upload (state starter) is deleted and uploaded again", async (t) => {
  const fake = await startGithubFake();
  t.after(() => fake.close());
  const host: PlannedHost = {
    kind: "github",
    apiUrl: fake.url,
    repository: "octo/demo",
    tokenEnv: "GITHUB_TOKEN",
  };
  const client = new HostClient({
    kind: "github",
    apiUrl: fake.url,
    token: new Secret(fake.token),
    tokenEnv: "GITHUB_TOKEN",
    userAgent: "t",
  });
  const release = await ensureRelease(client, host, CONTENT, () => {});
  fake.releases[0]!.assets.push({
    id: 77,
    name: "demo.whl",
    size: 0,
    state: "starter",
    data: Buffer.alloc(0),
  });
  const done = await ensureAssets(client, host, {
    release,
    wanted: [file("demo.whl", "wheel")],
    pkg: PKG,
    onAsset: () => {},
  });
  assert.deepEqual(
    done.map((d) => d.status),
    ["replaced-unfinished"],
  );
  assert.deepEqual(
    fake.releases[0]!.assets.map((a) => `${a.name}:${a.state}:${a.data.toString()}`),
    ["demo.whl:uploaded:wheel"],
  );
  assert.ok(fake.log.some((l) => l.method === "DELETE" && l.path.endsWith("/releases/assets/77")));
});

test("github: an upload whose answer was lost (422 already_exists on the retry) is compared, not duplicated", async (t) => {
  const fake = await startGithubFake();
  t.after(() => fake.close());
  const host: PlannedHost = {
    kind: "github",
    apiUrl: fake.url,
    repository: "octo/demo",
    tokenEnv: "GITHUB_TOKEN",
  };
  const client = new HostClient({
    kind: "github",
    apiUrl: fake.url,
    token: new Secret(fake.token),
    tokenEnv: "GITHUB_TOKEN",
    userAgent: "t",
  });
  const release = await ensureRelease(client, host, CONTENT, () => {});
  fake.upload.fail({ method: "POST", path: /assets$/, status: 502, after: true });
  const done = await ensureAssets(client, host, {
    release,
    wanted: [file("demo.whl", "wheel")],
    pkg: PKG,
    onAsset: () => {},
  });
  assert.deepEqual(
    done.map((d) => d.status),
    ["kept"],
  );
  assert.equal(fake.releases[0]!.assets.length, 1);
});

test("the client: a Link to another host is not followed (the token stays home)", async (t) => {
  let seen = 0;
  const other = createServer((_req, res) => {
    seen++;
    res.end("[]");
  });
  await new Promise<void>((r) => other.listen(0, "127.0.0.2", r));
  t.after(() => new Promise<void>((r) => other.close(() => r())));
  const api = createServer((req, res) => {
    res.writeHead(200, {
      "content-type": "application/json",
      link: `<http://127.0.0.2:${(other.address() as AddressInfo).port}/steal?page=2>; rel="next"`,
    });
    res.end(JSON.stringify([{ auth: req.headers.authorization === "Bearer tok-123456" }]));
  });
  await new Promise<void>((r) => api.listen(0, "127.0.0.1", r));
  t.after(() => new Promise<void>((r) => api.close(() => r())));
  const client = new HostClient({
    kind: "github",
    apiUrl: `http://127.0.0.1:${(api.address() as AddressInfo).port}`,
    token: new Secret("tok-123456"),
    tokenEnv: "GITHUB_TOKEN",
    userAgent: "t",
  });
  const items = await client.list({ method: "GET", url: "x", what: "list" });
  assert.deepEqual(items, [{ auth: true }]);
  assert.equal(seen, 0);
});

test("the client: a host that never answers fails at the deadline; an endless answer at the size cap", async (t) => {
  const silent = createServer(() => {});
  const endless = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    const chunk = Buffer.alloc(1024 * 1024, 32);
    const pump = () => {
      while (res.write(chunk)) {}
      res.once("drain", pump);
    };
    pump();
  });
  for (const s of [silent, endless]) {
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
    t.after(() => {
      s.closeAllConnections();
      return new Promise<void>((r) => s.close(() => r()));
    });
  }
  const client = (s: typeof silent) =>
    new HostClient({
      kind: "gitea",
      apiUrl: `http://127.0.0.1:${(s.address() as AddressInfo).port}/api/v1`,
      token: new Secret("tok-abcdef"),
      tokenEnv: "GITEA_TOKEN",
      userAgent: "t",
      timeoutMs: 300,
      retries: 0,
    });
  const started = Date.now();
  await assert.rejects(
    client(silent).send({ method: "GET", url: "repos/o/r", what: "read the repository o/r" }),
    (e: unknown) =>
      e instanceof SlipwayError &&
      /Gitea did not answer when asked to read the repository o\/r .*no complete answer within 0 s/.test(
        e.message,
      ),
  );
  assert.ok(Date.now() - started < 5000);
  await assert.rejects(
    client(endless).send({ method: "GET", url: "repos/o/r", what: "read" }),
    /larger than 8388608 bytes|closed mid-answer/,
  );
});

test("answers that are not what the API documents are clear errors, never a crash", async (t) => {
  const { fake, host, client } = await setup("github", t);
  fake.fail({ method: "GET", path: /\/releases\/tags\//, status: 200, body: "<html>maintenance</html>" });
  await assert.rejects(
    ensureRelease(client, host, CONTENT, () => {}),
    /GitHub answered something that is not the release v1\.0\.0/,
  );
  const release = await ensureRelease(client, host, CONTENT, () => {});
  fake.fail({ method: "GET", path: /\/assets$/, status: 200, body: { not: "a list" } });
  await assert.rejects(
    ensureAssets(client, host, { release, wanted: [], pkg: PKG, onAsset: () => {} }),
    /GitHub did not answer a list when asked to list the assets of the release v1\.0\.0/,
  );
  fake.fail({ method: "GET", path: /\/assets$/, status: 200, body: [{ id: "x" }] });
  await assert.rejects(
    ensureAssets(client, host, { release, wanted: [], pkg: PKG, onAsset: () => {} }),
    /GitHub answered something that is not a list of release assets/,
  );
});
