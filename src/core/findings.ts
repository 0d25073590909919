/**
 * Findings are what every check, scanner and gate speaks. Renderers turn them into human text,
 * JSON or CI annotations; nothing here prints.
 */
import { quote } from "./archive/issues.ts";

/**
 * `error` fails a check; `warning` fails only with --strict; `info` is context that needs no
 * action (shown only when asked for, never failing).
 */
export type Severity = "error" | "warning" | "info";

/** Where a finding points: the file checked, and inside it a member, a field or a line. */
export interface Location {
  /** The artifact or project file, as the user named it (relative when possible). */
  file: string;
  /** Archive member path, for findings inside a distribution. */
  member?: string;
  /** Metadata field or TOML key path (e.g. `Requires-Dist`, `project.urls`). */
  field?: string;
  /** 1-based line inside `member` (or `file`), when known. */
  line?: number;
  /** For a finding in the git history: a commit whose tree holds the file as found. */
  commit?: string;
}

export interface Finding {
  id: string;
  severity: Severity;
  /** One line naming the file and field and what is wrong. */
  message: string;
  /** What to do about it. */
  hint: string;
  location: Location;
}

/**
 * The catalogue entry of a check: the stable ID, its default severity and the text that
 * `docs/checks.md` is generated from. A check may emit a finding with a lower severity than
 * its default for a milder variant (e.g. REC08 backslashes are a warning, absolute paths an error).
 */
export interface CheckInfo {
  id: string;
  severity: Severity;
  /** Short title: what the check catches. */
  title: string;
  /** Why it matters (who rejects it, what breaks). */
  why: string;
  /** How to fix it; the default hint of its findings. */
  fix: string;
  /** Spec or source the rule comes from (see ../shared/reference/validation.md keys). */
  source: string;
}

/** Builds a finding for a catalogue entry; severity and hint default to the entry's. */
export function finding(
  info: CheckInfo,
  message: string,
  location: Location,
  overrides: { severity?: Severity; hint?: string } = {},
): Finding {
  return {
    id: info.id,
    severity: overrides.severity ?? info.severity,
    message,
    hint: overrides.hint ?? info.fix,
    location,
  };
}

/** Turns a catalogue array into a lookup by ID, failing loudly on a duplicate ID. */
export function catalogue(infos: readonly CheckInfo[]): Readonly<Record<string, CheckInfo>> {
  const byId: Record<string, CheckInfo> = {};
  for (const info of infos) {
    if (byId[info.id]) throw new Error(`duplicate check id ${info.id}`);
    byId[info.id] = info;
  }
  return byId;
}

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Code-point order: the same on every machine and locale (localeCompare is neither, and slow). */
function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `REC7` before `REC10`: the letters, then the number. */
function byId(a: string, b: string): number {
  const x = /^(\D*)(\d*)/.exec(a)!;
  const y = /^(\D*)(\d*)/.exec(b)!;
  return byCodePoint(x[1]!, y[1]!) || Number(x[2] || 0) - Number(y[2] || 0) || byCodePoint(a, b);
}

/** Stable order for output: by file, errors before warnings, then member, line and id. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      byCodePoint(a.location.file, b.location.file) ||
      SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
      byCodePoint(a.location.member ?? "", b.location.member ?? "") ||
      (a.location.line ?? 0) - (b.location.line ?? 0) ||
      byId(a.id, b.id),
  );
}

/**
 * A message about one archive member (`member "pkg-1.0/tests/ca.key" line 1: looks like a private
 * key…`, as SEC08-SEC10 word it) split into the member, with its line, and what it says: renderers
 * show the same words about many members once (requests ships nine test keys), members as places.
 */
export function splitMemberSubject(
  text: string,
  member: string | undefined,
): { member: string; says: string } | undefined {
  if (member === undefined || member === "") return undefined;
  const head = `member ${quote(member)}`;
  if (!text.startsWith(head)) return undefined;
  const rest = text.slice(head.length);
  const line = /^ line (\d+)(?=: )/.exec(rest);
  const after = line === null ? rest : rest.slice(line[0].length);
  const says = after.startsWith(": ") ? after.slice(2) : after.startsWith(" ") ? after.slice(1) : "";
  if (says === "") return undefined;
  return { member: line === null ? member : `${member} line ${line[1]}`, says };
}
