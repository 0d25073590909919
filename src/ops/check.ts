/**
 * `check`: read a project and its distributions through the adapters, run every check, and
 * return the findings. Never prints; progress goes through `onEvent`.
 */
import { basename, join, relative } from "node:path";
import { type AnalysisCache, openAnalysisCache } from "../adapters/analysis-cache.ts";
import { readArtifact } from "../adapters/archives/read-artifact.ts";
import { fileSize, listDirIfExists } from "../adapters/fs.ts";
import { type ReadmeRenderer, startReadmeRenderer } from "../adapters/readme.ts";
import type { ProjectSnapshot } from "../adapters/snapshot.ts";
import { pushAll } from "../core/arrays.ts";
import { type CheckConfig, dropAllowedSecrets, readCheckConfig } from "../core/checks/check-config.ts";
import type { DistContext, ProjectContext } from "../core/checks/context.ts";
import type { DescriptionInput } from "../core/checks/description.ts";
import {
  type AnalysisResult,
  analysisOf,
  analyze,
  checkDescription,
  type DescriptionAnalysis,
  needsMarkdownParse,
  seedAnalysis,
} from "../core/checks/description.ts";
import { assembleDistContext } from "../core/checks/dist-context.ts";
import { descriptionOfDist, descriptionOfProject, needsRenderer } from "../core/checks/readme-input.ts";
import { checkDistribution, checkProject, checkRelease, isSelected } from "../core/checks/registry.ts";
import { checksumKindOf } from "../core/checks/sums.ts";
import type { Finding } from "../core/findings.ts";
import { verifyChecksumFiles } from "./check-sums.ts";

/**
 * FN08: a local version (`1.6.1.dev5+g1234`) in a distribution, which PyPI refuses. `build`
 * demotes it to a warning (it writes what the backend built, as `python -m build` does), and so
 * does `publish` to an index that takes local versions.
 */
export const LOCAL_VERSION_CHECKS: readonly string[] = ["FN08"];

export interface CheckOptions {
  /** Directory paths are resolved against. */
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  /** Project directory; undefined when only distributions are checked. */
  project?: string;
  /** The caller's snapshot of that project, when it has read it already (read once). */
  snapshot?: ProjectSnapshot;
  /**
   * Distribution files; when empty and a project is given, its dist/ is used if present. A
   * checksum file (`SHA256SUMS`, `*.sha256`) or slipway's build manifest among them is verified
   * (SUM01–SUM04) instead of being read as a distribution.
   */
  dists?: string[];
  /** Python used for README rendering (readme_renderer/docutils); default: python3 on PATH. */
  python?: string;
  /** Only these check IDs or ID prefixes (e.g. `MD`, `REC07`). */
  select?: string[];
  /** Skip these check IDs or ID prefixes. */
  ignore?: string[];
  /** Warnings fail too. */
  strict?: boolean;
  /** Keep info findings (context that needs no action); without it they are left out. */
  verbose?: boolean;
  /**
   * Check IDs whose errors this caller reports as warnings: `build` demotes FN08 (a local
   * version is built as `python -m build` builds it; only an index that refuses it is an error).
   */
  demote?: readonly string[];
  /** How to name some files in findings (path → name), e.g. artifacts still in a temp dir. */
  displayNames?: Readonly<Record<string, string>>;
  onEvent?: (event: CheckEvent) => void;
  /** Receives each distribution as read (metadata, sha256), so a caller need not read it again. */
  onDist?: (dist: DistContext) => void;
}

export type CheckEvent =
  /** Before any archive is read; `bytes` is the distributions' total size on disk. */
  | { type: "start"; project?: string; dists: string[]; bytes: number }
  /** An archive's member count, as soon as its reader knows it (a tar's as it grows). */
  | { type: "members"; file: string; count: number }
  | { type: "file-done"; file: string; errors: number; warnings: number };

export interface CheckReport {
  project?: string;
  dists: string[];
  /** The checksum files and build manifests that were verified. */
  checksums: string[];
  findings: Finding[];
  /** Which README renderer gave the verdicts, when one ran. */
  renderers: string[];
  errors: number;
  warnings: number;
  /** Info findings among `findings` (0 unless `verbose`); they never fail a check. */
  infos: number;
  /** No errors (and, with strict, no warnings). */
  ok: boolean;
}

