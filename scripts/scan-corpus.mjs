#!/usr/bin/env node
// Prepares the labelled corpus of `slipway scan secrets` under .cache/corpus/scan-history-<key>/:
//   repo/          a git repository whose history is real code: successive releases of urllib3
//                  and requests, each commit the project's sdist from PyPI (pinned by sha256)
//                  replacing the previous one, with fixed authors and dates so every build of
//                  this script gives the same commit ids;
//   manifest.json  the secrets planted in chosen commits, files and encodings (a deleted file,
//                  a line a later release overwrote, a notebook, a binary, a .env, YAML, a key
//                  file, a service-account JSON...): rule, severity, commit, path, line, encoding.
// Every planted token is synthetic: made here in its issuer's documented format from a fixed
// seed, never a real one. The key is the hash of this script (the recipe); a set with its stamp
// is reused, a half-made one (no stamp) is rebuilt. The sdists are kept in .cache/corpus/
// scan-sdists/ across recipes. Prints the manifest path. `--offline` never downloads (tests and
// benchmarks use it): without the corpus it fails and says how to get it.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const cacheDir = join(root, ".cache", "corpus");
const sdistDir = join(cacheDir, "scan-sdists");
const offline = process.argv.includes("--offline");

/**
 * The releases, in the order they were published (PyPI upload times, which date the commits).
 * Both sdists ship TLS test keys on purpose (urllib3 dummyserver/certs, requests tests/certs):
 * real material that must come out as warnings, never errors. Hashes as PyPI lists them.
 */
const RELEASES = [
  [
    "urllib3",
    "2.0.0",
    "da21131828d290d6331d0d93a18f062ead1ec4fe0cfebbcefc95ee5368f7188a",
    "2023-04-26T17:21:24Z",
  ],
  [
    "requests",
    "2.31.0",
    "942c5a758f98d790eaed1a29cb6eefc7ffb0d1cf7af05c3d2791656dbd6ad1e1",
    "2023-05-22T15:12:44Z",
  ],
  [
    "urllib3",
    "2.1.0",
    "df7aa8afb0148fa78488e7899b2c59b5f4ffcfa82e6c54ccb9dd37c1d7b52d54",
    "2023-11-13T12:29:45Z",
  ],
  [
    "urllib3",
    "2.2.0",
    "051d961ad0c62a94e50ecf1af379c3aba230c66c710493493560c0c223c49f20",
    "2024-01-30T15:18:07Z",
  ],
  [
    "requests",
    "2.32.0",
    "fa5490319474c82ef1d2c9bc459d3652e3ae4ef4c4ebdd18a21145a47ca4b6b8",
    "2024-05-20T16:11:48Z",
  ],
  [
    "requests",
    "2.32.3",
    "55365417734eb18255590a9ff9eb97e9e1da868d4ccd6402399eaf68af20a760",
    "2024-05-29T15:37:49Z",
  ],
  [
    "urllib3",
    "2.3.0",
    "f8c5449b3cf0861679ce7e0503c7b44b5ec981bec0d1d3795a07f1ba96f0204d",
    "2024-12-22T07:47:30Z",
  ],
  [
    "urllib3",
    "2.4.0",
    "414bc6535b787febd7567804cc015fee39daab8ad86268f1310a9250697de466",
    "2025-04-10T15:23:39Z",
  ],
  [
    "urllib3",
    "2.5.0",
    "3fc47733c7e419d4bc3f6b3dc2b4f890bb743906a30d56ba4a5bfa4bbff92760",
    "2025-06-18T14:07:41Z",
  ],
  [
    "urllib3",
    "2.6.0",
    "cb9bcef5a4b345d5da5d145dc3e30834f58e8018828cbc724d30b4cb7d4d49f1",
    "2025-12-05T15:08:47Z",
  ],
  [
    "requests",
    "2.33.0",
    "c7ebc5e8b0f21837386ad0e1c8fe8b829fa5f544d8df3b2253bff14ef29d7652",
    "2026-03-25T15:10:41Z",
  ],
  [
    "urllib3",
    "2.7.0",
    "231e0ec3b63ceb14667c67be60f2f2c40a518cb38b03af60abc813da26505f4c",
    "2026-05-07T16:13:18Z",
  ],
  [
    "requests",
    "2.34.0",
    "7d62fe92f50eb82c529b0916bb445afa1531a566fc8f35ffdc64446e771b856a",
    "2026-05-11T19:29:51Z",
  ],
  [
    "requests",
    "2.34.2",
    "f288924cae4e29463698d6d60bc6a4da69c89185ad1e0bcc4104f584e960b9ed",
    "2026-05-14T19:25:27Z",
  ],
  [
    "urllib3",
    "2.8.0",
    "63bf2ead4c879426ebf22ef2a781eeb4aa3b4ae798a0435506f8687fd5bb9b63",
    "2026-09-15T19:29:36Z",
  ],
];

