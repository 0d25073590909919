/**
 * The secret scan of git's objects rather than the work tree: the history (`--history`: every
 * blob reachable from the refs, each once), a range of commits (`--since`, `--range`: the blobs
 * a pull request brings), or the staged blobs (`--staged`, for a pre-commit hook). Each blob is
 * scanned under the path it had, so severity by place applies as in the tree; a history
 * finding also names a commit that holds the blob.
 */

import { type GitContext, gitAt, resolveCommit } from "../adapters/git.ts";
import {
  type HistoryBlob,
  listStagedBlobs,
  readBlobs,
  readRepositoryShape,
  walkBlobs,
} from "../adapters/git-objects.ts";
import type { Finding } from "../core/findings.ts";
import { notIgnored, type SecretScanSetup, scanTextDecoded, secretAsFinding } from "../core/scan/secrets.ts";

import { SlipwayError } from "../errors.ts";

/** Which objects to scan. */
export type ObjectSelection =
  /** Every blob reachable from `refs` (all refs when empty). */
  | { kind: "history"; refs: readonly string[] }
  /** The blobs of `from..to`: reachable from `to`, not from `from`'s trees. */
  | { kind: "range"; from: string; to: string }
  /** The staged blobs that differ from HEAD. */
  | { kind: "staged" };

export interface HistoryCounts {
  commits: number;
  blobs: number;
  bytes: number;
  /** Blobs not read: over the size bound, or absent from a partial clone. */
  skipped: number;
}

export type ObjectScanEvent =
  | { type: "objects-start"; selection: ObjectSelection }
  | { type: "objects-progress"; blobs: number; bytes: number; skipped: number };

export interface ObjectScanResult {
  findings: Finding[];
  fingerprints: string[];
  counts: HistoryCounts;
}

/** Where a blob's bytes look like a binary file (git's heuristic: a NUL among the first 8000). */
const SNIFF = 8000;

/**
 * A blob's text for the scanner. Text is read as UTF-8 (columns count characters as in the
 * tree); a binary blob as Latin-1, one character per byte, so a key or token among binary bytes
 * keeps its exact spelling (UTF-8 would not turn any ASCII run into something else either, but
 * Latin-1 is a straight copy).
 */
export function blobText(content: Buffer): string {
  const nul = content.indexOf(0);
  return nul >= 0 && nul < SNIFF ? content.toString("latin1") : content.toString("utf8");
}

/**
 * Scans the blobs `selection` names in the repository at `root`. A repository that cannot
 * answer (not one, a shallow clone asked for history) is a configuration error that says what
 * to do, never a pass over nothing.
 */
