/**
 * An index's answer to an upload, reduced to what a person needs: status, reason phrase, body
 * text, and the index's own message. PyPI puts its message in the reason phrase and, when asked
 * for JSON, in `{message, code, title}`; HTTP/2 has no reason phrase, so the body counts too.
 */
import type { IncomingMessage } from "node:http";
import { maskSecrets } from "../../redact.ts";
import { STATUS_CODES } from "./agents.ts";

export interface UploadResponse {
  status: number;
  /** The reason phrase as sent ("" when the index sent none). */
  reason: string;
  /** Body text, at most BODY_LIMIT characters. */
  body: string;
  /** The index's message: JSON message/detail/code, a non-standard reason phrase, or the body's text. */
  message: string;
  /** Parsed JSON body, when it was JSON. */
  json?: unknown;
  location?: string;
  retryAfter?: string;
}

const BODY_LIMIT = 64 * 1024;

/**
 * `text` with each secret (4 characters or more) masked as `***`: as sent, and in the encoded,
 * cut-short or line-broken forms an index may echo it in (see maskSecrets).
 */
export function mask(text: string, secrets: readonly string[]): string {
  return maskSecrets(text, secrets);
}

const ENTITIES: Readonly<Record<string, string>> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  "#039": "'",
};

/** The readable text of an HTML error page: its `<pre>`, else `<h1>`, else `<title>`, tags stripped. */
export function htmlText(html: string): string {
  const pick =
    /<pre[^>]*>([\s\S]*?)<\/pre>/i.exec(html)?.[1] ??
    /<h1[^>]*>([\s\S]*?)<\/h1>/i.exec(html)?.[1] ??
    /<title[^>]*>([\s\S]*?)<\/title>/i.exec(html)?.[1] ??
    html;
  return pick
    .replace(/<[^>]*>/g, " ")
    .replace(/&(#039|[a-z]+);/gi, (whole, name: string) => ENTITIES[name.toLowerCase()] ?? whole)
    .replace(/\s+/g, " ")
    .trim();
}

function jsonMessage(json: unknown): string | undefined {
  if (typeof json !== "object" || json === null) return undefined;
  const record = json as Record<string, unknown>;
  for (const key of ["message", "detail", "code", "title", "error"]) {
    const value = record[key];
    if (typeof value === "string" && value.trim() !== "") return value.trim();
  }
  return undefined;
}

/** Picks the most telling message of an answer (pure; exported for the tests). */
export function answerMessage(
  status: number,
  reason: string,
  body: string,
  contentType: string,
  json: unknown,
): string {
  const fromJson = jsonMessage(json);
  if (fromJson !== undefined) return fromJson;
  const standard = STATUS_CODES[status] ?? "";
  if (reason !== "" && reason.toLowerCase() !== standard.toLowerCase()) return reason;
  const text = /html/i.test(contentType) || /^\s*</.test(body) ? htmlText(body) : body.trim();
  const firstLines = text
    .split(/\r?\n/)
    .filter((l) => l.trim() !== "")
    .slice(0, 3)
    .join(" ")
    .slice(0, 500);
  // pypiserver's error pages say "None" when there is nothing more to say.
  const useful = /^(none|null|undefined)$/i.test(firstLines) ? "" : firstLines;
  return useful || reason || standard || `HTTP ${status}`;
}

/** Reads an answer's body (bounded), tells `onData` of each chunk's size, and masks `secrets` in every text. */
export function readResponse(
  res: IncomingMessage,
  secrets: readonly string[],
  onData: (bytes: number) => void,
): Promise<UploadResponse> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let kept = 0;
    res.on("data", (chunk: Buffer) => {
      onData(chunk.length);
      if (kept < BODY_LIMIT) {
        chunks.push(chunk);
        kept += chunk.length;
      }
    });
    res.on("error", reject);
    res.on("close", () => {
      if (!res.complete) reject(new Error("the connection closed mid-answer"));
    });
    res.on("end", () => {
      const status = res.statusCode ?? 0;
      const reason = mask(res.statusMessage ?? "", secrets);
      const body = mask(Buffer.concat(chunks).toString("utf8").slice(0, BODY_LIMIT), secrets);
      const contentType = String(res.headers["content-type"] ?? "");
      let json: unknown;
      if (/json/i.test(contentType)) {
        try {
          json = JSON.parse(body);
        } catch {
          json = undefined;
        }
      }
      const answer: UploadResponse = {
        status,
        reason,
        body,
        message: mask(answerMessage(status, reason, body, contentType, json), secrets),
      };
      if (json !== undefined) answer.json = json;
      const location = res.headers.location;
      if (location !== undefined) answer.location = mask(location, secrets);
      const retryAfter = res.headers["retry-after"];
      if (retryAfter !== undefined) answer.retryAfter = retryAfter;
      resolve(answer);
    });
  });
}
