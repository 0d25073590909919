/**
 * A code host's API client with its token from the environment (GITHUB_TOKEN, GITEA_TOKEN,
 * GITLAB_TOKEN), shared by the host-release step, `ci status` and `ci protect`. The token is a
 * Secret from the moment it is read.
 */
import { type HostClient as Client, HostClient, type HostWait } from "../adapters/http/host-api.ts";
import { HOST_NAMES, type PlannedHost } from "../core/host/remote.ts";
import { SlipwayError } from "../errors.ts";
import { Secret } from "../secret.ts";

type Env = Readonly<Record<string, string | undefined>>;

export type { Client as HostApi, HostWait };

/** The client, or undefined when the token's variable is unset or empty. */
export function openHostClient(
  host: PlannedHost,
  options: { env: Env; userAgent: string; onWait?: (wait: HostWait) => void; maxWaitMs?: number },
): HostClient | undefined {
  const token = options.env[host.tokenEnv];
  if (token === undefined || token.trim() === "") return undefined;
  return new HostClient({
    kind: host.kind,
    apiUrl: host.apiUrl,
    token: new Secret(token.trim()),
    tokenEnv: host.tokenEnv,
    userAgent: options.userAgent,
    ...(options.onWait === undefined ? {} : { onWait: options.onWait }),
    ...(options.maxWaitMs === undefined ? {} : { maxWaitMs: options.maxWaitMs }),
  });
}

/** Like `openHostClient`, for a command that cannot go on without the token: a config error names the variable. */
export function requireHostClient(
  host: PlannedHost,
  options: { env: Env; userAgent: string; onWait?: (wait: HostWait) => void },
): HostClient {
  const client = openHostClient(host, options);
  if (client === undefined) {
    throw new SlipwayError("config", `${host.tokenEnv} is not set: ${HOST_NAMES[host.kind]} needs a token`, {
      hint: `export ${host.tokenEnv}=… (in CI: the job's token or a secret)`,
    });
  }
  return client;
}

/** The repository's API path: `repos/o/r` (GitHub, Gitea) or `projects/<id>` (GitLab). */
export function repoPath(host: PlannedHost): string {
  return host.kind === "gitlab"
    ? `projects/${encodeURIComponent(host.repository)}`
    : `repos/${host.repository}`;
}

/**
 * Reads the repository with the token: a refusal (401, 403, 404) becomes the SlipwayError that
 * says what to fix, before anything is changed. GitHub and Gitea also say whether the token may
 * push; one that may not is refused here.
 */
export async function checkRepositoryAccess(client: HostClient, host: PlannedHost): Promise<void> {
  const request = {
    method: "GET" as const,
    url: repoPath(host),
    what: `read the repository ${host.repository}`,
  };
  const answer = await client.expect(request, [200]);
  const permissions = (answer.json as { permissions?: { push?: unknown } } | null)?.permissions;
  if (host.kind !== "gitlab" && permissions?.push === false) {
    throw new SlipwayError(
      "config",
      `the token in ${host.tokenEnv} cannot write to ${host.repository} on ${HOST_NAMES[host.kind]}`,
      { hint: "use a token with write access to the repository's contents" },
    );
  }
}
