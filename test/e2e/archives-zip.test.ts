/**
 * readArtifact on real ZIP bytes written by test/helpers/zip-writer.ts: valid wheels (digests,
 * contents, the artifact's sha256) and every container rule (ART01–ART06, ART08) on crafted,
 * hostile archives. Each read must finish quickly and report, never throw.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { readArtifact } from "../../src/adapters/archives/read-artifact.ts";
import { bytesReader, has, ids, msg } from "../helpers/read-bytes.ts";
import {
  buildWheel,
  buildZip,
  extraField,
  recordHash,
  unicodePathExtra,
  type ZipEntry,
} from "../helpers/zip-writer.ts";

const { read, dir } = bytesReader("demo_pkg-1.0.0-py3-none-any.whl");

const entry = (
  name: string | Uint8Array,
  data: string | Uint8Array = "print('hi')\n",
  more: Partial<ZipEntry> = {},
): ZipEntry => ({
  name,
  data,
  mode: 0o100644,
  ...more,
});

test("a valid wheel reads without findings, with RECORD digests, contents and the file hash", async () => {
  const { bytes, filename } = buildWheel({ files: { "demo_pkg/data.txt": "x".repeat(5000) } });
  const m = await read(bytes, filename);
  assert.deepEqual(m.findings, []);
  assert.equal(m.kind, "wheel");
  assert.equal(m.readable, true);
  assert.equal(m.size, bytes.length);
  const data = m.members.find((x) => x.name === "demo_pkg/data.txt");
  assert.equal(data?.digests?.sha256, recordHash("x".repeat(5000)));
  assert.equal(data?.size, 5000);
  assert.equal(data?.mode, 0o644);
  assert.ok(m.contents.has("demo_pkg-1.0.0.dist-info/METADATA"));
  // RECORD is scanned as it is read, not kept: its rows are matched to the members.
  assert.ok(!m.contents.has("demo_pkg-1.0.0.dist-info/RECORD"));
  assert.equal(m.record?.path, "demo_pkg-1.0.0.dist-info/RECORD");
  assert.equal(m.record?.unusable, undefined);
  const position = m.members.findIndex((x) => x.name === "demo_pkg/data.txt");
  assert.equal(m.record?.lines[position], 2);
  assert.ok(!m.contents.has("demo_pkg/data.txt"));
});

for (const alg of ["sha384", "sha512", "blake2b", "blake2s", "sha3_256", "sha224"] as const) {
  test(`RECORD naming ${alg} gets ${alg} digests for every member, besides sha256`, async () => {
    const { bytes, filename } = buildWheel({ alg, files: { "demo_pkg/a.py": "a = 1\n" } });
    const m = await read(bytes, filename);
    const a = m.members.find((x) => x.name === "demo_pkg/a.py");
    assert.equal(a?.digests?.[alg], recordHash("a = 1\n", alg));
    assert.equal(a?.digests?.sha256, recordHash("a = 1\n"));
    assert.deepEqual(ids(m), []);
  });
}

test("large members stream through zlib and hash like small ones", async () => {
  const big = Buffer.alloc(3 * 1024 * 1024);
  for (let i = 0; i < big.length; i++) big[i] = (i * 7919) % 251;
  const { bytes, filename } = buildWheel({ files: { "demo_pkg/big.bin": big, "demo_pkg/stored.bin": big } });
  const stored = buildZip({
    entries: [entry("demo_pkg/stored.bin", big, { method: 0 }), entry("demo_pkg/big.bin", big)],
  });
  for (const archive of [bytes, stored]) {
    const m = await read(archive, filename);
    for (const name of ["demo_pkg/big.bin", "demo_pkg/stored.bin"]) {
      assert.equal(m.members.find((x) => x.name === name)?.digests?.sha256, recordHash(big));
    }
    assert.deepEqual(ids(m, "error"), []);
  }
});

test("ART01 fails on a file that is not a ZIP, an empty file and a truncated archive", async () => {
  const { bytes, filename } = buildWheel({});
  for (const broken of [
    Buffer.from("not a zip at all\n".repeat(20)),
    Buffer.alloc(0),
    bytes.subarray(0, bytes.length >> 1),
  ]) {
    const m = await read(broken, filename);
    assert.ok(has(m, "ART01"), ids(m).join());
    assert.equal(m.readable, false);
  }
});

test("ART01 fails on a central directory offset outside the file and on a broken directory", async () => {
  const entries = [entry("demo_pkg/a.py")];
  const farOffset = await read(buildZip({ entries, end: { cdOffset: 10_000_000 } }));
  assert.ok(has(farOffset, "ART01"));
  const badCd = buildZip({ entries });
  const at = badCd.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  badCd[at + 2] = 0x09;
  const m = await read(badCd);
  assert.ok(has(m, "ART01"), msg(m, "ART01"));
  assert.equal(m.readable, false);
});

test("ART01 fails on a local header offset that points nowhere, corrupt data and a CRC mismatch", async () => {
  const offset = await read(
    buildZip({ entries: [entry("a.py", "x = 1\n", { central: { offset: 99_999 } })] }),
  );
  assert.match(msg(offset, "ART01"), /outside the archive data/);
  const corrupt = await read(
    buildZip({ entries: [entry("a.py", "x = 1\n", { compressed: Buffer.from([1, 2, 3, 4, 5]) })] }),
  );
  assert.match(msg(corrupt, "ART01"), /a\.py/);
  const crc = await read(
    buildZip({ entries: [entry("a.py", "x = 1\n", { local: { crc: 1 }, central: { crc: 1 } })] }),
  );
  assert.match(msg(crc, "ART01"), /CRC-32/);
  assert.equal(crc.members[0]?.digests, undefined);
});

test("ART01 fails on encrypted members, ZIP versions Python refuses and a UTF-8 flag on invalid UTF-8", async () => {
  const encrypted = await read(buildZip({ entries: [entry("a.py", "x", { flags: 1 })] }));
  assert.match(msg(encrypted, "ART01"), /encrypted/);
  const version = await read(buildZip({ entries: [entry("a.py", "x", { central: { versionNeeded: 64 } })] }));
  assert.ok(has(version, "ART01"));
  const badUtf8 = await read(
    buildZip({ entries: [entry(Buffer.from([0x61, 0xff, 0x2e]), "x", { utf8Flag: true })] }),
  );
  assert.ok(has(badUtf8, "ART01"));
});

test("ART01 fails on a polyglot that is a tar archive and a ZIP at once", async () => {
  const { buildTar } = await import("../helpers/tar-writer.ts");
  const tar = buildTar({ entries: [{ name: "x/a.txt", data: "hello" }] });
  const zip = buildZip({ entries: [entry("demo_pkg/a.py")] });
  const m = await read(Buffer.concat([tar, zip]));
  assert.match(msg(m, "ART01"), /polyglot/);
  assert.ok(has(m, "ART05"));
});

test("ART02 fails on bzip2, LZMA and unknown compression methods and passes stored and deflate", async () => {
  for (const method of [12, 14, 93, 99]) {
    const m = await read(buildZip({ entries: [entry("a.py", "x = 1\n", { method })] }));
    assert.ok(has(m, "ART02"), `method ${method}`);
    assert.equal(m.members[0]?.digests, undefined);
  }
  const ok = await read(
    buildZip({ entries: [entry("a.py", "x = 1\n", { method: 0 }), entry("b.py", "y = 2\n", { method: 8 })] }),
  );
  assert.deepEqual(ids(ok), []);
});

/** Raw deflate of `size` zero bytes, built in pieces so the test never holds them. */
async function deflatedZeros(size: number): Promise<Buffer> {
  const { createDeflateRaw } = await import("node:zlib");
  const deflate = createDeflateRaw({ level: 9 });
  const out: Buffer[] = [];
  deflate.on("data", (c: Buffer) => out.push(c));
  const done = new Promise((resolve) => deflate.on("end", resolve));
  const zeros = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < size / zeros.length; i++) {
    if (!deflate.write(zeros)) await new Promise((resolve) => deflate.once("drain", resolve));
  }
  deflate.end();
  await done;
  return Buffer.concat(out);
}

