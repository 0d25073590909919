/**
 * `--verify-reproducible`: the artifacts of two builds of the same tree must be byte-identical;
 * where they are not, say member by member what differs.
 */
import { basename } from "node:path";
import { listArchive } from "../adapters/archives/list-members.ts";
import { hashFile } from "../adapters/dist-output.ts";
import { pushAll } from "../core/arrays.ts";
import { diffArtifacts, renderArtifactDiff } from "../core/dist/artifact-diff.ts";

export interface ArtifactComparison {
  filename: string;
  identical: boolean;
  sha256: [string, string];
  /** What differs, one line each (empty when identical). */
  differences: string[];
}

export interface ReproducibilityReport {
  identical: boolean;
  artifacts: ArtifactComparison[];
}

/** Lines of difference shown per artifact. */
const LIMIT = 20;

/** Compares the artifacts of two passes, paired by kind order (sdist with sdist, wheel with wheel). */
export async function compareBuilds(
  first: readonly string[],
  second: readonly string[],
): Promise<ReproducibilityReport> {
  const artifacts: ArtifactComparison[] = [];
  for (const [i, a] of first.entries()) {
    const b = second[i];
    const ha = (await hashFile(a)).sha256;
    if (b === undefined) {
      artifacts.push({
        filename: basename(a),
        identical: false,
        sha256: [ha, ""],
        differences: ["the second build made no such artifact"],
      });
      continue;
    }
    const hb = (await hashFile(b)).sha256;
    const differences: string[] = [];
    if (basename(a) !== basename(b)) differences.push(`file name ${basename(a)} vs ${basename(b)}`);
    if (ha !== hb) {
      const diff = diffArtifacts(await listArchive(a), await listArchive(b));
      const lines = renderArtifactDiff(diff, { limit: LIMIT });
      pushAll(
        differences,
        lines.length > 0
          ? lines
          : ["the bytes differ but every member and header compared equal (compression or layout)"],
      );
    }
    artifacts.push({
      filename: basename(a),
      identical: differences.length === 0,
      sha256: [ha, hb],
      differences,
    });
  }
  return { identical: artifacts.every((a) => a.identical), artifacts };
}
