/**
 * The rule table of `slipway scan` over text: per rule a true positive and a near miss built from
 * the documented formats (deterministic pseudo-random bodies, never real tokens), the GitHub
 * CRC32 checksum, entropy, the keyword prefilter, suppression, severity by place, fingerprints.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { crc32 } from "node:zlib";
import { renderScanRulesPage } from "../../scripts/gen-scan-rules.ts";
import { KeywordMatcher } from "../../src/core/secrets/keywords.ts";
import { CONTENT_RULES } from "../../src/core/secrets/patterns.ts";
import { SECRET_RULES } from "../../src/core/secrets/rules.ts";
import { compileRules, type SecretFinding, scanText } from "../../src/core/secrets/scan-text.ts";
import { scanContent } from "../../src/core/secrets/scanner.ts";
import {
  githubChecksumValid,
  shannonEntropy,
  withGithubChecksum,
} from "../../src/core/secrets/token-checks.ts";

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789";
const HEX = "0123456789abcdef";
const B64 = `${ALNUM}+/`;
const LETTERS = ALNUM.slice(0, 52);

let seed = 12345;
/** Deterministic pseudo-random text over `alphabet`. */
function rand(n: number, alphabet = ALNUM): string {
  let out = "";
  for (let i = 0; i < n; i++) {
    // mulberry32: every bit mixes, so small alphabets get random-looking text too.
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    out += alphabet[((t ^ (t >>> 14)) >>> 0) % alphabet.length];
  }
  return out;
}

/** A GitHub token whose checksum is wrong (the last character shifted). */
const broken = (token: string): string => token.slice(0, -1) + (token.endsWith("A") ? "B" : "A");

const PEM_BODY = rand(64, B64);

