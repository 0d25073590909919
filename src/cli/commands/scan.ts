/**
 * `slipway scan`: the dispatcher of the scan subcommands. Each subcommand is its own module,
 * loaded only when used; a bare `slipway scan [PATH]` runs every scan of the project (scan-secrets.ts runWhole).
 */
import type { CommandIO } from "../command.ts";

interface Subcommand {
  summary: string;
  load: () => Promise<{ run(argv: string[], io: CommandIO): Promise<number> }>;
}

const SUBCOMMANDS: Record<string, Subcommand> = {
  secrets: {
    summary: "secrets in the work tree (and history, staged changes, distributions)",
    load: () => import("./scan-secrets.ts"),
  },
  lock: {
    summary: "lockfiles that no longer match pyproject.toml, or pin artifacts without hashes",
    load: () => import("./scan-lock.ts"),
  },
  deps: {
    summary: "pinned dependencies against known vulnerabilities (offline advisory database)",
    load: () => import("./scan-deps.ts"),
  },
  "update-db": {
    summary: "download OSV's PyPI advisories for `scan deps`",
    load: () => import("./scan-update-db.ts"),
  },
};

export async function run(argv: string[], io: CommandIO): Promise<number> {
  const first = argv[0];
  const sub = first === undefined ? undefined : SUBCOMMANDS[first];
  if (sub !== undefined) return (await sub.load()).run(argv.slice(1), io);
  return (await import("./scan-secrets.ts")).runWhole(argv, io);
}