// --- synthetic tokens: a counter-mode sha256 stream from a fixed seed ---------------------------

const ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const LOWER_ALNUM = "0123456789abcdefghijklmnopqrstuvwxyz";
const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const HEX = "0123456789abcdef";
const DIGITS = "0123456789";
const B64 = `${ALNUM}+/`;
// A stand-in word inside a token makes scanners (rightly) call it a placeholder.
const STAND_IN =
  /example|change|placeholder|dummy|fake|sample|xxxx|redact|test|your|secret|passw|notreal|replace/i;

function* stream(label) {
  for (let i = 0; ; i++) yield* createHash("sha256").update(`slipway-scan-corpus:${label}:${i}`).digest();
}

/** `n` characters of `alphabet`, the same for the same label on every run. */
function chars(label, alphabet, n) {
  for (let attempt = 0; ; attempt++) {
    const bytes = stream(`${label}#${attempt}`);
    let out = "";
    while (out.length < n) {
      const b = bytes.next().value;
      // Rejection sampling keeps every character equally likely.
      if (b < 256 - (256 % alphabet.length)) out += alphabet[b % alphabet.length];
    }
    if (!STAND_IN.test(out)) return out;
  }
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (text) => {
  let c = 0xffffffff;
  for (const byte of Buffer.from(text)) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const base62 = (n) => {
  let out = "";
  let rest = n;
  do {
    out = ALNUM[rest % 62] + out;
    rest = Math.floor(rest / 62);
  } while (rest > 0);
  return out.padStart(6, "0");
};
/** A GitHub token whose last 6 characters are the base62 CRC32 of the 30 before them. */
const github = (prefix, label) => {
  const random = chars(label, ALNUM, 30);
  return `${prefix}_${random}${base62(crc32(random))}`;
};

const T = {
  pypi: `pypi-AgEIcHlwaS5vcmc${chars("pypi", `${ALNUM}_-`, 90)}`,
  testpypi: `pypi-AgENdGVzdC5weXBpLm9yZw${chars("testpypi", `${ALNUM}_-`, 90)}`,
  ghp: github("ghp", "ghp"),
  gho: github("gho", "gho"),
  ghs: github("ghs", "ghs"),
  ghpBase64: github("ghp", "ghp-base64"),
  fineGrained: `github_pat_${chars("ghfg-a", ALNUM, 22)}_${chars("ghfg-b", ALNUM, 59)}`,
  gitlab: `glpat-${chars("gitlab", ALNUM, 20)}`,
  npm: `npm_${chars("npm", LOWER_ALNUM, 36)}`,
  slackBot: `xoxb-${chars("slack-a", DIGITS, 12)}-${chars("slack-b", DIGITS, 13)}-${chars("slack-c", ALNUM, 24)}`,
  slackUser: `xoxp-${chars("slacku-a", DIGITS, 12)}-${chars("slacku-b", DIGITS, 12)}-${chars("slacku-c", DIGITS, 13)}-${chars("slacku-d", LOWER_ALNUM, 32)}`,
  stripe: `sk_live_${chars("stripe", ALNUM, 48)}`,
  openai: `sk-proj-${chars("openai-a", ALNUM, 74)}T3BlbkFJ${chars("openai-b", ALNUM, 74)}`,
  anthropic: `sk-ant-api03-${chars("anthropic", ALNUM, 93)}AA`,
  hf: `hf_${chars("hf", LETTERS, 34)}`,
  awsId: `AKIA${chars("aws-id", "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)}`,
  awsSecret: chars("aws-secret", B64, 40),
  gcpKeyId: chars("gcp-key-id", HEX, 40),
  password: chars("password", `${ALNUM}!#%&*+.-`, 28),
};

/** A PEM block of random base64 (not a key anyone holds), lines of 64 characters. */
const pem = (label, kind, lines) => {
  const body = chars(label, B64, lines * 64).match(/.{64}/g);
  return [`-----BEGIN ${kind}-----`, ...body, `-----END ${kind}-----`].join("\n");
};

// --- the plants: what each commit after a release adds or removes -------------------------------

/**
 * After the release at index `after`, one commit writes `files` (path → text or bytes) and
 * deletes `remove`. Each secret: the rule slipway must report, at the line where `find` (default
 * the secret) starts in that file, with `severity`; `encoding` says how it is stored.
 */
const PLANTS = [
  {
    after: 1,
    message: "deploy: local environment for the release job",
    files: {
      ".env": `# release job\nSTRIPE_SECRET_KEY=${T.stripe}\nSLACK_BOT_TOKEN=${T.slackBot}\nLOG_LEVEL=info\n`,
      "deploy/ci.yml": `stages: [build, publish]\nvariables:\n  GITLAB_TOKEN: ${T.gitlab}\n  PYTHON: "3.12"\n`,
    },
    secrets: [
      {
        name: "dotenv-stripe",
        rule: "stripe-access-token",
        path: ".env",
        secret: T.stripe,
        encoding: "dotenv",
      },
      { name: "dotenv-slack", rule: "slack-bot-token", path: ".env", secret: T.slackBot, encoding: "dotenv" },
      { name: "yaml-gitlab", rule: "gitlab-pat", path: "deploy/ci.yml", secret: T.gitlab, encoding: "yaml" },
    ],
  },
  {
    after: 2,
    message: "urllib3: settings for the upload script",
    files: {
      "urllib3/src/urllib3/_deploy_settings.py": `"""Upload settings."""\n\nREPOSITORY = "pypi"\nTOKEN = "${T.pypi}"\n`,
    },
    secrets: [
      {
        name: "deleted-python-pypi",
        rule: "pypi-upload-token",
        path: "urllib3/src/urllib3/_deploy_settings.py",
        secret: T.pypi,
        encoding: "python source, deleted two commits later (history only)",
      },
    ],
  },
  {
    after: 2,
    message: "urllib3: remove the upload settings",
    files: {},
    remove: ["urllib3/src/urllib3/_deploy_settings.py"],
  },
  {
    after: 3,
    message: "urllib3: debug the retry loop",
    append: {
      "urllib3/src/urllib3/util/retry.py": `\n# debug, remove before release\nGITHUB_TOKEN = "${T.gho}"\n`,
    },
    secrets: [
      {
        name: "overwritten-python-gho",
        rule: "github-oauth",
        path: "urllib3/src/urllib3/util/retry.py",
        secret: T.gho,
        encoding: "line appended to a real source file, gone in the next release (history only)",
      },
    ],
  },
  {
    after: 5,
    message: "notebooks: exploring the API",
    files: { "notebooks/explore.ipynb": notebook("'"), "notebooks/train.ipynb": notebook('"') },
    secrets: [
      {
        name: "notebook-openai",
        rule: "openai-api-key",
        path: "notebooks/explore.ipynb",
        secret: T.openai,
        encoding: "Jupyter notebook (JSON string of a code cell)",
      },
      {
        name: "notebook-hf",
        rule: "huggingface-access-token",
        path: "notebooks/explore.ipynb",
        secret: T.hf,
        encoding: "Jupyter notebook (JSON string of a code cell)",
      },
      // The same cells written with double quotes, as notebooks mostly are: in the JSON the
      // quote after the token is escaped (\"); the token rules' end group takes it.
      {
        name: "notebook-dq-openai",
        rule: "openai-api-key",
        path: "notebooks/train.ipynb",
        secret: T.openai,
        encoding: 'Jupyter notebook, the token in a double-quoted Python string (JSON-escaped \\")',
      },
      {
        name: "notebook-dq-hf",
        rule: "huggingface-access-token",
        path: "notebooks/train.ipynb",
        secret: T.hf,
        encoding: 'Jupyter notebook, the token in a double-quoted Python string (JSON-escaped \\")',
      },
    ],
  },
  {
    after: 7,
    message: "deploy: service account and deploy key",
    files: {
      "deploy/service-account.json": serviceAccount(),
      "deploy/id_ed25519": `${pem("ssh", "OPENSSH PRIVATE KEY", 6)}\n`,
    },
    secrets: [
      {
        name: "gcp-key-id",
        rule: "gcp-service-account",
        path: "deploy/service-account.json",
        secret: T.gcpKeyId,
        encoding: "GCP service-account JSON",
      },
      {
        name: "gcp-private-key",
        rule: "private-key",
        path: "deploy/service-account.json",
        find: "-----BEGIN PRIVATE KEY-----",
        encoding: "PEM inside a JSON string (\\n escapes)",
      },
      {
        name: "ssh-key-file",
        rule: "private-key",
        path: "deploy/id_ed25519",
        find: "-----BEGIN OPENSSH PRIVATE KEY-----",
        encoding: "private key file (PEM, base64 body)",
      },
    ],
  },
  {
    after: 8,
    message: "assets: model weights and the cluster secret",
    files: { "assets/model.bin": binaryWith(T.ghp), "deploy/k8s-secret.yaml": k8sSecret() },
    secrets: [
      {
        name: "binary-ghp",
        rule: "github-pat",
        path: "assets/model.bin",
        secret: T.ghp,
        encoding: "binary file (NUL bytes and random bytes around the ASCII token)",
      },
      {
        name: "yaml-tls-key",
        rule: "private-key",
        path: "deploy/k8s-secret.yaml",
        find: "-----BEGIN RSA PRIVATE KEY-----",
        encoding: "PEM block in a YAML literal (base64 body)",
      },
      {
        name: "base64-ghp",
        rule: "github-pat",
        path: "deploy/k8s-secret.yaml",
        find: "GITHUB_TOKEN:",
        secret: T.ghpBase64,
        encoding: "base64 of the token (a Kubernetes Secret's data), decoded one level by the scanner",
      },
    ],
  },
  {
    after: 9,
    message: "release: publish configuration",
    files: {
      ".npmrc": `registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken=${T.npm}\n`,
      ".pypirc": `[distutils]\nindex-servers = testpypi\n\n[testpypi]\nrepository = https://test.pypi.org/legacy/\nusername = __token__\npassword = ${T.testpypi}\n`,
      "scripts/release.sh": `#!/bin/sh\nset -eu\nexport GH_TOKEN=${T.fineGrained}\ngh release create "$1" dist/*\n`,
      ".github/workflows/publish.yml": `name: publish\non: push\njobs:\n  publish:\n    runs-on: ubuntu-latest\n    env:\n      GH_TOKEN: ${T.ghs}\n      PYPI_TOKEN: \${{ secrets.PYPI_TOKEN }}\n    steps:\n      - run: ./scripts/release.sh\n`,
    },
    secrets: [
      { name: "npmrc-npm", rule: "npm-access-token", path: ".npmrc", secret: T.npm, encoding: ".npmrc" },
      {
        name: "pypirc-testpypi",
        rule: "testpypi-upload-token",
        path: ".pypirc",
        secret: T.testpypi,
        encoding: ".pypirc (INI)",
      },
      {
        name: "shell-fine-grained",
        rule: "github-fine-grained-pat",
        path: "scripts/release.sh",
        secret: T.fineGrained,
        encoding: "shell script",
      },
      {
        name: "workflow-ghs",
        rule: "github-app-token",
        path: ".github/workflows/publish.yml",
        secret: T.ghs,
        encoding: "GitHub Actions workflow YAML",
      },
    ],
  },
  {
    after: 10,
    message: "deploy: upload docs to S3, model settings",
    files: {
      "deploy/s3_upload.py": `import boto3\n\nAWS_ACCESS_KEY_ID = "${T.awsId}"\nAWS_SECRET_ACCESS_KEY = "${T.awsSecret}"\n\ns3 = boto3.client("s3", aws_access_key_id=AWS_ACCESS_KEY_ID, aws_secret_access_key=AWS_SECRET_ACCESS_KEY)\n`,
      "config/settings.toml": `[llm]\nprovider = "anthropic"\nanthropic_key = "${T.anthropic}"\n\n[proxy]\nhost = "proxy.internal"\nproxy_password = "${T.password}"\n`,
    },
    secrets: [
      {
        name: "aws-key-id",
        rule: "aws-access-token",
        path: "deploy/s3_upload.py",
        secret: T.awsId,
        encoding: "python source",
      },
      {
        name: "aws-secret-key",
        rule: "aws-secret-access-key",
        path: "deploy/s3_upload.py",
        secret: T.awsSecret,
        encoding: "python source",
      },
      {
        name: "toml-anthropic",
        rule: "anthropic-api-key",
        path: "config/settings.toml",
        secret: T.anthropic,
        encoding: "TOML",
      },
      {
        name: "toml-password",
        rule: "generic-secret-assignment",
        path: "config/settings.toml",
        secret: T.password,
        encoding: "TOML, a random password",
      },
    ],
  },
  {
    after: 11,
    message: "tests: deploy notifications",
    files: {
      "tests/test_deploy.py": `SLACK_TOKEN = "${T.slackUser}"\n\n\ndef test_notify():\n    assert SLACK_TOKEN\n`,
    },
    secrets: [
      {
        name: "tests-slack-user",
        rule: "slack-user-token",
        path: "tests/test_deploy.py",
        secret: T.slackUser,
        severity: "warning",
        encoding: "python test file (tests/): a warning",
      },
    ],
  },
];

function notebook(quote) {
  const cell = (source) => ({ cell_type: "code", execution_count: null, metadata: {}, outputs: [], source });
  const doc = {
    cells: [
      cell([
        "import openai\n",
        "\n",
        `client = openai.OpenAI(api_key=${quote}${T.openai}${quote})\n`,
        "print(client.models.list())",
      ]),
      cell(["from huggingface_hub import login\n", `login(token=${quote}${T.hf}${quote})`]),
    ],
    metadata: { kernelspec: { display_name: "Python 3", language: "python", name: "python3" } },
    nbformat: 4,
    nbformat_minor: 5,
  };
  return `${JSON.stringify(doc, null, 1)}\n`;
}

function serviceAccount() {
  const key = `${pem("gcp", "PRIVATE KEY", 10)}\n`;
  return `${JSON.stringify(
    {
      type: "service_account",
      project_id: "release-bot-4821",
      private_key_id: T.gcpKeyId,
      private_key: key,
      client_email: "release-bot@release-bot-4821.iam.gserviceaccount.com",
      client_id: chars("gcp-client", DIGITS, 21),
      token_uri: "https://oauth2.googleapis.com/token",
    },
    null,
    2,
  )}\n`;
}

function k8sSecret() {
  const tls = pem("k8s-tls", "RSA PRIVATE KEY", 8)
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n");
  return [
    "apiVersion: v1",
    "kind: Secret",
    "metadata:",
    "  name: release-bot",
    "type: Opaque",
    "data:",
    `  GITHUB_TOKEN: ${Buffer.from(T.ghpBase64).toString("base64")}`,
    "stringData:",
    "  tls.key: |",
    tls,
    "",
  ].join("\n");
}

/** 4 KiB of random bytes (no newline) with NULs up front, the token in the middle, NUL-delimited. */
function binaryWith(token) {
  const bytes = stream("binary");
  const random = (n) =>
    Buffer.from(Array.from({ length: n }, () => bytes.next().value).map((b) => (b === 10 ? 0 : b)));
  return Buffer.concat([
    Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0, 0]),
    random(2040),
    Buffer.from(`\0${token}\0`),
    random(2048),
  ]);
}

