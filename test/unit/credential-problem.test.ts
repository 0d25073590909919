/** What the release preflight makes of each credential-probe outcome: refused and wrong-URL block, the rest warns. */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Credentials } from "../../src/core/upload/credentials.ts";
import type { CredentialProof } from "../../src/ops/publish-probe.ts";
import { credentialProblem } from "../../src/ops/release-preflight.ts";
import { Secret } from "../../src/secret.ts";

const credentials: Credentials = {
  username: "__token__",
  password: new Secret("pypi-unit-test-token"),
  usernameFrom: "default",
  passwordFrom: "flag",
};
const url = "https://upload.example/legacy/";
const proof = (extra: Partial<CredentialProof> & Pick<CredentialProof, "verdict">): CredentialProof => ({
  url,
  cause: { kind: "answer", status: extra.status ?? 0 },
  message: "the index answered something",
  ...extra,
});

test("accepted: no problem; refused: an error naming the index's words and where the password came from", () => {
  assert.equal(
    credentialProblem(proof({ verdict: "accepted", status: 400 }), "pypi", credentials),
    undefined,
  );
  const refused = credentialProblem(
    proof({
      verdict: "refused",
      status: 403,
      message: "the index answered 403 Invalid or non-existent authentication information",
    }),
    "pypi",
    credentials,
  );
  assert.equal(refused?.severity, "error");
  assert.equal(refused?.id, "credentials");
  assert.equal(
    refused?.message,
    "pypi refused the credentials (user __token__, password from --password-stdin): the index answered 403 Invalid or non-existent authentication information",
  );
});

test("a URL that takes no uploads blocks; a 5xx or no answer only warns (a refusal of every file undoes the release)", () => {
  for (const status of [301, 308, 404, 405, 410]) {
    const problem = credentialProblem(proof({ verdict: "unproven", status }), "pypi", credentials);
    assert.equal(problem?.severity, "error", String(status));
    assert.equal(problem?.id, "target-url");
  }
  for (const extra of [{ status: 503 }, { status: 200 }, { message: "ECONNRESET: socket hang up" }]) {
    const problem = credentialProblem(proof({ verdict: "unproven", ...extra }), "pypi", credentials);
    assert.equal(problem?.severity, "warning", JSON.stringify(extra));
    assert.match(problem?.hint ?? "", /the commit and tag are undone/);
  }
});
