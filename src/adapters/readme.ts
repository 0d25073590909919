/**
 * Renders long descriptions the way PyPI does, with one Python process for the whole batch:
 * readme_renderer when importable, else bare docutils with readme_renderer's settings, else
 * (no Python, or neither importable) slipway's built-in checks. A missing Python is not an
 * error: the built-in lint models PyPI's docutils 0.23 closely.
 */

import { accessSync, constants, statSync } from "node:fs";
import { delimiter, join } from "node:path";
import { markdownRendersEmpty } from "../core/readme/markdown.ts";
import { analyzeRst, BUILTIN_RST_RENDERER } from "../core/readme/rst-lint.ts";
import type { RenderVerdict } from "../core/readme/verdict.ts";
import { exec } from "./exec.ts";

export interface ReadmeItem {
  text: string;
  /** Description-Content-Type as declared; undefined means reStructuredText (PyPI's default). */
  contentType: string | undefined;
}

export interface RenderReadmesOptions {
  /** Python to run; default `python3` on PATH. */
  python?: string;
  cwd: string;
  env: Record<string, string | undefined>;
  timeoutMs?: number;
}

// Runs inside the user's Python. Reads [{text, type}] as JSON on stdin, writes one verdict (or
// null when it cannot render that kind) per item. Keep it compatible with Python 3.8+.
const RENDER_PY = String.raw`
import io, json, re, sys
sys.path[:] = [p for p in sys.path if p not in ("", ".")]  # never import the project's own modules

def version_of(module, dist):
    try:
        from importlib.metadata import version
        return version(dist)
    except Exception:
        return getattr(module, "__version__", None)

def parse_messages(stream):
    out = []
    for block in re.split(r"\n(?=<string>:)", stream.strip()):
        m = re.match(r"<string>:(\d*): \((\w+)/\d\) (.*?)(?:\n\n|\Z)", block, re.S)
        if m:
            out.append({"line": int(m.group(1)) if m.group(1) else None, "text": m.group(3).strip()})
        elif block.strip():
            out.append({"line": None, "text": block.strip()})
    return out

def main():
    # Imports first: slipway starts this process before it knows the texts, so the slow
    # imports (docutils, pygments) overlap the reading of the archives.
    versions = {}
    rst = md = None
    try:
        import docutils
        versions["docutils"] = docutils.__version__
        from docutils.parsers.rst import roles
    except Exception:
        docutils = roles = None
    try:
        import pygments
        versions["pygments"] = pygments.__version__
    except Exception:
        pass
    try:
        import readme_renderer, readme_renderer.rst as rst
        versions["readmeRenderer"] = version_of(readme_renderer, "readme_renderer")
    except Exception:
        rst = None
    try:
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import readme_renderer.markdown as md
        if not getattr(md, "variants", None):
            md = None
    except Exception:
        md = None
    if rst is not None:
        renderer = "readme_renderer %s, docutils %s" % (versions.get("readmeRenderer"), versions.get("docutils"))
    elif docutils is not None:
        renderer = "docutils %s" % versions["docutils"]
    else:
        renderer = None

    def bare_docutils(text, stream):
        from docutils.core import publish_parts
        from docutils.utils import SystemMessage
        from docutils.writers.html5_polyglot import Writer
        settings = {
            "cloak_email_addresses": True, "doctitle_xform": False, "sectsubtitle_xform": False,
            "initial_header_level": 1, "file_insertion_enabled": False, "halt_level": 2,
            "math_output": "MathJax /dummy.js", "raw_enabled": False, "report_level": 5,
            "smart_quotes": True, "strip_comments": True, "syntax_highlight": "short",
            "field_name_limit": 0, "section_self_link": True, "id_prefix": "user-content-",
            "warning_stream": stream,
        }
        try:
            parts = publish_parts(text, writer=Writer(), settings_overrides=settings)
        except SystemMessage:
            return None
        rendered = parts.get("docinfo", "") + parts.get("fragment", "")
        if not rendered:
            stream.write("No content rendered from RST source.")
            return None
        return rendered

    items = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    results = []
    for item in items:
        if item["type"] == "markdown":
            if md is None:
                results.append(None)
                continue
            out = md.render(item["text"])
            results.append({"renderer": "readme_renderer %s (Markdown)" % versions.get("readmeRenderer"),
                            "ok": out is not None, "empty": out is None, "messages": [], "versions": versions})
            continue
        if renderer is None:
            results.append(None)
            continue
        if roles is not None:
            roles._roles.clear()  # roles defined by one document must not leak into the next
        stream = io.StringIO()
        try:
            out = rst.render(item["text"], stream=stream) if rst is not None else bare_docutils(item["text"], stream)
        except Exception:
            results.append(None)  # a renderer crash is not PyPI's verdict; use the built-in one
            continue
        text = stream.getvalue()
        results.append({"renderer": renderer, "ok": out is not None,
                        "empty": out is None and text.strip() == "No content rendered from RST source.",
                        "messages": parse_messages(text) if out is None else [], "versions": versions})
    sys.stdout.buffer.write(json.dumps(results).encode("utf-8"))

main()
`;

