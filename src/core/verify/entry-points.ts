/**
 * Entry points and extras for verify-install: which entry points to load (every group the wheel
 * declares; console scripts are run as scripts instead), which distributions an extra brings,
 * which of the package's modules to import once an extra is in, and the Python probe that does
 * the loading and importing in the fresh venv, with the parser of what it prints.
 */
import { parseEntryPoints, parseObjectReference } from "../dist/entry-points.ts";
import { normalizeName } from "../names/name.ts";
import { markerExtras } from "../pep508/marker.ts";
import { parseRequirement } from "../pep508/requirement.ts";
import { type DistFacts, diagnoseScriptFailure, type OptionalCause } from "./optional-deps.ts";
import { baseRequirements } from "./smoke-targets.ts";

/** An entry point as declared in entry_points.txt, with the extras its value names (`[cli]`). */
export interface EntryPointRef {
  group: string;
  name: string;
  value: string;
  extras: string[];
}

/** The step subject of an entry point: its group as the INI section, then its name. */
export const entryPointSubject = (ep: { group: string; name: string }): string => `[${ep.group}] ${ep.name}`;

/**
 * The entry points verify-install loads: every group's (gui_scripts and plugin groups such as
 * `pytest11`) but console_scripts, which run as scripts: the wrapper loads the same object and
 * calls it, which proves more than a load.
 */
export function loadableEntryPoints(entryPointsText: string | undefined): EntryPointRef[] {
  if (entryPointsText === undefined) return [];
  return parseEntryPoints(entryPointsText)
    .entries.filter((e) => e.group !== "console_scripts" && e.name !== "")
    .map((e) => {
      const reference = parseObjectReference(e.value);
      return {
        group: e.group,
        name: e.name,
        value: e.value,
        extras: reference.ok ? reference.value.extras : [],
      };
    });
}

/**
 * The distributions (normalized names) installing `extra` adds to a plain install: the
 * Requires-Dist entries whose marker needs that extra, with the project's references to its own
 * extras (`all = ["pkg[openai,yaml]"]`) followed; a dependency of the plain install is not the
 * extra's.
 */
export function extraDistributions(project: string, requires: readonly string[], extra: string): string[] {
  const self = normalizeName(project);
  const base = new Set<string>();
  for (const text of baseRequirements(requires)) {
    const parsed = parseRequirement(text);
    if (parsed.ok) base.add(normalizeName(parsed.value.name));
  }
  const found = new Set<string>();
  const seen = new Set<string>();
  const visit = (wanted: string) => {
    if (seen.has(wanted)) return;
    seen.add(wanted);
    for (const text of requires) {
      const parsed = parseRequirement(text);
      if (!parsed.ok || parsed.value.marker === undefined) continue;
      if (!markerExtras(parsed.value.marker).some((e) => normalizeName(e) === wanted)) continue;
      const name = normalizeName(parsed.value.name);
      if (name === self) for (const e of parsed.value.extras) visit(normalizeName(e));
      else if (!base.has(name)) found.add(name);
    }
  };
  visit(normalizeName(extra));
  return [...found].sort();
}

const IDENTIFIER = /^[\p{XID_Start}_]\p{XID_Continue}*$/u;

/**
 * Every Python source module of a distribution, dotted (`pkg/sub/__init__.py` → `pkg.sub`), from
 * its installed (lib) paths; `__main__` modules are left out: importing one runs the program.
 */
export function sourceModules(libPaths: readonly string[]): string[] {
  const out = new Set<string>();
  for (const path of libPaths) {
    if (!path.endsWith(".py")) continue;
    const parts = path.slice(0, -3).split("/");
    if (parts[0]?.endsWith(".dist-info") || parts[0]?.endsWith(".data")) continue;
    if (parts.at(-1) === "__init__") parts.pop();
    if (parts.length === 0 || parts.includes("__main__") || !parts.every((p) => IDENTIFIER.test(p))) continue;
    out.add(parts.join("."));
  }
  return [...out].sort();
}

/** The lib paths of a wheel's members: root files and `.data/purelib|platlib` contents. */
export function wheelLibPaths(paths: readonly string[]): string[] {
  return paths.flatMap((path) => {
    const [top = "", scheme = "", ...rest] = path.split("/");
    if (!top.endsWith(".data")) return [path];
    return (scheme === "purelib" || scheme === "platlib") && rest.length > 0 ? [rest.join("/")] : [];
  });
}

/** `pip install "pkg[a,b]"`: the command a user runs to get an extra. */
export const installCommand = (project: string, extras: readonly string[]): string =>
  `pip install "${project}[${extras.join(",")}]"`;

/** Why an entry point did not load: the exception's last line and, for an ImportError, its module. */
export interface LoadFailure {
  /** `ModuleNotFoundError: No module named 'openai'`. */
  lastLine: string;
  /** ImportError.name: the module that could not be imported. */
  missing?: string;
}

/**
 * The extra an entry point that did not load needs: the missing module is a dependency declared
 * only under extras (or the error names `project[extra]`), else the extras its value declares.
 */
export function diagnoseLoadFailure(
  failure: LoadFailure,
  facts: DistFacts,
  declared: readonly string[],
): OptionalCause | undefined {
  const text =
    failure.missing === undefined
      ? failure.lastLine
      : `No module named '${failure.missing}'\n${failure.lastLine}`;
  const cause = diagnoseScriptFailure(text, facts);
  if (cause !== undefined) return { extras: cause.extras, evidence: failure.lastLine };
  // Spelled as Provides-Extra spells them (PEP 685 compares them normalized).
  const named = [
    ...new Set(declared.flatMap((d) => facts.extras.filter((p) => normalizeName(p) === normalizeName(d)))),
  ];
  return named.length > 0 ? { extras: named, evidence: failure.lastLine } : undefined;
}

