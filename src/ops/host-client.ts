/**
 * A code host's API client with its token from the environment (GITHUB_TOKEN, GITEA_TOKEN,
 * GITLAB_TOKEN), shared by the host-release step, `ci status` and `ci protect`. The token is a
 * Secret from the moment it is read.
 */

import { headCommit, remoteUrl } from "../adapters/git.ts";
import { type HostClient as Client, HostClient, type HostWait } from "../adapters/http/host-api.ts";
import { openProject } from "../adapters/snapshot.ts";
import {
  checkApiUrl,
  HOST_KINDS,
  HOST_NAMES,
  type HostKind,
  type HostSetting,
  type PlannedHost,
  planHost,
} from "../core/host/remote.ts";
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

/** `--host`, `--api`, `--repository` of `ci status` and `ci protect`, over the project's setting. */
export interface HostOverrides {
  kind?: string;
  api?: string;
  repository?: string;
}

/**
 * The host a `ci` command talks to: the flags, over `[tool.slipway.release] host` and the remote's
 * URL, over what the CI job says about itself (Gitea Actions and GitHub Actions: GITHUB_API_URL and
 * GITHUB_REPOSITORY; GitLab CI: CI_API_V4_URL and CI_PROJECT_PATH). A config error when none.
 */
export async function resolveHost(options: {
  root: string;
  env: Env;
  overrides: HostOverrides;
}): Promise<PlannedHost> {
  const { env, overrides } = options;
  const snapshot = openProject(options.root, { env });
  const config = await snapshot.releaseConfig();
  let setting: HostSetting = config.host ?? { kind: "auto" };
  const fromCi = ciHost(env);
  if (overrides.kind !== undefined) {
    if (overrides.kind !== "none" && !HOST_KINDS.includes(overrides.kind as HostKind)) {
      throw new SlipwayError(
        "usage",
        `unknown host ${JSON.stringify(overrides.kind)}: github, gitea or gitlab`,
        {
          hint: "pass --host github, gitea or gitlab",
        },
      );
    }
    setting = { kind: overrides.kind as HostKind };
  } else if (setting.kind === "auto" && fromCi !== undefined) setting = fromCi;
  if (overrides.api !== undefined) {
    const problem = checkApiUrl(overrides.api);
    if (problem !== undefined)
      throw new SlipwayError("usage", `--api: ${problem}`, { hint: "pass the API root" });
    setting = { ...setting, api: overrides.api };
  } else if (fromCi?.api !== undefined && setting.kind === fromCi.kind && setting.api === undefined) {
    setting = { ...setting, api: fromCi.api };
  }
  if (overrides.repository !== undefined) setting = { ...setting, repository: overrides.repository };
  else if (
    fromCi?.repository !== undefined &&
    setting.kind === fromCi.kind &&
    setting.repository === undefined
  ) {
    setting = { ...setting, repository: fromCi.repository };
  }
  const remote = await remoteUrl(snapshot.git, config.remote);
  const host = planHost(setting, remote);
  if (host === undefined) {
    throw new SlipwayError("config", "no code host: the remote is not a known host and none is configured", {
      hint: "pass --host github|gitea|gitlab (with --api and --repository), or set [tool.slipway.release] host",
    });
  }
  return host;
}

function ciHost(env: Env): HostSetting | undefined {
  const setting = (kind: HostKind, api: string | undefined, repository: string | undefined): HostSetting => ({
    kind,
    ...(api === undefined || checkApiUrl(api) !== undefined ? {} : { api }),
    ...(repository === undefined ? {} : { repository }),
  });
  if (env["GITEA_ACTIONS"] === "true")
    return setting("gitea", env["GITHUB_API_URL"], env["GITHUB_REPOSITORY"]);
  if (env["GITHUB_ACTIONS"] === "true")
    return setting("github", env["GITHUB_API_URL"], env["GITHUB_REPOSITORY"]);
  if (env["GITLAB_CI"] === "true") return setting("gitlab", env["CI_API_V4_URL"], env["CI_PROJECT_PATH"]);
  return undefined;
}

/** The commit a status is for: `--sha`, else the CI job's, else HEAD. */
export async function resolveSha(options: {
  root: string;
  env: Env;
  sha: string | undefined;
}): Promise<string> {
  const sha = options.sha ?? options.env["GITHUB_SHA"] ?? options.env["CI_COMMIT_SHA"];
  if (sha !== undefined) return sha;
  const head = await headCommit({ dir: options.root, env: options.env });
  if (head === undefined) {
    throw new SlipwayError("usage", "no commit: the project has no HEAD", { hint: "pass --sha" });
  }
  return head;
}
