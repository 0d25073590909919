/**
 * Finding the Python a build runs on, and asking an interpreter what it has: its version, the
 * PEP 508 marker values, and the distributions installed in it.
 */
import { delimiter, join } from "node:path";
import type { EnvironmentFacts } from "../../core/build/build-system.ts";
import { normalizeName } from "../../core/names/name.ts";
import { SlipwayError } from "../../errors.ts";
import { exec } from "../exec.ts";
import { isExecutable, which } from "../which.ts";

/** Oldest Python slipway builds with (the oldest CPython still in wide use by backends). */
export const MIN_PYTHON: readonly [number, number] = [3, 9];

export interface Interpreter {
  /** What was run: an absolute path. */
  path: string;
  /** `sys.executable` as the interpreter reports it. */
  executable: string;
  version: string;
  versionInfo: readonly [number, number, number];
  implementation: string;
}

export interface PythonFacts extends Interpreter, EnvironmentFacts {}

// Python 2 must be able to parse this far to say it is too old, so no f-strings here.
const FACTS_PY = String.raw`
import json, os, platform, sys
sys.path[:] = [p for p in sys.path if p not in ("", ".")]  # -c puts the cwd first; it is not installed
info = {"executable": sys.executable, "version": platform.python_version(),
        "versionInfo": list(sys.version_info[:3]), "implementation": platform.python_implementation()}
if "--installed" in sys.argv:
    impl = sys.implementation
    iv = "%d.%d.%d" % impl.version[:3]
    if impl.version.releaselevel != "final":
        iv += impl.version.releaselevel[0] + str(impl.version.serial)
    info["markers"] = {
        "os_name": os.name, "sys_platform": sys.platform, "platform_machine": platform.machine(),
        "platform_python_implementation": platform.python_implementation(),
        "platform_release": platform.release(), "platform_system": platform.system(),
        "platform_version": platform.version(), "python_version": ".".join(platform.python_version_tuple()[:2]),
        "python_full_version": platform.python_version(), "implementation_name": impl.name,
        "implementation_version": iv,
    }
    from importlib.metadata import distributions
    installed = {}
    for dist in distributions():
        name = dist.metadata["Name"]
        if name and name not in installed:  # the first on sys.path wins, as for imports
            installed[name] = dist.version
    info["installed"] = installed
sys.stdout.write(json.dumps(info))
`;

async function probe(
  path: string,
  options: { cwd: string; env: Readonly<Record<string, string | undefined>>; installed?: boolean },
): Promise<PythonFacts | undefined> {
  const argv = [path, "-c", FACTS_PY, ...(options.installed ? ["--installed"] : [])];
  const result = await exec(argv, {
    cwd: options.cwd,
    env: options.env,
    check: false,
    timeoutMs: 60_000,
  }).catch(() => undefined);
  if (result === undefined || result.code !== 0) return undefined;
  try {
    const raw = JSON.parse(result.stdout) as Omit<PythonFacts, "installed" | "path"> & {
      installed?: Record<string, string>;
    };
    const installed = new Map<string, string>();
    for (const [name, version] of Object.entries(raw.installed ?? {}))
      installed.set(normalizeName(name), version);
    return { ...raw, path, installed, markers: raw.markers ?? {} };
  } catch {
    return undefined;
  }
}

const tooOld = (i: Interpreter) =>
  i.versionInfo[0] < MIN_PYTHON[0] ||
  (i.versionInfo[0] === MIN_PYTHON[0] && i.versionInfo[1] < MIN_PYTHON[1]);

export interface FindPythonOptions {
  /** `--python`: a path or a command on PATH. */
  python?: string | undefined;
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
}

/**
 * The interpreter to build with: the one asked for, else the first `python3` or `python` on
 * PATH that is Python >= 3.9. Errors say which interpreters were found and what to do.
 */
export async function findPython(options: FindPythonOptions): Promise<Interpreter> {
  const min = MIN_PYTHON.join(".");
  if (options.python !== undefined) {
    const path = which(options.python, options.env, options.cwd);
    if (path === undefined) {
      throw new SlipwayError("python", `Python interpreter "${options.python}" not found`, {
        hint: "Pass --python with the path of an existing interpreter, or a command on PATH.",
      });
    }
    const found = await probe(path, options);
    if (found === undefined) {
      throw new SlipwayError("python", `${path} did not run as a Python interpreter`, {
        hint: `Run \`${path} --version\` to see what it is; pass --python with a Python ${min} or newer.`,
      });
    }
    if (tooOld(found)) {
      throw new SlipwayError(
        "python",
        `${path} is Python ${found.version}; building needs Python ${min} or newer`,
        {
          hint: `Pass --python with a newer interpreter (e.g. --python python3.12).`,
        },
      );
    }
    return found;
  }
  const seen: string[] = [];
  const dirs = (options.env["PATH"] ?? "").split(delimiter).filter((d) => d !== "");
  for (const dir of dirs) {
    for (const name of ["python3", "python"]) {
      const path = join(dir, name);
      if (!isExecutable(path)) continue;
      const found = await probe(path, options);
      if (found === undefined) continue;
      if (!tooOld(found)) return found;
      seen.push(`${path} (${found.version})`);
    }
  }
  if (seen.length > 0) {
    throw new SlipwayError("python", `no Python ${min} or newer on PATH; found only ${seen.join(", ")}`, {
      hint: `Install Python ${min}+ or pass --python with its path.`,
    });
  }
  throw new SlipwayError("python", "no Python interpreter found on PATH (looked for python3 and python)", {
    hint: `Install Python ${min} or newer, or pass --python with the path of one.`,
  });
}

/** Version, marker values and installed distributions of an interpreter (for requirement checks). */
export async function readPythonFacts(
  python: string,
  options: { cwd: string; env: Readonly<Record<string, string | undefined>> },
): Promise<PythonFacts> {
  const facts = await probe(python, { ...options, installed: true });
  if (facts === undefined) {
    throw new SlipwayError("python", `could not ask ${python} what it has installed`, {
      hint: `Run \`${python} -c "import importlib.metadata"\` to see what fails.`,
    });
  }
  return facts;
}
