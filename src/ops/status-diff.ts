/**
 * `slipway status diff`: two SecurityStatus documents read (a file, standard input's text, or
 * the last published index.json over HTTP) and compared (core/status/diff). Reads only.
 */
import { resolve } from "node:path";
import { fileSize, pathKind, readSmallRegularFile } from "../adapters/fs.ts";
import { getDocument } from "../adapters/http/get-document.ts";
import { assembleStatusDiff, type StatusDiff } from "../core/status/diff.ts";
import type { SecurityStatus } from "../core/status/document.ts";
import { parseSecurityStatus } from "../core/status/stored.ts";

/**
 * The largest document `status diff` and `decide` read (a file, standard input or the published
 * index.json): a real one is a few KB, one with thousands of findings a few MB.
 */
export const MAX_DIFF_DOCUMENT_BYTES = 16 * 1024 * 1024;

import { SlipwayError } from "../errors.ts";

/** Where a document comes from: a file, text already read (standard input), or a URL. */
export type StatusSource = { file: string } | { text: string; name: string } | { url: string };

export interface ReadStatusOptions {
  cwd: string;
  userAgent: string;
  /** The total deadline of a URL's fetch (default 30 s). */
  deadlineMs?: number;
}

/** Reads and parses one document; errors name the file or URL (and the JSON path). */
export async function readStatusDocument(
  source: StatusSource,
  options: ReadStatusOptions,
): Promise<SecurityStatus> {
  if ("text" in source) return parseSecurityStatus(source.text, source.name);
  if ("url" in source) {
    const text = await getDocument({
      url: source.url,
      userAgent: options.userAgent,
      deadlineMs: options.deadlineMs ?? 30_000,
      idleMs: Math.min(options.deadlineMs ?? 30_000, 15_000),
      maxBytes: MAX_DIFF_DOCUMENT_BYTES,
    });
    return parseSecurityStatus(text, source.url);
  }
  const path = resolve(options.cwd, source.file);
  const text = await readSmallRegularFile(path, MAX_DIFF_DOCUMENT_BYTES);
  if (text === undefined) {
    const kind = await pathKind(path);
    const size = kind === "file" ? await fileSize(path) : undefined;
    const what =
      kind === undefined
        ? "no such file"
        : kind !== "file"
          ? "not a regular file"
          : (size ?? 0) > MAX_DIFF_DOCUMENT_BYTES
            ? `larger than ${MAX_DIFF_DOCUMENT_BYTES} bytes`
            : "not read: a symbolic link (not followed), or it changed while it was read";
    throw new SlipwayError("usage", `${source.file}: ${what}`, {
      hint: "give the SecurityStatus JSON that `slipway status` wrote (a path, or - for standard input)",
    });
  }
  return parseSecurityStatus(text, source.file);
}

export interface StatusDiffResult {
  older: SecurityStatus;
  newer: SecurityStatus;
  diff: StatusDiff;
}

/** Reads both documents (concurrently) and compares them. */
export async function statusDiff(
  older: StatusSource,
  newer: StatusSource,
  options: ReadStatusOptions,
): Promise<StatusDiffResult> {
  const [a, b] = await Promise.all([readStatusDocument(older, options), readStatusDocument(newer, options)]);
  if (a.project.name !== b.project.name) {
    throw new SlipwayError(
      "usage",
      `the documents are of two projects: ${a.project.name} and ${b.project.name}`,
      {
        hint: "compare two documents of the same project",
      },
    );
  }
  return { older: a, newer: b, diff: assembleStatusDiff(a, b) };
}
