/**
 * `slipway publish` against real indexes on loopback: the embedded staging index, pypiserver and
 * devpi-server (from the pinned peers venv). Each run is then installed with real pip. Covers
 * idempotency (a second publish is all exists-identical), conflicts (different bytes under the
 * same names: nothing more of that release is sent), dry runs and the check gate.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { devNull, tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { SlipwayError } from "../../src/errors.ts";
import { type PublishEvent, type PublishOptions, publish } from "../../src/ops/publish.ts";
import { runChecks } from "../../src/ops/publish-inputs.ts";
import { Secret } from "../../src/secret.ts";
import { type RunningIndex, startIndex } from "../../src/server/index-server.ts";
import { writeDists } from "../helpers/dists.ts";
import { type PeerIndex, startDevpi, startPypiserver } from "../helpers/index-servers.ts";
import { peersPython } from "../helpers/peers.ts";
import { runAsync } from "../helpers/run-async.ts";
import { probeAnswers, probeCredentialAnswers } from "../helpers/upload-probe.ts";

const work = mkdtempSync(join(tmpdir(), "slipway-publish-"));
after(() => rmSync(work, { recursive: true, force: true }));
let dirs = 0;
const fresh = (name: string) => join(work, `${name}-${dirs++}`);

interface Target {
  uploadUrl: string;
  simpleUrl: string;
  username: string;
  password: string;
}

async function run(target: Target, dists: string[], extra: Partial<PublishOptions> = {}) {
  const events: PublishEvent[] = [];
  const report = await publish({
    cwd: work,
    env: { HOME: work, PATH: process.env["PATH"] },
    dists,
    to: target.uploadUrl,
    checkUrl: target.simpleUrl,
    username: target.username,
    password: new Secret(target.password),
    retry: { baseMs: 5, capMs: 20 },
    onEvent: (e) => events.push(e),
    ...extra,
  });
  return { report, events };
}

/** pip installs the wheel from the index into a fresh target dir; returns the module's text. */
async function pipInstall(
  simpleUrl: string,
  project: string,
  version: string,
  module: string,
): Promise<string> {
  const target = fresh("site");
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("PIP_")));
  const pip = ["-m", "pip", "install", "--no-deps", "--no-cache-dir", "--disable-pip-version-check"];
  const argv = [
    peersPython(),
    ...pip,
    "--target",
    target,
    "--index-url",
    simpleUrl,
    `${project}==${version}`,
  ];
  const result = await runAsync(argv, { env: { ...env, PIP_CONFIG_FILE: devNull } });
  assert.equal(result.status, 0, `pip install failed:\n${result.stdout}${result.stderr}`);
  return readFileSync(join(target, module, "__init__.py"), "utf8");
}

/** What every index answers alike (the rest is set per index). */
const ANSWERS = {
  "no credentials": "401",
  "wrong password": "403",
  "first upload": "200",
  "simple page of an unknown project": "404",
};

/**
 * The credential probe on a real index: refused without and with wrong credentials, accepted
 * (refused for its content only) with the right ones, and nothing new on the index afterwards.
 * Prints the answers for docs/publish.md's table.
 */
async function probeScenario(target: Target, server: string, wrong: "401" | "403"): Promise<void> {
  const root = async () => {
    const res = await fetch(target.simpleUrl, { headers: { Accept: "text/html" } });
    return await res.text();
  };
  const before = await root();
  const rows = await probeCredentialAnswers(target);
  process.stdout.write(`# ${server}: ${JSON.stringify(rows)}\n`);
  assert.match(rows["probe without credentials"] ?? "", /^401 refused: /);
  assert.match(rows["probe with a wrong password"] ?? "", new RegExp(`^${wrong} refused: `));
  assert.match(rows["probe with the right credentials"] ?? "", /^400 accepted: /);
  assert.equal(await root(), before, "the probe created no project");
}

