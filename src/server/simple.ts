/**
 * The simple repository API: the project list and project pages from the store, negotiated
 * between PEP 503 HTML and PEP 691 JSON, and (with an upstream) pages of projects not hosted here.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { SIMPLE_JSON } from "../core/simple/negotiate.ts";
import {
  type ProjectPage,
  renderIndexHtml,
  renderIndexJson,
  renderProjectHtml,
  renderProjectJson,
  type SimpleFile,
} from "../core/simple/pages.ts";
import { absolutizeHtmlPage, absolutizeJsonPage } from "../core/simple/upstream.ts";
import type { IndexEvent } from "./events.ts";
import { provenancePath } from "./integrity.ts";
import { displayUrl } from "./log-safety.ts";
import { etagOf, sendBody, sendError } from "./respond.ts";
import type { IndexStore, StoredFile } from "./store.ts";

export interface SimpleContext {
  store: IndexStore;
  /** The index's own base URL (`http://127.0.0.1:PORT/`), for absolute URLs when a request names no usable Host. */
  selfUrl: () => string;
  /** Base URL of an upstream simple index, ending in `/`. */
  upstream?: string;
  /** Normalized names answered from the store only, even with no file yet (never from upstream). */
  ownProjects: ReadonlySet<string>;
  emit: (event: IndexEvent) => void;
}

// Pages change as files arrive: clients may keep them but must revalidate (ETag → 304).
const PAGE_HEADERS = { Vary: "Accept", "Cache-Control": "max-age=0, must-revalidate" };
// What to ask upstream for when the client sent no Accept header (PEP 691's recommendation).
const DEFAULT_ACCEPT = `${SIMPLE_JSON}, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01`;
const UPSTREAM_TIMEOUT_MS = 30_000;

function contentTypeHeader(contentType: string): string {
  return contentType === "text/html" ? "text/html; charset=utf-8" : contentType;
}

interface Rendered {
  body: string;
  etag: string;
}

// Rendered pages, per file list: the store hands back the same array until the project changes.
const rendered = new WeakMap<readonly StoredFile[], Map<string, Rendered>>();

/**
 * The base URL the client reached this index by (its Host header, when it is a plain host and
 * port), else the index's own: provenance URLs must be fully qualified (PEP 740).
 */
