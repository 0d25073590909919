/**
 * `slipway release` with the host-release step, end to end against loopback fakes of GitHub,
 * Gitea and GitLab (test/helpers/host-fakes): the release made with the changelog entry as
 * notes and the distributions and SHA256SUMS as assets; a failed step resumed without a second
 * release or a second upload; an asset already there with other bytes a conflict; a refused
 * token stopping the release in preflight, before anything changed; no token, a clear skip.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { git } from "../helpers/git-repo.ts";
import { startGiteaFake } from "../helpers/host-fakes/gitea.ts";
import { type GithubFake, startGithubFake } from "../helpers/host-fakes/github.ts";
import { startGitLabFake } from "../helpers/host-fakes/gitlab.ts";
import { jsonLines, reportOf } from "../helpers/json-lines.ts";
import { releaseRepos, runRelease } from "../helpers/release-repo.ts";

const { repo } = releaseRepos("slipway-host-release-");

const sha256 = (data: Buffer | string) => createHash("sha256").update(data).digest("hex");

function hostConfig(kind: string, api: string, repository: string): string {
  return `host = { kind = "${kind}", api = "${api}", repository = "${repository}" }\n`;
}

/** The built distributions of the release (name → bytes), from the project's dist dir. */
function dists(
  project: string,
  report: { steps: { id: string; record?: { artifacts?: { file: string; filename: string }[] } }[] },
) {
  const build = report.steps.find((s) => s.id === "build")?.record?.artifacts ?? [];
  return new Map(build.map((a) => [a.filename, readFileSync(join(project, a.file))]));
}

async function github(t: { after: (f: () => Promise<void>) => void }): Promise<GithubFake> {
  const fake = await startGithubFake();
  t.after(() => fake.close());
  return fake;
}

test("github: the release is created with the changelog entry, dists, SHA256SUMS; the token never printed", async (t) => {
  const fake = await github(t);
  const r = await repo({ config: hostConfig("github", fake.url, "octo/demo") });
  const run = await runRelease(r, [...r.args, "--yes", "--json"], { env: { GITHUB_TOKEN: fake.token } });
  assert.equal(run.status, 0, `${run.stderr}\n${run.stdout.slice(-3000)}`);
  const report = reportOf(run.stdout);
  assert.deepEqual(report.steps.map((s: { id: string; status: string }) => `${s.id}:${s.status}`).slice(-3), [
    "publish:ran",
    "push:ran",
    "host-release:ran",
  ]);
  assert.equal(fake.releases.length, 1);
  const release = fake.releases[0]!;
  assert.equal(release.tag_name, "v0.1.1");
  assert.equal(release.name, "slipway-demo-lib 0.1.1");
  assert.match(release.body ?? "", /handle empty input/);
  assert.equal(release.prerelease, false);
  const built = dists(r.project, report);
  assert.equal(built.size, 2);
  const names = release.assets.map((a) => a.name).sort();
  assert.deepEqual(names, [...built.keys(), "SHA256SUMS"].sort());
  for (const [name, bytes] of built) {
    assert.equal(sha256(release.assets.find((a) => a.name === name)!.data), sha256(bytes), name);
  }
  const sums = release.assets.find((a) => a.name === "SHA256SUMS")!.data.toString("utf8");
  for (const [name, bytes] of built) assert.ok(sums.includes(`${sha256(bytes)}  ${name}`), sums);
  // The upload went to the upload host, with the token; the tag was on the remote first.
  assert.ok(fake.upload.log.filter((l) => l.method === "POST").every((l) => l.authorized));
  assert.ok(git(r.remote, "tag", "--list").includes("v0.1.1"));
  const events = jsonLines(run.stdout).filter((e) => e["step"] === "host-release");
  assert.ok(events.some((e) => e.type === "host-release" && e["action"] === "created"));
  assert.equal(events.filter((e) => e.type === "host-asset" && e["status"] === "uploaded").length, 3);
  assert.ok(!`${run.stdout}${run.stderr}`.includes(fake.token), "the token was printed");
  assert.ok(!`${run.stdout}${run.stderr}`.includes(fake.token.slice(4, 16)), "part of the token was printed");
});

