/** The exec adapter against real processes: results, failures that show the command, timeouts. */
import assert from "node:assert/strict";
import { tmpdir } from "node:os";
import { test } from "node:test";
import { exec } from "../../src/adapters/exec.ts";
import { SlipwayError } from "../../src/errors.ts";

const env = { PATH: process.env["PATH"] };

test("exec returns stdout, stderr and the exit code, with stdin delivered", async () => {
  const r = await exec(["sh", "-c", 'read x; echo "out:$x"; echo err >&2'], {
    cwd: tmpdir(),
    env,
    input: "hi\n",
  });
  assert.equal(r.code, 0);
  assert.equal(r.stdout, "out:hi\n");
  assert.equal(r.stderr, "err\n");
});

test("a non-zero exit throws with the command line and the tail of stderr, or is returned with check: false", async () => {
  await assert.rejects(exec(["sh", "-c", "echo boom >&2; exit 3"], { cwd: tmpdir(), env }), (e: unknown) => {
    assert.ok(e instanceof SlipwayError);
    assert.match(e.message, /^sh -c 'echo boom >&2; exit 3' exited with 3\nboom$/);
    return true;
  });
  const r = await exec(["sh", "-c", "exit 4"], { cwd: tmpdir(), env, check: false });
  assert.equal(r.code, 4);
});

test("a missing program fails at once with a hint, without waiting for the timeout", async () => {
  const started = process.hrtime.bigint();
  await assert.rejects(
    exec(["slipway-no-such-program"], { cwd: tmpdir(), env, timeoutMs: 30_000 }),
    (e: unknown) => {
      assert.ok(e instanceof SlipwayError);
      assert.match(e.hint ?? "", /installed and on PATH/);
      return true;
    },
  );
  assert.ok(Number(process.hrtime.bigint() - started) / 1e6 < 5_000);
});

test("a hung process is killed at the timeout and reported as such", async () => {
  await assert.rejects(
    exec(["sleep", "30"], { cwd: tmpdir(), env, timeoutMs: 300 }),
    /timed out after 300 ms/,
  );
});
