/**
 * Console scripts that need an extra: reading a failed script's output against the
 * distribution's METADATA. The METADATA lines are httpx 0.28.1's own (its wheel on PyPI).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  diagnoseScriptFailure,
  missingModule,
  optionalDependencies,
  optionalExtraMessage,
} from "../../src/core/verify/optional-deps.ts";

// httpx-0.28.1.dist-info/METADATA, Provides-Extra and Requires-Dist.
const HTTPX = {
  project: "httpx",
  extras: ["brotli", "cli", "http2", "socks", "zstd"],
  requires: [
    "anyio",
    "certifi",
    "httpcore==1.*",
    "idna",
    "brotli; (platform_python_implementation == 'CPython') and extra == 'brotli'",
    "brotlicffi; (platform_python_implementation != 'CPython') and extra == 'brotli'",
    "click==8.*; extra == 'cli'",
    "pygments==2.*; extra == 'cli'",
    "rich<14,>=10; extra == 'cli'",
    "h2<5,>=3; extra == 'http2'",
    "socksio==1.*; extra == 'socks'",
    "zstandard>=0.18.0; extra == 'zstd'",
  ],
};

test("optionalDependencies: dependencies declared only under extras, with their extras", () => {
  const optional = optionalDependencies(HTTPX.requires);
  assert.deepEqual(optional.get("click"), ["cli"]);
  assert.deepEqual(optional.get("pygments"), ["cli"]);
  assert.deepEqual(optional.get("brotli"), ["brotli"]);
  assert.equal(optional.has("anyio"), false);
  // Needed by a plain install as well: not optional, whatever extra also names it.
  const both = optionalDependencies([
    "typing-extensions",
    "typing_extensions>=4; extra == 'dev'",
    "Rich; extra == 'cli' or extra == 'all'",
  ]);
  assert.equal(both.has("typing-extensions"), false);
  assert.deepEqual(both.get("rich"), ["cli", "all"]);
});

test("missingModule reads the last 'No module named' line of a traceback", () => {
  const output =
    'Traceback (most recent call last):\n  File "/v/bin/httpx", line 5, in <module>\n    from httpx._main import main\n  File "/v/lib/python3.11/site-packages/httpx/_main.py", line 8, in <module>\n    import click\nModuleNotFoundError: No module named \'click\'';
  assert.deepEqual(missingModule(output), {
    module: "click",
    line: "ModuleNotFoundError: No module named 'click'",
  });
  assert.equal(missingModule("ImportError: cannot import name 'x' from 'y'"), undefined);
});

test("diagnoseScriptFailure: a missing module that is an optional dependency names its extra", () => {
  const cause = diagnoseScriptFailure("ModuleNotFoundError: No module named 'pygments.lexers'", HTTPX);
  assert.deepEqual(cause, {
    extras: ["cli"],
    evidence: "ModuleNotFoundError: No module named 'pygments.lexers'",
  });
  // A base dependency, or a module nobody declares, is a real failure.
  assert.equal(diagnoseScriptFailure("ModuleNotFoundError: No module named 'anyio'", HTTPX), undefined);
  assert.equal(diagnoseScriptFailure("ModuleNotFoundError: No module named 'httpx_gone'", HTTPX), undefined);
});

test("diagnoseScriptFailure: the script's own advice to install project[extra] names the extra", () => {
  // What httpx 0.28.1's fallback `main` prints (to stdout) when its cli dependencies are missing.
  const output =
    "The httpx command line client could not run because the required dependencies were not installed.\nMake sure you've installed everything with: pip install 'httpx[cli]'";
  assert.deepEqual(diagnoseScriptFailure(output, HTTPX), {
    extras: ["cli"],
    evidence: "Make sure you've installed everything with: pip install 'httpx[cli]'",
  });
  // Another project's extra, or an extra httpx does not declare, says nothing about httpx.
  assert.equal(diagnoseScriptFailure("pip install 'rich[jupyter]'", HTTPX), undefined);
  assert.equal(diagnoseScriptFailure("pip install 'httpx[gui]'", HTTPX), undefined);
  assert.deepEqual(diagnoseScriptFailure("pip install HTTPX[CLI]", HTTPX)?.extras, ["cli"]);
});

test("optionalExtraMessage says which extra, what failed, and what to do", () => {
  const cause = { extras: ["cli"], evidence: "ModuleNotFoundError: No module named 'click'" };
  assert.equal(
    optionalExtraMessage({ script: "httpx", cause, outcome: "unverified" }),
    "httpx needs the 'cli' extra: it failed with ModuleNotFoundError: No module named 'click'; verify with --extras cli",
  );
  assert.equal(
    optionalExtraMessage({ script: "httpx", cause, outcome: "proven" }),
    "httpx needs the 'cli' extra: without it, it failed with ModuleNotFoundError: No module named 'click'; with it, it ran",
  );
  assert.match(
    optionalExtraMessage({
      script: "httpx",
      cause: { extras: ["cli", "all"], evidence: "" },
      outcome: "unavailable",
    }),
    /^httpx needs the 'cli' or 'all' extra: it failed, and the extra could not be installed/,
  );
});
