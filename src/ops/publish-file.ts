/**
 * Sending one file: retries with backoff on transport errors, 5xx and 429, and after any failed
 * or unclear answer a fresh look at the index's simple page, where only the sha256 decides.
 */
import { uploadDeadlineMs } from "../adapters/http/exchange.ts";
import type { TransportError, UploadResponse } from "../adapters/http/upload.ts";
import { postUpload } from "../adapters/http/upload.ts";
import type { Credentials } from "../core/upload/credentials.ts";
import type { UploadForm } from "../core/upload/form.ts";
import { hintForAnswer, hintForTransport, mightMeanExists } from "../core/upload/hints.ts";
import type { IndexAnswer, RemoteState, UploadOutcome } from "../core/upload/outcome.ts";
import { compareRemote } from "../core/upload/outcome.ts";
import type { PlannedFile } from "../core/upload/plan.ts";
import type { AttemptResult } from "../core/upload/retry.ts";
import { isRetryable, parseRetryAfter, retryDelay, shouldRetry } from "../core/upload/retry.ts";
import { deadlineHint, exchangeListener, type HttpSettings } from "./publish-http.ts";
import type { Lookups } from "./publish-lookup.ts";
import { LookupError } from "./publish-lookup.ts";
import type { CredentialProof } from "./publish-probe.ts";
import { causeOf, describe, outcome, settled } from "./publish-verdicts.ts";

export interface FileJob extends PlannedFile {
  /** As shown to the user. */
  display: string;
  size: number;
  sha256: string;
  form: UploadForm;
}

export interface ReleaseContext {
  uploadUrl: string;
  credentials: Credentials;
  http: HttpSettings;
  dryRun: boolean;
  lookups: Lookups;
  /** Bounds the files in flight across every release. */
  slots: { run<T>(fn: () => Promise<T>): Promise<T> };
  /** The credential probe (started early), awaited before a file is sent. */
  proof?: () => Promise<CredentialProof>;
  /**
   * Files an attempt may have put on the index: an answer other than a clear refusal (2xx, 5xx,
   * 409 "exists"…) or a connection lost after the whole body went out.
   */
  mayHaveLanded: Set<string>;
}

/** The index took the file (2xx); whether it lists it is checked next, for the whole phase at once. */
export interface Accepted {
  accepted: true;
  job: FileJob;
  attempts: number;
}

/** Sends one file until the index accepts it, lists it with our sha256, refuses for good, or the attempts run out. */
export async function sendFile(job: FileJob, ctx: ReleaseContext): Promise<UploadOutcome | Accepted> {
  const { http } = ctx;
  const { policy } = http;
  let attempts = 0;
  let last: IndexAnswer | undefined;
  let lastHint: string | undefined;
  for (;;) {
    attempts++;
    http.emit({
      type: "file-start",
      file: job.display,
      filename: job.filename,
      size: job.size,
      attempt: attempts,
    });
    let result: AttemptResult;
    let answer: UploadResponse | undefined;
    let deadline = false;
    try {
      answer = await postUpload({
        url: ctx.uploadUrl,
        fields: job.form.fields,
        file: { path: job.path, filename: job.filename, size: job.size },
        ...(ctx.credentials.password === undefined
          ? {}
          : { auth: { username: ctx.credentials.username, password: ctx.credentials.password } }),
        userAgent: http.userAgent,
        stallMs: http.stallMs,
        deadlineMs: uploadDeadlineMs(http.timeoutMs, job.size),
        onProgress: progressReporter(job, ctx),
        onExchange: exchangeListener(http),
        ...(http.signal === undefined ? {} : { signal: http.signal }),
      });
      result = { kind: "response", status: answer.status };
      if (answer.retryAfter !== undefined) result.retryAfter = answer.retryAfter;
      if (!isClearRefusal(answer)) ctx.mayHaveLanded.add(job.filename);
    } catch (error) {
      if ((error as Error).name !== "TransportError") throw error;
      const transport = error as TransportError;
      result = { kind: "transport", error: transport.message };
      deadline = transport.deadline;
      // An index stores nothing of a body it did not receive whole.
      if (transport.bodySent) ctx.mayHaveLanded.add(job.filename);
    }

    if (answer !== undefined && answer.status >= 200 && answer.status < 300)
      return { accepted: true, job, attempts };

    last =
      answer === undefined
        ? { message: describe(result, answer) }
        : { status: answer.status, message: answer.message };
    lastHint =
      answer === undefined
        ? deadline
          ? deadlineHint(http)
          : hintForTransport(describe(result, answer), ctx.uploadUrl)
        : hintForAnswer({
            status: answer.status,
            text: `${answer.reason} ${answer.message}`,
            uploadUrl: ctx.uploadUrl,
            ...(answer.location === undefined ? {} : { location: answer.location }),
          });
    // Past the total deadline the index answers, only too slowly: another attempt would too.
    const retry = !deadline && shouldRetry(policy, attempts, result);
    if (retry) {
      const after = result.kind === "response" ? parseRetryAfter(result.retryAfter, http.now()) : undefined;
      const delayMs = retryDelay(policy, attempts, http.random, after);
      http.emit({
        type: "file-retry",
        file: job.display,
        filename: job.filename,
        attempt: attempts + 1,
        delayMs,
        cause: causeOf(result, answer),
      });
      await http.sleep(delayMs);
    }
    // Whatever the answer said, the index's listing decides: the file may have landed anyway.
    let state: RemoteState | undefined;
    let pageUrl = "";
    let recheck = "";
    try {
      const lookup = await ctx.lookups.fresh(job.project);
      pageUrl = lookup.url;
      state = compareRemote(lookup.listing, job.filename, job.sha256);
      if (answer !== undefined && !lookup.listing.found && mightMeanExists(answer.status, answer.message)) {
        http.emit({
          type: "warning",
          kind: "exists-but-absent",
          filename: job.filename,
          status: answer.status,
          pageUrl: lookup.url,
        });
      }
    } catch (error) {
      if (!(error instanceof LookupError)) throw error;
      state = undefined;
      recheck = `; the re-check failed too: ${error.message}`;
    }
    if (state !== undefined) {
      const done = settled(job, state, attempts, ctx.uploadUrl);
      if (done !== undefined) return done;
    }
    if (!retry) {
      const message = `not on the index after ${attempts} attempt${attempts === 1 ? "" : "s"}: ${describe(result, answer)}${recheck}`;
      return outcome(job, "failed", message, {
        attempts,
        url: pageUrl || ctx.uploadUrl,
        index: last,
        ...(lastHint === undefined ? {} : { hint: lastHint }),
      });
    }
  }
}

