/**
 * Where each tar member of an sdist lands when it is extracted, decided on a model of the tree
 * written so far, with the rules of Python's tarfile 'data' filter ([P706]): no absolute paths,
 * nothing outside the destination (symlinks already extracted are followed, as `realpath`
 * would), no device files, links that stay inside. Pure: the extractor performs the placements.
 */
import type { MemberKind } from "../dist/artifact.ts";
import { isAbsolute } from "./member-paths.ts";

type Node = { kind: "dir" } | { kind: "file" } | { kind: "symlink"; target: string };

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

type Walk = { parts: string[] } | { escapes: true } | { loop: true };

export class ExtractTree {
  private readonly nodes = new Map<string, Node>();
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
    const walked = this.walk(split(name), [], false);
    if ("escapes" in walked) return { refuse: "resolves outside the extraction directory" };
    if ("loop" in walked) return { refuse: "passes through a symlink loop" };
    const phys = walked.parts;
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
    const existing = this.nodes.get(path);
    if (existing?.kind === "dir" && kind !== "dir") return { refuse: "would replace a directory" };
    if (existing !== undefined && existing.kind !== "dir" && kind === "dir") {
      return { refuse: `is a directory but a ${existing.kind} of that name was already extracted` };
    }
    const link = this.checkLink(member, phys);
    if ("refuse" in link) return link;
    const parents: string[] = [];
    for (let i = 1; i < phys.length; i++) {
      const parent = phys.slice(0, i).join("/");
      const node = this.nodes.get(parent);
      if (node === undefined) {
        this.nodes.set(parent, { kind: "dir" });
        parents.push(parent);
      } else if (node.kind !== "dir") return { refuse: `passes through ${parent}, which is a ${node.kind}` };
    }
    if (kind === "dir" && existing === undefined) parents.push(path);
    const placement: Placement = { path, parents, replace: existing !== undefined && kind !== "dir" };
    if (link.target !== undefined) {
      placement.target = link.target;
      this.nodes.set(path, { kind: "symlink", target: link.target });
    } else {
      if (link.source !== undefined) placement.source = link.source;
      this.nodes.set(path, { kind: kind === "dir" ? "dir" : "file" });
    }
    return placement;
  }

  /**
   * Checks every symlink again on the finished tree: one placed before the links its target
   * passes through can only be judged now (a loop shows only then). Returns the first bad one.
   */
  checkLinks(): { path: string; refuse: string } | undefined {
    for (const [path, node] of this.nodes) {
      if (node.kind !== "symlink") continue;
      const why = this.symlinkProblem(node.target, split(path).slice(0, -1));
      if (why !== undefined) return { path, refuse: why };
    }
    return undefined;
  }

  /** Symlink targets are relative to the link's directory, hardlink targets to the root. */
  private checkLink(
    member: TreeMember,
    phys: string[],
  ): { refuse: string } | { target?: string; source?: string } {
    if (member.kind !== "symlink" && member.kind !== "hardlink") return {};
    const raw = member.linkTarget ?? "";
    if (raw === "") return { refuse: "is a link with an empty target" };
    if (isAbsolute(raw)) return { refuse: `is a link to the absolute path ${raw}` };
    if (raw.includes("\\")) return { refuse: `is a link whose target ${raw} contains a backslash` };
    if (member.kind === "symlink") {
      // tarfile writes the normalized target, so that is what must stay inside.
      const target = normalizeLink(raw);
      const why = this.symlinkProblem(target, phys.slice(0, -1));
      return why === undefined ? { target } : { refuse: why };
    }
    const walked = this.walk(split(raw), [], true);
    if (!("parts" in walked))
      return { refuse: `is a hardlink whose target ${raw} resolves outside the extraction directory` };
    const source = walked.parts.join("/");
    if (source === phys.join("/")) return { refuse: "is a hardlink to itself" };
    if (this.nodes.get(source)?.kind !== "file") {
      return { refuse: `is a hardlink to ${raw}, which is not a regular file extracted before it` };
    }
    return { source };
  }

  private symlinkProblem(target: string, base: string[]): string | undefined {
    const walked = this.walk(split(target), base, true);
    if ("loop" in walked) return `is a symlink to ${target}, which loops`;
    if ("escapes" in walked)
      return `is a symlink to ${target}, which resolves outside the extraction directory`;
    // A link to the destination itself lets `link/..` climb out of it (cpython gh-149486).
    if (walked.parts.length === 0)
      return `is a symlink to ${target}, which resolves to the extraction directory`;
    return undefined;
  }

  /**
   * Resolves `segments` from `from` like `realpath` over the modelled tree: symlinks are
   * followed (the last segment only when `followLast`), `..` climbs from where a link led, and
   * missing parts are taken as written.
   */
  private walk(
    segments: string[],
    from: string[],
    followLast: boolean,
    budget = { left: MAX_EXPANSIONS },
  ): Walk {
    let cur = [...from];
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i]!;
      if (segment === "..") {
        if (cur.length === 0) return { escapes: true };
        cur.pop();
        continue;
      }
      const next = [...cur, segment];
      const node = this.nodes.get(next.join("/"));
      if (node?.kind !== "symlink" || (i === segments.length - 1 && !followLast)) {
        cur = next;
        continue;
      }
      if (budget.left-- <= 0) return { loop: true };
      if (isAbsolute(node.target)) return { escapes: true };
      const inner = this.walk(split(node.target), cur, true, budget);
      if (!("parts" in inner)) return inner;
      cur = inner.parts;
    }
    return { parts: cur };
  }
}
