/**
 * Reads a ZIP (wheel or legacy .zip sdist) without a ZIP library: the end records and central
 * directory by position, then ONE sequential walk over the local headers from offset 0 (what a
 * streaming reader sees), reading every member's content on the way and comparing each header
 * with the directory ([WHZ]). Hostile input yields issues, never exceptions or unbounded work.
 */
import type { FileHandle } from "node:fs/promises";
import { hasBytes } from "../../core/archive/binary.ts";
import { type ArchiveIssue, issue, quote } from "../../core/archive/issues.ts";
import { checkMembers } from "../../core/archive/member-checks.ts";
import { isTarHeader } from "../../core/archive/tar-header.ts";
import {
  analyzeEnd,
  checkCentralDirectory,
  checkCentralEntry,
  type EndAnalysis,
  isBomb,
} from "../../core/archive/zip-layout.ts";
import { checkLocalHeader, descriptorLength, walkOrder } from "../../core/archive/zip-local.ts";
import {
  type CentralEntry,
  FLAG_DATA_DESCRIPTOR,
  LOCAL_HEADER_SIZE,
  parseCentralDirectory,
  parseLocalHeader,
  SIG_LOCAL,
  TAIL_SIZE,
} from "../../core/archive/zip-records.ts";
import { pushAll } from "../../core/arrays.ts";
import { checkTopLevel, checkUnkept } from "../../core/checks/archive.ts";
import { type ArchiveMember, type ArtifactKind, wantsContent } from "../../core/dist/artifact.ts";
import { DigestTable } from "../../core/dist/digest-table.ts";
import type { RecordScan } from "../../core/dist/record.ts";
import { type ByteSource, PositionalSource, readAt, SequentialSource } from "./byte-source.ts";
import { findRecord, readRecord, readRecordAlgorithms } from "./read-record.ts";
import { defaultWorkers } from "./worker-pool.ts";
import { type Slot, WHOLE_LIMIT, ZipContent, ZipSlots } from "./zip-content.ts";

const NO_BYTES = new Uint8Array(0);

/** Central directories beyond this are refused (a real one for 100k members is ~10 MiB). */
const MAX_CD_SIZE = 64 * 1024 * 1024;
const MAX_ENTRIES = 500_000;
/** Below this much member content, starting worker threads costs more than it saves. */
const WORKER_THRESHOLD = 32 * 1024 * 1024;

/** What a bomb (ART03) may still have read: the small metadata members, 16 MiB in all. */
const BOMB_READ_LIMIT = 16 * 1024 * 1024;

/**
 * In an archive that trips the bomb rule nothing is inflated except the few small members the
 * other checks read (METADATA, WHEEL, RECORD...), so the report stays about the real problem.
 */
function limitToMetadata(slots: ZipSlots, kind: ArtifactKind): void {
  let budget = BOMB_READ_LIMIT;
  for (let i = 0; i < slots.length; i++) {
    const size = slots.entries[i]!.size;
    const keep =
      slots.readable[i] === 1 &&
      size <= budget &&
      size <= WHOLE_LIMIT &&
      wantsContent(kind, slots.members[i]!.name, size);
    if (keep) budget -= size;
    slots.readable[i] = keep ? 1 : 0;
  }
}

/** Uncompressed bytes of the members to read. */
function contentWork(slots: ZipSlots): number {
  let total = 0;
  for (let i = 0; i < slots.length; i++) if (slots.readable[i] === 1) total += slots.entries[i]!.size;
  return total;
}

export interface ContainerRead {
  members: ArchiveMember[];
  /** Wheels: the RECORD scan (see ArtifactModel.record). */
  record?: RecordScan;
  contents: Map<string, Uint8Array>;
  issues: ArchiveIssue[];
  readable: boolean;
  sha256: string;
}

export interface ZipReadOptions {
  fh: FileHandle;
  size: number;
  kind: ArtifactKind;
  filename: string;
  signal?: AbortSignal | undefined;
  /** Worker threads for member content; by default one per core when they pay off. */
  workers?: number | undefined;
  /** Stream large deflated members on this thread (what a Node without a reusable engine does). */
  reuseEngine?: boolean | undefined;
  /** Called with the member count once the central directory is parsed. */
  onMembers?: ((count: number) => void) | undefined;
}

