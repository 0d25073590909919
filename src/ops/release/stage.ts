/** The `stage` step: the artifacts go to the staging index first, where the verify step installs them from. */
import { httpUrl, integer, record as struct } from "../../core/stored-shape.ts";
import type { ReleaseStep } from "./context.ts";
import { uploadArtifacts } from "./upload.ts";

const stageRecord = struct({ simpleUrl: httpUrl, files: integer(0, Number.MAX_SAFE_INTEGER) });

export type StageRecord = ReturnType<typeof stageRecord>;

export const stageStep: ReleaseStep<StageRecord> = {
  id: "stage",
  title: "Publish to the staging index",
  public: false,
  dryRun: "run",
  record: stageRecord,
  async run(ctx) {
    const stage = await ctx.input.stage();
    const uploaded = await uploadArtifacts(ctx, { ...stage, step: "stage", name: "the staging index" });
    if (uploaded.failure !== undefined) throw uploaded.failure;
    return { simpleUrl: stage.simpleUrl, files: uploaded.outcomes.length };
  },
  // The stage is cheap and idempotent by hash: publishing again is how a resume re-checks it.
  async verify() {
    return "redo";
  },
};
