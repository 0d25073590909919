/**
 * The `publish` step, the commit point: the artifacts go to the target index. Idempotent by
 * hash, so a resume publishes again and only what the index lacks is sent.
 */
import { list, optional, sha256, string, record as struct } from "../../core/stored-shape.ts";
import { NoPublicEffectError, recordOf } from "../../pipeline/steps.ts";
import { trustedPublishingApplies } from "../publish-trusted.ts";
import { targetPreflight } from "../release-preflight.ts";
import { artifactsOf, buildStep } from "./build.ts";
import type { ReleaseStep } from "./context.ts";
import { uploadArtifacts } from "./upload.ts";

const publishRecord = struct({
  files: list(struct({ filename: string, sha256, status: string, url: optional(string) })),
});

export type PublishRecord = ReturnType<typeof publishRecord>;

export interface PublishPlan {
  to: string;
  uploadUrl: string;
  uploads: { filename: string; sha256: string; size: number }[];
}

export const publishStep: ReleaseStep<PublishRecord, PublishPlan> = {
  id: "publish",
  title: "Publish to the target index",
  public: true,
  dryRun: "plan",
  record: publishRecord,
  async preflight(ctx) {
    const { input } = ctx;
    return await targetPreflight({
      plan: input.plan,
      credentials: input.targetCredentials,
      userAgent: input.userAgent,
      resume: input.resume,
      trustedPublishing: trustedPublishingApplies(
        { ...input.trusted, env: input.env },
        input.targetCredentials,
      ),
      trusted: {
        ...input.trusted,
        env: input.env,
        ...(input.trusted.attestations === undefined ? {} : { attestations: input.trusted.attestations }),
      },
    });
  },
  async plan(ctx) {
    const { plan } = ctx.input;
    const built = recordOf(ctx, buildStep) === undefined ? [] : artifactsOf(ctx);
    return {
      to: plan.target.name ?? plan.target.uploadUrl,
      uploadUrl: plan.target.uploadUrl,
      uploads: built.map((a) => ({ filename: a.filename, sha256: a.sha256, size: a.size })),
    };
  },
  async run(ctx) {
    const { input } = ctx;
    const { target } = input.plan;
    const credentials = input.targetCredentials;
    const uploaded = await uploadArtifacts(ctx, {
      step: "publish",
      uploadUrl: target.uploadUrl,
      simpleUrl: target.simpleUrl,
      username: credentials.username,
      password: credentials.password,
      name: target.name ?? target.uploadUrl,
      trusted: input.trusted,
    });
    if (uploaded.failure !== undefined) {
      // The commit point is the first file the target accepts: refused outright, nothing is
      // public, and the commit and tag are undone. A resumed run may have published before.
      throw uploaded.publicEffect || input.resume
        ? uploaded.failure
        : new NoPublicEffectError(uploaded.failure);
    }
    return {
      files: uploaded.outcomes.map((o) => ({
        filename: o.filename,
        sha256: o.sha256,
        status: o.status,
        url: o.url,
      })),
    };
  },
  // Publishing is idempotent by hash: running it again uploads only what the index lacks.
  async verify() {
    return "redo";
  },
};
