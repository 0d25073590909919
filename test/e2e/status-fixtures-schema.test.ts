/**
 * The JSON Schema validates every document the tests produce: besides the documents
 * `slipway status` writes (test/e2e/status.test.ts, status-site-cli.test.ts), the documents the
 * diff, decide, site and badges tests build by hand (test/helpers/status-docs.ts and
 * status-sample.ts) must be ones slipway could have written — valid under
 * docs/schemas/security-status-1.schema.json and read back by the strict parser — or those
 * tests would prove behaviour on documents that cannot occur.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseSecurityStatus } from "../../src/core/status/stored.ts";
import { dep, doc, secret } from "../helpers/status-docs.ts";
import { sampleHistory, sampleStatus } from "../helpers/status-sample.ts";
import { statusSchemaErrors } from "../helpers/status-schema.ts";

test("the hand-built documents of the diff, decide, site and badges tests are valid SecurityStatus documents", () => {
  const docs = [
    doc("2026-12-01", []),
    doc("2026-12-07", [
      dep("GHSA-aaaa", "critical"),
      dep("GHSA-bbbb", "high", { fixedIn: null }),
      dep("GHSA-cccc", "moderate", { runtime: false }),
      secret("pypi-upload-token", "tree"),
      secret("github-pat", "wheel", "high"),
    ]),
    sampleStatus(0),
  ];
  assert.deepEqual(
    statusSchemaErrors(docs),
    docs.map(() => []),
  );
  for (const [i, d] of docs.entries()) parseSecurityStatus(JSON.stringify(d), `document ${i}`);
});

test("the site's sample findings are hostile on purpose: only their javascript: links break the schema, and the parser refuses them", () => {
  const hostile = sampleStatus(50, { grade: "D" });
  const all = statusSchemaErrors([hostile, ...sampleHistory(5)]);
  assert.ok(all[0]!.length > 0, "the sample holds a javascript: link the page must not render as a link");
  for (const e of all.flat()) assert.match(e, /^findings\/\d+\/url: 'javascript:/);
  assert.throws(() => parseSecurityStatus(JSON.stringify(hostile), "hostile.json"), /url/);
});
