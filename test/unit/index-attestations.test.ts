/**
 * The pure parts of the index's PEP 740 support: the attestations field checked as PyPI does,
 * the publisher identity a minted token carries, and `provenance` on simple-API pages.
 */
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { readTrustRoot, type TrustRoot } from "../../src/core/attest/verify.ts";
import { renderProjectHtml, renderProjectJson, type SimpleFile } from "../../src/core/simple/pages.ts";
import { checkAttestations, ONLY_TRUSTED_PUBLISHING } from "../../src/server/attestations.ts";
import { type MintedPublisher, type MintedScope, publisherFor } from "../../src/server/oidc/mint.ts";
import { attestationIdentity, matchPublishers } from "../../src/server/oidc/publisher-match.ts";
import { type AttestFixture, makeAttestFixture } from "../helpers/attest-fixture.ts";

const ISSUER = "https://token.actions.githubusercontent.com";
const dist = { filename: "widget-1.0-py3-none-any.whl", sha256: "ab".repeat(32) };
const publisher: MintedPublisher = {
  projects: ["widget"],
  identity: { kind: "GitHub", repository: "octo/widget", workflow: "release.yml" },
};
let signer: AttestFixture;
let trust: TrustRoot;

before(async () => {
  signer = await makeAttestFixture();
  const read = readTrustRoot(signer.trustedRoot, "test root");
  assert.ok(read.ok);
  trust = read.value;
});

const github = {
  kind: "GitHub",
  issuer: ISSUER,
  repository: "octo/widget",
  workflow: "release.yml",
} as const;
const check = (values: string[], who: MintedPublisher | undefined = publisher) =>
  checkAttestations({ values, publisher: who, issuer: ISSUER, dist, trust });

describe("checkAttestations", () => {
  test("a valid attestation passes with its predicate type and publisher", async () => {
    const result = check([JSON.stringify([await signer.attest(dist, github)])]);
    assert.ok(result.ok, JSON.stringify(result));
    assert.deepEqual(result.predicateTypes, ["https://docs.pypi.org/attestations/publish/v1"]);
    assert.equal(result.publisher, publisher);
  });

  test("PyPI's reasons, in PyPI's order", async () => {
    const good = await signer.attest(dist, github);
    const reasonOf = (values: string[], who?: MintedPublisher) => {
      const r = check(values, who);
      return r.ok ? "ok" : r.reason;
    };
    assert.equal(
      checkAttestations({ values: ["[]"], publisher: undefined, issuer: undefined, dist, trust }).ok,
      false,
    );
    assert.equal(
      (
        checkAttestations({ values: ["[]"], publisher: undefined, issuer: undefined, dist, trust }) as {
          reason: string;
        }
      ).reason,
      ONLY_TRUSTED_PUBLISHING,
    );
    assert.equal(
      reasonOf(["[]", "[]"]),
      "Malformed attestations: the form holds 2 'attestations' fields, not one",
    );
    assert.equal(reasonOf(["nope"]), "Malformed attestations: not valid JSON");
    assert.equal(reasonOf(["{}"]), "Malformed attestations: not a JSON list of attestation objects");
    assert.equal(reasonOf(["[]"]), "Malformed attestations: an empty attestation set is not permitted");
    // Malformed is decided before the count (pydantic validates the list first).
    assert.equal(
      reasonOf([JSON.stringify([good, good, 7])]),
      "Malformed attestations: attestation 2: an attestation must be a JSON object",
    );
    assert.equal(
      reasonOf([JSON.stringify([good, good, good])]),
      "A maximum of 2 attestations per file are supported",
    );
    assert.match(
      reasonOf([JSON.stringify([good])], {
        ...publisher,
        identity: { ...publisher.identity, workflow: "x.yml" } as MintedPublisher["identity"],
      }),
      /^Could not verify the uploaded artifact using the included attestation: signed by the workflow .*release\.yml@refs\/heads\/main, not .*x\.yml \(expected GitHub octo\/widget \.github\/workflows\/x\.yml\)$/,
    );
    assert.match(
      reasonOf([JSON.stringify([good, good])]),
      /^Multiple attestations for the same file with the same predicate type \(https:\/\/docs\.pypi\.org\/attestations\/publish\/v1\) are not supported$/,
    );
  });

  test("reasons are one bounded printable line whatever the attestation holds", async () => {
    const name = `widget-1.0-py3-none-any.whl\r\n${"\u0007".repeat(50)}${"y".repeat(50_000)}`;
    const other = await signer.attest({ filename: name, sha256: dist.sha256 }, github);
    const r = check([JSON.stringify([other])]);
    assert.ok(!r.ok);
    assert.ok(r.reason.length <= 600, String(r.reason.length));
    assert.doesNotMatch(r.reason, /[\u0000-\u001f]/);
  });
});

