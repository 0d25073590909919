/**
 * What a wheel's RECORD is matched against: the archive's members, by position, and the hash
 * algorithms its rows name (found before the members are read). See record-scan.ts.
 */
import { NameIndex } from "../archive/name-index.ts";
import { PATH_DIR, PATH_PARENT, PathIndex } from "../archive/path-index.ts";
import type { ArchiveMember, HashAlg } from "../dist/artifact.ts";

/**
 * The members a RECORD is matched against, by their position in the artifact's member list:
 * the files it must list (by name) and every member's directories (as a tree of segments, so
 * that finding the files a row passes through costs the row's length, whatever its depth).
 */
export class RecordMembers {
  /** The artifact's members, read (their digests and sizes are what rows are checked against). */
  readonly list: readonly ArchiveMember[];
  /** The files RECORD must list, by name (the first member of each name). */
  private readonly files: NameIndex;
  /** A later member of a name already seen → the first one (duplicate names share a row). */
  readonly aliases: [number, number][] = [];
  private readonly dirs = new PathIndex();
  /** Directory nodes whose path is also a member file → that file's position. */
  private readonly dirFiles = new Map<number, number>();
  /** Lookups made: the unit of work, with the tree's own. */
  private lookups = 0;

  constructor(members: readonly ArchiveMember[], distInfo: string) {
    this.list = members;
    this.files = new NameIndex((i) => members[i]!.name, members.length);
    // Each file's directory node (-1: none, the file is at the top or its name starts with `/`).
    const parents = new Int32Array(members.length).fill(-1);
    // The tree is walked once per directory, not per member: members of one directory share it.
    const dirNodes = new Map<string, number>();
    let lastDir = "";
    let lastNode = -1;
    for (let i = 0; i < members.length; i++) {
      const m = members[i]!;
      const name = m.name;
      const end = name.endsWith("/") ? name.length - 1 : name.lastIndexOf("/");
      if (end > 0 && !(end === lastDir.length && name.startsWith(lastDir))) {
        lastDir = name.slice(0, end);
        lastNode = dirNodes.get(lastDir) ?? this.dirs.add(lastDir, PATH_DIR);
        dirNodes.set(lastDir, lastNode);
      }
      if (!isListable(m, distInfo)) continue;
      if (end > 0) parents[i] = lastNode;
      const first = this.files.add(i);
      if (first !== i) this.aliases.push([i, first]);
    }
    // Rare: a file that is also some member's directory (`a/b` and `a/b/c` both in the wheel).
    this.files.forEach((i) => {
      const name = members[i]!.name;
      const parent = parents[i]!;
      // A directory without subdirectories holds no node a file could name.
      if (parent >= 0 && (this.dirs.flagsOf(parent) & PATH_PARENT) === 0) return;
      const node =
        parent >= 0
          ? this.dirs.child(parent, name.slice(name.lastIndexOf("/") + 1))
          : !name.includes("/") && this.dirs.child(0, name) === undefined
            ? undefined
            : this.dirs.find(name);
      if (node !== undefined) this.dirFiles.set(node, i);
    });
  }

  get work(): number {
    return this.lookups + this.dirs.work + this.files.work;
  }

  /** The position of the file named exactly `path`. */
  file(path: string): number | undefined {
    this.lookups++;
    return this.files.get(path);
  }

  /** Whether `path` is a directory of some member. */
  isDirectory(path: string): boolean {
    return this.dirs.find(path) !== undefined;
  }

  /** Calls `found` with each member file that is a proper prefix of `path` (used as a directory). */
  filesAbove(path: string, found: (position: number, name: string) => void): void {
    let node = 0;
    let start = 0;
    for (;;) {
      const slash = path.indexOf("/", start);
      if (slash < 0) return;
      const child = this.dirs.child(node, path.slice(start, slash));
      if (child === undefined) {
        // No member lies under this prefix, so no longer prefix is a member: only it may be a file.
        const prefix = path.slice(0, slash);
        const position = this.file(prefix);
        if (position !== undefined) found(position, prefix);
        return;
      }
      const position = this.dirFiles.get(child);
      if (position !== undefined) found(position, path.slice(0, slash));
      node = child;
      start = slash + 1;
    }
  }
}

/** Whether RECORD must list this member: files, not directories (and not the signature files). */
export function isListable(member: { name: string; kind: string }, distInfo: string): boolean {
  if (member.kind === "dir" || member.name.endsWith("/") || member.name.endsWith("\\")) return false;
  return member.name !== `${distInfo}/RECORD.jws` && member.name !== `${distInfo}/RECORD.p7s`;
}

const ALGORITHM_NAMES =
  /,"?(sha224|sha256|sha384|sha512|blake2b|blake2s|sha3_224|sha3_256|sha3_384|sha3_512)=/g;
/** Longest `,"sha3_512=` match: what one piece must pass on to the next. */
const ALGORITHM_CARRY = 11;
const ALGORITHM_PIECE = 8 * 1024;

/**
 * The hash algorithms a RECORD names, found in a quick pass before the members are read, so
 * that one pass over them computes every digest the rows need. A name that is not really in a
 * hash field costs one digest more; one missed here is reported as REC07 ("not computed").
 */
export class RecordAlgorithms {
  private readonly latin1 = new TextDecoder("latin1");
  private carry = "";
  readonly found = new Set<HashAlg>(["sha256"]);

  push(chunk: Uint8Array): void {
    // 8 KiB at a time: a whole inflater chunk (256 KiB) of text lived long enough to be promoted.
    for (let at = 0; at < chunk.length; at += ALGORITHM_PIECE) {
      const text = this.carry + this.latin1.decode(chunk.subarray(at, at + ALGORITHM_PIECE));
      ALGORITHM_NAMES.lastIndex = 0;
      for (let m = ALGORITHM_NAMES.exec(text); m !== null; m = ALGORITHM_NAMES.exec(text)) {
        this.found.add(m[1] as HashAlg);
      }
      this.carry = text.slice(-ALGORITHM_CARRY);
    }
  }
}
