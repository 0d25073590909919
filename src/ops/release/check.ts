/** The `check` step: the project and the built artifacts through `slipway check`; errors stop the release. */
import { resolve } from "node:path";
import { assembleFindingLines, type FindingLine, renderFindingLine } from "../../core/release/findings.ts";
import { integer, list, literal, string, record as struct } from "../../core/stored-shape.ts";
import { SlipwayError } from "../../errors.ts";
import { check } from "../check.ts";
import { buildSource, confirmArtifacts, displayName, fingerprint, sameArtifacts } from "./build.ts";
import { fingerprints, type ReleaseStep } from "./context.ts";

const count = integer(0, Number.MAX_SAFE_INTEGER);

/** One finding line as the check step records it (core/release/findings.ts). */
const findingLine = struct({
  id: string,
  severity: literal("error", "warning", "info"),
  message: string,
  places: list(string),
  hint: string,
});

const checkRecord = struct({
  errors: count,
  warnings: count,
  findings: list(findingLine),
  artifacts: fingerprints,
});

export type CheckRecord = ReturnType<typeof checkRecord>;

/** At most this many findings in a failed check's error message; the rest are counted. */
const SHOWN_ERRORS = 10;

export const checkStep: ReleaseStep<CheckRecord> = {
  id: "check",
  title: "Check the project and artifacts",
  public: false,
  dryRun: "run",
  record: checkRecord,
  async run(ctx) {
    const { input } = ctx;
    const source = buildSource(ctx);
    const dists = await confirmArtifacts(ctx);
    // Findings name files as the user knows them: project files relative to the project (not to
    // a dry run's scratch worktree) and artifacts by filename, or by path inside the project.
    const report = await check({
      cwd: source,
      env: input.env,
      project: source,
      dists,
      // A relative --python is relative to the project, not to the directory the check runs in.
      ...(input.python === undefined
        ? {}
        : { python: /[\\/]/.test(input.python) ? resolve(input.root, input.python) : input.python }),
      displayNames: Object.fromEntries(dists.map((d) => [d, displayName(ctx, d)])),
    });
    const findings: FindingLine[] = assembleFindingLines(report.findings);
    if (!report.ok) {
      const errors = findings.filter((l) => l.severity === "error");
      const more = errors.length - SHOWN_ERRORS;
      throw new SlipwayError(
        "check",
        [
          `${report.errors} check error${report.errors === 1 ? "" : "s"}:`,
          ...errors.slice(0, SHOWN_ERRORS).map(renderFindingLine),
          ...(more > 0 ? [`and ${more} more`] : []),
        ].join("\n"),
        { hint: "fix them (each finding's hint: 'slipway check' in the project) and run the release again" },
      );
    }
    input.emit({
      type: "checked",
      step: "check",
      errors: report.errors,
      warnings: report.warnings,
      findings,
    });
    return { errors: report.errors, warnings: report.warnings, findings, artifacts: fingerprint(ctx) };
  },
  verify: sameArtifacts,
};
