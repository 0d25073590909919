/**
 * LINK: the links of the project's README and docs/*.md checked offline, as a reader on the
 * repository host would follow them: relative links must name files of the repository (exact
 * case), `#anchors` headings that exist, and absolute URLs must be well-formed. Whether a README
 * link also works on PyPI is DESC08's question (description.ts), not this file's.
 */
import { type CheckInfo, catalogue, type Finding, finding } from "../findings.ts";
import { scanMarkdown } from "../readme/markdown.ts";
import { analyzeRst } from "../readme/rst-lint.ts";
import type { ProjectContext } from "./context.ts";
import { markdownAnchors, rstAnchors } from "./link-anchors.ts";

export const LINK_CHECKS: CheckInfo[] = [
  {
    id: "LINK01",
    severity: "warning",
    title: "Relative link to a file that is not in the repository",
    why: "A link in the README or docs/ that names a missing file (or a file whose name differs in case: GitHub and Linux are case-sensitive, macOS and Windows are not) is a 404 for every reader on the repository host.",
    fix: "Point the link at the file's path relative to the document (exact case), or add the file to git.",
    source: "derived; GitHub relative links in Markdown",
  },
  {
    id: "LINK02",
    severity: "warning",
    title: "Relative link that leaves the project",
    why: "A link that climbs above the project directory (../../x) resolves to nothing in the sdist, on PyPI or in a copy of the project, and on the host only while the surrounding repository keeps its layout.",
    fix: "Link inside the project, or use an absolute https:// URL for what lives elsewhere.",
    source: "derived",
  },
  {
    id: "LINK03",
    severity: "warning",
    title: "Link to an anchor that no heading has",
    why: "A #fragment that names no heading (GitHub's slug of the heading text for Markdown, docutils' section or target id for reStructuredText) lands at the top of the page instead of the section meant; usually a heading was renamed.",
    fix: "Use the anchor of the heading as it is now (lower case, spaces as hyphens, punctuation dropped), or restore the heading.",
    source: "derived; github-slugger, docutils nodes.make_id",
  },
  {
    id: "LINK04",
    severity: "warning",
    title: "Malformed URL",
    why: "A URL that does not parse (no host, a space or a bad port in the host, http:/x with one slash, broken %-escapes, www.example.com or https//x without its scheme, which hosts treat as a relative path) leads nowhere.",
    fix: "Write the full URL, e.g. https://example.com/path.",
    source: "derived; WHATWG URL",
  },
];

const INFO = catalogue(LINK_CHECKS);
const C = (id: string): CheckInfo => INFO[id]!;

/** Findings past this many in one document are summed up in one more: a hostile file stays readable. */
const MAX_PER_DOCUMENT = 100;

type Markup = "markdown" | "rst";

const markupOf = (path: string): Markup | undefined =>
  /\.(md|markdown)$/i.test(path) ? "markdown" : /\.rst$/i.test(path) ? "rst" : undefined;

const README = /^readme(\.[a-z]+)?$/i;

/** The documents whose links are checked: the README at the root and Markdown under docs/. */
export function linkedDocuments(files: readonly string[]): string[] {
  return files.filter((path) =>
    path.includes("/")
      ? path.startsWith("docs/") && markupOf(path) === "markdown"
      : README.test(path) && markupOf(path) !== undefined,
  );
}

/**
 * Files whose bytes the link check reads: the documents themselves. Anchors of links into other
 * files (CONTRIBUTING.md#setup) are not checked: their text is not read.
 */
export function linkFilesToRead(files: readonly string[]): string[] {
  return linkedDocuments(files);
}

interface Link {
  url: string;
  line: number;
}

const decoder = new TextDecoder("utf-8");

class Repository {
  readonly files: ReadonlySet<string>;
  readonly dirs = new Set<string>();
  private readonly lower = new Map<string, string>();
  private readonly anchors = new Map<string, Set<string>>();

  private readonly ctx: ProjectContext;

