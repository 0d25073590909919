/**
 * The GitHub Action's entry (action.yml `runs.main`, bundled as dist/action.js). It turns the
 * inputs into a slipway command line, runs the CLI beside it (dist/cli.js) as a child of the
 * runner's own Node with `--json`, and from that output writes the annotations, the job summary
 * and the step outputs. Secrets reach the CLI as environment variables only and are masked first.
 *
 * The CLI runs as a child, not in-process: its environment is exactly what this file gives it
 * (no `INPUT_*`, so a build backend never sees a secret input; no summary or output file, which
 * this file owns), and its exit status is its own. This file stays small: its cost before the
 * CLI starts is the action's overhead (bench/action.mjs).
 */
import { spawn } from "node:child_process";
import { appendFile, stat } from "node:fs/promises";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { SlipwayError } from "../errors.ts";
import { assembleInvocation, childEnv, type Invocation } from "./inputs.ts";
import { outputsText, type ResultFinding, readCommandResult } from "./results.ts";
import { renderSummary, STEP_SUMMARY_LIMIT } from "./summary.ts";
import {
  type Annotation,
  annotationCommand,
  escapeData,
  maskCommands,
  splitAnnotations,
} from "./workflow-commands.ts";

type Env = Readonly<Record<string, string | undefined>>;

/** Bytes of the CLI's stdout kept for reading its result; past this the result is unreadable. */
const MAX_OUTPUT = 64 * 1024 * 1024;

const out = (line: string) => process.stdout.write(`${line}\n`);

async function main(env: Env): Promise<number> {
  let invocation: Invocation;
  try {
    invocation = assembleInvocation(env);
  } catch (error) {
    if (!(error instanceof SlipwayError)) throw error;
    out(failureCommand(error.message, error.hint));
    return 2;
  }
  // Masks first: nothing this run prints can show a secret input afterwards.
  for (const secret of invocation.secrets) for (const line of maskCommands(secret)) out(line);

  const workspace = resolve(env["GITHUB_WORKSPACE"] || process.cwd());
  const cwd = resolve(workspace, invocation.workingDirectory);
  if (!(await isDirectory(cwd))) {
    out(
      failureCommand(
        `working-directory '${invocation.workingDirectory}' is not a directory`,
        "give a path inside the repository",
      ),
    );
    return 2;
  }
  out(`slipway ${invocation.argv.join(" ")}`);
  const running = runCli(invocation, cwd, env);
  // node:crypto takes tens of ms to load: loaded while the CLI runs, not before it starts.
  const { randomUUID } = await import("node:crypto");
  const run = await running;
  const result = readCommandResult(invocation.command, run.stdout, run.exit);
  if (run.truncated)
    result.facts.push(
      `slipway wrote more than ${MAX_OUTPUT / 1024 / 1024} MiB of JSON; the result is not read`,
    );

  if (result.error === undefined && run.exit !== 0 && result.findings.length === 0) {
    // No error line on stdout (a command that printed its error only as text): its last words.
    result.error = {
      code: "exit",
      message: run.stderrTail.trim() || `slipway ${invocation.command} exited with ${run.exit}`,
    };
  }
  const annotations = result.findings.map((f) => annotationOf(f, cwd, workspace));
  if (result.error !== undefined)
    annotations.unshift({
      kind: "error",
      title: `slipway ${invocation.command}`,
      message: `${result.error.message}${result.error.hint === undefined ? "" : `\nhint: ${result.error.hint}`}`,
    });
  const { shown, hidden } = splitAnnotations(annotations);
  for (const a of shown) out(annotationCommand(a));
  logFindings(result.findings, randomUUID());

  const summaryFile = env["GITHUB_STEP_SUMMARY"];
  if (summaryFile) {
    const before = (await sizeOf(summaryFile)) ?? 0;
    const limit = Math.max(0, STEP_SUMMARY_LIMIT - before - 2);
    await appendFile(
      summaryFile,
      `${before > 0 ? "\n" : ""}${renderSummary(result, { unannotated: hidden.length, limit })}`,
    );
  }
  const outputFile = env["GITHUB_OUTPUT"];
  if (outputFile) await appendFile(outputFile, outputsText(result, `ghadelimiter_${randomUUID()}`));
  return run.exit;
}

function failureCommand(message: string, hint: string | undefined): string {
  return annotationCommand({
    kind: "error",
    title: "slipway action",
    message: hint ? `${message}\nhint: ${hint}` : message,
  });
}

