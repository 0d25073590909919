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
import { Deadline, displayUrl, type ExchangeListener, formatSeconds } from "./exchange.ts";
import { mask } from "./response.ts";

// PEP 691's recommended client header: JSON first, HTML as the fallback.
const ACCEPT =
  "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01";

export interface LookupRequest {
  simpleUrl: string;
  project: string;
  userAgent: string;
  /** Sent only when the page is on the same origin as `authOrigin` (never to a third party). */
  auth?: { username: string; password: Secret; origin: string };
  /** Give up when no byte has moved for this long. */
  timeoutMs: number;
  /** Give up when the whole answer (redirects included) has not arrived within this long. */
  deadlineMs: number;
  signal?: AbortSignal;
  /** Told about each request (each redirect hop too), for `--verbose`. */
  onExchange?: ExchangeListener;
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
  /** The reason phrase the index sent with `status` (masked), when it sent one. */
  readonly reason: string | undefined;
  readonly retryAfter: string | undefined;
  /** The total deadline passed: the index answers, but too slowly to be worth asking again. */
  readonly deadline: boolean;

  constructor(
    message: string,
    url: string,
    extra: {
      status?: number;
      reason?: string;
      retryAfter?: string;
      deadline?: boolean;
      cause?: unknown;
    } = {},
  ) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = "LookupError";
    this.url = url;
    this.status = extra.status;
    this.reason = extra.reason;
    this.retryAfter = extra.retryAfter;
    this.deadline = extra.deadline ?? false;
  }
}

/** The total deadline passed before the whole answer arrived. */
class DeadlineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DeadlineError";
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

interface GetOptions {
  headers: Record<string, string>;
  /** Masked in whatever of the answer is logged (an index may echo them in its reason phrase). */
  secrets: readonly string[];
  timeoutMs: number;
  deadlineMs: number;
  signal?: AbortSignal;
  onExchange?: ExchangeListener;
}

/**
 * One GET with node:http (fetch would load undici, a noticeable share of a short publish),
 * following redirects; Authorization is dropped when a redirect leaves the origin. Two limits:
 * `timeoutMs` of idle socket, and `deadlineMs` for the whole answer, redirects included.
 */
function get(url: string, options: GetOptions): Promise<Page> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let current: { destroy: (error: Error) => void } | undefined;
    let logFailure: ((error: string) => void) | undefined;
    let received = 0;
    const deadline = new Deadline(options.deadlineMs, () => {
      const error = new DeadlineError(
        `no complete answer within the ${formatSeconds(options.deadlineMs)} s deadline${received > 0 ? ` (the page was still arriving: ${received} bytes so far)` : ""}`,
      );
      logFailure?.(error.message);
      fail(error);
      current?.destroy(error);
    });
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      deadline.stop();
      reject(error);
    };
    const hop = (target: URL, left: number, sendHeaders: Record<string, string>) => {
      const transport = transportFor(target);
      const started = performance.now();
      const log = (status: number | undefined, reason: string | undefined, error?: string) =>
        options.onExchange?.({
          purpose: "lookup",
          method: "GET",
          url: displayUrl(target.href),
          ...(status === undefined ? {} : { status }),
          ...(reason === undefined ? {} : { reason }),
          ms: Math.round(performance.now() - started),
          sent: 0,
          received,
          ...(error === undefined ? {} : { error }),
        });
      received = 0;
      let status: number | undefined;
      let reason: string | undefined;
      logFailure = (error) => log(status, reason, error);
      const req = transport.request(target, {
        method: "GET",
        headers: sendHeaders,
        agent: transport.agent,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      current = req;
      req.setTimeout(options.timeoutMs, () =>
        req.destroy(new Error(`no byte for ${formatSeconds(options.timeoutMs)} s`)),
      );
      req.on("error", (error) => {
        if (!settled) log(status, reason, error.message);
        fail(error);
      });
      req.on("response", (res) => {
        status = res.statusCode ?? 0;
        reason = mask(res.statusMessage ?? "", options.secrets);
        const location = res.headers.location;
        if (REDIRECTS.has(status) && location !== undefined && left > 0) {
          res.resume();
          log(status, reason);
          const next = new URL(location, target);
          const nextHeaders = { ...sendHeaders };
          if (next.origin !== target.origin) delete nextHeaders["Authorization"];
          hop(next, left - 1, nextHeaders);
          return;
        }
        current = res;
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => {
          received += chunk.length;
          if (received > BODY_LIMIT) res.destroy(new Error("the page is larger than 64 MiB"));
          else chunks.push(chunk);
        });
        res.on("error", (error) => {
          if (!settled) log(status, reason, error.message);
          fail(error);
        });
        res.on("end", () => {
          if (settled) return;
          settled = true;
          deadline.stop();
          log(status, reason);
          resolve({
            status: status ?? 0,
            statusText: res.statusMessage ?? "",
            headers: res.headers,
            body: Buffer.concat(chunks).toString("utf8"),
            url: target.href,
          });
        });
      });
      req.end();
    };
    hop(new URL(url), MAX_REDIRECTS, options.headers);
  });
}

/** Fetches and parses the project's simple page. Rejects with LookupError. */
export async function lookupProject(request: LookupRequest): Promise<Lookup> {
  const url = projectPageUrl(request.simpleUrl, request.project);
  const shown = displayUrl(url);
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
    page = await get(url, {
      headers,
      secrets,
      timeoutMs: request.timeoutMs,
      deadlineMs: request.deadlineMs,
      ...(request.signal === undefined ? {} : { signal: request.signal }),
      ...(request.onExchange === undefined ? {} : { onExchange: request.onExchange }),
    });
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    const why = e.code !== undefined && !e.message.includes(e.code) ? `${e.code}: ${e.message}` : e.message;
    throw new LookupError(`cannot read ${shown}: ${mask(why, secrets)}`, shown, {
      deadline: error instanceof DeadlineError,
      cause: error,
    });
  }
  if (page.status === 404) return { url: shown, listing: { found: false, files: [] } };
  if (page.status !== 200) {
    // An index may echo what it was sent; the password never goes into a message.
    const retryAfter = page.headers["retry-after"];
    const reason = mask(page.statusText, secrets);
    throw new LookupError(`${shown} answered ${page.status} ${reason}`.trim(), shown, {
      status: page.status,
      ...(reason === "" ? {} : { reason }),
      ...(typeof retryAfter === "string" ? { retryAfter } : {}),
    });
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
    if (!parsed.ok) throw new LookupError(`${shown} ${parsed.error}`, shown, { status: page.status });
    return { url: shown, listing: { found: true, files: parsed.value.map(clean) } };
  }
  return { url: shown, listing: { found: true, files: parseSimpleHtml(page.body, page.url).map(clean) } };
}
