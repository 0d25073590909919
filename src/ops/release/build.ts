/**
 * The `build` step: the sdist and wheel through the project's backend, in a scratch worktree of
 * HEAD with the planned edits, into the release's dist dir; and what later steps read of it
 * (the artifacts, each still holding the bytes the build recorded).
 */
import { basename, join, relative, resolve } from "node:path";
import { digestFile } from "../../adapters/file-digests.ts";
import { isStrictlyInside, removeTree } from "../../adapters/fs.ts";
import { addScratchWorktree, hasSubmodules, removeScratchWorktree } from "../../adapters/scratch-worktree.ts";
import { resolveInside } from "../../adapters/state-dir.ts";
import { normalizeName } from "../../core/names/name.ts";
import { canonicalizeVersion } from "../../core/pep440/version.ts";
import {
  integer,
  list,
  literal,
  matching,
  optional,
  relativePath,
  sha256,
  string,
  record as struct,
} from "../../core/stored-shape.ts";
import { SlipwayError } from "../../errors.ts";
import { needRecord, recordOf } from "../../pipeline/steps.ts";
import { build } from "../build.ts";
import { type Ctx, mismatch, type ReleaseStep } from "./context.ts";

const count = integer(0, Number.MAX_SAFE_INTEGER);
const filename = matching(/^[^/\\\0]+$/, "a file name");
const artifactFields = { filename, kind: literal("sdist", "wheel"), sha256, size: count };

/**
 * In a dry run the paths are absolute, inside its scratch worktree (which `scratch` names, for
 * the undo to remove); in a real run they are relative to the project.
 */
const buildRecord = struct({
  out: string,
  source: string,
  scratch: optional(string),
  artifacts: list(struct({ file: string, ...artifactFields })),
});

export type BuildRecord = ReturnType<typeof buildRecord>;
export type ArtifactRecord = BuildRecord["artifacts"][number];

/** A journaled build is always a real run's (a dry run keeps no journal): no scratch, paths inside. */
const journaledBuild = struct({
  out: relativePath,
  source: literal("."),
  artifacts: list(struct({ file: relativePath, ...artifactFields })),
});

/**
 * Where a build happens: a scratch worktree of HEAD with the edits, in a dry run and a real run
 * alike. The project's own directory also holds `.slipway/` (this release's journal and lock,
 * earlier releases' artifacts) and other ignored files, which a backend that reads only the top
 * `.gitignore` (hatchling's default sdist: attrs) would ship. With submodules, which a worktree
 * does not check out, a real run builds the project itself.
 */
interface BuildPlace {
  source: string;
  out: string;
  /** The temp directory holding the worktree (and a dry run's output). */
  scratch?: string;
}

async function buildPlace(ctx: Ctx): Promise<BuildPlace> {
  const { root, env, distDir, plan } = ctx.input;
  if (!ctx.dryRun && (await hasSubmodules({ project: root, env }))) return { source: root, out: distDir };
  const tree = await addScratchWorktree({
    project: root,
    env,
    edits: plan.edits.map((e) => ({ path: e.path, after: e.after })),
  });
  return {
    source: tree.project,
    out: ctx.dryRun ? join(tree.scratch, "dist") : distDir,
    scratch: tree.scratch,
  };
}

/**
 * Builds into `place.out` and records the artifacts, refusing any of another name or version.
 * The build runs none of its checks: the check step checks the artifacts (and refuses a local
 * version, which build only warns of), so running them here too would only cost time.
 */
async function buildInto(ctx: Ctx, place: BuildPlace): Promise<BuildRecord> {
  const { input } = ctx;
  const { plan } = input;
  await removeTree(place.out);
  // A version from tags: the tag is made after the build, so the backend is told the version.
  const env =
    plan.mode === "vcs" ? { ...input.env, SETUPTOOLS_SCM_PRETEND_VERSION: plan.version } : input.env;
  const report = await build({
    cwd: input.root,
    env,
    project: place.source,
    outDir: place.out,
    python: input.python,
    pip: input.pip,
    clean: true,
    check: false,
    toolVersion: input.toolVersion,
    onEvent: (e) => {
      if (e.type !== "phase") return;
      // A dry run writes into its scratch, which is gone when the user could look.
      if (e.phase === "write" && ctx.dryRun) {
        input.emit({ type: "build-phase", step: "build", phase: e.phase, scratch: true });
      } else {
        input.emit({
          type: "build-phase",
          step: "build",
          phase: e.phase,
          ...(e.detail === undefined ? {} : { detail: e.detail }),
        });
      }
    },
  });
  const wanted = { name: normalizeName(plan.name), version: canonicalizeVersion(plan.version) };
  const release = report.manifest.project;
  if (
    release === null ||
    normalizeName(release.name) !== wanted.name ||
    canonicalizeVersion(release.version) !== wanted.version
  ) {
    const made = report.artifacts.map((a) => a.filename).join(", ");
    throw new SlipwayError(
      "check",
      `the build made ${made}, but the release is ${plan.name} ${plan.version}`,
      {
        hint:
          plan.mode === "vcs"
            ? "the backend did not take the version from SETUPTOOLS_SCM_PRETEND_VERSION; make the tag with 'slipway version bump' and build from it"
            : "the project's metadata says another name or version; check [project] in pyproject.toml",
      },
    );
  }
  // A real run's worktree is gone after the build: its later steps read the project itself,
  // which holds the same files (HEAD + the edits, and a clean tree was required).
  return {
    out: ctx.dryRun ? place.out : relative(input.root, place.out),
    source: ctx.dryRun ? place.source : ".",
    ...(ctx.dryRun && place.scratch !== undefined ? { scratch: place.scratch } : {}),
    artifacts: report.artifacts.map((a) => ({
      file: ctx.dryRun ? a.path : relative(input.root, a.path),
      filename: a.filename,
      kind: a.kind,
      sha256: a.sha256,
      size: a.size,
    })),
  };
}

