/** `slipway version [show | bump KIND | set X | recover]`: argv → the version ops → rendered output. */
import { resolve } from "node:path";
import { createInterface } from "node:readline/promises";
import { parseBumpKind } from "../../core/pep440/bump.ts";
import { assembleVersionChoices } from "../../core/version/choices.ts";
import { SlipwayError } from "../../errors.ts";
import { readSuggestedBump } from "../../ops/changelog.ts";
import {
  applyVersionPlan,
  assembleVersionPlan,
  readVersionPlaces,
  recoverVersionEdit,
  type VersionRequest,
  type VersionState,
} from "../../ops/version.ts";
import { redact } from "../../redact.ts";
import { type CommandIO, commandFailure, parseCommandLine } from "../command.ts";
import { makeStyle, type Style, wantsColor } from "../style.ts";
import { planJson, renderChoices, renderPlan, renderState, stateJson } from "./version-render.ts";

export const HELP = `Usage: slipway version [show | bump KIND | set VERSION | recover] [options]

Show, bump or set the project's one PEP 440 version in every place it lives: [project] version
(or [tool.poetry] version), __version__ assignments in the package, setup.cfg, the files listed
in [tool.slipway.version] files, and the last release tag. When the version comes from git tags
(setuptools-scm, hatch-vcs, versioningit, pdm-backend scm, poetry-dynamic-versioning), a bump
creates the annotated tag instead of editing files.

Files are edited all or nothing: each place must be found exactly once before anything is
written, and a failure restores every file. See docs/version.md.

Commands:
  show                  list every place and its value; drift between them is an error (default
                        when not interactive)
  bump KIND             KIND: major, minor, patch, pre, pre=a, pre=b, pre=rc, post, dev, release
  set VERSION           an explicit version, greater than the current one
  recover               roll back an edit interrupted by a crash (bump and set do this first)

With no command on an interactive terminal (and CI unset), shows the current version and the
next versions the commits since the last release suggest, and asks which to apply.

Options:
  --project DIR         the project directory (default: the current one)
  --dry-run             print the plan and the diff of every file; write nothing
  --json                machine-readable output
  -h, --help            show this help

Exit status: 0 done, 1 drift or a failed write, 2 usage or configuration error.

Examples:
  slipway version                        show (or ask, on a terminal)
  slipway version bump minor --dry-run   1.2.3 → 1.3.0, with the diff of every file
  slipway version bump pre=rc            1.3.0 → 1.3.1rc1; again: 1.3.1rc2
  slipway version bump release           1.3.1rc2 → 1.3.1
  slipway version set 2.0.0 --json
`;

type StdIn = NodeJS.ReadableStream & { isTTY?: boolean };

function isInteractive(io: CommandIO, stdin: StdIn): boolean {
  const ci = io.env["CI"];
  return (
    stdin.isTTY === true && io.stdout.isTTY === true && (ci === undefined || ci === "" || ci === "false")
  );
}

function requestOf(command: string, arg: string | undefined): VersionRequest {
  if (arg === undefined) {
    throw new SlipwayError("usage", `'${command}' needs ${command === "bump" ? "a KIND" : "a VERSION"}`, {
      hint: command === "bump" ? "e.g. slipway version bump patch" : "e.g. slipway version set 1.2.0",
    });
  }
  if (command === "set") return { set: arg };
  const kind = parseBumpKind(arg);
  if (!kind.ok) throw new SlipwayError("usage", kind.error, { hint: "run 'slipway version --help'" });
  return { bump: kind.value };
}

async function recoverFirst(root: string, write: (text: string) => void): Promise<void> {
  const recovered = await recoverVersionEdit(root);
  if (recovered !== undefined) {
    const files = recovered.restored.join(", ") || "no file had changed";
    write(`rolled back an interrupted edit (${recovered.label}, started ${recovered.startedAt}): ${files}\n`);
  }
}

async function change(
  state: VersionState,
  request: VersionRequest,
  options: { dryRun: boolean; json: boolean; io: CommandIO; style: Style },
): Promise<number> {
  const { io, style } = options;
  const plan = assembleVersionPlan(state, request);
  if (options.dryRun) {
    io.stdout.write(
      redact(
        options.json
          ? `${JSON.stringify({ plan: planJson(plan), applied: false }, null, 2)}\n`
          : `${renderPlan(plan, style, { dryRun: true, diffs: true })}\ndry run: nothing was written\n`,
      ),
    );
    return 0;
  }
  const applied = await applyVersionPlan(plan, { env: io.env });
  if (options.json) {
    io.stdout.write(
      redact(`${JSON.stringify({ plan: planJson(plan), applied: true, ...applied }, null, 2)}\n`),
    );
  } else {
    const done = [
      ...(applied.written.length > 0 ? [`wrote ${applied.written.join(", ")}`] : []),
      ...(applied.tag === undefined ? [] : [`created tag ${applied.tag}`]),
    ];
    io.stdout.write(
      redact(`${renderPlan(plan, style, { dryRun: false, diffs: false })}${done.join("; ")}\n`),
    );
  }
  return 0;
}

