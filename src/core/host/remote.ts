/**
 * Which code host a project lives on, and where its API is: from `[tool.slipway.release] host`
 * and the git remote's URL. Pure: the URL and the setting come in as text.
 *
 *     [tool.slipway.release]
 *     host = "github"                       # "auto" (default), "github", "gitea", "gitlab", "none"
 *     host = { kind = "gitea", api = "https://git.example.org/api/v1", repository = "team/pkg" }
 */
import { SlipwayError } from "../../errors.ts";
import { get, isTable, type TomlTable, tomlType } from "../pyproject/access.ts";
import { checked, literal, matching, record, type Shape } from "../stored-shape.ts";

export type HostKind = "github" | "gitea" | "gitlab";
export const HOST_KINDS: readonly HostKind[] = ["github", "gitea", "gitlab"];

/** The setting as written: a kind (or auto/none), and overrides of what the remote URL implies. */
export interface HostSetting {
  kind: HostKind | "auto" | "none";
  /** The API root (`https://api.github.com`, `https://ghe.example/api/v3`, `…/api/v1`, `…/api/v4`). */
  api?: string;
  /** `owner/name` (GitLab: `group/subgroup/name`), when the remote URL does not say it. */
  repository?: string;
}

/** A host the release talks to: decided once, stored in the plan. */
export interface PlannedHost {
  kind: HostKind;
  /** The API root, without a trailing slash. */
  apiUrl: string;
  /** `owner/name`, or GitLab's full project path. */
  repository: string;
  /** The environment variable the token comes from. */
  tokenEnv: "GITHUB_TOKEN" | "GITEA_TOKEN" | "GITLAB_TOKEN";
}

export const TOKEN_ENV: Readonly<Record<HostKind, PlannedHost["tokenEnv"]>> = {
  github: "GITHUB_TOKEN",
  gitea: "GITEA_TOKEN",
  gitlab: "GITLAB_TOKEN",
};

export const HOST_NAMES: Readonly<Record<HostKind, string>> = {
  github: "GitHub",
  gitea: "Gitea",
  gitlab: "GitLab",
};

const SETTING_KEYS = new Set(["kind", "api", "repository"]);

function settingError(key: string, message: string, hint: string): SlipwayError {
  return new SlipwayError("config", `pyproject.toml [tool.slipway.release] ${key}: ${message}`, { hint });
}

const KIND_HINT = 'write "auto", "github", "gitea", "gitlab" or "none"';

function readKind(value: unknown, key: string): HostSetting["kind"] {
  if (value === "auto" || value === "none" || HOST_KINDS.includes(value as HostKind)) {
    return value as HostSetting["kind"];
  }
  throw settingError(
    key,
    typeof value === "string"
      ? `${JSON.stringify(value)} is not a host`
      : `expected a string, found ${tomlType(value)}`,
    KIND_HINT,
  );
}

/** `[tool.slipway.release] host`, checked; `auto` when absent. */
export function parseHostSetting(release: TomlTable): HostSetting {
  const value = get(release, "host");
  if (value === undefined) return { kind: "auto" };
  if (!isTable(value)) return { kind: readKind(value, "host") };
  for (const key of Object.keys(value)) {
    if (!SETTING_KEYS.has(key)) {
      throw settingError(`host.${key}`, "is not a setting", "host takes kind, api and repository");
    }
  }
  const setting: HostSetting = { kind: readKind(get(value, "kind") ?? "auto", "host.kind") };
  const api = get(value, "api");
  if (api !== undefined) {
    if (typeof api !== "string" || checkApiUrl(api) !== undefined) {
      throw settingError(
        "host.api",
        typeof api === "string" ? (checkApiUrl(api) ?? "") : `expected a string, found ${tomlType(api)}`,
        "write the API root, e.g. https://git.example.org/api/v1",
      );
    }
    setting.api = api.replace(/\/+$/, "");
  }
  const repository = get(value, "repository");
  if (repository !== undefined) {
    if (typeof repository !== "string" || !REPOSITORY.test(repository)) {
      throw settingError(
        "host.repository",
        `expected owner/name, found ${typeof repository === "string" ? JSON.stringify(repository) : tomlType(repository)}`,
        'e.g. repository = "octo/demo"',
      );
    }
    setting.repository = repository;
  }
  return setting;
}

// Path segments as the hosts allow them: letters, digits, `.`, `_`, `-`; never `.` or `..`.
const SEGMENT = "(?!\\.\\.?(?:/|$))[A-Za-z0-9_.-]{1,100}";
const REPOSITORY = new RegExp(`^${SEGMENT}(?:/${SEGMENT}){1,20}$`);

