/**
 * The next versions to offer when slipway asks (`slipway release`, `slipway version bump` on a
 * terminal) or says which flag to pass (off a terminal): patch, minor, major, pre-releases, post,
 * and any typed version greater than the current one. Most projects do not write conventional
 * commits; when they do, their bump is the suggestion (the default answer). Pure.
 */
import type { BumpKind as ChangeBump } from "../changelog/change.ts";
import { bumpVersion, describeKind, parseBumpKind, setVersion } from "../pep440/bump.ts";
import { normalizeVersion, type PreTag, parseVersion } from "../pep440/version.ts";
import type { Parsed } from "../result.ts";
import { fail, ok } from "../result.ts";
import type { VersionRequest } from "./plan.ts";

export interface VersionChoice {
  /** The next version, normalized. */
  version: string;
  /** In words: `patch`, `release candidate of 1.3.0`, `final release`. */
  label: string;
  request: VersionRequest;
}

export interface VersionMenu {
  /** Undefined for a project with no version yet: only a typed version is possible. */
  current: string | undefined;
  choices: VersionChoice[];
  /** Index of the choice the conventional commits call for: the answer to an empty reply. */
  suggested: number | undefined;
}

const PHASES: readonly PreTag[] = ["a", "b", "rc"];
const PHASE_NAME: Readonly<Record<PreTag, string>> = { a: "alpha", b: "beta", rc: "release candidate" };

/**
 * Every forward version worth offering from `current`, each version once:
 * - on a final (or post) release: patch, minor, major; alpha, beta and release candidate 1 of
 *   the suggested version (of the patch without a suggestion); the next post-release;
 * - on a pre-release or dev release: its final release, minor, major, the next pre-release of
 *   its phase and the first of each later phase.
 * `suggested` is the bump the conventional commits call for (`none` or undefined: no default).
 */
export function assembleVersionMenu(
  current: string | undefined,
  suggested: ChangeBump | undefined,
): VersionMenu {
  const menu: VersionMenu = { current, choices: [], suggested: undefined };
  const parsed = current === undefined ? undefined : parseVersion(current);
  if (current === undefined || parsed === undefined || parsed.local !== undefined) return menu;
  const add = (request: VersionRequest, label: (version: string) => string): string | undefined => {
    const next = "bump" in request ? bumpVersion(current, request.bump) : setVersion(current, request.set);
    if (!next.ok) return undefined;
    if (!menu.choices.some((c) => c.version === next.value)) {
      menu.choices.push({ version: next.value, label: label(next.value), request });
    }
    return next.value;
  };
  const belowFinal = parsed.pre !== undefined || (parsed.dev !== undefined && parsed.post === undefined);
  if (belowFinal) add({ bump: "release" }, () => "final release");
  for (const kind of ["patch", "minor", "major"] as const) add({ bump: kind }, () => kind);
  if (belowFinal) {
    const phase = parsed.pre?.[0];
    if (phase !== undefined) {
      add({ bump: { pre: undefined } }, (v) => `next ${PHASE_NAME[phase]} of ${releaseOf(v)}`);
    }
    for (const tag of PHASES.slice(phase === undefined ? 0 : PHASES.indexOf(phase) + 1)) {
      add({ bump: { pre: tag } }, (v) => `${PHASE_NAME[tag]} of ${releaseOf(v)}`);
    }
  } else {
    const target = suggested === "minor" || suggested === "major" ? suggested : "patch";
    const base = bumpVersion(current, target);
    for (const tag of PHASES) {
      // `--bump pre=rc` starts the next patch; a pre-release of the next minor is a typed version.
      const request: VersionRequest =
        target === "patch" || !base.ok ? { bump: { pre: tag } } : { set: `${base.value}${tag}1` };
      add(request, (v) => `${PHASE_NAME[tag]} of ${releaseOf(v)}`);
    }
    add({ bump: "post" }, () => "post-release (same code, new files or metadata)");
  }
  if (suggested === "patch" || suggested === "minor" || suggested === "major") {
    const wanted = bumpVersion(current, suggested);
    const at = wanted.ok ? menu.choices.findIndex((c) => c.version === wanted.value) : -1;
    if (at >= 0) menu.suggested = at;
  }
  return menu;
}

