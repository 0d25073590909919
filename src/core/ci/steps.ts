/**
 * The steps the GitHub and Gitea workflows share: checkout, Python, the locked install with its
 * cache, slipway itself. Each is a plain YAML mapping; `Flavor` says which host it is for.
 */
import { ACTION_PINS, type ActionName, actionRef, TOOL_PINS } from "./action-pins.ts";
import type { CiFacts } from "./facts.ts";
import { commented, type YamlMap } from "./yaml-emit.ts";

export interface Flavor {
  host: "github" | "gitea";
  /** Gitea: prefix for absolute `uses:` URLs (`https://github.com`); undefined for bare names. */
  actionsUrl: string | undefined;
  /** The slipway version the jobs install from npm. */
  slipwayVersion: string;
}

export function uses(name: ActionName, flavor: Flavor): ReturnType<typeof commented> {
  return commented(actionRef(name, flavor.actionsUrl), ACTION_PINS[name].version);
}

/** Checkout without the token left in .git/config (zizmor `artipacked`): no job here pushes through it. */
export function checkout(flavor: Flavor): YamlMap {
  return { uses: uses("checkout", flavor), with: { "persist-credentials": false } };
}

export function setupPython(flavor: Flavor, version: string): YamlMap {
  return { uses: uses("setupPython", flavor), with: { "python-version": version } };
}

/**
 * Node for slipway. setup-node v5 caches npm's downloads unless told not to, and a cache is
 * what a poisoned run would leave for a release (zizmor `cache-poisoning`).
 */
export function installSlipway(flavor: Flavor): YamlMap[] {
  return [
    {
      uses: uses("setupNode", flavor),
      with: { "node-version": TOOL_PINS.node, "package-manager-cache": false },
    },
  ];
}

/** A slipway command line, run by npx at the exact version that generated the workflow. */
export function slipway(flavor: Flavor, args: string): string {
  return `npx --yes slipway@${flavor.slipwayVersion} ${args}`;
}

/** Where each installer keeps its downloads, for the cache. */
function cacheDir(facts: CiFacts): string {
  if (facts.lock.kind === "uv") return "~/.cache/uv";
  if (facts.lock.kind === "poetry") return "~/.cache/pypoetry";
  return "~/.cache/pip";
}

/**
 * The install cache, keyed by the lockfile's hash and the Python version (pyproject.toml's
 * hash when there is no lockfile), so a changed lock or Python never restores stale wheels.
 */
export function cacheStep(facts: CiFacts, flavor: Flavor, python: string): YamlMap {
  const hashed = facts.lock.path ?? "pyproject.toml";
  return {
    uses: uses("cache", flavor),
    with: {
      path: cacheDir(facts),
      key: `${facts.lock.kind}-\${{ runner.os }}-py${python}-\${{ hashFiles('${hashed}') }}`,
    },
  };
}

/** The command prefix that runs a tool inside the project's environment. */
export function runner(facts: CiFacts): string {
  if (facts.lock.kind === "uv") return "uv run --locked ";
  if (facts.lock.kind === "poetry") return "poetry run ";
  return "";
}

/** The tools a job needs when the project has no lockfile to install them from. */
function unlockedTools(facts: CiFacts, job: "lint" | "types" | "test"): string[] {
  const t = facts.tools;
  if (job === "lint") return [...(t.ruff ? ["ruff"] : []), ...(t.black ? ["black"] : [])];
  if (job === "types") return [...(t.mypy ? ["mypy"] : []), ...(t.pyright ? ["pyright"] : [])];
  return ["pytest", ...(t.coverageFailUnder !== undefined ? ["coverage"] : [])];
}

/** The locked install of the project and its development tools. */
export function installProject(facts: CiFacts, job: "lint" | "types" | "test"): YamlMap {
  const extra = facts.devExtra === undefined ? "" : `[${facts.devExtra}]`;
  switch (facts.lock.kind) {
    case "uv":
      return {
        name: "Install (uv.lock, --locked)",
        run: `python -m pip install uv==${TOOL_PINS.uv}\nuv sync --locked --all-extras\n`,
      };
    case "poetry":
      return {
        name: "Install (poetry.lock)",
        run: `python -m pip install poetry==${TOOL_PINS.poetry}\npoetry check --lock\npoetry install --no-interaction --all-extras\n`,
      };
    case "requirements":
      return {
        name: `Install (${facts.lock.path})`,
        run: `python -m pip install -r ${facts.lock.path}\npython -m pip install --no-deps -e .\n`,
      };
    default: {
      const tools = unlockedTools(facts, job);
      return {
        name: "Install (no lockfile: versions are not pinned)",
        run: `python -m pip install -e ".${extra}"${tools.length > 0 ? ` ${tools.join(" ")}` : ""}\n`,
      };
    }
  }
}

/** A word of a gate's argv as a POSIX shell reads it back. */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}
