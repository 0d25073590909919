/**
 * Writes tar streams block by block for the tests: pax, ustar, GNU and V7 headers, long names,
 * links, devices, sparse headers and deliberately broken ones (bad checksums, wrong sizes,
 * missing end blocks). Written from the POSIX pax/ustar layout; no tar library.
 */
import { Buffer } from "node:buffer";
import { gzipSync } from "node:zlib";

export type Bytes = string | Uint8Array;
const bytes = (v: Bytes): Buffer => (typeof v === "string" ? Buffer.from(v, "utf8") : Buffer.from(v));

export interface TarEntry {
  name: Bytes;
  data?: Bytes;
  /** Type flag, "0" by default ("5" for names ending in "/"). */
  type?: string;
  linkname?: Bytes;
  mode?: number;
  /** Size written in the header, when it must lie about the data. */
  size?: number;
  /** pax records written in an "x" header before this one. */
  pax?: Record<string, Bytes>;
  /** Header layout (default: the archive's). */
  format?: "pax" | "ustar" | "gnu" | "v7";
  /** Ustar prefix field (bytes 345–500). */
  prefix?: Bytes;
  /** Change the finished header block (after the checksum unless `rechecksum`). */
  patch?: (block: Buffer) => void;
  rechecksum?: boolean;
  /** Raw blocks written before this entry's header (GNU long names, junk). */
  before?: Buffer;
}

export interface TarSpec {
  entries: TarEntry[];
  format?: "pax" | "ustar" | "gnu" | "v7";
  /** Write the two zero end blocks (default true) and pad to a 10 KiB record (default false). */
  end?: boolean;
  record?: boolean;
  trailing?: Uint8Array;
}

function octal(n: number, width: number): string {
  return `${n.toString(8).padStart(width - 1, "0")}\0`;
}

function writeField(block: Buffer, at: number, width: number, value: Bytes): void {
  const b = bytes(value);
  b.copy(block, at, 0, Math.min(width, b.length));
}

export function checksum(block: Buffer): number {
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  return sum;
}

export function setChecksum(block: Buffer): void {
  writeField(block, 148, 8, `${checksum(block).toString(8).padStart(6, "0")}\0 `);
}

/** One header block. */
export function header(fields: {
  name: Bytes;
  type: string;
  size: number;
  mode?: number;
  linkname?: Bytes;
  format: "pax" | "ustar" | "gnu" | "v7";
  prefix?: Bytes;
}): Buffer {
  const block = Buffer.alloc(512);
  writeField(block, 0, 100, fields.name);
  writeField(block, 100, 8, octal(fields.mode ?? 0o644, 8));
  writeField(block, 108, 8, octal(1000, 8));
  writeField(block, 116, 8, octal(1000, 8));
  writeField(block, 124, 12, octal(fields.size, 12));
  writeField(block, 136, 12, octal(1_700_000_000, 12));
  block[156] = fields.type.charCodeAt(0);
  writeField(block, 157, 100, fields.linkname ?? "");
  if (fields.format === "gnu") writeField(block, 257, 8, "ustar  \0");
  else if (fields.format !== "v7") writeField(block, 257, 8, "ustar\x0000");
  if (fields.format !== "v7") {
    writeField(block, 265, 32, "user");
    writeField(block, 297, 32, "group");
  }
  if (fields.prefix !== undefined) writeField(block, 345, 155, fields.prefix);
  setChecksum(block);
  return block;
}

const pad = (b: Buffer): Buffer => Buffer.concat([b, Buffer.alloc((512 - (b.length % 512)) % 512)]);

/** pax records "<len> <key>=<value>\n" with the length counting itself. */
export function paxBody(records: Record<string, Bytes>): Buffer {
  const out: Buffer[] = [];
  for (const [key, value] of Object.entries(records)) {
    const body = Buffer.concat([Buffer.from(` ${key}=`), bytes(value), Buffer.from("\n")]);
    let length = body.length + 1;
    while (String(length).length + body.length !== length) length = String(length).length + body.length;
    out.push(Buffer.concat([Buffer.from(String(length)), body]));
  }
  return Buffer.concat(out);
}

