/**
 * Every check slipway runs, in one table: the catalogue docs/checks.md is generated from, and
 * the functions run per distribution, across distributions and on the project.
 */

import { pushAll } from "../arrays.ts";
import type { CheckInfo, Finding } from "../findings.ts";
import { ART_CHECKS } from "./archive.ts";
import type { DistContext, ProjectContext } from "./context.ts";
import { checkCrossArtifact, XA_CHECKS } from "./cross.ts";
import { DESC_CHECKS } from "./description.ts";
import { checkDocsSet, DOC_CHECKS } from "./docs-set.ts";
import { checkEntryPoints, EP_CHECKS } from "./entry-points.ts";
import { checkFilename, FN_CHECKS } from "./filename.ts";
import { checkLicense, LIC_CHECKS } from "./license.ts";
import { checkLinks, LINK_CHECKS } from "./links.ts";
import { checkMetadata, MD_CHECKS } from "./metadata.ts";
import { checkProjectAgainstDists, PROJECT_DIST_CHECKS } from "./project-dists.ts";
import { checkProject as checkPyproject, PP_CHECKS } from "./pyproject.ts";
import { checkRecord, REC_CHECKS } from "./record.ts";
import { checkSdist, SD_CHECKS } from "./sdist.ts";
import { checkSecurity, SEC_CHECKS } from "./security.ts";
import { SUM_CHECKS } from "./sums.ts";
import { checkTyping, TYP_CHECKS } from "./typing.ts";
import { checkWheel, WHL_CHECKS } from "./wheel.ts";

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
  ...DOC_CHECKS,
  ...LINK_CHECKS,
  ...SEC_CHECKS,
  ...TYP_CHECKS,
  ...SUM_CHECKS,
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
  for (const run of PER_DIST) pushAll(findings, run(ctx));
  return findings;
}

/** Checks that compare distributions with each other and with the project. */
export function checkRelease(dists: readonly DistContext[], project: ProjectContext | undefined): Finding[] {
  const readable = dists.filter((d) => d.artifact.readable);
  const findings = checkCrossArtifact([...readable]);
  if (project !== undefined) pushAll(findings, checkProjectAgainstDists(project, [...readable]));
  return findings;
}

/**
 * Every check of a project without its distributions: pyproject.toml, then (when it parses) the
 * documentation set and the links of README and docs/.
 */
export function checkProject(ctx: ProjectContext): Finding[] {
  const findings = checkPyproject(ctx);
  if (ctx.pyproject === undefined) return findings;
  pushAll(findings, checkDocsSet(ctx));
  pushAll(findings, checkLinks(ctx));
  return findings;
}

/** Whether a check ID is kept by --select/--ignore (each an ID or a prefix like `MD`). */
export function isSelected(
  id: string,
  select: readonly string[] | undefined,
  ignore: readonly string[] | undefined,
): boolean {
  const matches = (pattern: string) =>
    id === pattern || (/^[A-Z]+$/.test(pattern) && id.replace(/\d+$/, "") === pattern);
  if (select !== undefined && select.length > 0 && !select.some(matches)) return false;
  return !(ignore ?? []).some(matches);
}
