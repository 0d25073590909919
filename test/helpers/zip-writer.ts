/**
 * Writes ZIP archives byte by byte for the tests, valid or hostile: every header field can be
 * overridden, records can be left out, duplicated, shifted or surrounded by junk. Written from
 * APPNOTE.TXT; no ZIP library, so the reader under test is never checked against itself.
 */
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { crc32, deflateRawSync } from "node:zlib";

export type Bytes = string | Uint8Array;
const bytes = (v: Bytes): Buffer => (typeof v === "string" ? Buffer.from(v, "utf8") : Buffer.from(v));

export interface HeaderOverrides {
  name?: Bytes;
  flags?: number;
  method?: number;
  crc?: number;
  size?: number;
  compressedSize?: number;
  extra?: Uint8Array;
  versionNeeded?: number;
}

export interface ZipEntry {
  name: Bytes;
  data?: Bytes;
  /** 0 stored, 8 deflate (default for non-empty data); others store the data under that id. */
  method?: number;
  /** Compressed bytes to write instead of compressing `data`. */
  compressed?: Uint8Array;
  /** Set bit 11 (default: when the name is not ASCII). */
  utf8Flag?: boolean;
  flags?: number;
  /** MS-DOS modification time and date in both headers (default 1980-01-01 00:00). */
  dosTime?: number;
  dosDate?: number;
  /** Unix st_mode (type and permission bits) in the external attributes, made on Unix. */
  mode?: number;
  externalAttr?: number;
  versionMadeBy?: number;
  extra?: Uint8Array;
  /** Stream-style entry: bit 3 set, zero sizes in the local header, a descriptor after the data. */
  dataDescriptor?: boolean;
  /** Write ZIP64 extras with both sizes (and 0xFFFFFFFF in the 32-bit fields). */
  zip64?: boolean;
  local?: HeaderOverrides;
  central?: HeaderOverrides & { comment?: Bytes; offset?: number; diskStart?: number };
  skipLocal?: boolean;
  skipCentral?: boolean;
  /** Bytes written right after this entry's data (gaps, fake records). */
  after?: Uint8Array;
}

export interface ZipSpec {
  entries: ZipEntry[];
  comment?: Bytes;
  prepend?: Uint8Array;
  append?: Uint8Array;
  /** Bytes between the last entry and the central directory. */
  beforeCentral?: Uint8Array;
  end?: {
    entries?: number;
    entriesOnDisk?: number;
    cdSize?: number;
    cdOffset?: number;
    disk?: number;
    cdDisk?: number;
  };
  /** Write ZIP64 end records; `recordSize` != 44 means extensible data follows. */
  zip64End?: { recordSize?: number; extensible?: Uint8Array; locatorOffset?: number; totalDisks?: number };
  /** Extra central directory entries pointing anywhere (e.g. overlapping bombs). */
  extraCentral?: {
    name: Bytes;
    offset: number;
    size: number;
    compressedSize: number;
    crc: number;
    method?: number;
  }[];
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n & 0xffff);
  return b;
}
function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
}
function u64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
}

export function extraField(id: number, data: Uint8Array): Buffer {
  return Buffer.concat([u16(id), u16(data.length), Buffer.from(data)]);
}

/** Info-ZIP Unicode Path extra (0x7075): version 1, CRC-32 of the header name, the UTF-8 name. */
export function unicodePathExtra(headerName: Bytes, unicodeName: Bytes): Buffer {
  return extraField(
    0x7075,
    Buffer.concat([Buffer.from([1]), u32(crc32(bytes(headerName))), bytes(unicodeName)]),
  );
}

interface Prepared {
  entry: ZipEntry;
  name: Buffer;
  data: Buffer;
  compressed: Buffer;
  method: number;
  flags: number;
  crc: number;
  offset: number;
}

function prepare(entry: ZipEntry): Omit<Prepared, "offset"> {
  const name = bytes(entry.name);
  const data = bytes(entry.data ?? "");
  const method = entry.method ?? (data.length > 0 ? 8 : 0);
  const compressed = entry.compressed
    ? Buffer.from(entry.compressed)
    : method === 8
      ? deflateRawSync(data)
      : data;
  const nonAscii = name.some((b) => b > 0x7f);
  let flags = entry.flags ?? 0;
  if (entry.utf8Flag ?? nonAscii) flags |= 0x0800;
  if (entry.dataDescriptor) flags |= 0x0008;
  return { entry, name, data, compressed, method, flags, crc: crc32(data) };
}