  constructor(ctx: ProjectContext) {
    this.ctx = ctx;
    this.files = new Set(ctx.files);
    for (const file of ctx.files) {
      this.lower.set(file.toLowerCase(), file);
      for (let at = file.indexOf("/"); at > 0; at = file.indexOf("/", at + 1)) {
        const dir = file.slice(0, at);
        this.dirs.add(dir);
        this.lower.set(dir.toLowerCase(), dir);
      }
    }
  }

  text(path: string): string | undefined {
    const bytes = this.ctx.contents.get(path);
    return bytes === undefined ? undefined : decoder.decode(bytes);
  }

  exists(path: string): boolean {
    return path === "" || this.files.has(path) || this.dirs.has(path);
  }

  /** The path as the repository spells it, when it differs only in case. */
  caseVariant(path: string): string | undefined {
    return this.lower.get(path.toLowerCase());
  }

  /** Anchors of a Markdown or reST file whose text was read; undefined when they cannot be known. */
  anchorsOf(path: string): Set<string> | undefined {
    const known = this.anchors.get(path);
    if (known !== undefined) return known;
    const markup = markupOf(path);
    const text = this.text(path);
    if (markup === undefined || text === undefined) return undefined;
    const anchors = markup === "markdown" ? markdownAnchors(text) : rstAnchors(text);
    this.anchors.set(path, anchors);
    return anchors;
  }
}

function linksOf(text: string, markup: Markup): Link[] {
  if (markup === "rst") return analyzeRst(text).links.map(({ uri, line }) => ({ url: uri, line }));
  return scanMarkdown(text).urls.map(({ url, line }) => ({ url: markdownDestination(url), line }));
}

const MD_ESCAPE = /\\([!-/:-@[-`{-~])/g;
const MD_ENTITY = /&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|amp|lt|gt|quot|apos);/g;
const NAMED: Readonly<Record<string, string>> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/** A Markdown destination as written (`<a b.md>`, `a\_b.md`, `&amp;`) made the URL it links to. */
function markdownDestination(written: string): string {
  const bare = written.startsWith("<") && written.endsWith(">") ? written.slice(1, -1) : written;
  return bare.replace(MD_ESCAPE, "$1").replace(MD_ENTITY, (_, name: string) => {
    if (name.startsWith("#")) {
      const code =
        name[1] === "x" || name[1] === "X" ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : "\uFFFD";
    }
    return NAMED[name] ?? "";
  });
}

type Verdict =
  | { kind: "ok" }
  | { kind: "malformed"; reason: string }
  | { kind: "missing"; path: string; variant?: string }
  | { kind: "escapes" }
  | { kind: "anchor"; path: string; fragment: string };

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;
const SCHEMELESS = /^(?:www\.[^/\s]+\.[a-z]{2,}|https?\/\/)/i;

function checkAbsolute(url: string, scheme: string): Verdict {
  const lower = scheme.toLowerCase();
  if (lower === "mailto") {
    return /^mailto:[^@\s]+@[^@\s]+$/i.test(url)
      ? { kind: "ok" }
      : { kind: "malformed", reason: "no address" };
  }
  if (lower !== "http" && lower !== "https") return { kind: "ok" };
  if (!/^https?:\/\//i.test(url)) return { kind: "malformed", reason: `"${scheme}:" needs "//" and a host` };
  if (/\s/.test(url)) return { kind: "malformed", reason: "it contains white space" };
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return { kind: "malformed", reason: "it does not parse as a URL (check the host and port)" };
  }
  if (host === "" || host.startsWith(".") || host.includes("..")) {
    return { kind: "malformed", reason: "its host is empty or malformed" };
  }
  return { kind: "ok" };
}

/** Joins a relative path onto a directory; undefined when it climbs out of the root. */
function resolvePath(dir: string, path: string): string | undefined {
  const parts = path.startsWith("/") || dir === "" ? [] : dir.split("/");
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else parts.push(part);
  }
  return parts.join("/");
}

function decode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

function judge(repo: Repository, doc: string, url: string): Verdict {
  const trimmed = url.trim();
  if (trimmed === "") return { kind: "ok" };
  const scheme = SCHEME.exec(trimmed)?.[1];
  if (scheme !== undefined) return checkAbsolute(trimmed, scheme);
  if (trimmed.startsWith("//")) return checkAbsolute(`https:${trimmed}`, "https");
  if (SCHEMELESS.test(trimmed)) return { kind: "malformed", reason: "it has no scheme (write https://...)" };
  const hash = trimmed.indexOf("#");
  const beforeHash = hash < 0 ? trimmed : trimmed.slice(0, hash);
  const query = beforeHash.indexOf("?");
  const rawPath = query < 0 ? beforeHash : beforeHash.slice(0, query);
  const path = decode(rawPath);
  const fragment = hash < 0 ? undefined : decode(trimmed.slice(hash + 1));
  if (path === undefined || (fragment === undefined && hash >= 0)) {
    return { kind: "malformed", reason: "it has a broken %-escape" };
  }
  const dir = doc.includes("/") ? doc.slice(0, doc.lastIndexOf("/")) : "";
  const target = path === "" ? doc : resolvePath(dir, path);
  if (target === undefined) return { kind: "escapes" };
  if (!repo.exists(target)) {
    const variant = repo.caseVariant(target);
    return variant === undefined
      ? { kind: "missing", path: target }
      : { kind: "missing", path: target, variant };
  }
  if (fragment === undefined || fragment === "") return { kind: "ok" };
  const anchors = repo.anchorsOf(target);
  if (anchors === undefined || anchors.has(fragment.toLowerCase())) return { kind: "ok" };
  return { kind: "anchor", path: target, fragment };
}

function describe(
  verdict: Exclude<Verdict, { kind: "ok" }>,
  url: string,
  doc: string,
): [string, string, string?] {
  switch (verdict.kind) {
    case "malformed":
      return ["LINK04", `URL "${url}" is malformed: ${verdict.reason}`];
    case "escapes":
      return ["LINK02", `link "${url}" leaves the project directory`];
    case "missing":
      return verdict.variant === undefined
        ? ["LINK01", `link "${url}" names ${verdict.path}, which is not in the repository`]
        : [
            "LINK01",
            `link "${url}" names ${verdict.path}, but the repository spells it ${verdict.variant} (case matters on GitHub and Linux)`,
            `Write the path as ${verdict.variant}.`,
          ];
    case "anchor":
      return [
        "LINK03",
        `link "${url}" names the anchor #${verdict.fragment}, which no heading of ${verdict.path === doc ? "this document" : verdict.path} has`,
      ];
  }
}

