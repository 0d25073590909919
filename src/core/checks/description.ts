/**
 * DESC: the long description renders on PyPI the way twine check and PyPI's upload do it
 * (twine commands/check.py, readme_renderer rst.py/markdown.py/clean.py, warehouse
 * forklift/legacy.py "The description failed to render"). One function serves a distribution's
 * Description (METADATA body) and a project's readme file; `location` says which.
 */
import {
  type CheckInfo,
  catalogue,
  type Finding,
  finding,
  type Location,
  type Severity,
} from "../findings.ts";
import { rstEvidence, rstHint } from "../readme/hints.ts";
import { couldBeEmpty, type MarkdownScan, markdownEvidence, scanMarkdown } from "../readme/markdown.ts";
import { analyzeRst, BUILTIN_RST_RENDERER, type RstAnalysis } from "../readme/rst-lint.ts";
import { classifyUrl, type HtmlUrl } from "../readme/sanitizer.ts";
import { isReferenceRenderer, PYPI_RENDERER, type RenderVerdict } from "../readme/verdict.ts";

export type { RenderVerdict };

const RR =
  "[RR] readme_renderer rst.py/markdown.py/clean.py; [TW] twine check.py; [WH] warehouse forklift/legacy.py";

export const DESC_CHECKS: CheckInfo[] = [
  {
    id: "DESC01",
    severity: "warning",
    title: "Long description is missing",
    why: 'The project page on PyPI shows no description. twine check warns ("`long_description` missing.") and fails with --strict; old setuptools wrote the placeholder "UNKNOWN", which counts as missing.',
    fix: 'Point [project] readme at your README (readme = "README.md"), or pass long_description to setup().',
    source: "[TW] check.py",
  },
  {
    id: "DESC02",
    severity: "warning",
    title: "Description-Content-Type is missing",
    why: "Without a content type PyPI and twine treat the description as reStructuredText. A Markdown README then either fails to upload (invalid rst) or shows as a wall of raw text.",
    fix: 'Declare the markup: readme = "README.md" in [project] sets it from the file suffix; with setuptools pass long_description_content_type="text/markdown".',
    source: "[TW] check.py; [CM] Description-Content-Type",
  },
  {
    id: "DESC03",
    severity: "error",
    title: "reStructuredText description fails to render",
    why: "PyPI renders rst with readme_renderer (docutils, halt_level=2): any docutils warning or error aborts rendering and the upload is refused with \"The description failed to render\". Reported from a real readme_renderer or docutils run; as a warning when that run used a different docutils than PyPI and slipway's own model of PyPI's renderer disagrees.",
    fix: "Fix the markup at the reported line; run `python -m readme_renderer README.rst` to see the rendering.",
    source: `${RR}`,
  },
  {
    id: "DESC04",
    severity: "error",
    title: "reStructuredText description renders to nothing",
    why: 'A description that is only whitespace, comments or targets renders to empty HTML; readme_renderer returns "No content rendered from RST source." and PyPI refuses the upload.',
    fix: "Write some content, or leave the description out entirely.",
    source: "[RR] rst.py; pypa/cibuildwheel#1131",
  },
  {
    id: "DESC05",
    severity: "error",
    title: "reStructuredText problem that makes PyPI refuse the description",
    why: "Found by slipway's built-in reStructuredText lint, which models docutils 0.23 with readme_renderer's settings: short title underlines, Sphinx-only roles and directives (:ref:, .. toctree::), disabled raw/include, unexpected indentation, lists or blocks not followed by a blank line, unclosed inline markup, unknown or duplicate link targets, malformed tables. Each is a docutils WARNING or ERROR, which fails rendering on PyPI. Code blocks in a language Pygments does not know are reported as a warning only: PyPI shows them without highlighting (older docutils used to fail on them).",
    fix: "Fix the markup at the reported line.",
    source: `${RR}; docutils parsers/rst/states.py`,
  },
  {
    id: "DESC06",
    severity: "error",
    title: "Markdown description renders to nothing",
    why: "PyPI renders Markdown with comrak (GFM) and refuses a description whose rendering is empty (\"The description failed to render for 'text/markdown'\"), e.g. only whitespace or link reference definitions.",
    fix: "Write some content, or leave the description out entirely.",
    source: "[RR] markdown.py; [WH]",
  },
  {
    id: "DESC07",
    severity: "warning",
    title: "Plain-text description contains markup",
    why: "text/plain is shown verbatim (escaped, line breaks kept), so Markdown or reStructuredText markup appears as raw symbols on the project page.",
    fix: "Declare the markup the text is written in (text/markdown or text/x-rst).",
    source: "[RR] txt.py",
  },
  {
    id: "DESC08",
    severity: "warning",
    title: "HTML or links that do not survive on PyPI",
    why: "PyPI sanitizes the rendered HTML with nh3: tags and attributes outside its allow-list (script, iframe, style=, video...) are removed or shown as text, and URL schemes other than http, https and mailto are dropped. Relative links and images (docs/usage.md, logo.png) point into pypi.org rather than your repository and break.",
    fix: "Use absolute https:// URLs (e.g. raw.githubusercontent.com for images) and only the HTML PyPI allows.",
    source: "[RR] clean.py (nh3 allow-list)",
  },
  {
    id: "DESC09",
    severity: "warning",
    title: "Description checked with a renderer other than PyPI's",
    why: "Rendering depends on the docutils version (pypi/warehouse#8772, #8144): twine check can pass locally while PyPI refuses the upload. slipway reports this only when it can change the verdict: when the local readme_renderer/docutils (not PyPI's readme_renderer 46 with docutils 0.23) disagrees with slipway's model of PyPI's renderer, or when the built-in lint passed a document using constructs it does not fully verify (csv-table contents, meta). Otherwise the renderer used is only named in the other findings.",
    fix: "Install the renderer PyPI uses (pip install 'readme_renderer>=46' 'docutils>=0.23') where slipway runs, and re-check.",
    source: "pypi/warehouse#8772, #8144",
  },
];

