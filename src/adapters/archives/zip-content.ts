/**
 * Reading one ZIP member's content into its sink: stored bytes pass straight through, small
 * deflated members inflate in one call, large ones stream (a few at once, on libuv's pool).
 * Every outcome lands on the member's slot; failures become issues, never exceptions.
 */
import { Buffer } from "node:buffer";
import type { ArchiveIssue } from "../../core/archive/issues.ts";
import { issue, quote } from "../../core/archive/issues.ts";
import {
  type CentralEntry,
  FLAG_ENCRYPTED,
  FLAG_PATCHED,
  FLAG_STRONG_ENCRYPTION,
  S_IFBLK,
  S_IFCHR,
  S_IFDIR,
  S_IFIFO,
  S_IFLNK,
  S_IFMT,
  unixMode,
} from "../../core/archive/zip-records.ts";
import { pushAll } from "../../core/arrays.ts";
import {
  type ArchiveMember,
  type ArtifactKind,
  MAX_KEPT_CONTENT,
  MAX_TOTAL_KEPT,
  ReadMember,
  wantsContent,
} from "../../core/dist/artifact.ts";
import type { DigestTable } from "../../core/dist/digest-table.ts";
import { type DocMarkup, docMarkupOf } from "../../core/secrets/doc-blocks.ts";
import { hitIssues } from "../../core/secrets/scanner.ts";
import type { ByteSource } from "./byte-source.ts";
import { canReuseEngine, StreamInflater } from "./inflate.ts";
import type { MemberSpec } from "./member-job.ts";
import { MemberSink, type SinkResult } from "./member-sink.ts";
import { BatchRunner } from "./worker-pool.ts";

/**
 * Without a reusable inflate engine (see inflate.ts), deflated members up to this size inflate
 * in one call in the batches and larger ones stream through zlib on libuv's pool, a few at once.
 */
export const WHOLE_LIMIT = 1024 * 1024;
const STREAMS_IN_FLIGHT = 3;
const QUEUE_LIMIT = 24 * 1024 * 1024;
/** Symlink targets are read from the member's content. */
const MAX_LINK = 4096;

/** One member of a ZIP as the reader handles it (see ZipSlots). */
export interface Slot {
  readonly entry: CentralEntry;
  readonly member: ReadMember;
  /** Whether the content can and should be read. */
  readonly readable: boolean;
}

const KIND_BY_TYPE: Record<number, ArchiveMember["kind"]> = {
  [S_IFLNK]: "symlink",
  [S_IFDIR]: "dir",
  [S_IFCHR]: "chardev",
  [S_IFBLK]: "blockdev",
  [S_IFIFO]: "fifo",
};

/** The kind and permission bits a central directory entry records. */
export function kindOf(entry: CentralEntry): { kind: ArchiveMember["kind"]; mode: number | undefined } {
  const mode = unixMode(entry);
  const byType = mode === undefined ? undefined : KIND_BY_TYPE[mode & S_IFMT];
  const kind = entry.name.endsWith("/") ? "dir" : (byType ?? "file");
  return { kind, mode: mode === undefined ? undefined : mode & 0o7777 };
}

/**
 * An archive's members by central directory index: the entries, the members made from them
 * (their digests go to `digests`), and which ones to read. A Slot is made when asked and
 * dropped after use: one object per member for the whole read cost ~6 MB on 150,000 members.
 */
export class ZipSlots {
  readonly entries: readonly CentralEntry[];
  readonly members: ReadMember[];
  /** 1 when the member's content can and should be read. */
  readonly readable: Uint8Array;

  constructor(entries: readonly CentralEntry[], digests: DigestTable) {
    this.entries = entries;
    this.members = new Array(entries.length);
    this.readable = new Uint8Array(entries.length);
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!;
      const { kind, mode } = kindOf(entry);
      const init = { name: entry.name, kind, size: entry.size, compressedSize: entry.compressedSize };
      this.members[i] = new ReadMember(mode === undefined ? init : { ...init, mode }, digests, i);
      const methodOk = entry.method === 0 || entry.method === 8;
      const encrypted = (entry.flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION | FLAG_PATCHED)) !== 0;
      const readable =
        methodOk && !encrypted && (kind === "file" || (kind === "symlink" && entry.size <= MAX_LINK));
      this.readable[i] = readable ? 1 : 0;
    }
  }

  get length(): number {
    return this.entries.length;
  }

  at(index: number): Slot {
    return {
      entry: this.entries[index]!,
      member: this.members[index]!,
      readable: this.readable[index] === 1,
    };
  }
}

