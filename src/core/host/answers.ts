/**
 * Reading what a host's API answers, the same for GitHub, Gitea and GitLab: pagination `Link`
 * headers (RFC 8288, as https://docs.github.com/en/rest/using-the-rest-api/using-pagination-in-the-rest-api
 * and https://docs.gitlab.com/api/rest/#pagination-link-header send them), how long a rate limit
 * asks to wait, and a refusal in words with the next step. Pure: headers and the clock come in.
 */
import { SlipwayError } from "../../errors.ts";
import { HOST_NAMES, type HostKind } from "./remote.ts";

export type Headers = Readonly<Record<string, string | undefined>>;

/** The `rel="…"` targets of a Link header; linear in its length, never throws. */
export function parseLinkHeader(value: string | undefined): Map<string, string> {
  const links = new Map<string, string>();
  if (value === undefined || value.length > 16 * 1024) return links;
  for (const part of value.split(",")) {
    const match = /^\s*<([^<>]*)>\s*((?:;[^;]*)*)$/.exec(part);
    if (match === null) continue;
    for (const param of match[2]!.split(";")) {
      const rel = /^\s*rel\s*=\s*"?([^"]*)"?\s*$/i.exec(param);
      if (rel === null) continue;
      for (const name of rel[1]!.trim().split(/\s+/)) if (!links.has(name)) links.set(name, match[1]!);
    }
  }
  return links;
}

/**
 * How long a rate-limited answer asks to wait, in ms; undefined when the answer is not a rate
 * limit. GitHub: 429, or 403 with `x-ratelimit-remaining: 0` (primary, until `x-ratelimit-reset`
 * epoch seconds) or with `retry-after` (secondary); without either header a secondary limit is
 * "wait at least a minute" (docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api).
 * GitLab: 429 with `retry-after` / `ratelimit-reset`. Gitea: 429 with `retry-after`.
 */
export function rateLimitWaitMs(
  status: number,
  headers: Headers,
  body: string,
  nowMs: number,
): number | undefined {
  if (status !== 429 && status !== 403) return undefined;
  const retryAfter = headers["retry-after"]?.trim();
  if (retryAfter !== undefined && retryAfter !== "") {
    if (/^\d{1,9}$/.test(retryAfter)) return Number(retryAfter) * 1000;
    const at = Date.parse(retryAfter);
    if (!Number.isNaN(at)) return Math.max(0, at - nowMs);
  }
  const remaining = headers["x-ratelimit-remaining"] ?? headers["ratelimit-remaining"];
  const reset = headers["x-ratelimit-reset"] ?? headers["ratelimit-reset"];
  if (remaining?.trim() === "0" && reset !== undefined && /^\s*\d{1,12}\s*$/.test(reset)) {
    return Math.max(0, Number(reset) * 1000 - nowMs);
  }
  if (status === 429) return 60_000;
  // A 403 that says "secondary rate limit" in words, without headers.
  if (/secondary rate limit|rate limit exceeded/i.test(body.slice(0, 4096))) return 60_000;
  return undefined;
}

/** The API's own words from an error body: `message`, `error`, GitLab's `message` object, GitHub's `errors`. */
export function answerMessage(body: string): string {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return body.replace(/\s+/g, " ").trim().slice(0, 300);
  }
  if (typeof json !== "object" || json === null) return "";
  const o = json as Record<string, unknown>;
  const parts: string[] = [];
  const message = o["message"] ?? o["error"];
  if (typeof message === "string") parts.push(message);
  else if (typeof message === "object" && message !== null) parts.push(JSON.stringify(message));
  if (Array.isArray(o["errors"])) {
    for (const e of o["errors"].slice(0, 5)) {
      if (typeof e === "string") parts.push(e);
      else if (typeof e === "object" && e !== null) {
        const r = e as Record<string, unknown>;
        parts.push(
          [r["resource"], r["field"], r["code"], r["message"]].filter((x) => typeof x === "string").join(" "),
        );
      }
    }
  }
  return parts.join("; ").slice(0, 300);
}

/** True when a 422 names `already_exists` (GitHub: a release for the tag, an asset of the name). */
export function isAlreadyExists(status: number, body: string): boolean {
  return status === 422 && /"code"\s*:\s*"already_exists"/.test(body.slice(0, 64 * 1024));
}

export interface Refusal {
  kind: HostKind;
  /** What was asked, for the message: "create the release v1.2.3". */
  what: string;
  /** As shown: no credentials. */
  url: string;
  status: number;
  body: string;
  tokenEnv: string;
}

/** A refusal as a SlipwayError: what, where, the host's words, and what to do next by status. */
export function refusalError(r: Refusal): SlipwayError {
  const name = HOST_NAMES[r.kind];
  const words = answerMessage(r.body);
  const said = words === "" ? "" : `: ${words}`;
  const message = `${name} refused to ${r.what} (${r.status} from ${r.url})${said}`;
  const hint =
    r.status === 401
      ? `${r.tokenEnv} was not accepted: set a valid, unexpired token`
      : r.status === 403
        ? `the token in ${r.tokenEnv} lacks the permission (${permissionFor(r.kind)})`
        : r.status === 404
          ? `check the repository name and the API URL; a token that cannot see a private repository also gets 404`
          : r.status === 409 || r.status === 422
            ? "the host holds something that contradicts this request; look at it, fix it by hand, then run again"
            : r.status >= 500
              ? `${name} had trouble; try again later (it was already retried)`
              : "see the host's message above";
  return new SlipwayError(r.status === 409 || r.status === 422 ? "conflict" : "network", message, { hint });
}

function permissionFor(kind: HostKind): string {
  if (kind === "github")
    return "contents: write for releases, statuses: write for statuses, administration for branch protection";
  if (kind === "gitea") return "write:repository";
  return "the api scope, Developer role or higher (Maintainer for protected branches)";
}
