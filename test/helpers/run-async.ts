/**
 * A child process run without blocking this one: tests that serve an index from their own
 * process (the embedded index, a capture server) cannot use spawnSync, which would stall it.
 */
import { spawn } from "node:child_process";

export interface AsyncResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runAsync(
  argv: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string } = {},
): Promise<AsyncResult> {
  return new Promise((resolve) => {
    const [command = "", ...args] = argv;
    const child = spawn(command, args, { env: options.env ?? process.env, cwd: options.cwd });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    child.on("close", (status) => resolve({ status, stdout, stderr }));
    // A child that exits without reading its stdin closes the pipe first: EPIPE, not a failure.
    child.stdin.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE") throw error;
    });
    child.stdin.end(options.input ?? "");
  });
}
