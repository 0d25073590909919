/** The `verify` step: install the artifacts from the stage into clean venvs and smoke-test them. */
import { boolean, integer, record as struct } from "../../core/stored-shape.ts";
import { describeVerifyResult } from "../../core/verify/step-results.ts";
import { SlipwayError } from "../../errors.ts";
import { verifyInstall } from "../verify-install.ts";
import { confirmArtifacts, fingerprint, sameArtifacts } from "./build.ts";
import { fingerprints, type ReleaseStep } from "./context.ts";

const count = integer(0, Number.MAX_SAFE_INTEGER);
const verifyRecord = struct({ ok: boolean, runs: count, steps: count, artifacts: fingerprints });

export type VerifyRecord = ReturnType<typeof verifyRecord>;

export const verifyStep: ReleaseStep<VerifyRecord> = {
  id: "verify",
  title: "Install from the stage and smoke-test",
  public: false,
  dryRun: "run",
  record: verifyRecord,
  async run(ctx) {
    const { input } = ctx;
    const paths = await confirmArtifacts(ctx);
    const wheels = paths.filter((p) => p.endsWith(".whl"));
    const stage = await input.stage();
    const v = input.config.verify;
    const report = await verifyInstall({
      cwd: input.root,
      env: input.env,
      dists: wheels.length > 0 ? wheels : paths,
      indexUrl: stage.simpleUrl,
      ...(input.pip.findLinks === undefined ? {} : { findLinks: input.pip.findLinks }),
      ...(input.python === undefined ? {} : { pythons: [input.python] }),
      ...(v.extras === undefined ? {} : { extras: v.extras }),
      ...(v.imports === undefined ? {} : { imports: v.imports }),
      ...(v.scripts === undefined ? {} : { scripts: v.scripts }),
      ...(v.maxImportMs === undefined ? {} : { maxImportMs: v.maxImportMs }),
      onEvent: (e) => {
        if (e.type === "step") input.emit({ type: "smoke-test", step: "verify", test: e.step });
      },
    });
    if (!report.ok) {
      const failed = report.runs.flatMap((r) => r.steps.filter((s) => !s.ok));
      const first = failed[0];
      throw new SlipwayError(
        "check",
        `installing from the stage failed: ${failed.map((s) => `${s.kind} ${s.subject}`).join(", ")}${first ? `\n${describeVerifyResult(first.result)}${first.command ? `\n$ ${first.command}` : ""}${first.output ? `\n${first.output}` : ""}` : ""}`,
        {
          // A failed byte proof knows its cause (where pip took the file); the package may be fine.
          hint: first?.hint
            ? `${first.hint} Nothing was published.`
            : "fix the package (or [tool.slipway.release] verify) and run the release again: nothing was published",
        },
      );
    }
    const steps = report.runs.reduce((n, r) => n + r.steps.length, 0);
    return { ok: true, runs: report.runs.length, steps, artifacts: fingerprint(ctx) };
  },
  verify: sameArtifacts,
};