const DIST_PATTERN = /\.(whl|tar\.gz|zip)$/;
/**
 * Small archives are read two at a time (their cost is latency); a large one is read alone,
 * because the reader already spreads one archive over every core and two at once would only
 * double the memory held.
 */
const READ_SLOTS = 2;
const LARGE_ARCHIVE = 16 * 1024 * 1024;

async function distsIn(project: string): Promise<string[]> {
  const names = (await listDirIfExists(join(project, "dist")).catch(() => undefined)) ?? [];
  return names.filter((n) => DIST_PATTERN.test(n)).map((n) => join(project, "dist", n));
}

async function sizeOf(path: string): Promise<number> {
  // 0 for a file that cannot be read: the reader reports it with its own message.
  return (await fileSize(path).catch(() => undefined)) ?? 0;
}

/**
 * Runs `fn` over `items`, starting them strictly in order and holding at most READ_SLOTS slots;
 * large items take all. Strict order keeps a run's memory profile the same from run to run
 * (which archive's leftovers meet which archive's workers no longer depends on timing).
 */
async function mapWeighted<T, R>(
  items: readonly T[],
  weights: readonly number[],
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let free = READ_SLOTS;
  let next = 0;
  let running = 0;
  return await new Promise<R[]>((resolve, reject) => {
    let failed = false;
    const pump = () => {
      while (!failed && next < items.length && weights[next]! <= free) {
        const at = next++;
        const weight = weights[at]!;
        free -= weight;
        running++;
        fn(items[at]!)
          .then(
            (result) => {
              results[at] = result;
            },
            (error: unknown) => {
              failed = true;
              reject(error);
            },
          )
          .finally(() => {
            free += weight;
            running--;
            pump();
          });
      }
      if (!failed && next >= items.length && running === 0) resolve(results);
    };
    pump();
  });
}

/**
 * Has a README analysis ready for checkDescription: read from the cache, or computed when the
 * loop would otherwise wait for archive reads (not at the end) and stored for the next run.
 */
async function prepareAnalysis(
  analysis: DescriptionAnalysis,
  cache: AnalysisCache | undefined,
): Promise<void> {
  const cached = await cache?.get(analysis);
  if (cached !== undefined) return seedAnalysis(analysis, cached);
  await new Promise((resolve) => setImmediate(resolve));
  const result: AnalysisResult = analyze(analysis);
  await cache?.put(analysis, result);
}

function count(findings: readonly Finding[]): { errors: number; warnings: number; infos: number } {
  const counts = { errors: 0, warnings: 0, infos: 0 };
  for (const f of findings) {
    if (f.severity === "error") counts.errors++;
    else if (f.severity === "warning") counts.warnings++;
    else counts.infos++;
  }
  return counts;
}

