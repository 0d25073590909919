/**
 * `slipway ci status` and `slipway ci protect` through the CLI against loopback fakes of GitHub,
 * Gitea and GitLab (test/helpers/host-fakes): the status each host records, the host and commit
 * taken from a CI job's environment, retries on 5xx and rate limits, every refusal a clear error
 * with the next step and no token in the output; protection shown first, then made, keeping
 * what slipway does not own.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { CLI } from "../helpers/cli.ts";
import { git } from "../helpers/git-repo.ts";
import { startGiteaFake } from "../helpers/host-fakes/gitea.ts";
import { startGithubFake } from "../helpers/host-fakes/github.ts";
import { startGitLabFake } from "../helpers/host-fakes/gitlab.ts";

const work = mkdtempSync(join(tmpdir(), "slipway-ci-status-"));
after(() => rmSync(work, { recursive: true, force: true }));
const EXAMPLE = new URL("../../examples/hatch-lib", import.meta.url).pathname;

let n = 0;
/** examples/hatch-lib in a git repository with one commit; `ci` also writes the provider's workflows. */
async function project(ci?: "github" | "gitea"): Promise<{ dir: string; head: string }> {
  const dir = join(work, `p${n++}`);
  cpSync(EXAMPLE, dir, { recursive: true, filter: (s) => !/[/\\](dist|\.slipway)$/.test(s) });
  git(dir, "init", "-q", "-b", "main");
  if (ci !== undefined) {
    const r = await slipway(dir, ["ci", "init", "--provider", ci], {});
    assert.equal(r.code, 0, r.stderr);
  }
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "-m", "init");
  return { dir, head: git(dir, "rev-parse", "HEAD").trim() };
}

/** The CLI in a child process (the fakes answer from this one: never block it). */
function slipway(cwd: string, args: string[], env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd,
      env: { PATH: process.env["PATH"], HOME: work, ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c));
    child.stderr.on("data", (c: Buffer) => (stderr += c));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const on = (kind: string, api: string, repository: string) => [
  "--host",
  kind,
  "--api",
  api,
  "--repository",
  repository,
];

test("github: the status is posted on HEAD with its description and URL; the token is never printed", async (t) => {
  const fake = await startGithubFake();
  t.after(() => fake.close());
  const p = await project();
  const r = await slipway(
    p.dir,
    [
      "ci",
      "status",
      "--state",
      "success",
      "--context",
      "slipway/release",
      "--description",
      "0.1.1 on PyPI",
      "--target-url",
      "https://ci.example/run/1",
      ...on("github", fake.url, "octo/demo"),
    ],
    { GITHUB_TOKEN: fake.token },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `posted success for slipway/release on octo/demo@${p.head.slice(0, 12)} (github)\n`);
  assert.deepEqual(fake.statuses, [
    {
      sha: p.head,
      state: "success",
      context: "slipway/release",
      description: "0.1.1 on PyPI",
      target_url: "https://ci.example/run/1",
    },
  ]);
  assert.equal(fake.log.at(-1)?.auth, "bearer");
  assert.ok(!`${r.stdout}${r.stderr}`.includes(fake.token));
});

test("gitea from a Gitea Actions job's environment: host, repository and commit from GITHUB_*", async (t) => {
  const fake = await startGiteaFake();
  t.after(() => fake.close());
  const p = await project();
  const sha = "a".repeat(40);
  const job = {
    GITEA_ACTIONS: "true",
    GITHUB_ACTIONS: "true",
    GITHUB_API_URL: `${fake.url}/api/v1`,
    GITHUB_REPOSITORY: "octo/demo",
    GITHUB_SHA: sha,
    GITEA_TOKEN: fake.token,
  };
  for (const state of ["pending", "warning"]) {
    const r = await slipway(p.dir, ["ci", "status", "--state", state, "--context", "slipway/scan"], job);
    assert.equal(r.code, 0, r.stderr);
  }
  assert.deepEqual(fake.statuses, [
    { sha, state: "pending", context: "slipway/scan" },
    { sha, state: "warning", context: "slipway/scan" },
  ]);
  assert.equal(fake.log.at(-1)?.auth, "token");
});

test("gitlab: failure and error are GitLab's failed; the context is its name", async (t) => {
  const fake = await startGitLabFake();
  t.after(() => fake.close());
  const p = await project();
  for (const state of ["failure", "error"]) {
    const r = await slipway(
      p.dir,
      [
        "ci",
        "status",
        "--state",
        state,
        "--context",
        "scan",
        ...on("gitlab", `${fake.url}/api/v4`, "group/sub/demo"),
      ],
      {
        GITLAB_TOKEN: fake.token,
      },
    );
    assert.equal(r.code, 0, r.stderr);
  }
  assert.deepEqual(
    fake.statuses.map((s) => `${s.state}:${s.name}`),
    ["failed:scan", "failed:scan"],
  );
  assert.equal(fake.log.at(-1)?.auth, "private-token");
});

