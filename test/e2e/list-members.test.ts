/**
 * listArchive on real wheels and sdists written by the test helpers, and diffArtifacts on two
 * such files: identical builds diff empty, and each single change (a member's mtime, content or
 * owner, an extra member, the gzip header mtime) is reported as exactly that.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { gzipSync } from "node:zlib";
import { listArchive } from "../../src/adapters/archives/list-members.ts";
import { countDifferences, diffArtifacts, renderArtifactDiff } from "../../src/core/dist/artifact-diff.ts";
import { SlipwayError } from "../../src/errors.ts";
import { buildTar, gzipTar, type TarEntry } from "../helpers/tar-writer.ts";
import { buildZip, extraField, type ZipEntry } from "../helpers/zip-writer.ts";

const dir = mkdtempSync(join(tmpdir(), "slipway-list-"));
after(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;
const write = (bytes: Uint8Array, name: string): string => {
  const path = join(dir, `${counter++}-${name}`);
  writeFileSync(path, bytes);
  return path;
};
const sha256 = (data: string | Uint8Array) => createHash("sha256").update(data).digest("hex");

/** Lines explaining why the two archives differ, read from real files. */
async function explain(a: Uint8Array, b: Uint8Array, name: string): Promise<string[]> {
  const diff = diffArtifacts(await listArchive(write(a, name)), await listArchive(write(b, name)));
  return renderArtifactDiff(diff, { limit: 50 });
}

// 2023-11-14 22:13:20 and 22:13:22 as DOS date and time.
const DOS_DATE = (43 << 9) | (11 << 5) | 14;
const DOS_TIME = (22 << 11) | (13 << 5) | 10;
const wheelEntries = (): ZipEntry[] => [
  {
    name: "pkg/__init__.py",
    data: '__version__ = "1.0"\n',
    mode: 0o100644,
    dosDate: DOS_DATE,
    dosTime: DOS_TIME,
  },
  { name: "pkg/_stamp.py", data: "STAMP = 'a'\n", mode: 0o100644, dosDate: DOS_DATE, dosTime: DOS_TIME },
  { name: "pkg/data.bin", data: Buffer.alloc(3 * 1024 * 1024 + 17, 7), method: 0, mode: 0o100644 },
  { name: "pkg/big.txt", data: "line of text\n".repeat(300_000), mode: 0o100755 },
];
const wheel = (change: (entries: ZipEntry[]) => ZipEntry[] = (e) => e) =>
  buildZip({ entries: change(wheelEntries()) });
const WHL = "demo-1.0-py3-none-any.whl";

test("a wheel lists every member with its content's sha256, DOS mtime as UTC, mode and ZIP fields", async () => {
  const bytes = wheel();
  const listing = await listArchive(write(bytes, WHL));
  assert.equal(listing.sha256, sha256(bytes));
  assert.equal(listing.size, bytes.length);
  assert.deepEqual(listing.container, { format: "zip", comment: "" });
  assert.deepEqual(
    listing.members.map((m) => [m.name, m.kind, m.size, m.mode, m.sha256]),
    wheelEntries().map((e) => [
      e.name,
      "file",
      Buffer.from(e.data!).length,
      e.mode! & 0o7777,
      sha256(e.data!),
    ]),
  );
  assert.equal(listing.members[0]?.mtime, 1_700_000_000);
  assert.equal(listing.members[2]?.mtime, Date.UTC(1980, 0, 1) / 1000);
  assert.equal(listing.members[2]?.zip?.method, 0);
  assert.equal(listing.members[3]?.zip?.method, 8);
});

test("two identical wheels give an empty diff", async () => {
  const diff = diffArtifacts(await listArchive(write(wheel(), WHL)), await listArchive(write(wheel(), WHL)));
  assert.equal(diff.identical, true);
  assert.equal(countDifferences(diff), 0);
  assert.deepEqual(renderArtifactDiff(diff), []);
});

