/**
 * Where a finding's message says it is: most messages start with their location
 * (`<file>[ <member>][ <field>][ METADATA|PKG-INFO][ line N]: …`). Renderers that show one
 * finding for several places (the README, the wheel's METADATA, the sdist's PKG-INFO) set that
 * lead aside to compare what the findings say.
 */
import type { Finding } from "./findings.ts";

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Splits `<file>[ <member>][ <field>][ METADATA|PKG-INFO][ line N]: rest` into the lead (the
 * location as the message words it) and the rest. Messages that do not start with their file
 * have no lead.
 */
export function splitLead(f: Finding): { lead?: string; rest: string } {
  const { file, member, field } = f.location;
  if (!f.message.startsWith(file)) return { rest: f.message };
  const names = [member, field, "METADATA", "PKG-INFO"].filter(
    (n): n is string => n !== undefined && n !== "",
  );
  const words = names.map(escapeRegExp).join("|");
  const lead = new RegExp(`^(?: (?:${words}))*(?: line \\d+)?: `).exec(f.message.slice(file.length));
  if (lead === null) return { rest: f.message };
  const end = file.length + lead[0].length;
  return { lead: f.message.slice(0, end - 2), rest: f.message.slice(end) };
}

/** Member, field and line, leaving out what the message already names. */
export function where(f: Finding, message: string): string {
  const { member, field, line } = f.location;
  const parts = [member, field].filter(
    (p): p is string => p !== undefined && p !== "" && !message.includes(p),
  );
  // A message that names a line (a README's "line 3") already says where; the location's line
  // may count from another origin (the METADATA file's, not the description's).
  const at = line === undefined || /\bline \d+/.test(message) ? "" : `:${line}`;
  return parts.length > 0 ? `${parts.join(" ")}${at}` : at.slice(1);
}

/**
 * Under its file's heading a message need not start with the file again: drop a leading
 * `<file>: ` or `<file> METADATA: ` (JSON keeps messages whole).
 */
export function underHeading(f: Finding): string {
  const file = f.location.file;
  if (!f.message.startsWith(file)) return f.message;
  const rest = f.message.slice(file.length);
  const lead = /^(?: (?:METADATA|PKG-INFO))?: /.exec(rest);
  return lead === null ? f.message : rest.slice(lead[0].length);
}
