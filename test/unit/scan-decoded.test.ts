/**
 * Secrets hidden in base64 (core/scan/secrets.ts scanTextDecoded): found one level deep at the
 * encoded run's own line and column, in both alphabets and any padding; binary payloads (a
 * notebook's image) are not read as text; an allow comment on the run's line silences it; and
 * the run finder stays linear on texts made of nothing but near-runs.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { scanTextDecoded } from "../../src/core/scan/secrets.ts";
import { scanText } from "../../src/core/secrets/scan-text.ts";
import { assertScalesLinearly } from "../helpers/scaling.ts";

const AWS = "AKIAQWERTYUIOPASDFGH";
const PYPI = `pypi-AgEIcHlwaS5vcmc${"Q2hhbmdlTWVfbm90X2FfcmVhbF90b2tlbl9idXRfYV9mb3JtYXRfdGVzdA".repeat(2)}`;
const b64 = (text: string) => Buffer.from(text).toString("base64");

test("a token inside base64 is found at the encoded run, plain findings kept", () => {
  const encoded = b64(`[default]\naws_access_key_id = ${AWS}\n`);
  const text = `import base64\n\nCONFIG = "${encoded}"\nPLAIN = "${PYPI}"\n`;
  assert.deepEqual(
    scanText(text, { path: "app.py" }).map((f) => f.ruleId),
    ["pypi-upload-token"],
  );
  const found = scanTextDecoded(text, { path: "app.py" });
  assert.deepEqual(
    found.map((f) => [f.ruleId, f.line, f.column, f.description.endsWith("(base64-encoded)")]),
    [
      ["aws-access-token", 3, 11, true],
      ["pypi-upload-token", 4, 10, false],
    ],
  );
  assert.equal(found[0]!.shown, "AKIA…");
  // The fingerprint is the decoded secret's: the same secret in plain text at the same path matches.
  const plain = scanText(`K = "${AWS}"\n`, { path: "app.py" });
  assert.equal(found[0]!.fingerprint, plain[0]!.fingerprint);
});

test("both alphabets, with or without padding; binary payloads and allowed lines are not reported", () => {
  for (const tail of ["", "x", "xy"]) {
    const raw = Buffer.from(`token=${PYPI}${tail}\n`);
    const standard = raw.toString("base64");
    const url = raw.toString("base64url");
    for (const run of [standard, standard.replace(/=+$/, ""), url]) {
      const found = scanTextDecoded(`data: ${run}\n`, { path: "c.yaml" });
      assert.deepEqual(
        found.map((f) => f.ruleId),
        ["pypi-upload-token"],
        run,
      );
    }
  }
  // An image in a notebook: long base64 of binary bytes.
  const png = Buffer.alloc(4096);
  for (let i = 0; i < png.length; i++) png[i] = (i * 131 + 7) & 0xff;
  const notebook = JSON.stringify({ outputs: [{ data: { "image/png": png.toString("base64") } }] });
  assert.deepEqual(scanTextDecoded(notebook, { path: "a.ipynb" }), []);
  const allowed = `X = "${b64(`key ${AWS} here`)}"  # slipway: allow\n`;
  assert.deepEqual(scanTextDecoded(allowed, { path: "a.py" }), []);
});

test("the run finder is linear on words just short of a run and on one huge run", () => {
  assertScalesLinearly(
    {
      "short words": (n) => "abcdefghij0123456789ABCDEFGHIJ+ ".repeat(n / 32),
      "one run": (n) => "A".repeat(n),
      alternating: (n) => "A-".repeat(n / 2),
    },
    (doc) => {
      scanTextDecoded(doc, { path: "x.txt" });
    },
    { small: 50_000, large: 400_000 },
  );
});
