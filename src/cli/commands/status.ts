/**
 * `slipway status`: the dispatcher of the status subcommands. Each subcommand is its own module,
 * loaded only when used; a bare `slipway status [PATH]` builds the SecurityStatus document
 * (status-build.ts).
 */
import type { CommandIO } from "../command.ts";

interface Subcommand {
  summary: string;
  load: () => Promise<{ run(argv: string[], io: CommandIO): Promise<number> }>;
}

const SUBCOMMANDS: Record<string, Subcommand> = {};

export async function run(argv: string[], io: CommandIO): Promise<number> {
  const first = argv[0];
  const sub = first === undefined ? undefined : SUBCOMMANDS[first];
  if (sub !== undefined) return (await sub.load()).run(argv.slice(1), io);
  return (await import("./status-build.ts")).run(argv, io);
}

/** The subcommands' lines of the help. */
export function subcommandLines(): string {
  return Object.entries(SUBCOMMANDS)
    .map(([name, s]) => `  slipway status ${name}  ${s.summary}`)
    .join("\n");
}
