/**
 * Talking to a package index the raw way, for the embedded index's tests: HTTP requests with exact
 * paths, multipart upload forms, small installable wheels, and validators for the simple API's
 * JSON (PEP 691/700/658/714) and HTML (PEP 503) pages.
 */
import { createHash, randomBytes } from "node:crypto";
import { readdirSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { join } from "node:path";
import { buildZip, recordHash } from "./zip-writer.ts";

export interface RawResponse {
  status: number;
  statusMessage: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** One HTTP request with the path sent exactly as given (no URL normalization on our side). */
export function rawRequest(
  base: string,
  path: string,
  options: { method?: string; headers?: Record<string, string | number>; body?: Buffer } = {},
): Promise<RawResponse> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, method: options.method ?? "GET", path, headers: options.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            statusMessage: res.statusMessage ?? "",
            headers: res.headers,
            body: Buffer.concat(chunks),
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

export const sha256 = (data: Uint8Array): string => createHash("sha256").update(data).digest("hex");

/** Uploads in flight on an index root: the files in its processes' `.tmp/<owner>/` directories, not their owner markers. */
export const tempUploads = (root: string): string[] =>
  readdirSync(join(root, ".tmp"), { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && d.name !== ".owner")
    .map((d) => join(d.parentPath, d.name));

type Fields = readonly (readonly [string, string])[];

/** A multipart/form-data body: text fields in order, then the file part, then `trailing` fields. */
export function multipart(
  fields: Fields,
  file?: { field?: string; filename: string; bytes: Uint8Array; type?: string },
  trailing: Fields = [],
): { body: Buffer; contentType: string } {
  const boundary = `----slipway${randomBytes(8).toString("hex")}`;
  const parts: Buffer[] = [];
  const text = (name: string, value: string) =>
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
  for (const [name, value] of fields) parts.push(text(name, value));
  if (file) {
    const disposition = `form-data; name="${file.field ?? "content"}"; filename="${file.filename}"`;
    const type = file.type ?? "application/octet-stream";
    parts.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\nContent-Type: ${type}\r\n\r\n`),
    );
    parts.push(Buffer.from(file.bytes), Buffer.from("\r\n"));
  }
  for (const [name, value] of trailing) parts.push(text(name, value));
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

export interface UploadSpec {
  filename: string;
  bytes: Uint8Array;
  name: string;
  version: string;
  /** Overrides and additions; a value of `null` leaves the field out. */
  fields?: Record<string, string | null>;
  auth?: string | null;
  accept?: string;
}

export const basicAuth = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

/** The form twine sends for one file (the fields that matter to an index), as a raw request. */
export function uploadRaw(uploadUrl: string, token: string, spec: UploadSpec): Promise<RawResponse> {
  const isWheel = spec.filename.endsWith(".whl");
  const defaults: Record<string, string | null> = {
    ":action": "file_upload",
    protocol_version: "1",
    metadata_version: "2.4",
    name: spec.name,
    version: spec.version,
    filetype: isWheel ? "bdist_wheel" : "sdist",
    pyversion: isWheel ? "py3" : "source",
    sha256_digest: sha256(spec.bytes),
    requires_python: "",
  };
  const merged = { ...defaults, ...spec.fields };
  const fields = Object.entries(merged).filter((e): e is [string, string] => e[1] !== null);
  const { body, contentType } = multipart(fields, { filename: spec.filename, bytes: spec.bytes });
  const url = new URL(uploadUrl);
  const auth = spec.auth === undefined ? basicAuth("__token__", token) : spec.auth;
  return rawRequest(url.origin, `${url.pathname}${url.search}`, {
    method: "POST",
    body,
    headers: {
      "Content-Type": contentType,
      "Content-Length": body.length,
      ...(auth === null ? {} : { Authorization: auth }),
      ...(spec.accept === undefined ? {} : { Accept: spec.accept }),
    },
  });
}

/** An installable pure-Python wheel; `salt` changes its bytes without changing what it is. */
export function makeWheel(options: {
  name: string;
  version: string;
  requires?: string[];
  requiresPython?: string;
  salt?: string;
}): { filename: string; bytes: Buffer; metadata: string } {
  const dist = options.name.toLowerCase().replace(/[-_.]+/g, "_");
  const di = `${dist}-${options.version}.dist-info`;
  const metadata = [
    "Metadata-Version: 2.4",
    `Name: ${options.name}`,
    `Version: ${options.version}`,
    ...(options.requiresPython ? [`Requires-Python: ${options.requiresPython}`] : []),
    ...(options.requires ?? []).map((r) => `Requires-Dist: ${r}`),
    "",
    "",
  ].join("\n");
  const files: Record<string, string> = {
    [`${dist}/__init__.py`]: `VERSION = "${options.version}"\nSALT = "${options.salt ?? ""}"\n`,
    [`${di}/METADATA`]: metadata,
    [`${di}/WHEEL`]:
      "Wheel-Version: 1.0\nGenerator: slipway-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
  };
  const rows = Object.entries(files).map(([n, d]) => `${n},sha256=${recordHash(d)},${Buffer.byteLength(d)}`);
  rows.push(`${di}/RECORD,,`);
  files[`${di}/RECORD`] = `${rows.join("\n")}\n`;
  const entries = Object.entries(files).map(([name, data]) => ({ name, data, mode: 0o100644 }));
  return { filename: `${dist}-${options.version}-py3-none-any.whl`, bytes: buildZip({ entries }), metadata };
}

const HEX64 = /^[0-9a-f]{64}$/;
const ISO_Z = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?Z$/;

type Json = Record<string, unknown>;

function checkHashes(where: string, value: unknown, problems: string[]): void {
  if (typeof value !== "object" || value === null) return void problems.push(`${where}: not a hash object`);
  for (const [alg, digest] of Object.entries(value)) {
    if (alg !== alg.toLowerCase()) problems.push(`${where}: hash name ${alg} is not lowercase`);
    if (typeof digest !== "string" || !/^[0-9a-f]+$/.test(digest)) problems.push(`${where}.${alg}: not hex`);
  }
}

/**
 * Problems with a PEP 691 JSON project page at api-version ≥ 1.1 (empty when valid): meta,
 * normalized name, `versions` (PEP 700), and each file's required and optional keys.
 */
export function validateJsonProject(page: Json, name: string): string[] {
  const problems: string[] = [];
  const meta = page["meta"] as Json | undefined;
  const version = String(meta?.["api-version"] ?? "");
  if (!/^1\.([1-9]\d*)$/.test(version)) problems.push(`meta.api-version ${version} is not 1.x with x ≥ 1`);
  if (page["name"] !== name) problems.push(`name ${String(page["name"])} is not ${name}`);
  const versions = page["versions"];
  if (!Array.isArray(versions) || !versions.every((v) => typeof v === "string")) {
    problems.push("versions is not an array of strings");
  } else if (new Set(versions).size !== versions.length) problems.push("versions has duplicates");
  const files = page["files"];
  if (!Array.isArray(files)) return [...problems, "files is not an array"];
  files.forEach((file: Json, i) => {
    const at = `files[${i}]`;
    if (typeof file["filename"] !== "string" || file["filename"].includes("/"))
      problems.push(`${at}.filename`);
    if (typeof file["url"] !== "string") problems.push(`${at}.url is not a string`);
    checkHashes(`${at}.hashes`, file["hashes"], problems);
    if (!HEX64.test(String((file["hashes"] as Json | undefined)?.["sha256"])))
      problems.push(`${at}: no sha256`);
    const rp = file["requires-python"];
    if (rp !== undefined && rp !== null && typeof rp !== "string") problems.push(`${at}.requires-python`);
    if (!Number.isInteger(file["size"]) || (file["size"] as number) < 0) problems.push(`${at}.size`);
    if (file["upload-time"] !== undefined && !ISO_Z.test(String(file["upload-time"])))
      problems.push(`${at}.upload-time`);
    const yanked = file["yanked"];
    if (
      yanked !== undefined &&
      typeof yanked !== "boolean" &&
      !(typeof yanked === "string" && yanked !== "")
    ) {
      problems.push(`${at}.yanked`);
    }
    const core = file["core-metadata"];
    if (core !== undefined && typeof core !== "boolean") checkHashes(`${at}.core-metadata`, core, problems);
    // PEP 714: the legacy key is for HTML only; pip 22.3–23.0 crash on it in JSON.
    if ("dist-info-metadata" in file) problems.push(`${at}: the legacy dist-info-metadata key (PEP 714)`);
  });
  return problems;
}

export interface Anchor {
  href: string;
  text: string;
  /** Attribute values as written (still HTML-escaped). */
  attrs: Record<string, string>;
}

/** The anchors of an HTML page (double-quoted attributes, as PEP 503 pages write them). */
export function htmlAnchors(html: string): Anchor[] {
  return [...html.matchAll(/<a\s([^>]*)>([^<]*)<\/a>/g)].map((m) => {
    const attrs: Record<string, string> = {};
    for (const a of (m[1] ?? "").matchAll(/([a-z-]+)="([^"]*)"/g)) attrs[a[1] ?? ""] = a[2] ?? "";
    return { href: attrs["href"] ?? "", text: m[2] ?? "", attrs };
  });
}

/** Problems with a PEP 503 project page: repository version, `#sha256=` fragments, escaped data attributes. */
export function validateHtmlProject(html: string): string[] {
  const problems: string[] = [];
  if (!/^<!DOCTYPE html>/i.test(html)) problems.push("no <!DOCTYPE html>");
  const meta = /<meta name="pypi:repository-version" content="(1\.\d+)">/.exec(html);
  if (!meta) problems.push("no pypi:repository-version meta tag");
  for (const anchor of htmlAnchors(html)) {
    const at = anchor.text;
    if (!/#sha256=[0-9a-f]{64}$/.test(anchor.href)) problems.push(`${at}: href has no #sha256= fragment`);
    for (const [key, value] of Object.entries(anchor.attrs)) {
      if (/[<>]/.test(value)) problems.push(`${at}: ${key} is not HTML-escaped`);
    }
    const core = anchor.attrs["data-core-metadata"];
    const legacy = anchor.attrs["data-dist-info-metadata"];
    if (core !== legacy) problems.push(`${at}: data-core-metadata and data-dist-info-metadata differ`);
    if (core !== undefined && core !== "true" && !/^sha256=[0-9a-f]{64}$/.test(core)) {
      problems.push(`${at}: data-core-metadata is ${core}`);
    }
  }
  return problems;
}
