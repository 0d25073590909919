/**
 * Sigstore over HTTP: Fulcio's signing-certificate call and Rekor's entry creation, each with a
 * total deadline and a size cap (the shared `oidcRequest`), retried on transport errors, 408,
 * 429 and 5xx with jittered backoff; and the integrity API's provenance fetch. Answers are
 * returned raw; core/attest/sigstore-answers.ts reads them.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { isRetryable, retryDelay } from "../../core/upload/retry.ts";
import { SlipwayError } from "../../errors.ts";
import { displayUrl } from "./exchange.ts";
import { type OidcHttp, oidcRequest } from "./oidc.ts";

export interface Answer {
  status: number;
  text: string;
}

export interface SigstoreHttp extends OidcHttp {
  /** Attempts per call, the first included (default 4). */
  attempts?: number;
  /** Backoff ceiling of the first retry in ms (default 500). */
  backoffMs?: number;
}

async function postWithRetry(url: string, body: unknown, http: SigstoreHttp): Promise<Answer> {
  const attempts = Math.max(1, http.attempts ?? 4);
  const policy = { attempts, baseMs: http.backoffMs ?? 500, capMs: 8_000, maxRetryAfterMs: 8_000 };
  const text = JSON.stringify(body);
  for (let attempt = 1; ; attempt++) {
    let answer: Answer | undefined;
    let failure: unknown;
    try {
      answer = await oidcRequest(url, { method: "POST", body: text }, http);
    } catch (error) {
      failure = error;
    }
    const result =
      answer === undefined
        ? ({ kind: "transport", error: "no answer" } as const)
        : ({ kind: "response", status: answer.status } as const);
    if (attempt >= attempts || !isRetryable(result) || http.signal?.aborted) {
      if (answer !== undefined) return answer;
      throw failure;
    }
    await sleep(
      retryDelay(policy, attempt, Math.random),
      undefined,
      http.signal ? { signal: http.signal } : {},
    );
  }
}

/** `POST <fulcio>/api/v2/signingCert`. */
export function postSigningCert(fulcioUrl: string, body: unknown, http: SigstoreHttp): Promise<Answer> {
  return postWithRetry(new URL("api/v2/signingCert", withSlash(fulcioUrl)).href, body, http);
}

/** `POST <rekor>/api/v1/log/entries`. */
export function postLogEntry(rekorUrl: string, body: unknown, http: SigstoreHttp): Promise<Answer> {
  return postWithRetry(new URL("api/v1/log/entries", withSlash(rekorUrl)).href, body, http);
}

/** GET a provenance URL (the integrity API), 404 meaning "none". */
export async function getProvenance(url: string, http: OidcHttp): Promise<Answer> {
  return oidcRequest(
    url,
    { method: "GET", headers: { Accept: "application/vnd.pypi.integrity.v1+json" } },
    http,
  );
}

const withSlash = (url: string) => (url.endsWith("/") ? url : `${url}/`);

/** A Sigstore service's refusal, worded with its status and the first line of its answer. */
export function sigstoreRefusal(
  service: "Fulcio" | "Rekor",
  url: string,
  answer: Answer,
  hint: string,
): SlipwayError {
  const said = answer.text.replace(/\s+/g, " ").trim().slice(0, 200);
  return new SlipwayError(
    "network",
    `${service} (${displayUrl(url)}) answered ${answer.status}${said === "" ? "" : `: ${said}`}`,
    { hint },
  );
}
