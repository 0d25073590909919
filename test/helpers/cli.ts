/** The slipway CLI from source, run to completion off a terminal (for the version and changelog tests). */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/** src/cli/main.ts: what `node <CLI> <command> …` runs. */
export const CLI = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `slipway ARGS` in `cwd` with exactly `env` (add PATH and HOME yourself); waits for the exit. */
export function runSlipway(cwd: string, args: readonly string[], env: NodeJS.ProcessEnv): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: "utf8", env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
