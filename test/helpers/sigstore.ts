/**
 * A loopback Sigstore for tests: a Fulcio (`POST /api/v2/signingCert`) that checks the OIDC token
 * and the proof of possession and issues a 10-minute leaf with an embedded SCT and Fulcio's
 * certificate extensions for GitHub Actions, GitLab CI and email tokens; a Rekor v1
 * (`POST /api/v1/log/entries`, kind `dsse` 0.0.1) that checks the envelope signatures, stores the
 * body Rekor stores and appends it to one growing RFC 6962 Merkle tree, answering with a signed
 * checkpoint, a real inclusion proof and a signed entry timestamp; and the trusted_root.json that
 * makes both verifiable by @sigstore/verify and sigstore-python.
 *
 * The CA and the CT log come from @sigstore/mock; the log, the token checks and the claim mapping
 * are here, written after sigstore/fulcio (pkg/identity/{github,gitlabcom,email}, docs/oid-info.md)
 * and sigstore/rekor (pkg/types/dsse/v0.0.1/entry.go, pkg/util/signed_note.go).
 *
 * Known differences from the real services: every leaf has the same serial number (the mock CA's);
 * the root is valid from the moment the stand-in starts, so a `now` clock must not go back before
 * that; a token's `aud` and `exp` are checked even when no issuers are configured (only the
 * signature and the issuer's trust are skipped then).
 */
import {
  createHash,
  createPublicKey,
  generateKeyPairSync,
  type JsonWebKey,
  type KeyObject,
  randomBytes,
  sign as signData,
  verify as verifyData,
  X509Certificate,
} from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type * as X509 from "@peculiar/x509";
import { initializeCA, initializeCTLog } from "@sigstore/mock";

/** @peculiar/x509 as @sigstore/mock resolves it (its dependency), for the email leaves the mock CA cannot write. */
const x509 = createRequire(createRequire(import.meta.url).resolve("@sigstore/mock"))(
  "@peculiar/x509",
) as typeof X509;

export interface SigstoreStandIn {
  /** http://127.0.0.1:<port> (POST /api/v2/signingCert) */
  fulcioUrl: string;
  /** http://127.0.0.1:<port> (POST /api/v1/log/entries) */
  rekorUrl: string;
  /** trusted_root.json (protobuf-JSON, mediaType application/vnd.dev.sigstore.trustedroot+json;version=0.1) */
  trustedRoot: Record<string, unknown>;
  /** The same, written to a temp file (removed on close). */
  trustedRootPath: string;
  /** Requests served, per service (injected failures included). */
  counts(): { fulcio: number; rekor: number };
  /** The next `n` requests to `service` answer `status` (e.g. 503, 429) with a JSON error body. */
  failNext(service: "fulcio" | "rekor", status: number, n?: number): void;
  close(): Promise<void>;
}

export interface SigstoreOptions {
  /** OIDC issuers whose tokens Fulcio accepts: iss → JWKS. Absent: tokens are decoded, not verified. */
  issuers?: { iss: string; jwks: { keys: JsonWebKey[] } }[];
  /** Expected `aud` of identity tokens (default "sigstore"). */
  audience?: string;
  /** Clock for certificates and log entries (default: real time). */
  now?: () => Date;
}

/** Largest request body either service reads; more is refused with 413. */
const MAX_BODY = 4 * 1024 * 1024;
/** The tree ID in Rekor's origin line and entry UUIDs (any 64-bit number; this one is fixed). */
const TREE_ID = 1193050959916656506n;

class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

// ---------------------------------------------------------------------------------------------
// Small encoders and parsers

const sha256 = (data: Buffer | string) => createHash("sha256").update(data).digest();

/** Canonical JSON (RFC 8785) for the string/number/object/array values used here: sorted keys. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** PEM with 64-character lines and a final newline, as Go's pem.Encode and pyca/cryptography write it. */
function toPem(label: string, der: Buffer): string {
  const lines = der.toString("base64").match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

function pemBody(pem: string, label: string): Buffer {
  const match = new RegExp(`-----BEGIN ${label}-----([A-Za-z0-9+/=\\s]*)-----END ${label}-----`).exec(pem);
  if (!match) throw new HttpError(400, `expected a PEM ${label}`);
  return Buffer.from(match[1]!.replace(/\s+/g, ""), "base64");
}

/** Strict standard or URL-safe base64 (padding optional); anything else is refused. */
function b64decode(text: unknown, what: string): Buffer {
  if (typeof text !== "string" || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(text)) {
    throw new HttpError(400, `${what}: not base64`);
  }
  return Buffer.from(text, text.includes("-") || text.includes("_") ? "base64url" : "base64");
}

/** One DER element: tag, definite length, contents. */
function derTlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  const length =
    n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, content]);
}