export interface DescriptionInput {
  /**
   * Where the text lives: a distribution's metadata member (`file` = the artifact, `member` =
   * `x-1.0.dist-info/METADATA`, `field` = `Description`), or a project's readme (`file` =
   * `README.rst`, or `pyproject.toml` with `field` = `project.readme` for inline text).
   */
  location: Location;
  description: string | undefined;
  contentType: string | undefined;
  /** Rendering by a real renderer (src/adapters/readme.ts); without it the built-in checks decide. */
  verdict?: RenderVerdict;
  /**
   * For Markdown without a verdict whose text could render to nothing (`needsMarkdownParse`):
   * whether it does, from `markdownRendersEmpty` (readme/markdown-empty.ts, loaded on demand).
   */
  markdownEmpty?: boolean;
  /**
   * Line of `location` where the text starts, so findings point at the right line. Default: 1
   * for a readme file; for a metadata member the line is left out (the message still names the
   * line inside the description).
   */
  firstLine?: number;
}

const INFO = catalogue(DESC_CHECKS);
const C = (id: string): CheckInfo => INFO[id]!;

export type Markup = "rst" | "markdown" | "plain" | "other";

/** The markup a Description-Content-Type names; none means reStructuredText (PyPI's default). */
export function markupOf(contentType: string | undefined): Markup {
  if (contentType === undefined) return "rst";
  const type = contentType.split(";")[0]!.trim().toLowerCase();
  if (type === "text/x-rst") return "rst";
  if (type === "text/markdown") return "markdown";
  if (type === "text/plain") return "plain";
  return "other";
}

interface Ctx {
  input: DescriptionInput;
  where: string;
  isMetadata: boolean;
  out: Finding[];
}

function describe(location: Location): string {
  return [location.file, location.member, location.field].filter(Boolean).join(" ");
}

function at(ctx: Ctx, line: number | undefined): Location {
  if (line === undefined) return ctx.input.location;
  if (ctx.input.firstLine === undefined && ctx.input.location.member !== undefined) return ctx.input.location;
  return { ...ctx.input.location, line: (ctx.input.firstLine ?? 1) + line - 1 };
}

function add(
  ctx: Ctx,
  id: string,
  message: string,
  line?: number,
  overrides?: { severity?: Severity; hint?: string },
) {
  ctx.out.push(finding(C(id), message, at(ctx, line), overrides));
}

