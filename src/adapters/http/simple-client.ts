/**
 * Reads one project's page from an index's simple API: PEP 691 JSON when the index offers it,
 * PEP 503 HTML otherwise, redirects followed, 404 meaning "no files". Always asks past caches:
 * this is the evidence for "already there".
 */
import type { IncomingHttpHeaders } from "node:http";
import type { RemoteFile, RemoteListing } from "../../core/upload/simple-page.ts";
import { parseSimpleHtml, parseSimpleJson } from "../../core/upload/simple-page.ts";
import { projectPageUrl } from "../../core/upload/targets.ts";
import type { Secret } from "../../secret.ts";
import { transportFor } from "./agents.ts";
import { mask } from "./response.ts";
import { formatSeconds } from "./upload.ts";

// PEP 691's recommended client header: JSON first, HTML as the fallback.
const ACCEPT =
  "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01";

export interface LookupRequest {
  simpleUrl: string;
  project: string;
  userAgent: string;
  /** Sent only when the page is on the same origin as `authOrigin` (never to a third party). */
  auth?: { username: string; password: Secret; origin: string };
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface Lookup {
  /** The project page URL asked for. */
  url: string;
  listing: RemoteListing;
}

/** The page could not be read: a status other than 200/404, or no answer. */
export class LookupError extends Error {
  readonly url: string;
  readonly status: number | undefined;
  readonly retryAfter: string | undefined;

  constructor(message: string, url: string, status?: number, retryAfter?: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "LookupError";
    this.url = url;
    this.status = status;
    this.retryAfter = retryAfter;
  }
}

interface Page {
  status: number;
  statusText: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** Where the redirects ended. */
  url: string;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;
const BODY_LIMIT = 64 * 1024 * 1024;

/**
 * One GET with node:http (fetch would load undici, a noticeable share of a short publish),
 * following redirects; Authorization is dropped when a redirect leaves the origin. The timeout
 * is idle time on the socket, not wall time.
 */
function get(
  url: string,
  headers: Record<string, string>,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<Page> {
  return new Promise((resolve, reject) => {
    const hop = (target: URL, left: number, sendHeaders: Record<string, string>) => {
      const transport = transportFor(target);
      const req = transport.request(target, {
        method: "GET",
        headers: sendHeaders,
        agent: transport.agent,
        ...(signal ? { signal } : {}),
      });
      req.setTimeout(timeoutMs, () =>
        req.destroy(new Error(`no answer within ${formatSeconds(timeoutMs)} s`)),
      );
      req.on("error", reject);
      req.on("response", (res) => {
        const status = res.statusCode ?? 0;
        const location = res.headers.location;
        if (REDIRECTS.has(status) && location !== undefined && left > 0) {
          res.resume();
          const next = new URL(location, target);
          const nextHeaders = { ...sendHeaders };
          if (next.origin !== target.origin) delete nextHeaders["Authorization"];
          hop(next, left - 1, nextHeaders);
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > BODY_LIMIT) res.destroy(new Error("the page is larger than 64 MiB"));
          else chunks.push(chunk);
        });
        res.on("error", reject);
        res.on("end", () =>
          resolve({
            status,
            statusText: res.statusMessage ?? "",
            headers: res.headers,
            body: Buffer.concat(chunks).toString("utf8"),
            url: target.href,
          }),
        );
      });
      req.end();
    };
    hop(new URL(url), MAX_REDIRECTS, headers);
  });
}

/** Fetches and parses the project's simple page. Rejects with LookupError. */
export async function lookupProject(request: LookupRequest): Promise<Lookup> {
  const url = projectPageUrl(request.simpleUrl, request.project);
  const headers: Record<string, string> = {
    Accept: ACCEPT,
    "User-Agent": request.userAgent,
    "Cache-Control": "no-cache",
    Pragma: "no-cache",
  };
  if (request.auth !== undefined && new URL(url).origin === request.auth.origin) {
    const pair = `${request.auth.username}:${request.auth.password.reveal()}`;
    headers["Authorization"] = `Basic ${Buffer.from(pair, "utf8").toString("base64")}`;
  }
  const secrets = request.auth === undefined ? [] : [request.auth.password.reveal()];
  let page: Page;
  try {
    page = await get(url, headers, request.timeoutMs, request.signal);
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    const why = e.code !== undefined && !e.message.includes(e.code) ? `${e.code}: ${e.message}` : e.message;
    throw new LookupError(`cannot read ${url}: ${mask(why, secrets)}`, url, undefined, undefined, error);
  }
  if (page.status === 404) return { url, listing: { found: false, files: [] } };
  if (page.status !== 200) {
    // An index may echo what it was sent; the password never goes into a message.
    const retryAfter = page.headers["retry-after"];
    throw new LookupError(
      `${url} answered ${page.status} ${mask(page.statusText, secrets)}`.trim(),
      url,
      page.status,
      typeof retryAfter === "string" ? retryAfter : undefined,
    );
  }
  // File URLs end up in outcomes and logs: no userinfo, and never the password echoed back.
  const clean = (file: RemoteFile): RemoteFile => {
    let fileUrl = file.url;
    try {
      const parsed = new URL(fileUrl);
      parsed.username = "";
      parsed.password = "";
      fileUrl = parsed.href;
    } catch {
      // kept as given
    }
    return { ...file, url: mask(fileUrl, secrets) };
  };
  // Relative file URLs resolve against the page the redirects ended on.
  if (/json/i.test(String(page.headers["content-type"] ?? ""))) {
    const parsed = parseSimpleJson(page.body, page.url);
    if (!parsed.ok) throw new LookupError(`${url} ${parsed.error}`, url, page.status);
    return { url, listing: { found: true, files: parsed.value.map(clean) } };
  }
  return { url, listing: { found: true, files: parseSimpleHtml(page.body, page.url).map(clean) } };
}
