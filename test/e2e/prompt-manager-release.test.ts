/**
 * The flagship example released end to end: examples/prompt-manager in a temp git repository
 * with a bare "origin", released by `slipway release` to the embedded index as the target, with
 * the example's own [tool.slipway.release] settings — its gates (the pytest suite with its
 * coverage thresholds, `mypy --strict`, `ruff`) run in the example's cached venv, as in a
 * developer's activated venv with the package installed editable, and its `verify` installing
 * every integration's SDK from the example's wheelhouse. First a commit that deletes most of the
 * tests and adds an untyped function must be blocked by the gates, each showing its output's last
 * lines, before anything changes; then, without it, the release goes all the way (stage, verify,
 * commit and tag, publish, push), and `pip install "prompt-manager[all]"` from the target into a
 * fresh venv gives a package whose example runs. Nothing leaves loopback: pip finds backends and
 * SDKs in the local wheelhouses, the advisory database comes from a loopback feed, and any other
 * HTTP goes to a closed port.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { devNull } from "node:os";
import { delimiter, join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import type { IndexEvent } from "../../src/server/events.ts";
import { type RunningIndex, startIndex } from "../../src/server/index-server.ts";
import { ADVISORY_FIXTURES } from "../helpers/advisory-snapshot.ts";
import { git, scratch } from "../helpers/git-repo.ts";
import { peersPython } from "../helpers/peers.ts";
import { type AsyncResult, runAsync } from "../helpers/run-async.ts";
import { wheelhouse } from "../helpers/wheelhouse.ts";
import { buildZip } from "../helpers/zip-writer.ts";

const CLI = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
const example = fileURLToPath(new URL("../../examples/prompt-manager", import.meta.url));
const work = scratch("slipway-prompt-manager-release-");
const IGNORED =
  /(^|[\\/])(dist|build|__pycache__|\.pytest_cache|\.mypy_cache|\.ruff_cache|\.slipway|[^\\/]*\.egg-info|\.coverage|coverage\.json|junit\.xml)$/;

/** A script of this repository that prepares a cached directory; `--offline` never downloads. */
function cached(script: string): string {
  return execFileSync(
    process.execPath,
    [fileURLToPath(new URL(`../../scripts/${script}`, import.meta.url)), "--offline"],
    {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    },
  ).trim();
}

let target: RunningIndex;
const uploads: Extract<IndexEvent, { type: "upload" }>[] = [];
let feed: ReturnType<typeof createServer> | undefined;
let project = "";
let remote = "";
let sdks = "";
let env: NodeJS.ProcessEnv = {};
let args: string[] = [];

const closed = "http://127.0.0.1:9";
/** Any HTTP that is not for loopback goes to a closed port and fails at once. */
const OFFLINE = {
  HTTP_PROXY: closed,
  HTTPS_PROXY: closed,
  ALL_PROXY: closed,
  http_proxy: closed,
  https_proxy: closed,
  NO_PROXY: "127.0.0.1,localhost",
  no_proxy: "127.0.0.1,localhost",
  HF_HUB_OFFLINE: "1",
  LITELLM_LOCAL_MODEL_COST_MAP: "True",
};