/** id → [a line with a true positive, a near miss the rule must not report]. */
const SAMPLES: Record<string, [string, string]> = {
  "pypi-upload-token": [
    `token = pypi-AgEIcHlwaS5vcmc${rand(60, `${ALNUM}_-`)}`,
    `pypi-AgEIcHlwaS5vcmc${rand(40)}`,
  ],
  "testpypi-upload-token": [
    `pypi-AgENdGVzdC5weXBpLm9yZw${rand(70)}`,
    `pypi-AgENdGVzdC5weXBpLm9yZw${rand(30)}`,
  ],
  "github-pat": [
    `GH_TOKEN=${withGithubChecksum("ghp", rand(30))}`,
    `GH_TOKEN=${broken(withGithubChecksum("ghp", rand(30)))}`,
  ],
  "github-fine-grained-pat": [`github_pat_${rand(22)}_${rand(59)}`, `github_pat_${rand(22)}_${rand(50)} `],
  "github-oauth": [
    `"${withGithubChecksum("gho", rand(30))}"`,
    `"${broken(withGithubChecksum("gho", rand(30)))}"`,
  ],
  "github-app-token": [withGithubChecksum("ghs", rand(30)), broken(withGithubChecksum("ghu", rand(30)))],
  "github-refresh-token": [withGithubChecksum("ghr", rand(30)), broken(withGithubChecksum("ghr", rand(30)))],
  "gitlab-pat": [`glpat-${rand(20)}`, `glpat-${rand(19)} `],
  "gitlab-ptt": [`glptt-${rand(40, HEX)}`, `glptt-${rand(39, HEX)} `],
  "gitlab-deploy-token": [`gldt-${rand(20)}`, `gldt-${rand(19)} `],
  "gitlab-cicd-job-token": [`glcbt-a1B2_${rand(20)}`, `glcbt-a1B2c3_${rand(20)}`],
  "gitlab-runner-authentication-token": [`glrt-${rand(20)}`, `glrt-${rand(19)} `],
  "aws-access-token": [
    `key_id = AKIA${rand(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")}`,
    "key_id = AKIAIOSFODNN7EXAMPLE",
  ],
  "aws-secret-access-key": [
    `aws_secret_access_key = ${rand(40, B64)}`,
    `aws_secret_access_key = ${rand(39, B64)}`,
  ],
  "aws-amazon-bedrock-api-key-long-lived": [`ABSK${rand(120, B64)}`, `ABSK${rand(100, B64)}`],
  "gcp-api-key": [`key: "AIza${rand(35)}"`, `key: "AIza${rand(34)}"`],
  "gcp-service-account": [`"private_key_id": "${rand(40, HEX)}",`, `"private_key_id": "${rand(39, HEX)}",`],
  "azure-ad-client-secret": [`secret = "abc8Q~${rand(33)}"`, `secret = "abcdQ~${rand(33)}"`],
  "azure-storage-account-key": [`AccountKey=${rand(86, B64)}==;`, `AccountKey=${rand(85, B64)}==;`],
  "openai-api-key": [`sk-proj-${rand(74)}T3BlbkFJ${rand(74)}`, `sk-${rand(19)}T3BlbkFJ${rand(20)}`],
  "anthropic-api-key": [`sk-ant-api03-${rand(93)}AA`, `sk-ant-api03-${rand(93)}AB`],
  "anthropic-admin-api-key": [`sk-ant-admin01-${rand(93)}AA`, `sk-ant-admin01-${rand(92)}AA`],
  "huggingface-access-token": [`HF_TOKEN=hf_${rand(34, LETTERS)}`, `HF_TOKEN=hf_${rand(33, LETTERS)}1`],
  "perplexity-api-key": [`pplx-${rand(48)}`, `pplx-${rand(47)} `],
  "slack-bot-token": [`xoxb-1234567890-2345678901${rand(24)}`, `xoxb-123456789-2345678901${rand(24)}`],
  "slack-user-token": [
    `xoxp-1234567890-2345678901-3456789012-${rand(32)}`,
    `xoxp-1234567890-2345678901-${rand(32)}`,
  ],
  "slack-app-token": [
    `xapp-1-A0${rand(9, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")}-1234567890-${rand(40, LOWER_ALNUM)}`,
    `xapp-a-A0123-1234567890-${rand(40, LOWER_ALNUM)}`,
  ],
  "slack-webhook-url": [
    `https://hooks.slack.com/services/${rand(44)}`,
    `https://hooks.slack.com/services/${rand(40)}`,
  ],
  "private-key": [
    `-----BEGIN RSA PRIVATE KEY-----\n${PEM_BODY}\n${rand(64, B64)}\n-----END RSA PRIVATE KEY-----`,
    `-----BEGIN PUBLIC KEY-----\n${PEM_BODY}\n${rand(64, B64)}\n-----END PUBLIC KEY-----`,
  ],
  "npm-access-token": [
    `//registry.npmjs.org/:_authToken=npm_${rand(36)}`,
    `//registry.npmjs.org/:_authToken=npm_${rand(35)}`,
  ],
  "codecov-access-token": [
    `CODECOV_TOKEN = "${rand(32, LOWER_ALNUM)}"`,
    `CODECOV_TOKEN = "${rand(31, LOWER_ALNUM)}"`,
  ],
  "stripe-access-token": [`stripe.api_key = "sk_live_${rand(24)}"`, `stripe.api_key = "sk_live_${rand(9)}"`],
  "sendgrid-api-token": [`SG.${rand(22)}.${rand(43)}`, `SG.${rand(22)}.${rand(42)}`],
  "databricks-api-token": [`dapi${rand(32, HEX)}`, `dapi${rand(31, HEX)}`],
  jwt: [
    `Authorization: Bearer eyJ${rand(30)}.eyJ${rand(40)}.${rand(43)}`,
    `Authorization: Bearer eyJ${rand(30)}.eyJ${rand(10)}.${rand(43)}`,
  ],
  "generic-secret-assignment": [`DB_PASSWORD = "${rand(20)}"`, 'DB_PASSWORD = os.environ["DB_PASSWORD"]'],
};

const ids = (found: readonly SecretFinding[]): string[] => found.map((f) => f.ruleId);

test("every rule of the table has a sample", () => {
  assert.deepEqual(SECRET_RULES.map((r) => r.id).sort(), Object.keys(SAMPLES).sort());
  assert.equal(new Set(SECRET_RULES.map((r) => r.id)).size, SECRET_RULES.length, "ids are unique");
});

