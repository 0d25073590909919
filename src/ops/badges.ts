/**
 * `badges`: the project's badges (core/badges/catalog.ts decides them, core/badges/render.ts
 * draws them), written into the README's badge block (core/badges/readme-block.ts), as local
 * SVGs, and committed in CI. Reads (`readBadgeInputs`), assembles (`planBadges`, pure parts in
 * core), writes (`writeBadgeSvgs`, `writeReadmeBlock`, `commitReadme`).
 */
import { createHash } from "node:crypto";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import {
  errnoOf,
  fileCalls,
  readBytesAndMode,
  readTextIfExists,
  removeFile,
  tryCreateComplete,
  writeFileAtomic,
} from "../adapters/fs.ts";
import { commitPaths, gitAt } from "../adapters/git.ts";
import { type CodeScanningRead, readCodeScanningAlerts } from "../adapters/http/code-scanning.ts";
import { isProcessGone } from "../adapters/process-start.ts";
import { openProject } from "../adapters/snapshot.ts";
import {
  assembleBadges,
  type BadgeId,
  type BadgeInputs,
  badgeImageUrl,
  type CatalogBadge,
  type GatesResult,
  parseGatesRecord,
  parseSecuritySummary,
  renderBadgeBlock,
  toolsInPyproject,
} from "../core/badges/catalog.ts";
import { assembleReadmeUpdate, type ReadmeFormat } from "../core/badges/readme-block.ts";
import { renderBadgeSvg, shieldsEndpointUrl, shieldsStaticUrl } from "../core/badges/render.ts";
import { renderUnifiedDiff } from "../core/edits/diff.ts";
import { isTable } from "../core/pyproject/access.ts";
import { SlipwayError } from "../errors.ts";
import { Secret } from "../secret.ts";

type Env = Readonly<Record<string, string | undefined>>;

/** Where the gates' last result is recorded, relative to the project (see docs/badges.md). */
export const GATES_RECORD = ".slipway/gates.json";

export interface ReadBadgeInputsOptions {
  /** The project directory. */
  root: string;
  env?: Env;
  /** The gates' result given on the command line; else the record file, else unknown. */
  gates?: GatesResult | undefined;
  /** A SecurityStatus document (index.json of `slipway status`), relative to `cwd`. */
  statusFile?: string | undefined;
  /** Read GitHub's code-scanning alerts (GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_API_URL from `env`). */
  codeScanning?: boolean;
  /** Where relative paths given on the command line start; default `root`. */
  cwd?: string | undefined;
  /** The published status site; the security badge then uses its endpoint JSON. */
  siteUrl?: string | undefined;
}

/**
 * The text of a source file (the gates record, a status document), undefined when absent; a
 * directory or FIFO there, or bytes that are not UTF-8, are errors naming the file.
 */
async function readSource(path: string, display: string): Promise<string | undefined> {
  const read = await readBytesAndMode(path).catch((error: Error) => {
    throw new SlipwayError("config", `cannot read ${display}: ${error.message}`, { cause: error });
  });
  if (read === undefined) return undefined;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(read.bytes);
  } catch (cause) {
    throw new SlipwayError("config", `${display} is not UTF-8 text`, { cause });
  }
}

export interface BadgeInputsRead {
  inputs: BadgeInputs;
  /** Why a badge says "unknown" when a source was named but not there. */
  notes: string[];
}

