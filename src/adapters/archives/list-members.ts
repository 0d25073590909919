/**
 * Lists an artifact for `diffArtifacts`: every member with the sha256 of its content and the
 * stored metadata two builds can disagree on, plus the container's own fields. One streaming
 * pass; memory stays constant per member (content is hashed as it is inflated, never kept).
 */
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { type FileHandle, open } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { decodeUtf8Lenient, hasBytes } from "../../core/archive/binary.ts";
import { parseGzipHeader } from "../../core/archive/gzip-header.ts";
import { type ArchiveIssue, quote } from "../../core/archive/issues.ts";
import { type TarMember, TarParser, type TarSink } from "../../core/archive/tar-parser.ts";
import { analyzeEnd, methodName } from "../../core/archive/zip-layout.ts";
import { walkOrder } from "../../core/archive/zip-local.ts";
import {
  type CentralEntry,
  dosToEpoch,
  EOCD_SIZE,
  extendedMtime,
  FLAG_ENCRYPTED,
  FLAG_STRONG_ENCRYPTION,
  LOCAL_HEADER_SIZE,
  parseCentralDirectory,
  parseLocalHeader,
  SIG_LOCAL,
  TAIL_SIZE,
} from "../../core/archive/zip-records.ts";
import type { ArchiveListing, ListedMember, ZipEntryInfo } from "../../core/dist/artifact-listing.ts";
import { SlipwayError } from "../../errors.ts";
import { type ByteSource, PositionalSource, readAt, SequentialSource } from "./byte-source.ts";
import { canReuseEngine, RawInflater, StreamInflater } from "./inflate.ts";
import { kindOf } from "./zip-content.ts";

/** How much of the file's start may hold the gzip header (its file name and comment included). */
const GZIP_HEADER_LIMIT = 64 * 1024;
/** The same bounds as the artifact reader's (zip-reader.ts). */
const MAX_CD_SIZE = 64 * 1024 * 1024;
const MAX_ENTRIES = 500_000;
const EMPTY_SHA256 = createHash("sha256").digest("hex");

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

function unreadable(path: string, problem: string, cause?: unknown): SlipwayError {
  return new SlipwayError("archive", `cannot list the members of ${path}: ${problem}`, {
    hint: "The artifact is damaged or not one slipway builds; run `slipway check` on it for details.",
    cause,
  });
}

/**
 * Lists the wheel (ZIP) or sdist (.tar.gz) at `path`, told apart by content, not by name:
 * members in archive order with the sha256 of their content, plus container fields. Throws a
 * SlipwayError ("io") when the file cannot be opened and ("archive") when it cannot be read
 * whole: a listing of part of an archive would explain nothing.
 */
export async function listArchive(path: string): Promise<ArchiveListing> {
  let fh: FileHandle;
  try {
    fh = await open(path, "r");
  } catch (cause) {
    throw new SlipwayError("io", `could not open ${path}: ${describe(cause)}`, {
      hint: "Check that the build wrote this artifact and that it is readable.",
      cause,
    });
  }
  try {
    const size = (await fh.stat()).size;
    const head = await readAt(fh, 0, Math.min(size, GZIP_HEADER_LIMIT));
    if (head[0] === 0x1f && head[1] === 0x8b) return await listTarGz(fh, head, { path, size });
    return await listZip(fh, { path, size });
  } finally {
    await fh.close();
  }
}

async function listTarGz(
  fh: FileHandle,
  head: Uint8Array,
  file: { path: string; size: number },
): Promise<ArchiveListing> {
  const gzip = parseGzipHeader(head);
  if ("problem" in gzip) throw unreadable(file.path, gzip.problem);
  const fileHash = createHash("sha256");
  const tarHash = createHash("sha256");
  let tarSize = 0;
  const sink = new ListingSink();
  const parser = new TarParser(sink);
  try {
    await pipeline(
      fh.createReadStream({ start: 0, autoClose: false, highWaterMark: 1024 * 1024 }),
      async function* (source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          fileHash.update(chunk);
          yield chunk;
        }
      },
      createGunzip({ chunkSize: 256 * 1024 }),
      async (source: AsyncIterable<Buffer>) => {
        for await (const chunk of source) {
          tarHash.update(chunk);
          tarSize += chunk.length;
          parser.push(chunk);
        }
      },
    );
  } catch (cause) {
    throw unreadable(file.path, `the gzip stream is corrupt or truncated (${describe(cause)})`, cause);
  }
  parser.finish();
  // The parser's errors (truncation, an unreadable first header) leave members unread; its
  // warnings (a missing end block, GNU format) leave a listing that is still whole.
  const problem = sink.problems[0];
  if (problem !== undefined) throw unreadable(file.path, problem);
  return {
    size: file.size,
    sha256: fileHash.digest("hex"),
    container: { format: "tar.gz", gzip, tarSize, tarSha256: tarHash.digest("hex") },
    members: sink.members,
  };
}

/** Turns the tar parser's events into listed members, hashing each file's content. */
class ListingSink implements TarSink {
  readonly members: ListedMember[] = [];
  readonly problems: string[] = [];
  private current: { member: ListedMember; hash: ReturnType<typeof createHash> } | undefined;

  member(found: TarMember): void {
    const member: ListedMember = {
      name: found.name,
      kind: found.kind,
      size: found.size,
      mode: found.mode,
      mtime: found.mtime,
      // Replaced when the content has been read; members without content keep it.
      sha256: EMPTY_SHA256,
      owner: { uid: found.uid, gid: found.gid, uname: found.uname, gname: found.gname },
    };
    if (found.linkTarget !== undefined) member.linkTarget = found.linkTarget;
    this.members.push(member);
    this.current = found.kind === "file" ? { member, hash: createHash("sha256") } : undefined;
  }

