/** `GET /files/<project>/<filename>[.metadata]`: stored files, streamed, with length and ETag. */
import { open } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { pipeline } from "node:stream/promises";
import { notModified, sendError } from "./respond.ts";
import type { IndexStore } from "./store.ts";

const METADATA = ".metadata";

/**
 * Serves a distribution or its PEP 658 metadata. Only names the store lists are served, so no
 * request reaches a temp file, a sidecar or anything outside the project's directory.
 */
export async function serveFile(
  store: IndexStore,
  req: IncomingMessage,
  res: ServerResponse,
  project: string,
  filename: string,
): Promise<void> {
  const isMetadata = filename.endsWith(METADATA);
  const dist = isMetadata ? filename.slice(0, -METADATA.length) : filename;
  const info = await store.describe(project, dist);
  const sha256 = isMetadata ? info?.metadataSha256 : info?.sha256;
  if (sha256 === undefined) {
    sendError(req, res, 404, `No file '${filename}' in project '${project}' on this index.`);
    return;
  }
  // The sha256 is the content's identity, and a stored file never changes.
  const etag = `"${sha256}"`;
  const headers = {
    "Content-Type": "application/octet-stream",
    ETag: etag,
    "Cache-Control": "public, max-age=31536000, immutable",
  };
  if (notModified(req, etag)) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  const fh = await open(store.filePath(project, filename), "r");
  try {
    const { size } = await fh.stat();
    res.writeHead(200, { ...headers, "Content-Length": size });
    if (req.method === "HEAD") {
      res.end();
      return;
    }
    await pipeline(fh.createReadStream({ autoClose: false }), res);
  } catch {
    // The client went away mid-file; nothing to answer.
    res.destroy();
  } finally {
    await fh.close();
  }
}
