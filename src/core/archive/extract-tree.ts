/**
 * Where each tar member of an sdist lands when it is extracted, decided on a model of the tree
 * written so far, with the rules of Python's tarfile 'data' filter ([P706]): no absolute paths,
 * nothing outside the destination (symlinks already extracted are followed, as `realpath`
 * would), no device files, links that stay inside. Pure: the extractor performs the placements.
 */
import type { MemberKind } from "../dist/artifact.ts";
import { isAbsolute, pathLimitProblem } from "./member-paths.ts";

type Node = { kind: "dir" } | { kind: "file" } | { kind: "symlink"; target: string };

/** A walk's position: the segments from the root, and each one's node id (undefined: not extracted). */
interface Position {
  segments: string[];
  ids: (number | undefined)[];
}

/** Linux's MAXSYMLINKS: more expansions than this while resolving one path is a loop. */
const MAX_EXPANSIONS = 40;

export interface TreeMember {
  name: string;
  kind: MemberKind;
  linkTarget?: string;
}

/**
 * What to do for one member; paths are `/`-joined, relative to the destination and free of
 * symlinks. `parents` are directories to create first, outermost first; `replace` means a file
 * or symlink of that name exists and is removed first (a later member wins, as in tarfile).
 */
export type Placement =
  | { skip: true }
  | { path: string; parents: string[]; replace: boolean; target?: string; source?: string };

/** `{ refuse }` completes "member X ..." in the extractor's error message. */
export type PlaceResult = Placement | { refuse: string };

const REFUSED_KINDS: Partial<Record<MemberKind, string>> = {
  chardev: "is a character device",
  blockdev: "is a block device",
  fifo: "is a FIFO",
  sparse: "is a sparse file, which PyPI refuses",
  other: "has a tar type that is not a file, directory or link",
};

/** The mode the 'data' filter gives a file: owner rw, exec bits only with the owner's, no
 * setuid/setgid/sticky, no group or other write (tarfile `_get_filtered_attrs`). */
export function dataFilterMode(mode: number): number {
  let m = mode & 0o755;
  if ((m & 0o100) === 0) m &= ~0o111;
  return m | 0o600;
}

/** `os.path.normpath` for a relative POSIX path: `.`, empty and trailing segments collapse. */
export function normalizeLink(target: string): string {
  const out: string[] = [];
  for (const s of target.split("/")) {
    if (s === "" || s === ".") continue;
    if (s === ".." && out.length > 0 && out[out.length - 1] !== "..") out.pop();
    else out.push(s);
  }
  return out.join("/") || ".";
}

const split = (path: string): string[] => path.split("/").filter((s) => s !== "" && s !== ".");

type Walk = { at: Position } | { escapes: true } | { loop: true };

/**
 * The tree written so far, as node ids: a walk looks each segment up under its parent's id, so
 * resolving a path costs its length once (joining every prefix to look it up cost the square).
 */
export class ExtractTree {
  /** `<parent id>/<segment>` → id; the destination itself is 0. */
  private readonly ids = new Map<string, number>();
  private readonly nodes: (Node | undefined)[] = [{ kind: "dir" }];
  /** Every symlink placed, with the path it was placed at (checked again at the end). */
  private readonly symlinks: { path: string; target: string }[] = [];
  private top: string | undefined;

  /** The single top-level directory, once a member has been placed. */
  get root(): string | undefined {
    return this.top;
  }

  /** Decides where `member` goes and records it as written. */
  place(member: TreeMember): PlaceResult {
    const refused = REFUSED_KINDS[member.kind];
    if (refused !== undefined) return { refuse: refused };
    const { name, kind } = member;
    if (isAbsolute(name)) return { refuse: "is an absolute path" };
    // A separator on Windows, a plain character to tarfile on POSIX: refused so both agree.
    if (name.includes("\\")) return { refuse: "contains a backslash" };
    // Before any walk: a path past the limits is refused without costing its length again.
    const tooLong = pathLimitProblem(name);
    if (tooLong !== undefined) return { refuse: tooLong };
    const walked = this.walk(split(name), root(), false);
    if ("escapes" in walked) return { refuse: "resolves outside the extraction directory" };
    if ("loop" in walked) return { refuse: "passes through a symlink loop" };
    const phys = walked.at.segments;
    if (phys.length === 0) {
      return kind === "dir" ? { skip: true } : { refuse: "resolves to the extraction directory itself" };
    }
    const first = phys[0]!;
    this.top ??= first;
    if (first !== this.top) {
      return {
        refuse: `is in a second top-level entry "${first}" besides "${this.top}": an sdist has exactly one top-level directory`,
      };
    }
    if (phys.length === 1 && kind !== "dir") return { refuse: `is a top-level ${kind}, not a directory` };
    const path = phys.join("/");
    const existingId = walked.at.ids[phys.length - 1];
    const existing = existingId === undefined ? undefined : this.nodes[existingId];
    if (existing?.kind === "dir" && kind !== "dir") return { refuse: "would replace a directory" };
    if (existing !== undefined && existing.kind !== "dir" && kind === "dir") {
      return { refuse: `is a directory but a ${existing.kind} of that name was already extracted` };
    }
    const link = this.checkLink(member, walked.at);
    if ("refuse" in link) return link;
    // Parents first: one not extracted yet is created (and named for mkdir), one that is must be a directory.
    const parents: string[] = [];
    let parent = 0;
    let prefix = "";
    for (let i = 0; i < phys.length - 1; i++) {
      const segment = phys[i]!;
      prefix = i === 0 ? segment : `${prefix}/${segment}`;
      let id = walked.at.ids[i];
      if (id === undefined) {
        id = this.create(parent, segment, { kind: "dir" });
        parents.push(prefix);
      } else if (this.nodes[id]?.kind !== "dir") {
        return { refuse: `passes through ${prefix}, which is a ${this.nodes[id]?.kind}` };
      }
      parent = id;
    }
    if (kind === "dir" && existing === undefined) parents.push(path);
    const placement: Placement = { path, parents, replace: existing !== undefined && kind !== "dir" };
    const leaf = phys[phys.length - 1]!;
    let node: Node;
    if (link.target !== undefined) {
      placement.target = link.target;
      node = { kind: "symlink", target: link.target };
      this.symlinks.push({ path, target: link.target });
    } else {
      if (link.source !== undefined) placement.source = link.source;
      node = { kind: kind === "dir" ? "dir" : "file" };
    }
    if (existingId === undefined) this.create(parent, leaf, node);
    else this.nodes[existingId] = node;
    return placement;
  }

