/**
 * The slipway CLI on a real pseudo-terminal (util-linux `script`), answering its questions as a
 * person would: each answer is typed when its prompt shows, never before (a terminal program may
 * read only what is typed after it asks).
 */
import { spawn, spawnSync } from "node:child_process";
import { devNull } from "node:os";
import { CLI } from "./cli.ts";

/** True when `script` can give a child a terminal here. */
export function hasScript(): boolean {
  return spawnSync("script", ["--version"]).status === 0;
}

export interface Answer {
  /** Typed once the screen so far matches. */
  when: RegExp;
  /** The keys, e.g. `"2\r"`; `\r` is Enter, `\x03` Ctrl-C, `\x04` Ctrl-D (end of input). */
  send: string;
}

export interface TerminalRun {
  status: number | null;
  /** What the person saw (colours removed), prompts and echoed answers included. */
  screen: string;
  /** Answers never typed because their prompt never showed. */
  unanswered: number;
  /** True when the run outlived `timeoutMs` and was killed (a question nobody answered). */
  timedOut: boolean;
}

/**
 * `slipway ARGS` in `cwd` on a pseudo-terminal; `answers` are typed in order, each when the
 * screen after the previous answer matches its `when`. `script` does not pass the end of its
 * own input on, so a question nobody answers waits: the run is killed after `timeoutMs`.
 */
export function onTerminal(
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; answers?: readonly Answer[]; timeoutMs?: number },
): Promise<TerminalRun> {
  const quoted = [process.execPath, CLI, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(" ");
  const env = { ...options.env, CI: "", TERM: "xterm", COLUMNS: "120" };
  const pending = [...(options.answers ?? [])];
  return new Promise((resolve) => {
    const child = spawn("script", ["-qec", quoted, devNull], { cwd: options.cwd, env });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, options.timeoutMs ?? 60_000);
    let screen = "";
    let since = 0;
    const next = () => {
      const answer = pending[0];
      if (answer === undefined || !answer.when.test(screen.slice(since))) return;
      pending.shift();
      since = screen.length;
      child.stdin.write(answer.send);
      if (pending.length === 0) child.stdin.end();
      else next();
    };
    const take = (chunk: Buffer) => {
      screen += chunk.toString().replace(/\u001b\[[0-9;?]*[A-Za-z]/g, "");
      next();
    };
    child.stdout.on("data", take);
    child.stderr.on("data", take);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, screen, unanswered: pending.length, timedOut });
    });
    if (pending.length === 0) child.stdin.end();
  });
}
