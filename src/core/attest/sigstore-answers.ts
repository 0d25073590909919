/**
 * The requests slipway sends to Fulcio and Rekor, and their answers read strictly: Fulcio's
 * `POST /api/v2/signingCert` (a certificate chain with an embedded SCT) and Rekor's
 * `POST /api/v1/log/entries` for a `dsse` 0.0.1 entry (a log entry with its inclusion proof and
 * signed entry timestamp), turned into the protobuf-JSON `TransparencyLogEntry` an attestation
 * carries. Whether any of it is true is for `verify.ts` to say; here only the shapes.
 */
import { fail, ok, type Parsed } from "../result.ts";

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Fulcio's request body: the identity token, the ephemeral public key and the proof that we hold it. */
export function signingCertRequest(identityToken: string, publicKeyPem: string, proofOfPossession: string) {
  return {
    credentials: { oidcIdentityToken: identityToken },
    publicKeyRequest: {
      publicKey: { algorithm: "ECDSA", content: publicKeyPem },
      proofOfPossession,
    },
  };
}

const PEM = /-----BEGIN CERTIFICATE-----\s*([A-Za-z0-9+/=\s]+?)\s*-----END CERTIFICATE-----/g;

/** The leaf certificate (DER) of Fulcio's answer; the chain must hold at least the leaf. */
export function readSigningCert(text: string): Parsed<{ leaf: Buffer; chain: Buffer[] }> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail("Fulcio's answer is not JSON");
  }
  if (!isObject(value)) return fail("Fulcio's answer is not a JSON object");
  const holder = value.signedCertificateEmbeddedSct;
  if (!isObject(holder))
    return fail(
      isObject(value.signedCertificateDetachedSct)
        ? "Fulcio answered with a detached SCT; PyPI needs the SCT embedded in the certificate"
        : "Fulcio's answer has no certificate (signedCertificateEmbeddedSct)",
    );
  const certificates = isObject(holder.chain) ? holder.chain.certificates : undefined;
  if (!Array.isArray(certificates) || certificates.length === 0 || certificates.length > 8)
    return fail("Fulcio's answer has no certificate chain");
  const chain: Buffer[] = [];
  for (const pem of certificates) {
    if (typeof pem !== "string") return fail("Fulcio's certificate chain holds a non-string");
    const blocks = [...pem.matchAll(PEM)];
    if (blocks.length !== 1 || blocks[0]?.[1] === undefined)
      return fail("Fulcio's chain holds a malformed PEM certificate");
    chain.push(Buffer.from(blocks[0][1].replace(/\s+/g, ""), "base64"));
  }
  const leaf = chain[0];
  if (leaf === undefined || leaf[0] !== 0x30) return fail("Fulcio's leaf certificate is not DER");
  return ok({ leaf, chain });
}

/** Rekor's proposed `dsse` 0.0.1 entry for a signed envelope and the certificate (PEM) that signed it. */
export function dsseEntryRequest(envelopeJson: string, certificatePem: string) {
  return {
    apiVersion: "0.0.1",
    kind: "dsse",
    spec: {
      proposedContent: {
        envelope: envelopeJson,
        verifiers: [Buffer.from(certificatePem).toString("base64")],
      },
    },
  };
}

const HEX = /^[0-9a-f]+$/i;
const B64 = /^[A-Za-z0-9+/]+={0,2}$/;
const hexToB64 = (hex: string) => Buffer.from(hex, "hex").toString("base64");
const isCount = (n: unknown): n is number => typeof n === "number" && Number.isSafeInteger(n) && n >= 0;

/**
 * Rekor's answer to an entry creation (`{ "<uuid>": { body, integratedTime, logID, logIndex,
 * verification: { inclusionProof, signedEntryTimestamp } } }`) as a TransparencyLogEntry.
 */
export function readRekorEntry(text: string): Parsed<Record<string, unknown>> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail("Rekor's answer is not JSON");
  }
  if (!isObject(value)) return fail("Rekor's answer is not a JSON object");
  const entries = Object.values(value);
  if (entries.length !== 1) return fail(`Rekor's answer holds ${entries.length} entries, not 1`);
  const entry = entries[0];
  if (!isObject(entry)) return fail("Rekor's entry is not a JSON object");
  const { body, integratedTime, logID, logIndex, verification } = entry;
  if (typeof body !== "string" || !B64.test(body)) return fail("Rekor's entry has no base64 body");
  if (!isCount(integratedTime) || !isCount(logIndex))
    return fail("Rekor's entry has no integratedTime or logIndex");
  if (typeof logID !== "string" || !HEX.test(logID)) return fail("Rekor's entry has no hex logID");
  if (!isObject(verification)) return fail("Rekor's entry has no verification");
  const set = verification.signedEntryTimestamp;
  const proof = verification.inclusionProof;
  if (typeof set !== "string" || !B64.test(set)) return fail("Rekor's entry has no signed entry timestamp");
  if (!isObject(proof)) return fail("Rekor's entry has no inclusion proof");
  const { checkpoint, hashes, rootHash, treeSize } = proof;
  if (typeof checkpoint !== "string" || typeof rootHash !== "string" || !HEX.test(rootHash))
    return fail("Rekor's inclusion proof has no checkpoint or root hash");
  if (!isCount(proof.logIndex) || !isCount(treeSize))
    return fail("Rekor's inclusion proof has no log index or tree size");
  if (
    !Array.isArray(hashes) ||
    hashes.length > 64 ||
    !hashes.every((h) => typeof h === "string" && HEX.test(h))
  )
    return fail("Rekor's inclusion proof hashes are not hex");
  let kind: { kind: string; version: string };
  try {
    const decoded: unknown = JSON.parse(Buffer.from(body, "base64").toString("utf8"));
    if (!isObject(decoded) || typeof decoded.kind !== "string" || typeof decoded.apiVersion !== "string")
      return fail("Rekor's entry body names no kind");
    kind = { kind: decoded.kind, version: decoded.apiVersion };
  } catch {
    return fail("Rekor's entry body is not JSON");
  }
  return ok({
    logIndex: String(logIndex),
    logId: { keyId: hexToB64(logID) },
    kindVersion: kind,
    integratedTime: String(integratedTime),
    inclusionPromise: { signedEntryTimestamp: set },
    inclusionProof: {
      logIndex: String(proof.logIndex),
      rootHash: hexToB64(rootHash),
      treeSize: String(treeSize),
      hashes: (hashes as string[]).map(hexToB64),
      checkpoint: { envelope: checkpoint },
    },
    canonicalizedBody: body,
  });
}
