/**
 * The loopback Sigstore (test/helpers/sigstore.ts) is faithful, proven without slipway's
 * attestation code: a DSSE envelope signed by hand here (node:crypto), a certificate from the
 * stand-in's Fulcio, an entry in its Rekor, a Sigstore bundle v0.3 assembled by hand and verified
 * by @sigstore/verify against the stand-in's trusted root; many entries verify against one growing
 * tree; tampering, a wrong proof of possession, an expired or forged token and a bad envelope
 * signature are refused; injected failures and counts work; and sigstore-python (through
 * pypi-attestations, test/helpers/attest_oracle.py) signs real distributions against the
 * stand-in and verifies them, and its attestations verify in @sigstore/verify too.
 */
import assert from "node:assert/strict";
import { createHash, generateKeyPairSync, type KeyObject, sign, X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { bundleFromJSON } from "@sigstore/bundle";
import { TrustedRoot } from "@sigstore/protobuf-specs";
import { toSignedEntity, toTrustMaterial, Verifier } from "@sigstore/verify";
import { startIssuer, type TestIssuer } from "../helpers/oidc-issuer.ts";
import { peersPython } from "../helpers/peers.ts";
import { runAsync } from "../helpers/run-async.ts";
import { type SigstoreStandIn, startSigstore } from "../helpers/sigstore.ts";
import { writeWheel } from "../helpers/wheels.ts";

const GITHUB = "https://token.actions.githubusercontent.com";
const GITLAB = "https://gitlab.com";
const GOOGLE = "https://accounts.google.com";
const ORACLE = fileURLToPath(new URL("../helpers/attest_oracle.py", import.meta.url));
const PAYLOAD_TYPE = "application/vnd.in-toto+json";
/** The peers venv python; ATTEST_ORACLE_PYTHON overrides it (a venv with pypi-attestations). */
const python = () => process.env["ATTEST_ORACLE_PYTHON"] ?? peersPython();

const work = mkdtempSync(join(tmpdir(), "slipway-sigstore-test-"));
let issuer: TestIssuer;
let store: SigstoreStandIn;
let verifier: Verifier;

before(async () => {
  issuer = await startIssuer();
  store = await startSigstore({
    issuers: [
      { iss: GITHUB, jwks: issuer.jwks },
      { iss: GITLAB, jwks: issuer.jwks },
      { iss: GOOGLE, jwks: issuer.jwks },
    ],
  });
  verifier = new Verifier(toTrustMaterial(TrustedRoot.fromJSON(store.trustedRoot)));
});

after(async () => {
  await store?.close();
  await issuer?.close();
  rmSync(work, { recursive: true, force: true });
});

const githubToken = (over: { repository?: string; lifetime?: number } = {}) =>
  issuer.sign({
    ...issuer.github({
      repository: over.repository ?? "octo/demo",
      workflow: "release.yml",
      aud: "sigstore",
      ...(over.lifetime === undefined ? {} : { lifetime: over.lifetime }),
    }),
    iss: GITHUB,
  });

const WORKFLOW_SAN = "https://github.com/octo/demo/.github/workflows/release.yml@refs/heads/main";

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json: json as Record<string, unknown>, headers: res.headers };
}

interface Signer {
  privateKey: KeyObject;
  publicPem: string;
}

function newKey(): Signer {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  return { privateKey, publicPem: publicKey.export({ format: "pem", type: "spki" }).toString() };
}

const subOf = (token: string) =>
  JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()).sub as string;

/** Fulcio's publicKeyRequest with a proof of possession over `proofOver` (the token's sub). */
function certRequest(token: string, key: Signer, proofOver = subOf(token)) {
  return {
    credentials: { oidcIdentityToken: token },
    publicKeyRequest: {
      publicKey: { algorithm: "ECDSA", content: key.publicPem },
      proofOfPossession: sign("sha256", Buffer.from(proofOver), key.privateKey).toString("base64"),
    },
  };
}

async function certificate(token: string, key: Signer): Promise<string[]> {
  const res = await post(`${store.fulcioUrl}/api/v2/signingCert`, certRequest(token, key));
  assert.equal(res.status, 201, JSON.stringify(res.json));
  const chain = (res.json["signedCertificateEmbeddedSct"] as { chain: { certificates: string[] } }).chain;
  return chain.certificates;
}

const pae = (type: string, body: Buffer) =>
  Buffer.concat([Buffer.from(`DSSEv1 ${Buffer.byteLength(type)} ${type} ${body.length} `), body]);