const KIND = { error: "error", warning: "warning", info: "notice" } as const;

/** A finding as an annotation on its file, the path relative to the repository (GitHub's view). */
function annotationOf(f: ResultFinding, cwd: string, workspace: string): Annotation {
  const a: Annotation = {
    kind: KIND[f.severity],
    title: `${f.id}${f.detail === undefined ? "" : ` ${f.detail}`}`,
    message: `${f.message}${f.hint === "" ? "" : `\nhint: ${f.hint}`}`,
  };
  if (f.file !== "") {
    const path = relative(workspace, resolve(cwd, f.file));
    if (path !== "" && !path.startsWith("..") && !isAbsolute(path)) a.file = path.split(sep).join("/");
  }
  if (f.line !== undefined) a.line = f.line;
  return a;
}

/**
 * Every finding as a plain log line, in a group, with workflow commands stopped meanwhile: a
 * message is data, and a line of it that looked like `::set-output` must stay text.
 */
function logFindings(findings: readonly ResultFinding[], token: string): void {
  if (findings.length === 0) return;
  out(`::group::${findings.length} finding${findings.length === 1 ? "" : "s"}`);
  out(`::stop-commands::${token}`);
  for (const f of findings) {
    const where = `${f.file}${f.detail === undefined ? "" : ` ${f.detail}`}${f.line === undefined ? "" : `:${f.line}`}`;
    out(`${f.severity.padEnd(7)} ${f.id} ${where}: ${f.message}`.replace(/[\r\n]+/g, " "));
  }
  out(`::${token}::`);
  out("::endgroup::");
}

interface CliRun {
  exit: number;
  stdout: string;
  truncated: boolean;
  stderrTail: string;
}

/** Characters of the CLI's stderr kept for an error annotation when it wrote no JSON error. */
const STDERR_TAIL = 4096;

function lastLines(text: string, count: number): string {
  return text.trimEnd().split("\n").slice(-count).join("\n");
}

/**
 * Runs dist/cli.js with the invocation's argv. Its stderr (the human progress) goes on to the
 * log; its stdout (JSON) is kept, except `::add-mask::` lines (a minted token), which are
 * passed on at once so the runner masks the token before anything could print it.
 */
function runCli(invocation: Invocation, cwd: string, env: Env): Promise<CliRun> {
  const cli = fileURLToPath(new URL("./cli.js", import.meta.url));
  const child = spawn(process.execPath, [cli, ...invocation.argv], {
    cwd,
    env: childEnv(env, invocation.env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  // stderr (the human text) goes to the log as it comes; its tail is kept for the annotation.
  let stderrTail = "";
  child.stderr.on("data", (chunk: Buffer) => {
    process.stderr.write(chunk);
    stderrTail = (stderrTail + chunk.toString("utf8")).slice(-STDERR_TAIL);
  });
  const chunks: Buffer[] = [];
  let kept = 0;
  let truncated = false;
  let pending = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (text: string) => {
    pending += text;
    let nl = pending.indexOf("\n");
    let start = 0;
    while (nl !== -1) {
      const line = pending.slice(start, nl);
      if (line.startsWith("::add-mask::")) out(line);
      else keep(`${line}\n`);
      start = nl + 1;
      nl = pending.indexOf("\n", start);
    }
    pending = pending.slice(start);
    // A line longer than the whole budget is not waited for.
    if (pending.length > MAX_OUTPUT) {
      keep(pending);
      pending = "";
    }
  });
  function keep(text: string): void {
    if (truncated) return;
    const buf = Buffer.from(text, "utf8");
    if (kept + buf.length > MAX_OUTPUT) {
      truncated = true;
      return;
    }
    chunks.push(buf);
    kept += buf.length;
  }
  return new Promise((done, fail) => {
    child.on("error", fail);
    child.on("close", (code) => {
      if (pending !== "") {
        if (pending.startsWith("::add-mask::")) out(pending);
        else keep(pending);
      }
      done({
        exit: code ?? 1,
        stdout: truncated ? "" : Buffer.concat(chunks).toString("utf8"),
        truncated,
        stderrTail: lastLines(stderrTail, 6),
      });
    });
  });
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch {
    return undefined;
  }
}

try {
  process.exitCode = await main(process.env);
} catch (error) {
  // A bug or an I/O failure of the action itself: say so on the step, never a stack of secrets.
  const message = error instanceof Error ? error.message : String(error);
  out(`::error title=slipway action::${escapeData(`the action failed: ${message}`)}`);
  process.exitCode = 1;
}