function baseUrlOf(ctx: SimpleContext, req: IncomingMessage): string {
  const host = req.headers.host ?? "";
  return /^(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?$/.test(host)
    ? `http://${host}/`
    : ctx.selfUrl();
}

function toSimpleFile(project: string, file: StoredFile, base: string): SimpleFile {
  return {
    filename: file.filename,
    // Relative to /simple/<project>/, so the pages hold whatever host name the client used.
    url: `../../files/${project}/${encodeURIComponent(file.filename)}`,
    sha256: file.sha256,
    size: file.size,
    uploadTime: file.uploadTime,
    ...(file.requiresPython === undefined ? {} : { requiresPython: file.requiresPython }),
    ...(file.metadataSha256 === undefined ? {} : { coreMetadataSha256: file.metadataSha256 }),
    provenance:
      file.provenanceSha256 === undefined ? null : `${base}${provenancePath(project, file.filename)}`,
  };
}

// Few distinct bases ever reach one index (its host names); more than this and the oldest go.
const MAX_PAGES_PER_FILE_LIST = 16;

function renderProject(
  project: string,
  files: readonly StoredFile[],
  contentType: string,
  base: string,
): Rendered {
  let forFiles = rendered.get(files);
  if (!forFiles) {
    forFiles = new Map();
    rendered.set(files, forFiles);
  }
  const key = `${contentType} ${base}`;
  const hit = forFiles.get(key);
  if (hit) return hit;
  const page: ProjectPage = { name: project, files: files.map((f) => toSimpleFile(project, f, base)) };
  const body = contentType === SIMPLE_JSON ? renderProjectJson(page) : renderProjectHtml(page);
  const result = { body, etag: etagOf(body) };
  if (forFiles.size >= MAX_PAGES_PER_FILE_LIST) forFiles.delete(forFiles.keys().next().value ?? "");
  forFiles.set(key, result);
  return result;
}

/** `GET /simple/`: the projects hosted here (never upstream's). */
export async function serveIndex(
  ctx: SimpleContext,
  req: IncomingMessage,
  res: ServerResponse,
  contentType: string,
): Promise<void> {
  const names = await ctx.store.projects();
  const body = contentType === SIMPLE_JSON ? renderIndexJson(names) : renderIndexHtml(names);
  sendBody(
    req,
    res,
    200,
    body,
    { "Content-Type": contentTypeHeader(contentType), ...PAGE_HEADERS },
    etagOf(body),
  );
}

/**
 * `GET /simple/<project>/`. A project hosted here, or owned by the stage (the one being released),
 * is answered from the store only, whatever upstream has (no dependency confusion, and a version
 * already on upstream is no conflict on the stage); otherwise upstream's page is passed through.
 */
export async function serveProject(
  ctx: SimpleContext,
  req: IncomingMessage,
  res: ServerResponse,
  project: string,
  contentType: string,
): Promise<void> {
  const files = await ctx.store.projectFiles(project);
  if (files.length > 0) {
    const page = renderProject(project, files, contentType, baseUrlOf(ctx, req));
    const headers = { "Content-Type": contentTypeHeader(contentType), ...PAGE_HEADERS };
    sendBody(req, res, 200, page.body, headers, page.etag);
    return;
  }
  if (ctx.ownProjects.has(project)) {
    const note =
      ctx.upstream === undefined ? "" : " (it is this stage's own project, never taken from upstream)";
    sendError(req, res, 404, `Project '${project}' has no file on this index yet${note}.`);
    return;
  }
  if (ctx.upstream === undefined) {
    sendError(req, res, 404, `Project '${project}' is not hosted on this index.`);
    return;
  }
  await serveUpstream(ctx, ctx.upstream, req, res, project);
}

/** Splits credentials out of a URL: fetch() refuses URLs with userinfo. */
function withoutCredentials(url: URL): { url: URL; authorization?: string } {
  if (url.username === "" && url.password === "") return { url };
  const user = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  const bare = new URL(url.href);
  bare.username = "";
  bare.password = "";
  return { url: bare, authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}` };
}

async function serveUpstream(
  ctx: SimpleContext,
  upstream: string,
  req: IncomingMessage,
  res: ServerResponse,
  project: string,
): Promise<void> {
  const { url, authorization } = withoutCredentials(new URL(`${project}/`, upstream));
  const shown = displayUrl(url.href);
  const started = performance.now();
  let response: Response;
  try {
    response = await fetch(url, {
      headers: {
        Accept: req.headers.accept ?? DEFAULT_ACCEPT,
        "User-Agent": "slipway-index",
        ...(authorization === undefined ? {} : { Authorization: authorization }),
      },
      signal: AbortSignal.timeout(UPSTREAM_TIMEOUT_MS),
    });
  } catch (error) {
    const reason =
      error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : "";
    sendError(req, res, 502, `Upstream index ${shown} did not answer for '${project}': ${reason}`);
    return;
  }
  const durationMs = Math.round(performance.now() - started);
  ctx.emit({ type: "upstream", project, url: shown, status: response.status, durationMs });
  if (response.status === 404) {
    await response.body?.cancel();
    sendError(
      req,
      res,
      404,
      `Project '${project}' is not hosted on this index nor on its upstream ${shown}.`,
    );
    return;
  }
  if (!response.ok) {
    await response.body?.cancel();
    sendError(req, res, 502, `Upstream index ${shown} answered ${response.status} for '${project}'.`);
    return;
  }
  const type = response.headers.get("content-type") ?? "text/html";
  const text = await response.text();
  // File URLs become absolute, so clients fetch files from upstream, never from this index.
  const pageUrl = withoutCredentials(new URL(response.url || url.href)).url.href;
  const body = /json/i.test(type) ? absolutizeJsonPage(text, pageUrl) : absolutizeHtmlPage(text, pageUrl);
  sendBody(req, res, 200, body, { "Content-Type": type, ...PAGE_HEADERS }, etagOf(body));
}
