/**
 * SEC09 / SEC11 content scanning (core/secrets): every token format and marker found on real
 * bytes, placeholders and code that merely mentions the formats left alone, matches split
 * across chunk boundaries at every position, binaries skipped, secrets never shown whole.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { issuesToFindings } from "../../src/core/checks/archive.ts";
import { docMarkupOf } from "../../src/core/secrets/doc-blocks.ts";
import { PLACEHOLDERS, redact } from "../../src/core/secrets/patterns.ts";
import { ContentScanner, hitIssues, scanContent } from "../../src/core/secrets/scanner.ts";

const enc = (s: string) => Buffer.from(s, "utf8");
const whats = (text: string) => scanContent(enc(text)).map((h) => h.rule.what);

// Realistic-looking (but fake) secrets, assembled so this file holds none literally.
const PYPI = `pypi-${"AgEIcHlwaS5vcmc"}CJGE2ZTQ3ZjVhLWQwNmQtNDM4NC1iZGQ4LTRkNTlmY2JkYmIxZAACKlszLCI4NTc2ZjQ2MC02YWE`;
const TESTPYPI = `pypi-${"AgENdGVzdC5weXBpLm9yZw"}IkYWNjYjg5YmUtMGE0Yy00NGQ2LTllN2ItOTM5NjU2ZDRmNjFlAAIqWzMsIjY`;
const GITHUB = `gh${"p"}_R4nd0mT0k3nV4lu3xyzABCDEFGHIJKLmno12`;
const FINE = `github_${"pat"}_11ABCDEFG0123456789abc_${"Zq9".repeat(19)}XY`;
const NPM = `npm_${"a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"}`;
const AWS = `AKIA${"Z7QWERTY5UIOP3AS"}`;
const SLACK = `xox${"b"}-123456789012-987654321098-AbCdEfGhIjKlMnOp`;
const KEY = `-----BEGIN RSA PRIVATE ${"KEY"}-----\nMIIEowIBAAKCAQEAx9Zk3f5Y8kq1Lr7dJ0sKjV2nP8wQ4tY6uI9oP3aS5dF7gH1j\n-----END RSA PRIVATE KEY-----\n`;

test("SEC09 finds PyPI, TestPyPI, GitHub, npm, AWS and Slack tokens and private keys", () => {
  assert.deepEqual(whats(`token = "${PYPI}"\n`), ["PyPI API token"]);
  assert.deepEqual(whats(`TWINE_PASSWORD=${TESTPYPI}\n`), ["TestPyPI API token"]);
  assert.deepEqual(whats(`GH=${GITHUB}\n`), ["GitHub token"]);
  assert.deepEqual(whats(`auth: ${FINE}\n`), ["GitHub fine-grained token"]);
  assert.deepEqual(whats(`//registry.npmjs.org/:_authToken=${NPM}\n`), ["npm token"]);
  assert.deepEqual(whats(`aws_access_key_id = ${AWS}\n`), ["AWS access key id"]);
  assert.deepEqual(whats(`SLACK=${SLACK}\n`), ["Slack token"]);
  assert.deepEqual(whats(KEY), ["private key"]);
  assert.deepEqual(whats(KEY.replace("RSA ", "OPENSSH ")), ["private key"]);
});

test("SEC09 passes code that only mentions the formats, placeholders and documentation examples", () => {
  const benign = [
    'if line.startswith("-----BEGIN RSA PRIVATE KEY-----"):\n    parse(line)\n',
    "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n",
    `token = "ghp_${"x".repeat(36)}"\n`,
    `token = "ghp_${"XXXXXXXXXX".repeat(4).slice(0, 36)}"\n`,
    "SLACK_TOKEN=xoxb-your-token-here\n",
    "see https://pypi.org/help/#apitoken for pypi- tokens\n",
    `prefix${GITHUB}suffix\n`,
    "npm_config_cache = path\n",
  ];
  for (const text of benign) assert.deepEqual(whats(text), [], text);
});

test("SEC11 finds PyArmor and SourceDefender markers; SourceDefender needs both of its markers", () => {
  assert.deepEqual(
    whats(
      "from pytransform import pyarmor_runtime\npyarmor_runtime()\n__pyarmor__(__name__, __file__, b'\\x01')\n",
    ),
    ["PyArmor-encrypted code"],
  );
  assert.deepEqual(whats("def f():\n    __pyarmor_enter__(1)\n"), ["PyArmor runtime hook"]);
  assert.deepEqual(whats("---BEGIN PYE FILE---\nabc\n---END PYE FILE---\n"), [
    "SourceDefender-encrypted code",
  ]);
  assert.deepEqual(whats("# docs: files start with ---BEGIN PYE FILE---\n"), []);
  assert.deepEqual(whats("pyarmor gen --output dist src/\n"), []);
});

test("SEC09 reports the line of the match", () => {
  const hits = scanContent(enc(`a = 1\nb = 2\n\ntoken = "${NPM}"\n`));
  assert.equal(hits[0]?.line, 4);
});

test("SEC09 finds a token split across chunks at every position, once, on the right line", () => {
  const text = `${"# filler line\n".repeat(80)}value = "${PYPI}"\nend\n`;
  const bytes = enc(text);
  const start = text.indexOf(PYPI);
  for (let cut = start - 3; cut <= start + PYPI.length + 3; cut++) {
    const scanner = new ContentScanner();
    scanner.push(bytes.subarray(0, cut));
    scanner.push(bytes.subarray(cut));
    const hits = scanner.finish();
    assert.equal(hits.length, 1, `cut at ${cut}`);
    assert.equal(hits[0]?.line, 81);
  }
});

test("SEC09 finds a private key whose header starts before its anchor, split across chunks anywhere", () => {
  // The match starts 15 characters before its "PRIVATE KEY" anchor: a cut that left the anchor
  // at the start of the kept tail lost that prefix, and the key went unreported.
  const text = `${"# filler line\n".repeat(80)}${KEY}${"# more filler\n".repeat(80)}`;
  const bytes = enc(text);
  const start = text.indexOf("-----BEGIN");
  for (let cut = start - 100; cut <= start + 700; cut++) {
    const scanner = new ContentScanner();
    scanner.push(bytes.subarray(0, cut));
    scanner.push(bytes.subarray(cut));
    assert.deepEqual(
      scanner.finish().map((h) => h.line),
      [81],
      `cut at ${cut}`,
    );
  }
  // And fed a byte at a time.
  const scanner = new ContentScanner();
  for (let at = 0; at < bytes.length; at++) scanner.push(bytes.subarray(at, at + 1));
  assert.deepEqual(
    scanner.finish().map((h) => h.line),
    [81],
  );
});

test("SEC09 finds tokens on both sides of a piece's last 512 characters, each once", () => {
  // The piece's scan takes the first token; the last one starts in the tail that the scan
  // leaves to the member's end, and `finish` picks it up there.
  const text = `a = "${AWS}"\n${"# filler line\n".repeat(60)}b = "${NPM}"\nc = "${AWS}"\n`;
  const scanner = new ContentScanner();
  scanner.push(enc(text));
  assert.deepEqual(
    scanner.finish().map((h) => [h.rule.what, h.line]),
    [
      ["AWS access key id", 1],
      ["npm token", 62],
      ["AWS access key id", 63],
    ],
  );
});

test("SEC09 scans long members in pieces with correct line numbers", () => {
  const text = `${"x = 1\n".repeat(40_000)}k = "${AWS}"\n${"y = 2\n".repeat(40_000)}k2 = "${NPM}"\n`;
  const scanner = new ContentScanner();
  const bytes = enc(text);
  for (let at = 0; at < bytes.length; at += 100_003) scanner.push(bytes.subarray(at, at + 100_003));
  assert.deepEqual(
    scanner.finish().map((h) => [h.rule.what, h.line]),
    [
      ["AWS access key id", 40_001],
      ["npm token", 80_002],
    ],
  );
});

test("binary members (a NUL early on) are not scanned; the byte limit is honoured", () => {
  assert.deepEqual(
    scanContent(Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0]), enc(`\n${NPM}\n`)])),
    [],
  );
  const late = enc(`${"a".repeat(1000)}\n${NPM}\n`);
  assert.deepEqual(scanContent(late, { limit: 500 }), []);
  assert.equal(scanContent(late).length, 1);
});

test("SEC09 findings show the redacted form, never the secret", () => {
  assert.equal(redact(NPM), "npm_…");
  const findings = issuesToFindings(
    hitIssues("pkg/settings.py", scanContent(enc(`T = "${GITHUB}"\n`)), "wheel"),
    "demo.whl",
  );
  assert.equal(findings[0]?.id, "SEC09");
  assert.equal(findings[0]?.severity, "error");
  assert.equal(findings[0]?.location.member, "pkg/settings.py");
  assert.equal(findings[0]?.location.line, 1);
  assert.ok(!JSON.stringify(findings).includes(GITHUB.slice(4)));
  assert.match(findings[0]!.message, /ghp_…/);
});

test("SEC09 is a warning in test directories and test modules, where fake keys are shipped on purpose", () => {
  const severity = (member: string) =>
    issuesToFindings(hitIssues(member, scanContent(enc(KEY)), "wheel"), "demo.whl")[0]?.severity;
  // Where real wheels on PyPI keep key fixtures (pycryptodome, jwcrypto, ecdsa).
  for (const member of [
    "pkg/tests/data/key.pem",
    "Crypto/SelfTest/PublicKey/test_import_ECC.py",
    "jwcrypto/tests.py",
    "ecdsa/test_keys.py",
    "pkg/keys_test.py",
    "pkg/conftest.py",
  ]) {
    assert.equal(severity(member), "warning", member);
  }
  for (const member of ["pkg/settings.py", "pkg/contest.py", "pkg/latest/key.pem", "pkg/attestation.py"]) {
    assert.equal(severity(member), "error", member);
  }
});

test("SEC11 findings quote the marker", () => {
  const findings = issuesToFindings(
    hitIssues("pkg/core.py", scanContent(enc("__pyarmor_exit__()\n")), "wheel"),
    "demo.whl",
  );
  assert.equal(findings[0]?.id, "SEC11");
  assert.match(findings[0]!.message, /"__pyarmor_exit__"/);
});

/** The SEC09 findings for one member's text, as `check` builds them from the reader's issues. */
function sec09(member: string, text: string, kind: "sdist" | "wheel" = "sdist") {
  const hits = scanContent(enc(text), { markup: docMarkupOf(member) });
  return issuesToFindings(hitIssues(member, hits, kind), "dist/x");
}
const severities = (member: string, text: string, kind: "sdist" | "wheel" = "sdist") =>
  sec09(member, text, kind).map((f) => f.severity);

