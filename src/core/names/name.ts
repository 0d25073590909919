/** Project names (https://packaging.python.org/en/latest/specifications/name-normalization/). */

// [NN]: ASCII letters and digits, with `.`, `_` and `-` allowed only between them. JS `$`
// without the m flag is Python's `\Z`, so a trailing newline is rejected as it must be.
const VALID_NAME = /^(?:[A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$/i;
const NORMALIZED_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Valid per `^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])\Z`, case-insensitive, ASCII. */
export function isValidName(name: string): boolean {
  return VALID_NAME.test(name);
}

/**
 * PEP 503 normalization: lowercase, runs of `-_.` become `-`. Like packaging's
 * canonicalize_name it does not validate: `_not_legal` becomes `-not-legal`.
 */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, "-");
}

/** True when `name` is valid and already normalized (packaging's is_normalized_name). */
export function isNormalizedName(name: string): boolean {
  return NORMALIZED_NAME.test(name);
}

/** The name component of a dist filename: normalized, with `-` replaced by `_`. */
export function filenameName(name: string): string {
  return normalizeName(name).replaceAll("-", "_");
}

/**
 * Warehouse's "ultranormalized" name, used to refuse new projects too similar to existing ones:
 * drop `.`, `_`, `-`, lowercase, then `l`/`i` → `1` and `o` → `0` (migration d18d443f89f0).
 */
export function ultranormalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]/g, "").replace(/[li]/g, "1").replace(/o/g, "0");
}
