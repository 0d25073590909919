/**
 * verify-install loads every entry point, installs each extra in a venv of its own and imports
 * the modules that use it, and times imports against a budget, for real: small wheels written by
 * the test for the failure cases, their optional dependencies as tiny wheels in a find-links
 * directory, and the flagship example (examples/prompt-manager, built with flit_core) verified
 * with every extra from the example wheelhouse. Real venvs, real pip with --no-index; any HTTP
 * that is not loopback goes to a closed port.
 */
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { devNull, tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describeVerifyResult } from "../../src/core/verify/step-results.ts";
import { type VerifyRun, type VerifyStep, verifyInstall } from "../../src/ops/verify-install.ts";
import { peersPython } from "../helpers/peers.ts";
import { writeWheel } from "../helpers/wheels.ts";

const work = mkdtempSync(join(tmpdir(), "slipway-verify-ep-"));
after(() => rmSync(work, { recursive: true, force: true }));
const python = peersPython();
const closed = "http://127.0.0.1:9";
const env: Record<string, string | undefined> = {
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(PIP_|PYTHON)/.test(k))),
  PIP_CONFIG_FILE: devNull,
  HTTP_PROXY: closed,
  HTTPS_PROXY: closed,
  http_proxy: closed,
  https_proxy: closed,
  NO_PROXY: "127.0.0.1,localhost",
  LITELLM_LOCAL_MODEL_COST_MAP: "True",
  HF_HUB_OFFLINE: "1",
};

const deps = join(work, "deps");
writeWheel(deps, {
  name: "sdkdep",
  version: "2.0.0",
  files: { "sdkdep/__init__.py": "", "sdkdep/client.py": "class Client:\n    pass\n" },
});
writeWheel(deps, { name: "PyYAML", version: "6.0.2", files: { "yaml/__init__.py": "" } });
// fastdep lacks what lazykit imports from it: `turbo` and `VERSION`.
writeWheel(deps, { name: "fastdep", version: "1.0.0", files: { "fastdep/__init__.py": "SPEED = 1\n" } });

/** A package with plugins: one needs its `sdk` extra, one PyYAML (import name yaml), one is broken. */
const plugkit = () =>
  writeWheel(join(work, "plugkit"), {
    name: "plugkit",
    files: {
      "plugkit/__init__.py": "",
      "plugkit/plugins.py": "class Good:\n    pass\n\ndef gui():\n    pass\n",
      "plugkit/sdk_plugin.py": "import sdkdep\n\nclass SdkPlugin:\n    pass\n",
      "plugkit/yaml_plugin.py": "import yaml\n\nclass YamlPlugin:\n    pass\n",
      "plugkit/lazy.py": "def client():\n    from sdkdep.client import Client\n    return Client\n",
      "plugkit/__main__.py": "raise SystemExit('never imported')\nimport sdkdep\n",
    },
    metadata: [
      "Provides-Extra: sdk",
      "Requires-Dist: sdkdep>=2; extra == 'sdk'",
      "Provides-Extra: yaml",
      "Requires-Dist: PyYAML>=6; extra == 'yaml'",
      "",
    ].join("\n"),
    entryPoints: [
      "[gui_scripts]",
      "plugkit-gui = plugkit.plugins:gui",
      "[plugkit.plugins]",
      "good = plugkit.plugins:Good",
      "sdk = plugkit.sdk_plugin:SdkPlugin",
      "yaml = plugkit.yaml_plugin:YamlPlugin",
      "broken = plugkit.plugins:Missing",
      "",
    ].join("\n"),
  });

const verify = (dist: string, more: { extras?: string[]; maxImportMs?: number } = {}) =>
  verifyInstall({
    cwd: work,
    env,
    dists: [dist],
    pythons: [python],
    findLinks: [deps],
    noIndex: true,
    ...more,
  });

const row = (s: VerifyStep) => [s.kind, s.subject, s.ok, s.warning === true];
const stepOf = (run: VerifyRun | undefined, subject: string) => run?.steps.find((s) => s.subject === subject);

