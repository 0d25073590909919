/**
 * How a wheel is laid out, found by scanning member names: shared by the wheel, RECORD, entry
 * point and typing checks. Pure helpers over a DistContext; no findings here.
 */
import type { ArchiveMember } from "../dist/artifact.ts";
import { field, type MetadataFile, parseMetadataFile } from "../metadata/parse.ts";
import type { WheelFilename } from "../names/filename.ts";
import type { DistContext } from "./context.ts";

/** Where a wheel keeps its metadata and data, found by scanning the member names. */
export interface WheelLayout {
  /** Top-level `*.dist-info` directories, in member order. */
  distInfos: string[];
  /** `<name>-<version>.dist-info` from the filename's own parts (where PyPI looks), when it parses. */
  expected?: string;
  /** The .dist-info the checks read: the expected one when present, else the only one found. */
  distInfo?: string;
  /** Top-level `*.data` directories, in member order. */
  dataDirs: string[];
}

/** Top-level directories of an archive (first segment of every member path that has one). */
export function topDirectories(members: readonly Pick<ArchiveMember, "name">[]): string[] {
  const tops = new Set<string>();
  for (const m of members) {
    const slash = m.name.indexOf("/");
    if (slash > 0) tops.add(m.name.slice(0, slash));
  }
  return [...tops];
}

export function locateDistInfo(ctx: DistContext): WheelLayout {
  return layoutOf(ctx.artifact.members, ctx.wheelName);
}

/** `locateDistInfo` on a member list and the parsed filename (what the archive reader has). */
export function layoutOf(
  members: readonly Pick<ArchiveMember, "name">[],
  wheelName: Pick<WheelFilename, "name" | "version"> | undefined,
): WheelLayout {
  const tops = topDirectories(members);
  const distInfos = tops.filter((t) => t.endsWith(".dist-info"));
  const dataDirs = tops.filter((t) => t.endsWith(".data"));
  const layout: WheelLayout = { distInfos, dataDirs };
  if (wheelName) layout.expected = `${wheelName.name}-${wheelName.version}.dist-info`;
  const chosen =
    layout.expected !== undefined && distInfos.includes(layout.expected)
      ? layout.expected
      : distInfos.length === 1
        ? distInfos[0]
        : undefined;
  if (chosen !== undefined) layout.distInfo = chosen;
  return layout;
}

/** The prefix shared by a wheel's .dist-info and .data directories (`name-version`). */
export const distPrefix = (distInfo: string): string => distInfo.slice(0, -".dist-info".length);

const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Strict UTF-8 like Python's `bytes.decode()`; undefined when invalid. A BOM is kept. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return UTF8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** WHEEL parsed like METADATA, when present. */
export function readWheelFile(ctx: DistContext, distInfo: string): MetadataFile | undefined {
  const bytes = ctx.artifact.contents.get(`${distInfo}/WHEEL`);
  return bytes === undefined ? undefined : parseMetadataFile(bytes);
}

/** Root-Is-Purelib as installers read it, or undefined when it is missing or not a boolean. */
export function rootIsPurelib(wheel: MetadataFile): boolean | undefined {
  const value = field(wheel, "Root-Is-Purelib")?.trim().toLowerCase();
  return value === "true" ? true : value === "false" ? false : undefined;
}

// Executables: ELF, PE, Mach-O (32/64, both byte orders) and universal binaries.
const BINARY_MAGIC = [
  [0x7f, 0x45, 0x4c, 0x46],
  [0x4d, 0x5a],
  [0xcf, 0xfa, 0xed, 0xfe],
  [0xce, 0xfa, 0xed, 0xfe],
  [0xfe, 0xed, 0xfa, 0xcf],
  [0xfe, 0xed, 0xfa, 0xce],
  [0xca, 0xfe, 0xba, 0xbe],
];

/** True when the bytes start like a native executable or library. */
export const isNativeBinary = (bytes: Uint8Array): boolean =>
  BINARY_MAGIC.some((magic) => magic.every((b, i) => bytes[i] === b));

/** Untrusted text for a one-line message: quoted and escaped when it holds control or line-break characters. */
export const printable = (text: string): string =>
  /[\x00-\x1f\x7f\x85\u2028\u2029]/.test(text) ? JSON.stringify(text) : text;