function statement(name: string, content: string): Buffer {
  return Buffer.from(
    JSON.stringify({
      _type: "https://in-toto.io/Statement/v1",
      subject: [{ name, digest: { sha256: createHash("sha256").update(content).digest("hex") } }],
      predicateType: "https://docs.pypi.org/attestations/publish/v1",
      predicate: null,
    }),
  );
}

function envelope(payload: Buffer, key: Signer) {
  const sig = sign("sha256", pae(PAYLOAD_TYPE, payload), key.privateKey).toString("base64");
  return { payload: payload.toString("base64"), payloadType: PAYLOAD_TYPE, signatures: [{ sig, keyid: "" }] };
}

function dsseProposal(env: unknown, certPem: string) {
  return {
    apiVersion: "0.0.1",
    kind: "dsse",
    spec: {
      proposedContent: {
        envelope: JSON.stringify(env),
        verifiers: [Buffer.from(certPem).toString("base64")],
      },
    },
  };
}

interface RekorEntry {
  body: string;
  integratedTime: number;
  logID: string;
  logIndex: number;
  verification: {
    inclusionProof: {
      checkpoint: string;
      hashes: string[];
      logIndex: number;
      rootHash: string;
      treeSize: number;
    };
    signedEntryTimestamp: string;
  };
}

function onlyEntry(json: Record<string, unknown>): [string, RekorEntry] {
  const entries = Object.entries(json);
  assert.equal(entries.length, 1);
  return entries[0] as [string, RekorEntry];
}

const hexToB64 = (hex: string) => Buffer.from(hex, "hex").toString("base64");
const pemToB64Der = (pem: string) => new X509Certificate(pem).raw.toString("base64");

/** A Sigstore bundle v0.3 (protobuf-JSON) from a certificate, an envelope and a Rekor v1 entry. */
function bundle(certPem: string, env: ReturnType<typeof envelope>, entry: RekorEntry) {
  const proof = entry.verification.inclusionProof;
  return {
    mediaType: "application/vnd.dev.sigstore.bundle.v0.3+json",
    verificationMaterial: {
      certificate: { rawBytes: pemToB64Der(certPem) },
      tlogEntries: [
        {
          logIndex: String(entry.logIndex),
          logId: { keyId: hexToB64(entry.logID) },
          kindVersion: { kind: "dsse", version: "0.0.1" },
          integratedTime: String(entry.integratedTime),
          inclusionPromise: { signedEntryTimestamp: entry.verification.signedEntryTimestamp },
          inclusionProof: {
            logIndex: String(proof.logIndex),
            rootHash: hexToB64(proof.rootHash),
            treeSize: String(proof.treeSize),
            hashes: proof.hashes.map(hexToB64),
            checkpoint: { envelope: proof.checkpoint },
          },
          canonicalizedBody: entry.body,
        },
      ],
      timestampVerificationData: { rfc3161Timestamps: [] },
    },
    dsseEnvelope: env,
  };
}

const verifyBundle = (
  json: unknown,
  policy = { subjectAlternativeName: WORKFLOW_SAN, extensions: { issuer: GITHUB } },
) => verifier.verify(toSignedEntity(bundleFromJSON(json)), policy);

/** Signs `name` by hand: key → certificate → envelope → Rekor entry. */
async function signByHand(name: string, token = githubToken(), key = newKey()) {
  const [leaf] = await certificate(token, key);
  const env = envelope(statement(name, `contents of ${name}`), key);
  const res = await post(`${store.rekorUrl}/api/v1/log/entries`, dsseProposal(env, leaf!));
  assert.equal(res.status, 201, JSON.stringify(res.json));
  const [uuid, entry] = onlyEntry(res.json);
  return { leaf: leaf!, env, uuid, entry, key };
}