interface Tlv {
  tag: number;
  /** The whole element: tag, length and contents. */
  raw: Buffer;
  content: Buffer;
}

/** One DER element at `offset` of `buf` (definite lengths only, as DER requires). */
function readTlv(buf: Buffer, offset: number): Tlv & { end: number } {
  if (offset + 2 > buf.length) throw new HttpError(400, "truncated DER");
  const tag = buf[offset]!;
  let length = buf[offset + 1]!;
  let header = 2;
  if (length & 0x80) {
    const n = length & 0x7f;
    if (n === 0 || n > 4 || offset + 2 + n > buf.length) throw new HttpError(400, "bad DER length");
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + buf[offset + 2 + i]!;
    header += n;
  }
  const end = offset + header + length;
  if (end > buf.length) throw new HttpError(400, "truncated DER");
  return { tag, raw: buf.subarray(offset, end), content: buf.subarray(offset + header, end), end };
}

function children(element: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let at = 0; at < element.content.length; ) {
    const child = readTlv(element.content, at);
    out.push(child);
    at = child.end;
  }
  return out;
}

const ECDSA_HASH_BY_OID: Record<string, string> = {
  "2a8648ce3d040302": "sha256",
  "2a8648ce3d040303": "sha384",
  "2a8648ce3d040304": "sha512",
};

/**
 * A PKCS#10 request's public key, after checking its self-signature (Fulcio's proof of
 * possession when a CSR is sent).
 */
function csrPublicKey(der: Buffer): KeyObject {
  const top = readTlv(der, 0);
  if (top.tag !== 0x30 || top.end !== der.length) throw new HttpError(400, "CSR is not one DER SEQUENCE");
  const [info, algorithm, signature] = children(top);
  if (!info || !algorithm || !signature || signature.tag !== 0x03) throw new HttpError(400, "malformed CSR");
  const spki = children(info)[2];
  const oid = children(algorithm)[0];
  if (!spki || !oid) throw new HttpError(400, "malformed CSR");
  const hash = ECDSA_HASH_BY_OID[oid.content.toString("hex")];
  if (!hash) throw new HttpError(400, "unsupported CSR signature algorithm");
  let key: KeyObject;
  try {
    key = createPublicKey({ key: spki.raw, format: "der", type: "spki" });
  } catch {
    throw new HttpError(400, "CSR public key is not a valid SubjectPublicKeyInfo");
  }
  if (!verifyData(hash, info.raw, key, signature.content.subarray(1))) {
    throw new HttpError(400, "invalid signature on CSR (proof of possession)");
  }
  return key;
}

/** The request body, up to MAX_BODY; a larger one is drained (not buffered) and refused with 413. */
function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on("end", () =>
      size > MAX_BODY ? reject(new HttpError(413, "request body too large")) : resolve(Buffer.concat(chunks)),
    );
    req.on("error", reject);
  });
}

function parseJsonObject(body: Buffer): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(body.toString("utf8"));
  } catch {
    throw new HttpError(400, "body is not JSON");
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new HttpError(400, "body is not a JSON object");
  }
  return value as Record<string, unknown>;
}

const asObject = (value: unknown): Record<string, unknown> | undefined =>
  value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;

/**
 * Fulcio answers through grpc-gateway: its JSON error `code` is the gRPC status code, not the
 * HTTP one (Rekor's go-swagger errors carry the HTTP status).
 */
const GRPC_CODE: Record<number, number> = {
  400: 3,
  401: 16,
  403: 7,
  404: 5,
  405: 12,
  409: 6,
  413: 8,
  429: 8,
  500: 13,
  501: 12,
  503: 14,
  504: 4,
};
const grpcCode = (status: number) => GRPC_CODE[status] ?? 2;

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

// ---------------------------------------------------------------------------------------------
// OIDC tokens

interface Claims {
  [claim: string]: unknown;
}

function decodeJwt(token: string): { header: Claims; claims: Claims; input: string; signature: Buffer } {
  const parts = token.split(".");
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) {
    throw new HttpError(401, "identity token is not a JWT");
  }
  try {
    const header = JSON.parse(Buffer.from(parts[0]!, "base64url").toString("utf8")) as unknown;
    const claims = JSON.parse(Buffer.from(parts[1]!, "base64url").toString("utf8")) as unknown;
    const h = asObject(header);
    const c = asObject(claims);
    if (!h || !c) throw new Error("not objects");
    return {
      header: h,
      claims: c,
      input: `${parts[0]}.${parts[1]}`,
      signature: Buffer.from(parts[2]!, "base64url"),
    };
  } catch {
    throw new HttpError(401, "identity token is not a JWT");
  }
}

