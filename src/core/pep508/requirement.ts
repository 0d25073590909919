/** PEP 508 dependency specifiers (https://packaging.python.org/en/latest/specifications/dependency-specifiers/). */
// CONTRACT STUB: the pep440 helper replaces the bodies; keep the exported signatures.
import type { Specifier } from "../pep440/specifier.ts";
import type { Parsed } from "../result.ts";
import type { Marker } from "./marker.ts";

export interface Requirement {
  /** Name as written. */
  name: string;
  extras: string[];
  specifier: Specifier[];
  /** Direct reference (`name @ url`), rejected by PyPI in metadata. */
  url?: string;
  marker?: Marker;
}

export function parseRequirement(text: string): Parsed<Requirement> {
  throw new Error(`not implemented: parseRequirement(${text})`);
}
