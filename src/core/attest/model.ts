/**
 * PEP 740 attestation objects as PyPI stores and serves them (packaging.python.org
 * "Index hosted attestations"; the model of pypi-attestations): one in-toto v1 statement per
 * distribution, DSSE-signed, with the signing certificate and transparency-log entries beside it.
 * Everything read here may come from a file a repository committed or from an index's answer, so
 * the reader is strict and bounded: sizes capped, base64 checked, shapes checked, nothing trusted
 * until `verify.ts` has verified it.
 */
import { parseSdistFilename, parseWheelFilename } from "../names/filename.ts";
import { normalizeName } from "../names/name.ts";
import { compareVersions, parseVersion, type Version } from "../pep440/version.ts";
import { fail, ok, type Parsed } from "../result.ts";

export const STATEMENT_TYPE = "https://in-toto.io/Statement/v1";
export const PUBLISH_PREDICATE = "https://docs.pypi.org/attestations/publish/v1";
export const SLSA_PREDICATE = "https://slsa.dev/provenance/v1";
/** The predicate types PyPI accepts, at most one attestation of each per file. */
export const KNOWN_PREDICATES: readonly string[] = [PUBLISH_PREDICATE, SLSA_PREDICATE];
export const DSSE_PAYLOAD_TYPE = "application/vnd.in-toto+json";
/** `<dist>.publish.attestation`: where producers (gh-action-pypi-publish, slipway) put it. */
export const ATTESTATION_SUFFIX = ".publish.attestation";

/** A transparency-log entry in the protobuf-JSON form of sigstore's `TransparencyLogEntry`. */
export type TransparencyEntry = Record<string, unknown>;

export interface Attestation {
  version: 1;
  verification_material: {
    /** base64 of the DER signing certificate. */
    certificate: string;
    transparency_entries: TransparencyEntry[];
    /** base64 of DER RFC 3161 timestamps (optional; Rekor v2 entries need them for a time). */
    timestamps?: string[];
  };
  envelope: {
    /** base64 of the statement's exact bytes (the DSSE payload). */
    statement: string;
    /** base64 of the DSSE signature. */
    signature: string;
  };
}

/** One attestation file or answer is at most this large (a real one is about 10 KiB). */
export const MAX_ATTESTATION_BYTES = 1024 * 1024;
const MAX_ENTRIES = 8;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function base64Field(value: unknown, what: string): Parsed<Uint8Array> {
  if (typeof value !== "string" || value === "") return fail(`${what} is not a base64 string`);
  if (!BASE64.test(value)) return fail(`${what} is not standard base64`);
  return ok(Buffer.from(value, "base64"));
}

/** The attestation object in `value` (parsed JSON), checked for shape; nothing is verified yet. */
export function readAttestation(value: unknown): Parsed<Attestation> {
  if (!isObject(value)) return fail("an attestation must be a JSON object");
  if (value.version !== 1) return fail(`unsupported attestation version ${JSON.stringify(value.version)}`);
  const material = value.verification_material;
  const envelope = value.envelope;
  if (!isObject(material)) return fail("verification_material is missing");
  if (!isObject(envelope)) return fail("envelope is missing");
  const cert = base64Field(material.certificate, "verification_material.certificate");
  if (!cert.ok) return cert;
  if (cert.value[0] !== 0x30) return fail("verification_material.certificate is not a DER certificate");
  const entries = material.transparency_entries;
  if (!Array.isArray(entries) || entries.length === 0)
    return fail("verification_material.transparency_entries must list at least one entry");
  if (entries.length > MAX_ENTRIES) return fail(`more than ${MAX_ENTRIES} transparency entries`);
  if (!entries.every(isObject)) return fail("a transparency entry is not a JSON object");
  const timestamps = material.timestamps;
  if (timestamps !== undefined && timestamps !== null) {
    if (!Array.isArray(timestamps) || timestamps.length > MAX_ENTRIES)
      return fail(`verification_material.timestamps must be a list of at most ${MAX_ENTRIES}`);
    for (const [i, stamp] of timestamps.entries()) {
      const read = base64Field(stamp, `verification_material.timestamps[${i}]`);
      if (!read.ok) return read;
    }
  }
  const statement = base64Field(envelope.statement, "envelope.statement");
  if (!statement.ok) return statement;
  const signature = base64Field(envelope.signature, "envelope.signature");
  if (!signature.ok) return signature;
  return ok({
    version: 1,
    verification_material: {
      certificate: material.certificate as string,
      transparency_entries: entries,
      ...(Array.isArray(timestamps) && timestamps.length > 0 ? { timestamps: timestamps as string[] } : {}),
    },
    envelope: { statement: envelope.statement as string, signature: envelope.signature as string },
  });
}

/** An attestation file's text: capped, JSON, then `readAttestation`. */
export function parseAttestation(text: string): Parsed<Attestation> {
  if (text.length > MAX_ATTESTATION_BYTES) return fail(`larger than ${MAX_ATTESTATION_BYTES} bytes`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail("not JSON");
  }
  return readAttestation(value);
}

