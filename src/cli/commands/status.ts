/**
 * `slipway status`: the dispatcher of the status subcommands. Each subcommand is its own module,
 * loaded only when used; a bare `slipway status [PATH]` builds the SecurityStatus document
 * (status-build.ts).
 */
import { maxOf } from "../../core/arrays.ts";
import type { CommandIO } from "../command.ts";

interface Subcommand {
  summary: string;
  load: () => Promise<{ run(argv: string[], io: CommandIO): Promise<number> }>;
}

const SUBCOMMANDS: Record<string, Subcommand> = {
  diff: {
    summary:
      "what changed between two documents: new, resolved, severity changed, fix available, ignore expired",
    load: () => import("./status-diff.ts"),
  },
  decide: {
    summary: "whether the change calls for a release: the decision, its justification, the release notes",
    load: () => import("./status-decide.ts"),
  },
};

export async function run(argv: string[], io: CommandIO): Promise<number> {
  const first = argv[0];
  const sub = first === undefined ? undefined : SUBCOMMANDS[first];
  if (sub !== undefined) return (await sub.load()).run(argv.slice(1), io);
  const build = await import("./status-build.ts");
  if (argv.includes("--help") || argv.includes("-h")) {
    io.stdout.write(build.HELP + subcommandsHelp());
    return 0;
  }
  return build.run(argv, io);
}

/** The subcommands, after the bare command's help. */
function subcommandsHelp(): string {
  const names = Object.keys(SUBCOMMANDS);
  if (names.length === 0) return "";
  const width = maxOf(names.map((n) => n.length));
  const lines = Object.entries(SUBCOMMANDS).map(
    ([name, s]) => `  slipway status ${name.padEnd(width)}  ${s.summary}`,
  );
  return `\nSubcommands (each has --help):\n${lines.join("\n")}\n`;
}
