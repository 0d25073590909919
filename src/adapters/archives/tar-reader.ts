/**
 * Reads a .tar.gz sdist in one streaming pass without a tar library: file blocks -> gunzip on
 * libuv's pool (with backpressure) -> the core tar parser -> member sinks. Decompression is
 * bounded: past PyPI's bomb ratio the rest is not read.
 */
import { Buffer } from "node:buffer";
import { once } from "node:events";
import type { FileHandle } from "node:fs/promises";
import { createGunzip, type ZlibOptions } from "node:zlib";
import { type ArchiveIssue, issue, quote } from "../../core/archive/issues.ts";
import { checkMembers } from "../../core/archive/member-checks.ts";
import { type TarMember, TarParser } from "../../core/archive/tar-parser.ts";
import { BOMB_MIN_SIZE, BOMB_RATIO } from "../../core/archive/zip-layout.ts";
import { findEocd, MAX_EOCD_SEARCH } from "../../core/archive/zip-records.ts";
import { pushAll } from "../../core/arrays.ts";
import { checkTopLevel, checkUnkept } from "../../core/checks/archive.ts";
import { MAX_KEPT_CONTENT, MAX_TOTAL_KEPT, ReadMember, wantsContent } from "../../core/dist/artifact.ts";
import { DigestTable } from "../../core/dist/digest-table.ts";
import { docMarkupOf } from "../../core/secrets/doc-blocks.ts";
import { hitIssues } from "../../core/secrets/scanner.ts";
import { readAt, SequentialSource } from "./byte-source.ts";
import { MemberSink } from "./member-sink.ts";
import type { ContainerRead } from "./zip-reader.ts";

/** The gzip trailer (CRC-32 and size) plus the end of the deflate data before it. */
const TRAILER = 16;

export interface TarReadOptions {
  fh: FileHandle;
  size: number;
  signal?: AbortSignal | undefined;
  /** Called with the member count each time it reaches a multiple of `membersStep`. */
  onMembers?: ((count: number) => void) | undefined;
  membersStep?: number | undefined;
}

export async function readTarGz(options: TarReadOptions): Promise<ContainerRead> {
  const { fh, size } = options;
  const issues: ArchiveIssue[] = [];
  const sequential = new SequentialSource(fh, size, { signal: options.signal });
  const tail = await readAt(fh, Math.max(0, size - MAX_EOCD_SEARCH), Math.min(size, MAX_EOCD_SEARCH));
  if (findEocd(tail, size) !== undefined) {
    issues.push(issue("ART01", "the file is also a valid ZIP archive (a ZIP/tar polyglot)"));
  }
  const magic = await readAt(fh, 0, 2);
  if (magic[0] !== 0x1f || magic[1] !== 0x8b) {
    issues.push(issue("ART01", "not a gzip-compressed file: an sdist must be a .tar.gz"));
    return { members: [], contents: new Map(), issues, readable: false, sha256: await sequential.finish() };
  }
  const collector = new TarCollector(issues, options);
  const parser = new TarParser(collector);
  const outcome = await gunzipInto(sequential, parser, { size, issues });
  const gzipError = outcome.gzipError;
  if (gzipError !== undefined) {
    // Damage after the tar's end block (a bad CRC, a cut trailer, appended junk) goes unnoticed
    // by tarfile, which stops reading at that block, so PyPI accepts such files; `gzip -t` and
    // other tools refuse them. Damage before it makes tarfile fail.
    if (parser.endOfArchive) {
      issues.push(
        issue("ART01", `the gzip stream is damaged after the end of the tar archive (${gzipError})`, {
          severity: "warning",
          hint: "Rebuild the sdist; `gzip -t` fails on this file although Python's tarfile stops before the damage.",
        }),
      );
    } else {
      issues.push(issue("ART01", `the gzip stream is corrupt or truncated (${gzipError})`));
    }
    parser.abandon();
  } else if (!outcome.stopped) {
    parser.finish();
    if (outcome.trailing > 0) {
      issues.push(
        issue("ART01", `${outcome.trailing} bytes follow the end of the gzip stream`, {
          severity: "warning",
          hint: "Rebuild the sdist; nothing may follow the compressed data.",
        }),
      );
    }
  }
  const members = collector.members;
  const readable = members.length > 0 || parser.endOfArchive;
  if (readable) {
    pushAll(issues, checkMembers(members, { kind: "sdist", container: "tar", heads: collector.heads }));
    pushAll(issues, checkTopLevel(members));
    pushAll(issues, checkUnkept(members, collector.contents, "sdist"));
  }
  return { members, contents: collector.contents, issues, readable, sha256: await sequential.finish() };
}

