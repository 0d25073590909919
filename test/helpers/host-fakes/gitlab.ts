/**
 * A loopback fake of GitLab's REST API (under /api/v4), built from the documented shapes:
 * - projects: docs.gitlab.com/api/projects (`GET /projects/:id` with the URL-encoded path as id;
 *   `PUT /projects/:id` with `only_allow_merge_if_pipeline_succeeds`);
 * - releases: docs.gitlab.com/api/releases (`GET /projects/:id/releases/:tag_name` 200/404,
 *   `POST /projects/:id/releases` `{tag_name, name, description}` 201, 409 "Release already
 *   exists", `PUT /projects/:id/releases/:tag_name` 200; `_links.self`);
 * - release links: docs.gitlab.com/api/releases/links (`GET|POST
 *   /projects/:id/releases/:tag_name/assets/links`, `{name, url, link_type}`, 201; 422 "has
 *   already been taken" for a second link of a name);
 * - generic packages: docs.gitlab.com/user/packages/generic_packages (`PUT
 *   /projects/:id/packages/generic/:package_name/:package_version/:file_name` raw body, 201
 *   `{"message":"201 Created"}`) and docs.gitlab.com/api/packages (`GET /projects/:id/packages`
 *   with `package_type`/`package_name`, `GET /projects/:id/packages/:package_id/package_files`
 *   with `file_name`, `size`, `file_sha256`); pagination by `page`/`per_page` with `Link`;
 * - statuses: docs.gitlab.com/api/commits ("Set the pipeline status of a commit", `POST
 *   /projects/:id/statuses/:sha`, state pending|running|success|failed|canceled, `name`) 201;
 * - protected branches: docs.gitlab.com/api/protected_branches (`GET
 *   /projects/:id/protected_branches/:name` 404 when unprotected, `POST
 *   /projects/:id/protected_branches?name=…` 201);
 * - auth: `PRIVATE-TOKEN`; 401 `{"message":"401 Unauthorized"}`; rate limits: 429 with
 *   `Retry-After` and `RateLimit-Reset` (docs.gitlab.com/security/rate_limits).
 */
import { createHash } from "node:crypto";
import { bodyJson, type FakeServer, json, paginate, type Route, startFake } from "./common.ts";

export interface GitlabRelease {
  tag_name: string;
  name: string;
  description: string;
  links: { id: number; name: string; url: string; link_type: string }[];
}

export interface GitlabFile {
  id: number;
  package: string;
  version: string;
  file_name: string;
  size: number;
  file_sha256: string;
  data: Buffer;
}

export interface GitlabFake extends FakeServer {
  token: string;
  releases: GitlabRelease[];
  files: GitlabFile[];
  statuses: { sha: string; state: string; name: string; description?: string; target_url?: string }[];
  protectedBranches: Map<string, Record<string, unknown>>;
  project: Record<string, unknown>;
}