export async function readZip(options: ZipReadOptions): Promise<ContainerRead> {
  const { fh, size } = options;
  const sequential = new SequentialSource(fh, size, { signal: options.signal });
  const issues: ArchiveIssue[] = [];
  const unreadable = async (): Promise<ContainerRead> => ({
    members: [],
    contents: new Map(),
    issues,
    readable: false,
    sha256: await sequential.finish(),
  });
  const head = await readAt(fh, 0, 512);
  if (head.length === 512 && (isTarHeader(head) || head.every((b) => b === 0))) {
    issues.push(issue("ART01", "the file is also a valid tar archive (a ZIP/tar polyglot)"));
  }
  const tail = await readAt(fh, Math.max(0, size - TAIL_SIZE), Math.min(size, TAIL_SIZE));
  const end = analyzeEnd(tail, size, { maxCdSize: MAX_CD_SIZE });
  pushAll(issues, end.issues);
  if (end.fatal) return unreadable();
  // The end record's count, before the directory's records are parsed into objects; the real
  // count too when the end record understates it.
  options.onMembers?.(end.entries);
  const cd = parseCentralDirectory(await readAt(fh, end.cdStart, end.cdSize), MAX_ENTRIES);
  if (cd.entries.length > end.entries) options.onMembers?.(cd.entries.length);
  if (cd.problem !== undefined) {
    issues.push(issue("ART01", `the central directory is unreadable: ${cd.problem}`));
    return unreadable();
  }
  let fatal = false;
  for (const entry of cd.entries) {
    const checked = checkCentralEntry(entry);
    pushAll(issues, checked.issues);
    fatal ||= checked.fatal;
  }
  pushAll(issues, checkCentralDirectory(cd.entries, { declaredEntries: end.entries, fileSize: size }));
  if (fatal) return unreadable();

  const digests = new DigestTable(["sha256"], cd.entries.length);
  const slots = new ZipSlots(cd.entries, digests);
  if (isBomb(cd.entries, size)) limitToMetadata(slots, options.kind);
  const recordSlot = options.kind === "wheel" ? findRecord(slots, options.filename) : undefined;
  const recordAt = recordSlot === undefined ? undefined : { fh, slot: recordSlot, shift: end.shift };
  let keptRecord: Uint8Array[] | undefined;
  if (recordAt !== undefined) {
    const first = await readRecordAlgorithms(recordAt);
    digests.algorithms = first.algorithms;
    keptRecord = first.kept;
  }
  const contents = new Map<string, Uint8Array>();
  const heads = new Map<string, Uint8Array>();
  const content = new ZipContent({
    kind: options.kind,
    digests,
    issues,
    contents,
    heads,
    slots,
    // An explicit count is used as given; by default workers start only when they pay off.
    workers: options.workers ?? (contentWork(slots) >= WORKER_THRESHOLD ? defaultWorkers() : 0),
    reuseEngine: options.reuseEngine,
  });
  const walk = new Walk({ end, issues, content, slots });
  try {
    await walk.run(walkOrder(cd.entries), sequential);
    for (const slot of walk.leftovers)
      await walk.readLocal(slot, new PositionalSource(fh), slot.entry.offset + end.shift);
    await content.drain();
  } finally {
    content.close();
  }

  const members = slots.members;
  // RECORD last: its rows are checked against the digests the walk computed.
  const record =
    recordAt === undefined ? undefined : await readRecord({ ...recordAt, members, kept: keptRecord });
  keptRecord = undefined;
  pushAll(issues, checkMembers(members, { kind: options.kind, container: "zip", heads }));
  pushAll(issues, checkUnkept(members, contents, options.kind));
  if (options.kind === "sdist") pushAll(issues, checkTopLevel(members));
  const read: ContainerRead = {
    members,
    contents,
    issues,
    readable: true,
    sha256: await sequential.finish(),
  };
  if (record !== undefined) read.record = record;
  return read;
}

/** The sequential local-header walk and the per-member header checks. */
class Walk {
  private readonly end: EndAnalysis;
  private readonly issues: ArchiveIssue[];
  private readonly content: ZipContent;
  /** Members whose header lies inside an earlier member: read by position afterwards. */
  readonly leftovers: Slot[] = [];

  private readonly slots: ZipSlots;

  constructor(options: { end: EndAnalysis; issues: ArchiveIssue[]; content: ZipContent; slots: ZipSlots }) {
    this.slots = options.slots;
    this.end = options.end;
    this.issues = options.issues;
    this.content = options.content;
  }

