/**
 * SEC09 / SEC11 content scanning (core/secrets): every token format and marker found on real
 * bytes, placeholders and code that merely mentions the formats left alone, matches split
 * across chunk boundaries at every position, binaries skipped, secrets never shown whole.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { issuesToFindings } from "../../src/core/checks/archive.ts";
import { redact } from "../../src/core/secrets/patterns.ts";
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
    hitIssues("pkg/settings.py", scanContent(enc(`T = "${GITHUB}"\n`))),
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
    issuesToFindings(hitIssues(member, scanContent(enc(KEY))), "demo.whl")[0]?.severity;
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
    hitIssues("pkg/core.py", scanContent(enc("__pyarmor_exit__()\n"))),
    "demo.whl",
  );
  assert.equal(findings[0]?.id, "SEC11");
  assert.match(findings[0]!.message, /"__pyarmor_exit__"/);
});
