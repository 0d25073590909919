/** SPDX licence expressions as PEP 639 and packaging.licenses accept them. */
// CONTRACT STUB: the names helper replaces the bodies; keep the exported signatures.
import type { Parsed } from "../result.ts";

export interface LicenseExpression {
  /** Canonical form: reference-case ids, upper-case operators (packaging's canonicalize_license_expression). */
  canonical: string;
  /** Licence ids used (canonical case, without `+`). */
  licenses: string[];
  /** Exception ids used after WITH. */
  exceptions: string[];
  /** Ids that SPDX marks deprecated. */
  deprecated: string[];
}

export function parseLicenseExpression(text: string): Parsed<LicenseExpression> {
  throw new Error(`not implemented: parseLicenseExpression(${text})`);
}
