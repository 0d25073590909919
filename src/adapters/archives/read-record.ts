/**
 * A wheel's RECORD, read by position through the central directory and inflated piece by piece,
 * twice: before the members are read, for the hash algorithms its rows use (so one pass computes
 * them all), and after, to scan and check every row against the members (checks/record-scan.ts).
 * It is never held whole, whatever its size.
 */
import type { FileHandle } from "node:fs/promises";
import { hasBytes } from "../../core/archive/binary.ts";
import { LOCAL_HEADER_SIZE, parseLocalHeader, SIG_LOCAL } from "../../core/archive/zip-records.ts";
import { RecordAlgorithms, RecordMembers } from "../../core/checks/record-members.ts";
import { MAX_RECORD_BYTES, RecordScanner } from "../../core/checks/record-scan.ts";
import { layoutOf } from "../../core/checks/wheel-layout.ts";
import type { ArchiveMember, HashAlg } from "../../core/dist/artifact.ts";
import type { RecordScan } from "../../core/dist/record.ts";
import { parseWheelFilename } from "../../core/names/filename.ts";
import { PositionalSource, readAt } from "./byte-source.ts";
import { canReuseEngine, RawInflater, StreamInflater } from "./inflate.ts";
import type { Slot, ZipSlots } from "./zip-content.ts";

/** The RECORD member of the .dist-info the checks read (the same choice as `locateDistInfo`). */
export function findRecord(slots: ZipSlots, filename: string): Slot | undefined {
  const parsed = parseWheelFilename(filename);
  const { distInfo } = layoutOf(slots.members, parsed.ok ? parsed.value : undefined);
  if (distInfo === undefined) return undefined;
  const path = `${distInfo}/RECORD`;
  const index = slots.members.findIndex((m) => m.name === path && m.kind !== "dir");
  const slot = index < 0 ? undefined : slots.at(index);
  return slot?.readable ? slot : undefined;
}

interface RecordAt {
  fh: FileHandle;
  slot: Slot;
  /** Bytes in front of the archive (every recorded offset moves by this). */
  shift: number;
}

/**
 * A RECORD up to this size is kept from the first read for the scan after the walk: the
 * common wheel's RECORD (a few KiB) is then read and inflated once. Larger ones are read again,
 * streaming, so memory stays bounded whatever the RECORD's size.
 */
const KEEP_RECORD_BYTES = 1024 * 1024;

/**
 * What the main pass computes for every member: sha256 and each algorithm the RECORD names;
 * and, for a small RECORD, its bytes (`kept`) for `readRecord`.
 */
export async function readRecordAlgorithms(
  at: RecordAt,
): Promise<{ algorithms: HashAlg[]; kept?: Uint8Array[] }> {
  // A RECORD over the limit is refused unread (see readRecord): sha256 is all that is needed.
  if (at.slot.entry.size > MAX_RECORD_BYTES) return { algorithms: ["sha256"] };
  const scan = new RecordAlgorithms();
  const keep = at.slot.entry.size <= KEEP_RECORD_BYTES;
  const kept: Uint8Array[] = [];
  let size = 0;
  const read = await streamMember(
    at,
    (chunk) => {
      scan.push(chunk);
      size += chunk.length;
      // A copy: the inflater may reuse its output buffer.
      if (keep && size <= KEEP_RECORD_BYTES) kept.push(Uint8Array.from(chunk));
    },
    () => false,
  );
  const whole = read && keep && size <= KEEP_RECORD_BYTES;
  return whole ? { algorithms: [...scan.found], kept } : { algorithms: [...scan.found] };
}

/**
 * Scans the RECORD against the members once their digests are known (from `kept`, the bytes
 * the first read kept, else read again); undefined when unreadable.
 */
export async function readRecord(
  at: RecordAt & { members: readonly ArchiveMember[]; kept?: readonly Uint8Array[] | undefined },
): Promise<RecordScan | undefined> {
  const path = at.slot.member.name;
  const scanner = new RecordScanner({
    path,
    members: new RecordMembers(at.members, path.slice(0, -"/RECORD".length)),
  });
  // The declared size is the inflate ceiling: past the limit, refuse before reading anything.
  scanner.expect(at.slot.entry.size);
  if (scanner.done) return scanner.end();
  if (at.kept !== undefined) {
    for (const chunk of at.kept) if (!scanner.done) scanner.push(chunk);
    return scanner.end();
  }
  const read = await streamMember(
    at,
    (chunk) => scanner.push(chunk),
    () => scanner.done,
  );
  return read ? scanner.end() : undefined;
}

/** Streams the member's uncompressed content to `onData`; false when it cannot be read (ART findings say why). */
async function streamMember(
  at: RecordAt,
  onData: (chunk: Uint8Array) => void,
  stop: () => boolean,
): Promise<boolean> {
  const { fh, slot, shift } = at;
  const { entry } = slot;
  const offset = entry.offset + shift;
  const header = await readAt(fh, offset, LOCAL_HEADER_SIZE);
  if (header.length < LOCAL_HEADER_SIZE || !hasBytes(header, 0, SIG_LOCAL)) return false;
  const local = parseLocalHeader(header);
  const start = offset + LOCAL_HEADER_SIZE + local.nameLength + local.extraLength;
  const end = start + entry.compressedSize;
  const source = new PositionalSource(fh);
  const push = (chunk: Uint8Array) => {
    if (!stop()) onData(chunk);
  };
  if (entry.method === 0) {
    if (entry.compressedSize !== entry.size) return false;
    await source.forEach(start, end, push);
    return true;
  }
  if (canReuseEngine()) {
    const inflater = new RawInflater();
    inflater.begin(entry.size);
    let read = start;
    let problem: string | undefined;
    await source.forEach(start, end, (chunk) => {
      read += chunk.length;
      if (problem === undefined && !stop()) problem = inflater.write(chunk, read >= end, push)?.problem;
    });
    return problem === undefined;
  }
  const inflater = new StreamInflater(entry.size, push);
  await source.forEach(start, end, (chunk) => inflater.write(chunk));
  return (await inflater.end()) === undefined;
}