  private create(parent: number, segment: string, node: Node): number {
    const id = this.nodes.length;
    this.nodes.push(node);
    this.ids.set(`${parent}/${segment}`, id);
    return id;
  }

  /**
   * Checks every symlink again on the finished tree: one placed before the links its target
   * passes through can only be judged now (a loop shows only then). Returns the first bad one.
   */
  checkLinks(): { path: string; refuse: string } | undefined {
    for (const { path, target } of this.symlinks) {
      // Still a symlink (a later member may have replaced it)?
      const at = this.walk(split(path), root(), false);
      if (!("at" in at)) continue;
      const id = at.at.ids.at(-1);
      if (id === undefined || this.nodes[id]?.kind !== "symlink") continue;
      const why = this.symlinkProblem(target, parentOf(at.at));
      if (why !== undefined) return { path, refuse: why };
    }
    return undefined;
  }

  /** Symlink targets are relative to the link's directory, hardlink targets to the root. */
  private checkLink(
    member: TreeMember,
    at: Position,
  ): { refuse: string } | { target?: string; source?: string } {
    if (member.kind !== "symlink" && member.kind !== "hardlink") return {};
    const raw = member.linkTarget ?? "";
    if (raw === "") return { refuse: "is a link with an empty target" };
    if (isAbsolute(raw)) return { refuse: `is a link to the absolute path ${raw}` };
    if (raw.includes("\\")) return { refuse: `is a link whose target ${raw} contains a backslash` };
    if (member.kind === "symlink") {
      // tarfile writes the normalized target, so that is what must stay inside.
      const target = normalizeLink(raw);
      const why = this.symlinkProblem(target, parentOf(at));
      return why === undefined ? { target } : { refuse: why };
    }
    const walked = this.walk(split(raw), root(), true);
    if (!("at" in walked))
      return { refuse: `is a hardlink whose target ${raw} resolves outside the extraction directory` };
    const source = walked.at.segments.join("/");
    if (source === at.segments.join("/")) return { refuse: "is a hardlink to itself" };
    const id = walked.at.ids.at(-1);
    if (id === undefined || this.nodes[id]?.kind !== "file") {
      return { refuse: `is a hardlink to ${raw}, which is not a regular file extracted before it` };
    }
    return { source };
  }

  private symlinkProblem(target: string, base: Position): string | undefined {
    const walked = this.walk(split(target), base, true);
    if ("loop" in walked) return `is a symlink to ${target}, which loops`;
    if ("escapes" in walked)
      return `is a symlink to ${target}, which resolves outside the extraction directory`;
    // A link to the destination itself lets `link/..` climb out of it (cpython gh-149486).
    if (walked.at.segments.length === 0)
      return `is a symlink to ${target}, which resolves to the extraction directory`;
    return undefined;
  }

  /**
   * Resolves `segments` from `from` like `realpath` over the modelled tree: symlinks are
   * followed (the last segment only when `followLast`), `..` climbs from where a link led, and
   * missing parts are taken as written.
   */
  private walk(
    segments: readonly string[],
    from: Position,
    followLast: boolean,
    budget = { left: MAX_EXPANSIONS },
  ): Walk {
    const at: Position = { segments: [...from.segments], ids: [...from.ids] };
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i]!;
      if (segment === "..") {
        if (at.segments.length === 0) return { escapes: true };
        at.segments.pop();
        at.ids.pop();
        continue;
      }
      const parent = at.ids.length === 0 ? 0 : at.ids[at.ids.length - 1];
      const id = parent === undefined ? undefined : this.ids.get(`${parent}/${segment}`);
      const node = id === undefined ? undefined : this.nodes[id];
      if (node?.kind !== "symlink" || (i === segments.length - 1 && !followLast)) {
        at.segments.push(segment);
        at.ids.push(id);
        continue;
      }
      if (budget.left-- <= 0) return { loop: true };
      if (isAbsolute(node.target)) return { escapes: true };
      const inner = this.walk(split(node.target), at, true, budget);
      if (!("at" in inner)) return inner;
      at.segments = inner.at.segments;
      at.ids = inner.at.ids;
    }
    return { at };
  }
}

const root = (): Position => ({ segments: [], ids: [] });

const parentOf = (at: Position): Position => ({
  segments: at.segments.slice(0, -1),
  ids: at.ids.slice(0, -1),
});
