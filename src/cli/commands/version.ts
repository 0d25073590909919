/** `slipway version [show | bump KIND | set X | recover]`: argv → the version ops → rendered output. */
import { resolve } from "node:path";
import { parseBumpKind } from "../../core/pep440/bump.ts";
import { SlipwayError } from "../../errors.ts";
import {
  applyVersionPlan,
  assembleVersionPlan,
  blockedError,
  readVersionPlaces,
  recoverVersionEdit,
  type VersionRequest,
  type VersionState,
} from "../../ops/version.ts";
import { describeMenuArguments, readVersionMenu } from "../../ops/version-menu.ts";
import { redact } from "../../redact.ts";
import { type CommandIO, commandFailure, parseCommandLine } from "../command.ts";
import { makeStyle, type Style, wantsColor } from "../style.ts";
import { askNextVersion, canAsk, type PromptInput } from "../version-prompt.ts";
import { planJson, renderPlan, renderState, stateJson } from "./version-render.ts";

export const HELP = `Usage: slipway version [show | bump KIND | set VERSION | recover] [options]

Show, bump or set the project's one PEP 440 version in every place it lives: [project] version
(or [tool.poetry] version), __version__ assignments in the package, setup.cfg, the files listed
in [tool.slipway.version] files, and the last release tag (tag format from [tool.slipway]
tag-format, else inferred from the tags: 1.2.3, v1.2.3, mypkg-v1.2.3). When the version comes
from git tags (setuptools-scm, hatch-vcs, versioningit, pdm-backend scm,
poetry-dynamic-versioning), a bump creates the annotated tag instead of editing files.

Files are edited all or nothing: each place must be found exactly once before anything is
written, and a failure restores every file. See docs/version.md.

Commands:
  show                  list every place and its value; drift between them is an error (default
                        when not interactive)
  bump KIND             KIND: major, minor, patch, pre, pre=a, pre=b, pre=rc, post, dev, release.
                        Without KIND: on a terminal, a menu of the next versions (a comment
                        for the tag message when the version is a tag); elsewhere an error
                        listing every candidate
  set VERSION           an explicit version, greater than the current one
  recover               roll back an edit interrupted by a crash (bump and set do this first)

With no command on an interactive terminal (and CI unset), shows the places, then the next
versions (patch, minor, major, pre-releases, post, or a typed PEP 440 version greater than the
current one), the one the conventional commits since the last release call for as the default,
and asks which to apply.

Options:
  --project DIR         the project directory (default: the current one)
  --dry-run             print the plan and the diff of every file; write nothing
  --json                machine-readable output
  -h, --help            show this help

Exit status: 0 done, 1 drift or a failed write, 2 usage or configuration error.

Examples:
  slipway version                        show (or ask, on a terminal)
  slipway version bump                   ask which bump (on a terminal)
  slipway version bump minor --dry-run   1.2.3 → 1.3.0, with the diff of every file
  slipway version bump pre=rc            1.3.0 → 1.3.1rc1; again: 1.3.1rc2
  slipway version bump release           1.3.1rc2 → 1.3.1
  slipway version set 2.0.0 --json
`;

function requestOf(command: string, arg: string): VersionRequest {
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
  options: { dryRun: boolean; json: boolean; io: CommandIO; style: Style; comment?: string },
): Promise<number> {
  const { io, style } = options;
  const plan = assembleVersionPlan(
    state,
    request,
    options.comment === undefined ? {} : { comment: options.comment },
  );
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

/**
 * Asks for the next version on a terminal. A bump in vcs mode creates an annotated tag, so a
 * comment is asked for its message; a file edit makes no commit, so none is asked.
 */
async function ask(
  state: VersionState,
  io: CommandIO,
  stdin: PromptInput,
  style: Style,
): Promise<{ request: VersionRequest; comment?: string } | undefined> {
  const read = await readVersionMenu(state, { env: io.env });
  const where = state.lastTag === undefined ? "no release tag yet" : `last release tag ${state.lastTag.name}`;
  return await askNextVersion(read, {
    input: stdin,
    output: io.stdout,
    style,
    heading: `current version ${state.current ?? "(none)"} (${where})`,
    ...(state.mode.kind === "vcs" ? { comment: "the tag message" } : {}),
  });
}

const withComment = (answer: { comment?: string }) =>
  answer.comment === undefined ? {} : { comment: answer.comment };

/** Off a terminal, `bump` without a KIND names every candidate and the argument that makes it. */
async function missingKind(state: VersionState, io: CommandIO): Promise<SlipwayError> {
  const read = await readVersionMenu(state, { env: io.env });
  return new SlipwayError("usage", `'bump' needs a KIND (and there is no terminal to ask on): ${read.why}`, {
    hint: `run one of: ${describeMenuArguments(read.menu, "command")}`,
  });
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
    const stdin: PromptInput = (io as CommandIO & { stdin?: PromptInput }).stdin ?? process.stdin;
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
        if (arg === undefined && command === "set") {
          throw new SlipwayError("usage", "'set' needs a VERSION", {
            hint: "e.g. slipway version set 1.2.0",
          });
        }
        const interactive = arg === undefined && !json && canAsk(stdin, io.stdout, io.env);
        if (!dryRun) await recoverFirst(root, write);
        const state = await readVersionPlaces(root, { env: io.env });
        if (arg !== undefined)
          return await change(state, requestOf(command, arg), { dryRun, json, io, style });
        if (!interactive || state.errors.length > 0) {
          if (state.errors.length > 0) throw blockedError(state);
          throw await missingKind(state, io);
        }
        const answer = await ask(state, io, stdin, style);
        if (answer === undefined) {
          io.stdout.write("no version chosen: nothing was changed\n");
          return 1;
        }
        return await change(state, answer.request, { dryRun, json, io, style, ...withComment(answer) });
      }
      case undefined:
      case "show": {
        const interactive = command === undefined && !json && !dryRun && canAsk(stdin, io.stdout, io.env);
        if (interactive) await recoverFirst(root, write);
        const state = await readVersionPlaces(root, { env: io.env });
        if (interactive && state.errors.length === 0) {
          io.stdout.write(renderState(state, style));
          const answer = await ask(state, io, stdin, style);
          if (answer === undefined) return 0;
          return await change(state, answer.request, { dryRun, json, io, style, ...withComment(answer) });
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
