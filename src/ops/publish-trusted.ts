/**
 * Trusted publishing for `publish`: find the CI's OIDC token (GitHub Actions, GitLab CI, Google
 * Cloud, or the library's own provider), trade it at the index for a short-lived upload token,
 * and trade again with a fresh OIDC token whenever that one is about to expire. The upload token
 * is a Secret from the moment it arrives and is handed to `mask` (GitHub's `::add-mask::`)
 * before anything else can see it.
 */
import {
  fetchAudience,
  githubOidcToken,
  googleOidcToken,
  type OidcHttp,
  postMint,
} from "../adapters/http/oidc.ts";
import { type Credentials, TOKEN_USERNAME } from "../core/upload/credentials.ts";
import {
  decodeClaims,
  explainClaims,
  isTestPypi,
  mintErrorHint,
  oidcRoot,
  parseMintAnswer,
} from "../core/upload/oidc/claims.ts";
import { SlipwayError } from "../errors.ts";
import { Secret } from "../secret.ts";

export type TrustedPublishingMode = "auto" | "always" | "never";

/** A custom OIDC token source: given the index's audience, a token (a JWT). */
export type OidcProvider = (audience: string) => Promise<string | Secret>;

export interface TrustedPublishingOptions {
  /** Default "auto": only when no credential is configured and a provider is found. */
  trustedPublishing?: TrustedPublishingMode;
  /** Used before any ambient provider. */
  oidcProvider?: OidcProvider;
  /** Called with each minted upload token as it arrives, before anything else (GitHub masking). */
  maskToken?: (token: Secret) => void;
}

/** A minted token counts as expired this long before its `expires`. */
export const REFRESH_MARGIN_MS = 60_000;
const DEFAULT_LIFETIME_MS = 15 * 60_000;

interface Provider {
  name: "github" | "gitlab" | "google" | "custom";
  token(audience: string): Promise<Secret>;
}

type Env = Readonly<Record<string, string | undefined>>;

const PERMISSION_HINT =
  "give the job `permissions: id-token: write` (in the workflow, or for this job), or publish with an API token";

/** The OIDC provider of this environment; undefined when none; throws when one is half there. */
export function detectProvider(
  env: Env,
  uploadUrl: string,
  custom: OidcProvider | undefined,
  http: OidcHttp,
): Provider | undefined {
  if (custom !== undefined) {
    return {
      name: "custom",
      token: async (audience) => {
        const value = await custom(audience);
        return value instanceof Secret ? value : new Secret(value);
      },
    };
  }
  if (env.GITHUB_ACTIONS === "true") {
    const url = env.ACTIONS_ID_TOKEN_REQUEST_URL;
    const bearer = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
    if (!url || !bearer) {
      if (env.GITHUB_EVENT_NAME === "pull_request") {
        throw new SlipwayError("config", "GitHub gives no OIDC token to this job: a pull_request event", {
          hint: "pull requests from forks never get an OIDC token (nor secrets); publish from a push, a tag or a release event instead — or, if this is no fork, add `permissions: id-token: write`",
        });
      }
      throw new SlipwayError(
        "config",
        "GitHub gives no OIDC token to this job (ACTIONS_ID_TOKEN_REQUEST_URL is not set)",
        {
          hint: PERMISSION_HINT,
        },
      );
    }
    const requestToken = new Secret(bearer);
    return { name: "github", token: (audience) => githubOidcToken(url, requestToken, audience, http) };
  }
  if (env.GITLAB_CI === "true") {
    const variable = isTestPypi(uploadUrl) ? "TESTPYPI_ID_TOKEN" : "PYPI_ID_TOKEN";
    return {
      name: "gitlab",
      token: async (audience) => {
        const value = env[variable];
        if (!value) {
          throw new SlipwayError("config", `GitLab CI gave this job no ${variable}`, {
            hint: `declare it in the job: id_tokens: { ${variable}: { aud: "${audience}" } }`,
          });
        }
        return new Secret(value);
      },
    };
  }
  if (env.GCE_METADATA_HOST || env.K_SERVICE || env.CLOUD_RUN_JOB) {
    const base = `http://${env.GCE_METADATA_HOST || "metadata"}/`;
    return { name: "google", token: (audience) => googleOidcToken(base, audience, http) };
  }
  return undefined;
}

/**
 * Whether `publish` will try trusted publishing (for the release preflight, which mints
 * nothing): the mode allows it, no password is configured, and a provider is at hand.
 */
export function trustedPublishingApplies(
  options: TrustedPublishingOptions & { env: Env },
  credentials: Pick<Credentials, "password">,
): boolean {
  const mode = options.trustedPublishing ?? "auto";
  if (mode === "never" || credentials.password !== undefined) return false;
  if (mode === "always" || options.oidcProvider !== undefined) return true;
  const env = options.env;
  return (
    env.GITHUB_ACTIONS === "true" ||
    env.GITLAB_CI === "true" ||
    Boolean(env.GCE_METADATA_HOST || env.K_SERVICE || env.CLOUD_RUN_JOB)
  );
}

