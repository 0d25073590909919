/**
 * GitHub's code-scanning alerts (CodeQL and any SARIF uploaded to a repository), read through
 * the REST API for the security badge: the open alerts counted by security severity. Any
 * failure (no answer, a refusal, a body that is not the documented list) is returned as a
 * reason, so the badge says "unknown", never "passing". The token goes only into the
 * Authorization header; no message holds it.
 * https://docs.github.com/en/rest/code-scanning/code-scanning#list-code-scanning-alerts-for-a-repository
 */
import type { Secret } from "../../secret.ts";
import { transportFor } from "./agents.ts";
import { mask } from "./response.ts";

export interface CodeScanningRequest {
  /** `GITHUB_API_URL` (https://api.github.com, or a GitHub Enterprise server's). */
  apiUrl: string;
  /** `owner/name`. */
  repository: string;
  token: Secret;
  userAgent: string;
  /** The whole read's deadline; default 15 s. */
  timeoutMs?: number;
}

export interface CodeScanningCounts {
  critical: number;
  high: number;
  medium: number;
  low: number;
  /** Alerts without a security severity (code-quality rules: note, warning, error). */
  other: number;
}

export type CodeScanningRead = { ok: true; counts: CodeScanningCounts } | { ok: false; reason: string };

const PER_PAGE = 100;
/** At most this many pages (10,000 open alerts): past that the count is not worth the requests. */
const MAX_PAGES = 100;
const MAX_BODY = 16 * 1024 * 1024;

function getJson(
  url: URL,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const { request, agent } = transportFor(url);
    const req = request(url, { method: "GET", headers, agent, signal }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY) req.destroy(new Error(`the answer is larger than ${MAX_BODY} bytes`));
        else chunks.push(chunk);
      });
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
      );
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

/** The repository's open code-scanning alerts counted by security severity. */
export async function readCodeScanningAlerts(request: CodeScanningRequest): Promise<CodeScanningRead> {
  if (!/^[\w.-]+\/[\w.-]+$/.test(request.repository)) {
    return { ok: false, reason: `${JSON.stringify(request.repository)} is not owner/name` };
  }
  const token = request.token.reveal();
  const headers = {
    Accept: "application/vnd.github+json",
    Authorization: `Bearer ${token}`,
    "User-Agent": request.userAgent,
    "X-GitHub-Api-Version": "2022-11-28",
  };
  const signal = AbortSignal.timeout(request.timeoutMs ?? 15_000);
  const counts: CodeScanningCounts = { critical: 0, high: 0, medium: 0, low: 0, other: 0 };
  for (let page = 1; page <= MAX_PAGES; page++) {
    let url: URL;
    try {
      url = new URL(
        `repos/${request.repository}/code-scanning/alerts?state=open&per_page=${PER_PAGE}&page=${page}`,
        request.apiUrl.endsWith("/") ? request.apiUrl : `${request.apiUrl}/`,
      );
    } catch {
      return { ok: false, reason: `${JSON.stringify(request.apiUrl)} is not a URL` };
    }
    let answer: { status: number; body: string };
    try {
      answer = await getJson(url, headers, signal);
    } catch (error) {
      return {
        ok: false,
        reason: `GitHub's code-scanning API did not answer: ${mask((error as Error).message, [token])}`,
      };
    }
    if (answer.status !== 200) {
      return { ok: false, reason: `GitHub's code-scanning API answered ${answer.status}` };
    }
    let alerts: unknown;
    try {
      alerts = JSON.parse(answer.body);
    } catch {
      return { ok: false, reason: "GitHub's code-scanning API answered with something that is not JSON" };
    }
    if (!Array.isArray(alerts))
      return { ok: false, reason: "GitHub's code-scanning API did not answer a list of alerts" };
    for (const alert of alerts) {
      const level = (alert as { rule?: { security_severity_level?: unknown } } | null)?.rule
        ?.security_severity_level;
      if (level === "critical" || level === "high" || level === "medium" || level === "low") counts[level]++;
      else counts.other++;
    }
    if (alerts.length < PER_PAGE) return { ok: true, counts };
  }
  return { ok: false, reason: `more than ${MAX_PAGES * PER_PAGE} open alerts` };
}