test("a hand-signed DSSE envelope with the stand-in's certificate and Rekor entry verifies in @sigstore/verify", async () => {
  const { leaf, env, uuid, entry } = await signByHand("demo-1.0.0-py3-none-any.whl");
  const signer = verifyBundle(bundle(leaf, env, entry));
  assert.equal(signer.identity?.subjectAlternativeName, WORKFLOW_SAN);

  // The certificate: Fulcio's GitHub extensions, a 10-minute validity, an SCT, the stand-in's root.
  const cert = new X509Certificate(leaf);
  assert.equal(cert.subjectAltName, `URI:${WORKFLOW_SAN}`);
  assert.equal(Date.parse(cert.validTo) - Date.parse(cert.validFrom), 10 * 60 * 1000);
  const der = cert.raw.toString("latin1");
  for (const value of [
    GITHUB,
    WORKFLOW_SAN,
    "https://github.com/octo/demo",
    "refs/heads/main",
    "push",
    "octo/demo",
  ]) {
    assert.ok(der.includes(value), `certificate carries ${value}`);
  }
  const root = new X509Certificate(
    Buffer.from(
      (
        store.trustedRoot["certificateAuthorities"] as {
          certChain: { certificates: { rawBytes: string }[] };
        }[]
      )[0]!.certChain.certificates[0]!.rawBytes,
      "base64",
    ),
  );
  assert.ok(cert.verify(root.publicKey));

  // The stored body is what Rekor stores for dsse 0.0.1: hashes and verifiers, never the envelope.
  const body = JSON.parse(Buffer.from(entry.body, "base64").toString());
  assert.deepEqual(Object.keys(body), ["apiVersion", "kind", "spec"]);
  assert.deepEqual(Object.keys(body.spec), ["envelopeHash", "payloadHash", "signatures"]);
  assert.equal(body.spec.envelopeHash.value, createHash("sha256").update(JSON.stringify(env)).digest("hex"));
  assert.equal(body.spec.signatures[0].signature, env.signatures[0]!.sig);
  assert.equal(Buffer.from(body.spec.signatures[0].verifier, "base64").toString(), leaf);
  assert.equal(uuid.length, 80);
  assert.ok(
    uuid.endsWith(
      createHash("sha256")
        .update(Buffer.concat([Buffer.from([0]), Buffer.from(entry.body, "base64")]))
        .digest("hex"),
    ),
  );

  // Rekor serves the entry again by UUID; the same proposal again is a 409 naming it.
  const again = await fetch(`${store.rekorUrl}/api/v1/log/entries/${uuid}`);
  assert.equal(again.status, 200);
  assert.equal(onlyEntry((await again.json()) as Record<string, unknown>)[1].body, entry.body);
  const duplicate = await post(`${store.rekorUrl}/api/v1/log/entries`, dsseProposal(env, leaf));
  assert.equal(duplicate.status, 409);
  assert.match(String(duplicate.json["message"]), new RegExp(uuid));
  assert.equal(duplicate.headers.get("location"), `/api/v1/log/entries/${uuid}`);
});

test("many entries share one growing tree: every inclusion proof verifies, old entries against the newest root too", async () => {
  const key = newKey();
  const token = githubToken();
  const [leaf] = await certificate(token, key);
  const made: { env: ReturnType<typeof envelope>; entry: RekorEntry; uuid: string }[] = [];
  for (let i = 0; i < 9; i++) {
    const env = envelope(statement(`pkg${i}-1.0.0.tar.gz`, `bytes ${i}`), key);
    const res = await post(`${store.rekorUrl}/api/v1/log/entries`, dsseProposal(env, leaf!));
    assert.equal(res.status, 201);
    const [uuid, entry] = onlyEntry(res.json);
    made.push({ env, entry, uuid });
  }
  const indexes = made.map((m) => m.entry.logIndex);
  assert.deepEqual(
    indexes,
    indexes.map((_, i) => indexes[0]! + i),
    "consecutive indexes in one log",
  );
  for (const { env, entry } of made) {
    assert.equal(entry.verification.inclusionProof.treeSize, entry.logIndex + 1);
    verifyBundle(bundle(leaf!, env, entry));
  }
  // Fetched now, the first entries prove inclusion in the larger tree, with more sibling hashes.
  const size = made.at(-1)!.entry.logIndex + 1;
  for (const { env, uuid, entry: first } of made.slice(0, 3)) {
    const res = await fetch(`${store.rekorUrl}/api/v1/log/entries/${uuid}`);
    const [, entry] = onlyEntry((await res.json()) as Record<string, unknown>);
    assert.equal(entry.verification.inclusionProof.treeSize, size);
    assert.ok(
      entry.verification.inclusionProof.hashes.length >= first.verification.inclusionProof.hashes.length,
    );
    verifyBundle(bundle(leaf!, env, entry));
  }
  // Any one entry's proof is checked against its root: a wrong sibling hash is refused.
  const { env, entry } = made[4]!;
  const bad = structuredClone(entry);
  bad.verification.inclusionProof.hashes[0] = "00".repeat(32);
  assert.throws(() => verifyBundle(bundle(leaf!, env, bad)));
});

