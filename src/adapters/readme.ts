/**
 * Renders long descriptions the way PyPI does, with one Python process for the whole batch:
 * readme_renderer when importable; for reStructuredText on a Python without it, PyPI's pinned
 * readme_renderer in an environment slipway makes once (readme-env.ts); else bare docutils with
 * readme_renderer's settings, else (no Python, or neither importable) slipway's built-in checks. A missing Python is not an
 * error: the built-in lint models PyPI's docutils 0.23 closely. Verdicts of a real renderer
 * are cached (readme-cache.ts), so a warm run never imports docutils, and while the Python's
 * files are unchanged it does not start Python at all.
 */

import { createHash } from "node:crypto";
import { markupOf } from "../core/checks/description.ts";
import { couldBeEmpty } from "../core/readme/markdown.ts";
import { analyzeRst, BUILTIN_RST_RENDERER } from "../core/readme/rst-lint.ts";
import type { RenderVerdict } from "../core/readme/verdict.ts";
import { exec } from "./exec.ts";
import {
  cacheable,
  identitySlot,
  openVerdictCache,
  parseIdentity,
  type RendererIdentity,
  stampNow,
  verdictKey,
} from "./readme-cache.ts";
import { which } from "./which.ts";

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
  /**
   * Render reStructuredText with PyPI's readme_renderer in slipway's cached environment when
   * `python` lacks readme_renderer (readme-env.ts). Default true; `SLIPWAY_README_ENV=off` in `env` is false.
   */
  pypiEnv?: boolean;
}

