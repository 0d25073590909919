/**
 * The plan of `slipway ci init`: for each generated file, its text now (or none), its text
 * after, and why a file cannot be written. Pure: the texts come in, the plan goes out; ops
 * writes it all or nothing.
 */
import { SlipwayError } from "../../errors.ts";
import { mergeFile, renderFile } from "./blocks.ts";
import type { CiFacts } from "./facts.ts";
import { assembleWorkflows } from "./github.ts";
import { assembleGitlabCi } from "./gitlab.ts";
import type { CiFileModel, CiProvider } from "./model.ts";

export interface CiOptions {
  provider: CiProvider;
  slipwayVersion: string;
  /** Gitea: absolute `uses:` URLs on this host (`https://github.com`). */
  actionsUrl?: string | undefined;
  /** The README the badges job keeps; undefined: no badges job. */
  readme?: string | undefined;
  /** Overwrite blocks edited by hand and files slipway did not write. */
  force?: boolean;
}

export interface CiFilePlan {
  path: string;
  before: string | null;
  after: string;
  /** before !== after */
  changed: boolean;
}

export interface CiConflict {
  path: string;
  reason: string;
}

export interface CiPlan {
  files: CiFilePlan[];
  conflicts: CiConflict[];
}

/** The file models of a provider. */
export function assembleCiModels(facts: CiFacts, options: CiOptions): CiFileModel[] {
  if (options.provider === "gitlab")
    return [assembleGitlabCi(facts, { slipwayVersion: options.slipwayVersion })];
  return assembleWorkflows(facts, {
    flavor: {
      host: options.provider,
      actionsUrl: options.actionsUrl,
      slipwayVersion: options.slipwayVersion,
    },
    readme: options.readme,
  });
}

/** The paths `assembleCiPlan` needs the current texts of. */
export function ciPaths(facts: CiFacts, options: CiOptions): string[] {
  return assembleCiModels(facts, options).map((m) => m.path);
}

/**
 * Each file's new text: a new file rendered whole; an existing one merged block by block
 * (blocks.ts). A conflict (a hand-edited block, a file slipway did not write, broken markers)
 * is reported, not resolved, unless `force`.
 */
export function assembleCiPlan(
  facts: CiFacts,
  options: CiOptions,
  existing: ReadonlyMap<string, string | undefined>,
): CiPlan {
  const files: CiFilePlan[] = [];
  const conflicts: CiConflict[] = [];
  for (const model of assembleCiModels(facts, options)) {
    const before = existing.get(model.path);
    if (before === undefined) {
      const after = renderFile(model);
      files.push({ path: model.path, before: null, after, changed: true });
      continue;
    }
    const merged = mergeFile(before, model, { force: options.force === true });
    if (merged.kind === "merged") {
      files.push({ path: model.path, before, after: merged.text, changed: merged.text !== before });
    } else if (merged.kind === "foreign" && options.force) {
      files.push({ path: model.path, before, after: renderFile(model), changed: true });
    } else if (merged.kind === "foreign") {
      conflicts.push({
        path: model.path,
        reason: "exists and has no slipway blocks (it was not written by slipway ci init)",
      });
    } else if (merged.kind === "edited") {
      conflicts.push({
        path: model.path,
        reason: `block ${merged.blocks.join(", ")} was edited by hand since slipway wrote it`,
      });
    } else {
      conflicts.push({ path: model.path, reason: `line ${merged.problem.line}: ${merged.problem.message}` });
    }
  }
  return { files, conflicts };
}

/** The conflicts as one error: what, where, and the ways out. */
export function conflictError(conflicts: readonly CiConflict[]): SlipwayError {
  const list = conflicts.map((c) => `${c.path}: ${c.reason}`).join("; ");
  return new SlipwayError("conflict", `nothing was written: ${list}`, {
    hint: "move your edits outside the slipway:begin/end blocks (they are kept there), or pass --force to overwrite; 'slipway ci diff --force' shows what that would change",
  });
}