test("wheels: a changed mtime, changed content, an extra member and a move are each reported alone", async () => {
  const base = wheel();
  const mtime = wheel((es) => es.map((e, i) => (i === 1 ? { ...e, dosTime: DOS_TIME + 1 } : e)));
  assert.deepEqual(await explain(base, mtime, WHL), [
    "member pkg/_stamp.py: mtime 2023-11-14T22:13:20Z vs 2023-11-14T22:13:22Z",
  ]);
  const content = wheel((es) => es.map((e, i) => (i === 1 ? { ...e, data: "STAMP = 'b'\n" } : e)));
  assert.deepEqual(await explain(base, content, WHL), [
    `member pkg/_stamp.py: content differs (sha256 ${sha256("STAMP = 'a'\n").slice(0, 12)}… vs ${sha256("STAMP = 'b'\n").slice(0, 12)}…)`,
  ]);
  const extra = wheel((es) => [...es, { name: "pkg/extra.py", data: "x = 1\n", mode: 0o100644 }]);
  assert.deepEqual(await explain(base, extra, WHL), ["member pkg/extra.py: only in b"]);
  const moved = wheel((es) => [es[1]!, es[0]!, es[2]!, es[3]!]);
  assert.deepEqual(await explain(base, moved, WHL), ["member pkg/__init__.py: position 1 vs 2"]);
  const stored = wheel((es) => es.map((e, i) => (i === 0 ? { ...e, method: 0 } : e)));
  assert.deepEqual(await explain(base, stored, WHL), [
    "member pkg/__init__.py: compression method deflate vs stored",
  ]);
});

test("wheels: a 0x5455 extended timestamp change is an mtime, not an extra-field difference", async () => {
  const ut = (seconds: number) => {
    const data = Buffer.alloc(5);
    data[0] = 1;
    data.writeInt32LE(seconds, 1);
    return extraField(0x5455, data);
  };
  const withUt = (seconds: number) =>
    wheel((es) => es.map((e, i) => (i === 0 ? { ...e, extra: ut(seconds) } : e)));
  const a = await listArchive(write(withUt(1_700_000_000), WHL));
  assert.equal(a.members[0]?.zip?.extendedMtime, 1_700_000_000);
  assert.deepEqual(await explain(withUt(1_700_000_000), withUt(1_800_000_000), WHL), [
    "member pkg/__init__.py: mtime (0x5455) 2023-11-14T22:13:20Z vs 2027-01-15T08:00:00Z",
  ]);
});

const TOP = "demo-1.0";
const sdistEntries = (): TarEntry[] => [
  { name: `${TOP}/` },
  { name: `${TOP}/PKG-INFO`, data: "Metadata-Version: 2.4\nName: demo\nVersion: 1.0\n\n" },
  { name: `${TOP}/demo/_stamp.py`, data: "STAMP = 'a'\n" },
  { name: `${TOP}/demo/big.txt`, data: "sdist text\n".repeat(400_000) },
];
const tarOf = (change: (entries: TarEntry[]) => TarEntry[] = (e) => e) =>
  buildTar({ entries: change(sdistEntries()), record: true });
const sdist = (change?: (entries: TarEntry[]) => TarEntry[]) => gzipTar(tarOf(change));
const TGZ = "demo-1.0.tar.gz";
/** Rewrites a numeric header field (octal) of one member; `rechecksum` then fixes the checksum. */
const patchField = (at: number, width: number, value: number) => (block: Buffer) => {
  block.write(`${value.toString(8).padStart(width - 1, "0")}\0`, at, "latin1");
};

test("an sdist lists members with mtime, mode, owner and content sha256, and the gzip header", async () => {
  const bytes = sdist();
  const listing = await listArchive(write(bytes, TGZ));
  assert.equal(listing.sha256, sha256(bytes));
  assert.equal(listing.container.format, "tar.gz");
  if (listing.container.format !== "tar.gz") return;
  assert.equal(listing.container.gzip.mtime, 0);
  assert.equal(listing.container.tarSha256, sha256(tarOf()));
  assert.equal(listing.container.tarSize, tarOf().length);
  const stamp = listing.members[2]!;
  assert.deepEqual(
    [stamp.name, stamp.kind, stamp.size, stamp.mode, stamp.mtime, stamp.sha256],
    [`${TOP}/demo/_stamp.py`, "file", 12, 0o644, 1_700_000_000, sha256("STAMP = 'a'\n")],
  );
  assert.deepEqual(stamp.owner, { uid: 1000, gid: 1000, uname: "user", gname: "group" });
  assert.equal(listing.members[3]?.sha256, sha256("sdist text\n".repeat(400_000)));
  assert.equal(listing.members[0]?.kind, "dir");
});

