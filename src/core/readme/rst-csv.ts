/**
 * CSV as Python's csv module reads a csv-table directive's content with docutils'
 * DocutilsDialect (delimiter ",", quote '"', doubled quotes, skipinitialspace, strict):
 * a malformed quote is "Error with CSV data" (ERROR) on PyPI.
 */

export interface CsvDialect {
  delimiter: string;
  quote: string;
  /** Escape character (the :escape: option); when set, quotes are not doubled. */
  escape?: string;
  skipInitialSpace: boolean;
}

export const DOCUTILS_DIALECT: CsvDialect = { delimiter: ",", quote: '"', skipInitialSpace: true };

type State = "start" | "field" | "quoted" | "quoteInQuoted" | "escaped" | "escapedInQuoted";

/** Rows of cells, or the csv module's error text (strict mode). */
export function parseCsv(
  lines: readonly string[],
  dialect: CsvDialect,
): { rows: string[][] } | { error: string } {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let state: State = "start";
  // Whether the current record has seen any character (an empty line is an empty row).
  let started = false;
  const endField = () => {
    row.push(field);
    field = "";
  };
  for (const line of lines) {
    for (const c of `${line}\n`) {
      const newline = c === "\n";
      const first = !started;
      started = true;
      switch (state) {
        case "start":
          if (newline) {
            if (!first) endField();
          } else if (c === dialect.quote) {
            state = "quoted";
            continue;
          } else if (c === dialect.escape) {
            state = "escaped";
            continue;
          } else if (c === " " && dialect.skipInitialSpace) {
            continue;
          } else if (c === dialect.delimiter) {
            endField();
            continue;
          } else {
            field += c;
            state = "field";
            continue;
          }
          break;
        case "escaped":
          field += c;
          state = "field";
          continue;
        case "field":
          if (newline) {
            endField();
          } else if (c === dialect.escape) {
            state = "escaped";
            continue;
          } else if (c === dialect.delimiter) {
            endField();
            state = "start";
            continue;
          } else {
            field += c;
            continue;
          }
          break;
        case "quoted":
          if (c === dialect.escape) state = "escapedInQuoted";
          else if (c === dialect.quote) state = dialect.escape === undefined ? "quoteInQuoted" : "field";
          else field += c;
          continue;
        case "escapedInQuoted":
          field += c;
          state = "quoted";
          continue;
        case "quoteInQuoted":
          if (c === dialect.quote) {
            field += c;
            state = "quoted";
            continue;
          }
          if (c === dialect.delimiter) {
            endField();
            state = "start";
            continue;
          }
          if (!newline) return { error: `'${dialect.delimiter}' expected after '${dialect.quote}'` };
          endField();
          break;
      }
      // End of a record (the newline closing a line outside quotes).
      rows.push(row);
      row = [];
      state = "start";
      started = false;
    }
  }
  if (state === "quoted" || state === "escapedInQuoted") return { error: "unexpected end of data" };
  return { rows };
}
