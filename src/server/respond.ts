/** Small response helpers shared by the index's routes. */
import { createHash } from "node:crypto";
import { type IncomingMessage, type ServerResponse, STATUS_CODES } from "node:http";
import { prefersJson } from "../core/simple/negotiate.ts";
import { reasonPhrase } from "../core/upload/index-rules.ts";
import type { Mask } from "./log-safety.ts";

export type Headers = Record<string, string | number | readonly string[]>;

const masks = new WeakMap<ServerResponse, Mask>();

/** Makes every message written into `res` by these helpers pass `mask` (the index's token mask). */
export function guardResponse(res: ServerResponse, mask: Mask): void {
  masks.set(res, mask);
}

/** `text` as it may be written into `res`. */
export function masked(res: ServerResponse, text: string): string {
  return masks.get(res)?.(text) ?? text;
}

/**
 * Answers an error like PyPI: the message in the reason phrase, and in the body as JSON
 * `{message, code, title}` when the client prefers JSON (uv asks for it), else as text.
 */
export function sendError(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  message: string,
  headers: Headers = {},
): void {
  message = masked(res, message);
  const title = STATUS_CODES[status] ?? "Error";
  const json = prefersJson(req.headers.accept);
  const body = json
    ? `${JSON.stringify({ message, code: `${status} ${reasonPhrase(message)}`, title })}\n`
    : `${status} ${title}\n\n${message}\n`;
  res.writeHead(status, reasonPhrase(message), {
    ...headers,
    "Content-Type": json ? "application/json" : "text/plain; charset=utf-8",
    "Content-Length": Buffer.byteLength(body),
  });
  res.end(req.method === "HEAD" ? undefined : body);
}

/** A strong ETag for a body: its sha256, shortened. */
export function etagOf(body: string | Uint8Array): string {
  return `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`;
}

/** True when the request's If-None-Match names `etag` (or `*`): answer 304. */
export function notModified(req: IncomingMessage, etag: string): boolean {
  const header = req.headers["if-none-match"];
  if (header === undefined) return false;
  return header
    .split(",")
    .map((t) => t.trim().replace(/^W\//, ""))
    .some((t) => t === etag || t === "*");
}

/** Sends a complete body with Content-Length and, when given, an ETag with conditional-GET support. */
export function sendBody(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  body: string,
  headers: Headers & { "Content-Type": string },
  etag?: string,
): void {
  if (etag !== undefined && notModified(req, etag)) {
    res.writeHead(304, { ...headers, ETag: etag });
    res.end();
    return;
  }
  res.writeHead(status, {
    ...headers,
    "Content-Length": Buffer.byteLength(body),
    ...(etag === undefined ? {} : { ETag: etag }),
  });
  res.end(req.method === "HEAD" ? undefined : body);
}

/** A redirect with a Location relative to the server's root (kept path-absolute, as PyPI does). */
export function redirect(res: ServerResponse, status: 301 | 308, location: string): void {
  res.writeHead(status, { Location: location, "Content-Length": 0 });
  res.end();
}