/** The standard scenario every index must pass. */
async function scenario(target: Target, label: string): Promise<Record<string, string>> {
  const seen: Record<string, string> = {};
  const dir = fresh(label);
  const first = writeDists(dir, { version: "1.0.0", salt: "first", pythonTags: ["py3", "cp311"] });
  const other = writeDists(join(dir, "other"), { name: "slipway-pub-other", version: "0.1" });

  const one = await run(target, [...first.all, ...other.all]);
  assert.equal(one.report.ok, true, JSON.stringify(one.report.outcomes, null, 1));
  assert.deepEqual(
    one.report.outcomes.map((o) => o.status),
    ["uploaded", "uploaded", "uploaded", "uploaded", "uploaded"],
  );
  // Wheels before the sdist, within each release.
  const done = one.events.filter((e) => e.type === "file-done").map((e) => e.outcome.filename);
  assert.ok(
    done.indexOf("slipway_pub_demo-1.0.0.tar.gz") > done.indexOf("slipway_pub_demo-1.0.0-py3-none-any.whl"),
  );
  assert.ok(
    done.indexOf("slipway_pub_demo-1.0.0.tar.gz") > done.indexOf("slipway_pub_demo-1.0.0-cp311-none-any.whl"),
  );
  for (const o of one.report.outcomes) assert.ok(o.url.startsWith("http://127.0.0.1:"), o.url);
  seen["first publish"] = "all uploaded";

  const installed = await pipInstall(target.simpleUrl, "slipway-pub-demo", "1.0.0", first.module);
  assert.match(installed, /SALT = "first"/);

  const two = await run(target, [...first.all, ...other.all]);
  assert.equal(two.report.ok, true);
  assert.deepEqual(new Set(two.report.outcomes.map((o) => o.status)), new Set(["exists-identical"]));
  assert.ok(two.report.outcomes.every((o) => o.attempts === 0));
  seen["same files again"] = "all exists-identical, nothing sent";

  // A "rebuild": the same names with other bytes, plus a wheel the index does not have yet.
  const rebuilt = writeDists(fresh(`${label}-rebuilt`), {
    version: "1.0.0",
    salt: "second",
    pythonTags: ["py3", "py2.py3"],
  });
  const three = await run(target, rebuilt.all);
  assert.equal(three.report.ok, false);
  const byName = Object.fromEntries(three.report.outcomes.map((o) => [o.filename, o]));
  const conflict = byName["slipway_pub_demo-1.0.0-py3-none-any.whl"];
  assert.equal(conflict?.status, "conflict");
  assert.ok(conflict?.message.includes(conflict.sha256) && conflict.remoteSha256 !== undefined);
  assert.ok(conflict?.message.includes(conflict.remoteSha256 as string), "both hashes are named");
  assert.equal(byName["slipway_pub_demo-1.0.0-py2.py3-none-any.whl"]?.status, "not-sent");
  assert.equal(byName["slipway_pub_demo-1.0.0.tar.gz"]?.status, "conflict");
  assert.ok(
    three.report.outcomes.every((o) => o.attempts === 0),
    "nothing of the release was sent",
  );
  assert.ok(!three.events.some((e) => e.type === "file-start"));
  const listing = await (await fetch(`${target.simpleUrl}slipway-pub-demo/`)).text();
  assert.ok(!listing.includes("py2.py3"), "the new wheel of the conflicting release is not on the index");
  assert.match(
    await pipInstall(target.simpleUrl, "slipway-pub-demo", "1.0.0", first.module),
    /SALT = "first"/,
  );
  seen["rebuilt with other bytes"] = "conflict naming both sha256; the release's new wheel not sent";

  const dry = await run(target, writeDists(fresh(`${label}-dry`), { version: "2.0" }).all, { dryRun: true });
  assert.equal(dry.report.ok, true);
  assert.deepEqual(new Set(dry.report.outcomes.map((o) => o.status)), new Set(["would-upload"]));
  const page = await fetch(`${target.simpleUrl}slipway-pub-demo/`);
  assert.ok(!(await page.text()).includes("2.0"), "a dry run sends nothing");
  seen["--dry-run"] = "would-upload, nothing sent";
  return seen;
}

