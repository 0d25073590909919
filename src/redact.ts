/**
 * The last line of defence for "no token in any output, ever": every line the CLI prints passes
 * through `redact`. Scanners already report secrets redacted; this catches anything else
 * (an index's error text echoing a token, a URL with credentials in a message).
 */
const TOKEN_PATTERNS: readonly RegExp[] = [
  /pypi-AgE[A-Za-z0-9_-]{20,}/g,
  /\bgh[pousr]_[A-Za-z0-9]{36,}\b/g,
  /\bgithub_pat_[A-Za-z0-9_]{40,}\b/g,
  /\bglpat-[A-Za-z0-9_-]{20,}\b/g,
  /\bnpm_[A-Za-z0-9]{36}\b/g,
  /\bxox[baprs]-[A-Za-z0-9-]{10,}\b/g,
  /\bAKIA[0-9A-Z]{16}\b/g,
];

// scheme://user:password@host → scheme://***@host (userinfo never prints).
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@:]+(?::[^\s/@]*)?@/gi;

/** Masks tokens and URL credentials in `text`, keeping a short prefix so the kind stays visible. */
export function redact(text: string): string {
  let out = text.replace(URL_USERINFO, "$1***@");
  for (const pattern of TOKEN_PATTERNS) {
    out = out.replace(pattern, (match) => `${match.slice(0, 4)}***`);
  }
  return out;
}
