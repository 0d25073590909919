/**
 * What `publish` reads before it sends anything: which files (the default dist/ or the named
 * ones), what the checks say about them, and each file's upload job (metadata form, digests).
 */

import { basename, join, resolve } from "node:path";
import { readArtifact } from "../adapters/archives/read-artifact.ts";
import { digestFile, type FileDigests } from "../adapters/file-digests.ts";
import { listDirIfExists, pathKind } from "../adapters/fs.ts";
import { pushAll } from "../core/arrays.ts";
import type { DistContext } from "../core/checks/context.ts";
import { assembleDistContext } from "../core/checks/dist-context.ts";
import { checkRelease } from "../core/checks/registry.ts";
import { field } from "../core/metadata/parse.ts";
import { parseSdistFilename, parseWheelFilename } from "../core/names/filename.ts";
import { assembleUploadForm } from "../core/upload/form.ts";
import { releaseKey } from "../core/upload/plan.ts";
import { refusesLocalVersions } from "../core/upload/targets.ts";
import { SlipwayError } from "../errors.ts";
import { check, LOCAL_VERSION_CHECKS } from "./check.ts";
import type { PublishOptions, PublishReport } from "./publish.ts";
import type { PublishEvent } from "./publish-events.ts";
import type { FileJob } from "./publish-file.ts";

const DIST = /\.(whl|tar\.gz|zip)$/;

export async function defaultDists(cwd: string): Promise<string[]> {
  const dir = join(cwd, "dist");
  const names = (await listDirIfExists(dir).catch(() => undefined)) ?? [];
  const found = names.filter((n) => n.endsWith(".whl") || n.endsWith(".tar.gz"));
  if (found.length === 0) {
    throw new SlipwayError("config", `no distributions in ${dir}`, {
      hint: "Build them first (`slipway build`), or name the files: slipway publish dist/*.whl",
    });
  }
  return found.map((n) => join(dir, n));
}

export async function givenDists(cwd: string, dists: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const dist of dists) {
    const path = resolve(cwd, dist);
    if (!DIST.test(path)) {
      throw new SlipwayError("usage", `${dist} is not a distribution (.whl, .tar.gz or .zip)`, {
        hint: "Name wheels and sdists only; signatures and checksum files are not uploaded.",
      });
    }
    if ((await pathKind(path).catch(() => undefined)) !== "file") {
      throw new SlipwayError("usage", `${dist} does not exist`, { hint: "Check the path, or build first." });
    }
    if (!out.includes(path)) out.push(path);
  }
  return out;
}

/** The project name a dist's filename carries (the metadata's is compared by the checks). */
export function projectOfFilename(path: string): string {
  const name = basename(path);
  const wheel = parseWheelFilename(name);
  if (wheel.ok) return wheel.value.name;
  const sdist = parseSdistFilename(name);
  return sdist.ok ? sdist.value.name : name;
}

/**
 * The distribution checks. Files named on the command line may be several releases: the
 * cross-artifact checks (XA) then run per release instead of flagging the mix (XA01). From the
 * default dist/, one release is expected, and a stale file of another one is an error.
 */
export async function runChecks(
  options: PublishOptions,
  paths: string[],
  explicit: boolean,
  contexts: Map<string, DistContext>,
  uploadUrl: string,
): Promise<PublishReport["check"]> {
  const report = await check({
    cwd: options.cwd,
    env: options.env,
    dists: paths,
    ...(options.python === undefined ? {} : { python: options.python }),
    ...(explicit ? { ignore: ["XA"] } : {}),
    // A local version is an error only where the target refuses it (issue 11 A10).
    ...(refusesLocalVersions(uploadUrl) ? {} : { demote: LOCAL_VERSION_CHECKS }),
    onDist: (ctx) => contexts.set(ctx.artifact.path, ctx),
  });
  const findings = [...report.findings];
  if (explicit) {
    const groups = new Map<string, DistContext[]>();
    for (const ctx of contexts.values()) {
      const name = ctx.metadata === undefined ? undefined : field(ctx.metadata, "Name");
      const version = ctx.metadata === undefined ? undefined : field(ctx.metadata, "Version");
      const key = name === undefined || version === undefined ? ctx.artifact.path : releaseKey(name, version);
      groups.set(key, [...(groups.get(key) ?? []), ctx]);
    }
    for (const group of groups.values()) {
      pushAll(
        findings,
        checkRelease(group, undefined).filter((f) => f.id.startsWith("XA")),
      );
    }
  }
  const errors = findings.filter((f) => f.severity === "error").length;
  return { ran: true, findings, errors, warnings: findings.length - errors, ok: errors === 0 };
}

/** Reads the files (from the checks' own read when they ran) into upload jobs. */
export async function assembleJobs(
  paths: readonly string[],
  contexts: ReadonlyMap<string, DistContext>,
  display: (path: string) => string,
  emit: (event: PublishEvent) => void,
  hashing: ReadonlyMap<string, Promise<FileDigests>>,
): Promise<FileJob[]> {
  const jobs: FileJob[] = [];
  for (const path of paths) {
    const ctx = contexts.get(path) ?? assembleDistContext(await readArtifact(path), display(path));
    const digests = await (hashing.get(path) ?? digestFile(path, display(path)));
    if (ctx.artifact.sha256 !== digests.sha256) {
      throw new SlipwayError("io", `${display(path)} changed while slipway read it`, {
        hint: "Publish when nothing is writing to dist/.",
      });
    }
    if (ctx.metadata === undefined) {
      throw new SlipwayError("archive", `${display(path)} has no core metadata (METADATA or PKG-INFO)`, {
        hint: "Run `slipway check` on it.",
      });
    }
    const filename = basename(path);
    const form = assembleUploadForm({
      filename,
      metadata: ctx.metadata,
      sha256: digests.sha256,
      blake2_256: digests.blake2_256,
    });
    if (!form.ok) throw new SlipwayError("archive", form.error, { hint: "Run `slipway check` on it." });
    for (const dropped of form.value.dropped)
      emit({ type: "warning", kind: "field-dropped", filename, ...dropped });
    jobs.push({
      path,
      display: display(path),
      filename,
      project: form.value.name,
      version: form.value.version,
      kind: form.value.filetype === "bdist_wheel" ? "wheel" : "sdist",
      size: digests.size,
      sha256: digests.sha256,
      form: form.value,
    });
  }
  return jobs;
}
