/**
 * Commit statuses and required checks as request shapes, pure.
 *
 * Statuses: GitHub `POST /repos/{o}/{r}/statuses/{sha}` `{state, context, description,
 * target_url}` (docs.github.com/en/rest/commits/statuses); Gitea the same path under /api/v1
 * (CreateStatusOption); GitLab `POST /projects/:id/statuses/:sha` with `name` and its own states
 * (docs.gitlab.com/api/commits, "Set the pipeline status of a commit").
 *
 * Required checks: the contexts the generated checks workflow reports (src/core/ci), read from
 * the workflow file as it is in the repository: a job's `name` (else its id), and one context per
 * value of a one-key matrix (`test (3.12)`), as GitHub names check runs; jobs with an `if:` are
 * left out (they do not run on every pull request). Gitea's status context is
 * `<workflow> / <job> (<event>)`.
 */
import { parse as parseYaml } from "yaml";
import { SlipwayError } from "../../errors.ts";
import type { PlannedHost } from "./remote.ts";

/** GitHub's four; `warning` is Gitea's alone (CreateStatusOption). */
export type StatusState = "pending" | "success" | "failure" | "error" | "warning";
export const STATUS_STATES: readonly StatusState[] = ["pending", "success", "failure", "error", "warning"];

export interface CommitStatus {
  sha: string;
  state: StatusState;
  context: string;
  description?: string;
  targetUrl?: string;
}

/** GitHub refuses longer descriptions (422); the hosts show one line anyway. */
export const MAX_DESCRIPTION = 140;
const MAX_CONTEXT = 255;

function usage(message: string, hint: string): SlipwayError {
  return new SlipwayError("usage", message, { hint });
}

/** The status checked: a full sha, a context without control characters, a short description, an http(s) URL. */
export function checkCommitStatus(status: CommitStatus): CommitStatus {
  if (!/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(status.sha)) {
    throw usage(
      `${JSON.stringify(status.sha)} is not a full commit id`,
      "pass --sha with the 40-hex commit id",
    );
  }
  if (
    status.context.trim() === "" ||
    status.context.length > MAX_CONTEXT ||
    /[\u0000-\u001f\u007f]/.test(status.context)
  ) {
    throw usage("--context must be one line of at most 255 characters", "e.g. --context slipway/release");
  }
  const checked: CommitStatus = { sha: status.sha, state: status.state, context: status.context };
  if (status.description !== undefined) {
    const line = status.description.replace(/\s+/g, " ").trim();
    checked.description = line.length > MAX_DESCRIPTION ? `${line.slice(0, MAX_DESCRIPTION - 1)}…` : line;
  }
  if (status.targetUrl !== undefined) {
    let ok = false;
    try {
      const url = new URL(status.targetUrl);
      ok =
        (url.protocol === "https:" || url.protocol === "http:") && url.username === "" && url.password === "";
    } catch {
      ok = false;
    }
    if (!ok)
      throw usage(
        `--target-url ${JSON.stringify(status.targetUrl)} is not an http(s) URL`,
        "pass the run's URL",
      );
    checked.targetUrl = status.targetUrl;
  }
  return checked;
}

const GITLAB_STATE: Readonly<Record<StatusState, string>> = {
  pending: "pending",
  success: "success",
  failure: "failed",
  error: "failed",
  warning: "failed",
};

/** The request that posts the status on the host; `warning` only on Gitea (a usage error elsewhere). */
export function statusRequest(host: PlannedHost, status: CommitStatus) {
  if (status.state === "warning" && host.kind !== "gitea") {
    throw usage("--state warning is Gitea's only", "use failure or error on GitHub and GitLab");
  }
  const what = `post the status ${status.context}=${status.state} on ${status.sha.slice(0, 12)}`;
  if (host.kind === "gitlab") {
    return {
      method: "POST" as const,
      url: `projects/${encodeURIComponent(host.repository)}/statuses/${status.sha}`,
      what,
      json: {
        state: GITLAB_STATE[status.state],
        name: status.context,
        ...(status.description === undefined ? {} : { description: status.description }),
        ...(status.targetUrl === undefined ? {} : { target_url: status.targetUrl }),
      },
    };
  }
  return {
    method: "POST" as const,
    url: `repos/${host.repository}/statuses/${status.sha}`,
    what,
    json: {
      state: status.state,
      context: status.context,
      ...(status.description === undefined ? {} : { description: status.description }),
      ...(status.targetUrl === undefined ? {} : { target_url: status.targetUrl }),
    },
  };
}

/**
 * The check contexts a checks workflow (its YAML text) reports: per job, `name` or id, times each
 * value of a one-key matrix. `gitea`: prefixed by the workflow's name and suffixed by the event,
 * as Gitea names statuses. A malformed file is a config error naming `path`.
 */
export function workflowContexts(text: string, path: string, flavor: "github" | "gitea"): string[] {
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 100 });
  } catch (error) {
    throw new SlipwayError(
      "config",
      `${path} is not valid YAML: ${(error as Error).message.split("\n")[0]}`,
      {
        hint: "run 'slipway ci init' to write it again",
      },
    );
  }
  const root = doc as { name?: unknown; jobs?: unknown } | null;
  const jobs = root?.jobs;
  if (typeof jobs !== "object" || jobs === null || Array.isArray(jobs)) {
    throw new SlipwayError("config", `${path} has no jobs`, {
      hint: "run 'slipway ci init' to write it again",
    });
  }
  const workflow =
    typeof root?.name === "string" ? root.name : path.replace(/^.*\//, "").replace(/\.ya?ml$/, "");
  const contexts: string[] = [];
  for (const [id, raw] of Object.entries(jobs as Record<string, unknown>)) {
    const job = (raw ?? {}) as { name?: unknown; if?: unknown; strategy?: { matrix?: unknown } };
    // A conditional job (badges: only after a push to the default branch) never reports on a
    // pull request; requiring it would block every merge.
    if (job.if !== undefined) continue;
    const name = typeof job.name === "string" && !job.name.includes("${{") ? job.name : id;
    const matrix = job.strategy?.matrix;
    const entries =
      typeof matrix === "object" && matrix !== null && !Array.isArray(matrix) ? Object.entries(matrix) : [];
    const values =
      entries.length === 1 && Array.isArray(entries[0]![1]) ? (entries[0]![1] as unknown[]) : undefined;
    const names = values === undefined ? [name] : values.map((v) => `${name} (${String(v)})`);
    for (const n of names) contexts.push(flavor === "gitea" ? `${workflow} / ${n} (pull_request)` : n);
  }
  return contexts;
}

/** The required checks after the change: what is there, then ours that were missing. Nothing is removed. */
export function mergeRequired(
  existing: readonly string[],
  ours: readonly string[],
): { after: string[]; added: string[] } {
  const have = new Set(existing);
  const added = ours.filter((c) => !have.has(c));
  return { after: [...existing, ...added], added };
}
