/**
 * Findings as a release step shows and records them: one compact line per thing to act on, a
 * finding reported for several files (the README, the wheel, the sdist) once with every place.
 * The places are whatever the check was told to call the files (artifact filenames,
 * project-relative paths), so a record stays meaningful after a dry run's scratch is gone.
 */
import { splitLead } from "../finding-places.ts";
import { type Finding, type Severity, splitMemberSubject } from "../findings.ts";

export interface FindingLine {
  id: string;
  severity: Severity;
  /** The message without the place it starts with (the places say it). */
  message: string;
  /** `README.md:4`, then the artifacts' filenames. */
  places: string[];
  hint: string;
}

/**
 * The place a message starts with (`README.md line 4: `, `demo.whl demo.dist-info/METADATA
 * Description line 4: `) set apart from what it says, so the same problem in the README and in
 * both distributions' descriptions becomes one line. An archive's place is its filename alone;
 * a project file's names its line.
 */
function splitPlace(f: Finding): { place: string; message: string } {
  const { file, member } = f.location;
  const { lead, rest } = splitLead(f);
  if (lead === undefined) {
    return {
      place: member !== undefined && !f.message.includes(member) ? `${file} ${member}` : file,
      message: rest,
    };
  }
  const line = / line (\d+)$/.exec(lead)?.[1];
  return { place: member === undefined && line !== undefined ? `${file}:${line}` : file, message: rest };
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const ARCHIVE = /\.(whl|tar\.gz|zip)( |$)/;
/** Project files first, then the artifacts; each group by name. */
const byPlace = (a: string, b: string) => Number(ARCHIVE.test(a)) - Number(ARCHIVE.test(b)) || compare(a, b);

/**
 * Errors first, then warnings, each by ID and message (the checks finish in no fixed order);
 * findings that say the same about several files become one line.
 */
export function assembleFindingLines(findings: readonly Finding[]): FindingLine[] {
  const lines = new Map<string, FindingLine>();
  // Places already on each line: a finding repeated for many members stays linear.
  const seen = new Map<string, Set<string>>();
  for (const f of findings) {
    const split = splitPlace(f);
    // The same words about several members of one archive: one line, the members as places.
    const subject =
      split.place === f.location.file ? splitMemberSubject(split.message, f.location.member) : undefined;
    const place = subject === undefined ? split.place : `${split.place} ${subject.member}`;
    const message = subject?.says ?? split.message;
    const key = `${f.severity}\0${f.id}\0${message}`;
    const line = lines.get(key);
    if (line === undefined) {
      lines.set(key, { id: f.id, severity: f.severity, message, places: [place], hint: f.hint });
      seen.set(key, new Set([place]));
    } else if (!seen.get(key)?.has(place)) {
      line.places.push(place);
      seen.get(key)?.add(place);
    }
  }
  const rank = (l: FindingLine) => (l.severity === "error" ? 0 : 1);
  return [...lines.values()]
    .map((l) => ({ ...l, places: l.places.sort(byPlace) }))
    .sort((a, b) => rank(a) - rank(b) || compare(a.id, b.id) || compare(a.message, b.message));
}

/** `warning DESC08 the image link … (README.md, demo-1.0-py3-none-any.whl)` */
export function renderFindingLine(line: FindingLine): string {
  return `${line.severity} ${line.id} ${line.message} (${line.places.join(", ")})`;
}
