/**
 * The index's half of trusted publishing, as PyPI plays it (warehouse oidc/views.py):
 * `GET /_/oidc/audience` and `POST /_/oidc/mint-token` exchange a CI's OIDC token for a
 * short-lived upload token scoped to the publisher's projects. Each JWT mints once (`jti`).
 */
import { createHash, type JsonWebKey, randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Publisher as AttestationIdentity } from "../../core/attest/identity.ts";
import type { TrustedIssuer, TrustedPublishingConfig } from "./config.ts";
import { checkSignature, checkTimes, decodeJwt, hasAudience, isAllowedAlg, MAX_JWT_LENGTH } from "./jwt.ts";
import { attestationIdentity, matchPublishers } from "./publisher-match.ts";

/** PyPI's mint error codes (reference: warehouse oidc/views.py). */
export type MintErrorCode =
  | "invalid-payload"
  | "not-enabled"
  | "invalid-token"
  | "invalid-publisher"
  | "invalid-reuse-token";

export type MintResult = (
  | { ok: true; token: string; expires: number; projects: string[] }
  | { ok: false; code: MintErrorCode; description: string }
) & { issuer?: string; subject?: string };

/** A configured publisher a token's claims matched: its projects and who it is for attestations. */
export interface MintedPublisher {
  projects: readonly string[];
  identity: AttestationIdentity;
}

/** What an upload token minted here may do, and on whose behalf it was minted. */
export interface MintedScope {
  projects: readonly string[];
  /** Unix seconds. */
  expires: number;
  /** The OIDC issuer (`iss`) that vouched for the CI job: attestations must name it too. */
  issuer: string;
  /** The publishers the token's claims matched (an upload is attributed to its project's). */
  publishers: readonly MintedPublisher[];
}

/** The publisher that owns `project` in a minted token's scope (PyPI: the token's one publisher). */
export function publisherFor(scope: MintedScope, project: string): MintedPublisher | undefined {
  return scope.publishers.find((p) => p.projects.includes(project));
}

export interface TrustedPublishingOptions {
  /** Milliseconds since the epoch (injected for tests). */
  now?: () => number;
  /** Deadline for one JWKS fetch (default 5 s). */
  jwksTimeoutMs?: number;
}

const LEEWAY_SECONDS = 30;
const JWKS_MAX_BYTES = 256 * 1024;
const JWKS_TTL_MS = 10 * 60_000;
/** An unknown `kid` refetches the JWKS (keys rotate), but not more often than this. */
const JWKS_REFETCH_MS = 30_000;
const MAX_BODY_BYTES = 64 * 1024;

interface CachedKeys {
  keys: JsonWebKey[];
  fetchedAt: number;
}

const failure = (code: MintErrorCode, description: string): MintResult => ({ ok: false, code, description });
const digest = (token: string) => createHash("sha256").update(token).digest("hex");

export class TrustedPublishing {
  readonly config: TrustedPublishingConfig;
  private readonly now: () => number;
  private readonly jwksTimeoutMs: number;
  private readonly cache = new Map<string, CachedKeys>();
  private readonly inflight = new Map<string, Promise<CachedKeys | string>>();
  /** issuer + jti → exp (unix seconds): a JWT is refused again until it has expired anyway. */
  private readonly usedJti = new Map<string, number>();
  /** sha256(minted token) → scope; the token itself is never kept. */
  private readonly minted = new Map<string, MintedScope>();

  constructor(config: TrustedPublishingConfig, options: TrustedPublishingOptions = {}) {
    this.config = config;
    this.now = options.now ?? Date.now;
    this.jwksTimeoutMs = options.jwksTimeoutMs ?? 5000;
  }

  /** The scope of a token minted here (expired or not), or undefined for any other string. */
  scopeOf(token: string): MintedScope | undefined {
    return this.minted.get(digest(token));
  }

  nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }

  private prune(): void {
    const now = this.nowSeconds();
    for (const [jti, exp] of this.usedJti) if (exp + LEEWAY_SECONDS < now) this.usedJti.delete(jti);
    // Expired tokens are kept an hour, so an upload with one hears "expired", not "unknown".
    for (const [key, scope] of this.minted) if (scope.expires + 3600 < now) this.minted.delete(key);
  }

  private async fetchJwks(url: string): Promise<CachedKeys | string> {
    try {
      const response = await fetch(url, {
        signal: AbortSignal.timeout(this.jwksTimeoutMs),
        redirect: "error",
        headers: { Accept: "application/json" },
      });
      if (!response.ok || response.body === null) return `the JWKS answered ${response.status}`;
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of response.body) {
        size += chunk.length;
        if (size > JWKS_MAX_BYTES) return "the JWKS is larger than 256 KiB";
        chunks.push(Buffer.from(chunk));
      }
      const doc: unknown = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      const keys = (doc as { keys?: unknown }).keys;
      if (!Array.isArray(keys)) return "the JWKS has no keys list";
      return {
        keys: keys.filter((k) => typeof k === "object" && k !== null) as JsonWebKey[],
        fetchedAt: this.now(),
      };
    } catch (error) {
      return `the JWKS could not be fetched: ${(error as Error).message}`;
    }
  }

  /** The issuer's keys: inline, or fetched (cached; refetched for an unknown kid). */
  private async keysFor(issuer: TrustedIssuer, kid: string | undefined): Promise<JsonWebKey[] | string> {
    if (issuer.jwks !== undefined) return issuer.jwks.keys;
    const url = issuer.jwksUrl ?? "";
    const cached = this.cache.get(url);
    const age = cached === undefined ? Number.POSITIVE_INFINITY : this.now() - cached.fetchedAt;
    const known = cached?.keys.some((k) => (k as { kid?: unknown }).kid === kid) ?? false;
    if (cached !== undefined && age < JWKS_TTL_MS && (known || age < JWKS_REFETCH_MS)) return cached.keys;
    let pending = this.inflight.get(url);
    if (pending === undefined) {
      pending = this.fetchJwks(url).finally(() => this.inflight.delete(url));
      this.inflight.set(url, pending);
    }
    const fetched = await pending;
    if (typeof fetched === "string") return cached?.keys ?? fetched;
    this.cache.set(url, fetched);
    return fetched.keys;
  }

  /** Verifies the JWT and mints a token for the publishers it matches; never throws. */
  async mint(jwt: unknown): Promise<MintResult> {
    const decoded = decodeJwt(jwt);
    const result = await this.mintDecoded(decoded);
    if (!decoded.ok) return result;
    // Claims reach log lines: one line of at most 200 printable characters.
    const claim = (v: unknown) =>
      typeof v === "string" ? v.slice(0, 200).replace(/[\u0000-\u001f\u007f-\u009f]/g, "?") : "";
    return { ...result, issuer: claim(decoded.claims.iss), subject: claim(decoded.claims.sub) };
  }

  private async mintDecoded(decoded: ReturnType<typeof decodeJwt>): Promise<MintResult> {
    if (!decoded.ok) return failure(decoded.code, decoded.description);
    const { header, claims } = decoded;
    const issuer = this.config.issuers.find((i) => i.url === claims.iss);
    if (issuer === undefined) return failure("invalid-payload", "unknown trusted publishing issuer");
    if (!isAllowedAlg(header.alg)) {
      return failure(
        "invalid-token",
        `malformed or invalid token: algorithm ${JSON.stringify(String(header.alg)).slice(0, 40)} is not accepted (RS256, ES256)`,
      );
    }
    const kid = typeof header.kid === "string" ? header.kid : undefined;
    const keys = await this.keysFor(issuer, kid);
    if (typeof keys === "string") return failure("invalid-token", `could not verify the token: ${keys}`);
    const candidates = kid === undefined ? keys : keys.filter((k) => (k as { kid?: unknown }).kid === kid);
    if (candidates.length === 0)
      return failure("invalid-token", "malformed or invalid token: no key of the issuer has this kid");
    if (
      !candidates.some((k) =>
        checkSignature(header.alg as "RS256" | "ES256", k, decoded.signingInput, decoded.signature),
      )
    ) {
      return failure("invalid-token", "malformed or invalid token: the signature does not verify");
    }
    if (!hasAudience(claims, this.config.audience)) {
      return failure(
        "invalid-token",
        `malformed or invalid token: the audience is not '${this.config.audience}'`,
      );
    }
    const nowSeconds = this.nowSeconds();
    const late = checkTimes(claims, { nowSeconds, leewaySeconds: LEEWAY_SECONDS });
    if (late !== undefined)
      return failure("invalid-token", `malformed or invalid token: ${late.description}`);
    const jti = claims.jti;
    if (typeof jti !== "string" || jti === "" || jti.length > 256) {
      return failure("invalid-token", "malformed or invalid token: no jti claim");
    }
    this.prune();
    // Two issuers may pick the same jti: the replay memory is per issuer.
    const used = `${issuer.url}\n${jti}`;
    if (this.usedJti.has(used)) return failure("invalid-reuse-token", "invalid token: already used");
    const matched = matchPublishers(issuer.kind, this.config.publishers, claims);
    if (!matched.ok) return failure("invalid-publisher", matched.description);
    this.usedJti.set(used, claims.exp as number);
    const token = `pypi-${randomBytes(32).toString("base64url")}`;
    const expires = nowSeconds + this.config.tokenLifetimeSeconds;
    const publishers = matched.publishers.map((p) => ({
      projects: p.projects,
      identity: attestationIdentity(p),
    }));
    this.minted.set(digest(token), { projects: matched.projects, expires, issuer: issuer.url, publishers });
    return { ok: true, token, expires, projects: matched.projects };
  }
}