for (const rule of SECRET_RULES) {
  test(`${rule.id}: a true positive is found, a near miss is not`, () => {
    const [positive, nearMiss] = SAMPLES[rule.id]!;
    const found = scanText(`x = 1\n${positive}\n`, { path: "src/app/settings.py" });
    const hit = found.find((f) => f.ruleId === rule.id);
    assert.ok(hit, `${rule.id} found in ${JSON.stringify(positive.slice(0, 30))}: ${ids(found)}`);
    assert.equal(hit.line, 2);
    assert.equal(hit.severity, "error");
    assert.match(hit.shown, /^.{1,4}…$/u);
    assert.ok(!JSON.stringify(found).includes(positive.slice(-12)), "the secret is never in a finding");
    const missed = scanText(`x = 1\n${nearMiss}\n`, { path: "src/app/settings.py" });
    assert.ok(!ids(missed).includes(rule.id), `${rule.id} on the near miss: ${JSON.stringify(missed)}`);
    // Every keyword is lower-case and occurs in the true positive, so the prefilter lets it through.
    assert.ok(rule.keywords.every((k) => k === k.toLowerCase()));
    assert.ok(rule.keywords.some((k) => positive.toLowerCase().includes(k)));
  });
}

test("inside a JSON string (a notebook cell), a token ends at an escaped quote and an assignment opens with one", () => {
  const openai = `sk-proj-${rand(74)}T3BlbkFJ${rand(74)}`;
  const hf = `hf_${rand(34, LETTERS)}`;
  const password = rand(20);
  // What Jupyter writes for the cell `client = OpenAI(api_key="sk-…")` and its neighbours.
  const notebook = JSON.stringify(
    {
      cells: [
        {
          cell_type: "code",
          source: [
            `client = OpenAI(api_key="${openai}")\n`,
            `HF_TOKEN = "${hf}"\n`,
            `DB_PASSWORD = "${password}"\n`,
          ],
        },
      ],
    },
    null,
    1,
  );
  const found = scanText(notebook, { path: "notebooks/explore.ipynb" });
  assert.deepEqual(ids(found).sort(), [
    "generic-secret-assignment",
    "huggingface-access-token",
    "openai-api-key",
  ]);
  for (const secret of [openai, hf, password]) assert.ok(!JSON.stringify(found).includes(secret.slice(-10)));
  // The escaped newline of a single-quoted cell was always an end; a backslash inside a token is not.
  assert.deepEqual(ids(scanText(`"x = '${hf}'\\n"`, { path: "a.ipynb" })), ["huggingface-access-token"]);
  assert.deepEqual(ids(scanText(`"x = '${hf}\\q'"`, { path: "a.ipynb" })), []);
});

test("private keys: a PEM body in a file, a JSON or Python string, an encrypted key; never from a header named in code to the next", () => {
  const body = Array.from({ length: 4 }, () => rand(64, B64));
  const pem = (label: string, lines: readonly string[]) =>
    [`-----BEGIN ${label}-----`, ...lines, `-----END ${label}-----`].join("\n");
  const found = (text: string) => ids(scanText(text, { path: "src/app/keys.py" }));
  assert.deepEqual(found(pem("RSA PRIVATE KEY", body)), ["private-key"]);
  // In a JSON string (a GCP service account) and as Python's implicit concatenation.
  assert.deepEqual(found(JSON.stringify({ private_key: pem("PRIVATE KEY", body) })), ["private-key"]);
  const python = `KEY = (\n${pem("PRIVATE KEY", body)
    .split("\n")
    .map((l) => `    "${l}\\n"`)
    .join("\n")}\n)\n`;
  assert.deepEqual(found(python), ["private-key"]);
  const encrypted = pem("RSA PRIVATE KEY", [
    "Proc-Type: 4,ENCRYPTED",
    `DEK-Info: AES-128-CBC,${rand(32, HEX).toUpperCase()}`,
    "",
    ...body,
  ]);
  assert.deepEqual(found(encrypted), ["private-key"]);
  // A test that names the header, code below it, the next header: nothing is a key here.
  const code = [
    'find("-----BEGIN PRIVATE KEY-----")',
    "for (const plant of plants) {",
    '  assert.ok(plant.rule === "private-key", plant.name + " names its rule");',
    "}",
    'find("-----BEGIN OPENSSH PRIVATE KEY-----")',
  ].join("\n");
  assert.deepEqual(found(code), []);
});