/** What the badges are made from: pyproject.toml, the tools' config files, the gates record, the status. */
export async function readBadgeInputs(options: ReadBadgeInputsOptions): Promise<BadgeInputsRead> {
  const root = resolve(options.root);
  const snapshot = openProject(root, options.env === undefined ? {} : { env: options.env });
  const file = await snapshot.pyproject();
  if (file !== undefined && (!file.utf8 || !file.parsed.ok)) {
    // The same words every command uses for a broken pyproject.toml.
    await snapshot.projectConfig();
  }
  const table = file?.parsed.ok ? file.parsed.value : {};
  const project = isTable(table["project"]) ? table["project"] : {};
  const tools = new Set(toolsInPyproject(table));
  const configFiles: [string, string][] = [
    ["ruff.toml", "ruff"],
    [".ruff.toml", "ruff"],
    ["mypy.ini", "mypy"],
    [".mypy.ini", "mypy"],
    ["pyrightconfig.json", "pyright"],
  ];
  for (const [name, tool] of configFiles) if (await snapshot.exists(name)) tools.add(tool);
  if (/^\[mypy\]\s*$/m.test((await snapshot.utf8("setup.cfg")) ?? "")) tools.add("mypy");
  const notes: string[] = [];
  let gates = options.gates;
  if (gates === undefined) {
    const text = await readSource(join(root, GATES_RECORD), GATES_RECORD);
    if (text !== undefined) gates = parseGatesRecord(text, GATES_RECORD);
  }
  let security: BadgeInputs["security"];
  if (options.statusFile !== undefined) {
    const text = await readSource(resolve(options.cwd ?? root, options.statusFile), options.statusFile);
    if (text === undefined)
      notes.push(`${options.statusFile} does not exist: the security badge says "unknown"`);
    else security = parseSecuritySummary(text, options.statusFile);
  }
  let codeScanning: BadgeInputs["codeScanning"];
  if (options.codeScanning) {
    const read = await readAlerts(options.env ?? {});
    if (read.ok) codeScanning = read.counts;
    else {
      codeScanning = "unreachable";
      notes.push(`code-scanning alerts not read (${read.reason}): the security badge says "unknown"`);
    }
  }
  return { inputs: { project, tools, gates, security, codeScanning, siteUrl: options.siteUrl }, notes };
}

/** The open code-scanning alerts of GITHUB_REPOSITORY, with GITHUB_TOKEN. */
async function readAlerts(env: Env): Promise<CodeScanningRead> {
  const token = env["GITHUB_TOKEN"];
  const repository = env["GITHUB_REPOSITORY"];
  if (!token) return { ok: false, reason: "GITHUB_TOKEN is not set" };
  if (!repository) return { ok: false, reason: "GITHUB_REPOSITORY is not set" };
  return await readCodeScanningAlerts({
    apiUrl: env["GITHUB_API_URL"] || "https://api.github.com",
    repository,
    token: new Secret(token),
    userAgent: "slipway-badges",
  });
}

export interface BadgeView {
  id: BadgeId;
  alt: string;
  link?: string;
  /** The image URL the README uses (shields, or the local SVG's relative path). */
  image: string;
  /** Shields' URL for the badge (static, endpoint or dynamic form). */
  shields: string;
  /** The badge's label, message and color when known offline. */
  message?: string;
}

export interface BadgesPlan {
  badges: BadgeView[];
  entries: CatalogBadge[];
  /** The block's lines for `format`. */
  lines: string[];
  format: ReadmeFormat;
  /** SVGs to write: absolute path → content. */
  svgs: Map<string, string>;
}

export interface PlanBadgesOptions {
  format: ReadmeFormat;
  /** Write local SVGs here (the offline badges only); the block then points at them. */
  svgDir?: string | undefined;
  /** The README's directory: local SVG paths in the block are relative to it. */
  readmeDir: string;
}

const urls = {
  staticUrl: shieldsStaticUrl,
  endpointUrl: (jsonUrl: string) => shieldsEndpointUrl(jsonUrl, {}),
};