/** `1.3.0rc1` → `1.3.0`: the release a pre-release leads to. */
function releaseOf(version: string): string {
  const v = parseVersion(version)!;
  return `${v.epoch === 0 ? "" : `${v.epoch}!`}${v.release.join(".")}`;
}

export type VersionAnswer =
  | { kind: "choice"; choice: VersionChoice }
  | { kind: "cancel" }
  | { kind: "invalid"; error: string };

/**
 * What a reply to the menu means: empty → the suggestion (cancel without one); a number → that
 * choice; a bump kind (`minor`, `pre=rc`, `dev`) → that bump; anything else → a typed version,
 * which must be a public PEP 440 version greater than the current one.
 */
export function parseVersionAnswer(menu: VersionMenu, reply: string): VersionAnswer {
  const text = reply.trim();
  if (text === "") {
    const choice = menu.suggested === undefined ? undefined : menu.choices[menu.suggested];
    return choice === undefined ? { kind: "cancel" } : { kind: "choice", choice };
  }
  if (/^\d+$/.test(text) && menu.choices.length > 0) {
    const choice = menu.choices[Number(text) - 1];
    if (choice !== undefined) return { kind: "choice", choice };
    if (menu.current !== undefined) {
      return { kind: "invalid", error: `pick 1 to ${menu.choices.length}, a bump kind or a version` };
    }
  }
  const kind = parseBumpKind(text);
  if (kind.ok) {
    if (menu.current === undefined)
      return { kind: "invalid", error: "there is no version to bump yet; type one" };
    const next = bumpVersion(menu.current, kind.value);
    if (!next.ok) return { kind: "invalid", error: next.error };
    return {
      kind: "choice",
      choice: { version: next.value, label: describeKind(kind.value), request: { bump: kind.value } },
    };
  }
  const typed = typedVersion(menu.current, text);
  if (!typed.ok) return { kind: "invalid", error: typed.error };
  return { kind: "choice", choice: { version: typed.value, label: "typed", request: { set: typed.value } } };
}

function typedVersion(current: string | undefined, text: string): Parsed<string> {
  if (current !== undefined) return setVersion(current, text);
  const normalized = normalizeVersion(text);
  if (normalized === undefined) return fail(`"${text}" is not a valid PEP 440 version`);
  if (normalized.includes("+")) return fail(`${text} has a local version label (+...), which PyPI refuses`);
  return ok(normalized);
}

/**
 * A request as the command line says it: `--bump pre=rc` / `--version 1.3.0rc1` (release's
 * flags), or `slipway version bump pre=rc` / `slipway version set 1.3.0rc1`.
 */
export function requestArguments(request: VersionRequest, form: "flags" | "command"): string {
  const [bump, set] =
    form === "flags" ? ["--bump", "--version"] : ["slipway version bump", "slipway version set"];
  return "bump" in request ? `${bump} ${describeKind(request.bump)}` : `${set} ${request.set}`;
}

/**
 * The choices as the arguments that make each, for an error off a terminal:
 * `--bump patch (8.1.8), --bump minor (8.2.0), …, or --version X (any PEP 440 version greater than 8.1.7)`.
 */
export function describeMenuArguments(menu: VersionMenu, form: "flags" | "command"): string {
  const typed = form === "flags" ? "--version X" : "slipway version set X";
  const greater = menu.current === undefined ? "" : ` greater than ${menu.current}`;
  const listed = menu.choices.map((c) =>
    "set" in c.request
      ? requestArguments(c.request, form)
      : `${requestArguments(c.request, form)} (${c.version})`,
  );
  return [
    ...listed,
    `${menu.choices.length === 0 ? "" : "or "}${typed} (any PEP 440 version${greater})`,
  ].join(", ");
}