export interface ContentOptions {
  kind: ArtifactKind;
  /** Where the members' digests go, by central directory index; its algorithms are the ones computed. */
  digests: DigestTable;
  issues: ArchiveIssue[];
  contents: Map<string, Uint8Array>;
  heads: Map<string, Uint8Array>;
  slots: ZipSlots;
  /** Worker threads for member content (0: all on this thread). */
  workers: number;
  /** Send large deflated members to the batches (default: when zlib's engine is reusable). */
  reuseEngine?: boolean | undefined;
}

/** Reads members' content and records the outcome on each slot. */
export class ZipContent {
  private readonly options: ContentOptions;
  private readonly batches: BatchRunner;
  /** Whether large deflated members go to the batches in pieces (else they stream here). */
  private readonly reuseEngine: boolean;
  private readonly inFlight: { promise: Promise<void>; bytes: number }[] = [];
  private kept = 0;
  private keepLimitNoted = false;
  /** Slots in the order their content was read (the first `started`), and the issues each one's content raised. */
  private readonly order: Int32Array;
  private started = 0;
  private readonly found = new Map<number, ArchiveIssue[]>();
  /** Slots whose outcome is in (a result may come twice when a worker dies). */
  private readonly settled: Uint8Array;

  constructor(options: ContentOptions) {
    this.options = options;
    // A byte per member: a Set of 150,000 indexes cost ~10 MB for the whole read.
    this.settled = new Uint8Array(options.slots.length);
    // The walk reads each member once at most (in its pass, or afterwards by position).
    this.order = new Int32Array(options.slots.length);
    this.reuseEngine = options.reuseEngine ?? canReuseEngine();
    this.batches = new BatchRunner({
      algorithms: options.digests.algorithms,
      workers: options.workers,
      onResult: (result) => {
        if (result.index < options.slots.length)
          this.complete(options.slots.at(result.index), result, result.problem);
      },
    });
  }

  /**
   * Reads the member whose compressed data starts at `dataStart` and ends at `end` (normally
   * `dataStart + compressedSize`; earlier when that would run into the central directory:
   * deflate data ends by itself, and zipfile reads such members).
   */
  async read(slot: Slot, source: ByteSource, dataStart: number, end: number): Promise<void> {
    const { entry } = slot;
    if (this.started < this.order.length) this.order[this.started++] = entry.index;
    if (entry.method === 0 && entry.compressedSize !== entry.size) {
      this.fail(slot, `stored with compressed size ${entry.compressedSize} but size ${entry.size}`);
      return;
    }
    if (entry.size <= WHOLE_LIMIT && entry.compressedSize <= WHOLE_LIMIT) {
      const data = source.peek(dataStart, end - dataStart) ?? (await source.view(dataStart, end - dataStart));
      if (data.length < (entry.method === 0 ? entry.size : 1)) {
        this.fail(slot, "the archive ends inside its data");
        return;
      }
      const member = this.spec(slot);
      // Most small members fit the batch being filled: no promise per member.
      if (this.batches.add(member, data)) return;
      this.batches.begin(member);
      await this.batches.write(data);
      await this.batches.end();
      return;
    }
    if (entry.method !== 0 && !this.reuseEngine) {
      await this.stream(slot, source, dataStart, end);
      return;
    }
    // A large member goes in pieces as the pass reads them (stored ones need no inflating).
    this.batches.begin(this.spec(slot));
    await source.forEach(dataStart, end, (chunk) => this.batches.write(chunk));
    await this.batches.end();
  }

  /** Lets the worker pool go without waiting (the read stopped early). */
  close(): void {
    this.batches.release();
  }

  /** Waits for the members still being read; their issues join the others in reading order. */
  async drain(): Promise<void> {
    await this.batches.flush();
    await Promise.all(this.inFlight.splice(0).map((f) => f.promise));
    for (const index of this.order.subarray(0, this.started)) {
      // Every member read gets an outcome; one that did not would otherwise pass unhashed.
      if (this.settled[index] !== 1)
        this.fail(this.options.slots.at(index), "its content was not read to the end");
      pushAll(this.options.issues, this.found.get(index) ?? []);
    }
  }

