/**
 * `slipway status decide`: the diff of two documents judged by the project's policy
 * (`[tool.slipway.security.policy]`, over the defaults) into one release decision; with
 * `notesFile`, the release-notes section written there (atomically) for
 * `slipway release --security-notes`.
 */
import { join, resolve } from "node:path";
import { fileSize, readSmallRegularFile, writeFileAtomic } from "../adapters/fs.ts";
import { openProject } from "../adapters/snapshot.ts";
import { getTable } from "../core/pyproject/access.ts";
import { decideRelease, type ReleaseDecision } from "../core/status/decide.ts";
import type { StatusDiff } from "../core/status/diff.ts";
import { MAX_NOTES_BYTES, parseSecurityNotes } from "../core/status/notes.ts";
import { parseSecurityPolicy, type SecurityPolicy } from "../core/status/policy.ts";
import { SlipwayError } from "../errors.ts";
import { type ReadStatusOptions, type StatusSource, statusDiff } from "./status-diff.ts";

/** The policy of the project at `root`: its pyproject's table over the defaults (none: the defaults). */
export async function readSecurityPolicy(
  root: string,
  env?: Readonly<Record<string, string | undefined>>,
): Promise<SecurityPolicy> {
  const pyproject = await openProject(root, env === undefined ? {} : { env }).pyproject();
  if (pyproject === undefined) return parseSecurityPolicy(undefined);
  if (!pyproject.parsed.ok) {
    throw new SlipwayError("config", `${join(root, "pyproject.toml")} is not valid TOML`, {
      hint: "fix it first: `slipway check` says where",
    });
  }
  const tool = getTable(getTable(pyproject.parsed.value, "tool"), "slipway");
  return parseSecurityPolicy(getTable(getTable(tool, "security"), "policy"));
}

export interface StatusDecideOptions extends ReadStatusOptions {
  older: StatusSource;
  newer: StatusSource;
  /** The project whose pyproject.toml holds the policy (default: cwd). */
  project?: string;
  env?: Readonly<Record<string, string | undefined>>;
  /** Write the release-notes section to this file (nothing written when the decision fails). */
  notesFile?: string;
}

export interface StatusDecideResult extends ReleaseDecision {
  diff: StatusDiff;
  policy: SecurityPolicy;
  /** The notes file written, when one was asked for. */
  notesWritten?: string;
}

export async function statusDecide(options: StatusDecideOptions): Promise<StatusDecideResult> {
  const root = resolve(options.cwd, options.project ?? ".");
  const [policy, { older, newer, diff }] = await Promise.all([
    readSecurityPolicy(root, options.env),
    statusDiff(options.older, options.newer, options),
  ]);
  const decision = decideRelease(diff, policy, {
    publishedVersion: older.project.version ?? newer.project.version,
  });
  const result: StatusDecideResult = { ...decision, diff, policy };
  if (options.notesFile !== undefined) {
    await writeFileAtomic(resolve(options.cwd, options.notesFile), decision.releaseNotes);
    result.notesWritten = options.notesFile;
  }
  return result;
}

/**
 * The bullets of a security-notes file for `release --security-notes` (read bounded: a regular
 * file of MAX_NOTES_BYTES at most, no symlink followed); `shown` names it in errors.
 */
export async function readSecurityNotes(path: string, shown: string): Promise<string[]> {
  const text = await readSmallRegularFile(path, MAX_NOTES_BYTES);
  if (text === undefined) {
    const size = await fileSize(path);
    throw new SlipwayError(
      "usage",
      `--security-notes ${shown}: ${size === undefined ? "no such file" : size > MAX_NOTES_BYTES ? `larger than ${MAX_NOTES_BYTES} bytes` : "not a regular file (a symbolic link is not followed)"}`,
      { hint: "write it with `slipway status decide OLD NEW --notes FILE`" },
    );
  }
  return parseSecurityNotes(text, shown);
}
