/**
 * The action's inputs (action.yml) as slipway's command line: which input becomes which flag,
 * for which commands, and which inputs are secrets handed to the CLI as environment variables
 * (never argv: argv is visible to every process on the runner). Pure: the environment comes in.
 */
import { SlipwayError } from "../errors.ts";

export const ACTION_COMMANDS = ["check", "build", "publish", "release", "scan", "status", "badges"] as const;
export type ActionCommand = (typeof ACTION_COMMANDS)[number];

type InputKind =
  /** `true`/`false`; true adds the flag. */
  | { type: "boolean"; flag: string }
  /** A value after the flag. */
  | { type: "value"; flag: string; choices?: readonly string[] }
  /** A secret: handed to the CLI in this environment variable, and masked in the log. */
  | { type: "secret"; env: string };

export interface ActionInput {
  name: string;
  description: string;
  commands: readonly ActionCommand[];
  kind: InputKind;
}

const UPLOADERS = ["publish", "release"] as const;
const CHOICES_AUTO = ["auto", "always", "never"] as const;

/**
 * Every input that mirrors a flag. action.yml lists the same names (a unit test holds them
 * together); `command`, `args` and `working-directory` are the action's own.
 */
export const ACTION_INPUTS: readonly ActionInput[] = [
  { name: "strict", description: "check: warnings fail too", commands: ["check"], kind: bool("--strict") },
  {
    name: "to",
    description:
      "publish, release: the target index (a name from [tool.slipway.indexes], pypi, testpypi, or an upload URL)",
    commands: UPLOADERS,
    kind: value("--to"),
  },
  {
    name: "check-url",
    description: "publish, release: the target's simple-API root, for indexes other than PyPI and TestPyPI",
    commands: UPLOADERS,
    kind: value("--check-url"),
  },
  {
    name: "username",
    description: "publish, release: the index user name (default __token__)",
    commands: UPLOADERS,
    kind: value("--username"),
  },
  {
    name: "password",
    description:
      "publish, release: the index password or API token (a secret: given to slipway as TWINE_PASSWORD, never on its command line). Not needed with trusted publishing",
    commands: UPLOADERS,
    kind: { type: "secret", env: "TWINE_PASSWORD" },
  },
  {
    name: "trusted-publishing",
    description: "publish, release: auto, always or never (needs `id-token: write` on the job)",
    commands: UPLOADERS,
    kind: value("--trusted-publishing", CHOICES_AUTO),
  },
  {
    name: "attestations",
    description: "publish, release: PEP 740 attestations with trusted publishing: auto, always or never",
    commands: UPLOADERS,
    kind: value("--attestations", CHOICES_AUTO),
  },
  {
    name: "dry-run",
    description: "publish, release: show what would happen, publish nothing",
    commands: UPLOADERS,
    kind: bool("--dry-run"),
  },
  {
    name: "bump",
    description: "release: major, minor, patch, pre, post, dev…",
    commands: ["release"],
    kind: value("--bump"),
  },
  {
    name: "version",
    description: "release: an explicit PEP 440 version",
    commands: ["release"],
    kind: value("--version"),
  },
  {
    name: "resume",
    description: "release: continue an interrupted release",
    commands: ["release"],
    kind: bool("--resume"),
  },
  {
    name: "no-push",
    description: "release: commit and tag, push nothing",
    commands: ["release"],
    kind: bool("--no-push"),
  },
  {
    name: "python",
    description: "check, build, publish, release: the Python interpreter to use",
    commands: ["check", "build", "publish", "release"],
    kind: value("--python"),
  },
  {
    name: "find-links",
    description: "build, release: a directory or URL where pip finds build backends",
    commands: ["build", "release"],
    kind: value("--find-links"),
  },
  {
    name: "no-index",
    description: "build, release: build backends from find-links only",
    commands: ["build", "release"],
    kind: bool("--no-index"),
  },
  {
    name: "out",
    description: "build: the output directory; status: the file the document is written to",
    commands: ["build", "status"],
    kind: value("--out"),
  },
  {
    name: "fail-on",
    description: "scan: the dependency scan's gate: low, moderate, high or critical",
    commands: ["scan"],
    kind: value("--fail-on", ["low", "moderate", "high", "critical"]),
  },
  {
    name: "db",
    description: "scan, status: the advisory database directory (OSV records)",
    commands: ["scan", "status"],
    kind: value("--db"),
  },
  {
    name: "sarif",
    description: "scan: also write a SARIF report to this file (for code scanning)",
    commands: ["scan"],
    kind: value("--sarif"),
  },
  {
    name: "site",
    description: "status: write the status site into this directory",
    commands: ["status"],
    kind: value("--site"),
  },
  {
    name: "history",
    description: "status: the history file (one document per line) to read and append to",
    commands: ["status"],
    kind: value("--history"),
  },
  {
    name: "write",
    description: "badges: update the badge block of this file",
    commands: ["badges"],
    kind: value("--write"),
  },
  {
    name: "commit",
    description: "badges: commit the file with a [skip ci] message when it changed",
    commands: ["badges"],
    kind: bool("--commit"),
  },
  {
    name: "github-token",
    description: "badges: a token for GitHub's API (code-scanning alerts), given to slipway as GITHUB_TOKEN",
    commands: ["badges"],
    kind: { type: "secret", env: "GITHUB_TOKEN" },
  },
  {
    name: "verbose",
    description: "check, build, publish: more detail in the log",
    commands: ["check", "build", "publish"],
    kind: bool("--verbose"),
  },
];