  /**
   * A large deflated member when zlib's engine cannot be reused: several inflate at once on
   * libuv's pool while this thread hashes their output. One small enough is queued whole so the
   * walk can move on; a bigger one is fed with backpressure so its compressed bytes are never
   * all in memory.
   */
  private async stream(slot: Slot, source: ByteSource, dataStart: number, end: number): Promise<void> {
    const { entry } = slot;
    const sink = new MemberSink({
      algorithms: this.options.digests.algorithms,
      crc: true,
      whole: entry.size,
      ...this.sinkOptions(slot),
    });
    while (this.inFlight.length >= STREAMS_IN_FLIGHT) await this.inFlight.shift()?.promise;
    const queued = this.inFlight.reduce((n, f) => n + f.bytes, 0);
    const whole = queued + entry.compressedSize <= QUEUE_LIMIT;
    const inflater = new StreamInflater(entry.size, (chunk) => sink.push(chunk));
    // zlib holds written chunks until it gets to them; the source reuses its buffers, so copy.
    await source.forEach(dataStart, end, (chunk) => {
      const copy = Buffer.from(chunk);
      return whole ? inflater.queue(copy) : inflater.write(copy);
    });
    const promise = inflater.end().then((p) => this.complete(slot, sink.end(), p?.problem));
    this.inFlight.push({ promise, bytes: whole ? entry.compressedSize : 0 });
  }

  private spec(slot: Slot): MemberSpec {
    const { entry } = slot;
    const { keep, scan, markup, head } = this.sinkOptions(slot);
    return { index: entry.index, method: entry.method, size: entry.size, keep, scan, markup, head };
  }

  private sinkOptions(slot: Slot): {
    keep: boolean;
    scan: boolean;
    markup: DocMarkup | undefined;
    head: number;
  } {
    const { member } = slot;
    let keep = member.kind === "symlink" || wantsContent(this.options.kind, member.name, slot.entry.size);
    if (keep && this.kept + slot.entry.size > MAX_TOTAL_KEPT) {
      keep = false;
      if (!this.keepLimitNoted) {
        this.keepLimitNoted = true;
        this.options.issues.push(
          issue(
            "SEC13",
            `metadata-like members exceed ${MAX_TOTAL_KEPT} bytes in total; slipway stopped keeping their content`,
            { member: member.name },
          ),
        );
      }
    }
    if (keep) this.kept += slot.entry.size;
    const exec = member.mode !== undefined && (member.mode & 0o111) !== 0;
    return { keep, scan: member.kind === "file", markup: docMarkupOf(member.name), head: exec ? 4 : 0 };
  }

  private note(slot: Slot, found: ArchiveIssue): void {
    const list = this.found.get(slot.entry.index);
    if (list === undefined) this.found.set(slot.entry.index, [found]);
    else list.push(found);
  }

  private fail(slot: Slot, problem: string): void {
    const name = slot.member.name;
    this.settled[slot.entry.index] = 1;
    this.note(slot, issue("ART01", `member ${quote(name)}: ${problem}`, { member: name }));
  }

  private complete(
    slot: Slot,
    result: Omit<SinkResult, "content"> & { content?: Uint8Array },
    problem: string | undefined,
  ): void {
    const { entry, member } = slot;
    if (this.settled[entry.index] === 1) return;
    if (problem === undefined && result.crc !== entry.crc) problem = "CRC-32 mismatch: the data is corrupt";
    if (problem !== undefined) {
      this.fail(slot, problem);
      return;
    }
    this.settled[entry.index] = 1;
    if (result.size < entry.size) {
      // zipfile stops at the end of the deflate data and only checks the CRC, so this reads.
      this.note(
        slot,
        issue(
          "ART05",
          `member ${quote(member.name)}: inflates to ${result.size} bytes but declares ${entry.size}`,
          {
            member: member.name,
            severity: "warning",
          },
        ),
      );
    }
    member.size = result.size;
    this.options.digests.set(entry.index, result.digests);
    if (result.content !== undefined && result.content.length <= MAX_KEPT_CONTENT) {
      if (member.kind === "symlink") member.linkTarget = new TextDecoder().decode(result.content);
      // Contents that crossed from a worker arrive as plain Uint8Arrays; keep one type.
      else
        this.options.contents.set(
          member.name,
          Buffer.from(result.content.buffer, result.content.byteOffset, result.content.length),
        );
    }
    if (result.head !== undefined) this.options.heads.set(member.name, result.head);
    for (const hit of hitIssues(member.name, result.hits, this.options.kind)) this.note(slot, hit);
  }
}
