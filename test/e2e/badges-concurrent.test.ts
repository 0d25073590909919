/**
 * Concurrent `badges --write`: the README changes between read and write (deterministically,
 * through the hook right before the hash compare), and two real processes race on one README
 * many times. Whatever happens, the README is one whole version, no temp or lock file stays,
 * and a writer that lost says so (exit 1) instead of overwriting the other's change.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { SlipwayError } from "../../src/errors.ts";
import { writeReadmeBlock } from "../../src/ops/badges.ts";
import { CLI, runSlipway } from "../helpers/cli.ts";

const parent = mkdtempSync(join(tmpdir(), "slipway-badges-race-"));
after(() => rmSync(parent, { recursive: true, force: true }));

const env = () => ({ PATH: process.env["PATH"], HOME: parent }) as NodeJS.ProcessEnv;

test("a README changed between read and write is not overwritten; the writer says so", async () => {
  const dir = mkdtempSync(join(parent, "hook-"));
  const path = join(dir, "README.md");
  writeFileSync(path, "# T\n\nbody\n", { mode: 0o600 });
  const edited = "# T\n\nbody, edited by someone else\n";
  await assert.rejects(
    writeReadmeBlock({
      path,
      display: "README.md",
      lines: ["![b](u)"],
      format: "markdown",
      write: true,
      beforeCompare: async () => writeFileSync(path, edited),
    }),
    (error: unknown) =>
      error instanceof SlipwayError &&
      error.code === "conflict" &&
      /^README\.md changed while the badges were written; nothing was written$/.test(error.message),
  );
  assert.equal(readFileSync(path, "utf8"), edited);
  assert.deepEqual(readdirSync(dir), ["README.md"]);
  // Unchanged meanwhile (the hook touches nothing): written, the mode kept.
  const written = await writeReadmeBlock({
    path,
    display: "README.md",
    lines: ["![b](u)"],
    format: "markdown",
    write: true,
    beforeCompare: async () => {},
  });
  assert.equal(written.written, true);
  assert.equal(
    readFileSync(path, "utf8"),
    `# T\n\n<!-- slipway:badges:start -->\n![b](u)\n<!-- slipway:badges:end -->\n\nbody, edited by someone else\n`,
  );
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.deepEqual(readdirSync(dir), ["README.md"]);
});

function runAsync(
  cwd: string,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: env() });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

test("two processes racing on one README: one whole result, the loser reports the change", async (t) => {
  const dir = mkdtempSync(join(parent, "race-"));
  writeFileSync(join(dir, "pyproject.toml"), '[project]\nname = "demo"\nversion = "1"\n');
  const original = "# Demo\n\ntext\n";
  // The two complete outcomes, computed one at a time.
  const outcome = (gates: string) => {
    writeFileSync(join(dir, "README.md"), original);
    const r = runSlipway(dir, ["badges", "--write", "README.md", "--gates-status", gates], env());
    assert.equal(r.code, 0, r.stderr);
    return readFileSync(join(dir, "README.md"), "utf8");
  };
  const passing = outcome("passing");
  const failing = outcome("failing");
  assert.notEqual(passing, failing);
  let conflicts = 0;
  for (let round = 0; round < 8; round++) {
    writeFileSync(join(dir, "README.md"), original);
    const [a, b] = await Promise.all([
      runAsync(dir, ["badges", "--write", "README.md", "--gates-status", "passing"]),
      runAsync(dir, ["badges", "--write", "README.md", "--gates-status", "failing"]),
    ]);
    const final = readFileSync(join(dir, "README.md"), "utf8");
    assert.ok(final === passing || final === failing, `round ${round}: a half or mixed README:\n${final}`);
    assert.deepEqual(
      readdirSync(dir).sort(),
      ["README.md", "pyproject.toml"],
      `round ${round}: a temp or lock file stayed`,
    );
    for (const r of [a, b]) {
      assert.ok(r.code === 0 || r.code === 1, r.stderr);
      if (r.code === 1) {
        assert.match(
          r.stderr,
          /README\.md (changed while the badges were written|is being written by another process); nothing was written/,
        );
      }
    }
    assert.ok(a.code === 0 || b.code === 0, `round ${round}: neither wrote`);
    if (a.code === 1 || b.code === 1) {
      conflicts++;
      // The one that reported the change did not write: the README is the winner's.
      assert.equal(final, a.code === 0 ? passing : failing);
    }
  }
  // How often the two overlap is timing; every round kept the invariants either way.
  t.diagnostic(`${conflicts} of 8 rounds overlapped`);
});
