/**
 * A wheel's RECORD, read before the main pass: by position through the central directory,
 * inflated and scanned piece by piece (checks/record-scan.ts) against the member names the
 * directory lists, so the main pass knows which hash algorithms to compute and RECORD itself is
 * never held whole, whatever its size.
 */
import type { FileHandle } from "node:fs/promises";
import { hasBytes } from "../../core/archive/binary.ts";
import { LOCAL_HEADER_SIZE, parseLocalHeader, SIG_LOCAL } from "../../core/archive/zip-records.ts";
import { isListable, RecordScanner, recordMemberIndex } from "../../core/checks/record-scan.ts";
import { layoutOf } from "../../core/checks/wheel-layout.ts";
import type { HashAlg } from "../../core/dist/artifact.ts";
import type { RecordScan } from "../../core/dist/record.ts";
import { parseWheelFilename } from "../../core/names/filename.ts";
import { PositionalSource, readAt } from "./byte-source.ts";
import { canReuseEngine, RawInflater, StreamInflater } from "./inflate.ts";
import type { Slot } from "./zip-content.ts";

export interface RecordRead {
  /** What the main pass computes for every member: sha256 and each algorithm RECORD uses. */
  algorithms: HashAlg[];
  /** Absent when the wheel has no RECORD where the checks look, or it could not be read. */
  record?: RecordScan;
}

/** The RECORD member of the .dist-info the checks read (the same choice as `locateDistInfo`). */
export function findRecord(slots: readonly Slot[], filename: string): Slot | undefined {
  const parsed = parseWheelFilename(filename);
  const members = slots.map((s) => s.member);
  const { distInfo } = layoutOf(members, parsed.ok ? parsed.value : undefined);
  if (distInfo === undefined) return undefined;
  const path = `${distInfo}/RECORD`;
  return slots.find((s) => s.member.name === path && s.member.kind !== "dir");
}

export async function readRecord(options: {
  fh: FileHandle;
  slots: readonly Slot[];
  /** Bytes in front of the archive (every recorded offset moves by this). */
  shift: number;
  filename: string;
}): Promise<RecordRead> {
  const slot = findRecord(options.slots, options.filename);
  if (slot === undefined || !slot.readable) return { algorithms: ["sha256"] };
  const { entry, member } = slot;
  const distInfo = member.name.slice(0, -"/RECORD".length);
  const scanner = new RecordScanner({
    path: member.name,
    members: recordMemberIndex(
      options.slots.filter((s) => isListable(s.member, distInfo)).map((s) => s.member.name),
    ),
  });
  // The declared size is the inflate ceiling: past the limit, refuse before reading anything.
  scanner.expect(entry.size);
  if (!scanner.done && !(await feed(options.fh, slot, options.shift, scanner)))
    return { algorithms: ["sha256"] };
  const record = scanner.end();
  return { algorithms: record.algorithms, record };
}

/** Streams the member's content into the scanner; false when it cannot be read (ART findings say why). */
async function feed(fh: FileHandle, slot: Slot, shift: number, scanner: RecordScanner): Promise<boolean> {
  const { entry } = slot;
  const offset = entry.offset + shift;
  const header = await readAt(fh, offset, LOCAL_HEADER_SIZE);
  if (header.length < LOCAL_HEADER_SIZE || !hasBytes(header, 0, SIG_LOCAL)) return false;
  const local = parseLocalHeader(header);
  const start = offset + LOCAL_HEADER_SIZE + local.nameLength + local.extraLength;
  const end = start + entry.compressedSize;
  const source = new PositionalSource(fh);
  const push = (chunk: Uint8Array) => scanner.push(chunk);
  if (entry.method === 0) {
    if (entry.compressedSize !== entry.size) return false;
    await source.forEach(start, end, (chunk) => {
      if (!scanner.done) push(chunk);
    });
    return true;
  }
  if (canReuseEngine()) {
    const inflater = new RawInflater();
    inflater.begin(entry.size);
    let read = start;
    let problem: string | undefined;
    await source.forEach(start, end, (chunk) => {
      read += chunk.length;
      if (problem === undefined && !scanner.done) problem = inflater.write(chunk, read >= end, push)?.problem;
    });
    return problem === undefined;
  }
  const inflater = new StreamInflater(entry.size, push);
  await source.forEach(start, end, (chunk) => inflater.write(chunk));
  return (await inflater.end()) === undefined;
}
