import assert from "node:assert/strict";
import { test } from "node:test";
import {
  decodeClaims,
  explainClaims,
  isTestPypi,
  MINT_ERROR_HINTS,
  mintErrorHint,
  oidcRoot,
  parseMintAnswer,
  reusableWorkflowNote,
} from "../../src/core/upload/oidc/claims.ts";

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const jwt = (payload: unknown) => `${b64url({ alg: "RS256" })}.${b64url(payload)}.c2ln`;

test("decodeClaims reads the shown claims and nothing else, without verifying", () => {
  const claims = decodeClaims(
    jwt({
      sub: "repo:octo/demo:environment:pypi",
      repository: "octo/demo",
      workflow_ref: "octo/demo/.github/workflows/release.yml@refs/tags/v1",
      environment: "pypi",
      ref: "refs/tags/v1",
      secret_thing: "nope",
      job_workflow_ref: 7,
    }),
  );
  assert.deepEqual(claims, {
    sub: "repo:octo/demo:environment:pypi",
    repository: "octo/demo",
    workflow_ref: "octo/demo/.github/workflows/release.yml@refs/tags/v1",
    environment: "pypi",
    ref: "refs/tags/v1",
  });
  assert.equal(decodeClaims(jwt({ repository: "é/ü" })).repository, "é/ü");
});

test("decodeClaims gives nothing for hostile input", () => {
  for (const bad of [
    "",
    "a.b",
    "a.!!!.c",
    `x.${b64url([1])}.y`,
    `x.${b64url("s")}.y`,
    "a.b.c.d",
    `x.${"A".repeat(70_000)}.y`,
  ]) {
    assert.deepEqual(decodeClaims(bad), {}, bad.slice(0, 20));
  }
  assert.equal(decodeClaims(jwt({ repository: "r".repeat(1000) })).repository?.length, 200);
});

test("oidcRoot derives the index root as PyPI's tools do", () => {
  assert.equal(oidcRoot("https://upload.pypi.org/legacy/"), "https://pypi.org/");
  assert.equal(oidcRoot("https://test.pypi.org/legacy/"), "https://test.pypi.org/");
  assert.equal(oidcRoot("http://127.0.0.1:8080/legacy/"), "http://127.0.0.1:8080/");
  assert.equal(oidcRoot("https://u:p@pkgs.example/a/b/"), "https://pkgs.example/");
  assert.equal(oidcRoot("ftp://x/"), undefined);
  assert.equal(oidcRoot("not a url"), undefined);
  assert.equal(isTestPypi("https://test.pypi.org/legacy/"), true);
  assert.equal(isTestPypi("https://upload.pypi.org/legacy/"), false);
});

test("a reusable workflow is explained with the calling workflow PyPI matches", () => {
  const claims = {
    repository: "octo/demo",
    workflow_ref: "octo/demo/.github/workflows/release.yml@refs/tags/v1",
    job_workflow_ref: "octo/shared/.github/workflows/publish.yml@refs/heads/main",
  };
  const note = reusableWorkflowNote(claims);
  assert.match(note ?? "", /reusable workflow/);
  assert.match(note ?? "", /octo\/demo\/\.github\/workflows\/release\.yml/);
  assert.equal(reusableWorkflowNote({ workflow_ref: "a@b", job_workflow_ref: "a@b" }), undefined);
  const text = explainClaims(claims);
  assert.match(text, /repository: octo\/demo/);
  assert.match(text, /workflow file name: release\.yml/);
  assert.match(text, /environment: \(none/);
  assert.match(explainClaims({}), /could not be read/);
});

test("every PyPI mint error code has a hint; unknown codes a general one", () => {
  for (const code of [
    "invalid-payload",
    "invalid-token",
    "invalid-publisher",
    "invalid-pending-publisher",
    "invalid-reuse-token",
    "not-enabled",
  ]) {
    assert.equal(mintErrorHint(code), MINT_ERROR_HINTS[code]);
  }
  assert.match(mintErrorHint("something-new"), /compare/);
  assert.match(mintErrorHint("__proto__"), /compare/);
  assert.match(mintErrorHint("toString"), /compare/);
});

test("parseMintAnswer reads success and PyPI's error shape, and refuses garbage", () => {
  assert.deepEqual(parseMintAnswer('{"success":true,"token":"t0k","expires":1700000000}'), {
    ok: true,
    token: "t0k",
    expires: 1700000000,
  });
  assert.deepEqual(
    parseMintAnswer(
      '{"message":"Token request failed","errors":[{"code":"invalid-publisher","description":"d"}]}',
    ),
    { ok: false, errors: [{ code: "invalid-publisher", description: "d" }], message: "Token request failed" },
  );
  assert.equal(parseMintAnswer("<html>"), undefined);
  assert.equal(parseMintAnswer("null"), undefined);
  assert.deepEqual(parseMintAnswer('{"errors":[1,{"code":5}]}'), {
    ok: false,
    errors: [{ code: "unknown", description: "" }],
  });
});