/** Feeds the file through gunzip into the parser; stops early on a gzip error or the bomb limit. */
async function gunzipInto(
  source: SequentialSource,
  parser: TarParser,
  options: { size: number; issues: ArchiveIssue[] },
): Promise<{ gzipError?: string; stopped: boolean; trailing: number }> {
  // zlib streams pass stream options through; the typings only list zlib's own.
  const streamOptions: ZlibOptions & { writableHighWaterMark: number } = {
    chunkSize: 256 * 1024,
    writableHighWaterMark: 4 * 1024 * 1024,
  };
  const gunzip = createGunzip(streamOptions);
  const limit = Math.max(BOMB_MIN_SIZE, options.size * BOMB_RATIO);
  let total = 0;
  let stopped = false;
  let gzipError: string | undefined;
  gunzip.on("data", (chunk: Uint8Array) => {
    if (stopped) return;
    total += chunk.length;
    if (total > limit) {
      stopped = true;
      options.issues.push(
        issue(
          "ART03",
          `the sdist decompresses to more than ${limit} bytes (over ${BOMB_RATIO} times its size); slipway stopped reading it`,
          {
            hint: "Remove huge, highly compressible files from the sdist; the rest of it was not checked.",
          },
        ),
      );
      parser.abandon();
      gunzip.destroy();
      return;
    }
    parser.push(chunk);
  });
  const done = new Promise<void>((resolve) => {
    gunzip.on("error", (error) => {
      gzipError ??= error.message;
      resolve();
    });
    gunzip.on("end", resolve);
    gunzip.on("close", resolve);
  });
  // Blocks are copied (the source reuses its buffers) and queued up to the high-water mark,
  // so the next block is read while zlib works on this one. The last bytes (the gzip trailer)
  // go in a write of their own once everything before them is through, because zlib drops the
  // output of a call that ends in an error: a bad CRC must not hide the tar data before it.
  const settled = (chunk: Uint8Array) =>
    Promise.race([new Promise<void>((resolve) => gunzip.write(chunk, () => resolve())), done]);
  const queued = async (chunk: Uint8Array) => {
    if (!gunzip.write(Buffer.from(chunk))) await Promise.race([once(gunzip, "drain"), done]);
  };
  let at = 0;
  await source.forEach(0, options.size, async (chunk) => {
    const tailFrom = Math.max(0, options.size - TRAILER - at);
    at += chunk.length;
    if (stopped || gzipError !== undefined || gunzip.destroyed) return;
    if (tailFrom > 0 && tailFrom < chunk.length) {
      await settled(chunk.subarray(0, tailFrom));
      if (stopped || gzipError !== undefined || gunzip.destroyed) return;
      await settled(chunk.subarray(tailFrom));
    } else await queued(chunk);
  });
  if (!gunzip.destroyed) gunzip.end();
  await done;
  const result: { gzipError?: string; stopped: boolean; trailing: number } = {
    stopped,
    trailing: stopped || gzipError !== undefined ? 0 : options.size - gunzip.bytesWritten,
  };
  if (gzipError !== undefined && !stopped) result.gzipError = gzipError;
  return result;
}

/** Receives the parser's events: one sink per regular file, results onto the member list. */
class TarCollector {
  readonly members: ReadMember[] = [];
  private readonly digests = new DigestTable();
  readonly contents = new Map<string, Uint8Array>();
  readonly heads = new Map<string, Uint8Array>();
  private readonly issues: ArchiveIssue[];
  private current: { member: ReadMember; row: number; sink: MemberSink } | undefined;
  private kept = 0;
  private readonly onMembers: ((count: number) => void) | undefined;
  private readonly membersStep: number;

  constructor(issues: ArchiveIssue[], options: Pick<TarReadOptions, "onMembers" | "membersStep">) {
    this.issues = issues;
    this.onMembers = options.onMembers;
    this.membersStep = options.membersStep ?? 10_000;
  }

  member(found: TarMember): void {
    const row = this.members.length;
    const member = new ReadMember(
      { name: found.name, kind: found.kind, size: found.size, mode: found.mode },
      this.digests,
      row,
    );
    member.linkTarget = found.linkTarget;
    this.members.push(member);
    if (this.members.length % this.membersStep === 0) this.onMembers?.(this.members.length);
    if (found.kind === "sparse") {
      this.issues.push(
        issue("ART07", `member ${quote(found.name)} is a sparse file, which PyPI refuses`, {
          member: found.name,
        }),
      );
    }
    if (found.kind !== "file") return;
    let keep = wantsContent("sdist", found.name, found.size) && this.kept + found.size <= MAX_TOTAL_KEPT;
    if (keep) this.kept += found.size;
    keep &&= found.size <= MAX_KEPT_CONTENT;
    const exec = (found.mode & 0o111) !== 0;
    this.current = {
      member,
      row,
      sink: new MemberSink({
        algorithms: ["sha256"],
        keep,
        scan: true,
        markup: docMarkupOf(found.name),
        crc: false,
        head: exec ? 4 : 0,
        whole: found.size,
      }),
    };
  }

  data(chunk: Uint8Array): void {
    this.current?.sink.push(chunk);
  }

  memberEnd(complete: boolean): void {
    const current = this.current;
    this.current = undefined;
    if (current === undefined) return;
    const result = current.sink.end();
    if (!complete) return;
    const { member } = current;
    member.size = result.size;
    this.digests.set(current.row, result.digests);
    if (result.content !== undefined) this.contents.set(member.name, result.content);
    if (result.head !== undefined) this.heads.set(member.name, result.head);
    pushAll(this.issues, hitIssues(member.name, result.hits, "sdist"));
  }

  issue(found: ArchiveIssue): void {
    this.issues.push(found);
  }
}