test("SEC09 where real sdists ship test keys (requests, aiohttp, urllib3, cryptography) is a warning that says how to allow it", () => {
  // The member paths are those of requests 2.34.2, aiohttp 3.14.5, urllib3 2.8.0 and
  // cryptography 51.0.1 sdists; the keys are the same shape (a PEM private key at line 1).
  const cases: [string, string][] = [
    ["requests-2.34.2/tests/certs/valid/server/server.key", "tests/**"],
    ["aiohttp-3.14.5/examples/server.key", "examples/**"],
    ["urllib3-2.8.0/dummyserver/certs/server.key", "dummyserver/**"],
    ["cryptography-51.0.1/tests/hazmat/primitives/fixtures_rsa.py", "tests/**"],
    ["demo-1.0/testing/keys/client.key", "testing/**"],
    ["demo-1.0/src/demo/fixtures/ca.key", "src/demo/fixtures/**"],
    ["demo-1.0/testdata/id.key", "testdata/**"],
    ["demo-1.0/certs/test_server.key", "certs/test_server.key"],
    ["demo-1.0/certs/dummy.pem", "certs/dummy.pem"],
  ];
  for (const [member, glob] of cases) {
    const [found] = sec09(member, KEY);
    assert.equal(found?.severity, "warning", member);
    assert.ok(found.hint.includes(`allow-secrets = ["${glob}"]`), `${member}: ${found.hint}`);
    assert.match(found.message, /in test or documentation material|in a test file/);
  }
  // Elsewhere it stays an error, with the revoke hint; the sdist's top directory never counts
  // (a project named "dummy" or "tests-kit" is not a fixture).
  for (const member of [
    "demo-1.0/src/demo/settings.py",
    "dummy-1.0/src/app/key.pem",
    "tests_kit-2.0/deploy/key.pem",
  ]) {
    const [found] = sec09(member, KEY);
    assert.equal(found?.severity, "error", member);
    assert.match(found.hint, /^Revoke the credential now/);
  }
  // In a wheel the path starts at the package: demo/tests/ counts.
  assert.deepEqual(severities("demo/tests/data/key.pem", KEY, "wheel"), ["warning"]);
  assert.deepEqual(severities("demo/keys.py", KEY, "wheel"), ["error"]);
});

