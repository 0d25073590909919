/**
 * `slipway cache info|prune` on a real cache directory in a temp dir: build environments laid
 * out as build-env.ts lays them out (venv tree, interpreter symlink, stamp), verdicts and
 * analyses written by the real caches, identities as readme-cache.ts keeps them. Last use is
 * set through mtimes, as every use sets it.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { after, describe, test } from "node:test";
import { openAnalysisCache } from "../../src/adapters/analysis-cache.ts";
import { leaseCacheEntry, pruneAfterNewEnv, recordEnvSize } from "../../src/adapters/cache-store.ts";
import { pruneWhenDue } from "../../src/adapters/cache-use.ts";
import { openVerdictCache } from "../../src/adapters/readme-cache.ts";
import { analyze } from "../../src/core/checks/description.ts";
import { ADVISORY_FIXTURES } from "../helpers/advisory-snapshot.ts";
import { runSlipway } from "../helpers/cli.ts";

const work = mkdtempSync(join(tmpdir(), "slipway-cache-"));
after(() => rmSync(work, { recursive: true, force: true }));
let serial = 0;
const fresh = (name: string) => join(work, `${name}-${++serial}`);

const DAY = 86_400_000;
const MiB = 1024 * 1024;

/** Sets `path`'s mtime (and atime) to `daysAgo` days before now; a symlink itself is not followed. */
function age(path: string, daysAgo: number): void {
  const when = new Date(Date.now() - daysAgo * DAY);
  utimesSync(path, when, when);
}

/** A build environment as build-env.ts leaves it, with `payload` bytes of "installed" packages. */
function fakeEnv(root: string, key: string, payload: number, daysAgo: number): string {
  const dir = join(root, "build-envs", key);
  const site = join(dir, "lib", "python3.12", "site-packages");
  mkdirSync(join(site, "setuptools"), { recursive: true });
  mkdirSync(join(dir, "bin"), { recursive: true });
  writeFileSync(join(dir, "pyvenv.cfg"), "home = /usr/bin\ninclude-system-site-packages = false\n");
  symlinkSync(process.execPath, join(dir, "bin", "python"));
  writeFileSync(join(site, "setuptools", "__init__.py"), Buffer.alloc(payload, 0x61));
  writeFileSync(join(dir, "slipway-env.json"), JSON.stringify({ key, requirements: ["setuptools"] }));
  age(join(dir, "slipway-env.json"), daysAgo);
  return dir;
}

interface Fixture {
  root: string;
  env: NodeJS.ProcessEnv;
}

/** Three environments (used 9, 5 and 1 days ago), two verdicts, two analyses, one identity. */
async function fixture(): Promise<Fixture> {
  const root = fresh("cache");
  // SLIPWAY_CACHE_MAX_SIZE=off: the caches' own automatic prune stays out of these tests' way.
  const env = {
    PATH: process.env["PATH"],
    HOME: join(work, "home"),
    SLIPWAY_CACHE_DIR: root,
    SLIPWAY_CACHE_MAX_SIZE: "off",
  };
  fakeEnv(root, "a".repeat(20), 1 * MiB, 9);
  fakeEnv(root, "b".repeat(20), 1 * MiB, 5);
  fakeEnv(root, "c".repeat(20), 1 * MiB, 1);
  const verdicts = openVerdictCache(env)!;
  const verdict = { renderer: "readme_renderer 44.0", ok: true, empty: false, messages: [] };
  await verdicts.put("1".repeat(64), verdict);
  await verdicts.put("2".repeat(64), verdict);
  const analyses = openAnalysisCache(env, "build-x")!;
  for (const text of ["# One\n", "# Two\n"]) {
    await analyses.put({ kind: "markdown", text }, analyze({ kind: "markdown", text }));
  }
  mkdirSync(join(root, "python-identity-v1"));
  writeFileSync(join(root, "python-identity-v1", `${"f".repeat(64)}.json`), '{"slot":"x"}');
  for (const file of files(root)) if (!file.startsWith("build-envs")) age(join(root, file), 3);
  age(join(root, "readme-v1", "22", `${"2".repeat(64)}.json`), 2);
  return { root, env };
}

