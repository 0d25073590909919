/**
 * ZIP records parsed from byte buffers (APPNOTE.TXT 4.3): the end-of-central-directory records,
 * central directory entries, local file headers and extra fields. Pure: the adapter reads the
 * bytes and hands them in; every length is checked against the buffer, nothing throws.
 */
import { decodeUtf8Lenient, hasBytes, u16, u32, u64 } from "./binary.ts";

export const SIG_LOCAL = [0x50, 0x4b, 0x03, 0x04];
export const SIG_CENTRAL = [0x50, 0x4b, 0x01, 0x02];
export const SIG_EOCD = [0x50, 0x4b, 0x05, 0x06];
export const SIG_EOCD64 = [0x50, 0x4b, 0x06, 0x06];
export const SIG_LOCATOR64 = [0x50, 0x4b, 0x06, 0x07];
export const SIG_DESCRIPTOR = [0x50, 0x4b, 0x07, 0x08];

export const EOCD_SIZE = 22;
export const EOCD64_SIZE = 56;
export const LOCATOR64_SIZE = 20;
export const LOCAL_HEADER_SIZE = 30;
export const CENTRAL_HEADER_SIZE = 46;
/** The longest archive comment plus the EOCD: how far from the end an EOCD can start. */
export const MAX_EOCD_SEARCH = 0xffff + EOCD_SIZE;
/** Bytes of the file tail the reader fetches: the EOCD search window plus the ZIP64 records. */
export const TAIL_SIZE = MAX_EOCD_SEARCH + LOCATOR64_SIZE + EOCD64_SIZE;

export const FLAG_ENCRYPTED = 0x0001;
export const FLAG_DATA_DESCRIPTOR = 0x0008;
export const FLAG_PATCHED = 0x0020;
export const FLAG_STRONG_ENCRYPTION = 0x0040;
export const FLAG_UTF8 = 0x0800;
export const FLAG_ENCRYPTED_CD = 0x2000;

export const EXTRA_ZIP64 = 0x0001;
export const EXTRA_UNICODE_PATH = 0x7075;
/** Info-ZIP extended timestamp ("UT"): flags byte, then Unix times (APPNOTE 4.6.4 "0x5455"). */
export const EXTRA_TIMESTAMP = 0x5455;

export interface Zip64End {
  /** Where the locator is, and where it says the ZIP64 record is. */
  locatorOffset: number;
  locatorDisk: number;
  declaredRecordOffset: number;
  totalDisks: number;
  /** Present when a ZIP64 record sits right before the locator. */
  record?: {
    offset: number;
    /** "Size of zip64 end of central directory record": 44 unless extensible data follows. */
    recordSize: number;
    disk: number;
    cdDisk: number;
    entriesOnDisk: number;
    entries: number;
    cdSize: number;
    cdOffset: number;
  };
}

export interface ZipEnd {
  eocdOffset: number;
  disk: number;
  cdDisk: number;
  entriesOnDisk: number;
  entries: number;
  cdSize: number;
  cdOffset: number;
  readonly commentLength: number;
  zip64?: Zip64End;
}

/**
 * Offset of the end-of-central-directory record the way CPython's zipfile finds it
 * (`_EndRecData`): first an EOCD with an empty comment ending the file, else the LAST signature
 * in the final 64 KiB that has a complete record after it. `tail` holds the file's last bytes.
 */
export function findEocd(tail: Uint8Array, fileSize: number): number | undefined {
  const tailStart = fileSize - tail.length;
  const exact = tail.length - EOCD_SIZE;
  if (exact >= 0 && hasBytes(tail, exact, SIG_EOCD) && u16(tail, exact + 20) === 0) return tailStart + exact;
  const from = Math.max(0, tail.length - MAX_EOCD_SEARCH);
  // Backwards from one 'P' (0x50) to the previous: lastIndexOf skips the bytes in between
  // natively, where a byte-by-byte loop cost ~0.3 ms per .tar.gz on a cold start.
  let at = tail.length >= 4 ? tail.lastIndexOf(0x50, tail.length - 4) : -1;
  while (at >= from) {
    if (hasBytes(tail, at, SIG_EOCD)) return at + EOCD_SIZE <= tail.length ? tailStart + at : undefined;
    at = at > 0 ? tail.lastIndexOf(0x50, at - 1) : -1;
  }
  return undefined;
}

