/**
 * The flagship example, examples/prompt-manager, held to its own quality bar for real: in the
 * example's cached venv (scripts/example-venv.mjs: the pinned openai, anthropic, langchain-core,
 * litellm, pytest, mypy, ruff), with the example and its third-party plugin package built into
 * wheels and installed beside it, its pytest suite passes with the coverage thresholds (lines ≥ 90,
 * branches ≥ 85) — the real SDKs' tests and the doctests included, none skipped — `mypy --strict`
 * and `ruff` are clean, and every examples/*.py runs. A run with most tests left out must fail on
 * the thresholds. Nothing reaches the network: pip installs from the copy with no index, the SDKs
 * talk to the suite's loopback fake server and any other HTTP goes to a closed loopback proxy.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, readdirSync, readFileSync } from "node:fs";
import { devNull } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { scratch } from "../helpers/git-repo.ts";

const example = fileURLToPath(new URL("../../examples/prompt-manager", import.meta.url));
const work = scratch("slipway-prompt-manager-");
after(work.remove);

const IGNORED =
  /(^|[\\/])(dist|build|__pycache__|\.pytest_cache|\.mypy_cache|\.ruff_cache|[^\\/]*\.egg-info|\.coverage|coverage\.json)$/;

/** The example venv's python; never creates it (`npm run peers` does, from PyPI). */
function examplePython(): string {
  return execFileSync(
    process.execPath,
    [fileURLToPath(new URL("../../scripts/example-venv.mjs", import.meta.url)), "--offline"],
    { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
  ).trim();
}

let python = "";
let project = "";
let env: NodeJS.ProcessEnv = {};

interface Run {
  status: number | null;
  out: string;
}

/** Runs the venv's python with argv in the project copy; stdout and stderr together. */
function py(args: string[], cwd = project, timeout = 300_000): Run {
  const r = spawnSync(python, args, { cwd, env, encoding: "utf8", timeout, maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, out: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}

function ok(run: Run, what: string): string {
  assert.equal(run.status, 0, `${what} failed:\n${run.out.split("\n").slice(-40).join("\n")}`);
  return run.out;
}

before(() => {
  python = examplePython();
  project = join(work.dir, "prompt-manager");
  cpSync(example, project, { recursive: true, filter: (p) => !IGNORED.test(p) });
  const site = join(work.dir, "site");
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(PIP_|PYTHON)/.test(k)));
  // Any HTTP that is not for loopback goes to a closed port and fails at once.
  const closed = "http://127.0.0.1:9";
  env = {
    ...base,
    PIP_CONFIG_FILE: devNull,
    PIP_NO_INDEX: "1",
    PIP_DISABLE_PIP_VERSION_CHECK: "1",
    PYTHONPATH: site,
    PYTHONDONTWRITEBYTECODE: "1",
    LITELLM_LOCAL_MODEL_COST_MAP: "True",
    HF_HUB_OFFLINE: "1",
    HTTP_PROXY: closed,
    HTTPS_PROXY: closed,
    ALL_PROXY: closed,
    http_proxy: closed,
    https_proxy: closed,
    NO_PROXY: "127.0.0.1,localhost",
    no_proxy: "127.0.0.1,localhost",
    NO_COLOR: "1",
  };
  // Wheels built from the copy (flit_core from the venv, no isolation), installed into a
  // directory of this test's own: the cached venv stays as it was made.
  ok(
    py([
      "-m",
      "pip",
      "install",
      "--quiet",
      "--no-deps",
      "--no-build-isolation",
      "--target",
      site,
      project,
      join(project, "tests", "thirdparty_plugin"),
    ]),
    "pip install of the example and its third-party plugin",
  );
});

let pytest: Run | undefined;
/** The whole suite, run once for the tests that read its results. */
function suite(): Run {
  pytest ??= py(["-m", "pytest", "-q", "-p", "no:cacheprovider", "--junitxml=junit.xml"]);
  return pytest;
}

describe("examples/prompt-manager meets its own quality bar", () => {
  test("the pytest suite passes with the coverage thresholds, nothing skipped", () => {
    const out = ok(suite(), "pytest");
    assert.match(out, /Required test coverage of 90(\.0)?% reached/);
    const junit = readFileSync(join(project, "junit.xml"), "utf8");
    const suiteTag = /<testsuite [^>]*>/.exec(junit)?.[0] ?? "";
    const count = (name: string) => Number(new RegExp(`${name}="(\\d+)"`).exec(suiteTag)?.[1]);
    assert.equal(count("failures"), 0);
    assert.equal(count("errors"), 0);
    assert.equal(count("skipped"), 0, "a skipped test means an SDK is missing from the venv");
    assert.ok(count("tests") >= 150, `only ${count("tests")} tests ran`);
    // The real SDKs' tests, the third-party plugin's and the doctests are among them.
    for (const name of [
      "test_openai_sdk_sends_the_converted_messages",
      "test_anthropic_sdk_sends_system_and_turns",
      "test_litellm_accepts_the_messages",
      "test_langchain_objects_format_and_serialize",
      "test_thirdparty_plugin_is_discovered_and_used",
      "test_doctests[prompt_manager.integrations.anthropic]",
      "test_importing_the_package_imports_no_sdk",
    ])
      assert.ok(junit.includes(`name="${name.replaceAll('"', "&quot;")}"`), `${name} did not run`);
  });

  test("lines ≥ 90% and branches ≥ 85%, each on its own", () => {
    ok(suite(), "pytest");
    const totals = JSON.parse(readFileSync(join(project, "coverage.json"), "utf8")).totals;
    assert.ok(totals.num_branches > 100, "branch coverage is measured");
    assert.ok((100 * totals.covered_lines) / totals.num_statements >= 90);
    assert.ok((100 * totals.covered_branches) / totals.num_branches >= 85);
    const gate = ok(py(["tests/coverage_gate.py", "coverage.json"]), "the coverage gate");
    assert.match(gate, /^coverage of lines: [\d.]+% \(threshold 90%\) ok$/m);
    assert.match(gate, /^coverage of branches: [\d.]+% \(threshold 85%\) ok$/m);
  });

  test("mypy --strict is clean on the package, the tests, the examples and the benchmark", () => {
    const out = ok(py(["-m", "mypy", "--strict"]), "mypy --strict");
    assert.match(out, /^Success: no issues found in \d+ source files$/m);
  });

  test("ruff check and ruff format --check are clean", () => {
    ok(py(["-m", "ruff", "check", "--no-cache", "."]), "ruff check");
    ok(py(["-m", "ruff", "format", "--check", "--no-cache", "."]), "ruff format --check");
  });

  test("every examples/*.py runs offline", () => {
    const scripts = readdirSync(join(project, "examples"))
      .filter((f) => f.endsWith(".py"))
      .sort();
    assert.deepEqual(scripts, [
      "anthropic_messages.py",
      "custom_integration.py",
      "langchain_templates.py",
      "litellm_completion.py",
      "openai_chat.py",
    ]);
    const expected: Record<string, RegExp> = {
      "anthropic_messages.py":
        /^reply: Looks fine\.$[\s\S]*^refused: prompt 'broken', message 1: two user turns/m,
      "custom_integration.py": /^USER: Hello, I am Ada\.$/m,
      "langchain_templates.py": /^Extract the names from Ada met Grace\. as \{"names": \[\.\.\.\]\}\.$/m,
      "litellm_completion.py": /^gpt-4o-mini: \(a haiku from gpt-4o-mini\)$/m,
      "openai_chat.py": /^reply: Check the fuse\.$/m,
    };
    for (const script of scripts) {
      const out = ok(py([join("examples", script)], project, 120_000), script);
      assert.match(out, expected[script] ?? /^$/, `${script} printed:\n${out}`);
    }
  });

  test("the installed package imports no SDK and lists its plugins with the console script's code", () => {
    const code = [
      "import sys, prompt_manager, prompt_manager.integrations, prompt_manager.plugins.builtin",
      "print(sorted(m for m in ('openai', 'anthropic', 'langchain_core', 'litellm') if m in sys.modules))",
      "from prompt_manager.cli import main",
      "main(['plugins'])",
    ].join("\n");
    assert.equal(
      ok(py(["-c", code]), "import").trim(),
      [
        "[]",
        "anthropic 0.1.0: available",
        "echo 1.0.0: available",
        "langchain 0.1.0: available",
        "litellm 0.1.0: available",
        "openai 0.1.0: available",
      ].join("\n"),
    );
  });
});

describe("a broken threshold fails the suite", () => {
  test("with most tests left out, pytest fails on coverage and so does the line/branch gate", () => {
    const copy = join(work.dir, "under-covered");
    cpSync(project, copy, { recursive: true, filter: (p) => !IGNORED.test(p) && !p.endsWith("junit.xml") });
    const run = py(["-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/unit/test_template.py"], copy);
    assert.notEqual(run.status, 0, "pytest passed although most of the package ran no test");
    assert.match(run.out, /FAIL Required test coverage of 90(\.0)?% not reached\. Total coverage: [\d.]+%/);
    assert.match(run.out, /\d+ passed/, "the tests themselves passed: only the threshold failed");
    const gate = py(["tests/coverage_gate.py", "coverage.json"], copy);
    assert.equal(gate.status, 1);
    assert.match(gate.out, /^coverage of lines: [\d.]+% \(threshold 90%\) FAIL$/m);
  });

  test("the gate holds branches on their own: a total above 90 does not hide them", () => {
    // The full run's report, judged with a branch threshold just above what the suite reaches.
    ok(suite(), "pytest");
    const totals = JSON.parse(readFileSync(join(project, "coverage.json"), "utf8")).totals;
    const above = ((100 * totals.covered_branches) / totals.num_branches + 0.5).toFixed(2);
    const gate = py(["tests/coverage_gate.py", "coverage.json", "--branches", above]);
    assert.equal(gate.status, 1, gate.out);
    assert.match(gate.out, /^coverage of lines: [\d.]+% \(threshold 90%\) ok$/m);
    assert.match(gate.out, /^coverage of branches: [\d.]+% \(threshold [\d.]+%\) FAIL$/m);
  });
});