function bool(flag: string): InputKind {
  return { type: "boolean", flag };
}

function value(flag: string, choices?: readonly string[]): InputKind {
  return choices === undefined ? { type: "value", flag } : { type: "value", flag, choices };
}

/** The environment variable the runner sets for an input (runner: `INPUT_` + upper case, spaces as `_`). */
export function inputEnvName(name: string): string {
  return `INPUT_${name.replaceAll(" ", "_").toUpperCase()}`;
}

/** What the action runs: the CLI's argv after `cli.js`, the extra environment, the secrets to mask. */
export interface Invocation {
  command: ActionCommand;
  argv: string[];
  env: Record<string, string>;
  secrets: string[];
  workingDirectory: string;
}

/** Flags the action sets itself: the CLI's machine output is what it reads. */
const OWNED_FLAGS = ["--json", "--format", "--password-stdin"];

/**
 * The invocation for the inputs in `env`. A usage error (exit 2) for an unknown command, an
 * input the command does not take, a bad boolean or choice, or `args` that cannot be split.
 */
export function assembleInvocation(env: Readonly<Record<string, string | undefined>>): Invocation {
  const read = (name: string) => (env[inputEnvName(name)] ?? "").trim();
  const commandText = read("command");
  const command = ACTION_COMMANDS.find((c) => c === commandText);
  if (command === undefined)
    throw new SlipwayError(
      "usage",
      commandText === ""
        ? "the slipway action needs a command"
        : `the slipway action has no command '${oneLine(commandText)}'`,
      { hint: `set 'command:' to one of ${ACTION_COMMANDS.join(", ")}` },
    );
  const args = splitArgs(env[inputEnvName("args")] ?? "");
  for (const arg of args) {
    const flag = arg.split("=", 1)[0]!;
    if (OWNED_FLAGS.includes(flag))
      throw new SlipwayError(
        "usage",
        `'args' must not hold ${flag}: the action reads slipway's JSON output itself`,
        {
          hint: "drop it; the job summary, annotations and outputs come from that output",
        },
      );
  }
  const flags: string[] = [];
  const extraEnv: Record<string, string> = {};
  const secrets: string[] = [];
  for (const input of ACTION_INPUTS) {
    // Secrets are not trimmed: a token is whatever the secret holds, minus a final newline.
    const raw = env[inputEnvName(input.name)] ?? "";
    const given = input.kind.type === "secret" ? raw.replace(/\r?\n$/, "") : raw.trim();
    if (given === "" || (input.kind.type === "boolean" && parseBoolean(input.name, given) === false))
      continue;
    if (!input.commands.includes(command))
      throw new SlipwayError("usage", `the input '${input.name}' does not apply to '${command}'`, {
        hint: `it is for ${input.commands.join(", ")}; pass other flags in 'args'`,
      });
    const kind = input.kind;
    if (kind.type === "boolean") flags.push(kind.flag);
    else if (kind.type === "secret") {
      extraEnv[kind.env] = given;
      secrets.push(given);
    } else {
      if (kind.choices !== undefined && !kind.choices.includes(given))
        throw new SlipwayError("usage", `the input '${input.name}' is '${oneLine(given)}'`, {
          hint: `use one of ${kind.choices.join(", ")}`,
        });
      flags.push(kind.flag, given);
    }
  }
  // `args` first: a subcommand (`scan deps`, `status decide`) must follow the command.
  return {
    command,
    argv: [command, ...args, ...flags, "--json"],
    env: extraEnv,
    secrets,
    workingDirectory: read("working-directory") || ".",
  };
}

/** The CLI's environment: the runner's, without the inputs and the files this action writes. */
export function childEnv(
  env: Readonly<Record<string, string | undefined>>,
  extra: Record<string, string>,
): Record<string, string> {
  const child: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || name.startsWith("INPUT_")) continue;
    if (name === "GITHUB_STEP_SUMMARY" || name === "GITHUB_OUTPUT") continue;
    child[name] = value;
  }
  return { ...child, ...extra };
}

/** An input's boolean, as the toolkit reads one (YAML 1.2 core schema). */
export function parseBoolean(name: string, text: string): boolean {
  if (["true", "True", "TRUE"].includes(text)) return true;
  if (["false", "False", "FALSE"].includes(text)) return false;
  throw new SlipwayError("usage", `the input '${name}' is '${oneLine(text)}', not a boolean`, {
    hint: "use true or false",
  });
}

/**
 * Splits `args` into words: whitespace separates them, single quotes keep everything, double
 * quotes keep everything but `\"` and `\\`. Nothing is expanded (no shell runs). Linear.
 */
export function splitArgs(text: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "\0") throw new SlipwayError("usage", "'args' holds a NUL character", { hint: "remove it" });
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === "\\" && (text[i + 1] === '"' || text[i + 1] === "\\")) word += text[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote !== undefined)
    throw new SlipwayError(
      "usage",
      `'args' has an unterminated ${quote === "'" ? "single" : "double"} quote`,
      {
        hint: "close the quote, or pass one argument per word",
      },
    );
  if (inWord) words.push(word);
  return words;
}

/** A value quoted in a message: on one line, cut short. */
function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, " ");
  return flat.length > 60 ? `${flat.slice(0, 60)}…` : flat;
}