export async function scanObjects(options: {
  root: string;
  env?: Readonly<Record<string, string | undefined>>;
  setup: SecretScanSetup;
  selection: ObjectSelection;
  maxBytes: number;
  emit: (event: ObjectScanEvent) => void;
}): Promise<ObjectScanResult> {
  const { setup, selection, emit } = options;
  const ctx = gitAt(options.root, options.env);
  const what =
    selection.kind === "staged" ? "--staged" : selection.kind === "range" ? "a range" : "--history";
  const shape = await readRepositoryShape(ctx);
  if (!shape.inside) {
    throw new SlipwayError(
      "config",
      `${options.root} is not in a git work tree: ${what} reads git's objects`,
      {
        hint: "Run it in a git repository, or scan the files alone with `slipway scan secrets PATH`.",
      },
    );
  }
  if (shape.shallow && selection.kind !== "staged") {
    throw new SlipwayError(
      "config",
      `${options.root} is a shallow clone: ${what} would scan only the commits fetched, not the history`,
      {
        hint: "Fetch the whole history first: `git fetch --unshallow` (in GitHub Actions, `fetch-depth: 0` in actions/checkout).",
      },
    );
  }
  emit({ type: "objects-start", selection });
  const findings: Finding[] = [];
  const fingerprints: string[] = [];
  const seen = new Set<string>();
  let progressAt = 0;
  let blobs = 0;
  let bytes = 0;
  let skipped = 0;
  const onBlob = (blob: HistoryBlob, content: Buffer) => {
    blobs++;
    bytes += content.length;
    scanBlob(setup, blob, content, (finding, fingerprint) => {
      // The same secret at the same path in many versions of a file is one finding.
      if (seen.has(fingerprint)) return;
      seen.add(fingerprint);
      findings.push(finding);
      fingerprints.push(fingerprint);
    });
    if (bytes - progressAt >= 4 * 1024 * 1024 || blobs % 1000 === 0) {
      progressAt = bytes;
      emit({ type: "objects-progress", blobs, bytes, skipped });
    }
  };
  const onSkipped = () => {
    skipped++;
  };
  const walk = { maxBytes: options.maxBytes, onBlob, onSkipped };
  let commits = 0;
  if (selection.kind === "staged") {
    await readBlobs(ctx, await listStagedBlobs(ctx, shape.hasHead), walk);
  } else {
    if (!shape.hasHead && selection.kind === "history" && selection.refs.length === 0) {
      return { findings, fingerprints, counts: { commits: 0, blobs: 0, bytes: 0, skipped: 0 } };
    }
    const revs = await revsOf(ctx, selection);
    const walked = await walkBlobs(ctx, { ...walk, revs });
    commits = walked.commits;
    if (walked.missing > 0) {
      // A partial clone (`--filter=blob:none`) lacks blobs: a scan without them is no scan.
      throw new SlipwayError(
        "config",
        `${walked.missing} blobs of the history are not in ${options.root} (a partial clone?): ${what} cannot read them`,
        {
          hint: "Scan a full clone: clone without --filter (in GitHub Actions, actions/checkout with `fetch-depth: 0` and no `filter:`).",
        },
      );
    }
  }
  emit({ type: "objects-progress", blobs, bytes, skipped });
  return { findings, fingerprints, counts: { commits, blobs, bytes, skipped } };
}

function scanBlob(
  setup: SecretScanSetup,
  blob: HistoryBlob,
  content: Buffer,
  add: (finding: Finding, fingerprint: string) => void,
): void {
  if (content.length === 0) return;
  const found = scanTextDecoded(blobText(content), {
    path: blob.path,
    rules: setup.rules,
    place: setup.place,
    ...(blob.commit === undefined ? {} : { commit: blob.commit }),
  });
  if (found.length === 0) return;
  for (const f of notIgnored(setup, found, blob.commit)) add(secretAsFinding(f, blob.commit), f.fingerprint);
}

/** `git rev-list` arguments for a selection, each ref checked to name a commit first. */
async function revsOf(ctx: GitContext, selection: ObjectSelection): Promise<string[]> {
  const named =
    selection.kind === "range"
      ? [selection.from, selection.to]
      : [...(selection.kind === "history" ? selection.refs : [])];
  for (const ref of named) {
    if (ref === "" || ref.startsWith("-") || /[\0\n]/.test(ref)) {
      throw new SlipwayError("usage", `${JSON.stringify(ref)} is not a git revision`, {
        hint: "Name a branch, tag or commit: slipway scan --history main v1.0",
      });
    }
    if ((await resolveCommit(ctx, ref)) === undefined) {
      throw new SlipwayError("usage", `${ref} does not name a commit in ${ctx.dir}`, {
        hint: "Check the name with `git rev-parse --verify REF`; in CI, fetch the branch or tag first.",
      });
    }
  }
  if (selection.kind === "range") return ["--end-of-options", `${selection.from}..${selection.to}`];
  return named.length === 0 ? ["--all"] : ["--end-of-options", ...named];
}

/** `A..B` as its two ends; `A...B` and other shapes are usage errors. */
export function parseRange(text: string): { from: string; to: string } {
  const at = text.indexOf("..");
  if (at <= 0 || text.includes("...") || text.indexOf("..", at + 2) >= 0 || at + 2 >= text.length) {
    throw new SlipwayError("usage", `--range ${JSON.stringify(text)} is not A..B`, {
      hint: "slipway scan --range origin/main..HEAD (the commits a pull request adds)",
    });
  }
  return { from: text.slice(0, at), to: text.slice(at + 2) };
}