test("ART03 fails on a real zip bomb from the declared sizes, without inflating it", async () => {
  const size = 80 * 1024 * 1024;
  const compressed = await deflatedZeros(size);
  const bomb = buildZip({
    entries: [
      { name: "bomb.bin", compressed, method: 8, central: { size, crc: 0 }, local: { size, crc: 0 } },
      entry("demo_pkg-1.0.0.dist-info/METADATA", "Metadata-Version: 2.4\n"),
    ],
  });
  assert.ok(bomb.length < 200_000);
  const rssBefore = process.memoryUsage().rss;
  const m = await read(bomb);
  assert.ok(
    process.memoryUsage().rss - rssBefore < 64 * 1024 * 1024,
    "the bomb is never inflated into memory",
  );
  assert.match(msg(m, "ART03"), /ratio/);
  assert.equal(m.members[0]?.digests, undefined);
  // The small metadata members are still read, so the report is about the bomb only.
  assert.ok(m.contents.has("demo_pkg-1.0.0.dist-info/METADATA"));
});

test("ART03 passes a well-compressed wheel under 64 MiB", async () => {
  const { bytes, filename } = buildWheel({ files: { "demo_pkg/zeros.txt": "0".repeat(2_000_000) } });
  const m = await read(bytes, filename);
  assert.deepEqual(ids(m), []);
});

