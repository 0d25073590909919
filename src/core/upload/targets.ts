/**
 * Where `slipway publish` sends files and where it looks them up: `--to NAME|URL` resolved
 * against `[tool.slipway.indexes]`, `.pypirc` (twine's rules) and the built-in pypi/testpypi,
 * plus the simple-API URL used for the "already there" check.
 */
import { Secret } from "../../secret.ts";
import { normalizeName } from "../names/name.ts";
import type { Pypirc, PypircRepository } from "./pypirc.ts";
import { PYPI_UPLOAD_URL, TESTPYPI_UPLOAD_URL } from "./pypirc.ts";

/** A value, or what is wrong with the configuration and what to do about it. */
export type Resolved<T> = { ok: true; value: T } | { ok: false; error: string; hint?: string };

export const PYPI_SIMPLE_URL = "https://pypi.org/simple/";
export const TESTPYPI_SIMPLE_URL = "https://test.pypi.org/simple/";

const BUILTIN_SIMPLE: Readonly<Record<string, string>> = {
  [PYPI_UPLOAD_URL]: PYPI_SIMPLE_URL,
  [TESTPYPI_UPLOAD_URL]: TESTPYPI_SIMPLE_URL,
};

// twine forces https for PyPI's hosts (utils.normalize_repository_url).
const PYPI_HOSTS = new Set(["pypi.python.org", "testpypi.python.org", "upload.pypi.org", "test.pypi.org"]);

/**
 * Whether the index at `uploadUrl` refuses local versions (`1.6.1.dev5+g1234`): PyPI and TestPyPI
 * do (warehouse forklift/forms.py); devpi, pypiserver, Artifactory and most private indexes take
 * them, and an unknown index is the judge of its own rules when the file arrives.
 */
export function refusesLocalVersions(uploadUrl: string): boolean {
  try {
    return PYPI_HOSTS.has(new URL(uploadUrl).hostname);
  } catch {
    return false;
  }
}

/** One entry of `[tool.slipway.indexes]`. */
export interface IndexConfig {
  name: string;
  uploadUrl?: string;
  simpleUrl?: string;
}

export interface UploadTarget {
  /** The name it was chosen by (`pypi`, a pyproject or .pypirc name); undefined for a plain URL. */
  name?: string;
  /** Upload (legacy API) URL, never with credentials in it. */
  uploadUrl: string;
  /** Simple-API root for the "already there" check; undefined when none is known. */
  simpleUrl?: string;
  /** Where the upload URL came from. */
  source: "url" | "env-url" | "pyproject" | "pypirc" | "builtin";
  /** Credentials that were written into the URL (`https://user:pass@host/`), now removed from it. */
  urlCredentials?: { username: string; password?: Secret };
  /** The .pypirc section of the same name, for credentials. */
  pypirc?: PypircRepository;
  /** The known mistakes the upload URL looks like. */
  warnings: UploadUrlLint[];
}

export interface TargetInput {
  /** `--to NAME|URL`. */
  to?: string;
  /** `--check-url URL`: the simple-API root to look files up in. */
  checkUrl?: string;
  /** TWINE_REPOSITORY_URL and TWINE_REPOSITORY. */
  envRepositoryUrl?: string;
  envRepository?: string;
  indexes: ReadonlyMap<string, IndexConfig>;
  pypirc: Pypirc;
}

const isUrlLike = (text: string): boolean => /^[a-z][a-z0-9+.-]*:\/\//i.test(text);
const withSlash = (url: string): string => (url.endsWith("/") ? url : `${url}/`);

/**
 * Reads `[tool.slipway.indexes]` (`name = { upload-url = "...", simple-url = "..." }`) from the
 * parsed `tool.slipway` table. Unknown keys are errors: a typo would silently drop the check URL.
 */
