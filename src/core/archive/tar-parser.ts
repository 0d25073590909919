/**
 * A push parser for an uncompressed tar stream: feed it bytes in order, it reports members,
 * their content and what is wrong. It follows CPython's tarfile (the reader PyPI and pip use)
 * for what counts as a member, where data ends and when reading stops; where other readers
 * (GNU tar, libarchive) would see something tarfile does not, it says so.
 */
import type { MemberKind } from "../dist/artifact.ts";
import { decodeUtf8, decodeUtf8Lenient, hasControlBytes } from "./binary.ts";
import { type ArchiveIssue, issue, quote } from "./issues.ts";
import {
  applyPaxStat,
  BLOCK,
  cString,
  hasDataArea,
  parseHeader,
  parsePaxRecords,
  type TarHeader,
  type TarStat,
  TYPE,
} from "./tar-header.ts";

/** Larger pax or GNU long-name headers are refused rather than buffered. */
export const MAX_META_SIZE = 1024 * 1024;

/** A member as tarfile sees it; the stat fields after pax records are applied. */
export interface TarMember extends TarStat {
  name: string;
  kind: MemberKind;
  /** Content size for files (the real size for sparse files). */
  size: number;
  mode: number;
  linkTarget?: string;
  /** Offset of the member's first header in the tar stream. */
  offset: number;
}

export interface TarSink {
  member(member: TarMember): void;
  /** Content bytes of the last member reported; only for regular, non-sparse files. */
  data(chunk: Uint8Array): void;
  /** End of the content; `complete` is false when the archive stopped inside it. */
  memberEnd(complete: boolean): void;
  issue(found: ArchiveIssue): void;
}

type Meta = { type: string; map?: Map<string, Uint8Array>; bytes?: Uint8Array };

const KINDS: Record<string, MemberKind> = {
  [TYPE.file]: "file",
  [TYPE.oldFile]: "file",
  [TYPE.contiguous]: "file",
  [TYPE.hardlink]: "hardlink",
  [TYPE.symlink]: "symlink",
  [TYPE.chardev]: "chardev",
  [TYPE.blockdev]: "blockdev",
  [TYPE.dir]: "dir",
  [TYPE.fifo]: "fifo",
  [TYPE.gnuSparse]: "sparse",
};

const utf8 = new TextDecoder();
const trimSlashes = (s: string): string => s.replace(/\/+$/, "");

export class TarParser {
  private readonly sink: TarSink;
  private state: "header" | "data" | "meta" | "sparse-map" | "end" | "stopped" = "header";
  private readonly block = new Uint8Array(BLOCK);
  private blockFill = 0;
  /** Bytes of the current data area left to pass on (or skip), then its padding. */
  private remaining = 0;
  private padding = 0;
  private delivering = false;
  private metaBody: Uint8Array | undefined;
  private metaFill = 0;
  private metaType = "";
  /** pax and GNU long-name headers waiting for the member they describe, outermost first. */
  private pending: Meta[] = [];
  private readonly global = new Map<string, Uint8Array>();
  private offset = 0;
  private memberOffset = 0;
  private formatNoted = false;
  /** Non-zero bytes seen after the end-of-archive block. */
  private afterEnd = false;
  members = 0;

  constructor(sink: TarSink) {
    this.sink = sink;
  }

  /** True once tarfile would have stopped reading (end block, or a header it cannot read). */
  get done(): boolean {
    return this.state === "end" || this.state === "stopped";
  }

  get endOfArchive(): boolean {
    return this.state === "end";
  }

