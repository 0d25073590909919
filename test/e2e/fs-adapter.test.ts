/**
 * adapters/fs.ts against the real file system: the atomic write leaves the old file or the whole
 * new one and never a temp, the exclusive creates never write through an existing name (a file,
 * a symlink, a dangling symlink), and the mode asked for is the mode the file gets, umask or not.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import {
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import {
  createExclusive,
  errnoOf,
  isTempBeside,
  listAsides,
  listDirIfExists,
  pathKind,
  readSmallRegularFile,
  readTextIfExists,
  removeDeadAsides,
  removeFile,
  tempBeside,
  tryCreateComplete,
  tryCreateExclusive,
  writeFileAtomic,
} from "../../src/adapters/fs.ts";
import { scratch } from "../helpers/git-repo.ts";

const work = scratch("slipway-fs-adapter-");
after(work.remove);

let n = 0;
/** A fresh empty directory per test. */
function dir(): string {
  const d = join(work.dir, `t${n++}`);
  mkdirSync(d);
  return d;
}

const modeOf = (path: string) => statSync(path).mode & 0o7777;

describe("writeFileAtomic", () => {
  test("replaces the content, with exactly the mode asked for, and leaves no temp", async () => {
    const d = dir();
    const path = join(d, "state.json");
    writeFileSync(path, "old\n");
    const umask = process.umask(0o077);
    try {
      await writeFileAtomic(path, "new\n", { mode: 0o664, durable: true });
    } finally {
      process.umask(umask);
    }
    assert.equal(readFileSync(path, "utf8"), "new\n");
    assert.equal(modeOf(path), 0o664, "the umask does not narrow the mode");
    assert.deepEqual(readdirSync(d), ["state.json"]);
    await writeFileAtomic(path, new Uint8Array([1, 2, 3]));
    assert.deepEqual([...readFileSync(path)], [1, 2, 3]);
    assert.equal(modeOf(path), 0o644, "the default mode");
  });

  test("a failed rename leaves the old content and no temp file", async () => {
    const d = dir();
    const path = join(d, "journal.json");
    writeFileSync(path, "old\n");
    const renamed: string[] = [];
    await assert.rejects(
      writeFileAtomic(path, "new\n", {
        calls: {
          rename: async (from) => {
            renamed.push(from);
            throw Object.assign(new Error("EIO: injected"), { code: "EIO" });
          },
        },
      }),
      /EIO: injected/,
    );
    assert.equal(renamed.length, 1);
    assert.ok(isTempBeside(renamed[0]!, path), `${renamed[0]} is a temp beside the file`);
    assert.equal(readFileSync(path, "utf8"), "old\n");
    assert.deepEqual(readdirSync(d), ["journal.json"]);
  });

  test("a real failure (a directory in the file's place) removes the temp and changes nothing", async () => {
    const d = dir();
    const path = join(d, "taken");
    mkdirSync(path);
    writeFileSync(join(path, "inside"), "x");
    await assert.rejects(writeFileAtomic(path, "new\n"), (error) => errnoOf(error) !== undefined);
    assert.deepEqual(readdirSync(d), ["taken"]);
    assert.deepEqual(readdirSync(path), ["inside"]);
  });

  test("a failure while writing the temp leaves the old content and no temp", async () => {
    const d = dir();
    const path = join(d, "cache.json");
    writeFileSync(path, "old\n");
    await assert.rejects(
      writeFileAtomic(path, "new\n", {
        calls: {
          writeFile: async (temp) => {
            writeFileSync(temp, "ne"); // half written, then the disk is full
            throw Object.assign(new Error("ENOSPC: injected"), { code: "ENOSPC" });
          },
        },
      }),
      /ENOSPC/,
    );
    assert.equal(readFileSync(path, "utf8"), "old\n");
    assert.deepEqual(readdirSync(d), ["cache.json"]);
  });

  test("mkdirs creates the parents; without it a missing parent is an error", async () => {
    const d = dir();
    await assert.rejects(writeFileAtomic(join(d, "a", "b.txt"), "x"), (error) => errnoOf(error) === "ENOENT");
    await writeFileAtomic(join(d, "a", "b.txt"), "x", { mkdirs: true });
    assert.equal(readFileSync(join(d, "a", "b.txt"), "utf8"), "x");
  });

  test("concurrent readers see the old or the whole new content, never a mix", async () => {
    const d = dir();
    const path = join(d, "big");
    const versions = ["a", "b", "c", "d"].map((c) => c.repeat(1 << 20));
    writeFileSync(path, versions[0]!);
    let reading = true;
    const seen = new Set<string>();
    const reader = (async () => {
      while (reading) {
        const text = readFileSync(path, "utf8");
        seen.add(text.length === 1 << 20 && text === text[0]!.repeat(1 << 20) ? text[0]! : "MIXED");
        await new Promise((r) => setImmediate(r));
      }
    })();
    for (const v of versions.slice(1)) await writeFileAtomic(path, v);
    reading = false;
    await reader;
    assert.ok(!seen.has("MIXED"), "no reader saw a half-written file");
    assert.equal(readFileSync(path, "utf8"), versions[3]);
  });
});