// --- building -----------------------------------------------------------------------------------

const sha256 = (data) => createHash("sha256").update(data).digest("hex");

/** The sdist of a release, from the cache or PyPI; its sha256 checked either way. */
async function sdist([name, version, hash]) {
  const file = join(sdistDir, `${name}-${version}.tar.gz`);
  if (existsSync(file) && sha256(readFileSync(file)) === hash) return file;
  if (offline)
    throw new Error(`scan-corpus: ${file} is missing; run \`npm run peers\` (it downloads from PyPI)`);
  const url = await sdistUrl(name, version);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`scan-corpus: GET ${url} answered ${response.status}`);
  const bytes = Buffer.from(await response.arrayBuffer());
  if (sha256(bytes) !== hash)
    throw new Error(`scan-corpus: ${url} has sha256 ${sha256(bytes)}, pinned ${hash}`);
  mkdirSync(sdistDir, { recursive: true });
  writeFileSync(`${file}.tmp-${process.pid}`, bytes);
  renameSync(`${file}.tmp-${process.pid}`, file);
  return file;
}

/** The sdist's URL from PyPI's JSON API (the release's document; the project's when a mirror lacks it). */
async function sdistUrl(name, version) {
  for (const api of [`https://pypi.org/pypi/${name}/${version}/json`, `https://pypi.org/pypi/${name}/json`]) {
    const response = await fetch(api);
    if (!response.ok) continue;
    const doc = await response.json();
    const files = doc.releases?.[version] ?? doc.urls ?? [];
    const found = files.find((f) => f.packagetype === "sdist" && f.filename === `${name}-${version}.tar.gz`);
    // A mirror may answer with URLs relative to the document.
    if (found !== undefined) return new URL(found.url, api).href;
  }
  throw new Error(`scan-corpus: PyPI's JSON API lists no sdist ${name}-${version}.tar.gz`);
}

