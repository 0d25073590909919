/**
 * Throw-away virtual environments for installing a distribution the way a user would, and
 * reading back what got installed. When the base interpreter's pip is new enough (>= 22.3 has
 * `--python`), the venv is made without pip (~50 ms instead of seconds of ensurepip) and that
 * pip installs into it. Every pip run is isolated from the user's pip configuration.
 */
import { devNull } from "node:os";
import { delimiter, join, posix } from "node:path";
import { parseRecord } from "../../core/dist/record.ts";
import type { InstalledFile } from "../../core/verify/install-proof.ts";
import { SlipwayError } from "../../errors.ts";
import { type ExecResult, exec, formatArgv } from "../exec.ts";
import type { Interpreter } from "./interpreter.ts";

type Env = Readonly<Record<string, string | undefined>>;

export interface ScratchVenv {
  dir: string;
  python: string;
  bin: string;
  /**
   * The environment processes in the venv run with: PATH first through its bin, no PYTHONPATH,
   * and pip isolated from the user's configuration (see `isolatedPipEnv`).
   */
  env: Record<string, string | undefined>;
  /** The argv prefix that runs pip for this venv (`base -m pip --isolated --python X` or `X -m pip --isolated`). */
  pip: string[];
  pipVersion: string;
}

// Variables that would make the venv's interpreter see another environment's modules.
const LEAKY = ["PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONUSERBASE", "__PYVENV_LAUNCHER__"];

/**
 * `env` as every pip run of slipway gets it: no `PIP_*` variable (pip reads each as an option),
 * and `PIP_CONFIG_FILE` set to the null device, which makes pip skip every configuration file:
 * global, user and site (pip/_internal/configuration.py, `_load_config_files`). Where packages
 * come from is then only what slipway passes on the command line. Proxies and TLS trust
 * (`HTTPS_PROXY`, `REQUESTS_CA_BUNDLE`, `SSL_CERT_FILE`) are not pip's configuration and stay.
 */
export function isolatedPipEnv(env: Env): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(env)) if (!name.startsWith("PIP_")) out[name] = value;
  // pip compares with os.devnull, which is "/dev/null" on the POSIX systems slipway's venvs support.
  out["PIP_CONFIG_FILE"] = devNull;
  return out;
}

/**
 * The command line that reruns a pip command by hand exactly as slipway ran it: `--isolated`
 * (in the argv) ignores `PIP_*` variables and the user's files, the null config file the rest.
 */
export function formatPipCommand(venv: ScratchVenv, args: readonly string[]): string {
  return `PIP_CONFIG_FILE=${devNull} ${formatArgv([...venv.pip, ...args])}`;
}

const versionOf = (pipVersionOutput: string): [number, number] => {
  const [major = 0, minor = 0] = (/^pip (\d+)\.(\d+)/.exec(pipVersionOutput) ?? []).slice(1).map(Number);
  return [major, minor];
};
const atLeast = ([major, minor]: [number, number], want: [number, number]) =>
  major > want[0] || (major === want[0] && minor >= want[1]);

const tail = (text: string, lines = 20) => text.trimEnd().split("\n").slice(-lines).join("\n");

/** Makes a fresh venv at `dir` (which must not exist yet, or be empty) from `interpreter`. */
export async function createScratchVenv(options: {
  interpreter: Interpreter;
  dir: string;
  cwd: string;
  env: Env;
}): Promise<ScratchVenv> {
  const base = options.interpreter.executable;
  // ensurepip (a venv with its own pip) runs pip too: a constraint in a pip.conf could break it.
  const isolated = isolatedPipEnv(options.env);
  const run = (argv: string[]) =>
    exec(argv, { cwd: options.cwd, env: isolated, check: false, timeoutMs: 10 * 60_000 });
  const basePip = await run([base, "-m", "pip", "--version"]);
  const borrow = basePip.code === 0 && atLeast(versionOf(basePip.stdout), [22, 3]);
  const made = await run([base, "-m", "venv", ...(borrow ? ["--without-pip"] : []), options.dir]);
  if (made.code !== 0) {
    throw new SlipwayError("python", `could not create a virtualenv with ${base} -m venv ${options.dir}`, {
      hint: `${tail(made.stderr, 3)} (on Debian/Ubuntu: apt install python3-venv)`,
    });
  }
  const bin = join(options.dir, "bin");
  const python = join(bin, "python");
  const env = { ...isolated };
  for (const name of LEAKY) delete env[name];
  env["VIRTUAL_ENV"] = options.dir;
  env["PATH"] = [bin, options.env["PATH"] ?? ""].filter((p) => p !== "").join(delimiter);
  const pip = borrow
    ? [base, "-m", "pip", "--isolated", "--python", python]
    : [python, "-m", "pip", "--isolated"];
  const pipVersion = borrow ? basePip : await run([python, "-m", "pip", "--version"]);
  // --report arrived in pip 22.2; without it nothing proves which file was installed.
  if (pipVersion.code !== 0 || !atLeast(versionOf(pipVersion.stdout), [22, 2])) {
    throw new SlipwayError(
      "python",
      `pip for ${base} is too old or missing (${pipVersion.stdout.trim() || tail(pipVersion.stderr, 1)}); verify-install needs pip >= 22.2`,
      { hint: `Upgrade it: ${base} -m pip install --upgrade pip` },
    );
  }
  return { dir: options.dir, python, bin, env, pip, pipVersion: pipVersion.stdout.split(" ")[1] ?? "" };
}

