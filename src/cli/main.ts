/**
 * The `slipway` entry point. Kept tiny on purpose: `--version` and `--help` answer without
 * loading any command, and each command's module is imported only when it runs.
 */
// A namespace import: a missing named export would fail to link before the version check below runs.
import * as nodeModule from "node:module";
import { setFlagsFromString } from "node:v8";
import { maxOf } from "../core/arrays.ts";
import type { CommandModule } from "./command.ts";

// V8 keeps the bytecode of our chunks on disk (Node's compile cache, in the OS temp dir), so a
// command's code is compiled once, not on every run. Off with NODE_DISABLE_COMPILE_CACHE=1.
const compileCache = nodeModule.enableCompileCache?.();

declare const SLIPWAY_BUILTINS: string;
/** The Node built-ins each command's code imports, filled in by the build; unknown from source. */
const BUILTINS: Record<string, readonly string[]> | undefined =
  typeof SLIPWAY_BUILTINS === "string" ? JSON.parse(SLIPWAY_BUILTINS) : undefined;

/**
 * Loads a command's module with all its functions compiled up front. Node writes a module's code
 * cache right after compiling it, and V8 compiles a function only at its first call, so the cache
 * held little more than top-level code and every `check` compiled ~1,000 functions again; compiled
 * eagerly, they are all in the cache (~18 ms less per check). Node's built-ins are loaded first,
 * while V8's flags are still the defaults: their own code cache is refused under any other flags.
 * Without a compile cache (or from source), eager compilation would only cost, so it is skipped.
 */
async function loadCommand(name: string, load: () => Promise<CommandModule>): Promise<CommandModule> {
  const builtins = BUILTINS?.[name];
  if (compileCache?.directory === undefined || builtins === undefined) return await load();
  await Promise.all(builtins.map((id) => import(id)));
  setFlagsFromString("--no-lazy");
  try {
    return await load();
  } finally {
    setFlagsFromString("--lazy");
  }
}

declare const SLIPWAY_VERSION: string;
const version = typeof SLIPWAY_VERSION === "string" ? SLIPWAY_VERSION : "0.0.0-dev";

const COMMANDS: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {
  check: {
    summary: "validate a project and its distributions as strictly as PyPI does",
    load: () => import("./commands/check.ts"),
  },
  build: {
    summary: "build the sdist and wheel through the project's PEP 517 backend",
    load: () => import("./commands/build.ts"),
  },
  publish: {
    summary: "upload dists to an index, idempotently: decided by sha256, never by error texts",
    load: () => import("./commands/publish.ts"),
  },
  attest: {
    summary: "PEP 740 attestations for dists, signed with Sigstore from the CI job's identity; re-run safe",
    load: () => import("./commands/attest.ts"),
  },
  "verify-attestations": {
    summary: "verify PEP 740 attestations of local dists or of a release's provenance on an index",
    load: () => import("./commands/verify-attestations.ts"),
  },
  index: {
    summary: "serve the embedded staging index (simple API + legacy uploads)",
    load: () => import("./commands/index.ts"),
  },
  scan: {
    summary: "secrets, vulnerable dependencies and lockfile drift: one report, SARIF, one gate",
    load: () => import("./commands/scan.ts"),
  },
  status: {
    summary: "the project's security state as one JSON document: grade, counts, open findings",
    load: () => import("./commands/status.ts"),
  },
  "verify-install": {
    summary: "install the exact dists into fresh venvs, prove the bytes, smoke-test them",
    load: () => import("./commands/verify-install.ts"),
  },
  version: {
    summary: "show, bump or set the PEP 440 version in every place it lives, all or nothing",
    load: () => import("./commands/version.ts"),
  },
  changelog: {
    summary: "insert the next Keep a Changelog entry from conventional commits and fragments",
    load: () => import("./commands/changelog.ts"),
  },
  release: {
    summary: "the whole release as one resumable run: stage, verify, then publish, tag and push",
    load: () => import("./commands/release.ts"),
  },
  badges: {
    summary: "the README's badges (gate, security, Python, licence, PyPI, style, types), kept true in CI",
    load: () => import("./commands/badges.ts"),
  },
  ci: {
    summary: "generate the CI workflows (GitHub, Gitea, GitLab): checks, build, release, security",
    load: () => import("./commands/ci.ts"),
  },
  cache: {
    summary: "show or prune the build environments and verdicts slipway caches",
    load: () => import("./commands/cache.ts"),
  },
};

function usage(): string {
  const width = maxOf(Object.keys(COMMANDS).map((name) => name.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `slipway ${version}: the release pipeline for Python packages

Usage: slipway <command> [options]

Commands:
${lines.join("\n")}

Options:
  -h, --help     show help (also: slipway <command> --help)
  -V, --version  print the version

Examples:
  slipway check                      check the project in this directory and its dist/
  slipway check dist/*.whl --strict  check wheels only; warnings fail too
  slipway build                      sdist + wheel into dist/, checked, with .SHA256SUMS
  slipway publish --to testpypi      upload dist/*, safe to re-run
  slipway version bump patch         edit every place the version lives, all or nothing
`;
}

/** A word as a POSIX shell reads it back: bare when safe, else in single quotes. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/**
 * The way out of a too-old Node.js, as a command to paste: npx fetches the `node` package once
 * and runs this very file on it. From a checkout, `npx slipway` runs on the Node 24 it pins.
 */
function tooOldHint(argv: readonly string[]): string {
  const script = process.argv[1] ?? "dist/cli.js";
  const command = ["npx", "-p", "node@24", "node", script, ...argv].map(shellWord).join(" ");
  return `hint: install Node.js 22.3 or newer (https://nodejs.org), or run this on Node.js 24 without installing it:\n  ${command}\n(in a slipway checkout, 'npx slipway …' runs on the Node.js the checkout pins)\n`;
}

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  // process.getBuiltinModule (loading built-ins only where they are used) came in 22.3.
  const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
  if (major < 22 || (major === 22 && minor < 3)) {
    process.stderr.write(
      `slipway: Node.js ${process.versions.node} is too old; slipway needs Node.js 22.3 or newer\n${tooOldHint(argv)}`,
    );
    return 2;
  }
  if (first === "--version" || first === "-V") {
    process.stdout.write(`${version}\n`);
    return 0;
  }
  if (first === undefined || first === "--help" || first === "-h" || first === "help") {
    process.stdout.write(usage());
    return first === undefined ? 2 : 0;
  }
  const command = COMMANDS[first];
  if (!command) {
    process.stderr.write(
      `slipway: unknown command '${first}'\nhint: run 'slipway --help' to see the commands.\n`,
    );
    return 2;
  }
  const module = await loadCommand(first, command.load);
  const io = {
    version,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
  };
  // The CLI owns its process: keep V8's young generation from growing, so the short-lived
  // strings of reading a large file are collected young instead of piling up. `check` decides
  // for itself once it knows how large its input is (commands/check.ts). The library never
  // touches V8 flags. Set only once the command and the output streams are loaded: any flag off
  // its default makes V8 refuse the code cache of Node's built-in modules, and loading zlib,
  // crypto, child_process... took ~15 ms more.
  if (first !== "check") setFlagsFromString("--semi-space-growth-factor=1");
  return await module.run(rest, io);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `slipway: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