function contentTypeAdvice(ctx: Ctx): string {
  return ctx.isMetadata
    ? 'Declare the type when building: readme = "README.md" in [project] sets it from the suffix (setuptools: long_description_content_type="text/markdown").'
    : 'Name the file README.md or README.rst, or use readme = {file = "...", content-type = "text/markdown"}.';
}

/** Checks a long description; see DESC_CHECKS for what each ID means. */
export function checkDescription(input: DescriptionInput): Finding[] {
  const isMetadata = input.location.member !== undefined || input.location.field === "Description";
  const ctx: Ctx = { input, where: describe(input.location), isMetadata, out: [] };
  const text = input.description;
  if (text === undefined || text === "" || text.trimEnd() === "UNKNOWN") {
    const what = text === undefined || text === "" ? "is missing" : 'is the placeholder "UNKNOWN"';
    add(ctx, "DESC01", `${ctx.where}: the long description ${what} (twine: "\`long_description\` missing.")`);
    return ctx.out;
  }
  const kind = markupOf(input.contentType);
  const looksMarkdown = markdownEvidence(text);
  if (input.contentType === undefined) {
    const trap = looksMarkdown
      ? ` This text looks like Markdown (${looksMarkdown}) but PyPI will render it as reStructuredText.`
      : "";
    add(
      ctx,
      "DESC02",
      `${ctx.where}: Description-Content-Type is missing; PyPI renders the text as reStructuredText`,
      undefined,
      {
        hint: `${trap} ${contentTypeAdvice(ctx)}`.trim(),
      },
    );
  }
  if (kind === "rst") checkRst(ctx, text, looksMarkdown);
  else if (kind === "markdown") checkMarkdown(ctx, text);
  else if (kind === "plain") checkPlain(ctx, text, looksMarkdown);
  return ctx.out;
}

/** A text analysis `checkDescription` runs: the kind of document, and its text. */
export interface DescriptionAnalysis {
  kind: "rst" | "markdown";
  text: string;
}

/** What an analysis finds: the rst model's verdict, or the Markdown scan's links and HTML. */
export type AnalysisResult = RstAnalysis | MarkdownScan;

/** The analysis `checkDescription` will need for `input`, if any. */
export function analysisOf(input: DescriptionInput): DescriptionAnalysis | undefined {
  const text = input.description;
  if (text === undefined || text === "" || text.trimEnd() === "UNKNOWN") return undefined;
  const kind = markupOf(input.contentType);
  return kind === "rst" || kind === "markdown" ? { kind, text } : undefined;
}

/** Runs an analysis (memoized by text). Its result is plain data: it can be stored and read back. */
export function analyze(analysis: DescriptionAnalysis): AnalysisResult {
  return analysis.kind === "rst" ? analyzeRst(analysis.text) : scanMarkdown(analysis.text);
}

/** Takes the result of `analyze` known already, so `checkDescription` does not compute it again. */
export function seedAnalysis(analysis: DescriptionAnalysis, result: AnalysisResult): void {
  if (analysis.kind === "rst") analyzeRst.seed(analysis.text, result as RstAnalysis);
  else scanMarkdown.seed(analysis.text, result as MarkdownScan);
}

function wrongMarkupHint(ctx: Ctx, looksMarkdown: string | undefined): string | undefined {
  if (!looksMarkdown) return undefined;
  const declared =
    ctx.input.contentType === undefined ? "no content type is declared, so" : "the declared type says";
  return `This text looks like Markdown (${looksMarkdown}) but ${declared} PyPI renders it as reStructuredText. ${contentTypeAdvice(ctx)}`;
}