export function parseIndexesTable(
  slipway: Record<string, unknown> | undefined,
): Resolved<Map<string, IndexConfig>> {
  const out = new Map<string, IndexConfig>();
  const table = slipway?.["indexes"];
  if (table === undefined) return { ok: true, value: out };
  if (typeof table !== "object" || table === null || Array.isArray(table)) {
    return { ok: false, error: "[tool.slipway.indexes] in pyproject.toml is not a table" };
  }
  for (const [name, entry] of Object.entries(table)) {
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
      return { ok: false, error: `[tool.slipway.indexes.${name}] in pyproject.toml is not a table` };
    }
    const config: IndexConfig = { name };
    for (const [key, value] of Object.entries(entry)) {
      if ((key !== "upload-url" && key !== "simple-url") || typeof value !== "string") {
        return {
          ok: false,
          error: `[tool.slipway.indexes.${name}] in pyproject.toml has ${typeof value === "string" ? "an unknown key" : "a non-string value for"} '${key}'`,
          hint: 'An index takes upload-url = "https://host/legacy/" and simple-url = "https://host/simple/".',
        };
      }
      if (key === "upload-url") config.uploadUrl = value;
      else config.simpleUrl = withSlash(value);
    }
    out.set(name, config);
  }
  return { ok: true, value: out };
}

interface SplitUrl {
  url: string;
  credentials?: { username: string; password?: Secret };
}

/** Validates an http(s) URL with a host, strips its userinfo, and forces https for PyPI's hosts. */
export function splitUploadUrl(text: string, what: string): Resolved<SplitUrl> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, error: `${what} is not a valid URL`, hint: "Give a full http(s) URL with a host." };
  }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || url.hostname === "") {
    return {
      ok: false,
      error: `${what} must be an http(s) URL with a host, not '${url.protocol}'`,
      hint: "For example https://upload.pypi.org/legacy/.",
    };
  }
  let credentials: SplitUrl["credentials"];
  if (url.username !== "") {
    credentials = { username: decodeURIComponent(url.username) };
    if (url.password !== "") credentials.password = new Secret(decodeURIComponent(url.password));
  }
  url.username = "";
  url.password = "";
  if (PYPI_HOSTS.has(url.hostname)) url.protocol = "https:";
  return { ok: true, value: credentials === undefined ? { url: url.href } : { url: url.href, credentials } };
}

/** The simple-API root that goes with PyPI's or TestPyPI's upload URL. */
export function builtinSimpleUrl(uploadUrl: string): string | undefined {
  return BUILTIN_SIMPLE[uploadUrl];
}

/** The simple page of a project: `{root}{normalized name}/` (PEP 503). */
export function projectPageUrl(simpleUrl: string, name: string): string {
  return `${withSlash(simpleUrl)}${normalizeName(name)}/`;
}

/**
 * An upload URL that looks like a known mistake, as data (the CLI words it):
 * - `pypi-no-slash`: PyPI's or TestPyPI's `/legacy` without the slash (PyPI redirects it, which
 *   an upload cannot follow); `use` is the right URL;
 * - `not-pypi-upload`: another path on PyPI's or TestPyPI's upload host; `use` is the right URL;
 * - `pypi-website`: pypi.org itself, not its upload API; `use` is the upload URL;
 * - `simple-url`: a simple-index (download) URL, which is not where uploads go;
 * - `no-trailing-slash`: a path ending in `/legacy` that probably needs the slash.
 */
export type UploadUrlLint =
  | { kind: "pypi-no-slash" | "not-pypi-upload" | "pypi-website"; url: string; use: string }
  | { kind: "simple-url" | "no-trailing-slash"; url: string };

/** The known mistakes `uploadUrl` looks like (none for a URL that cannot be parsed). */
export function lintUploadUrl(uploadUrl: string): UploadUrlLint[] {
  let url: URL;
  try {
    url = new URL(uploadUrl);
  } catch {
    return [];
  }
  const path = url.pathname;
  if (url.hostname === "upload.pypi.org" || url.hostname === "test.pypi.org") {
    const use = url.hostname === "upload.pypi.org" ? PYPI_UPLOAD_URL : TESTPYPI_UPLOAD_URL;
    if (path === "/legacy") return [{ kind: "pypi-no-slash", url: uploadUrl, use }];
    if (path !== "/legacy/") return [{ kind: "not-pypi-upload", url: uploadUrl, use }];
    return [];
  }
  if (url.hostname === "pypi.org" || url.hostname === "www.pypi.org")
    return [{ kind: "pypi-website", url: uploadUrl, use: PYPI_UPLOAD_URL }];
  if (/\/(\+?simple)\/?$/.test(path)) return [{ kind: "simple-url", url: uploadUrl }];
  if (path.endsWith("/legacy")) return [{ kind: "no-trailing-slash", url: uploadUrl }];
  return [];
}

