/**
 * What the action writes: workflow commands escaped per the toolkit's rules, at most 10
 * annotations per kind, `$GITHUB_OUTPUT` entries that no value can break, the CLI's JSON read
 * defensively, and a step summary that never exceeds its byte budget.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { outputsText, readCommandResult } from "../../src/action/results.ts";
import { escapeCell, renderSummary } from "../../src/action/summary.ts";
import {
  annotationCommand,
  escapeData,
  escapeProperty,
  maskCommands,
  outputEntry,
  splitAnnotations,
} from "../../src/action/workflow-commands.ts";

test("data escapes % CR LF; properties also : and ,", () => {
  assert.equal(escapeData("50% done\r\nnext"), "50%25 done%0D%0Anext");
  assert.equal(escapeData("%0A"), "%250A", "an escape already in the text stays text");
  assert.equal(escapeProperty("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
  assert.equal(
    annotationCommand({
      kind: "error",
      file: "dist/x,y:z.whl",
      line: 3,
      title: "REC03 a::b",
      message: "one\n::warning::two",
    }),
    "::error file=dist/x%2Cy%3Az.whl,line=3,title=REC03 a%3A%3Ab::one%0A::warning::two",
  );
  assert.equal(annotationCommand({ kind: "notice", message: "m", line: 0 }), "::notice::m");
  const line = annotationCommand({ kind: "warning", message: "a\rb\nc", title: "t\n" });
  assert.ok(!/[\r\n]/.test(line), "one line whatever the text");
});

test("at most 10 annotations of each kind are shown; the rest are returned", () => {
  const all = [
    ...Array.from({ length: 12 }, (_, i) => ({ kind: "error" as const, message: `e${i}` })),
    ...Array.from({ length: 3 }, (_, i) => ({ kind: "warning" as const, message: `w${i}` })),
    ...Array.from({ length: 11 }, (_, i) => ({ kind: "notice" as const, message: `n${i}` })),
  ];
  const { shown, hidden } = splitAnnotations(all);
  assert.equal(shown.filter((a) => a.kind === "error").length, 10);
  assert.equal(shown.filter((a) => a.kind === "warning").length, 3);
  assert.equal(shown.filter((a) => a.kind === "notice").length, 10);
  assert.deepEqual(
    hidden.map((a) => a.message),
    ["e10", "e11", "n10"],
  );
});

test("masks: one command per line of a secret, escaped", () => {
  assert.deepEqual(maskCommands("abc%\r\ndef\n\n"), ["::add-mask::abc%25", "::add-mask::def"]);
});

test("outputs use the multiline form; a value holding the delimiter is refused", () => {
  assert.equal(outputEntry("sha256s", "a\nb", "D1"), "sha256s<<D1\na\nb\nD1\n");
  assert.throws(() => outputEntry("x", "evil\nD1\ninjected=1", "D1"), /cannot be written/);
  assert.throws(() => outputEntry("a\nb", "v", "D1"), /cannot be written/);
});

const sha = (c: string) => c.repeat(64);

test("publish NDJSON: version, published, sha256s", () => {
  const lines = [
    { type: "target", uploadUrl: "http://127.0.0.1/legacy/" },
    "::add-mask::ignored-here",
    {
      type: "report",
      dryRun: false,
      ok: true,
      check: {
        findings: [{ id: "DESC01", severity: "warning", message: "m", hint: "h", location: { file: "d" } }],
      },
      outcomes: [
        { filename: "p-1.0-py3-none-any.whl", sha256: sha("a"), status: "uploaded", version: "1.0" },
        { filename: "p-1.0.tar.gz", sha256: sha("b"), status: "exists-identical", version: "1.0" },
        { filename: "evil\nname", sha256: sha("c"), status: "uploaded" },
        { filename: "short", sha256: "abc" },
      ],
    },
  ];
  const stdout = lines.map((l) => (typeof l === "string" ? l : JSON.stringify(l))).join("\n");
  const r = readCommandResult("publish", stdout, 0);
  assert.equal(r.version, "1.0");
  assert.equal(r.published, true);
  assert.equal(r.findings.length, 1);
  assert.equal(
    outputsText(r, "D"),
    `version<<D\n1.0\nD\npublished<<D\ntrue\nD\nsha256s<<D\n${sha("a")}  p-1.0-py3-none-any.whl\n${sha("b")}  p-1.0.tar.gz\nD\n`,
  );
  const dry = readCommandResult(
    "publish",
    JSON.stringify({ type: "report", dryRun: true, ok: true, outcomes: [] }),
    0,
  );
  assert.equal(dry.published, false);
});

test("hostile or broken output is no result, never a crash", () => {
  for (const stdout of [
    "",
    "not json",
    "[1,2]",
    '{"findings": 7}',
    '{"findings": [null, 1, {"severity": "fatal"}]}',
    "{",
  ]) {
    const r = readCommandResult("check", stdout, 1);
    assert.deepEqual(r.findings, []);
    assert.equal(r.version, undefined);
  }
  const err = readCommandResult(
    "release",
    `${JSON.stringify({ type: "error", code: "usage", message: "no --bump", hint: "pass --bump patch", exit: 2 })}\n`,
    2,
  );
  assert.deepEqual(err.error, { code: "usage", message: "no --bump", hint: "pass --bump patch" });
  // A finding inside an archive member: its line is the member's, not the file's.
  const member = readCommandResult(
    "check",
    JSON.stringify({
      findings: [
        {
          id: "REC02",
          severity: "error",
          message: "m",
          hint: "h",
          location: { file: "x.whl", member: "R", line: 2 },
        },
      ],
    }),
    1,
  );
  assert.deepEqual(member.findings[0], {
    severity: "error",
    id: "REC02",
    message: "m",
    hint: "h",
    file: "x.whl",
    detail: "R:2",
  });
});

test("release and status reports", () => {
  const events = [
    { type: "file-published", step: "stage", filename: "p-2.0.tar.gz", status: "uploaded" },
    { type: "file-published", step: "publish", filename: "p-2.0.tar.gz", status: "exists-identical" },
    {
      type: "report",
      dryRun: false,
      status: "done",
      plan: { version: "2.0" },
      steps: [{ id: "build", record: { artifacts: [{ filename: "p-2.0.tar.gz", sha256: sha("d") }] } }],
    },
  ];
  const r = readCommandResult("release", events.map((e) => JSON.stringify(e)).join("\n"), 0);
  assert.equal(r.version, "2.0");
  assert.equal(r.published, true);
  assert.deepEqual(r.files, [{ filename: "p-2.0.tar.gz", sha256: sha("d"), status: "exists-identical" }]);
  const s = readCommandResult(
    "status",
    JSON.stringify({ grade: "B", project: { sourceVersion: "0.3" }, counts: { total: { high: 1, low: 0 } } }),
    0,
  );
  assert.deepEqual(s.facts, ["grade B", "open findings: 1 high"]);
  assert.equal(s.version, "0.3");
});

test("the summary escapes what it quotes and stays within its byte budget", () => {
  assert.equal(escapeCell("a|b <script>&\n*x*"), "a\\|b &lt;script&gt;&amp; \\*x\\*");
  const findings = Array.from({ length: 5000 }, (_, i) => ({
    id: `X${i}`,
    severity: "error",
    message: `ünïcödé ${"m".repeat(300)} | <b>`,
    hint: "h",
    location: { file: `f${i}.py`, line: i + 1 },
  }));
  const result = readCommandResult("check", JSON.stringify({ findings }), 1);
  const small = renderSummary(result, { unannotated: 4990, limit: 64 * 1024 });
  assert.ok(Buffer.byteLength(small) <= 64 * 1024);
  assert.match(small, /### slipway check: ❌ failed \(exit 1\)/);
  assert.match(small, /GitHub shows 10 annotations of each kind; 4990 more are only listed here/);
  const dropped = Number(/(\d+) more rows did not fit/.exec(small)?.[1]);
  const rows = small.split("\n").filter((l) => l.startsWith("| ❌"));
  assert.equal(rows.length + dropped, 5000, "every finding is a row or counted as dropped");
  assert.ok(!small.includes("<b>"), "HTML is escaped");
  const all = renderSummary(result, { unannotated: 0, limit: 1024 * 1024 * 8 });
  assert.equal(all.split("\n").filter((l) => l.startsWith("| ❌")).length, 5000);
  // A budget smaller than the head still gives valid UTF-8 within it.
  const tiny = renderSummary(
    { ...result, error: { code: "x", message: "é".repeat(500) } },
    { unannotated: 0, limit: 101 },
  );
  assert.ok(Buffer.byteLength(tiny) <= 101);
  assert.ok(!tiny.includes("\uFFFD"));
});
