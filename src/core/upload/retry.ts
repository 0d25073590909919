/**
 * When to send a file again and how long to wait first: exponential backoff with full jitter
 * (AWS Architecture Blog, "Exponential Backoff And Jitter"), never shorter than a Retry-After
 * the index asked for, over a bounded number of attempts. Pure: randomness and the clock are
 * arguments.
 */

export interface RetryPolicy {
  /** Upload attempts per file, the first included. */
  attempts: number;
  /** Backoff ceiling of the first retry, in ms; doubles per retry. */
  baseMs: number;
  /** Largest backoff ceiling, in ms. */
  capMs: number;
  /** Longest Retry-After honoured, in ms; a longer one is shortened to this. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 5,
  baseMs: 1_000,
  capMs: 30_000,
  maxRetryAfterMs: 120_000,
};

/** What one upload attempt came back with, as far as retrying is concerned. */
export type AttemptResult =
  | { kind: "response"; status: number; retryAfter?: string }
  | { kind: "transport"; error: string };

/**
 * Whether an attempt may be repeated: transport errors (reset, refused, timeout with no
 * progress), 408, 429, PyPI's CDN 499 and any 5xx. Everything else is the index's answer.
 */
export function isRetryable(result: AttemptResult): boolean {
  if (result.kind === "transport") return true;
  const s = result.status;
  return s === 408 || s === 429 || s === 499 || (s >= 500 && s <= 599);
}

/**
 * Parses Retry-After: delay-seconds or an HTTP-date (RFC 9110 §10.2.3), as milliseconds from
 * `nowMs`. Undefined when absent or unparsable; a date in the past gives 0.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // IMF-fixdate, plus the obsolete RFC 850 and asctime forms that Date.parse also reads.
  const asctime = /^[A-Za-z]{3} [A-Za-z]{3} /.test(text);
  if (!/^[A-Za-z]{3,9}, /.test(text) && !asctime) return undefined;
  // asctime carries no zone but means GMT; Date.parse would read it as local time.
  const at = Date.parse(asctime ? `${text} GMT` : text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/**
 * The wait before retry number `retry` (1 for the first re-send): a uniform draw in
 * [0, min(cap, base·2^(retry-1))), raised to the Retry-After delay when the index gave one.
 */
export function retryDelay(
  policy: RetryPolicy,
  retry: number,
  random: () => number,
  retryAfterMs?: number,
): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, retry - 1));
  const jitter = Math.floor(random() * ceiling);
  if (retryAfterMs === undefined) return jitter;
  return Math.max(jitter, Math.min(retryAfterMs, policy.maxRetryAfterMs));
}

/** True when another attempt is allowed after `attempts` attempts ended with `result`. */
export function shouldRetry(policy: RetryPolicy, attempts: number, result: AttemptResult): boolean {
  return attempts < policy.attempts && isRetryable(result);
}
