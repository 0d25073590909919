/**
 * Output redaction of a token an index echoed back changed: percent-encoded, base64 and
 * base64url (of the token and of `__token__:<token>`, at every byte alignment), cut short, split
 * over lines or spaced out; linear work (counted, not timed); and the process-wide registry of
 * Secrets that the CLI's `redact` masks.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { type MaskWork, maskSecrets, redact, SECRET_PIECE, secretForms } from "../../src/redact.ts";
import { Secret } from "../../src/secret.ts";
import { echoedForms, squeeze } from "../helpers/echo-forms.ts";

// Characters that percent-encoding and base64 both change, and long enough for a 28-char prefix.
const TOKEN = "canary/7f3a+9e1d=5c2b~8a60 d4e9-Qz_k:41";
const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

test("every echoed form is masked, in running text, and nothing of it survives", () => {
  for (const [name, form] of Object.entries(echoedForms(TOKEN))) {
    const text = `the index said: Refused ${form} (try again)`;
    const masked = maskSecrets(text, [TOKEN]);
    assert.ok(masked.includes("***"), `${name}: masked`);
    assert.ok(!squeeze(masked).includes(squeeze(form)), `${name}: leaked in ${JSON.stringify(masked)}`);
    assert.match(masked, /^the index said: Refused /, `${name}: the text before stays`);
    assert.match(masked, /\(try again\)$/, `${name}: the text after stays`);
  }
});

test("ordinary text, and pieces shorter than SECRET_PIECE, are left alone", () => {
  const text = "403 Forbidden: Invalid or non-existent authentication information. canary/7f3a";
  assert.equal(text.slice(text.indexOf("canary")).length, SECRET_PIECE - 1);
  assert.equal(maskSecrets(text, [TOKEN]), text);
  assert.equal(maskSecrets("", [TOKEN]), "");
  assert.equal(maskSecrets("abc abc", ["abc"]), "abc abc", "a secret under 4 characters is not masked");
});

test("a short password is masked whole, in each of its forms", () => {
  const forms = secretForms("hunter2#");
  assert.ok(forms.includes("hunter2#") && forms.includes("hunter2%23"));
  assert.equal(
    maskSecrets("pw=hunter2%23 and hunter2# and hunter", ["hunter2#"]),
    "pw=*** and *** and hunter",
  );
});

test("the base64 forms keep only the characters that depend on the token", () => {
  // Whatever comes before and after the token, each kept form is found in the encoding.
  for (const before of ["", "a", "ab", "__token__:", "user-x:"]) {
    for (const after of ["", "z", "yz"]) {
      const encoded = b64(`${before}${TOKEN}${after}`);
      const found = secretForms(TOKEN).some((form) => form.length >= 40 && encoded.includes(form));
      assert.ok(found, `the token between '${before}' and '${after}' is found in ${encoded}`);
    }
  }
});

test("work is linear in the text: lookups grow with its length, not its square", () => {
  const measure = (n: number) => {
    const work: MaskWork = { lookups: 0 };
    const text = `${"lorem ipsum ".repeat(n)}${TOKEN}${" dolor".repeat(n)}`;
    maskSecrets(text, [TOKEN, "short-pw"], work);
    return { work: work.lookups, length: text.length };
  };
  const small = measure(1_000);
  const large = measure(16_000);
  // One lookup per character per piece length (at most SECRET_PIECE lengths), whatever the size.
  assert.ok(large.work <= large.length * SECRET_PIECE, `${large.work} lookups for ${large.length} chars`);
  const ratio = large.work / small.work;
  const lengths = large.length / small.length;
  assert.ok(ratio < lengths * 1.1, `work grew ${ratio.toFixed(1)}x for ${lengths.toFixed(1)}x the text`);
});

test("redact masks every Secret of the process, in its changed forms too", () => {
  const token = `registry-${"x7Kq".repeat(5)}-canary`;
  const before = `echo: ${b64(`__token__:${token}`)} and ${token.slice(0, 20)}`;
  assert.equal(redact(before), before, "unknown before a Secret wraps it");
  const secret = new Secret(token);
  assert.equal(String(secret), "***");
  const after = redact(before);
  assert.ok(!after.includes(token.slice(0, 20)), after);
  assert.ok(!after.includes(b64(`__token__:${token}`)), after);
  // URL credentials and known token shapes, as before.
  assert.equal(redact("https://u:p4ss@host/x"), "https://***@host/x");
  assert.equal(redact(`pypi-AgE${"A".repeat(30)}`), "pypi***");
});
