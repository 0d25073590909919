/**
 * Where a project's version lives, decided from pyproject.toml alone (and setup.cfg's text when
 * there is one): the places to read and edit, or, for versions derived from git tags by the
 * build backend (setuptools-scm, hatch-vcs, versioningit, pdm-backend `scm`,
 * poetry-dynamic-versioning, uv-dynamic-versioning), that the tag is the version.
 * Pure: the adapter reads the candidate files and decides which exist.
 */
import type { VersionLocation } from "../edits/version-edit.ts";
import { dynamicKeys, get, getString, getStrings, getTable, type TomlTable } from "../pyproject/access.ts";
import type { SlipwayConfig } from "./config.ts";

export interface VersionCandidate {
  /** Files tried in order; the first that exists is the place. */
  paths: string[];
  /** Locations tried in order inside it; the first found at least once is the place. */
  locations: VersionLocation[];
  /** Why slipway looks there, as the user configured it: `[project] version`, `[tool.hatch.version] path`. */
  origin: string;
  /**
   * A required place must exist and hold the version exactly once. An optional one (a
   * conventional `__version__` file) is skipped when the file or the assignment is missing or
   * not a literal (`__version__ = version("pkg")` reads the metadata and needs no edit).
   */
  required: boolean;
}

export type VersionMode =
  | { kind: "static" }
  /** The backend derives the version from the last tag: a release is a tag, not a file edit. */
  | { kind: "vcs"; backend: string; setting: string };

export interface VersionSources {
  mode: VersionMode;
  candidates: VersionCandidate[];
  /** Configurations slipway cannot follow, each one line; the version is unknown while any remain. */
  problems: string[];
}

const PY: VersionLocation = { kind: "python" };
const PY_OR_UPPER: VersionLocation[] = [PY, { kind: "python", name: "VERSION" }];
const CONVENTIONAL_FILES = ["__init__.py", "_version.py", "__about__.py", "version.py"];

/** A requirement's distribution name, normalized (`setuptools_scm[toml]>=8` → `setuptools-scm`). */
function requirementName(requirement: string): string {
  return (/^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(requirement)?.[1] ?? "")
    .toLowerCase()
    .replace(/[-_.]+/g, "-");
}

function vcsMode(pyproject: TomlTable, dynamic: boolean): VersionMode | undefined {
  const tool = getTable(pyproject, "tool");
  const requires = (getStrings(getTable(pyproject, "build-system"), "requires") ?? []).map(requirementName);
  const poetryDynamic = getTable(tool, "poetry-dynamic-versioning");
  if (get(poetryDynamic, "enable") === true) {
    return {
      kind: "vcs",
      backend: "poetry-dynamic-versioning",
      setting: "[tool.poetry-dynamic-versioning] enable = true",
    };
  }
  if (!dynamic) return undefined;
  const hatchSource = getString(getTable(getTable(tool, "hatch"), "version"), "source");
  if (hatchSource === "vcs")
    return { kind: "vcs", backend: "hatch-vcs", setting: '[tool.hatch.version] source = "vcs"' };
  if (
    hatchSource !== undefined &&
    hatchSource !== "regex" &&
    hatchSource !== "code" &&
    hatchSource !== "env"
  ) {
    // uv-dynamic-versioning, versioningit's hatch plugin and others name their plugin here.
    return { kind: "vcs", backend: hatchSource, setting: `[tool.hatch.version] source = "${hatchSource}"` };
  }
  const pdmSource = getString(getTable(getTable(tool, "pdm"), "version"), "source");
  if (pdmSource === "scm")
    return { kind: "vcs", backend: "pdm-backend", setting: '[tool.pdm.version] source = "scm"' };
  if (getTable(tool, "versioningit") !== undefined || requires.includes("versioningit")) {
    return { kind: "vcs", backend: "versioningit", setting: "[tool.versioningit]" };
  }
  const setuptoolsDynamic = get(getTable(getTable(tool, "setuptools"), "dynamic"), "version");
  if (setuptoolsDynamic === undefined) {
    if (getTable(tool, "setuptools_scm") !== undefined) {
      return { kind: "vcs", backend: "setuptools-scm", setting: "[tool.setuptools_scm]" };
    }
    if (requires.includes("setuptools-scm")) {
      return { kind: "vcs", backend: "setuptools-scm", setting: "setuptools-scm in [build-system] requires" };
    }
  }
  return undefined;
}

/** Import names the project's package may have: `My-Pkg` → `my_pkg`; flit's module name first. */
function importNames(pyproject: TomlTable): string[] {
  const tool = getTable(pyproject, "tool");
  const names = [
    getString(getTable(getTable(tool, "flit"), "module"), "name"),
    getString(getTable(pyproject, "project"), "name"),
    getString(getTable(tool, "poetry"), "name"),
  ].flatMap((name) => (name === undefined ? [] : [name.toLowerCase().replace(/[-.]+/g, "_")]));
  return [...new Set(names)].filter((name) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(name));
}

/** Files a dotted module may be: `pkg.about` → `src/pkg/about.py`, `pkg/about/__init__.py`, ... */
function moduleFiles(module: string, bases: readonly string[]): string[] {
  const rel = module.split(".").join("/");
  return bases.flatMap((base) => {
    const prefix = base === "" ? "" : `${base}/`;
    return [`${prefix}${rel}/__init__.py`, `${prefix}${rel}.py`];
  });
}

/** `pkg.sub.__version__` → module `pkg.sub`, name `__version__`. */
function splitAttr(attr: string): { module: string; name: string } | undefined {
  const m = /^\s*([A-Za-z_][\w.]*)\.([A-Za-z_]\w*)\s*$/.exec(attr);
  return m === null ? undefined : { module: m[1]!, name: m[2]! };
}

