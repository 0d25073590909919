/**
 * One finding reported for several places (the README, the wheel's METADATA and the sdist's
 * PKG-INFO saying the same thing) is shown once, with its places listed. Findings are the same
 * when their ID, severity, hint and message agree once the message's own location lead
 * (`<file> <member> <field> line N: `) is set aside.
 */

import { splitLead, underHeading, where } from "../../core/finding-places.ts";
import type { Finding } from "../../core/findings.ts";
import { sortFindings, splitMemberSubject } from "../../core/findings.ts";

export { splitLead, where };

export interface Shown {
  /** The first of the findings (in output order): its severity, ID and hint are the group's. */
  finding: Finding;
  /** The message without its location lead when it has places, else as `underHeading` gives it. */
  message: string;
  /** Where each finding of the group was reported; empty for a finding reported once. */
  places: string[];
}

export interface Section {
  /** The files the findings of this section are in, in output order. */
  files: string[];
  shown: Shown[];
}

/** How a place of a grouped finding is named: the message's own lead when it names a line. */
function placeOf(f: Finding, lead: string | undefined, rest: string): string {
  if (lead !== undefined && /\bline \d+$/.test(lead)) return lead;
  const at = where(f, rest);
  return at === "" ? f.location.file : `${f.location.file} ${at}`;
}

/**
 * Sections for human output: findings alone under their file, as before; a finding reported
 * for several places once, under a heading naming all their files.
 */
export function groupFindings(findings: readonly Finding[]): Section[] {
  const groups = new Map<string, { finding: Finding; lead?: string; rest: string; place?: string }[]>();
  for (const f of sortFindings(findings)) {
    const { lead, rest: said } = splitLead(f);
    // The same words about several members of an archive: one finding, the members as places.
    const subject = lead === undefined ? undefined : splitMemberSubject(said, f.location.member);
    const rest = subject?.says ?? said;
    const key = JSON.stringify([f.id, f.severity, f.hint, rest]);
    const group = groups.get(key);
    const entry = {
      finding: f,
      rest,
      ...(lead === undefined ? {} : { lead }),
      ...(subject === undefined ? {} : { place: `${f.location.file} ${subject.member}` }),
    };
    if (group === undefined) groups.set(key, [entry]);
    else group.push(entry);
  }
  const sections = new Map<string, Section>();
  for (const group of groups.values()) {
    const first = group[0]!;
    const files = [...new Set(group.map((g) => g.finding.location.file))];
    const shown: Shown =
      group.length === 1
        ? { finding: first.finding, message: underHeading(first.finding), places: [] }
        : {
            finding: first.finding,
            message: first.rest,
            places: group.map((g) => g.place ?? placeOf(g.finding, g.lead, g.rest)),
          };
    const key = JSON.stringify(files);
    const section = sections.get(key);
    if (section === undefined) sections.set(key, { files, shown: [shown] });
    else section.shown.push(shown);
  }
  // Sections in the order of their first finding (sortFindings: by file, errors first).
  return [...sections.values()];
}
