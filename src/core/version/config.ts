/**
 * `[tool.slipway]` settings for `slipway version` and `slipway changelog`, validated once so the
 * operations never meet a half-understood config. Every mistake is a config error naming the key.
 *
 *     [tool.slipway]
 *     tag-format = "v{version}"          # default: inferred from the tags
 *
 *     [tool.slipway.version]
 *     files = [
 *       { path = "docs/conf.py", kind = "python", name = "release" },
 *       { path = "README.md", kind = "marker" },
 *       { path = "x.toml", kind = "toml", key = "tool.x.version" },
 *       { path = "other.cfg", kind = "setup-cfg", section = "metadata", key = "version" },
 *     ]
 *
 *     [tool.slipway.changelog]
 *     path = "CHANGELOG.md"
 *     fragments = "changes"
 *     ...
 */
import { SlipwayError } from "../../errors.ts";
import type { BumpRules } from "../changelog/next-version.ts";
import type { VersionLocation } from "../edits/version-edit.ts";
import { get, getTable, isTable, type TomlTable, tomlType } from "../pyproject/access.ts";
import { booleanSetting, stringSetting } from "../pyproject/settings.ts";

/** A file named in `[tool.slipway.version] files`. */
export interface ExtraVersionFile {
  /** Relative POSIX path inside the project. */
  path: string;
  location: VersionLocation;
}

export interface ChangelogConfig {
  /** The changelog file, relative to the project; default `CHANGELOG.md`. */
  path: string;
  /** The fragments folder; default `changes`. */
  fragments: string;
  /**
   * Non-conventional commits: `auto` (default) hides them next to conventional ones and lists
   * them under Changed when the range has no conventional commit at all (the project does not
   * write them); `hide` and `changed` always do that.
   */
  nonConventional: "auto" | "hide" | "changed";
  squash: boolean;
  rules: BumpRules;
  commitUrl?: string;
  issueUrl?: string;
  compareUrl?: string;
  releaseUrl?: string;
}

export interface SlipwayConfig {
  /**
   * How a version becomes a tag name; contains `{version}` once. Undefined when not configured:
   * the format is then inferred from the repository's tags (tag-format.ts).
   */
  tagFormat: string | undefined;
  versionFiles: ExtraVersionFile[];
  changelog: ChangelogConfig;
}

const KINDS = ["python", "toml", "setup-cfg", "marker"] as const;
const FILE_KEYS: Readonly<Record<(typeof KINDS)[number], readonly string[]>> = {
  python: ["name"],
  toml: ["key"],
  "setup-cfg": ["section", "key"],
  marker: ["marker"],
};

function configError(key: string, message: string, hint: string): SlipwayError {
  return new SlipwayError("config", `pyproject.toml [tool.slipway] ${key}: ${message}`, { hint });
}

const optionalString = (table: TomlTable, key: string, where: string) =>
  stringSetting(table, key, where, configError);
const optionalBoolean = (table: TomlTable, key: string, where: string) =>
  booleanSetting(table, key, where, configError);

/** A relative path that stays inside the project: no absolute paths, no `..`. */
function projectPath(path: string, key: string): string {
  const clean = path.replaceAll("\\", "/").replace(/^\.\//, "");
  if (clean.startsWith("/") || /^[A-Za-z]:/.test(clean) || clean.split("/").includes("..")) {
    throw configError(key, `"${path}" leaves the project`, "use a path relative to the project directory");
  }
  return clean;
}

/**
 * A dotted TOML key path as a user writes it (`tool.x.version`, `tool."a.b".version`): bare keys
 * and double- or single-quoted keys without escapes.
 */
export function parseKeyPath(text: string): string[] | undefined {
  const parts: string[] = [];
  const re = /\s*(?:([A-Za-z0-9_-]+)|"([^"\\]*)"|'([^']*)')\s*(\.|$)/y;
  let at = 0;
  while (at < text.length) {
    re.lastIndex = at;
    const m = re.exec(text);
    if (m === null) return undefined;
    parts.push(m[1] ?? m[2] ?? m[3]!);
    at = re.lastIndex;
    if (m[4] === "" && at < text.length) return undefined;
    if (m[4] === "." && at === text.length) return undefined;
  }
  return parts.length === 0 ? undefined : parts;
}

