/**
 * The secret scan of built distributions (`slipway scan secrets dist/*.whl dist/*.tar.gz`):
 * `check`'s own archive reader and its secret checks — SEC08 (credential files), SEC09 (tokens
 * and keys in members), SEC10 (VCS and build junk), SEC11 (encrypted code), SEC12 (.pth files)
 * — so a distribution is judged the same way by `check` and `scan`.
 */
import { createHash } from "node:crypto";
import { relative } from "node:path";
import { readArtifact } from "../adapters/archives/read-artifact.ts";
import { assembleDistContext } from "../core/checks/dist-context.ts";
import { checkSecurity } from "../core/checks/security.ts";
import type { Finding } from "../core/findings.ts";

/** The check ids that are about secrets and what a distribution must not leak. */
export const DIST_SECRET_CHECKS: ReadonlySet<string> = new Set(["SEC08", "SEC09", "SEC10", "SEC11", "SEC12"]);

/** What a scan takes for a distribution file rather than a project directory. */
export const DIST_FILE = /\.(whl|tar\.gz|zip)$/;

export interface DistScanResult {
  findings: Finding[];
  fingerprints: string[];
  files: number;
  bytes: number;
}

/**
 * A finding's fingerprint: the check, the member, and a hash of what it says without the line
 * number — stable when a release moves the member's lines, different for another secret.
 */
function fingerprintOf(f: Finding): string {
  const place = f.location.member ?? f.location.file;
  const said = f.message.replace(/ line \d+/g, "");
  return `${f.id}:${place}:${createHash("sha256").update(said).digest("hex")}`;
}

/** Reads each distribution once and keeps its SEC08–SEC12 findings. */
export async function scanDists(options: {
  cwd: string;
  files: readonly string[];
  onFile?: (file: string, findings: number) => void;
}): Promise<DistScanResult> {
  const findings: Finding[] = [];
  const fingerprints: string[] = [];
  let bytes = 0;
  for (const path of options.files) {
    const display = relative(options.cwd, path) || path;
    const artifact = await readArtifact(path, { display });
    bytes += artifact.size;
    const ctx = assembleDistContext(artifact, display);
    const own = [...artifact.findings, ...checkSecurity(ctx)].filter((f) => DIST_SECRET_CHECKS.has(f.id));
    for (const f of own) {
      findings.push(f);
      fingerprints.push(fingerprintOf(f));
    }
    options.onFile?.(display, own.length);
  }
  return { findings, fingerprints, files: options.files.length, bytes };
}
