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

/** What is kept of a line that spans pieces: its head (indentation, first characters) and end. */
const HEAD = 256;
const TAIL = 8;

/**
 * A line as a range of a string, without its line break (and `\r`). `whole` is false for a line
 * kept only in part (its head and its end), which is never a closing fence.
 */
interface Line {
  text: string;
  start: number;
  end: number;
  whole: boolean;
}

const SPACE = 32;
const TAB = 9;

/** Width of the indentation (tabs to the next multiple of `tab`) and where the text starts. */
function indentOf(line: Line, tab: number): { width: number; at: number } {
  let width = 0;
  let at = line.start;
  for (; at < line.end; at++) {
    const c = line.text.charCodeAt(at);
    if (c === SPACE) width++;
    else if (c === TAB) width += tab - (width % tab);
    else break;
  }
  return { width, at };
}

/** Whether the line ends with `::` (trailing spaces aside), after `from`. */
function endsWithColons(line: Line, from: number): boolean {
  let end = line.end;
  while (end > from && (line.text.charCodeAt(end - 1) === SPACE || line.text.charCodeAt(end - 1) === TAB))
    end--;
  return end - from >= 2 && line.text.startsWith("::", end - 2);
}

/** How many times `char` repeats from `at`. */
function run(line: Line, at: number, char: string): number {
  let n = 0;
  while (at + n < line.end && line.text[at + n] === char) n++;
  return n;
}

const onlySpace = (line: Line, from: number): boolean => line.text.slice(from, line.end).trim() === "";

interface MarkdownState {
  fence: { char: string; length: number } | undefined;
  prevBlank: boolean;
  indented: boolean;
}

interface RstState {
  /** Content lines are those indented more than `block`. */
  block: number | undefined;
  /** An opener (`::`, a code directive) was seen at this indentation; the next text decides. */
  pending: number | undefined;
  doctest: boolean;
}

/** Classifies one line and moves the state past it. */
function markdownLine(state: MarkdownState, line: Line): boolean {
  const { width, at } = indentOf(line, 4);
  const blank = at >= line.end;
  if (state.fence !== undefined) {
    const { char, length } = state.fence;
    if (
      width <= 3 &&
      line.whole &&
      run(line, at, char) >= length &&
      onlySpace(line, at + run(line, at, char))
    ) {
      state.fence = undefined;
      state.prevBlank = false;
      state.indented = false;
    }
    return true;
  }
  if (blank) {
    state.prevBlank = true;
    return state.indented;
  }
  const char = line.text[at] ?? "";
  const fence = width <= 3 && (char === "`" || char === "~") ? run(line, at, char) : 0;
  if (fence >= 3) {
    const info = line.text.indexOf("`", at + fence);
    if (char === "~" || info < 0 || info >= line.end) {
      state.fence = { char, length: fence };
      state.prevBlank = false;
      state.indented = false;
      return true;
    }
  }
  const code = width >= 4 && (state.prevBlank || state.indented);
  state.prevBlank = false;
  state.indented = code;
  return code;
}

const DIRECTIVE = /^\.\.\s+([A-Za-z0-9_:-]+?)::(\s|$)/;

function rstLine(state: RstState, line: Line): boolean {
  const { width, at } = indentOf(line, 8);
  const blank = at >= line.end;
  let code = false;
  if (state.block !== undefined) {
    if (blank || width > state.block) code = true;
    else state.block = undefined;
  }
  if (!code && state.pending !== undefined && !blank) {
    if (width > state.pending) {
      state.block = state.pending;
      code = true;
    }
    state.pending = undefined;
  }
  if (!code && !blank) {
    if (state.doctest || line.text.startsWith(">>>", at)) {
      state.doctest = true;
      code = true;
    } else if (line.text.startsWith("..", at)) {
      const directive = DIRECTIVE.exec(line.text.slice(at, Math.min(line.end, at + HEAD)));
      const name = directive?.[1]?.replace(/^[a-z]+:(?=[a-z-]+$)/, "");
      if (name !== undefined && RST_CODE_DIRECTIVES.has(name)) state.pending = width;
      else if (directive === null && endsWithColons(line, at)) state.pending = width;
    } else if (endsWithColons(line, at)) {
      state.pending = width;
    }
  }
  if (blank) state.doctest = false;
  return code;
}

/**
 * The code flags of a document's lines, fed as it streams. Lines are 1-based, as the scanner
 * counts them; a line can be asked about from its first character on.
 */
export class CodeBlockTracker {
  private readonly markup: DocMarkup;
  private readonly markdown: MarkdownState = { fence: undefined, prevBlank: true, indented: false };
  private readonly rst: RstState = { block: undefined, pending: undefined, doctest: false };
  /** Flags of complete lines from `first` on. */
  private flags: boolean[] = [];
  private first = 1;
  /** The line being read when it started in an earlier piece: its head, its end, its length. */
  private head = "";
  private tail = "";
  private length = 0;

  constructor(markup: DocMarkup) {
    this.markup = markup;
  }

  feed(text: string): void {
    let from = 0;
    for (let nl = text.indexOf("\n", from); nl >= 0; nl = text.indexOf("\n", from)) {
      const end = nl > from && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      if (this.length === 0) {
        this.flags.push(this.classify({ text, start: from, end, whole: true }, true));
      } else {
        this.carry(text, from, end);
        this.flags.push(this.classify(this.carried(), true));
        this.head = "";
        this.tail = "";
        this.length = 0;
      }
      from = nl + 1;
    }
    this.carry(text, from, text.length);
  }

  /** Whether `line` is code; for the line being read, judged from what has arrived of it. */
  isCode(line: number): boolean {
    const at = line - this.first;
    if (at >= 0 && at < this.flags.length) return this.flags[at]!;
    if (at === this.flags.length) return this.classify(this.carried(), false);
    return false;
  }

  /** Drops the flags of lines before `line`: the scanner will not ask about them again. */
  forgetBefore(line: number): void {
    const drop = Math.min(line - this.first, this.flags.length);
    if (drop <= 0) return;
    this.flags = this.flags.slice(drop);
    this.first += drop;
  }

  /** Keeps the head and end of a line that continues in the next piece. */
  private carry(text: string, from: number, to: number): void {
    if (to <= from) return;
    if (this.head.length < HEAD) this.head += text.slice(from, Math.min(to, from + HEAD - this.head.length));
    this.tail = (this.tail + text.slice(Math.max(from, to - TAIL), to)).slice(-TAIL);
    this.length += to - from;
  }

  private carried(): Line {
    const whole = this.length <= HEAD;
    const text = whole ? this.head.replace(/\r$/, "") : `${this.head}${this.tail.replace(/\r$/, "")}`;
    return { text, start: 0, end: text.length, whole };
  }

  /** With `commit` false (a peek at the line being read) the state is left as it was. */
  private classify(line: Line, commit: boolean): boolean {
    if (this.markup === "markdown") {
      const state = commit ? this.markdown : { ...this.markdown };
      return markdownLine(state, line);
    }
    const state = commit ? this.rst : { ...this.rst };
    return rstLine(state, line);
  }
}
