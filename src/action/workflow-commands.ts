/**
 * GitHub's workflow commands and environment files as text: annotations, masks, groups, and
 * `$GITHUB_OUTPUT` entries. Pure; the entry writes what these return.
 *
 * Escaping follows actions/toolkit packages/core/src/command.ts: the message escapes `%`, CR
 * and LF; a property value also `:` and `,` (docs: "workflow-commands", "Example: Setting an
 * error message").
 */

export function escapeData(text: string): string {
  return text.replaceAll("%", "%25").replaceAll("\r", "%0D").replaceAll("\n", "%0A");
}

export function escapeProperty(text: string): string {
  return escapeData(text).replaceAll(":", "%3A").replaceAll(",", "%2C");
}

export type AnnotationKind = "error" | "warning" | "notice";

export interface Annotation {
  kind: AnnotationKind;
  message: string;
  title?: string;
  file?: string;
  /** 1-based. */
  line?: number;
}

/** `::error file=…,line=…,title=…::message`, on one line whatever the text holds. */
export function annotationCommand(a: Annotation): string {
  const props: string[] = [];
  if (a.file !== undefined && a.file !== "") props.push(`file=${escapeProperty(a.file)}`);
  if (a.line !== undefined && Number.isSafeInteger(a.line) && a.line > 0) props.push(`line=${a.line}`);
  if (a.title !== undefined && a.title !== "") props.push(`title=${escapeProperty(a.title)}`);
  return `::${a.kind}${props.length > 0 ? ` ${props.join(",")}` : ""}::${escapeData(a.message)}`;
}

/** GitHub shows at most 10 annotations of each kind per step (actions/toolkit docs/problem-matchers.md). */
export const ANNOTATIONS_PER_KIND = 10;

/** The annotations GitHub will show (the first `ANNOTATIONS_PER_KIND` of each kind) and the rest. */
export function splitAnnotations(all: readonly Annotation[]): { shown: Annotation[]; hidden: Annotation[] } {
  const counts: Record<AnnotationKind, number> = { error: 0, warning: 0, notice: 0 };
  const shown: Annotation[] = [];
  const hidden: Annotation[] = [];
  for (const a of all) {
    if (counts[a.kind] < ANNOTATIONS_PER_KIND) {
      counts[a.kind]++;
      shown.push(a);
    } else hidden.push(a);
  }
  return { shown, hidden };
}

/** `::add-mask::` for each line of a secret (the runner masks a line at a time). */
export function maskCommands(secret: string): string[] {
  return secret
    .split(/\r?\n/)
    .filter((line) => line.trim() !== "")
    .map((line) => `::add-mask::${escapeData(line)}`);
}

/**
 * One `$GITHUB_OUTPUT` entry in the multiline form `name<<DELIM\nvalue\nDELIM\n`, safe for any
 * value: `delimiter` is random per run, and a value or name that holds it is refused (the
 * toolkit's prepareKeyValueMessage does the same).
 */
export function outputEntry(name: string, value: string, delimiter: string): string {
  if (/[\r\n]/.test(name) || name.includes(delimiter) || value.includes(delimiter))
    throw new Error(`output ${JSON.stringify(name)} cannot be written with delimiter ${delimiter}`);
  return `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
}
