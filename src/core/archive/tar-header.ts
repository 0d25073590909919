/**
 * One 512-byte tar header block and pax extended-header records, read the way CPython's
 * tarfile reads them (`TarInfo.frombuf`, `nti`, `_proc_pax`) so slipway sees the names, sizes
 * and types that PyPI and pip see. POSIX.1-2001 pax, ustar, GNU and V7 layouts.
 */
import { decodeLatin1, decodeUtf8Lenient } from "./binary.ts";

export const BLOCK = 512;

/** Type flags (POSIX ustar/pax, GNU extensions). */
export const TYPE = {
  file: "0",
  oldFile: "\0",
  hardlink: "1",
  symlink: "2",
  chardev: "3",
  blockdev: "4",
  dir: "5",
  fifo: "6",
  contiguous: "7",
  paxLocal: "x",
  paxGlobal: "g",
  solarisPax: "X",
  gnuLongName: "L",
  gnuLongLink: "K",
  gnuSparse: "S",
} as const;

const REGULAR = new Set<string>([TYPE.file, TYPE.oldFile, TYPE.contiguous, TYPE.gnuSparse]);
const SUPPORTED = new Set<string>([
  TYPE.file,
  TYPE.oldFile,
  TYPE.hardlink,
  TYPE.symlink,
  TYPE.dir,
  TYPE.fifo,
  TYPE.contiguous,
  TYPE.chardev,
  TYPE.blockdev,
  TYPE.gnuLongName,
  TYPE.gnuLongLink,
  TYPE.gnuSparse,
]);

/** tarfile skips a data area after regular files and after types it does not know. */
export const hasDataArea = (type: string): boolean => REGULAR.has(type) || !SUPPORTED.has(type);

export type TarMagic = "ustar" | "gnu" | "v7";

/** Header fields a pax record may replace (besides path, linkpath and size). */
export interface TarStat {
  /** Seconds since the epoch as stored; pax mtimes may carry a fraction. */
  mtime: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
}

export interface TarHeader extends TarStat {
  /** Name bytes up to the first NUL, with the ustar prefix joined in as tarfile does. */
  name: Uint8Array;
  mode: number;
  /** The size field (rounded past 2^53; see `exactSize`). */
  size: number;
  /** The size field exactly: a base-256 field holds up to 2^88 (what tarfile then does with it matters). */
  exactSize: bigint;
  type: string;
  linkname: Uint8Array;
  magic: TarMagic;
  /** Old GNU sparse headers: more sparse-map blocks follow this header (byte 482). */
  sparseExtended: boolean;
  /** Old GNU sparse headers: the file's real size (bytes 483–494). */
  sparseRealSize: number;
}

export type HeaderResult = { header: TarHeader } | { zero: true } | { invalid: string };

/** Bytes up to the first NUL (tarfile `nts`). */
export function cString(b: Uint8Array): Uint8Array {
  const nul = b.indexOf(0);
  return nul < 0 ? b : b.subarray(0, nul);
}

/**
 * A numeric field (tarfile `nti`): base-256 when the first byte is 0x80 or 0xff (GNU/star
 * extension for big values), else octal digits up to the first NUL, surrounding spaces ignored.
 */
export function parseNumber(b: Uint8Array): number | undefined {
  const exact = parseExactNumber(b);
  return exact === undefined ? undefined : Number(exact);
}

/** `parseNumber` without rounding: a base-256 field holds up to 2^88, past what a number keeps exactly. */
export function parseExactNumber(b: Uint8Array): bigint | undefined {
  const first = b[0] ?? 0;
  if (first === 0x80 || first === 0xff) {
    let n = 0n;
    for (let i = 1; i < b.length; i++) n = n * 256n + BigInt(b[i] ?? 0);
    if (first === 0xff) n -= 256n ** BigInt(b.length - 1);
    return n;
  }
  const text = decodeLatin1(cString(b)).trim();
  if (text === "") return 0n;
  if (!/^[0-7]+$/.test(text)) return undefined;
  return BigInt(`0o${text}`);
}

