/**
 * Archive paths as a tree of segments. Asking "is any parent of this path a file (or a
 * symlink)?" by building every prefix string costs the square of the path's length: a member
 * 15,000 directories deep made `check` hash ~225 million characters (issue 11 B5). Walking
 * node ids one segment at a time costs the path's length once.
 */

/** Node flags; callers combine them as they need. */
export const PATH_DIR = 2;
export const PATH_SYMLINK = 4;
/** Set on every node that has a child node. */
export const PATH_PARENT = 8;

export class PathIndex {
  /** `<parent id>/<segment>` → node id; the root is 0. */
  private readonly ids = new Map<string, number>();
  private readonly flags: number[] = [0];
  /** The path a node was added under, for nodes added with a flag (the name a report shows). */
  private readonly names = new Map<number, string>();
  /** Segments visited by `add` and `find`: the unit of work, counted for the linearity tests. */
  work = 0;

  /**
   * Adds `path` split at `/` (empty segments kept: paths compare exactly as written) and ORs
   * `flag` into its node; every proper prefix becomes a PATH_DIR node. Returns the node id.
   */
  add(path: string, flag = 0): number {
    const node = this.walk(path, true, (parent) => {
      this.flags[parent] = (this.flags[parent] ?? 0) | PATH_DIR;
    }) as number;
    if (flag !== 0) {
      this.flags[node] = (this.flags[node] ?? 0) | flag;
      if (!this.names.has(node)) this.names.set(node, path);
    }
    return node;
  }

  /**
   * The node of `path`, or undefined when it was never added (as itself or as a parent).
   * `onParent` is called with each proper prefix's node on the way down, outermost first.
   */
  find(path: string, onParent?: (id: number) => void): number | undefined {
    return this.walk(path, false, onParent);
  }

  /** Down the tree one segment at a time, making missing nodes when `create`. */
  private walk(path: string, create: boolean, onParent?: (id: number) => void): number | undefined {
    let node = 0;
    let start = 0;
    for (;;) {
      this.work++;
      const slash = path.indexOf("/", start);
      const key = `${node}/${slash < 0 ? path.slice(start) : path.slice(start, slash)}`;
      let id = this.ids.get(key);
      if (id === undefined) {
        if (!create) return undefined;
        id = this.flags.length;
        this.ids.set(key, id);
        this.flags.push(0);
        this.flags[node] = (this.flags[node] ?? 0) | PATH_PARENT;
      }
      node = id;
      if (slash < 0) return node;
      onParent?.(node);
      start = slash + 1;
    }
  }

  /** The child of node `parent` named `segment`, if there is one. */
  child(parent: number, segment: string): number | undefined {
    this.work++;
    return this.ids.get(`${parent}/${segment}`);
  }

  flagsOf(id: number): number {
    return this.flags[id] ?? 0;
  }

  /** The path node `id` was first added under with a flag. */
  nameOf(id: number): string | undefined {
    return this.names.get(id);
  }
}