describe("exclusive create", () => {
  test("createExclusive refuses an existing file and leaves it as it was", async () => {
    const d = dir();
    const path = join(d, "f");
    writeFileSync(path, "mine\n");
    await assert.rejects(createExclusive(path, "theirs\n"), (error) => errnoOf(error) === "EEXIST");
    assert.equal(readFileSync(path, "utf8"), "mine\n");
    assert.equal(await tryCreateExclusive(path, "theirs\n"), false);
    assert.equal(readFileSync(path, "utf8"), "mine\n");
  });

  test("createExclusive never writes through a symlink, dangling or not", async () => {
    const d = dir();
    const target = join(d, "target");
    writeFileSync(target, "target\n");
    symlinkSync(target, join(d, "link"));
    symlinkSync(join(d, "nowhere"), join(d, "dangling"));
    await assert.rejects(createExclusive(join(d, "link"), "x"), (error) => errnoOf(error) === "EEXIST");
    await assert.rejects(createExclusive(join(d, "dangling"), "x"), (error) => errnoOf(error) === "EEXIST");
    assert.equal(readFileSync(target, "utf8"), "target\n");
    assert.equal(await pathKind(join(d, "nowhere")), undefined, "the dangling link's target was not created");
    assert.ok(lstatSync(join(d, "link")).isSymbolicLink());
  });

  test("createExclusive gives exactly the mode asked for", async () => {
    const d = dir();
    const umask = process.umask(0o077);
    try {
      await createExclusive(join(d, "a"), "x", { mode: 0o755 });
      assert.equal(await tryCreateExclusive(join(d, "b"), "x", { mode: 0o600, durable: true }), true);
    } finally {
      process.umask(umask);
    }
    assert.equal(modeOf(join(d, "a")), 0o755);
    assert.equal(modeOf(join(d, "b")), 0o600);
  });

  test("tryCreateComplete: one winner among concurrent creators, no temp left, symlinks refused", async () => {
    const d = dir();
    const path = join(d, "release.lock");
    const wins = await Promise.all(
      Array.from({ length: 8 }, (_, i) => tryCreateComplete(path, `holder ${i}\n`, { durable: true })),
    );
    assert.equal(wins.filter(Boolean).length, 1);
    const winner = wins.indexOf(true);
    assert.equal(readFileSync(path, "utf8"), `holder ${winner}\n`);
    assert.deepEqual(readdirSync(d), ["release.lock"]);
    symlinkSync(join(d, "nowhere"), join(d, "dangling"));
    assert.equal(await tryCreateComplete(join(d, "dangling"), "x"), false);
    assert.equal(await pathKind(join(d, "nowhere")), undefined);
    assert.deepEqual(readdirSync(d).sort(), ["dangling", "release.lock"]);
    assert.equal(await tryCreateComplete(join(d, "sub", "x"), "x", { mkdirs: true, mode: 0o600 }), true);
    assert.equal(modeOf(join(d, "sub", "x")), 0o600);
  });
});