test("sdists: identical, then one mtime, one content, one owner, one extra member", async () => {
  const base = sdist();
  const same = diffArtifacts(await listArchive(write(base, TGZ)), await listArchive(write(sdist(), TGZ)));
  assert.equal(countDifferences(same), 0);
  const at = (i: number, change: Partial<TarEntry>) =>
    sdist((es) => es.map((e, k) => (k === i ? { ...e, ...change } : e)));
  assert.deepEqual(
    await explain(base, at(2, { patch: patchField(136, 12, 1_795_314_600), rechecksum: true }), TGZ),
    [`member ${TOP}/demo/_stamp.py: mtime 2023-11-14T22:13:20Z vs 2026-11-22T02:30:00Z`],
  );
  assert.deepEqual(await explain(base, at(2, { data: "STAMP = 'b'\n" }), TGZ), [
    `member ${TOP}/demo/_stamp.py: content differs (sha256 ${sha256("STAMP = 'a'\n").slice(0, 12)}… vs ${sha256("STAMP = 'b'\n").slice(0, 12)}…)`,
  ]);
  assert.deepEqual(await explain(base, at(1, { patch: patchField(108, 8, 0), rechecksum: true }), TGZ), [
    `member ${TOP}/PKG-INFO: owner user:group (1000:1000) vs user:group (0:1000)`,
  ]);
  assert.deepEqual(await explain(base, at(2, { mode: 0o600 }), TGZ), [
    `member ${TOP}/demo/_stamp.py: mode 0644 vs 0600`,
  ]);
  const extra = sdist((es) => [...es, { name: `${TOP}/setup.cfg`, data: "[metadata]\n" }]);
  assert.deepEqual(await explain(base, extra, TGZ), [`member ${TOP}/setup.cfg: only in b`]);
});

test("sdists: the gzip header mtime alone, and the compression level alone", async () => {
  const tar = tarOf();
  const gz = (mtime: number, level = 6) => {
    const bytes = gzipSync(tar, { level });
    bytes.writeUInt32LE(mtime, 4);
    return bytes;
  };
  assert.deepEqual(await explain(gz(1_700_000_000), gz(1_700_000_123), TGZ), [
    "gzip header: mtime 1700000000 vs 1700000123",
  ]);
  const [fast, best] = [gz(0, 1), gz(0, 9)];
  const lines = await explain(fast, best, TGZ);
  assert.deepEqual(lines, [
    "gzip header: extra flags (XFL) 4 (fastest) vs 2 (maximum compression)",
    `gzip: compressed data size ${fast.length - 10} vs ${best.length - 10} (same tar stream: another compression level or zlib version)`,
  ]);
});

test("what cannot be listed whole is an error that names the file", async () => {
  const refuses = async (bytes: Uint8Array, pattern: RegExp) => {
    const path = write(bytes, "broken.tar.gz");
    await assert.rejects(listArchive(path), (error: unknown) => {
      assert.ok(error instanceof SlipwayError);
      assert.equal(error.code, "archive");
      assert.ok(error.message.includes(path), error.message);
      assert.match(error.message, pattern);
      return true;
    });
  };
  await refuses(Buffer.from("just some text, not an archive"), /neither gzip nor ZIP/);
  const whole = sdist();
  await refuses(whole.subarray(0, whole.length >> 1), /gzip stream is corrupt or truncated/);
  await refuses(gzipSync(Buffer.alloc(600, 0x41)), /not a tar archive/);
  const tar = tarOf();
  await refuses(gzipTar(tar.subarray(0, 2048)), /truncated inside the member/);
  // Without its end blocks the tar still lists whole (tarfile reads it too).
  const open = gzipTar(buildTar({ entries: sdistEntries(), end: false }));
  assert.equal((await listArchive(write(open, TGZ))).members.length, sdistEntries().length);
  const zip = wheel();
  const cut = Buffer.from(zip);
  cut.fill(0, 40, 80); // the first member's data: deflate that does not inflate
  await refuses(cut, /member "pkg\/__init__.py"/);
  await assert.rejects(listArchive(join(dir, "missing.whl")), (error: unknown) => {
    assert.ok(error instanceof SlipwayError);
    assert.equal(error.code, "io");
    return true;
  });
});