/** The badges, their URLs and the block's lines; the SVGs to write with `svgDir`. */
export function planBadges(inputs: BadgeInputs, options: PlanBadgesOptions): BadgesPlan {
  const entries = assembleBadges(inputs);
  const svgs = new Map<string, string>();
  const images = new Map<BadgeId, string>();
  const badges: BadgeView[] = [];
  for (const entry of entries) {
    let local: string | undefined;
    if (options.svgDir !== undefined && entry.badge !== undefined) {
      const path = join(resolve(options.svgDir), `${entry.id}.svg`);
      svgs.set(path, renderBadgeSvg(entry.badge));
      // A relative URL: spaces and brackets percent-encoded, so Markdown and rst read it whole.
      local = encodeURI(relative(options.readmeDir, path).split(sep).join("/")).replace(/[()]/g, (c) =>
        c === "(" ? "%28" : "%29",
      );
    }
    const image = badgeImageUrl(entry, urls, local);
    images.set(entry.id, image);
    badges.push({
      id: entry.id,
      alt: entry.alt,
      ...(entry.link === undefined ? {} : { link: entry.link }),
      image,
      shields: badgeImageUrl(entry, urls),
      ...(entry.badge === undefined ? {} : { message: entry.badge.message }),
    });
  }
  return {
    badges,
    entries,
    lines: renderBadgeBlock(entries, options.format, images),
    format: options.format,
    svgs,
  };
}

/** Records the gates' result in `.slipway/gates.json` (atomically), for the next badges run. */
export async function writeGatesRecord(root: string, result: GatesResult): Promise<string> {
  const path = join(resolve(root), GATES_RECORD);
  await writeFileAtomic(path, `${JSON.stringify({ schema: 1, result })}\n`, { mkdirs: true });
  return path;
}

/** Writes each SVG atomically (a reader sees the old badge or the new one), creating the directory. */
export async function writeBadgeSvgs(svgs: ReadonlyMap<string, string>): Promise<string[]> {
  for (const [path, svg] of svgs) await writeFileAtomic(path, svg, { mkdirs: true });
  return [...svgs.keys()];
}

export interface ReadmeResult {
  path: string;
  changed: boolean;
  inserted: boolean;
  /** The unified diff of the block's change ("" when none). */
  diff: string;
  written: boolean;
}

