/**
 * The one upload of the release's artifacts, shared by the stage and the publish step: the same
 * artifacts (re-hashed first), the same publish op, the same failure, only the index differs.
 */
import type { UploadOutcome } from "../../core/upload/outcome.ts";
import { SlipwayError } from "../../errors.ts";
import type { Secret } from "../../secret.ts";
import { publish } from "../publish.ts";
import type { TrustedPublishingOptions } from "../publish-trusted.ts";
import { confirmArtifacts } from "./build.ts";
import { type Ctx, withoutTwine } from "./context.ts";

/** Where an upload goes and who it logs in as. */
export interface UploadIndex {
  /** The step whose events the outcomes are. */
  step: "stage" | "publish";
  uploadUrl: string;
  simpleUrl: string;
  username: string;
  password: Secret | undefined;
  /** Trusted publishing (the target only; default never). */
  trusted?: TrustedPublishingOptions;
  /** How a failure names the index: "the staging index", "pypi". */
  name: string;
}

export interface Uploaded {
  outcomes: UploadOutcome[];
  /** The index accepted at least one file (it is public there). */
  publicEffect: boolean;
  /** Undefined when every file is on the index with its sha256. */
  failure: SlipwayError | undefined;
}

/** Uploads the build's artifacts to `index`; every file's outcome goes out as an event. */
export async function uploadArtifacts(ctx: Ctx, index: UploadIndex): Promise<Uploaded> {
  const { input } = ctx;
  const dists = await confirmArtifacts(ctx);
  const report = await publish({
    cwd: input.root,
    // TWINE_* name the target; for the stage they would be wrong, for the target they are read
    // already (into the credentials).
    env: withoutTwine(input.env),
    dists,
    to: index.uploadUrl,
    checkUrl: index.simpleUrl,
    username: index.username,
    ...(index.password === undefined ? {} : { password: index.password }),
    ...(index.trusted ?? { trustedPublishing: "never" }),
    // The check step checked these very bytes.
    check: false,
    userAgent: input.userAgent,
    onEvent: (e) => {
      if (e.type === "file-done") {
        input.emit({
          type: "file-published",
          step: index.step,
          filename: e.outcome.filename,
          status: e.outcome.status,
        });
      }
    },
  });
  return {
    outcomes: report.outcomes,
    publicEffect: report.publicEffect,
    failure: report.ok ? undefined : publishFailure(report.outcomes, index.name),
  };
}

function publishFailure(
  outcomes: readonly { filename: string; status: string; message: string; hint?: string }[],
  where: string,
): SlipwayError {
  const bad = outcomes.filter((o) => o.status !== "uploaded" && o.status !== "exists-identical");
  const first = bad[0];
  return new SlipwayError(
    bad.some((o) => o.status === "conflict") ? "conflict" : "network",
    `publishing to ${where} failed for ${bad.map((o) => `${o.filename} (${o.status})`).join(", ")}${first ? `: ${first.message}` : ""}`,
    { hint: first?.hint ?? "fix the cause and run 'slipway release --resume'" },
  );
}
