/**
 * A loopback fake of Gitea's API (under /api/v1), built from the shapes of its swagger
 * (docs.gitea.com/api, the `swagger.v1.json` every instance serves; the same shapes as the
 * gitea-client crate's models on docs.rs):
 * - `GET /repos/{owner}/{repo}` (a Repository with `permissions {admin, push, pull}`);
 * - releases: `GET …/releases/tags/{tag}` 200/404, `POST …/releases` (CreateReleaseOption
 *   `{tag_name, name, body, draft, prerelease}`) 201, 409 when the tag has a release,
 *   `PATCH …/releases/{id}` (EditReleaseOption) 200;
 * - attachments: `GET …/releases/{id}/assets` (`page`/`limit`, `Link` and `X-Total-Count`),
 *   `POST …/releases/{id}/assets?name=` multipart field `attachment` 201,
 *   `DELETE …/releases/{id}/assets/{attachment_id}` 204; an Attachment is `{id, name, size,
 *   download_count, uuid, browser_download_url}`, without a digest; downloads are served on the
 *   web host at `/{owner}/{repo}/releases/download/{tag}/{name}`;
 * - statuses: `POST …/statuses/{sha}` (CreateStatusOption `{context, description, state,
 *   target_url}`; states pending, success, error, failure, warning) 201;
 * - branch protection: `GET/PATCH …/branch_protections/{name}`, `POST …/branch_protections`
 *   (`rule_name`/`branch_name`, `enable_status_check`, `status_check_contexts`, and the settings
 *   slipway does not own, such as `required_approvals`);
 * - auth: `Authorization: token …`; 401 `{"message": "token is required"}`-style answers.
 */
import { parseMultipart } from "../multipart.ts";
import { bodyJson, type FakeServer, json, paginate, type Route, startFake } from "./common.ts";

export interface GiteaRelease {
  id: number;
  tag_name: string;
  name: string;
  body: string;
  assets: { id: number; name: string; size: number; data: Buffer }[];
}

export interface GiteaFake extends FakeServer {
  token: string;
  releases: GiteaRelease[];
  statuses: { sha: string; state: string; context: string; description?: string; target_url?: string }[];
  protections: Map<string, Record<string, unknown>>;
  permissions: { admin: boolean; push: boolean; pull: boolean };
}

