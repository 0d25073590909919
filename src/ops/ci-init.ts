/**
 * `ci init` / `ci diff`: the project read once (pyproject, `[tool.slipway]`, which lockfiles
 * and tool configs exist, setup.py), the facts and the plan assembled in core/ci, and the
 * files written all or none (adapters/file-transaction.ts).
 */
import { dirname, join } from "node:path";
import { applyFileChanges, recoverFileChanges } from "../adapters/file-transaction.ts";
import { makeDir } from "../adapters/fs.ts";
import { remoteDefaultBranch } from "../adapters/git.ts";
import { openProject } from "../adapters/snapshot.ts";
import { assembleCiFacts, CI_ROOT_NAMES, type CiFacts } from "../core/ci/facts.ts";
import { assembleCiPlan, type CiOptions, type CiPlan, ciPaths, conflictError } from "../core/ci/plan.ts";
import { renderUnifiedDiff } from "../core/edits/diff.ts";
import { getString, getTable } from "../core/pyproject/access.ts";

const CI_JOURNAL = ".slipway/ci-init-edit.json";

type Env = Readonly<Record<string, string | undefined>>;

export interface CiInitOptions extends Omit<CiOptions, "readme"> {
  root: string;
  env?: Env;
  /** Write the files; false: plan only (`ci diff`, `--dry-run`). */
  write: boolean;
  /** When the write started (ISO 8601), for the edit journal. */
  startedAt: string;
}

export interface CiInitReport {
  provider: CiOptions["provider"];
  facts: CiFacts;
  files: { path: string; status: "created" | "updated" | "unchanged"; diff: string }[];
  written: boolean;
}

/** The project's CI facts and the README the badges job keeps, read through the snapshot. */
export async function readCiFacts(
  root: string,
  env: Env = {},
): Promise<{ facts: CiFacts; readme: string | undefined }> {
  const snapshot = openProject(root, { env });
  const { pyproject, config } = await snapshot.projectConfig();
  const release = await snapshot.releaseConfig();
  const present = new Set<string>();
  await Promise.all(
    CI_ROOT_NAMES.map(async (name) => {
      if (await snapshot.exists(name)) present.add(name);
    }),
  );
  const setupPy = present.has("setup.py") ? await snapshot.utf8("setup.py") : undefined;
  const defaultBranch =
    release.branch === undefined
      ? await remoteDefaultBranch(snapshot.git, release.remote).catch(() => undefined)
      : undefined;
  const facts = assembleCiFacts({
    pyproject,
    present,
    release,
    tagFormat: config.tagFormat,
    setupPy,
    defaultBranch,
  });
  const declared = getString(getTable(pyproject, "project"), "readme");
  const readme =
    declared !== undefined && /\.(?:md|rst)$/i.test(declared) && (await snapshot.exists(declared))
      ? declared
      : undefined;
  return { facts, readme };
}

/**
 * Plans the provider's files and, with `write`, writes every changed one atomically, all or
 * none. A conflict (hand-edited block, a file slipway did not write) writes nothing and throws
 * a conflict error naming each file, unless `force`.
 */
export async function ciInit(options: CiInitOptions): Promise<CiInitReport> {
  // A write killed halfway is rolled back before anything is read.
  if (options.write) await recoverFileChanges({ root: options.root, journal: CI_JOURNAL });
  const { facts, readme } = await readCiFacts(options.root, options.env);
  const ciOptions: CiOptions = { ...options, readme };
  const snapshot = openProject(options.root, options.env === undefined ? {} : { env: options.env });
  const existing = new Map<string, string | undefined>();
  for (const path of ciPaths(facts, ciOptions)) existing.set(path, await snapshot.text(path));
  const plan: CiPlan = assembleCiPlan(facts, ciOptions, existing);
  if (plan.conflicts.length > 0) throw conflictError(plan.conflicts);
  const changed = plan.files.filter((f) => f.changed);
  if (options.write && changed.length > 0) {
    for (const dir of new Set(changed.map((f) => dirname(f.path)))) {
      if (dir !== ".") await makeDir(join(snapshot.root, dir), { parents: true });
    }
    await applyFileChanges(
      changed.map((f) => ({ path: f.path, before: f.before, after: f.after })),
      {
        root: snapshot.root,
        journal: CI_JOURNAL,
        label: `ci init --provider ${options.provider}`,
        startedAt: options.startedAt,
        recoverHint: "run 'slipway ci init' again: an interrupted write is rolled back first",
      },
    );
  }
  return {
    provider: options.provider,
    facts,
    written: options.write && changed.length > 0,
    files: plan.files.map((f) => ({
      path: f.path,
      status: !f.changed ? "unchanged" : f.before === null ? "created" : "updated",
      diff: f.changed ? renderUnifiedDiff(f.path, f.before ?? "", f.after) : "",
    })),
  };
}
