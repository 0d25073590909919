/**
 * Proving the credentials before anything is sent or changed (probeUploadCredentials), with the
 * retries and deadlines of every other request: `publish` starts it while the checks run, and
 * the release preflight blocks on a refusal before the first commit.
 */
import { displayUrl } from "../adapters/http/exchange.ts";
import { type ProbeVerdict, probeUploadCredentials } from "../adapters/http/probe.ts";
import type { TransportError } from "../adapters/http/upload.ts";
import type { Credentials } from "../core/upload/credentials.ts";
import { hintForAnswer, hintForTransport } from "../core/upload/hints.ts";
import type { AttemptResult } from "../core/upload/retry.ts";
import { parseRetryAfter, retryDelay, shouldRetry } from "../core/upload/retry.ts";
import type { AttemptCause } from "./publish-events.ts";
import { deadlineHint, exchangeListener, type HttpSettings } from "./publish-http.ts";
import { causeOf, describe } from "./publish-verdicts.ts";

export interface CredentialProof {
  verdict: ProbeVerdict;
  /** The upload URL asked, as shown. */
  url: string;
  /** The index's answer, when one came. */
  status?: number;
  /** The index's answer or the transport error, as data (what events carry). */
  cause: AttemptCause;
  /** One line: the status and the index's words, or why no answer came. */
  message: string;
  /** The index's own words, when it answered. */
  words?: string;
  hint?: string;
}

/**
 * Sends the probe until the index answers for good (or the attempts run out). Resolves to the
 * proof; never rejects for network trouble (that is an `unproven` proof saying why).
 */
export async function proveCredentials(
  uploadUrl: string,
  credentials: Credentials,
  http: HttpSettings,
): Promise<CredentialProof> {
  const url = displayUrl(uploadUrl);
  for (let attempt = 1; ; attempt++) {
    let result: AttemptResult;
    try {
      const { verdict, answer } = await probeUploadCredentials({
        uploadUrl,
        ...(credentials.password === undefined
          ? {}
          : { auth: { username: credentials.username, password: credentials.password } }),
        userAgent: http.userAgent,
        stallMs: http.stallMs,
        deadlineMs: http.timeoutMs,
        onExchange: exchangeListener(http),
        ...(http.signal === undefined ? {} : { signal: http.signal }),
      });
      result = { kind: "response", status: answer.status };
      if (answer.retryAfter !== undefined) result.retryAfter = answer.retryAfter;
      const message = describe(result, answer);
      if (verdict !== "unproven" || !shouldRetry(http.policy, attempt, result)) {
        const hint = hintForAnswer({
          status: answer.status,
          text: `${answer.reason} ${answer.message}`,
          uploadUrl,
          ...(answer.location === undefined ? {} : { location: answer.location }),
        });
        return {
          verdict,
          url,
          status: answer.status,
          cause: causeOf(result, answer),
          message,
          words: answer.message,
          ...(hint === undefined ? {} : { hint }),
        };
      }
    } catch (error) {
      if ((error as Error).name !== "TransportError") throw error;
      result = { kind: "transport", error: (error as TransportError).message };
      const deadline = (error as TransportError).deadline;
      if (deadline || http.signal?.aborted || !shouldRetry(http.policy, attempt, result)) {
        return {
          verdict: "unproven",
          url,
          cause: { kind: "transport", error: result.error },
          message: result.error,
          hint: deadline ? deadlineHint(http) : hintForTransport(result.error, uploadUrl),
        };
      }
    }
    const after = result.kind === "response" ? parseRetryAfter(result.retryAfter, http.now()) : undefined;
    const delayMs = retryDelay(http.policy, attempt, http.random, after);
    http.emit({
      type: "retry",
      purpose: "probe",
      url,
      attempt: attempt + 1,
      delayMs,
      cause: result.kind === "transport" ? result : { kind: "answer", status: result.status },
    });
    await http.sleep(delayMs);
  }
}
