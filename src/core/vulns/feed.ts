/**
 * The one failure of `slipway scan deps` and `slipway scan update-db` that is neither a finding
 * nor a usage mistake: an advisory database was needed and there is none to use (never
 * downloaded, or the feed could not be reached, or it served something that is not OSV data).
 * The CLI exits 3 on it, so a CI job can tell "no verdict" from "clean" and from "vulnerable".
 */
import { SlipwayError } from "../../errors.ts";

/** OSV's published archive of every PyPI advisory (https://google.github.io/osv.dev/data/). */
export const DEFAULT_FEED_URL = "https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip";

/** Exit status when an advisory database was needed and none could be had. */
export const FEED_EXIT = 3;

export class AdvisoryFeedError extends SlipwayError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super("network", message, options);
    this.name = "AdvisoryFeedError";
  }
}

/** The `--json` error line of a missing database, as commandFailure writes others, with exit 3. */
export function feedErrorJson(error: AdvisoryFeedError): Record<string, unknown> {
  return { type: "error", code: error.code, message: error.message, hint: error.hint, exit: FEED_EXIT };
}