/** Where a project file is shown: beside pyproject.toml as the context displays it. */
function displayOf(ctx: ProjectContext, path: string): string {
  const name = "pyproject.toml";
  return ctx.display.endsWith(name) ? `${ctx.display.slice(0, -name.length)}${path}` : path;
}

/** Every LINK finding of the project's README and docs/*.md. */
export function checkLinks(ctx: ProjectContext): Finding[] {
  const repo = new Repository(ctx);
  const findings: Finding[] = [];
  for (const doc of linkedDocuments(ctx.files)) {
    const markup = markupOf(doc);
    const text = repo.text(doc);
    if (markup === undefined || text === undefined) continue;
    const file = displayOf(ctx, doc);
    const seen = new Set<string>();
    let reported = 0;
    let more = 0;
    for (const { url, line } of linksOf(text, markup)) {
      if (seen.has(url)) continue;
      seen.add(url);
      const verdict = judge(repo, doc, url);
      if (verdict.kind === "ok") continue;
      if (reported >= MAX_PER_DOCUMENT) {
        more++;
        continue;
      }
      reported++;
      const [id, message, hint] = describe(verdict, url.length > 200 ? `${url.slice(0, 197)}...` : url, doc);
      findings.push(
        finding(
          C(id),
          `${file} line ${line}: ${message}`,
          { file, line },
          hint === undefined ? {} : { hint },
        ),
      );
    }
    if (more > 0) {
      findings.push(
        finding(
          C("LINK01"),
          `${file}: ${more} more broken or malformed links not listed`,
          { file },
          {
            hint: "Fix the links listed first and check again.",
          },
        ),
      );
    }
  }
  return findings;
}
