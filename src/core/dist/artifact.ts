/**
 * The model of one distribution file, produced by reading the archive once (streaming) in
 * src/adapters/archives. Checks in src/core/checks read only this: they never touch the file.
 */
import type { Finding } from "../findings.ts";
import { CREDENTIAL_FILE_MAX, isCredentialFile } from "../secrets/patterns.ts";
import type { DigestTable } from "./digest-table.ts";
import type { RecordScan } from "./record.ts";

export type ArtifactKind = "wheel" | "sdist" | "unknown";

export type MemberKind =
  | "file"
  | "dir"
  | "symlink"
  | "hardlink"
  | "chardev"
  | "blockdev"
  | "fifo"
  | "sparse"
  | "other";

/** Hash algorithms RECORD may use (hashlib.algorithms_guaranteed minus md5/sha1). */
export type HashAlg =
  | "sha224"
  | "sha256"
  | "sha384"
  | "sha512"
  | "blake2b"
  | "blake2s"
  | "sha3_224"
  | "sha3_256"
  | "sha3_384"
  | "sha3_512";

export interface ArchiveMember {
  /** Member path exactly as stored, decoded as UTF-8 (zip: central directory name; tar: pax path, GNU long name or ustar prefix/name). */
  name: string;
  kind: MemberKind;
  /** Uncompressed size in bytes (as read, not as declared, when the content was read). */
  size: number;
  /** Zip only: the compressed size from the central directory. */
  compressedSize?: number | undefined;
  /** Permission bits incl. setuid/setgid/sticky (st_mode & 0o7777), when the archive records them. */
  mode?: number | undefined;
  /** Symlink or hardlink target as stored. */
  linkTarget?: string | undefined;
  /**
   * Digests of the full uncompressed content, urlsafe base64 without padding (RECORD's form).
   * Regular files always get sha256; wheels also get every algorithm RECORD names.
   * Absent when the content could not be read (bomb guard, truncated archive, unsupported method).
   * Read-only: the readers keep digests in a DigestTable and make this object when asked.
   */
  readonly digests?: Partial<Record<HashAlg, string>> | undefined;
}

/**
 * A member as the archive readers produce it. Its digests live in the archive's DigestTable
 * (raw bytes, off the JS heap) and `digests` makes their RECORD form on each read; every field
 * is set in the constructor so all members share one shape (~90 bytes and the name each).
 */
export class ReadMember implements ArchiveMember {
  name: string;
  kind: MemberKind;
  size: number;
  compressedSize: number | undefined;
  mode: number | undefined;
  linkTarget: string | undefined = undefined;
  readonly #table: DigestTable;
  readonly #row: number;

  constructor(
    init: { name: string; kind: MemberKind; size: number; compressedSize?: number; mode?: number },
    table: DigestTable,
    row: number,
  ) {
    this.name = init.name;
    this.kind = init.kind;
    this.size = init.size;
    this.compressedSize = init.compressedSize;
    this.mode = init.mode;
    this.#table = table;
    this.#row = row;
  }

  get digests(): Partial<Record<HashAlg, string>> | undefined {
    return this.#table.get(this.#row);
  }
}

export interface ArtifactModel {
  /** Path as the user gave it (used in findings). */
  path: string;
  /** Basename of the file. */
  filename: string;
  kind: ArtifactKind;
  /** Size of the artifact file in bytes. */
  size: number;
  /** sha256 of the artifact file, lowercase hex. */
  sha256: string;
  members: ArchiveMember[];
  /**
   * Full bytes of the members checks read, keyed by member name: everything in the wheel's
   * top-level `*.dist-info/` but RECORD (see `record`), `.data/scripts/*`, `*.pth`, every
   * `py.typed`; in an sdist the top directory's PKG-INFO, pyproject.toml, setup.cfg and
   * licence-like files; small credential files (.netrc, .pypirc...) in both. See `wantsContent`.
   */
  contents: Map<string, Uint8Array>;
  /**
   * Wheels: the RECORD of the .dist-info the checks read (see `locateDistInfo`), scanned as it
   * was read and matched to the members (checks/record-scan.ts). Its bytes are not kept in
   * `contents`. Absent when there is none or it could not be read.
   */
  record?: RecordScan;
  /** Findings raised while reading the container (ART*, SEC01–SEC07, SEC09/SEC11 content scans). */
  findings: Finding[];
  /** False when the container could not be read at all; then only `findings` is meaningful. */
  readable: boolean;
}

/** Members larger than this are never kept in `contents`. */
export const MAX_KEPT_CONTENT = 16 * 1024 * 1024;
/** Total content kept per artifact; past it nothing more is kept. */
export const MAX_TOTAL_KEPT = 64 * 1024 * 1024;

const LICENCE_LIKE = /^(licen[cs]e|copying|notice|authors|patents)([.\-_].*)?$/i;

/**
 * Which members' bytes the reader keeps for the checks. Pure and shared by the zip and tar
 * readers so both artifact kinds keep the same things.
 */
export function wantsContent(kind: ArtifactKind, name: string, size: number): boolean {
  if (size > MAX_KEPT_CONTENT) return false;
  // Runs for every member read: the segments it needs are found without splitting the name.
  const last = name.lastIndexOf("/");
  const base = name.slice(last + 1);
  if (base === "py.typed") return true;
  if (size <= CREDENTIAL_FILE_MAX && isCredentialFile(name)) return true;
  const first = name.indexOf("/");
  if (kind === "wheel") {
    if (first < 0) return name.endsWith(".dist-info") || name.endsWith(".pth");
    const top = name.slice(0, first);
    if (top.endsWith(".dist-info")) return !(first === last && base === "RECORD");
    return top.endsWith(".data") && secondSegmentIs(name, first, "scripts");
  }
  if (kind === "sdist") {
    if (first >= 0 && first === last && SDIST_KEPT.has(base)) return true;
    if (LICENCE_LIKE.test(base)) return true;
    return (
      first >= 0 && (secondSegmentIs(name, first, "LICENSES") || secondSegmentIs(name, first, "licenses"))
    );
  }
  return false;
}

const SDIST_KEPT = new Set(["PKG-INFO", "pyproject.toml", "setup.cfg"]);

/** Whether the path segment after the `/` at `slash` is exactly `segment`. */
function secondSegmentIs(name: string, slash: number, segment: string): boolean {
  const end = slash + 1 + segment.length;
  return name.startsWith(segment, slash + 1) && (end === name.length || name[end] === "/");
}

/**
 * Members whose checks cannot be skipped: the wheel's METADATA, WHEEL, entry_points.txt and
 * top-level `.pth` files (run at every interpreter start), the sdist's PKG-INFO, pyproject.toml
 * and setup.cfg. When one of them is not kept (over MAX_KEPT_CONTENT, or past MAX_TOTAL_KEPT)
 * the reader reports ART12, an error, instead of letting their checks pass unrun.
 */
export function mustRead(kind: ArtifactKind, name: string): boolean {
  // Runs once per member: no split, one or two slashes at most.
  const first = name.indexOf("/");
  const second = first < 0 ? -1 : name.indexOf("/", first + 1);
  if (kind === "wheel") {
    if (first < 0) return name.endsWith(".pth");
    return second < 0 && name.slice(0, first).endsWith(".dist-info") && WHEEL_MUST.has(name.slice(first + 1));
  }
  return kind === "sdist" && first > 0 && second < 0 && SDIST_MUST.has(name.slice(first + 1));
}

const WHEEL_MUST = new Set(["METADATA", "WHEEL", "entry_points.txt"]);
const SDIST_MUST = new Set(["PKG-INFO", "pyproject.toml", "setup.cfg"]);
