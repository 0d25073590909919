/**
 * Which hash algorithms a wheel's RECORD uses, learned before the main pass so that pass can
 * compute them all at once. RECORD is read by position through the central directory; this is
 * a scan for `,<alg>=` only; the RECORD checks themselves parse it properly (checks/record.ts).
 */
import { Buffer } from "node:buffer";
import type { FileHandle } from "node:fs/promises";
import { hasBytes } from "../../core/archive/binary.ts";
import { LOCAL_HEADER_SIZE, parseLocalHeader, SIG_LOCAL } from "../../core/archive/zip-records.ts";
import type { ArtifactKind, HashAlg } from "../../core/dist/artifact.ts";
import { readAt } from "./byte-source.ts";
import { inflateWhole } from "./inflate.ts";
import type { Slot } from "./zip-content.ts";

const MAX_RECORD = 16 * 1024 * 1024;
const ALGORITHMS = /,(sha224|sha256|sha384|sha512|blake2b|blake2s|sha3_224|sha3_256|sha3_384|sha3_512)=/g;

/** The RECORD member: `<name>-<version>.dist-info/RECORD` from the filename first (as PyPI looks), else any. */
export function findRecord(slots: readonly Slot[], filename: string): Slot | undefined {
  const [name, version] = filename.split("-");
  const exact = `${name}-${version}.dist-info/RECORD`;
  return (
    slots.find((s) => s.member.name === exact) ??
    slots.find((s) => /^[^/]+\.dist-info\/RECORD$/.test(s.member.name))
  );
}

/** The algorithms named in `text`, sha256 always first. */
export function algorithmsIn(text: string): HashAlg[] {
  const found = new Set<HashAlg>(["sha256"]);
  for (const m of text.matchAll(ALGORITHMS)) found.add(m[1] as HashAlg);
  return [...found];
}

export async function recordAlgorithms(options: {
  fh: FileHandle;
  slots: readonly Slot[];
  shift: number;
  kind: ArtifactKind;
  filename: string;
}): Promise<HashAlg[]> {
  if (options.kind !== "wheel") return ["sha256"];
  const slot = findRecord(options.slots, options.filename);
  if (
    slot === undefined ||
    !slot.readable ||
    slot.entry.size > MAX_RECORD ||
    slot.entry.compressedSize > MAX_RECORD
  ) {
    return ["sha256"];
  }
  const offset = slot.entry.offset + options.shift;
  const header = await readAt(options.fh, offset, LOCAL_HEADER_SIZE);
  if (header.length < LOCAL_HEADER_SIZE || !hasBytes(header, 0, SIG_LOCAL)) return ["sha256"];
  const local = parseLocalHeader(header);
  const data = await readAt(
    options.fh,
    offset + LOCAL_HEADER_SIZE + local.nameLength + local.extraLength,
    slot.entry.compressedSize,
  );
  const bytes = slot.entry.method === 0 ? data : inflateWhole(data, slot.entry.size);
  if (!(bytes instanceof Uint8Array)) return ["sha256"];
  return algorithmsIn(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("latin1"));
}
