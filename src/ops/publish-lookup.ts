/**
 * Simple-page lookups for `publish`, retried like uploads on transport errors, 5xx and 429. A
 * lookup is never cached across decisions: each one asks the index again.
 */
import { type Lookup, LookupError, lookupProject } from "../adapters/http/simple-client.ts";
import { normalizeName } from "../core/names/name.ts";
import type { Credentials } from "../core/upload/credentials.ts";
import type { RetryPolicy } from "../core/upload/retry.ts";
import { isRetryable, parseRetryAfter, retryDelay } from "../core/upload/retry.ts";

export { LookupError } from "../adapters/http/simple-client.ts";

export interface LookupOptions {
  simpleUrl: string;
  uploadUrl: string;
  credentials: Credentials;
  userAgent: string;
  timeoutMs: number;
  policy: RetryPolicy;
  random: () => number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  signal?: AbortSignal;
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
    const o = this.#options;
    for (let attempt = 1; ; attempt++) {
      try {
        return await lookupProject({
          simpleUrl: o.simpleUrl,
          project,
          userAgent: o.userAgent,
          timeoutMs: o.timeoutMs,
          // Credentials go to the upload URL's own origin only, never to a third-party check URL.
          ...(o.credentials.password === undefined
            ? {}
            : {
                auth: {
                  username: o.credentials.username,
                  password: o.credentials.password,
                  origin: new URL(o.uploadUrl).origin,
                },
              }),
          ...(o.signal === undefined ? {} : { signal: o.signal }),
        });
      } catch (error) {
        if (!(error instanceof LookupError) || o.signal?.aborted) throw error;
        const retryable =
          error.status === undefined || isRetryable({ kind: "response", status: error.status });
        if (!retryable || attempt >= o.policy.attempts) throw error;
        const after = parseRetryAfter(error.retryAfter, o.now());
        await o.sleep(retryDelay(o.policy, attempt, o.random, after));
      }
    }
  }
}
