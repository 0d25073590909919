/**
 * `slipway scan update-db`: downloads OSV's PyPI advisory archive into slipway's cache and swaps
 * it in atomically (adapters/advisory-feed.ts). Any way of not getting a usable archive is an
 * AdvisoryFeedError (exit 3) that leaves the database in use untouched.
 */
import {
  FEED_DEADLINE_MS,
  FEED_MAX_BYTES,
  FEED_STALL_MS,
  type FeedEvent,
  type UpdateFeedResult,
  updateFeed,
} from "../adapters/advisory-feed.ts";
import { DEFAULT_FEED_URL } from "../core/vulns/feed.ts";
import { SlipwayError } from "../errors.ts";

export type { FeedEvent } from "../adapters/advisory-feed.ts";

export interface UpdateDbOptions {
  /** The archive's URL; default OSV's PyPI archive. */
  url?: string;
  env: Readonly<Record<string, string | undefined>>;
  /** The download's total deadline. */
  deadlineMs?: number;
  /** A larger archive is refused. */
  maxBytes?: number;
  /** The version to name in the User-Agent. */
  version: string;
  onEvent?: (event: FeedEvent) => void;
}

export const UPDATE_DB_DEFAULTS = {
  deadlineMs: FEED_DEADLINE_MS,
  maxBytes: FEED_MAX_BYTES,
  stallMs: FEED_STALL_MS,
};

export async function updateAdvisoryDb(options: UpdateDbOptions): Promise<UpdateFeedResult> {
  const url = options.url ?? DEFAULT_FEED_URL;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new SlipwayError("usage", `--url ${url}: not a URL`, {
      hint: `the default is ${DEFAULT_FEED_URL}`,
    });
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    throw new SlipwayError("usage", `--url ${url}: only http and https URLs are downloaded`, {
      hint: `the default is ${DEFAULT_FEED_URL}`,
    });
  }
  return await updateFeed({
    url,
    env: options.env,
    deadlineMs: options.deadlineMs ?? FEED_DEADLINE_MS,
    stallMs: Math.min(FEED_STALL_MS, options.deadlineMs ?? FEED_STALL_MS),
    maxBytes: options.maxBytes ?? FEED_MAX_BYTES,
    now: new Date().toISOString(),
    userAgent: `slipway/${options.version}`,
    ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
  });
}
