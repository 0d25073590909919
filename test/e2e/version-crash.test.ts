/**
 * Version edits killed with SIGKILL at random moments (a real child process, a real kill): every
 * file holds either its whole old text or its whole new text, never a mix inside a file; while
 * files disagree the journal is there; recovery (the next run) leaves every file old, or every
 * file new when the kill came after the last rename. See docs/version.md, "All or nothing".
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { recoverVersionEdit } from "../../src/ops/version.ts";
import { makeRepo, scratch, writeFiles } from "../helpers/git-repo.ts";
import { seededRandom } from "../helpers/random.ts";

const child = fileURLToPath(new URL("../helpers/version-apply-child.ts", import.meta.url));
const main = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
const work = scratch("slipway-version-crash-");
after(work.remove);

function files(version: string): Record<string, string> {
  return {
    "pyproject.toml": `[project]\nname = "demo-pkg"\nversion = "${version}"\n\n[tool.slipway.version]\nfiles = [{ path = "docs/install.md", kind = "marker" }]\n`,
    "src/demo_pkg/__init__.py": `__version__ = "${version}"\n`,
    "setup.cfg": `[metadata]\nversion = ${version}\n`,
    "docs/install.md": `pip install demo-pkg==${version}  <!-- slipway: version -->\n`,
  };
}
const OLD = files("1.2.3");
const NEW = files("1.2.4");
const PATHS = Object.keys(OLD);
const JOURNAL = ".slipway/version-edit.json";

function state(dir: string): ("old" | "new")[] {
  return PATHS.map((path) => {
    const text = readFileSync(join(dir, path), "utf8");
    assert.ok(
      text === OLD[path] || text === NEW[path],
      `${path} holds a whole old or new text, not ${JSON.stringify(text)}`,
    );
    return text === OLD[path] ? "old" : "new";
  });
}

function temps(dir: string): string[] {
  const walk = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() && e.name !== ".git"
        ? walk(join(d, e.name))
        : e.name.includes(".slipway-")
          ? [e.name]
          : [],
    );
  return walk(dir);
}

/** Runs the child; kills it `killAfter` ms after it announces `at` (or lets it finish). */
function crash(dir: string, pause: number, at: string, killAfter: number | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [child, dir, String(pause)], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    let armed = false;
    proc.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (!armed && killAfter !== undefined && out.split("\n").includes(at)) {
        armed = true;
        setTimeout(() => proc.kill("SIGKILL"), killAfter);
      }
    });
    proc.stderr.on("data", (chunk: Buffer) => {
      err += chunk.toString();
    });
    proc.on("error", reject);
    proc.on("close", (code, signal) => {
      if (signal === null && code !== 0) reject(new Error(`child failed (${code}): ${err}`));
      else resolve(out);
    });
  });
}

test("SIGKILL at 36 random points: whole files only, and recovery makes them all old or all new", async () => {
  const dir = makeRepo(work.dir, OLD);
  const random = seededRandom(440);
  const pause = 25;
  const outcomes = { untouched: 0, interrupted: 0, renamedNotCommitted: 0, finished: 0 };
  for (let run = 0; run < 36; run++) {
    writeFiles(dir, OLD);
    rmSync(join(dir, ".slipway"), { recursive: true, force: true });
    // Spread over the whole apply: staging, four renames with a pause after each, the commit.
    const killAfter = Math.floor(random() * (PATHS.length * pause + 60));
    await crash(dir, pause, "applying", killAfter);
    const seen = state(dir);
    const journal = existsSync(join(dir, JOURNAL));
    if (!journal) {
      assert.ok(
        seen.every((s) => s === seen[0]),
        `without a journal the files agree: ${seen}`,
      );
    }
    const recovered = await recoverVersionEdit(dir);
    assert.equal(recovered !== undefined, journal);
    const final = state(dir);
    // The journal's removal is the commit point: with it present, recovery rolls back.
    if (journal)
      assert.ok(
        final.every((s) => s === "old"),
        `a journal rolls back to old (run ${run})`,
      );
    assert.ok(
      final.every((s) => s === final[0]),
      `after recovery every file agrees (run ${run}): ${final}`,
    );
    assert.deepEqual(temps(dir), [], "no temp file survives recovery");
    assert.equal(existsSync(join(dir, JOURNAL)), false);
    if (journal && seen.some((s) => s !== seen[0])) outcomes.interrupted++;
    else if (journal) outcomes.renamedNotCommitted++;
    else if (final[0] === "new") outcomes.finished++;
    else outcomes.untouched++;
  }
  // The kills must have landed between renames, or this test proves nothing.
  assert.ok(outcomes.interrupted >= 5, `too few kills between renames: ${JSON.stringify(outcomes)}`);
});

test("the next 'slipway version bump' rolls an interrupted edit back, then bumps once", async () => {
  const dir = makeRepo(work.dir, OLD);
  await crash(dir, 400, "step 1", 0);
  // Renamed in plan order: pyproject.toml, then the configured docs/install.md.
  assert.deepEqual(state(dir), ["new", "old", "old", "new"]);
  const show = spawnSync(process.execPath, [main, "version", "show"], { cwd: dir, encoding: "utf8" });
  assert.equal(show.status, 1);
  assert.match(
    show.stderr,
    /interrupted version edit left \.slipway\/version-edit\.json.*\nhint: run 'slipway version recover'/,
  );
  const bump = spawnSync(process.execPath, [main, "version", "bump", "patch"], {
    cwd: dir,
    encoding: "utf8",
  });
  assert.equal(bump.status, 0, bump.stderr);
  assert.match(
    bump.stderr,
    /rolled back an interrupted edit \(version 1\.2\.3 → 1\.2\.4, started .*\): pyproject\.toml, docs\/install\.md/,
  );
  assert.deepEqual(state(dir), ["new", "new", "new", "new"], "1.2.4 everywhere: one bump, not two");
  assert.deepEqual(temps(dir), []);
});