// `version = attr: pkg.__version__` in setup.cfg's [metadata]; only to learn the source, the
// structural editor (setup-cfg-version.ts) is what reads setup.cfg for a literal version.
function setupCfgAttr(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  let section = "";
  for (const line of text.split(/\r\n|\r|\n/)) {
    const header = /^\[(.+)\]/.exec(line);
    if (header !== null) section = header[1]!;
    const m = /^version\s*[=:]\s*attr:\s*(\S+)\s*$/i.exec(line);
    if (section === "metadata" && m !== null) return m[1]!;
  }
  return undefined;
}

/**
 * The places to look for the version. Contract: required candidates come first (the declared
 * source), then configured extra files, then optional conventional ones; in `vcs` mode only the
 * configured extra files are candidates (a `_version.py` there is generated by the backend).
 */
export function assembleVersionSources(input: {
  pyproject: TomlTable;
  setupCfg?: string | undefined;
  config: SlipwayConfig;
}): VersionSources {
  const { pyproject, config } = input;
  const project = getTable(pyproject, "project");
  const tool = getTable(pyproject, "tool");
  const dynamic = dynamicKeys(project).has("version");
  const problems: string[] = [];
  const declared: VersionCandidate[] = [];
  const extra: VersionCandidate[] = config.versionFiles.map((file, i) => ({
    paths: [file.path],
    locations: [file.location],
    origin: `[tool.slipway.version] files[${i}]`,
    required: true,
  }));

  const vcs = vcsMode(pyproject, dynamic);
  if (vcs !== undefined) return { mode: vcs, candidates: extra, problems };

  const packageDir = getString(getTable(getTable(tool, "setuptools"), "package-dir"), "");
  const bases = [...new Set([packageDir ?? "", "src", ""])];
  const backend = getString(getTable(pyproject, "build-system"), "build-backend") ?? "";
  const poetryVersion = getString(getTable(tool, "poetry"), "version");
  if (project !== undefined && get(project, "version") !== undefined) {
    declared.push({
      paths: ["pyproject.toml"],
      locations: [{ kind: "toml", path: ["project", "version"] }],
      origin: "[project] version",
      required: true,
    });
  }
  if (poetryVersion !== undefined) {
    declared.push({
      paths: ["pyproject.toml"],
      locations: [{ kind: "toml", path: ["tool", "poetry", "version"] }],
      origin: "[tool.poetry] version",
      required: true,
    });
  }
  if (dynamic) {
    const hatchPath = getString(getTable(getTable(tool, "hatch"), "version"), "path");
    const pdmVersion = getTable(getTable(tool, "pdm"), "version");
    const setuptoolsVersion = get(getTable(getTable(tool, "setuptools"), "dynamic"), "version");
    const attrTable =
      typeof setuptoolsVersion === "object" && setuptoolsVersion !== null
        ? (setuptoolsVersion as TomlTable)
        : undefined;
    const attr = getString(attrTable, "attr") ?? setupCfgAttr(input.setupCfg);
    if (hatchPath !== undefined) {
      declared.push({
        paths: [hatchPath],
        locations: PY_OR_UPPER,
        origin: "[tool.hatch.version] path",
        required: true,
      });
    } else if (getString(pdmVersion, "source") === "file" && getString(pdmVersion, "path") !== undefined) {
      declared.push({
        paths: [getString(pdmVersion, "path")!],
        locations: PY_OR_UPPER,
        origin: "[tool.pdm.version] path",
        required: true,
      });
    } else if (attr !== undefined) {
      const split = splitAttr(attr);
      if (split === undefined) problems.push(`the version attribute "${attr}" is not module.name`);
      else {
        declared.push({
          paths: moduleFiles(split.module, bases),
          locations: [{ kind: "python", name: split.name }],
          origin:
            getString(attrTable, "attr") !== undefined
              ? "[tool.setuptools.dynamic] version attr"
              : "setup.cfg version = attr:",
          required: true,
        });
      }
    } else if (getString(attrTable, "file") !== undefined) {
      problems.push(
        `the version is read from the file ${getString(attrTable, "file")} ([tool.setuptools.dynamic] version = {file}), which slipway does not edit`,
      );
    } else if (backend.startsWith("flit_core")) {
      const names = importNames(pyproject);
      declared.push({
        paths: names.flatMap((name) => moduleFiles(name, ["src", ""])),
        locations: [PY],
        origin: "flit module __version__",
        required: true,
      });
    } else if (extra.length === 0) {
      problems.push(
        `the version is dynamic and slipway cannot tell where ${backend || "the build backend"} reads it from`,
      );
    }
  } else if (declared.length === 0) {
    problems.push(
      'pyproject.toml declares no version: neither [project] version nor "version" in [project] dynamic',
    );
  }

  const optional: VersionCandidate[] = [];
  for (const name of importNames(pyproject)) {
    for (const base of ["src", ""]) {
      for (const file of CONVENTIONAL_FILES) {
        const path = `${base === "" ? "" : `${base}/`}${name}/${file}`;
        optional.push({ paths: [path], locations: [PY], origin: "package module", required: false });
      }
    }
  }
  if (input.setupCfg !== undefined && setupCfgAttr(input.setupCfg) === undefined) {
    optional.push({
      paths: ["setup.cfg"],
      locations: [{ kind: "setup-cfg" }],
      origin: "setup.cfg [metadata]",
      required: false,
    });
  }
  return { mode: { kind: "static" }, candidates: [...declared, ...extra, ...optional], problems };
}