// Runs inside the user's Python, in two phases. First it prints one JSON line naming the
// renderer it would use (versions, interpreter, sys.path, docutils config files, and the stamps
// of every file that was read from) WITHOUT importing it, so slipway can look verdicts up in its
// cache. Then it reads [{text, type}] (the misses) on stdin and, only when that is not empty,
// imports docutils/readme_renderer and writes one verdict (or null when it cannot render that
// kind) per item. Python 3.8+.
const RENDER_PY = String.raw`
import json, os, sys
sys.path[:] = [p for p in sys.path if p not in ("", ".")]  # never import the project's own modules

def header_version(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                if not line.strip():
                    return None  # the headers end at the first blank line
                if line[:8].lower() == "version:":
                    return line[8:].strip()
    except OSError:
        pass
    return None

def installed_versions(names):
    # What importlib.metadata.version answers (the first *.dist-info or *.egg-info of that name
    # along sys.path, its Version header) without the ~50 ms importlib.metadata costs to import.
    # Also the files read, so slipway can tell later, by their stamps, that nothing changed.
    norm = lambda n: n.lower().replace("-", "_").replace(".", "_")
    wanted = dict((norm(n), n) for n in names)
    found = dict((n, None) for n in names)
    files = []
    for entry in sys.path:
        try:
            children = sorted(os.listdir(entry))
        except OSError:
            continue
        for child in children:
            base, _, suffix = child.rpartition(".")
            name = wanted.get(norm(base.split("-", 1)[0]))
            if suffix not in ("dist-info", "egg-info") or name is None or found[name] is not None:
                continue
            path = os.path.join(entry, child)
            if os.path.isdir(path):
                path = os.path.join(path, "METADATA" if suffix == "dist-info" else "PKG-INFO")
            found[name] = header_version(path)
            files.append(path)
    return found, files

def stamp(path):
    try:
        st = os.stat(path)
        return [st.st_mtime_ns, st.st_size]
    except OSError:
        return None

def identity():
    # docutils reads these config files on every render, and they override readme_renderer's
    # settings (docutils/frontend.py, OptionParser.get_standard_config_files). Only those that
    # exist count, so the cwd of ./docutils.conf matters only where there is one.
    config = os.environ.get("DOCUTILSCONFIG")
    config = config.split(os.pathsep) if config is not None else ["/etc/docutils.conf", "./docutils.conf", "~/.docutils"]
    candidates = [os.path.abspath(os.path.expanduser(f)) for f in config if f.strip()]
    dists, metadata = installed_versions(["readme_renderer", "docutils", "pygments", "comrak", "cmarkgfm"])
    # Files whose change would change this identity without touching any sys.path directory:
    # metadata edited in place, .pth files, a config file appearing, the venv's configuration.
    watch = metadata + candidates
    import site
    site_dirs = set(getattr(site, "getsitepackages", lambda: [])() + [getattr(site, "USER_SITE", None)])
    for entry in sys.path:
        if entry in site_dirs:
            try:
                watch += [os.path.join(entry, n) for n in sorted(os.listdir(entry)) if n.endswith(".pth")]
            except OSError:
                pass
    if getattr(site, "USER_SITE", None):
        watch.append(site.USER_SITE)  # a user site created later joins sys.path
    if sys.prefix != getattr(sys, "base_prefix", sys.prefix):
        watch.append(os.path.join(sys.prefix, "pyvenv.cfg"))
    from importlib.util import find_spec
    return {
        # What main() can render at all (docutils may be importable without metadata); the rest
        # gets slipway's built-in verdict without asking.
        "renders": {"rst": find_spec("docutils") is not None, "markdown": find_spec("comrak") is not None},
        "python": sys.executable,
        "executable": os.path.realpath(sys.executable),
        "version": sys.version,
        "dists": dists,
        # An install or removal in any import directory (a pygments lexer plugin, say) changes
        # its mtime, so the identity changes even when the three versions do not.
        "path": [[p, stamp(p)] for p in sys.path],
        "docutilsConfig": [[f, stamp(f)] for f in candidates if stamp(f) is not None],
        "watch": [[f, stamp(f)] for f in watch],
    }

def version_of(module, dist):
    try:
        from importlib.metadata import version
        return version(dist)
    except Exception:
        return getattr(module, "__version__", None)

def parse_messages(stream):
    import re
    out = []
    for block in re.split(r"\n(?=<string>:)", stream.strip()):
        m = re.match(r"<string>:(\d*): \((\w+)/\d\) (.*?)(?:\n\n|\Z)", block, re.S)
        if m:
            out.append({"line": int(m.group(1)) if m.group(1) else None, "text": m.group(3).strip()})
        elif block.strip():
            out.append({"line": None, "text": block.strip()})
    return out

def main():
    sys.stdout.buffer.write(json.dumps(identity(), sort_keys=True).encode("utf-8") + b"\n")
    sys.stdout.buffer.flush()
    items = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    if not items:
        return  # every verdict came from slipway's cache: no docutils import at all
    import io
    kinds = set(item["type"] for item in items)
    versions = {}
    docutils = roles = rst = md = None
    if "rst" in kinds:
        try:
            import docutils
            versions["docutils"] = docutils.__version__
            from docutils.parsers.rst import roles
        except Exception:
            docutils = roles = None
        try:
            import readme_renderer, readme_renderer.rst as rst
            versions["readmeRenderer"] = version_of(readme_renderer, "readme_renderer")
        except Exception:
            rst = None
    try:
        # readme_renderer renders Markdown only with comrak; without it, not even an import.
        from importlib.util import find_spec
        if "markdown" in kinds and find_spec("comrak") is not None:
            import warnings
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                import readme_renderer, readme_renderer.markdown as md
            versions["readmeRenderer"] = version_of(readme_renderer, "readme_renderer")
            if not getattr(md, "variants", None):
                md = None
    except Exception:
        md = None
    try:
        if docutils is not None or md is not None:  # pygments highlights code for both
            import pygments
            versions["pygments"] = pygments.__version__
    except Exception:
        pass
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

/** Part of every cache key: a change to the script (how verdicts are made) is a miss. */
const SCRIPT_HASH = createHash("sha256").update(RENDER_PY).digest("hex").slice(0, 16);

type Kind = "rst" | "markdown" | "other";

/** What the renderer process can render; plain text needs no renderer. */
function kindOf(contentType: string | undefined): Kind {
  const markup = markupOf(contentType);
  return markup === "plain" ? "other" : markup;
}

/** The verdict of slipway's own checks, used when Python cannot render an item. */
export async function builtinVerdict(item: ReadmeItem): Promise<RenderVerdict> {
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
    // The GFM parser (micromark) loads only for a text that could render to nothing.
    const empty =
      couldBeEmpty(item.text) &&
      (await import("../core/readme/markdown-empty.ts")).markdownRendersEmpty(item.text);
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

/**
 * The Python to run: the given path, or `python3` looked up on the PATH of `env`. Looked up
 * before spawning so an absent Python costs nothing (a failed spawn would still hold exec's
 * kill timer until it fires).
 */
export function resolvePython(
  python: string | undefined,
  env: Record<string, string | undefined>,
): string | undefined {
  return which(python ?? "python3", env);
}

/**
 * A renderer process started ahead of need: Python starts and names its renderer while
 * slipway is still reading archives. `render` (called once) answers what it can from the
 * verdict cache and has Python import docutils and render only the rest; without a usable
 * Python it gives the built-in verdicts.
 */
export interface ReadmeRenderer {
  render(items: ReadmeItem[]): Promise<RenderVerdict[]>;
  /** Lets the process end when `render` will not be called (an error on the way). */
  close(): void;
}

interface Job {
  id: string;
  item: ReadmeItem;
  type: Kind;
  key: string | undefined;
}

const jobId = (type: Kind, text: string) => `${type}\0${text}`;

export function startReadmeRenderer(options: RenderReadmesOptions): ReadmeRenderer {
  const python = resolvePython(options.python, options.env);
  const cache = python === undefined ? undefined : openVerdictCache(options.env);
  const slot = python === undefined ? "" : identitySlot(python, options.cwd, options.env, SCRIPT_HASH);

  /** The Python process, started at most once: its first line names the renderer. */
  interface Child {
    identityLine: Promise<string | undefined>;
    running: Promise<{ code: number; stdout: string } | undefined>;
    send(text: string): void;
  }
  let child: Child | undefined;
  let closed = false;
  const startChild = (exe: string): Child => {
    if (child !== undefined) return child;
    let send: (text: string) => void = () => {};
    const input = new Promise<string>((resolve) => {
      send = resolve;
    });
    let identify: (line: string | undefined) => void = () => {};
    const identityLine = new Promise<string | undefined>((resolve) => {
      identify = resolve;
    });
    const stamp = stampNow(exe);
    const running = exec([exe, "-c", RENDER_PY], {
      cwd: options.cwd,
      env: options.env,
      input,
      check: false,
      timeoutMs: options.timeoutMs ?? 120_000,
      onStdoutLine: identify, // only the first line settles it
    }).catch(() => undefined);
    // A process that ends without naming itself (not Python 3, a crash) is not waited for.
    void running.then(() => identify(undefined));
    void identityLine.then((line) => {
      if (line !== undefined) void cache?.rememberIdentity(slot, exe, stamp, line);
    });
    child = { identityLine, running, send };
    return child;
  };

  // A Python whose identity is known and unchanged is not started unless a verdict is missing;
  // otherwise it starts now, so its start-up overlaps the reading of the archives.
  const known =
    python === undefined || cache === undefined
      ? Promise.resolve(undefined)
      : cache.knownIdentity(slot, python);
  if (python !== undefined) {
    void known.then((line) => {
      if (line === undefined && !closed) startChild(python);
    });
  }

  /** Verdicts found in the cache under `identity`, and the jobs left to render. */
  const lookUp = async (items: ReadmeItem[], identity: RendererIdentity | undefined) => {
    // The sdist and the wheel of one release carry the same README: render it once.
    const jobs = new Map<string, Job>();
    for (const item of items) {
      const type = kindOf(item.contentType);
      const id = jobId(type, item.text);
      if (type === "other" || jobs.has(id)) continue;
      const key = identity === undefined ? undefined : verdictKey(identity.key, type, item.text);
      jobs.set(id, { id, item, type, key });
    }
    const verdicts = new Map<string, RenderVerdict>();
    for (const job of jobs.values()) {
      if (identity?.renders[job.type] === false) verdicts.set(job.id, await builtinVerdict(job.item));
    }
    await Promise.all(
      [...jobs.values()].map(async (job) => {
        const hit = job.key === undefined || verdicts.has(job.id) ? undefined : await cache?.get(job.key);
        if (hit !== undefined) verdicts.set(job.id, hit);
      }),
    );
    return { verdicts, misses: [...jobs.values()].filter((job) => !verdicts.has(job.id)) };
  };

  return {
    async render(items) {
      if (python === undefined) return await Promise.all(items.map(builtinVerdict));
      const line = (await known) ?? (await startChild(python).identityLine);
      let identity = cache === undefined ? undefined : parseIdentity(line, SCRIPT_HASH);
      let { verdicts, misses } = await lookUp(items, identity);
      // A Python without readme_renderer (known from its identity; with the cache off it is not
      // known) renders reStructuredText with PyPI's own renderer instead, cached hits included:
      // they came from bare docutils or the built-in lint.
      const rst = [
        ...new Map(items.filter((i) => kindOf(i.contentType) === "rst").map((i) => [i.text, i])).values(),
      ];
      let note: string | undefined;
      const pypi = new Map<string, RenderVerdict>();
      const lacksRenderer = identity !== undefined && identity.dists["readme_renderer"] == null;
      const wanted = options.pypiEnv !== false && options.env["SLIPWAY_README_ENV"] !== "off";
      if (wanted && rst.length > 0 && lacksRenderer) {
        // Loaded only here: most checks never need it (its build-environment machinery is large).
        const { provideReadmeEnv } = await import("./readme-env.ts");
        const made = await provideReadmeEnv({ python, cwd: options.cwd, env: options.env });
        if ("python" in made) {
          const renderer = startReadmeRenderer({ ...options, python: made.python, pypiEnv: false });
          const rendered = await renderer.render(rst);
          for (const [i, item] of rst.entries())
            pypi.set(jobId("rst", item.text), rendered[i] as RenderVerdict);
        } else {
          note = `PyPI's readme_renderer could not be set up in slipway's cache (${made.unavailable})`;
        }
      }
      if (misses.length > 0 && child === undefined) {
        // Known identity, but something to render: now Python runs. Should it name itself
        // differently after all, every verdict is looked up again under what it says now.
        const fresh = parseIdentity(await startChild(python).identityLine, SCRIPT_HASH);
        if (fresh?.key !== identity?.key) {
          identity = fresh;
          ({ verdicts, misses } = await lookUp(items, identity));
        }
      }
      if (pypi.size > 0) misses = misses.filter((job) => !pypi.has(job.id));
      child?.send(JSON.stringify(misses.map(({ item, type }) => ({ text: item.text, type }))));
      const rendered = misses.length === 0 ? [] : await parseOutput(child?.running, misses.length);
      const writes: Promise<void>[] = [];
      misses.forEach((job, i) => {
        const raw = rendered?.[i];
        if (!raw) return;
        const verdict = fromPython(raw);
        verdicts.set(job.id, verdict);
        if (job.key !== undefined && identity !== undefined && cacheable(verdict, identity, job.type)) {
          writes.push(cache?.put(job.key, verdict) ?? Promise.resolve());
        }
      });
      await Promise.all(writes);
      return await Promise.all(
        items.map(async (item) => {
          const id = jobId(kindOf(item.contentType), item.text);
          const verdict = pypi.get(id) ?? verdicts.get(id) ?? (await builtinVerdict(item));
          return note !== undefined && kindOf(item.contentType) === "rst" ? { ...verdict, note } : verdict;
        }),
      );
    },
    close() {
      closed = true;
      child?.send("[]");
    },
  };
}

/** The verdicts: RENDER_PY's output after its identity line. */
async function parseOutput(
  running: Promise<{ code: number; stdout: string } | undefined> | undefined,
  expected: number,
): Promise<(PyVerdict | null)[] | undefined> {
  const result = await running;
  if (result === undefined || result.code !== 0) return undefined;
  const newline = result.stdout.indexOf("\n");
  if (newline < 0) return undefined;
  try {
    const parsed: unknown = JSON.parse(result.stdout.slice(newline + 1));
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
  if (!needsPython) return await Promise.all(items.map(builtinVerdict));
  return await startReadmeRenderer(options).render(items);
}
