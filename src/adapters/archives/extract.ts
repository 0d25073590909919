/**
 * Unpacks a .tar.gz sdist so the wheel can be built from it, as `python -m build` does: file ->
 * gunzip -> the core tar parser -> files under the destination, one chunk at a time. Members are
 * placed by the rules of tarfile's 'data' filter (PEP 706, see core/archive/extract-tree.ts);
 * anything it would refuse, a damaged archive or a decompression bomb stops the extraction and
 * removes everything written.
 */
import {
  chmod,
  type FileHandle,
  link,
  mkdir,
  open,
  readdir,
  rm,
  symlink,
  unlink,
  utimes,
} from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { dataFilterMode, ExtractTree } from "../../core/archive/extract-tree.ts";
import { type ArchiveIssue, quote } from "../../core/archive/issues.ts";
import { type TarMember, TarParser, type TarSink } from "../../core/archive/tar-parser.ts";
import { BOMB_MIN_SIZE, BOMB_RATIO } from "../../core/archive/zip-layout.ts";
import { SlipwayError } from "../../errors.ts";
import { openExclusive } from "../fs.ts";
import { readAt } from "./byte-source.ts";

export interface ExtractResult {
  /** The sdist's single top-level directory (`{name}-{version}`), relative to `dest`. */
  root: string;
  /** Files, symlinks and hardlinks written (directories not counted). */
  files: number;
  /** Content bytes written to regular files. */
  bytes: number;
}

const REBUILD =
  "Rebuild the sdist with `python -m build --sdist` and do not edit or re-compress it afterwards.";

/**
 * Extracts the .tar.gz sdist at `path` into `dest`, which must be missing or empty (it is
 * created). Resolves with the top-level directory once every member is written with its mode
 * (as the 'data' filter sets it) and mtime. Throws a SlipwayError ("archive" for what the file
 * holds, "io" for the file system) and leaves `dest` empty on any failure or abort; removing
 * `dest` itself is the caller's job. Only .tar.gz is supported: a .zip sdist is refused.
 */
