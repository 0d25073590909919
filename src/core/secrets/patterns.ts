/**
 * What a leaked secret or an obfuscated payload looks like inside a distribution: file names
 * (SEC08), token formats (SEC09) and encrypted-code markers PyPI's scanner refuses (SEC11).
 * Sources: PyPI `warehouse/utils/scanner_rules/*.yar`, the token formats the issuers
 * document, and the leaks in astral-sh/uv#10556 and PyO3/maturin-action#193.
 */

export interface ContentRule {
  id: "SEC09" | "SEC11";
  /** Short name used in messages: "PyPI API token", "PyArmor runtime hook". */
  what: string;
  /** Regular-expression source (no flags); matched on latin1-decoded bytes. */
  source: string;
  /**
   * A literal part (regex source) every match contains: one fast pass looks for the anchors
   * and the full patterns only run around what it finds.
   */
  anchor: string;
  /** Characters that may not touch the match on either side (keeps tokens whole). */
  boundary?: RegExp;
  /** The token part that must look random: fewer distinct characters means a placeholder. */
  randomFrom?: number;
  /** Matches only count when this other rule also matched in the same member. */
  requires?: string;
  /** Shown in findings: true for markers that are not secrets themselves. */
  showMatch?: boolean;
}

const ALNUM = /[A-Za-z0-9]/;
const TOKEN_CHAR = /[A-Za-z0-9_-]/;

export const CONTENT_RULES: readonly ContentRule[] = [
  // PyPI tokens are macaroons whose first bytes encode the issuing domain (pypi.org /
  // test.pypi.org): that prefix is specific enough that even placeholder-looking ones count.
  {
    id: "SEC09",
    what: "PyPI API token",
    anchor: "pypi-AgE",
    source: "pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}",
    boundary: TOKEN_CHAR,
  },
  {
    id: "SEC09",
    what: "TestPyPI API token",
    anchor: "pypi-AgE",
    source: "pypi-AgENdGVzdC5weXBpLm9yZw[A-Za-z0-9_-]{50,}",
    boundary: TOKEN_CHAR,
  },
  // The PEM header alone appears in code that parses keys; a key has base64 right after it.
  {
    id: "SEC09",
    what: "private key",
    anchor: "PRIVATE KEY",
    source:
      "-----BEGIN (?:[A-Z]+ )*PRIVATE KEY(?: BLOCK)?-----(?:\\r?\\n[A-Za-z-]+:[^\\n]*)*\\s*[A-Za-z0-9+/]{40}",
  },
  {
    id: "SEC09",
    what: "AWS access key id",
    anchor: "AKIA",
    source: "AKIA[0-9A-Z]{16}",
    boundary: ALNUM,
    randomFrom: 4,
  },
  {
    id: "SEC09",
    what: "GitHub token",
    anchor: "gh[pousr]_",
    source: "gh[pousr]_[A-Za-z0-9]{36}",
    boundary: TOKEN_CHAR,
    randomFrom: 4,
  },
  {
    id: "SEC09",
    what: "GitHub fine-grained token",
    anchor: "github_pat_",
    source: "github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}",
    boundary: TOKEN_CHAR,
    randomFrom: 11,
  },
  {
    id: "SEC09",
    what: "npm token",
    anchor: "npm_",
    source: "npm_[A-Za-z0-9]{36}",
    boundary: TOKEN_CHAR,
    randomFrom: 4,
  },
  {
    id: "SEC09",
    what: "Slack token",
    anchor: "xox[baprs]-",
    source: "xox[baprs]-[0-9]{6,}-[A-Za-z0-9-]{8,}",
    boundary: TOKEN_CHAR,
    randomFrom: 5,
  },
  // warehouse scanner_rules/pyarmor.yar: any of these strings.
  {
    id: "SEC11",
    what: "PyArmor-encrypted code",
    anchor: "__pyarmor_",
    source: "__pyarmor__\\(__name__, __file__,",
    showMatch: true,
  },
  {
    id: "SEC11",
    what: "PyArmor runtime hook",
    anchor: "__pyarmor_",
    source: "__pyarmor_(?:enter|exit|assert|bcc)__",
    showMatch: true,
  },
  // warehouse scanner_rules/sourcedefender.yar: both markers.
  {
    id: "SEC11",
    what: "SourceDefender-encrypted code",
    anchor: "PYE FILE---",
    source: "---BEGIN PYE FILE---",
    requires: "---END PYE FILE---",
    showMatch: true,
  },
];

