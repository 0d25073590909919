/** Project names (https://packaging.python.org/en/latest/specifications/name-normalization/). */
// CONTRACT STUB: the names helper replaces the bodies; keep the exported signatures.

/** Valid per `^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])\Z`, case-insensitive, ASCII. */
export function isValidName(name: string): boolean {
  throw new Error(`not implemented: isValidName(${name})`);
}

/** PEP 503 normalization: lowercase, runs of `-_.` become `-`. */
export function normalizeName(name: string): string {
  throw new Error(`not implemented: normalizeName(${name})`);
}

/** The name component of a dist filename: normalized, with `-` replaced by `_`. */
export function filenameName(name: string): string {
  throw new Error(`not implemented: filenameName(${name})`);
}