function checkRst(ctx: Ctx, text: string, looksMarkdown: string | undefined): void {
  const verdict = ctx.input.verdict?.renderer === BUILTIN_RST_RENDERER ? undefined : ctx.input.verdict;
  const lint = analyzeRst(text);
  const lintFails = lint.issues.length > 0 || lint.empty;
  const wrongMarkup = wrongMarkupHint(ctx, looksMarkdown);
  const note = ctx.input.verdict?.note;
  if (note !== undefined) {
    add(ctx, "DESC09", `${ctx.where}: checked with ${ctx.input.verdict?.renderer}: ${note}`, undefined, {
      severity: "info",
      hint: "Connect to the index once (or point PIP_FIND_LINKS at a wheelhouse) and re-check, or install readme_renderer in the Python slipway uses.",
    });
  }
  if (verdict === undefined) {
    reportLint(ctx, lint, "error", wrongMarkup);
    if (lint.unverified.length > 0 && !lintFails) {
      add(
        ctx,
        "DESC09",
        `${ctx.where}: checked with the ${BUILTIN_RST_RENDERER}, which does not fully verify ${lint.unverified.join(", ")}; PyPI's docutils may still refuse them`,
        undefined,
        {
          hint: "Install readme_renderer (pip install readme_renderer) in the Python slipway uses to check with PyPI's renderer.",
        },
      );
    }
  } else {
    const reference = isReferenceRenderer(verdict);
    const disagree = !reference && verdict.ok === lintFails;
    const severity: Severity = reference || !disagree ? "error" : "warning";
    if (!verdict.ok) reportVerdict(ctx, verdict, severity, wrongMarkup);
    else if (disagree) reportLint(ctx, lint, "warning", wrongMarkup);
    if (disagree) {
      const local = verdict.ok ? "renders it" : "refuses it";
      const model = lintFails ? "refuses it" : "renders it";
      add(
        ctx,
        "DESC09",
        `${ctx.where}: rendered with ${verdict.renderer}, not PyPI's readme_renderer ${PYPI_RENDERER.readmeRenderer} with docutils ${PYPI_RENDERER.docutils}: it ${local}, while slipway's model of PyPI's renderer ${model}`,
      );
    }
  }
  for (const note of lint.notes)
    add(ctx, "DESC05", `${ctx.where} line ${note.line}: ${note.message}`, note.line, {
      severity: "warning",
      hint: "Use a language name Pygments knows (e.g. python, bash, console, text), or none.",
    });
  checkLinks(
    ctx,
    lint.links.map((l) => ({ url: l.uri, line: l.line, kind: l.kind })),
  );
}

function reportLint(ctx: Ctx, lint: RstAnalysis, severity: Severity, wrongMarkup: string | undefined): void {
  lint.issues.forEach((issue, index) => {
    const message = issue.message.split("\n").join(" ");
    // The wrong-markup explanation once, on the first problem; each problem gets its own fix.
    const hint =
      [index === 0 ? wrongMarkup : undefined, rstHint(issue.message)].filter(Boolean).join(" ") || undefined;
    add(
      ctx,
      "DESC05",
      `${ctx.where} line ${issue.line}: ${message} (${issue.level.toUpperCase()}, found by the ${BUILTIN_RST_RENDERER})`,
      issue.line,
      {
        severity,
        ...(hint ? { hint } : {}),
      },
    );
  });
  if (lint.issues.length === 0 && lint.empty) reportEmpty(ctx, "reStructuredText", severity);
}

function reportVerdict(
  ctx: Ctx,
  verdict: RenderVerdict,
  severity: Severity,
  wrongMarkup: string | undefined,
): void {
  if (verdict.empty && verdict.messages.every((m) => m.text.startsWith("No content rendered"))) {
    reportEmpty(ctx, "reStructuredText", severity);
    return;
  }
  const first = verdict.messages[0];
  const where = first?.line === undefined ? ctx.where : `${ctx.where} line ${first.line}`;
  const detail = first ? first.text.split("\n")[0] : "rendering failed";
  const hint = [wrongMarkup, first ? rstHint(first.text) : undefined].filter(Boolean).join(" ") || undefined;
  const outcome =
    severity === "error"
      ? `rendering failed with ${verdict.renderer}, so PyPI refuses the upload`
      : `rendering failed with ${verdict.renderer}, which is not PyPI's renderer (see DESC09)`;
  add(ctx, "DESC03", `${where}: ${detail} (${outcome})`, first?.line, {
    severity,
    ...(hint ? { hint } : {}),
  });
}