async function run(
  argv: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<AsyncResult> {
  return await runAsync(argv, { cwd: options.cwd ?? project, env: options.env ?? env });
}

function ok(result: AsyncResult, what: string): AsyncResult {
  const shown = `${result.stdout}\n${result.stderr}`.split("\n").slice(-60).join("\n");
  assert.equal(result.status, 0, `${what} failed:\n${shown}`);
  return result;
}

before(async () => {
  const venvPython = cached("example-venv.mjs");
  sdks = cached("example-wheelhouse.mjs");
  const base = work.dir;
  project = join(base, "prompt-manager");
  remote = join(base, "origin.git");
  cpSync(example, project, { recursive: true, filter: (p) => !IGNORED.test(p) });

  // The development install: the package and the third-party test plugin as distributions (their
  // entry points), with src first on the path, as an editable install has it.
  const site = join(base, "site");
  execFileSync(
    venvPython,
    [
      ...["-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "--no-index"],
      ...["--target", site, project, join(project, "tests", "thirdparty_plugin")],
    ],
    { env: { ...process.env, PIP_CONFIG_FILE: devNull, PYTHONDONTWRITEBYTECODE: "1" }, stdio: "pipe" },
  );

  git(base, "init", "-q", "--bare", "-b", "main", remote);
  git(project, "init", "-q", "-b", "main");
  git(project, "config", "user.name", "Slipway Tests");
  git(project, "config", "user.email", "tests@slipway.dev");
  git(project, "add", "-A");
  git(project, "commit", "-q", "-m", "feat: prompts for OpenAI, Anthropic, LangChain and LiteLLM");
  git(project, "tag", "-a", "prompt-manager-v0.1.0", "-m", "prompt-manager 0.1.0");
  git(project, "remote", "add", "origin", remote);
  git(project, "commit", "-q", "--allow-empty", "-m", "fix: render a CHAT prompt's partial variables");
  git(project, "push", "-q", "origin", "main", "prompt-manager-v0.1.0");

  target = await startIndex({
    root: join(base, "target"),
    onEvent: (e) => {
      if (e.type === "upload") uploads.push(e);
    },
  });
  // The advisory database, as CI gets it before a release: `slipway scan update-db`, here from a
  // loopback feed of the committed OSV records.
  const members = readdirSync(join(ADVISORY_FIXTURES, "vulns")).flatMap((pkg) =>
    readdirSync(join(ADVISORY_FIXTURES, "vulns", pkg)).map((file) => {
      const record = parseYaml(readFileSync(join(ADVISORY_FIXTURES, "vulns", pkg, file), "utf8")) as {
        id: string;
      };
      return { name: `${record.id}.json`, data: JSON.stringify(record) };
    }),
  );
  const zip = buildZip({ entries: members });
  const server = createServer((_req, res) => {
    res.writeHead(200, { "Content-Type": "application/zip", "Content-Length": zip.length });
    res.end(zip);
  });
  feed = server;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const home = join(base, "home");
  mkdirSync(home);
  env = {
    PATH: `${join(venvPython, "..")}${delimiter}${process.env["PATH"] ?? ""}`,
    HOME: home,
    CI: "1",
    NO_COLOR: "1",
    PIP_CONFIG_FILE: devNull,
    PYTHONPATH: `${join(project, "src")}${delimiter}${site}`,
    PYTHONDONTWRITEBYTECODE: "1",
    // mypy's cache beside the cached venv, as a developer's stays warm: the SDKs' modules are
    // analysed once (half a minute), not at every run. mypy re-checks what changed by itself.
    MYPY_CACHE_DIR: `${join(venvPython, "..", "..")}-mypy-cache`,
    SLIPWAY_CACHE_DIR: join(base, "cache"),
    TWINE_USERNAME: "__token__",
    TWINE_PASSWORD: target.token,
    ...OFFLINE,
  };
  const port = (server.address() as AddressInfo).port;
  ok(
    await run([process.execPath, CLI, "scan", "update-db", "--url", `http://127.0.0.1:${port}/all.zip`]),
    "scan update-db",
  );
  args = [
    ...[process.execPath, CLI, "release", "--yes", "--to", target.uploadUrl, "--check-url", target.simpleUrl],
    ...["--python", peersPython(), "--find-links", wheelhouse(), "--find-links", sdks, "--no-index"],
    ...["--stage-upstream", "none"],
  ];
});

after(async () => {
  await target?.close();
  const server = feed;
  if (server !== undefined) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  work.remove();
});

const GATES = [
  "python -m pytest -q",
  "python tests/coverage_gate.py coverage.json",
  "python -m mypy --strict",
  "python -m ruff check .",
  "python -m ruff format --check .",
];

test("the example's gates block a commit that drops tests and adds untyped code, each with its output's tail", async () => {
  const head = git(project, "rev-parse", "HEAD").trim();
  const kept = "tests/unit/test_template.py";
  const dropped = readdirSync(join(project, "tests", "unit"))
    .filter((f) => f.startsWith("test_") && `tests/unit/${f}` !== kept)
    .map((f) => `tests/unit/${f}`);
  assert.ok(dropped.length >= 5, `only ${dropped.length} unit test files`);
  git(project, "rm", "-q", ...dropped);
  writeFileSync(
    join(project, "src", "prompt_manager", "shout.py"),
    "def shout(text):\n    return text.upper()\n",
  );
  git(project, "add", "-A");
  git(project, "commit", "-q", "-m", "feat: shout");
  const defect = git(project, "rev-parse", "HEAD").trim();
  let r: AsyncResult;
  let state: string[];
  try {
    r = await run(args);
    state = [git(project, "rev-parse", "HEAD").trim(), git(project, "status", "--porcelain")];
  } finally {
    // The next test releases without the defect: the commit is dropped (it was never pushed).
    git(project, "reset", "-q", "--hard", head);
  }
  assert.equal(r.status, 1, `${r.stdout}\n${r.stderr}`);
  const out = r.stdout;
  // Every gate ran, in the order configured, and all failures are reported together.
  assert.deepEqual(
    r.stderr.split("\n").flatMap((l) => /^release: edit: gate: (.*)$/.exec(l)?.[1] ?? []),
    GATES,
  );
  const problem = (gate: string): string => {
    const at = out.indexOf(`gate \`${gate}\` failed`);
    assert.notEqual(at, -1, `no problem for ${gate}:\n${out}`);
    return out.slice(at, out.indexOf("hint:", at));
  };
  assert.match(
    problem(GATES[0]!),
    /FAIL Required test coverage of 90(\.0)?% not reached\. Total coverage: [\d.]+%/,
  );
  assert.match(problem(GATES[0]!), /\d+ passed/, "the tests that are left pass: the threshold blocks");
  assert.match(problem(GATES[1]!), /coverage of lines: [\d.]+% \(threshold 90%\) FAIL/);
  assert.match(problem(GATES[2]!), /shout\.py:1: error: Function is missing a type annotation/);
  assert.match(problem(GATES[2]!), /Found 1 error in 1 file/);
  assert.match(
    problem(GATES[3]!),
    /D103 Missing docstring in public function\s+--> src\/prompt_manager\/shout\.py:1:5/,
  );
  assert.match(problem(GATES[3]!), /Found 2 errors\./);
  assert.doesNotMatch(out, /gate `python -m ruff format --check \.` failed/, "the formatting is fine");
  assert.match(out, /release blocked before any change: 4 problem/);
  assert.doesNotMatch(`${r.stdout}${r.stderr}`, new RegExp(target.token.slice(4)));
  // Nothing changed: no commit, no tag, nothing uploaded, nothing pushed.
  assert.deepEqual(state, [defect, ""]);
  assert.equal(git(project, "tag", "--list", "prompt-manager-v*").trim(), "prompt-manager-v0.1.0");
  assert.doesNotMatch(git(project, "ls-remote", "origin"), /v0\.1\.1|v0\.2\.0|refs\/slipway/);
  assert.deepEqual(uploads, []);
});

test("slipway release takes the example to the target, and pip installs it with every integration", async () => {
  const r = await run(args);
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(
    r.stderr,
    /^prompt-manager 0\.1\.0 → 0\.1\.1 {2}\(bump patch, from 1 commit since prompt-manager-v0\.1\.0\)$/m,
  );
  assert.match(r.stdout, /^released prompt-manager 0\.1\.1$/m);
  assert.equal(r.stderr.split("\n").filter((l) => /^release: edit: gate: /.test(l)).length, GATES.length);
  // Verified with every integration's SDK: [all] from the stage, its SDKs from the wheelhouse.
  assert.match(r.stderr, /^release: verify: ok extra prompt-manager\[all\]==0\.1\.1$/m);
  assert.match(r.stderr, /^release: verify: ok import prompt_manager$/m);

  // Published: the wheel and the sdist, once each.
  assert.deepEqual(uploads.map((u) => [u.filename, u.outcome]).sort(), [
    ["prompt_manager-0.1.1-py3-none-any.whl", "stored"],
    ["prompt_manager-0.1.1.tar.gz", "stored"],
  ]);
  // Committed (the version in both places, the changelog), tagged and pushed.
  assert.match(readFileSync(join(project, "pyproject.toml"), "utf8"), /^version = "0\.1\.1"$/m);
  assert.match(
    readFileSync(join(project, "src", "prompt_manager", "__init__.py"), "utf8"),
    /__version__.*"0\.1\.1"/,
  );
  const changelog = readFileSync(join(project, "CHANGELOG.md"), "utf8");
  assert.match(
    changelog,
    /^## \[0\.1\.1\] - \d{4}-\d\d-\d\d$[\s\S]*render a CHAT prompt's partial variables[\s\S]*^## \[0\.1\.0\]/m,
  );
  assert.equal(git(project, "log", "-1", "--format=%s").trim(), "chore(release): 0.1.1");
  assert.equal(git(project, "status", "--porcelain"), "");
  const remoteRefs = git(project, "ls-remote", "origin");
  const head = git(project, "rev-parse", "HEAD").trim();
  assert.match(remoteRefs, new RegExp(`^${head}\\trefs/heads/main$`, "m"));
  assert.match(remoteRefs, /\trefs\/tags\/prompt-manager-v0\.1\.1$/m);
  assert.doesNotMatch(remoteRefs, /refs\/slipway\//, "the release state refs are gone");
  assert.doesNotMatch(`${r.stdout}${r.stderr}`, new RegExp(target.token.slice(4)));

  // A user's install from the target: the package from the index, the SDKs from the wheelhouse.
  const venv = join(work.dir, "user-venv");
  ok(await run([peersPython(), "-m", "venv", venv], { env: { PATH: process.env["PATH"] } }), "venv");
  const python = join(venv, "bin", "python");
  const userEnv = {
    PATH: `${join(venv, "bin")}${delimiter}${process.env["PATH"] ?? ""}`,
    HOME: join(work.dir, "home"),
    PIP_CONFIG_FILE: devNull,
    PYTHONDONTWRITEBYTECODE: "1",
    NO_COLOR: "1",
    ...OFFLINE,
  };
  ok(
    await run(
      [
        ...[python, "-m", "pip", "install", "--quiet", "--no-compile", "--disable-pip-version-check"],
        ...["--index-url", target.simpleUrl, "--find-links", sdks, "prompt-manager[all]"],
      ],
      { env: userEnv, cwd: work.dir },
    ),
    'pip install "prompt-manager[all]"',
  );
  const installed = ok(
    await run(
      [
        python,
        "-c",
        "import prompt_manager, importlib.metadata as m; print(prompt_manager.__version__, m.version('prompt-manager'), prompt_manager.__file__)",
      ],
      { env: userEnv, cwd: work.dir },
    ),
    "import",
  ).stdout.trim();
  assert.match(installed, /^0\.1\.1 0\.1\.1 .*user-venv.*site-packages/);
  const plugins = ok(
    await run([join(venv, "bin", "prompt-manager"), "plugins"], { env: userEnv, cwd: work.dir }),
    "prompt-manager plugins",
  );
  assert.equal(
    plugins.stdout.trim(),
    ["anthropic", "langchain", "litellm", "openai"].map((p) => `${p} 0.1.1: available`).join("\n"),
  );
  // An example of the package, run from outside the project against the installed copy.
  const script = join(project, "examples", "openai_chat.py");
  const chat = ok(
    await run([python, "-P", script], { env: userEnv, cwd: work.dir }),
    "examples/openai_chat.py",
  );
  assert.match(chat.stdout, /^reply: Check the fuse\.$/m);
});