function localHeader(p: Prepared): Buffer {
  const o = p.entry.local ?? {};
  const dd = p.entry.dataDescriptor === true;
  const zip64 = p.entry.zip64 === true;
  const size = o.size ?? (dd ? 0 : zip64 ? 0xffffffff : p.data.length);
  const csize = o.compressedSize ?? (dd ? 0 : zip64 ? 0xffffffff : p.compressed.length);
  const extra =
    o.extra ??
    Buffer.concat([
      zip64 ? extraField(1, Buffer.concat([u64(p.data.length), u64(p.compressed.length)])) : Buffer.alloc(0),
      Buffer.from(p.entry.extra ?? []),
    ]);
  const name = o.name === undefined ? p.name : bytes(o.name);
  return Buffer.concat([
    Buffer.from([0x50, 0x4b, 0x03, 0x04]),
    u16(o.versionNeeded ?? (zip64 ? 45 : 20)),
    u16(o.flags ?? p.flags),
    u16(o.method ?? p.method),
    u16(p.entry.dosTime ?? 0),
    u16(p.entry.dosDate ?? 0x21),
    u32(o.crc ?? (dd ? 0 : p.crc)),
    u32(csize),
    u32(size),
    u16(name.length),
    u16(extra.length),
    name,
    extra,
  ]);
}

function descriptor(p: Prepared): Buffer {
  return Buffer.concat([
    Buffer.from([0x50, 0x4b, 0x07, 0x08]),
    u32(p.crc),
    u32(p.compressed.length),
    u32(p.data.length),
  ]);
}

function centralHeader(p: Prepared): Buffer {
  const o = p.entry.central ?? {};
  const zip64 = p.entry.zip64 === true;
  const extra =
    o.extra ??
    Buffer.concat([
      zip64 ? extraField(1, Buffer.concat([u64(p.data.length), u64(p.compressed.length)])) : Buffer.alloc(0),
      Buffer.from(p.entry.extra ?? []),
    ]);
  const comment = bytes(o.comment ?? "");
  const name = o.name === undefined ? p.name : bytes(o.name);
  const unix = p.entry.mode !== undefined;
  const external = p.entry.externalAttr ?? (unix ? (p.entry.mode! << 16) >>> 0 : 0);
  return Buffer.concat([
    Buffer.from([0x50, 0x4b, 0x01, 0x02]),
    u16(p.entry.versionMadeBy ?? (unix ? 0x0314 : 0x0014)),
    u16(o.versionNeeded ?? (zip64 ? 45 : 20)),
    u16(o.flags ?? p.flags),
    u16(o.method ?? p.method),
    u16(p.entry.dosTime ?? 0),
    u16(p.entry.dosDate ?? 0x21),
    u32(o.crc ?? p.crc),
    u32(o.compressedSize ?? (zip64 ? 0xffffffff : p.compressed.length)),
    u32(o.size ?? (zip64 ? 0xffffffff : p.data.length)),
    u16(name.length),
    u16(extra.length),
    u16(comment.length),
    u16(o.diskStart ?? 0),
    u16(0),
    u32(external),
    u32(o.offset ?? p.offset),
    name,
    extra,
    comment,
  ]);
}

