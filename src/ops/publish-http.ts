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

/** What a caller may set; the rest gets the defaults below. */
export interface HttpSettingsInput {
  userAgent?: string;
  retry?: Partial<RetryPolicy>;
  timeoutMs?: number;
  stallTimeoutMs?: number;
  lookupTimeoutMs?: number;
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
