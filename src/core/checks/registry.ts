/**
 * Every check slipway runs, in one table: the catalogue docs/checks.md is generated from, and
 * the functions run per distribution, across distributions and on the project.
 */
import { ART_CHECKS } from "./archive.ts";
import type { DistContext, ProjectContext } from "./context.ts";
import { XA_CHECKS, checkCrossArtifact } from "./cross.ts";
import { DESC_CHECKS } from "./description.ts";
import { EP_CHECKS, checkEntryPoints } from "./entry-points.ts";
import { FN_CHECKS, checkFilename } from "./filename.ts";
import type { CheckInfo, Finding } from "../findings.ts";
import { LIC_CHECKS, checkLicense } from "./license.ts";
import { MD_CHECKS, checkMetadata } from "./metadata.ts";
import { PROJECT_DIST_CHECKS, checkProjectAgainstDists } from "./project-dists.ts";
import { PP_CHECKS, checkProject } from "./pyproject.ts";
import { REC_CHECKS, checkRecord } from "./record.ts";
import { SD_CHECKS, checkSdist } from "./sdist.ts";
import { SEC_CHECKS, checkSecurity } from "./security.ts";
import { TYP_CHECKS, checkTyping } from "./typing.ts";
import { WHL_CHECKS, checkWheel } from "./wheel.ts";

/** The catalogue, in the order of the checklist sections. */
export const ALL_CHECKS: readonly CheckInfo[] = [
  ...ART_CHECKS,
  ...FN_CHECKS,
  ...MD_CHECKS,
  ...DESC_CHECKS,
  ...LIC_CHECKS,
  ...WHL_CHECKS,
  ...REC_CHECKS,
  ...EP_CHECKS,
  ...SD_CHECKS,
  ...XA_CHECKS,
  ...PP_CHECKS,
  ...PROJECT_DIST_CHECKS,
  ...SEC_CHECKS,
  ...TYP_CHECKS,
];

const PER_DIST: readonly ((ctx: DistContext) => Finding[])[] = [
  checkFilename,
  checkMetadata,
  checkLicense,
  checkWheel,
  checkRecord,
  checkEntryPoints,
  checkSdist,
  checkTyping,
  checkSecurity,
];

/**
 * Every per-distribution check except README rendering (which needs a renderer verdict, see
 * ops/check.ts). Container findings the reader raised come first.
 */
export function checkDistribution(ctx: DistContext): Finding[] {
  const findings = [...ctx.artifact.findings];
  if (!ctx.artifact.readable) return findings;
  for (const run of PER_DIST) findings.push(...run(ctx));
  return findings;
}

/** Checks that compare distributions with each other and with the project. */
export function checkRelease(dists: readonly DistContext[], project: ProjectContext | undefined): Finding[] {
  const readable = dists.filter((d) => d.artifact.readable);
  const findings = checkCrossArtifact([...readable]);
  if (project !== undefined) findings.push(...checkProjectAgainstDists(project, [...readable]));
  return findings;
}

export { checkProject };

/** Whether a check ID is kept by --select/--ignore (each an ID or a prefix like `MD`). */
export function isSelected(
  id: string,
  select: readonly string[] | undefined,
  ignore: readonly string[] | undefined,
): boolean {
  const matches = (pattern: string) => id === pattern || (/^[A-Z]+$/.test(pattern) && id.replace(/\d+$/, "") === pattern);
  if (select !== undefined && select.length > 0 && !select.some(matches)) return false;
  return !(ignore ?? []).some(matches);
}