test("a member that inflates past its declared size is stopped and reported (small and streamed)", async () => {
  const compressed = await deflatedZeros(64 * 1024 * 1024);
  for (const declared of [1000, 2 * 1024 * 1024]) {
    const m = await read(
      buildZip({
        entries: [
          { name: "liar.bin", compressed, method: 8, central: { size: declared }, local: { size: declared } },
        ],
      }),
    );
    assert.match(msg(m, "ART01"), /more than its declared size/);
    assert.equal(m.members[0]?.digests, undefined);
  }
});

test("ART04 warns on a file above 100 MiB", async () => {
  const path = join(dir, "huge-1.0.0-py3-none-any.whl");
  const { openSync, ftruncateSync, closeSync } = await import("node:fs");
  const fd = openSync(path, "w");
  ftruncateSync(fd, 101 * 1024 * 1024);
  closeSync(fd);
  const m = await readArtifact(path);
  assert.ok(has(m, "ART04", "warning"));
  const small = await read(buildWheel({}).bytes);
  assert.ok(!ids(small).includes("ART04"));
});

test("ART05 fails on a data descriptor (bit 3), streamed the way zip writers do", async () => {
  const m = await read(
    buildZip({ entries: [entry("a.py", "x = 1\n", { dataDescriptor: true }), entry("b.py")] }),
  );
  assert.match(msg(m, "ART05"), /data descriptor/);
  assert.ok(
    m.members.every((x) => x.digests?.sha256 !== undefined),
    "content is still read",
  );
});

test("ART05 fails on comments in the central directory but allows an archive comment", async () => {
  const commented = await read(buildZip({ entries: [entry("a.py", "x", { central: { comment: "hi" } })] }));
  assert.match(msg(commented, "ART05"), /comment/);
  const archiveComment = await read(buildZip({ entries: [entry("a.py")], comment: "built by test" }));
  assert.deepEqual(ids(archiveComment), []);
});

test("ART05 fails on duplicate names", async () => {
  const m = await read(buildZip({ entries: [entry("a.py", "x = 1\n"), entry("a.py", "x = 2\n")] }));
  assert.match(msg(m, "ART05"), /more than once/);
});

test("ART05 fails when local header sizes disagree with the central directory", async () => {
  const m = await read(buildZip({ entries: [entry("a.py", "x = 1\n", { local: { size: 3 } })] }));
  assert.match(msg(m, "ART05"), /size 3 in the local header/);
});

test("ART01 fails when the local header names another file than the directory", async () => {
  const m = await read(buildZip({ entries: [entry("a.py", "x = 1\n", { local: { name: "b.py" } })] }));
  assert.match(msg(m, "ART01"), /local header names it "b.py"/);
});

test("ART05 fails on multi-disk records, a wrong entry count and trailing or leading bytes", async () => {
  const entries = [entry("a.py")];
  assert.match(msg(await read(buildZip({ entries, end: { disk: 1, cdDisk: 1 } })), "ART05"), /multi-disk/);
  assert.match(
    msg(await read(buildZip({ entries, end: { entries: 2, entriesOnDisk: 2 } })), "ART05"),
    /declares 2 entries/,
  );
  assert.match(
    msg(await read(buildZip({ entries, append: Buffer.from("APPENDED") })), "ART05"),
    /follow the end/,
  );
  assert.match(
    msg(await read(buildZip({ entries, prepend: Buffer.from("#!/bin/sh\nexit\n") })), "ART05"),
    /precede/,
  );
});