/** Parses the EOCD at `eocdOffset` and the ZIP64 locator and record before it, if any. */
export function parseEnd(tail: Uint8Array, fileSize: number, eocdOffset: number): ZipEnd {
  const at = eocdOffset - (fileSize - tail.length);
  const end: ZipEnd = {
    eocdOffset,
    disk: u16(tail, at + 4),
    cdDisk: u16(tail, at + 6),
    entriesOnDisk: u16(tail, at + 8),
    entries: u16(tail, at + 10),
    cdSize: u32(tail, at + 12),
    cdOffset: u32(tail, at + 16),
    commentLength: u16(tail, at + 20),
  };
  const loc = at - LOCATOR64_SIZE;
  if (loc < 0 || !hasBytes(tail, loc, SIG_LOCATOR64)) return end;
  const zip64: Zip64End = {
    locatorOffset: eocdOffset - LOCATOR64_SIZE,
    locatorDisk: u32(tail, loc + 4),
    declaredRecordOffset: u64(tail, loc + 8),
    totalDisks: u32(tail, loc + 16),
  };
  // CPython reads the ZIP64 record right before the locator, whatever offset the locator names.
  const rec = loc - EOCD64_SIZE;
  if (rec >= 0 && hasBytes(tail, rec, SIG_EOCD64)) {
    zip64.record = {
      offset: zip64.locatorOffset - EOCD64_SIZE,
      recordSize: u64(tail, rec + 4),
      disk: u32(tail, rec + 16),
      cdDisk: u32(tail, rec + 20),
      entriesOnDisk: u64(tail, rec + 24),
      entries: u64(tail, rec + 32),
      cdSize: u64(tail, rec + 40),
      cdOffset: u64(tail, rec + 48),
    };
  }
  end.zip64 = zip64;
  return end;
}

/** The central directory values zipfile uses: the ZIP64 record's when there is one. */
export function effectiveEnd(end: ZipEnd): {
  cdSize: number;
  cdOffset: number;
  entries: number;
  entriesOnDisk: number;
  disk: number;
  cdDisk: number;
  /** Where the central directory must end: the ZIP64 record, or the EOCD. */
  cdEnd: number;
} {
  const rec = end.zip64?.record;
  if (rec !== undefined) {
    return { ...rec, cdEnd: rec.offset };
  }
  return { ...end, cdEnd: end.eocdOffset };
}

export interface ExtraField {
  id: number;
  data: Uint8Array;
}

/** Splits an extra field into (id, data) records; `malformed` when a length runs past the end. */
export function parseExtras(extra: Uint8Array): { fields: ExtraField[]; malformed: boolean } {
  const fields: ExtraField[] = [];
  let at = 0;
  while (at + 4 <= extra.length) {
    const id = u16(extra, at);
    const length = u16(extra, at + 2);
    if (at + 4 + length > extra.length) return { fields, malformed: true };
    fields.push({ id, data: extra.subarray(at + 4, at + 4 + length) });
    at += 4 + length;
  }
  // CPython ignores 1–3 stray bytes at the end; warehouse calls any leftover malformed.
  return { fields, malformed: at !== extra.length };
}

export interface CentralEntry {
  /** Position in the central directory. */
  index: number;
  /** The raw name (a view of the directory bytes, made on each access). */
  readonly nameBytes: Uint8Array;
  /** The name decoded as UTF-8 (U+FFFD for invalid bytes). */
  name: string;
  readonly versionMadeBy: number;
  readonly versionNeeded: number;
  readonly flags: number;
  readonly method: number;
  /** MS-DOS last-modified time and date fields, raw (see `dosToEpoch`). */
  readonly dosTime: number;
  readonly dosDate: number;
  readonly crc: number;
  compressedSize: number;
  size: number;
  readonly diskStart: number;
  readonly externalAttr: number;
  commentLength: number;
  /** Local header offset as recorded (ZIP64-resolved, before any prepended-data shift). */
  offset: number;
  /** The extra field (a view of the directory bytes, made on each access). */
  readonly extra: Uint8Array;
  /** Why CPython would refuse this entry's extra field, if it would. */
  extraProblem?: string | undefined;
  /** The record's name, extra or comment runs past the end of the central directory. */
  overruns?: boolean | undefined;
}

/**
 * One central directory record, read from the directory's bytes when asked: a record per member
 * lives for the whole read, and twenty parsed fields (with a view for the name and one for the
 * extra field) cost ~300 bytes each, ~45 MB for a wheel of 150,000 members (issue 11 B5). Four
 * fields (64 bytes) remain; what few records have (ZIP64 values, a refused extra field, an
 * overrun) goes to a second object made only for them.
 */