  push(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.state === "end") {
        this.afterEnd ||= hasNonZero(chunk, at);
        return;
      }
      if (this.state === "stopped") return;
      if (this.state === "data") {
        at = this.consumeData(chunk, at);
        continue;
      }
      if (this.state === "meta") {
        at = this.consumeMeta(chunk, at);
        continue;
      }
      const take = Math.min(BLOCK - this.blockFill, chunk.length - at);
      this.block.set(chunk.subarray(at, at + take), this.blockFill);
      this.blockFill += take;
      at += take;
      this.offset += take;
      if (this.blockFill < BLOCK) continue;
      this.blockFill = 0;
      if (this.state === "sparse-map") this.onSparseMapBlock();
      else this.onHeaderBlock();
    }
  }

  /** The stream ended: report truncation the way tarfile would notice it. */
  finish(): void {
    if (this.state === "end") {
      if (this.afterEnd) {
        this.sink.issue(
          issue(
            "ART01",
            "data follows the tar end-of-archive block; Python's tarfile ignores it but other tools may extract it",
            {
              severity: "warning",
              hint: "Rebuild the sdist; nothing may follow the end of the tar archive.",
            },
          ),
        );
      }
      return;
    }
    if (this.state === "stopped") return;
    if (this.state !== "header" || this.pending.length > 0) {
      // tarfile: "unexpected end of data" once it seeks past the missing bytes.
      this.stop(
        issue(
          "ART01",
          `the tar archive is truncated inside the member at offset ${this.memberOffset} (Python's tarfile raises "ReadError: ${READ_ERROR}")`,
        ),
      );
    } else if (this.offset === 0) {
      this.stop(issue("ART01", "the tar stream is empty: not a tar archive"));
    } else if (this.blockFill > 0) {
      this.stop(
        issue(
          "ART01",
          `the tar archive ends inside a header block at offset ${this.offset - this.blockFill}`,
          {
            severity: this.offset === this.blockFill ? "error" : "warning",
            hint: "Rebuild the sdist with a standard tool; the archive is truncated.",
          },
        ),
      );
    } else {
      this.stop(
        issue("ART01", "the tar archive has no end-of-archive block (truncated?)", {
          severity: "warning",
          hint: "Rebuild the sdist with a standard tool; the archive ends without its closing zero blocks.",
        }),
      );
    }
  }

  private consumeData(chunk: Uint8Array, at: number): number {
    if (this.remaining > 0) {
      const take = Math.min(this.remaining, chunk.length - at);
      if (this.delivering) this.sink.data(chunk.subarray(at, at + take));
      this.remaining -= take;
      this.offset += take;
      at += take;
      if (this.remaining > 0) return at;
      if (this.delivering) {
        this.delivering = false;
        this.sink.memberEnd(true);
      }
    }
    const skip = Math.min(this.padding, chunk.length - at);
    this.padding -= skip;
    this.offset += skip;
    at += skip;
    if (this.padding === 0) this.state = "header";
    return at;
  }

  private consumeMeta(chunk: Uint8Array, at: number): number {
    const body = this.metaBody!;
    const take = Math.min(body.length - this.metaFill, chunk.length - at);
    body.set(chunk.subarray(at, at + take), this.metaFill);
    this.metaFill += take;
    this.offset += take;
    at += take;
    if (this.metaFill < body.length) return at;
    this.onMetaBody(body);
    this.remaining = 0;
    this.delivering = false;
    this.state = this.padding === 0 ? "header" : "data";
    return at;
  }

  private onHeaderBlock(): void {
    const headerOffset = this.offset - BLOCK;
    if (this.pending.length === 0) this.memberOffset = headerOffset;
    const parsed = parseHeader(this.block);
    if (!("header" in parsed)) {
      this.onUnreadableHeader(parsed, headerOffset);
      return;
    }
    const header = parsed.header;
    this.noteFormat(header);
    const type = header.type;
    if (
      type === TYPE.paxLocal ||
      type === TYPE.paxGlobal ||
      type === TYPE.solarisPax ||
      type === TYPE.gnuLongName ||
      type === TYPE.gnuLongLink
    ) {
      if (header.size > MAX_META_SIZE) {
        this.stop(
          issue(
            "ART01",
            `a ${header.size}-byte extended header at offset ${headerOffset}: slipway reads at most ${MAX_META_SIZE}`,
          ),
        );
        return;
      }
      this.metaType = type;
      this.metaBody = new Uint8Array(header.size);
      this.metaFill = 0;
      this.padding = pad(header.size);
      this.state = "meta";
      if (header.size === 0) this.consumeMeta(new Uint8Array(0), 0);
      return;
    }
    this.onMemberHeader(header);
  }

  private onUnreadableHeader(parsed: { zero: true } | { invalid: string }, headerOffset: number): void {
    if (this.pending.length > 0) {
      // tarfile: SubsequentHeaderError after a pax or long-name header -> ReadError.
      const what = "zero" in parsed ? "the end of the archive" : parsed.invalid;
      this.stop(issue("ART01", `an extended header at offset ${this.memberOffset} is followed by ${what}`));
      return;
    }
    if ("zero" in parsed) {
      this.state = "end";
      return;
    }
    if (headerOffset === 0) {
      this.stop(issue("ART01", `not a tar archive: the first header is invalid (${parsed.invalid})`));
      return;
    }
    this.stop(
      issue(
        "ART01",
        `invalid tar header at offset ${headerOffset} (${parsed.invalid}): Python's tarfile stops reading here and ignores everything after it`,
        {
          severity: "warning",
          hint: "Rebuild the sdist; part of the archive is unreadable to Python but not to other tools.",
        },
      ),
    );
  }

  private onMetaBody(body: Uint8Array): void {
    if (this.metaType === TYPE.gnuLongName || this.metaType === TYPE.gnuLongLink) {
      this.pending.push({ type: this.metaType, bytes: cString(body) });
      return;
    }
    const { records, malformed } = parsePaxRecords(body);
    if (malformed) {
      // Python >= 3.12.6 stops reading at a malformed record; older versions skip it.
      this.sink.issue(
        issue("ART07", `malformed pax extended header at offset ${this.memberOffset}`, {
          severity: "warning",
        }),
      );
    }
    if (this.metaType === TYPE.paxGlobal) {
      for (const [k, v] of records) this.global.set(k, v);
      return;
    }
    // Like tarfile, a local pax header carries the global values known at this point.
    const merged = new Map(this.global);
    for (const [k, v] of records) merged.set(k, v);
    this.pending.push({ type: this.metaType, map: merged });
  }

  private onMemberHeader(header: TarHeader): void {
    let name = header.name;
    let nameText: string | undefined;
    let link = header.linkname;
    let size = header.size;
    let exactFraming = header.exactSize;
    let sparse = header.type === TYPE.gnuSparse;
    // Applied innermost first, as tarfile unwinds its recursion: the outermost header wins.
    const layers: Meta[] = [{ type: TYPE.paxGlobal, map: this.global }, ...[...this.pending].reverse()];
    let framingSize = header.size;
    const { mtime, uid, gid, uname, gname } = header;
    const stat: TarStat = { mtime, uid, gid, uname, gname };
    for (const layer of layers) {
      if (layer.bytes !== undefined) {
        if (layer.type === TYPE.gnuLongName) {
          name = layer.bytes;
          nameText = undefined;
        } else link = layer.bytes;
        continue;
      }
      const map = layer.map!;
      applyPaxStat(map, stat);
      for (const key of map.keys()) if (key.startsWith("GNU.sparse.")) sparse = true;
      const path = map.get("path") ?? map.get("GNU.sparse.name");
      if (path !== undefined) {
        name = path;
        nameText = trimSlashes(utf8.decode(path));
      }
      const linkpath = map.get("linkpath");
      if (linkpath !== undefined) link = linkpath;
      const paxSize = map.get("size") ?? map.get("GNU.sparse.realsize") ?? map.get("GNU.sparse.size");
      if (paxSize !== undefined) {
        const text = utf8.decode(paxSize);
        const exact = /^[0-9]+$/.test(text) ? BigInt(text) : 0n;
        size = Number(exact);
        if (layer.type !== TYPE.paxGlobal && map.has("size")) {
          framingSize = size;
          exactFraming = exact;
        }
      }
    }
    this.pending = [];
    const kind: MemberKind = sparse ? "sparse" : (KINDS[header.type] ?? "other");
    if (header.type === TYPE.gnuSparse) size = header.sparseRealSize;
    if (header.type === TYPE.dir) nameText = trimSlashes(nameText ?? decodeUtf8Lenient(name));
    const member: TarMember = {
      name: nameText ?? decodeUtf8Lenient(name),
      kind,
      size: kind === "file" || kind === "sparse" ? size : 0,
      mode: header.mode & 0o7777,
      offset: this.memberOffset,
      ...stat,
    };
    if (kind === "symlink" || kind === "hardlink") member.linkTarget = decodeUtf8Lenient(link);
    this.checkName(name, member.name);
    this.members++;
    this.sink.member(member);
    const dataArea = hasDataArea(header.type);
    if (!dataArea && header.size > 0) {
      this.sink.issue(
        issue(
          "ART07",
          `member ${quote(member.name)}: a ${kind} header declares ${header.size} data bytes; tar readers disagree on where the next header starts`,
          {
            member: member.name,
            severity: "warning",
          },
        ),
      );
    }
    this.delivering = kind === "file";
    if (dataArea && exactFraming > MAX_EXACT) {
      this.stop(hugeSize(member.name, this.memberOffset, this.offset, exactFraming));
      return;
    }
    this.remaining = dataArea ? framingSize : 0;
    this.padding = dataArea ? pad(framingSize) : 0;
    if (header.sparseExtended) {
      this.state = "sparse-map";
      return;
    }
    this.state = "data";
    if (this.remaining === 0 && this.delivering) {
      this.delivering = false;
      this.sink.memberEnd(true);
    }
    if (this.remaining === 0 && this.padding === 0) this.state = "header";
  }

  /** Old GNU sparse headers continue their sparse map in extra blocks (byte 504 = more). */
  private onSparseMapBlock(): void {
    if ((this.block[504] ?? 0) !== 0) return;
    this.state = this.remaining === 0 && this.padding === 0 ? "header" : "data";
  }

  private checkName(raw: Uint8Array, name: string): void {
    if (decodeUtf8(raw) === undefined) {
      this.sink.issue(
        issue("ART06", `member ${quote(name)}: name is not valid UTF-8`, {
          member: name,
          severity: "warning",
        }),
      );
    } else if (hasControlBytes(raw)) {
      this.sink.issue(
        issue("ART06", `member ${quote(name)}: name contains a control character`, {
          member: name,
          severity: "warning",
        }),
      );
    }
  }

  private noteFormat(header: TarHeader): void {
    if (this.formatNoted) return;
    const gnu =
      header.magic === "gnu" || header.type === TYPE.gnuLongName || header.type === TYPE.gnuLongLink;
    if (!gnu && header.magic === "ustar") return;
    this.formatNoted = true;
    const format = gnu ? "GNU tar" : "pre-POSIX (V7) tar";
    this.sink.issue(
      issue("ART07", `the archive uses the ${format} format, not POSIX.1-2001 pax`, { severity: "warning" }),
    );
  }

  /** Stops where it is (the input broke off or was cut short on purpose); no more events. */
  abandon(): void {
    if (this.delivering) this.sink.memberEnd(false);
    this.delivering = false;
    this.state = "stopped";
  }

  private stop(found: ArchiveIssue): void {
    this.sink.issue(found);
    if (this.delivering) this.sink.memberEnd(false);
    this.delivering = false;
    this.state = "stopped";
  }
}