const indent = (text: string, by: string) =>
  text
    .trimEnd()
    .split("\n")
    .map((l) => `${by}${l}`);
const [KEY_HEAD, KEY_BODY] = KEY.split("\n");

// cryptography 51.0.1 docs/x509/ocsp.rst shows its keys in a `.. testsetup::` block.
const RST = [
  "OCSP",
  "====",
  "",
  ".. testsetup::",
  "",
  '    ca_key = b"""',
  ...indent(KEY, "    "),
  '    """',
  "",
  "An example key in OpenSSH format::",
  "",
  ...indent(KEY.replace("RSA", "OPENSSH"), "    "),
  "",
  ".. code-block:: text",
  "   :caption: key.pem",
  "",
  ...indent(KEY, "   "),
  "",
  "Outside any block:",
  "",
  KEY.trimEnd(),
  "",
].join("\n");

test("SEC09 in a code block of a .rst document (literal block, code directive) is a warning; outside it an error", () => {
  const found = sec09("demo-1.0/README.rst", RST);
  assert.deepEqual(
    found.map((f) => `${f.location.line} ${f.severity}`),
    ["7 warning", "14 warning", "21 warning", "27 error"],
  );
  assert.match(found[0]!.message, /in a code block of the document/);
  assert.match(found[0]!.hint, /allow-secrets = \["README\.rst"\]/);
  // A note's prose is not code, even indented under a directive.
  assert.deepEqual(severities("demo-1.0/README.rst", [".. note::", "", ...indent(KEY, "   ")].join("\n")), [
    "error",
  ]);
});

