/** SPDX licence expressions as PEP 639 and packaging.licenses accept them. */
import spdx from "../../data/spdx.json" with { type: "json" };
import { fail, ok, type Parsed } from "../result.ts";

export interface LicenseExpression {
  /** Canonical form: reference-case ids, upper-case operators (packaging's canonicalize_license_expression). */
  canonical: string;
  /** Licence ids used (canonical case, without `+`), LicenseRef- ids included as written. */
  licenses: string[];
  /** Exception ids used after WITH. */
  exceptions: string[];
  /** Ids that SPDX marks deprecated. */
  deprecated: string[];
}

/** The SPDX list version the shipped ids come from (see src/data/spdx.json `source`). */
export const SPDX_LICENSE_LIST_VERSION: string = spdx.licenseListVersion;

interface SpdxId {
  id: string;
  deprecated: boolean;
}

const table = (current: readonly string[], deprecated: readonly string[]): ReadonlyMap<string, SpdxId> =>
  new Map([
    ...current.map((id): [string, SpdxId] => [id.toLowerCase(), { id, deprecated: false }]),
    ...deprecated.map((id): [string, SpdxId] => [id.toLowerCase(), { id, deprecated: true }]),
  ]);

const LICENSES = table(spdx.licenses, spdx.deprecatedLicenses);
const EXCEPTIONS = table(spdx.exceptions, spdx.deprecatedExceptions);

/** Looks an SPDX licence id up case-insensitively (no `+`, no LicenseRef-). */
export function spdxLicense(id: string): SpdxId | undefined {
  return LICENSES.get(id.toLowerCase());
}

/** Looks an SPDX exception id up case-insensitively. */
export function spdxException(id: string): SpdxId | undefined {
  return EXCEPTIONS.get(id.toLowerCase());
}

// Python's str.split() separators (str.isspace): unlike JS `\s` it includes U+001C–U+001F and
// U+0085 and excludes U+FEFF. packaging tokenizes with it, so an expression splits the same here.
const PY_WHITESPACE = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;
const LICENSE_REF_ID = /^[A-Za-z0-9.-]+$/;
const LICENSE_REF = "licenseref-";
// CPython's tokenizer refuses more than 200 nested parentheses (MAXLEVEL), and packaging checks
// the grammar by compiling the expression as Python, so deeper nesting is invalid there too.
const MAX_DEPTH = 200;

type Token = { kind: "op"; op: "AND" | "OR" | "WITH" | "(" | ")" } | { kind: "id"; text: string };

function tokenize(text: string): Token[] {
  return text
    .replaceAll("(", " ( ")
    .replaceAll(")", " ) ")
    .split(PY_WHITESPACE)
    .filter((word) => word !== "")
    .map((word): Token => {
      // Lower-case comparison as in packaging: `toUpperCase` would also turn `wıth` (dotless ı) into WITH.
      const lower = word.toLowerCase();
      if (lower === "and" || lower === "or" || lower === "with" || lower === "(" || lower === ")") {
        return { kind: "op", op: lower.toUpperCase() as "AND" | "OR" | "WITH" | "(" | ")" };
      }
      return { kind: "id", text: word };
    });
}

/**
 * Checks the grammar `expr := term ((AND|OR) term)*`, `term := simple [WITH exception] | "(" expr ")"`,
 * where `simple` and `exception` are single identifier tokens. Returns the index of the first
 * token that does not fit, or -1 when the sequence is an expression.
 */
function grammarError(tokens: readonly Token[]): number {
  let depth = 0;
  // What may come next: a term start ("operand") or an operator/close ("operator").
  let expect: "operand" | "operator" = "operand";
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as Token;
    if (expect === "operand") {
      if (token.kind === "id") expect = "operator";
      else if (token.op === "(") {
        depth++;
        if (depth > MAX_DEPTH) return i;
      } else return i;
      continue;
    }
    if (token.kind === "id") return i;
    if (token.op === ")") {
      if (depth === 0) return i;
      depth--;
    } else if (token.op === "WITH") {
      // WITH binds a licence id (not a parenthesized group, not another exception) to an id.
      const previous = tokens[i - 1];
      const next = tokens[i + 1];
      const beforePrevious = tokens[i - 2];
      if (previous?.kind !== "id" || next?.kind !== "id") return i;
      if (beforePrevious?.kind === "op" && beforePrevious.op === "WITH") return i;
      expect = "operand";
    } else if (token.op === "(") return i;
    else expect = "operand";
  }
  return expect === "operand" || depth !== 0 ? tokens.length : -1;
}

/**
 * Parses a PEP 639 `License-Expression` with the rules of packaging 26.3
 * `canonicalize_license_expression` (what PyPI and twine apply): ids from the SPDX list shipped
 * with packaging, matched case-insensitively; `+` only on listed ids; `LicenseRef-[A-Za-z0-9.-]+`;
 * `WITH` followed by a listed exception; AND/OR/WITH in any case; balanced parentheses.
 * `DocumentRef-` and `AdditionRef-` are not supported and the empty string is invalid.
 */
export function parseLicenseExpression(text: string): Parsed<LicenseExpression> {
  const tokens = tokenize(text);
  const at = grammarError(tokens);
  if (text === "" || at >= 0) return fail(`invalid license expression "${text}"`);

  // packaging keeps the spelling of each LicenseRef after the prefix, the last one written
  // winning among spellings that differ only by case.
  const refSpelling = new Map<string, string>();
  for (const token of tokens) {
    if (token.kind === "id" && token.text.toLowerCase().startsWith(LICENSE_REF)) {
      refSpelling.set(token.text.toLowerCase(), `LicenseRef-${token.text.slice(LICENSE_REF.length)}`);
    }
  }

  const words: string[] = [];
  const licenses: string[] = [];
  const exceptions: string[] = [];
  const deprecated: string[] = [];
  for (const token of tokens) {
    if (token.kind === "op") {
      words.push(token.op);
      continue;
    }
    if (words[words.length - 1] === "WITH") {
      const exception = spdxException(token.text);
      if (!exception) return fail(`unknown license exception "${token.text}" in "${text}"`);
      words.push(exception.id);
      exceptions.push(exception.id);
      if (exception.deprecated) deprecated.push(exception.id);
      continue;
    }
    const lower = token.text.toLowerCase();
    const plus = lower.endsWith("+") ? "+" : "";
    const bare = plus ? lower.slice(0, -1) : lower;
    if (bare.startsWith(LICENSE_REF)) {
      if (plus || !LICENSE_REF_ID.test(bare.slice(LICENSE_REF.length))) {
        return fail(
          `invalid LicenseRef "${token.text}" in "${text}": use LicenseRef-[A-Za-z0-9.-]+ without "+"`,
        );
      }
      const ref = refSpelling.get(bare) ?? token.text;
      words.push(ref);
      licenses.push(ref);
      continue;
    }
    const license = spdxLicense(bare);
    if (!license)
      return fail(`unknown license "${plus ? token.text.slice(0, -1) : token.text}" in "${text}"`);
    words.push(`${license.id}${plus}`);
    licenses.push(license.id);
    if (license.deprecated) deprecated.push(license.id);
  }
  const canonical = words.join(" ").replaceAll("( ", "(").replaceAll(" )", ")");
  return ok({ canonical, licenses, exceptions, deprecated });
}