/** Runs pip for the venv with `args`; a failure is returned, not thrown. */
export async function runPip(
  venv: ScratchVenv,
  args: readonly string[],
  options: { cwd: string; timeoutMs?: number; onOutput?: ((line: string) => void) | undefined },
): Promise<ExecResult> {
  const onOutput = options.onOutput;
  return await exec([...venv.pip, ...args], {
    cwd: options.cwd,
    env: venv.env,
    check: false,
    timeoutMs: options.timeoutMs ?? 30 * 60_000,
    ...(onOutput === undefined ? {} : { onStdoutLine: onOutput, onStderrLine: onOutput }),
  });
}

/** A distribution as installed in a venv, read through importlib.metadata. */
export interface InstalledDist {
  name: string;
  version: string;
  /** The `.dist-info` directory's name. */
  distInfo: string;
  files: InstalledFile[];
  metadata: string;
  entryPoints?: string;
}

// Roots are resolved (realpath) so that a temp dir behind a symlink still places every file.
const READ_DIST_PY = `
import json, os, re, sys, sysconfig
from importlib.metadata import distributions
norm = lambda n: re.sub(r"[-_.]+", "-", n or "").lower()
want = norm(sys.argv[1])
paths = sysconfig.get_paths()
for d in distributions():
    if norm(d.metadata["Name"]) != want:
        continue
    path = getattr(d, "_path", None)
    print(json.dumps({
        "name": d.metadata["Name"], "version": d.version,
        "distInfo": os.path.basename(str(path)) if path is not None else "",
        "base": os.path.realpath(str(d.locate_file(""))),
        "roots": [[k, os.path.realpath(paths[p])] for k, p in
                  (("lib", "purelib"), ("lib", "platlib"), ("scripts", "scripts"), ("data", "data"))],
        "record": d.read_text("RECORD"), "metadata": d.read_text("METADATA"),
        "entryPoints": d.read_text("entry_points.txt"),
    }))
    break
`;

interface RawDist {
  name: string;
  version: string;
  distInfo: string;
  base: string;
  roots: [InstalledFile["scheme"], string][];
  record: string | null;
  metadata: string | null;
  entryPoints: string | null;
}

/** Places RECORD paths (relative to the dist-info's parent) in the scheme directory they landed in. */
export function placeFiles(
  record: string,
  base: string,
  roots: readonly [InstalledFile["scheme"], string][],
): InstalledFile[] {
  const files: InstalledFile[] = [];
  for (const entry of parseRecord(record).entries) {
    if (entry.path === "") continue;
    // POSIX layouts only (bin/, lib/pythonX.Y/site-packages), like the rest of the venv code.
    const abs = posix.normalize(posix.join(base, entry.path));
    let placed: InstalledFile = { scheme: "other", path: abs, hash: entry.hash };
    for (const [scheme, root] of roots) {
      const rel = posix.relative(root, abs);
      if (rel !== "" && rel !== ".." && !rel.startsWith("../") && !posix.isAbsolute(rel)) {
        placed = { scheme, path: rel, hash: entry.hash };
        break;
      }
    }
    files.push(placed);
  }
  return files;
}

/** What is installed of project `name` in the venv, or undefined when it is not installed. */
export async function readInstalledDist(
  venv: ScratchVenv,
  name: string,
  options: { cwd: string },
): Promise<InstalledDist | undefined> {
  const result = await exec([venv.python, "-I", "-c", READ_DIST_PY, name], {
    cwd: options.cwd,
    env: venv.env,
    timeoutMs: 120_000,
  });
  if (result.stdout.trim() === "") return undefined;
  const raw = JSON.parse(result.stdout) as RawDist;
  return {
    name: raw.name,
    version: raw.version,
    distInfo: raw.distInfo,
    files: placeFiles(raw.record ?? "", raw.base, raw.roots),
    metadata: raw.metadata ?? "",
    ...(raw.entryPoints === null ? {} : { entryPoints: raw.entryPoints }),
  };
}