/** Markers only looked for as the partner of a `requires` rule. */
export const PARTNER_MARKERS: readonly string[] = CONTENT_RULES.flatMap((r) =>
  r.requires ? [r.requires] : [],
);

/** First 4 characters and an ellipsis: enough to recognise a token, useless to an attacker. */
export const redact = (secret: string): string => `${secret.slice(0, 4)}…`;

/** True when `value` (from `randomFrom` on) has too few distinct characters to be a real token. */
export function looksLikePlaceholder(value: string, randomFrom: number): boolean {
  const body = value.slice(randomFrom);
  if (/EXAMPLE|example|XXXX|xxxx/.test(value)) return true;
  return new Set(body).size < 8;
}

export interface NameRule {
  what: string;
  severity: "error" | "warning";
  /** Tested against the member's path with the sdist top directory removed. */
  test: (path: string, base: string) => boolean;
}

const ENV_TEMPLATES = /^\.env\.(example|sample|template|dist|defaults?|tmpl|in)$/i;

/** SEC08: files that hold credentials or key material by their very name. */
export const NAME_RULES: readonly NameRule[] = [
  {
    what: "an SSH private key",
    severity: "error",
    test: (_p, b) => /^id_(rsa|dsa|ecdsa|ed25519)(_sk)?$/.test(b),
  },
  { what: "a PKCS#12 key store", severity: "error", test: (_p, b) => /\.(p12|pfx)$/i.test(b) },
  { what: "a KeePass database", severity: "error", test: (_p, b) => /\.kdbx$/i.test(b) },
  { what: "a .pypirc with index credentials", severity: "error", test: (_p, b) => b === ".pypirc" },
  { what: "a .netrc with passwords", severity: "error", test: (_p, b) => b === ".netrc" || b === "_netrc" },
  { what: "a git credential store", severity: "error", test: (_p, b) => b === ".git-credentials" },
  { what: "an AWS credentials file", severity: "error", test: (p) => /(^|\/)\.aws\/credentials$/.test(p) },
  {
    what: "an environment file",
    severity: "warning",
    test: (_p, b) => (b === ".env" || /^\.env\./.test(b)) && !ENV_TEMPLATES.test(b),
  },
  { what: "an .npmrc (may hold a registry token)", severity: "warning", test: (_p, b) => b === ".npmrc" },
  { what: "a PEM file (certificate or key)", severity: "warning", test: (_p, b) => /\.pem$/i.test(b) },
  { what: "a key file", severity: "warning", test: (_p, b) => /\.key$/i.test(b) },
  {
    what: "a credentials file",
    severity: "warning",
    test: (_p, b) => /^(credentials|client_secrets?|service[-_]account)\.json$/i.test(b),
  },
  { what: "a SQLite database dump", severity: "warning", test: (_p, b) => /\.(sqlite3?|db3)$/i.test(b) },
];

/**
 * Test suites ship fake keys on purpose; findings there are warnings, not errors. A test lives
 * under a test directory (`tests/`, `SelfTest/`, `testdata/`, `fixtures/`) or in a test module
 * (`test_x.py`, `x_test.py`, `tests.py`, `conftest.py`): crypto libraries such as pycryptodome,
 * jwcrypto and ecdsa ship their key fixtures that way in their wheels.
 */
export const isTestPath = (path: string): boolean =>
  /(^|\/)(tests?|testing|self_?tests?|test_?data|fixtures?)\//i.test(path) ||
  /(^|\/)(test_[^/]*|[^/]*_test\.py|tests\.py|conftest\.py)$/i.test(path);
