/**
 * A host release made complete, idempotently: found by tag or created (a create that races an
 * earlier attempt, 422 `already_exists` / 409, reads it again), empty notes written, and each
 * wanted asset uploaded unless the host already holds that name with the same sha256. Another
 * digest under the name is a conflict: slipway never replaces a published asset. The digest is
 * the host's own when it says it (GitHub's `digest`, GitLab's `file_sha256`), else the bytes are
 * downloaded and hashed (Gitea, older GitHub Enterprise). An asset GitHub left unfinished after a
 * failed upload (`state: starter`) is deleted and uploaded again, as its docs advise.
 */
import { HostClient, type HostRequest } from "../adapters/http/host-api.ts";
import {
  createReleaseRequest,
  deleteAssetRequest,
  findGitlabPackage,
  getReleaseRequest,
  githubAssetUrl,
  gitlabAddLinkRequest,
  gitlabFileUrl,
  gitlabLinksRequest,
  gitlabPackage,
  gitlabPackageFilesRequest,
  gitlabPackagesRequest,
  type HostAsset,
  type HostRelease,
  listAssetsRequest,
  type ReleaseContent,
  readAsset,
  readLinkNames,
  readRelease,
  updateNotesRequest,
  uploadAssetUrl,
} from "../core/host/releases.ts";
import { HOST_NAMES, type PlannedHost } from "../core/host/remote.ts";
import { SlipwayError } from "../errors.ts";

export interface WantedAsset {
  name: string;
  path: string;
  sha256: string;
  size: number;
}

export type AssetStatus = "uploaded" | "kept" | "replaced-unfinished";

function unreadable(host: PlannedHost, what: string): SlipwayError {
  return new SlipwayError("network", `${HOST_NAMES[host.kind]} answered something that is not ${what}`, {
    hint: "check the API URL: it should be the API root",
  });
}

async function findRelease(
  client: HostClient,
  host: PlannedHost,
  tag: string,
): Promise<HostRelease | undefined> {
  const request = getReleaseRequest(host, tag);
  const answer = await client.expect(request, [200, 404]);
  if (answer.status === 404) return undefined;
  const release = readRelease(host.kind, answer.json);
  if (release === undefined || release.tag !== tag) throw unreadable(host, `the release ${tag}`);
  return release;
}

/** The release for the tag: found (notes written when empty) or created. */
export async function ensureRelease(
  client: HostClient,
  host: PlannedHost,
  content: ReleaseContent,
  onAction: (action: "created" | "found" | "notes-written", url: string) => void,
): Promise<HostRelease> {
  let release = await findRelease(client, host, content.tag);
  if (release === undefined) {
    const request = createReleaseRequest(host, content);
    const answer = await client.send(request);
    if (answer.status === 201 || answer.status === 200) {
      const made = readRelease(host.kind, answer.json);
      if (made === undefined) throw unreadable(host, `the release ${content.tag}`);
      onAction("created", made.url);
      return made;
    }
    // An earlier attempt (or a retry after a 5xx) made it: read it again, never make a second one.
    if (!(HostClient.alreadyExists(answer) || answer.status === 409)) throw client.refusal(request, answer);
    release = await findRelease(client, host, content.tag);
    if (release === undefined) throw client.refusal(request, answer);
  }
  onAction("found", release.url);
  if (release.notes.trim() === "" && content.notes !== "") {
    // Notes someone wrote on the host are theirs; only an empty release gets the changelog entry.
    await client.expect(updateNotesRequest(host, release, content.notes), [200]);
    onAction("notes-written", release.url);
  }
  return release;
}

async function listAssets(
  client: HostClient,
  host: PlannedHost,
  release: HostRelease,
  pkg: { name: string; version: string },
): Promise<HostAsset[]> {
  let items: unknown[];
  if (host.kind === "gitlab") {
    const id = findGitlabPackage(
      await client.list(gitlabPackagesRequest(host, gitlabPackage(pkg.name, pkg.version))),
      gitlabPackage(pkg.name, pkg.version),
    );
    if (id === undefined) return [];
    items = await client.list(gitlabPackageFilesRequest(host, id));
  } else {
    items = await client.list(listAssetsRequest(host, release));
  }
  return items.map((item) => {
    const asset = readAsset(host.kind, item);
    if (asset === undefined) throw unreadable(host, "a list of release assets");
    return asset;
  });
}

async function digestOf(client: HostClient, host: PlannedHost, asset: HostAsset): Promise<string> {
  if (asset.sha256 !== undefined) return asset.sha256;
  const url = host.kind === "github" ? githubAssetUrl(host, asset) : asset.downloadUrl;
  if (url === "") throw unreadable(host, `an asset with a download URL (${asset.name})`);
  return (await client.downloadSha256(url, `download the asset ${asset.name}`)).sha256;
}

