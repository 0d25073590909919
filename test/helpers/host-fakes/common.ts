/**
 * What the three host fakes share: a loopback server with a route table, the token check,
 * a request log (method, path, which auth header came: never its value), paginated lists with
 * `Link` headers, and fault injection: the next N requests matching a method and path answer a
 * given status, headers and body (a 5xx, a primary or secondary rate limit, a 401...).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface Fault {
  method: string;
  path: RegExp;
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** How many matching requests it answers (default 1). */
  times?: number;
  /** How many matching requests pass untouched first (default 0). */
  skip?: number;
  /** Answer after the real handler ran (the effect happened, the answer was lost). */
  after?: boolean;
}

export interface Logged {
  method: string;
  path: string;
  /** Which auth header the request carried, not its value. */
  auth: "bearer" | "token" | "private-token" | "none";
  /** Whether the header carried the fake's token. */
  authorized: boolean;
  status: number;
}

export interface Request {
  method: string;
  url: URL;
  headers: IncomingMessage["headers"];
  body: Buffer;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** JSON-encoded unless a Buffer. */
  body?: unknown;
}

export type Handler = (req: Request, match: RegExpExecArray) => Reply | Promise<Reply>;
export type Route = [method: string, path: RegExp, handler: Handler];

export interface FakeServer {
  url: string;
  log: Logged[];
  faults: Fault[];
  /** Adds a fault; see Fault. */
  fail(fault: Fault): void;
  close(): Promise<void>;
}

export const json = (status: number, body: unknown, headers?: Record<string, string>): Reply =>
  headers === undefined ? { status, body } : { status, body, headers };

/**
 * A page of `items` as `?page=N&<perPageKey>=M` asks (the hosts' page parameters), with a
 * `Link` header to the next and last pages as RFC 8288 writes them.
 */
export function paginate(req: Request, items: unknown[], perPageKey: string, maxPerPage: number): Reply {
  const perPage = Math.min(Math.max(Number(req.url.searchParams.get(perPageKey) ?? 30) || 30, 1), maxPerPage);
  const page = Math.max(Number(req.url.searchParams.get("page") ?? 1) || 1, 1);
  const last = Math.max(Math.ceil(items.length / perPage), 1);
  const links: string[] = [];
  const at = (n: number) => {
    const u = new URL(req.url.href);
    u.searchParams.set("page", String(n));
    u.searchParams.set(perPageKey, String(perPage));
    return u.href;
  };
  if (page < last) links.push(`<${at(page + 1)}>; rel="next"`, `<${at(last)}>; rel="last"`);
  const headers: Record<string, string> = { "x-total-count": String(items.length) };
  if (links.length > 0) headers["link"] = links.join(", ");
  return { status: 200, body: items.slice((page - 1) * perPage, page * perPage), headers };
}

function authOf(req: IncomingMessage, token: string): Pick<Logged, "auth" | "authorized"> {
  const header = req.headers.authorization;
  const priv = req.headers["private-token"];
  if (typeof priv === "string") return { auth: "private-token", authorized: priv === token };
  if (header?.startsWith("Bearer ")) return { auth: "bearer", authorized: header.slice(7) === token };
  if (header?.startsWith("token ")) return { auth: "token", authorized: header.slice(6) === token };
  return { auth: "none", authorized: false };
}

function send(res: ServerResponse, reply: Reply): void {
  const body = Buffer.isBuffer(reply.body)
    ? reply.body
    : reply.body === undefined
      ? Buffer.alloc(0)
      : Buffer.from(JSON.stringify(reply.body));
  const headers: Record<string, string> = { ...(reply.headers ?? {}) };
  if (!Buffer.isBuffer(reply.body) && reply.body !== undefined)
    headers["content-type"] ??= "application/json";
  headers["content-length"] = String(body.length);
  res.writeHead(reply.status, headers);
  res.end(body);
}

/**
 * Starts a fake on loopback. `routes` see every request that passed the token check (`open`
 * paths skip it: downloads); `unauthorized` is the host's 401 answer.
 */
export async function startFake(options: {
  token: string;
  routes: Route[];
  unauthorized: Reply;
  open?: RegExp;
}): Promise<FakeServer & { server: Server }> {
  const log: Logged[] = [];
  const faults: Fault[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "127.0.0.1"}`);
      const method = req.method ?? "GET";
      const path = url.pathname;
      const auth = authOf(req, options.token);
      const entry: Logged = { method, path: `${path}${url.search}`, ...auth, status: 0 };
      log.push(entry);
      const reply = (r: Reply) => {
        entry.status = r.status;
        send(res, r);
      };
      let fault = faults.find((f) => f.method === method && f.path.test(path));
      if (fault !== undefined && (fault.skip ?? 0) > 0) {
        fault.skip = (fault.skip ?? 0) - 1;
        fault = undefined;
      }
      if (fault !== undefined) {
        fault.times = (fault.times ?? 1) - 1;
        if (fault.times <= 0) faults.splice(faults.indexOf(fault), 1);
      }
      const faultReply: Reply | undefined =
        fault === undefined
          ? undefined
          : {
              status: fault.status,
              body: fault.body ?? { message: `injected ${fault.status}` },
              ...(fault.headers ? { headers: fault.headers } : {}),
            };
      if (faultReply !== undefined && !fault?.after) return reply(faultReply);
      if (!auth.authorized && !options.open?.test(path)) return reply(options.unauthorized);
      const request: Request = { method, url, headers: req.headers, body: Buffer.concat(chunks) };
      for (const [m, pattern, handler] of options.routes) {
        const match = m === method ? pattern.exec(path) : null;
        if (match === null) continue;
        try {
          const r = await handler(request, match);
          return reply(faultReply ?? r);
        } catch (error) {
          return reply({ status: 500, body: { message: String(error) } });
        }
      }
      reply({ status: 404, body: { message: "Not Found" } });
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    log,
    faults,
    fail: (f) => faults.push(f),
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export function bodyJson(req: Request): Record<string, unknown> {
  try {
    const v = JSON.parse(req.body.toString("utf8"));
    return typeof v === "object" && v !== null ? v : {};
  } catch {
    return {};
  }
}
