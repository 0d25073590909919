/**
 * `ci protect`: the generated checks become the default branch's required checks. GitHub: branch
 * protection's required status checks; Gitea: the branch protection's status check contexts;
 * GitLab: the branch protected and "pipelines must succeed" on (GitLab has no per-job required
 * checks; the pipeline the generated .gitlab-ci.yml defines is the check). The change is read and
 * shown first; only what slipway owns is written: checks are added, never removed, and every
 * other setting (reviews, admins, push rules) is left as it is.
 */
import { remoteDefaultBranch } from "../adapters/git.ts";
import type { HostClient } from "../adapters/http/host-api.ts";
import { openProject } from "../adapters/snapshot.ts";
import { HOST_NAMES, type HostKind, type PlannedHost } from "../core/host/remote.ts";
import { mergeRequired, workflowContexts } from "../core/host/statuses.ts";
import { SlipwayError } from "../errors.ts";
import {
  type HostOverrides,
  type HostWait,
  repoPath,
  requireHostClient,
  resolveHost,
} from "./host-client.ts";

type Env = Readonly<Record<string, string | undefined>>;

export interface CiProtectOptions {
  root: string;
  env: Env;
  userAgent: string;
  branch?: string;
  host?: HostOverrides;
  dryRun?: boolean;
  onWait?: (wait: HostWait) => void;
}

export type ProtectChange =
  /** The branch had no protection: one is made with only the required checks (or GitLab's defaults). */
  | { kind: "protect-branch" }
  | { kind: "add-checks"; checks: string[] }
  /** GitLab: merge requests wait for a green pipeline. */
  | { kind: "require-pipeline" };

export interface CiProtectReport {
  host: HostKind;
  repository: string;
  branch: string;
  /** The checks the generated workflow reports (GitLab: none; the pipeline is the check). */
  required: string[];
  /** The required checks before; null when the branch was not protected. */
  before: string[] | null;
  after: string[];
  changes: ProtectChange[];
  applied: boolean;
  /** GitHub: the repository ruleset the checks went to, when one governs the branch. */
  ruleset?: string;
}

const CHECKS_FILE = { github: ".github/workflows/checks.yml", gitea: ".gitea/workflows/checks.yml" } as const;

async function readRequired(root: string, env: Env, kind: HostKind): Promise<string[]> {
  if (kind === "gitlab") return [];
  const path = CHECKS_FILE[kind];
  const text = await openProject(root, { env }).text(path);
  if (text === undefined) {
    throw new SlipwayError("config", `${path} does not exist: there are no generated checks to require`, {
      hint: `run 'slipway ci init --provider ${kind}' and push it first`,
    });
  }
  return workflowContexts(text, path, kind);
}

interface Current {
  before: string[] | null;
  /** GitHub: the app each existing check is bound to, kept when the list is written back. */
  apps: Map<string, number | null>;
  /** GitHub: protection exists but required status checks are off. */
  checksOff?: boolean;
  /** GitLab: pipelines must succeed already. */
  pipelineRequired?: boolean;
  /** GitHub: a repository ruleset's required_status_checks rule governs the branch. */
  ruleset?: { id: number; name: string; rules: Record<string, unknown>[] };
}

/**
 * GitHub: the repository ruleset whose `required_status_checks` rule applies to the branch, when
 * one does (docs.github.com/en/rest/repos/rules: "Get rules for a branch", then "Get a repository
 * ruleset"). Organization rulesets cannot be changed from a repository: they are left alone.
 */
