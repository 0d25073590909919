/**
 * What the archive parsers report: a check ID from ART_CHECKS / SEC_CHECKS and a one-line
 * message. The checks layer turns issues into findings with the catalogue's hint.
 */
import type { Severity } from "../findings.ts";

export interface ArchiveIssue {
  id: string;
  message: string;
  member?: string;
  /** 1-based line inside the member, for content findings. */
  line?: number;
  /** Only when milder (or harsher) than the catalogue default. */
  severity?: Severity;
  /** Only when the catalogue's fix does not say enough for this case. */
  hint?: string;
}

/** Builds an issue, leaving out absent optional fields (exactOptionalPropertyTypes). */
export function issue(
  id: string,
  message: string,
  extra: { member?: string | undefined; line?: number | undefined; severity?: Severity; hint?: string } = {},
): ArchiveIssue {
  const out: ArchiveIssue = { id, message };
  if (extra.member !== undefined) out.member = extra.member;
  if (extra.line !== undefined) out.line = extra.line;
  if (extra.severity !== undefined) out.severity = extra.severity;
  if (extra.hint !== undefined) out.hint = extra.hint;
  return out;
}

/** Quotes a member name for a message, escaping control characters to keep it one line. */
export function quote(name: string): string {
  const shown = name.replace(
    /[\u0000-\u001f\u007f]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`,
  );
  return `"${shown.length > 200 ? `${shown.slice(0, 200)}…` : shown}"`;
}
