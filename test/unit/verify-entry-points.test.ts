/**
 * The pure parts of verify-install's entry points and extras: which entry points load, what an
 * extra brings (prompt-manager's METADATA, `all` naming the others), which modules are source,
 * the probe's answer read from noisy output, and why an entry point did not load.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  diagnoseLoadFailure,
  extraDistributions,
  installCommand,
  loadableEntryPoints,
  parseProbeOutput,
  sourceModules,
  wheelLibPaths,
} from "../../src/core/verify/entry-points.ts";

// prompt_manager-0.1.0.dist-info/METADATA as flit_core writes it.
const PM = {
  project: "prompt-manager",
  extras: ["all", "anthropic", "langchain", "litellm", "openai", "yaml"],
  requires: [
    'prompt-manager[openai,anthropic,langchain,litellm,yaml] ; extra == "all"',
    'anthropic>=0.40 ; extra == "anthropic"',
    'langchain-core>=0.3 ; extra == "langchain"',
    'litellm>=1.50 ; extra == "litellm"',
    'openai>=1.40 ; extra == "openai"',
    'PyYAML>=6.0 ; extra == "yaml"',
  ],
};

test("loadableEntryPoints: every group but console_scripts, with declared extras", () => {
  const text = [
    "[console_scripts]",
    "pm = prompt_manager.cli:main",
    "[gui_scripts]",
    "pm-gui = prompt_manager.gui:main",
    "[prompt_manager.plugins]",
    "openai = prompt_manager.plugins.builtin:OpenAIPlugin",
    "fancy = pkg.fancy:Plugin [fast, cli]",
    "",
  ].join("\n");
  assert.deepEqual(loadableEntryPoints(text), [
    { group: "gui_scripts", name: "pm-gui", value: "prompt_manager.gui:main", extras: [] },
    {
      group: "prompt_manager.plugins",
      name: "openai",
      value: "prompt_manager.plugins.builtin:OpenAIPlugin",
      extras: [],
    },
    {
      group: "prompt_manager.plugins",
      name: "fancy",
      value: "pkg.fancy:Plugin [fast, cli]",
      extras: ["fast", "cli"],
    },
  ]);
  assert.deepEqual(loadableEntryPoints(undefined), []);
  assert.deepEqual(loadableEntryPoints("[broken\nx = y\n"), []);
});

test("extraDistributions follows the project's references to its own extras, without cycles", () => {
  assert.deepEqual(extraDistributions(PM.project, PM.requires, "yaml"), ["pyyaml"]);
  assert.deepEqual(extraDistributions(PM.project, PM.requires, "all"), [
    "anthropic",
    "langchain-core",
    "litellm",
    "openai",
    "pyyaml",
  ]);
  assert.deepEqual(extraDistributions(PM.project, PM.requires, "nope"), []);
  const cyclic = [
    "x[b] ; extra == 'a'",
    "x[a] ; extra == 'b'",
    "dep ; extra == 'b'",
    "base",
    "base ; extra == 'a'",
  ];
  // A dependency of the plain install is not the extra's.
  assert.deepEqual(extraDistributions("X", cyclic, "a"), ["dep"]);
});

test("sourceModules: dotted modules from lib paths, no __main__, no odd names; wheelLibPaths maps .data", () => {
  const paths = wheelLibPaths([
    "pkg/__init__.py",
    "pkg/sub/__init__.py",
    "pkg/sub/mod.py",
    "pkg/__main__.py",
    "pkg/sub/__main__.py",
    "pkg/data.json",
    "pkg/not-a-module.py",
    "pkg-1.0.dist-info/METADATA",
    "pkg-1.0.data/purelib/extra_mod.py",
    "pkg-1.0.data/scripts/tool.py",
  ]);
  assert.deepEqual(sourceModules(paths), ["extra_mod", "pkg", "pkg.sub", "pkg.sub.mod"]);
});

test("parseProbeOutput keeps only well-formed marked lines", () => {
  const out = [
    "plugin says hi",
    '__slipway_probe__ {"kind": "ep", "group": "g", "name": "a", "ok": true}',
    'noise __slipway_probe__ {"kind": "ep", "group": "g", "name": "z", "ok": true}',
    '__slipway_probe__ {"kind": "ep"}',
    "__slipway_probe__ {not json",
    '__slipway_probe__ {"kind": "ep", "group": "g", "name": "b", "ok": false, "error": "ModuleNotFoundError: No module named \'openai\'", "missing": "openai"}',
    '__slipway_probe__ {"kind": "module", "module": "m", "uses": ["yaml", 3], "ok": true}',
  ].join("\n");
  assert.deepEqual(parseProbeOutput(out), [
    { kind: "ep", group: "g", name: "a", ok: true },
    {
      kind: "ep",
      group: "g",
      name: "b",
      ok: false,
      error: "ModuleNotFoundError: No module named 'openai'",
      missing: "openai",
    },
    { kind: "module", module: "m", uses: ["yaml"], ok: true },
  ]);
});

test("diagnoseLoadFailure: an optional dependency's module, the project[extra] advice, the declared extras", () => {
  const facts = { ...PM, requires: [...PM.requires] };
  const line = "ModuleNotFoundError: No module named 'langchain_core'";
  assert.deepEqual(diagnoseLoadFailure({ lastLine: line, missing: "langchain_core.prompts" }, facts, []), {
    extras: ["langchain"],
    evidence: line,
  });
  const advice =
    'IntegrationNotAvailableError: openai is not installed: pip install "prompt-manager[openai]"';
  assert.deepEqual(diagnoseLoadFailure({ lastLine: advice }, facts, []), {
    extras: ["openai"],
    evidence: advice,
  });
  assert.deepEqual(diagnoseLoadFailure({ lastLine: "ImportError: x" }, facts, ["YAML", "undeclared"]), {
    extras: ["yaml"],
    evidence: "ImportError: x",
  });
  // The package's own module missing is no extra's doing.
  assert.equal(
    diagnoseLoadFailure(
      {
        lastLine: "ModuleNotFoundError: No module named 'prompt_manager.nope'",
        missing: "prompt_manager.nope",
      },
      facts,
      [],
    ),
    undefined,
  );
  assert.equal(installCommand("prompt-manager", ["openai"]), 'pip install "prompt-manager[openai]"');
});
