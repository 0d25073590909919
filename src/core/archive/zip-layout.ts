/**
 * Whole-archive ZIP rules judged from the end records and the central directory, before any
 * member is read: where the directory is, what PyPI refuses in it ([WHZ] warehouse
 * utils/zipfiles.py, [WH] `_is_valid_dist_file`) and what CPython's zipfile cannot open.
 */
import { pushAll } from "../arrays.ts";
import { decodeLatin1, decodeUtf8, hasControlBytes, isAscii } from "./binary.ts";
import { type ArchiveIssue, issue, quote } from "./issues.ts";
import { NameIndex } from "./name-index.ts";
import {
  type CentralEntry,
  EOCD_SIZE,
  EXTRA_UNICODE_PATH,
  EXTRA_ZIP64,
  effectiveEnd,
  FLAG_ENCRYPTED,
  FLAG_PATCHED,
  FLAG_STRONG_ENCRYPTION,
  FLAG_UTF8,
  findEocd,
  parseEnd,
  parseExtras,
  type ZipEnd,
} from "./zip-records.ts";

/** PyPI's decompression-bomb rule ([WH] COMPRESSION_RATIO_MIN_SIZE / _THRESHOLD). */
export const BOMB_MIN_SIZE = 64 * 1024 * 1024;
export const BOMB_RATIO = 50;
/** Highest "version needed to extract" CPython accepts (zipfile MAX_EXTRACT_VERSION). */
const MAX_EXTRACT_VERSION = 63;

const METHOD_NAMES: Record<number, string> = {
  1: "shrink",
  6: "implode",
  9: "deflate64",
  12: "bzip2",
  14: "lzma",
  93: "zstandard",
  95: "xz",
  98: "ppmd",
  99: "AES encryption",
};

export const methodName = (method: number): string => METHOD_NAMES[method] ?? `method ${method}`;

export interface EndAnalysis {
  end?: ZipEnd;
  /** Where the central directory really starts, and its size. */
  cdStart: number;
  cdSize: number;
  entries: number;
  /** Bytes in front of the archive (CPython's "concat"); every recorded offset moves by this. */
  shift: number;
  issues: ArchiveIssue[];
  /** True when CPython's zipfile cannot open the archive at all. */
  fatal: boolean;
}

const notZip = (message: string): EndAnalysis => ({
  cdStart: 0,
  cdSize: 0,
  entries: 0,
  shift: 0,
  issues: [issue("ART01", message)],
  fatal: true,
});

/** Locates the central directory from the file's last bytes and judges the end records. */
export function analyzeEnd(tail: Uint8Array, fileSize: number, options: { maxCdSize: number }): EndAnalysis {
  const eocdOffset = findEocd(tail, fileSize);
  if (eocdOffset === undefined) return notZip("not a ZIP archive: no end-of-central-directory record");
  const end = parseEnd(tail, fileSize, eocdOffset);
  const issues: ArchiveIssue[] = [];
  const ends = eocdOffset + EOCD_SIZE + end.commentLength;
  if (ends < fileSize) {
    issues.push(
      issue("ART05", `${fileSize - ends} bytes follow the end-of-central-directory record (appended data)`),
    );
  } else if (ends > fileSize) {
    issues.push(issue("ART05", "the archive comment runs past the end of the file"));
  }
  const zip64 = end.zip64;
  if (zip64 !== undefined) {
    // CPython: "zipfiles that span multiple disks are not supported".
    if (zip64.locatorDisk !== 0 || zip64.totalDisks > 1) {
      return { ...notZip("the archive spans multiple disks (ZIP64 locator)"), end };
    }
    const rec = zip64.record;
    if (rec === undefined) {
      issues.push(issue("ART05", "a ZIP64 locator is present but no ZIP64 end record precedes it"));
    } else {
      if (rec.recordSize !== 44) {
        issues.push(
          issue("ART05", "the ZIP64 end record carries extensible data, which PyPI does not allow"),
        );
      }
      if (zip64.declaredRecordOffset !== rec.offset) {
        issues.push(
          issue(
            "ART05",
            `the ZIP64 locator points to offset ${zip64.declaredRecordOffset} but the ZIP64 end record is at ${rec.offset}`,
          ),
        );
      }
    }
  }
  const eff = effectiveEnd(end);
  // warehouse compares the two entry counts; the disk numbers it skips, so those only warn.
  if (eff.entriesOnDisk !== eff.entries) {
    issues.push(
      issue(
        "ART05",
        `the end record counts ${eff.entriesOnDisk} entries on this disk but ${eff.entries} in all (multi-disk)`,
      ),
    );
  } else if (eff.disk !== 0 || eff.cdDisk !== 0) {
    issues.push(
      issue("ART05", "the end-of-central-directory record names another disk (a multi-disk archive)", {
        severity: "warning",
      }),
    );
  }
  const shift = eff.cdEnd - eff.cdSize - eff.cdOffset;
  if (!Number.isFinite(shift) || shift < 0) {
    return {
      ...notZip(
        `bad central directory offset ${eff.cdOffset} (size ${eff.cdSize}): it lies outside the file`,
      ),
      end,
    };
  }
  if (shift > 0) {
    issues.push(
      issue(
        "ART05",
        `${shift} bytes precede the archive: the central directory is recorded at offset ${eff.cdOffset} but sits at ${eff.cdOffset + shift}`,
      ),
    );
  }
  if (eff.cdSize > options.maxCdSize) {
    return {
      ...notZip(
        `the central directory is ${eff.cdSize} bytes, more than slipway reads (${options.maxCdSize})`,
      ),
      end,
    };
  }
  return {
    end,
    cdStart: eff.cdOffset + shift,
    cdSize: eff.cdSize,
    entries: eff.entries,
    shift,
    issues,
    fatal: false,
  };
}

