/**
 * What the generated CI needs to know about a project, decided once from what was read:
 * pyproject.toml, the names of a few root files, `[tool.slipway.release]` and setup.py's text.
 * Pure; the generators (github.ts, gitlab.ts) take only this.
 */
import { parseSpecifierSet, specifierSetContains } from "../pep440/specifier.ts";
import { get, getString, getStrings, getTable, isTable, type TomlTable } from "../pyproject/access.ts";
import type { ReleaseConfig } from "../release/config.ts";

/** CPython versions a generated matrix may name, oldest first (the runners' setup-python has them all). */
export const KNOWN_PYTHONS = ["3.9", "3.10", "3.11", "3.12", "3.13"] as const;

export type LockKind = "uv" | "poetry" | "requirements" | "none";

export interface CiLock {
  kind: LockKind;
  /** The lockfile the cache key hashes and the integrity step checks; undefined for none. */
  path: string | undefined;
}

export interface CiTools {
  ruff: boolean;
  black: boolean;
  mypy: boolean;
  pyright: boolean;
  pytest: boolean;
  /** `[tool.coverage.report] fail_under`, when the project sets one. */
  coverageFailUnder: number | undefined;
}

export interface CiFacts {
  /** The distribution name as written in `[project] name`. */
  name: string;
  /** Every Python the test matrix runs, oldest first; never empty. */
  pythons: string[];
  /** Where a single-Python job runs (lint, types, build): the newest of `pythons`. */
  mainPython: string;
  tools: CiTools;
  lock: CiLock;
  /** An optional-dependencies extra that holds the test and lint tools (`dev`, `test`). */
  devExtra: string | undefined;
  /** Compiled extensions: wheels are built per platform by cibuildwheel. */
  native: boolean;
  /** Why `native` is what it is, for the comment in the build job. */
  nativeWhy: string;
  release: {
    branch: string;
    /** The target index as configured (`pypi`, `testpypi`, a name or an upload URL). */
    to: string;
    /** pypi and testpypi accept trusted publishing (OIDC); other indexes get a token secret. */
    trusted: boolean;
    /** The index's project page, for the `pypi` environment's URL. */
    projectUrl: string | undefined;
    /** Gate commands from `[tool.slipway.release] gates`, as argv. */
    gates: string[][];
    /** Environment variables the release needs set (from secrets of the same name). */
    env: string[];
    /** The tag pattern that starts a release (`v*`). */
    tagPattern: string;
  };
  /** What the checks skip and why, said in the workflow's comments. */
  skipped: string[];
}

export interface CiFactsInput {
  pyproject: TomlTable;
  /** Which of the root names asked about exist (files or directories). */
  present: ReadonlySet<string>;
  release: ReleaseConfig;
  /** `[tool.slipway] tag-format`, when set. */
  tagFormat: string | undefined;
  /** setup.py's text, when there is one. */
  setupPy: string | undefined;
  /** The remote's default branch when known, for pushes and badges. */
  defaultBranch: string | undefined;
}

/** The root names `assembleCiFacts` asks about (ops checks each for existence). */
export const CI_ROOT_NAMES = [
  "uv.lock",
  "poetry.lock",
  "requirements-dev.txt",
  "requirements-test.txt",
  "requirements.txt",
  "ruff.toml",
  ".ruff.toml",
  "mypy.ini",
  ".mypy.ini",
  "pyrightconfig.json",
  "pytest.ini",
  "conftest.py",
  "tests",
  "test",
  "setup.py",
] as const;

const NATIVE_BACKENDS: Readonly<Record<string, string>> = {
  "scikit_build_core.build": "scikit-build-core builds CMake extensions",
  mesonpy: "meson-python builds compiled extensions",
  maturin: "maturin builds Rust extensions",
};

function pythonsOf(project: TomlTable): { pythons: string[]; from: string } {
  const classifiers = getStrings(project, "classifiers") ?? [];
  const listed = KNOWN_PYTHONS.filter((v) => classifiers.includes(`Programming Language :: Python :: ${v}`));
  if (listed.length > 0) return { pythons: [...listed], from: "classifiers" };
  const requires = getString(project, "requires-python");
  const set = requires === undefined ? undefined : parseSpecifierSet(requires);
  if (set?.ok) {
    const allowed = KNOWN_PYTHONS.filter((v) => specifierSetContains(set.value, `${v}.0`));
    if (allowed.length > 0) return { pythons: [...allowed], from: "requires-python" };
  }
  return { pythons: [KNOWN_PYTHONS[KNOWN_PYTHONS.length - 1]!], from: "default" };
}

