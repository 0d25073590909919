/** Keep-alive connection pools shared by uploads and lookups: one TCP/TLS handshake per index host. */
import type { Agent, request as httpRequest } from "node:http";

// getBuiltinModule, not `import`: an ES import of node:http also loads undici (its lazy
// WebSocket getters run when the namespace is built), about 60 ms and 14 MB for nothing here.
const http = process.getBuiltinModule("node:http");
const https = process.getBuiltinModule("node:https");

const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };

/** HTTP status code → standard reason phrase. */
export const STATUS_CODES: Readonly<Record<number, string | undefined>> = http.STATUS_CODES;

/** The request function and agent for a URL's scheme. */
export function transportFor(url: URL): { request: typeof httpRequest; agent: Agent } {
  return url.protocol === "https:"
    ? { request: https.request as typeof httpRequest, agent: agents.https }
    : { request: http.request, agent: agents.http };
}
