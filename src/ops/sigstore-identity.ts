/**
 * The OIDC token a CI job signs PEP 740 attestations with (audience `sigstore`), from wherever
 * this CI keeps it. Apart from ops/attest.ts so the release preflight can prove the identity
 * without loading Sigstore's verifier.
 */
import { githubOidcToken, googleOidcToken, type OidcHttp } from "../adapters/http/oidc.ts";
import { SlipwayError } from "../errors.ts";
import { Secret } from "../secret.ts";
import type { OidcProvider } from "./publish-trusted.ts";

export type Env = Readonly<Record<string, string | undefined>>;

/** The identity token a job signs with: audience `sigstore`, from wherever this CI keeps it. */
export async function sigstoreIdentityToken(
  env: Env,
  custom: OidcProvider | undefined,
  http: OidcHttp,
): Promise<Secret> {
  if (custom !== undefined) {
    const value = await custom("sigstore");
    return value instanceof Secret ? value : new Secret(value);
  }
  if (env.SIGSTORE_ID_TOKEN) return new Secret(env.SIGSTORE_ID_TOKEN);
  if (env.GITHUB_ACTIONS === "true") {
    const url = env.ACTIONS_ID_TOKEN_REQUEST_URL;
    const bearer = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
    if (!url || !bearer) {
      throw new SlipwayError("config", "GitHub gives this job no OIDC token to sign attestations with", {
        hint:
          env.GITHUB_EVENT_NAME === "pull_request"
            ? "pull requests from forks never get an OIDC token; attest in a push, tag or release job"
            : "give the job `permissions: id-token: write`",
      });
    }
    return githubOidcToken(url, new Secret(bearer), "sigstore", http);
  }
  if (env.GITLAB_CI === "true") {
    throw new SlipwayError("config", "GitLab CI gave this job no SIGSTORE_ID_TOKEN", {
      hint: 'declare it in the job: id_tokens: { SIGSTORE_ID_TOKEN: { aud: "sigstore" } }',
    });
  }
  if (env.GCE_METADATA_HOST || env.K_SERVICE || env.CLOUD_RUN_JOB) {
    return googleOidcToken(`http://${env.GCE_METADATA_HOST || "metadata"}/`, "sigstore", http);
  }
  throw new SlipwayError("config", "no OIDC identity to sign attestations with", {
    hint: "attest in CI (GitHub Actions with `id-token: write`, GitLab CI with a SIGSTORE_ID_TOKEN id_token, Google Cloud), or set SIGSTORE_ID_TOKEN",
  });
}