/** A GNU long-name ("L") or long-link ("K") header and its padded body. */
export function gnuLong(type: "L" | "K", value: Bytes): Buffer {
  const body = Buffer.concat([bytes(value), Buffer.from([0])]);
  return Buffer.concat([
    header({ name: "././@LongLink", type, size: body.length, format: "gnu" }),
    pad(body),
  ]);
}

/** The uncompressed tar stream `spec` describes. */
export function buildTar(spec: TarSpec): Buffer {
  const parts: Buffer[] = [];
  for (const entry of spec.entries) {
    const format = entry.format ?? spec.format ?? "pax";
    const data = bytes(entry.data ?? "");
    const name = bytes(entry.name);
    if (entry.before) parts.push(entry.before);
    const pax: Record<string, Bytes> = { ...(entry.pax ?? {}) };
    if (format === "pax" && (name.length > 100 || name.some((b) => b > 0x7f)) && pax.path === undefined) {
      pax.path = name;
    }
    if (Object.keys(pax).length > 0) {
      const body = paxBody(pax);
      parts.push(
        header({ name: "./PaxHeaders/x", type: "x", size: body.length, format: "ustar" }),
        pad(body),
      );
    }
    const type = entry.type ?? (name[name.length - 1] === 0x2f ? "5" : "0");
    const block = header({
      name: name.length > 100 ? name.subarray(0, 100) : name,
      type,
      size: entry.size ?? data.length,
      mode: entry.mode ?? (type === "5" ? 0o755 : 0o644),
      ...(entry.linkname === undefined ? {} : { linkname: entry.linkname }),
      format,
      ...(entry.prefix === undefined ? {} : { prefix: entry.prefix }),
    });
    if (entry.patch) {
      entry.patch(block);
      if (entry.rechecksum) setChecksum(block);
    }
    parts.push(block);
    if (data.length > 0) parts.push(pad(data));
  }
  if (spec.end ?? true) parts.push(Buffer.alloc(1024));
  let tar = Buffer.concat(parts);
  if (spec.record) tar = Buffer.concat([tar, Buffer.alloc((10240 - (tar.length % 10240)) % 10240)]);
  return spec.trailing ? Buffer.concat([tar, Buffer.from(spec.trailing)]) : tar;
}

/** gzip of `tar`; `mtime` fixed so the bytes are reproducible. */
export function gzipTar(tar: Uint8Array, options: { level?: number } = {}): Buffer {
  const gz = gzipSync(tar, { level: options.level ?? 6 });
  gz.writeUInt32LE(0, 4);
  return gz;
}

/** A small valid sdist `{name}-{version}/...` as .tar.gz bytes. */
export function buildSdist(options: {
  name?: string;
  version?: string;
  files?: Record<string, Bytes>;
  entries?: TarEntry[];
  format?: TarSpec["format"];
}): { bytes: Buffer; filename: string; top: string } {
  const name = options.name ?? "demo_pkg";
  const version = options.version ?? "1.0.0";
  const top = `${name}-${version}`;
  const files: Record<string, Bytes> = {
    "PKG-INFO": `Metadata-Version: 2.4\nName: ${name}\nVersion: ${version}\n\n`,
    "pyproject.toml": `[project]\nname = "${name}"\nversion = "${version}"\n`,
    [`src/${name}/__init__.py`]: '__version__ = "1.0.0"\n',
    ...(options.files ?? {}),
  };
  const entries: TarEntry[] = [
    { name: `${top}/` },
    ...Object.entries(files).map(([n, d]) => ({ name: `${top}/${n}`, data: d })),
    ...(options.entries ?? []),
  ];
  const spec: TarSpec = { entries, record: true };
  if (options.format !== undefined) spec.format = options.format;
  return { bytes: gzipTar(buildTar(spec)), filename: `${top}.tar.gz`, top };
}