function fromUrl(
  text: string,
  source: "url" | "env-url",
  input: TargetInput,
  what: string,
): Resolved<UploadTarget> {
  const split = splitUploadUrl(text, what);
  if (!split.ok) return split;
  const configured = [...input.indexes.values()].find((i) => i.uploadUrl === split.value.url);
  const simpleUrl = input.checkUrl ?? builtinSimpleUrl(split.value.url) ?? configured?.simpleUrl ?? undefined;
  const target: UploadTarget = {
    uploadUrl: split.value.url,
    source,
    warnings: lintUploadUrl(split.value.url),
  };
  if (simpleUrl !== undefined) target.simpleUrl = withSlash(simpleUrl);
  if (split.value.credentials !== undefined) target.urlCredentials = split.value.credentials;
  return { ok: true, value: target };
}

/**
 * Resolves the target index. `--to` wins, then TWINE_REPOSITORY_URL (a URL bypasses .pypirc, as
 * in twine), then TWINE_REPOSITORY, then `pypi`. A name is looked up in `[tool.slipway.indexes]`,
 * then `.pypirc`, then the built-in pypi/testpypi. The simple URL is `--check-url`, else the
 * configured `simple-url`, else PyPI's or TestPyPI's own when the upload URL is theirs.
 */
export function resolveTarget(input: TargetInput): Resolved<UploadTarget> {
  if (input.checkUrl !== undefined) {
    const check = splitUploadUrl(input.checkUrl, "--check-url");
    if (!check.ok) return check;
    if (check.value.credentials !== undefined) {
      return {
        ok: false,
        error: "--check-url must not carry credentials",
        hint: "Remove user:password@ from it.",
      };
    }
  }
  if (input.to !== undefined && isUrlLike(input.to)) return fromUrl(input.to, "url", input, "--to");
  if (input.to === undefined && input.envRepositoryUrl !== undefined && input.envRepositoryUrl !== "") {
    return fromUrl(input.envRepositoryUrl, "env-url", input, "TWINE_REPOSITORY_URL");
  }
  const name = input.to ?? (input.envRepository || undefined) ?? "pypi";
  const indexed = input.indexes.get(name);
  const pypirc = input.pypirc.repositories.get(name);
  let uploadText: string | undefined;
  let source: UploadTarget["source"];
  if (indexed?.uploadUrl !== undefined) {
    uploadText = indexed.uploadUrl;
    source = "pyproject";
  } else if (pypirc?.repository !== undefined) {
    uploadText = pypirc.repository;
    source = pypirc.configured ? "pypirc" : "builtin";
  } else if (name === "testpypi") {
    uploadText = TESTPYPI_UPLOAD_URL;
    source = "builtin";
  } else {
    const known = [
      ...new Set(["pypi", "testpypi", ...input.indexes.keys(), ...input.pypirc.repositories.keys()]),
    ];
    return {
      ok: false,
      error:
        pypirc !== undefined || indexed !== undefined
          ? `index '${name}' has no upload URL`
          : `no index named '${name}'`,
      hint: `Known indexes: ${known.join(", ")}. Name one with --to, add [tool.slipway.indexes.${name}] upload-url to pyproject.toml or a repository to [${name}] in .pypirc (listed in [distutils] index-servers), or give a URL.`,
    };
  }
  const split = splitUploadUrl(uploadText, `the upload URL of '${name}'`);
  if (!split.ok) return split;
  const simpleUrl = input.checkUrl ?? indexed?.simpleUrl ?? builtinSimpleUrl(split.value.url);
  const target: UploadTarget = {
    name,
    uploadUrl: split.value.url,
    source,
    warnings: lintUploadUrl(split.value.url),
  };
  if (simpleUrl !== undefined) target.simpleUrl = withSlash(simpleUrl);
  if (split.value.credentials !== undefined) target.urlCredentials = split.value.credentials;
  if (pypirc !== undefined) target.pypirc = pypirc;
  return { ok: true, value: target };
}