test("github: a release stopped at an upload resumes: the same release completed, nothing uploaded twice", async (t) => {
  const fake = await github(t);
  fake.maxPerPage = 1; // the asset list comes back one per page: pagination is followed
  const r = await repo({ config: hostConfig("github", fake.url, "octo/demo") });
  // The third upload fails for good (it and its 3 retries: 502): the step fails after the commit point.
  const env = { GITHUB_TOKEN: fake.token };
  fake.upload.fail({ method: "POST", path: /assets$/, status: 502, skip: 2, times: 4 });
  const first = await runRelease(r, [...r.args, "--yes", "--json"], { env });
  assert.equal(first.status, 1, first.stderr);
  const failed = reportOf(first.stdout).failed as { message: string; hint: string };
  assert.match(failed.message, /GitHub refused to upload SHA256SUMS to the release v0\.1\.1 \(502/);
  assert.match(reportOf(first.stdout).next, /--resume/);
  assert.equal(fake.releases.length, 1);
  // A publish attestation beside the wheel (as a release with --attestations leaves one) goes up too.
  const dist = join(r.project, ".slipway/dist/0.1.1");
  const wheel = readdirSync(dist).find((f) => f.endsWith(".whl"))!;
  writeFileSync(join(dist, `${wheel}.publish.attestation`), '{"version":1}\n');
  const resumed = await runRelease(r, [...r.args, "--yes", "--json", "--resume"], { env });
  assert.equal(resumed.status, 0, `${resumed.stderr}\n${resumed.stdout.slice(-3000)}`);
  assert.equal(fake.releases.length, 1, "a second release was made");
  assert.deepEqual(
    fake.releases[0]!.assets.map((a) => a.name).sort(),
    [
      `${wheel}.publish.attestation`,
      "SHA256SUMS",
      wheel,
      wheel.replace(/-py3-none-any\.whl$/, ".tar.gz"),
    ].sort(),
  );
  assert.equal(
    fake.releases[0]!.assets.find((a) => a.name.endsWith(".attestation"))!.data.toString(),
    '{"version":1}\n',
  );
  const accepted = fake.upload.log.filter((l) => l.method === "POST" && l.status === 201);
  assert.equal(accepted.length, 4, "a file was uploaded twice");
  assert.ok(
    fake.log.some((l) => l.path.includes("page=2")),
    "the asset list's next page was never read",
  );
});

test("github: an asset already there with other bytes is a conflict; with the same bytes it is kept", async (t) => {
  const fake = await github(t);
  fake.omitDigest = true; // the bytes are downloaded (through the 302) and hashed
  const r = await repo({ config: hostConfig("github", fake.url, "octo/demo") });
  fake.releases.push({
    id: 900,
    tag_name: "v0.1.1",
    name: "by hand",
    body: "written by a person",
    draft: false,
    prerelease: false,
    assets: [{ id: 901, name: "SHA256SUMS", size: 3, state: "uploaded", data: Buffer.from("no\n") }],
  });
  const run = await runRelease(r, [...r.args, "--yes"], { env: { GITHUB_TOKEN: fake.token } });
  assert.equal(run.status, 1, run.stderr);
  assert.match(run.stderr, /already has SHA256SUMS with other bytes/);
  assert.match(`${run.stdout}${run.stderr}`, /--resume/);
  assert.equal(fake.releases.length, 1);
  assert.equal(fake.releases[0]!.body, "written by a person", "a person's notes were replaced");
  // The wrong asset deleted by hand: the resume uploads it; the dists are kept (same digest).
  fake.releases[0]!.assets = fake.releases[0]!.assets.filter((a) => a.name !== "SHA256SUMS");
  const resumed = await runRelease(r, [...r.args, "--yes", "--json", "--resume"], {
    env: { GITHUB_TOKEN: fake.token },
  });
  assert.equal(resumed.status, 0, `${resumed.stderr}\n${resumed.stdout.slice(-3000)}`);
  const statuses = jsonLines(resumed.stdout)
    .filter((e) => e.type === "host-asset")
    .map((e) => `${e["name"]}:${e["status"]}`);
  assert.deepEqual(statuses.filter((s) => s.endsWith(":kept")).length, 2, statuses.join(" "));
  assert.ok(statuses.includes("SHA256SUMS:uploaded"), statuses.join(" "));
  assert.ok(
    fake.upload.log.some((l) => l.path.startsWith("/storage/")),
    "nothing was downloaded to compare",
  );
});

test("github: a refused token (401) stops the release in preflight, before anything changed", async (t) => {
  const fake = await github(t);
  const r = await repo({ config: hostConfig("github", fake.url, "octo/demo") });
  const head = git(r.project, "rev-parse", "HEAD");
  const run = await runRelease(r, [...r.args, "--yes"], {
    env: { GITHUB_TOKEN: "ghp_wrongTokenAbcdefgh12345" },
  });
  assert.equal(run.status, 1, run.stderr);
  const said = `${run.stdout}${run.stderr}`;
  assert.match(said, /GitHub refused to read the repository octo\/demo \(401/);
  assert.match(said, /GITHUB_TOKEN was not accepted/);
  assert.ok(!said.includes("wrongTokenAbcdefgh"), "the token was printed");
  assert.equal(git(r.project, "rev-parse", "HEAD"), head);
  assert.equal(r.uploads.length, 0);
  assert.equal(fake.releases.length, 0);
});

test("no token: the release goes on and says the host release was skipped", async (t) => {
  const fake = await github(t);
  const r = await repo({ config: hostConfig("github", fake.url, "octo/demo") });
  const run = await runRelease(r, [...r.args, "--yes"]);
  assert.equal(run.status, 0, `${run.stderr}\n${run.stdout.slice(-3000)}`);
  assert.match(run.stdout, /GITHUB_TOKEN is not set: the GitHub release of v0\.1\.1 will be skipped/);
  assert.match(run.stderr, /GitHub release of v0\.1\.1 skipped: GITHUB_TOKEN is not set/);
  assert.equal(fake.log.length, 0);
});

test("gitea: release and attachments (multipart), re-run after a lost answer keeps what is there", async (t) => {
  const fake = await startGiteaFake();
  t.after(() => fake.close());
  const r = await repo({ config: hostConfig("gitea", `${fake.url}/api/v1`, "octo/demo") });
  // The create answer is lost after Gitea made the release (a 502 after the effect): the retry gets 409.
  fake.fail({ method: "POST", path: /\/releases$/, status: 502, after: true });
  const run = await runRelease(r, [...r.args, "--yes", "--json"], { env: { GITEA_TOKEN: fake.token } });
  assert.equal(run.status, 0, `${run.stderr}\n${run.stdout.slice(-3000)}`);
  assert.equal(fake.releases.length, 1);
  const release = fake.releases[0]!;
  assert.match(release.body, /handle empty input/);
  assert.equal(release.assets.length, 3);
  const report = reportOf(run.stdout);
  for (const [name, bytes] of dists(r.project, report)) {
    assert.equal(sha256(release.assets.find((a) => a.name === name)!.data), sha256(bytes));
  }
  assert.ok(fake.log.filter((l) => l.path.includes("/api/v1/")).every((l) => l.auth === "token"));
});

test("gitlab: release with the files in the generic package registry, linked from the release", async (t) => {
  const fake = await startGitLabFake();
  t.after(() => fake.close());
  const r = await repo({ config: hostConfig("gitlab", `${fake.url}/api/v4`, "group/sub/demo") });
  // A rate limit on the first create (429, Retry-After: 1) is waited out.
  fake.fail({ method: "POST", path: /\/releases$/, status: 429, headers: { "retry-after": "1" } });
  const run = await runRelease(r, [...r.args, "--yes", "--json"], { env: { GITLAB_TOKEN: fake.token } });
  assert.equal(run.status, 0, `${run.stderr}\n${run.stdout.slice(-3000)}`);
  assert.equal(fake.releases.length, 1);
  const release = fake.releases[0]!;
  assert.match(release.description, /handle empty input/);
  assert.equal(fake.files.length, 3);
  assert.deepEqual(release.links.map((l) => l.name).sort(), fake.files.map((f) => f.file_name).sort());
  assert.ok(fake.log.filter((l) => l.path.startsWith("/api/v4/")).every((l) => l.auth === "private-token"));
  assert.ok(
    jsonLines(run.stdout).some((e) => e.type === "host-wait"),
    "the rate-limit wait was not reported",
  );
});

test("--dry-run shows the host step's plan; only the repository is read, nothing is made", async (t) => {
  const fake = await github(t);
  const r = await repo({ config: hostConfig("github", fake.url, "octo/demo") });
  const run = await runRelease(r, [...r.args, "--dry-run", "--json"], { env: { GITHUB_TOKEN: fake.token } });
  assert.equal(run.status, 0, `${run.stderr}\n${run.stdout.slice(-2000)}`);
  const planned = jsonLines(run.stdout).find(
    (e) => e.type === "step-planned" && e["step"] === "host-release",
  );
  const plan = planned?.["plan"] as {
    host: string;
    repository: string;
    tag: string;
    token: string;
    assets: string[];
  };
  assert.equal(plan.host, "github");
  assert.equal(plan.repository, "octo/demo");
  assert.equal(plan.tag, "v0.1.1");
  assert.equal(plan.token, "GITHUB_TOKEN");
  assert.ok(plan.assets.includes("SHA256SUMS"));
  assert.deepEqual(
    fake.log.map((l) => `${l.method} ${l.path}`),
    ["GET /repos/octo/demo"],
  );
  assert.equal(fake.releases.length, 0);
});
