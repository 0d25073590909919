/**
 * HTTP to a code host's API (GitHub, Gitea, GitLab): every request with a total deadline, a
 * bounded answer, retries on 5xx and dropped connections (with backoff) and on rate-limit
 * answers (waiting what `retry-after` / `x-ratelimit-reset` say, up to a cap: past the cap it
 * fails with the time to come back instead of hanging). Files are streamed (raw, as GitHub's
 * asset upload host takes them, or multipart, as Gitea's attachments), and downloads hashed
 * while streaming. The token goes only into its header, and only to the API's own host name;
 * every text that comes back is masked.
 */
import { createHash, randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import type { IncomingMessage } from "node:http";
import { Readable } from "node:stream";
import { pushAll } from "../../core/arrays.ts";
import { isAlreadyExists, parseLinkHeader, rateLimitWaitMs, refusalError } from "../../core/host/answers.ts";
import type { HostKind } from "../../core/host/remote.ts";
import { SlipwayError } from "../../errors.ts";
import type { Secret } from "../../secret.ts";
import { transportFor } from "./agents.ts";
import { displayUrl, uploadDeadlineMs } from "./exchange.ts";
import { mask } from "./response.ts";

export interface HostClientOptions {
  kind: HostKind;
  apiUrl: string;
  token: Secret;
  tokenEnv: string;
  userAgent: string;
  /** One request's total deadline (uploads get more for their size); default 30 s. */
  timeoutMs?: number;
  /** Retries after a 5xx or a dropped connection; default 3. */
  retries?: number;
  /** The longest rate-limit wait slipway sits through; default 60 s. */
  maxWaitMs?: number;
  /** Milliseconds since the epoch (rate-limit resets are epoch seconds). */
  now?: () => number;
  /** A retry or a rate-limit wait, for progress lines. */
  onWait?: (wait: HostWait) => void;
}

export interface HostWait {
  url: string;
  reason: string;
  waitMs: number;
}

export type HostBody =
  | { json: unknown }
  | { file: string; size: number; contentType: string }
  | { multipart: { field: string; filename: string; file: string; size: number } };

export interface HostRequest {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Relative to the API root, or absolute (an upload URL the API handed out). */
  url: string;
  /** What was asked, for messages: "create the release v1.2.3". */
  what: string;
  body?: HostBody;
  /** A JSON body (the shape core/host's request builders make); `body` wins when both are set. */
  json?: unknown;
  accept?: string;
}

export interface HostAnswer {
  status: number;
  headers: Readonly<Record<string, string | undefined>>;
  /** Masked text, at most MAX_BODY bytes. */
  body: string;
  /** Parsed JSON, when the body is JSON. */
  json: unknown;
}

const MAX_BODY = 8 * 1024 * 1024;
const MAX_PAGES = 50;
const MAX_REDIRECTS = 5;
const RETRY_STATUS = new Set([500, 502, 503, 504]);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A client of one host's API with one token. */
export class HostClient {
  readonly kind: HostKind;
  readonly #o: HostClientOptions;
  readonly #root: URL;

  constructor(options: HostClientOptions) {
    this.kind = options.kind;
    this.#o = options;
    this.#root = new URL(options.apiUrl.endsWith("/") ? options.apiUrl : `${options.apiUrl}/`);
  }

  /** `path` (relative to the API root) or an absolute URL, resolved. */
  resolve(url: string): URL {
    return /^https?:\/\//i.test(url) ? new URL(url) : new URL(url.replace(/^\/+/, ""), this.#root);
  }

  /** The request's answer, whatever its status, after retries; throws only when no answer came. */
  async send(request: HostRequest): Promise<HostAnswer> {
    const url = this.resolve(request.url);
    const retries = this.#o.retries ?? 3;
    let attempt = 0;
    for (;;) {
      let answer: HostAnswer;
      try {
        answer = await this.#once(request, url);
      } catch (error) {
        if (attempt >= retries) {
          throw new SlipwayError(
            "network",
            `${this.#name()} did not answer when asked to ${request.what} (${displayUrl(url.href)}): ${this.#mask((error as Error).message)}`,
            { hint: "check the network and the API URL, then run again", cause: error },
          );
        }
        await this.#wait(url, `no answer (${this.#mask((error as Error).message)})`, backoff(attempt++));
        continue;
      }
      const limited = rateLimitWaitMs(answer.status, answer.headers, answer.body, this.#now());
      if (limited !== undefined) {
        const cap = this.#o.maxWaitMs ?? 60_000;
        if (limited > cap || attempt >= retries + 2) {
          throw new SlipwayError(
            "network",
            `${this.#name()} rate-limited the request to ${request.what} (${answer.status} from ${displayUrl(url.href)}) for another ${Math.ceil(limited / 1000)} s`,
            { hint: "run again after the limit resets; a resumed release continues where it stopped" },
          );
        }
        await this.#wait(url, `rate limited (${answer.status})`, Math.max(limited, 250));
        attempt++;
        continue;
      }
      if (RETRY_STATUS.has(answer.status) && attempt < retries) {
        await this.#wait(url, `${answer.status}`, backoff(attempt++));
        continue;
      }
      return answer;
    }
  }

  /** Like `send`, for an answer with one of `ok` statuses; a refusal otherwise (SlipwayError, by status). */
  async expect(request: HostRequest, ok: readonly number[]): Promise<HostAnswer> {
    const answer = await this.send(request);
    if (ok.includes(answer.status)) return answer;
    throw this.refusal(request, answer);
  }

  /** The error for an unexpected answer: what, where, the host's words, the next step. */
  refusal(request: HostRequest, answer: HostAnswer): SlipwayError {
    return refusalError({
      kind: this.kind,
      what: request.what,
      url: displayUrl(this.resolve(request.url).href),
      status: answer.status,
      body: answer.body,
      tokenEnv: this.#o.tokenEnv,
    });
  }

  /** True when the answer is GitHub's 422 `already_exists`. */
  static alreadyExists(answer: HostAnswer): boolean {
    return isAlreadyExists(answer.status, answer.body);
  }

  /** Every item of a paginated list, following `Link: rel="next"` on the API's own origin. */
  async list(request: HostRequest): Promise<unknown[]> {
    const items: unknown[] = [];
    let url: string | undefined = request.url;
    for (let page = 0; url !== undefined; page++) {
      if (page >= MAX_PAGES) {
        throw new SlipwayError(
          "network",
          `${this.#name()}: more than ${MAX_PAGES} pages when asked to ${request.what}`,
          {
            hint: "clean up the release by hand",
          },
        );
      }
      const answer = await this.expect({ ...request, url }, [200]);
      if (!Array.isArray(answer.json)) {
        throw new SlipwayError(
          "network",
          `${this.#name()} did not answer a list when asked to ${request.what}`,
          {
            hint: "check the API URL: it should be the API root",
          },
        );
      }
      pushAll(items, answer.json);
      const next = parseLinkHeader(answer.headers["link"]).get("next");
      url = next !== undefined && this.#sameHost(this.resolve(next)) ? next : undefined;
    }
    return items;
  }

  /** sha256 and size of what `url` serves (redirects followed; the token only to the API's host). */
  async downloadSha256(url: string, what: string): Promise<{ sha256: string; size: number }> {
    let target = this.resolve(url);
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const result = await this.#hashOnce(target, what);
      if ("location" in result) {
        target = new URL(result.location, target);
        continue;
      }
      return result;
    }
    throw new SlipwayError("network", `${this.#name()}: too many redirects when asked to ${what}`);
  }

  #name(): string {
    return this.kind === "github" ? "GitHub" : this.kind === "gitea" ? "Gitea" : "GitLab";
  }

  #now(): number {
    return this.#o.now?.() ?? Date.now();
  }

  #mask(text: string): string {
    return mask(text, [this.#o.token.reveal()]);
  }

  async #wait(url: URL, reason: string, ms: number): Promise<void> {
    this.#o.onWait?.({ url: displayUrl(url.href), reason, waitMs: ms });
    await sleep(ms);
  }

  /** The API's host name: the token goes there (any port, as GHES and the upload host share it) and nowhere else. */
  #sameHost(url: URL): boolean {
    if (url.hostname === this.#root.hostname) return true;
    // github.com's assets go to its upload host (docs.github.com/en/rest/releases/assets#upload-a-release-asset).
    return this.#root.hostname === "api.github.com" && url.hostname === "uploads.github.com";
  }

  #headers(url: URL, accept: string | undefined): Record<string, string> {
    const headers: Record<string, string> = {
      "User-Agent": this.#o.userAgent,
      Accept: accept ?? "application/json",
    };
    if (this.kind === "github") {
      headers["X-GitHub-Api-Version"] = "2022-11-28";
      if (accept === undefined) headers["Accept"] = "application/vnd.github+json";
    }
    if (!this.#sameHost(url)) return headers;
    const token = this.#o.token.reveal();
    if (this.kind === "github") headers["Authorization"] = `Bearer ${token}`;
    else if (this.kind === "gitea") headers["Authorization"] = `token ${token}`;
    else headers["PRIVATE-TOKEN"] = token;
    return headers;
  }

  #once(request: HostRequest, url: URL): Promise<HostAnswer> {
    const headers = this.#headers(url, request.accept);
    let body: Readable | Buffer | undefined;
    let size = 0;
    const b: HostBody | undefined =
      request.body ?? (request.json === undefined ? undefined : { json: request.json });
    if (b !== undefined && "json" in b) {
      body = Buffer.from(JSON.stringify(b.json));
      size = body.length;
      headers["Content-Type"] = "application/json";
    } else if (b !== undefined && "file" in b) {
      body = createReadStream(b.file);
      size = b.size;
      headers["Content-Type"] = b.contentType;
    } else if (b !== undefined) {
      const boundary = `slipway-${randomUUID()}`;
      const name = b.multipart.filename.replace(/["\r\n\\]/g, "_");
      const head = Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${b.multipart.field}"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
      );
      const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
      const file = b.multipart.file;
      body = Readable.from(
        (async function* () {
          yield head;
          yield* createReadStream(file);
          yield tail;
        })(),
      );
      size = head.length + b.multipart.size + tail.length;
      headers["Content-Type"] = `multipart/form-data; boundary=${boundary}`;
    }
    if (body !== undefined) headers["Content-Length"] = String(size);
    const deadline = uploadDeadlineMs(this.#o.timeoutMs ?? 30_000, size);
    return new Promise<HostAnswer>((resolve, reject) => {
      const { request: send, agent } = transportFor(url);
      const signal = AbortSignal.timeout(deadline);
      const req = send(url, { method: request.method, headers, agent, signal }, (res) => {
        readAnswer(res, (t) => this.#mask(t)).then(resolve, reject);
      });
      req.on("error", (error) =>
        reject(
          signal.aborted ? new Error(`no complete answer within ${Math.round(deadline / 1000)} s`) : error,
        ),
      );
      if (body instanceof Readable) {
        body.on("error", (error) => req.destroy(error));
        body.pipe(req);
      } else req.end(body);
    });
  }

  #hashOnce(url: URL, what: string): Promise<{ sha256: string; size: number } | { location: string }> {
    const headers = this.#headers(url, "application/octet-stream");
    const timeout = this.#o.timeoutMs ?? 30_000;
    return new Promise((resolve, reject) => {
      const { request: send, agent } = transportFor(url);
      const signal = AbortSignal.timeout(timeout * 10);
      const req = send(url, { method: "GET", headers, agent, signal }, (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400 && res.headers.location !== undefined) {
          res.resume();
          resolve({ location: res.headers.location });
          return;
        }
        if (status !== 200) {
          readAnswer(res, (t) => this.#mask(t)).then(
            (answer) => reject(this.refusal({ method: "GET", url: url.href, what }, answer)),
            reject,
          );
          return;
        }
        const hash = createHash("sha256");
        let size = 0;
        res.on("data", (chunk: Buffer) => {
          size += chunk.length;
          hash.update(chunk);
        });
        res.on("error", reject);
        res.on("end", () => resolve({ sha256: hash.digest("hex"), size }));
      });
      req.on("error", (error) =>
        reject(
          new SlipwayError(
            "network",
            `${this.#name()} did not answer when asked to ${what}: ${this.#mask(error.message)}`,
            {
              hint: "check the network, then run again",
            },
          ),
        ),
      );
      req.end();
    });
  }
}

function backoff(attempt: number): number {
  return 250 * 2 ** attempt;
}

function readAnswer(res: IncomingMessage, maskText: (text: string) => string): Promise<HostAnswer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) res.destroy(new Error(`the answer is larger than ${MAX_BODY} bytes`));
      else chunks.push(chunk);
    });
    res.on("error", reject);
    res.on("close", () => {
      if (!res.complete) reject(new Error("the connection closed mid-answer"));
    });
    res.on("end", () => {
      const body = maskText(Buffer.concat(chunks).toString("utf8"));
      const headers: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(res.headers)) headers[k] = Array.isArray(v) ? v.join(", ") : v;
      let json: unknown;
      if (/json/i.test(headers["content-type"] ?? "") || /^\s*[[{]/.test(body)) {
        try {
          json = JSON.parse(body);
        } catch {
          json = undefined;
        }
      }
      resolve({ status: res.statusCode ?? 0, headers, body, json });
    });
  });
}
