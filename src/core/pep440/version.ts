/** PEP 440 versions (https://packaging.python.org/en/latest/specifications/version-specifiers/). */
// CONTRACT STUB: the pep440 helper replaces the bodies; keep the exported signatures.

export type PreTag = "a" | "b" | "rc";

export interface Version {
  epoch: number;
  release: readonly number[];
  pre?: readonly [PreTag, number];
  post?: number;
  dev?: number;
  /** Local segment parts, normalized: numbers for digit-only parts, lowercase strings otherwise. */
  local?: readonly (string | number)[];
}

/** Parses any PEP 440 spelling (`v1.0`, `1.0-r4`, `1.1RC1`); undefined when invalid. */
export function parseVersion(text: string): Version | undefined {
  throw new Error(`not implemented: parseVersion(${text})`);
}

/** The normalized string, identical to Python's `str(packaging.version.Version(v))`. */
export function formatVersion(version: Version): string {
  throw new Error(`not implemented: formatVersion(${String(version)})`);
}

/** normalize(text) === formatVersion(parseVersion(text)), or undefined when invalid. */
export function normalizeVersion(text: string): string | undefined {
  throw new Error(`not implemented: normalizeVersion(${text})`);
}

/** True when `text` is already in canonical (normalized) form. */
export function isCanonicalVersion(text: string): boolean {
  throw new Error(`not implemented: isCanonicalVersion(${text})`);
}

/** Total order of PEP 440: negative, zero or positive like a comparator. */
export function compareVersions(a: Version, b: Version): number {
  throw new Error(`not implemented: compareVersions(${String(a)}, ${String(b)})`);
}
