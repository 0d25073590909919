/**
 * The secret scan's baseline (core/scan/baseline.ts) and the section a secret scan hands the
 * renderers (core/scan/secrets.ts secretsSection): a written baseline reads back and silences
 * exactly its fingerprints, the line number is no part of them, and a hand-made file is held to
 * a strict shape.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  assembleBaseline,
  dropBaselined,
  parseBaseline,
  renderBaseline,
} from "../../src/core/scan/baseline.ts";
import { secretAsFinding, secretsSection } from "../../src/core/scan/secrets.ts";
import { defaultRules, scanText } from "../../src/core/secrets/scan-text.ts";
import { SlipwayError } from "../../src/errors.ts";

const AWS = "AKIAQWERTYUIOPASDFGH";
const SLACK = "xoxb-1234567890123-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx";

function found(text: string, path: string, commit?: string) {
  const secrets = scanText(text, { path });
  return {
    findings: secrets.map((s) => secretAsFinding(s, commit)),
    fingerprints: secrets.map((s) => s.fingerprint),
  };
}

test("a written baseline reads back and silences its findings wherever the lines move", () => {
  const first = found(`A = 1\nKEY = "${AWS}"\nT = "${SLACK}"\n`, "src/app.py");
  assert.equal(first.findings.length, 2);
  const text = renderBaseline(assembleBaseline(first.findings, first.fingerprints));
  assert.equal(text.includes(AWS.slice(4)), false);
  assert.equal(text.includes(SLACK.slice(4)), false);
  const baseline = parseBaseline(text, "b.json");
  assert.deepEqual(
    baseline.entries.map((e) => [e.rule, e.path, e.shown]),
    [
      ["aws-access-token", "src/app.py", "AKIA…"],
      ["slack-bot-token", "src/app.py", "xoxb…"],
    ],
  );
  const moved = found(`${"\n".repeat(40)}T = "${SLACK}"\nKEY = "${AWS}"\n`, "src/app.py");
  assert.deepEqual(dropBaselined(moved, baseline), { findings: [], fingerprints: [], suppressed: 2 });
  const elsewhere = found(`KEY = "${AWS}"\n`, "src/other.py");
  assert.equal(dropBaselined(elsewhere, baseline).findings.length, 1);
  const another = found(`KEY = "${AWS.replace("QWER", "ZXCV")}"\n`, "src/app.py");
  assert.equal(dropBaselined(another, baseline).findings.length, 1);
  // The same fingerprint twice (two history blobs) is one entry.
  const twice = assembleBaseline(
    [...first.findings, ...first.findings],
    [...first.fingerprints, ...first.fingerprints],
  );
  assert.equal(twice.entries.length, 2);
  assert.equal(
    renderBaseline(assembleBaseline([], [])),
    parseAndRender(renderBaseline(assembleBaseline([], []))),
  );
});

function parseAndRender(text: string): string {
  return renderBaseline(parseBaseline(text, "b.json"));
}

test("a baseline of another shape is refused with the file's name and the first problem", () => {
  const print = `aws-access-token:src/app.py:${"a".repeat(64)}`;
  const entry = (extra: string) =>
    `{"version": 1, "findings": [{"fingerprint": "${print}", "rule": "aws-access-token", "path": "src/app.py"${extra}}]}`;
  assert.equal(parseBaseline(entry(', "line": 3, "shown": "AKIA…"'), "b.json").entries.length, 1);
  const bad: Record<string, string> = {
    "{": "not JSON",
    null: "not a JSON object",
    '{"version": 1}': '"findings" is not an array',
    '{"version": "1", "findings": []}': '"version" is not 1',
    '{"version": 1, "findings": [3]}': "findings[0] is not an object",
    [entry(', "line": 0')]: "findings[0].line is not a line number",
    [entry(', "line": 1.5')]: "findings[0].line is not a line number",
    [entry(', "secret": "x"')]: 'findings[0] has an unknown key "secret"',
    [entry(', "shown": "AKIAQW"')]: "findings[0].shown is longer than 4 characters",
    [entry("").replace('"path": "src/app.py"', '"path": "src/other.py"')]: "findings[0].path does not match",
    [entry("").replace(print, print.slice(0, -1))]: "findings[0].fingerprint is not rule:path:sha256",
  };
  for (const [text, why] of Object.entries(bad)) {
    assert.throws(
      () => parseBaseline(text, "b.json"),
      (error: unknown) =>
        error instanceof SlipwayError &&
        error.code === "config" &&
        error.message.startsWith("b.json is not a slipway baseline: ") &&
        error.message.includes(why),
      text,
    );
  }
});

test("the secrets section: findings, fingerprints, and each rule's metadata from the rule table", () => {
  const report = found(`KEY = "${AWS}"\n`, "src/app.py", "a".repeat(40));
  const tests = found(`T = "${SLACK}"\nU = "${SLACK.replace("AbCd", "ZyXw")}"\n`, "tests/test_app.py");
  const findings = [...report.findings, ...tests.findings];
  const fingerprints = [...report.fingerprints, ...tests.fingerprints];
  const section = secretsSection({ findings, fingerprints, ok: false }, defaultRules());
  assert.equal(section.scanner, "secrets");
  assert.equal(section.failed, true);
  assert.deepEqual(section.fingerprints, fingerprints);
  assert.deepEqual(
    section.rules.map((r) => [r.id, r.securitySeverity]),
    [
      ["aws-access-token", 8.5],
      ["slack-bot-token", 4],
    ],
  );
  const aws = section.rules[0]!;
  assert.match(aws.description, /AWS/);
  assert.match(aws.help, /Revoke/);
  assert.equal(section.findings[0]!.location.commit, "a".repeat(40));
  assert.match(section.findings[0]!.message, /in commit aaaaaaaaaaaa/);
  // A distribution's SEC finding keeps its own words as the rule's description.
  const sec = secretsSection(
    {
      findings: [
        {
          id: "SEC08",
          severity: "warning",
          message: "a .pypirc",
          hint: "remove it",
          location: { file: "x" },
        },
      ],
      fingerprints: [`SEC08:x:${"b".repeat(64)}`],
      ok: true,
    },
    defaultRules(),
  );
  assert.deepEqual(sec.rules, [
    { id: "SEC08", description: "a .pypirc", help: "remove it", securitySeverity: 4 },
  ]);
});
