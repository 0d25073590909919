/**
 * A multipart/form-data reader for the tests (RFC 7578), written independently of the encoder
 * under test, and a loopback server that records requests, to see exactly what a client sends.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface Part {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

/** Splits a multipart body into its parts; throws on a malformed body. */
export function parseMultipart(body: Buffer, contentType: string): Part[] {
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  if (!boundary) throw new Error(`no boundary in ${contentType}`);
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const parts: Part[] = [];
  let at = body.indexOf(delimiter);
  if (at !== 0) throw new Error("the body does not start with the boundary");
  for (;;) {
    at += delimiter.length;
    if (body.subarray(at, at + 2).toString() === "--") break;
    if (body.subarray(at, at + 2).toString() !== "\r\n") throw new Error("no CRLF after a boundary");
    at += 2;
    const headerEnd = body.indexOf("\r\n\r\n", at);
    if (headerEnd < 0) throw new Error("a part has no header end");
    const headers = body.subarray(at, headerEnd).toString("utf8").split("\r\n");
    const next = body.indexOf(Buffer.concat([Buffer.from("\r\n"), delimiter]), headerEnd + 4);
    if (next < 0) throw new Error("a part has no closing boundary");
    const part: Part = { name: "", data: body.subarray(headerEnd + 4, next) };
    for (const header of headers) {
      const [key = "", ...rest] = header.split(":");
      const value = rest.join(":").trim();
      if (key.toLowerCase() === "content-disposition") {
        part.name = /\bname="([^"]*)"/.exec(value)?.[1] ?? "";
        const filename = /\bfilename="([^"]*)"/.exec(value)?.[1];
        if (filename !== undefined) part.filename = filename;
      } else if (key.toLowerCase() === "content-type") part.contentType = value;
    }
    parts.push(part);
    at = next + 2;
  }
  return parts;
}

export interface Captured {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface CaptureServer {
  url: string;
  requests: Captured[];
  close(): Promise<void>;
}

/** A loopback server recording every request; `answer` decides the response (default 200 ""). */
export async function startCapture(
  answer: (req: Captured, res: ServerResponse) => void = (_req, res) => res.end(),
): Promise<CaptureServer> {
  const requests: Captured[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const captured = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      requests.push(captured);
      answer(captured, res);
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