/** Every path under `dir`, relative, with its mtime: a snapshot that any change shows in. */
function snapshot(dir: string): string[] {
  return files(dir).map((f) => `${f} ${lstatSync(join(dir, f)).mtimeMs}`);
}

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .map((d) => relative(dir, join(d.parentPath, d.name)))
    .sort();
}

function slipway(fx: Fixture, ...args: string[]) {
  const r = runSlipway(work, ["cache", ...args], fx.env);
  return { ...r, json: args.includes("--json") && r.stdout !== "" ? JSON.parse(r.stdout) : undefined };
}

describe("cache info", () => {
  test("the root and, per kind, entries, size and oldest and newest use; nothing changes", async () => {
    const fx = await fixture();
    const before = snapshot(fx.root);
    const r = slipway(fx, "info", "--json");
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json.root, fx.root);
    assert.equal(r.json.enabled, true);
    const kinds = Object.fromEntries(r.json.kinds.map((k: { kind: string }) => [k.kind, k]));
    assert.equal(kinds["build-envs"].entries, 3);
    assert.ok(kinds["build-envs"].size >= 3 * MiB && kinds["build-envs"].size < 3 * MiB + 200_000);
    assert.equal(kinds["verdicts"].entries, 2);
    assert.equal(kinds["analyses"].entries, 2);
    assert.equal(kinds["identities"].entries, 1);
    const days = (iso: string) => Math.round((Date.now() - Date.parse(iso)) / DAY);
    assert.equal(days(kinds["build-envs"].oldestUse), 9);
    assert.equal(days(kinds["build-envs"].newestUse), 1);
    assert.equal(days(kinds["verdicts"].newestUse), 2);
    assert.deepEqual(snapshot(fx.root), before);

    const text = slipway(fx, "info");
    assert.equal(text.code, 0);
    assert.match(text.stdout, /build environments +3 +3\.\d MiB +used \d{4}-\d\d-\d\d \.\. \d{4}-\d\d-\d\d/);
    assert.match(text.stdout, /automatic prune: cap off/);
  });

  test("an absent cache directory is an empty cache, and is not created", () => {
    const fx = { root: fresh("none"), env: { PATH: process.env["PATH"], SLIPWAY_CACHE_DIR: fresh("none") } };
    const r = slipway(fx, "info", "--json");
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json.total.entries, 0);
    assert.equal(existsSync(fx.env.SLIPWAY_CACHE_DIR), false);
    assert.equal(r.json.autoMaxSize, 2 * 1024 ** 3, "the default cap");
  });

  test("SLIPWAY_NO_CACHE: the directory is still shown, marked off", async () => {
    const fx = await fixture();
    const r = slipway({ ...fx, env: { ...fx.env, SLIPWAY_NO_CACHE: "1" } }, "info", "--json");
    assert.equal(r.json.root, fx.root);
    assert.equal(r.json.enabled, false);
    assert.equal(r.json.total.entries, 8);
  });
});

