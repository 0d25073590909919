/**
 * Calling a PEP 517 backend's hooks. A small Python runner (ours, written to a temp dir) imports
 * the backend in a fresh process, calls one hook and writes the answer to a JSON file, so the
 * backend's own stdout and stderr are free to be logged or shown.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pushAll } from "../../core/arrays.ts";
import { SlipwayError } from "../../errors.ts";
import { exec, formatArgv } from "../exec.ts";

export type HookName =
  | "get_requires_for_build_sdist"
  | "get_requires_for_build_wheel"
  | "prepare_metadata_for_build_wheel"
  | "build_sdist"
  | "build_wheel";

/** Config settings as PEP 517 passes them: a value, or a list when a key is given twice. */
export type ConfigSettings = Record<string, string | string[]>;

// Runs as a script file (so the cwd is not on sys.path, PEP 517 "the frontend should not add
// the source tree"). argv: request.json response.json. Python 3.8+.
const RUNNER_PY = String.raw`
import importlib, json, os, sys, traceback

HOOK_DEFAULTS = {"get_requires_for_build_sdist": [], "get_requires_for_build_wheel": []}

def read_record_owner(site, rel):
    """The dist-info in site whose RECORD lists rel (a path relative to site, "/"-separated)."""
    try:
        names = sorted(n for n in os.listdir(site) if n.endswith(".dist-info"))
    except OSError:
        return None
    for name in names:
        try:
            with open(os.path.join(site, name, "RECORD"), encoding="utf-8") as f:
                # RECORD is CSV; a path with a comma or a quote is quoted, which a backend's never is.
                if any(line.startswith(rel + ",") for line in f):
                    return os.path.join(site, name)
        except OSError:
            continue
    return None

def backend_identity(module_name, in_tree):
    """Which distribution installed the backend, from the file the module was loaded from: a
    namespace such as pdm or poetry is shared by several distributions, and before Python 3.11
    packages_distributions() reads only top_level.txt, which most backends do not write."""
    module = sys.modules.get(module_name)
    top = sys.modules.get(module_name.split(".")[0])
    declared = getattr(module, "__version__", None) or getattr(top, "__version__", None)
    declared = declared if isinstance(declared, str) else None
    where = getattr(module, "__file__", None)
    if in_tree or not where:
        return {"distribution": None, "version": declared, "inTree": bool(in_tree)}
    parts = module_name.split(".")
    if os.path.basename(where).startswith("__init__."):
        parts.append(os.path.basename(where))
    else:
        parts[-1] = os.path.basename(where)
    site = os.path.abspath(where)
    for _ in parts:
        site = os.path.dirname(site)
    try:
        from importlib.metadata import PathDistribution
        import pathlib
        owner = read_record_owner(site, "/".join(parts))
        if owner is not None:
            dist = PathDistribution(pathlib.Path(owner))
            return {"distribution": dist.metadata["Name"], "version": dist.version, "inTree": False}
        from importlib.metadata import packages_distributions, version
        candidates = packages_distributions().get(parts[0], [])
        if len(candidates) == 1:
            return {"distribution": candidates[0], "version": version(candidates[0]), "inTree": False}
    except Exception:
        pass
    return {"distribution": None, "version": declared, "inTree": False}

def load(spec, backend_path):
    module_name, _, object_path = spec.partition(":")
    module_name = module_name.strip()
    paths = [os.path.abspath(p) for p in backend_path]
    sys.path[:0] = paths
    try:
        obj = importlib.import_module(module_name)
    except Exception as error:
        return None, {"kind": "backend-unavailable", "message": "%s: %s" % (type(error).__name__, error),
                      "traceback": traceback.format_exc()}
    if paths:
        # PEP 517: an in-tree backend must be loaded from backend-path, not from elsewhere.
        where = os.path.abspath(getattr(obj, "__file__", "") or "")
        if not any(where.startswith(p + os.sep) for p in paths):
            return None, {"kind": "backend-invalid",
                          "message": "%s was imported from %s, not from backend-path %s" % (module_name, where, paths)}
    for attr in object_path.split(".") if object_path.strip() else []:
        obj = getattr(obj, attr.strip())
    return obj, None

def main():
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
    # setuptools rewrites sys.argv while a hook runs; keep our own arguments first.
    request_path, response_path = sys.argv[1], sys.argv[2]
    with open(request_path, encoding="utf-8") as f:
        request = json.load(f)
    response = {"python": sys.version.split()[0]}
    backend, problem = load(request["backend"], request.get("backendPath", []))
    if problem is None:
        name = request["hook"]
        if name.startswith("build_"):
            response["backend"] = backend_identity(request["backend"].split(":")[0].strip(),
                                                   bool(request.get("backendPath")))
        hook = getattr(backend, name, None)
        if hook is None:
            if name in HOOK_DEFAULTS:
                response["value"] = HOOK_DEFAULTS[name]
            else:
                problem = {"kind": "hook-missing", "message": "the backend has no %s hook" % name}
        else:
            try:
                response["value"] = hook(**request["kwargs"])
            except Exception as error:
                kind = "unsupported" if type(error).__name__ == "UnsupportedOperation" else "hook-failed"
                problem = {"kind": kind, "message": "%s: %s" % (type(error).__name__, error),
                           "traceback": traceback.format_exc()}
    if problem is not None:
        response["problem"] = problem
    with open(response_path, "w", encoding="utf-8") as f:
        json.dump(response, f)

main()
`;

