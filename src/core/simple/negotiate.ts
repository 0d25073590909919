/**
 * HTTP content negotiation for the simple repository API (PEP 691 "Version + Format Selection")
 * and for error bodies: an Accept header with q-values picks one of the server's offers.
 */

export const SIMPLE_JSON = "application/vnd.pypi.simple.v1+json";
export const SIMPLE_HTML = "application/vnd.pypi.simple.v1+html";
export const TEXT_HTML = "text/html";

/** What the simple API can answer, in the server's order of preference for ties (HTML first, as PyPI). */
export const SIMPLE_OFFERS: readonly string[] = [TEXT_HTML, SIMPLE_HTML, SIMPLE_JSON];

// PEP 691: `latest` names the newest version the server supports, which is v1 here.
const SIMPLE_ALIASES: Readonly<Record<string, string>> = {
  "application/vnd.pypi.simple.latest+json": SIMPLE_JSON,
  "application/vnd.pypi.simple.latest+html": SIMPLE_HTML,
};

export interface MediaRange {
  type: string;
  subtype: string;
  /** Quality 0..1; 0 means "not acceptable". */
  q: number;
  /** Position in the header, for ties between equally specific ranges. */
  index: number;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;
const QVALUE = /^(?:0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?)$/;

/**
 * Parses an Accept header (RFC 9110 §12.5.1) into media ranges. Malformed ranges are skipped, as
 * are ranges with an invalid q-value; type names are lowercased and PEP 691's `latest` aliases
 * resolved to v1.
 */
export function parseAccept(header: string): MediaRange[] {
  const ranges: MediaRange[] = [];
  header.split(",").forEach((part, index) => {
    const [mediaType = "", ...params] = part.split(";").map((p) => p.trim());
    const full = SIMPLE_ALIASES[mediaType.toLowerCase()] ?? mediaType.toLowerCase();
    const slash = full.indexOf("/");
    if (slash < 0) return;
    const type = full.slice(0, slash);
    const subtype = full.slice(slash + 1);
    if (!TOKEN.test(type) || !TOKEN.test(subtype) || (type === "*" && subtype !== "*")) return;
    let q = 1;
    for (const param of params) {
      const eq = param.indexOf("=");
      if (eq < 0 || param.slice(0, eq).trim().toLowerCase() !== "q") continue;
      const value = param.slice(eq + 1).trim();
      if (!QVALUE.test(value)) return;
      q = Number(value);
    }
    ranges.push({ type, subtype, q, index });
  });
  return ranges;
}

/** 3 for an exact match, 2 for `type/*`, 1 for `*\/*`, 0 for no match. */
function specificity(range: MediaRange, offer: string): number {
  const [type, subtype] = offer.split("/");
  if (range.type === "*" && range.subtype === "*") return 1;
  if (range.type !== type) return 0;
  if (range.subtype === "*") return 2;
  return range.subtype === subtype ? 3 : 0;
}

interface Scored {
  offer: string;
  q: number;
  specificity: number;
  index: number;
  order: number;
}

/**
 * Picks the offer the client prefers: each offer takes the q of its most specific matching range;
 * the highest q wins, then the more specific match, then the range the client listed first, then
 * the server's order. Without an Accept header (or an empty one) the first offer is chosen;
 * `undefined` means nothing offered is acceptable (answer 406).
 */
export function negotiate(accept: string | undefined, offers: readonly string[]): string | undefined {
  if (accept === undefined || accept.trim() === "") return offers[0];
  const ranges = parseAccept(accept);
  let best: Scored | undefined;
  offers.forEach((offer, order) => {
    let match: MediaRange | undefined;
    let matchSpecificity = 0;
    for (const range of ranges) {
      const s = specificity(range, offer);
      // The most specific range decides; among equals, the first listed (ranges are in order).
      if (s > matchSpecificity) {
        match = range;
        matchSpecificity = s;
      }
    }
    if (!match || match.q === 0) return;
    const scored = { offer, q: match.q, specificity: matchSpecificity, index: match.index, order };
    if (!best || better(scored, best)) best = scored;
  });
  return best?.offer;
}

function better(a: Scored, b: Scored): boolean {
  if (a.q !== b.q) return a.q > b.q;
  if (a.specificity !== b.specificity) return a.specificity > b.specificity;
  if (a.index !== b.index) return a.index < b.index;
  return a.order < b.order;
}

/**
 * The content type of a simple-API page: `?format=` wins when given (PEP 691's optional query
 * parameter; an unknown value is not acceptable), else the Accept header. `undefined` → 406.
 */
export function negotiateSimple(accept: string | undefined, format: string | null): string | undefined {
  if (format !== null) {
    const wanted = SIMPLE_ALIASES[format.toLowerCase()] ?? format.toLowerCase();
    return SIMPLE_OFFERS.includes(wanted) ? wanted : undefined;
  }
  return negotiate(accept, SIMPLE_OFFERS);
}

/** True when the client prefers a JSON error body to plain text (uv asks for JSON; twine sends `*\/*`). */
export function prefersJson(accept: string | undefined): boolean {
  return negotiate(accept, ["text/plain", "application/json"]) === "application/json";
}
