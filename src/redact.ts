/**
 * The last line of defence for "no token in any output, ever": every line the CLI prints passes
 * through `redact`. Scanners already report secrets redacted; this catches anything else: an
 * index's error text echoing a token (as sent, URL-encoded, base64-encoded, cut short, or split
 * over lines), a URL with credentials in a message.
 */
import { knownSecrets } from "./secret.ts";

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

/**
 * Any run of this many characters of a secret (or of one of its encodings) is masked on its
 * own: an index that echoes a token cut short (a 28-character prefix) leaks it all the same.
 * Twelve characters of a token are 60+ bits: ordinary text does not hit them by chance.
 */
export const SECRET_PIECE = 12;

const MASK = "***";

/** What a set of secrets compiles to: every piece to look for, grouped by length. */
interface Matcher {
  pieces: Set<string>;
  lengths: number[];
}

/**
 * The forms an index may echo a secret in: as is, percent-encoded (URI component and form
 * encoding, either hex case), and base64 / base64url at each of the three byte alignments, so the secret is found
 * inside the encoding of any longer text (`__token__:<token>` in a Basic header is alignment 1).
 * Of each base64 form only the characters that depend on the secret alone are kept.
 */
export function secretForms(secret: string): string[] {
  const pct = encodeURIComponent(secret);
  // application/x-www-form-urlencoded also escapes !'()*~ and writes a space as +.
  const form = pct
    .replace(/[!'()*~]/g, (c) => `%${(c.codePointAt(0) as number).toString(16).toUpperCase()}`)
    .replaceAll("%20", "+");
  const forms = new Set([secret, pct, form]);
  for (const f of [pct, form]) forms.add(f.replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase()));
  const bytes = Buffer.from(secret, "utf8");
  for (const lead of [0, 1, 2]) {
    const b64 = Buffer.concat([Buffer.alloc(lead), bytes]).toString("base64");
    // Characters 0-1 (lead 1) or 0-2 (lead 2) mix in the unknown bytes before; of a last partial
    // group of r bytes, the first r characters depend on the secret alone.
    const start = [0, 2, 3][lead] as number;
    const total = lead + bytes.length;
    const end = Math.floor(total / 3) * 4 + (total % 3);
    const stable = b64.slice(start, end);
    forms.add(stable);
    forms.add(stable.replaceAll("+", "-").replaceAll("/", "_"));
  }
  // Text is searched compacted (no white space, no escapes), so the forms are too.
  return [...forms].map((f) => compact(f).chars).filter((f) => f.length >= 4);
}

function compile(secrets: readonly string[]): Matcher {
  const pieces = new Set<string>();
  const lengths = new Set<number>();
  for (const secret of secrets) {
    for (const form of secretForms(secret)) {
      if (form.length <= SECRET_PIECE) {
        pieces.add(form);
        lengths.add(form.length);
        continue;
      }
      lengths.add(SECRET_PIECE);
      for (let at = 0; at + SECRET_PIECE <= form.length; at++) pieces.add(form.slice(at, at + SECRET_PIECE));
    }
  }
  return { pieces, lengths: [...lengths] };
}

const WHITE = new Set([" ", "\t", "\r", "\n", "\f", "\v"]);

/**
 * The text without white space and without escape backslashes (with the `n`, `r`, `t` of `\n`,
 * `\r`, `\t`: JSON's line breaks, escaped once or twice), with the position in `text` of each
 * character kept: a token split over two lines, or written `a\/b` by a JSON encoder, is one run.
 */
function compact(text: string): { chars: string; at: Int32Array } {
  const at = new Int32Array(text.length);
  let chars = "";
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (WHITE.has(c)) continue;
    if (c === "\\") {
      let j = i;
      while (text[j + 1] === "\\") j++;
      const next = text[j + 1];
      i = next === "n" || next === "r" || next === "t" ? j + 1 : j;
      continue;
    }
    chars += c;
    at[n++] = i;
  }
  return { chars, at: at.subarray(0, n) };
}

/** Counts of the work `maskWith` did, for the tests that keep it linear. */
export interface MaskWork {
  lookups: number;
}

function maskWith(text: string, matcher: Matcher, work?: MaskWork): string {
  if (matcher.pieces.size === 0 || text.length === 0) return text;
  const { chars, at } = compact(text);
  // +1 where a masked run starts, -1 where it ends: one pass marks every covered character.
  const edges = new Int32Array(chars.length + 1);
  let hits = 0;
  for (const length of matcher.lengths) {
    for (let i = 0; i + length <= chars.length; i++) {
      if (work) work.lookups++;
      if (matcher.pieces.has(chars.slice(i, i + length))) {
        edges[i] = (edges[i] as number) + 1;
        edges[i + length] = (edges[i + length] as number) - 1;
        hits++;
      }
    }
  }
  if (hits === 0) return text;
  let out = "";
  let copied = 0;
  let depth = 0;
  let runStart = -1;
  for (let i = 0; i <= chars.length; i++) {
    depth += edges[i] as number;
    if (depth > 0 && runStart < 0) runStart = i;
    else if (depth === 0 && runStart >= 0) {
      const from = at[runStart] as number;
      const to = (at[i - 1] as number) + 1;
      out += text.slice(copied, from) + MASK;
      copied = to;
      runStart = -1;
    }
  }
  return out + text.slice(copied);
}

const compiled = new Map<string, Matcher>();

function matcherFor(secrets: readonly string[]): Matcher {
  const key = secrets.join("\u0000");
  let matcher = compiled.get(key);
  if (matcher === undefined) {
    if (compiled.size >= 32) compiled.clear();
    matcher = compile(secrets);
    compiled.set(key, matcher);
  }
  return matcher;
}

/**
 * `text` with every secret of `secrets` (4 characters or more) masked as `***`, in any of the
 * forms of `secretForms`, any run of SECRET_PIECE characters of one, and with white space or line
 * breaks inserted anywhere. Work is linear in the text's length.
 */
export function maskSecrets(text: string, secrets: readonly string[], work?: MaskWork): string {
  const usable = secrets.filter((s) => s.length >= 4);
  if (usable.length === 0) return text;
  return maskWith(text, matcherFor(usable), work);
}

let registry: { version: number; matcher: Matcher } | undefined;

/** Masks tokens, URL credentials and every Secret of this process in `text`, keeping a token pattern's short prefix so the kind stays visible. */
export function redact(text: string): string {
  let out = text.replace(URL_USERINFO, "$1***@");
  for (const pattern of TOKEN_PATTERNS) {
    out = out.replace(pattern, (match) => `${match.slice(0, 4)}***`);
  }
  const secrets = knownSecrets();
  if (secrets.values.length === 0) return out;
  if (registry?.version !== secrets.version) {
    registry = { version: secrets.version, matcher: compile(secrets.values) };
  }
  return maskWith(out, registry.matcher);
}
