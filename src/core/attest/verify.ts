/**
 * Verifying one PEP 740 attestation for one distribution, as PyPI does on upload and
 * `pypi-attestations verify` does after: the Sigstore bundle it stands for verifies against a
 * trust root (certificate chain to the Fulcio CA, embedded SCT, transparency-log inclusion and
 * signed entry timestamp, DSSE signature), its one subject is this file (parsed name and sha256),
 * and its certificate names the expected publisher. Pure: bytes and trust material in, a verdict
 * out; the cryptography is sigstore-js's (@sigstore/verify).
 */
import { bundleFromJSON } from "@sigstore/bundle";
import { TrustedRoot } from "@sigstore/protobuf-specs";
import {
  PolicyError,
  type TrustMaterial,
  toSignedEntity,
  toTrustMaterial,
  VerificationError,
  Verifier,
} from "@sigstore/verify";
import publicGoodRoot from "../../data/sigstore-trusted-root.json" with { type: "json" };
import { fail, ok, type Parsed } from "../result.ts";
import { signerClaims } from "./certificate.ts";
import { matchPublisher, type Publisher, type SignerClaims } from "./identity.ts";
import {
  type Attestation,
  attestationBundle,
  DSSE_PAYLOAD_TYPE,
  sameDistribution,
  statementSubject,
} from "./model.ts";

/** A Sigstore trust root (trusted_root.json), read once and used for many verifications. */
export interface TrustRoot {
  material: TrustMaterial;
  /** Where it came from, for messages: "Sigstore public good" or a file name. */
  source: string;
}

const TRUSTED_ROOT_MEDIA = "application/vnd.dev.sigstore.trustedroot+json;version=0.1";

/** A trusted_root.json document (parsed JSON) as trust material. */
export function readTrustRoot(value: unknown, source: string): Parsed<TrustRoot> {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return fail("a trusted root must be a JSON object");
  const media = (value as Record<string, unknown>).mediaType;
  if (media !== TRUSTED_ROOT_MEDIA)
    return fail(`mediaType is ${JSON.stringify(media)}, not ${TRUSTED_ROOT_MEDIA}`);
  try {
    const root = TrustedRoot.fromJSON(value);
    if (root.certificateAuthorities.length === 0) return fail("it names no certificate authority");
    if (root.tlogs.length === 0) return fail("it names no transparency log");
    return ok({ material: toTrustMaterial(root), source });
  } catch (error) {
    return fail(`it does not read as a trusted root (${errorText(error)})`);
  }
}

export type VerdictProblem =
  /** The object is not a well-formed attestation or bundle. */
  | "malformed"
  /** The statement is not about this file (name or digest). */
  | "subject"
  /** Signature, certificate chain, SCT or transparency log do not verify. */
  | "signature"
  /** Verified, but signed by someone other than the expected publisher. */
  | "identity";

export type AttestationVerdict =
  | { ok: true; signer: SignerClaims; predicateType: string }
  | { ok: false; problem: VerdictProblem; reason: string; signer?: SignerClaims };

const errorText = (error: unknown) =>
  (error instanceof Error ? error.message : String(error)).replace(/\s+/g, " ").slice(0, 300);

export interface VerifyOptions {
  /** The publisher the certificate must name; undefined checks no identity (say so to users). */
  publisher?: Publisher;
  /** The publisher's OIDC issuer when it is not the kind's usual one. */
  issuer?: string;
}

/** Verifies `attestation` for the distribution `filename` whose sha256 is `sha256`. */
export function verifyAttestation(
  attestation: Attestation,
  dist: { filename: string; sha256: string },
  trust: TrustRoot,
  options: VerifyOptions = {},
): AttestationVerdict {
  const statementBytes = Buffer.from(attestation.envelope.statement, "base64");
  const subject = statementSubject(statementBytes);
  if (!subject.ok) return { ok: false, problem: "malformed", reason: subject.error };
  const same = sameDistribution(subject.value.name, dist.filename);
  if (!same.ok) return { ok: false, problem: "subject", reason: same.error };
  if (subject.value.sha256 !== dist.sha256.toLowerCase())
    return {
      ok: false,
      problem: "subject",
      reason: `the subject's sha256 is ${subject.value.sha256.slice(0, 12)}…, the file's is ${dist.sha256.slice(0, 12)}…`,
    };

  const signer = signerClaims(Buffer.from(attestation.verification_material.certificate, "base64"));
  if (!signer.ok) return { ok: false, problem: "malformed", reason: signer.error };

  let entity: ReturnType<typeof toSignedEntity>;
  try {
    const bundle = bundleFromJSON(attestationBundle(attestation));
    if (
      bundle.content.$case !== "dsseEnvelope" ||
      bundle.content.dsseEnvelope.payloadType !== DSSE_PAYLOAD_TYPE
    )
      return { ok: false, problem: "malformed", reason: "not an in-toto DSSE envelope" };
    entity = toSignedEntity(bundle);
  } catch (error) {
    return { ok: false, problem: "malformed", reason: `not a valid Sigstore bundle: ${errorText(error)}` };
  }
  try {
    new Verifier(trust.material, { tlogThreshold: 1, ctlogThreshold: 1 }).verify(entity);
  } catch (error) {
    const code = error instanceof VerificationError || error instanceof PolicyError ? `${error.code}: ` : "";
    return {
      ok: false,
      problem: "signature",
      reason: `does not verify against ${trust.source} (${code}${errorText(error)})`,
      signer: signer.value,
    };
  }
  if (options.publisher !== undefined) {
    const identity = matchPublisher(options.publisher, signer.value, options.issuer);
    if (!identity.ok) return { ok: false, problem: "identity", reason: identity.error, signer: signer.value };
  }
  return { ok: true, signer: signer.value, predicateType: subject.value.predicateType };
}

/** Sigstore's public-good instance: where `attest` signs by default. */
export const PUBLIC_GOOD = {
  fulcio: "https://fulcio.sigstore.dev",
  rekor: "https://rekor.sigstore.dev",
} as const;

let publicGood: TrustRoot | undefined;

/**
 * The public-good trust root PyPI verifies against (src/data/sigstore-trusted-root.json: the
 * `trusted_root.json` target of Sigstore's TUF repository, as sigstore-python 4.5.1 embeds it).
 */
export function publicGoodTrustRoot(): TrustRoot {
  if (publicGood === undefined) {
    const read = readTrustRoot(publicGoodRoot, "Sigstore's public-good trust root");
    if (!read.ok) throw new Error(`the bundled Sigstore trust root is invalid: ${read.error}`);
    publicGood = read.value;
  }
  return publicGood;
}
