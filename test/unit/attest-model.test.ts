import assert from "node:assert/strict";
import { test } from "node:test";
import { matchPublisher, publisherFromClaims, type SignerClaims } from "../../src/core/attest/identity.ts";
import {
  attestationBundle,
  parseAttestation,
  preAuthEncoding,
  publishStatement,
  readAttestation,
  sameDistribution,
  statementSubject,
} from "../../src/core/attest/model.ts";
import { readProvenance } from "../../src/core/attest/provenance.ts";
import { readRekorEntry, readSigningCert } from "../../src/core/attest/sigstore-answers.ts";
import { publicGoodTrustRoot, readTrustRoot } from "../../src/core/attest/verify.ts";

const SHA = "a".repeat(64);
const b64 = (text: string) => Buffer.from(text).toString("base64");
const valid = () => ({
  version: 1,
  verification_material: {
    certificate: Buffer.from([0x30, 0x82, 0x01]).toString("base64"),
    transparency_entries: [{}],
  },
  envelope: {
    statement: b64(new TextDecoder().decode(publishStatement("demo-1.0.tar.gz", SHA))),
    signature: b64("sig"),
  },
});

test("DSSE pre-authentication encoding is the spec's test vector", () => {
  const pae = preAuthEncoding("http://example.com/HelloWorld", Buffer.from("hello world"));
  assert.equal(pae.toString(), "DSSEv1 29 http://example.com/HelloWorld 11 hello world");
  // Lengths are in bytes, not characters.
  assert.equal(preAuthEncoding("t", Buffer.from("é")).toString(), "DSSEv1 1 t 2 é");
});

test("the publish statement: one subject named by the file, its sha256, PyPI's predicate", () => {
  const statement = JSON.parse(
    Buffer.from(publishStatement("Demo_Pkg-1.0-py3-none-any.whl", SHA)).toString(),
  );
  assert.deepEqual(statement, {
    _type: "https://in-toto.io/Statement/v1",
    subject: [{ name: "Demo_Pkg-1.0-py3-none-any.whl", digest: { sha256: SHA } }],
    predicateType: "https://docs.pypi.org/attestations/publish/v1",
    predicate: null,
  });
  const subject = statementSubject(publishStatement("demo-1.0.tar.gz", SHA));
  assert.deepEqual(subject, {
    ok: true,
    value: {
      name: "demo-1.0.tar.gz",
      sha256: SHA,
      predicateType: "https://docs.pypi.org/attestations/publish/v1",
    },
  });
});

test("statements PyPI refuses are refused, each with its reason", () => {
  const statement = (value: unknown) => statementSubject(Buffer.from(JSON.stringify(value)));
  const base = JSON.parse(Buffer.from(publishStatement("demo-1.0.tar.gz", SHA)).toString());
  const cases: [unknown, RegExp][] = [
    [{ ...base, subject: [] }, /exactly one subject/],
    [{ ...base, subject: [base.subject[0], base.subject[0]] }, /exactly one subject/],
    [{ ...base, predicateType: "https://example.com/x" }, /unknown attestation type/],
    [{ ...base, _type: "https://in-toto.io/Statement/v0.1" }, /_type/],
    [{ ...base, subject: [{ name: "demo-1.0.tar.gz", digest: { sha512: SHA } }] }, /sha256/],
    [{ ...base, subject: [{ name: "", digest: { sha256: SHA } }] }, /no name/],
    [[1, 2], /not a JSON object/],
  ];
  for (const [value, reason] of cases) {
    const result = statement(value);
    assert.equal(result.ok, false, JSON.stringify(value));
    if (!result.ok) assert.match(result.error, reason);
  }
  assert.deepEqual(statementSubject(Buffer.from("{")), { ok: false, error: "the statement is not JSON" });
});

