/**
 * The gzip member header (RFC 1952 section 2.3): the fields a writer fills in besides the
 * compressed data, which is where two builds of the same tar most often differ (mtime, the
 * original file name, the OS byte).
 */
import { Buffer } from "node:buffer";
import { decodeLatin1, u16, u32 } from "./binary.ts";

const FHCRC = 0x02;
const FEXTRA = 0x04;
const FNAME = 0x08;
const FCOMMENT = 0x10;

export interface GzipHeader {
  /** CM: 8 is deflate. */
  method: number;
  /** FLG bits as stored. */
  flags: number;
  /** MTIME: seconds since the epoch as stored; 0 means none. */
  mtime: number;
  /** XFL: 2 for maximum compression, 4 for the fastest, else 0. */
  extraFlags: number;
  /** OS: the file system the writer ran on (3 Unix, 255 unknown). */
  os: number;
  /** FEXTRA subfields, as hex. */
  extra?: string;
  /** FNAME, ISO 8859-1 as RFC 1952 says. */
  filename?: string;
  /** FCOMMENT, ISO 8859-1. */
  comment?: string;
  /** Bytes the header takes, up to the compressed data. */
  length: number;
}

const OS_NAMES: Record<number, string> = {
  0: "FAT",
  1: "Amiga",
  2: "VMS",
  3: "Unix",
  4: "VM/CMS",
  5: "Atari TOS",
  6: "HPFS",
  7: "Macintosh",
  8: "Z-System",
  9: "CP/M",
  10: "TOPS-20",
  11: "NTFS",
  12: "QDOS",
  13: "Acorn RISCOS",
  255: "unknown",
};

/** The RFC 1952 name of an OS byte. */
export const gzipOsName = (os: number): string => OS_NAMES[os] ?? `OS ${os}`;

/**
 * Parses the header at the start of `bytes` (the file's first bytes; a header longer than them
 * is reported as truncated). Returns a problem instead of throwing on anything that is not gzip.
 */
export function parseGzipHeader(bytes: Uint8Array): GzipHeader | { problem: string } {
  if (bytes.length < 10 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return { problem: "not a gzip file" };
  const flags = bytes[3] ?? 0;
  const header: GzipHeader = {
    method: bytes[2] ?? 0,
    flags,
    mtime: u32(bytes, 4),
    extraFlags: bytes[8] ?? 0,
    os: bytes[9] ?? 0,
    length: 10,
  };
  let at = 10;
  const truncated = { problem: `the gzip header runs past the first ${bytes.length} bytes` };
  if ((flags & FEXTRA) !== 0) {
    if (at + 2 > bytes.length) return truncated;
    const length = u16(bytes, at);
    if (at + 2 + length > bytes.length) return truncated;
    header.extra = Buffer.from(bytes.subarray(at + 2, at + 2 + length)).toString("hex");
    at += 2 + length;
  }
  for (const [bit, key] of [
    [FNAME, "filename"],
    [FCOMMENT, "comment"],
  ] as const) {
    if ((flags & bit) === 0) continue;
    const nul = bytes.indexOf(0, at);
    if (nul < 0) return truncated;
    header[key] = decodeLatin1(bytes.subarray(at, nul));
    at = nul + 1;
  }
  if ((flags & FHCRC) !== 0) at += 2;
  if (at > bytes.length) return truncated;
  header.length = at;
  return header;
}
