/**
 * A canary token through every failure path of `slipway publish` (401, 403, 500 with retries,
 * a conflict, a network error, a dry run, a lookup failure, a malformed .pypirc, credentials in
 * the URL), from every source (--password-stdin, TWINE_PASSWORD, .pypirc, URL userinfo), with
 * and without --json, through the CLI and the library. Hostile indexes echo the Authorization
 * header back in bodies, reason phrases and file URLs. The canary must appear nowhere: not in
 * stdout, stderr, JSON, events, reports, error messages, hints or stacks. It deliberately
 * matches none of redact()'s token patterns, so only slipway's own handling can hide it. A second
 * index echoes the token changed (encoded, cut short, split over lines: test/helpers/echo-forms.ts)
 * into human output, --json, --verbose and the release preflight's problems.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { inspect } from "node:util";
import { publish } from "../../src/ops/publish.ts";
import { targetPreflight } from "../../src/ops/release-preflight.ts";
import { Secret } from "../../src/secret.ts";
import { type RunningIndex, startIndex } from "../../src/server/index-server.ts";
import { writeDists } from "../helpers/dists.ts";
import { echoedForms, leakedForms, squeeze } from "../helpers/echo-forms.ts";
import { runAsync } from "../helpers/run-async.ts";

const CANARY = "canary-7f3a9e1d5c2b8a60d4e9";
const USER = "__token__";
const FORMS = [
  CANARY,
  Buffer.from(`${USER}:${CANARY}`).toString("base64"),
  Buffer.from(CANARY).toString("base64"),
];
const CLI = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));

const work = mkdtempSync(join(tmpdir(), "slipway-secrets-"));
let hostile: Server;
let base = "";
let index: RunningIndex;
let dists: string[] = [];

/** Answers every upload by echoing the credentials it got, in the body, the reason and a header. */
function startHostile(): Promise<Server> {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const auth = req.headers.authorization ?? "";
      const decoded = Buffer.from(auth.replace(/^Basic /, ""), "base64").toString();
      const path = req.url ?? "/";
      if (req.method === "GET" && path.startsWith("/simple/")) {
        res.writeHead(404).end();
      } else if (req.method === "GET" && path.startsWith("/echo-simple/")) {
        res.writeHead(500, `Broken for ${decoded}`).end(decoded);
      } else if (req.method === "GET" && path.startsWith("/link-simple/")) {
        const token = decoded.split(":")[1] ?? "";
        res.writeHead(200, { "Content-Type": "text/html" });
        res.end(`<a href="http://u:${token}@x.example/files/${token}/f.whl#sha256=${"0".repeat(64)}">f</a>`);
      } else {
        const status = Number(/^\/(\d{3})\//.exec(path)?.[1] ?? 500);
        res.writeHead(status, `Refused ${decoded}`, { "Content-Type": "application/json", "X-Echo": auth });
        res.end(
          JSON.stringify({
            message: `token ${decoded} (${auth}) is not valid`,
            code: `${status} ${decoded}`,
          }),
        );
      }
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

before(async () => {
  hostile = await startHostile();
  base = `http://127.0.0.1:${(hostile.address() as AddressInfo).port}`;
  index = await startIndex({ root: join(work, "index"), token: CANARY });
  dists = writeDists(join(work, "dists"), { name: "slipway-secret-demo", version: "1" }).all;
});
after(async () => {
  hostile.closeAllConnections();
  await new Promise<void>((done) => hostile.close(() => done()));
  await index.close();
  rmSync(work, { recursive: true, force: true });
});

function assertClean(where: string, ...texts: string[]): void {
  for (const text of texts) {
    for (const form of FORMS)
      assert.ok(!text.includes(form), `${where}: the token leaked:\n${text.slice(0, 2000)}`);
  }
}

async function cli(
  args: string[],
  options: { stdin?: string; env?: Record<string, string>; home?: string } = {},
) {
  const result = await runAsync([process.execPath, CLI, "publish", ...args], {
    cwd: work,
    env: { PATH: process.env["PATH"] ?? "", HOME: options.home ?? work, CI: "1", ...options.env },
    input: options.stdin ?? "",
  });
  return { status: result.status, out: result.stdout + result.stderr };
}

// One retry: the retry path runs, without the default backoff's seconds.
const fast = ["--concurrency", "2", "--retries", "1"];

test("CLI: every failure path, every credential source, human and --json output", async () => {
  const rcHome = join(work, "rc-home");
  mkdirSync(rcHome, { recursive: true });
  writeFileSync(
    join(rcHome, ".pypirc"),
    `[distutils]\nindex-servers = hostile\n[hostile]\nrepository = ${base}/500/\nusername = ${USER}\npassword = ${CANARY}\n`,
  );
  const badHome = join(work, "bad-home");
  mkdirSync(badHome, { recursive: true });
  writeFileSync(join(badHome, ".pypirc"), `[pypi]\nusername = ${USER}\n${CANARY}\n`);
  const check = `${base}/simple/`;
  const cases: [string, string[], Parameters<typeof cli>[1]][] = [
    [
      "401 via --password-stdin",
      [...dists, "--to", `${base}/401/`, "--check-url", check, "--password-stdin"],
      { stdin: `${CANARY}\n` },
    ],
    [
      "403 via TWINE_PASSWORD",
      [...dists, "--to", `${base}/403/`, "--check-url", check],
      { env: { TWINE_PASSWORD: CANARY } },
    ],
    ["500 with retries via .pypirc", [...dists, "--to", "hostile", "--check-url", check], { home: rcHome }],
    [
      "credentials in the URL",
      [
        ...dists,
        "--to",
        `http://${USER}:${CANARY}@127.0.0.1:${base.split(":")[2]}/403/`,
        "--check-url",
        check,
      ],
      {},
    ],
    [
      "network error",
      [...dists, "--to", "http://127.0.0.1:9/", "--check-url", check, "--password-stdin"],
      { stdin: CANARY },
    ],
    [
      "lookup echoes the token",
      [...dists, "--to", `${base}/403/`, "--check-url", `${base}/echo-simple/`, "--password-stdin"],
      { stdin: CANARY },
    ],
    [
      "file URLs carry the token",
      [...dists, "--to", `${base}/403/`, "--check-url", `${base}/link-simple/`, "--password-stdin"],
      { stdin: CANARY },
    ],
    ["malformed .pypirc", [...dists], { home: badHome }],
    [
      "conflict",
      [
        ...writeDists(join(work, "rebuilt"), { name: "slipway-secret-demo", version: "1", salt: "x" }).all,
        "--to",
        index.uploadUrl,
        "--check-url",
        index.simpleUrl,
        "--password-stdin",
      ],
      { stdin: CANARY },
    ],
    [
      "dry run",
      [...dists, "--to", index.uploadUrl, "--check-url", index.simpleUrl, "--dry-run"],
      { env: { TWINE_PASSWORD: CANARY } },
    ],
  ];
  // The conflict needs the original release on the index first.
  const seeded = await cli(
    [...dists, "--to", index.uploadUrl, "--check-url", index.simpleUrl, "--password-stdin"],
    { stdin: CANARY },
  );
  assert.equal(seeded.status, 0, seeded.out);
  const statuses: Record<string, number | null> = {};
  for (const [name, args, options] of cases) {
    for (const json of [false, true]) {
      const result = await cli([...args, ...fast, ...(json ? ["--json"] : [])], options);
      assertClean(`${name}${json ? " --json" : ""}`, result.out);
      statuses[name] = result.status;
    }
  }
  // Each case really went down its failure path.
  assert.deepEqual(statuses, {
    "401 via --password-stdin": 1,
    "403 via TWINE_PASSWORD": 1,
    "500 with retries via .pypirc": 1,
    "credentials in the URL": 1,
    "network error": 1,
    "lookup echoes the token": 1,
    "file URLs carry the token": 1,
    "malformed .pypirc": 2,
    conflict: 1,
    "dry run": 0,
  });
});

test("library: reports, events, thrown errors, hints and stacks never hold the token", async () => {
  const events: unknown[] = [];
  const run = (extra: Parameters<typeof publish>[0]) =>
    publish({ ...extra, retry: { attempts: 2, baseMs: 1, capMs: 2 }, onEvent: (e) => events.push(e) });
  const common = { cwd: work, env: { HOME: work }, dists, password: new Secret(CANARY) };
  const reports = [
    await run({ ...common, to: `${base}/401/`, checkUrl: `${base}/simple/` }),
    await run({ ...common, to: `${base}/503/`, checkUrl: `${base}/simple/` }),
    await run({ ...common, to: `${base}/403/`, checkUrl: `${base}/echo-simple/` }),
    await run({ ...common, to: "http://127.0.0.1:9/", checkUrl: `${base}/simple/` }),
    await run({ ...common, to: index.uploadUrl, checkUrl: index.simpleUrl, dryRun: true }),
  ];
  assert.deepEqual(
    reports.map((r) => r.outcomes[0]?.status),
    ["failed", "failed", "failed", "failed", "exists-identical"],
  );
  assert.equal(reports[1]?.outcomes[0]?.attempts, 2, "the 503 was retried");
  for (const report of reports)
    assertClean("report", JSON.stringify(report), inspect(report, { depth: null }));
  assertClean("events", JSON.stringify(events), inspect(events, { depth: null }));
  const errors: unknown[] = [];
  for (const extra of [
    { to: `http://${USER}:${CANARY}@[bad/` },
    { to: `ftp://${USER}:${CANARY}@x.example/` },
    { to: `http://127.0.0.1:9/`, checkUrl: `http://u:${CANARY}@127.0.0.1/simple/` },
    { to: "pypi", pypirc: join(work, "bad-home", ".pypirc") },
  ]) {
    await run({ ...common, ...extra }).then(
      () => assert.fail("expected an error"),
      (error: unknown) => errors.push(error),
    );
  }
  for (const error of errors) {
    const e = error as Error & { hint?: string };
    assertClean("error", e.message, e.hint ?? "", e.stack ?? "", inspect(e, { depth: null }), String(e));
  }
});

// Percent-encoding and base64 both change it; over 28 characters for the prefix form.
const CHANGED = "canary/7f3a+9e1d=5c2b~8a60d4e9-Qz_k:41Xw";

/**
 * An index that echoes the token it got in every changed form: in the reason phrase (the one-line
 * forms) and in a JSON message (all of them), for the probe (400) and the uploads (403).
 */
function startEchoForms(): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (req.method === "GET") {
        res.writeHead(404).end();
        return;
      }
      const auth = Buffer.from((req.headers.authorization ?? "").replace(/^Basic /, ""), "base64").toString();
      const token = auth.slice(auth.indexOf(":") + 1);
      const forms = Object.entries(echoedForms(token));
      const oneLine = forms.filter(([, f]) => !/[\r\n]/.test(f)).map(([n, f]) => `${n}: ${f}`);
      // The probe is accepted (400) unless the path asks for a refusal; uploads are refused.
      const probe = Buffer.concat(chunks).length < 1024 && !(req.url ?? "").startsWith("/refuse/");
      res.writeHead(probe ? 400 : 403, `Refused ${oneLine.join(" ; ")}`, {
        "Content-Type": "application/json",
      });
      res.end(JSON.stringify({ message: forms.map(([n, f]) => `${n}: ${f}`).join(" ;\n") }));
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

test("a token echoed changed (encoded, cut short, split) is masked in human output, --json, --verbose and preflight problems", async () => {
  const echo = await startEchoForms();
  const url = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
  try {
    const args = [...dists, "--to", `${url}/legacy/`, "--check-url", `${url}/simple/`, "--password-stdin"];
    for (const mode of [["--verbose"], ["--json", "--verbose"], ["--dry-run", "--verbose"]]) {
      const result = await cli([...args, ...fast, ...mode], { stdin: CHANGED });
      assert.equal(result.status, mode.includes("--dry-run") ? 0 : 1, result.out);
      assert.deepEqual(leakedForms(result.out, CHANGED), [], `${mode.join(" ")} leaked:\n${result.out}`);
      assert.ok(!squeeze(result.out).includes(CHANGED));
      // The index's words did reach the output (masked), so the check above means something.
      assert.match(result.out, /as sent: \*\*\*/, mode.join(" "));
      assert.match(result.out, /split over two lines: \*\*\*/, mode.join(" "));
    }

    const events: unknown[] = [];
    const report = await publish({
      cwd: work,
      env: { HOME: work },
      dists,
      to: `${url}/legacy/`,
      checkUrl: `${url}/simple/`,
      password: new Secret(CHANGED),
      retry: { attempts: 1 },
      onEvent: (e) => events.push(e),
    });
    assert.equal(report.outcomes[0]?.index?.status, 403);
    const library = JSON.stringify({ report, events });
    assert.deepEqual(leakedForms(library, CHANGED), [], library);
    assert.match(library, /as sent: \*\*\*/);

    const plan = {
      name: "slipway-secret-demo",
      version: "2",
      target: { uploadUrl: `${url}/refuse/legacy/`, simpleUrl: `${url}/simple/` },
    };
    const problems = await targetPreflight({
      plan,
      credentials: {
        username: USER,
        password: new Secret(CHANGED),
        usernameFrom: "env",
        passwordFrom: "env",
      },
      userAgent: "slipway/test",
      resume: false,
    });
    const text = JSON.stringify(problems);
    assert.deepEqual(
      problems.map((p) => p.id),
      ["credentials"],
    );
    assert.deepEqual(leakedForms(text, CHANGED), [], text);
    assert.match(text, /as sent: \*\*\*/);
  } finally {
    echo.closeAllConnections();
    await new Promise<void>((done) => echo.close(() => done()));
  }
});