test("tampering is caught: the body, the SET, the checkpoint and the envelope", async () => {
  const { leaf, env, entry } = await signByHand("tamper-1.0.0.tar.gz");
  const body = JSON.parse(Buffer.from(entry.body, "base64").toString());
  body.spec.payloadHash.value = "00".repeat(32);
  const tamperedBody = { ...entry, body: Buffer.from(JSON.stringify(body)).toString("base64") };
  assert.throws(() => verifyBundle(bundle(leaf, env, tamperedBody)));

  const badSet = structuredClone(entry);
  badSet.integratedTime += 1;
  assert.throws(() => verifyBundle(bundle(leaf, env, badSet)), /inclusion promise/);

  const badCheckpoint = structuredClone(entry);
  badCheckpoint.verification.inclusionProof.checkpoint = entry.verification.inclusionProof.checkpoint.replace(
    /\n(\d+)\n/,
    (_, n) => `\n${Number(n) + 1}\n`,
  );
  assert.throws(() => verifyBundle(bundle(leaf, env, badCheckpoint)), /checkpoint/);

  const otherPayload = { ...env, payload: statement("other-1.0.0.tar.gz", "x").toString("base64") };
  assert.throws(() => verifyBundle(bundle(leaf, otherPayload, entry)));

  // Another identity's policy does not match this certificate.
  assert.throws(() =>
    verifyBundle(bundle(leaf, env, entry), {
      subjectAlternativeName: "https://github.com/evil/demo/.github/workflows/release.yml@refs/heads/main",
      extensions: { issuer: GITHUB },
    }),
  );
});

test("Fulcio refuses a wrong proof of possession, bad tokens and malformed requests", async () => {
  const url = `${store.fulcioUrl}/api/v2/signingCert`;
  const key = newKey();
  const token = githubToken();

  const wrongProof = await post(url, certRequest(token, key, "repo:someone:else"));
  assert.equal(wrongProof.status, 400);
  assert.match(String(wrongProof.json["message"]), /proof of possession/);
  const otherKey = certRequest(token, key);
  otherKey.publicKeyRequest.publicKey.content = newKey().publicPem;
  assert.equal((await post(url, otherKey)).status, 400);

  const expired = issuer.sign({
    ...issuer.github({ repository: "octo/demo", workflow: "release.yml", aud: "sigstore", lifetime: -10 }),
    iss: GITHUB,
  });
  const expiredRes = await post(url, certRequest(expired, key));
  assert.equal(expiredRes.status, 401);
  assert.match(String(expiredRes.json["message"]), /expired/);

  const forged = issuer.sign(
    { ...issuer.github({ repository: "octo/demo", workflow: "release.yml", aud: "sigstore" }), iss: GITHUB },
    { foreignKey: true },
  );
  assert.equal((await post(url, certRequest(forged, key))).status, 401);
  const unsigned = issuer.sign(
    { ...issuer.github({ repository: "octo/demo", workflow: "release.yml", aud: "sigstore" }), iss: GITHUB },
    { header: { alg: "none" } },
  );
  assert.equal((await post(url, certRequest(unsigned, key))).status, 401);
  const wrongAudience = issuer.sign({
    ...issuer.github({ repository: "octo/demo", workflow: "release.yml", aud: "pypi" }),
    iss: GITHUB,
  });
  assert.equal((await post(url, certRequest(wrongAudience, key))).status, 401);
  const untrustedIssuer = issuer.sign(
    issuer.github({ repository: "octo/demo", workflow: "x.yml", aud: "sigstore" }),
  );
  assert.equal((await post(url, certRequest(untrustedIssuer, key))).status, 401);

  // Hostile bodies: each a clear JSON error, never a crash.
  for (const body of [
    "not json",
    "[]",
    "{}",
    { credentials: { oidcIdentityToken: token } },
    { credentials: { oidcIdentityToken: "a.b" } },
    {
      ...certRequest(token, key),
      publicKeyRequest: {
        publicKey: { content: "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----" },
        proofOfPossession: "AA==",
      },
    },
    {
      credentials: { oidcIdentityToken: token },
      certificateSigningRequest: Buffer.from(
        "-----BEGIN CERTIFICATE REQUEST-----\nMAA=\n-----END CERTIFICATE REQUEST-----",
      ).toString("base64"),
    },
    { credentials: { oidcIdentityToken: token }, certificateSigningRequest: "%%%" },
  ]) {
    const res = await post(url, body);
    assert.ok(
      res.status === 400 || res.status === 401,
      `${JSON.stringify(body).slice(0, 80)} → ${res.status}`,
    );
    assert.equal(typeof res.json["message"], "string");
    assert.equal(res.json["code"], res.status === 400 ? 3 : 16, "Fulcio's code is gRPC's");
  }
  const huge = await post(url, `{"x":"${"a".repeat(5 * 1024 * 1024)}"}`);
  assert.equal(huge.status, 413);
  assert.equal(
    (await post(`${store.rekorUrl}/api/v1/log/entries`, `[${"1,".repeat(3 * 1024 * 1024)}1]`)).status,
    413,
  );
  // The bearer header works as sigstore-python sends it.
  const viaHeader = await post(
    url,
    { publicKeyRequest: certRequest(token, key).publicKeyRequest },
    { Authorization: `Bearer ${token}` },
  );
  assert.equal(viaHeader.status, 201);
});

