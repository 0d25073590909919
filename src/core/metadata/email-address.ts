/**
 * Author-email / Maintainer-email: an RFC 5322 address list ([CM] "formatted as an RFC 822 address
 * list"), each address checked like PyPI does with email-validator (syntax only, no DNS).
 */

export interface AddressProblem {
  /** The list element as written (trimmed). */
  text: string;
  reason: string;
  /**
   * error: the address itself is invalid (or the list is not comma-separated). warning: only the
   * display name is malformed; PyPI validates just the address, so it accepts these.
   */
  severity: "error" | "warning";
}

type Token =
  | { kind: "atom"; text: string }
  | { kind: "quoted"; text: string }
  | { kind: "literal"; text: string }
  | { kind: "special"; text: string };

/** RFC 5322 atext, plus any non-ASCII character (RFC 6532 internationalized addresses). */
const ATEXT = /[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\u0080-\uffff]/u;
const WSP = /[ \t\r\n]/;

/** Splits one address (or the whole list) into tokens; comments and folding whitespace vanish. */
function tokenize(text: string): Token[] | string {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (WSP.test(c)) {
      i++;
    } else if (c === "(") {
      let depth = 0;
      for (; i < text.length; i++) {
        const d = text[i];
        if (d === "\\") i++;
        else if (d === "(") depth++;
        else if (d === ")" && --depth === 0) break;
      }
      if (depth !== 0) return "has an unclosed comment `(`";
      i++;
    } else if (c === '"') {
      let value = "";
      let closed = false;
      for (i++; i < text.length; i++) {
        const d = text[i] as string;
        if (d === "\\") value += text[++i] ?? "";
        else if (d === '"') {
          closed = true;
          break;
        } else value += d;
      }
      if (!closed) return 'has an unclosed quote `"`';
      tokens.push({ kind: "quoted", text: value });
      i++;
    } else if (c === "[") {
      const end = text.indexOf("]", i);
      if (end < 0) return "has an unclosed `[`";
      tokens.push({ kind: "literal", text: text.slice(i, end + 1) });
      i = end + 1;
    } else if (ATEXT.test(c)) {
      let j = i;
      while (j < text.length && ATEXT.test(text[j] as string)) j++;
      tokens.push({ kind: "atom", text: text.slice(i, j) });
      i = j;
    } else {
      tokens.push({ kind: "special", text: c });
      i++;
    }
  }
  return tokens;
}

/** Splits the token stream at top-level commas (commas inside `<...>` belong to obsolete routes). */
function splitList(tokens: Token[]): Token[][] {
  const items: Token[][] = [[]];
  let angle = 0;
  for (const token of tokens) {
    if (token.kind === "special" && token.text === "<") angle++;
    if (token.kind === "special" && token.text === ">") angle = Math.max(0, angle - 1);
    if (token.kind === "special" && token.text === "," && angle === 0) items.push([]);
    else items[items.length - 1]?.push(token);
  }
  return items;
}

const render = (tokens: Token[]): string =>
  tokens.map((t) => (t.kind === "quoted" ? `"${t.text}"` : t.text)).join(" ");

/**
 * Parses an address list and returns one problem per element that is not a valid mailbox with a
 * deliverable-looking address. Empty elements (a trailing comma) are tolerated like Python's
 * `email.utils.getaddresses`.
 */
export function checkAddressList(value: string): AddressProblem[] {
  const tokens = tokenize(value);
  if (typeof tokens === "string") return [{ text: value.trim(), reason: tokens, severity: "error" }];
  const problems: AddressProblem[] = [];
  for (const item of splitList(tokens)) {
    if (item.length === 0) continue;
    const verdict = checkMailbox(item);
    if (verdict !== undefined) problems.push({ text: render(item), ...verdict });
  }
  return problems;
}

const isSpecial = (t: Token | undefined, text: string): boolean => t?.kind === "special" && t.text === text;

const invalid = (reason: string) => ({ reason, severity: "error" as const });
const oddName = (reason: string) => ({ reason, severity: "warning" as const });

type Verdict = { reason: string; severity: "error" | "warning" } | undefined;

