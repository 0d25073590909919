/**
 * `slipway attest`: a PEP 740 publish attestation for each distribution, signed with Sigstore
 * the way PyPI verifies it — an ephemeral P-256 key, one Fulcio certificate for the run (from the
 * job's `sigstore`-audience OIDC token; renewed only when it is about to expire), a DSSE-signed
 * in-toto statement per file and its Rekor entry — written to `<file>.publish.attestation`.
 *
 * Re-run safe, where gh-action-pypi-publish stops with "already has a publish attestation": an
 * existing attestation is verified (subject name and digest, certificate identity = this job's
 * repository and workflow, chain, SCT, log inclusion) and reused; one that does not verify is
 * replaced and the report says why. Every attestation written is verified before it is kept.
 */
import { generateKeyPairSync, sign, X509Certificate } from "node:crypto";
import { basename } from "node:path";
import { digestFile } from "../adapters/file-digests.ts";
import { pathKind, readSmallRegularFile, readText, writeFileAtomic } from "../adapters/fs.ts";
import {
  postLogEntry,
  postSigningCert,
  type SigstoreHttp,
  sigstoreRefusal,
} from "../adapters/http/sigstore.ts";
import {
  DEFAULT_ISSUERS,
  describePublisher,
  type Publisher,
  publisherFromClaims,
} from "../core/attest/identity.ts";
import {
  ATTESTATION_SUFFIX,
  type Attestation,
  DSSE_PAYLOAD_TYPE,
  MAX_ATTESTATION_BYTES,
  parseAttestation,
  preAuthEncoding,
  publishStatement,
  serializeAttestation,
} from "../core/attest/model.ts";
import {
  dsseEntryRequest,
  readRekorEntry,
  readSigningCert,
  signingCertRequest,
} from "../core/attest/sigstore-answers.ts";
import {
  PUBLIC_GOOD,
  publicGoodTrustRoot,
  readTrustRoot,
  type TrustRoot,
  verifyAttestation,
} from "../core/attest/verify.ts";
import { parseSdistFilename, parseWheelFilename } from "../core/names/filename.ts";
import { decodeJwtPayload } from "../core/upload/oidc/claims.ts";
import { SlipwayError } from "../errors.ts";
import type { OidcProvider } from "./publish-trusted.ts";
import { type Env, sigstoreIdentityToken } from "./sigstore-identity.ts";

export interface AttestOptions {
  /** Distribution files (wheels, sdists). */
  files: readonly string[];
  /** sha256 of files the caller has hashed already (`publish`), so they are not read again. */
  sha256s?: ReadonlyMap<string, string>;
  env: Env;
  /** A custom identity-token source, asked for the `sigstore` audience (before any ambient one). */
  oidcProvider?: OidcProvider;
  /** Fulcio and Rekor (default: Sigstore's public-good instance). */
  fulcioUrl?: string;
  rekorUrl?: string;
  /** A trusted_root.json for a private Sigstore (required with --fulcio/--rekor). */
  trustRootFile?: string;
  /** Rekor entries in flight at once (default 4). */
  concurrency?: number;
  userAgent: string;
  /** Each request, whole, within this long (default 30 s). */
  deadlineMs?: number;
  signal?: AbortSignal;
  onEvent?: (event: AttestEvent) => void;
  /** Clock (tests). */
  now?: () => number;
}

export type AttestAction = "created" | "reused" | "replaced";

export interface AttestedFile {
  /** The distribution as given. */
  file: string;
  /** `<file>.publish.attestation`. */
  attestationPath: string;
  sha256: string;
  action: AttestAction;
  /** Why an existing attestation was replaced. */
  reason?: string;
  attestation: Attestation;
}

export type AttestEvent =
  | { type: "signer"; publisher: string; issuer: string }
  | { type: "certificate"; fulcio: string; notAfter: string }
  | { type: "attested"; file: string; action: AttestAction; reason?: string };

export interface AttestReport {
  /** The publisher the identity token names (what the certificate will say). */
  publisher: Publisher;
  issuer: string;
  files: AttestedFile[];
  /** Sigstore round trips of this run (Fulcio certificates, Rekor entries). */
  roundTrips: { fulcio: number; rekor: number };
}