export async function check(options: CheckOptions): Promise<CheckReport> {
  const display = (path: string) => options.displayNames?.[path] ?? (relative(options.cwd, path) || ".");
  const files = options.dists ?? [];
  const checksums = files.flatMap((path) => {
    const kind = checksumKindOf(basename(path));
    return kind === undefined ? [] : [{ path, kind }];
  });
  const named = files.filter((path) => checksumKindOf(basename(path)) === undefined);
  const distPaths =
    files.length > 0 ? named : options.project !== undefined ? await distsIn(options.project) : [];
  const sizes = await Promise.all(distPaths.map(sizeOf));
  options.onEvent?.({
    type: "start",
    ...(options.project === undefined ? {} : { project: options.project }),
    dists: distPaths,
    bytes: sizes.reduce((sum, size) => sum + size, 0),
  });

  const findings: Finding[] = [];
  const descriptions: DescriptionInput[] = [];
  const analysisCache = openAnalysisCache(options.env);
  const analyses = new Map<string, Promise<void>>();
  // The renderer process starts at the first description that needs docutils, so Python's
  // imports overlap the reading of the remaining archives.
  let renderer: ReadmeRenderer | undefined;
  const addDescription = (input: DescriptionInput | undefined) => {
    if (input === undefined) return;
    descriptions.push(input);
    const analysis = analysisOf(input);
    const key = analysis && `${analysis.kind}\0${analysis.text}`;
    if (analysis && key && !analyses.has(key)) analyses.set(key, prepareAnalysis(analysis, analysisCache));
    if (needsRenderer(input)) {
      renderer ??= startReadmeRenderer({
        ...(options.python === undefined ? {} : { python: options.python }),
        cwd: options.cwd,
        env: options.env,
      });
    }
  };
  try {
    let project: ProjectContext | undefined;
    let config: CheckConfig = { allowSecrets: [] };
    if (options.project !== undefined) {
      // Loaded only for a project: a check of dists alone does not read one (nor git, nor config).
      const { readProject } = await import("../adapters/project.ts");
      project = await readProject(options.project, {
        display: display(join(options.project, "pyproject.toml")),
        snapshot: options.snapshot,
      });
      config = readCheckConfig(project.pyproject);
      addDescription(descriptionOfProject(project, options.project, display));
      // The README's analysis first (from the cache when it is there): the link checks read the
      // same analysis, so a warm run parses the README not at all, a cold one once.
      await Promise.all(analyses.values());
      pushAll(findings, checkProject(project));
    }

    const weights = sizes.map((size) => (size > LARGE_ARCHIVE ? READ_SLOTS : 1));
    const dists: DistContext[] = await mapWeighted(distPaths, weights, async (path) => {
      const artifact = await readArtifact(path, {
        display: display(path),
        onMembers: (count) => options.onEvent?.({ type: "members", file: display(path), count }),
      });
      const ctx = assembleDistContext(artifact, display(path));
      const own = dropAllowedSecrets(checkDistribution(ctx), ctx.artifact.kind, config);
      pushAll(findings, own);
      options.onDist?.(ctx);
      addDescription(descriptionOfDist(ctx));
      const { errors, warnings } = count(own);
      options.onEvent?.({ type: "file-done", file: display(path), errors, warnings });
      return ctx;
    });
    pushAll(findings, checkRelease(dists, project));
    if (checksums.length > 0) {
      const known = new Map(
        dists.map((d) => [d.artifact.path, { sha256: d.artifact.sha256, size: d.artifact.size }]),
      );
      pushAll(findings, await verifyChecksumFiles({ files: checksums, known, display }));
    }
  } catch (error) {
    renderer?.close();
    throw error;
  }

  // Analyses first: the built-in verdict reads the same memoized analysis a cache entry seeds.
  await Promise.all(analyses.values());
  const toRender = descriptions.filter(needsRenderer);
  const verdicts =
    renderer === undefined
      ? []
      : await renderer.render(
          toRender.map((d) => ({ text: d.description ?? "", contentType: d.contentType ?? "text/x-rst" })),
        );
  const renderers = [...new Set(verdicts.map((v) => v.renderer))];
  const given = descriptions.map((input) => {
    const at = toRender.indexOf(input);
    const verdict = at >= 0 ? verdicts[at] : undefined;
    return verdict === undefined ? input : { ...input, verdict };
  });
  // micromark's GFM parse loads only for a Markdown text that could render to nothing.
  const gfm = given.some(needsMarkdownParse) ? await import("../core/readme/markdown-empty.ts") : undefined;
  for (const input of given) {
    const markdownEmpty =
      gfm !== undefined && needsMarkdownParse(input)
        ? gfm.markdownRendersEmpty(input.description ?? "")
        : undefined;
    pushAll(findings, checkDescription(markdownEmpty === undefined ? input : { ...input, markdownEmpty }));
  }

  const demoted = new Set(options.demote);
  const kept = findings
    .filter(
      (f) =>
        (options.verbose === true || f.severity !== "info") &&
        isSelected(f.id, options.select, options.ignore),
    )
    .map((f) => (f.severity === "error" && demoted.has(f.id) ? { ...f, severity: "warning" as const } : f));
  const { errors, warnings, infos } = count(kept);
  return {
    ...(options.project === undefined ? {} : { project: options.project }),
    dists: distPaths,
    checksums: checksums.map((c) => c.path),
    findings: kept,
    renderers,
    errors,
    warnings,
    infos,
    ok: errors === 0 && !(options.strict === true && warnings > 0),
  };
}
