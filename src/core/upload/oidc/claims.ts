/**
 * Trusted publishing, the pure part: where an index's OIDC endpoints live, the claims of an
 * OIDC token read for messages (never verified here: the index verifies), and what each way
 * a mint can fail means for the person who has to fix it.
 */

/** The claims a publisher on the index is matched against, as the token carries them. */
export const SHOWN_CLAIMS = [
  "sub",
  "repository",
  "workflow_ref",
  "job_workflow_ref",
  "environment",
  "ref",
] as const;

export type ShownClaim = (typeof SHOWN_CLAIMS)[number];
export type Claims = Partial<Record<ShownClaim, string>>;

const MAX_TOKEN = 64 * 1024;

/**
 * A JWT's payload, decoded WITHOUT checking the signature (the index, or Fulcio, verifies):
 * for messages and for knowing whose token it is. Anything malformed gives undefined.
 */
export function decodeJwtPayload(jwt: string): Record<string, unknown> | undefined {
  if (jwt.length > MAX_TOKEN) return undefined;
  const parts = jwt.split(".");
  if (parts.length !== 3 || parts[1] === undefined) return undefined;
  let payload: unknown;
  try {
    const b64 = parts[1].replaceAll("-", "+").replaceAll("_", "/");
    const binary = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    payload = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return undefined;
  }
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) return undefined;
  return payload as Record<string, unknown>;
}

/** The shown claims of a JWT's payload (unverified), each cut to 200 characters. */
export function decodeClaims(jwt: string): Claims {
  const payload = decodeJwtPayload(jwt) ?? {};
  const claims: Claims = {};
  for (const key of SHOWN_CLAIMS) {
    const value = payload[key];
    if (typeof value === "string") claims[key] = value.slice(0, 200);
  }
  return claims;
}

/**
 * The index root whose `/_/oidc/*` endpoints serve an upload URL, as PyPI's own tools derive
 * it: upload.pypi.org → pypi.org, test.pypi.org stays, any other host its own origin.
 */
export function oidcRoot(uploadUrl: string): string | undefined {
  let url: URL;
  try {
    url = new URL(uploadUrl);
  } catch {
    return undefined;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return undefined;
  if (url.hostname === "upload.pypi.org") return "https://pypi.org/";
  if (url.hostname === "test.pypi.org") return "https://test.pypi.org/";
  return `${url.origin}/`;
}

/** Whether the target is TestPyPI (GitLab's token variable depends on it). */
export function isTestPypi(uploadUrl: string): boolean {
  return oidcRoot(uploadUrl) === "https://test.pypi.org/";
}

/** What the publisher on the index must say for these claims, one line per fact. */
export function expectedPublisher(claims: Claims): string[] {
  const lines: string[] = [];
  if (claims.repository !== undefined) lines.push(`repository: ${claims.repository}`);
  // PyPI matches the calling workflow (`workflow_ref`), also when a reusable one runs the job.
  const workflow = claims.workflow_ref ?? claims.job_workflow_ref;
  const file = workflow === undefined ? undefined : /\/([^/@]+)@/.exec(workflow)?.[1];
  if (file !== undefined) lines.push(`workflow file name: ${file}`);
  lines.push(`environment: ${claims.environment ?? "(none: leave it empty on the index)"}`);
  return lines;
}

/**
 * A reusable workflow (`workflow_ref` ≠ `job_workflow_ref`): PyPI matches the CALLING workflow
 * (`workflow_ref`), not the reusable one that runs the publish. Undefined when not reusable.
 */
export function reusableWorkflowNote(claims: Claims): string | undefined {
  const { workflow_ref: caller, job_workflow_ref: job } = claims;
  if (caller === undefined || job === undefined || caller === job) return undefined;
  return `the job runs in a reusable workflow (${job}) called from ${caller}; PyPI matches the publisher against the calling workflow (${caller.split("@")[0]}), so register that file, not the reusable one`;
}

/** The token's claims and what the publisher must say, side by side, for an error's hint. */
export function explainClaims(claims: Claims): string {
  const shown = SHOWN_CLAIMS.filter((k) => claims[k] !== undefined).map((k) => `  ${k}: ${claims[k]}`);
  const parts = [
    shown.length === 0 ? "the token's claims could not be read" : `the token says:\n${shown.join("\n")}`,
    `the publisher on the index must be configured to:\n${expectedPublisher(claims)
      .map((l) => `  ${l}`)
      .join("\n")}`,
  ];
  const reusable = reusableWorkflowNote(claims);
  if (reusable !== undefined) parts.push(reusable);
  return parts.join("\n");
}

/** PyPI's mint error codes (warehouse/oidc/views.py) → what to do. */
export const MINT_ERROR_HINTS: Readonly<Record<string, string>> = {
  "invalid-payload": "the index did not understand the request; this is a bug in slipway or the index",
  "invalid-token": "the OIDC token was refused (signature, issuer or expiry); run the job again",
  "invalid-publisher":
    "no trusted publisher on the index matches this job: compare the token's claims below with the publisher's settings (owner/repository, workflow file name, environment)",
  "invalid-pending-publisher":
    "a pending publisher matches, but the project name is taken or the publisher cannot create it; register the publisher on the existing project instead",
  "invalid-reuse-token":
    "this OIDC token was used to mint once already; each token mints once (slipway fetches a fresh one: run again)",
  "not-enabled": "trusted publishing is turned off on this index; use an API token (--password-stdin)",
  "invalid-claims": "the token lacks claims the index needs; check the CI provider's token settings",
};

/** The hint for a mint error code; unknown codes say to compare the claims. */
export function mintErrorHint(code: string): string {
  return (
    (Object.hasOwn(MINT_ERROR_HINTS, code) ? MINT_ERROR_HINTS[code] : undefined) ??
    "compare the token's claims below with the publisher configured on the index"
  );
}

export interface MintError {
  code: string;
  description: string;
}

export type MintAnswer =
  | { ok: true; token: string; expires?: number }
  | { ok: false; errors: MintError[]; message?: string };

/** Reads a mint answer (`{success, token, expires}` or PyPI's `{message, errors: [{code, description}]}`). */
export function parseMintAnswer(text: string): MintAnswer | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof body !== "object" || body === null) return undefined;
  const b = body as Record<string, unknown>;
  if (typeof b.token === "string" && b.token !== "" && b.success !== false) {
    return { ok: true, token: b.token, ...(typeof b.expires === "number" ? { expires: b.expires } : {}) };
  }
  const errors: MintError[] = [];
  if (Array.isArray(b.errors)) {
    for (const e of b.errors.slice(0, 20)) {
      if (typeof e === "object" && e !== null) {
        const r = e as Record<string, unknown>;
        errors.push({
          code: typeof r.code === "string" ? r.code.slice(0, 80) : "unknown",
          description: typeof r.description === "string" ? r.description.slice(0, 500) : "",
        });
      }
    }
  }
  return {
    ok: false,
    errors,
    ...(typeof b.message === "string" ? { message: b.message.slice(0, 300) } : {}),
  };
}