function verifyJwtSignature(jwt: ReturnType<typeof decodeJwt>, jwks: { keys: JsonWebKey[] }): boolean {
  const alg = jwt.header["alg"];
  const kid = jwt.header["kid"];
  if (alg !== "RS256" && alg !== "ES256") return false;
  const candidates = jwks.keys.filter(
    (k) => (kid === undefined || k["kid"] === kid) && k.kty === (alg === "RS256" ? "RSA" : "EC"),
  );
  return candidates.some((jwk) => {
    try {
      const key = createPublicKey({ key: jwk, format: "jwk" });
      return verifyData(
        "sha256",
        Buffer.from(jwt.input),
        alg === "ES256" ? { key, dsaEncoding: "ieee-p1363" } : key,
        jwt.signature,
      );
    } catch {
      return false;
    }
  });
}

const str = (claims: Claims, name: string): string | undefined => {
  const v = claims[name];
  return typeof v === "string" && v !== "" ? v : typeof v === "number" ? String(v) : undefined;
};

interface Extension {
  oid: string;
  value: string;
  legacy?: boolean;
}

interface Principal {
  /** What the proof of possession signs (Fulcio's `principal.Name`). */
  name: string;
  san: { type: "url" | "email"; value: string };
  extensions: Extension[];
}

const OID = (n: number) => `1.3.6.1.4.1.57264.1.${n}`;

function pushExt(out: Extension[], n: number, value: string | undefined, legacy = false) {
  if (value !== undefined && value !== "") out.push({ oid: OID(n), value, ...(legacy ? { legacy } : {}) });
}

/** Fulcio's pkg/identity/github principal: SAN, the legacy 1.1–1.6 and the 1.8–1.22 extensions. */
function githubPrincipal(iss: string, c: Claims): Principal {
  const base = "https://github.com";
  const sub = str(c, "sub");
  const jobWorkflowRef = str(c, "job_workflow_ref");
  if (!sub || !jobWorkflowRef) throw new HttpError(401, "GitHub token without sub or job_workflow_ref");
  const out: Extension[] = [];
  pushExt(out, 1, iss, true);
  pushExt(out, 2, str(c, "event_name"), true);
  pushExt(out, 3, str(c, "sha"), true);
  pushExt(out, 4, str(c, "workflow"), true);
  pushExt(out, 5, str(c, "repository"), true);
  pushExt(out, 6, str(c, "ref"), true);
  pushExt(out, 8, iss);
  pushExt(out, 9, `${base}/${jobWorkflowRef}`);
  pushExt(out, 10, str(c, "job_workflow_sha"));
  pushExt(out, 11, str(c, "runner_environment"));
  const repository = str(c, "repository");
  pushExt(out, 12, repository && `${base}/${repository}`);
  pushExt(out, 13, str(c, "sha"));
  pushExt(out, 14, str(c, "ref"));
  pushExt(out, 15, str(c, "repository_id"));
  const owner = str(c, "repository_owner");
  pushExt(out, 16, owner && `${base}/${owner}`);
  pushExt(out, 17, str(c, "repository_owner_id"));
  const workflowRef = str(c, "workflow_ref");
  pushExt(out, 18, workflowRef && `${base}/${workflowRef}`);
  pushExt(out, 19, str(c, "workflow_sha"));
  pushExt(out, 20, str(c, "event_name"));
  const runId = str(c, "run_id");
  const attempt = str(c, "run_attempt");
  pushExt(
    out,
    21,
    repository && runId && attempt && `${base}/${repository}/actions/runs/${runId}/attempts/${attempt}`,
  );
  pushExt(out, 22, str(c, "repository_visibility"));
  return { name: sub, san: { type: "url", value: `${base}/${jobWorkflowRef}` }, extensions: out };
}

