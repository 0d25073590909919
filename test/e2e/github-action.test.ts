/**
 * The GitHub Action's entry (dist/action.js, what action.yml runs) in a GitHub-shaped
 * environment: a workspace, an event file, GITHUB_* variables, the summary and output files in
 * temp directories, inputs as the runner passes them (INPUT_*). The assertions read what it
 * writes: the workflow commands on stdout, the summary file, the output file.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { ACTION_INPUTS, inputEnvName } from "../../src/action/inputs.ts";
import { type RunningIndex, startIndex } from "../../src/server/index-server.ts";
import { actionlint, zizmor } from "../helpers/ci-linters.ts";
import { writeDists } from "../helpers/dists.ts";
import { runAsync } from "../helpers/run-async.ts";
import { writeWheel } from "../helpers/wheels.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const ACTION = join(ROOT, "dist", "action.js");
const work = mkdtempSync(join(tmpdir(), "slipway-action-"));
let index: RunningIndex;
let runs = 0;

before(async () => {
  index = await startIndex({ root: join(work, "index") });
});
after(async () => {
  await index.close();
  rmSync(work, { recursive: true, force: true });
});

interface ActionRun {
  status: number | null;
  stdout: string;
  stderr: string;
  summary: string;
  outputs: Record<string, string>;
}

/** Parses `$GITHUB_OUTPUT` as the runner does: `name<<DELIM` … `DELIM`, or `name=value`. */
function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === "") continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc === null) {
      const eq = line.indexOf("=");
      outputs[line.slice(0, eq)] = line.slice(eq + 1);
      continue;
    }
    const value: string[] = [];
    while (lines[++i] !== heredoc[2]) {
      assert.ok(i < lines.length, `unterminated output ${heredoc[1]}`);
      value.push(lines[i]!);
    }
    outputs[heredoc[1]!] = value.join("\n");
  }
  return outputs;
}

/** A workspace laid out as the runner's: the repository checked out, the step's files beside it. */
function workspace(): { ws: string; runner: string } {
  const base = join(work, `run-${runs++}`);
  const ws = join(base, "ws");
  const runner = join(base, "runner");
  mkdirSync(ws, { recursive: true });
  mkdirSync(runner, { recursive: true });
  return { ws, runner };
}

async function runAction(
  ws: string,
  runner: string,
  inputs: Record<string, string>,
  options: { summaryBefore?: string; entry?: string } = {},
): Promise<ActionRun> {
  const summaryFile = join(runner, "step_summary");
  const outputFile = join(runner, "output");
  writeFileSync(summaryFile, options.summaryBefore ?? "");
  writeFileSync(outputFile, "");
  const event = join(runner, "event.json");
  writeFileSync(
    event,
    JSON.stringify({ ref: "refs/heads/main", repository: { full_name: "octo/pkg", fork: false } }),
  );
  const env: Record<string, string> = {
    PATH: process.env["PATH"] ?? "",
    HOME: runner,
    CI: "true",
    SLIPWAY_README_ENV: "off",
    GITHUB_ACTIONS: "true",
    GITHUB_WORKSPACE: ws,
    GITHUB_EVENT_NAME: "push",
    GITHUB_EVENT_PATH: event,
    GITHUB_REPOSITORY: "octo/pkg",
    GITHUB_SHA: "0".repeat(40),
    GITHUB_REF: "refs/heads/main",
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_OUTPUT: outputFile,
    RUNNER_OS: "Linux",
    RUNNER_TEMP: runner,
  };
  for (const [name, value] of Object.entries(inputs)) env[inputEnvName(name)] = value;
  // The runner starts an action with the workspace as its working directory.
  const r = await runAsync([process.execPath, options.entry ?? ACTION], { env, cwd: ws });
  return {
    ...r,
    summary: readFileSync(summaryFile, "utf8"),
    outputs: parseOutputs(readFileSync(outputFile, "utf8")),
  };
}

const commandLines = (stdout: string, kind: string) =>
  stdout.split("\n").filter((l) => l.startsWith(`::${kind}`));