function sendJson(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  value: unknown,
  close = false,
): void {
  const body = `${JSON.stringify(value)}\n`;
  res.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(body),
    "Cache-Control": "no-store",
    ...(close ? { Connection: "close" } : {}),
  });
  res.end(req.method === "HEAD" ? undefined : body);
}

/** PyPI's mint error shape: 422 `{message, errors: [{code, description}]}`. */
function sendMintError(
  req: IncomingMessage,
  res: ServerResponse,
  code: MintErrorCode,
  description: string,
  close = false,
): void {
  sendJson(req, res, 422, { message: "Token request failed", errors: [{ code, description }] }, close);
}

/** `GET /_/oidc/audience`: 403 when trusted publishing is off, as PyPI. */
export function handleAudience(
  tp: TrustedPublishing | undefined,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  if (tp === undefined) sendJson(req, res, 403, { message: "Trusted publishing functionality not enabled" });
  else sendJson(req, res, 200, { audience: tp.config.audience });
}

/** Reads at most `MAX_BODY_BYTES` within 10 s; undefined when the body is too large or too slow. */
function readSmallBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolveBody) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (value: Buffer | undefined) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.removeAllListeners("data");
      if (value === undefined) req.resume();
      resolveBody(value);
    };
    const timer = setTimeout(() => finish(undefined), 10_000);
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) finish(undefined);
      else chunks.push(chunk);
    });
    req.on("end", () => finish(Buffer.concat(chunks)));
    req.on("error", () => finish(undefined));
  });
}

/** `POST /_/oidc/mint-token` with `{"token": "<JWT>"}`; answers PyPI's success or error shape. */
export async function handleMint(
  tp: TrustedPublishing | undefined,
  req: IncomingMessage,
  res: ServerResponse,
  onMint?: (result: MintResult) => void,
): Promise<void> {
  const body = await readSmallBody(req);
  if (tp === undefined)
    return sendMintError(
      req,
      res,
      "not-enabled",
      "Trusted publishing functionality not enabled",
      body === undefined,
    );
  if (body === undefined)
    return sendMintError(req, res, "invalid-payload", "the request body is too large or too slow", true);
  let payload: unknown;
  try {
    payload = JSON.parse(body.toString("utf8"));
  } catch {
    return sendMintError(req, res, "invalid-payload", "invalid JSON");
  }
  const token =
    typeof payload === "object" && payload !== null ? (payload as { token?: unknown }).token : undefined;
  if (typeof token !== "string" || token.length > MAX_JWT_LENGTH) {
    return sendMintError(req, res, "invalid-payload", 'the payload must be {"token": "<JWT>"}');
  }
  const result = await tp.mint(token);
  onMint?.(result);
  if (!result.ok) return sendMintError(req, res, result.code, result.description);
  sendJson(req, res, 200, { success: true, token: result.token, expires: result.expires });
}
