/** PEP 440 version specifiers. */
// CONTRACT STUB: the pep440 helper replaces the bodies; keep the exported signatures.
import type { Parsed } from "../result.ts";
import type { Version } from "./version.ts";

export type Operator = "~=" | "==" | "!=" | "<=" | ">=" | "<" | ">" | "===";

export interface Specifier {
  operator: Operator;
  /** The version text as written after the operator (may end in `.*` for == and !=). */
  version: string;
}

/** Parses a comma-separated specifier set (`>=3.9,<4`); an empty string is the empty set. */
export function parseSpecifierSet(text: string): Parsed<Specifier[]> {
  throw new Error(`not implemented: parseSpecifierSet(${text})`);
}

/** Whether `version` satisfies every specifier, with packaging's pre-release rules. */
export function specifierSetContains(
  set: readonly Specifier[],
  version: Version | string,
  options: { prereleases?: boolean } = {},
): boolean {
  throw new Error(`not implemented: specifierSetContains(${set.length}, ${String(version)}, ${String(options)})`);
}

/** Canonical text of a specifier set as packaging prints it (`str(SpecifierSet(...))`). */
export function formatSpecifierSet(set: readonly Specifier[]): string {
  throw new Error(`not implemented: formatSpecifierSet(${set.length})`);
}
