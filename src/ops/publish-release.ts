/**
 * Publishing one release: look its files up on the index, then send the missing ones (wheels
 * in parallel, the sdist after them) and decide every outcome by the index's simple page and a
 * sha256 compare, never by a status code or an error text.
 */
import type { RemoteState, UploadOutcome } from "../core/upload/outcome.ts";
import { compareRemote, isPublished } from "../core/upload/outcome.ts";
import type { PlannedRelease } from "../core/upload/plan.ts";
import {
  type Accepted,
  type FileJob,
  type ReleaseContext,
  sendFile,
  verifyAccepted,
} from "./publish-file.ts";
import { deadlineHint } from "./publish-http.ts";
import { LookupError } from "./publish-lookup.ts";
import { credentialsRefused, held, outcome, settled } from "./publish-verdicts.ts";

/**
 * Publishes one release: one lookup decides every file first (a conflict anywhere sends nothing
 * of the release), then the missing wheels go out in parallel and the sdist after them. A file
 * that ends unpublished holds back the ones of the release not yet started.
 */
export async function publishRelease(
  release: PlannedRelease<FileJob>,
  ctx: ReleaseContext,
): Promise<UploadOutcome[]> {
  const files = [...release.wheels, ...release.sdists];
  const results = new Map<FileJob, UploadOutcome>();
  const finish = (job: FileJob, result: UploadOutcome) => {
    results.set(job, result);
    ctx.http.emit({ type: "file-done", outcome: result });
  };
  let states: RemoteState[];
  let pageUrl: string;
  try {
    const lookup = await ctx.slots.run(() => ctx.lookups.first(release.project));
    pageUrl = lookup.url;
    states = files.map((job) => compareRemote(lookup.listing, job.filename, job.sha256));
  } catch (error) {
    if (!(error instanceof LookupError)) throw error;
    for (const job of files) {
      finish(
        job,
        outcome(job, "failed", `could not look ${job.filename} up on the index: ${error.message}`, {
          attempts: 0,
          url: error.url,
          hint: error.deadline
            ? `${deadlineHint(ctx.http)} Nothing was sent.`
            : "Check --check-url (the index's simple API root) and that the index is up; nothing was sent.",
        }),
      );
    }
    return files.map((job) => results.get(job) as UploadOutcome);
  }

  let blocker: UploadOutcome | undefined;
  const pending: FileJob[] = [];
  files.forEach((job, at) => {
    const done = settled(job, states[at] as RemoteState, 0, ctx.uploadUrl);
    if (done === undefined) pending.push(job);
    else {
      finish(job, done);
      if (!isPublished(done.status)) blocker ??= done;
    }
  });
  // Files the index took (2xx); one lookup at the end of the release confirms them all.
  const accepted: Accepted[] = [];
  const phase = async (jobs: FileJob[]) => {
    await Promise.all(
      jobs.map((job) =>
        ctx.slots.run(async () => {
          if (blocker !== undefined) return finish(job, held(job, blocker));
          // The probe ran while the checks did; a refused credential sends nothing at all.
          const proof = await ctx.proof?.();
          if (proof?.verdict === "refused") return finish(job, credentialsRefused(job, proof));
          if (ctx.dryRun) {
            return finish(
              job,
              outcome(job, "would-upload", `would be uploaded to ${ctx.uploadUrl}`, {
                attempts: 0,
                url: pageUrl,
              }),
            );
          }
          const result = await sendFile(job, ctx);
          if ("accepted" in result) accepted.push(result);
          else {
            if (!isPublished(result.status)) blocker ??= result;
            finish(job, result);
          }
        }),
      ),
    );
  };
  // Wheels first, together; each sdist after them, only when the index took every wheel.
  await phase(pending.filter((job) => job.kind === "wheel"));
  for (const job of pending.filter((j) => j.kind === "sdist")) await phase([job]);
  if (accepted.length > 0) {
    const verified = await ctx.slots.run(() => verifyAccepted(accepted, ctx));
    for (const [at, result] of verified.entries()) finish((accepted[at] as Accepted).job, result);
  }
  return files.map((job) => results.get(job) as UploadOutcome);
}