test("Rekor refuses a bad envelope signature, a verifier that did not sign, and malformed proposals", async () => {
  const url = `${store.rekorUrl}/api/v1/log/entries`;
  const key = newKey();
  const [leaf] = await certificate(githubToken(), key);
  const env = envelope(statement("rekor-1.0.0.tar.gz", "r"), key);
  const badSig = { ...env, signatures: [{ sig: Buffer.alloc(70, 1).toString("base64"), keyid: "" }] };
  const res = await post(url, dsseProposal(badSig, leaf!));
  assert.equal(res.status, 400);
  assert.match(String(res.json["message"]), /verif/);
  const [otherLeaf] = await certificate(githubToken(), newKey());
  assert.equal((await post(url, dsseProposal(env, otherLeaf!))).status, 400);
  const changedPayload = { ...env, payload: Buffer.from("{}").toString("base64") };
  assert.equal((await post(url, dsseProposal(changedPayload, leaf!))).status, 400);
  for (const body of [
    "nope",
    {},
    { apiVersion: "0.0.1", kind: "hashedrekord", spec: {} },
    { apiVersion: "0.0.2", kind: "dsse", spec: {} },
    { apiVersion: "0.0.1", kind: "dsse", spec: { proposedContent: { envelope: "{", verifiers: ["AA=="] } } },
    {
      apiVersion: "0.0.1",
      kind: "dsse",
      spec: { proposedContent: { envelope: JSON.stringify(env), verifiers: [] } },
    },
    {
      apiVersion: "0.0.1",
      kind: "dsse",
      spec: { proposedContent: { envelope: JSON.stringify(env), verifiers: ["!!"] } },
    },
  ]) {
    const r = await post(url, body);
    assert.equal(r.status, 400, JSON.stringify(body).slice(0, 80));
    assert.equal(typeof r.json["message"], "string");
  }
});

test("failNext answers the next n requests with the status and a JSON body; counts counts every request", async () => {
  const before = store.counts();
  store.failNext("fulcio", 503, 2);
  store.failNext("rekor", 429);
  const key = newKey();
  const token = githubToken();
  for (const _ of [1, 2]) {
    const r = await post(`${store.fulcioUrl}/api/v2/signingCert`, certRequest(token, key));
    assert.equal(r.status, 503);
    assert.equal(r.json["code"], 14, "gRPC UNAVAILABLE, as grpc-gateway writes it");
  }
  const [leaf] = await certificate(token, key);
  const proposal = dsseProposal(envelope(statement("fail-1.0.0.tar.gz", "f"), key), leaf!);
  assert.equal((await post(`${store.rekorUrl}/api/v1/log/entries`, proposal)).status, 429);
  assert.equal((await post(`${store.rekorUrl}/api/v1/log/entries`, proposal)).status, 201);
  assert.deepEqual(store.counts(), { fulcio: before.fulcio + 3, rekor: before.rekor + 2 });
});

