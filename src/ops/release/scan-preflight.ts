/**
 * The scans `slipway release` runs before it changes anything (`[tool.slipway.release] scan`):
 * the secret scan of the work tree, with the gate of `slipway scan` (an error-severity finding
 * blocks the release). The artifacts' secrets are the check step's SEC rules, from the same
 * rule table. Each finding is a preflight problem, reported together with the others.
 */
import { pushAll } from "../../core/arrays.ts";
import type { StepProblem } from "../../pipeline/steps.ts";
import { scan } from "../scan.ts";
import type { ReleaseInput } from "./context.ts";

/** At most this many findings of one scan become problems; the rest are counted in one line. */
const SHOWN = 10;

export async function scanPreflight(input: ReleaseInput): Promise<StepProblem[]> {
  const problems: StepProblem[] = [];
  if (input.config.scan.includes("secrets")) pushAll(problems, await secretsPreflight(input));
  return problems;
}

async function secretsPreflight(input: ReleaseInput): Promise<StepProblem[]> {
  const report = await scan({ root: input.root, env: input.env });
  const errors = report.findings.filter((f) => f.severity === "error");
  const problems: StepProblem[] = errors.slice(0, SHOWN).map((f) => ({
    id: `scan-secrets:${f.id}`,
    severity: "error",
    message: `${f.location.file}${f.location.line === undefined ? "" : `:${f.location.line}`}: ${f.message}`,
    hint: f.hint,
    location: f.location,
  }));
  if (errors.length > SHOWN) {
    problems.push({
      id: "scan-secrets",
      severity: "error",
      message: `and ${errors.length - SHOWN} more secrets in the work tree`,
      hint: "run 'slipway scan' to see them all",
    });
  }
  return problems;
}
