/**
 * Reading an index's simple project page (PEP 691 JSON or PEP 503 HTML) as a client does, to
 * learn which files it holds and their sha256: the only evidence `publish` accepts for "already
 * there".
 */
import { parseSdistFilename, parseWheelFilename } from "../names/filename.ts";
import { normalizeName } from "../names/name.ts";
import { canonicalizeVersion } from "../pep440/version.ts";
import { fail, ok, type Parsed } from "../result.ts";

export interface RemoteFile {
  filename: string;
  /** Absolute URL of the file. */
  url: string;
  /** Lowercase hex sha256, when the page gives one. */
  sha256?: string;
  /** Absolute URL of the file's PEP 740 provenance, when the page gives one. */
  provenance?: string;
}

export interface RemoteListing {
  /** False when the project page was 404: the index holds no file of the project. */
  found: boolean;
  files: RemoteFile[];
}

const SHA256 = /^[0-9a-f]{64}$/i;

function absolute(href: string, base: string): string {
  try {
    return new URL(href, base).href;
  } catch {
    return href;
  }
}

/** A PEP 691 JSON project page. `pageUrl` resolves relative file URLs. */
export function parseSimpleJson(text: string, pageUrl: string): Parsed<RemoteFile[]> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return fail("is not valid JSON");
  }
  const files = (data as { files?: unknown } | null)?.files;
  if (!Array.isArray(files)) return fail('has no "files" list');
  const out: RemoteFile[] = [];
  for (const entry of files as unknown[]) {
    const e = entry as {
      filename?: unknown;
      url?: unknown;
      hashes?: Record<string, unknown>;
      provenance?: unknown;
    } | null;
    if (typeof e?.filename !== "string" || typeof e.url !== "string") continue;
    const file: RemoteFile = { filename: e.filename, url: absolute(e.url, pageUrl) };
    if (typeof e.provenance === "string" && e.provenance !== "")
      file.provenance = absolute(e.provenance, pageUrl);
    const sha = e.hashes?.["sha256"];
    if (typeof sha === "string" && SHA256.test(sha)) file.sha256 = sha.toLowerCase();
    out.push(file);
  }
  return ok(out);
}

const ENTITIES: Readonly<Record<string, string>> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, body: string) => {
    if (body[0] === "#") {
      const code =
        body[1] === "x" || body[1] === "X" ? Number.parseInt(body.slice(2), 16) : Number(body.slice(1));
      return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[body.toLowerCase()] ?? whole;
  });
}

const ANCHOR = /<a\b([^>]*)>([\s\S]*?)<\/a\s*>/gi;
const HREF = /\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/i;
const PROVENANCE = /\bdata-provenance\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/i;

/**
 * A PEP 503 HTML project page: every anchor with an href. Like pip, the filename is the last
 * path segment of the URL (percent-decoded), and the hash is the `#sha256=` fragment.
 */
export function parseSimpleHtml(text: string, pageUrl: string): RemoteFile[] {
  const out: RemoteFile[] = [];
  for (const match of text.matchAll(ANCHOR)) {
    const attrs = match[1] ?? "";
    const href = HREF.exec(attrs);
    const raw = href?.[1] ?? href?.[2] ?? href?.[3];
    if (raw === undefined) continue;
    const url = absolute(decodeEntities(raw), pageUrl);
    let filename: string;
    let fragment = "";
    try {
      const parsed = new URL(url);
      fragment = parsed.hash.slice(1);
      const segments = parsed.pathname.split("/");
      filename = decodeURIComponent(segments[segments.length - 1] ?? "");
      parsed.hash = "";
      const file = withHash({ filename, url: parsed.href }, fragment);
      const provenance = PROVENANCE.exec(attrs);
      const rawProvenance = provenance?.[1] ?? provenance?.[2] ?? provenance?.[3];
      if (rawProvenance) file.provenance = absolute(decodeEntities(rawProvenance), pageUrl);
      out.push(file);
    } catch {
      filename = decodeEntities((match[2] ?? "").trim());
      if (filename !== "") out.push({ filename, url });
    }
  }
  return out.filter((f) => f.filename !== "");
}

function withHash(file: RemoteFile, fragment: string): RemoteFile {
  const eq = fragment.indexOf("=");
  if (eq > 0 && fragment.slice(0, eq).toLowerCase() === "sha256" && SHA256.test(fragment.slice(eq + 1))) {
    file.sha256 = fragment.slice(eq + 1).toLowerCase();
  }
  return file;
}

/**
 * A key that is equal for two filenames naming the same distribution (uv matches parsed
 * filenames, not strings): normalized name and version, build tag, sorted tag set.
 */
export function distributionKey(filename: string): string {
  if (filename.endsWith(".whl")) {
    const wheel = parseWheelFilename(filename);
    if (wheel.ok) {
      const v = wheel.value;
      const version = canonicalizeVersion(v.version);
      return `wheel:${normalizeName(v.name)}-${version}-${v.build ?? ""}-${[...v.tags].sort().join(".")}`;
    }
  } else {
    const sdist = parseSdistFilename(filename);
    if (sdist.ok) {
      const s = sdist.value;
      return `sdist:${normalizeName(s.name)}-${canonicalizeVersion(s.version)}${s.extension}`;
    }
  }
  return `file:${filename}`;
}

/** The listing's entry for `filename`: an exact name match first, else the same distribution. */
export function findRemote(listing: RemoteListing, filename: string): RemoteFile | undefined {
  const exact = listing.files.find((f) => f.filename === filename);
  if (exact !== undefined) return exact;
  const key = distributionKey(filename);
  return listing.files.find((f) => distributionKey(f.filename) === key);
}
