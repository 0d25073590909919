/**
 * The action's inputs as a command line: flags per command, secrets as environment only,
 * `args` split without a shell, usage errors for what does not fit; and action.yml listing
 * exactly the inputs the code reads.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { parse } from "yaml";
import {
  ACTION_INPUTS,
  assembleInvocation,
  childEnv,
  inputEnvName,
  splitArgs,
} from "../../src/action/inputs.ts";
import { SlipwayError } from "../../src/errors.ts";

const inputs = (given: Record<string, string>) =>
  Object.fromEntries(Object.entries(given).map(([k, v]) => [inputEnvName(k), v]));

const usage = (fn: () => unknown, message: RegExp) =>
  assert.throws(
    fn,
    (e: unknown) => e instanceof SlipwayError && e.code === "usage" && message.test(e.message),
  );

test("the runner's name for an input keeps hyphens and upper-cases", () => {
  assert.equal(inputEnvName("working-directory"), "INPUT_WORKING-DIRECTORY");
  assert.equal(inputEnvName("a b"), "INPUT_A_B");
});

test("inputs become flags; args come first, --json last", () => {
  const inv = assembleInvocation(
    inputs({ command: "scan", args: "deps --history", "fail-on": "critical", db: "osv db", strict: "" }),
  );
  assert.deepEqual(inv.argv, [
    "scan",
    "deps",
    "--history",
    "--fail-on",
    "critical",
    "--db",
    "osv db",
    "--json",
  ]);
  assert.equal(inv.workingDirectory, ".");
  const check = assembleInvocation(inputs({ command: "check", strict: "true", "working-directory": "pkg" }));
  assert.deepEqual(check.argv, ["check", "--strict", "--json"]);
  assert.equal(check.workingDirectory, "pkg");
  // false booleans add nothing, and are allowed for any command (action.yml defaults).
  assert.deepEqual(assembleInvocation(inputs({ command: "build", strict: "false" })).argv, [
    "build",
    "--json",
  ]);
});

test("a secret goes to the environment, never to argv, and is kept exactly", () => {
  const token = "pypi-AgEIcHlwaS5vcmc-secret, with: odd %chars ";
  const inv = assembleInvocation(inputs({ command: "publish", password: `${token}\n`, to: "testpypi" }));
  assert.deepEqual(inv.argv, ["publish", "--to", "testpypi", "--json"]);
  assert.deepEqual(inv.env, { TWINE_PASSWORD: token });
  assert.deepEqual(inv.secrets, [token]);
  assert.ok(!inv.argv.join(" ").includes("pypi-"), "no token on the command line");
});

test("bad inputs are usage errors naming the input and the fix", () => {
  usage(() => assembleInvocation(inputs({})), /needs a command/);
  usage(() => assembleInvocation(inputs({ command: "deploy" })), /no command 'deploy'/);
  usage(
    () => assembleInvocation(inputs({ command: "check", password: "x" })),
    /'password' does not apply to 'check'/,
  );
  usage(
    () => assembleInvocation(inputs({ command: "check", strict: "yes" })),
    /'strict' is 'yes', not a boolean/,
  );
  usage(
    () => assembleInvocation(inputs({ command: "publish", "trusted-publishing": "sometimes" })),
    /'trusted-publishing' is 'sometimes'/,
  );
  usage(
    () => assembleInvocation(inputs({ command: "check", args: "--format human" })),
    /must not hold --format/,
  );
  usage(() => assembleInvocation(inputs({ command: "check", args: "--json" })), /must not hold --json/);
  usage(
    () => assembleInvocation(inputs({ command: "publish", args: "--password-stdin" })),
    /--password-stdin/,
  );
});

test("args split like a shell without expansion; unterminated quotes are refused", () => {
  assert.deepEqual(splitArgs(""), []);
  assert.deepEqual(splitArgs("  a \n b\t"), ["a", "b"]);
  assert.deepEqual(splitArgs(`--to 'my index' "a \\"b\\" c" $HOME ''`), [
    "--to",
    "my index",
    'a "b" c',
    "$HOME",
    "",
  ]);
  assert.deepEqual(splitArgs(`a'b'"c"d`), ["abcd"]);
  usage(() => splitArgs(`'open`), /unterminated single quote/);
  usage(() => splitArgs(`"open`), /unterminated double quote/);
  usage(() => splitArgs("a\0b"), /NUL/);
  // Linear on a long hostile input.
  const long = `${"'x' ".repeat(200_000)}"`;
  const start = performance.now();
  usage(() => splitArgs(long), /unterminated/);
  assert.ok(performance.now() - start < 2000);
});

test("action.yml declares exactly the inputs the entry reads, and runs the bundle on node24", () => {
  const action = parse(readFileSync(new URL("../../action.yml", import.meta.url), "utf8")) as {
    inputs: Record<string, { required?: boolean; default?: string }>;
    outputs: Record<string, unknown>;
    runs: { using: string; main: string };
  };
  assert.deepEqual(
    Object.keys(action.inputs).sort(),
    [...["args", "command", "working-directory"], ...ACTION_INPUTS.map((i) => i.name)].sort(),
  );
  assert.equal(action.inputs["command"]?.required, true);
  assert.deepEqual(Object.keys(action.outputs).sort(), ["published", "sha256s", "version"]);
  assert.deepEqual(action.runs, { using: "node24", main: "dist/action.js" });
});

test("the CLI's environment: the runner's, without any input or the files the action writes, plus the secrets", () => {
  const env = childEnv(
    {
      PATH: "/bin",
      GITHUB_SHA: "abc",
      INPUT_PASSWORD: "pypi-secret",
      "INPUT_WORKING-DIRECTORY": "pkg",
      GITHUB_STEP_SUMMARY: "/s",
      GITHUB_OUTPUT: "/o",
      UNSET: undefined,
    },
    { TWINE_PASSWORD: "pypi-secret" },
  );
  assert.deepEqual(env, { PATH: "/bin", GITHUB_SHA: "abc", TWINE_PASSWORD: "pypi-secret" });
});
