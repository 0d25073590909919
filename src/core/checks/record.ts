/**
 * RECORD verification ([REC], [BDF], [INS] validate_record, warehouse utils/wheel.py). The rows
 * were judged and matched to the members while the archive was read (record-scan.ts); this
 * turns that scan into findings and compares each member with its row.
 */

import type { ArchiveIssue } from "../archive/issues.ts";
import { CappedList, type Dropped } from "../arrays.ts";
import type { ArchiveMember } from "../dist/artifact.ts";
import {
  type CheckInfo,
  catalogue,
  type Finding,
  finding,
  type Location,
  type Severity,
} from "../findings.ts";
import type { DistContext } from "./context.ts";
import { isListable } from "./record-members.ts";
import { MAX_LISTED } from "./record-scan.ts";
import { locateDistInfo } from "./wheel-layout.ts";

export const REC_CHECKS: CheckInfo[] = [
  {
    id: "REC01",
    severity: "error",
    title: "RECORD exists and reads as UTF-8 CSV",
    why: "PyPI rejects a wheel whose `<name>-<version>.dist-info/RECORD` is missing, not UTF-8 or not readable by Python's csv module ('does not contain the required RECORD file'); installers cannot verify anything without it.",
    fix: "Rebuild the wheel with a build backend; if you post-process wheels, rewrite RECORD (e.g. `wheel pack`) after changing any file.",
    source: "[WH] MissingWheelRecordError, [WHW]",
  },
  {
    id: "REC02",
    severity: "error",
    title: "Every RECORD row has exactly three fields: path, hash, size",
    why: "installer and uv refuse RECORD rows with another number of fields or blank rows. A path containing a comma or quote must be CSV-quoted, and a path with a character Python's str.splitlines() breaks on (\\v, \\f, \\x1c–\\x1e, \\x85, U+2028/9) is read differently by every consumer.",
    fix: "Write RECORD with a real CSV writer (Python's csv module) that quotes paths containing `,` or `\"`, and avoid line-break characters in file names.",
    source: "[INS] records.py, [WHL], pypa/wheel#280",
  },
  {
    id: "REC03",
    severity: "error",
    title: "Every file in the wheel is listed in RECORD",
    why: "installer, uv and pdm refuse to install a wheel with files not mentioned in RECORD ('not mentioned in RECORD'); pip installs it and PyPI accepts it but e-mails the owners about the mismatch.",
    fix: "Regenerate RECORD after the last change to the wheel's contents (only RECORD.jws/RECORD.p7s may be left out).",
    source: "[BDF], [INS] validate_record, [WHW]",
  },
  {
    id: "REC04",
    severity: "warning",
    title: "Every RECORD path exists in the wheel",
    why: "A stale RECORD row names a file the wheel does not have: PyPI e-mails the owners about the mismatch and uninstallers try to remove a file that was never installed.",
    fix: "Regenerate RECORD from the final archive contents.",
    source: "[WHW] compares both directions",
  },
  {
    id: "REC05",
    severity: "error",
    title: "Every row but RECORD's own has a hash and a size",
    why: "installer and uv refuse a wheel whose RECORD leaves out the hash or size of a file ('hash / size of … is not included in RECORD'); empty values are only allowed for RECORD itself (and .pyc files of installed RECORDs, never in wheels).",
    fix: "Regenerate RECORD so every file has `sha256=<digest>` and its byte size, and RECORD's own row is `<dist-info>/RECORD,,`.",
    source: "[BDF], [INS]",
  },
  {
    id: "REC06",
    severity: "error",
    title: "Hashes are <algorithm>=<urlsafe base64 digest without padding>",
    why: "Installers compare the digest text exactly: hex digests (astral-sh/uv#15400), `=` padding or the standard `+/` alphabet never match; md5 and sha1 are forbidden in wheels and algorithms outside hashlib.algorithms_guaranteed cannot be checked everywhere.",
    fix: 'Write `sha256=` followed by `base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")`.',
    source: "[BDF], [REC], astral-sh/uv#15400",
  },
  {
    id: "REC07",
    severity: "error",
    title: "RECORD hashes and sizes match the files",
    why: "installer and uv verify every file against RECORD and refuse the wheel on a mismatch; a mismatch means the wheel was modified after RECORD was written.",
    fix: "Rebuild the wheel, or regenerate RECORD (e.g. `wheel unpack` then `wheel pack`) after modifying files.",
    source: "[BDF], [INS] validate_stream",
  },
  {
    id: "REC08",
    severity: "error",
    title: "RECORD paths are relative, use /, and have no empty, . or .. segments",
    why: "RECORD paths are relative to site-packages: absolute paths, drive letters and `..` point outside it, and installers look paths up literally, so `a\\\\b` (a Windows writer's separator) names no file although PyPI normalizes it (xgboost, astral-sh/uv#8798).",
    fix: "Write RECORD paths exactly as the archive member names: relative, `/`-separated, without `.` or `..`.",
    source: "[REC], [CWC] validate_path, pypa/installer#101",
  },
  {
    id: "REC09",
    severity: "error",
    title: "No directory rows, duplicate rows or paths that are both file and directory",
    why: "RECORD lists files only: directory rows are stale entries PyPI reports as a mismatch, a duplicated path with different hashes cannot be verified, and a path used both as a file and as a directory cannot be installed.",
    fix: "List each file once, never directories.",
    source: "[REC], [CWC] 'Conflicting occurrences of path'",
  },
];

