/**
 * `ci status`: one commit status on GitHub, Gitea or GitLab, for the commit the job runs on, with
 * the host and token resolved as the other host commands do (ops/host-client.ts).
 */

import type { HostKind } from "../core/host/remote.ts";
import {
  type CommitStatus,
  checkCommitStatus,
  type StatusState,
  statusRequest,
} from "../core/host/statuses.ts";
import {
  type HostOverrides,
  type HostWait,
  requireHostClient,
  resolveHost,
  resolveSha,
} from "./host-client.ts";

type Env = Readonly<Record<string, string | undefined>>;

export interface CiStatusOptions {
  root: string;
  env: Env;
  userAgent: string;
  state: StatusState;
  context: string;
  description?: string;
  targetUrl?: string;
  sha?: string;
  host?: HostOverrides;
  /** Show what would be posted; post nothing. */
  dryRun?: boolean;
  onWait?: (wait: HostWait) => void;
}

export interface CiStatusReport {
  host: HostKind;
  repository: string;
  status: CommitStatus;
  posted: boolean;
}

/** Posts the status (unless `dryRun`); a refusal is a SlipwayError saying what to fix. */
export async function ciStatus(options: CiStatusOptions): Promise<CiStatusReport> {
  const host = await resolveHost({ root: options.root, env: options.env, overrides: options.host ?? {} });
  const status = checkCommitStatus({
    sha: await resolveSha({ root: options.root, env: options.env, sha: options.sha }),
    state: options.state,
    context: options.context,
    ...(options.description === undefined ? {} : { description: options.description }),
    ...(options.targetUrl === undefined ? {} : { targetUrl: options.targetUrl }),
  });
  const request = statusRequest(host, status);
  const report = { host: host.kind, repository: host.repository, status, posted: false };
  if (options.dryRun) return report;
  const client = requireHostClient(host, {
    env: options.env,
    userAgent: options.userAgent,
    ...(options.onWait === undefined ? {} : { onWait: options.onWait }),
  });
  await client.expect(request, [200, 201]);
  return { ...report, posted: true };
}
