import { type ParseArgsOptionsConfig, parseArgs } from "node:util";
import { exitCodeFor, SlipwayError } from "../errors.ts";
import { redact } from "../redact.ts";

/** What every command module exports, and what the entry point hands it. */
export interface CommandIO {
  version: string;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}

export interface CommandModule {
  /** Runs the command with its own argv (after the command name); resolves to the exit code. */
  run(argv: string[], io: CommandIO): Promise<number>;
}

/**
 * The common end of a command's failure: a SlipwayError prints its message and hint (and with
 * `json`, an error line on stdout) and maps to its exit code; a parseArgs mistake is a usage
 * error (2). Anything else is a bug: rethrown.
 */
export function commandFailure(
  command: string,
  error: unknown,
  io: CommandIO,
  options: { json?: boolean } = {},
): number {
  const write = (text: string) => io.stderr.write(redact(text));
  if (options.json && error instanceof SlipwayError) {
    // With --json the error is data on stdout too (one line), besides the human text on stderr.
    const line = {
      type: "error",
      code: error.code,
      message: error.message,
      hint: error.hint,
      exit: exitCodeFor(error),
    };
    io.stdout.write(redact(`${JSON.stringify(line)}\n`));
  }
  if (error instanceof SlipwayError) {
    write(`slipway ${command}: ${error.message}\n${error.hint ? `hint: ${error.hint}\n` : ""}`);
    return exitCodeFor(error);
  }
  if (error instanceof TypeError && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS")) {
    write(`slipway ${command}: ${error.message}\nhint: run 'slipway ${command} --help'.\n`);
    return 2;
  }
  throw error;
}

const HELP_OPTION = { help: { type: "boolean", short: "h" } } as const;

/**
 * A command's argv parsed the one way every command parses it: strict (unknown options are
 * usage errors), positionals allowed, and `-h/--help` always present.
 */
export function parseCommandLine<const O extends ParseArgsOptionsConfig>(argv: string[], options: O) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: { ...options, ...HELP_OPTION },
  });
}