/** The archive `spec` describes. */
export function buildZip(spec: ZipSpec): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  const push = (b: Uint8Array) => {
    parts.push(Buffer.from(b));
    at += b.length;
  };
  if (spec.prepend) push(spec.prepend);
  const prepared: Prepared[] = [];
  for (const entry of spec.entries) {
    const p: Prepared = { ...prepare(entry), offset: at - (spec.prepend?.length ?? 0) };
    prepared.push(p);
    if (!entry.skipLocal) {
      push(localHeader(p));
      push(p.compressed);
      if (entry.dataDescriptor) push(descriptor(p));
    }
    if (entry.after) push(entry.after);
  }
  if (spec.beforeCentral) push(spec.beforeCentral);
  const cdStart = at - (spec.prepend?.length ?? 0);
  const central = prepared.filter((p) => !p.entry.skipCentral).map(centralHeader);
  for (const extra of spec.extraCentral ?? []) {
    const p = prepare({ name: extra.name, method: extra.method ?? 8, compressed: Buffer.alloc(0) });
    central.push(
      centralHeader({
        ...p,
        offset: extra.offset,
        entry: {
          name: extra.name,
          central: { size: extra.size, compressedSize: extra.compressedSize, crc: extra.crc },
        },
      }),
    );
  }
  const cd = Buffer.concat(central);
  push(cd);
  const e = spec.end ?? {};
  const count = central.length;
  if (spec.zip64End) {
    const z = spec.zip64End;
    const recordAt = at - (spec.prepend?.length ?? 0);
    const ext = Buffer.from(z.extensible ?? []);
    push(
      Buffer.concat([
        Buffer.from([0x50, 0x4b, 0x06, 0x06]),
        u64(z.recordSize ?? 44 + ext.length),
        u16(45),
        u16(45),
        u32(e.disk ?? 0),
        u32(e.cdDisk ?? 0),
        u64(e.entriesOnDisk ?? count),
        u64(e.entries ?? count),
        u64(e.cdSize ?? cd.length),
        u64(e.cdOffset ?? cdStart),
        ext,
      ]),
    );
    push(
      Buffer.concat([
        Buffer.from([0x50, 0x4b, 0x06, 0x07]),
        u32(0),
        u64(z.locatorOffset ?? recordAt),
        u32(z.totalDisks ?? 1),
      ]),
    );
  }
  const comment = bytes(spec.comment ?? "");
  const big = spec.zip64End !== undefined;
  push(
    Buffer.concat([
      Buffer.from([0x50, 0x4b, 0x05, 0x06]),
      u16(big ? 0xffff : (e.disk ?? 0)),
      u16(big ? 0xffff : (e.cdDisk ?? 0)),
      u16(big ? 0xffff : (e.entriesOnDisk ?? count)),
      u16(big ? 0xffff : (e.entries ?? count)),
      u32(big ? 0xffffffff : (e.cdSize ?? cd.length)),
      u32(big ? 0xffffffff : (e.cdOffset ?? cdStart)),
      u16(comment.length),
      comment,
    ]),
  );
  if (spec.append) push(spec.append);
  return Buffer.concat(parts);
}

/** Node's names for the hashlib algorithms RECORD may name. */
export const NODE_HASH: Record<string, string> = {
  blake2b: "blake2b512",
  blake2s: "blake2s256",
  sha3_224: "sha3-224",
  sha3_256: "sha3-256",
  sha3_384: "sha3-384",
  sha3_512: "sha3-512",
};

/** RECORD's digest form: urlsafe base64 without padding. `alg` is a RECORD (hashlib) name. */
export const recordHash = (data: Bytes, alg = "sha256"): string =>
  createHash(NODE_HASH[alg] ?? alg)
    .update(bytes(data))
    .digest("base64url");

/** A valid wheel: the files, METADATA/WHEEL defaults, and a RECORD with `alg` hashes. */
export function buildWheel(options: {
  name?: string;
  version?: string;
  files?: Record<string, Bytes>;
  alg?: string;
  entry?: (e: ZipEntry) => ZipEntry;
  /** Rewrites the generated RECORD text (padding, ghost rows, broken rows). */
  record?: (generated: string) => Bytes;
  /** Contents swapped in after RECORD was written: a tampered wheel. */
  tamper?: Record<string, Bytes>;
}): { bytes: Buffer; filename: string } {
  const name = options.name ?? "demo_pkg";
  const version = options.version ?? "1.0.0";
  const di = `${name}-${version}.dist-info`;
  const files: Record<string, Bytes> = {
    [`${name}/__init__.py`]: '__version__ = "1.0.0"\n',
    ...(options.files ?? {}),
    [`${di}/METADATA`]: `Metadata-Version: 2.4\nName: ${name}\nVersion: ${version}\n\n`,
    [`${di}/WHEEL`]: "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
  };
  const alg = options.alg ?? "sha256";
  const rows = Object.entries(files).map(([n, d]) => `${n},${alg}=${recordHash(d, alg)},${bytes(d).length}`);
  rows.push(`${di}/RECORD,,`);
  const generated = `${rows.join("\n")}\n`;
  files[`${di}/RECORD`] = options.record?.(generated) ?? generated;
  Object.assign(files, options.tamper ?? {});
  const wrap = options.entry ?? ((e: ZipEntry) => e);
  const entries = Object.entries(files).map(([n, d]) => wrap({ name: n, data: d, mode: 0o100644 }));
  return { bytes: buildZip({ entries }), filename: `${name}-${version}-py3-none-any.whl` };
}
