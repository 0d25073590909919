/**
 * The secret rule table of `slipway scan`, as data: one entry per token format, in the shape of
 * a gitleaks rule (id, description, regex, keywords, entropy, secret group, allowlists) so a
 * project's `.gitleaks.toml` rules load into the same table (gitleaks-config.ts).
 *
 * Regexes are gitleaks' (config/gitleaks.toml at b58d3f1, reference/security-ci.md §1.10)
 * ported to JavaScript: a leading `(?i)` becomes the `i` flag, `SG\.(?i)[a-z…]` and
 * `hf_(?i:[a-z]{34})` spell both cases out. Rules gitleaks lacks are marked "slipway".
 */

/** gitleaks' allowlist: a finding is dropped when it matches (any part, or all with AND). */
export interface SecretAllowlist {
  description?: string;
  condition?: "OR" | "AND";
  /** Regexes (JS source) on the secret, the whole match or the line (`regexTarget`). */
  regexes?: readonly string[];
  regexTarget?: "secret" | "match" | "line";
  /** Regexes (JS source) on the file's path. */
  paths?: readonly string[];
  /** Lower-case words: the secret containing one (ignoring case) is not a secret. */
  stopwords?: readonly string[];
  /** Commit ids (history scans). */
  commits?: readonly string[];
  /** A global allowlist applied to these rules only (gitleaks `targetRules`). */
  targetRules?: readonly string[];
}

export interface SecretRule {
  id: string;
  description: string;
  /**
   * JavaScript RegExp source; `flags` (from `i`, `m`, `s`) adds `i` when the whole pattern
   * ignores case. Empty for a rule on the file's path alone (`path`).
   */
  regex: string;
  flags?: string;
  /** A regex (JS source) the file's path must match for the rule to apply (gitleaks `path`). */
  path?: string;
  /**
   * Lower-case literals one of which every match contains: one pass over the text finds the
   * keywords present and only their rules' regexes run. A rule without keywords always runs.
   */
  keywords: readonly string[];
  /** The secret's Shannon entropy (bits per character) must be above this. */
  entropy?: number;
  /** The capture group holding the secret; default the first group that matched, or the match. */
  secretGroup?: number;
  allowlists?: readonly SecretAllowlist[];
  /** A check of the token's own structure: GitHub's CRC32 checksum (github-checksum.ts). */
  validate?: "github-crc32";
  /** Where the rule comes from, for docs/scan-rules.md. */
  source: "gitleaks" | "slipway" | "detect-secrets" | "user";
}

/**
 * gitleaks' generated end of a unique-prefix token: a quote, blank, `;`, `\n` escape or the end;
 * and an escaped quote or tab, which is how a token ends inside a JSON string (a notebook's
 * `"source": ["KEY = \"sk-…\"\n"]`).
 */
const END = "(?:[\\x60'\"\\s;]|\\\\[nrt\"']|$)";

/** Placeholder-looking GitHub tokens (all one character): the CRC32 check drops them anyway. */
const GITHUB_PLACEHOLDERS: SecretAllowlist = { regexes: ["^gh[pousr]_(?:(.)\\1{35})$"] };

