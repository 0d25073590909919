/**
 * Decoding a quoted marker constant the way packaging does: it hands the token to Python's
 * `ast.literal_eval`, so backslash escapes work although the spec leaves them undefined
 * ("Environment Markers": "backslash escapes are not defined, but existing implementations do
 * support them").
 */
import { fail, ok, type Parsed } from "../result.ts";

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  "\n": "",
  "\\": "\\",
  "'": "'",
  '"': '"',
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
};

/**
 * The value of a quoted string token (`'…'` or `"…"`, no quote of its kind inside). Fails where
 * Python's tokenizer does: a raw line break or NUL, a lone surrogate, a dangling backslash, a
 * malformed `\x`/`\u`/`\U` escape. `\N{name}` escapes are refused (no Unicode name table here),
 * where Python would accept a known name.
 */
export function decodePythonString(token: string): Parsed<string> {
  const body = token.slice(1, -1);
  if (!body.includes("\\")) return RAW_FORBIDDEN.test(body) ? fail(RAW_MESSAGE) : ok(body);
  let out = "";
  let i = 0;
  while (i < body.length) {
    const c = body[i]!;
    if (c !== "\\") {
      const code = c.charCodeAt(0);
      if (code === 0x0a || code === 0x0d || code === 0) return fail(RAW_MESSAGE);
      if (code >= 0xd800 && code <= 0xdfff) {
        const low = body.charCodeAt(i + 1);
        if (code > 0xdbff || !(low >= 0xdc00 && low <= 0xdfff)) return fail(RAW_MESSAGE);
        out += body.slice(i, i + 2);
        i += 2;
        continue;
      }
      out += c;
      i++;
      continue;
    }
    // Python reads CRLF and CR as LF before tokenizing, so `\` + CR(LF) continues the line.
    let next = body[i + 1];
    let width = 2;
    if (next === "\r") {
      next = "\n";
      if (body[i + 2] === "\n") width = 3;
    }
    if (next === undefined)
      return fail("a backslash at the end of a quoted string escapes the closing quote");
    const simple = SIMPLE_ESCAPES[next];
    if (simple !== undefined) {
      out += simple;
      i += width;
    } else if (next >= "0" && next <= "7") {
      let end = i + 2;
      while (end < i + 4 && end < body.length && body[end]! >= "0" && body[end]! <= "7") end++;
      out += String.fromCharCode(Number.parseInt(body.slice(i + 1, end), 8));
      i = end;
    } else if (next === "x" || next === "u" || next === "U") {
      const digits = next === "x" ? 2 : next === "u" ? 4 : 8;
      const hex = body.slice(i + 2, i + 2 + digits);
      if (!HEX.test(hex) || hex.length !== digits)
        return fail(`truncated \\${next} escape in a quoted string`);
      const point = Number.parseInt(hex, 16);
      if (point > 0x10ffff) return fail(`\\U escape beyond U+10FFFF in a quoted string`);
      out += String.fromCodePoint(point);
      i += 2 + digits;
    } else if (next === "N") {
      return fail("named Unicode escapes (\\N{…}) in a quoted string are not supported");
    } else {
      // An unknown escape keeps its backslash (Python warns but accepts it).
      out += "\\";
      i++;
    }
  }
  return ok(out);
}

const HEX = /^[0-9a-fA-F]*$/;
// What Python's tokenizer refuses inside a one-line string literal.
const RAW_FORBIDDEN = /[\n\r\0]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const RAW_MESSAGE = "a quoted string may not contain a raw line break, NUL or lone surrogate";
