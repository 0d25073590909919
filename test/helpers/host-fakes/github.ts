/**
 * A loopback fake of GitHub's REST API, as much as slipway uses, built from the documented
 * request and answer shapes:
 * - releases: docs.github.com/en/rest/releases/releases ("Get a release by tag name" 200/404,
 *   "Create a release" 201, 422 Validation Failed `{resource: "Release", code: "already_exists",
 *   field: "tag_name"}`, "Update a release" 200; `upload_url` is a URI template on the upload host);
 * - assets: docs.github.com/en/rest/releases/assets ("List release assets" paginated with `per_page`
 *   ≤ 100 and a `Link` header, "Upload a release asset" to uploads.github.com: raw body, `?name=`,
 *   201, 422 `{resource: "ReleaseAsset", code: "already_exists", field: "name"}`; "Get a release
 *   asset" with `Accept: application/octet-stream` answers 302 to storage; assets carry
 *   `digest: "sha256:…"` and `state` (`uploaded`, or `starter` after a failed upload));
 * - statuses: docs.github.com/en/rest/commits/statuses ("Create a commit status" 201; state
 *   error|failure|pending|success; at most 1000 per sha and context);
 * - branch protection: docs.github.com/en/rest/branches/branch-protection ("Get branch protection"
 *   404 "Branch not protected", "Update branch protection" PUT with all four required keys,
 *   "Update status check protection" PATCH …/required_status_checks);
 * - rulesets: docs.github.com/en/rest/repos/rules ("Get rules for a branch": the active rules with
 *   `ruleset_source_type`, `ruleset_source`, `ruleset_id`; "Get a repository ruleset"; "Update a
 *   repository ruleset" PUT, `rules` replaced as sent; a `required_status_checks` rule has
 *   `parameters.required_status_checks: [{context, integration_id?}]`);
 * - errors and limits: docs.github.com/en/rest/using-the-rest-api/troubleshooting-the-rest-api
 *   (401 "Bad credentials") and …/rate-limits-for-the-rest-api (403/429 with
 *   `x-ratelimit-remaining: 0` and `x-ratelimit-reset`, or `retry-after` for secondary limits).
 * The upload host is a second server on another port, as uploads.github.com is another host.
 */
import { createHash } from "node:crypto";
import { bodyJson, type FakeServer, json, paginate, type Request, type Route, startFake } from "./common.ts";

export interface GithubAsset {
  id: number;
  name: string;
  size: number;
  state: "uploaded" | "starter";
  data: Buffer;
}

export interface GithubRelease {
  id: number;
  tag_name: string;
  name: string;
  body: string | null;
  draft: boolean;
  prerelease: boolean;
  assets: GithubAsset[];
}

export interface GithubFake extends FakeServer {
  upload: FakeServer;
  token: string;
  repository: string;
  releases: GithubRelease[];
  statuses: { sha: string; state: string; context: string; description?: string; target_url?: string }[];
  protection: Map<string, Record<string, unknown>>;
  /** Answer assets without `digest` (GitHub Enterprise before digests). */
  omitDigest: boolean;
  /** Page size ceiling for asset lists (GitHub's is 100; small to exercise pagination). */
  maxPerPage: number;
  /** What the token may do on the repository. */
  permissions: { admin: boolean; push: boolean; pull: boolean };
  /** Repository rulesets: each applies to the branches `include` names (`~DEFAULT_BRANCH` is main). */
  rulesets: { id: number; name: string; include: string[]; rules: Record<string, unknown>[] }[];
}

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

