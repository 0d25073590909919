/**
 * A fault-injecting HTTP proxy for the publishing tests, in-process, on loopback. For each
 * request a `pick` function chooses what happens: pass it through, cut the connection in the
 * middle of the request body, pass it on but lose the answer, answer 500/503/429 itself (before
 * or after the index saw the request), or answer slowly or never.
 */
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";

export const FAULTS = [
  "pass",
  "drop-mid-body",
  "drop-after-forward",
  "error-500",
  "error-500-after-forward",
  "busy-503",
  "rate-429",
  "slow",
  "stall-after-forward",
] as const;

export type Fault = (typeof FAULTS)[number];

export interface FaultProxyOptions {
  /** Upstream base URL, e.g. the embedded index's `url`. */
  upstream: string;
  /** Chooses the fault for a request. */
  pick: (req: IncomingMessage) => Fault;
  /** Delay of a "slow" answer (shorter than the client's stall limit). */
  slowMs: number;
}

export interface FaultProxy {
  url: string;
  /** How often each fault was applied, by method. */
  counts: Map<string, number>;
  close(): Promise<void>;
}

/** Sends the request upstream (the whole body, or only `limit` bytes before giving up). */
function forward(
  upstream: URL,
  req: IncomingMessage,
  limit?: number,
): Promise<{ status: number; headers: IncomingMessage["headers"]; body: Buffer } | undefined> {
  return new Promise((resolve) => {
    const target = new URL(req.url ?? "/", upstream);
    const out = httpRequest(target, {
      method: req.method ?? "GET",
      headers: { ...req.headers, host: target.host },
      agent: false,
    });
    out.on("error", () => resolve(undefined));
    out.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on("error", () => resolve(undefined));
    });
    let sent = 0;
    req.on("data", (chunk: Buffer) => {
      if (limit !== undefined && sent + chunk.length >= limit) {
        out.write(chunk.subarray(0, Math.max(0, limit - sent)));
        out.destroy();
        req.socket.destroy();
        resolve(undefined);
        return;
      }
      sent += chunk.length;
      out.write(chunk);
    });
    req.on("end", () => out.end());
  });
}

function reply(
  res: ServerResponse,
  answer: { status: number; headers: IncomingMessage["headers"]; body: Buffer },
): void {
  const headers = { ...answer.headers };
  delete headers["transfer-encoding"];
  delete headers["connection"];
  delete headers["keep-alive"];
  headers["content-length"] = String(answer.body.length);
  res.writeHead(answer.status, headers);
  res.end(answer.body);
}

async function handle(
  options: FaultProxyOptions,
  upstream: URL,
  fault: Fault,
  req: IncomingMessage,
  res: ServerResponse,
) {
  const drain = () => new Promise<void>((done) => req.resume().on("end", done).on("close", done));
  switch (fault) {
    case "pass": {
      const answer = await forward(upstream, req);
      if (answer === undefined) return req.socket.destroy();
      return reply(res, answer);
    }
    case "slow": {
      const answer = await forward(upstream, req);
      await new Promise((r) => setTimeout(r, options.slowMs));
      if (answer === undefined) return req.socket.destroy();
      return reply(res, answer);
    }
    case "drop-mid-body": {
      const length = Number(req.headers["content-length"] ?? 0);
      if (length <= 1) {
        await drain();
        return req.socket.destroy();
      }
      await forward(upstream, req, Math.floor(length / 2));
      return req.socket.destroy();
    }
    case "drop-after-forward":
      await forward(upstream, req);
      return req.socket.destroy();
    case "error-500":
      await drain();
      return res.writeHead(500, { "Content-Type": "text/plain" }).end("injected 500");
    case "error-500-after-forward":
      await forward(upstream, req);
      return res.writeHead(500, { "Content-Type": "text/plain" }).end("injected 500 after the index took it");
    case "busy-503":
      await drain();
      return res.writeHead(503, { "Retry-After": "1", "Content-Type": "text/plain" }).end("injected 503");
    case "rate-429":
      await drain();
      return res.writeHead(429, { "Retry-After": "0", "Content-Type": "text/plain" }).end("injected 429");
    case "stall-after-forward":
      // The index has it; the client hears nothing until its own watchdog gives up.
      await forward(upstream, req);
      return;
  }
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const upstream = new URL(options.upstream);
  const counts = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const fault = options.pick(req);
    const key = `${req.method} ${fault}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    handle(options, upstream, fault, req, res).catch(() => req.socket.destroy());
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    counts,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