/** The attestation as the one line of JSON slipway writes to `<dist>.publish.attestation`. */
export function serializeAttestation(attestation: Attestation): string {
  return `${JSON.stringify(attestation)}\n`;
}

/**
 * The in-toto statement for one distribution, as the exact bytes that are signed: one subject
 * named by the file's own name (PyPI compares parsed names, so no renaming is needed) with its
 * sha256, and PyPI's publish predicate.
 */
export function publishStatement(filename: string, sha256: string): Uint8Array {
  const statement = {
    _type: STATEMENT_TYPE,
    subject: [{ name: filename, digest: { sha256 } }],
    predicateType: PUBLISH_PREDICATE,
    predicate: null,
  };
  return Buffer.from(JSON.stringify(statement));
}

/** DSSE's pre-authentication encoding: what the signature covers. */
export function preAuthEncoding(payloadType: string, payload: Uint8Array): Buffer {
  const type = Buffer.from(payloadType);
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${type.length} `),
    type,
    Buffer.from(` ${payload.length} `),
    payload,
  ]);
}

export interface StatementSubject {
  name: string;
  sha256: string;
  predicateType: string;
}

/** The one subject of a statement (bytes), refusing what PyPI refuses. */
export function statementSubject(bytes: Uint8Array): Parsed<StatementSubject> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString("utf8"));
  } catch {
    return fail("the statement is not JSON");
  }
  if (!isObject(value)) return fail("the statement is not a JSON object");
  if (value._type !== STATEMENT_TYPE) return fail(`the statement's _type is not ${STATEMENT_TYPE}`);
  const subjects = value.subject;
  if (!Array.isArray(subjects) || subjects.length !== 1)
    return fail("the statement must have exactly one subject");
  const subject: unknown = subjects[0];
  if (!isObject(subject) || typeof subject.name !== "string" || subject.name === "")
    return fail("the statement's subject has no name");
  const digest = isObject(subject.digest) ? subject.digest.sha256 : undefined;
  if (typeof digest !== "string" || !/^[0-9a-f]{64}$/.test(digest))
    return fail("the statement's subject has no sha256 digest");
  const predicateType = value.predicateType;
  if (typeof predicateType !== "string" || !KNOWN_PREDICATES.includes(predicateType))
    return fail(`unknown attestation type ${JSON.stringify(predicateType)}`);
  return ok({ name: subject.name, sha256: digest, predicateType });
}

/**
 * The identity of a distribution filename as packaging parses it: kind, normalized name, build
 * tag and the set of expanded tags (for sdists the extension), plus the version (compared as
 * PEP 440 versions: 1.0 is 1.0.0). Undefined when the name is not a distribution's.
 */
function distributionKey(filename: string): { key: string; version: Version } | undefined {
  if (filename.endsWith(".whl")) {
    const parsed = parseWheelFilename(filename);
    const version = parsed.ok ? parseVersion(parsed.value.version) : undefined;
    if (!parsed.ok || version === undefined) return undefined;
    const { name, build, tags } = parsed.value;
    const tagSet = [...new Set(tags)].sort().join(",");
    return { key: `wheel|${normalizeName(name)}|${build ?? ""}|${tagSet}`, version };
  }
  const parsed = parseSdistFilename(filename);
  const version = parsed.ok ? parseVersion(parsed.value.version) : undefined;
  if (!parsed.ok || version === undefined) return undefined;
  return { key: `sdist|${normalizeName(parsed.value.name)}|${parsed.value.extension}`, version };
}

/** Whether a statement's subject name stands for the distribution `filename`. */
export function sameDistribution(subjectName: string, filename: string): Parsed<true> {
  const subject = distributionKey(subjectName);
  if (subject === undefined)
    return fail(`the subject ${JSON.stringify(subjectName)} is not a distribution filename`);
  const file = distributionKey(filename);
  if (file === undefined || subject.key !== file.key || compareVersions(subject.version, file.version) !== 0)
    return fail(`the subject is ${subjectName}, not ${filename}`);
  return ok(true);
}

/**
 * The Sigstore bundle (v0.3) an attestation stands for, in protobuf-JSON form: what the
 * verifier takes. The inverse of how pypi-attestations builds the attestation from a bundle.
 */
export function attestationBundle(attestation: Attestation): Record<string, unknown> {
  return {
    mediaType: "application/vnd.dev.sigstore.bundle.v0.3+json",
    verificationMaterial: {
      certificate: { rawBytes: attestation.verification_material.certificate },
      tlogEntries: attestation.verification_material.transparency_entries,
      ...(attestation.verification_material.timestamps === undefined
        ? {}
        : {
            timestampVerificationData: {
              rfc3161Timestamps: attestation.verification_material.timestamps.map((signedTimestamp) => ({
                signedTimestamp,
              })),
            },
          }),
    },
    dsseEnvelope: {
      payload: attestation.envelope.statement,
      payloadType: DSSE_PAYLOAD_TYPE,
      signatures: [{ sig: attestation.envelope.signature, keyid: "" }],
    },
  };
}