describe("the publisher a minted token carries", () => {
  test("configured publishers become PyPI's attestation identities", () => {
    assert.deepEqual(
      attestationIdentity({
        kind: "github",
        projects: ["a"],
        repository: "o/r",
        workflow: "w.yml",
        environment: "pypi",
      }),
      { kind: "GitHub", repository: "o/r", workflow: "w.yml", environment: "pypi" },
    );
    assert.deepEqual(
      attestationIdentity({
        kind: "gitlab",
        projects: ["a"],
        projectPath: "g/p",
        ciConfigPath: "ci/release.yml",
      }),
      { kind: "GitLab", repository: "g/p", workflowFilepath: "ci/release.yml" },
    );
  });

  test("matchPublishers returns the publishers that matched; an upload goes to its project's", () => {
    const claims = {
      repository: "o/r",
      job_workflow_ref: "o/r/.github/workflows/w.yml@refs/heads/main",
      environment: "pypi",
    };
    const matched = matchPublishers(
      "github",
      [
        { kind: "github", projects: ["a"], repository: "o/r", workflow: "w.yml" },
        { kind: "github", projects: ["b"], repository: "o/r", workflow: "w.yml", environment: "pypi" },
        { kind: "github", projects: ["c"], repository: "o/other", workflow: "w.yml" },
      ],
      claims,
    );
    assert.ok(matched.ok);
    assert.deepEqual(matched.projects, ["a", "b"]);
    const scope: MintedScope = {
      projects: matched.projects,
      expires: 0,
      issuer: ISSUER,
      publishers: matched.publishers.map((p) => ({ projects: p.projects, identity: attestationIdentity(p) })),
    };
    assert.equal(publisherFor(scope, "b")?.identity.kind, "GitHub");
    assert.deepEqual(publisherFor(scope, "b")?.identity, {
      kind: "GitHub",
      repository: "o/r",
      workflow: "w.yml",
      environment: "pypi",
    });
    assert.equal(publisherFor(scope, "c"), undefined);
  });
});

describe("provenance on simple-API pages", () => {
  const base: SimpleFile = {
    filename: dist.filename,
    url: "../../files/widget/x.whl",
    sha256: dist.sha256,
    size: 1,
  };
  const url = "http://127.0.0.1:1/integrity/widget/1.0/widget-1.0-py3-none-any.whl/provenance";

  test("JSON: the URL or null when given, no key when the caller says nothing", () => {
    const files = (f: SimpleFile) => JSON.parse(renderProjectJson({ name: "widget", files: [f] })).files[0];
    assert.equal(files({ ...base, provenance: url }).provenance, url);
    assert.equal(files({ ...base, provenance: null }).provenance, null);
    assert.ok(!("provenance" in files(base)));
    assert.equal(JSON.parse(renderProjectJson({ name: "widget", files: [] })).meta["api-version"], "1.3");
  });

  test("HTML: data-provenance escaped, absent for null", () => {
    const html = renderProjectHtml({ name: "widget", files: [{ ...base, provenance: `${url}?a="b"&c` }] });
    assert.match(html, /data-provenance="http:\/\/127\.0\.0\.1:1\/integrity\/[^"]*\?a=&quot;b&quot;&amp;c"/);
    assert.doesNotMatch(
      renderProjectHtml({ name: "widget", files: [{ ...base, provenance: null }] }),
      /data-provenance/,
    );
  });
});
