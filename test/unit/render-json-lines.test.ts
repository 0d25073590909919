/**
 * The `--json` lines of build, verify-install, publish and release (docs/json.md): one object per line, errors inside
 * events as their code, message and hint (JSON.stringify alone writes `{}` for an Error), and a
 * report line last.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { jsonLine, reportLine } from "../../src/cli/render/json-lines.ts";
import { SlipwayError } from "../../src/errors.ts";

test("an event is one line of JSON, as the library emitted it", () => {
  const event = { type: "file-start", file: "dist/a.whl", filename: "a.whl", size: 3, attempt: 1 };
  const line = jsonLine(event);
  assert.ok(line.endsWith("\n") && !line.slice(0, -1).includes("\n"));
  assert.deepEqual(JSON.parse(line), event);
});

test("an error in an event is written as its code, message and hint", () => {
  const error = new SlipwayError("io", "the index refused a.whl\nsecond line", {
    hint: "check the token",
    cause: new Error("inner"),
  });
  const line = jsonLine({ type: "step-failed", step: "publish", title: "Publish", error });
  assert.equal(line.split("\n").length, 2, "a message's line breaks stay escaped");
  assert.deepEqual(JSON.parse(line), {
    type: "step-failed",
    step: "publish",
    title: "Publish",
    error: { code: "io", message: "the index refused a.whl\nsecond line", hint: "check the token" },
  });
  const bare = JSON.parse(jsonLine({ type: "x", error: new SlipwayError("io", "no hint") }));
  assert.deepEqual(bare.error, { code: "io", message: "no hint" });
  assert.deepEqual(JSON.parse(jsonLine({ error: new TypeError("boom") })), { error: { message: "boom" } });
});

test("the report line is typed report, first, whatever the report held", () => {
  const line = reportLine({ ok: true, type: "release", outcomes: [] });
  assert.ok(line.startsWith('{"type":"report",'), line);
  assert.deepEqual(JSON.parse(line), { type: "report", ok: true, outcomes: [] });
});

test("every long-running command's --help promises the same --json: NDJSON events, then a report line", async () => {
  const helps = await Promise.all(
    ["build", "verify-install", "publish", "release"].map(
      async (name) => ((await import(`../../src/cli/commands/${name}.ts`)) as { HELP: string }).HELP,
    ),
  );
  for (const help of helps) {
    const json = help.slice(help.indexOf("  --json"), help.indexOf("\n  -", help.indexOf("  --json") + 1));
    assert.match(json, /NDJSON on stdout: one line per event as the (work|run) goes/);
    assert.match(json, /then\s+one \{"type":"report",\.\.\.\}\s+line/);
    assert.match(json, /docs\/json\.md/);
  }
});
