/**
 * The `attestations` field of an upload, checked as PyPI checks it (warehouse
 * attestations/services.py, forklift/legacy.py): only with a token minted by trusted publishing;
 * a non-empty JSON list of at most one attestation per predicate type (two kinds exist); each one
 * verified against the index's Sigstore trust root, the uploaded file's name and sha256, and the
 * identity of the publisher that minted the token. Every refusal is PyPI's 400 text.
 */
import { describePublisher } from "../core/attest/identity.ts";
import {
  type Attestation,
  KNOWN_PREDICATES,
  MAX_ATTESTATION_BYTES,
  readAttestation,
} from "../core/attest/model.ts";
import { type TrustRoot, verifyAttestation } from "../core/attest/verify.ts";
import type { MintedPublisher } from "./oidc/mint.ts";

/** forklift wraps every attestation problem in this (a 400). */
export const ATTESTATIONS_REFUSED = "Invalid attestations supplied during upload: ";
export const ONLY_TRUSTED_PUBLISHING = "Attestations are only supported when using Trusted Publishing";

/** PyPI allows one attestation per supported predicate type. */
const MAX_ATTESTATIONS = KNOWN_PREDICATES.length;
/** The field holds at most two attestations of at most 1 MiB each; a little room for the list. */
const MAX_FIELD_CHARS = MAX_ATTESTATIONS * MAX_ATTESTATION_BYTES + 1024;

export type AttestationCheck =
  | { ok: true; attestations: Attestation[]; predicateTypes: string[]; publisher: MintedPublisher }
  /** `reason` follows ATTESTATIONS_REFUSED in the answer. */
  | { ok: false; reason: string };

// Reasons quote the attestation (a subject name, a certificate claim): one bounded, printable line.
const MAX_REASON_CHARS = 600;
const refuse = (reason: string): AttestationCheck => ({
  ok: false,
  reason: reason.replace(/[\u0000-\u001f\u007f-\u009f]/g, "?").slice(0, MAX_REASON_CHARS),
});
const malformed = (why: string) => refuse(`Malformed attestations: ${why}`);

export interface AttestationInput {
  /** Every value the form sent under `attestations`. */
  values: readonly string[];
  /** The publisher the upload's token was minted for; undefined for any other credential. */
  publisher: MintedPublisher | undefined;
  /** The OIDC issuer of that publisher's token. */
  issuer: string | undefined;
  dist: { filename: string; sha256: string };
  trust: TrustRoot;
}

/** The attestations of one upload, verified; or PyPI's reason for refusing them. Never throws. */
export function checkAttestations(input: AttestationInput): AttestationCheck {
  const { publisher, issuer } = input;
  if (publisher === undefined || issuer === undefined) return refuse(ONLY_TRUSTED_PUBLISHING);
  if (input.values.length !== 1)
    return malformed(`the form holds ${input.values.length} 'attestations' fields, not one`);
  const text = input.values[0] ?? "";
  if (text.length > MAX_FIELD_CHARS) return malformed(`larger than ${MAX_FIELD_CHARS} characters`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return malformed("not valid JSON");
  }
  if (!Array.isArray(value)) return malformed("not a JSON list of attestation objects");
  const attestations: Attestation[] = [];
  for (const [i, item] of value.entries()) {
    const read = readAttestation(item);
    if (!read.ok) return malformed(`attestation ${i}: ${read.error}`);
    attestations.push(read.value);
  }
  // Omit the field to upload without attestations (PyPI).
  if (attestations.length === 0) return malformed("an empty attestation set is not permitted");
  if (attestations.length > MAX_ATTESTATIONS)
    return refuse(`A maximum of ${MAX_ATTESTATIONS} attestations per file are supported`);
  const seen = new Set<string>();
  for (const attestation of attestations) {
    const verdict = verifyAttestation(attestation, input.dist, input.trust, {
      publisher: publisher.identity,
      issuer,
    });
    if (!verdict.ok) {
      const expected =
        verdict.problem === "identity" ? ` (expected ${describePublisher(publisher.identity)})` : "";
      return refuse(
        `Could not verify the uploaded artifact using the included attestation: ${verdict.reason}${expected}`,
      );
    }
    if (seen.has(verdict.predicateType))
      return refuse(
        `Multiple attestations for the same file with the same predicate type (${verdict.predicateType}) are not supported`,
      );
    seen.add(verdict.predicateType);
  }
  return { ok: true, attestations, predicateTypes: [...seen], publisher };
}
