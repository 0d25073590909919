/**
 * Where a secret is a warning rather than an error, from `[tool.slipway.scan]`:
 *
 *     [tool.slipway.scan]
 *     # Test material and code blocks of documents are warnings (the default); false: errors too.
 *     severity-by-place = true
 *     # More paths (globs, relative to the project) whose secrets are warnings.
 *     warn-paths = ["qa/keys/**", "bench/fixtures/*.pem"]
 */
import { SlipwayError } from "../../errors.ts";
import type { TomlTable } from "../pyproject/access.ts";
import { compileGlob } from "../pyproject/glob.ts";
import { booleanSetting, stringsSetting } from "../pyproject/settings.ts";
import type { PlaceSeverity } from "./scan-text.ts";

function configError(key: string, message: string, hint: string): SlipwayError {
  return new SlipwayError("config", `pyproject.toml [tool.slipway.scan] ${key}: ${message}`, { hint });
}

/** The place settings, validated; defaults (fixtures and code blocks are warnings) when absent. */
export function readScanPlaceConfig(scan: TomlTable | undefined): PlaceSeverity {
  if (scan === undefined) return {};
  const byPlace = booleanSetting(scan, "severity-by-place", "", configError);
  const globs = stringsSetting(scan, "warn-paths", "", configError) ?? [];
  const warnPaths = globs.map((glob, i) => {
    if (
      glob.trim() === "" ||
      glob.startsWith("/") ||
      /^[A-Za-z]:/.test(glob) ||
      glob.split("/").includes("..")
    ) {
      throw configError(
        `warn-paths[${i}]`,
        `"${glob}" is not a relative path pattern`,
        'write a pattern relative to the project, e.g. "qa/**" or "certs/test-*.pem"',
      );
    }
    return { test: compileGlob(glob, { hidden: true }) };
  });
  const place: PlaceSeverity = byPlace === false ? { fixtures: false, docCodeBlocks: false } : {};
  return warnPaths.length === 0 ? place : { ...place, warnPaths };
}