test("subject names compare as packaging parses them, not as strings", () => {
  assert.equal(sameDistribution("Demo.Pkg-1.0-py3-none-any.whl", "demo_pkg-1.0-py3-none-any.whl").ok, true);
  assert.equal(sameDistribution("demo-1.0.0-py3-none-any.whl", "demo-1.0-py3-none-any.whl").ok, true);
  assert.equal(sameDistribution("demo-1.0-py2.py3-none-any.whl", "demo-1.0-py3.py2-none-any.whl").ok, true);
  assert.equal(sameDistribution("demo-1.0-py3-none-any.whl", "demo-1.1-py3-none-any.whl").ok, false);
  assert.equal(sameDistribution("demo-1.0-1-py3-none-any.whl", "demo-1.0-py3-none-any.whl").ok, false);
  assert.equal(sameDistribution("demo-1.0.tar.gz", "demo-1.0-py3-none-any.whl").ok, false);
  assert.equal(sameDistribution("demo-1.0.zip", "demo-1.0.tar.gz").ok, false);
  const bad = sameDistribution("../etc/passwd", "demo-1.0.tar.gz");
  assert.equal(bad.ok, false);
  if (!bad.ok) assert.match(bad.error, /not a distribution filename/);
});

test("attestation objects are read strictly: shape, base64, sizes", () => {
  assert.equal(readAttestation(valid()).ok, true);
  const cases: [unknown, RegExp][] = [
    [{ ...valid(), version: 2 }, /version/],
    [{ ...valid(), envelope: undefined }, /envelope/],
    [{ ...valid(), envelope: { ...valid().envelope, signature: "not base64!" } }, /base64/],
    [{ ...valid(), envelope: { ...valid().envelope, statement: "YQ" } }, /base64/],
    [
      { ...valid(), verification_material: { ...valid().verification_material, transparency_entries: [] } },
      /at least one/,
    ],
    [
      { ...valid(), verification_material: { ...valid().verification_material, certificate: b64("PEM?") } },
      /DER/,
    ],
    [
      {
        ...valid(),
        verification_material: { ...valid().verification_material, transparency_entries: Array(9).fill({}) },
      },
      /more than 8/,
    ],
  ];
  for (const [value, reason] of cases) {
    const result = readAttestation(value);
    assert.equal(result.ok, false);
    if (!result.ok) assert.match(result.error, reason);
  }
  assert.deepEqual(parseAttestation("{"), { ok: false, error: "not JSON" });
  // RFC 3161 timestamps (what a Rekor v2 entry needs for its time) are kept and reach the bundle.
  const stamped = readAttestation({
    ...valid(),
    verification_material: { ...valid().verification_material, timestamps: [b64("tsr")] },
  });
  assert.ok(stamped.ok);
  if (stamped.ok) {
    const bundle = attestationBundle(stamped.value) as { verificationMaterial: Record<string, unknown> };
    assert.deepEqual(bundle.verificationMaterial.timestampVerificationData, {
      rfc3161Timestamps: [{ signedTimestamp: b64("tsr") }],
    });
  }
  const badStamp = readAttestation({
    ...valid(),
    verification_material: { ...valid().verification_material, timestamps: ["%%"] },
  });
  assert.equal(badStamp.ok, false);
  const huge = parseAttestation(" ".repeat(1024 * 1024 + 1));
  assert.equal(huge.ok, false);
});

const signer = (claims: SignerClaims["claims"], san?: string): SignerClaims =>
  san ? { san, claims } : { claims };
const github = (over: Partial<SignerClaims["claims"]> = {}) =>
  signer({
    issuer: "https://token.actions.githubusercontent.com",
    sourceRepositoryUri: "https://github.com/octo/demo",
    sourceRepositoryDigest: "abc123",
    sourceRepositoryRef: "refs/tags/v1.0",
    buildConfigUri: "https://github.com/octo/demo/.github/workflows/release.yml@refs/tags/v1.0",
    ...over,
  });

