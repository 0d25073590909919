/**
 * What happened to each file of a publish, as plain data: the per-file outcome the CLI prints
 * and `--json` emits, and the one rule that decides "already there" (the index lists the file
 * with the same sha256), never an error text.
 */
import type { RemoteFile, RemoteListing } from "./simple-page.ts";
import { findRemote } from "./simple-page.ts";

/**
 * uploaded: sent, and the index holds it with our sha256. exists-identical: it was there with
 * our sha256 before we sent anything. conflict: the index holds different bytes under this
 * name. failed: not on the index, with the reason. would-upload: --dry-run, not there yet.
 * not-sent: held back because another file of the same release failed or conflicts.
 */
export type UploadStatus =
  | "uploaded"
  | "exists-identical"
  | "conflict"
  | "failed"
  | "would-upload"
  | "not-sent";

export interface IndexAnswer {
  /** HTTP status, when there was a response. */
  status?: number;
  /** The index's own words: JSON message, reason phrase or first body line. */
  message: string;
}

export interface UploadOutcome {
  /** The file as the user named it (relative to cwd when possible). */
  file: string;
  filename: string;
  project: string;
  version: string;
  status: UploadStatus;
  size: number;
  /** Lowercase hex sha256 of the local file. */
  sha256: string;
  /** sha256 the index lists for this name, when it differs (conflict) or could not be read. */
  remoteSha256?: string;
  /** The file's URL on the index when known, else the upload URL. */
  url: string;
  /** Upload attempts made (0 when nothing was sent). */
  attempts: number;
  /** The last refusal or error from the index, when there was one. */
  index?: IndexAnswer;
  /** One line: what happened and why. */
  message: string;
  /** The next action, for outcomes that need one. */
  hint?: string;
}

export type RemoteState =
  | { kind: "absent" }
  | { kind: "identical"; remote: RemoteFile }
  | { kind: "different"; remote: RemoteFile & { sha256: string } }
  | { kind: "no-hash"; remote: RemoteFile };

/** Compares the local file with the index's listing, by sha256 only. */
export function compareRemote(listing: RemoteListing, filename: string, sha256: string): RemoteState {
  const remote = findRemote(listing, filename);
  if (remote === undefined) return { kind: "absent" };
  if (remote.sha256 === undefined) return { kind: "no-hash", remote };
  if (remote.sha256 === sha256.toLowerCase()) return { kind: "identical", remote };
  return { kind: "different", remote: { ...remote, sha256: remote.sha256 } };
}

/** True when the file is on the index with the right bytes. */
export function isPublished(status: UploadStatus): boolean {
  return status === "uploaded" || status === "exists-identical";
}

export interface OutcomeSummary {
  total: number;
  counts: Record<UploadStatus, number>;
  /** Every file is on the index with its sha256 (or, in a dry run, nothing stands in the way). */
  ok: boolean;
}

export function summarizeOutcomes(outcomes: readonly UploadOutcome[], dryRun: boolean): OutcomeSummary {
  const counts: Record<UploadStatus, number> = {
    uploaded: 0,
    "exists-identical": 0,
    conflict: 0,
    failed: 0,
    "would-upload": 0,
    "not-sent": 0,
  };
  for (const o of outcomes) counts[o.status]++;
  const fine = dryRun
    ? (o: UploadOutcome) => isPublished(o.status) || o.status === "would-upload"
    : (o: UploadOutcome) => isPublished(o.status);
  return { total: outcomes.length, counts, ok: outcomes.length > 0 && outcomes.every(fine) };
}

/** The conflict message: both hashes, and what PyPI's rules leave as the way out. */
export function conflictMessage(filename: string, local: string, remote: string, url: string): string {
  return `${filename} is already on the index with different bytes: local sha256 ${local}, index sha256 ${remote} (${url})`;
}