describe("cache prune", () => {
  test("removes the least recently used until under the cap, across kinds", async () => {
    const fx = await fixture();
    const all = slipway(fx, "prune", "--max-size", "0", "--dry-run", "--json").json;
    // Oldest first: env a (9 days), env b (5), the 3-day-old small entries, the verdict of 2 days, env c (1).
    const order = all.removed.map((r: { name: string }) => r.name);
    assert.deepEqual(order.slice(0, 2), [`build-envs/${"a".repeat(20)}`, `build-envs/${"b".repeat(20)}`]);
    assert.deepEqual(order.slice(-2), [
      `readme-v1/22/${"2".repeat(64)}.json`,
      `build-envs/${"c".repeat(20)}`,
    ]);
    // A cap that holds all but the two oldest environments.
    const sizes = all.removed.map((r: { size: number }) => r.size);
    const cap = sizes.slice(2).reduce((a: number, b: number) => a + b, 0);
    const r = slipway(fx, "prune", "--max-size", String(cap), "--json");
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      r.json.removed.map((x: { name: string }) => x.name),
      order.slice(0, 2),
    );
    assert.equal(r.json.sizeAfter, cap);
    assert.equal(existsSync(join(fx.root, "build-envs", "a".repeat(20))), false);
    assert.equal(existsSync(join(fx.root, "build-envs", "b".repeat(20))), false);
    assert.equal(existsSync(join(fx.root, "build-envs", "c".repeat(20), "bin", "python")), true);
    assert.equal(files(join(fx.root, "readme-v1")).filter((f) => f.endsWith(".json")).length, 2);
    // Nothing left half-removed: no trash beside the environments.
    assert.deepEqual(readdirSync(join(fx.root, "build-envs")), ["c".repeat(20)]);
    // Under the cap now: a second prune removes nothing.
    assert.deepEqual(slipway(fx, "prune", "--max-size", String(cap), "--json").json.removed, []);
  });

  test("--dry-run lists the same entries and changes nothing", async () => {
    const fx = await fixture();
    const before = snapshot(fx.root);
    const dry = slipway(fx, "prune", "--max-size", "1M", "--dry-run");
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /would remove build-envs\/a{20}/);
    assert.match(dry.stdout, /dry run: \d+ entries would be removed/);
    assert.deepEqual(snapshot(fx.root), before);
    const dryJson = slipway(fx, "prune", "--max-size", "1M", "--dry-run", "--json").json;
    const real = slipway(fx, "prune", "--max-size", "1M", "--json").json;
    assert.equal(dryJson.dryRun, true);
    assert.deepEqual(
      real.removed.map((r: { name: string }) => r.name),
      dryJson.removed.map((r: { name: string }) => r.name),
    );
  });

  test("--older-than removes the long unused; --kind limits the prune to one kind", async () => {
    const fx = await fixture();
    const old = slipway(fx, "prune", "--older-than", "4", "--json").json;
    assert.deepEqual(
      old.removed.map((r: { name: string; why: string }) => [r.name, r.why]),
      [
        [`build-envs/${"a".repeat(20)}`, "older-than"],
        [`build-envs/${"b".repeat(20)}`, "older-than"],
      ],
    );
    const envsOnly = slipway(fx, "prune", "--kind", "build-envs", "--max-size", "0", "--json").json;
    assert.deepEqual(
      envsOnly.removed.map((r: { name: string }) => r.name),
      [`build-envs/${"c".repeat(20)}`],
    );
    const info = slipway(fx, "info", "--json").json;
    assert.equal(info.total.entries, 5, "verdicts, analyses and the identity stay");
  });

  test("a symlink in the cache is never followed: what it points to survives", async () => {
    const fx = await fixture();
    const outside = fresh("outside");
    mkdirSync(join(outside, "deep"), { recursive: true });
    writeFileSync(join(outside, "precious.txt"), "keep me");
    writeFileSync(join(outside, "deep", "precious.json"), "{}");
    // An environment that is a symlink, a link inside an environment, a fan directory that is a link.
    symlinkSync(outside, join(fx.root, "build-envs", "d".repeat(20)));
    symlinkSync(outside, join(fakeEnv(fx.root, "e".repeat(20), 1000, 20), "lib", "escape"));
    symlinkSync(join(outside, "deep"), join(fx.root, "readme-v1", "ee"));
    symlinkSync(join(outside, "precious.txt"), join(fx.root, "readme-analysis-v1", "zz.json"));
    // Size records that would never end, or never begin, if they were read: a link to
    // /dev/zero, a FIFO no one writes.
    symlinkSync("/dev/zero", join(fx.root, "build-envs", "a".repeat(20), "slipway-size.json"));
    spawnSync("mkfifo", [join(fx.root, "build-envs", "b".repeat(20), "slipway-size.json")]);
    const r = slipway(fx, "prune", "--max-size", "0", "--json");
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.json.failed, []);
    assert.equal(readFileSync(join(outside, "precious.txt"), "utf8"), "keep me");
    assert.equal(existsSync(join(outside, "deep", "precious.json")), true);
    assert.deepEqual(files(outside), ["deep", "deep/precious.json", "precious.txt"]);
    // The links themselves are gone, with everything else.
    assert.equal(slipway(fx, "info", "--json").json.total.entries, 0);
  });

  test("a cache kind directory that is a symlink is not slipway's: left alone", async () => {
    const fx = await fixture();
    const outside = fresh("elsewhere");
    mkdirSync(join(outside, "aa"), { recursive: true });
    writeFileSync(join(outside, "aa", `${"a".repeat(64)}.json`), "{}");
    symlinkSync(outside, join(fx.root, "python-identity-v1-link"));
    rmSync(join(fx.root, "python-identity-v1"), { recursive: true });
    symlinkSync(outside, join(fx.root, "python-identity-v1"));
    const r = slipway(fx, "prune", "--max-size", "0", "--json");
    assert.equal(r.code, 0, r.stderr);
    assert.equal(existsSync(join(outside, "aa", `${"a".repeat(64)}.json`)), true);
  });

  test("an environment a running build holds is kept; its lease ends with the build", async () => {
    const fx = await fixture();
    const envs = join(fx.root, "build-envs");
    const lease = await leaseCacheEntry(envs, "a".repeat(20));
    const r = slipway(fx, "prune", "--max-size", "0", "--json");
    assert.equal(r.code, 0, r.stderr);
    assert.equal(existsSync(join(envs, "a".repeat(20), "slipway-env.json")), true);
    assert.equal(r.json.capUnmet, true);
    assert.match(slipway(fx, "prune", "--max-size", "0").stdout, /still over the cap/);
    assert.equal(slipway(fx, "info", "--json").json.kinds[0].inUse, 1);
    await lease.release();
    await lease.release(); // twice is fine
    slipway(fx, "prune", "--max-size", "0");
    assert.equal(existsSync(join(envs, "a".repeat(20))), false);
  });

  test("the lease of a build that was killed does not keep its environment forever", async () => {
    const fx = await fixture();
    const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], {
      encoding: "utf8",
    });
    const dead = Number(child.stdout);
    const leases = join(fx.root, ".in-use", "build-envs");
    mkdirSync(leases, { recursive: true });
    writeFileSync(
      join(leases, `${"a".repeat(20)}.${dead}.0000.lease`),
      JSON.stringify({ pid: dead, host: (await import("node:os")).hostname() }),
    );
    const r = slipway(fx, "prune", "--max-size", "0", "--kind", "build-envs", "--json");
    assert.equal(r.json.removed.length, 3, r.stdout);
    assert.deepEqual(readdirSync(leases), [], "the stale lease is dropped too");
  });

  test("a build that takes its lease while a prune removes that environment waits, then sees none of it", async () => {
    const fx = await fixture();
    const envs = join(fx.root, "build-envs");
    const key = "b".repeat(20);
    const marks = join(fx.root, ".in-use", "build-envs");
    mkdirSync(marks, { recursive: true });
    // A prune in the middle of removing `key`: it has marked the key and not yet renamed it away.
    writeFileSync(join(marks, `${key}.pruning`), "{}");
    let leased = false;
    const taking = leaseCacheEntry(envs, key).then((l) => {
      leased = true;
      return l;
    });
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(leased, false, "the build waits while the key is marked");
    rmSync(join(envs, key), { recursive: true }); // the prune's rename and delete
    rmSync(join(marks, `${key}.pruning`));
    const lease = await taking;
    assert.equal(existsSync(join(envs, key)), false);
    await lease.release();
  });

  test("prunes racing with builds taking leases never remove a leased environment", async () => {
    const fx = await fixture();
    const envs = join(fx.root, "build-envs");
    const keys = ["a", "b", "c"].map((c) => c.repeat(20));
    // Three CLI prunes with cap 0 run while this process leases each environment in turn and
    // checks, while it holds the lease, that the environment is whole.
    const prunes = [1, 2, 3].map(
      () =>
        new Promise<number | null>((resolve) => {
          const p = spawn(
            process.execPath,
            [
              join(import.meta.dirname, "../../src/cli/main.ts"),
              "cache",
              "prune",
              "--max-size",
              "0",
              "--kind",
              "build-envs",
            ],
            {
              env: fx.env,
              stdio: "ignore",
            },
          );
          p.on("exit", resolve);
        }),
    );
    const held: string[] = [];
    for (const key of keys) {
      const lease = await leaseCacheEntry(envs, key);
      if (existsSync(join(envs, key, "slipway-env.json"))) {
        held.push(key);
        await new Promise((resolve) => setTimeout(resolve, 200));
        assert.equal(existsSync(join(envs, key, "bin", "python")), true, `${key} removed while leased`);
        assert.equal(
          statSync(join(envs, key, "lib", "python3.12", "site-packages", "setuptools", "__init__.py")).size,
          MiB,
        );
      }
      await lease.release();
    }
    assert.deepEqual(await Promise.all(prunes), [0, 0, 0]);
  });

  test("leftovers of interrupted runs: trash goes, a live build's temp dir stays", async () => {
    const fx = await fixture();
    const envs = join(fx.root, "build-envs");
    mkdirSync(join(envs, ".trash-0123456789ab", "bin"), { recursive: true });
    const live = join(envs, `.tmp-${"f".repeat(20)}-${process.pid}-abcd`);
    mkdirSync(live);
    age(live, 2);
    const gone = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], {
      encoding: "utf8",
    });
    const dead = join(envs, `.tmp-${"f".repeat(20)}-${gone.stdout}-abcd`);
    mkdirSync(dead);
    age(dead, 2);
    const r = slipway(fx, "prune", "--json");
    assert.equal(r.json.leftovers.count, 2);
    assert.deepEqual(
      readdirSync(envs).filter((n) => n.startsWith(".")),
      [live.slice(envs.length + 1)],
    );
  });

  test("usage errors exit 2 and say what to do", async () => {
    const fx = await fixture();
    for (const args of [
      [],
      ["clean"],
      ["prune", "--max-size", "2Q"],
      ["prune", "--kind", "wheels"],
      ["prune", "--older-than", "soon"],
      ["info", "--max-size", "1G"],
    ]) {
      const r = slipway(fx, ...args);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, /^slipway cache: .+\nhint: /, args.join(" "));
    }
  });

  test("--help has examples; slipway --help lists the command", () => {
    const fx = { root: work, env: { PATH: process.env["PATH"] } };
    const r = slipway(fx, "--help");
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Examples:\n {2}slipway cache info/);
    const top = runSlipway(work, ["--help"], fx.env);
    assert.match(top.stdout, /\n {2}cache +show or prune/);
  });
});

