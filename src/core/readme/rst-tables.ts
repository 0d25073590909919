/**
 * Grid and simple tables of the built-in reStructuredText lint: how docutils isolates a table
 * from the text (states.py isolate_grid_table / isolate_simple_table) and parses its cells
 * (parsers/rst/tableparser.py). A table docutils cannot parse is "Malformed table." (ERROR).
 */
import { indentOf, isBlank, type Line, padWide, stripCombining, textBlock } from "./rst-text.ts";

export const GRID_TOP = /^\+-[-+]+-\+ *$/;
export const SIMPLE_TOP = /^=+( +=+)+ *$/;
const SIMPLE_BORDER = /^=+[ =]*$/;

export interface TableProblem {
  message: string;
  line: number;
  level: "warning" | "error";
}

export interface Isolated {
  /** The table's lines (grid tables: stripped), empty when it could not be isolated. */
  block: Line[];
  problems: TableProblem[];
  blankFinish: boolean;
  /** Index of the last input line consumed. */
  last: number;
}

const malformed = (detail: string, line: number): TableProblem => ({
  message: detail ? `Malformed table.\n${detail}` : "Malformed table.",
  line,
  level: "error",
});

/** states.py isolate_grid_table: the text block from `at`, edges checked. */
export function isolateGrid(lines: readonly Line[], at: number): Isolated {
  const problems: TableProblem[] = [];
  const tb = textBlock(lines, at, true);
  let blankFinish = true;
  if (tb.indentedAt !== undefined) {
    problems.push({ message: "Unexpected indentation.", line: lines[tb.indentedAt]!.line, level: "error" });
    blankFinish = false;
  }
  let block = tb.block.map((l) => ({ line: l.line, text: padWide(l.text).trim() }));
  let last = at + tb.block.length - 1;
  const width = block[0]!.text.length;
  const leftEdge = block.findIndex((l) => !"+|".includes(l.text[0]!));
  if (leftEdge >= 0) {
    blankFinish = false;
    last = at + leftEdge - 1;
    block = block.slice(0, leftEdge);
  }
  if (!GRID_TOP.test(block[block.length - 1]!.text)) {
    let bottom = -1;
    for (let i = block.length - 2; i > 1; i--) {
      if (GRID_TOP.test(block[i]!.text)) {
        bottom = i;
        break;
      }
    }
    if (bottom < 0) {
      problems.push(malformed("Bottom border missing or corrupt.", block[0]!.line));
      return { block: [], problems, blankFinish, last };
    }
    block = block.slice(0, bottom + 1);
    last = at + bottom;
    blankFinish = false;
  }
  const badRight = block.find(
    (l) => stripCombining(l.text).length !== width || !"+|".includes(l.text.at(-1)!),
  );
  if (badRight) {
    problems.push(malformed("Right border not aligned or missing.", badRight.line));
    return { block: [], problems, blankFinish, last };
  }
  return { block, problems, blankFinish, last };
}

/** states.py isolate_simple_table: from the top border to the bottom border. */
export function isolateSimple(lines: readonly Line[], at: number): Isolated {
  const topLength = lines[at]!.text.trim().length;
  const limit = lines.length - 1;
  let found = 0;
  let foundAt = -1;
  for (let i = at + 1; i <= limit; i++) {
    const text = lines[i]!.text;
    if (!SIMPLE_BORDER.test(text)) continue;
    const nextBlank = i === limit || isBlank(lines[i + 1]!.text);
    if (text.trim().length !== topLength) {
      const detail = "Bottom border or header rule does not match top border.";
      return { block: [], problems: [malformed(detail, lines[i]!.line)], blankFinish: nextBlank, last: i };
    }
    found++;
    foundAt = i;
    if (found === 2 || nextBlank) {
      const block = lines.slice(at, i + 1).map((l) => ({ line: l.line, text: padWide(l.text) }));
      return { block, problems: [], blankFinish: nextBlank, last: i };
    }
  }
  const detail = found
    ? "No bottom table border found or no blank line after table bottom."
    : "No bottom table border found.";
  const last = found ? foundAt : limit;
  return { block: [], problems: [malformed(detail, lines[at]!.line)], blankFinish: !found, last };
}