/** Issues with one central-directory entry; `fatal` when CPython refuses the whole archive. */
export function checkCentralEntry(entry: CentralEntry): { issues: ArchiveIssue[]; fatal: boolean } {
  const issues: ArchiveIssue[] = [];
  const member = entry.name;
  const at = (m: string) => `member ${quote(member)}: ${m}`;
  if (entry.extraProblem !== undefined) {
    return {
      issues: [
        issue("ART01", at(`${entry.extraProblem}; Python's zipfile cannot open the archive`), { member }),
      ],
      fatal: true,
    };
  }
  if ((entry.versionNeeded & 0xff) > MAX_EXTRACT_VERSION) {
    const version = ((entry.versionNeeded & 0xff) / 10).toFixed(1);
    return {
      issues: [
        issue("ART01", at(`needs ZIP version ${version} to extract; Python's zipfile refuses the archive`), {
          member,
        }),
      ],
      fatal: true,
    };
  }
  const nameBytes = entry.nameBytes;
  if ((entry.flags & FLAG_UTF8) !== 0 && !isUtf8(nameBytes)) {
    return {
      issues: [
        issue(
          "ART01",
          at("name is flagged UTF-8 but is not valid UTF-8; Python's zipfile cannot open the archive"),
          { member },
        ),
      ],
      fatal: true,
    };
  }
  if (entry.overruns) {
    issues.push(
      issue("ART05", at("its central directory record runs past the end of the directory"), { member }),
    );
  }
  pushAll(issues, checkName(nameBytes, entry.flags, member));
  if (entry.commentLength > 0)
    issues.push(issue("ART05", at("has a comment in the central directory"), { member }));
  if ((entry.flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION)) !== 0) {
    issues.push(issue("ART01", at("is encrypted; installers cannot read it"), { member }));
  } else if ((entry.flags & FLAG_PATCHED) !== 0) {
    issues.push(
      issue("ART01", at("uses compressed patched data (flag bit 5), which Python cannot read"), { member }),
    );
  }
  if (entry.method !== 0 && entry.method !== 8) {
    issues.push(
      issue(
        "ART02",
        at(`is compressed with ${methodName(entry.method)}; PyPI accepts only stored or deflate`),
        { member },
      ),
    );
  }
  if (entry.diskStart !== 0) {
    issues.push(issue("ART05", at(`starts on disk ${entry.diskStart}`), { member, severity: "warning" }));
  }
  pushAll(issues, checkExtras(entry.extra, member, "central directory", "warning"));
  return { issues, fatal: false };
}

/**
 * ART06: warehouse refuses names with control bytes or that are not UTF-8; a non-ASCII name
 * without the UTF-8 flag is decoded as cp437 by Python, so PyPI's lookup fails on it.
 */
export function checkName(nameBytes: Uint8Array, flags: number, member: string): ArchiveIssue[] {
  const at = (m: string) => `member ${quote(member)}: ${m}`;
  if (hasControlBytes(nameBytes))
    return [issue("ART06", at("name contains a control character"), { member })];
  const ascii = isAscii(nameBytes);
  if (!ascii && decodeUtf8(nameBytes) === undefined)
    return [issue("ART06", at("name is not valid UTF-8"), { member })];
  if (!ascii && (flags & FLAG_UTF8) === 0) {
    return [
      issue("ART06", at("non-ASCII name without the UTF-8 flag (bit 11): Python decodes it as cp437"), {
        member,
      }),
    ];
  }
  if (nameBytes.length === 0) return [issue("ART06", "a member has an empty name", { severity: "warning" })];
  return [];
}