describe("last use and the automatic prune", () => {
  test("a cache hit makes the entry recently used", async () => {
    const fx = await fixture();
    const verdictFile = join(fx.root, "readme-v1", "11", `${"1".repeat(64)}.json`);
    age(verdictFile, 30);
    assert.ok(await openVerdictCache(fx.env)!.get("1".repeat(64)));
    assert.ok(Date.now() - statSync(verdictFile).mtimeMs < 60_000);
    const analyses = openAnalysisCache(fx.env, "build-x")!;
    const [file] = files(join(fx.root, "readme-analysis-v1")).filter((f) => f.endsWith(".json"));
    const analysisFile = join(fx.root, "readme-analysis-v1", file!);
    for (const f of files(join(fx.root, "readme-analysis-v1")))
      age(join(fx.root, "readme-analysis-v1", f), 30);
    assert.ok(await analyses.get({ kind: "markdown", text: "# One\n" }));
    assert.ok(await analyses.get({ kind: "markdown", text: "# Two\n" }));
    assert.ok(Date.now() - statSync(analysisFile).mtimeMs < 60_000);
  });

  test("after storing, the whole cache is pruned to SLIPWAY_CACHE_MAX_SIZE, at most once a day", async () => {
    const fx = await fixture();
    const env = { ...fx.env, SLIPWAY_CACHE_MAX_SIZE: "1500K" };
    await pruneWhenDue(env);
    const left = readdirSync(join(fx.root, "build-envs"));
    assert.deepEqual(left, ["c".repeat(20)], "the two least recently used environments went");
    fakeEnv(fx.root, "d".repeat(20), 1 * MiB, 30);
    await pruneWhenDue(env);
    assert.equal(existsSync(join(fx.root, "build-envs", "d".repeat(20))), true, "not again the same day");
    age(join(fx.root, ".last-prune"), 1.1);
    await pruneWhenDue(env);
    assert.equal(existsSync(join(fx.root, "build-envs", "d".repeat(20))), false);
  });

  test("after a new environment, build environments are kept under the cap at once", async () => {
    const fx = await fixture();
    const made = fakeEnv(fx.root, "d".repeat(20), 1 * MiB, 0);
    await recordEnvSize(made);
    const recorded = JSON.parse(readFileSync(join(made, "slipway-size.json"), "utf8")).bytes;
    assert.ok(recorded > MiB && recorded < MiB + 100_000, String(recorded));
    await pruneAfterNewEnv({ ...fx.env, SLIPWAY_CACHE_MAX_SIZE: "2500K" });
    assert.deepEqual(readdirSync(join(fx.root, "build-envs")).sort(), ["c".repeat(20), "d".repeat(20)]);
    assert.equal(existsSync(join(fx.root, "readme-v1", "11")), true, "other kinds wait for the daily pass");
    await pruneAfterNewEnv({ ...fx.env, SLIPWAY_CACHE_MAX_SIZE: "off" });
    await pruneAfterNewEnv({ ...fx.env, SLIPWAY_NO_CACHE: "1", SLIPWAY_CACHE_MAX_SIZE: "0" });
    assert.equal(readdirSync(join(fx.root, "build-envs")).length, 2, "off, and no cache: nothing removed");
  });
});