const MARKDOWN = [
  "# demo",
  "",
  "```pem",
  KEY.trimEnd(),
  "```",
  "",
  "Indented:",
  "",
  ...indent(KEY, "    "),
  "",
  "~~~~",
  "```",
  KEY.trimEnd(),
  "~~~~",
  "",
  "A paragraph",
  `    ${KEY_HEAD}`,
  `    ${KEY_BODY}`,
  "",
  KEY.trimEnd(),
].join("\n");

test("SEC09 in a fenced or indented block of a .md document is a warning; in prose an error", () => {
  const lines = (bytes: Buffer, step: number) => {
    const scanner = new ContentScanner({ markup: "markdown" });
    for (let at = 0; at < bytes.length; at += step) scanner.push(bytes.subarray(at, at + step));
    return scanner.finish().map((h) => `${h.line} ${h.codeBlock}`);
  };
  const expected = ["4 true", "11 true", "17 true", "23 false", "26 false"];
  assert.deepEqual(lines(enc(MARKDOWN), 1 << 20), expected);
  // The same, fed in pieces cut anywhere (a line's head and end arrive in different chunks).
  for (const step of [1, 3, 7, 64]) assert.deepEqual(lines(enc(MARKDOWN), step), expected, `step ${step}`);
  assert.deepEqual(severities("demo-1.0/README.md", MARKDOWN), [
    "warning",
    "warning",
    "warning",
    "error",
    "error",
  ]);
  // The same text in a .txt file has no code blocks.
  assert.deepEqual(severities("demo-1.0/src/demo/notes.txt", MARKDOWN), [
    "error",
    "error",
    "error",
    "error",
    "error",
  ]);
});

test("SEC09 with a placeholder value is a warning whose hint never says to rotate or revoke", () => {
  const redactedKey = `-----BEGIN PRIVATE ${"KEY"}-----\n${"x".repeat(64)}\n-----END PRIVATE KEY-----\n`;
  const docsToken = `gh${"p"}_DummyTokenForTheDocs0123456789abcdef`;
  for (const text of [redactedKey, `TOKEN = "${docsToken}"\n`]) {
    const [found] = sec09("demo-1.0/src/demo/config.py", text);
    assert.equal(found?.severity, "warning", text);
    assert.match(found.message, /with a placeholder value \("(xxxx|dummy)"\)/);
    assert.doesNotMatch(found.hint, /rotate|revoke/i);
    assert.match(found.hint, /allow-secrets = \["src\/demo\/config\.py"\]/);
  }
  // A random-looking token is no placeholder.
  assert.deepEqual(severities("demo-1.0/src/demo/config.py", `T = "${GITHUB}"\n`), ["error"]);
});

test("the placeholder words are data, listed in docs/check.md", () => {
  const doc = readFileSync(new URL("../../docs/check.md", import.meta.url), "utf8");
  for (const word of PLACEHOLDERS) assert.ok(doc.includes(`\`${word}\``), `docs/check.md lists ${word}`);
});
