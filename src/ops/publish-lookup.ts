/**
 * Simple-page lookups for `publish` (and the release preflight, which must read the target the
 * same way): credentials sent to the upload URL's own origin only, retried like uploads on
 * transport errors, 5xx and 429, each request under a total deadline. A lookup is never cached
 * across decisions: each one asks the index again.
 */
import { type Lookup, LookupError, lookupProject } from "../adapters/http/simple-client.ts";
import { normalizeName } from "../core/names/name.ts";
import type { Credentials } from "../core/upload/credentials.ts";
import { isRetryable, parseRetryAfter, retryDelay } from "../core/upload/retry.ts";
import { exchangeListener, type HttpSettings } from "./publish-http.ts";

export { LookupError } from "../adapters/http/simple-client.ts";

export interface LookupOptions {
  simpleUrl: string;
  uploadUrl: string;
  credentials: Credentials;
  http: HttpSettings;
}

export class Lookups {
  readonly #options: LookupOptions;
  readonly #early = new Map<string, Promise<Lookup>>();

  constructor(options: LookupOptions) {
    this.#options = options;
  }

  /**
   * Starts the first lookup of each project now, while the checks run: reading the index is
   * safe before the checks pass, and its answer is compared again after every failed upload.
   */
  prefetch(projects: readonly string[], limit: (fn: () => Promise<Lookup>) => Promise<Lookup>): void {
    for (const project of projects) {
      const key = normalizeName(project);
      if (this.#early.has(key)) continue;
      const pending = limit(() => this.fresh(project));
      pending.catch(() => {}); // seen by whoever takes it, or dropped with the batch
      this.#early.set(key, pending);
    }
  }

  /** The prefetched lookup of `project` when there is one (taken once), else a fresh one. */
  first(project: string): Promise<Lookup> {
    const key = normalizeName(project);
    const early = this.#early.get(key);
    if (early === undefined) return this.fresh(project);
    this.#early.delete(key);
    return early;
  }

  /** The project's page as the index shows it now. Rejects with LookupError after the retries. */
  async fresh(project: string): Promise<Lookup> {
    const { credentials, http } = this.#options;
    for (let attempt = 1; ; attempt++) {
      try {
        return await lookupProject({
          simpleUrl: this.#options.simpleUrl,
          project,
          userAgent: http.userAgent,
          timeoutMs: http.lookupIdleMs,
          deadlineMs: http.timeoutMs,
          onExchange: exchangeListener(http),
          // Credentials go to the upload URL's own origin only, never to a third-party check URL.
          ...(credentials.password === undefined
            ? {}
            : {
                auth: {
                  username: credentials.username,
                  password: credentials.password,
                  origin: new URL(this.#options.uploadUrl).origin,
                },
              }),
          ...(http.signal === undefined ? {} : { signal: http.signal }),
        });
      } catch (error) {
        if (!(error instanceof LookupError) || http.signal?.aborted) throw error;
        // Past the total deadline the index is answering, only too slowly: asking again would
        // multiply the wait, not shorten it.
        const retryable =
          !error.deadline &&
          (error.status === undefined || isRetryable({ kind: "response", status: error.status }));
        if (!retryable || attempt >= http.policy.attempts) throw error;
        const after = parseRetryAfter(error.retryAfter, http.now());
        const delayMs = retryDelay(http.policy, attempt, http.random, after);
        http.emit({
          type: "retry",
          purpose: "lookup",
          url: error.url,
          attempt: attempt + 1,
          delayMs,
          cause:
            error.status === undefined
              ? { kind: "transport", error: error.message }
              : {
                  kind: "answer",
                  status: error.status,
                  ...(error.reason === undefined ? {} : { reason: error.reason }),
                },
        });
        await http.sleep(delayMs);
      }
    }
  }
}