describe("the embedded staging index", () => {
  let index: RunningIndex;
  let target: Target;
  before(async () => {
    index = await startIndex({ root: fresh("embedded") });
    target = {
      uploadUrl: index.uploadUrl,
      simpleUrl: index.simpleUrl,
      username: "__token__",
      password: index.token,
    };
  });
  after(() => index.close());

  test("publish, install, publish again, conflict, dry run", async () => {
    await scenario(target, "embedded");
  });

  test("raw answers (docs/publish.md)", async () => {
    assert.deepEqual(await probeAnswers(target, fresh("probe")), {
      ...ANSWERS,
      "identical re-upload": "200",
      "same name, other bytes": "409",
      "POST to the simple URL": "405",
      "simple page type for a JSON-first Accept": "application/vnd.pypi.simple.v1+json",
    });
  });

  test("credential probe answers (docs/publish.md)", async () => {
    await probeScenario(target, "embedded", "403");
  });

  test("a wrong token is refused by the probe with a hint: no file is sent; no credentials give the 401 hint", async () => {
    const dists = writeDists(fresh("badtoken"), { name: "slipway-pub-auth", version: "1" }).all;
    const { report, events } = await run({ ...target, password: "not-the-token" }, dists);
    assert.equal(report.ok, false);
    assert.equal(report.publicEffect, false);
    assert.equal(report.credentials?.verdict, "refused");
    for (const o of report.outcomes) {
      assert.equal(o.status, "failed");
      assert.equal(o.attempts, 0, "not sent");
      assert.equal(o.index?.status, 403);
      assert.match(o.index?.message ?? "", /the token is not this index's token/, "the index's own words");
      assert.match(o.message, /refused the credentials/);
      assert.match(o.hint ?? "", /refused/);
    }
    assert.ok(!events.some((e) => e.type === "file-start"), "no upload was attempted");
    const anonymous = await publish({
      cwd: work,
      env: { HOME: work },
      dists,
      to: index.uploadUrl,
      checkUrl: index.simpleUrl,
    });
    assert.equal(anonymous.outcomes[0]?.index?.status, 401);
    assert.equal(anonymous.credentials, undefined, "no password: nothing to prove, no probe");
    assert.match(anonymous.outcomes[0]?.hint ?? "", /--password-stdin/);
  });

  test("checks with errors refuse the whole batch before any byte is sent", async () => {
    const dir = fresh("broken");
    const good = writeDists(dir, { name: "slipway-pub-gate", version: "1", badRecord: true });
    const { report, events } = await run(target, good.all);
    assert.equal(report.ok, false);
    assert.equal(report.check.ok, false);
    assert.ok(report.check.errors > 0);
    assert.deepEqual(report.outcomes, []);
    assert.ok(!events.some((e) => e.type === "file-start"));
    const page = await fetch(`${index.simpleUrl}slipway-pub-gate/`);
    assert.equal(page.status, 404, "nothing of the batch reached the index");
  });
});

describe("pypiserver", () => {
  let server: PeerIndex & { packages: string };
  before(async () => {
    server = await startPypiserver(fresh("pypiserver"));
  });
  after(() => server.close());

  test("publish, install, publish again, conflict, dry run", async () => {
    await scenario(server, "pypiserver");
    assert.ok(existsSync(join(server.packages, "slipway_pub_demo-1.0.0.tar.gz")));
    assert.ok(!readdirSync(server.packages).some((f) => f.includes("py2.py3")));
  });

  test("raw answers (docs/publish.md)", async () => {
    assert.deepEqual(await probeAnswers(server, fresh("probe")), {
      ...ANSWERS,
      "identical re-upload": "409",
      "same name, other bytes": "409",
      "POST to the simple URL": "405",
      "simple page type for a JSON-first Accept": "text/html",
    });
  });

  test("credential probe answers (docs/publish.md)", async () => {
    await probeScenario(server, "pypiserver", "403");
  });

  test("a local version (setuptools-scm between tags) goes to an index that takes it, with FN08 as a warning; PyPI keeps it an error", async () => {
    const dists = writeDists(fresh("local"), { name: "slipway-pub-local", version: "1.6.1.dev5+g1234abc" });
    const { report } = await run(server, dists.all);
    assert.equal(report.ok, true, JSON.stringify(report.check.findings));
    assert.deepEqual(
      report.check.findings.filter((f) => f.id === "FN08").map((f) => f.severity),
      ["warning", "warning"],
    );
    assert.deepEqual(
      report.outcomes.map((o) => o.status),
      ["uploaded", "uploaded"],
    );
    // The same files bound for PyPI fail the checks (publish's own gate, run here without a
    // publish: a dry run to PyPI would still read its simple pages).
    const pypi = await runChecks(
      { cwd: work, env: { HOME: work, PATH: process.env["PATH"] } },
      dists.all,
      true,
      new Map(),
      "https://upload.pypi.org/legacy/",
    );
    assert.equal(pypi.ok, false);
    assert.deepEqual(
      pypi.findings.filter((f) => f.id === "FN08").map((f) => f.severity),
      ["error", "error"],
    );
  });

  test("a wrong check URL cannot hide a refusal: 409 'exists' with a 404 page is a failure and a warning", async () => {
    const dists = writeDists(fresh("wrongcheck"), { name: "slipway-pub-wrong", version: "1" });
    assert.equal((await run(server, dists.all)).report.ok, true);
    const wrong = { ...server, simpleUrl: `${server.uploadUrl}nothing-here/simple/` };
    const { report, events } = await run(wrong, dists.all);
    assert.equal(report.ok, false);
    assert.equal(report.outcomes[0]?.status, "failed");
    assert.equal(report.outcomes[0]?.index?.status, 409, "pypiserver answers 409 to non-twine clients");
    const warning = events.find((e) => e.type === "warning" && e.kind === "exists-but-absent");
    assert.deepEqual(warning, {
      type: "warning",
      kind: "exists-but-absent",
      filename: report.outcomes[0]?.filename,
      status: 409,
      pageUrl: `${wrong.simpleUrl}slipway-pub-wrong/`,
    });
  });
});

describe("devpi-server", () => {
  let server: PeerIndex;
  before(async () => {
    server = await startDevpi(fresh("devpi"));
  });
  after(() => server.close());

  test("publish, install, publish again, conflict, dry run", async () => {
    await scenario(server, "devpi");
  });

  test("raw answers (docs/publish.md)", async () => {
    assert.deepEqual(await probeAnswers(server, fresh("probe")), {
      ...ANSWERS,
      "wrong password": "401",
      "identical re-upload": "200",
      "same name, other bytes": "409",
      "POST to the simple URL": "404",
      "simple page type for a JSON-first Accept": "application/vnd.pypi.simple.v1+json",
    });
  });

  test("credential probe answers (docs/publish.md)", async () => {
    await probeScenario(server, "devpi", "401");
  });
});

test("configuration mistakes are SlipwayErrors with code config and a hint", async () => {
  const dists = writeDists(fresh("config"), { name: "slipway-pub-config", version: "1" }).all;
  const attempt = (extra: Partial<PublishOptions>) =>
    publish({ cwd: work, env: { HOME: work }, dists, ...extra }).then(
      () => assert.fail("expected a configuration error"),
      (error: unknown) => {
        assert.ok(error instanceof SlipwayError);
        assert.equal(error.code, "config");
        assert.ok(error.hint);
        return error.message;
      },
    );
  assert.match(await attempt({ to: "nope" }), /no index named 'nope'/);
  assert.match(await attempt({ to: "http://127.0.0.1:9/legacy/" }), /no simple-API URL/);
  writeFileSync(join(work, "pyproject.toml"), '[tool.slipway.indexes.stage]\nupload_url = "http://x/"\n');
  assert.match(await attempt({ to: "stage" }), /unknown key 'upload_url'/);
  rmSync(join(work, "pyproject.toml"));
  assert.match(await attempt({ pypirc: join(work, "missing-pypirc") }), /does not exist/);
});