/** `found`: the host's sha256, or its size when that already differs. */
function conflict(
  host: PlannedHost,
  release: HostRelease,
  want: WantedAsset,
  found: string | number,
): SlipwayError {
  const theirs =
    typeof found === "number"
      ? `${found} bytes, this release's ${want.size}`
      : `sha256 ${found.slice(0, 12)}…, this release's ${want.sha256.slice(0, 12)}…`;
  return new SlipwayError(
    "conflict",
    `the ${HOST_NAMES[host.kind]} release ${release.tag} already has ${want.name} with other bytes (${theirs})`,
    {
      hint: `slipway never replaces a published asset: compare the two, delete the wrong one on ${HOST_NAMES[host.kind]}, then run 'slipway release --resume'`,
    },
  );
}

/** The upload of one asset: GitHub raw to the upload host, Gitea multipart, GitLab to the generic package. */
function uploadRequest(
  host: PlannedHost,
  release: HostRelease,
  pkg: { name: string; version: string },
  want: WantedAsset,
): HostRequest {
  const what = `upload ${want.name} to the release ${release.tag}`;
  const raw = { file: want.path, size: want.size, contentType: "application/octet-stream" };
  if (host.kind === "gitlab") {
    return {
      method: "PUT",
      url: gitlabFileUrl(host, gitlabPackage(pkg.name, pkg.version), want.name),
      what,
      body: raw,
    };
  }
  const url = uploadAssetUrl(host, release, want.name);
  if (host.kind === "github") return { method: "POST", url, what, body: raw };
  return {
    method: "POST",
    url,
    what,
    body: { multipart: { field: "attachment", filename: want.name, file: want.path, size: want.size } },
  };
}

/** Every wanted asset on the release, each uploaded or kept; a conflict stops at the first differing one. */
export async function ensureAssets(
  client: HostClient,
  host: PlannedHost,
  options: {
    release: HostRelease;
    wanted: readonly WantedAsset[];
    pkg: { name: string; version: string };
    onAsset: (name: string, status: AssetStatus) => void;
  },
): Promise<{ name: string; sha256: string; status: AssetStatus }[]> {
  const { release, wanted, pkg } = options;
  const done: { name: string; sha256: string; status: AssetStatus }[] = [];
  let existing = await listAssets(client, host, release, pkg);
  for (const want of wanted) {
    let status: AssetStatus = "uploaded";
    const found = existing.filter((a) => a.name === want.name);
    const finished = found.filter((a) => a.complete);
    for (const stale of found.filter((a) => !a.complete)) {
      await client.expect(deleteAssetRequest(host, release, stale), [204, 404]);
      status = "replaced-unfinished";
    }
    let kept = false;
    for (const asset of finished) {
      // Different sizes are different bytes: no download needed to know.
      if (asset.size !== want.size) throw conflict(host, release, want, asset.size);
      const digest = await digestOf(client, host, asset);
      if (digest !== want.sha256) throw conflict(host, release, want, digest);
      kept = true;
    }
    if (kept) {
      done.push({ name: want.name, sha256: want.sha256, status: "kept" });
      options.onAsset(want.name, "kept");
      continue;
    }
    const request = uploadRequest(host, release, pkg, want);
    const answer = await client.send(request);
    if (answer.status !== 201 && answer.status !== 200) {
      if (!HostClient.alreadyExists(answer) && answer.status !== 409) throw client.refusal(request, answer);
      // A retry after a lost answer found the first attempt's asset: compare it like any other.
      existing = await listAssets(client, host, release, pkg);
      const again = existing.find((a) => a.name === want.name && a.complete);
      if (again === undefined) throw client.refusal(request, answer);
      const digest = await digestOf(client, host, again);
      if (digest !== want.sha256) throw conflict(host, release, want, digest);
      status = "kept";
    }
    done.push({ name: want.name, sha256: want.sha256, status });
    options.onAsset(want.name, status);
  }
  if (host.kind === "gitlab") await linkGitlabFiles(client, host, release, pkg, wanted);
  return done;
}

/** GitLab: a release link to each package file the release lacks a link for. */
async function linkGitlabFiles(
  client: HostClient,
  host: PlannedHost,
  release: HostRelease,
  pkg: { name: string; version: string },
  wanted: readonly WantedAsset[],
): Promise<void> {
  const linked = readLinkNames(await client.list(gitlabLinksRequest(host, release.tag)));
  for (const want of wanted) {
    if (linked.has(want.name)) continue;
    const url = client.resolve(gitlabFileUrl(host, gitlabPackage(pkg.name, pkg.version), want.name)).href;
    await client.expect(gitlabAddLinkRequest(host, release.tag, want.name, url), [201]);
  }
}