test("a GitHub publisher matches the certificate's issuer, repository and workflow at its ref or sha", () => {
  const publisher = { kind: "GitHub", repository: "octo/demo", workflow: "release.yml" } as const;
  assert.equal(matchPublisher(publisher, github()).ok, true);
  assert.equal(matchPublisher({ ...publisher, repository: "Octo/Demo" }, github()).ok, true);
  assert.equal(
    matchPublisher(
      publisher,
      github({ buildConfigUri: "https://github.com/octo/demo/.github/workflows/release.yml@abc123" }),
    ).ok,
    true,
  );
  const cases: [SignerClaims, RegExp][] = [
    [github({ issuer: "https://example.com" }), /token from https:\/\/example.com/],
    [
      github({ sourceRepositoryUri: "https://github.com/evil/demo" }),
      /signed in https:\/\/github.com\/evil\/demo/,
    ],
    [
      github({ buildConfigUri: "https://github.com/octo/demo/.github/workflows/other.yml@refs/tags/v1.0" }),
      /other.yml/,
    ],
    [
      github({
        buildConfigUri: "https://github.com/octo/demo/.github/workflows/release.yml@refs/heads/evil",
      }),
      /workflow/,
    ],
    [
      signer({
        issuer: "https://token.actions.githubusercontent.com",
        sourceRepositoryUri: "https://github.com/octo/demo",
      }),
      /neither/,
    ],
  ];
  for (const [claims, reason] of cases) {
    const result = matchPublisher(publisher, claims);
    assert.equal(result.ok, false);
    if (!result.ok) assert.match(result.error, reason);
  }
  // A test issuer stands in for GitHub's when named.
  assert.equal(
    matchPublisher(publisher, github({ issuer: "http://127.0.0.1:1" }), "http://127.0.0.1:1").ok,
    true,
  );
});

test("GitLab and Google publishers", () => {
  const gitlab = signer({
    issuer: "https://gitlab.com",
    sourceRepositoryUri: "https://gitlab.com/group/sub/demo",
    sourceRepositoryDigest: "abc",
    sourceRepositoryRef: "refs/heads/main",
    buildConfigUri: "https://gitlab.com/group/sub/demo//.gitlab-ci.yml@refs/heads/main",
  });
  assert.equal(
    matchPublisher(
      { kind: "GitLab", repository: "group/sub/demo", workflowFilepath: ".gitlab-ci.yml" },
      gitlab,
    ).ok,
    true,
  );
  assert.equal(
    matchPublisher(
      { kind: "GitLab", repository: "group/sub/demo", workflowFilepath: "ci/release.yml" },
      gitlab,
    ).ok,
    false,
  );
  const google = signer({ issuer: "https://accounts.google.com" }, "sa@proj.iam.gserviceaccount.com");
  assert.equal(matchPublisher({ kind: "Google", email: "sa@proj.iam.gserviceaccount.com" }, google).ok, true);
  assert.equal(
    matchPublisher({ kind: "Google", email: "other@proj.iam.gserviceaccount.com" }, google).ok,
    false,
  );
});

test("the publisher an identity token stands for", () => {
  assert.deepEqual(
    publisherFromClaims({
      repository: "octo/demo",
      workflow_ref: "octo/demo/.github/workflows/release.yml@refs/tags/v1",
    }),
    { kind: "GitHub", repository: "octo/demo", workflow: "release.yml" },
  );
  assert.deepEqual(
    publisherFromClaims({
      project_path: "group/demo",
      ci_config_ref_uri: "gitlab.com/group/demo//ci/release.yml@refs/heads/main",
    }),
    { kind: "GitLab", repository: "group/demo", workflowFilepath: "ci/release.yml" },
  );
  assert.deepEqual(publisherFromClaims({ email: "sa@p.iam.gserviceaccount.com", email_verified: true }), {
    kind: "Google",
    email: "sa@p.iam.gserviceaccount.com",
  });
  assert.equal(publisherFromClaims({ email: "sa@p.iam.gserviceaccount.com" }), undefined);
  assert.equal(publisherFromClaims({ repository: "octo/demo", workflow_ref: "nonsense" }), undefined);
});

