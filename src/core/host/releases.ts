/**
 * A host's release API as request shapes and answer readers, one dialect per host. Pure: no
 * I/O; src/ops/release/host-release.ts sends them through adapters/http/host-api.ts.
 *
 * GitHub: docs.github.com/en/rest/releases/releases (get by tag, create, update) and
 *   docs.github.com/en/rest/releases/assets (list, upload to the release's `upload_url`, delete;
 *   an asset's `digest` is "sha256:<hex>"; a failed upload can leave a `starter` asset).
 * Gitea: the API's swagger (docs.gitea.com/api): `/repos/{owner}/{repo}/releases/tags/{tag}`,
 *   `POST …/releases`, `PATCH …/releases/{id}`, `…/releases/{id}/assets` (multipart field
 *   `attachment`); attachments carry no digest.
 * GitLab: docs.gitlab.com/api/releases (`/projects/:id/releases/:tag_name`), files in the generic
 *   package registry (docs.gitlab.com/user/packages/generic_packages: `PUT
 *   /projects/:id/packages/generic/:name/:version/:file`, `file_sha256` in package files), linked
 *   from the release (docs.gitlab.com/api/releases/links).
 */
import type { HostKind, PlannedHost } from "./remote.ts";

export interface ReleaseRequest {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  url: string;
  what: string;
  json?: unknown;
}

export interface HostRelease {
  /** GitHub and Gitea: the numeric id; GitLab: the tag. */
  id: string;
  tag: string;
  notes: string;
  /** The release's page, for people. */
  url: string;
  /** GitHub: the upload URL (its `{?name,label}` template removed). */
  uploadUrl?: string;
}

export interface HostAsset {
  id: string;
  name: string;
  size: number;
  /** When the host says it (GitHub's `digest`, GitLab's `file_sha256`). */
  sha256?: string;
  /** Where its bytes are, to hash when the host does not say. */
  downloadUrl: string;
  /** GitHub: `uploaded`, or `starter`/`open` for an upload that never finished. */
  complete: boolean;
}

/** What the release says: title, notes, pre-release or not. */
export interface ReleaseContent {
  tag: string;
  title: string;
  notes: string;
  prerelease: boolean;
}

const enc = encodeURIComponent;

function project(host: PlannedHost): string {
  return host.kind === "gitlab" ? `projects/${enc(host.repository)}` : `repos/${host.repository}`;
}

export function getReleaseRequest(host: PlannedHost, tag: string): ReleaseRequest {
  const url =
    host.kind === "gitlab"
      ? `${project(host)}/releases/${enc(tag)}`
      : `${project(host)}/releases/tags/${enc(tag)}`;
  return { method: "GET", url, what: `read the release ${tag}` };
}

export function createReleaseRequest(host: PlannedHost, content: ReleaseContent): ReleaseRequest {
  const json =
    host.kind === "gitlab"
      ? { tag_name: content.tag, name: content.title, description: content.notes }
      : {
          tag_name: content.tag,
          name: content.title,
          body: content.notes,
          draft: false,
          prerelease: content.prerelease,
        };
  return {
    method: "POST",
    url: `${project(host)}/releases`,
    what: `create the release ${content.tag}`,
    json,
  };
}

export function updateNotesRequest(host: PlannedHost, release: HostRelease, notes: string): ReleaseRequest {
  if (host.kind === "gitlab") {
    return {
      method: "PUT",
      url: `${project(host)}/releases/${enc(release.tag)}`,
      what: `write the notes of the release ${release.tag}`,
      json: { description: notes },
    };
  }
  return {
    method: "PATCH",
    url: `${project(host)}/releases/${release.id}`,
    what: `write the notes of the release ${release.tag}`,
    json: { body: notes },
  };
}

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const idOf = (v: unknown): string | undefined =>
  typeof v === "number" && Number.isSafeInteger(v) && v >= 0
    ? String(v)
    : typeof v === "string" && /^\d{1,20}$/.test(v)
      ? v
      : undefined;

/** A release from the host's JSON; undefined when the answer is not one. */
export function readRelease(kind: HostKind, json: unknown): HostRelease | undefined {
  if (typeof json !== "object" || json === null || Array.isArray(json)) return undefined;
  const o = json as Record<string, unknown>;
  const tag = str(o["tag_name"]);
  if (tag === undefined) return undefined;
  if (kind === "gitlab") {
    const links = o["_links"] as Record<string, unknown> | undefined;
    return { id: tag, tag, notes: str(o["description"]) ?? "", url: str(links?.["self"]) ?? "" };
  }
  const id = idOf(o["id"]);
  if (id === undefined) return undefined;
  const release: HostRelease = { id, tag, notes: str(o["body"]) ?? "", url: str(o["html_url"]) ?? "" };
  const upload = str(o["upload_url"]);
  if (kind === "github" && upload !== undefined) release.uploadUrl = upload.replace(/\{[^}]*\}$/, "");
  return release;
}

