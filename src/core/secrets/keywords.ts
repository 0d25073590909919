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

/** Columns of the transition table: ASCII, and one for every other character. */
const WIDTH = 129;

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

  /**
   * The goto function with every fail link followed once, as a dense table over ASCII (every
   * character above 127 goes to one column: no keyword holds one), built on first use: the
   * scan is then one array read per character instead of map lookups and fail-link walks. An
   * entry is the next state's row offset, bit-inverted (negative) when keywords end there.
   * Undefined when a keyword is not ASCII (the trie walk below is used instead).
   */
  private dfa: { table: Int32Array; out: (readonly number[] | undefined)[] } | undefined | null = null;

  private buildDfa(): { table: Int32Array; out: (readonly number[] | undefined)[] } | undefined {
    if (this.keywords.some((k) => /[^\x00-\x7f]/.test(k))) return undefined;
    const table = new Int32Array(this.nodes.length * WIDTH);
    const next = new Int32Array(this.nodes.length * WIDTH);
    const order = [0];
    for (let q = 0; q < order.length; q++) {
      const s = order[q]!;
      const node = this.nodes[s]!;
      for (let c = 0; c < WIDTH; c++) {
        const child = c < 128 ? node.next.get(c) : undefined;
        if (child !== undefined) {
          next[s * WIDTH + c] = child;
          order.push(child);
        } else next[s * WIDTH + c] = s === 0 ? 0 : next[node.fail * WIDTH + c]!;
      }
    }
    for (let i = 0; i < next.length; i++) {
      const to = next[i]!;
      table[i] = this.nodes[to]!.out.length === 0 ? to * WIDTH : ~(to * WIDTH);
    }
    // By row offset, the keywords that end in that state.
    const out: (readonly number[] | undefined)[] = [];
    this.nodes.forEach((n, i) => {
      if (n.out.length > 0) out[i * WIDTH] = n.out;
    });
    return { table, out };
  }

  /** The indexes of the keywords that occur in `text`, in one pass. */
  present(text: string): Set<number> {
    const found = new Set<number>();
    if (this.keywords.length === 0) return found;
    if (this.dfa === null) this.dfa = this.buildDfa();
    const dfa = this.dfa;
    if (dfa !== undefined) {
      const { table, out } = dfa;
      const all = this.keywords.length;
      let at = 0;
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        const to = table[at + (c < 128 ? c : 128)]!;
        if (to >= 0) {
          at = to;
          continue;
        }
        at = ~to;
        for (const k of out[at]!) found.add(k);
        if (found.size === all) break;
      }
      return found;
    }
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