/** Asks which next version to apply; resolves to the request, or undefined when the user declines. */
async function ask(
  state: VersionState,
  io: CommandIO,
  stdin: StdIn,
  style: Style,
): Promise<VersionRequest | undefined> {
  const rl = createInterface({ input: stdin, output: io.stdout });
  try {
    if (state.current === undefined) {
      io.stdout.write(renderState(state, style));
      const answer = (await rl.question("First version (empty to cancel): ")).trim();
      return answer === "" ? undefined : { set: answer };
    }
    const suggestion = await readSuggestedBump(state.root, { env: io.env }).catch(() => undefined);
    const decision = suggestion?.decision;
    const choices = assembleVersionChoices(state.current, decision?.kind);
    const why =
      decision === undefined || decision.kind === "none"
        ? suggestion === undefined
          ? undefined
          : `no commit since ${suggestion.since?.name ?? "the start"} calls for a release`
        : `${suggestion!.commits} commit(s) since ${suggestion!.since?.name ?? "the start"}: ${decision.kind} (${decision.reasons[0]?.why ?? ""})`;
    io.stdout.write(renderState(state, style));
    io.stdout.write(renderChoices(state.current, choices, why, style));
    const fallback = choices.findIndex((c) => c.suggested);
    const prompt = `Next version: number, bump kind or version${fallback >= 0 ? ` [${fallback + 1}]` : ""} (empty to cancel): `;
    const answer = (await rl.question(prompt)).trim();
    if (answer === "") return fallback >= 0 ? { bump: choices[fallback]!.bump } : undefined;
    if (/^\d+$/.test(answer) && Number(answer) >= 1 && Number(answer) <= choices.length) {
      return { bump: choices[Number(answer) - 1]!.bump };
    }
    const kind = parseBumpKind(answer);
    return kind.ok ? { bump: kind.value } : { set: answer };
  } finally {
    rl.close();
  }
}

export async function run(argv: string[], io: CommandIO): Promise<number> {
  const write = (text: string) => io.stderr.write(redact(text));
  try {
    const { values, positionals } = parseCommandLine(argv, {
      project: { type: "string" },
      "dry-run": { type: "boolean" },
      json: { type: "boolean" },
    });
    if (values.help) {
      io.stdout.write(HELP);
      return 0;
    }
    const root = resolve(io.cwd, values.project ?? ".");
    const json = values.json === true;
    const dryRun = values["dry-run"] === true;
    const style = makeStyle(!json && wantsColor(io.stdout, io.env));
    const stdin: StdIn = (io as CommandIO & { stdin?: StdIn }).stdin ?? process.stdin;
    const [command, arg, ...extra] = positionals;
    const expected = command === "bump" || command === "set" ? 2 : command === undefined ? 0 : 1;
    if (extra.length > 0 || (command !== undefined && positionals.length > expected)) {
      throw new SlipwayError("usage", `unexpected argument '${positionals[expected]}'`, {
        hint: "run 'slipway version --help'",
      });
    }
    switch (command) {
      case "recover": {
        const recovered = await recoverVersionEdit(root);
        const text =
          recovered === undefined
            ? "nothing to recover\n"
            : `rolled back ${recovered.label}: ${recovered.restored.join(", ") || "no file had changed"}\n`;
        io.stdout.write(json ? `${JSON.stringify({ recovered: recovered ?? null }, null, 2)}\n` : text);
        return 0;
      }
      case "bump":
      case "set": {
        const request = requestOf(command, arg);
        if (!dryRun) await recoverFirst(root, write);
        const state = await readVersionPlaces(root, { env: io.env });
        return await change(state, request, { dryRun, json, io, style });
      }
      case undefined:
      case "show": {
        const interactive = command === undefined && !json && !dryRun && isInteractive(io, stdin);
        if (interactive) await recoverFirst(root, write);
        const state = await readVersionPlaces(root, { env: io.env });
        if (interactive && state.errors.length === 0) {
          const request = await ask(state, io, stdin, style);
          if (request === undefined) return 0;
          return await change(state, request, { dryRun, json, io, style });
        }
        io.stdout.write(
          redact(json ? `${JSON.stringify(stateJson(state), null, 2)}\n` : renderState(state, style)),
        );
        return state.errors.length === 0 ? 0 : 1;
      }
      default:
        throw new SlipwayError("usage", `unknown version command '${command}'`, {
          hint: "use show, bump KIND, set VERSION or recover",
        });
    }
  } catch (error) {
    return commandFailure("version", error, io);
  }
}
