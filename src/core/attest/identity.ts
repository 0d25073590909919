/**
 * Who may have signed an attestation: a trusted publisher (the GitHub repository and workflow
 * file, the GitLab project and CI file, the Google service account), checked against the Fulcio
 * certificate's claims as PyPI checks them (pypi-attestations' publisher policies, from Fulcio's
 * docs/oid-info.md): the OIDC issuer, the source repository URI, and the build config URI
 * `…/<workflow>@<sha or ref>`.
 */
import { fail, ok, type Parsed } from "../result.ts";

export type Publisher =
  | { kind: "GitHub"; repository: string; workflow: string; environment?: string }
  | { kind: "GitLab"; repository: string; workflowFilepath: string; environment?: string }
  | { kind: "Google"; email: string };

/** The OIDC issuer each kind of publisher's tokens come from. */
export const DEFAULT_ISSUERS: Readonly<Record<Publisher["kind"], string>> = {
  GitHub: "https://token.actions.githubusercontent.com",
  GitLab: "https://gitlab.com",
  Google: "https://accounts.google.com",
};

/** Fulcio's certificate extensions (1.3.6.1.4.1.57264.1.*), by what they mean. */
export const FULCIO_OIDS = {
  issuer: "1.3.6.1.4.1.57264.1.8",
  buildSignerUri: "1.3.6.1.4.1.57264.1.9",
  sourceRepositoryUri: "1.3.6.1.4.1.57264.1.12",
  sourceRepositoryDigest: "1.3.6.1.4.1.57264.1.13",
  sourceRepositoryRef: "1.3.6.1.4.1.57264.1.14",
  buildConfigUri: "1.3.6.1.4.1.57264.1.18",
  buildTrigger: "1.3.6.1.4.1.57264.1.20",
  runInvocationUri: "1.3.6.1.4.1.57264.1.21",
} as const;
export type ClaimName = keyof typeof FULCIO_OIDS;

/** What a Fulcio certificate says about its signer (absent claims are absent). */
export interface SignerClaims {
  /** The certificate's subject alternative name (a URI or an email). */
  san?: string;
  claims: Partial<Record<ClaimName, string>>;
}

/** One line naming a publisher, as people write it. */
export function describePublisher(publisher: Publisher): string {
  switch (publisher.kind) {
    case "GitHub":
      return `GitHub ${publisher.repository} .github/workflows/${publisher.workflow}`;
    case "GitLab":
      return `GitLab ${publisher.repository} ${publisher.workflowFilepath}`;
    case "Google":
      return `Google ${publisher.email}`;
  }
}

/** One line naming the signer a certificate shows (for reports beside what was expected). */
export function describeSigner(signer: SignerClaims): string {
  const c = signer.claims;
  const parts = [
    c.buildConfigUri ?? signer.san ?? "no identity",
    c.issuer === undefined ? undefined : `issuer ${c.issuer}`,
  ];
  return parts.filter((p) => p !== undefined).join(", ");
}

/**
 * Whether the certificate's claims are this publisher's; the reason when they are not.
 * `issuer` overrides the kind's usual issuer (GitHub Enterprise, a test issuer). Repository
 * names compare without case (GitHub's and GitLab's paths are case-insensitive).
 */
export function matchPublisher(
  publisher: Publisher,
  signer: SignerClaims,
  issuer: string = DEFAULT_ISSUERS[publisher.kind],
): Parsed<true> {
  const c = signer.claims;
  if (c.issuer !== issuer)
    return fail(`signed with a token from ${c.issuer ?? "an unnamed issuer"}, not ${issuer}`);
  if (publisher.kind === "Google") {
    return signer.san === publisher.email
      ? ok(true)
      : fail(`signed by ${signer.san ?? "no identity"}, not ${publisher.email}`);
  }
  const host = publisher.kind === "GitHub" ? "https://github.com" : "https://gitlab.com";
  const repoUri = `${host}/${publisher.repository}`;
  if (c.sourceRepositoryUri === undefined || c.sourceRepositoryUri.toLowerCase() !== repoUri.toLowerCase())
    return fail(`signed in ${c.sourceRepositoryUri ?? "an unnamed repository"}, not ${repoUri}`);
  const workflowPath =
    publisher.kind === "GitHub"
      ? `/.github/workflows/${publisher.workflow}`
      : `//${publisher.workflowFilepath}`;
  const suffixes = [c.sourceRepositoryDigest, c.sourceRepositoryRef].filter(
    (s): s is string => s !== undefined,
  );
  if (suffixes.length === 0) return fail("the certificate names neither the commit nor the ref");
  const config = c.buildConfigUri;
  const matches = suffixes.some(
    (suffix) =>
      config !== undefined && config.toLowerCase() === `${repoUri}${workflowPath}@${suffix}`.toLowerCase(),
  );
  if (!matches)
    return fail(`signed by the workflow ${config ?? "(none named)"}, not ${repoUri}${workflowPath}`);
  return ok(true);
}

/**
 * The publisher an OIDC token's claims stand for (the sigstore-audience token a job signs
 * with): GitHub's `repository` and the file of `workflow_ref`, GitLab's `project_path` and the
 * file of `ci_config_ref_uri`, or Google's `email`. Undefined when the claims say none of these.
 */
export function publisherFromClaims(claims: Readonly<Record<string, unknown>>): Publisher | undefined {
  const str = (key: string) => (typeof claims[key] === "string" ? (claims[key] as string) : undefined);
  const workflowRef = str("workflow_ref");
  const repository = str("repository");
  if (repository !== undefined && workflowRef !== undefined) {
    const match = /^[^@]*\/\.github\/workflows\/([^@]+)@/.exec(workflowRef);
    if (match?.[1] !== undefined) return { kind: "GitHub", repository, workflow: match[1] };
  }
  const projectPath = str("project_path");
  const ciConfig = str("ci_config_ref_uri");
  if (projectPath !== undefined && ciConfig !== undefined) {
    const match = /^[^/]+\/.+?\/\/(.+)@[^@]+$/.exec(ciConfig);
    if (match?.[1] !== undefined)
      return { kind: "GitLab", repository: projectPath, workflowFilepath: match[1] };
  }
  const email = str("email");
  if (email !== undefined && claims.email_verified === true) return { kind: "Google", email };
  return undefined;
}