test("ART05 fails on unknown bytes between records and on a local header hidden from the directory", async () => {
  const gap = await read(
    buildZip({ entries: [entry("a.py", "x", { after: Buffer.from("JUNKJUNKJUNK") }), entry("b.py")] }),
  );
  assert.match(msg(gap, "ART05"), /unexpected bytes/);
  const hidden = await read(
    buildZip({ entries: [entry("a.py"), entry("evil.py", "import os\n", { skipCentral: true })] }),
  );
  assert.match(msg(hidden, "ART05"), /"evil.py".*no central directory entry/);
});

test("ART05 fails on overlapping entries and still reads them by position", async () => {
  const inner = buildZip({ entries: [entry("inner.py", "y = 2\n", { method: 0 })] });
  const innerHeader = inner.subarray(0, inner.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])));
  const outer = buildZip({
    entries: [entry("outer.bin", innerHeader, { method: 0 })],
    extraCentral: [
      {
        name: "inner.py",
        offset: 30 + "outer.bin".length,
        size: 6,
        compressedSize: 6,
        crc: (await import("node:zlib")).crc32("y = 2\n"),
        method: 0,
      },
    ],
  });
  const m = await read(outer);
  assert.match(msg(m, "ART05"), /overlapping/);
  assert.equal(m.members.find((x) => x.name === "inner.py")?.digests?.sha256, recordHash("y = 2\n"));
});

test("ART05 fails on ZIP64 extensible data, duplicate extras and a bad ZIP64 extra length", async () => {
  const entries = [entry("a.py", "x = 1\n", { zip64: true })];
  const valid = await read(buildZip({ entries, zip64End: {} }));
  assert.deepEqual(ids(valid), [], valid.findings.map((f) => f.message).join());
  assert.equal(valid.members[0]?.digests?.sha256, recordHash("x = 1\n"));
  const extensible = await read(buildZip({ entries, zip64End: { extensible: Buffer.alloc(8) } }));
  assert.ok(has(extensible, "ART05") || has(extensible, "ART01"));
  const twice = extraField(1, Buffer.alloc(0));
  const dup = await read(
    buildZip({ entries: [entry("a.py", "x", { local: { extra: Buffer.concat([twice, twice]) } })] }),
  );
  assert.match(msg(dup, "ART05"), /duplicate extra field 0x0001/);
  const badLength = await read(
    buildZip({ entries: [entry("a.py", "x", { local: { extra: extraField(1, Buffer.alloc(4)) } })] }),
  );
  assert.match(msg(badLength, "ART05"), /invalid length 4/);
});

test("ART06 fails on control characters, invalid UTF-8 and unflagged non-ASCII names", async () => {
  const control = await read(buildZip({ entries: [entry("a\nb.py")] }));
  assert.match(msg(control, "ART06"), /control character/);
  const latin1Name = Buffer.from([0x61, 0xe9, 0x2e, 0x70, 0x79]);
  const invalid = await read(buildZip({ entries: [entry(latin1Name, "x", { utf8Flag: false })] }));
  assert.match(msg(invalid, "ART06"), /not valid UTF-8/);
  const unflagged = await read(buildZip({ entries: [entry("café.py", "x", { utf8Flag: false })] }));
  assert.match(msg(unflagged, "ART06"), /without the UTF-8 flag/);
  const flagged = await read(buildZip({ entries: [entry("café.py")] }));
  assert.deepEqual(ids(flagged), []);
  assert.equal(flagged.members[0]?.name, "café.py");
});

test("ART06 checks the Unicode path extra field", async () => {
  const bad = unicodePathExtra("a.py", Buffer.from([0xff, 0xfe]));
  const m = await read(buildZip({ entries: [entry("a.py", "x", { extra: bad })] }));
  assert.match(msg(m, "ART06"), /Unicode path extra field is not valid UTF-8/);
});