/** The trust root attestations are verified against: a file, or Sigstore's public good. */
export async function loadTrustRoot(file: string | undefined): Promise<TrustRoot> {
  if (file === undefined) return publicGoodTrustRoot();
  let text: string;
  try {
    text = await readText(file);
  } catch (error) {
    throw new SlipwayError("config", `cannot read the trust root ${file}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new SlipwayError("config", `${file} is not JSON`, { hint: "give a Sigstore trusted_root.json" });
  }
  const root = readTrustRoot(value, file);
  if (!root.ok)
    throw new SlipwayError("config", `${file}: ${root.error}`, { hint: "give a Sigstore trusted_root.json" });
  return root.value;
}

/** Fulcio's proof of possession signs the token's subject: its email for email identities, else `sub`. */
function challengeOf(claims: Record<string, unknown>): string {
  const iss = claims.iss;
  if (
    (iss === "https://accounts.google.com" || iss === "https://oauth2.sigstore.dev/auth") &&
    typeof claims.email === "string"
  )
    return claims.email;
  return typeof claims.sub === "string" ? claims.sub : "";
}

interface Certificate {
  der: Buffer;
  pem: string;
  notAfterMs: number;
}

const toPem = (der: Buffer) =>
  `-----BEGIN CERTIFICATE-----\n${der.toString("base64").replace(/.{1,64}/g, "$&\n")}-----END CERTIFICATE-----\n`;

/** The distribution file name check gh-action-pypi-publish does, with the reason. */
async function checkDistribution(file: string): Promise<void> {
  const name = basename(file);
  const parsed = name.endsWith(".whl") ? parseWheelFilename(name) : parseSdistFilename(name);
  if (!parsed.ok)
    throw new SlipwayError("usage", `${file} is not a wheel or sdist filename: ${parsed.error}`, {
      hint: "attest the files of dist/ (*.whl, *.tar.gz)",
    });
  const kind = await pathKind(file);
  if (kind !== "file")
    throw new SlipwayError(
      "usage",
      kind === undefined ? `${file} does not exist` : `${file} is a ${kind}, not a file`,
      {
        hint: "a download-artifact step may have made dist/<name>.whl/<name>.whl: give the file inside",
      },
    );
}

export async function attest(options: AttestOptions): Promise<AttestReport> {
  const emit = options.onEvent ?? (() => {});
  const now = options.now ?? Date.now;
  if (
    (options.fulcioUrl !== undefined || options.rekorUrl !== undefined) &&
    options.trustRootFile === undefined
  )
    throw new SlipwayError("usage", "--fulcio or --rekor without --trust-root", {
      hint: "a private Sigstore needs its trusted_root.json, to verify what it signs",
    });
  if (options.files.length === 0)
    throw new SlipwayError("usage", "no distributions to attest", { hint: "slipway attest dist/*" });
  for (const file of options.files) await checkDistribution(file);
  const trust = await loadTrustRoot(options.trustRootFile);
  const fulcio = options.fulcioUrl ?? PUBLIC_GOOD.fulcio;
  const rekor = options.rekorUrl ?? PUBLIC_GOOD.rekor;
  const http: SigstoreHttp = {
    userAgent: options.userAgent,
    deadlineMs: options.deadlineMs ?? 30_000,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  };

  let token = await sigstoreIdentityToken(options.env, options.oidcProvider, http);
  const claims = decodeJwtPayload(token.reveal());
  const publisher = claims === undefined ? undefined : publisherFromClaims(claims);
  if (claims === undefined || publisher === undefined)
    throw new SlipwayError("config", "the OIDC token names no GitHub, GitLab or Google identity", {
      hint: "attest from a GitHub Actions or GitLab CI job, or a Google service account",
    });
  const issuer = typeof claims.iss === "string" ? claims.iss : DEFAULT_ISSUERS[publisher.kind];
  emit({ type: "signer", publisher: describePublisher(publisher), issuer });

  const roundTrips = { fulcio: 0, rekor: 0 };
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const publicPem = publicKey.export({ type: "spki", format: "pem" }).toString();
  let certificate: Certificate | undefined;
  let renewing: Promise<Certificate> | undefined;

  const requestCertificate = async (): Promise<Certificate> => {
    if (roundTrips.fulcio > 0) token = await sigstoreIdentityToken(options.env, options.oidcProvider, http);
    const tokenClaims = decodeJwtPayload(token.reveal()) ?? {};
    const proof = sign("sha256", Buffer.from(challengeOf(tokenClaims)), privateKey).toString("base64");
    roundTrips.fulcio++;
    const answer = await postSigningCert(fulcio, signingCertRequest(token.reveal(), publicPem, proof), http);
    if (answer.status !== 201 && answer.status !== 200)
      throw sigstoreRefusal(
        "Fulcio",
        fulcio,
        answer,
        answer.status === 401 || answer.status === 403
          ? "the identity token was refused: check the job's OIDC permission and that the token is fresh"
          : "run again; if it persists, check https://status.sigstore.dev",
      );
    const read = readSigningCert(answer.text);
    if (!read.ok) throw new SlipwayError("network", `Fulcio (${fulcio}): ${read.error}`);
    const parsed = new X509Certificate(read.value.leaf);
    const cert = {
      der: read.value.leaf,
      pem: toPem(read.value.leaf),
      notAfterMs: Date.parse(parsed.validTo),
    };
    emit({ type: "certificate", fulcio, notAfter: new Date(cert.notAfterMs).toISOString() });
    return cert;
  };
  /** The run's certificate, renewed (once, shared) when it has less than a minute left. */
  const currentCertificate = async (): Promise<Certificate> => {
    if (certificate !== undefined && certificate.notAfterMs - now() > 60_000) return certificate;
    renewing ??= requestCertificate().finally(() => {
      renewing = undefined;
    });
    certificate = await renewing;
    return certificate;
  };

  const signFile = async (filename: string, sha256: string): Promise<Attestation> => {
    const statement = publishStatement(filename, sha256);
    for (let attempt = 1; ; attempt++) {
      const cert = await currentCertificate();
      const signature = sign("sha256", preAuthEncoding(DSSE_PAYLOAD_TYPE, statement), privateKey);
      const envelope = JSON.stringify({
        payload: Buffer.from(statement).toString("base64"),
        payloadType: DSSE_PAYLOAD_TYPE,
        signatures: [{ sig: signature.toString("base64"), keyid: "" }],
      });
      roundTrips.rekor++;
      const answer = await postLogEntry(rekor, dsseEntryRequest(envelope, cert.pem), http);
      // 409: this very envelope is logged already (a retried request that had landed); sign anew.
      if (answer.status === 409 && attempt < 3) continue;
      if (answer.status !== 201 && answer.status !== 200)
        throw sigstoreRefusal(
          "Rekor",
          rekor,
          answer,
          "run again; if it persists, check https://status.sigstore.dev",
        );
      const entry = readRekorEntry(answer.text);
      if (!entry.ok) throw new SlipwayError("network", `Rekor (${rekor}): ${entry.error}`);
      return {
        version: 1,
        verification_material: {
          certificate: cert.der.toString("base64"),
          transparency_entries: [entry.value],
        },
        envelope: {
          statement: Buffer.from(statement).toString("base64"),
          signature: signature.toString("base64"),
        },
      };
    }
  };

  const attestOne = async (file: string): Promise<AttestedFile> => {
    const filename = basename(file);
    const sha256 = options.sha256s?.get(file) ?? (await digestFile(file)).sha256;
    const attestationPath = `${file}${ATTESTATION_SUFFIX}`;
    const dist = { filename, sha256 };
    const verify = (attestation: Attestation) =>
      verifyAttestation(attestation, dist, trust, { publisher, issuer });
    let reason: string | undefined;
    const kind = await pathKind(attestationPath);
    if (kind !== undefined) {
      const text = await readSmallRegularFile(attestationPath, MAX_ATTESTATION_BYTES);
      if (text === undefined) reason = `it is not a regular file of at most ${MAX_ATTESTATION_BYTES} bytes`;
      else {
        const parsed = parseAttestation(text);
        if (!parsed.ok) reason = `it is malformed: ${parsed.error}`;
        else {
          const verdict = verify(parsed.value);
          if (verdict.ok) {
            emit({ type: "attested", file, action: "reused" });
            return { file, attestationPath, sha256, action: "reused", attestation: parsed.value };
          }
          reason = verdict.reason;
        }
      }
    }
    const attestation = await signFile(filename, sha256);
    const verdict = verify(attestation);
    if (!verdict.ok)
      throw new SlipwayError(
        "network",
        `the attestation Sigstore gave for ${filename} does not verify: ${verdict.reason}`,
        {
          hint: "nothing was written; check --fulcio, --rekor and --trust-root belong together",
        },
      );
    await writeFileAtomic(attestationPath, serializeAttestation(attestation));
    const action = reason === undefined ? "created" : "replaced";
    emit({ type: "attested", file, action, ...(reason === undefined ? {} : { reason }) });
    return {
      file,
      attestationPath,
      sha256,
      action,
      ...(reason === undefined ? {} : { reason }),
      attestation,
    };
  };

  const results: AttestedFile[] = new Array(options.files.length);
  let next = 0;
  const worker = async () => {
    while (next < options.files.length) {
      const index = next++;
      results[index] = await attestOne(options.files[index] as string);
    }
  };
  const width = Math.max(1, Math.min(options.concurrency ?? 4, options.files.length));
  await Promise.all(Array.from({ length: width }, worker));
  return { publisher, issuer, files: results, roundTrips };
}