describe("the caches of scan deps", () => {
  test("advisory indexes and lockfile reads are entries like the others; the downloaded feed is never pruned", () => {
    const root = fresh("scan-deps");
    const project = fresh("scan-deps-project");
    mkdirSync(project, { recursive: true });
    writeFileSync(join(project, "requirements.txt"), "jinja2==2.10\n");
    const env = { PATH: process.env["PATH"], HOME: work, SLIPWAY_CACHE_DIR: root };
    const scanDeps = () => runSlipway(project, ["scan", "deps", "--db", ADVISORY_FIXTURES, "--json"], env);
    assert.equal(scanDeps().code, 1, "jinja2 2.10 has advisories");
    // What `scan update-db` keeps: the user's data, not a cache entry.
    mkdirSync(join(root, "osv-pypi"), { recursive: true });
    writeFileSync(join(root, "osv-pypi", "current.json"), "{}");
    const info = JSON.parse(runSlipway(work, ["cache", "info", "--json"], env).stdout);
    const kinds = Object.fromEntries(info.kinds.map((k: { kind: string }) => [k.kind, k]));
    assert.equal(kinds["advisory-indexes"].entries, 2, "the index of the revision and the listings");
    assert.equal(kinds["lock-pins"].entries, 1);
    assert.equal(info.total.entries, 3);
    const pruned = JSON.parse(runSlipway(work, ["cache", "prune", "--max-size", "0", "--json"], env).stdout);
    assert.deepEqual(pruned.removed.map((r: { kind: string }) => r.kind).sort(), [
      "advisory-indexes",
      "advisory-indexes",
      "lock-pins",
    ]);
    assert.ok(existsSync(join(root, "osv-pypi", "current.json")), "the feed survives the prune");
    // The scan makes them again, with the same verdict.
    assert.equal(scanDeps().code, 1);
    assert.equal(JSON.parse(runSlipway(work, ["cache", "info", "--json"], env).stdout).total.entries, 3);
  });
});