/** Fulcio's pkg/identity/gitlabcom principal. */
function gitlabPrincipal(iss: string, c: Claims): Principal {
  const base = "https://gitlab.com";
  const sub = str(c, "sub");
  const configRef = str(c, "ci_config_ref_uri");
  const projectPath = str(c, "project_path");
  if (!sub || !configRef || !projectPath) {
    throw new HttpError(401, "GitLab token without sub, ci_config_ref_uri or project_path");
  }
  const ref = str(c, "ref");
  const refType = str(c, "ref_type");
  const fullRef =
    ref === undefined
      ? undefined
      : refType === "branch"
        ? `refs/heads/${ref}`
        : refType === "tag"
          ? `refs/tags/${ref}`
          : ref;
  const namespace = str(c, "namespace_path");
  const jobId = str(c, "job_id");
  const out: Extension[] = [];
  pushExt(out, 8, iss);
  pushExt(out, 9, `https://${configRef}`);
  pushExt(out, 10, str(c, "ci_config_sha"));
  pushExt(out, 11, str(c, "runner_environment"));
  pushExt(out, 12, `${base}/${projectPath}`);
  pushExt(out, 13, str(c, "sha"));
  pushExt(out, 14, fullRef);
  pushExt(out, 15, str(c, "project_id"));
  pushExt(out, 16, namespace && `${base}/${namespace}`);
  pushExt(out, 17, str(c, "namespace_id"));
  pushExt(out, 18, `https://${configRef}`);
  pushExt(out, 19, str(c, "ci_config_sha"));
  pushExt(out, 20, str(c, "pipeline_source"));
  pushExt(out, 21, jobId && `${base}/${projectPath}/-/jobs/${jobId}`);
  pushExt(out, 22, str(c, "project_visibility"));
  return { name: sub, san: { type: "url", value: `https://${configRef}` }, extensions: out };
}

/** Fulcio's pkg/identity/email principal: the proof signs the email, which must be verified. */
function emailPrincipal(iss: string, c: Claims): Principal {
  const email = str(c, "email");
  if (!email) throw new HttpError(401, "token has no email");
  if (c["email_verified"] !== true) throw new HttpError(401, "email_verified claim is not true");
  const out: Extension[] = [];
  pushExt(out, 1, iss, true);
  pushExt(out, 8, iss);
  return { name: email, san: { type: "email", value: email }, extensions: out };
}

/** The principal a token's claims describe, as Fulcio's configured issuer type would. */
function principalOf(claims: Claims): Principal {
  const iss = str(claims, "iss");
  if (!iss) throw new HttpError(401, "token has no iss");
  if (iss === "https://token.actions.githubusercontent.com" || "job_workflow_ref" in claims) {
    return githubPrincipal(iss, claims);
  }
  if (iss === "https://gitlab.com" || "ci_config_ref_uri" in claims) return gitlabPrincipal(iss, claims);
  if ("email" in claims) return emailPrincipal(iss, claims);
  throw new HttpError(401, `no identity type for tokens of issuer ${JSON.stringify(iss.slice(0, 200))}`);
}

// ---------------------------------------------------------------------------------------------
// RFC 6962 Merkle tree

const leafHash = (data: Buffer) => sha256(Buffer.concat([Buffer.from([0]), data]));
const nodeHash = (l: Buffer, r: Buffer) => sha256(Buffer.concat([Buffer.from([1]), l, r]));

/** Largest power of two strictly below n (n > 1). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH(D[lo:hi]) over leaf hashes. */
function treeHash(leaves: Buffer[], lo: number, hi: number): Buffer {
  if (hi - lo === 1) return leaves[lo]!;
  const k = split(hi - lo);
  return nodeHash(treeHash(leaves, lo, lo + k), treeHash(leaves, lo + k, hi));
}

/** PATH(m, D[lo:hi]): sibling hashes from the leaf up. */
function auditPath(leaves: Buffer[], m: number, lo: number, hi: number): Buffer[] {
  if (hi - lo <= 1) return [];
  const k = split(hi - lo);
  return m < k
    ? [...auditPath(leaves, m, lo, lo + k), treeHash(leaves, lo + k, hi)]
    : [...auditPath(leaves, m - k, lo + k, hi), treeHash(leaves, lo, lo + k)];
}

// ---------------------------------------------------------------------------------------------

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
}

