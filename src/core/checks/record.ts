/** RECORD verification ([REC], [BDF], [INS] validate_record, warehouse utils/wheel.py). */
import { pushAll } from "../arrays.ts";
import type { ArchiveMember } from "../dist/artifact.ts";
import { parseRecord, parseRecordHash, parseRecordSize, type RecordEntry } from "../dist/record.ts";
import { type CheckInfo, catalogue, type Finding, finding } from "../findings.ts";
import type { DistContext } from "./context.ts";
import { decodeUtf8, locateDistInfo, printable } from "./wheel-layout.ts";

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

/** Reported one by one up to this many, then summarized. */
const MAX_LISTED = 20;

/** Checks a wheel's RECORD against its members; nothing for other artifacts. */
export function checkRecord(ctx: DistContext): Finding[] {
  if (ctx.artifact.kind !== "wheel") return [];
  const { distInfo } = locateDistInfo(ctx);
  if (distInfo === undefined) return [];
  const recordPath = `${distInfo}/RECORD`;
  const at = (line?: number) =>
    line === undefined
      ? { file: ctx.display, member: recordPath }
      : { file: ctx.display, member: recordPath, line };
  const member = ctx.artifact.members.find((m) => m.name === recordPath && m.kind !== "dir");
  if (member === undefined) return [finding(C.REC01!, `${ctx.display} has no ${recordPath}`, at())];
  const bytes = ctx.artifact.contents.get(recordPath);
  if (bytes === undefined) {
    return [
      finding(
        C.REC01!,
        `${recordPath} could not be read from ${ctx.display}, so nothing was verified`,
        at(),
        {
          severity: "warning",
          hint: "See the archive findings for why the member could not be read.",
        },
      ),
    ];
  }
  const text = decodeUtf8(bytes);
  if (text === undefined) return [finding(C.REC01!, `${recordPath} is not valid UTF-8`, at())];
  const record = parseRecord(text);
  if (record.csvError !== undefined) {
    return [finding(C.REC01!, `${recordPath} is not readable as CSV: ${record.csvError}`, at())];
  }
  const findings: Finding[] = [];
  if (record.splitMismatch !== undefined) {
    const { line, written, read } = record.splitMismatch;
    findings.push(
      finding(
        C.REC02!,
        `${recordPath} line ${line}: the row written as ${JSON.stringify(written)} reads as ${JSON.stringify(read)} after str.splitlines(), as pip, installer and PyPI read it`,
        at(line),
      ),
    );
  }
  const rows: RecordEntry[] = [];
  for (const entry of record.entries) {
    if (entry.fields.length === 3) rows.push(entry);
    else findings.push(fieldCountFinding(recordPath, entry, at(entry.line)));
  }
  pushAll(findings, checkRows(ctx, recordPath, rows));
  pushAll(findings, compareMembers(ctx, distInfo, rows));
  return capPerCheck(findings, at());
}

/**
 * A broken writer breaks every row the same way (a hex-digest RECORD has thousands): keep the
 * first MAX_LISTED findings of each check and summarize the rest in one.
 */
function capPerCheck(findings: readonly Finding[], location: Finding["location"]): Finding[] {
  const kept: Finding[] = [];
  const dropped = new Map<string, Finding[]>();
  const seen = new Map<string, number>();
  for (const f of findings) {
    const count = (seen.get(f.id) ?? 0) + 1;
    seen.set(f.id, count);
    if (count <= MAX_LISTED) kept.push(f);
    else dropped.set(f.id, [...(dropped.get(f.id) ?? []), f]);
  }
  for (const [id, rest] of dropped) {
    const first = rest[0]!;
    const message = `${location.member}: ${rest.length} more ${id} problems like the ones above (first: ${first.message})`;
    const severity = rest.some((f) => f.severity === "error") ? "error" : "warning";
    kept.push({ ...first, severity, message, location });
  }
  return kept;
}

