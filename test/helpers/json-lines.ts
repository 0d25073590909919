/** Reading `--json` output (docs/json.md): NDJSON events, then one `{"type":"report"}` line. */
import assert from "node:assert/strict";

export type JsonLine = Record<string, unknown> & { type: string };

/** Every line of the output, parsed; fails the test on a line that is not one JSON object. */
export function jsonLines(stdout: string): JsonLine[] {
  return stdout
    .trimEnd()
    .split("\n")
    .map((line) => {
      const value = JSON.parse(line) as JsonLine;
      assert.equal(typeof value.type, "string", `a line without a type: ${line}`);
      return value;
    });
}

/** Whatever JSON.parse gives: the tests read a report's fields as they read any parsed JSON. */
type Parsed = ReturnType<typeof JSON.parse>;

/** The final report line (asserted to be the last line, and the only report). */
export function reportOf(stdout: string): Parsed {
  const lines = jsonLines(stdout);
  assert.equal(lines.at(-1)?.type, "report", `the last line is not the report:\n${stdout.slice(-2000)}`);
  assert.equal(lines.filter((l) => l.type === "report").length, 1, "one report");
  return lines.at(-1) as Parsed;
}
