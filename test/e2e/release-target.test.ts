/**
 * The release preflight's look at the target, against real indexes on loopback: it reads the
 * target exactly as `publish` does (credentials, retries, deadlines), so an index whose simple
 * API needs authentication (pypiserver -a download,update,list) does not block the release; and
 * it proves the credentials with the upload probe, so a wrong token is refused in the index's
 * own words before anything changes.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { Credentials } from "../../src/core/upload/credentials.ts";
import { publish } from "../../src/ops/publish.ts";
import { targetPreflight } from "../../src/ops/release-preflight.ts";
import { Secret } from "../../src/secret.ts";
import { writeDists } from "../helpers/dists.ts";
import { type PeerIndex, startPypiserver } from "../helpers/index-servers.ts";

const work = mkdtempSync(join(tmpdir(), "slipway-release-target-"));
let server: PeerIndex & { packages: string };
before(async () => {
  server = await startPypiserver(join(work, "pypiserver"), { authenticate: "download,update,list" });
});
after(async () => {
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

const NAME = "slipway-target-demo";
const credentials = (password: string): Credentials => ({
  username: server.username,
  password: new Secret(password),
  usernameFrom: "env",
  passwordFrom: "env",
});
const preflight = (version: string, password = server.password) =>
  targetPreflight({
    plan: {
      name: NAME,
      version,
      target: { uploadUrl: server.uploadUrl, simpleUrl: server.simpleUrl },
    },
    credentials: credentials(password),
    userAgent: "slipway/test",
    resume: false,
    http: { retry: { baseMs: 5, capMs: 10 } },
  });

test("an index whose simple API needs credentials: read with them, as publish reads it", async () => {
  // Reads really need credentials here.
  const anonymous = await fetch(`${server.simpleUrl}${NAME}/`);
  await anonymous.body?.cancel();
  assert.equal(anonymous.status, 401);

  assert.deepEqual(await preflight("1.0"), [], "nothing there yet, and the credentials are taken");
  const dists = writeDists(join(work, "dists"), { name: NAME, version: "1.0" }).all;
  const report = await publish({
    cwd: work,
    env: { HOME: work },
    dists,
    to: server.uploadUrl,
    checkUrl: server.simpleUrl,
    username: server.username,
    password: new Secret(server.password),
  });
  assert.equal(report.ok, true, JSON.stringify(report.outcomes));
  assert.equal(report.credentials?.verdict, "accepted");

  // The preflight sees the files through the authenticated page: 1.0 is taken, 1.1 is free.
  const taken = await preflight("1.0");
  assert.deepEqual(
    taken.map((p) => [p.id, p.severity]),
    [["target-version", "error"]],
  );
  assert.match(taken[0]?.message ?? "", /slipway-target-demo 1\.0 is already on .*slipway_target_demo-1\.0/);
  assert.deepEqual(await preflight("1.1"), []);
});

test("a wrong password is refused by the probe, in the index's words, and nothing is created", async () => {
  const before = readdirSync(server.packages).sort();
  const problems = await preflight("9.0", "not-the-password");
  const refusal = problems.find((p) => p.id === "credentials");
  assert.equal(refusal?.severity, "error");
  assert.match(
    refusal?.message ?? "",
    /refused the credentials \(user uploader, password from TWINE_PASSWORD\): the index answered 403/,
  );
  assert.ok(!JSON.stringify(problems).includes("not-the-password"));
  assert.deepEqual(readdirSync(server.packages).sort(), before, "the probe stored nothing");
});