function fieldCountFinding(recordPath: string, entry: RecordEntry, location: Finding["location"]): Finding {
  if (entry.fields.length === 0) {
    return finding(
      C.REC02!,
      `${recordPath} line ${entry.line} is blank; installers reject empty rows`,
      location,
    );
  }
  const hint =
    entry.fields.length > 3
      ? "; a path containing a comma must be quoted (pypa/wheel#280)"
      : "; expected path,hash,size";
  const shown = entry.fields.map((f) => JSON.stringify(f)).join(",");
  return finding(
    C.REC02!,
    `${recordPath} line ${entry.line} has ${entry.fields.length} fields (${shown})${hint}`,
    location,
  );
}

/** Python's int() on a size: digits with optional sign, surrounding space and `_` separators. */
const PY_INT = /^\s*[+-]?\d+(?:_\d+)*\s*$/;

function checkRows(ctx: DistContext, recordPath: string, rows: readonly RecordEntry[]): Finding[] {
  const findings: Finding[] = [];
  const at = (line: number) => ({ file: ctx.display, member: recordPath, line });
  for (const row of rows) {
    pushAll(findings, pathFindings(recordPath, row, at(row.line)));
    const where = `${recordPath} line ${row.line} (${printable(row.path)})`;
    if (row.path === recordPath) {
      if (row.hash !== "" || row.size !== "") {
        findings.push(
          finding(C.REC05!, `${where}: RECORD's own row should have an empty hash and size`, at(row.line), {
            severity: "warning",
          }),
        );
      }
      continue;
    }
    if (row.hash === "" || row.size === "") {
      const missing = [row.hash === "" ? "hash" : "", row.size === "" ? "size" : ""]
        .filter(Boolean)
        .join(" and ");
      findings.push(finding(C.REC05!, `${where} has no ${missing}`, at(row.line)));
    }
    if (row.size !== "" && !PY_INT.test(row.size)) {
      findings.push(finding(C.REC05!, `${where}: size "${row.size}" is not an integer`, at(row.line)));
    } else if (row.size !== "" && parseRecordSize(row.size) === undefined) {
      findings.push(
        finding(C.REC05!, `${where}: size "${row.size}" is not written as plain digits`, at(row.line), {
          severity: "warning",
        }),
      );
    }
    if (row.hash !== "") {
      const hash = parseRecordHash(row.hash);
      if (!hash.ok) findings.push(finding(C.REC06!, `${where}: ${hash.error}`, at(row.line)));
    }
  }
  return findings;
}

/** What makes a RECORD path point outside site-packages or at no file ([CWC] validate_path). */
const PATH_RULES: readonly [(path: string, segments: readonly string[]) => boolean, string][] = [
  [(p) => /^[/\\]/.test(p), "is absolute"],
  [(p) => /^[A-Za-z]:/.test(p), "starts with a drive letter"],
  [(_, s) => s.includes(".."), 'has a ".." segment'],
  [(_, s) => s.includes("."), 'has a "." segment'],
  [(_, s) => s.includes(""), "has an empty segment"],
];

function pathFindings(recordPath: string, row: RecordEntry, location: Finding["location"]): Finding[] {
  const where = `${recordPath} line ${row.line}`;
  const path = row.path;
  if (path === "") return [finding(C.REC08!, `${where} has an empty path`, location)];
  if (path.endsWith("/")) {
    return [
      finding(
        C.REC09!,
        `${where} lists the directory ${printable(path)}; RECORD lists files only`,
        location,
        {
          severity: "warning",
        },
      ),
    ];
  }
  const segments = path.split(/[/\\]/);
  const problem = PATH_RULES.find(([broken]) => broken(path, segments))?.[1];
  if (problem !== undefined)
    return [finding(C.REC08!, `${where}: path ${printable(path)} ${problem}`, location)];
  if (path.includes("\\")) {
    return [
      finding(C.REC08!, `${where}: path ${printable(path)} uses "\\" instead of "/"`, location, {
        severity: "warning",
      }),
    ];
  }
  return [];
}

/** Members RECORD must list: everything but directories and the two signature files. */
function listableMembers(ctx: DistContext, distInfo: string): ArchiveMember[] {
  const exempt = new Set([`${distInfo}/RECORD.jws`, `${distInfo}/RECORD.p7s`]);
  return ctx.artifact.members.filter(
    (m) => m.kind !== "dir" && !m.name.endsWith("/") && !m.name.endsWith("\\") && !exempt.has(m.name),
  );
}