async function readRuleset(
  client: HostClient,
  host: PlannedHost,
  branch: string,
): Promise<Current | undefined> {
  const rules = await client.send({
    method: "GET",
    url: `${repoPath(host)}/rules/branches/${encodeURIComponent(branch)}?per_page=100`,
    what: `read the rules of ${branch}`,
  });
  // An older GitHub Enterprise without rulesets answers 404: branch protection it is.
  if (rules.status !== 200 || !Array.isArray(rules.json)) return undefined;
  const rule = (rules.json as Record<string, unknown>[]).find(
    (r) => r?.["type"] === "required_status_checks" && r["ruleset_source_type"] === "Repository",
  );
  const id = rule?.["ruleset_id"];
  if (typeof id !== "number" || !Number.isSafeInteger(id)) return undefined;
  const request = {
    method: "GET" as const,
    url: `${repoPath(host)}/rulesets/${id}`,
    what: `read the ruleset ${id}`,
  };
  const answer = await client.expect(request, [200]);
  const ruleset = answer.json as { name?: unknown; rules?: unknown } | null;
  if (!Array.isArray(ruleset?.rules)) throw client.refusal(request, answer);
  const own = (ruleset.rules as Record<string, unknown>[]).find(
    (r) => r?.["type"] === "required_status_checks",
  );
  const checks = (own?.["parameters"] as { required_status_checks?: unknown } | undefined)
    ?.required_status_checks;
  const before = Array.isArray(checks)
    ? checks
        .map((c) => (c as { context?: unknown })?.context)
        .filter((c): c is string => typeof c === "string")
    : [];
  return {
    before,
    apps: new Map(),
    ruleset: {
      id,
      name: typeof ruleset.name === "string" ? ruleset.name : String(id),
      rules: ruleset.rules as Record<string, unknown>[],
    },
  };
}

async function readCurrent(client: HostClient, host: PlannedHost, branch: string): Promise<Current> {
  const b = encodeURIComponent(branch);
  const apps = new Map<string, number | null>();
  if (host.kind === "github") {
    const governed = await readRuleset(client, host, branch);
    if (governed !== undefined) return governed;
    const request = {
      method: "GET" as const,
      url: `${repoPath(host)}/branches/${b}/protection`,
      what: `read the protection of ${branch}`,
    };
    const answer = await client.send(request);
    if (answer.status === 404 && /not protected/i.test(answer.body)) return { before: null, apps };
    if (answer.status !== 200) throw client.refusal(request, answer);
    const checks = (
      answer.json as { required_status_checks?: { checks?: unknown; contexts?: unknown } } | null
    )?.required_status_checks;
    if (checks === undefined || checks === null) return { before: [], apps, checksOff: true };
    const list = Array.isArray(checks.checks)
      ? (checks.checks as { context?: unknown; app_id?: unknown }[])
      : [];
    for (const c of list) {
      if (typeof c.context === "string") apps.set(c.context, typeof c.app_id === "number" ? c.app_id : null);
    }
    const contexts = Array.isArray(checks.contexts)
      ? checks.contexts.filter((c) => typeof c === "string")
      : [];
    return { before: [...new Set([...apps.keys(), ...contexts])], apps };
  }
  if (host.kind === "gitea") {
    const request = {
      method: "GET" as const,
      url: `${repoPath(host)}/branch_protections/${b}`,
      what: `read the protection of ${branch}`,
    };
    const answer = await client.expect(request, [200, 404]);
    if (answer.status === 404) return { before: null, apps };
    const p = answer.json as { enable_status_check?: unknown; status_check_contexts?: unknown } | null;
    const contexts = Array.isArray(p?.status_check_contexts)
      ? p.status_check_contexts.filter((c) => typeof c === "string")
      : [];
    return { before: p?.enable_status_check === true ? contexts : [], apps };
  }
  const branchRequest = {
    method: "GET" as const,
    url: `${repoPath(host)}/protected_branches/${b}`,
    what: `read the protection of ${branch}`,
  };
  const protectedAnswer = await client.expect(branchRequest, [200, 404]);
  const project = await client.expect(
    { method: "GET", url: repoPath(host), what: `read the project ${host.repository}` },
    [200],
  );
  const pipelineRequired =
    (project.json as { only_allow_merge_if_pipeline_succeeds?: unknown } | null)
      ?.only_allow_merge_if_pipeline_succeeds === true;
  return { before: protectedAnswer.status === 404 ? null : [], apps, pipelineRequired };
}

