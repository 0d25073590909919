/**
 * The release's gate commands (`[tool.slipway.release] gates`) run for real by gatePreflight: a
 * failing gate is a problem showing the last lines of its output as the user would have seen
 * them — stdout and stderr in the order they came, progress redraws and escape sequences gone,
 * long lines cut at a word, known tokens masked — in bounded memory and time linear in what it
 * printed; all gates run even after one failed; a gate that cannot start or hangs is a problem
 * too.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { exec } from "../../src/adapters/exec.ts";
import { gateOutputLine, gatePreflight } from "../../src/ops/release-preflight.ts";
import { Secret } from "../../src/secret.ts";

const cwd = mkdtempSync(join(tmpdir(), "slipway-gates-"));
after(() => rmSync(cwd, { recursive: true, force: true }));
const env = { PATH: process.env["PATH"], PYTHONUNBUFFERED: "1" };

/** A gate that runs `code` in python3. */
const py = (code: string): string[] => ["python3", "-c", code];

/** The lines of a problem's output tail (after the line naming the gate, which may span lines). */
const tailOf = (message: string): string[] =>
  message.slice(message.indexOf(":\n", message.indexOf("` failed (exit ")) + 2).split("\n");

async function problemsOf(gates: string[][], timeoutMs?: number) {
  const started: string[][] = [];
  const problems = await gatePreflight(gates, {
    cwd,
    env,
    onGate: (argv) => started.push(argv),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
  return { problems, started };
}

test("the tail is the last 20 lines, stdout and stderr in the order they were printed", async () => {
  // A pause at each switch of stream: two pipes are read in the order their data arrives.
  const code = [
    "import sys, time",
    "for i in range(1, 31):",
    "    out = sys.stderr if i % 3 == 0 else sys.stdout",
    "    if i % 3 in (0, 1): time.sleep(0.05)",
    "    out.write(f'line {i}\\n')",
    "    out.flush()",
    "sys.exit(4)",
  ].join("\n");
  const { problems } = await problemsOf([py(code)]);
  assert.equal(problems.length, 1);
  assert.match(problems[0]!.message, /^gate `python3 -c .*` failed \(exit 4\):\n/s);
  assert.deepEqual(
    tailOf(problems[0]!.message),
    Array.from({ length: 20 }, (_, i) => `line ${i + 11}`),
  );
  assert.match(
    problems[0]!.hint,
    /^run `python3 -c .*` in the project, fix what it reports, and run again$/s,
  );
});

test("what a terminal would show: progress redrawn, escapes and controls gone, blank runs as one", async () => {
  const code = [
    "import sys",
    "w = sys.stdout.write",
    "w('\\x1b]0;a window title\\x07\\x1b[1;31mFAILED\\x1b[0m tests/test_a.py::test_x\\n')",
    "w('collecting 10%\\rcollecting 50%\\rcollected 3 items\\n')",
    "w('\\n\\n\\n\\n')",
    "w('bell\\x07 and nul\\x00 and tab\\tkept\\r\\n')",
    "w('\\n\\n\\n')",
    "sys.exit(1)",
  ].join("\n");
  const { problems } = await problemsOf([py(code)]);
  assert.deepEqual(tailOf(problems[0]!.message), [
    "FAILED tests/test_a.py::test_x",
    "collected 3 items",
    "",
    "bell and nul and tab\tkept",
  ]);
});

test("a long line is cut at a word: no piece of a token is left too short to be masked", async () => {
  const token = `pypi-AgEIcHlwaS5vcmc${"x".repeat(60)}`;
  new Secret("s3cr3t-gate-token-value");
  const words = `${"word ".repeat(45)}${token} tail`;
  assert.equal(gateOutputLine(words), `${"word ".repeat(45).trimEnd()}…`);
  assert.equal(gateOutputLine("y".repeat(5000)), "…");
  const code = [
    "import sys",
    `print('token: ${token}')`,
    "print('known: s3cr3t-gate-token-value and s3cr3t-gate-')",
    "sys.exit(1)",
  ].join("\n");
  const { problems } = await problemsOf([py(code)]);
  const message = problems[0]!.message;
  // In the command line shown and in the output alike.
  assert.doesNotMatch(message, /AgEIcHlwaS5vcmc|gate-token-value|s3cr3t-gate-/);
  assert.deepEqual(tailOf(message), ["token: pypi***", "known: *** and ***"]);
});

test("every gate runs, in order, after one failed; a gate that prints nothing says so", async () => {
  const gates = [
    py("import sys; sys.exit(2)"),
    py("print('fine')"),
    ["python3", "-c", "raise SystemExit(5)"],
  ];
  const { problems, started } = await problemsOf(gates);
  assert.deepEqual(started, gates);
  assert.deepEqual(
    problems.map((p) => p.message),
    [
      "gate `python3 -c 'import sys; sys.exit(2)'` failed (exit 2), printing nothing",
      "gate `python3 -c 'raise SystemExit(5)'` failed (exit 5), printing nothing",
    ],
  );
  assert.deepEqual((await problemsOf([py("print('fine')")])).problems, []);
});

test("a gate that cannot start, or hangs, is a problem; the hung one shows what it printed", async () => {
  const missing = await problemsOf([["slipway-no-such-gate-tool", "--check"]]);
  assert.match(
    missing.problems[0]!.message,
    /^gate `slipway-no-such-gate-tool --check` could not run: .*ENOENT/,
  );
  assert.equal(missing.problems[0]!.hint, "fix the command in [tool.slipway.release] gates");
  const hung = await problemsOf(
    [py("import sys, time\nprint('waiting for the database', flush=True)\ntime.sleep(60)")],
    1500,
  );
  assert.match(
    hung.problems[0]!.message,
    /could not run: .*timed out after 1500 ms; its output's end:\nwaiting for the database$/s,
  );
});

test("a gate that floods its output is read in bounded memory and linear time; only its end is kept", async () => {
  // 600 MiB of lines (more than V8's longest string: collected, it would crash the release),
  // then a line of 64 MiB without a newline.
  const code = [
    "import sys",
    "block = ('x' * 99 + '\\n') * 10486",
    "for _ in range(600): sys.stdout.write(block)",
    "sys.stdout.write('the end ' + 'z' * (64 << 20))",
    "sys.exit(1)",
  ].join("\n");
  const rss = process.memoryUsage().rss;
  const t0 = performance.now();
  const { problems } = await problemsOf([py(code)]);
  const ms = performance.now() - t0;
  const lines = tailOf(problems[0]!.message);
  assert.equal(lines.length, 20);
  assert.equal(lines.at(-1), "the end…");
  assert.equal(lines.at(-2), "x".repeat(99));
  assert.ok(process.memoryUsage().rss - rss < 256 * 1024 * 1024, "the output was held in memory");
  assert.ok(ms < 60_000, `took ${ms} ms`);
});

test("exec with collect: false hands every line to the handlers, cut at maxLineBytes, and keeps none", async () => {
  const seen: string[] = [];
  const result = await exec(
    py("import sys\nprint('a' * 50)\nprint('b', file=sys.stderr)\nprint('c', end='')"),
    {
      cwd,
      env,
      collect: false,
      maxLineBytes: 10,
      onStdoutLine: (line) => seen.push(`out ${line}`),
      onStderrLine: (line) => seen.push(`err ${line}`),
    },
  );
  assert.deepEqual([result.stdout, result.stderr], ["", ""]);
  assert.deepEqual(seen.sort(), ["err b", `out ${"a".repeat(10)}`, "out c"]);
});