function compareMembers(ctx: DistContext, distInfo: string, rows: readonly RecordEntry[]): Finding[] {
  const recordPath = `${distInfo}/RECORD`;
  const findings: Finding[] = [];
  const members = listableMembers(ctx, distInfo);
  const byName = new Map(members.map((m) => [m.name, m]));
  const listed = new Map<string, RecordEntry>();
  const at = (line: number) => ({ file: ctx.display, member: recordPath, line });
  for (const row of rows) {
    if (row.path === "" || row.path.endsWith("/")) continue;
    const earlier = listed.get(row.path);
    if (earlier !== undefined) {
      const same = earlier.hash === row.hash && earlier.size === row.size;
      const message = `${recordPath} lists ${printable(row.path)} on lines ${earlier.line} and ${row.line}${same ? "" : " with different hashes or sizes"}`;
      findings.push(finding(C.REC09!, message, at(row.line), same ? { severity: "warning" } : {}));
      continue;
    }
    listed.set(row.path, row);
  }
  const dirs = new Set(
    [...listed.keys()].flatMap((p) =>
      p
        .split("/")
        .slice(0, -1)
        .map((_, i, a) => a.slice(0, i + 1).join("/")),
    ),
  );
  for (const path of listed.keys()) {
    if (dirs.has(path)) {
      findings.push(
        finding(
          C.REC09!,
          `${recordPath} uses ${printable(path)} both as a file and as a directory`,
          at(listed.get(path)!.line),
        ),
      );
    }
  }
  const unlisted = members.filter((m) => !listed.has(m.name));
  unlisted.forEach((m) => {
    const backslashed = listed.has(m.name.replaceAll("/", "\\"))
      ? ` (RECORD has it as ${m.name.replaceAll("/", "\\")})`
      : "";
    const what =
      m.name === recordPath
        ? "RECORD does not list itself"
        : `${m.name} is not listed in RECORD${backslashed}`;
    findings.push(finding(C.REC03!, `${ctx.display}: ${what}`, { file: ctx.display, member: m.name }));
  });
  const stale = [...listed.values()].filter(
    (r) => !byName.has(r.path) && !byName.has(r.path.replaceAll("\\", "/")),
  );
  for (const row of stale) {
    findings.push(
      finding(
        C.REC04!,
        `${recordPath} line ${row.line} lists ${printable(row.path)}, which is not in the wheel`,
        at(row.line),
      ),
    );
  }
  for (const [path, row] of listed) {
    const m = byName.get(path);
    if (m !== undefined && path !== recordPath) pushAll(findings, verifyMember(ctx, recordPath, row, m));
  }
  return findings;
}

function verifyMember(ctx: DistContext, recordPath: string, row: RecordEntry, m: ArchiveMember): Finding[] {
  const location = { file: ctx.display, member: m.name };
  const findings: Finding[] = [];
  const size = parseRecordSize(row.size);
  if (size !== undefined && size !== m.size) {
    findings.push(
      finding(
        C.REC07!,
        `${m.name} is ${m.size} bytes but ${recordPath} line ${row.line} says ${row.size}`,
        location,
      ),
    );
  }
  const hash = row.hash === "" ? undefined : parseRecordHash(row.hash);
  if (hash === undefined || !hash.ok) return findings;
  const actual = m.digests?.[hash.alg];
  if (actual === undefined) {
    const why =
      m.digests === undefined ? "its content could not be read" : `its ${hash.alg} digest was not computed`;
    findings.push(
      finding(C.REC07!, `${m.name} was not verified against ${recordPath}: ${why}`, location, {
        severity: "warning",
        hint: "See the archive findings for why the member could not be read.",
      }),
    );
  } else if (actual !== hash.digest) {
    findings.push(
      finding(
        C.REC07!,
        `${m.name} has ${hash.alg}=${actual} but ${recordPath} line ${row.line} says ${hash.alg}=${hash.digest}`,
        location,
      ),
    );
  }
  return findings;
}
