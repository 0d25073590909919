/**
 * src/core/host: which host a remote names, the `host` setting, Link headers, rate-limit
 * answers, release and asset answers, statuses and required checks. Pure code on in-memory
 * inputs; the answers are the documented shapes (see test/helpers/host-fakes for the sources).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  isAlreadyExists,
  parseLinkHeader,
  rateLimitWaitMs,
  refusalError,
} from "../../src/core/host/answers.ts";
import { readAsset, readRelease, uploadAssetUrl } from "../../src/core/host/releases.ts";
import {
  checkApiUrl,
  type PlannedHost,
  parseHostSetting,
  parseRemoteUrl,
  planHost,
  plannedHostShape,
} from "../../src/core/host/remote.ts";
import {
  checkCommitStatus,
  mergeRequired,
  statusRequest,
  workflowContexts,
} from "../../src/core/host/statuses.ts";
import { SlipwayError } from "../../src/errors.ts";

test("remote URLs: https, scp-like and ssh forms name host and path; credentials and .git dropped", () => {
  assert.deepEqual(parseRemoteUrl("https://github.com/octo/demo.git"), {
    host: "github.com",
    path: "octo/demo",
  });
  assert.deepEqual(parseRemoteUrl("https://x-access-token:ghs_secret@github.com/octo/demo"), {
    host: "github.com",
    path: "octo/demo",
  });
  assert.deepEqual(parseRemoteUrl("git@gitlab.com:group/sub/demo.git"), {
    host: "gitlab.com",
    path: "group/sub/demo",
  });
  assert.deepEqual(parseRemoteUrl("ssh://git@git.example.org:2222/team/pkg.git"), {
    host: "git.example.org",
    path: "team/pkg",
  });
  for (const bad of [
    "/srv/git/demo.git",
    "../origin.git",
    "file:///srv/demo.git",
    "C:\\repos\\demo",
    "https://github.com/octo",
    "https://github.com/../x",
    "",
  ]) {
    assert.equal(parseRemoteUrl(bad), undefined, bad);
  }
  const started = performance.now();
  parseRemoteUrl(`https://github.com/${"a/".repeat(50_000)}`);
  assert.ok(performance.now() - started < 200, "a long URL took too long");
});

test("the planned host: auto knows github.com, gitlab.com, codeberg.org; a kind named uses the remote's host", () => {
  const auto = { kind: "auto" } as const;
  assert.deepEqual(planHost(auto, "git@github.com:octo/demo.git"), {
    kind: "github",
    apiUrl: "https://api.github.com",
    repository: "octo/demo",
    tokenEnv: "GITHUB_TOKEN",
  });
  assert.equal(planHost(auto, "https://gitlab.com/group/sub/demo.git")?.apiUrl, "https://gitlab.com/api/v4");
  assert.equal(planHost(auto, "https://codeberg.org/a/b.git")?.apiUrl, "https://codeberg.org/api/v1");
  assert.equal(
    planHost(auto, "https://git.example.org/a/b.git"),
    undefined,
    "an unknown host is not guessed",
  );
  assert.equal(planHost(auto, "/srv/origin.git"), undefined);
  assert.equal(planHost(auto, undefined), undefined);
  assert.equal(planHost({ kind: "none" }, "git@github.com:octo/demo.git"), undefined);
  assert.equal(
    planHost({ kind: "gitea" }, "git@git.example.org:team/pkg.git")?.apiUrl,
    "https://git.example.org/api/v1",
  );
  assert.equal(
    planHost({ kind: "github" }, "https://ghe.example.com/o/r.git")?.apiUrl,
    "https://ghe.example.com/api/v3",
  );
  assert.throws(() => planHost({ kind: "github" }, "/srv/origin.git"), /does not name a repository/);
  assert.throws(() => planHost({ kind: "github", repository: "o/r" }, "/srv/origin.git"), /no API URL/);
  assert.throws(
    () => planHost({ kind: "github" }, "https://ghe.example.com/a/b/c.git"),
    /is not owner\/name/,
  );
});

test("[tool.slipway.release] host: a kind, or a table of kind, api, repository; each mistake names its key", () => {
  assert.deepEqual(parseHostSetting({}), { kind: "auto" });
  assert.deepEqual(parseHostSetting({ host: "gitea" }), { kind: "gitea" });
  assert.deepEqual(
    parseHostSetting({ host: { kind: "gitlab", api: "https://g.example/api/v4/", repository: "a/b/c" } }),
    {
      kind: "gitlab",
      api: "https://g.example/api/v4",
      repository: "a/b/c",
    },
  );
  const bad: [unknown, RegExp][] = [
    ["bitbucket", /host: "bitbucket" is not a host/],
    [3, /host: expected a string/],
    [{ kind: "github", token: "x" }, /host\.token: is not a setting/],
    [{ kind: "github", api: "http://example.com/api" }, /host\.api: .*not https/],
    [{ kind: "github", api: "https://user:pw@example.com/api" }, /host\.api: the URL holds credentials/],
    [{ kind: "github", repository: "../x" }, /host\.repository: expected owner\/name/],
  ];
  for (const [value, expected] of bad) {
    assert.throws(
      () => parseHostSetting({ host: value as string }),
      (e: unknown) => e instanceof SlipwayError && e.code === "config" && expected.test(e.message),
    );
  }
  assert.equal(checkApiUrl("http://127.0.0.1:8080/api/v1"), undefined);
  assert.equal(checkApiUrl("http://[::1]:8080/"), undefined);
  assert.match(checkApiUrl("ftp://x/") ?? "", /not https/);
});

test("a journaled host is hostile: the API URL, repository and token variable are checked", () => {
  const good: PlannedHost = {
    kind: "github",
    apiUrl: "https://api.github.com",
    repository: "o/r",
    tokenEnv: "GITHUB_TOKEN",
  };
  assert.deepEqual(plannedHostShape(good, "host"), good);
  assert.throws(() => plannedHostShape({ ...good, apiUrl: "http://evil.example/" }, "host"), /host\.apiUrl/);
  assert.throws(() => plannedHostShape({ ...good, tokenEnv: "GITLAB_TOKEN" }, "host"), /host\.tokenEnv/);
  assert.throws(() => plannedHostShape({ ...good, repository: "o/../r" }, "host"), /host\.repository/);
  assert.throws(() => plannedHostShape({ ...good, extra: 1 }, "host"), /host\.extra: unknown field/);
});

test("Link headers: GitHub's and GitLab's forms; garbage ignored; a huge header not parsed", () => {
  const links = parseLinkHeader(
    '<https://api.github.com/repositories/1/releases/2/assets?per_page=1&page=2>; rel="next", <https://api.github.com/repositories/1/releases/2/assets?per_page=1&page=3>; rel="last"',
  );
  assert.equal(
    links.get("next"),
    "https://api.github.com/repositories/1/releases/2/assets?per_page=1&page=2",
  );
  assert.equal(links.get("last")?.endsWith("page=3"), true);
  assert.equal(
    parseLinkHeader('<https://g/api/v4/x?page=2>; rel="next first"').get("first"),
    "https://g/api/v4/x?page=2",
  );
  assert.equal(parseLinkHeader("garbage, <x; rel=next").size, 0);
  assert.equal(parseLinkHeader(undefined).size, 0);
  assert.equal(parseLinkHeader(`<a>; rel="next", ${"<b>; rel=x, ".repeat(5000)}`).size, 0);
});

test("rate limits: primary (remaining 0, reset), secondary (retry-after, or words), GitLab's RateLimit-Reset; a plain 403 is none", () => {
  const now = 1_700_000_000_000;
  assert.equal(
    rateLimitWaitMs(403, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1700000030" }, "", now),
    30_000,
  );
  assert.equal(rateLimitWaitMs(429, { "retry-after": "7" }, "", now), 7000);
  assert.equal(rateLimitWaitMs(429, { "retry-after": new Date(now + 5000).toUTCString() }, "", now), 5000);
  assert.equal(
    rateLimitWaitMs(429, { "ratelimit-remaining": "0", "ratelimit-reset": "1700000002" }, "", now),
    2000,
  );
  assert.equal(rateLimitWaitMs(429, {}, "", now), 60_000);
  assert.equal(
    rateLimitWaitMs(403, {}, '{"message":"You have exceeded a secondary rate limit"}', now),
    60_000,
  );
  assert.equal(
    rateLimitWaitMs(403, { "x-ratelimit-remaining": "4999" }, '{"message":"Must have admin rights"}', now),
    undefined,
  );
  assert.equal(rateLimitWaitMs(500, { "retry-after": "1" }, "", now), undefined);
});

test("refusals: the host's words, and the next step by status; 422 already_exists is recognised", () => {
  const e = refusalError({
    kind: "gitea",
    what: "create the release v1",
    url: "https://g/api/v1/repos/o/r/releases",
    status: 403,
    body: '{"message":"token does not have required scope"}',
    tokenEnv: "GITEA_TOKEN",
  });
  assert.equal(
    e.message,
    "Gitea refused to create the release v1 (403 from https://g/api/v1/repos/o/r/releases): token does not have required scope",
  );
  assert.match(e.hint ?? "", /GITEA_TOKEN lacks the permission \(write:repository\)/);
  assert.equal(
    refusalError({ kind: "github", what: "x", url: "u", status: 409, body: "", tokenEnv: "T" }).code,
    "conflict",
  );
  assert.equal(
    isAlreadyExists(
      422,
      '{"message":"Validation Failed","errors":[{"resource":"Release","code":"already_exists","field":"tag_name"}]}',
    ),
    true,
  );
  assert.equal(isAlreadyExists(422, '{"errors":[{"code":"invalid"}]}'), false);
});

test("release and asset answers: GitHub's digest and unfinished state, Gitea without digest, GitLab's package files", () => {
  const gh = readRelease("github", {
    id: 7,
    tag_name: "v1",
    body: null,
    html_url: "h",
    upload_url: "https://uploads.github.com/repos/o/r/releases/7/assets{?name,label}",
  });
  assert.deepEqual(gh, {
    id: "7",
    tag: "v1",
    notes: "",
    url: "h",
    uploadUrl: "https://uploads.github.com/repos/o/r/releases/7/assets",
  });
  const host: PlannedHost = {
    kind: "github",
    apiUrl: "https://api.github.com",
    repository: "o/r",
    tokenEnv: "GITHUB_TOKEN",
  };
  assert.equal(
    uploadAssetUrl(host, gh!, "a b.whl"),
    "https://uploads.github.com/repos/o/r/releases/7/assets?name=a%20b.whl",
  );
  assert.deepEqual(
    readAsset("github", { id: 1, name: "a", size: 3, state: "starter", digest: `sha256:${"a".repeat(64)}` }),
    {
      id: "1",
      name: "a",
      size: 3,
      sha256: "a".repeat(64),
      downloadUrl: "",
      complete: false,
    },
  );
  assert.equal(readAsset("github", { id: 1, name: "a", size: 3, digest: "md5:x" })?.sha256, undefined);
  assert.equal(
    readAsset("gitea", { id: 2, name: "b", size: 1, browser_download_url: "u" })?.sha256,
    undefined,
  );
  assert.equal(
    readAsset("gitlab", { id: 3, file_name: "c", size: 1, file_sha256: "b".repeat(64) })?.sha256,
    "b".repeat(64),
  );
  for (const hostile of [
    null,
    [],
    { id: -1, name: "a", size: 1 },
    { id: 1, name: 2, size: 1 },
    { id: 1, name: "a", size: 1.5 },
  ]) {
    assert.equal(readAsset("github", hostile), undefined);
  }
  assert.equal(readRelease("github", { id: "x", tag_name: "v1" }), undefined);
  assert.equal(readRelease("gitlab", { tag_name: "v1", description: "n", _links: { self: "s" } })?.id, "v1");
});

test("statuses: checked and shaped per host (GitLab: failed, name); a long description cut to 140", () => {
  const sha = "c".repeat(40);
  const s = checkCommitStatus({
    sha,
    state: "error",
    context: "ci",
    description: `${"x ".repeat(100)}\n`,
    targetUrl: "https://ci/1",
  });
  assert.equal(s.description?.length, 140);
  assert.ok(s.description?.endsWith("…"));
  const gl: PlannedHost = {
    kind: "gitlab",
    apiUrl: "https://g/api/v4",
    repository: "a/b/c",
    tokenEnv: "GITLAB_TOKEN",
  };
  const req = statusRequest(gl, s);
  assert.equal(req.url, `projects/a%2Fb%2Fc/statuses/${sha}`);
  assert.deepEqual(Object.keys(req.json), ["state", "name", "description", "target_url"]);
  assert.equal(req.json.state, "failed");
  assert.throws(() => checkCommitStatus({ sha, state: "success", context: "a\u0007b" }), /one line/);
  assert.throws(
    () => checkCommitStatus({ sha, state: "success", context: "c", targetUrl: "https://u:p@x/" }),
    /not an http\(s\) URL/,
  );
});

test("required checks from a workflow: names, one per matrix value, conditional jobs left out; Gitea's naming", () => {
  const yaml = `name: checks
on: [pull_request]
jobs:
  lint:
    runs-on: ubuntu-latest
  test:
    name: Tests
    strategy:
      matrix:
        python: ["3.11", "3.12"]
  multi:
    strategy:
      matrix:
        os: [a, b]
        py: [c]
  badges:
    if: github.event_name == 'push'
`;
  assert.deepEqual(workflowContexts(yaml, "checks.yml", "github"), [
    "lint",
    "Tests (3.11)",
    "Tests (3.12)",
    "multi",
  ]);
  assert.deepEqual(workflowContexts(yaml, "checks.yml", "gitea").slice(0, 2), [
    "checks / lint (pull_request)",
    "checks / Tests (3.11) (pull_request)",
  ]);
  assert.throws(() => workflowContexts("jobs: [", "c.yml", "github"), /c\.yml is not valid YAML/);
  assert.throws(() => workflowContexts("on: push\n", "c.yml", "github"), /c\.yml has no jobs/);
  // Aliases that multiply (a billion laughs) are refused, not expanded.
  const ten = (x: string) => `[${Array(10).fill(x).join(", ")}]`;
  const laughs = `a: &a ${ten("lol")}\nb: &b ${ten("*a")}\nc: &c ${ten("*b")}\nd: &d ${ten("*c")}\njobs: {x: {name: *d}}\n`;
  assert.throws(() => workflowContexts(laughs, "c.yml", "github"), /c\.yml is not valid YAML/);
  assert.deepEqual(mergeRequired(["x", "lint"], ["lint", "test"]), {
    after: ["x", "lint", "test"],
    added: ["test"],
  });
});