const IDENTITY = { name: "Corpus Builder", email: "corpus@slipway.invalid" };

function git(repo, args, date) {
  const env = {
    PATH: process.env.PATH,
    HOME: repo,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_AUTHOR_NAME: IDENTITY.name,
    GIT_AUTHOR_EMAIL: IDENTITY.email,
    GIT_COMMITTER_NAME: IDENTITY.name,
    GIT_COMMITTER_EMAIL: IDENTITY.email,
    ...(date === undefined ? {} : { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date }),
  };
  return execFileSync("git", args, {
    cwd: repo,
    env,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 1 << 28,
  });
}

function write(repo, path, content) {
  mkdirSync(dirname(join(repo, path)), { recursive: true });
  writeFileSync(join(repo, path), content);
}

/** 1-based line where `find` starts in `content` (text or bytes). */
function lineOf(content, find, path) {
  const bytes = Buffer.isBuffer(content) ? content : Buffer.from(content);
  const at = bytes.indexOf(find);
  if (at < 0) throw new Error(`scan-corpus: ${find.slice(0, 12)}… is not in ${path}`);
  let line = 1;
  for (let i = bytes.indexOf(10); i >= 0 && i < at; i = bytes.indexOf(10, i + 1)) line++;
  return line;
}

async function build(dir) {
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const repo = join(tmp, "repo");
  mkdirSync(repo, { recursive: true });
  git(repo, ["init", "-q", "-b", "main"]);
  git(repo, ["config", "gc.auto", "0"]);
  git(repo, ["config", "core.autocrlf", "false"]);
  write(
    repo,
    "README.md",
    "# scan corpus\n\nReleases of urllib3 and requests from PyPI, one commit each, with planted (synthetic) secrets.\n",
  );
  git(repo, ["add", "-A"]);
  git(repo, ["commit", "-q", "-m", "corpus: start"], "2023-04-01T00:00:00Z");
  const commits = [];
  const planted = [];
  const gaps = [];
  for (const [index, release] of RELEASES.entries()) {
    const [name, version, , uploaded] = release;
    const file = await sdist(release);
    rmSync(join(repo, name), { recursive: true, force: true });
    mkdirSync(join(repo, name));
    execFileSync("tar", ["-xzf", file, "-C", join(repo, name), "--strip-components=1", "--no-same-owner"]);
    // -f: an sdist's own .gitignore does not hide its files from the commit.
    git(repo, ["add", "-A", "-f", "."]);
    git(repo, ["commit", "-q", "-m", `${name} ${version} (the sdist from PyPI)`], uploaded);
    commits.push({ sha: git(repo, ["rev-parse", "HEAD"]).trim(), message: `${name} ${version}` });
    PLANTS.filter((p) => p.after === index).forEach((plant, n) => {
      // An hour after the release per plant: the dates stay in order.
      const date = new Date(Date.parse(uploaded) + (n + 1) * 3600_000).toISOString().replace(".000Z", "Z");
      const written = {};
      for (const [path, content] of Object.entries(plant.files ?? {})) {
        write(repo, path, content);
        written[path] = content;
      }
      for (const [path, text] of Object.entries(plant.append ?? {})) {
        const content = readFileSync(join(repo, path), "utf8") + text;
        write(repo, path, content);
        written[path] = content;
      }
      for (const path of plant.remove ?? []) rmSync(join(repo, path));
      git(repo, ["add", "-A", "-f", "."]);
      git(repo, ["commit", "-q", "-m", plant.message], date);
      const sha = git(repo, ["rev-parse", "HEAD"]).trim();
      commits.push({ sha, message: plant.message });
      for (const s of plant.secrets ?? []) {
        const content = written[s.path];
        planted.push({
          name: s.name,
          rule: s.rule,
          severity: s.severity ?? "error",
          commit: sha,
          path: s.path,
          line: lineOf(content, s.find ?? s.secret, s.path),
          encoding: s.encoding,
          // Synthetic, made by this script; kept so tests can check no output ever holds it.
          secret: s.secret ?? null,
        });
      }
      for (const g of plant.gaps ?? [])
        gaps.push({
          ...g,
          commit: sha,
          line: lineOf(written[g.path], g.find ?? g.secret, g.path),
          find: undefined,
        });
    });
  }
  // Where each plant is still present at HEAD (the work tree) and in which commits it lives.
  const head = commits.at(-1).sha;
  for (const p of [...planted, ...gaps]) {
    const blob = git(repo, ["rev-parse", `${p.commit}:${p.path}`]).trim();
    p.blob = blob;
    let inTree = false;
    try {
      inTree = git(repo, ["rev-parse", `${head}:${p.path}`]).trim() === blob;
    } catch {
      inTree = false;
    }
    p.inTree = inTree;
  }
  const manifest = {
    about:
      "slipway scan-corpus: real releases from PyPI with planted synthetic secrets (scripts/scan-corpus.mjs)",
    releases: RELEASES.map(([name, version, sha]) => ({ name, version, sha256: sha })),
    head,
    commits,
    planted,
    gaps,
  };
  writeFileSync(join(tmp, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  git(repo, ["gc", "-q", "--aggressive", "--prune=now"]);
  writeFileSync(join(tmp, ".complete"), "ok\n");
  try {
    renameSync(tmp, dir);
  } catch (error) {
    if (!existsSync(join(dir, ".complete"))) throw error;
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function main() {
  const started = process.hrtime.bigint();
  const key = sha256(readFileSync(fileURLToPath(import.meta.url))).slice(0, 12);
  const dir = join(cacheDir, `scan-history-${key}`);
  const cached = existsSync(join(dir, ".complete"));
  if (!cached) {
    if (offline)
      throw new Error(
        `scan-corpus: ${dir} is not built; run \`npm run peers\` (or node scripts/scan-corpus.mjs)`,
      );
    // A set without its stamp was interrupted: rebuilt from the start.
    rmSync(dir, { recursive: true, force: true });
    await build(dir).catch((error) => {
      rmSync(`${dir}.tmp-${process.pid}`, { recursive: true, force: true });
      throw error;
    });
    for (const old of readdirSync(cacheDir)) {
      if (old.startsWith("scan-history-") && old !== `scan-history-${key}` && !old.includes(".tmp-"))
        rmSync(join(cacheDir, old), { recursive: true, force: true });
    }
  }
  const manifestPath = join(dir, "manifest.json");
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  process.stderr.write(
    `scan-corpus: ${manifest.commits.length} commits (${manifest.releases.length} releases), ${manifest.planted.length} planted secrets in ` +
      `.cache/corpus/scan-history-${key} (${cached ? "cached" : "built"} in ${(ms / 1000).toFixed(1)}s)\n`,
  );
  process.stdout.write(`${manifestPath}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 1;
});