export async function startGithubFake(
  options: { repository?: string; token?: string } = {},
): Promise<GithubFake> {
  const token = options.token ?? "ghp_fakeTokenForTests0123456789abcdef";
  const repository = options.repository ?? "octo/demo";
  const repo = repository.replace("/", "\\/");
  let nextId = 1;
  const state = {
    releases: [] as GithubRelease[],
    statuses: [] as GithubFake["statuses"],
    protection: new Map<string, Record<string, unknown>>(),
    omitDigest: false,
    maxPerPage: 100,
    permissions: { admin: true, push: true, pull: true },
    rulesets: [] as GithubFake["rulesets"],
  };
  let api = "";
  let uploadOrigin = "";
  const assetJson = (a: GithubAsset) => ({
    url: `${api}/repos/${repository}/releases/assets/${a.id}`,
    browser_download_url: `https://github.com/${repository}/releases/download/x/${a.name}`,
    id: a.id,
    name: a.name,
    label: "",
    state: a.state,
    content_type: "application/octet-stream",
    size: a.size,
    ...(state.omitDigest ? {} : { digest: `sha256:${sha(a.data)}` }),
  });
  const releaseJson = (r: GithubRelease) => ({
    url: `${api}/repos/${repository}/releases/${r.id}`,
    html_url: `https://github.com/${repository}/releases/tag/${r.tag_name}`,
    upload_url: `${uploadOrigin}/repos/${repository}/releases/${r.id}/assets{?name,label}`,
    id: r.id,
    tag_name: r.tag_name,
    name: r.name,
    body: r.body,
    draft: r.draft,
    prerelease: r.prerelease,
    assets: r.assets.map(assetJson),
  });
  const byId = (id: string) => state.releases.find((r) => r.id === Number(id));
  const notFound = json(404, { message: "Not Found", documentation_url: "https://docs.github.com/rest" });
  const validation = (resource: string, field: string) =>
    json(422, {
      message: "Validation Failed",
      errors: [{ resource, code: "already_exists", field }],
      documentation_url: "https://docs.github.com/rest",
    });

  const rulesetJson = (r: GithubFake["rulesets"][number]) => ({
    id: r.id,
    name: r.name,
    target: "branch",
    source_type: "Repository",
    source: repository,
    enforcement: "active",
    conditions: { ref_name: { include: r.include, exclude: [] } },
    rules: r.rules,
  });
  const routes: Route[] = [
    [
      "GET",
      new RegExp(`^/repos/${repo}/rules/branches/([^/]+)$`),
      (_q, m) => {
        const branch = decodeURIComponent(m[1]!);
        const applies = state.rulesets.filter((r) =>
          r.include.some(
            (i) => i === `refs/heads/${branch}` || (i === "~DEFAULT_BRANCH" && branch === "main"),
          ),
        );
        return json(
          200,
          applies.flatMap((r) =>
            r.rules.map((rule) => ({
              ...rule,
              ruleset_source_type: "Repository",
              ruleset_source: repository,
              ruleset_id: r.id,
            })),
          ),
        );
      },
    ],
    [
      "GET",
      new RegExp(`^/repos/${repo}/rulesets/(\\d+)$`),
      (_q, m) => {
        const r = state.rulesets.find((x) => x.id === Number(m[1]));
        return r === undefined ? notFound : json(200, rulesetJson(r));
      },
    ],
    [
      "PUT",
      new RegExp(`^/repos/${repo}/rulesets/(\\d+)$`),
      (q, m) => {
        if (!state.permissions.admin) return json(403, { message: "Resource not accessible by integration" });
        const r = state.rulesets.find((x) => x.id === Number(m[1]));
        if (r === undefined) return notFound;
        const b = bodyJson(q);
        if (Array.isArray(b["rules"])) r.rules = b["rules"] as Record<string, unknown>[];
        if (typeof b["name"] === "string") r.name = b["name"];
        return json(200, rulesetJson(r));
      },
    ],
    [
      "GET",
      new RegExp(`^/repos/${repo}$`),
      () =>
        json(200, { id: 1, full_name: repository, default_branch: "main", permissions: state.permissions }),
    ],
    [
      "GET",
      new RegExp(`^/repos/${repo}/releases/tags/(.+)$`),
      (_q, m) => {
        const r = state.releases.find((x) => x.tag_name === decodeURIComponent(m[1]!));
        return r === undefined ? notFound : json(200, releaseJson(r));
      },
    ],
    [
      "POST",
      new RegExp(`^/repos/${repo}/releases$`),
      (q) => {
        const b = bodyJson(q);
        if (typeof b["tag_name"] !== "string")
          return json(422, {
            message: "Validation Failed",
            errors: [{ resource: "Release", code: "missing_field", field: "tag_name" }],
          });
        if (state.releases.some((r) => r.tag_name === b["tag_name"]))
          return validation("Release", "tag_name");
        const r: GithubRelease = {
          id: nextId++,
          tag_name: b["tag_name"],
          name: String(b["name"] ?? b["tag_name"]),
          body: typeof b["body"] === "string" ? b["body"] : null,
          draft: b["draft"] === true,
          prerelease: b["prerelease"] === true,
          assets: [],
        };
        state.releases.push(r);
        return json(201, releaseJson(r));
      },
    ],
    [
      "PATCH",
      new RegExp(`^/repos/${repo}/releases/(\\d+)$`),
      (q, m) => {
        const r = byId(m[1]!);
        if (r === undefined) return notFound;
        const b = bodyJson(q);
        if (typeof b["body"] === "string") r.body = b["body"];
        if (typeof b["name"] === "string") r.name = b["name"];
        return json(200, releaseJson(r));
      },
    ],
    [
      "GET",
      new RegExp(`^/repos/${repo}/releases/(\\d+)/assets$`),
      (q, m) => {
        const r = byId(m[1]!);
        return r === undefined
          ? notFound
          : paginate(q, r.assets.map(assetJson), "per_page", state.maxPerPage);
      },
    ],
    [
      "GET",
      new RegExp(`^/repos/${repo}/releases/assets/(\\d+)$`),
      (q, m) => {
        const asset = state.releases.flatMap((r) => r.assets).find((a) => a.id === Number(m[1]));
        if (asset === undefined) return notFound;
        if (q.headers.accept !== "application/octet-stream") return json(200, assetJson(asset));
        return { status: 302, headers: { location: `${uploadOrigin}/storage/${asset.id}` } };
      },
    ],
    [
      "DELETE",
      new RegExp(`^/repos/${repo}/releases/assets/(\\d+)$`),
      (_q, m) => {
        for (const r of state.releases) {
          const i = r.assets.findIndex((a) => a.id === Number(m[1]));
          if (i >= 0) {
            r.assets.splice(i, 1);
            return { status: 204 };
          }
        }
        return notFound;
      },
    ],
    [
      "POST",
      new RegExp(`^/repos/${repo}/statuses/([0-9a-f]{40})$`),
      (q, m) => {
        const b = bodyJson(q);
        if (!["error", "failure", "pending", "success"].includes(String(b["state"]))) {
          return json(422, {
            message: "Validation Failed",
            errors: [{ resource: "Status", code: "invalid", field: "state" }],
          });
        }
        const entry = {
          sha: m[1]!,
          state: String(b["state"]),
          context: typeof b["context"] === "string" ? b["context"] : "default",
          ...(typeof b["description"] === "string" ? { description: b["description"] } : {}),
          ...(typeof b["target_url"] === "string" ? { target_url: b["target_url"] } : {}),
        };
        state.statuses.push(entry);
        return json(201, { id: state.statuses.length, ...entry });
      },
    ],
    [
      "GET",
      new RegExp(`^/repos/${repo}/branches/([^/]+)/protection$`),
      (_q, m) => {
        if (!state.permissions.admin) return json(403, { message: "Resource not accessible by integration" });
        const p = state.protection.get(decodeURIComponent(m[1]!));
        return p === undefined ? json(404, { message: "Branch not protected" }) : json(200, p);
      },
    ],
    [
      "PUT",
      new RegExp(`^/repos/${repo}/branches/([^/]+)/protection$`),
      (q, m) => {
        if (!state.permissions.admin) return json(403, { message: "Resource not accessible by integration" });
        const b = bodyJson(q);
        for (const key of [
          "required_status_checks",
          "enforce_admins",
          "required_pull_request_reviews",
          "restrictions",
        ]) {
          if (!(key in b)) return json(422, { message: `Invalid request.\n\n"${key}" wasn't supplied.` });
        }
        const checks = b["required_status_checks"] as {
          strict?: boolean;
          checks?: { context: string }[];
        } | null;
        const p: Record<string, unknown> = {
          required_status_checks:
            checks === null
              ? undefined
              : {
                  strict: checks.strict ?? false,
                  contexts: (checks.checks ?? []).map((c) => c.context),
                  checks: (checks.checks ?? []).map((c) => ({ context: c.context, app_id: null })),
                },
          enforce_admins: { enabled: b["enforce_admins"] === true },
          ...(b["required_pull_request_reviews"] === null
            ? {}
            : { required_pull_request_reviews: b["required_pull_request_reviews"] }),
        };
        state.protection.set(decodeURIComponent(m[1]!), p);
        return json(200, p);
      },
    ],
    [
      "PATCH",
      new RegExp(`^/repos/${repo}/branches/([^/]+)/protection/required_status_checks$`),
      (q, m) => {
        const p = state.protection.get(decodeURIComponent(m[1]!));
        if (p === undefined) return json(404, { message: "Branch not protected" });
        const b = bodyJson(q) as { strict?: boolean; checks?: { context: string; app_id?: number }[] };
        const old = (p["required_status_checks"] ?? { strict: false, contexts: [], checks: [] }) as Record<
          string,
          unknown
        >;
        const checks = b.checks ?? (old["checks"] as { context: string; app_id?: number }[]);
        p["required_status_checks"] = {
          strict: b.strict ?? old["strict"],
          contexts: checks.map((c) => c.context),
          checks: checks.map((c) => ({ context: c.context, app_id: c.app_id ?? null })),
        };
        return json(200, p["required_status_checks"]);
      },
    ],
  ];
  const fake = await startFake({
    token,
    routes,
    unauthorized: json(401, {
      message: "Bad credentials",
      documentation_url: "https://docs.github.com/rest",
    }),
  });
  api = fake.url;

  const uploadRoutes: Route[] = [
    [
      "POST",
      new RegExp(`^/repos/${repo}/releases/(\\d+)/assets$`),
      (q: Request, m) => {
        const r = byId(m[1]!);
        const name = q.url.searchParams.get("name");
        if (r === undefined) return notFound;
        if (name === null || name === "")
          return json(422, {
            message: "Validation Failed",
            errors: [{ resource: "ReleaseAsset", code: "missing_field", field: "name" }],
          });
        if (r.assets.some((a) => a.name === name)) return validation("ReleaseAsset", "name");
        if (q.headers["content-type"] === undefined)
          return json(422, { message: "Validation Failed: content-type" });
        const asset: GithubAsset = {
          id: nextId++,
          name,
          size: q.body.length,
          state: "uploaded",
          data: q.body,
        };
        r.assets.push(asset);
        return json(201, assetJson(asset));
      },
    ],
    [
      "GET",
      /^\/storage\/(\d+)$/,
      (_q, m) => {
        const asset = state.releases.flatMap((r) => r.assets).find((a) => a.id === Number(m[1]));
        return asset === undefined
          ? notFound
          : { status: 200, body: asset.data, headers: { "content-type": "application/octet-stream" } };
      },
    ],
  ];
  const upload = await startFake({
    token,
    routes: uploadRoutes,
    unauthorized: json(401, { message: "Bad credentials" }),
    open: /^\/storage\//,
  });
  uploadOrigin = upload.url;

  const closeApi = fake.close;
  const fakeObject = Object.assign(fake, {
    upload,
    token,
    repository,
    close: async () => {
      await upload.close();
      await closeApi();
    },
  });
  // The live state (tests flip omitDigest, maxPerPage, permissions) is read through `state`.
  return new Proxy(fakeObject, {
    get: (t, k) => (k in state ? state[k as keyof typeof state] : t[k as keyof typeof t]),
    set: (t, k, v) => {
      if (k in state) (state as Record<string, unknown>)[k as string] = v;
      else (t as unknown as Record<string, unknown>)[k as string] = v;
      return true;
    },
  }) as unknown as GithubFake;
}
