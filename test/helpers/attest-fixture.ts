/**
 * A test-local Sigstore signer for PEP 740 attestations: @sigstore/mock's CA (with its CT log,
 * so certificates carry an SCT) and transparency-log key, a matching trusted_root.json, and
 * attestations made the way a CI job makes them (ephemeral P-256 key, Fulcio-shaped certificate
 * with the publisher's claims, DSSE signature over the in-toto statement, a Rekor `dsse` 0.0.1
 * entry with its signed entry timestamp and a one-leaf inclusion proof).
 *
 * @sigstore/mock's Rekor stores the proposed entry as the body, so the proposed entry given here
 * is already Rekor's canonical dsse body, which is what @sigstore/verify checks (signature and
 * payload hash). In-process and without tokens: the index's own tests sign as any identity they
 * need, fast. The faithful path — OIDC token, Fulcio and Rekor over HTTP, checked by
 * pypi-attestations — is the loopback stand-in's (test/helpers/sigstore.ts).
 */
import { createHash, generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { initializeCA, initializeCTLog, initializeTLog } from "@sigstore/mock";
import type { Attestation } from "../../src/core/attest/model.ts";
import { DSSE_PAYLOAD_TYPE, preAuthEncoding, publishStatement } from "../../src/core/attest/model.ts";

const p256 = () => generateKeyPairSync("ec", { namedCurve: "P-256" });
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");
const sha256 = (bytes: Uint8Array | string) => createHash("sha256").update(bytes).digest();
const bytesOf = (view: ArrayBufferView) => Buffer.from(view.buffer, view.byteOffset, view.byteLength);

/** Who signs: a GitHub workflow or a GitLab CI file, with the OIDC issuer the token came from. */
export type SignerIdentity =
  | { kind: "GitHub"; issuer: string; repository: string; workflow: string; ref?: string }
  | { kind: "GitLab"; issuer: string; repository: string; workflowFilepath: string; ref?: string };

export interface AttestOptions {
  /** The statement's exact bytes (default: the publish statement for the file). */
  statement?: Uint8Array;
}

export interface AttestFixture {
  /** The trusted_root.json document that verifies what this signer makes. */
  trustedRoot: Record<string, unknown>;
  /** An attestation of the file `filename` with `sha256`, signed as `identity`. */
  attest(
    dist: { filename: string; sha256: string },
    identity: SignerIdentity,
    options?: AttestOptions,
  ): Promise<Attestation>;
}

/** Fulcio's v2 claims (1.3.6.1.4.1.57264.1.*) and the SAN for an identity. */
function claimsFor(identity: SignerIdentity): { san: string; extensions: { oid: string; value: string }[] } {
  const ref = identity.ref ?? "refs/heads/main";
  const digest = "0123456789abcdef0123456789abcdef01234567";
  const host = identity.kind === "GitHub" ? "https://github.com" : "https://gitlab.com";
  const repoUri = `${host}/${identity.repository}`;
  const config =
    identity.kind === "GitHub"
      ? `${repoUri}/.github/workflows/${identity.workflow}@${ref}`
      : `${repoUri}//${identity.workflowFilepath}@${ref}`;
  const oid = (n: number) => `1.3.6.1.4.1.57264.1.${n}`;
  return {
    san: config,
    extensions: [
      { oid: oid(8), value: identity.issuer },
      { oid: oid(9), value: config },
      { oid: oid(12), value: repoUri },
      { oid: oid(13), value: digest },
      { oid: oid(14), value: ref },
      { oid: oid(18), value: config },
      { oid: oid(20), value: "push" },
    ],
  };
}

/** A new CA, CT log and transparency log, and the trusted root naming them. */
export async function makeAttestFixture(): Promise<AttestFixture> {
  const ctKeys = p256();
  const tlogKeys = p256();
  const ctLog = await initializeCTLog(ctKeys);
  const ca = await initializeCA(p256(), ctLog);
  const tlog = await initializeTLog("https://rekor.invalid", tlogKeys);
  const spki = (key: KeyObject) => key.export({ format: "der", type: "spki" });
  const validFor = { start: new Date(Date.now() - 3_600_000).toISOString() };
  const logKey = (key: KeyObject, baseUrl: string, keyId: Uint8Array) => ({
    baseUrl,
    hashAlgorithm: "SHA2_256",
    publicKey: { rawBytes: b64(spki(key)), keyDetails: "PKIX_ECDSA_P256_SHA_256", validFor },
    logId: { keyId: b64(keyId) },
  });
  const trustedRoot = {
    mediaType: "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
    tlogs: [logKey(tlogKeys.publicKey, "https://rekor.invalid", sha256(spki(tlogKeys.publicKey)))],
    certificateAuthorities: [
      {
        subject: { organization: "sigstore.mock", commonName: "sigstore" },
        uri: "https://fulcio.invalid",
        certChain: { certificates: [{ rawBytes: b64(bytesOf(ca.rootCertificate)) }] },
        validFor,
      },
    ],
    ctlogs: [logKey(ctKeys.publicKey, "https://ctfe.invalid", bytesOf(ctLog.logID))],
    timestampAuthorities: [],
  };

  return {
    trustedRoot,
    async attest(dist, identity, options = {}) {
      const ephemeral = p256();
      const { san, extensions } = claimsFor(identity);
      const certDer = bytesOf(
        await ca.issueCertificate({ publicKey: spki(ephemeral.publicKey), subjectAltName: san, extensions }),
      );
      const statement = options.statement ?? publishStatement(dist.filename, dist.sha256);
      const signature = sign("sha256", preAuthEncoding(DSSE_PAYLOAD_TYPE, statement), ephemeral.privateKey);
      const pem = `-----BEGIN CERTIFICATE-----\n${b64(certDer)}\n-----END CERTIFICATE-----\n`;
      const envelope = JSON.stringify({
        payload: b64(statement),
        payloadType: DSSE_PAYLOAD_TYPE,
        signatures: [{ sig: b64(signature) }],
      });
      // Rekor's canonical body for a dsse 0.0.1 entry (what Rekor itself stores).
      const body = {
        apiVersion: "0.0.1",
        kind: "dsse",
        spec: {
          envelopeHash: { algorithm: "sha256", value: sha256(envelope).toString("hex") },
          payloadHash: { algorithm: "sha256", value: sha256(statement).toString("hex") },
          signatures: [{ signature: b64(signature), verifier: b64(Buffer.from(pem)) }],
        },
      };
      const logged = Object.values(await tlog.log(body))[0] as {
        body: string;
        integratedTime: number;
        logID: string;
        logIndex: number;
        verification: {
          signedEntryTimestamp: string;
          inclusionProof: { logIndex: number; treeSize: number; rootHash: string; checkpoint: string };
        };
      };
      const proof = logged.verification.inclusionProof;
      return {
        version: 1,
        verification_material: {
          certificate: b64(certDer),
          transparency_entries: [
            {
              logIndex: String(logged.logIndex),
              logId: { keyId: b64(Buffer.from(logged.logID, "hex")) },
              kindVersion: { kind: "dsse", version: "0.0.1" },
              integratedTime: String(logged.integratedTime),
              inclusionPromise: { signedEntryTimestamp: logged.verification.signedEntryTimestamp },
              inclusionProof: {
                logIndex: String(proof.logIndex),
                rootHash: b64(Buffer.from(proof.rootHash, "hex")),
                treeSize: String(proof.treeSize),
                hashes: [],
                checkpoint: { envelope: proof.checkpoint },
              },
              canonicalizedBody: logged.body,
            },
          ],
        },
        envelope: { statement: b64(statement), signature: b64(signature) },
      };
    },
  };
}