export interface WriteReadmeOptions {
  path: string;
  /** How the file is named in messages (the path as given). */
  display: string;
  lines: readonly string[];
  format: ReadmeFormat;
  /** False: compare only (`--check`). */
  write: boolean;
  /** Called after the new file is written beside the README, right before the hash compare (tests). */
  beforeCompare?: () => Promise<void>;
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/**
 * The README with its badge block updated: compared only, or written atomically with its mode
 * kept. The write refuses (conflict) when the README's bytes changed since they were read — the
 * sha256 is compared right before the rename, under a lock beside the file that other slipway
 * writers respect — so a concurrent edit is never lost.
 */
export async function writeReadmeBlock(options: WriteReadmeOptions): Promise<ReadmeResult> {
  const read = await readBytesAndMode(options.path, { noFollow: true }).catch((error: Error) => {
    if (errnoOf(error) === "ELOOP") {
      throw new SlipwayError(
        "config",
        `${options.display} is a symlink; slipway would replace the link with a file`,
        {
          hint: "pass the file it points to",
        },
      );
    }
    throw new SlipwayError("config", `cannot read ${options.display}: ${error.message}`, { cause: error });
  });
  if (read === undefined) {
    throw new SlipwayError("config", `${options.display} does not exist`, {
      hint: "create the README first; slipway inserts the badge block under its title",
    });
  }
  const update = assembleReadmeUpdate({
    bytes: read.bytes,
    file: options.display,
    format: options.format,
    lines: options.lines,
  });
  const diff = renderUnifiedDiff(basename(options.path), update.before, update.after);
  const result = {
    path: options.path,
    changed: update.changed,
    inserted: update.inserted,
    diff,
    written: false,
  };
  if (!update.changed || !options.write) return result;
  const expected = sha256(read.bytes);
  const realRename = fileCalls().rename;
  const changedMeanwhile = () =>
    new SlipwayError(
      "conflict",
      `${options.display} changed while the badges were written; nothing was written`,
      {
        hint: "another process edited it: run 'slipway badges --write' again",
      },
    );
  await withWriteLock(options.path, options.display, async () => {
    await writeFileAtomic(options.path, update.bytes, {
      mode: read.mode,
      calls: {
        rename: async (from, to) => {
          await options.beforeCompare?.();
          const now = await readBytesAndMode(to, { noFollow: true }).catch(() => undefined);
          if (now === undefined || sha256(now.bytes) !== expected) throw changedMeanwhile();
          await realRename(from, to);
        },
      },
    });
  });
  return { ...result, written: true };
}

/**
 * Runs `write` holding `.<name>.slipway-badges.lock` beside the README (created complete or not
 * at all, holding the writer's pid). A lock whose writer is gone is removed; a live one means
 * another writer is at work: a conflict, as a changed file is.
 */
async function withWriteLock(path: string, display: string, write: () => Promise<void>): Promise<void> {
  const lock = join(dirname(path), `.${basename(path)}.slipway-badges.lock`);
  for (let attempt = 0; ; attempt++) {
    if (await tryCreateComplete(lock, `${process.pid}\n`)) break;
    const pid = Number((await readTextIfExists(lock))?.trim());
    if (attempt === 0 && Number.isSafeInteger(pid) && pid > 0 && (await isProcessGone(pid, undefined))) {
      await removeFile(lock);
      continue;
    }
    throw new SlipwayError(
      "conflict",
      `${display} is being written by another process; nothing was written`,
      {
        hint: `run 'slipway badges --write' again once it is done (a stale lock: remove ${basename(lock)})`,
      },
    );
  }
  try {
    await write();
  } finally {
    await removeFile(lock);
  }
}

export type CommitOutcome =
  | { committed: true; commit: string }
  | { committed: false; reason: "unchanged" | "fork-pull-request" | "not-ci" };

/**
 * Whether this CI run builds a pull (merge) request from a fork, where a push back is neither
 * possible nor wanted. GitHub and Gitea Actions: a `pull_request*` event whose payload's head
 * repository differs from the base one (an unreadable payload counts as a fork: refusing is the
 * safe side). GitLab: a merge request whose source project is not the target project.
 */
export async function readForkPullRequest(env: Env): Promise<boolean> {
  const event = env["GITHUB_EVENT_NAME"] ?? "";
  if (event.startsWith("pull_request")) {
    const text = env["GITHUB_EVENT_PATH"]
      ? await readSource(env["GITHUB_EVENT_PATH"], "the event payload").catch(() => undefined)
      : undefined;
    try {
      const payload = JSON.parse(text ?? "null") as {
        pull_request?: {
          head?: { repo?: { full_name?: unknown } };
          base?: { repo?: { full_name?: unknown } };
        };
      };
      const head = payload?.pull_request?.head?.repo?.full_name;
      const base = payload?.pull_request?.base?.repo?.full_name;
      return typeof head !== "string" || typeof base !== "string" || head !== base;
    } catch {
      return true;
    }
  }
  const source = env["CI_MERGE_REQUEST_SOURCE_PROJECT_ID"];
  return source !== undefined && source !== env["CI_MERGE_REQUEST_PROJECT_ID"];
}

/** The commit message of a badges update; `[skip ci]` keeps it from starting another run. */
export const BADGES_COMMIT_MESSAGE = "docs: update the README badges [skip ci]";

/**
 * Commits the README (and the local SVGs it points at) in CI (`CI=true`) when the write changed
 * it, never for a pull request from a fork. The outcome says what was done and, when nothing, why.
 */
export async function commitReadme(options: {
  path: string;
  changed: boolean;
  env: Env;
  /** The SVGs written with it: a README pointing at local badges is committed with them. */
  svgs?: readonly string[];
}): Promise<CommitOutcome> {
  if (options.env["CI"] !== "true") return { committed: false, reason: "not-ci" };
  if (await readForkPullRequest(options.env)) return { committed: false, reason: "fork-pull-request" };
  if (!options.changed) return { committed: false, reason: "unchanged" };
  const commit = await commitPaths(
    gitAt(dirname(options.path), options.env),
    [options.path, ...(options.svgs ?? [])],
    BADGES_COMMIT_MESSAGE,
  );
  return { committed: true, commit };
}