/** An asset (GitHub, Gitea) or a package file (GitLab) from the host's JSON; undefined when not one. */
export function readAsset(kind: HostKind, json: unknown): HostAsset | undefined {
  if (typeof json !== "object" || json === null || Array.isArray(json)) return undefined;
  const o = json as Record<string, unknown>;
  const id = idOf(o["id"]);
  const name = str(kind === "gitlab" ? o["file_name"] : o["name"]);
  const size = o["size"];
  if (id === undefined || name === undefined || typeof size !== "number" || !Number.isSafeInteger(size)) {
    return undefined;
  }
  const asset: HostAsset = {
    id,
    name,
    size,
    downloadUrl: str(o["browser_download_url"]) ?? "",
    complete: true,
  };
  if (kind === "github") {
    const digest = str(o["digest"]);
    if (digest !== undefined && /^sha256:[0-9a-f]{64}$/.test(digest)) asset.sha256 = digest.slice(7);
    asset.complete = o["state"] === undefined || o["state"] === "uploaded";
  } else if (kind === "gitlab") {
    const sha = str(o["file_sha256"]);
    if (sha !== undefined && /^[0-9a-f]{64}$/.test(sha)) asset.sha256 = sha;
  }
  return asset;
}

/** The request that lists a release's assets (GitLab: the package's files; see `gitlabPackage`). */
export function listAssetsRequest(host: PlannedHost, release: HostRelease): ReleaseRequest {
  const what = `list the assets of the release ${release.tag}`;
  if (host.kind === "github") {
    return { method: "GET", url: `${project(host)}/releases/${release.id}/assets?per_page=100`, what };
  }
  return { method: "GET", url: `${project(host)}/releases/${release.id}/assets?limit=50`, what };
}

/** Where GitHub serves an asset's bytes through the API (a 302 to storage). */
export function githubAssetUrl(host: PlannedHost, asset: HostAsset): string {
  return `${project(host)}/releases/assets/${asset.id}`;
}

export function deleteAssetRequest(
  host: PlannedHost,
  release: HostRelease,
  asset: HostAsset,
): ReleaseRequest {
  const what = `delete the unfinished asset ${asset.name}`;
  if (host.kind === "github")
    return { method: "DELETE", url: `${project(host)}/releases/assets/${asset.id}`, what };
  return { method: "DELETE", url: `${project(host)}/releases/${release.id}/assets/${asset.id}`, what };
}

/** Where an asset is uploaded: GitHub's upload host URL (from the release), Gitea's assets endpoint. */
export function uploadAssetUrl(host: PlannedHost, release: HostRelease, name: string): string {
  if (host.kind === "github") {
    // Without an upload_url the API root's own path is the documented fallback shape.
    const base = release.uploadUrl ?? `${project(host)}/releases/${release.id}/assets`;
    return `${base}?name=${enc(name)}`;
  }
  return `${project(host)}/releases/${release.id}/assets?name=${enc(name)}`;
}

/** GitLab: the generic package a release's files live in. */
export interface GitlabPackage {
  name: string;
  version: string;
}

/**
 * The generic package of a project's release: the normalized project name (GitLab allows
 * letters, digits, `.`, `_`, `-`) and the version.
 */
export function gitlabPackage(name: string, version: string): GitlabPackage {
  return { name: name.toLowerCase().replace(/[-_.]+/g, "-"), version };
}

export function gitlabFileUrl(host: PlannedHost, pkg: GitlabPackage, file: string): string {
  return `${project(host)}/packages/generic/${enc(pkg.name)}/${enc(pkg.version)}/${enc(file)}`;
}

export function gitlabPackagesRequest(host: PlannedHost, pkg: GitlabPackage): ReleaseRequest {
  return {
    method: "GET",
    url: `${project(host)}/packages?package_type=generic&package_name=${enc(pkg.name)}&per_page=100`,
    what: `find the package ${pkg.name} ${pkg.version}`,
  };
}

/** The id of the package with exactly this name and version in a packages list. */
export function findGitlabPackage(items: readonly unknown[], pkg: GitlabPackage): string | undefined {
  for (const item of items) {
    const o = item as Record<string, unknown> | null;
    if (o?.["name"] === pkg.name && o["version"] === pkg.version) return idOf(o["id"]);
  }
  return undefined;
}

export function gitlabPackageFilesRequest(host: PlannedHost, packageId: string): ReleaseRequest {
  return {
    method: "GET",
    url: `${project(host)}/packages/${packageId}/package_files?per_page=100`,
    what: "list the package's files",
  };
}

export function gitlabLinksRequest(host: PlannedHost, tag: string): ReleaseRequest {
  return {
    method: "GET",
    url: `${project(host)}/releases/${enc(tag)}/assets/links?per_page=100`,
    what: `list the links of the release ${tag}`,
  };
}

export function gitlabAddLinkRequest(
  host: PlannedHost,
  tag: string,
  name: string,
  url: string,
): ReleaseRequest {
  return {
    method: "POST",
    url: `${project(host)}/releases/${enc(tag)}/assets/links`,
    what: `link ${name} from the release ${tag}`,
    json: { name, url, link_type: "package" },
  };
}

/** The names of a GitLab release's links. */
export function readLinkNames(items: readonly unknown[]): Set<string> {
  const names = new Set<string>();
  for (const item of items) {
    const name = (item as Record<string, unknown> | null)?.["name"];
    if (typeof name === "string") names.add(name);
  }
  return names;
}