class CentralRecord implements CentralEntry {
  readonly index: number;
  name = "";
  private readonly cd: Uint8Array;
  private readonly at: number;
  private rare: RareFields | undefined = undefined;

  constructor(cd: Uint8Array, at: number, index: number) {
    this.cd = cd;
    this.at = at;
    this.index = index;
  }

  private get more(): RareFields {
    this.rare ??= {};
    return this.rare;
  }

  get compressedSize(): number {
    return this.rare?.compressedSize ?? u32(this.cd, this.at + 20);
  }
  set compressedSize(value: number) {
    this.more.compressedSize = value;
  }
  get size(): number {
    return this.rare?.size ?? u32(this.cd, this.at + 24);
  }
  set size(value: number) {
    this.more.size = value;
  }
  get offset(): number {
    return this.rare?.offset ?? u32(this.cd, this.at + 42);
  }
  set offset(value: number) {
    this.more.offset = value;
  }
  get extraProblem(): string | undefined {
    return this.rare?.extraProblem;
  }
  set extraProblem(value: string | undefined) {
    this.more.extraProblem = value;
  }
  get overruns(): boolean | undefined {
    return this.rare?.overruns;
  }
  set overruns(value: boolean | undefined) {
    this.more.overruns = value;
  }
  get versionMadeBy(): number {
    return u16(this.cd, this.at + 4);
  }
  get versionNeeded(): number {
    return u16(this.cd, this.at + 6);
  }
  get flags(): number {
    return u16(this.cd, this.at + 8);
  }
  get method(): number {
    return u16(this.cd, this.at + 10);
  }
  get dosTime(): number {
    return u16(this.cd, this.at + 12);
  }
  get dosDate(): number {
    return u16(this.cd, this.at + 14);
  }
  get crc(): number {
    return u32(this.cd, this.at + 16);
  }
  get commentLength(): number {
    return u16(this.cd, this.at + 32);
  }
  get diskStart(): number {
    return u16(this.cd, this.at + 34);
  }
  get externalAttr(): number {
    return u32(this.cd, this.at + 38);
  }
  get nameBytes(): Uint8Array {
    const start = this.at + CENTRAL_HEADER_SIZE;
    return this.cd.subarray(start, start + u16(this.cd, this.at + 28));
  }
  get extra(): Uint8Array {
    const start = this.at + CENTRAL_HEADER_SIZE + u16(this.cd, this.at + 28);
    return this.cd.subarray(start, Math.min(this.cd.length, start + u16(this.cd, this.at + 30)));
  }
}

/** Fields of a central directory record that only some records have. */
interface RareFields {
  compressedSize?: number;
  size?: number;
  offset?: number;
  extraProblem?: string | undefined;
  overruns?: boolean | undefined;
}

export interface CentralDirectory {
  entries: CentralEntry[];
  /** Why CPython's zipfile stops reading the directory (it then refuses the whole archive). */
  problem?: string;
}

/**
 * Parses `cd` (exactly the bytes the EOCD says the central directory spans) like CPython's
 * `_RealGetContents`: records follow each other until the size is used up.
 */
export function parseCentralDirectory(bytes: Uint8Array, maxEntries: number): CentralDirectory {
  // A plain Uint8Array view: the records' name and extra views are made from it per member, and
  // a Buffer's subarray goes through its species constructor (~100 ms per 150,000 members).
  const cd = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const entries: CentralEntry[] = [];
  let at = 0;
  while (at < cd.length) {
    if (entries.length >= maxEntries) return { entries, problem: `more than ${maxEntries} entries` };
    if (at + CENTRAL_HEADER_SIZE > cd.length) return { entries, problem: "truncated central directory" };
    if (!hasBytes(cd, at, SIG_CENTRAL)) {
      return { entries, problem: `bad signature in the central directory at byte ${at}` };
    }
    const nameLength = u16(cd, at + 28);
    const extraLength = u16(cd, at + 30);
    const commentLength = u16(cd, at + 32);
    const extraStart = at + CENTRAL_HEADER_SIZE + nameLength;
    const entry = new CentralRecord(cd, at, entries.length);
    // zipfile reads the last record's name, extra and comment leniently (short reads end the
    // loop); PyPI's record walk runs into the end record instead (zip-layout reports it).
    if (extraStart + extraLength + commentLength > cd.length) entry.overruns = true;
    entry.name = decodeUtf8Lenient(entry.nameBytes);
    // Without an extra field there is no ZIP64 value to apply (and no view to make).
    const problem = extraLength === 0 ? undefined : applyZip64Extra(entry);
    if (problem !== undefined) entry.extraProblem = problem;
    entries.push(entry);
    at = Math.min(cd.length, extraStart + extraLength + commentLength);
  }
  return { entries };
}