/**
 * After 2xx answers: the index must list each accepted file with our sha256. One lookup covers
 * every file of the phase; a CDN may lag, so files still missing are asked for up to three times.
 */
export async function verifyAccepted(accepted: Accepted[], ctx: ReleaseContext): Promise<UploadOutcome[]> {
  const done = new Map<FileJob, UploadOutcome>();
  let pending = accepted;
  let pageUrl = "";
  let unreadable: string | undefined;
  for (let look = 1; look <= 3 && pending.length > 0; look++) {
    if (look > 1) await ctx.http.sleep(retryDelay(ctx.http.policy, look - 1, ctx.http.random));
    try {
      const lookup = await ctx.lookups.fresh((pending[0] as Accepted).job.project);
      pageUrl = lookup.url;
      unreadable = undefined;
      for (const { job, attempts } of pending) {
        const state = compareRemote(lookup.listing, job.filename, job.sha256);
        const result =
          state.kind === "identical"
            ? outcome(job, "uploaded", "uploaded; the index lists it with the same sha256", {
                attempts,
                url: state.remote.url,
              })
            : settled(job, state, attempts, ctx.uploadUrl);
        if (result !== undefined) done.set(job, result);
      }
      pending = pending.filter((a) => !done.has(a.job));
    } catch (error) {
      if (!(error instanceof LookupError)) throw error;
      unreadable = error.message;
    }
  }
  for (const { job, attempts } of pending) {
    done.set(
      job,
      unreadable !== undefined
        ? outcome(
            job,
            "failed",
            `the index accepted ${job.filename}, but slipway could not confirm it: ${unreadable}`,
            {
              attempts,
              url: pageUrl || ctx.uploadUrl,
              hint: "Re-run: a file already on the index is recognised by its sha256 and not sent again.",
            },
          )
        : outcome(
            job,
            "failed",
            `the index accepted ${job.filename}, but its simple page ${pageUrl} does not list it`,
            {
              attempts,
              url: pageUrl,
              hint: "Check that --check-url (or simple-url) is the simple API of the index you upload to.",
            },
          ),
    );
  }
  return accepted.map((a) => done.get(a.job) as UploadOutcome);
}

/**
 * An answer that says the index kept nothing of this attempt: a redirect (never followed), or a
 * 4xx other than the retryable ones and the ones some index uses for "already there" (409,
 * 400/403 "exists"...).
 */
function isClearRefusal(answer: UploadResponse): boolean {
  const { status } = answer;
  if (status >= 300 && status < 400) return true;
  return (
    status >= 400 &&
    status < 500 &&
    !isRetryable({ kind: "response", status }) &&
    !mightMeanExists(status, `${answer.reason} ${answer.message}`)
  );
}

function progressReporter(job: FileJob, ctx: ReleaseContext): (sent: number, total: number) => void {
  let reported = 0;
  return (sent, total) => {
    if (sent - reported < 256 * 1024 && sent !== total) return;
    reported = sent;
    ctx.http.emit({ type: "file-progress", file: job.display, filename: job.filename, sent, total });
  };
}
