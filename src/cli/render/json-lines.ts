/**
 * `--json` of the long-running commands (publish, release): NDJSON on stdout, one event per line
 * as the work goes (the library's typed events, as they are), then one final line
 * `{"type":"report", ...}` with the command's result. See docs/json.md. An error inside an event
 * (a failed step) is written as `{code, message, hint}`; the caller redacts each line.
 */
import { SlipwayError } from "../../errors.ts";

/** Errors as data: JSON.stringify would give `{}` for an Error (its message is not enumerable). */
function replacer(_key: string, value: unknown): unknown {
  if (value instanceof SlipwayError) {
    return {
      code: value.code,
      message: value.message,
      ...(value.hint === undefined ? {} : { hint: value.hint }),
    };
  }
  if (value instanceof Error) return { message: value.message };
  return value;
}

/** One event (or any value) as one line of NDJSON, newline included. */
export function jsonLine(value: unknown): string {
  return `${JSON.stringify(value, replacer)}\n`;
}

/** The last line of a run: `{"type":"report", ...report}` (`type` first, and always `report`). */
export function reportLine(report: object): string {
  return jsonLine(Object.assign({ type: "report" }, report, { type: "report" }));
}
