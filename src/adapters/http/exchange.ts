/**
 * What every request to an index shares: a total deadline (idle timers alone let a server that
 * drips one byte every few seconds hold a request forever), the URL as it may be shown (no
 * userinfo, no credential-like query values), and the record of the exchange that `--verbose`
 * prints. No credential is ever part of an Exchange.
 */

/** One request and how it ended, for logs: never a header, never a credential. */
export interface Exchange {
  /** Why the request was made: a simple-page read, a file upload, the credential probe. */
  purpose: "lookup" | "upload" | "probe";
  method: "GET" | "POST";
  /** As shown: see `displayUrl`. */
  url: string;
  /** The answer's status; absent when none came. */
  status?: number;
  reason?: string;
  /** Wall time from the request to the answer's end (or the failure). */
  ms: number;
  /** Body bytes sent and received. */
  sent: number;
  received: number;
  /** Why no complete answer came. */
  error?: string;
}

export type ExchangeListener = (exchange: Exchange) => void;

/**
 * Below this rate an upload is not expected to finish: its deadline is the base deadline plus
 * the file's size at this rate (64 KiB/s, a 512 kbit/s link), so a large wheel on a slow but
 * working link is never cut off, while a server that drips its answer still is.
 */
export const MIN_UPLOAD_RATE = 64 * 1024;

/** The total deadline of an upload of `size` bytes: `baseMs` plus the size at MIN_UPLOAD_RATE. */
export function uploadDeadlineMs(baseMs: number, size: number): number {
  return baseMs + Math.ceil((size / MIN_UPLOAD_RATE) * 1000);
}

/** "0.3" or "60": seconds for messages, with a decimal only when short. */
export function formatSeconds(ms: number): string {
  return ms < 10_000 ? (ms / 1000).toFixed(1) : String(Math.round(ms / 1000));
}

// Query keys whose values are credentials on some index or proxy (`?token=…`, `?password=…`).
const SECRET_KEY = /pass|token|secret|auth|key|sig|credential|session/i;

/** `url` without userinfo and with credential-like query values replaced by `***`. */
export function displayUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url.replace(/\/\/[^/@\s]*@/, "//");
  }
  parsed.username = "";
  parsed.password = "";
  for (const key of [...new Set(parsed.searchParams.keys())]) {
    if (SECRET_KEY.test(key)) parsed.searchParams.set(key, "***");
  }
  return parsed.href.replaceAll("=%2A%2A%2A", "=***");
}

/**
 * A request's total deadline: `fire` runs once, `ms` after start, unless `stop` came first. The
 * timer does not keep the process alive.
 */
export class Deadline {
  readonly ms: number;
  readonly #started = performance.now();
  readonly #timer: NodeJS.Timeout;

  constructor(ms: number, fire: () => void) {
    this.ms = ms;
    this.#timer = setTimeout(fire, ms);
    this.#timer.unref();
  }

  /** Milliseconds since the request started. */
  elapsed(): number {
    return Math.round(performance.now() - this.#started);
  }

  stop(): void {
    clearTimeout(this.#timer);
  }
}