/** An independent base62 of the checksum (BigInt digits, not the module's loop). */
function checksumOracle(random: string): string {
  const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  let n = BigInt(crc32(random));
  const digits: string[] = [];
  for (let i = 0; i < 6; i++) {
    digits.unshift(alphabet[Number(n % 62n)]!);
    n /= 62n;
  }
  return digits.join("");
}

test("GitHub tokens: the last 6 characters are base62(CRC32(the 30 random characters))", () => {
  const random = "Zq7LmN2pR4sT6vX8yA0bC1dE3fG5hJ";
  const token = `ghp_${random}${checksumOracle(random)}`;
  assert.equal(withGithubChecksum("ghp", random), token);
  assert.ok(githubChecksumValid(token));
  for (const prefix of ["gho", "ghu", "ghs", "ghr"])
    assert.ok(githubChecksumValid(`${prefix}_${token.slice(4)}`));
  // The prefix is not part of the hashed data.
  const withPrefixHashed = `ghp_${random}${checksumOracle(`ghp_${random}`)}`;
  assert.notEqual(withPrefixHashed, token);
  assert.ok(!githubChecksumValid(withPrefixHashed));
  // One character changed anywhere breaks it; a random 36-character body fails.
  assert.ok(!githubChecksumValid(broken(token)));
  assert.ok(!githubChecksumValid(`ghp_${random.replace("Z", "Y")}${token.slice(-6)}`));
  assert.ok(!githubChecksumValid(`ghp_${rand(36)}`));
  assert.ok(!githubChecksumValid(`ghx_${token.slice(4)}`));
});

test("a checksum-failing GitHub-shaped string is not reported; a valid one is", () => {
  const good = withGithubChecksum("ghp", rand(30));
  assert.deepEqual(ids(scanText(good, { path: "a.py" })), ["github-pat"]);
  assert.deepEqual(ids(scanText(broken(good), { path: "a.py" })), []);
});

test("Shannon entropy in bits per character, and the rule threshold", () => {
  assert.equal(shannonEntropy(""), 0);
  assert.equal(shannonEntropy("aaaa"), 0);
  assert.equal(shannonEntropy("abab"), 1);
  assert.equal(shannonEntropy("abcd"), 2);
  assert.ok(Math.abs(shannonEntropy("aab") - 0.9183) < 1e-4);
  // generic-secret-assignment needs more than 3.5 bits: a repeated value is not a secret.
  assert.deepEqual(ids(scanText('password = "abababababababab"', { path: "a.py" })), []);
  assert.deepEqual(ids(scanText(`password = "${rand(16)}"`, { path: "a.py" })), [
    "generic-secret-assignment",
  ]);
});

test("the keyword matcher finds overlapping keywords in one pass", () => {
  const m = new KeywordMatcher(["key", "ey", "api_key", "hf_", "she", "he", "hers"]);
  const found = (text: string) => [...m.present(text)].map((k) => m.keywords[k]).sort();
  assert.deepEqual(found("my_api_key"), ["api_key", "ey", "key"]);
  assert.deepEqual(found("ushers"), ["he", "hers", "she"]);
  assert.deepEqual(found("nothing here"), ["he"]);
  assert.deepEqual(found(""), []);
});