/**
 * Replaces 0xFFFFFFFF sizes/offset with the ZIP64 extra's 8-byte values, in APPNOTE order
 * (size, compressed size, offset), as CPython's `ZipInfo._decodeExtra` does.
 */
function applyZip64Extra(entry: CentralEntry): string | undefined {
  const { fields, malformed } = parseExtras(entry.extra);
  for (const field of fields) {
    if (field.id !== EXTRA_ZIP64) continue;
    let at = 0;
    const take = (what: string): number | string => {
      if (at + 8 > field.data.length) return `corrupt ZIP64 extra field: ${what} not found`;
      const value = u64(field.data, at);
      at += 8;
      return value;
    };
    if (entry.size === 0xffffffff) {
      const v = take("size");
      if (typeof v === "string") return v;
      entry.size = v;
    }
    if (entry.compressedSize === 0xffffffff) {
      const v = take("compressed size");
      if (typeof v === "string") return v;
      entry.compressedSize = v;
    }
    if (entry.offset === 0xffffffff) {
      const v = take("header offset");
      if (typeof v === "string") return v;
      entry.offset = v;
    }
  }
  if (malformed && entry.extra.length - lastExtraEnd(entry.extra) >= 4) return "corrupt extra field";
  return undefined;
}

function lastExtraEnd(extra: Uint8Array): number {
  let at = 0;
  while (at + 4 <= extra.length && at + 4 + u16(extra, at + 2) <= extra.length) at += 4 + u16(extra, at + 2);
  return at;
}

export interface LocalHeader {
  versionNeeded: number;
  flags: number;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  nameLength: number;
  extraLength: number;
}

/** The fixed 30 bytes of a local file header at `at` (the caller checked the signature). */
export function parseLocalHeader(b: Uint8Array, at = 0): LocalHeader {
  return {
    versionNeeded: u16(b, at + 4),
    flags: u16(b, at + 6),
    method: u16(b, at + 8),
    crc: u32(b, at + 14),
    compressedSize: u32(b, at + 18),
    size: u32(b, at + 22),
    nameLength: u16(b, at + 26),
    extraLength: u16(b, at + 28),
  };
}

/** Unix mode bits from the external attributes, when the entry was made on Unix (host 3). */
export function unixMode(entry: Pick<CentralEntry, "versionMadeBy" | "externalAttr">): number | undefined {
  const host = entry.versionMadeBy >>> 8;
  const mode = entry.externalAttr >>> 16;
  // Host 3 is Unix; some writers (old macOS, Java) use 0 or 19 but still put st_mode high.
  if (host === 3 || ((host === 0 || host === 19) && mode !== 0)) return mode;
  return undefined;
}

export const S_IFMT = 0o170000;
export const S_IFLNK = 0o120000;
export const S_IFDIR = 0o040000;
export const S_IFREG = 0o100000;
export const S_IFCHR = 0o020000;
export const S_IFBLK = 0o060000;
export const S_IFIFO = 0o010000;

/**
 * Seconds since the epoch for MS-DOS date and time fields (APPNOTE 4.4.6). ZIP stores local time
 * without a zone; this reads it as UTC, which is what reproducible writers mean (they format
 * SOURCE_DATE_EPOCH in UTC) and keeps the value independent of the machine's zone. Out-of-range
 * fields (month 0, day 0) roll over as in `Date.UTC` instead of failing.
 */
export function dosToEpoch(dosDate: number, dosTime: number): number {
  const year = 1980 + (dosDate >>> 9);
  const month = (dosDate >>> 5) & 0x0f;
  const day = dosDate & 0x1f;
  const hours = dosTime >>> 11;
  const minutes = (dosTime >>> 5) & 0x3f;
  const seconds = (dosTime & 0x1f) * 2;
  return Date.UTC(year, month - 1, day, hours, minutes, seconds) / 1000;
}

/** The modification time in an extended-timestamp extra field (0x5455), if `extra` has one. */
export function extendedMtime(extra: Uint8Array): number | undefined {
  for (const field of parseExtras(extra).fields) {
    // Bit 0 of the flags: mtime present, a signed 32-bit count of seconds after the flags byte.
    if (field.id !== EXTRA_TIMESTAMP || field.data.length < 5 || ((field.data[0] ?? 0) & 1) === 0) continue;
    return u32(field.data, 1) | 0;
  }
  return undefined;
}
