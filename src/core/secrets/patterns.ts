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
  /**
   * The rules of `scan`'s table (rules.ts) for the same token formats. check keeps its own
   * streaming regex and placeholder test so its findings stay as they were; a test holds the
   * two tables to the same formats.
   */
  scanRules?: readonly string[];
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
    scanRules: ["pypi-upload-token"],
    boundary: TOKEN_CHAR,
  },
  {
    id: "SEC09",
    what: "TestPyPI API token",
    anchor: "pypi-AgE",
    source: "pypi-AgENdGVzdC5weXBpLm9yZw[A-Za-z0-9_-]{50,}",
    scanRules: ["testpypi-upload-token"],
    boundary: TOKEN_CHAR,
  },
  // The PEM header alone appears in code that parses keys; a key has base64 right after it.
  {
    id: "SEC09",
    what: "private key",
    anchor: "PRIVATE KEY",
    scanRules: ["private-key"],
    source:
      "-----BEGIN (?:[A-Z]+ )*PRIVATE KEY(?: BLOCK)?-----(?:\\r?\\n[A-Za-z-]+:[^\\n]*)*\\s*[A-Za-z0-9+/]{40}",
  },
  {
    id: "SEC09",
    what: "AWS access key id",
    anchor: "AKIA",
    source: "AKIA[0-9A-Z]{16}",
    scanRules: ["aws-access-token"],
    boundary: ALNUM,
    randomFrom: 4,
  },
  {
    id: "SEC09",
    what: "GitHub token",
    anchor: "gh[pousr]_",
    source: "gh[pousr]_[A-Za-z0-9]{36}",
    scanRules: ["github-pat", "github-oauth", "github-app-token", "github-refresh-token"],
    boundary: TOKEN_CHAR,
    randomFrom: 4,
  },
  {
    id: "SEC09",
    what: "GitHub fine-grained token",
    anchor: "github_pat_",
    source: "github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}",
    scanRules: ["github-fine-grained-pat"],
    boundary: TOKEN_CHAR,
    randomFrom: 11,
  },
  {
    id: "SEC09",
    what: "npm token",
    anchor: "npm_",
    source: "npm_[A-Za-z0-9]{36}",
    scanRules: ["npm-access-token"],
    boundary: TOKEN_CHAR,
    randomFrom: 4,
  },
  {
    id: "SEC09",
    what: "Slack token",
    anchor: "xox[baprs]-",
    source: "xox[baprs]-[0-9]{6,}-[A-Za-z0-9-]{8,}",
    scanRules: ["slack-bot-token", "slack-user-token"],
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
  /**
   * The secrets a credential file holds, read from its text (the reader keeps such files, see
   * isCredentialFile): when every one is a placeholder, nothing leaks.
   */
  values?: (text: string) => string[];
}

/** `password <value>` tokens of a .netrc. */
const netrcPasswords = (text: string): string[] => {
  const tokens = text.split(/\s+/);
  return tokens.flatMap((t, i) => (t === "password" && tokens[i + 1] ? [tokens[i + 1]!] : []));
};

/** `key = value` (or `key: value`) lines of an INI file, for the given keys. */
const iniValues =
  (keys: readonly string[]) =>
  (text: string): string[] =>
    text.split(/\r?\n/).flatMap((line) => {
      const m = /^\s*([\w.-]+)\s*[=:]\s*(.*?)\s*$/.exec(line);
      return m !== null && keys.includes(m[1]!.toLowerCase()) && m[2] !== "" ? [m[2]!] : [];
    });

/** The passwords of `scheme://user:password@host` lines (git's credential store). */
const urlPasswords = (text: string): string[] =>
  [...text.matchAll(/^[a-z][\w+.-]*:\/\/[^:/\s@]*:([^@\s]+)@/gim)].map((m) => m[1]!);

