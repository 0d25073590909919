/**
 * One PEP 517 build (an sdist or a wheel) of one source tree: get the environment ready
 * (isolated and cached, or the user's interpreter checked for every requirement), ask the
 * backend what else it needs, and call its build hook.
 */
import { join } from "node:path";
import { pushAll } from "../../core/arrays.ts";
import type { BuildSystem } from "../../core/build/build-system.ts";
import { unmetRequirements } from "../../core/build/build-system.ts";
import { SlipwayError } from "../../errors.ts";
import {
  type BuildEnv,
  evictBuildEnv,
  hookEnvironment,
  type PipSource,
  provideBuildEnv,
} from "./build-env.ts";
import { type BackendIdentity, type ConfigSettings, callHook, HookError, type HookName } from "./hooks.ts";
import { type Interpreter, readPythonFacts } from "./interpreter.ts";

export type DistKind = "sdist" | "wheel";

export type FrontendEvent =
  | { type: "env"; kind: DistKind; reused: boolean; requirements: string[] }
  | { type: "requirements"; kind: DistKind; requirements: string[] }
  | { type: "output"; line: string };

export interface BuildHookOptions {
  kind: DistKind;
  /** The source tree (the project, or the unpacked sdist). */
  srcDir: string;
  buildSystem: BuildSystem;
  interpreter: Interpreter;
  isolation: boolean;
  pip: PipSource;
  configSettings: ConfigSettings;
  /** Directory the backend writes the artifact into (exists, empty). */
  outDir: string;
  env: Readonly<Record<string, string | undefined>>;
  /** Set for the backend (SOURCE_DATE_EPOCH...). */
  extraEnv: Record<string, string>;
  onEvent?: (event: FrontendEvent) => void;
}

export interface BuildHookResult {
  filename: string;
  backend: BackendIdentity;
  python: string;
  /** Every requirement the build needed (build-system.requires plus what the backend asked for). */
  requirements: string[];
  env?: { key: string; reused: boolean };
  output: string[];
}

/** Builds one artifact; a cached environment that proves broken is made again once. */
export async function runBuildHook(options: BuildHookOptions): Promise<BuildHookResult> {
  try {
    return await attempt(options);
  } catch (error) {
    if (error instanceof BrokenCachedEnv) {
      await evictBuildEnv(error.env);
      return await attempt(options);
    }
    throw error;
  }
}

/** A cached environment whose backend would not import although its stamp said it was whole. */
class BrokenCachedEnv extends Error {
  readonly env: BuildEnv;
  constructor(env: BuildEnv) {
    super("broken cached build environment");
    this.env = env;
  }
}

async function attempt(options: BuildHookOptions): Promise<BuildHookResult> {
  const { kind, buildSystem } = options;
  const output: string[] = [];
  const onOutput = (line: string) => {
    output.push(line);
    options.onEvent?.({ type: "output", line });
  };
  const backendPath = buildSystem.backendPath.map((p) => join(options.srcDir, p));
  const requirements = [...buildSystem.requires];

  let env: BuildEnv | undefined;
  const environment = async (reqs: string[]) => {
    if (!options.isolation) {
      await requireSatisfied(options, reqs);
      return undefined;
    }
    const provided = await provideBuildEnv({
      interpreter: options.interpreter,
      requirements: reqs,
      pip: options.pip,
      cwd: options.srcDir,
      env: options.env,
      onOutput,
    });
    options.onEvent?.({ type: "env", kind, reused: provided.reused, requirements: reqs });
    return provided;
  };
  const hook = async <T>(name: HookName, kwargs: Record<string, unknown>) => {
    try {
      return await callHook<T>({
        python: env?.python ?? options.interpreter.executable,
        cwd: options.srcDir,
        env: hookEnvironment(env?.dir, options.env, options.extraEnv),
        backend: buildSystem.backend,
        backendPath,
        hook: name,
        kwargs,
        onOutput,
      });
    } catch (error) {
      if (error instanceof HookError && error.kind === "backend-unavailable" && env?.reused === true) {
        throw new BrokenCachedEnv(env);
      }
      throw error;
    }
  };

  try {
    env = await environment(requirements);
    const settings = { config_settings: options.configSettings };
    const asked = await hook<string[]>(`get_requires_for_build_${kind}`, settings);
    const extra = (asked.value ?? []).filter((r) => !requirements.includes(r));
    if (extra.length > 0) {
      options.onEvent?.({ type: "requirements", kind, requirements: extra });
      pushAll(requirements, extra);
      if (options.isolation) {
        // Only when the environment lacks them: most backends ask for nothing more.
        const facts = await readPythonFacts(env!.python, { cwd: options.srcDir, env: options.env });
        if (unmetRequirements(extra, facts).length > 0) {
          await env?.dispose();
          env = await environment(requirements);
        }
      } else await requireSatisfied(options, extra);
    }
    const built = await hook<string>(
      `build_${kind}`,
      kind === "wheel"
        ? { wheel_directory: options.outDir, ...settings, metadata_directory: null }
        : { sdist_directory: options.outDir, ...settings },
    );
    if (typeof built.value !== "string" || built.value === "" || built.value.includes("/")) {
      throw new SlipwayError(
        "exec",
        `the build backend ${buildSystem.backend} returned ${JSON.stringify(built.value)} from build_${kind}, not a file name`,
        {
          hint: "PEP 517 hooks return the basename of the file they wrote; report this to the backend.",
        },
      );
    }
    return {
      filename: built.value,
      backend: built.backend ?? { distribution: null, version: null, inTree: false },
      python: built.python,
      requirements,
      ...(env === undefined ? {} : { env: { key: env.key, reused: env.reused } }),
      output,
    };
  } finally {
    await env?.dispose();
  }
}

/** --no-isolation: every requirement must already be satisfied by the chosen interpreter. */
async function requireSatisfied(options: BuildHookOptions, requirements: readonly string[]): Promise<void> {
  if (requirements.length === 0) return;
  const facts = await readPythonFacts(options.interpreter.executable, {
    cwd: options.srcDir,
    env: options.env,
  });
  const unmet = unmetRequirements(requirements, facts);
  if (unmet.length === 0) return;
  const list = unmet.map((u) => `${u.requirement} (${u.reason})`).join(", ");
  const install = unmet.map((u) => `'${u.requirement}'`).join(" ");
  throw new SlipwayError(
    "python",
    `--no-isolation: ${options.interpreter.executable} lacks build requirements: ${list}`,
    {
      hint: `Install them (${options.interpreter.executable} -m pip install ${install}) or build without --no-isolation.`,
    },
  );
}
