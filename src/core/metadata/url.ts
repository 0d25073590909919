/**
 * URL checks for Home-page, Download-URL and Project-URL as PyPI applies them: warehouse
 * `utils/http.py: is_valid_uri(require_authority=False)`, which runs rfc3986's validator after
 * percent-encoding path, query and fragment. That is lenient: only the scheme and a numeric port
 * are really judged, so anything else odd is a warning, never an error.
 */

export interface UrlVerdict {
  /** Why PyPI refuses the URL, if it does. */
  error?: string;
  /** Why the URL is accepted but probably wrong. */
  warning?: string;
}

// RFC 3986 appendix B, with rfc3986's component patterns (the authority stops at `\`).
const URI = /^(?:([a-zA-Z][a-zA-Z0-9+.-]*):)?(?:\/\/([^\\/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/s;
const PORT = /:([0-9]{1,5})$/;

export function checkHttpUrl(url: string): UrlVerdict {
  const match = URI.exec(url);
  const scheme = match?.[1];
  if (scheme === undefined) {
    return {
      error: /^\s/.test(url) ? "starts with whitespace" : "has no scheme (it must start with https://)",
    };
  }
  const lower = scheme.toLowerCase();
  if (lower !== "http" && lower !== "https")
    return { error: `uses the scheme "${scheme}" (only http and https are accepted)` };
  const authority = match?.[2];
  const hostPort = authority?.slice(authority.lastIndexOf("@") + 1) ?? "";
  const port = PORT.exec(hostPort)?.[1];
  // rfc3986 cannot split an authority with two `@` and then leaves the port unjudged.
  const judged = (authority ?? "").split("@").length <= 2;
  if (judged && port !== undefined && Number(port) > 65535)
    return { error: `has the port ${port}, above 65535` };
  if (authority === undefined || hostPort.replace(PORT, "") === "") return { warning: "has no host name" };
  if (/\s/.test(url)) return { warning: "contains whitespace" };
  return {};
}