export async function startGitLabFake(
  options: { repository?: string; token?: string } = {},
): Promise<GitlabFake> {
  const token = options.token ?? "glpat-fakeTokenForTests0123";
  const repository = options.repository ?? "group/sub/demo";
  const id = encodeURIComponent(repository);
  const base = `/api/v4/projects/(?:${id.replace(/[.]/g, "\\.")}|42)`;
  const releases: GitlabRelease[] = [];
  const files: GitlabFile[] = [];
  const statuses: GitlabFake["statuses"] = [];
  const protectedBranches = new Map<string, Record<string, unknown>>();
  const project: Record<string, unknown> = {
    id: 42,
    path_with_namespace: repository,
    default_branch: "main",
    only_allow_merge_if_pipeline_succeeds: false,
  };
  const packages = new Map<string, number>();
  let nextId = 1;
  let web = "";
  const notFound = (what = "404 Not found") => json(404, { message: what });
  const releaseJson = (r: GitlabRelease) => ({
    tag_name: r.tag_name,
    name: r.name,
    description: r.description,
    assets: { links: r.links },
    _links: { self: `${web}/${repository}/-/releases/${r.tag_name}` },
  });
  const release = (tag: string) => releases.find((r) => r.tag_name === decodeURIComponent(tag));
  const routes: Route[] = [
    ["GET", new RegExp(`^${base}$`), () => json(200, project)],
    [
      "PUT",
      new RegExp(`^${base}$`),
      (q) => {
        Object.assign(project, bodyJson(q));
        return json(200, project);
      },
    ],
    [
      "GET",
      new RegExp(`^${base}/releases/([^/]+)$`),
      (_q, m) => {
        const r = release(m[1]!);
        return r === undefined ? notFound() : json(200, releaseJson(r));
      },
    ],
    [
      "POST",
      new RegExp(`^${base}/releases$`),
      (q) => {
        const b = bodyJson(q);
        if (typeof b["tag_name"] !== "string") return json(400, { error: "tag_name is missing" });
        if (release(b["tag_name"]) !== undefined) return json(409, { message: "Release already exists" });
        const r: GitlabRelease = {
          tag_name: b["tag_name"],
          name: String(b["name"] ?? ""),
          description: String(b["description"] ?? ""),
          links: [],
        };
        releases.push(r);
        return json(201, releaseJson(r));
      },
    ],
    [
      "PUT",
      new RegExp(`^${base}/releases/([^/]+)$`),
      (q, m) => {
        const r = release(m[1]!);
        if (r === undefined) return notFound();
        const b = bodyJson(q);
        if (typeof b["description"] === "string") r.description = b["description"];
        return json(200, releaseJson(r));
      },
    ],
    [
      "GET",
      new RegExp(`^${base}/releases/([^/]+)/assets/links$`),
      (q, m) => {
        const r = release(m[1]!);
        return r === undefined ? notFound() : paginate(q, r.links, "per_page", 100);
      },
    ],
    [
      "POST",
      new RegExp(`^${base}/releases/([^/]+)/assets/links$`),
      (q, m) => {
        const r = release(m[1]!);
        if (r === undefined) return notFound();
        const b = bodyJson(q);
        if (r.links.some((l) => l.name === b["name"]))
          return json(422, { message: { name: ["has already been taken"] } });
        const link = {
          id: nextId++,
          name: String(b["name"]),
          url: String(b["url"]),
          link_type: String(b["link_type"] ?? "other"),
        };
        r.links.push(link);
        return json(201, link);
      },
    ],
    [
      "PUT",
      new RegExp(`^${base}/packages/generic/([^/]+)/([^/]+)/([^/]+)$`),
      (q, m) => {
        const [pkg, version, name] = [m[1]!, m[2]!, m[3]!].map(decodeURIComponent) as [
          string,
          string,
          string,
        ];
        if (!/^[A-Za-z0-9._-]+$/.test(pkg) || !/^(\.?[\w+-]+\.?)+$/.test(version))
          return json(400, { error: "package_name is invalid" });
        const key = `${pkg}@${version}`;
        if (!packages.has(key)) packages.set(key, nextId++);
        files.push({
          id: nextId++,
          package: pkg,
          version,
          file_name: name,
          size: q.body.length,
          file_sha256: createHash("sha256").update(q.body).digest("hex"),
          data: q.body,
        });
        return json(201, { message: "201 Created" });
      },
    ],
    [
      "GET",
      new RegExp(`^${base}/packages$`),
      (q) => {
        const name = q.url.searchParams.get("package_name");
        const list = [...packages]
          .map(([key, pid]) => ({
            id: pid,
            name: key.split("@")[0],
            version: key.split("@")[1],
            package_type: "generic",
          }))
          .filter((p) => name === null || p.name === name);
        return paginate(q, list, "per_page", 100);
      },
    ],
    [
      "GET",
      new RegExp(`^${base}/packages/(\\d+)/package_files$`),
      (q, m) => {
        const key = [...packages].find(([, pid]) => pid === Number(m[1]))?.[0];
        if (key === undefined) return notFound("404 Package Not Found");
        const list = files
          .filter((f) => `${f.package}@${f.version}` === key)
          .map((f) => ({
            id: f.id,
            package_id: Number(m[1]),
            file_name: f.file_name,
            size: f.size,
            file_sha256: f.file_sha256,
          }));
        return paginate(q, list, "per_page", 100);
      },
    ],
    [
      "POST",
      new RegExp(`^${base}/statuses/([0-9a-f]{40})$`),
      (q, m) => {
        const b = bodyJson(q);
        if (!["pending", "running", "success", "failed", "canceled"].includes(String(b["state"]))) {
          return json(400, { error: "state does not have a valid value" });
        }
        const entry = {
          sha: m[1]!,
          state: String(b["state"]),
          name: String(b["name"] ?? b["context"] ?? "default"),
          ...(typeof b["description"] === "string" ? { description: b["description"] } : {}),
          ...(typeof b["target_url"] === "string" ? { target_url: b["target_url"] } : {}),
        };
        statuses.push(entry);
        return json(201, { id: statuses.length, status: entry.state, ...entry });
      },
    ],
    [
      "GET",
      new RegExp(`^${base}/protected_branches/([^/]+)$`),
      (_q, m) => {
        const p = protectedBranches.get(decodeURIComponent(m[1]!));
        return p === undefined ? notFound() : json(200, p);
      },
    ],
    [
      "POST",
      new RegExp(`^${base}/protected_branches$`),
      (q) => {
        const name = q.url.searchParams.get("name") ?? String(bodyJson(q)["name"] ?? "");
        if (protectedBranches.has(name))
          return json(409, { message: "Protected branch 'main' already exists" });
        const p = {
          id: nextId++,
          name,
          push_access_levels: [{ access_level: 40 }],
          merge_access_levels: [{ access_level: 40 }],
          allow_force_push: false,
        };
        protectedBranches.set(name, p);
        return json(201, p);
      },
    ],
  ];
  const fake = await startFake({ token, routes, unauthorized: json(401, { message: "401 Unauthorized" }) });
  web = fake.url;
  return Object.assign(fake, { token, releases, files, statuses, protectedBranches, project });
}
