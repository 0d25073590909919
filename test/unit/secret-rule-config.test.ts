/** .gitleaks.toml, .gitleaksignore and [tool.slipway.scan] rules into the secret rule table. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ignoredByGitleaks, parseGitleaksIgnore } from "../../src/core/secrets/gitleaks-ignore.ts";
import { readScanPlaceConfig } from "../../src/core/secrets/place-config.ts";
import {
  assembleRuleSet,
  parseGitleaksConfig,
  portGoRegex,
  readScanRuleConfig,
} from "../../src/core/secrets/rule-config.ts";
import { SECRET_RULES } from "../../src/core/secrets/rules.ts";
import { compileRules, scanText } from "../../src/core/secrets/scan-text.ts";
import { SlipwayError } from "../../src/errors.ts";

// Shaped like the files projects keep: gitleaks' generated rules (camelCase keys, literal
// strings, (?i) prefixes), a legacy [allowlist] and the newer [[allowlists]] with targetRules.
const GITLEAKS_TOML = `
title = "acme gitleaks config"

[extend]
useDefault = true
disabledRules = ["jwt"]

[[rules]]
id = "acme-internal-token"
description = "Acme internal API token"
regex = '''(?i)\\b(acme_[a-z0-9]{32})(?:['|\\"|\\n|\\r|\\s|\\x60|;]|$)'''
secretGroup = 1
entropy = 3.2
keywords = ["ACME_"]

  [[rules.allowlists]]
  description = "the token of the public sandbox"
  regexTarget = "match"
  regexes = ['''acme_0{32}''']
  stopwords = ["sandbox"]

[[rules]]
id = "pkcs12-file"
description = "PKCS #12 file"
path = '''(?i)(?:^|\\/)[^\\/]+\\.p(?:12|fx)$'''

[[rules]]
id = "github-pat"
description = "GitHub PAT (acme override)"
regex = '''ghp_[0-9a-zA-Z]{36}'''
keywords = ["ghp_"]

[allowlist]
description = "global allow list"
paths = ['''(?:^|/)vendor/''', '''gitleaks\\.toml''']
regexes = ['''(?i)EXAMPLE''']

[[allowlists]]
targetRules = ["acme-internal-token"]
paths = ['''^legacy/''']
`;

test("a real-shaped .gitleaks.toml: rules, rule and global allowlists, extend", () => {
  const config = parseGitleaksConfig(GITLEAKS_TOML);
  assert.equal(config.useDefault, true);
  assert.deepEqual(config.disabledRules, ["jwt"]);
  assert.deepEqual(
    config.rules.map((r) => r.id),
    ["acme-internal-token", "pkcs12-file", "github-pat"],
  );
  const acme = config.rules[0]!;
  assert.equal(acme.flags, "i");
  assert.equal(acme.secretGroup, 1);
  assert.equal(acme.entropy, 3.2);
  assert.deepEqual(acme.keywords, ["acme_"]);
  assert.equal(acme.allowlists?.[0]?.regexTarget, "match");
  assert.deepEqual(acme.allowlists?.[0]?.stopwords, ["sandbox"]);
  assert.equal(config.rules[1]!.regex, "");
  assert.equal(config.allowlists.length, 2);
  assert.deepEqual(
    config.allowlists.map((a) => a.targetRules),
    [["acme-internal-token"], undefined],
  );

  const set = assembleRuleSet([config]);
  assert.ok(!set.rules.some((r) => r.id === "jwt"), "disabled");
  assert.equal(set.rules.find((r) => r.id === "github-pat")?.description, "GitHub PAT (acme override)");
  assert.equal(set.rules.length, SECRET_RULES.length - 1 + 2);
  const rules = compileRules(set.rules, set.allowlists);

  const token = "acme_4f9c2b7e1d8a6035c4b2e9f1a7d3086b";
  const found = scanText(`API = "${token.toUpperCase()}"\n`, { path: "src/app.py", rules });
  assert.deepEqual(
    found.map((f) => [f.ruleId, f.shown]),
    [["acme-internal-token", "ACME…"]],
  );
  // The global allowlist (vendor/), the targeted one (legacy/, only this rule), stopwords.
  assert.deepEqual(scanText(`API = "${token}"`, { path: "vendor/x.py", rules }), []);
  assert.deepEqual(scanText(`API = "${token}"`, { path: "legacy/x.py", rules }), []);
  assert.deepEqual(scanText(`API = "acme_sandbox4f9c2b7e1d8a6035c4b2e9f1"`, { path: "a.py", rules }), []);
  // A path rule reports the file.
  assert.deepEqual(
    scanText("binary", { path: "certs/client.P12", rules }).map((f) => f.ruleId),
    ["pkcs12-file"],
  );
  // The override has no checksum validation: any ghp_ shape is reported now.
  assert.equal(scanText(`ghp_${"Ab1".repeat(12)}`, { path: "a.py", rules })[0]?.ruleId, "github-pat");
});

test("without [extend] useDefault, a .gitleaks.toml replaces the default rules", () => {
  const config = parseGitleaksConfig(
    `[[rules]]\nid = "only"\nregex = "only-[0-9]{8}"\nkeywords = ["only-"]\n`,
  );
  assert.equal(config.useDefault, false);
  assert.deepEqual(
    assembleRuleSet([config]).rules.map((r) => r.id),
    ["only"],
  );
});

test("Go regex syntax ported to JavaScript", () => {
  assert.deepEqual(portGoRegex("(?i)abc"), { source: "abc", flags: "i" });
  assert.deepEqual(portGoRegex("SG\\.(?i)[a-z]{4}"), { source: "SG\\.[a-z]{4}", flags: "i" });
  assert.deepEqual(portGoRegex("x(?-i:Ab)\\z"), { source: "x(?:Ab)$", flags: "" });
  assert.deepEqual(portGoRegex("[[:alnum:]]{3}(?P<s>x)"), { source: "[A-Za-z0-9]{3}(?<s>x)", flags: "" });
});

test("config errors name the file and the key", () => {
  const fails = (text: string, pattern: RegExp) =>
    assert.throws(
      () => parseGitleaksConfig(text),
      (e: unknown) => e instanceof SlipwayError && e.code === "config" && pattern.test(e.message),
    );
  fails(`[[rules]]\nregex = "x"`, /^\.gitleaks\.toml rules\[0\]\.id: a rule needs an id/);
  fails(`[[rules]]\nid = "a"`, /rules\[0\]\.regex: rule "a" has neither regex nor path/);
  fails(`[[rules]]\nid = "a"\nregex = "(unclosed"`, /rules\[0\]\.regex: not a valid regular expression/);
  fails(
    `[[rules]]\nid = "a"\nregex = "x"\nentropy = "high"`,
    /rules\[0\]\.entropy: expected a non-negative number, found a string/,
  );
  fails(
    `[[rules]]\nid = "a"\nregex = "(x)"\nsecretGroup = 2`,
    /rules\[0\]\.secretGroup: the regex has 1 capture groups, not 2/,
  );
  fails(
    `[[rules]]\nid = "a"\nregex = "x"\nkeywords = "x"`,
    /rules\[0\]\.keywords: expected an array of strings/,
  );
  fails(
    `[[rules]]\nid = "a"\nregex = "x"\n[[rules.allowlists]]\ncondition = "XOR"`,
    /rules\[0\]\.allowlists\[0\]\.condition/,
  );
  fails(
    `[[rules]]\nid = "a"\nregex = "x"\n[[rules]]\nid = "a"\nregex = "y"`,
    /rules\[1\]\.id: "a" is defined twice/,
  );
  fails(`rules = [`, /^\.gitleaks\.toml line 1:/);
});

test("[tool.slipway.scan] rules and allowlists with kebab-case keys", () => {
  const config = readScanRuleConfig({
    rules: [{ id: "corp", regex: "corp_([a-f0-9]{24})", "secret-group": 1, keywords: ["corp_"] }],
    allowlists: [{ paths: ["^third_party/"], "target-rules": ["corp"] }],
    "disabled-rules": ["generic-secret-assignment"],
  });
  assert.equal(config.useDefault, true);
  assert.equal(config.rules[0]?.secretGroup, 1);
  assert.deepEqual(config.allowlists[0]?.targetRules, ["corp"]);
  const set = assembleRuleSet([config]);
  assert.ok(set.rules.some((r) => r.id === "github-pat"));
  assert.ok(!set.rules.some((r) => r.id === "generic-secret-assignment"));
  assert.throws(
    () => readScanRuleConfig({ rules: [{ id: "x", regex: "(x)", "secret-group": 3 }] }),
    /pyproject\.toml \[tool\.slipway\.scan\] rules\[0\]\.secret-group: the regex has 1 capture groups, not 3/,
  );
  assert.throws(
    () => readScanRuleConfig({ rules: "x" }),
    /\[tool\.slipway\.scan\] rules: expected an array of tables/,
  );
  assert.deepEqual(readScanRuleConfig(undefined), {
    rules: [],
    allowlists: [],
    disabledRules: [],
    useDefault: true,
  });
});

test(".gitleaksignore: global and commit fingerprints, comments, colons in paths", () => {
  const { entries, problems } = parseGitleaksIgnore(
    [
      "# findings we accept",
      "tests/fixtures/key.pem:private-key:3",
      "",
      "3f4a9c1e2b7d8f60a1b2c3d4e5f60718293a4b5c:src\\settings.py:generic-api-key:12",
      "docs/a:b.md:jwt:7",
      "not a fingerprint",
    ].join("\n"),
  );
  assert.deepEqual(entries, [
    { file: "tests/fixtures/key.pem", ruleId: "private-key", line: 3 },
    {
      commit: "3f4a9c1e2b7d8f60a1b2c3d4e5f60718293a4b5c",
      file: "src/settings.py",
      ruleId: "generic-api-key",
      line: 12,
    },
    { file: "docs/a:b.md", ruleId: "jwt", line: 7 },
  ]);
  assert.equal(problems.length, 1);
  assert.match(problems[0]!, /line 6/);
  assert.ok(ignoredByGitleaks(entries, { ruleId: "private-key", path: "tests/fixtures/key.pem", line: 3 }));
  assert.ok(!ignoredByGitleaks(entries, { ruleId: "private-key", path: "tests/fixtures/key.pem", line: 4 }));
  assert.ok(
    ignoredByGitleaks(entries, {
      ruleId: "generic-api-key",
      path: "src/settings.py",
      line: 12,
      commit: "3f4a9c1e2b7d8f60a1b2c3d4e5f60718293a4b5c",
    }),
  );
  assert.ok(!ignoredByGitleaks(entries, { ruleId: "generic-api-key", path: "src/settings.py", line: 12 }));
});

test("[tool.slipway.scan] severity-by-place and warn-paths", () => {
  const token = "glpat-Zq7LmN2pR4sT6vX8yA0b";
  const severity = (path: string, scan: Record<string, unknown> | undefined) =>
    scanText(token, { path, place: readScanPlaceConfig(scan) })[0]?.severity;
  assert.equal(severity("tests/conftest.py", undefined), "warning");
  assert.equal(severity("tests/conftest.py", { "severity-by-place": false }), "error");
  assert.equal(severity("qa/keys/a.env", undefined), "error");
  assert.equal(severity("qa/keys/a.env", { "warn-paths": ["qa/**"] }), "warning");
  assert.equal(severity("src/a.env", { "warn-paths": ["qa/**"] }), "error");
  assert.throws(
    () => readScanPlaceConfig({ "warn-paths": ["../x"] }),
    /pyproject\.toml \[tool\.slipway\.scan\] warn-paths\[0\]: "\.\.\/x" is not a relative path pattern/,
  );
  assert.throws(
    () => readScanPlaceConfig({ "severity-by-place": "yes" }),
    /\[tool\.slipway\.scan\] severity-by-place: expected true or false/,
  );
});