const C = catalogue(REC_CHECKS);

/** Counts the work of `verifyRecord` (members visited, findings made), for the linearity tests. */
export interface WorkMeter {
  work: number;
}

/** Checks a wheel's RECORD against its members; nothing for other artifacts. */
export function checkRecord(ctx: DistContext): Finding[] {
  if (ctx.artifact.kind !== "wheel") return [];
  const { distInfo } = locateDistInfo(ctx);
  if (distInfo === undefined) return [];
  return verifyRecord(ctx, distInfo);
}

/** The REC findings for the RECORD of `distInfo`; `meter` counts the work done. */
export function verifyRecord(ctx: DistContext, distInfo: string, meter: WorkMeter = { work: 0 }): Finding[] {
  const recordPath = `${distInfo}/RECORD`;
  const at = (line?: number): Location =>
    line === undefined
      ? { file: ctx.display, member: recordPath }
      : { file: ctx.display, member: recordPath, line };
  const members = ctx.artifact.members;
  if (!members.some((m) => m.name === recordPath && m.kind !== "dir")) {
    return [finding(C.REC01!, `${ctx.display} has no ${recordPath}`, at())];
  }
  const scan = ctx.artifact.record;
  if (scan === undefined || scan.path !== recordPath) {
    // Never a pass: a RECORD nobody could read verified nothing.
    return [
      finding(
        C.REC01!,
        `${recordPath} could not be read from ${ctx.display}, so nothing was verified`,
        at(),
        {
          hint: "See the archive findings for why the member could not be read.",
        },
      ),
    ];
  }
  if (scan.unusable !== undefined) {
    return [finding(C.REC01!, `${recordPath} cannot be used: ${scan.unusable}`, at())];
  }
  const found = new CappedList<Finding>(MAX_LISTED);
  // Rows were checked against the members as RECORD was read (REC07); what is left is the
  // members no row names (an index loop: entries() makes a pair per member).
  for (let position = 0; position < members.length; position++) {
    const member = members[position]!;
    meter.work++;
    if (!isListable(member, distInfo) || (scan.lines[position] ?? 0) !== 0) continue;
    found.add("REC03", () => unlisted(ctx, scan.backslashed.get(position), member, recordPath), true);
  }
  const findings: Finding[] = [];
  for (const i of scan.issues) findings.push(issueFinding(i, at));
  for (const [id, dropped] of scan.more)
    findings.push(summary(id, issueFinding(dropped.first, at), dropped, at()));
  meter.work += findings.length + found.work;
  for (const f of found.kept) findings.push(f);
  for (const [id, dropped] of found.dropped) findings.push(summary(id, dropped.first, dropped, at()));
  return findings;
}

function issueFinding(i: ArchiveIssue, at: (line?: number) => Location): Finding {
  const overrides: { severity?: Severity; hint?: string } = {};
  if (i.severity !== undefined) overrides.severity = i.severity;
  if (i.hint !== undefined) overrides.hint = i.hint;
  // A member's own problem (REC07) points at the member; a row's at its RECORD line.
  const location = i.member === undefined ? at(i.line) : { file: at().file, member: i.member };
  return finding(C[i.id]!, i.message, location, overrides);
}

/**
 * A broken writer breaks every row the same way (a hex-digest RECORD has thousands): the first
 * MAX_LISTED findings of each check are listed, the rest summed up in one.
 */
function summary(
  id: string,
  first: Finding,
  dropped: Pick<Dropped<unknown>, "count" | "severe">,
  location: Location,
): Finding {
  const message = `${location.member}: ${dropped.count} more ${id} problems like the ones above (first: ${first.message})`;
  const severity = dropped.severe || first.severity === "error" ? "error" : "warning";
  return { ...first, severity, message, location };
}

function unlisted(
  ctx: DistContext,
  spelled: string | undefined,
  m: ArchiveMember,
  recordPath: string,
): Finding {
  const what =
    m.name === recordPath
      ? "RECORD does not list itself"
      : `${m.name} is not listed in RECORD${spelled === undefined ? "" : ` (RECORD has it as ${spelled})`}`;
  return finding(C.REC03!, `${ctx.display}: ${what}`, { file: ctx.display, member: m.name });
}