export async function startGiteaFake(
  options: { repository?: string; token?: string } = {},
): Promise<GiteaFake> {
  const token = options.token ?? "gitea_fake_token_0123456789abcdef";
  const repository = options.repository ?? "octo/demo";
  const repo = `/api/v1/repos/${repository.replace("/", "\\/")}`;
  const releases: GiteaRelease[] = [];
  const statuses: GiteaFake["statuses"] = [];
  const protections = new Map<string, Record<string, unknown>>();
  const permissions = { admin: true, push: true, pull: true };
  let nextId = 1;
  let web = "";
  const notFound = json(404, { message: "The target couldn't be found.", errors: [] });
  const assetJson = (r: GiteaRelease, a: GiteaRelease["assets"][number]) => ({
    id: a.id,
    name: a.name,
    size: a.size,
    download_count: 0,
    uuid: `uuid-${a.id}`,
    browser_download_url: `${web}/${repository}/releases/download/${r.tag_name}/${a.name}`,
  });
  const releaseJson = (r: GiteaRelease) => ({
    id: r.id,
    tag_name: r.tag_name,
    name: r.name,
    body: r.body,
    draft: false,
    prerelease: false,
    html_url: `${web}/${repository}/releases/tag/${r.tag_name}`,
    assets: r.assets.map((a) => assetJson(r, a)),
  });
  const byId = (id: string) => releases.find((r) => r.id === Number(id));
  const routes: Route[] = [
    ["GET", new RegExp(`^${repo}$`), () => json(200, { id: 1, full_name: repository, permissions })],
    [
      "GET",
      new RegExp(`^${repo}/releases/tags/(.+)$`),
      (_q, m) => {
        const r = releases.find((x) => x.tag_name === decodeURIComponent(m[1]!));
        return r === undefined ? notFound : json(200, releaseJson(r));
      },
    ],
    [
      "POST",
      new RegExp(`^${repo}/releases$`),
      (q) => {
        const b = bodyJson(q);
        if (typeof b["tag_name"] !== "string") return json(422, { message: "[TagName]: Required" });
        if (releases.some((r) => r.tag_name === b["tag_name"]))
          return json(409, { message: "Release is has no Tag" });
        const r: GiteaRelease = {
          id: nextId++,
          tag_name: b["tag_name"],
          name: String(b["name"] ?? ""),
          body: String(b["body"] ?? ""),
          assets: [],
        };
        releases.push(r);
        return json(201, releaseJson(r));
      },
    ],
    [
      "PATCH",
      new RegExp(`^${repo}/releases/(\\d+)$`),
      (q, m) => {
        const r = byId(m[1]!);
        if (r === undefined) return notFound;
        const b = bodyJson(q);
        if (typeof b["body"] === "string") r.body = b["body"];
        return json(200, releaseJson(r));
      },
    ],
    [
      "GET",
      new RegExp(`^${repo}/releases/(\\d+)/assets$`),
      (q, m) => {
        const r = byId(m[1]!);
        return r === undefined
          ? notFound
          : paginate(
              q,
              r.assets.map((a) => assetJson(r, a)),
              "limit",
              50,
            );
      },
    ],
    [
      "POST",
      new RegExp(`^${repo}/releases/(\\d+)/assets$`),
      (q, m) => {
        const r = byId(m[1]!);
        if (r === undefined) return notFound;
        const part = parseMultipart(q.body, String(q.headers["content-type"])).find(
          (p) => p.name === "attachment",
        );
        if (part === undefined) return json(400, { message: "attachment is required" });
        const name = q.url.searchParams.get("name") ?? part.filename ?? "";
        const asset = { id: nextId++, name, size: part.data.length, data: part.data };
        r.assets.push(asset);
        return json(201, assetJson(r, asset));
      },
    ],
    [
      "DELETE",
      new RegExp(`^${repo}/releases/(\\d+)/assets/(\\d+)$`),
      (_q, m) => {
        const r = byId(m[1]!);
        const i = r?.assets.findIndex((a) => a.id === Number(m[2])) ?? -1;
        if (r === undefined || i < 0) return notFound;
        r.assets.splice(i, 1);
        return { status: 204 };
      },
    ],
    [
      "GET",
      new RegExp(`^/${repository.replace("/", "\\/")}/releases/download/([^/]+)/([^/]+)$`),
      (_q, m) => {
        const r = releases.find((x) => x.tag_name === decodeURIComponent(m[1]!));
        const a = r?.assets.find((x) => x.name === decodeURIComponent(m[2]!));
        return a === undefined ? notFound : { status: 200, body: a.data };
      },
    ],
    [
      "POST",
      new RegExp(`^${repo}/statuses/([0-9a-f]{40})$`),
      (q, m) => {
        const b = bodyJson(q);
        if (!["pending", "success", "error", "failure", "warning"].includes(String(b["state"]))) {
          return json(422, { message: "[State]: invalid" });
        }
        const entry = {
          sha: m[1]!,
          state: String(b["state"]),
          context: String(b["context"] ?? ""),
          ...(typeof b["description"] === "string" ? { description: b["description"] } : {}),
          ...(typeof b["target_url"] === "string" ? { target_url: b["target_url"] } : {}),
        };
        statuses.push(entry);
        return json(201, { id: statuses.length, status: entry.state, ...entry });
      },
    ],
    [
      "GET",
      new RegExp(`^${repo}/branch_protections/([^/]+)$`),
      (_q, m) => {
        const p = protections.get(decodeURIComponent(m[1]!));
        return p === undefined ? notFound : json(200, p);
      },
    ],
    [
      "POST",
      new RegExp(`^${repo}/branch_protections$`),
      (q) => {
        if (!permissions.admin)
          return json(403, { message: "user should be an owner or a collaborator with admin write" });
        const b = bodyJson(q);
        const name = String(b["rule_name"] ?? b["branch_name"] ?? "");
        if (protections.has(name)) return json(403, { message: "Branch protection already exist" });
        const p = {
          rule_name: name,
          branch_name: name,
          enable_status_check: false,
          status_check_contexts: [],
          required_approvals: 0,
          ...b,
        };
        protections.set(name, p);
        return json(201, p);
      },
    ],
    [
      "PATCH",
      new RegExp(`^${repo}/branch_protections/([^/]+)$`),
      (q, m) => {
        const p = protections.get(decodeURIComponent(m[1]!));
        if (p === undefined) return notFound;
        Object.assign(p, bodyJson(q));
        return json(200, p);
      },
    ],
  ];
  const fake = await startFake({
    token,
    routes,
    unauthorized: json(401, { message: "user does not exist [uid: 0, name: ]" }),
    open: /\/releases\/download\//,
  });
  web = fake.url;
  return Object.assign(fake, { token, releases, statuses, protections, permissions });
}