test("Rekor's answer becomes a protobuf-JSON transparency entry; malformed answers are refused", () => {
  const body = b64(JSON.stringify({ apiVersion: "0.0.1", kind: "dsse", spec: {} }));
  const answer = {
    "24296fb24b8ad77a": {
      body,
      integratedTime: 1700000000,
      logID: "c0d23d6ad406973f",
      logIndex: 7,
      verification: {
        inclusionProof: { checkpoint: "cp\n", hashes: ["00ff"], logIndex: 7, rootHash: "ab", treeSize: 8 },
        signedEntryTimestamp: "c2V0",
      },
    },
  };
  const read = readRekorEntry(JSON.stringify(answer));
  assert.deepEqual(read, {
    ok: true,
    value: {
      logIndex: "7",
      logId: { keyId: Buffer.from("c0d23d6ad406973f", "hex").toString("base64") },
      kindVersion: { kind: "dsse", version: "0.0.1" },
      integratedTime: "1700000000",
      inclusionPromise: { signedEntryTimestamp: "c2V0" },
      inclusionProof: {
        logIndex: "7",
        rootHash: "qw==",
        treeSize: "8",
        hashes: ["AP8="],
        checkpoint: { envelope: "cp\n" },
      },
      canonicalizedBody: body,
    },
  });
  const entry = answer["24296fb24b8ad77a"];
  for (const bad of [
    "[]",
    "{}",
    JSON.stringify({ a: entry, b: entry }),
    JSON.stringify({ a: { ...entry, logIndex: -1 } }),
    JSON.stringify({ a: { ...entry, body: b64("not json") } }),
    JSON.stringify({
      a: {
        ...entry,
        verification: {
          ...entry.verification,
          inclusionProof: { ...entry.verification.inclusionProof, hashes: ["zz"] },
        },
      },
    }),
  ])
    assert.equal(readRekorEntry(bad).ok, false, bad);
});

test("Fulcio's answer must carry a certificate with an embedded SCT", () => {
  const pem = `-----BEGIN CERTIFICATE-----\n${Buffer.from([0x30, 1, 2]).toString("base64")}\n-----END CERTIFICATE-----\n`;
  const read = readSigningCert(
    JSON.stringify({ signedCertificateEmbeddedSct: { chain: { certificates: [pem, pem] } } }),
  );
  assert.equal(read.ok, true);
  const detached = readSigningCert(
    JSON.stringify({ signedCertificateDetachedSct: { chain: { certificates: [pem] } } }),
  );
  assert.equal(detached.ok, false);
  if (!detached.ok) assert.match(detached.error, /detached SCT/);
  assert.equal(
    readSigningCert(JSON.stringify({ signedCertificateEmbeddedSct: { chain: { certificates: ["junk"] } } }))
      .ok,
    false,
  );
});

test("provenance objects are read strictly", () => {
  const provenance = {
    version: 1,
    attestation_bundles: [
      {
        publisher: { kind: "GitHub", repository: "octo/demo", workflow: "release.yml", environment: null },
        attestations: [valid()],
      },
    ],
  };
  const read = readProvenance(provenance);
  assert.equal(read.ok, true);
  if (read.ok)
    assert.deepEqual(read.value.bundles[0]?.publisher, {
      kind: "GitHub",
      repository: "octo/demo",
      workflow: "release.yml",
    });
  assert.equal(readProvenance({ ...provenance, attestation_bundles: [] }).ok, false);
  assert.equal(
    readProvenance({
      version: 1,
      attestation_bundles: [{ publisher: {}, attestations: Array(5).fill(valid()) }],
    }).ok,
    false,
  );
});

test("the bundled public-good trust root reads; a foreign document does not", () => {
  const root = publicGoodTrustRoot();
  assert.equal(root.source, "Sigstore's public-good trust root");
  assert.ok(root.material.certificateAuthorities.length >= 1);
  assert.ok(root.material.tlogs.some((log) => log.baseURL === "https://rekor.sigstore.dev"));
  assert.equal(readTrustRoot({ mediaType: "application/json" }, "x").ok, false);
  assert.equal(readTrustRoot([], "x").ok, false);
});