test("5xx twice, then a secondary rate limit: retried and waited out, posted once", async (t) => {
  const fake = await startGithubFake();
  t.after(() => fake.close());
  const p = await project();
  fake.fail({ method: "POST", path: /\/statuses\//, status: 502, times: 2 });
  fake.fail({
    method: "POST",
    path: /\/statuses\//,
    status: 403,
    headers: { "retry-after": "1" },
    body: { message: "You have exceeded a secondary rate limit" },
  });
  const started = Date.now();
  const r = await slipway(
    p.dir,
    ["ci", "status", "--state", "success", "--context", "c", ...on("github", fake.url, "octo/demo")],
    {
      GITHUB_TOKEN: fake.token,
    },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.equal(fake.statuses.length, 1);
  assert.ok(Date.now() - started >= 1000, "the retry-after second was not waited");
  assert.match(r.stderr, /rate limited \(403\); retrying in 1\.0 s/);
});

test("a primary rate limit resetting in an hour fails at once with when to come back", async (t) => {
  const fake = await startGithubFake();
  t.after(() => fake.close());
  const p = await project();
  const reset = String(Math.floor(Date.now() / 1000) + 3600);
  fake.fail({
    method: "POST",
    path: /\/statuses\//,
    status: 403,
    headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": reset },
    body: { message: "API rate limit exceeded" },
  });
  const r = await slipway(
    p.dir,
    ["ci", "status", "--state", "success", "--context", "c", ...on("github", fake.url, "octo/demo")],
    {
      GITHUB_TOKEN: fake.token,
    },
  );
  assert.equal(r.code, 1);
  assert.match(r.stderr, /rate-limited .* for another 3[56]\d\d s/);
  assert.match(r.stderr, /hint: run again after the limit resets/);
});

for (const [status, expected, hint] of [
  [
    401,
    /GitHub refused to post the status c=success on [0-9a-f]{12} \(401 from http:\/\/127\.0\.0\.1:\d+\/repos\/octo\/demo\/statuses\/[0-9a-f]{40}\): Bad credentials/,
    /GITHUB_TOKEN was not accepted/,
  ],
  [403, /\(403 .*\): Resource not accessible by integration/, /lacks the permission \(contents: write/],
  [404, /\(404 .*\): Not Found/, /check the repository name and the API URL/],
  [422, /\(422 .*\): Validation Failed; Status state invalid/, /contradicts this request/],
  [503, /\(503 .*\)/, /GitHub had trouble; try again later \(it was already retried\)/],
] as const) {
  test(`a ${status} answer is a clear error with the next step, and exit 1`, async (t) => {
    const fake = await startGithubFake();
    t.after(() => fake.close());
    const p = await project();
    const body =
      status === 401
        ? { message: "Bad credentials" }
        : status === 403
          ? { message: "Resource not accessible by integration" }
          : status === 404
            ? { message: "Not Found" }
            : status === 422
              ? {
                  message: "Validation Failed",
                  errors: [{ resource: "Status", code: "invalid", field: "state" }],
                }
              : { message: "Service Unavailable" };
    fake.fail({ method: "POST", path: /\/statuses\//, status, body, times: 10 });
    const r = await slipway(
      p.dir,
      ["ci", "status", "--state", "success", "--context", "c", ...on("github", fake.url, "octo/demo")],
      {
        GITHUB_TOKEN: fake.token,
      },
    );
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, expected);
    assert.match(r.stderr, hint);
    assert.equal(fake.log.filter((l) => l.method === "POST").length, status === 503 ? 4 : 1);
    assert.ok(!r.stderr.includes(fake.token.slice(4, 20)));
  });
}

test("usage and configuration mistakes exit 2 before any request", async (t) => {
  const fake = await startGithubFake();
  t.after(() => fake.close());
  const p = await project();
  const args = on("github", fake.url, "octo/demo");
  const cases: [string[], Record<string, string>, RegExp][] = [
    [["--context", "c", ...args], { GITHUB_TOKEN: fake.token }, /--state is required/],
    [["--state", "green", "--context", "c", ...args], { GITHUB_TOKEN: fake.token }, /unknown state "green"/],
    [["--state", "success", ...args], { GITHUB_TOKEN: fake.token }, /--context is required/],
    [
      ["--state", "success", "--context", "c\nd", ...args],
      { GITHUB_TOKEN: fake.token },
      /--context must be one line/,
    ],
    [
      ["--state", "success", "--context", "c", "--target-url", "javascript:alert(1)", ...args],
      { GITHUB_TOKEN: fake.token },
      /is not an http\(s\) URL/,
    ],
    [
      ["--state", "success", "--context", "c", "--sha", "HEAD~1", ...args],
      { GITHUB_TOKEN: fake.token },
      /is not a full commit id/,
    ],
    [["--state", "success", "--context", "c", ...args], {}, /GITHUB_TOKEN is not set/],
    [
      ["--state", "success", "--context", "c", "--host", "bitbucket"],
      { GITHUB_TOKEN: fake.token },
      /unknown host "bitbucket"/,
    ],
    [
      [
        "--state",
        "success",
        "--context",
        "c",
        "--host",
        "github",
        "--api",
        "http://example.com/api",
        "--repository",
        "o/r",
      ],
      { GITHUB_TOKEN: fake.token },
      /not https \(plain http only to loopback\)/,
    ],
    [["--state", "success", "--context", "c"], { GITHUB_TOKEN: fake.token }, /no code host/],
    [
      ["--state", "warning", "--context", "c", ...args],
      { GITHUB_TOKEN: fake.token },
      /--state warning is Gitea's only/,
    ],
  ];
  for (const [argv, env, expected] of cases) {
    const r = await slipway(p.dir, ["ci", "status", ...argv], env);
    assert.equal(r.code, 2, `${argv.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, expected);
  }
  assert.equal(fake.log.length, 0);
});

test("ci protect on GitHub: the change shown, then made; a re-run changes nothing", async (t) => {
  const fake = await startGithubFake();
  t.after(() => fake.close());
  const p = await project("github");
  const args = ["ci", "protect", ...on("github", fake.url, "octo/demo")];
  const dry = await slipway(p.dir, [...args, "--dry-run"], { GITHUB_TOKEN: fake.token });
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /\+ protect the branch/);
  assert.match(dry.stdout, /\+ required check: scan\n/);
  assert.match(dry.stdout, /\+ required check: build\n/);
  assert.doesNotMatch(dry.stdout, /badges/, "a job that runs only on push cannot be required");
  assert.match(dry.stdout, /dry run: nothing changed/);
  assert.equal(fake.protection.size, 0);
  const real = await slipway(p.dir, args, { GITHUB_TOKEN: fake.token });
  assert.equal(real.code, 0, real.stderr);
  const made = fake.protection.get("main") as { required_status_checks: { contexts: string[] } };
  assert.deepEqual(made.required_status_checks.contexts, ["scan", "build"]);
  const again = await slipway(p.dir, args, { GITHUB_TOKEN: fake.token });
  assert.match(again.stdout, /up to date: nothing to change/);
  assert.equal(fake.log.filter((l) => l.method !== "GET").length, 1);
});

test("ci protect on GitHub keeps the checks and settings it does not own", async (t) => {
  const fake = await startGithubFake();
  t.after(() => fake.close());
  const p = await project("github");
  const reviews = { required_approving_review_count: 2, dismiss_stale_reviews: true };
  fake.protection.set("main", {
    required_status_checks: {
      strict: true,
      contexts: ["ci/legacy", "scan"],
      checks: [
        { context: "ci/legacy", app_id: 15368 },
        { context: "scan", app_id: null },
      ],
    },
    enforce_admins: { enabled: true },
    required_pull_request_reviews: reviews,
  });
  const r = await slipway(p.dir, ["ci", "protect", ...on("github", fake.url, "octo/demo")], {
    GITHUB_TOKEN: fake.token,
  });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /kept: ci\/legacy/);
  const now = fake.protection.get("main") as Record<string, { strict?: boolean; checks?: unknown }>;
  assert.deepEqual(now["required_status_checks"]?.checks, [
    { context: "ci/legacy", app_id: 15368 },
    { context: "scan", app_id: null },
    { context: "build", app_id: null },
  ]);
  assert.equal(now["required_status_checks"]?.strict, true);
  assert.deepEqual(now["required_pull_request_reviews"], reviews);
  assert.ok(fake.log.some((l) => l.method === "PATCH" && l.path.endsWith("/required_status_checks")));
  assert.ok(!fake.log.some((l) => l.method === "PUT"), "the whole protection was rewritten");
});

test("ci protect without admin rights: GitHub's 403 in words, nothing changed", async (t) => {
  const fake = await startGithubFake();
  t.after(() => fake.close());
  fake.permissions = { admin: false, push: true, pull: true };
  const p = await project("github");
  const r = await slipway(p.dir, ["ci", "protect", ...on("github", fake.url, "octo/demo")], {
    GITHUB_TOKEN: fake.token,
  });
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    /GitHub refused to read the protection of main \(403 .*Resource not accessible by integration/,
  );
  assert.match(r.stderr, /hint: the token in GITHUB_TOKEN lacks the permission/);
});

test("ci protect on Gitea: a protection with the workflow's status contexts; approvals kept on update", async (t) => {
  const fake = await startGiteaFake();
  t.after(() => fake.close());
  const p = await project("gitea");
  const args = ["ci", "protect", ...on("gitea", `${fake.url}/api/v1`, "octo/demo")];
  const r = await slipway(p.dir, args, { GITEA_TOKEN: fake.token });
  assert.equal(r.code, 0, r.stderr);
  const made = fake.protections.get("main")!;
  assert.equal(made["enable_status_check"], true);
  assert.deepEqual(made["status_check_contexts"], [
    "checks / scan (pull_request)",
    "checks / build (pull_request)",
  ]);
  made["required_approvals"] = 1;
  made["status_check_contexts"] = ["other"];
  const again = await slipway(p.dir, args, { GITEA_TOKEN: fake.token });
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(made["status_check_contexts"], [
    "other",
    "checks / scan (pull_request)",
    "checks / build (pull_request)",
  ]);
  assert.equal(made["required_approvals"], 1);
});

test("ci protect on GitLab: the branch protected and a green pipeline required", async (t) => {
  const fake = await startGitLabFake();
  t.after(() => fake.close());
  const p = await project();
  const r = await slipway(p.dir, ["ci", "protect", ...on("gitlab", `${fake.url}/api/v4`, "group/sub/demo")], {
    GITLAB_TOKEN: fake.token,
  });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\+ protect the branch/);
  assert.match(r.stdout, /\+ require a green pipeline before merging/);
  assert.ok(fake.protectedBranches.has("main"));
  assert.equal(fake.project["only_allow_merge_if_pipeline_succeeds"], true);
});

test("ci protect without generated checks says to run ci init first", async (t) => {
  const fake = await startGithubFake();
  t.after(() => fake.close());
  const p = await project();
  const r = await slipway(p.dir, ["ci", "protect", ...on("github", fake.url, "octo/demo")], {
    GITHUB_TOKEN: fake.token,
  });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /\.github\/workflows\/checks\.yml does not exist/);
  assert.match(r.stderr, /slipway ci init --provider github/);
});

test("ci status --help and ci protect --help: options, exit status, examples; ci --help names them", async () => {
  const p = await project();
  for (const sub of ["status", "protect"]) {
    const r = await slipway(p.dir, ["ci", sub, "--help"], {});
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^Usage: slipway ci ${sub}`));
    assert.match(r.stdout, /Exit status:/);
    assert.match(r.stdout, /Examples:\n {2}slipway ci /);
  }
  const ci = await slipway(p.dir, ["ci", "--help"], {});
  assert.match(ci.stdout, /slipway ci status --state STATE --context NAME/);
  assert.match(ci.stdout, /slipway ci protect \[--dry-run\]/);
});

test("ci protect on GitHub: a repository ruleset governing the branch gets the checks, its other rules untouched", async (t) => {
  const fake = await startGithubFake();
  t.after(() => fake.close());
  const p = await project("github");
  const reviews = {
    type: "pull_request",
    parameters: { required_approving_review_count: 1, dismiss_stale_reviews_on_push: true },
  };
  fake.rulesets.push({
    id: 9,
    name: "main rules",
    include: ["~DEFAULT_BRANCH"],
    rules: [
      reviews,
      {
        type: "required_status_checks",
        parameters: {
          strict_required_status_checks_policy: true,
          required_status_checks: [{ context: "ci/legacy", integration_id: 15368 }],
        },
      },
    ],
  });
  const args = ["ci", "protect", ...on("github", fake.url, "octo/demo")];
  const dry = await slipway(p.dir, [...args, "--dry-run"], { GITHUB_TOKEN: fake.token });
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /branch main \(ruleset main rules\):/);
  assert.doesNotMatch(dry.stdout, /protect the branch/);
  const r = await slipway(p.dir, args, { GITHUB_TOKEN: fake.token });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(fake.rulesets[0]!.rules, [
    reviews,
    {
      type: "required_status_checks",
      parameters: {
        strict_required_status_checks_policy: true,
        required_status_checks: [
          { context: "ci/legacy", integration_id: 15368 },
          { context: "scan" },
          { context: "build" },
        ],
      },
    },
  ]);
  assert.equal(fake.protection.size, 0, "a branch protection was made beside the ruleset");
  const again = await slipway(p.dir, args, { GITHUB_TOKEN: fake.token });
  assert.match(again.stdout, /up to date/);
});
