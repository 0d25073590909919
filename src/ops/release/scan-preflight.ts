/**
 * The scans `slipway release` runs before it changes anything (`[tool.slipway.release] scan`):
 * the secret scan of the work tree, with the gate of `slipway scan` (an error-severity finding
 * blocks the release), and the dependency scan of the project's lockfiles with its gate
 * (`[tool.slipway.scan] fail-on`, default high). The artifacts' secrets are the check step's SEC
 * rules, from the same rule table. Each finding is a preflight problem, reported together with
 * the others; a project with lockfiles and no advisory database is blocked, never waved through.
 */
import { pushAll } from "../../core/arrays.ts";
import type { Finding } from "../../core/findings.ts";
import { AdvisoryFeedError } from "../../core/vulns/feed.ts";
import type { StepProblem } from "../../pipeline/steps.ts";
import { scan } from "../scan.ts";
import { projectLockfiles, scanDeps } from "../scan-deps.ts";
import type { ReleaseInput } from "./context.ts";

/** At most this many findings of one scan become problems; the rest are counted in one line. */
const SHOWN = 10;

export async function scanPreflight(input: ReleaseInput): Promise<StepProblem[]> {
  const problems: StepProblem[] = [];
  if (input.config.scan.includes("secrets")) pushAll(problems, await secretsPreflight(input));
  if (input.config.scan.includes("deps")) pushAll(problems, await depsPreflight(input));
  return problems;
}

async function secretsPreflight(input: ReleaseInput): Promise<StepProblem[]> {
  const report = await scan({ root: input.root, env: input.env });
  return asProblems("secrets", report.findings, "secrets in the work tree", "slipway scan secrets");
}

async function depsPreflight(input: ReleaseInput): Promise<StepProblem[]> {
  const lockfiles = await projectLockfiles(input.root);
  if (lockfiles.length === 0) return [];
  try {
    const report = await scanDeps({ root: input.root, lockfiles, env: input.env });
    return asProblems("deps", report.section.findings, "vulnerable pins", "slipway scan deps");
  } catch (error) {
    if (!(error instanceof AdvisoryFeedError)) throw error;
    return [
      {
        id: "scan-deps",
        severity: "error",
        message: `the dependency scan of ${lockfiles.join(", ")} could not run: ${error.message}`,
        hint: `${error.hint ?? "run `slipway scan update-db`"}; or set [tool.slipway.scan] db to a directory of OSV records, or leave "deps" out of [tool.slipway.release] scan`,
      },
    ];
  }
}

function asProblems(
  scanner: string,
  findings: readonly Finding[],
  what: string,
  command: string,
): StepProblem[] {
  const errors = findings.filter((f) => f.severity === "error");
  const problems: StepProblem[] = errors.slice(0, SHOWN).map((f) => ({
    id: `scan-${scanner}:${f.id}`,
    severity: "error",
    message: `${f.location.file}${f.location.line === undefined ? "" : `:${f.location.line}`}: ${f.message}`,
    hint: f.hint,
    location: f.location,
  }));
  if (errors.length > SHOWN) {
    problems.push({
      id: `scan-${scanner}`,
      severity: "error",
      message: `and ${errors.length - SHOWN} more ${what}`,
      hint: `run '${command}' to see them all`,
    });
  }
  return problems;
}
