/**
 * What PyPI's HTML sanitizer keeps (readme_renderer clean.py: nh3 with an allow-list of tags,
 * attributes and URL schemes). Used to warn about raw HTML and links that will not survive.
 */

/** Tags readme_renderer.clean allows; everything else is removed (its text may stay). */
export const ALLOWED_TAGS: ReadonlySet<string> = new Set([
  "a",
  "abbr",
  "acronym",
  "b",
  "blockquote",
  "code",
  "em",
  "i",
  "li",
  "ol",
  "strong",
  "ul",
  "br",
  "caption",
  "cite",
  "col",
  "colgroup",
  "dd",
  "del",
  "details",
  "div",
  "dl",
  "dt",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "hr",
  "img",
  "p",
  "pre",
  "span",
  "sub",
  "summary",
  "sup",
  "table",
  "tbody",
  "td",
  "th",
  "thead",
  "tr",
  "tt",
  "kbd",
  "var",
  "input",
  "section",
  "aside",
  "nav",
  "figure",
  "figcaption",
  "picture",
]);

/** Attributes readme_renderer.clean allows per tag ("*" applies to every tag). */
export const ALLOWED_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  "*": ["id"],
  a: ["href", "title"],
  abbr: ["title"],
  acronym: ["title"],
  hr: ["class"],
  img: ["src", "width", "height", "alt", "align", "class"],
  span: ["class"],
  th: ["align", "class"],
  td: ["align", "colspan", "rowspan"],
  div: ["align", "class"],
  h1: ["align"],
  h2: ["align"],
  h3: ["align"],
  h4: ["align"],
  h5: ["align"],
  h6: ["align"],
  code: ["class"],
  p: ["align", "class"],
  pre: ["class", "lang"],
  ol: ["start"],
  input: ["type", "checked", "disabled"],
  aside: ["class"],
  dd: ["class"],
  dl: ["class"],
  dt: ["class"],
  ul: ["class"],
  nav: ["class"],
  figure: ["class"],
};

/** URL schemes nh3 keeps in href/src (url_schemes in clean.py). */
const ALLOWED_SCHEMES = new Set(["http", "https", "mailto"]);

// Tags GFM's tagfilter escapes before sanitizing: PyPI shows them as literal text.
const TAGFILTER = new Set([
  "title",
  "textarea",
  "style",
  "xmp",
  "iframe",
  "noembed",
  "noframes",
  "script",
  "plaintext",
]);

// Attributes whose loss changes nothing visible; not worth a warning.
const HARMLESS = new Set(["target", "rel"]);

export type UrlKind = "absolute" | "fragment" | "relative" | "disallowed-scheme";

/** How nh3 and PyPI's page treat a link or image URL. */
export function classifyUrl(url: string): UrlKind {
  const trimmed = url.trim();
  if (trimmed.startsWith("#")) return "fragment";
  if (trimmed.startsWith("//")) return "absolute";
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(trimmed)?.[1];
  if (scheme === undefined) return "relative";
  return ALLOWED_SCHEMES.has(scheme.toLowerCase()) ? "absolute" : "disallowed-scheme";
}

export interface HtmlProblem {
  line: number;
  message: string;
}

export interface HtmlUrl {
  url: string;
  line: number;
  kind: "link" | "image";
}

const TAG =
  /<(\/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*\/?>/g;
const ATTRIBUTE = /([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;

const GLOBAL_ATTRIBUTES = ALLOWED_ATTRIBUTES["*"] ?? [];
const attributesByTag = new Map<string, ReadonlySet<string>>();

/** The attributes PyPI keeps on `tag`: its own and the global ones. */
function allowedAttributes(tag: string): ReadonlySet<string> {
  let allowed = attributesByTag.get(tag);
  if (allowed === undefined) {
    allowed = new Set([...GLOBAL_ATTRIBUTES, ...(ALLOWED_ATTRIBUTES[tag] ?? [])]);
    attributesByTag.set(tag, allowed);
  }
  return allowed;
}

/** Raw HTML written in a README: which tags and attributes PyPI drops, and its URLs. */
export function inspectHtml(html: string, firstLine: number): { problems: HtmlProblem[]; urls: HtmlUrl[] } {
  const problems: HtmlProblem[] = [];
  const urls: HtmlUrl[] = [];
  // Lines are counted from the previous tag on, not from the start: a block of many tags stays linear.
  let line = firstLine;
  let counted = 0;
  for (const m of html.matchAll(TAG)) {
    for (let at = html.indexOf("\n", counted); at !== -1 && at < m.index; at = html.indexOf("\n", at + 1))
      line++;
    counted = m.index;
    const tag = m[2]!.toLowerCase();
    if (m[1]) continue;
    if (TAGFILTER.has(tag)) {
      problems.push({
        line,
        message: `<${tag}> is shown as literal text on PyPI (GFM tagfilter) and never runs`,
      });
      continue;
    }
    if (!ALLOWED_TAGS.has(tag)) {
      problems.push({ line, message: `<${tag}> is removed by PyPI's HTML sanitizer` });
      continue;
    }
    const allowed = allowedAttributes(tag);
    const dropped: string[] = [];
    for (const a of m[3]!.matchAll(ATTRIBUTE)) {
      const name = a[1]!.toLowerCase();
      const value = a[2] ?? a[3] ?? a[4] ?? "";
      if (!allowed.has(name)) {
        if (!HARMLESS.has(name)) dropped.push(name);
      } else if (name === "href" || name === "src") {
        urls.push({ url: value, line, kind: name === "src" ? "image" : "link" });
      }
    }
    if (dropped.length > 0) {
      const list = dropped.map((d) => `${d}=`).join(", ");
      problems.push({
        line,
        message: `<${tag}> loses ${list} (PyPI's HTML sanitizer drops ${dropped.length > 1 ? "these attributes" : "this attribute"})`,
      });
    }
  }
  return { problems, urls };
}