/** What the probe is asked: the project, the entry points to load, and for an extra the modules to import. */
export interface ProbeRequest {
  project: string;
  entryPoints: readonly EntryPointRef[];
  /** The package's source modules; those importing one of `needs`' modules are imported. */
  modules: readonly string[];
  /** The distributions the extra brings (empty on the plain install). */
  needs: readonly string[];
}

/** One line of the probe's answer. */
export type ProbeLine =
  | { kind: "ep"; group: string; name: string; ok: true }
  | { kind: "ep"; group: string; name: string; ok: false; error: string; missing?: string }
  | { kind: "module"; module: string; uses: string[]; ok: true }
  | { kind: "module"; module: string; uses: string[]; ok: false; error: string; missing?: string };

const MARK = "__slipway_probe__ ";

/**
 * Reads a ProbeRequest (JSON) on stdin. Loads each entry point through importlib.metadata, as
 * plugin managers find them (one the installed metadata does not list fails). With `needs`,
 * finds the package's modules whose source imports a module of those distributions (anywhere:
 * optional dependencies are imported lazily, inside functions) and imports each, then the
 * imports it names (`from langchain_core.prompts import X` → that module and X). Prints one
 * marked JSON line per item, after anything the loaded code printed.
 */
export const ENTRY_POINT_PROBE_PY = `
import ast, importlib, importlib.metadata as md, importlib.util, json, sys, traceback
out = sys.stdout
def emit(obj):
    out.write("\\n${MARK}" + json.dumps(obj) + "\\n"); out.flush()
def failure(e):
    lines = "".join(traceback.format_exception_only(type(e), e)).strip().splitlines()
    f = {"ok": False, "error": (lines[-1] if lines else type(e).__name__)[:1000]}
    if isinstance(e, ImportError) and isinstance(e.name, str): f["missing"] = e.name
    return f
req = json.loads(sys.stdin.read())
try:
    installed = {(ep.group, ep.name): ep for ep in md.distribution(req["project"]).entry_points}
except Exception:
    installed = {}
for ep in req["entryPoints"]:
    head = {"kind": "ep", "group": ep["group"], "name": ep["name"]}
    found = installed.get((ep["group"], ep["name"]))
    if found is None:
        emit({**head, "ok": False, "error": "importlib.metadata does not list this entry point"})
        continue
    try:
        found.load()
        emit({**head, "ok": True})
    except BaseException as e:
        emit({**head, **failure(e)})
names = set()
for d in req["needs"]:
    try:
        dist = md.distribution(d)
    except Exception:
        continue
    names.update((dist.read_text("top_level.txt") or "").split())
    for f in dist.files or ():
        first = f.parts[0] if f.parts else ""
        if first in ("..", "__pycache__") or first.endswith((".dist-info", ".data", ".pth")):
            continue
        if len(f.parts) > 1 or first.endswith((".py", ".so", ".pyd")):
            names.add(first.split(".")[0])
names = {n for n in names if n.isidentifier()}
for module in req["modules"] if names else ():
    try:
        spec = importlib.util.find_spec(module)
        origin = spec.origin if spec is not None else None
        if not origin or not origin.endswith(".py"):
            continue
        with open(origin, "rb") as fh:
            tree = ast.parse(fh.read())
    except BaseException as e:
        emit({"kind": "module", "module": module, "uses": [], **failure(e)})
        continue
    targets = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets += [(a.name, None) for a in node.names if a.name.split(".")[0] in names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and node.module.split(".")[0] in names:
            targets += [(node.module, a.name) for a in node.names]
    if not targets:
        continue
    uses = sorted({m if a is None or a == "*" else m + "." + a for m, a in targets})
    try:
        importlib.import_module(module)
        for m, a in targets:
            imported = importlib.import_module(m)
            if a is not None and a != "*" and not hasattr(imported, a):
                importlib.import_module(m + "." + a)
        emit({"kind": "module", "module": module, "uses": uses, "ok": True})
    except BaseException as e:
        emit({"kind": "module", "module": module, "uses": uses, **failure(e)})
`;

const str = (v: unknown): v is string => typeof v === "string";

/** The probe's marked lines; anything else (what the loaded code printed) is ignored. */
export function parseProbeOutput(stdout: string): ProbeLine[] {
  const lines: ProbeLine[] = [];
  for (const line of stdout.split("\n")) {
    if (!line.startsWith(MARK)) continue;
    let raw: Record<string, unknown>;
    try {
      raw = JSON.parse(line.slice(MARK.length)) as Record<string, unknown>;
    } catch {
      continue;
    }
    const failed =
      raw["ok"] === false && str(raw["error"])
        ? {
            ok: false as const,
            error: raw["error"],
            ...(str(raw["missing"]) ? { missing: raw["missing"] } : {}),
          }
        : raw["ok"] === true
          ? { ok: true as const }
          : undefined;
    if (failed === undefined) continue;
    if (raw["kind"] === "ep" && str(raw["group"]) && str(raw["name"])) {
      lines.push({ kind: "ep", group: raw["group"], name: raw["name"], ...failed });
    } else if (raw["kind"] === "module" && str(raw["module"]) && Array.isArray(raw["uses"])) {
      lines.push({ kind: "module", module: raw["module"], uses: raw["uses"].filter(str), ...failed });
    }
  }
  return lines;
}
