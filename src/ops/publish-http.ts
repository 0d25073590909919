/**
 * How `publish` talks to an index, shared with the release preflight so that both read the
 * target exactly alike: the retry policy, the limits of every request (a total deadline, and
 * idle limits), the clock and randomness (injected by tests), and where each exchange is told.
 */
import { type Exchange, formatSeconds } from "../adapters/http/exchange.ts";
import { DEFAULT_RETRY, type RetryPolicy } from "../core/upload/retry.ts";
import type { PublishEvent } from "./publish-events.ts";

export interface HttpSettings {
  userAgent: string;
  policy: RetryPolicy;
  /** Total deadline of one request; an upload adds its size at the minimum rate (uploadDeadlineMs). */
  timeoutMs: number;
  /** An upload is aborted after this long without a byte moving. */
  stallMs: number;
  /** A simple-page read is aborted after this long without a byte moving. */
  lookupIdleMs: number;
  random: () => number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  signal?: AbortSignal;
  emit: (event: PublishEvent) => void;
}

/** What a caller (publish's options, the release preflight) may set; the rest gets the defaults below. */
export interface HttpSettingsInput {
  /** Default "slipway". */
  userAgent?: string;
  /** Attempts, backoff base and cap, longest Retry-After honoured (DEFAULT_RETRY otherwise). */
  retry?: Partial<RetryPolicy>;
  /**
   * Total deadline of one request, however slowly the index keeps sending (default 120 s); an
   * upload gets this plus its size at 64 KiB/s. A request past it is not retried.
   */
  timeoutMs?: number;
  /** Abort an upload after this long without a byte moving (default 60 s). */
  stallTimeoutMs?: number;
  /** Abort a simple-page request after this long without a byte moving (default 30 s). */
  lookupTimeoutMs?: number;
  /** Injected for tests: randomness for jitter, the clock for Retry-After dates, the wait. */
  random?: () => number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  signal?: AbortSignal;
  onEvent?: (event: PublishEvent) => void;
}

/** Default total deadline of one request (`--timeout`), before an upload's allowance for its size. */
export const DEFAULT_TIMEOUT_MS = 120_000;

const defaultSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((done) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      done();
    });
  });

export function httpSettings(input: HttpSettingsInput): HttpSettings {
  return {
    userAgent: input.userAgent ?? "slipway",
    policy: { ...DEFAULT_RETRY, ...input.retry },
    timeoutMs: input.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    stallMs: input.stallTimeoutMs ?? 60_000,
    lookupIdleMs: input.lookupTimeoutMs ?? 30_000,
    random: input.random ?? Math.random,
    now: input.now ?? Date.now,
    sleep: input.sleep ?? ((ms: number) => defaultSleep(ms, input.signal)),
    ...(input.signal === undefined ? {} : { signal: input.signal }),
    emit: input.onEvent ?? (() => {}),
  };
}

/** The adapters' exchange listener, as publish events. */
export function exchangeListener(http: HttpSettings): (exchange: Exchange) => void {
  return (exchange) => http.emit({ type: "http", ...exchange });
}

/** The next step after a request ran past its total deadline. */
export function deadlineHint(http: HttpSettings): string {
  return `The index answers, but too slowly: if it is only slow, raise --timeout (now ${formatSeconds(http.timeoutMs)} s); otherwise check the index or a proxy in between.`;
}