function checkMailbox(item: Token[]): Verdict {
  const open = item.findIndex((t) => isSpecial(t, "<"));
  const colon = item.findIndex((t) => isSpecial(t, ":"));
  const head = item[0]?.text.toLowerCase() ?? "";
  if (colon === 1 && ["http", "https", "ftp"].includes(head))
    return invalid("is a URL, not an e-mail address");
  if (item.some((t) => isSpecial(t, ";"))) return invalid("has a `;`: separate addresses with commas");
  if (open < 0) {
    if (colon >= 0) return invalid("has a `:`, which does not belong in an e-mail address");
    if (!item.some((t) => isSpecial(t, "@"))) return invalid("has no `@`: it is not an e-mail address");
    const problem = checkAddrSpec(item);
    return problem === undefined ? undefined : invalid(problem);
  }
  const close = item.findIndex((t) => isSpecial(t, ">"));
  if (close < open) return invalid("has a `<` without a closing `>`");
  const inner = item.slice(open + 1, close);
  if (inner.length === 0) return invalid("has an empty `<>`");
  const problem = checkAddrSpec(inner);
  if (problem !== undefined) return invalid(problem);
  // The address is fine; PyPI only judges the address, so a malformed display name is a warning.
  if (close !== item.length - 1) return oddName("has text after the closing `>`");
  const bad = item
    .slice(0, open)
    .find((t) => t.kind === "literal" || (t.kind === "special" && t.text !== "."));
  if (bad !== undefined) return oddName(`has \`${bad.text}\` in the display name: quote the name ("...")`);
  return undefined;
}

/** addr-spec = local-part "@" domain, then email-validator's syntax rules on each side. */
function checkAddrSpec(tokens: Token[]): string | undefined {
  const ats = tokens.flatMap((t, i) => (isSpecial(t, "@") ? [i] : []));
  if (ats.length === 0) return "has no `@`: it is not an e-mail address";
  if (ats.length > 1) return "has more than one `@`";
  const at = ats[0] as number;
  const local = tokens.slice(0, at);
  const domain = tokens.slice(at + 1);
  if (local.length === 0) return "has nothing before the `@`";
  if (domain.length === 0) return "has nothing after the `@`";
  if (local.some((t) => t.kind === "quoted")) return "has a quoted part before the `@`, which PyPI refuses";
  const localText = joinDotAtom(local);
  if (localText === undefined) return `has an invalid part before the \`@\` (${render(local)})`;
  if (domain.some((t) => t.kind === "literal"))
    return "has an IP address literal after the `@`, which PyPI refuses";
  const domainText = joinDotAtom(domain);
  if (domainText === undefined) return `has an invalid domain (${render(domain)})`;
  if ([...`${localText}@${domainText}`].length > 254) return "is longer than 254 characters";
  return checkLocalPart(localText) ?? checkDomain(domainText);
}

/** dot-atom = atom *("." atom); tokens must alternate atom and ".". */
function joinDotAtom(tokens: Token[]): string | undefined {
  let text = "";
  for (const [i, token] of tokens.entries()) {
    const wantAtom = i % 2 === 0;
    if (wantAtom ? token.kind !== "atom" : !isSpecial(token, ".")) {
      // A leading, trailing or doubled dot is reported with email-validator's own reasons.
      if (isSpecial(token, ".")) {
        text += ".";
        continue;
      }
      return undefined;
    }
    text += token.text;
  }
  return text;
}

function checkLocalPart(local: string): string | undefined {
  if (local.startsWith(".")) return "starts with a `.`";
  if (local.endsWith(".")) return "has a `.` right before the `@`";
  if (local.includes("..")) return "has two `.` in a row before the `@`";
  if ([...local].length > 64) return "has more than 64 characters before the `@`";
  if (/[\p{Cc}\p{Cf}\p{Z}]/u.test(local)) return "has an invisible or space character before the `@`";
  return undefined;
}

/** Reserved names email-validator refuses as not globally deliverable (IANA special-use domains). */
const SPECIAL_USE = ["arpa", "invalid", "local", "localhost", "onion", "test"];

function checkDomain(domain: string): string | undefined {
  if (domain.startsWith(".")) return "has a `.` right after the `@`";
  if (domain.endsWith(".")) return "ends with a `.`";
  if (domain.includes("..")) return "has two `.` in a row after the `@`";
  if (domain.length > 253) return "has a domain longer than 253 characters";
  const labels = domain.split(".");
  if (labels.length < 2) return `has a domain without a \`.\` (${domain})`;
  for (const label of labels) {
    if (!/^[\p{L}\p{N}\p{M}-]+$/u.test(label)) return `has invalid characters in the domain label "${label}"`;
    if (label.startsWith("-") || label.endsWith("-"))
      return `has a domain label starting or ending with "-" ("${label}")`;
    if (label.length > 63) return `has a domain label longer than 63 characters ("${label}")`;
  }
  const lower = domain.toLowerCase();
  const reserved = SPECIAL_USE.find((name) => lower === name || lower.endsWith(`.${name}`));
  if (reserved !== undefined) return `uses the reserved domain "${reserved}", which cannot receive mail`;
  if (!/\p{L}$/u.test(domain)) return "has a domain that does not end in a top-level domain name";
  return undefined;
}