export const SECRET_RULES: readonly SecretRule[] = [
  {
    id: "pypi-upload-token",
    description: "PyPI upload token",
    regex: "pypi-AgEIcHlwaS5vcmc[\\w-]{50,1000}",
    keywords: ["pypi-ageichlwas5vcmc"],
    entropy: 3,
    source: "gitleaks",
  },
  // gitleaks has no TestPyPI rule; detect-secrets' pypi_token plugin does (security-ci.md §1.9).
  {
    id: "testpypi-upload-token",
    description: "TestPyPI upload token",
    regex: "pypi-AgENdGVzdC5weXBpLm9yZw[\\w-]{50,1000}",
    keywords: ["pypi-agendgvzdc5wexbplm9yzw"],
    entropy: 3,
    source: "detect-secrets",
  },
  {
    id: "github-pat",
    description: "GitHub personal access token (classic)",
    regex: "ghp_[0-9a-zA-Z]{36}",
    keywords: ["ghp_"],
    entropy: 3,
    allowlists: [GITHUB_PLACEHOLDERS],
    validate: "github-crc32",
    source: "gitleaks",
  },
  {
    id: "github-fine-grained-pat",
    description: "GitHub fine-grained personal access token",
    regex: "github_pat_\\w{82}",
    keywords: ["github_pat_"],
    entropy: 3,
    source: "gitleaks",
  },
  {
    id: "github-oauth",
    description: "GitHub OAuth access token",
    regex: "gho_[0-9a-zA-Z]{36}",
    keywords: ["gho_"],
    entropy: 3,
    validate: "github-crc32",
    source: "gitleaks",
  },
  {
    id: "github-app-token",
    description: "GitHub App user-to-server or installation token",
    regex: "(?:ghu|ghs)_[0-9a-zA-Z]{36}",
    keywords: ["ghu_", "ghs_"],
    entropy: 3,
    allowlists: [GITHUB_PLACEHOLDERS],
    validate: "github-crc32",
    source: "gitleaks",
  },
  {
    id: "github-refresh-token",
    description: "GitHub refresh token",
    regex: "ghr_[0-9a-zA-Z]{36}",
    keywords: ["ghr_"],
    entropy: 3,
    validate: "github-crc32",
    source: "gitleaks",
  },
  {
    id: "gitlab-pat",
    description: "GitLab personal access token",
    regex: "glpat-[\\w-]{20}",
    keywords: ["glpat-"],
    entropy: 3,
    source: "gitleaks",
  },
  {
    id: "gitlab-ptt",
    description: "GitLab pipeline trigger token",
    regex: "glptt-[0-9a-f]{40}",
    keywords: ["glptt-"],
    entropy: 3,
    source: "gitleaks",
  },
  {
    id: "gitlab-deploy-token",
    description: "GitLab deploy token",
    regex: "gldt-[0-9a-zA-Z_\\-]{20}",
    keywords: ["gldt-"],
    entropy: 3,
    source: "gitleaks",
  },
  {
    id: "gitlab-cicd-job-token",
    description: "GitLab CI/CD job token",
    regex: "glcbt-[0-9a-zA-Z]{1,5}_[0-9a-zA-Z_-]{20}",
    keywords: ["glcbt-"],
    entropy: 3,
    source: "gitleaks",
  },
  {
    id: "gitlab-runner-authentication-token",
    description: "GitLab runner authentication token",
    regex: "glrt-[0-9a-zA-Z_\\-]{20}",
    keywords: ["glrt-"],
    entropy: 3,
    source: "gitleaks",
  },
  {
    id: "aws-access-token",
    description: "AWS access key id",
    regex: "\\b((?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\\b",
    keywords: ["a3t", "akia", "asia", "abia", "acca"],
    entropy: 3,
    allowlists: [{ regexes: [".+EXAMPLE$"] }],
    source: "gitleaks",
  },
  // gitleaks has no rule for the secret half (security-ci.md §1.10 gaps); secretlint does.
  {
    id: "aws-secret-access-key",
    description: "AWS secret access key",
    regex: "aws_?secret_?access_?key[\"']?\\s*(?:=|:|=>)\\s*[\"']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])",
    flags: "i",
    keywords: ["secret_access_key", "secretaccesskey"],
    entropy: 3.5,
    source: "slipway",
  },
  {
    id: "aws-amazon-bedrock-api-key-long-lived",
    description: "Amazon Bedrock long-lived API key",
    regex: `\\b(ABSK[A-Za-z0-9+/]{109,269}={0,2})${END}`,
    keywords: ["absk"],
    entropy: 3,
    source: "gitleaks",
  },
  {
    id: "gcp-api-key",
    description: "Google Cloud / Gemini API key",
    regex: `\\b(AIza[\\w-]{35})${END}`,
    keywords: ["aiza"],
    entropy: 4,
    source: "gitleaks",
  },
  // A service-account JSON file: its private key is caught by private-key too, inside the
  // JSON string; the key id names the file even when the key itself was cut.
  {
    id: "gcp-service-account",
    description: "Google Cloud service-account key (JSON)",
    regex: '"private_key_id"\\s*:\\s*"([a-f0-9]{40})"',
    keywords: ["private_key_id"],
    entropy: 3,
    source: "slipway",
  },
  {
    id: "azure-ad-client-secret",
    description: "Azure AD client secret",
    regex:
      "(?:^|[\\\\'\"\\x60\\s>=:(,)])([a-zA-Z0-9_~.]{3}\\dQ~[a-zA-Z0-9_~.-]{31,34})(?:$|[\\\\'\"\\x60\\s<),])",
    keywords: ["q~"],
    entropy: 3,
    source: "gitleaks",
  },
  {
    id: "azure-storage-account-key",
    description: "Azure storage account key in a connection string",
    regex: "AccountKey=([A-Za-z0-9+/]{86}==)",
    keywords: ["accountkey="],
    entropy: 4,
    source: "slipway",
  },
  {
    id: "openai-api-key",
    description: "OpenAI API key",
    regex: `\\b(sk-(?:proj|svcacct|admin)-(?:[A-Za-z0-9_-]{74}|[A-Za-z0-9_-]{58})T3BlbkFJ(?:[A-Za-z0-9_-]{74}|[A-Za-z0-9_-]{58})\\b|sk-[a-zA-Z0-9]{20}T3BlbkFJ[a-zA-Z0-9]{20})${END}`,
    keywords: ["t3blbkfj"],
    entropy: 3,
    source: "gitleaks",
  },
  {
    id: "anthropic-api-key",
    description: "Anthropic API key",
    regex: `\\b(sk-ant-api03-[a-zA-Z0-9_\\-]{93}AA)${END}`,
    keywords: ["sk-ant-api03"],
    source: "gitleaks",
  },
  {
    id: "anthropic-admin-api-key",
    description: "Anthropic admin API key",
    regex: `\\b(sk-ant-admin01-[a-zA-Z0-9_\\-]{93}AA)${END}`,
    keywords: ["sk-ant-admin01"],
    source: "gitleaks",
  },
  {
    id: "huggingface-access-token",
    description: "Hugging Face access token",
    regex: `\\b(hf_[a-zA-Z]{34})${END}`,
    keywords: ["hf_"],
    entropy: 2,
    source: "gitleaks",
  },
  {
    id: "perplexity-api-key",
    description: "Perplexity API key",
    regex: `\\b(pplx-[a-zA-Z0-9]{48})(?:[\\x60'"\\s;]|\\\\[nr]|$|\\b)`,
    keywords: ["pplx-"],
    entropy: 4,
    source: "gitleaks",
  },
  {
    id: "slack-bot-token",
    description: "Slack bot token",
    regex: "xoxb-[0-9]{10,13}-[0-9]{10,13}[a-zA-Z0-9-]*",
    keywords: ["xoxb"],
    entropy: 3,
    source: "gitleaks",
  },
  {
    id: "slack-user-token",
    description: "Slack user token",
    regex: "xox[pe](?:-[0-9]{10,13}){3}-[a-zA-Z0-9-]{28,34}",
    keywords: ["xoxp-", "xoxe-"],
    entropy: 2,
    source: "gitleaks",
  },
  {
    id: "slack-app-token",
    description: "Slack app-level token",
    regex: "xapp-\\d-[A-Z0-9]+-\\d+-[a-z0-9]+",
    flags: "i",
    keywords: ["xapp"],
    entropy: 2,
    source: "gitleaks",
  },
  {
    id: "slack-webhook-url",
    description: "Slack incoming webhook URL",
    regex: "(?:https?://)?hooks.slack.com/(?:services|workflows|triggers)/[A-Za-z0-9+/]{43,56}",
    keywords: ["hooks.slack.com"],
    source: "gitleaks",
  },
  {
    id: "private-key",
    description: "Private key (PEM)",
    // gitleaks' body is any 64 characters up to the next `KEY-----`, which reaches from a header
    // named in code (a test's `find: "-----BEGIN PRIVATE KEY-----"`) to the next one far below.
    // A key's body is base64 in lines, as written in a file, a YAML block, a JSON or Python
    // string (`\n` escapes, quotes, concatenation) or with an encrypted key's `Proc-Type:` and
    // `DEK-Info:` headers: never braces, brackets, parentheses or `;`.
    regex:
      "-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----[A-Za-z0-9+/=\\s\\\\\"',:.+-]{64,}?KEY(?: BLOCK)?-----",
    flags: "i",
    keywords: ["-----begin"],
    source: "gitleaks",
  },
  {
    id: "npm-access-token",
    description: "npm access token",
    regex: `\\b(npm_[a-z0-9]{36})${END}`,
    flags: "i",
    keywords: ["npm_"],
    entropy: 2,
    source: "gitleaks",
  },
  {
    id: "codecov-access-token",
    description: "Codecov access token",
    regex: `[\\w.-]{0,50}?(?:codecov)(?:[ \\t\\w.-]{0,20})[\\s'"]{0,3}(?:=|>|:{1,3}=|\\|\\||:|=>|\\?=|,)[\\x60'"\\s=]{0,5}([a-z0-9]{32})${END}`,
    flags: "i",
    keywords: ["codecov"],
    source: "gitleaks",
  },
  {
    id: "stripe-access-token",
    description: "Stripe secret or restricted key",
    regex: `\\b((?:sk|rk)_(?:test|live|prod)_[a-zA-Z0-9]{10,99})${END}`,
    keywords: ["sk_test", "sk_live", "sk_prod", "rk_test", "rk_live", "rk_prod"],
    entropy: 2,
    source: "gitleaks",
  },
  {
    id: "sendgrid-api-token",
    description: "SendGrid API token",
    regex: `\\b(SG\\.[a-zA-Z0-9=_\\-.]{66})${END}`,
    keywords: ["sg."],
    entropy: 2,
    source: "gitleaks",
  },
  {
    id: "databricks-api-token",
    description: "Databricks API token",
    regex: `\\b(dapi[a-f0-9]{32}(?:-\\d)?)${END}`,
    keywords: ["dapi"],
    entropy: 3,
    source: "gitleaks",
  },
  {
    id: "jwt",
    description: "JSON Web Token",
    regex: `\\b(ey[a-zA-Z0-9]{17,}\\.ey[a-zA-Z0-9/\\\\_-]{17,}\\.(?:[a-zA-Z0-9/\\\\_-]{10,}={0,2})?)${END}`,
    keywords: ["ey"],
    entropy: 3,
    source: "gitleaks",
  },
  // The catch-all: `password = "..."`, `api_key: ...`. The entropy threshold and the
  // allowlist (references to variables, environment and CI secrets) keep it quiet on code.
  {
    id: "generic-secret-assignment",
    description: "Password, API key or secret assigned a literal value",
    regex: `(?:password|passwd|pwd|secret|api[_-]?key|apikey|access[_-]?key|auth[_-]?token|client[_-]?secret)[\\w-]{0,20}["']?[ \\t]{0,3}(?:=|:|:=|=>)[ \\t]{0,5}(?:\\\\?["'\\x60])?([\\w.~+/=!@#$%^&*-]{8,150})${END}`,
    flags: "i",
    keywords: [
      "password",
      "passwd",
      "pwd",
      "secret",
      "api_key",
      "api-key",
      "apikey",
      "access_key",
      "access-key",
      "auth_token",
      "auth-token",
    ],
    entropy: 3.5,
    allowlists: [
      {
        description: "references, not values",
        regexTarget: "match",
        regexes: [
          "(?:=|:)\\s*[\"'\\x60]?(?:\\$\\{?|%\\(|\\{\\{|<|os\\.|env\\.|environ|getenv|settings\\.|config\\.|self\\.|process\\.env)",
        ],
      },
      {
        description: "code: an unquoted identifier or attribute without digits is a reference",
        regexTarget: "match",
        regexes: ["(?:=|:|=>)[ \\t]*[A-Za-z_$][A-Za-z_$]*(?:\\.[A-Za-z_$][A-Za-z_$]*)*(?:[\\s;,)}\\]]|$)$"],
      },
      {
        description: "code: a camelCase or snake_case name is a field name, not a password",
        regexes: ["^[a-z]+(?:[A-Z][a-z]+)+$", "^[a-z]+(?:_[a-z]+)+$"],
      },
      {
        description: "words that mark a stand-in value",
        stopwords: [
          "example",
          "changeme",
          "placeholder",
          "dummy",
          "fake",
          "sample",
          "xxxx",
          "redacted",
          "your_",
          "your-",
          "test",
        ],
      },
    ],
    source: "slipway",
  },
];

/**
 * Applied to every rule (gitleaks' global `[allowlist]`): lockfiles and installed packages
 * hold hashes, not secrets; `${{ secrets.X }}` in a workflow is a reference.
 */
export const GLOBAL_ALLOWLIST: SecretAllowlist = {
  paths: [
    "(?:^|/)(?:Pipfile|poetry|uv)\\.lock$",
    "(?:^|/)pylock(?:\\.[^/]+)?\\.toml$",
    "(?:^|/)package-lock\\.json$",
    "\\.dist-info/",
    "(?:^|/)node_modules/",
    "(?:^|/)\\.git/",
  ],
  regexes: ["^\\$\\{\\{[ \\t]*(?:(?:env|github|secrets|vars)(?:\\.|\\[))"],
};