test("ART08 fails on a legacy .zip sdist with two top-level directories and passes one", async () => {
  const two = await read(buildZip({ entries: [entry("a-1.0/PKG-INFO"), entry("b/x.py")] }), "a-1.0.zip");
  assert.equal(two.kind, "sdist");
  assert.ok(has(two, "ART08"));
  const one = await read(buildZip({ entries: [entry("a-1.0/PKG-INFO"), entry("a-1.0/x.py")] }), "a-1.0.zip");
  assert.ok(!ids(one).includes("ART08"));
});

test("an unknown extension is reported, not read", async () => {
  const m = await read(Buffer.from("hello"), "demo-1.0.tar.bz2");
  assert.equal(m.kind, "unknown");
  assert.equal(m.readable, false);
  assert.match(msg(m, "ART01"), /not a \.whl, \.tar\.gz or \.zip/);
});

test("findings name the file as displayed", async () => {
  const path = join(dir, "shown-1.0-py3-none-any.whl");
  writeFileSync(path, "junk");
  const m = await readArtifact(path, { display: "dist/shown-1.0-py3-none-any.whl" });
  assert.equal(m.findings[0]?.location.file, "dist/shown-1.0-py3-none-any.whl");
});

test("a missing file throws a coded io error", async () => {
  await assert.rejects(
    readArtifact(join(dir, "nope.whl")),
    (e: Error & { code?: string }) => e.code === "io",
  );
});

test("an aborted read rejects with the abort reason", async () => {
  const { bytes, filename } = buildWheel({});
  const path = join(dir, filename);
  writeFileSync(path, bytes);
  const controller = new AbortController();
  controller.abort(new Error("stop"));
  await assert.rejects(readArtifact(path, { signal: controller.signal }), /stop/);
});

test("ART11 fails on members too deep or too long to create, and reads 3 x 30,000 levels in linear work", async () => {
  const deep = (levels: number, leaf: string) => `demo_pkg/${"d/".repeat(levels)}${leaf}`;
  const files = {
    [deep(999, "a.py")]: "a = 1\n",
    [`demo_pkg/${`${"p".repeat(200)}/`.repeat(21)}b.py`]: "b = 1\n",
    [`demo_pkg/${"n".repeat(300)}.py`]: "c = 1\n",
    [deep(898, "ok.py")]: "ok = 1\n",
  };
  const m = await read(buildWheel({ files }).bytes);
  const art11 = m.findings.filter((f) => f.id === "ART11");
  assert.deepEqual(
    art11.map((f) => [f.severity, f.location.member?.slice(-6)]),
    [
      ["error", "d/a.py"],
      ["error", "p/b.py"],
      ["error", "nnn.py"],
    ],
  );
  assert.match(
    art11[0]!.message,
    /is 1000 directories deep: installers create directories with os\.makedirs/,
  );
  assert.match(art11[1]!.message, /has a path of 4234 bytes/);
  assert.match(art11[2]!.message, /has a name of 303 bytes/);
  // The issue's case: three members 30,000 directories deep, listed in RECORD (was 50 s, 3.4 GB).
  const hostile = await read(
    buildWheel({ files: Object.fromEntries([1, 2, 3].map((k) => [deep(30_000, `f${k}.py`), ""])) }).bytes,
  );
  assert.equal(hostile.findings.filter((f) => f.id === "ART11").length, 3);
  // Matching RECORD to the members walked each path once: ~2 x 3 x 30,000 segments.
  assert.ok((hostile.record?.work ?? 0) < 400_000, `RECORD work ${hostile.record?.work}`);
});

test("ART12 fails when METADATA is too large to check instead of letting its checks pass unrun", async () => {
  const huge = `Metadata-Version: 2.4\nName: demo_pkg\nVersion: 1.0.0\n\n${"x".repeat(17 * 1024 * 1024)}`;
  const m = await read(buildWheel({ tamper: { "demo_pkg-1.0.0.dist-info/METADATA": huge } }).bytes);
  assert.ok(has(m, "ART12"), msg(m, "ART12"));
  assert.match(
    msg(m, "ART12"),
    /METADATA" is 17825845 bytes: more than slipway reads of a file its checks need/,
  );
  assert.ok(!m.contents.has("demo_pkg-1.0.0.dist-info/METADATA"));
});