export async function startSigstore(options: SigstoreOptions = {}): Promise<SigstoreStandIn> {
  const now = options.now ?? (() => new Date());
  const audience = options.audience ?? "sigstore";
  const started = new Date(Math.min(Date.now(), now().getTime()) - 60_000);

  const caKeys = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const ctKeys = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const rekorKeys = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const ctLog = await initializeCTLog(ctKeys);
  const ca = await initializeCA(caKeys, ctLog);
  // The mock CA and CT log read their clock from this field; point it at ours so `now` moves both.
  for (const part of [ca, ctLog] as unknown as { getCurrentTime: () => Date }[]) part.getCurrentTime = now;
  const caSpki = caKeys.publicKey.export({ format: "der", type: "spki" });
  const rootDer = Buffer.from(
    ca.rootCertificate.buffer,
    ca.rootCertificate.byteOffset,
    ca.rootCertificate.byteLength,
  );
  const rootPem = toPem("CERTIFICATE", rootDer);
  const rekorSpki = rekorKeys.publicKey.export({ format: "der", type: "spki" });
  const rekorLogId = sha256(rekorSpki);

  const counts = { fulcio: 0, rekor: 0 };
  const failures: Record<"fulcio" | "rekor", { status: number; left: number }[]> = { fulcio: [], rekor: [] };
  const takeFailure = (service: "fulcio" | "rekor") => {
    const head = failures[service][0];
    if (!head) return undefined;
    head.left -= 1;
    if (head.left <= 0) failures[service].shift();
    return head.status;
  };

  // ---- Fulcio --------------------------------------------------------------------------------
  const issuers = options.issuers;

  function checkToken(token: string): Principal {
    const jwt = decodeJwt(token);
    const iss = str(jwt.claims, "iss");
    if (issuers !== undefined) {
      const issuer = issuers.find((i) => i.iss === iss);
      if (!issuer) throw new HttpError(401, "the token's issuer is not trusted by this Fulcio");
      if (!verifyJwtSignature(jwt, issuer.jwks))
        throw new HttpError(401, "the token's signature does not verify");
    }
    const aud = jwt.claims["aud"];
    if (!(aud === audience || (Array.isArray(aud) && aud.includes(audience)))) {
      throw new HttpError(401, `the token's audience is not ${JSON.stringify(audience)}`);
    }
    const exp = jwt.claims["exp"];
    const nowSeconds = now().getTime() / 1000;
    if (typeof exp !== "number" || exp <= nowSeconds) throw new HttpError(401, "the token has expired");
    const nbf = jwt.claims["nbf"];
    if (typeof nbf === "number" && nbf > nowSeconds + 60)
      throw new HttpError(401, "the token is not valid yet");
    return principalOf(jwt.claims);
  }

  async function signingCert(req: IncomingMessage, body: Record<string, unknown>): Promise<unknown> {
    const header = req.headers.authorization;
    const bearer =
      typeof header === "string" && /^bearer /i.test(header) ? header.slice(7).trim() : undefined;
    const token = asObject(body["credentials"])?.["oidcIdentityToken"] ?? bearer;
    if (typeof token !== "string" || token === "") throw new HttpError(401, "no OIDC identity token");
    const principal = checkToken(token);

    let publicKey: KeyObject;
    const keyRequest = asObject(body["publicKeyRequest"]);
    if (keyRequest !== undefined) {
      const key = asObject(keyRequest["publicKey"]);
      const content = key?.["content"];
      if (typeof content !== "string")
        throw new HttpError(400, "publicKeyRequest.publicKey.content is missing");
      try {
        publicKey = createPublicKey({ key: pemBody(content, "PUBLIC KEY"), format: "der", type: "spki" });
      } catch (error) {
        if (error instanceof HttpError) throw error;
        throw new HttpError(400, "the public key does not parse");
      }
      const proof = b64decode(keyRequest["proofOfPossession"], "proofOfPossession");
      let ok = false;
      try {
        ok = verifyData("sha256", Buffer.from(principal.name), publicKey, proof);
      } catch {
        ok = false;
      }
      if (!ok) throw new HttpError(400, "the proof of possession does not verify against the public key");
    } else if (typeof body["certificateSigningRequest"] === "string") {
      const pem = b64decode(body["certificateSigningRequest"], "certificateSigningRequest").toString("utf8");
      publicKey = csrPublicKey(pemBody(pem, "CERTIFICATE REQUEST"));
    } else {
      throw new HttpError(400, "neither publicKeyRequest nor certificateSigningRequest");
    }
    const details = publicKey.asymmetricKeyDetails;
    if (publicKey.asymmetricKeyType !== "ec" || details?.namedCurve !== "prime256v1") {
      throw new HttpError(400, "this Fulcio issues certificates for ECDSA P-256 keys only");
    }
    const spki = publicKey.export({ format: "der", type: "spki" });
    let leaf: Buffer;
    if (principal.san.type === "email") {
      leaf = await emailLeaf(principal, spki);
    } else {
      const leafDer = await ca.issueCertificate({
        publicKey: spki,
        subjectAltName: principal.san.value,
        extensions: principal.extensions,
      });
      leaf = Buffer.from(leafDer.buffer, leafDer.byteOffset, leafDer.byteLength);
    }
    const issuedAt = new X509Certificate(leaf).validFrom;
    if (Math.abs(Date.parse(issuedAt) - now().getTime()) > 2000) {
      throw new Error("the mock CA ignored the stand-in's clock (did @sigstore/mock rename getCurrentTime?)");
    }
    return {
      signedCertificateEmbeddedSct: { chain: { certificates: [toPem("CERTIFICATE", leaf), rootPem] } },
    };
  }

  /**
   * The leaf for an email principal: what the mock CA issues (same issuer, key usages, EKU, key
   * identifiers, 10 minutes, SCT over the precertificate), but with an rfc822Name SAN, which the
   * mock CA cannot write.
   */
  async function emailLeaf(principal: Principal, spki: Buffer): Promise<Buffer> {
    const webcrypto = globalThis.crypto;
    const algorithm = { name: "ECDSA", namedCurve: "P-256" };
    const key = await webcrypto.subtle.importKey("spki", spki, algorithm, true, ["verify"]);
    const caPublic = caKeys.publicKey.toCryptoKey(algorithm, true, ["verify"]);
    const at = now();
    const extensions: X509.Extension[] = [
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.codeSigning]),
      new x509.SubjectAlternativeNameExtension([{ type: "email", value: principal.san.value }], true),
      await x509.SubjectKeyIdentifierExtension.create(key, false, webcrypto),
      await x509.AuthorityKeyIdentifierExtension.create(caPublic, false, webcrypto),
      ...principal.extensions.map(
        (e) =>
          new x509.Extension(
            e.oid,
            false,
            e.legacy ? Buffer.from(e.value) : derTlv(0x0c, Buffer.from(e.value)),
          ),
      ),
    ];
    const tbs = {
      serialNumber: randomBytes(16)
        .toString("hex")
        .replace(/^[89a-f]/, "1"),
      notBefore: at,
      notAfter: new Date(at.getTime() + 10 * 60 * 1000),
      issuer: "CN=sigstore,O=sigstore.mock",
      publicKey: key,
      signingAlgorithm: { name: "ECDSA", hash: "SHA-384" },
      signingKey: caKeys.privateKey.toCryptoKey(algorithm, false, ["sign"]),
      extensions,
    };
    const precert = await x509.X509CertificateGenerator.create(tbs, webcrypto);
    const sct = Buffer.from(await ctLog.log(precert.rawData, Uint8Array.from(sha256(caSpki)).buffer));
    // The SCT list as the mock CA writes it (which both verifiers accept), in an OCTET STRING.
    const list = Buffer.concat([Buffer.from([0, sct.length]), sct]);
    extensions.push(new x509.Extension("1.3.6.1.4.1.11129.2.4.2", false, derTlv(0x04, list)));
    return Buffer.from((await x509.X509CertificateGenerator.create(tbs, webcrypto)).rawData);
  }

  const fulcio = createServer((req, res) => {
    counts.fulcio += 1;
    void (async () => {
      const failure = takeFailure("fulcio");
      if (failure !== undefined) {
        return send(res, failure, {
          code: grpcCode(failure),
          message: `injected failure ${failure}`,
          details: [],
        });
      }
      if (req.method === "GET" && req.url === "/api/v2/trustBundle") {
        return send(res, 200, { chains: [{ certificates: [rootPem] }] });
      }
      if (req.url !== "/api/v2/signingCert")
        return send(res, 404, { code: 5, message: "Not Found", details: [] });
      if (req.method !== "POST")
        return send(res, 405, { code: 12, message: "Method Not Allowed", details: [] });
      const body = parseJsonObject(await readBody(req));
      send(res, 201, await signingCert(req, body));
    })().catch((error: unknown) => fail(res, error, grpcCode));
  });

  // ---- Rekor ---------------------------------------------------------------------------------
  const leaves: Buffer[] = [];
  const entries: { uuid: string; body: Buffer; integratedTime: number }[] = [];
  const byLeaf = new Map<string, number>();
  let rekorHost = "";

  const uuidOf = (leaf: Buffer) => `${TREE_ID.toString(16).padStart(16, "0")}${leaf.toString("hex")}`;

  function checkpoint(size: number, root: Buffer): string {
    const note = `${rekorHost} - ${TREE_ID}\n${size}\n${root.toString("base64")}\n`;
    const signature = signData("sha256", Buffer.from(note), rekorKeys.privateKey);
    const hint = rekorLogId.subarray(0, 4);
    return `${note}\n\u2014 ${rekorHost} ${Buffer.concat([hint, signature]).toString("base64")}\n`;
  }

  /** The log entry for index `i` as Rekor v1 answers it, with a proof against the current tree. */
  function logEntry(i: number): Record<string, unknown> {
    const entry = entries[i]!;
    const size = leaves.length;
    const root = treeHash(leaves, 0, size);
    const body = entry.body.toString("base64");
    const set = signData(
      "sha256",
      Buffer.from(
        canonicalJson({
          body,
          integratedTime: entry.integratedTime,
          logID: rekorLogId.toString("hex"),
          logIndex: i,
        }),
      ),
      rekorKeys.privateKey,
    );
    return {
      [entry.uuid]: {
        body,
        integratedTime: entry.integratedTime,
        logID: rekorLogId.toString("hex"),
        logIndex: i,
        verification: {
          inclusionProof: {
            checkpoint: checkpoint(size, root),
            hashes: auditPath(leaves, i, 0, size).map((h) => h.toString("hex")),
            logIndex: i,
            rootHash: root.toString("hex"),
            treeSize: size,
          },
          signedEntryTimestamp: set.toString("base64"),
        },
      },
    };
  }

  /** Rekor's dsse 0.0.1 Unmarshal + Canonicalize: verify every signature, store hashes and verifiers. */
  function canonicalDsseBody(proposed: Record<string, unknown>): Buffer {
    if (proposed["kind"] !== "dsse") throw new HttpError(400, "only kind dsse is supported by this stand-in");
    if (proposed["apiVersion"] !== "0.0.1")
      throw new HttpError(400, "only dsse apiVersion 0.0.1 is supported");
    const content = asObject(asObject(proposed["spec"])?.["proposedContent"]);
    const envelopeText = content?.["envelope"];
    const verifiers = content?.["verifiers"];
    if (typeof envelopeText !== "string" || !Array.isArray(verifiers) || verifiers.length === 0) {
      throw new HttpError(400, "spec.proposedContent needs envelope (a string) and verifiers");
    }
    let envelope: Record<string, unknown> | undefined;
    try {
      envelope = asObject(JSON.parse(envelopeText));
    } catch {
      envelope = undefined;
    }
    const payloadType = envelope?.["payloadType"];
    const signatures = envelope?.["signatures"];
    if (
      !envelope ||
      typeof payloadType !== "string" ||
      !Array.isArray(signatures) ||
      signatures.length === 0
    ) {
      throw new HttpError(400, "envelope is not a DSSE envelope with signatures");
    }
    const payload = b64decode(envelope["payload"], "envelope payload");
    const pae = Buffer.concat([
      Buffer.from(`DSSEv1 ${Buffer.byteLength(payloadType)} ${payloadType} ${payload.length} `),
      payload,
    ]);
    if (verifiers.length > 16 || signatures.length > 16)
      throw new HttpError(400, "too many verifiers or signatures");
    const keys = verifiers.map((v) => {
      const pem = b64decode(v, "verifier").toString("utf8");
      try {
        if (pem.includes("-----BEGIN CERTIFICATE-----")) {
          const cert = new X509Certificate(pemBody(pem, "CERTIFICATE"));
          return { key: cert.publicKey, canonical: toPem("CERTIFICATE", cert.raw) };
        }
        const der = pemBody(pem, "PUBLIC KEY");
        const key = createPublicKey({ key: der, format: "der", type: "spki" });
        return { key, canonical: toPem("PUBLIC KEY", key.export({ format: "der", type: "spki" })) };
      } catch {
        throw new HttpError(400, "could not parse public key as x509");
      }
    });
    const stored = signatures.map((s) => {
      const sig = asObject(s)?.["sig"];
      const bytes = b64decode(sig, "signature");
      const match = keys.find(({ key }) => {
        try {
          return verifyData("sha256", pae, key, bytes);
        } catch {
          return false;
        }
      });
      if (!match)
        throw new HttpError(
          400,
          "could not verify envelope: all signatures must have a key that verifies it",
        );
      return { signature: sig as string, verifier: Buffer.from(match.canonical).toString("base64") };
    });
    stored.sort((a, b) => (a.signature < b.signature ? -1 : a.signature > b.signature ? 1 : 0));
    return Buffer.from(
      canonicalJson({
        apiVersion: "0.0.1",
        kind: "dsse",
        spec: {
          envelopeHash: { algorithm: "sha256", value: sha256(envelopeText).toString("hex") },
          payloadHash: { algorithm: "sha256", value: sha256(payload).toString("hex") },
          signatures: stored,
        },
      }),
    );
  }

  const rekor = createServer((req, res) => {
    counts.rekor += 1;
    void (async () => {
      const failure = takeFailure("rekor");
      if (failure !== undefined) {
        return send(res, failure, { code: failure, message: `injected failure ${failure}` });
      }
      const url = new URL(req.url ?? "/", "http://x");
      if (req.method === "GET" && url.pathname === "/api/v1/log") {
        const size = leaves.length;
        return send(res, 200, {
          rootHash: size === 0 ? sha256("").toString("hex") : treeHash(leaves, 0, size).toString("hex"),
          treeSize: size,
          signedTreeHead: checkpoint(size, size === 0 ? sha256("") : treeHash(leaves, 0, size)),
          treeID: TREE_ID.toString(),
        });
      }
      if (req.method === "GET" && url.pathname === "/api/v1/log/entries") {
        const index = Number(url.searchParams.get("logIndex"));
        if (!Number.isSafeInteger(index) || index < 0 || index >= entries.length) {
          return send(res, 404, { code: 404, message: "entry not found" });
        }
        return send(res, 200, logEntry(index));
      }
      if (req.method === "GET" && url.pathname.startsWith("/api/v1/log/entries/")) {
        const id = url.pathname.slice("/api/v1/log/entries/".length).toLowerCase();
        const index = byLeaf.get(id.slice(-64));
        if (index === undefined || !/^[0-9a-f]{64}([0-9a-f]{16})?$|^[0-9a-f]{80}$/.test(id)) {
          return send(res, 404, { code: 404, message: "entry not found" });
        }
        return send(res, 200, logEntry(index));
      }
      if (url.pathname !== "/api/v1/log/entries") return send(res, 404, { code: 404, message: "Not Found" });
      if (req.method !== "POST") return send(res, 405, { code: 405, message: "Method Not Allowed" });
      const body = canonicalDsseBody(parseJsonObject(await readBody(req)));
      const leaf = leafHash(body);
      const existing = byLeaf.get(leaf.toString("hex"));
      if (existing !== undefined) {
        const uuid = entries[existing]!.uuid;
        return send(
          res,
          409,
          {
            code: 409,
            message: `An equivalent entry already exists in the transparency log with UUID ${uuid}`,
          },
          { Location: `/api/v1/log/entries/${uuid}` },
        );
      }
      const index = leaves.length;
      leaves.push(leaf);
      const uuid = uuidOf(leaf);
      entries.push({ uuid, body, integratedTime: Math.floor(now().getTime() / 1000) });
      byLeaf.set(leaf.toString("hex"), index);
      send(res, 201, logEntry(index), {
        Location: `/api/v1/log/entries/${uuid}`,
        ETag: uuid,
      });
    })().catch((error: unknown) => fail(res, error, (status) => status));
  });

  function fail(res: ServerResponse, error: unknown, code: (status: number) => number) {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const status = error instanceof HttpError ? error.status : 500;
    send(res, status, {
      code: code(status),
      message: error instanceof Error ? error.message : String(error),
    });
  }

  const fulcioUrl = await listen(fulcio);
  const rekorUrl = await listen(rekor);
  rekorHost = new URL(rekorUrl).host;

  const ctSpki = ctKeys.publicKey.export({ format: "der", type: "spki" });
  const validFor = { start: started.toISOString() };
  const trustedRoot: Record<string, unknown> = {
    mediaType: "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
    tlogs: [
      {
        baseUrl: rekorUrl,
        hashAlgorithm: "SHA2_256",
        publicKey: {
          rawBytes: rekorSpki.toString("base64"),
          keyDetails: "PKIX_ECDSA_P256_SHA_256",
          validFor,
        },
        logId: { keyId: rekorLogId.toString("base64") },
      },
    ],
    certificateAuthorities: [
      {
        subject: { organization: "sigstore.mock", commonName: "sigstore" },
        uri: fulcioUrl,
        certChain: { certificates: [{ rawBytes: rootDer.toString("base64") }] },
        validFor,
      },
    ],
    ctlogs: [
      {
        baseUrl: `${fulcioUrl}/ct`,
        hashAlgorithm: "SHA2_256",
        publicKey: { rawBytes: ctSpki.toString("base64"), keyDetails: "PKIX_ECDSA_P256_SHA_256", validFor },
        logId: { keyId: sha256(ctSpki).toString("base64") },
      },
    ],
    timestampAuthorities: [],
  };
  const dir = mkdtempSync(join(tmpdir(), "slipway-sigstore-"));
  const trustedRootPath = join(dir, "trusted_root.json");
  writeFileSync(trustedRootPath, `${JSON.stringify(trustedRoot, null, 2)}\n`);

  const closeServer = (server: Server) =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });

  return {
    fulcioUrl,
    rekorUrl,
    trustedRoot,
    trustedRootPath,
    counts: () => ({ ...counts }),
    failNext(service, status, n = 1) {
      failures[service].push({ status, left: n });
    },
    async close() {
      await Promise.all([closeServer(fulcio), closeServer(rekor)]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
