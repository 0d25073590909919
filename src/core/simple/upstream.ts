/**
 * Passing an upstream index's project page through: file URLs are made absolute against the page
 * it came from, so a client reading the page from the embedded index fetches the files (and their
 * `.metadata`) from upstream directly.
 */
import { escapeHtml } from "../html.ts";

const LEGACY_METADATA = "dist-info-metadata";

function absolute(url: string, base: string): string {
  try {
    return new URL(url, base).href;
  } catch {
    return url;
  }
}

/**
 * Rewrites every `files[].url` of a PEP 691 JSON page to an absolute URL against `pageUrl`, and
 * renames a legacy `dist-info-metadata` key to `core-metadata` (PEP 714: pip 22.3–23.0 crash on
 * the old key). The rest of the page is kept; text that is not a JSON object is returned unchanged.
 */
export function absolutizeJsonPage(body: string, pageUrl: string): string {
  let page: unknown;
  try {
    page = JSON.parse(body);
  } catch {
    return body;
  }
  if (typeof page !== "object" || page === null || !Array.isArray((page as { files?: unknown }).files)) {
    return body;
  }
  for (const file of (page as { files: unknown[] }).files) {
    if (typeof file !== "object" || file === null) continue;
    const entry = file as Record<string, unknown>;
    if (typeof entry["url"] === "string") entry["url"] = absolute(entry["url"], pageUrl);
    if (LEGACY_METADATA in entry) {
      if (!("core-metadata" in entry)) entry["core-metadata"] = entry[LEGACY_METADATA];
      delete entry[LEGACY_METADATA];
    }
  }
  return JSON.stringify(page);
}

const ENTITIES: Readonly<Record<string, string>> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/** Decodes the character references an attribute value may hold (named basics and numeric). */
export function unescapeHtml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref.startsWith("#x") || ref.startsWith("#X"))
      return safeCodePoint(Number.parseInt(ref.slice(2), 16), whole);
    if (ref.startsWith("#")) return safeCodePoint(Number.parseInt(ref.slice(1), 10), whole);
    return ENTITIES[ref.toLowerCase()] ?? whole;
  });
}

function safeCodePoint(code: number, fallback: string): string {
  return Number.isInteger(code) && code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : fallback;
}

const BASE_HREF = /<base\b[^>]*?\bhref\s*=\s*(?:"([^"]*)"|'([^']*)')/i;
const ANCHOR_HREF = /(<a\b[^>]*?\bhref\s*=\s*)(?:"([^"]*)"|'([^']*)')/gi;

/**
 * Rewrites the `href` of every anchor of a PEP 503 HTML page to an absolute URL, resolved against
 * the page's `<base href>` when it has one (as clients do), else against `pageUrl`.
 */
export function absolutizeHtmlPage(html: string, pageUrl: string): string {
  const base = BASE_HREF.exec(html);
  const baseHref = base ? unescapeHtml(base[1] ?? base[2] ?? "") : undefined;
  const resolvedBase = baseHref === undefined ? pageUrl : absolute(baseHref, pageUrl);
  return html.replace(
    ANCHOR_HREF,
    (_whole, prefix: string, dq: string | undefined, sq: string | undefined) => {
      const href = unescapeHtml(dq ?? sq ?? "");
      return `${prefix}"${escapeHtml(absolute(href, resolvedBase))}"`;
    },
  );
}
