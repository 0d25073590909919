/**
 * Which configured publishers a verified token's claims name, as PyPI matches them
 * (warehouse oidc/models/github.py, gitlab.py): GitHub by `repository`, the workflow file in
 * `job_workflow_ref` (`owner/repo/.github/workflows/release.yml@refs/…`) and `environment`;
 * GitLab by `project_path`, the CI file in `ci_config_ref_uri`
 * (`gitlab.com/group/project//.gitlab-ci.yml@refs/…`) and `environment`.
 */
import type { Publisher as AttestationIdentity } from "../../core/attest/identity.ts";
import type { Publisher, PublisherKind } from "./config.ts";

type Claims = Record<string, unknown>;
const text = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** `release.yml` from `owner/repo/.github/workflows/release.yml@refs/heads/main`. */
function githubWorkflowFile(claims: Claims): string | undefined {
  const ref = text(claims.job_workflow_ref);
  const repository = text(claims.repository);
  if (ref === undefined || repository === undefined) return undefined;
  const prefix = `${repository}/.github/workflows/`;
  if (!ref.toLowerCase().startsWith(prefix.toLowerCase())) return undefined;
  const at = ref.indexOf("@", prefix.length);
  const file = ref.slice(prefix.length, at < 0 ? undefined : at);
  return file === "" || file.includes("/") ? undefined : file;
}

/** `.gitlab-ci.yml` from `gitlab.com/group/project//.gitlab-ci.yml@refs/heads/main`. */
function gitlabCiFile(claims: Claims): string | undefined {
  const uri = text(claims.ci_config_ref_uri);
  const path = text(claims.project_path);
  if (uri === undefined || path === undefined) return undefined;
  const marker = `/${path}//`;
  const start = uri.toLowerCase().indexOf(marker.toLowerCase());
  if (start < 0) return undefined;
  const rest = uri.slice(start + marker.length);
  const at = rest.lastIndexOf("@");
  const file = at < 0 ? rest : rest.slice(0, at);
  return file === "" ? undefined : file;
}

function environmentMatches(publisher: Publisher, claims: Claims): boolean {
  if (publisher.environment === undefined) return true;
  const env = text(claims.environment);
  // PyPI compares GitHub environments case-insensitively; GitLab's exactly.
  return publisher.kind === "github"
    ? env?.toLowerCase() === publisher.environment.toLowerCase()
    : env === publisher.environment;
}

/** One publisher against the claims: undefined when it matches, else what differed. */
export function publisherMismatch(publisher: Publisher, claims: Claims): string | undefined {
  if (publisher.kind === "github") {
    const repo = text(claims.repository);
    if (repo?.toLowerCase() !== publisher.repository.toLowerCase()) return "repository";
    const file = githubWorkflowFile(claims);
    if (file !== publisher.workflow) return "workflow (job_workflow_ref)";
  } else {
    if (text(claims.project_path) !== publisher.projectPath) return "project_path";
    if (gitlabCiFile(claims) !== publisher.ciConfigPath) return "CI config file (ci_config_ref_uri)";
  }
  return environmentMatches(publisher, claims) ? undefined : "environment";
}

export type MatchResult =
  | { ok: true; projects: string[]; publishers: Publisher[] }
  | { ok: false; description: string };

/**
 * The identity a publisher's attestations must be signed by, as PyPI's `attestation_identity`
 * (pypi-attestations' GitHubPublisher / GitLabPublisher): the configured repository or project,
 * workflow or CI file, and environment.
 */
export function attestationIdentity(publisher: Publisher): AttestationIdentity {
  const env = publisher.environment === undefined ? {} : { environment: publisher.environment };
  return publisher.kind === "github"
    ? { kind: "GitHub", repository: publisher.repository, workflow: publisher.workflow, ...env }
    : {
        kind: "GitLab",
        repository: publisher.projectPath,
        workflowFilepath: publisher.ciConfigPath,
        ...env,
      };
}

/**
 * The projects the token may publish: the union over every matching publisher of `kind`, and
 * those publishers (each upload is attributed to the one that owns its project).
 */
export function matchPublishers(
  kind: PublisherKind,
  publishers: readonly Publisher[],
  claims: Claims,
): MatchResult {
  const projects = new Set<string>();
  const matched: Publisher[] = [];
  const misses: string[] = [];
  for (const publisher of publishers) {
    if (publisher.kind !== kind) continue;
    const miss = publisherMismatch(publisher, claims);
    if (miss === undefined) {
      matched.push(publisher);
      for (const p of publisher.projects) projects.add(p);
    } else misses.push(miss);
  }
  if (projects.size > 0) return { ok: true, projects: [...projects].sort(), publishers: matched };
  const detail =
    misses.length === 0
      ? `no ${kind} publisher is configured`
      : `mismatched ${[...new Set(misses)].join(", ")}`;
  return { ok: false, description: `valid token, but no corresponding publisher (${detail})` };
}