const LOOPBACK = /^(?:127\.\d+\.\d+\.\d+|localhost|\[::1\])$/;

/**
 * Why `url` cannot be an API root (undefined when it can): https, or http on loopback only (a
 * token sent in clear over a network is a leaked token), and no userinfo.
 */
export function checkApiUrl(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `${JSON.stringify(url)} is not a URL`;
  }
  if (parsed.username !== "" || parsed.password !== "")
    return "the URL holds credentials; tokens come from the environment";
  if (parsed.protocol === "https:") return undefined;
  if (parsed.protocol === "http:" && LOOPBACK.test(parsed.hostname)) return undefined;
  return `${parsed.protocol}//${parsed.host} is not https (plain http only to loopback)`;
}

/** A remote URL's host name and repository path, credentials dropped; undefined when it has none. */
export function parseRemoteUrl(url: string): { host: string; path: string } | undefined {
  const text = url.trim();
  // scp-like: [user@]host:path (not a Windows drive, not a URL).
  const scp = /^(?:[^@/\s]+@)?([A-Za-z0-9.-]+):(?!\/\/)(.+)$/.exec(text);
  let host: string;
  let path: string;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    let parsed: URL;
    try {
      parsed = new URL(text);
    } catch {
      return undefined;
    }
    if (!["https:", "http:", "ssh:", "git:"].includes(parsed.protocol)) return undefined;
    host = parsed.hostname.toLowerCase();
    path = decodeURIComponent(parsed.pathname);
  } else if (scp !== null && scp[1]!.length > 1) {
    host = scp[1]!.toLowerCase();
    path = scp[2]!;
  } else {
    return undefined;
  }
  path = path
    .replace(/^\/+/, "")
    .replace(/\/+$/, "")
    .replace(/\.git$/, "");
  if (host === "" || !REPOSITORY.test(path)) return undefined;
  return { host, path };
}

/** The kind a well-known host name implies under `auto`. */
function knownKind(host: string): HostKind | undefined {
  if (host === "github.com") return "github";
  if (host === "gitlab.com") return "gitlab";
  if (host === "gitea.com" || host === "codeberg.org") return "gitea";
  return undefined;
}

function defaultApi(kind: HostKind, host: string): string {
  if (kind === "github") return host === "github.com" ? "https://api.github.com" : `https://${host}/api/v3`;
  return kind === "gitea" ? `https://${host}/api/v1` : `https://${host}/api/v4`;
}

/**
 * The host the release publishes to, or undefined when there is none: `none`, or `auto` with a
 * remote that is not a well-known host. A kind named explicitly must be reachable: a config error
 * says what is missing (the repository, the API) otherwise.
 */
export function planHost(setting: HostSetting, remote: string | undefined): PlannedHost | undefined {
  if (setting.kind === "none") return undefined;
  const parsed = remote === undefined ? undefined : parseRemoteUrl(remote);
  const kind =
    setting.kind === "auto" ? (parsed === undefined ? undefined : knownKind(parsed.host)) : setting.kind;
  if (kind === undefined) return undefined;
  const repository = setting.repository ?? parsed?.path;
  if (repository === undefined) {
    throw settingError(
      "host",
      `${HOST_NAMES[kind]} is configured, but the remote's URL does not name a repository`,
      'set host = { kind = "…", repository = "owner/name" }',
    );
  }
  if (kind !== "gitlab" && repository.split("/").length !== 2) {
    throw settingError("host", `${JSON.stringify(repository)} is not owner/name`, "set host.repository");
  }
  const api = setting.api ?? (parsed === undefined ? undefined : defaultApi(kind, parsed.host));
  if (api === undefined) {
    throw settingError("host", `no API URL for ${HOST_NAMES[kind]}`, "set host.api to the API root");
  }
  return { kind, apiUrl: api.replace(/\/+$/, ""), repository, tokenEnv: TOKEN_ENV[kind] };
}

/**
 * A PlannedHost read back from a journal (hostile: the token goes to `apiUrl`): the API URL must
 * pass `checkApiUrl`, the repository be a path, the token variable the kind's own.
 */
export const plannedHostShape: Shape<PlannedHost> = (value, at) => {
  const host = record({
    kind: literal("github", "gitea", "gitlab"),
    apiUrl: checked((url) => checkApiUrl(url) === undefined, "an https API URL (http only to loopback)"),
    repository: matching(REPOSITORY, "owner/name"),
    tokenEnv: literal("GITHUB_TOKEN", "GITEA_TOKEN", "GITLAB_TOKEN"),
  })(value, at);
  literal(TOKEN_ENV[host.kind])(host.tokenEnv, `${at}.tokenEnv`);
  return host;
};