/** Reads the branch's protection, shows the change, and (unless dry-run) makes it. */
export async function ciProtect(options: CiProtectOptions): Promise<CiProtectReport> {
  const host = await resolveHost({ root: options.root, env: options.env, overrides: options.host ?? {} });
  const snapshot = openProject(options.root, { env: options.env });
  const config = await snapshot.releaseConfig();
  const branch =
    options.branch ?? config.branch ?? (await remoteDefaultBranch(snapshot.git, config.remote)) ?? "main";
  const required = await readRequired(options.root, options.env, host.kind);
  const client = requireHostClient(host, {
    env: options.env,
    userAgent: options.userAgent,
    ...(options.onWait === undefined ? {} : { onWait: options.onWait }),
  });
  const current = await readCurrent(client, host, branch);
  const { after, added } = mergeRequired(current.before ?? [], required);
  const changes: ProtectChange[] = [];
  if (current.before === null) changes.push({ kind: "protect-branch" });
  if (added.length > 0) changes.push({ kind: "add-checks", checks: added });
  if (host.kind === "gitlab" && current.pipelineRequired !== true) changes.push({ kind: "require-pipeline" });
  if (host.kind === "github" && current.checksOff === true && added.length > 0) {
    throw new SlipwayError(
      "conflict",
      `${branch} on GitHub is protected without required status checks; slipway will not rewrite the rest of its protection`,
      {
        hint: "turn on 'Require status checks to pass' for the branch once (settings → branches), then run again",
      },
    );
  }
  const report: CiProtectReport = {
    host: host.kind,
    repository: host.repository,
    branch,
    required,
    before: current.before,
    after,
    changes,
    applied: false,
    ...(current.ruleset === undefined ? {} : { ruleset: current.ruleset.name }),
  };
  if (options.dryRun || changes.length === 0) return report;
  await apply(client, host, branch, current, after);
  return { ...report, applied: true };
}

async function apply(
  client: HostClient,
  host: PlannedHost,
  branch: string,
  current: Current,
  after: string[],
) {
  const b = encodeURIComponent(branch);
  const what = `protect ${branch} on ${HOST_NAMES[host.kind]}`;
  if (host.kind === "github" && current.ruleset !== undefined) {
    // The ruleset's rules, each as it was, with the checks rule's list grown: nothing else moves.
    const have = new Set(current.before ?? []);
    const rules = current.ruleset.rules.map((rule) => {
      if (rule["type"] !== "required_status_checks") return rule;
      const parameters = (rule["parameters"] ?? {}) as Record<string, unknown>;
      const old = Array.isArray(parameters["required_status_checks"])
        ? parameters["required_status_checks"]
        : [];
      const more = after.filter((c) => !have.has(c)).map((context) => ({ context }));
      return { ...rule, parameters: { ...parameters, required_status_checks: [...old, ...more] } };
    });
    await client.expect(
      {
        method: "PUT",
        url: `${repoPath(host)}/rulesets/${current.ruleset.id}`,
        what: `${what} (ruleset ${current.ruleset.name})`,
        json: { rules },
      },
      [200],
    );
    return;
  }
  if (host.kind === "github") {
    const checks = after.map((context) => {
      const app = current.apps.get(context);
      return app === undefined || app === null ? { context } : { context, app_id: app };
    });
    if (current.before === null) {
      // A new protection: only the required checks; the other three keys are required and null (off).
      await client.expect(
        {
          method: "PUT",
          url: `${repoPath(host)}/branches/${b}/protection`,
          what,
          json: {
            required_status_checks: { strict: false, checks },
            enforce_admins: null,
            required_pull_request_reviews: null,
            restrictions: null,
          },
        },
        [200],
      );
    } else {
      // Only the status checks: PATCH leaves `strict` and every other protection setting as it is.
      await client.expect(
        {
          method: "PATCH",
          url: `${repoPath(host)}/branches/${b}/protection/required_status_checks`,
          what,
          json: { checks },
        },
        [200],
      );
    }
    return;
  }
  if (host.kind === "gitea") {
    const json = { enable_status_check: true, status_check_contexts: after };
    if (current.before === null) {
      await client.expect(
        {
          method: "POST",
          url: `${repoPath(host)}/branch_protections`,
          what,
          json: { rule_name: branch, branch_name: branch, ...json },
        },
        [201],
      );
    } else {
      await client.expect(
        { method: "PATCH", url: `${repoPath(host)}/branch_protections/${b}`, what, json },
        [200],
      );
    }
    return;
  }
  if (current.before === null) {
    await client.expect(
      { method: "POST", url: `${repoPath(host)}/protected_branches?name=${b}`, what },
      [201],
    );
  }
  if (current.pipelineRequired !== true) {
    await client.expect(
      {
        method: "PUT",
        url: repoPath(host),
        what: "require a green pipeline before merging",
        json: { only_allow_merge_if_pipeline_succeeds: true },
      },
      [200],
    );
  }
}