function reportEmpty(ctx: Ctx, markup: string, severity: Severity): void {
  const id = markup === "Markdown" ? "DESC06" : "DESC04";
  add(
    ctx,
    id,
    `${ctx.where}: the ${markup} long description renders to nothing (only whitespace, comments or link definitions); PyPI refuses it`,
    undefined,
    { severity },
  );
}

/**
 * True when `checkDescription` needs `markdownEmpty` for `input`: Markdown without a verdict
 * that could render to nothing (most texts cannot, and need no GFM parse).
 */
export function needsMarkdownParse(input: DescriptionInput): boolean {
  const text = input.description;
  return (
    text !== undefined &&
    markupOf(input.contentType) === "markdown" &&
    input.verdict === undefined &&
    input.markdownEmpty === undefined &&
    couldBeEmpty(text)
  );
}

function checkMarkdown(ctx: Ctx, text: string): void {
  const verdict = ctx.input.verdict;
  if (needsMarkdownParse(ctx.input)) {
    throw new Error(`internal error: ${ctx.where}: markdownEmpty is not set (see needsMarkdownParse)`);
  }
  const empty = verdict?.empty ?? ctx.input.markdownEmpty ?? false;
  if (empty) reportEmpty(ctx, "Markdown", "error");
  const scan = scanMarkdown(text);
  const hint =
    "Remove the HTML or write it in Markdown; PyPI keeps only basic tags (p, div, a, img, span, table, details...) and attributes (href, src, alt, width, height, align).";
  // One finding per kind of loss, at its first line: a table-heavy README would otherwise give
  // one warning per cell.
  const byMessage = new Map<string, { line: number; count: number }>();
  for (const problem of scan.html) {
    const seen = byMessage.get(problem.message);
    if (seen) seen.count++;
    else byMessage.set(problem.message, { line: problem.line, count: 1 });
  }
  for (const [message, { line, count }] of byMessage) {
    const more = count > 1 ? ` (and ${count - 1} more time${count > 2 ? "s" : ""})` : "";
    add(ctx, "DESC08", `${ctx.where} line ${line}: ${message}${more}`, line, { hint });
  }
  checkLinks(ctx, scan.urls);
}

function checkPlain(ctx: Ctx, text: string, looksMarkdown: string | undefined): void {
  const markup = looksMarkdown
    ? `Markdown (${looksMarkdown})`
    : rstEvidence(text)
      ? `reStructuredText (${rstEvidence(text)})`
      : undefined;
  if (markup === undefined) return;
  add(
    ctx,
    "DESC07",
    `${ctx.where}: Description-Content-Type is text/plain but the text looks like ${markup}; PyPI shows the markup as raw text`,
  );
}

/** Where a relative path of the repository lives on the web: a page for a link, raw bytes for an image. */
const ABSOLUTE_EXAMPLE: Record<"image" | "link", (path: string) => string> = {
  image: (path) =>
    `Use an absolute URL to the image file, e.g. https://raw.githubusercontent.com/OWNER/REPO/HEAD/${path}.`,
  link: (path) => `Use an absolute URL to the page, e.g. https://github.com/OWNER/REPO/blob/HEAD/${path}.`,
};

function checkLinks(ctx: Ctx, urls: HtmlUrl[]): void {
  const seen = new Set<string>();
  for (const { url, line, kind } of urls) {
    const verdict = classifyUrl(url);
    if (verdict === "absolute" || verdict === "fragment" || seen.has(url)) continue;
    seen.add(url);
    const what = kind === "image" ? "image" : "link";
    if (verdict === "relative") {
      const path = url.replace(/^\.?\//, "");
      add(
        ctx,
        "DESC08",
        `${ctx.where} line ${line}: relative ${what} "${url}" does not resolve on PyPI (it points into pypi.org, not your repository)`,
        line,
        { hint: ABSOLUTE_EXAMPLE[what](path) },
      );
    } else {
      add(
        ctx,
        "DESC08",
        `${ctx.where} line ${line}: ${what} "${url}" uses a URL scheme PyPI's sanitizer removes (only http, https and mailto are kept)`,
        line,
        {
          hint:
            what === "image"
              ? "Publish the image at an https:// URL and use that URL instead."
              : "Link with an https:// (or mailto:) URL instead.",
        },
      );
    }
  }
}