/**
 * Extra-field rules from [WHZ]: no duplicate ZIP64 or Unicode-path extras, and a Unicode path
 * that is printable UTF-8. In local headers PyPI refuses these; in the central directory it
 * does not look, so there they are warnings.
 */
export function checkExtras(
  extra: Uint8Array,
  member: string,
  where: "local header" | "central directory",
  severity: "error" | "warning",
): ArchiveIssue[] {
  // Most members have no extra field: nothing to parse (this runs twice per member).
  if (extra.length === 0) return [];
  const issues: ArchiveIssue[] = [];
  const at = (m: string) => `member ${quote(member)}: ${m} in the ${where}`;
  const { fields, malformed } = parseExtras(extra);
  if (malformed) issues.push(issue("ART05", at("malformed extra field"), { member, severity }));
  const seen = new Set<number>();
  for (const field of fields) {
    if (seen.has(field.id) && (field.id === EXTRA_ZIP64 || field.id === EXTRA_UNICODE_PATH)) {
      issues.push(
        issue("ART05", at(`duplicate extra field 0x${field.id.toString(16).padStart(4, "0")}`), {
          member,
          severity,
        }),
      );
    }
    seen.add(field.id);
    if (field.id !== EXTRA_UNICODE_PATH) continue;
    const unicodeName = field.data.subarray(5);
    if (hasControlBytes(unicodeName)) {
      issues.push(
        issue("ART06", at("Unicode path extra field contains a control character"), { member, severity }),
      );
    } else if (decodeUtf8(unicodeName) === undefined) {
      issues.push(issue("ART06", at("Unicode path extra field is not valid UTF-8"), { member, severity }));
    } else if (decodeUtf8(unicodeName) !== member) {
      issues.push(
        issue("ART06", at(`Unicode path extra field names ${quote(decodeUtf8(unicodeName) ?? "")}`), {
          member,
          severity: "warning",
        }),
      );
    }
  }
  return issues;
}

/** Archive-level central directory rules: duplicate names, entry count, the bomb ratio. */
export function checkCentralDirectory(
  entries: readonly CentralEntry[],
  options: { declaredEntries: number; fileSize: number },
): ArchiveIssue[] {
  const issues: ArchiveIssue[] = [];
  if (entries.length !== options.declaredEntries) {
    issues.push(
      issue(
        "ART05",
        `the end record declares ${options.declaredEntries} entries but the central directory holds ${entries.length}`,
      ),
    );
  }
  // The decoded name is the key when it holds no U+FFFD (then it is the bytes' only decoding):
  // no second string per member.
  const keyAt = (i: number): string => {
    const entry = entries[i]!;
    return entry.name.includes("\uFFFD") ? `\0${bytesKey(entry.nameBytes)}` : entry.name;
  };
  const seen = new NameIndex(keyAt, entries.length);
  let total = 0;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    if (seen.add(i) !== i) {
      issues.push(
        issue("ART05", `member ${quote(entry.name)} appears more than once in the central directory`, {
          member: entry.name,
        }),
      );
    }
    total += entry.size;
  }
  if (total > BOMB_MIN_SIZE && total / Math.max(1, options.fileSize) > BOMB_RATIO) {
    issues.push(
      issue(
        "ART03",
        `members declare ${total} bytes uncompressed from a ${options.fileSize}-byte file (ratio ${(total / Math.max(1, options.fileSize)).toFixed(0)}, limit ${BOMB_RATIO} above ${BOMB_MIN_SIZE} bytes)`,
      ),
    );
  }
  return issues;
}

/** Whether `bytes` are valid UTF-8 (ASCII without decoding: most names are). */
const isUtf8 = (bytes: Uint8Array): boolean => isAscii(bytes) || decodeUtf8(bytes) !== undefined;

/** A string key for raw name bytes (names that are not UTF-8 must still compare exactly). */
export const bytesKey = (bytes: Uint8Array): string => decodeLatin1(bytes);

/** True when the declared sizes trip PyPI's bomb rule, so nothing should be inflated. */
export function isBomb(entries: readonly CentralEntry[], fileSize: number): boolean {
  let total = 0;
  for (const e of entries) total += e.size;
  return total > BOMB_MIN_SIZE && total / Math.max(1, fileSize) > BOMB_RATIO;
}
