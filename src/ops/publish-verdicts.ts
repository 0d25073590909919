/**
 * How a file's outcome is worded, from what the index lists (by sha256) or what it answered.
 * Shared by the upload loop and the release runner; pure apart from the types it builds.
 */
import { STATUS_CODES } from "../adapters/http/agents.ts";
import type { UploadResponse } from "../adapters/http/upload.ts";
import type { RemoteState, UploadOutcome, UploadStatus } from "../core/upload/outcome.ts";
import { conflictMessage } from "../core/upload/outcome.ts";
import type { AttemptResult } from "../core/upload/retry.ts";
import type { AttemptCause } from "./publish-events.ts";
import type { FileJob } from "./publish-file.ts";
import type { CredentialProof } from "./publish-probe.ts";

/** An outcome for `job`, with the file's own facts filled in. */
export function outcome(
  job: FileJob,
  status: UploadStatus,
  message: string,
  extra: Partial<UploadOutcome> & { attempts: number },
): UploadOutcome {
  return {
    file: job.display,
    filename: job.filename,
    project: job.project,
    version: job.version,
    status,
    size: job.size,
    sha256: job.sha256,
    url: extra.url ?? "",
    ...extra,
    message,
  };
}

/** The outcome a looked-up state settles by itself; undefined when the file must still be sent. */
export function settled(
  job: FileJob,
  state: RemoteState,
  attempts: number,
  uploadUrl: string,
): UploadOutcome | undefined {
  if (state.kind === "identical") {
    return attempts === 0
      ? outcome(job, "exists-identical", "already on the index with the same sha256", {
          attempts,
          url: state.remote.url,
        })
      : outcome(job, "uploaded", "on the index with the same sha256", { attempts, url: state.remote.url });
  }
  if (state.kind === "different") {
    return outcome(
      job,
      "conflict",
      conflictMessage(job.filename, job.sha256, state.remote.sha256, state.remote.url),
      {
        attempts,
        url: state.remote.url,
        remoteSha256: state.remote.sha256,
        hint: "Indexes never let a file name be reused: if these bytes are the ones to ship, release them under a new version (e.g. a .post1); otherwise publish the files that are there.",
      },
    );
  }
  if (state.kind === "no-hash") {
    return outcome(
      job,
      "failed",
      `the index lists ${job.filename} without a sha256, so slipway cannot tell whether it holds these bytes`,
      {
        attempts,
        url: state.remote.url || uploadUrl,
        hint: "Point --check-url at a simple API that lists sha256 hashes (PEP 503 #sha256= fragments or PEP 691 hashes).",
      },
    );
  }
  return undefined;
}

/** "the index answered 403 Forbidden: <its words>", or the transport error. */
export function describe(result: AttemptResult, answer: UploadResponse | undefined): string {
  if (result.kind === "transport") return result.error;
  if (answer === undefined) return "";
  const reason = answer.reason || STATUS_CODES[answer.status] || "";
  const head = `the index answered ${answer.status}${reason ? ` ${reason}` : ""}`;
  return answer.message === reason || answer.message === "" ? head : `${head}: ${answer.message}`;
}

/** Why an attempt did not settle, as data: the index's answer, or the transport error. */
export function causeOf(result: AttemptResult, answer: UploadResponse | undefined): AttemptCause {
  if (result.kind === "transport") return { kind: "transport", error: result.error };
  const reason = answer?.reason || STATUS_CODES[result.status] || "";
  return {
    kind: "answer",
    status: result.status,
    ...(reason === "" ? {} : { reason }),
    ...(answer === undefined || answer.message === "" || answer.message === reason
      ? {}
      : { words: answer.message }),
  };
}

/** A file held back because another file of its release is not on the index. */
export const held = (job: FileJob, blocker: UploadOutcome): UploadOutcome =>
  outcome(
    job,
    "not-sent",
    `not sent: ${blocker.filename} of the same release is ${blocker.status === "conflict" ? "in conflict" : "not on the index"}`,
    {
      attempts: 0,
      url: "",
      hint: "Resolve that file first, then re-run: files already on the index are recognised by hash.",
    },
  );

/** A file not sent because the index refused the credentials before any upload. */
export const credentialsRefused = (job: FileJob, proof: CredentialProof): UploadOutcome =>
  outcome(job, "failed", `not sent: ${proof.url} refused the credentials: ${proof.message}`, {
    attempts: 0,
    url: proof.url,
    index: {
      ...(proof.status === undefined ? {} : { status: proof.status }),
      message: proof.words ?? proof.message,
    },
    hint:
      proof.hint ??
      "Check the token (and that the username is __token__ for an API token); nothing was sent.",
  });