  data(chunk: Uint8Array): void {
    this.current?.hash.update(chunk);
  }

  memberEnd(complete: boolean): void {
    if (this.current === undefined) return;
    if (complete) this.current.member.sha256 = this.current.hash.digest("hex");
    else this.problems.push(`member ${quote(this.current.member.name)}: the archive ends inside its data`);
    this.current = undefined;
  }

  issue(found: ArchiveIssue): void {
    if (found.severity !== "warning") this.problems.push(found.message);
  }
}

async function listZip(fh: FileHandle, file: { path: string; size: number }): Promise<ArchiveListing> {
  const { path, size } = file;
  const tail = await readAt(fh, Math.max(0, size - TAIL_SIZE), Math.min(size, TAIL_SIZE));
  const end = analyzeEnd(tail, size, { maxCdSize: MAX_CD_SIZE });
  if (end.fatal || end.end === undefined) {
    throw unreadable(path, `neither gzip nor ZIP (${end.issues[0]?.message ?? "no end record"})`);
  }
  const eocd = end.end.eocdOffset - (size - tail.length) + EOCD_SIZE;
  const comment = decodeUtf8Lenient(tail.subarray(eocd, eocd + end.end.commentLength));
  const cd = parseCentralDirectory(await readAt(fh, end.cdStart, end.cdSize), MAX_ENTRIES);
  if (cd.problem !== undefined) throw unreadable(path, `the central directory is unreadable: ${cd.problem}`);

  const sequential = new SequentialSource(fh, size);
  const positional = new PositionalSource(fh);
  const inflater = canReuseEngine() ? new RawInflater() : undefined;
  const members: ListedMember[] = [];
  let pos = 0;
  // Local headers in file order, so one forward pass reads (and hashes) the whole file; a
  // member whose header lies behind the pass (overlapping entries) is read by position.
  for (const entry of walkOrder(cd.entries)) {
    const offset = entry.offset + end.shift;
    const source = offset >= pos ? sequential : positional;
    const listed = await listEntry(entry, { source, offset, inflater, path });
    if (source === sequential) pos = listed.dataEnd;
    members[entry.index] = listed.member;
  }
  return { size, sha256: await sequential.finish(), container: { format: "zip", comment }, members };
}

async function listEntry(
  entry: CentralEntry,
  at: { source: ByteSource; offset: number; inflater: RawInflater | undefined; path: string },
): Promise<{ member: ListedMember; dataEnd: number }> {
  const { source, offset, path } = at;
  const fail = (problem: string) => unreadable(path, `member ${quote(entry.name)}: ${problem}`);
  const header = await source.view(offset, LOCAL_HEADER_SIZE);
  if (header.length < LOCAL_HEADER_SIZE || !hasBytes(header, 0, SIG_LOCAL)) {
    throw fail(`no local file header at offset ${offset}`);
  }
  const local = parseLocalHeader(header);
  const variable = await source.view(offset + LOCAL_HEADER_SIZE, local.nameLength + local.extraLength);
  // Copied now: views are only valid until the next read.
  const localExtra = Buffer.from(variable.subarray(local.nameLength));
  const dataStart = offset + LOCAL_HEADER_SIZE + local.nameLength + local.extraLength;
  const dataEnd = dataStart + entry.compressedSize;
  if ((entry.flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION)) !== 0) throw fail("it is encrypted");

  const hash = createHash("sha256");
  let size = 0;
  const onData = (chunk: Uint8Array) => {
    hash.update(chunk);
    size += chunk.length;
  };
  let read = dataStart;
  if (entry.method === 0) {
    await source.forEach(dataStart, dataEnd, (chunk) => {
      read += chunk.length;
      onData(chunk);
    });
  } else if (entry.method === 8 && at.inflater !== undefined) {
    const inflater = at.inflater;
    inflater.begin(entry.size);
    let problem: string | undefined;
    await source.forEach(dataStart, dataEnd, (chunk) => {
      read += chunk.length;
      problem ??= inflater.write(chunk, read >= dataEnd, onData)?.problem;
    });
    if (problem !== undefined) throw fail(problem);
  } else if (entry.method === 8) {
    const stream = new StreamInflater(entry.size, onData);
    await source.forEach(dataStart, dataEnd, (chunk) => {
      read += chunk.length;
      // zlib keeps written chunks until it gets to them; the source reuses its buffers.
      return stream.write(Buffer.from(chunk));
    });
    const problem = (await stream.end())?.problem;
    if (problem !== undefined) throw fail(problem);
  } else {
    throw fail(`it is compressed with ${methodName(entry.method)}, which slipway does not read`);
  }
  if (read < dataEnd) throw fail("the archive ends inside its data");

  const zip: ZipEntryInfo = {
    method: entry.method,
    flags: entry.flags,
    versionMadeBy: entry.versionMadeBy,
    externalAttr: entry.externalAttr,
    compressedSize: entry.compressedSize,
    centralExtra: Buffer.from(entry.extra).toString("hex"),
    localExtra: localExtra.toString("hex"),
  };
  const extended = extendedMtime(entry.extra) ?? extendedMtime(localExtra);
  if (extended !== undefined) zip.extendedMtime = extended;
  const base = kindOf(entry);
  const member: ListedMember = {
    name: entry.name,
    kind: base.kind,
    size,
    // ZIP stores local time without a zone; dosToEpoch reads it as UTC.
    mtime: dosToEpoch(entry.dosDate, entry.dosTime),
    sha256: hash.digest("hex"),
    zip,
  };
  if (base.mode !== undefined) member.mode = base.mode;
  return { member, dataEnd };
}