/** The two checksums tarfile accepts: unsigned and signed byte sums with the field as spaces. */
function checksums(block: Uint8Array): [number, number] {
  let unsigned = 8 * 0x20;
  let signed = 8 * 0x20;
  for (let i = 0; i < BLOCK; i++) {
    if (i >= 148 && i < 156) continue;
    const byte = block[i] ?? 0;
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  return [unsigned, signed];
}

const isZeroBlock = (block: Uint8Array): boolean => {
  for (let i = 0; i < BLOCK; i++) if (block[i] !== 0) return false;
  return true;
};

/** True when `block` is a tar header with a valid checksum (tarfile would open it). */
export function isTarHeader(block: Uint8Array): boolean {
  if (block.length < BLOCK || isZeroBlock(block)) return false;
  const sum = parseNumber(block.subarray(148, 156));
  return sum !== undefined && checksums(block).includes(sum);
}

/** Parses one header block; `zero` marks the end-of-archive block. */
export function parseHeader(block: Uint8Array): HeaderResult {
  if (isZeroBlock(block)) return { zero: true };
  const sum = parseNumber(block.subarray(148, 156));
  if (sum === undefined || !checksums(block).includes(sum)) return { invalid: "bad checksum" };
  const mode = parseNumber(block.subarray(100, 108));
  const exactSize = parseExactNumber(block.subarray(124, 136));
  const numbers = [108, 116, 136, 329, 337].map((at) => parseNumber(block.subarray(at, at + 8)));
  if (mode === undefined || exactSize === undefined || numbers.includes(undefined))
    return { invalid: "invalid number field" };
  if (exactSize < 0n) return { invalid: `invalid size ${exactSize}` };
  const size = Number(exactSize);
  let type = String.fromCharCode(block[156] ?? 0);
  const magicText = decodeLatin1(block.subarray(257, 265));
  const magic: TarMagic = magicText === "ustar  \0" ? "gnu" : magicText.startsWith("ustar") ? "ustar" : "v7";
  let name = cString(block.subarray(0, 100));
  if (type === TYPE.oldFile && name[name.length - 1] === 0x2f) type = TYPE.dir;
  const prefix = cString(block.subarray(345, 500));
  // tarfile joins the ustar prefix for every header type except the GNU ones.
  if (
    prefix.length > 0 &&
    type !== TYPE.gnuLongName &&
    type !== TYPE.gnuLongLink &&
    type !== TYPE.gnuSparse
  ) {
    const joined = new Uint8Array(prefix.length + 1 + name.length);
    joined.set(prefix, 0);
    joined[prefix.length] = 0x2f;
    joined.set(name, prefix.length + 1);
    name = joined;
  }
  return {
    header: {
      name,
      mode,
      size,
      exactSize,
      type,
      linkname: cString(block.subarray(157, 257)),
      magic,
      sparseExtended: type === TYPE.gnuSparse && (block[482] ?? 0) !== 0,
      sparseRealSize: type === TYPE.gnuSparse ? (parseNumber(block.subarray(483, 495)) ?? 0) : 0,
      // The numbers were validated above (mtime on its first 8 of 12 bytes).
      mtime: parseNumber(block.subarray(136, 148)) ?? 0,
      uid: numbers[0] ?? 0,
      gid: numbers[1] ?? 0,
      uname: decodeUtf8Lenient(cString(block.subarray(265, 297))),
      gname: decodeUtf8Lenient(cString(block.subarray(297, 329))),
    },
  };
}

/**
 * pax extended-header records `"<len> <key>=<value>\n"` (POSIX.1-2001 pax, "pax Extended
 * Header"). Returns the records it could read and whether the block was malformed.
 */
export function parsePaxRecords(body: Uint8Array): { records: Map<string, Uint8Array>; malformed: boolean } {
  const records = new Map<string, Uint8Array>();
  let at = 0;
  while (at < body.length) {
    if (body[at] === 0) break; // NUL padding after the last record
    const space = body.indexOf(0x20, at);
    const lengthText = space < 0 ? "" : decodeLatin1(body.subarray(at, space));
    const length = /^[0-9]+$/.test(lengthText) ? Number(lengthText) : 0;
    const end = at + length;
    if (length === 0 || end > body.length || body[end - 1] !== 0x0a) return { records, malformed: true };
    const eq = body.indexOf(0x3d, space + 1);
    if (eq < 0 || eq >= end - 1) return { records, malformed: true };
    records.set(new TextDecoder().decode(body.subarray(space + 1, eq)), body.subarray(eq + 1, end - 1));
    at = end;
  }
  return { records, malformed: false };
}

/**
 * Applies the pax records that replace `stat` fields, as tarfile's `_apply_pax_info` does:
 * mtime is a decimal that may carry a fraction, uid and gid are integers (a value that does not
 * parse becomes 0), uname and gname are UTF-8.
 */
export function applyPaxStat(records: ReadonlyMap<string, Uint8Array>, stat: TarStat): void {
  const number = (key: string, pattern: RegExp): number | undefined => {
    const raw = records.get(key);
    if (raw === undefined) return undefined;
    const text = decodeLatin1(raw);
    return pattern.test(text) ? Number(text) : 0;
  };
  stat.mtime = number("mtime", /^-?[0-9]+(\.[0-9]*)?$/) ?? stat.mtime;
  stat.uid = number("uid", /^[0-9]+$/) ?? stat.uid;
  stat.gid = number("gid", /^[0-9]+$/) ?? stat.gid;
  const uname = records.get("uname");
  if (uname !== undefined) stat.uname = decodeUtf8Lenient(uname);
  const gname = records.get("gname");
  if (gname !== undefined) stat.gname = decodeUtf8Lenient(gname);
}