export interface HookCall {
  /** The interpreter to run (a build environment's, or the user's with --no-isolation). */
  python: string;
  /** The source tree: the hook's working directory. */
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  backend: string;
  /** Absolute in-tree backend directories. */
  backendPath: readonly string[];
  hook: HookName;
  kwargs: Record<string, unknown>;
  /** Each line the backend prints (stdout and stderr, as they come). */
  onOutput?: (line: string) => void;
  timeoutMs?: number;
}

/** Which backend answered a build hook: the distribution that installed it, or an in-tree module. */
export interface BackendIdentity {
  /** The distribution's name as its metadata writes it; null for an in-tree or unowned module. */
  distribution: string | null;
  /** The distribution's version, else the module's own `__version__`, else null. */
  version: string | null;
  /** Loaded from the project's `backend-path` (PEP 517 in-tree backend). */
  inTree: boolean;
}

export interface HookAnswer<T> {
  value: T;
  python: string;
  /** Present for build_sdist and build_wheel, the hooks whose output a manifest describes. */
  backend: BackendIdentity | undefined;
  /** Everything the backend printed, in order. */
  output: string[];
}

type HookProblemKind =
  | "backend-unavailable"
  | "backend-invalid"
  | "hook-missing"
  | "hook-failed"
  | "unsupported";

/** A hook that did not answer: why, what it printed, and the command that reproduces it. */
export class HookError extends SlipwayError {
  readonly kind: HookProblemKind | "crashed";
  readonly output: readonly string[];
  readonly command: string;

  constructor(
    kind: HookProblemKind | "crashed",
    message: string,
    details: { hint: string; output: readonly string[]; command: string },
  ) {
    super(kind === "backend-unavailable" || kind === "backend-invalid" ? "config" : "exec", message, {
      hint: details.hint,
    });
    this.kind = kind;
    this.output = details.output;
    this.command = details.command;
  }
}

/** Calls one hook in a fresh process; throws HookError when the backend does not answer. */
export async function callHook<T>(call: HookCall): Promise<HookAnswer<T>> {
  const dir = await mkdtemp(join(tmpdir(), "slipway-hook-"));
  try {
    const script = join(dir, "slipway_hook_runner.py");
    const requestPath = join(dir, "request.json");
    const responsePath = join(dir, "response.json");
    await writeFile(script, RUNNER_PY);
    await writeFile(
      requestPath,
      JSON.stringify({
        backend: call.backend,
        backendPath: call.backendPath,
        hook: call.hook,
        kwargs: call.kwargs,
      }),
    );
    const output: string[] = [];
    const onLine = (line: string) => {
      output.push(line);
      call.onOutput?.(line);
    };
    const argv = [call.python, script, requestPath, responsePath];
    const result = await exec(argv, {
      cwd: call.cwd,
      env: call.env,
      check: false,
      timeoutMs: call.timeoutMs ?? 30 * 60_000,
      onStdoutLine: onLine,
      onStderrLine: onLine,
    });
    const command = reproduce(call);
    let response: {
      value?: T;
      python: string;
      backend?: BackendIdentity;
      problem?: { kind: HookProblemKind; message: string; traceback?: string };
    };
    try {
      response = JSON.parse(await readFile(responsePath, "utf8"));
    } catch {
      throw new HookError(
        "crashed",
        `the build backend ${call.backend} crashed in ${call.hook} (exit ${result.code})`,
        {
          hint: "Fix what the backend's output shows; the reproduce command runs the same hook by hand.",
          output,
          command,
        },
      );
    }
    const problem = response.problem;
    if (problem !== undefined) {
      if (problem.traceback) pushAll(output, problem.traceback.trimEnd().split("\n"));
      throw new HookError(problem.kind, messageFor(call, problem), {
        hint: hintFor(call, problem.kind),
        output,
        command,
      });
    }
    return {
      value: response.value as T,
      python: response.python,
      backend: response.backend,
      output,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function messageFor(call: HookCall, problem: { kind: HookProblemKind; message: string }): string {
  switch (problem.kind) {
    case "backend-unavailable":
      return `cannot import the build backend ${call.backend}: ${problem.message}`;
    case "backend-invalid":
      return `the in-tree build backend is not where backend-path says: ${problem.message}`;
    case "hook-missing":
      return `the build backend ${call.backend} cannot ${call.hook}: ${problem.message}`;
    case "unsupported":
      return `the build backend ${call.backend} does not support ${call.hook}: ${problem.message}`;
    case "hook-failed":
      return `the build backend ${call.backend} failed in ${call.hook}: ${problem.message}`;
  }
}

function hintFor(call: HookCall, kind: HookProblemKind): string {
  if (kind === "backend-unavailable") {
    return call.backendPath.length > 0
      ? `Check build-system.build-backend and that the module exists under backend-path (${call.backendPath.join(", ")}).`
      : "Check build-system.build-backend and that build-system.requires lists the package that provides it.";
  }
  if (kind === "backend-invalid")
    return "Move the backend module into a backend-path directory, or fix backend-path.";
  return "Fix what the backend's output shows; the reproduce command runs the same hook by hand.";
}

/** A command line a user can paste to call the same hook by hand. */
function reproduce(call: HookCall): string {
  const [module, object] = call.backend.split(":");
  const path =
    call.backendPath.length > 0 ? `import sys; sys.path[:0] = ${JSON.stringify(call.backendPath)}; ` : "";
  const target = object === undefined ? "b" : `b.${object.trim()}`;
  const args = Object.entries(call.kwargs)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(", ");
  const code = `${path}import ${module?.trim()} as b; print(${target}.${call.hook}(${args}))`;
  return `cd ${formatArgv([call.cwd])} && ${formatArgv([call.python, "-c", code])}`;
}