test("the clock option dates certificates and log entries", async () => {
  const at = new Date(Date.now() + 3 * 60 * 60 * 1000);
  at.setMilliseconds(0);
  const shifted = await startSigstore({ issuers: [{ iss: GITHUB, jwks: issuer.jwks }], now: () => at });
  try {
    const key = newKey();
    const token = issuer.sign({
      ...issuer.github({
        repository: "octo/demo",
        workflow: "release.yml",
        aud: "sigstore",
        lifetime: 4 * 3600,
      }),
      iss: GITHUB,
    });
    const res = await post(`${shifted.fulcioUrl}/api/v2/signingCert`, certRequest(token, key));
    const [leaf] = (res.json["signedCertificateEmbeddedSct"] as { chain: { certificates: string[] } }).chain
      .certificates;
    assert.equal(Date.parse(new X509Certificate(leaf!).validFrom), at.getTime());
    const env = envelope(statement("clock-1.0.0.tar.gz", "c"), key);
    const [, entry] = onlyEntry(
      (await post(`${shifted.rekorUrl}/api/v1/log/entries`, dsseProposal(env, leaf!))).json,
    );
    assert.equal(entry.integratedTime, at.getTime() / 1000);
    assert.equal(entry.logIndex, 0, "each stand-in has its own log");
    new Verifier(toTrustMaterial(TrustedRoot.fromJSON(shifted.trustedRoot))).verify(
      toSignedEntity(bundleFromJSON(bundle(leaf!, env, entry))),
    );
  } finally {
    await shifted.close();
  }
});

test("sigstore-python (pypi-attestations) signs real distributions against the stand-in and verifies them", async () => {
  const dist = join(work, "py");
  const wheel = writeWheel(dist, { name: "oracle_demo", files: { "oracle_demo/__init__.py": "x = 1\n" } });
  const sdist = join(dist, "oracle_demo-1.0.0.tar.gz");
  writeFileSync(sdist, readFileSync(wheel)); // the digest is what is attested; the format is not read
  const signed = await runAsync([
    python(),
    ORACLE,
    "sign",
    "--trust-root",
    store.trustedRootPath,
    "--fulcio",
    store.fulcioUrl,
    "--rekor",
    store.rekorUrl,
    "--token",
    githubToken(),
    wheel,
    sdist,
  ]);
  assert.equal(signed.status, 0, signed.stdout + signed.stderr);
  assert.deepEqual(JSON.parse(signed.stdout).attestations, [
    `${wheel}.publish.attestation`,
    `${sdist}.publish.attestation`,
  ]);

  const verify = (file: string, repository = "octo/demo", workflow = "release.yml") =>
    runAsync([
      python(),
      ORACLE,
      "verify",
      "--trust-root",
      store.trustedRootPath,
      "--attestation",
      `${file}.publish.attestation`,
      "--dist",
      file,
      "--issuer",
      GITHUB,
      "--repository",
      repository,
      "--workflow",
      workflow,
    ]);
  for (const file of [wheel, sdist]) {
    const ok = await verify(file);
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    const result = JSON.parse(ok.stdout);
    assert.equal(result.predicateType, "https://docs.pypi.org/attestations/publish/v1");
    assert.equal(result.claims["1.3.6.1.4.1.57264.1.12"], "https://github.com/octo/demo");
  }
  const wrongRepo = await verify(wheel, "evil/demo");
  assert.equal(wrongRepo.status, 1);
  assert.equal(JSON.parse(wrongRepo.stdout).ok, false);
  const wrongWorkflow = await verify(wheel, "octo/demo", "other.yml");
  assert.equal(wrongWorkflow.status, 1);
  // The attestation of one file does not verify another.
  const swapped = join(dist, "swap.whl");
  writeFileSync(swapped, "other bytes");
  writeFileSync(`${swapped}.publish.attestation`, readFileSync(`${wheel}.publish.attestation`));
  assert.equal((await verify(swapped)).status, 1);

  // What sigstore-python made verifies in @sigstore/verify too: its transparency entry is the
  // bundle's, its envelope carries the statement and signature.
  const attestation = JSON.parse(readFileSync(`${wheel}.publish.attestation`, "utf8"));
  const fromPython = {
    mediaType: "application/vnd.dev.sigstore.bundle.v0.3+json",
    verificationMaterial: {
      certificate: { rawBytes: attestation.verification_material.certificate },
      tlogEntries: attestation.verification_material.transparency_entries,
      timestampVerificationData: { rfc3161Timestamps: [] },
    },
    dsseEnvelope: {
      payload: attestation.envelope.statement,
      payloadType: PAYLOAD_TYPE,
      signatures: [{ sig: attestation.envelope.signature, keyid: "" }],
    },
  };
  verifyBundle(fromPython);
});