test("the prefilter: a rule's regex runs only when one of its keywords occurs", () => {
  const rules = compileRules();
  const stats = { regexRuns: 0 };
  scanText("import os\nprint(1 + 2)\n".repeat(100), { path: "a.py", rules, stats });
  assert.equal(stats.regexRuns, 0, "no keyword, no regex");
  stats.regexRuns = 0;
  scanText(`x = "${withGithubChecksum("ghp", rand(30))}"\n`, { path: "a.py", rules, stats });
  assert.equal(stats.regexRuns, 1, "only github-pat ran");
  stats.regexRuns = 0;
  // Case-insensitive: the keyword "akia" selects aws-access-token on upper-case text.
  scanText("AKIA\nGLPAT-", { path: "a.py", rules, stats });
  assert.equal(stats.regexRuns, 2);
  // A rule without keywords always runs.
  const always = compileRules([{ id: "x", description: "x", regex: "zzz", keywords: [], source: "user" }]);
  stats.regexRuns = 0;
  assert.deepEqual(ids(scanText("zzz", { path: "a.py", rules: always, stats })), ["x"]);
  assert.equal(stats.regexRuns, 1);
});

test("inline suppression: `# slipway: allow` and `gitleaks:allow` on the line", () => {
  const token = withGithubChecksum("ghp", rand(30));
  assert.deepEqual(ids(scanText(`t = "${token}"  # slipway: allow`, { path: "a.py" })), []);
  assert.deepEqual(ids(scanText(`t = "${token}"  # gitleaks:allow`, { path: "a.py" })), []);
  // Only that line.
  assert.deepEqual(ids(scanText(`# slipway: allow\nt = "${token}"`, { path: "a.py" })), ["github-pat"]);
  assert.deepEqual(ids(scanText(`t = "${token}"  # gitleaks:allow`, { path: "a.py", inlineAllow: false })), [
    "github-pat",
  ]);
});

test("fingerprints: rule + path + sha256 of the secret, not the line", () => {
  const token = withGithubChecksum("ghp", rand(30));
  const other = withGithubChecksum("ghp", rand(30));
  const [a] = scanText(`t = "${token}"`, { path: "src/a.py" });
  const [moved] = scanText(`\n\n\n# moved\nt = "${token}"`, { path: "src/a.py" });
  const [elsewhere] = scanText(`t = "${token}"`, { path: "src/b.py" });
  const [different] = scanText(`t = "${other}"`, { path: "src/a.py" });
  assert.ok(a && moved && elsewhere && different);
  assert.equal(moved.line, 5);
  assert.equal(a.fingerprint, moved.fingerprint);
  assert.notEqual(a.fingerprint, elsewhere.fingerprint);
  assert.notEqual(a.fingerprint, different.fingerprint);
  assert.match(a.fingerprint, /^github-pat:src\/a\.py:[0-9a-f]{64}$/);
  assert.ok(!a.fingerprint.includes(token));
  assert.equal(a.shown, `${token.slice(0, 4)}…`);
  assert.equal(a.column, 6);
});