export interface TrustedSession {
  provider: Provider["name"];
  /** Mints again when the current token expires within REFRESH_MARGIN_MS; one mint at a time. */
  ensureFresh(): Promise<void>;
  /** How many tokens were minted. */
  mints(): number;
}

/**
 * Starts trusted publishing when the mode and environment call for it: mints the first token
 * into `credentials` (username `__token__`). Undefined when not used.
 */
export async function startTrustedPublishing(
  options: TrustedPublishingOptions & { env: Env },
  uploadUrl: string,
  credentials: Credentials,
  http: OidcHttp,
  now: () => number = Date.now,
): Promise<TrustedSession | undefined> {
  const mode = options.trustedPublishing ?? "auto";
  if (mode === "never") return undefined;
  if (credentials.password !== undefined) {
    if (mode === "always") {
      throw new SlipwayError(
        "usage",
        "--trusted-publishing always, but a password or token is configured too",
        {
          hint: "drop the password (--password-stdin, TWINE_PASSWORD, .pypirc) or use --trusted-publishing auto",
        },
      );
    }
    return undefined;
  }
  const root = oidcRoot(uploadUrl);
  // On PyPI and TestPyPI nothing works without a credential, so a half-present provider is an
  // error even in auto mode; elsewhere (an index that takes anonymous uploads) auto steps aside.
  const strict = mode === "always" || root === "https://pypi.org/" || root === "https://test.pypi.org/";
  const optional = async <T>(step: () => T | Promise<T>): Promise<T | undefined> => {
    try {
      return await step();
    } catch (error) {
      if (strict) throw error;
      return undefined;
    }
  };
  const provider =
    root === undefined
      ? undefined
      : await optional(() => detectProvider(options.env, uploadUrl, options.oidcProvider, http));
  if (provider === undefined || root === undefined) {
    if (mode === "always") {
      throw new SlipwayError("config", "--trusted-publishing always, but no OIDC token provider was found", {
        hint: "run in GitHub Actions (with `id-token: write`), GitLab CI (with id_tokens), Google Cloud, or pass oidcProvider in the library",
      });
    }
    return undefined;
  }
  const audience = await optional(() => fetchAudience(root, http));
  if (audience === undefined) return undefined;
  const first = await optional(() => provider.token(audience));
  if (first === undefined) return undefined;
  let expiresAt = 0;
  let count = 0;
  const mint = async (given?: Secret) => {
    const oidc = given ?? (await provider.token(audience));
    const answer = await postMint(root, oidc, http);
    const parsed = parseMintAnswer(answer.text);
    if (parsed?.ok === true && answer.status === 200) {
      const token = new Secret(parsed.token);
      options.maskToken?.(token);
      count++;
      credentials.username = TOKEN_USERNAME;
      credentials.password = token;
      expiresAt = parsed.expires === undefined ? now() + DEFAULT_LIFETIME_MS : parsed.expires * 1000;
      return;
    }
    const errors = parsed?.ok === false ? parsed.errors : [];
    const codes = errors.map((e) => e.code);
    const lines = errors.map(
      (e) => `${e.code}: ${mintErrorHint(e.code)}${e.description ? ` (index: ${e.description})` : ""}`,
    );
    throw new SlipwayError(
      "config",
      `the index refused to mint an upload token (${answer.status}${codes.length ? `: ${codes.join(", ")}` : ""})`,
      { hint: [...lines, explainClaims(decodeClaims(oidc.reveal()))].join("\n") },
    );
  };
  await mint(first);
  let pending: Promise<void> | undefined;
  return {
    provider: provider.name,
    mints: () => count,
    ensureFresh: () => {
      if (expiresAt - now() > REFRESH_MARGIN_MS) return Promise.resolve();
      pending ??= mint().finally(() => {
        pending = undefined;
      });
      return pending;
    },
  };
}

/**
 * The release preflight's proof that trusted publishing will work, before anything changes: a
 * provider is there, the index serves its audience, and (except on GitLab, whose one ID token
 * mints once: the publish step mints with it) a token is minted and dropped, so a publisher
 * configured wrongly is reported with the token's claims now rather than after the tag. Throws
 * the error `publish` would throw.
 */
export async function proveTrustedPublishing(
  options: TrustedPublishingOptions & { env: Env },
  uploadUrl: string,
  http: OidcHttp,
): Promise<void> {
  const root = oidcRoot(uploadUrl);
  if (root === undefined) return;
  const provider = detectProvider(options.env, uploadUrl, options.oidcProvider, http);
  if (provider?.name === "gitlab") {
    await provider.token(await fetchAudience(root, http));
    return;
  }
  const credentials: Credentials = { username: TOKEN_USERNAME, usernameFrom: "default" };
  await startTrustedPublishing({ ...options, trustedPublishing: "always" }, uploadUrl, credentials, http);
}