function readFileEntry(entry: unknown, index: number): ExtraVersionFile {
  const where = `version.files[${index}]`;
  if (!isTable(entry)) {
    throw configError(
      where,
      `expected a table, found ${tomlType(entry)}`,
      'write { path = "README.md", kind = "marker" }',
    );
  }
  const path = optionalString(entry, "path", `${where}.`);
  if (path === undefined) throw configError(where, "has no path", 'add path = "relative/file"');
  const kind = get(entry, "kind");
  if (typeof kind !== "string" || !(KINDS as readonly string[]).includes(kind)) {
    throw configError(
      `${where}.kind`,
      `expected one of ${KINDS.join(", ")}`,
      'e.g. kind = "marker" for a line carrying "slipway: version"',
    );
  }
  const k = kind as (typeof KINDS)[number];
  for (const key of Object.keys(entry)) {
    if (key !== "path" && key !== "kind" && !FILE_KEYS[k].includes(key)) {
      throw configError(
        `${where}.${key}`,
        `is not a setting of kind "${k}"`,
        `kind "${k}" takes ${["path", ...FILE_KEYS[k]].join(", ")}`,
      );
    }
  }
  const s = (key: string) => optionalString(entry, key, `${where}.`);
  const clean = projectPath(path, `${where}.path`);
  switch (k) {
    case "python": {
      const name = s("name");
      return { path: clean, location: name === undefined ? { kind: "python" } : { kind: "python", name } };
    }
    case "toml": {
      const key = s("key");
      const keyPath = key === undefined ? undefined : parseKeyPath(key);
      if (keyPath === undefined) {
        throw configError(
          `${where}.key`,
          key === undefined ? "is missing" : `"${key}" is not a dotted key path`,
          'e.g. key = "tool.x.version"',
        );
      }
      return { path: clean, location: { kind: "toml", path: keyPath } };
    }
    case "setup-cfg": {
      const section = s("section");
      const key = s("key");
      return {
        path: clean,
        location: {
          kind: "setup-cfg",
          ...(section === undefined ? {} : { section }),
          ...(key === undefined ? {} : { key }),
        },
      };
    }
    case "marker": {
      const marker = s("marker");
      return {
        path: clean,
        location: marker === undefined ? { kind: "marker" } : { kind: "marker", marker },
      };
    }
  }
}

function readChangelog(table: TomlTable | undefined): ChangelogConfig {
  const t = table ?? {};
  const w = "changelog.";
  const nonConventional = optionalString(t, "non-conventional", w) ?? "auto";
  if (nonConventional !== "auto" && nonConventional !== "hide" && nonConventional !== "changed") {
    throw configError(
      `${w}non-conventional`,
      `expected "auto", "hide" or "changed"`,
      "by default (auto) they are hidden next to conventional commits and listed when there are none",
    );
  }
  const url = (key: string, placeholder: string) => {
    const value = optionalString(t, key, w);
    if (value !== undefined && !value.includes(placeholder)) {
      throw configError(
        `${w}${key}`,
        `"${value}" lacks ${placeholder}`,
        `put ${placeholder} where it belongs in the URL`,
      );
    }
    return value;
  };
  const commitUrl = url("commit-url", "{hash}");
  const issueUrl = url("issue-url", "{id}");
  const compareUrl = url("compare-url", "{from}");
  const releaseUrl = url("release-url", "{tag}");
  if (compareUrl !== undefined && !compareUrl.includes("{to}")) {
    throw configError(
      `${w}compare-url`,
      `"${compareUrl}" lacks {to}`,
      "write it like https://github.com/OWNER/REPO/compare/{from}...{to}",
    );
  }
  return {
    path: projectPath(optionalString(t, "path", w) ?? "CHANGELOG.md", `${w}path`),
    fragments: projectPath(optionalString(t, "fragments", w) ?? "changes", `${w}fragments`),
    nonConventional,
    squash: optionalBoolean(t, "squash", w) ?? true,
    rules: {
      preOneBreakingIsMinor: optionalBoolean(t, "pre-one-breaking-is-minor", w) ?? true,
      preOneFeatIsPatch: optionalBoolean(t, "pre-one-feat-is-patch", w) ?? false,
    },
    ...(commitUrl === undefined ? {} : { commitUrl }),
    ...(issueUrl === undefined ? {} : { issueUrl }),
    ...(compareUrl === undefined ? {} : { compareUrl }),
    ...(releaseUrl === undefined ? {} : { releaseUrl }),
  };
}

/** The validated settings of a parsed pyproject.toml; defaults when `[tool.slipway]` is absent. */
export function parseSlipwayConfig(pyproject: TomlTable): SlipwayConfig {
  const slipway = getTable(getTable(pyproject, "tool"), "slipway") ?? {};
  const tagFormat = optionalString(slipway, "tag-format", "");
  if (tagFormat !== undefined && tagFormat.split("{version}").length !== 2) {
    throw configError(
      "tag-format",
      `"${tagFormat}" must contain {version} exactly once`,
      'e.g. tag-format = "v{version}"',
    );
  }
  const version = getTable(slipway, "version") ?? {};
  const files = get(version, "files") ?? [];
  if (!Array.isArray(files)) {
    throw configError(
      "version.files",
      `expected an array of tables, found ${tomlType(files)}`,
      'write files = [{ path = "README.md", kind = "marker" }]',
    );
  }
  return {
    tagFormat,
    versionFiles: files.map(readFileEntry),
    changelog: readChangelog(getTable(slipway, "changelog")),
  };
}
