/** Wheel and sdist filenames ([BDF], [SDF], packaging.utils). */
import { normalizeVersion, parseVersion } from "../pep440/version.ts";
import { fail, ok, type Parsed } from "../result.ts";
import { filenameName } from "./name.ts";
import { parseTagSet } from "./tags.ts";

export interface WheelFilename {
  /** Name and version parts exactly as in the filename. */
  name: string;
  version: string;
  build?: string;
  pythonTags: string[];
  abiTags: string[];
  platformTags: string[];
  /** Expanded `py-abi-plat` triples, in filename order (what WHEEL `Tag:` lines must list). */
  tags: string[];
}

export interface SdistFilename {
  name: string;
  version: string;
  extension: ".tar.gz" | ".zip";
}

// packaging's _wheel_name_regex `^[\w._]+\Z` with Python's Unicode `\w` (letters, numbers, `_`;
// combining marks are not word characters there).
const WHEEL_NAME_PART = /^[\p{L}\p{N}_.]+$/u;
// [BDF]: the build tag starts with an (ASCII) digit; it sorts as (int(digits), rest).
const BUILD_TAG = /^[0-9]/;

/** A wheel filename split into its parts, before the tag triple is parsed. */
export interface WheelFilenameParts {
  name: string;
  version: string;
  build?: string;
  /** The `python-abi-platform` tail, unparsed. */
  tag: string;
}

/**
 * Splits `{name}-{version}(-{build})?-{py}-{abi}-{plat}.whl` and checks everything but the tags
 * with the rules of packaging 26.3 `parse_wheel_filename`: `.whl`, 4 or 5 dashes, a name part of
 * word characters, `.` and `_` without `__`, a valid version, a build tag starting with a digit.
 */
export function splitWheelFilename(filename: string): Parsed<WheelFilenameParts> {
  if (!filename.endsWith(".whl")) return fail("does not end with .whl");
  const stem = filename.slice(0, -".whl".length);
  const parts = stem.split("-");
  if (parts.length !== 5 && parts.length !== 6) {
    return fail(
      `has ${parts.length} "-"-separated parts, not 5 or 6 (name-version[-build]-python-abi-platform)`,
    );
  }
  const [name = "", version = ""] = parts;
  if (name.includes("__") || !WHEEL_NAME_PART.test(name)) {
    return fail(`name part "${name}" is not made of letters, digits, "_" and "." (without "__")`);
  }
  if (parseVersion(version) === undefined)
    return fail(`version part "${version}" is not a valid PEP 440 version`);
  const build = parts.length === 6 ? parts[2] : undefined;
  if (build !== undefined && !BUILD_TAG.test(build)) {
    return fail(`build tag "${build}" does not start with a digit`);
  }
  const tag = parts.slice(-3).join("-");
  return ok({ name, version, ...(build === undefined ? {} : { build }), tag });
}

/**
 * Parses a wheel filename exactly as packaging 26.3 `parse_wheel_filename` accepts it (and so
 * PyPI): `splitWheelFilename` plus the tag rules of `parseTagSet`. Whether the name part is the
 * *normalized* one and the version canonical is for the checks to judge.
 */
export function parseWheelFilename(filename: string): Parsed<WheelFilename> {
  const split = splitWheelFilename(filename);
  if (!split.ok) return split;
  const { tag, ...parts } = split.value;
  const tagSet = parseTagSet(tag);
  if (!tagSet.ok) return tagSet;
  return ok({ ...parts, ...tagSet.value });
}

/**
 * Parses `{name}-{version}.tar.gz` (or a legacy `.zip`) like packaging's `parse_sdist_filename`:
 * split at the last `-` (a PEP 440 version has none), name non-empty, version valid. The name
 * part is not validated, as in packaging.
 */
export function parseSdistFilename(filename: string): Parsed<SdistFilename> {
  const extension = filename.endsWith(".tar.gz") ? ".tar.gz" : filename.endsWith(".zip") ? ".zip" : undefined;
  if (extension === undefined) return fail("does not end with .tar.gz");
  const stem = filename.slice(0, -extension.length);
  const dash = stem.lastIndexOf("-");
  if (dash < 0) return fail(`has no "-" between name and version ({name}-{version}${extension})`);
  const name = stem.slice(0, dash);
  const version = stem.slice(dash + 1);
  if (name === "") return fail("has an empty name part");
  if (parseVersion(version) === undefined)
    return fail(`version part "${version}" is not a valid PEP 440 version`);
  return ok({ name, version, extension });
}

/**
 * The one sdist filename PyPI accepts for a project name and version (PEP 625):
 * `{normalized name with _}-{normalized version}.tar.gz`. Undefined when the version is invalid.
 */
export function expectedSdistFilename(name: string, version: string): string | undefined {
  const normalized = normalizeVersion(version);
  return normalized === undefined ? undefined : `${filenameName(name)}-${normalized}.tar.gz`;
}

/** The name-version prefix a wheel built for this project and version must use. */
export function expectedWheelPrefix(name: string, version: string): string | undefined {
  const normalized = normalizeVersion(version);
  return normalized === undefined ? undefined : `${filenameName(name)}-${normalized}`;
}