export interface ParsedTable {
  /** Each cell's lines, for nested parsing of its body elements. */
  cells: Line[][];
  problem?: TableProblem;
}

/** statemachine get_2D_block: the text of a rectangle, common indentation removed. */
function block2D(block: readonly Line[], top: number, left: number, bottom: number, right: number): Line[] {
  const rows = block
    .slice(top, bottom)
    .map((l) => ({ line: l.line, text: l.text.slice(left, right).trimEnd() }));
  let indent = right;
  for (const row of rows) if (row.text) indent = Math.min(indent, indentOf(row.text));
  const strip = indent > 0 && indent < right;
  return rows.map((r) => ({
    line: r.line,
    text: (strip ? r.text.slice(indent) : r.text).replaceAll("\0", ""),
  }));
}

/** tableparser.GridTableParser: traces every cell from its top-left corner. */
export function parseGrid(block: readonly Line[]): ParsedTable {
  const rows = block.map((l) => stripCombining(l.text));
  const line0 = block[0]!.line;
  let headSep = -1;
  for (let i = 0; i < rows.length; i++) {
    if (!/^\+=[=+]+=\+ *$/.test(rows[i]!)) continue;
    if (headSep >= 0) {
      const detail = `Multiple head/body row separators (table lines ${headSep + 1} and ${i + 1}); only one allowed.`;
      return { cells: [], problem: malformed(detail, line0 + i) };
    }
    headSep = i;
    rows[i] = rows[i]!.replaceAll("=", "-");
  }
  if (headSep === 0 || headSep === rows.length - 1) {
    const detail = "The head/body row separator may not be the first or last line of the table.";
    return { cells: [], problem: malformed(detail, line0 + headSep) };
  }
  const bottom = rows.length - 1;
  const right = rows[0]!.length - 1;
  const done = new Array<number>(rows[0]!.length).fill(-1);
  const cells: Line[][] = [];
  const corners: [number, number][] = [[0, 0]];
  const at = (r: number, c: number): string => rows[r]![c] ?? "";
  const scanUp = (top: number, left: number, bot: number): boolean => {
    for (let i = bot - 1; i > top; i--) if (!"+|".includes(at(i, left))) return false;
    return true;
  };
  const scanLeft = (top: number, left: number, bot: number, rgt: number): boolean => {
    for (let i = rgt - 1; i > left; i--) if (!"+-".includes(at(bot, i))) return false;
    return at(bot, left) === "+" && scanUp(top, left, bot);
  };
  const scanDown = (top: number, left: number, rgt: number): number | undefined => {
    for (let i = top + 1; i <= bottom; i++) {
      if (at(i, rgt) === "+") {
        if (scanLeft(top, left, i, rgt)) return i;
      } else if (at(i, rgt) !== "|") return undefined;
    }
    return undefined;
  };
  const scanRight = (top: number, left: number): [number, number] | undefined => {
    for (let i = left + 1; i <= right; i++) {
      if (at(top, i) === "+") {
        const bot = scanDown(top, left, i);
        if (bot !== undefined) return [bot, i];
      } else if (at(top, i) !== "-") return undefined;
    }
    return undefined;
  };
  while (corners.length > 0) {
    const [top, left] = corners.shift()!;
    if (top === bottom || left === right || top <= done[left]!) continue;
    const found = scanRight(top, left);
    if (!found) continue;
    const [bot, rgt] = found;
    for (let c = left; c < rgt; c++) done[c] = bot - 1;
    cells.push(block2D(block, top + 1, left + 1, bot, rgt));
    corners.push([top, rgt], [bot, left]);
    corners.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  }
  for (let c = 0; c < right; c++) {
    if (done[c] !== bottom - 1)
      return { cells, problem: malformed("Malformed table; parse incomplete.", line0) };
  }
  return { cells };
}

