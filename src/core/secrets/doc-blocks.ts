/**
 * Which lines of a Markdown or reStructuredText document are code: a key or token shown there is
 * an example in the documentation (cryptography's serialization.rst shows its test keys in
 * `.. testsetup::` blocks), not a leak. Fed the text in pieces as it streams past; keeps one
 * bounded line head and the code flags of the lines still in the scanner's window.
 *
 * Markdown (CommonMark): fenced blocks (``` or ~~~, up to 3 spaces in) and indented blocks
 * (4+ spaces after a blank line). reStructuredText: literal blocks after a paragraph ending in
 * `::`, the content of the code directives below, and doctest blocks (`>>>`).
 */

export type DocMarkup = "markdown" | "rst";

/** Directives whose content is code, not prose (docutils and Sphinx, sphinx.ext.doctest, IPython). */
export const RST_CODE_DIRECTIVES: ReadonlySet<string> = new Set([
  "code",
  "code-block",
  "sourcecode",
  "parsed-literal",
  "doctest",
  "testcode",
  "testsetup",
  "testcleanup",
  "testoutput",
  "ipython",
  "jupyter-execute",
  "prompt",
]);

/** The markup a member's name says it is, for the documents whose code blocks count. */
export function docMarkupOf(name: string): DocMarkup | undefined {
  if (/\.(md|markdown)$/i.test(name)) return "markdown";
  if (/\.(rst|rest)$/i.test(name)) return "rst";
  return undefined;
}

/** Enough of a line to classify it: its indentation and first characters, and its last ones. */
const HEAD = 256;
const TAIL = 8;

interface Line {
  head: string;
  tail: string;
}

function indentOf(head: string, tab: number): { width: number; rest: string } {
  let width = 0;
  let i = 0;
  for (; i < head.length; i++) {
    const c = head[i];
    if (c === " ") width++;
    else if (c === "\t") width += tab - (width % tab);
    else break;
  }
  return { width, rest: head.slice(i) };
}

const isBlank = (line: Line): boolean => line.head.trim() === "" && line.tail.trim() === "";

interface MarkdownState {
  fence?: { char: string; length: number };
  prevBlank: boolean;
  indented: boolean;
}

interface RstState {
  /** Content lines are those indented more than `base`. */
  block?: number | undefined;
  /** An opener (`::`, a code directive) was seen at this indentation; the next text decides. */
  pending?: number | undefined;
  doctest: boolean;
}

/** Classifies one line; `commit` says whether the state moves past it (false: a peek). */
function markdownLine(state: MarkdownState, line: Line, commit: boolean): boolean {
  const { width, rest } = indentOf(line.head, 4);
  let next: MarkdownState;
  let code: boolean;
  if (state.fence !== undefined) {
    const close = new RegExp(`^\\${state.fence.char}{${state.fence.length},}\\s*$`);
    const closes = width <= 3 && close.test(rest) && line.head.length < HEAD;
    next = closes ? { prevBlank: false, indented: false } : state;
    code = true;
  } else if (isBlank(line)) {
    next = { prevBlank: true, indented: state.indented };
    code = state.indented;
  } else {
    const open = width <= 3 ? /^(`{3,}|~{3,})/.exec(rest) : null;
    if (open !== null && !(open[1]![0] === "`" && rest.slice(open[1]!.length).includes("`"))) {
      next = { fence: { char: open[1]![0]!, length: open[1]!.length }, prevBlank: false, indented: false };
      code = true;
    } else if (width >= 4 && (state.prevBlank || state.indented)) {
      next = { prevBlank: false, indented: true };
      code = true;
    } else {
      next = { prevBlank: false, indented: false };
      code = false;
    }
  }
  if (commit) Object.assign(state, { fence: undefined, ...next });
  return code;
}

const DIRECTIVE = /^\.\.\s+([A-Za-z0-9_:-]+?)::(\s|$)/;

function rstLine(state: RstState, line: Line, commit: boolean): boolean {
  const blank = isBlank(line);
  const { width, rest } = indentOf(line.head, 8);
  const next: RstState = { ...state };
  let code = false;
  if (next.block !== undefined) {
    if (blank || width > next.block) code = true;
    else next.block = undefined;
  }
  if (!code && next.pending !== undefined && !blank) {
    if (width > next.pending) {
      next.block = next.pending;
      code = true;
    }
    next.pending = undefined;
  }
  if (!code && !blank) {
    if (next.doctest || rest.startsWith(">>>")) {
      next.doctest = true;
      code = true;
    } else {
      const directive = DIRECTIVE.exec(rest);
      const name = directive?.[1]?.replace(/^[a-z]+:(?=[a-z-]+$)/, "");
      if (name !== undefined && RST_CODE_DIRECTIVES.has(name)) next.pending = width;
      else if (directive === null && `${line.head}${line.tail}`.trimEnd().endsWith("::"))
        next.pending = width;
    }
  }
  if (blank) next.doctest = false;
  if (commit) Object.assign(state, { block: undefined, pending: undefined, ...next });
  return code;
}

/**
 * The code flags of a document's lines, fed as it streams. Lines are 1-based, as the scanner
 * counts them; a line can be asked about from its first character on.
 */
export class CodeBlockTracker {
  private readonly markup: DocMarkup;
  private readonly markdown: MarkdownState = { prevBlank: true, indented: false };
  private readonly rst: RstState = { doctest: false };
  /** Flags of complete lines from `first` on. */
  private flags: boolean[] = [];
  private first = 1;
  /** The line being read: its head (bounded) and its last characters. */
  private head = "";
  private tail = "";

  constructor(markup: DocMarkup) {
    this.markup = markup;
  }

  feed(text: string): void {
    let from = 0;
    for (let nl = text.indexOf("\n", from); nl >= 0; nl = text.indexOf("\n", from)) {
      this.append(text, from, nl);
      this.flags.push(this.classify({ head: this.head, tail: this.tail }, true));
      this.head = "";
      this.tail = "";
      from = nl + 1;
    }
    this.append(text, from, text.length);
  }

  /** Whether `line` is code; for the line being read, judged from what has arrived of it. */
  isCode(line: number): boolean {
    const at = line - this.first;
    if (at >= 0 && at < this.flags.length) return this.flags[at]!;
    if (at === this.flags.length) return this.classify({ head: this.head, tail: this.tail }, false);
    return false;
  }

  /** Drops the flags of lines before `line`: the scanner will not ask about them again. */
  forgetBefore(line: number): void {
    const drop = Math.min(line - this.first, this.flags.length);
    if (drop <= 0) return;
    this.flags = this.flags.slice(drop);
    this.first += drop;
  }

  private append(text: string, from: number, to: number): void {
    if (to <= from) return;
    if (this.head.length < HEAD) this.head += text.slice(from, Math.min(to, from + HEAD - this.head.length));
    const tail = text.slice(Math.max(from, to - TAIL), to);
    this.tail = (this.tail + tail).slice(-TAIL);
  }

  private classify(line: Line, commit: boolean): boolean {
    const clean = { head: line.head.replace(/\r$/, ""), tail: line.tail.replace(/\r$/, "") };
    return this.markup === "markdown"
      ? markdownLine(this.markdown, clean, commit)
      : rstLine(this.rst, clean, commit);
  }
}
