/**
 * The cache commands on a real build environment: made by a real build (the peers Python and
 * the offline wheelhouse), listed with its recorded size, touched when a build reuses it, and
 * made again after a prune removed it.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { measureTree } from "../../src/adapters/cache-store.ts";
import { buildProjects } from "../helpers/build-project.ts";
import { runSlipway } from "../helpers/cli.ts";

const work = mkdtempSync(join(tmpdir(), "slipway-cache-build-"));
after(() => rmSync(work, { recursive: true, force: true }));

test("a real environment: listed with its size, touched on reuse, made again after a prune", async () => {
  const { env, project, run } = buildProjects(work);
  const cache = env["SLIPWAY_CACHE_DIR"]!;
  const cli = (...args: string[]) => {
    const r = runSlipway(work, ["cache", ...args, "--json"], {
      PATH: process.env["PATH"],
      SLIPWAY_CACHE_DIR: cache,
    });
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout);
  };
  const dir = project("examples/hatch-lib");
  const first = await run(dir, { outDir: join(dir, "a"), check: false, wheel: true });
  assert.equal(first.report.ok, true);
  const [key] = readdirSync(join(cache, "build-envs"));
  const envDir = join(cache, "build-envs", key!);

  const info = cli("info");
  const envs = info.kinds.find((k: { kind: string }) => k.kind === "build-envs");
  assert.equal(envs.entries, 1);
  assert.equal(envs.inUse, 0, "the build let go of its lease");
  assert.deepEqual(readdirSync(join(cache, ".in-use", "build-envs")), []);
  // The size recorded when the environment was made is what it takes on disk.
  const recorded = JSON.parse(readFileSync(join(envDir, "slipway-size.json"), "utf8")).bytes;
  const measured = await measureTree(envDir);
  assert.ok(Math.abs(recorded - measured) < 64 * 1024, `${recorded} vs ${measured}`);
  assert.equal(envs.size, recorded);

  // A reuse makes it recently used.
  const stamp = join(envDir, "slipway-env.json");
  const old = new Date(Date.now() - 10 * 86_400_000);
  utimesSync(stamp, old, old);
  const second = await run(dir, { outDir: join(dir, "b"), check: false, wheel: true });
  assert.deepEqual(
    second.events.filter((e) => e.type === "env").map((e) => (e.type === "env" ? e.reused : undefined)),
    [true],
  );
  assert.ok(Date.now() - statSync(stamp).mtimeMs < 120_000);

  const pruned = cli("prune", "--kind", "build-envs", "--max-size", "0");
  assert.deepEqual(
    pruned.removed.map((r: { name: string }) => r.name),
    [`build-envs/${key}`],
  );
  assert.deepEqual(readdirSync(join(cache, "build-envs")), []);
  const third = await run(dir, { outDir: join(dir, "c"), check: false, wheel: true });
  assert.equal(third.report.ok, true);
  assert.deepEqual(
    third.events.filter((e) => e.type === "env").map((e) => (e.type === "env" ? e.reused : undefined)),
    [false],
  );
});