type Kind = "rst" | "markdown" | "other";

function kindOf(contentType: string | undefined): Kind {
  const type = (contentType ?? "text/x-rst").split(";")[0]!.trim().toLowerCase();
  return type === "text/x-rst" ? "rst" : type === "text/markdown" ? "markdown" : "other";
}

/** The verdict of slipway's own checks, used when Python cannot render an item. */
export function builtinVerdict(item: ReadmeItem): RenderVerdict {
  const kind = kindOf(item.contentType);
  if (kind === "rst") {
    const analysis = analyzeRst(item.text);
    const empty = analysis.issues.length === 0 && analysis.empty;
    const messages = empty
      ? [{ text: "No content rendered from RST source." }]
      : analysis.issues.map((i) => ({ line: i.line, text: i.message }));
    return { renderer: BUILTIN_RST_RENDERER, ok: analysis.issues.length === 0 && !empty, empty, messages };
  }
  if (kind === "markdown") {
    const empty = markdownRendersEmpty(item.text);
    return { renderer: "built-in Markdown check (micromark)", ok: !empty, empty, messages: [] };
  }
  return { renderer: "none (plain text or unsupported type)", ok: true, empty: false, messages: [] };
}

interface PyVerdict extends Omit<RenderVerdict, "messages"> {
  messages: { line: number | null; text: string }[];
}

function fromPython(raw: PyVerdict): RenderVerdict {
  const messages = raw.messages.map((m) =>
    m.line === null ? { text: m.text } : { line: m.line, text: m.text },
  );
  const versions = Object.fromEntries(
    Object.entries(raw.versions ?? {}).filter(([, v]) => typeof v === "string"),
  );
  return { renderer: raw.renderer, ok: raw.ok, empty: raw.empty, messages, versions };
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * The Python to run: the given path, or `python3` looked up on the PATH of `env`. Looked up
 * before spawning so an absent Python costs nothing (a failed spawn would still hold exec's
 * kill timer until it fires).
 */
export function resolvePython(
  python: string | undefined,
  env: Record<string, string | undefined>,
): string | undefined {
  const name = python ?? "python3";
  if (name.includes("/")) return isExecutable(name) ? name : undefined;
  for (const dir of (env["PATH"] ?? "").split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/**
 * A renderer process started ahead of need: Python imports readme_renderer while slipway is
 * still reading archives, then renders whatever `render` is given. Without a usable Python,
 * `render` gives the built-in verdicts.
 */
export interface ReadmeRenderer {
  render(items: ReadmeItem[]): Promise<RenderVerdict[]>;
  /** Lets the process end when `render` will not be called (an error on the way). */
  close(): void;
}

export function startReadmeRenderer(options: RenderReadmesOptions): ReadmeRenderer {
  const python = resolvePython(options.python, options.env);
  let send: (text: string) => void = () => {};
  const input = new Promise<string>((resolve) => {
    send = resolve;
  });
  const running =
    python === undefined
      ? undefined
      : exec([python, "-c", RENDER_PY], {
          cwd: options.cwd,
          env: options.env,
          input,
          check: false,
          timeoutMs: options.timeoutMs ?? 120_000,
        }).catch(() => undefined);
  return {
    async render(items) {
      const batch = items
        .map((item, index) => ({ index, text: item.text, type: kindOf(item.contentType) }))
        .filter((b) => b.type !== "other");
      send(JSON.stringify(batch.map(({ text, type }) => ({ text, type }))));
      const rendered = await parseOutput(running, batch.length);
      const byIndex = new Map<number, RenderVerdict>();
      batch.forEach((b, i) => {
        const raw = rendered?.[i];
        if (raw) byIndex.set(b.index, fromPython(raw));
      });
      return items.map((item, index) => byIndex.get(index) ?? builtinVerdict(item));
    },
    close() {
      send("[]");
    },
  };
}

async function parseOutput(
  running: Promise<{ code: number; stdout: string } | undefined> | undefined,
  expected: number,
): Promise<(PyVerdict | null)[] | undefined> {
  const result = await running;
  if (result === undefined || result.code !== 0) return undefined;
  try {
    const parsed: unknown = JSON.parse(result.stdout);
    return Array.isArray(parsed) && parsed.length === expected ? (parsed as (PyVerdict | null)[]) : undefined;
  } catch {
    // It printed something else than our JSON: fall back to the built-in checks.
    return undefined;
  }
}

/**
 * Renders every item, in order, with ONE Python process (JSON on stdin/stdout). Items the
 * Python cannot render (no readme_renderer/docutils, Markdown without comrak) and every item
 * when no Python runs get the built-in verdict.
 */
export async function renderReadmes(
  items: ReadmeItem[],
  options: RenderReadmesOptions,
): Promise<RenderVerdict[]> {
  const needsPython = items.some((item) => kindOf(item.contentType) !== "other");
  if (!needsPython) return items.map(builtinVerdict);
  return await startReadmeRenderer(options).render(items);
}