const pad = (size: number): number => (BLOCK - (size % BLOCK)) % BLOCK;

const READ_ERROR = "unexpected end of data";
const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);
/** tarfile seeks to the end of a member's data: past a signed 64-bit offset, seek() refuses. */
const MAX_OFFSET = 2n ** 63n - 1n;

/**
 * A size no archive can hold (a base-256 field takes up to 2^88, a pax record any number), with
 * what CPython's tarfile does with it: it lists the member, then seeks past its data and raises
 * (checked with Python 3.11's tarfile on crafted archives, tests/e2e/archives-tar.test.ts).
 */
function hugeSize(name: string, memberOffset: number, dataOffset: number, size: bigint): ArchiveIssue {
  const end = BigInt(dataOffset) + ((size + 511n) / 512n) * 512n;
  // Listing seeks past the data; extracting copies it first and runs out of it.
  const raised =
    end > MAX_OFFSET
      ? `"ValueError: cannot fit 'int' into an offset-sized integer" when it lists the archive (as PyPI does) and "ReadError: ${READ_ERROR}" when it extracts the member (as pip and build do)`
      : `"ReadError: ${READ_ERROR}" when it lists or extracts the archive`;
  return issue(
    "ART01",
    `member ${quote(name)} at offset ${memberOffset} declares ${size} bytes of data, more than any archive holds: Python's tarfile raises ${raised}, so no tool can use this sdist`,
    { member: name },
  );
}

function hasNonZero(chunk: Uint8Array, from: number): boolean {
  for (let i = from; i < chunk.length; i++) if (chunk[i] !== 0) return true;
  return false;
}