/** Credential files whose text the reader keeps (small) so SEC08 can tell placeholders. */
export const CREDENTIAL_FILE_MAX = 64 * 1024;
export const isCredentialFile = (path: string): boolean =>
  /(^|\/)(\.netrc|_netrc|\.pypirc|\.git-credentials|\.aws\/credentials)$/.test(path);

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
  {
    what: "a .pypirc with index credentials",
    severity: "error",
    test: (_p, b) => b === ".pypirc",
    values: iniValues(["password"]),
  },
  {
    what: "a .netrc with passwords",
    severity: "error",
    test: (_p, b) => b === ".netrc" || b === "_netrc",
    values: netrcPasswords,
  },
  {
    what: "a git credential store",
    severity: "error",
    test: (_p, b) => b === ".git-credentials",
    values: urlPasswords,
  },
  {
    what: "an AWS credentials file",
    severity: "error",
    test: (p) => /(^|\/)\.aws\/credentials$/.test(p),
    values: iniValues(["aws_secret_access_key", "aws_session_token"]),
  },
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
 * Directories of material that is not the product: tests and their data, examples and
 * documentation. Real sdists ship credentials there on purpose: requests' tests/certs,
 * aiohttp's examples/server.key, cryptography's docs, urllib3's dummyserver/certs. Matched on
 * each directory of the path (an sdist's without its top directory).
 */
export const FIXTURE_DIRS =
  /^(tests?|testing|test[_-]?data|fixtures?|examples?|docs?|self[_-]?tests?|dummy[^/]*)$/i;

/**
 * File names of the same: test modules (pycryptodome, jwcrypto and ecdsa keep key fixtures in
 * `test_*.py`, `*_test.py`, `tests.py`, `conftest.py`) and `test_*`, `dummy*`, `fake*` files.
 */
export const FIXTURE_FILES = /^(test_[^/]*|[^/]*_test\.[^./]+|tests\.py|conftest\.py|(dummy|fake)[^/]*)$/i;

/** What makes a path test or documentation material: the fixture directory's path, or the file. */
export function fixtureOf(path: string): { dir: string } | { file: string } | undefined {
  const parts = path.split("/");
  for (let i = 0; i < parts.length - 1; i++) {
    if (FIXTURE_DIRS.test(parts[i]!)) return { dir: parts.slice(0, i + 1).join("/") };
  }
  return FIXTURE_FILES.test(parts.at(-1) ?? "") ? { file: path } : undefined;
}

/** Test suites ship fake keys on purpose; findings there are warnings, not errors. */
export const isTestPath = (path: string): boolean => fixtureOf(path) !== undefined;

/**
 * Words that mark a credential as a stand-in, looked for (ignoring case) in the matched text:
 * a finding on one is a warning whose hint never says "rotate". Listed in docs/check.md.
 */
export const PLACEHOLDERS: readonly string[] = [
  "example",
  "changeme",
  "change-me",
  "change_me",
  "placeholder",
  "dummy",
  "fake",
  "sample",
  "xxxx",
  "your-api-key",
  "your_api_key",
  "yourapikey",
  "your-token",
  "your_token",
  "yourtoken",
  "<token>",
  "secret123",
  "password123",
  "redacted",
  "notreal",
  "not-real",
  "not_real",
  "replaceme",
  "replace-me",
];

/** The placeholder word `text` contains, if any. */
export function placeholderIn(text: string): string | undefined {
  const lower = text.toLowerCase();
  return PLACEHOLDERS.find((p) => lower.includes(p));
}

/** The `[tool.slipway.check]` line that allows a path, for hints. */
export const allowLine = (glob: string): string =>
  `[tool.slipway.check] allow-secrets = ["${glob}"] in pyproject.toml (or --ignore SEC08,SEC09)`;

/**
 * Why a secret-looking finding is a warning, and what to do: a path or line that holds test or
 * documentation material, or a placeholder value. `path` is relative to the project (an sdist
 * without its top directory) or the wheel root; undefined when nothing makes it benign.
 */
export function benignReason(
  path: string,
  options: { codeBlock?: boolean; placeholder?: string } = {},
): { why: string; hint: string } | undefined {
  if (options.placeholder !== undefined) {
    return {
      why: `with a placeholder value ("${options.placeholder}")`,
      hint: `This looks like a placeholder, not a credential: if it is one, nothing leaks. To silence it, allow the file: ${allowLine(path)}.`,
    };
  }
  const fixture = fixtureOf(path);
  const glob = fixture === undefined ? path : "dir" in fixture ? `${fixture.dir}/**` : fixture.file;
  const where =
    fixture !== undefined && "dir" in fixture
      ? `in test or documentation material (${fixture.dir}/)`
      : fixture !== undefined
        ? "in a test file"
        : options.codeBlock === true
          ? "in a code block of the document"
          : undefined;
  if (where === undefined) return undefined;
  return {
    why: where,
    hint: `Shipped on purpose as a test fixture or documentation example? Then allow it: ${allowLine(glob)}. If it is a live credential, revoke it and remove it from the package.`,
  };
}
