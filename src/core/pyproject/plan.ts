/** Which project files the checks need the bytes of: planned here, read by src/adapters/project.ts. */

import type { TomlTable } from "./access.ts";
import { get, getStrings, getTable, isTable } from "./access.ts";
import { globProblems, matchGlob } from "./glob.ts";
import { readmeFile } from "./mapping.ts";

/**
 * A path as written in pyproject.toml, made relative POSIX (`./a//b` → `a/b`, `\` → `/`);
 * undefined when it is absolute or climbs out of the project.
 */
export function projectPath(path: string): string | undefined {
  const unified = path.replaceAll("\\", "/");
  if (unified.startsWith("/") || /^[A-Za-z]:/.test(unified)) return undefined;
  const parts: string[] = [];
  for (const part of unified.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else parts.push(part);
  }
  return parts.length === 0 ? undefined : parts.join("/");
}

/** The files `license-files` selects: every valid pattern's matches, in file-list order. */
export function licenseFileMatches(project: TomlTable | undefined, files: readonly string[]): string[] {
  const patterns = getStrings(project, "license-files") ?? [];
  const matched = new Set<string>();
  for (const pattern of patterns) {
    if (globProblems(pattern).some((p) => p.severity === "error")) continue;
    for (const file of matchGlob(pattern, files)) matched.add(file);
  }
  return files.filter((f) => matched.has(f));
}

const isTypedMarker = (path: string): boolean => path === "py.typed" || path.endsWith("/py.typed");

/**
 * The project files whose bytes the checks read: the readme, the licence file of a `license`
 * table, the files `license-files` matches and every `py.typed`. Readme and licence paths are
 * named even when the file list lacks them (an ignored file still exists for the backend).
 */
export function filesToRead(pyproject: TomlTable | undefined, files: readonly string[]): string[] {
  const project = getTable(pyproject, "project");
  const wanted = new Set<string>();
  const add = (path: string | undefined): void => {
    const clean = path === undefined ? undefined : projectPath(path);
    if (clean !== undefined) wanted.add(clean);
  };
  add(readmeFile(get(project, "readme")));
  const license = get(project, "license");
  if (isTable(license)) {
    const file = get(license, "file");
    if (typeof file === "string") add(file);
  }
  for (const file of licenseFileMatches(project, files)) wanted.add(file);
  for (const file of files) if (isTypedMarker(file)) wanted.add(file);
  return [...wanted].sort();
}
