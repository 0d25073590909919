/**
 * The changed forms a hostile or careless index may echo a token back in, for the redaction
 * tests: encoded (percent, base64, base64url, at every byte alignment, of the token and of the
 * Basic `__token__:<token>` pair), cut short, split over lines, spaced out.
 */
const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");
const b64url = (text: string) => Buffer.from(text, "utf8").toString("base64url");

/** Every form, by name. The token should be 40 characters or more (for the 28-character prefix). */
export function echoedForms(token: string): Record<string, string> {
  return {
    "as sent": token,
    "percent-encoded": encodeURIComponent(token),
    "percent-encoded, lowercase hex": encodeURIComponent(token).replace(/%[0-9A-F]{2}/g, (e) =>
      e.toLowerCase(),
    ),
    "form-encoded": new URLSearchParams({ t: token }).toString().slice(2),
    base64: b64(token),
    "base64 at offset 1": b64(`x${token}`),
    "base64 at offset 2": b64(`xy${token}`),
    "base64 of __token__:token": b64(`__token__:${token}`),
    "base64url of __token__:token": b64url(`__token__:${token}`),
    "base64url at offset 2": b64url(`ab${token}`),
    "MIME base64, wrapped": b64(`__token__:${token}`).replace(/(.{20})/g, "$1\r\n"),
    "a 28-character prefix": token.slice(0, 28),
    "a 14-character middle": token.slice(10, 24),
    "split over two lines": `${token.slice(0, 17)}\n${token.slice(17)}`,
    "split by a JSON escape": JSON.stringify(`${token.slice(0, 9)}\n${token.slice(9)}`),
    "spaced out": token.replace(/(.{4})/g, "$1 "),
  };
}

/** The text as the redaction reads it: without white space and JSON's `\n`-style escapes. */
export const squeeze = (text: string): string => text.replace(/\s+|\\[nrt]/g, "");

/** The names of the forms `output` still shows (empty when every one was masked). */
export function leakedForms(output: string, token: string): string[] {
  const seen = squeeze(output);
  return Object.entries(echoedForms(token))
    .filter(([, form]) => seen.includes(squeeze(form)))
    .map(([name]) => name);
}