type Column = [number, number];

/** tableparser.SimpleTableParser: columns from the top border, rows split by text in column 1. */
export function parseSimple(block: readonly Line[]): ParsedTable {
  const rows = block.map((l) => l.text);
  const line0 = block[0]!.line;
  rows[0] = rows[0]!.replaceAll("=", "-");
  rows[rows.length - 1] = rows[rows.length - 1]!.replaceAll("=", "-");
  let headSep = -1;
  for (let i = 0; i < rows.length; i++) {
    if (!/^=[ =]*$/.test(rows[i]!)) continue;
    if (headSep >= 0) {
      const detail = `Multiple head/body row separators (table lines ${headSep + 1} and ${i + 1}); only one allowed.`;
      return { cells: [], problem: malformed(detail, line0 + i) };
    }
    headSep = i;
    rows[i] = rows[i]!.replaceAll("=", "-");
  }
  const spans = (text: string): Column[] => {
    const cols: Column[] = [];
    let end = 0;
    for (;;) {
      const begin = text.indexOf("-", end);
      if (begin < 0) break;
      end = text.indexOf(" ", begin);
      if (end < 0) end = text.length;
      cols.push([begin, end]);
    }
    return cols;
  };
  const columns = spans(rows[0]!);
  const borderEnd = columns.at(-1)![1];
  const cells: Line[][] = [];
  const problem = (detail: string, offset: number): ParsedTable => ({
    cells,
    problem: malformed(detail, line0 + offset),
  });
  const parseRow = (start: number, end: number, spanAt?: number): ParsedTable | undefined => {
    if (start >= end && spanAt === undefined) return undefined;
    let cols = columns.map((c): Column => [c[0], c[1]]);
    if (spanAt !== undefined) {
      cols = spans(rows[spanAt]!.trimEnd());
      if (cols.at(-1)![1] !== borderEnd)
        return problem(`Column span incomplete in table line ${spanAt + 1}.`, spanAt);
      cols[cols.length - 1]![1] = columns.at(-1)![1];
    }
    const text = rows.slice(start, end).map(stripCombining);
    for (let c = 0; c < cols.length; c++) {
      const [from, to] = cols[c]!;
      const next = cols[c + 1]?.[0] ?? Number.MAX_SAFE_INTEGER;
      for (let r = 0; r < text.length; r++) {
        const line = text[r]!;
        if (c === cols.length - 1 && line.slice(to).trim()) {
          const newEnd = from + line.slice(from).trimEnd().length;
          cols[c]![1] = Math.max(columns.at(-1)![1], newEnd);
          if (newEnd > columns.at(-1)![1]) columns.at(-1)![1] = newEnd;
        } else if (line.slice(to, next).trim()) {
          return problem(`Text in column margin in table line ${start + r + 1}.`, start + r);
        }
      }
    }
    let i = 0;
    for (const [from, to] of cols) {
      if (columns[i]?.[0] !== from)
        return problem(`Column span alignment problem in table line ${start + 1}.`, start);
      while (columns[i] !== undefined && to !== columns[i]![1]) i++;
      if (columns[i] === undefined)
        return problem(`Column span alignment problem in table line ${start + 1}.`, start);
      i++;
    }
    for (const [from, to] of cols) cells.push(block2D(block.slice(start, end), 0, from, end - start, to));
    return undefined;
  };
  const [firstStart, firstEnd] = columns[0]!;
  let start = 1;
  let textFound = false;
  for (let offset = 1; offset < rows.length; offset++) {
    const line = rows[offset]!;
    if (/^-[ -]*$/.test(line)) {
      const failed = parseRow(start, offset, offset);
      if (failed) return failed;
      start = offset + 1;
      textFound = false;
    } else if (line.slice(firstStart, firstEnd).trim()) {
      if (textFound && offset !== start) {
        const failed = parseRow(start, offset);
        if (failed) return failed;
      }
      start = offset;
      textFound = true;
    } else if (!textFound) {
      start = offset + 1;
    }
  }
  return { cells };
}