export const buildStep: ReleaseStep<BuildRecord> = {
  id: "build",
  title: "Build the sdist and wheel",
  public: false,
  dryRun: "run",
  record: buildRecord,
  journaled: journaledBuild,
  // The output is the release's dist dir and each artifact a file directly in it.
  async checkRecord(scope, value, where) {
    const { root, distDir } = scope;
    const out = relative(root, distDir);
    if (value.out !== out) throw mismatch(where, "out", out, value.out);
    await resolveInside(root, value.out, `${where} out`, { followFile: true });
    for (const [i, a] of value.artifacts.entries()) {
      const file = join(out, a.filename);
      if (a.file !== file) throw mismatch(where, `artifacts[${i}].file`, file, a.file);
      await resolveInside(root, a.file, `${where} artifacts[${i}].file`, { followFile: true });
    }
  },
  async run(ctx) {
    const place = await buildPlace(ctx);
    const removeScratch = async () => {
      if (place.scratch !== undefined)
        await removeScratchWorktree({ repo: ctx.input.root, scratch: place.scratch, env: ctx.input.env });
    };
    let record: BuildRecord;
    try {
      record = await buildInto(ctx, place);
    } catch (error) {
      // Nothing half-built stays behind: the scratch worktree, and the release's dist dir.
      if (!ctx.dryRun) await removeTree(place.out);
      await removeScratch();
      throw error;
    }
    // A dry run's checks and install read the scratch; its undo removes it.
    if (!ctx.dryRun) await removeScratch();
    return record;
  },
  async verify(ctx, record) {
    const root = ctx.input.root;
    for (const a of record.artifacts) {
      const digest = await digestFile(resolve(root, a.file)).catch(() => undefined);
      if (digest?.sha256 !== a.sha256) return "redo";
    }
    return "done";
  },
  async undo(ctx, record) {
    const { scratch, out } = record;
    // Only a dry run has a scratch (its records are never journaled); a real run's output is
    // inside the project, whatever a journal read back says.
    if (ctx.dryRun && scratch !== undefined)
      await removeScratchWorktree({ repo: ctx.input.root, scratch, env: ctx.input.env });
    else if (!ctx.dryRun) {
      const dir = resolve(ctx.input.root, out);
      if (!isStrictlyInside(ctx.input.root, dir)) {
        throw new SlipwayError("io", `the build's recorded output ${out} is outside the project`, {
          hint: "remove the release's artifacts by hand; the journal was not written by this release",
        });
      }
      await removeTree(dir);
    }
  },
};

/** The artifacts the build step recorded. */
export function artifactsOf(ctx: Ctx): ArtifactRecord[] {
  return needRecord(ctx, buildStep).artifacts;
}

/** The directory the build read the project from (a dry run's scratch worktree, else the project). */
export function buildSource(ctx: Ctx): string {
  return resolve(ctx.input.root, needRecord(ctx, buildStep).source);
}

/** The build's artifacts as `filename sha256` lines: what a later step's record says it worked on. */
export function fingerprint(ctx: Ctx): string[] {
  return artifactsOf(ctx).map((a) => `${a.filename} ${a.sha256}`);
}

/**
 * Resume check for a step that worked on the artifacts: done only when the build it worked on is
 * the build now on record (a rebuild, after an artifact went missing, must be checked again).
 */
export async function sameArtifacts(ctx: Ctx, record: { artifacts: string[] }): Promise<"done" | "redo"> {
  if (recordOf(ctx, buildStep) === undefined) return "redo";
  const now = fingerprint(ctx);
  const then = record.artifacts;
  return then.length === now.length && then.every((a, i) => a === now[i]) ? "done" : "redo";
}

/** Each artifact still holds the bytes the build recorded: what was checked is what goes out. */
export async function confirmArtifacts(ctx: Ctx): Promise<string[]> {
  const paths: string[] = [];
  for (const a of artifactsOf(ctx)) {
    const path = resolve(ctx.input.root, a.file);
    const digest = await digestFile(path, a.file).catch(() => undefined);
    if (digest === undefined || digest.sha256 !== a.sha256) {
      throw new SlipwayError(
        "io",
        `${a.file} is not the file the release built (sha256 ${a.sha256.slice(0, 12)}…)`,
        {
          hint: "something replaced or removed it; start the release again",
        },
      );
    }
    paths.push(path);
  }
  return paths;
}

/** A finding's place for an artifact: its filename in a dry run, else its path in the project. */
export function displayName(ctx: Ctx, path: string): string {
  return ctx.dryRun ? basename(path) : relative(ctx.input.root, path);
}