describe("verify-install: entry points and extras", { concurrency: 2 }, () => {
  test("every entry point is loaded; one needing an extra is a warning proven in that extra's venv", async () => {
    const report = await verify(plugkit());
    const run = report.runs[0];
    assert.deepEqual(run?.steps.slice(4).map(row), [
      ["entry-point", "[gui_scripts] plugkit-gui", true, false],
      ["entry-point", "[plugkit.plugins] good", true, false],
      // Retried once the extras are in: each finishes after the extra that proves it.
      ["extra", "plugkit[sdk]==1.0.0", true, false],
      ["entry-point", "[plugkit.plugins] sdk", true, true],
      ["extra", "plugkit[yaml]==1.0.0", true, false],
      ["entry-point", "[plugkit.plugins] yaml", true, true],
      ["entry-point", "[plugkit.plugins] broken", false, false],
    ]);
    assert.equal(report.ok, false);
    const sdk = stepOf(run, "[plugkit.plugins] sdk")?.result;
    assert.deepEqual(sdk, {
      kind: "entry-point-needs-extra",
      group: "plugkit.plugins",
      name: "sdk",
      value: "plugkit.sdk_plugin:SdkPlugin",
      cause: { extras: ["sdk"], evidence: "ModuleNotFoundError: No module named 'sdkdep'" },
      outcome: "proven",
      install: 'pip install "plugkit[sdk]"',
    });
    assert.equal(
      describeVerifyResult(sdk!),
      `plugkit.sdk_plugin:SdkPlugin needs the 'sdk' extra: without it, it failed to load with ModuleNotFoundError: No module named 'sdkdep'; with it, it loaded (pip install "plugkit[sdk]")`,
    );
    // yaml is not PyYAML's name: only loading it again with the yaml extra traces it.
    const yaml = stepOf(run, "[plugkit.plugins] yaml")?.result;
    assert.ok(yaml?.kind === "entry-point-needs-extra", JSON.stringify(yaml));
    assert.deepEqual([yaml.cause.extras, yaml.outcome], [["yaml"], "proven"]);
    // A broken entry point: group, name, value and the exception's last line.
    const broken = stepOf(run, "[plugkit.plugins] broken")?.result;
    assert.deepEqual(broken, {
      kind: "entry-point-failed",
      group: "plugkit.plugins",
      name: "broken",
      value: "plugkit.plugins:Missing",
      lastLine: "AttributeError: module 'plugkit.plugins' has no attribute 'Missing'",
    });
    // The sdk extra's venv imports the modules that use sdkdep (lazily too), never __main__.
    const extra = stepOf(run, "plugkit[sdk]==1.0.0")?.result;
    assert.deepEqual(extra, {
      kind: "extra-installed",
      modules: ["plugkit"],
      needing: ["plugkit.lazy", "plugkit.sdk_plugin"],
      entryPoints: 3,
    });
    // Each extra in a venv of its own: yaml's has no sdkdep, so the sdk plugin does not load there.
    assert.deepEqual(stepOf(run, "plugkit[yaml]==1.0.0")?.result, {
      kind: "extra-installed",
      modules: ["plugkit"],
      needing: ["plugkit.yaml_plugin"],
      entryPoints: 3,
    });
  });

  test("without the extras: a warning naming the extra and the install command; the CLI exits 1 for the broken one only", async () => {
    const cli = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
    const dist = plugkit();
    const r = await promisify(execFile)(
      process.execPath,
      [cli, "verify-install", dist, "--python", python, "--find-links", deps, "--no-index", "--extras", ""],
      { cwd: work, env: { ...env, CI: "true", NO_COLOR: "1" }, timeout: 120_000 },
    ).then(
      () => assert.fail("exit 0"),
      (e: { code: number; stdout: string }) => e,
    );
    assert.equal(r.code, 1);
    assert.match(
      r.stdout,
      /^ {2}warn entry-point {2}\[plugkit\.plugins\] sdk: plugkit\.sdk_plugin:SdkPlugin needs the 'sdk' extra: it failed to load with ModuleNotFoundError: No module named 'sdkdep'; users install it with pip install "plugkit\[sdk\]" \(/m,
    );
    assert.match(
      r.stdout,
      /^ {2}FAIL entry-point {2}\[plugkit\.plugins\] broken: plugkit\.plugins:Missing did not load: AttributeError/m,
    );
    // With no extra to try, yaml (no distribution of that name) is an error.
    assert.match(r.stdout, /^ {2}FAIL entry-point {2}\[plugkit\.plugins\] yaml: .*No module named 'yaml'/m);
    assert.match(
      r.stdout,
      /^ {2}ok {3}entry-point {2}\[plugkit\.plugins\] good: loaded plugkit\.plugins:Good/m,
    );
  });

  test("an extra fails when its distributions lack what the package imports from them, or an entry point breaks with it", async () => {
    const dist = writeWheel(join(work, "lazykit"), {
      name: "lazykit",
      files: {
        "lazykit/__init__.py": "",
        "lazykit/speed.py": "def go():\n    from fastdep import turbo\n    return turbo()\n",
        "lazykit/plug.py": [
          "try:",
          "    import fastdep",
          "    SPEED = fastdep.VERSION.upper()",
          "except ImportError:",
          "    SPEED = None",
          "class Plug:",
          "    pass",
          "",
        ].join("\n"),
      },
      metadata: "Provides-Extra: fast\nRequires-Dist: fastdep; extra == 'fast'\n",
      entryPoints: "[lazykit.plugins]\nplug = lazykit.plug:Plug\n",
    });
    const report = await verify(dist);
    const run = report.runs[0];
    assert.equal(stepOf(run, "[lazykit.plugins] plug")?.ok, true);
    const bad = run?.steps.filter((s) => !s.ok) ?? [];
    assert.deepEqual(bad.map(row), [["extra", "lazykit[fast]==1.0.0", false, false]]);
    assert.deepEqual(bad[0]?.result, {
      kind: "extra-import-failed",
      extra: "fast",
      modules: ["lazykit.plug", "lazykit.speed"],
      entryPoints: ["[lazykit.plugins] plug"],
    });
    assert.match(
      bad[0]?.output ?? "",
      /^lazykit\.speed \(uses fastdep\.turbo\): ModuleNotFoundError: No module named 'fastdep\.turbo'/m,
    );
    assert.match(
      bad[0]?.output ?? "",
      /^\[lazykit\.plugins\] plug = lazykit\.plug:Plug: AttributeError: .*VERSION/m,
    );
  });

  test("hostile entry points: a missing own module is an error, a process exit fails the rest, nothing hangs", async () => {
    const dist = writeWheel(join(work, "hostile"), {
      name: "hostilekit",
      files: {
        "hostilekit/__init__.py": "",
        "hostilekit/noisy.py": 'print(\'__slipway_probe__ {"kind": "ep"}\')\nX = 1\n',
        "hostilekit/quits.py": "import os\nos._exit(3)\n",
      },
      entryPoints: [
        "[hostile]",
        "a-own = hostilekit.nope:X",
        "b-noisy = hostilekit.noisy:X",
        "c-exit = hostilekit.quits:X",
        "d-after = hostilekit.noisy:X",
        "",
      ].join("\n"),
    });
    const run = (await verify(dist)).runs[0];
    const ep = (name: string) => stepOf(run, `[hostile] ${name}`);
    assert.deepEqual(
      ["a-own", "b-noisy", "c-exit", "d-after"].map((n) => [ep(n)?.ok, ep(n)?.warning === true]),
      [
        [false, false],
        [true, false],
        [false, false],
        [false, false],
      ],
    );
    assert.match(describeVerifyResult(ep("a-own")!.result), /No module named 'hostilekit\.nope'/);
    assert.match(describeVerifyResult(ep("c-exit")!.result), /the probe exited with 3/);
  });

  test("an import over budget fails as the median of 5 runs, naming the slowest module", async () => {
    const dist = writeWheel(join(work, "slow"), {
      name: "slowkit",
      files: {
        "slowkit/__init__.py": "from . import heavy\n",
        "slowkit/heavy.py": "import time\ntime.sleep(0.12)\n",
      },
    });
    const run = (await verify(dist, { maxImportMs: 60 })).runs[0];
    const slow = stepOf(run, "slowkit");
    assert.ok(slow?.result.kind === "import-slow", JSON.stringify(slow?.result));
    assert.deepEqual([slow.result.runs, slow.result.slowest?.module], [5, "slowkit.heavy"]);
    assert.ok((slow.result.slowest?.ms ?? 0) >= 100);
    assert.match(
      describeVerifyResult(slow.result),
      /^import slowkit took [\d.]+ ms \(median of 5\), over the budget of 60 ms; slowest module: slowkit\.heavy \([\d.]+ ms of its own\)$/,
    );
  });

  test("the CLI holds [tool.slipway.release] verify.max-import-ms; --max-import-ms overrides it", async () => {
    const project = join(work, "budget-project");
    writeWheel(join(project, "dist"), {
      name: "slowkit",
      files: { "slowkit/__init__.py": "import time\ntime.sleep(0.12)\n" },
    });
    writeFileSync(
      join(project, "pyproject.toml"),
      '[project]\nname = "slowkit"\nversion = "1.0.0"\n\n[tool.slipway.release]\nverify = { max-import-ms = 60 }\n',
    );
    const cli = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
    const run = (...args: string[]) =>
      promisify(execFile)(
        process.execPath,
        [cli, "verify-install", "--python", python, "--no-index", ...args],
        {
          cwd: project,
          env: { ...env, CI: "true", NO_COLOR: "1" },
          timeout: 120_000,
        },
      ).then(
        (r) => ({ code: 0, stdout: r.stdout }),
        (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
      );
    const held = await run();
    assert.equal(held.code, 1, held.stdout);
    assert.match(
      held.stdout,
      /FAIL import {7}slowkit: import slowkit took [\d.]+ ms \(median of 5\), over the budget of 60 ms; slowest module: slowkit /,
    );
    const overridden = await run("--max-import-ms", "5000");
    assert.equal(overridden.code, 0, overridden.stdout);
  });
});

describe("verify-install: the flagship example with every extra", () => {
  test("prompt-manager: plugins load, each extra in its own venv imports what uses it, import under 500 ms", async () => {
    const project = join(work, "prompt-manager");
    cpSync(fileURLToPath(new URL("../../examples/prompt-manager", import.meta.url)), project, {
      recursive: true,
      filter: (p) => !/(^|\/)(dist|build|__pycache__|\.[a-z_]+cache)$/.test(p),
    });
    const out = join(work, "pm-dist");
    mkdirSync(out);
    execFileSync(python, ["-c", "import sys, flit_core.buildapi as b; b.build_wheel(sys.argv[1])", out], {
      cwd: project,
      env,
    });
    const wheel = join(out, readdirSync(out).find((f) => f.endsWith(".whl")) ?? "");
    const wheelhouse = execFileSync(
      process.execPath,
      [fileURLToPath(new URL("../../scripts/example-wheelhouse.mjs", import.meta.url)), "--offline"],
      { encoding: "utf8" },
    ).trim();
    const report = await verifyInstall({
      cwd: work,
      env,
      dists: [wheel],
      pythons: [python],
      findLinks: [wheelhouse],
      noIndex: true,
      maxImportMs: 500,
    });
    const run = report.runs[0];
    assert.equal(
      report.ok,
      true,
      JSON.stringify(
        run?.steps.filter((s) => !s.ok),
        null,
        2,
      ),
    );
    assert.deepEqual(
      run?.steps.filter((s) => s.kind === "entry-point").map((s) => [s.subject, s.result.kind]),
      ["anthropic", "langchain", "litellm", "openai"].map((n) => [
        `[prompt_manager.plugins] ${n}`,
        "entry-point-loaded",
      ]),
    );
    const imported = stepOf(run, "prompt_manager")?.result;
    assert.ok(
      imported?.kind === "imported" && imported.runs === 5 && imported.ms < 500,
      JSON.stringify(imported),
    );
    const extras = Object.fromEntries(
      (run?.steps ?? []).filter((s) => s.kind === "extra").map((s) => [s.subject, s.result]),
    );
    assert.deepEqual(Object.keys(extras).sort(), [
      "prompt-manager[all]==0.1.0",
      "prompt-manager[anthropic]==0.1.0",
      "prompt-manager[langchain]==0.1.0",
      "prompt-manager[litellm]==0.1.0",
      "prompt-manager[openai]==0.1.0",
      "prompt-manager[yaml]==0.1.0",
    ]);
    const needing = (extra: string) => {
      const r = extras[`prompt-manager[${extra}]==0.1.0`];
      return r?.kind === "extra-installed" ? (r.needing ?? []) : ["(failed)"];
    };
    assert.deepEqual(needing("langchain"), ["prompt_manager.integrations.langchain"]);
    assert.deepEqual(needing("yaml"), ["prompt_manager.storage"]);
    // `all` names the other extras (prompt-manager[openai,...]): their modules come with it.
    assert.deepEqual(needing("all"), ["prompt_manager.integrations.langchain", "prompt_manager.storage"]);
  });
});