test("severity by place: test material and document code blocks are warnings", () => {
  const line = `t = "${withGithubChecksum("ghp", rand(30))}"\n`;
  const at = (path: string, text = line, place = {}) => scanText(text, { path, place })[0];
  assert.equal(at("src/pkg/config.py")?.severity, "error");
  for (const path of [
    "tests/test_api.py",
    "testing/conf.py",
    "examples/demo.py",
    "docs/usage.py",
    "fixtures/x.txt",
    "testdata/token.txt",
    "certs/test_server.key",
    "dummy_config.py",
  ]) {
    assert.equal(at(path)?.severity, "warning", path);
  }
  assert.match(at("tests/test_api.py")?.why ?? "", /tests\//);
  const md = `# Usage\n\n${line}\n\`\`\`python\n${line}\`\`\`\n`;
  const found = scanText(md, { path: "README.md" });
  assert.deepEqual(
    found.map((f) => [f.line, f.severity]),
    [
      [3, "error"],
      [6, "warning"],
    ],
  );
  const rst = `Usage\n=====\n\n.. code-block:: python\n\n    ${line}`;
  assert.equal(scanText(rst, { path: "docs-src/index.rst" })[0]?.why, "in a code block of the document");
  // Configurable: off, or more paths.
  assert.equal(at("tests/test_api.py", line, { fixtures: false })?.severity, "error");
  assert.equal(at("README.md", md, { docCodeBlocks: false })?.severity, "error");
  assert.equal(at("qa/keys.py", line, { warnPaths: [/^qa\//] })?.severity, "warning");
});

test("allowlists: global paths (lockfiles), CI references, stopwords", () => {
  const token = withGithubChecksum("ghp", rand(30));
  assert.deepEqual(scanText(token, { path: "uv.lock" }), []);
  assert.deepEqual(scanText(token, { path: "pkg-1.0.dist-info/RECORD" }), []);
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, on purpose
  assert.deepEqual(ids(scanText('password: "${{ secrets.PYPI_PASSWORD }}"', { path: "ci.yml" })), []);
  assert.deepEqual(ids(scanText('api_key = "example-Zq7LmN2pR4sT6vX8"', { path: "a.py" })), []);
  // Code, not values: references and field names (seen in pip, passlib, cryptography, slipway).
  for (const line of [
    "username, password = index_url_user_password",
    "self.password_file = password_file",
    "{ auth: { username: ctx.credentials.username, password: ctx.credentials.password } }",
    'CHALLENGE_PASSWORD: "challengePassword",',
    "none_causes_check_password_error = DJANGO_VERSION >= (2, 1)",
  ]) {
    assert.deepEqual(ids(scanText(line, { path: "a.py" })), [], line);
  }
  // Unquoted values with digits (an .env file) are still secrets.
  assert.deepEqual(ids(scanText("DB_PASSWORD=Xk9fP2mQa7Lr4Tz8\n", { path: ".env" })), [
    "generic-secret-assignment",
  ]);
});

test("docs/scan-rules.md is generated from the rule table (run `node scripts/gen-scan-rules.ts`)", () => {
  const page = readFileSync(new URL("../../docs/scan-rules.md", import.meta.url), "utf8");
  assert.equal(page, renderScanRulesPage(SECRET_RULES));
  for (const rule of SECRET_RULES) assert.ok(page.includes(`| ${rule.id} |`), rule.id);
});

// check's SEC09 rules keep their own streaming regexes; these samples hold both tables to the
// same formats: what check reports, scan reports under the linked rule.
const CHECK_SAMPLES: Record<string, string> = {
  "PyPI API token": `pypi-AgEIcHlwaS5vcmc${rand(70)}`,
  "TestPyPI API token": `pypi-AgENdGVzdC5weXBpLm9yZw${rand(70)}`,
  "private key": `-----BEGIN OPENSSH PRIVATE KEY-----\n${rand(70, B64)}\n${rand(70, B64)}\n-----END OPENSSH PRIVATE KEY-----`,
  "AWS access key id": `AKIA${rand(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")}`,
  "GitHub token": withGithubChecksum("gho", rand(30)),
  "GitHub fine-grained token": `github_pat_${rand(22)}_${rand(59)}`,
  "npm token": `npm_${rand(36)}`,
  "Slack token": `xoxb-1234567890-2345678901-${rand(24)}`,
};

test("check's SEC09 token formats are rules of the scan table too", () => {
  const sec09 = CONTENT_RULES.filter((r) => r.id === "SEC09");
  assert.deepEqual(sec09.map((r) => r.what).sort(), Object.keys(CHECK_SAMPLES).sort());
  const known = new Set(SECRET_RULES.map((r) => r.id));
  for (const rule of sec09) {
    assert.ok(rule.scanRules !== undefined && rule.scanRules.length > 0, rule.what);
    for (const id of rule.scanRules) assert.ok(known.has(id), `${rule.what} → ${id}`);
    const sample = `value = "${CHECK_SAMPLES[rule.what]!}"\n`;
    const byCheck = scanContent(new TextEncoder().encode(sample)).map((h) => h.rule.what);
    assert.deepEqual(byCheck, [rule.what], `check finds its own sample of ${rule.what}`);
    const byScan = scanText(sample, { path: "src/settings.py" }).map((f) => f.ruleId);
    assert.ok(
      byScan.some((id) => rule.scanRules?.includes(id)),
      `scan finds ${rule.what} as one of ${rule.scanRules}: ${byScan}`,
    );
  }
});
