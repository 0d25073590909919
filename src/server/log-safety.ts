/**
 * What the index may write about a request: no credential, whatever the client put where. Clients
 * and misconfigured tools send tokens in query strings (`/legacy/?password=…`, `/simple/?token=…`)
 * and URLs with userinfo; those never reach a log line, an event or an error body.
 */

/** Query keys whose values are shown: they steer the simple API (PEP 691 `?format=`) and are never secret. */
const SHOWN_QUERY_KEYS = new Set(["format"]);
const HIDDEN = "***";

function decodeKey(raw: string): string {
  try {
    return decodeURIComponent(raw.replaceAll("+", " ")).toLowerCase();
  } catch {
    return "";
  }
}

/** `?a=1&b` with every value but the shown keys' replaced by `***` (and a bare item hidden whole). */
export function maskQuery(search: string): string {
  if (search === "" || search === "?") return search;
  const items = search.slice(1).split("&");
  const shown = items.map((item) => {
    const eq = item.indexOf("=");
    if (eq < 0) return item === "" ? item : HIDDEN;
    const key = item.slice(0, eq);
    return SHOWN_QUERY_KEYS.has(decodeKey(key)) ? item : `${key}=${HIDDEN}`;
  });
  return `?${shown.join("&")}`;
}

/**
 * A request target as the index logs it: the path and a masked query (`maskQuery`); an
 * absolute-form target loses its scheme, host and userinfo. Unparseable targets are not shown.
 */
export function loggableTarget(target: string): string {
  const url = URL.parse(target.startsWith("/") ? `http://index.invalid${target}` : target);
  if (url === null) return "(malformed request target)";
  return `${url.pathname}${maskQuery(url.search)}`;
}

/** A URL to show (an upstream's): without userinfo, its query masked like a request's. */
export function displayUrl(url: string): string {
  const parsed = URL.parse(url);
  if (parsed === null) return "(malformed URL)";
  parsed.username = "";
  parsed.password = "";
  const search = maskQuery(parsed.search);
  parsed.search = "";
  parsed.hash = "";
  return `${parsed.href}${search}`;
}

/** Replaces a secret by `***` in text. */
export type Mask = (text: string) => string;

/**
 * A mask for the index's own token, whatever its shape: as given, percent-encoded (either hex
 * case, `+` for space) and in the base64 of a Basic credential, since any of these can come back
 * in a path, a form field or a header the index repeats.
 */
export function tokenMask(token: string): Mask {
  if (token === "") return (text) => text;
  const encoded = encodeURIComponent(token);
  const forms = new Set([
    token,
    encoded,
    encoded.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()),
    encoded.replaceAll("%20", "+"),
    Buffer.from(`__token__:${token}`).toString("base64"),
  ]);
  // Longest first, so a form that contains another is replaced whole.
  const ordered = [...forms].sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const form of ordered) if (out.includes(form)) out = out.replaceAll(form, HIDDEN);
    // Encodings cannot all be listed (a path keeps `/` raw and encodes `+`): a text that still
    // holds the token once decoded is withheld whole.
    return decodeLoosely(out).includes(token) ? WITHHELD : out;
  };
}

const WITHHELD = "(withheld: it held the index's token)";

/** Decodes each run of `%XX` escapes that is valid UTF-8, and `+` as itself and as a space. */
function decodeLoosely(text: string): string {
  const decoded = text.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
  return decoded.includes("+") ? `${decoded}\n${decoded.replaceAll("+", " ")}` : decoded;
}

/** The event with `mask` applied to each of its string fields. */
export function maskFields<T extends object>(event: T, mask: Mask): T {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(event))
    out[key] = typeof value === "string" ? mask(value) : value;
  return out as T;
}
