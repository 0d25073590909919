/**
 * The checksum files and build manifests given to `check`: each read within its limit, every
 * file it lists hashed once (streaming; distributions the check already read are not read
 * again), and compared by core/checks/sums.ts.
 */

import { basename, dirname, join } from "node:path";
import { pathKind, readTextLimited } from "../adapters/checksum-files.ts";
import { hashFile, listArtifacts } from "../adapters/dist-output.ts";
import { pushAll } from "../core/arrays.ts";
import {
  type ChecksumKind,
  type ChecksumList,
  checkEntry,
  checkUnlisted,
  type Observed,
  parseManifest,
  parseSha256Sums,
  SUM_CHECKS,
  SUMS_MAX_BYTES,
} from "../core/checks/sums.ts";
import { catalogue, type Finding, finding } from "../core/findings.ts";

const C = catalogue(SUM_CHECKS);

export interface SumsOptions {
  files: readonly { path: string; kind: ChecksumKind }[];
  /** sha256 and size of files already read, by absolute path. */
  known: ReadonlyMap<string, { sha256: string; size: number }>;
  display: (path: string) => string;
}

async function observe(path: string, known: SumsOptions["known"]): Promise<Observed> {
  const seen = known.get(path);
  if (seen !== undefined) return seen;
  const kind = await pathKind(path);
  if (kind === "missing") return { missing: true };
  if (kind === "other") return { notAFile: true };
  return await hashFile(path);
}

/**
 * Where the listed names live: beside the checksum file, or, for one kept in a hidden directory
 * next to the distributions (`dist/.slipway/SHA256SUMS`), that directory's parent.
 */
async function baseOf(file: string, list: ChecksumList): Promise<string> {
  const here = dirname(file);
  if (!basename(here).startsWith(".") || list.entries.length === 0) return here;
  const first = list.entries[0]!.name;
  return (await pathKind(join(here, first))) === "missing" ? dirname(here) : here;
}

export async function verifyChecksumFiles(options: SumsOptions): Promise<Finding[]> {
  const findings: Finding[] = [];
  const hashed = new Map<string, Promise<Observed>>();
  for (const { path, kind } of options.files) {
    const display = options.display(path);
    const read = await readTextLimited(path, SUMS_MAX_BYTES);
    if (!("text" in read)) {
      const why =
        "tooLarge" in read
          ? `is ${read.tooLarge} bytes; a checksum file is at most ${SUMS_MAX_BYTES}`
          : "is not UTF-8 text";
      findings.push(finding(C.SUM04!, `${display}: ${why}`, { file: display }));
      continue;
    }
    const list =
      kind === "manifest" ? parseManifest(read.text, display) : parseSha256Sums(read.text, display);
    pushAll(findings, list.findings);
    const base = await baseOf(path, list);
    const shownDir = `${options.display(base)}/`;
    for (const entry of list.entries) {
      const target = join(base, entry.name);
      let observed = hashed.get(target);
      if (observed === undefined) {
        observed = observe(target, options.known);
        hashed.set(target, observed);
      }
      pushAll(findings, checkEntry(display, shownDir, entry, await observed));
    }
    pushAll(findings, checkUnlisted(display, list, await listArtifacts(base)));
  }
  return findings;
}