export async function extractSdist(
  path: string,
  dest: string,
  options: { signal?: AbortSignal } = {},
): Promise<ExtractResult> {
  let existing: string[];
  try {
    await mkdir(dest, { recursive: true });
    existing = await readdir(dest);
  } catch (error) {
    throw new SlipwayError("io", `cannot extract ${path} into ${dest}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (existing.length > 0) {
    throw new SlipwayError("io", `cannot extract ${path}: the directory ${dest} is not empty`, {
      hint: "Extract into a new, empty directory; on failure everything in it is removed.",
    });
  }
  const writer = new TreeWriter(path, dest);
  try {
    await extractInto(path, writer, options.signal);
    return writer.result();
  } catch (error) {
    await writer.close();
    await emptyDir(dest);
    throw wrapError(error, path, writer.currentName);
  }
}

async function extractInto(path: string, writer: TreeWriter, signal: AbortSignal | undefined): Promise<void> {
  signal?.throwIfAborted();
  let fh: FileHandle;
  try {
    fh = await open(path, "r");
  } catch (error) {
    throw new SlipwayError("io", `cannot read the sdist ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  try {
    const size = (await fh.stat()).size;
    const magic = await readAt(fh, 0, Math.min(size, 4));
    if (path.toLowerCase().endsWith(".zip") || (magic[0] === 0x50 && magic[1] === 0x4b)) {
      throw archiveError(`cannot extract ${path}: only .tar.gz sdists are supported, not .zip`);
    }
    if (magic[0] !== 0x1f || magic[1] !== 0x8b) {
      throw archiveError(`cannot extract ${path}: not a gzip-compressed file, so not a .tar.gz sdist`);
    }
    const parser = new TarParser(writer);
    const limit = Math.max(BOMB_MIN_SIZE, size * BOMB_RATIO);
    writer.limit = limit;
    let total = 0;
    // The parser's callbacks only queue work; it is fed the next chunk once the queue is written,
    // so at most one decompressed chunk is held and slow disks slow the reading down.
    await pipeline(
      fh.createReadStream({ autoClose: false, highWaterMark: 1024 * 1024 }),
      createGunzip({ chunkSize: 256 * 1024 }),
      async (chunks: AsyncIterable<Buffer>) => {
        for await (const chunk of chunks) {
          total += chunk.length;
          if (total > limit) throw bombError(path, `decompresses to more than ${limit} bytes`);
          parser.push(chunk);
          await writer.flush();
        }
      },
      signal === undefined ? {} : { signal },
    );
    parser.finish();
    await writer.flush();
    await writer.finish();
  } finally {
    await fh.close();
  }
}

type Op = { member: TarMember } | { data: Uint8Array } | { end: boolean };

/** The parser's sink: queues its events, then writes them in order when flushed. */
class TreeWriter implements TarSink {
  private readonly path: string;
  private readonly dest: string;
  private readonly tree = new ExtractTree();
  private ops: Op[] = [];
  private fatal: ArchiveIssue | undefined;
  private fh: FileHandle | undefined;
  private current: { mode: number; mtime: number } | undefined;
  private readonly dirTimes = new Map<string, number>();
  private declared = 0;
  limit = Number.POSITIVE_INFINITY;
  currentName: string | undefined;
  files = 0;
  bytes = 0;

  constructor(path: string, dest: string) {
    this.path = path;
    this.dest = dest;
  }

  member(member: TarMember): void {
    this.ops.push({ member });
  }

  data(chunk: Uint8Array): void {
    this.ops.push({ data: chunk });
  }

  memberEnd(complete: boolean): void {
    this.ops.push({ end: complete });
  }

  /** Damage the parser reports stops the extraction; notes on the tar dialect do not. */
  issue(found: ArchiveIssue): void {
    if ((found.severity ?? "error") === "error" || found.id === "ART01") this.fatal ??= found;
  }

  async flush(): Promise<void> {
    if (this.fatal !== undefined) throw archiveError(`cannot extract ${this.path}: ${this.fatal.message}`);
    const ops = this.ops;
    this.ops = [];
    for (const op of ops) {
      if ("member" in op) await this.onMember(op.member);
      else if ("data" in op) await this.write(op.data);
      else await this.onEnd(op.end);
    }
  }

  private async onMember(member: TarMember): Promise<void> {
    this.currentName = member.name;
    this.declared += member.size;
    // A header's size is known before its data: refuse before writing any of it.
    if (this.declared > this.limit) {
      throw bombError(this.path, `has members declaring more than ${this.limit} bytes`);
    }
    const placed = this.tree.place(member);
    if ("refuse" in placed)
      throw archiveError(`cannot extract ${this.path}: member ${quote(member.name)} ${placed.refuse}`);
    if ("skip" in placed) return;
    for (const dir of placed.parents) await mkdir(join(this.dest, dir));
    const target = join(this.dest, placed.path);
    if (placed.replace) await unlink(target);
    if (member.kind === "dir") {
      this.dirTimes.set(placed.path, member.mtime);
      return;
    }
    this.files++;
    if (placed.target !== undefined) {
      await symlink(placed.target, target);
    } else if (placed.source !== undefined) {
      // As in tarfile, the link's mode and mtime land on the inode both names share.
      await link(join(this.dest, placed.source), target);
      await chmod(target, dataFilterMode(member.mode));
      await utimes(target, member.mtime, member.mtime);
    } else {
      // Never through an existing file or symlink; the final mode is set once written.
      this.fh = await openExclusive(target, 0o600);
      this.current = { mode: dataFilterMode(member.mode), mtime: member.mtime };
    }
  }

  private async write(chunk: Uint8Array): Promise<void> {
    const fh = this.fh;
    if (fh === undefined) return;
    for (let at = 0; at < chunk.length; ) at += (await fh.write(chunk, at, chunk.length - at)).bytesWritten;
    this.bytes += chunk.length;
  }

  private async onEnd(complete: boolean): Promise<void> {
    const fh = this.fh;
    const current = this.current;
    if (fh === undefined || current === undefined) return;
    if (complete) {
      await fh.chmod(current.mode);
      await fh.utimes(current.mtime, current.mtime);
    }
    this.fh = undefined;
    await fh.close();
  }

  /** Checks what only the whole tree shows, then dates directories deepest first (writing a file
   * into a directory changes its mtime), as tarfile's extractall does. */
  async finish(): Promise<void> {
    this.currentName = undefined;
    if (this.tree.root === undefined) {
      throw archiveError(`cannot extract ${this.path}: it has no members, so no top-level directory`);
    }
    const bad = this.tree.checkLinks();
    if (bad !== undefined)
      throw archiveError(`cannot extract ${this.path}: member ${quote(bad.path)} ${bad.refuse}`);
    const dirs = [...this.dirTimes.keys()].sort().reverse();
    for (const dir of dirs) {
      const mtime = this.dirTimes.get(dir)!;
      await utimes(join(this.dest, dir), mtime, mtime);
    }
  }

  result(): ExtractResult {
    return { root: this.tree.root!, files: this.files, bytes: this.bytes };
  }

  async close(): Promise<void> {
    const fh = this.fh;
    this.fh = undefined;
    await fh?.close().catch(() => undefined);
  }
}

/** Best effort: a failure to clean up must not hide why the extraction failed. */
async function emptyDir(dir: string): Promise<void> {
  const entries = await readdir(dir).catch(() => []);
  for (const entry of entries)
    await rm(join(dir, entry), { recursive: true, force: true }).catch(() => undefined);
}

const archiveError = (message: string): SlipwayError =>
  new SlipwayError("archive", message, { hint: REBUILD });

const bombError = (path: string, what: string): SlipwayError =>
  new SlipwayError("archive", `cannot extract ${path}: it ${what}, over ${BOMB_RATIO} times its size`, {
    hint: "Remove huge, highly compressible files from the sdist and rebuild it.",
  });

/** Gzip damage becomes an "archive" error naming the file, other system errors "io". */
function wrapError(error: unknown, path: string, member: string | undefined): unknown {
  if (error instanceof SlipwayError || (error as Error).name === "AbortError") return error;
  const { code, message } = error as NodeJS.ErrnoException;
  if (typeof code === "string" && code.startsWith("Z_")) {
    return new SlipwayError(
      "archive",
      `cannot extract ${path}: the gzip stream is corrupt or truncated (${message})`,
      {
        hint: REBUILD,
        cause: error,
      },
    );
  }
  const where = member === undefined ? "" : ` (member ${quote(member)})`;
  return new SlipwayError("io", `cannot extract ${path}${where}: ${message}`, { cause: error });
}
