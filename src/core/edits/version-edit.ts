/**
 * One entry point over the version editors: a location says what to look for in a file's text,
 * `findVersion` lists the spots, and `updateVersion` requires exactly one, splices the new value
 * and re-reads the result to prove the edit landed where it was meant to.
 */
import { formatKeyPath } from "../pyproject/toml.ts";
import type { Parsed } from "../result.ts";
import { fail, ok } from "../result.ts";
import { DEFAULT_MARKER, findMarkedVersion, replaceMarkedVersion } from "./marker-version.ts";
import { findPythonVersion, replacePythonVersion } from "./python-version.ts";
import { findSetupCfgVersion, replaceSetupCfgVersion } from "./setup-cfg-version.ts";
import type { VersionSpot } from "./spot.ts";
import { exactlyOne } from "./spot.ts";
import { findTomlVersion, replaceTomlVersion } from "./toml-version.ts";

export type VersionLocation =
  /** A string at a TOML key path, e.g. `["project", "version"]`. */
  | { kind: "toml"; path: readonly string[] }
  /** A module-level assignment to `name` (default `__version__`). */
  | { kind: "python"; name?: string }
  /** An option of a setup.cfg section (default `[metadata] version`). */
  | { kind: "setup-cfg"; section?: string; key?: string }
  /** Lines carrying `marker` (default `slipway: version`). */
  | { kind: "marker"; marker?: string };

/** The location as a user reads it in a message: `project.version`, `__version__`... */
export function describeLocation(location: VersionLocation): string {
  switch (location.kind) {
    case "toml":
      return formatKeyPath(location.path);
    case "python":
      return `${location.name ?? "__version__"} assignment`;
    case "setup-cfg":
      return `[${location.section ?? "metadata"}] ${location.key ?? "version"}`;
    case "marker":
      return `line marked "${location.marker ?? DEFAULT_MARKER}"`;
  }
}

/** Every spot of `location` in `text` (any number), or why the text cannot be edited. */
export function findVersion(location: VersionLocation, text: string): Parsed<VersionSpot[]> {
  switch (location.kind) {
    case "toml":
      return findTomlVersion(text, location.path);
    case "python":
      return findPythonVersion(text, location.name);
    case "setup-cfg": {
      const { section, key } = location;
      return findSetupCfgVersion(text, {
        ...(section === undefined ? {} : { section }),
        ...(key === undefined ? {} : { key }),
      });
    }
    case "marker":
      return findMarkedVersion(text, location.marker);
  }
}

/** Writes canonical `newValue` into one spot found in `text` by the same location kind. */
export function replaceVersion(
  location: VersionLocation,
  text: string,
  spot: VersionSpot,
  newValue: string,
): Parsed<string> {
  switch (location.kind) {
    case "toml":
      return replaceTomlVersion(text, spot, newValue);
    case "python":
      return replacePythonVersion(text, spot, newValue);
    case "setup-cfg":
      return replaceSetupCfgVersion(text, spot, newValue);
    case "marker":
      return replaceMarkedVersion(text, spot, newValue);
  }
}

export interface VersionEdit {
  /** The spot before the edit (its `value` is the old version). */
  before: VersionSpot;
  text: string;
}

/**
 * The text with `location`'s single version replaced by canonical `newValue`. Fails when the
 * location is found 0 or several times (the message says which), when the new value cannot be
 * written there, or when reading the edited text back does not give exactly `newValue` at the
 * same line.
 */
export function updateVersion(
  location: VersionLocation,
  text: string,
  newValue: string,
): Parsed<VersionEdit> {
  const what = describeLocation(location);
  const spot = exactlyOne(findVersion(location, text), what);
  if (!spot.ok) return spot;
  const edited = replaceVersion(location, text, spot.value, newValue);
  if (!edited.ok) return edited;
  const again = exactlyOne(findVersion(location, edited.value), what);
  if (!again.ok || again.value.value !== newValue || again.value.line !== spot.value.line) {
    return fail(`${what}: the edited text does not read back as ${newValue}; nothing was changed`);
  }
  return ok({ before: spot.value, text: edited.value });
}