/** Twelve wheels, each with two errors and two warnings; a member name full of command syntax. */
function hostileWheels(dir: string): string[] {
  return Array.from({ length: 12 }, (_, i) =>
    writeWheel(dir, {
      name: `bad_pkg${i}`,
      files: { [`bad_pkg${i}/__init__.py`]: "x = 1\n", [`bad_pkg${i}/a%0A::warning::b,c:d.py`]: "" },
    }),
  );
}

test("check: 10 annotations of each kind, escaped, on repository paths; the rest in the summary; exit 1", async () => {
  const { ws, runner } = workspace();
  const wheels = hostileWheels(join(ws, "proj", "dist"));
  const r = await runAction(ws, runner, {
    command: "check",
    "working-directory": "proj",
    args: wheels.map((w) => `'dist/${basename(w)}'`).join(" "),
    strict: "false",
  });
  assert.equal(r.status, 1, r.stderr);
  const errors = commandLines(r.stdout, "error");
  const warnings = commandLines(r.stdout, "warning");
  assert.equal(errors.length, 10, r.stdout);
  assert.equal(warnings.length, 10);
  // The member name's `%0A::warning::` stays text: % escaped in data, : and , in properties.
  const rec03 = errors.find((l) => l.includes("title=REC03"));
  assert.ok(rec03, r.stdout);
  assert.match(
    rec03,
    /^::error file=proj\/dist\/bad_pkg\d+-1\.0\.0-py3-none-any\.whl,title=REC03 bad_pkg\d+\/a%250A%3A%3Awarning%3A%3Ab%2Cc%3Ad\.py::/,
  );
  assert.match(rec03, /a%250A::warning::b,c:d\.py is not listed in RECORD%0Ahint: /);
  // Every finding is in the log, with workflow commands stopped around them.
  const stop = /^::stop-commands::([0-9a-f-]{36})$/m.exec(r.stdout);
  assert.ok(stop, "commands are stopped around the finding lines");
  const block = r.stdout.slice(stop.index, r.stdout.indexOf(`::${stop[1]}::`));
  assert.equal(block.split("\n").filter((l) => /^(error|warning)\s/.test(l)).length, 48);
  // The summary: every finding as a row, saying which ones got no annotation.
  assert.match(r.summary, /^### slipway check: ❌ failed \(exit 1\)/);
  assert.match(
    r.summary,
    /#### Findings: 24 errors, 24 warnings — GitHub shows 10 annotations of each kind; 28 more are only listed here/,
  );
  assert.equal(r.summary.split("\n").filter((l) => /^\| (❌|⚠️)/.test(l)).length, 48);
  assert.deepEqual(r.outputs, { version: "", published: "", sha256s: "" });
});

test("the summary stays within GitHub's 1 MiB with what earlier steps wrote, saying what it left out", async () => {
  const { ws, runner } = workspace();
  const wheels = hostileWheels(join(ws, "dist"));
  const before = `${"earlier step output\n".repeat(52_000)}`;
  const r = await runAction(
    ws,
    runner,
    { command: "check", args: wheels.map((w) => `dist/${basename(w)}`).join(" ") },
    { summaryBefore: before },
  );
  assert.equal(r.status, 1, r.stderr);
  assert.ok(r.summary.startsWith(before), "what was there is kept");
  assert.ok(Buffer.byteLength(r.summary) <= 1024 * 1024, `${Buffer.byteLength(r.summary)} bytes`);
  assert.match(r.summary, /\*\*Truncated\*\*: \d+ more rows? did not fit in GitHub's 1 MiB step summary/);
});

test("publish: the token reaches slipway as env only and is masked first; outputs version, published, sha256s", async () => {
  const { ws, runner } = workspace();
  const dists = writeDists(join(ws, "dist"), { name: "slipway-action-demo", version: "3.1" }).all;
  const inputs = {
    command: "publish",
    to: index.uploadUrl,
    "check-url": index.simpleUrl,
    password: index.token,
    "trusted-publishing": "never",
    args: dists.map((d) => `dist/${basename(d)}`).join(" "),
  };
  const first = await runAction(ws, runner, inputs);
  assert.equal(first.status, 0, first.stdout + first.stderr);
  const lines = first.stdout.split("\n");
  assert.equal(lines[0], `::add-mask::${index.token}`, "the mask comes before anything else");
  assert.equal(
    lines.filter((l) => l.includes(index.token)).length,
    1,
    "the token is written once: in the mask",
  );
  assert.ok(!first.stderr.includes(index.token));
  const command = lines.find((l) => l.startsWith("slipway publish"));
  assert.ok(command !== undefined && !command.includes(index.token), "no token on the command line");
  const expected = dists
    .map((d) => `${createHash("sha256").update(readFileSync(d)).digest("hex")}  ${basename(d)}`)
    .sort();
  assert.equal(first.outputs["version"], "3.1");
  assert.equal(first.outputs["published"], "true");
  assert.deepEqual(first.outputs["sha256s"]?.split("\n").sort(), expected);
  assert.match(first.summary, /### slipway publish: ✅ passed/);
  assert.match(first.summary, /\| slipway\\_action\\_demo-3\.1\.tar\.gz \| `[0-9a-f]{64}` \| uploaded \|/);
  // A re-run (a retried job) converges: the same outputs, the files already there.
  const again = await runAction(ws, runner, inputs);
  assert.equal(again.status, 0, again.stderr);
  assert.equal(again.outputs["published"], "true");
  assert.match(again.summary, /\| exists-identical \|/);
  // A wrong token for files not there yet: the index refuses, the step fails, published false.
  const next = writeDists(join(ws, "dist-next"), { name: "slipway-action-demo", version: "3.2" }).all;
  const refused = await runAction(ws, runner, {
    ...inputs,
    password: "pypi-wrong-token",
    args: next.map((d) => `dist-next/${basename(d)}`).join(" "),
  });
  assert.equal(refused.status, 1, refused.stdout);
  assert.equal(refused.outputs["published"], "false");
  assert.ok(!refused.stdout.replace("::add-mask::pypi-wrong-token", "").includes("pypi-wrong-token"));
  assert.ok(!refused.stderr.includes("pypi-wrong-token"));
});

test("usage errors: exit 2 with an error annotation naming the fix; nothing run", async () => {
  const { ws, runner } = workspace();
  const unknown = await runAction(ws, runner, { command: "deploy" });
  assert.equal(unknown.status, 2);
  assert.match(
    unknown.stdout,
    /^::error title=slipway action::the slipway action has no command 'deploy'%0Ahint: set 'command%3A'|^::error title=slipway action::the slipway action has no command 'deploy'%0Ahint: set 'command:'/m,
  );
  assert.equal(unknown.summary, "");
  const misplaced = await runAction(ws, runner, { command: "check", password: "pypi-secret-value" });
  assert.equal(misplaced.status, 2);
  assert.match(misplaced.stdout, /the input 'password' does not apply to 'check'/);
  assert.ok(!misplaced.stdout.includes("pypi-secret-value"), "a refused secret input is never echoed");
  const nowhere = await runAction(ws, runner, { command: "check", "working-directory": "missing" });
  assert.equal(nowhere.status, 2);
  assert.match(nowhere.stdout, /working-directory 'missing' is not a directory/);
});

test("the CLI's own usage error becomes an annotation and the summary's headline", async () => {
  const { ws, runner } = workspace();
  const r = await runAction(ws, runner, { command: "release", args: "--bump sideways" });
  assert.equal(r.status, 2, r.stdout);
  // release prints this usage error as text only: its words become the annotation.
  assert.match(
    r.stdout,
    /^::error title=slipway release::slipway release: unknown bump "sideways".*%0Ahint: run 'slipway release --help'$/m,
  );
  assert.match(r.summary, /### slipway release: ❌ failed \(exit 2\)/);
  assert.equal(r.outputs["published"], "false");
});

test("the commit a workflow pins holds the bundle: its tree, as the runner downloads it, runs the action; a rebuild at it changes nothing", async () => {
  // The checkout as it is on disk (tracked and new files), committed in a scratch repository.
  const repo = join(work, "repo");
  const files = execFileSync("git", ["ls-files", "-co", "--exclude-standard", "-z"], {
    cwd: ROOT,
    encoding: "utf8",
  })
    .split("\0")
    .filter((f) => f !== "" && f !== ".cache" && f !== "node_modules" && existsSync(join(ROOT, f)));
  for (const f of files) cpSync(join(ROOT, f), join(repo, f), { recursive: true });
  symlinkSync(join(ROOT, "node_modules"), join(repo, "node_modules"), "junction");
  const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, encoding: "utf8" }).trim();
  git("init", "-q", "-b", "main");
  git("config", "user.email", "t@example.com");
  git("config", "user.name", "T");
  git("add", "-A", "--", ".", ":!node_modules");
  git("commit", "-q", "-m", "source");
  assert.equal(git("ls-files", "dist").trim(), "", "main's history has no bundle");
  const made = await runAsync([process.execPath, join(repo, "scripts", "action-commit.mjs")], { cwd: repo });
  assert.equal(made.status, 0, made.stderr);
  const sha = made.stdout.trim();
  assert.match(sha, /^[0-9a-f]{40}$/);
  assert.equal(git("rev-parse", "refs/tags/action-v0.1.0^{commit}").replace(/\n/g, ""), sha);
  assert.equal(
    git("status", "--porcelain", "--untracked-files=no"),
    "",
    "the branch and index are untouched",
  );
  // What `uses: owner/slipway@<sha>` downloads: the commit's tree, nothing else.
  const download = join(work, "download");
  mkdirSync(download);
  execFileSync("sh", ["-c", `git -C '${repo}' archive ${sha} | tar -x -C '${download}'`]);
  assert.ok(!existsSync(join(download, "node_modules")));
  const action = parse(readFileSync(join(download, "action.yml"), "utf8")) as { runs: { main: string } };
  assert.ok(existsSync(join(download, action.runs.main)), `${action.runs.main} is in the pinned tree`);
  const { ws, runner } = workspace();
  cpSync(join(ROOT, "examples", "hatch-lib"), join(ws, "pkg"), { recursive: true });
  const r = await runAction(
    ws,
    runner,
    { command: "check", "working-directory": "pkg" },
    {
      entry: join(download, action.runs.main),
    },
  );
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.summary, /### slipway check: ✅ passed/);
  // CI's proof that the bundle is the source's: rebuild at the tag, and git sees no change.
  git("checkout", "-q", sha);
  const rebuilt = await runAsync([process.execPath, join(repo, "scripts", "build.mjs")], { cwd: repo });
  assert.equal(rebuilt.status, 0, rebuilt.stderr);
  assert.equal(
    git("status", "--porcelain", "--untracked-files=no"),
    "",
    "a rebuild reproduces the committed dist/",
  );
});

test("action.yml and the workflows of docs/github-action.md pass actionlint and zizmor; the docs list every input", async () => {
  const doc = readFileSync(join(ROOT, "docs", "github-action.md"), "utf8");
  const workflows = [...doc.matchAll(/```yaml\n(name: [\s\S]*?)```/g)].map((m) => m[1]!);
  assert.equal(workflows.length, 2);
  const dir = join(work, "lint", ".github", "workflows");
  mkdirSync(dir, { recursive: true });
  const files = workflows.map((text, i) => {
    const file = join(dir, `example-${i}.yml`);
    writeFileSync(file, text);
    return file;
  });
  for (const [i, text] of workflows.entries())
    assert.deepEqual(await actionlint(text, `example-${i}.yml`), [], `actionlint on example ${i}`);
  const findings = zizmor([join(ROOT, "action.yml"), ...files]);
  assert.deepEqual(
    findings.map((f) => `${f.ident}: ${f.desc}`),
    [],
  );
  for (const input of ACTION_INPUTS)
    assert.ok(doc.includes(`| \`${input.name}\` |`), `docs list ${input.name}`);
});
