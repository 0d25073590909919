/**
 * Description-Content-Type ([CM]): a MIME type with parameters, checked the way
 * packaging.metadata `_process_description_content_type` does through Python's email header
 * parser: text/plain, text/x-rst or text/markdown; charset UTF-8 only; Markdown variant GFM or
 * CommonMark (case-sensitive).
 */
import type { Parsed } from "../result.ts";
import { fail, ok } from "../result.ts";

export interface ContentType {
  /** `type/subtype`, lower-cased. */
  type: string;
  /** Parameter names lower-cased, values unquoted (RFC 2231 values decoded). */
  params: ReadonlyMap<string, string>;
}

export const DESCRIPTION_TYPES = ["text/plain", "text/x-rst", "text/markdown"] as const;
export const MARKDOWN_VARIANTS = ["GFM", "CommonMark"] as const;

// RFC 2045 token: printable ASCII except space and tspecials.
const TOKEN = /^[!#$%&'*+\-.0-9A-Z^_`a-z{|}~]+/;
const CFWS = /^(?:[ \t]+|\((?:\\.|[^()\\])*\))*/;

const skip = (text: string): string => text.replace(CFWS, "");

/** Parses `type/subtype; name=value; ...` like email's ContentTypeHeader, refusing what it flags as a defect. */
export function parseContentType(value: string): Parsed<ContentType> {
  if (/[\x00-\x08\x0a-\x1f\x7f]/.test(value)) return fail("contains a control character or line break");
  let rest = skip(value);
  if (rest === "") return fail("is empty");
  const maintype = TOKEN.exec(rest)?.[0];
  if (maintype === undefined) return fail("does not start with a type/subtype");
  rest = skip(rest.slice(maintype.length));
  if (!rest.startsWith("/")) return fail(`has no "/subtype" after "${maintype}"`);
  rest = skip(rest.slice(1));
  const subtype = TOKEN.exec(rest)?.[0];
  if (subtype === undefined) return fail(`has no subtype after "${maintype}/"`);
  rest = rest.slice(subtype.length);
  // Python's parser folds a comment right after the subtype into it, so the type no longer matches.
  if (rest.startsWith(" (") || rest.startsWith("(")) return fail("has a comment after the subtype");
  rest = skip(rest);
  const params = new Map<string, string>();
  if (rest !== "" && !rest.startsWith(";"))
    return fail(`has "${rest}" after the type; only ";" parameters may follow`);
  const entries = splitParams(rest.slice(1));
  if (typeof entries === "string") return fail(entries);
  const pieces = new Map<string, { index: number; text: string; extended: boolean }[]>();
  for (const [i, entry] of entries.entries()) {
    const trimmed = skip(entry);
    if (trimmed === "") {
      if (i === entries.length - 1) continue;
      return fail("has an empty parameter (;;)");
    }
    const parsed = parseParam(trimmed);
    if (typeof parsed === "string") return fail(parsed);
    const list = pieces.get(parsed.name) ?? [];
    if (list.some((p) => p.index === parsed.index)) return fail(`repeats the parameter "${parsed.name}"`);
    list.push(parsed);
    pieces.set(parsed.name, list);
  }
  for (const [name, list] of pieces) params.set(name, joinRfc2231(list));
  return ok({ type: `${maintype}/${subtype}`.toLowerCase(), params });
}

function splitParams(text: string): string[] | string {
  const out: string[] = [];
  let current = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted && c === "\\") {
      current += c + (text[++i] ?? "");
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === ";" && !quoted) {
      out.push(current);
      current = "";
    } else current += c;
  }
  if (quoted) return "has an unclosed quoted string";
  out.push(current);
  return out;
}

function parseParam(text: string): { name: string; index: number; text: string; extended: boolean } | string {
  const attr = TOKEN.exec(text)?.[0];
  if (attr === undefined) return `has an invalid parameter "${text.trim()}"`;
  let rest = skip(text.slice(attr.length));
  if (!rest.startsWith("=")) return `has a parameter "${attr}" without a value`;
  rest = skip(rest.slice(1));
  let value: string;
  if (rest.startsWith('"')) {
    const end = /^"((?:\\.|[^"\\])*)"/.exec(rest);
    if (end === null) return `has an unclosed quoted value for "${attr}"`;
    value = (end[1] ?? "").replace(/\\(.)/g, "$1");
    rest = rest.slice(end[0].length);
  } else {
    const token = TOKEN.exec(rest)?.[0];
    if (token === undefined) return `has an empty value for "${attr}"`;
    value = token;
    rest = rest.slice(token.length);
  }
  if (skip(rest) !== "") return `has extra text after the value of "${attr}"`;
  // RFC 2231: name*=charset'lang'%xx (extended) and name*0=, name*1= (continuations).
  const m = /^(.*?)(?:\*(\d+))?(\*)?$/.exec(attr.toLowerCase());
  const name = m?.[1] ?? attr.toLowerCase();
  return { name, index: Number(m?.[2] ?? 0), text: value, extended: m?.[3] === "*" };
}

function joinRfc2231(list: { index: number; text: string; extended: boolean }[]): string {
  const sorted = [...list].sort((a, b) => a.index - b.index);
  let out = "";
  for (const [i, piece] of sorted.entries()) {
    let text = piece.text;
    if (piece.extended && i === 0) {
      const parts = text.split("'");
      if (parts.length >= 3) text = parts.slice(2).join("'");
    }
    out += piece.extended ? safeUnescape(text) : text;
  }
  return out;
}

function safeUnescape(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** packaging's rules on a parsed Description-Content-Type; the reason when it is refused. */
export function checkDescriptionContentType(value: string): string | undefined {
  const parsed = parseContentType(value);
  if (!parsed.ok) return parsed.error;
  const { type, params } = parsed.value;
  if (!(DESCRIPTION_TYPES as readonly string[]).includes(type) || !value.toLowerCase().includes(type)) {
    return `is "${type}", not one of ${DESCRIPTION_TYPES.join(", ")}`;
  }
  const charset = params.get("charset");
  if (charset !== undefined && charset.toLowerCase() !== "utf-8")
    return `declares charset "${charset}"; only UTF-8 is allowed`;
  const variant = params.get("variant");
  if (
    type === "text/markdown" &&
    variant !== undefined &&
    !(MARKDOWN_VARIANTS as readonly string[]).includes(variant)
  ) {
    return `declares the Markdown variant "${variant}"; use GFM or CommonMark (case-sensitive)`;
  }
  return undefined;
}