  async run(order: readonly CentralEntry[], source: SequentialSource): Promise<void> {
    const { cdStart, shift } = this.end;
    let pos = shift;
    for (const { index } of order) {
      const slot = this.slots.at(index);
      const offset = slot.entry.offset + shift;
      // Quoted only when a message needs it (this loop runs once per member).
      const name = () => quote(slot.member.name);
      if (offset + LOCAL_HEADER_SIZE > cdStart) {
        this.issues.push(
          issue(
            "ART01",
            `member ${name()}: its local header offset ${slot.entry.offset} lies outside the archive data`,
            {
              member: slot.member.name,
            },
          ),
        );
        continue;
      }
      if (offset < pos) {
        this.issues.push(
          issue(
            "ART05",
            `member ${name()}: its local header lies inside the data of another member (overlapping entries)`,
            {
              member: slot.member.name,
            },
          ),
        );
        this.leftovers.push(slot);
        continue;
      }
      if (offset > pos) await this.gap(source, pos, offset, `before member ${name()}`);
      pos = await this.readLocal(slot, source, offset);
    }
    if (pos < cdStart) await this.gap(source, pos, cdStart, "before the central directory");
  }

  /** Bytes between records: a hidden local header, or unknown data. Either is refused by PyPI. */
  private async gap(source: ByteSource, from: number, to: number, where: string): Promise<void> {
    const head = await source.view(from, Math.min(LOCAL_HEADER_SIZE, to - from));
    if (head.length === LOCAL_HEADER_SIZE && hasBytes(head, 0, SIG_LOCAL)) {
      const nameLength = parseLocalHeader(head).nameLength;
      const nameBytes = await source.view(
        from + LOCAL_HEADER_SIZE,
        Math.min(nameLength, to - from - LOCAL_HEADER_SIZE),
      );
      const hidden = new TextDecoder().decode(nameBytes);
      this.issues.push(
        issue(
          "ART05",
          `a local file header for ${quote(hidden)} at offset ${from} has no central directory entry (hidden file)`,
        ),
      );
      return;
    }
    this.issues.push(
      issue("ART05", `${to - from} unexpected bytes at offset ${from} ${where} (unknown record signature)`),
    );
  }

  /** Checks the local header at `offset`, reads the content, returns where the member ends. */
  async readLocal(slot: Slot, source: ByteSource, offset: number): Promise<number> {
    const { entry, member } = slot;
    const cdStart = this.end.cdStart;
    const guess = Math.min(
      cdStart,
      offset + LOCAL_HEADER_SIZE + entry.nameBytes.length + entry.compressedSize,
    );
    const header = source.peek(offset, LOCAL_HEADER_SIZE) ?? (await source.view(offset, LOCAL_HEADER_SIZE));
    if (header.length < LOCAL_HEADER_SIZE || !hasBytes(header, 0, SIG_LOCAL)) {
      this.issues.push(
        issue("ART01", `member ${quote(member.name)}: no local file header at offset ${offset}`, {
          member: member.name,
        }),
      );
      return guess;
    }
    const local = parseLocalHeader(header);
    const variableLength = local.nameLength + local.extraLength;
    const variable =
      source.peek(offset + LOCAL_HEADER_SIZE, variableLength) ??
      (await source.view(offset + LOCAL_HEADER_SIZE, variableLength));
    const dataStart = offset + LOCAL_HEADER_SIZE + local.nameLength + local.extraLength;
    const dataEnd = dataStart + entry.compressedSize;
    if (variable.length < local.nameLength + local.extraLength || dataStart > cdStart) {
      this.issues.push(
        issue("ART01", `member ${quote(member.name)}: its local header runs into the central directory`, {
          member: member.name,
        }),
      );
      return cdStart;
    }
    const nameBytes = variable.subarray(0, local.nameLength);
    const extra = local.extraLength === 0 ? NO_BYTES : variable.subarray(local.nameLength);
    for (const found of checkLocalHeader(entry, local, nameBytes, extra)) {
      this.issues.push(found);
    }
    if (dataEnd > cdStart) {
      this.issues.push(
        issue("ART05", `member ${quote(member.name)}: its compressed size runs into the central directory`, {
          member: member.name,
        }),
      );
    }
    if (slot.readable) await this.content.read(slot, source, dataStart, Math.min(dataEnd, cdStart));
    if (dataEnd > cdStart) return cdStart;
    if ((local.flags & FLAG_DATA_DESCRIPTOR) === 0) return dataEnd;
    const zip64 = entry.size >= 0xffffffff || entry.compressedSize >= 0xffffffff || local.size === 0xffffffff;
    const next = source.peek(dataEnd, 4) ?? (await source.view(dataEnd, 4));
    return Math.min(cdStart, dataEnd + descriptorLength(next, zip64));
  }
}
