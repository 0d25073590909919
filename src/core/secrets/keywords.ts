/**
 * The keyword prefilter (gitleaks `detect/detect.go`, security-ci.md §1.2): one Aho-Corasick
 * pass over the lower-cased text finds which rule keywords occur; only those rules' regexes run.
 */

interface Node {
  next: Map<number, number>;
  fail: number;
  /** Keywords ending here, by index (including those reached through fail links). */
  out: number[];
}

export class KeywordMatcher {
  readonly keywords: readonly string[];
  private readonly nodes: Node[] = [{ next: new Map(), fail: 0, out: [] }];

  /** `keywords` are matched as given: pass them lower-case and scan lower-cased text. */
  constructor(keywords: readonly string[]) {
    this.keywords = keywords;
    keywords.forEach((word, index) => {
      let at = 0;
      for (let i = 0; i < word.length; i++) {
        const c = word.charCodeAt(i);
        let to = this.nodes[at]!.next.get(c);
        if (to === undefined) {
          to = this.nodes.length;
          this.nodes.push({ next: new Map(), fail: 0, out: [] });
          this.nodes[at]!.next.set(c, to);
        }
        at = to;
      }
      this.nodes[at]!.out.push(index);
    });
    // Breadth-first: each node's fail link is the longest proper suffix that is a trie path.
    const queue = [...this.nodes[0]!.next.values()];
    for (let q = 0; q < queue.length; q++) {
      const node = this.nodes[queue[q]!]!;
      for (const [c, child] of node.next) {
        let f = node.fail;
        while (f !== 0 && !this.nodes[f]!.next.has(c)) f = this.nodes[f]!.fail;
        const to = this.nodes[f]!.next.get(c);
        const childNode = this.nodes[child]!;
        childNode.fail = to !== undefined && to !== child ? to : 0;
        for (const k of this.nodes[childNode.fail]!.out) childNode.out.push(k);
        queue.push(child);
      }
    }
  }

  /** The indexes of the keywords that occur in `text`, in one pass. */
  present(text: string): Set<number> {
    const found = new Set<number>();
    if (this.keywords.length === 0) return found;
    let at = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      let to = this.nodes[at]!.next.get(c);
      while (to === undefined && at !== 0) {
        at = this.nodes[at]!.fail;
        to = this.nodes[at]!.next.get(c);
      }
      at = to ?? 0;
      for (const k of this.nodes[at]!.out) found.add(k);
      if (found.size === this.keywords.length) break;
    }
    return found;
  }
}