test("GitLab tokens get Fulcio's GitLab certificate, which pypi-attestations' GitLab publisher accepts", async () => {
  const claims = issuer.gitlab({
    projectPath: "group/proj",
    ciConfigPath: ".gitlab-ci.yml",
    aud: "sigstore",
  });
  const token = issuer.sign({ ...claims, iss: GITLAB, sha: "0123456789abcdef0123456789abcdef01234567" });
  const key = newKey();
  const [leaf] = await certificate(token, key);
  const cert = new X509Certificate(leaf!);
  assert.equal(cert.subjectAltName, "URI:https://gitlab.com/group/proj//.gitlab-ci.yml@refs/heads/main");

  const wheel = writeWheel(join(work, "gl"), { name: "gl_demo", files: { "gl_demo/__init__.py": "" } });
  const base = ["--trust-root", store.trustedRootPath];
  const signed = await runAsync([
    python(),
    ORACLE,
    "sign",
    ...base,
    "--fulcio",
    store.fulcioUrl,
    "--rekor",
    store.rekorUrl,
    "--token",
    token,
    wheel,
  ]);
  assert.equal(signed.status, 0, signed.stdout + signed.stderr);
  const args = [
    ...base,
    "--attestation",
    `${wheel}.publish.attestation`,
    "--dist",
    wheel,
    "--issuer",
    GITLAB,
    "--kind",
    "gitlab",
    "--workflow",
    ".gitlab-ci.yml",
  ];
  const ok = await runAsync([python(), ORACLE, "verify", ...args, "--repository", "group/proj"]);
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  assert.equal(JSON.parse(ok.stdout).claims["1.3.6.1.4.1.57264.1.14"], "refs/heads/main");
  const other = await runAsync([python(), ORACLE, "verify", ...args, "--repository", "group/other"]);
  assert.equal(other.status, 1);
});

test("Google (email) tokens get an email SAN; the proof signs the email; sigstore-python and @sigstore/verify accept it", async () => {
  const email = "publisher@proj.iam.gserviceaccount.com";
  const seconds = Math.floor(Date.now() / 1000);
  const claims = {
    iss: GOOGLE,
    aud: "sigstore",
    sub: "10987654321",
    email,
    iat: seconds,
    exp: seconds + 300,
  };
  const token = issuer.sign({ ...claims, email_verified: true });
  const url = `${store.fulcioUrl}/api/v2/signingCert`;
  const key = newKey();
  assert.equal((await post(url, certRequest(token, key))).status, 400, "the proof signs the email, not sub");
  const unverified = await post(
    url,
    certRequest(issuer.sign({ ...claims, email_verified: false }), key, email),
  );
  assert.equal(unverified.status, 401);
  const res = await post(url, certRequest(token, key, email));
  assert.equal(res.status, 201, JSON.stringify(res.json));
  const [leaf] = (res.json["signedCertificateEmbeddedSct"] as { chain: { certificates: string[] } }).chain
    .certificates;
  assert.equal(new X509Certificate(leaf!).subjectAltName, `email:${email}`);
  const env = envelope(statement("google-1.0.0.tar.gz", "g"), key);
  const [, entry] = onlyEntry(
    (await post(`${store.rekorUrl}/api/v1/log/entries`, dsseProposal(env, leaf!))).json,
  );
  verifyBundle(bundle(leaf!, env, entry), { subjectAlternativeName: email, extensions: { issuer: GOOGLE } });

  const wheel = writeWheel(join(work, "google"), {
    name: "google_demo",
    files: { "google_demo/__init__.py": "" },
  });
  const root = ["--trust-root", store.trustedRootPath];
  const signed = await runAsync([
    python(),
    ORACLE,
    "sign",
    ...root,
    "--fulcio",
    store.fulcioUrl,
    "--rekor",
    store.rekorUrl,
    "--token",
    token,
    wheel,
  ]);
  assert.equal(signed.status, 0, signed.stdout + signed.stderr);
  const args = [
    ...root,
    "--attestation",
    `${wheel}.publish.attestation`,
    "--dist",
    wheel,
    "--issuer",
    GOOGLE,
    "--kind",
    "google",
  ];
  const ok = await runAsync([python(), ORACLE, "verify", ...args, "--email", email]);
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  assert.equal(
    (await runAsync([python(), ORACLE, "verify", ...args, "--email", "other@example.com"])).status,
    1,
  );
});