function nativeOf(pyproject: TomlTable, setupPy: string | undefined): { native: boolean; why: string } {
  const backend = getString(getTable(pyproject, "build-system"), "build-backend") ?? "";
  const why = NATIVE_BACKENDS[backend];
  if (why !== undefined) return { native: true, why };
  const tool = getTable(pyproject, "tool");
  if (isTable(get(tool, "cibuildwheel"))) return { native: true, why: "[tool.cibuildwheel] is configured" };
  // ext-modules is an array of tables ([[tool.setuptools.ext-modules]]).
  const ext = get(getTable(tool, "setuptools"), "ext-modules");
  if (Array.isArray(ext) && ext.length > 0) return { native: true, why: "[tool.setuptools] ext-modules" };
  if (setupPy !== undefined && /\bExtension\s*\(|\bext_modules\s*=/.test(setupPy))
    return { native: true, why: "setup.py declares ext_modules" };
  return { native: false, why: "pure Python: one sdist and one universal wheel" };
}

function lockOf(present: ReadonlySet<string>): CiLock {
  if (present.has("uv.lock")) return { kind: "uv", path: "uv.lock" };
  if (present.has("poetry.lock")) return { kind: "poetry", path: "poetry.lock" };
  for (const name of ["requirements-dev.txt", "requirements-test.txt", "requirements.txt"]) {
    if (present.has(name)) return { kind: "requirements", path: name };
  }
  return { kind: "none", path: undefined };
}

function failUnder(tool: TomlTable | undefined): number | undefined {
  const value = get(getTable(getTable(tool, "coverage"), "report"), "fail_under");
  return typeof value === "number" && Number.isFinite(value) && value >= 0 && value <= 100
    ? value
    : undefined;
}

/** The index's project page for the environment URL (PyPI and TestPyPI only). */
function projectUrlOf(to: string, name: string): string | undefined {
  const normalized = name.toLowerCase().replace(/[-_.]+/g, "-");
  if (to === "pypi") return `https://pypi.org/p/${normalized}`;
  if (to === "testpypi") return `https://test.pypi.org/p/${normalized}`;
  return undefined;
}

/**
 * The facts of the project for its CI. `name` falls back to the directory-free "project" only
 * when pyproject has none (a config error is the caller's to raise before).
 */
export function assembleCiFacts(input: CiFactsInput): CiFacts {
  const project = getTable(input.pyproject, "project") ?? {};
  const tool = getTable(input.pyproject, "tool");
  const has = (name: string) => isTable(get(tool, name));
  const present = input.present;
  const { pythons } = pythonsOf(project);
  const mainPython = pythons[pythons.length - 1]!;
  const testsDir = present.has("tests") || present.has("test");
  const tools: CiTools = {
    ruff: has("ruff") || present.has("ruff.toml") || present.has(".ruff.toml"),
    black: has("black"),
    mypy: has("mypy") || present.has("mypy.ini") || present.has(".mypy.ini"),
    pyright: has("pyright") || present.has("pyrightconfig.json"),
    pytest:
      isTable(get(getTable(tool, "pytest"), "ini_options")) ||
      present.has("pytest.ini") ||
      present.has("conftest.py") ||
      testsDir,
    coverageFailUnder: failUnder(tool),
  };
  const lock = lockOf(present);
  const extras = getTable(project, "optional-dependencies") ?? {};
  const devExtra = ["dev", "test", "tests", "testing"].find((e) => Array.isArray(extras[e]));
  const { native, why } = nativeOf(input.pyproject, input.setupPy);
  const name = getString(project, "name") ?? "project";
  const to = input.release.to;
  const skipped: string[] = [];
  if (!tools.pytest) skipped.push("tests: no pytest configuration, conftest.py or tests/ directory");
  if (!tools.ruff && !tools.black) skipped.push("lint: neither ruff nor black is configured");
  if (!tools.mypy && !tools.pyright) skipped.push("types: neither mypy nor pyright is configured");
  if (lock.kind === "none") {
    skipped.push("lockfile integrity: no uv.lock, poetry.lock or requirements*.txt; installs are not locked");
  }
  const format = input.tagFormat ?? "v{version}";
  return {
    name,
    pythons,
    mainPython,
    tools,
    lock,
    devExtra,
    native,
    nativeWhy: why,
    release: {
      branch: input.release.branch ?? input.defaultBranch ?? "main",
      to,
      trusted: to === "pypi" || to === "testpypi",
      projectUrl: projectUrlOf(to, name),
      gates: input.release.gates,
      env: input.release.env,
      tagPattern: format.replace("{version}", "*"),
    },
    skipped,
  };
}
