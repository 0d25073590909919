/**
 * JWT verification for trusted publishing, with node:crypto only: RS256 and ES256 (what GitHub,
 * GitLab and Google sign with), never `none` or HMAC (a public JWKS key must not become an HMAC
 * secret). Every failure is a value naming PyPI's error code, never a throw.
 */
import { createPublicKey, type JsonWebKey, verify } from "node:crypto";

/** PyPI's mint error codes (warehouse oidc/views.py) that verification can produce. */
export type JwtErrorCode = "invalid-payload" | "invalid-token";

export interface JwtFailure {
  ok: false;
  code: JwtErrorCode;
  description: string;
}

export interface DecodedJwt {
  ok: true;
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  signingInput: string;
  signature: Buffer;
}

/** A GitHub token is ~1.5 KB; anything far larger is not one. */
export const MAX_JWT_LENGTH = 16 * 1024;
const SEGMENT = /^[A-Za-z0-9_-]+$/;

const fail = (code: JwtErrorCode, description: string): JwtFailure => ({ ok: false, code, description });

function parseSegment(segment: string): Record<string, unknown> | undefined {
  if (!SEGMENT.test(segment)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Splits and decodes a compact JWS without trusting any of it. */
export function decodeJwt(token: unknown): DecodedJwt | JwtFailure {
  if (typeof token !== "string" || token === "") return fail("invalid-payload", "token is missing");
  if (token.length > MAX_JWT_LENGTH) return fail("invalid-payload", "malformed JWT: too long");
  const parts = token.split(".");
  if (parts.length !== 3) return fail("invalid-payload", "malformed JWT: not three dot-separated parts");
  const [h = "", c = "", s = ""] = parts;
  const header = parseSegment(h);
  const claims = parseSegment(c);
  if (header === undefined || claims === undefined || !SEGMENT.test(s)) {
    return fail("invalid-payload", "malformed JWT: a part is not base64url JSON");
  }
  return { ok: true, header, claims, signingInput: `${h}.${c}`, signature: Buffer.from(s, "base64url") };
}

export const ALGORITHMS = ["RS256", "ES256"] as const;
export type Algorithm = (typeof ALGORITHMS)[number];

export function isAllowedAlg(alg: unknown): alg is Algorithm {
  return alg === "RS256" || alg === "ES256";
}

/** True when `jwk` (an RSA or P-256 public key) signed `signingInput` with `alg`. */
export function checkSignature(
  alg: Algorithm,
  jwk: JsonWebKey,
  signingInput: string,
  signature: Buffer,
): boolean {
  if (alg === "RS256" && jwk.kty !== "RSA") return false;
  if (alg === "ES256" && (jwk.kty !== "EC" || jwk.crv !== "P-256")) return false;
  try {
    const key = createPublicKey({ key: jwk, format: "jwk" });
    if (key.type !== "public") return false;
    // JWS carries ECDSA signatures as r||s (RFC 7518 §3.4), not DER.
    return alg === "RS256"
      ? verify("sha256", Buffer.from(signingInput), key, signature)
      : verify("sha256", Buffer.from(signingInput), { key, dsaEncoding: "ieee-p1363" }, signature);
  } catch {
    return false;
  }
}

export interface TimeCheck {
  nowSeconds: number;
  leewaySeconds: number;
}

/** `exp` (required), `nbf` and `iat` against the clock, with leeway; undefined when they hold. */
export function checkTimes(claims: Record<string, unknown>, time: TimeCheck): JwtFailure | undefined {
  const { nowSeconds: now, leewaySeconds: leeway } = time;
  const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
  const exp = num(claims.exp);
  if (exp === undefined) return fail("invalid-token", "the token has no numeric exp claim");
  if (now > exp + leeway) return fail("invalid-token", "the token has expired");
  if (claims.nbf !== undefined) {
    const nbf = num(claims.nbf);
    if (nbf === undefined || now + leeway < nbf)
      return fail("invalid-token", "the token is not yet valid (nbf)");
  }
  if (claims.iat !== undefined) {
    const iat = num(claims.iat);
    if (iat === undefined || now + leeway < iat)
      return fail("invalid-token", "the token was issued in the future (iat)");
  }
  return undefined;
}

/** `aud` may be a string or a list (RFC 7519 §4.1.3). */
export function hasAudience(claims: Record<string, unknown>, audience: string): boolean {
  const aud = claims.aud;
  return aud === audience || (Array.isArray(aud) && aud.includes(audience));
}
