/**
 * PyPI's integrity API (warehouse api/integrity.py, PEP 740):
 * `GET /integrity/<project>/<version>/<filename>/provenance` answers the provenance object stored
 * when the file was uploaded with attestations, as `application/vnd.pypi.integrity.v1+json`
 * (or `application/json`); 404 `{"message": …}` when the file has none or is not here, 406
 * `{"message": "Request not acceptable"}` when the Accept header takes neither type.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { INTEGRITY_MEDIA_TYPE } from "../core/attest/provenance.ts";
import { parseSdistFilename, parseWheelFilename } from "../core/names/filename.ts";
import { isValidName, normalizeName } from "../core/names/name.ts";
import { compareVersions, parseVersion } from "../core/pep440/version.ts";
import { negotiate } from "../core/simple/negotiate.ts";
import { sendBody } from "./respond.ts";
import type { IndexStore } from "./store.ts";

const OFFERS = [INTEGRITY_MEDIA_TYPE, "application/json"];

/** The version part of a distribution filename, as written; undefined when it does not parse. */
function filenameVersion(filename: string): string | undefined {
  const parsed = filename.endsWith(".whl") ? parseWheelFilename(filename) : parseSdistFilename(filename);
  return parsed.ok ? parsed.value.version : undefined;
}

/** `integrity/<project>/<version>/<filename>/provenance`, relative to the index's root. */
export function provenancePath(project: string, filename: string): string {
  const version = filenameVersion(filename) ?? "";
  return `integrity/${project}/${encodeURIComponent(version)}/${encodeURIComponent(filename)}/provenance`;
}

function sendJson(req: IncomingMessage, res: ServerResponse, status: number, value: unknown): void {
  sendBody(req, res, status, `${JSON.stringify(value)}\n`, {
    "Content-Type": "application/json",
    Vary: "Accept",
  });
}

/** Whether `a` and `b` are the same PEP 440 version (1.0 is 1.0.0). */
function sameVersion(a: string, b: string): boolean {
  const x = parseVersion(a);
  const y = parseVersion(b);
  return x !== undefined && y !== undefined && compareVersions(x, y) === 0;
}

/** Answers one provenance request for `project`, `version`, `filename` (path segments, decoded). */
export async function serveProvenance(
  store: IndexStore,
  req: IncomingMessage,
  res: ServerResponse,
  segment: { project: string; version: string; filename: string },
): Promise<void> {
  const type = negotiate(req.headers.accept, OFFERS);
  if (type === undefined) return sendJson(req, res, 406, { message: "Request not acceptable" });
  const { version, filename } = segment;
  const project = isValidName(segment.project) ? normalizeName(segment.project) : undefined;
  const fileVersion = filenameVersion(filename);
  const file =
    project === undefined || fileVersion === undefined || !sameVersion(fileVersion, version)
      ? undefined
      : await store.describe(project, filename);
  if (project === undefined || file === undefined) {
    return sendJson(req, res, 404, {
      message: `No file ${filename} of ${segment.project} ${version} on this index`,
    });
  }
  const provenance = await store.provenance(project, filename);
  if (provenance === undefined)
    return sendJson(req, res, 404, { message: `No provenance available for ${filename}` });
  // A stored file's provenance never changes: its sha256 is its identity.
  sendBody(
    req,
    res,
    200,
    provenance,
    { "Content-Type": type, Vary: "Accept", "Cache-Control": "max-age=600" },
    `"${file.provenanceSha256 ?? ""}"`,
  );
}