test("asides a killed creator left are removed; a live writer's stay", async () => {
  const d = dir();
  const path = join(d, "version-edit.json");
  // A pid no process has (Linux caps pids far below this).
  const dead = join(d, ".version-edit.json.slipway-2147483646-0123456789ab.aside");
  const live = join(d, `.version-edit.json.slipway-${process.ppid}-0123456789ab.aside`);
  const other = join(d, ".other.json.slipway-2147483646-0123456789ab.aside");
  for (const f of [dead, live, other]) writeFileSync(f, "{}");
  assert.deepEqual((await listAsides(path)).map((a) => a.pid).sort(), [2147483646, process.ppid].sort());
  await removeDeadAsides(path);
  assert.deepEqual(readdirSync(d).sort(), [live, other].map((f) => f.slice(d.length + 1)).sort());
  assert.equal(await tryCreateComplete(path, "{}"), true);
  assert.deepEqual(
    (await listAsides(path)).map((a) => a.path),
    [live],
    "the create left no aside of its own",
  );
});

test("a write that fails after its aside was opened leaves neither the file nor the aside", async () => {
  const d = dir();
  const path = join(d, "release.lock");
  // Not bytes: the write fails after open(2) made the aside.
  await assert.rejects(tryCreateComplete(path, 42 as unknown as string), /data/);
  assert.deepEqual(readdirSync(d), []);
});

describe("reads and small helpers", () => {
  test("absent files read as undefined; other kinds are told apart", async () => {
    const d = dir();
    writeFileSync(join(d, "f"), "text");
    assert.equal(await readTextIfExists(join(d, "f")), "text");
    assert.equal(await readTextIfExists(join(d, "missing")), undefined);
    await assert.rejects(readTextIfExists(d), (error) => errnoOf(error) === "EISDIR");
    assert.equal(await pathKind(join(d, "f")), "file");
    assert.equal(await pathKind(d), "directory");
    assert.equal(await pathKind(join(d, "f", "under-a-file")), undefined);
    assert.deepEqual(await listDirIfExists(d), ["f"]);
    assert.equal(await listDirIfExists(join(d, "missing")), undefined);
    assert.equal(await removeFile(join(d, "f")), true);
    assert.equal(await removeFile(join(d, "f")), false);
  });

  test("temp names sit beside their file and are recognised only there", () => {
    const temp = tempBeside("/p/.slipway/release.json");
    assert.match(temp, /^\/p\/\.slipway\/\.release\.json\.slipway-[0-9a-f]{12}\.tmp$/);
    assert.ok(isTempBeside(temp, "/p/.slipway/release.json"));
    assert.ok(!isTempBeside(temp, "/p/release.json"), "another directory");
    assert.ok(!isTempBeside(temp, "/p/.slipway/other.json"), "another file");
    assert.ok(!isTempBeside("/p/.slipway/.release.json.slipway-../x.tmp", "/p/.slipway/release.json"));
    assert.notEqual(tempBeside("/p/a"), tempBeside("/p/a"));
  });
});

test("readSmallRegularFile reads a small regular file and nothing a planted name points at", async () => {
  const d = dir();
  writeFileSync(join(d, "entry.json"), '{"ok":true}');
  assert.equal(await readSmallRegularFile(join(d, "entry.json"), 64), '{"ok":true}');
  assert.equal(await readSmallRegularFile(join(d, "absent.json"), 64), undefined);
  // Larger than the bound: not read at all, not read in part.
  writeFileSync(join(d, "big.json"), "x".repeat(65));
  assert.equal(await readSmallRegularFile(join(d, "big.json"), 64), undefined);
  assert.equal(await readSmallRegularFile(join(d, "big.json"), 65), "x".repeat(65));
  // A symlink to a readable file is not followed.
  writeFileSync(join(d, "secret"), "not for the cache");
  symlinkSync(join(d, "secret"), join(d, "link.json"));
  assert.equal(await readSmallRegularFile(join(d, "link.json"), 64), undefined);
  // A FIFO would block a plain read forever; here it is refused at once.
  execFileSync("mkfifo", [join(d, "fifo.json")]);
  assert.equal(await readSmallRegularFile(join(d, "fifo.json"), 64), undefined);
  mkdirSync(join(d, "sub.json"));
  assert.equal(await readSmallRegularFile(join(d, "sub.json"), 64), undefined);
});
