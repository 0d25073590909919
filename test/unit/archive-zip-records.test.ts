/**
 * The pure ZIP record parsers and framing rules (core/archive/zip-*.ts) on bytes written by the
 * test zip writer: end-record search as CPython does it, ZIP64, central directory entries,
 * local-header rules from warehouse utils/zipfiles.py.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  analyzeEnd,
  checkCentralDirectory,
  checkCentralEntry,
  checkName,
  isBomb,
} from "../../src/core/archive/zip-layout.ts";
import {
  checkLocalHeader,
  descriptorLength,
  localSizes,
  walkOrder,
} from "../../src/core/archive/zip-local.ts";
import {
  type CentralEntry,
  findEocd,
  parseCentralDirectory,
  parseEnd,
  parseExtras,
  parseLocalHeader,
  TAIL_SIZE,
  unixMode,
} from "../../src/core/archive/zip-records.ts";
import { buildZip, extraField, type ZipEntry } from "../helpers/zip-writer.ts";

const e = (name: string, more: Partial<ZipEntry> = {}): ZipEntry => ({
  name,
  data: "print(1)\n",
  mode: 0o100644,
  ...more,
});
const tail = (zip: Buffer) => zip.subarray(Math.max(0, zip.length - TAIL_SIZE));
const end = (zip: Buffer) => analyzeEnd(tail(zip), zip.length, { maxCdSize: 1 << 24 });
/** The central directory entries of `zip`, parsed. */
function central(zip: Buffer): CentralEntry[] {
  const a = end(zip);
  return parseCentralDirectory(zip.subarray(a.cdStart, a.cdStart + a.cdSize), 1000).entries;
}

test("findEocd finds the end record at the end, behind an archive comment, and not in junk", () => {
  const plain = buildZip({ entries: [e("a.py")] });
  assert.equal(findEocd(tail(plain), plain.length), plain.length - 22);
  const commented = buildZip({ entries: [e("a.py")], comment: "x".repeat(1000) });
  assert.equal(findEocd(tail(commented), commented.length), commented.length - 22 - 1000);
  assert.equal(findEocd(Buffer.from("no archive here"), 15), undefined);
  // A signature without a complete record after it is not an end record.
  const cut = Buffer.concat([Buffer.from("abc"), Buffer.from([0x50, 0x4b, 0x05, 0x06, 0, 0])]);
  assert.equal(findEocd(cut, cut.length), undefined);
  // An end record at the very start of the tail (an empty archive with a comment, so the search
  // walks back to byte 0), and tails too short for one.
  const empty = buildZip({ entries: [], comment: "note" });
  assert.equal(findEocd(tail(empty), empty.length), 0);
  assert.equal(findEocd(Buffer.from([0x50, 0x4b]), 2), undefined);
  assert.equal(findEocd(Buffer.alloc(0), 0), undefined);
});

test("parseEnd reads the EOCD and the ZIP64 locator and record before it", () => {
  const zip = buildZip({ entries: [e("a.py", { zip64: true })], zip64End: {} });
  const parsed = parseEnd(tail(zip), zip.length, zip.length - 22);
  assert.equal(parsed.entries, 0xffff);
  assert.equal(parsed.zip64?.record?.entries, 1);
  assert.equal(parsed.zip64?.record?.recordSize, 44);
  assert.equal(parsed.zip64?.declaredRecordOffset, parsed.zip64?.record?.offset);
  const a = end(zip);
  assert.equal(a.fatal, false);
  assert.deepEqual(a.issues, []);
  assert.equal(central(zip)[0]?.size, 9);
});

test("ART05 analyzeEnd: trailing and leading bytes, disk counts, ZIP64 locator mismatches", () => {
  const entries = [e("a.py")];
  const messages = (zip: Buffer) => end(zip).issues.map((i) => `${i.id} ${i.severity ?? ""} ${i.message}`);
  assert.match(messages(buildZip({ entries, append: Buffer.from("xx") })).join(), /ART05 {2}2 bytes follow/);
  const shifted = end(buildZip({ entries, prepend: Buffer.from("12345") }));
  assert.equal(shifted.shift, 5);
  assert.match(shifted.issues[0]!.message, /5 bytes precede/);
  assert.match(
    messages(buildZip({ entries, end: { entriesOnDisk: 2 } })).join(),
    /ART05 {2}the end record counts 2 entries/,
  );
  assert.match(messages(buildZip({ entries, end: { disk: 1 } })).join(), /ART05 warning/);
  assert.match(
    messages(buildZip({ entries: [e("a.py", { zip64: true })], zip64End: { locatorOffset: 3 } })).join(),
    /locator points to offset 3/,
  );
  assert.deepEqual(messages(buildZip({ entries })), []);
});

test("ART01 analyzeEnd: no end record, a directory outside the file, multi-disk ZIP64", () => {
  assert.equal(analyzeEnd(Buffer.from("hello"), 5, { maxCdSize: 100 }).fatal, true);
  const outside = end(buildZip({ entries: [e("a.py")], end: { cdOffset: 5000 } }));
  assert.equal(outside.fatal, true);
  assert.equal(outside.issues[0]?.id, "ART01");
  const disks = end(buildZip({ entries: [e("a.py", { zip64: true })], zip64End: { totalDisks: 2 } }));
  assert.equal(disks.fatal, true);
  const big = analyzeEnd(
    tail(buildZip({ entries: [e("a.py")] })),
    buildZip({ entries: [e("a.py")] }).length,
    { maxCdSize: 10 },
  );
  assert.match(big.issues[0]!.message, /more than slipway reads/);
});

test("parseCentralDirectory resolves ZIP64 fields and reports what CPython cannot read", () => {
  const entries = central(buildZip({ entries: [e("a.py"), e("dir/", { data: "", mode: 0o40755 })] }));
  assert.deepEqual(
    entries.map((x) => [x.name, x.method, x.size, unixMode(x)]),
    [
      ["a.py", 8, 9, 0o100644],
      ["dir/", 0, 0, 0o40755],
    ],
  );
  const junk = parseCentralDirectory(Buffer.from("PK\x01\x02 too short"), 10);
  assert.equal(junk.problem, "truncated central directory");
  const bad = parseCentralDirectory(Buffer.alloc(60, 1), 10);
  assert.match(bad.problem ?? "", /bad signature/);
  const zip64 = buildZip({
    entries: [e("a.py", { zip64: true, central: { extra: extraField(1, Buffer.alloc(4)) } })],
  });
  assert.match(central(zip64)[0]?.extraProblem ?? "", /size not found/);
});

test("parseExtras splits records and flags a length running past the end", () => {
  assert.deepEqual(
    parseExtras(
      Buffer.concat([extraField(1, Buffer.alloc(8)), extraField(0x7075, Buffer.from("abc"))]),
    ).fields.map((f) => [f.id, f.data.length]),
    [
      [1, 8],
      [0x7075, 3],
    ],
  );
  assert.equal(parseExtras(Buffer.from([1, 0, 9, 0, 1])).malformed, true);
  assert.equal(parseExtras(Buffer.alloc(0)).malformed, false);
});

test("ART05 localSizes applies warehouse's ZIP64 extra rules", () => {
  const header = (method: number, sizes = 0xffffffff) => ({
    versionNeeded: 45,
    flags: 0,
    method,
    crc: 0,
    compressedSize: sizes,
    size: sizes,
    nameLength: 0,
    extraLength: 0,
  });
  const sizes = Buffer.alloc(16);
  sizes.writeBigUInt64LE(100n, 0);
  sizes.writeBigUInt64LE(40n, 8);
  assert.deepEqual(localSizes(header(8), extraField(1, sizes)), { compressedSize: 40, size: 100 });
  assert.match(localSizes(header(8), extraField(1, Buffer.alloc(4))).problem ?? "", /invalid length 4/);
  assert.match(localSizes(header(8), extraField(1, Buffer.alloc(0))).problem ?? "", /empty/);
  assert.match(localSizes(header(8), extraField(1, Buffer.alloc(8))).problem ?? "", /compressed member/);
  assert.deepEqual(localSizes(header(0), extraField(1, sizes.subarray(0, 8))), {
    compressedSize: 100,
    size: 100,
  });
  assert.deepEqual(localSizes(header(8, 7), Buffer.alloc(0)), { compressedSize: 7, size: 7 });
});

test("ART05 checkLocalHeader compares the local header with its directory entry", () => {
  const zip = buildZip({ entries: [e("a.py")] });
  const [entry] = central(zip);
  const local = parseLocalHeader(zip);
  const name = zip.subarray(30, 30 + local.nameLength);
  assert.deepEqual(checkLocalHeader(entry!, local, name, Buffer.alloc(0)), []);
  const msgs = (h: typeof local, n = name, extra: Uint8Array = Buffer.alloc(0)) =>
    checkLocalHeader(entry!, h, n, extra).map((i) => `${i.id}:${i.message}`);
  assert.match(msgs({ ...local, size: 1 }).join(), /ART05:.*size 1 in the local header/);
  assert.match(msgs({ ...local, compressedSize: 1 }).join(), /ART05:.*compressed size 1/);
  assert.match(msgs({ ...local, flags: 8 }).join(), /ART05:.*data descriptor/);
  assert.match(msgs(local, Buffer.from("b.py")).join(), /ART01:.*names it "b.py"/);
  assert.match(
    msgs(
      local,
      name,
      Buffer.concat([
        extraField(0x7075, Buffer.from("\x01abcdx")),
        extraField(0x7075, Buffer.from("\x01abcdx")),
      ]),
    ).join(),
    /duplicate extra field 0x7075/,
  );
});

test("ART01/ART02/ART05 checkCentralEntry: encryption, methods, comments, versions", () => {
  const one = (entry: ZipEntry) => checkCentralEntry(central(buildZip({ entries: [entry] }))[0]!);
  assert.deepEqual(one(e("a.py")), { issues: [], fatal: false });
  assert.equal(one(e("a.py", { flags: 1 })).issues[0]?.id, "ART01");
  assert.match(one(e("a.py", { method: 14 })).issues[0]?.message ?? "", /lzma/);
  assert.equal(one(e("a.py", { central: { comment: "c" } })).issues[0]?.id, "ART05");
  assert.equal(one(e("a.py", { central: { versionNeeded: 64 } })).fatal, true);
  assert.equal(one(e("a.py", { central: { diskStart: 1 } })).issues[0]?.severity, "warning");
});

test("ART06 checkName: control bytes, invalid UTF-8, unflagged non-ASCII, empty names", () => {
  assert.deepEqual(checkName(Buffer.from("pkg/mod.py"), 0, "pkg/mod.py"), []);
  assert.deepEqual(checkName(Buffer.from("pkg/é.py"), 0x800, "pkg/é.py"), []);
  assert.match(checkName(Buffer.from("a\x7f"), 0, "a")[0]!.message, /control/);
  assert.match(checkName(Buffer.from([0xff]), 0x800, "x")[0]!.message, /not valid UTF-8/);
  assert.match(checkName(Buffer.from("é"), 0, "é")[0]!.message, /cp437/);
  assert.equal(checkName(Buffer.alloc(0), 0, "")[0]?.severity, "warning");
});

test("ART03 checkCentralDirectory: the bomb ratio from declared sizes; ART05 duplicates and counts", () => {
  const entries = central(buildZip({ entries: [e("a.py"), e("b.py")] }));
  assert.deepEqual(checkCentralDirectory(entries, { declaredEntries: 2, fileSize: 1000 }), []);
  const huge = entries.map((x) => ({ ...x, size: 40 * 1024 * 1024 }));
  assert.equal(isBomb(huge, 1_000_000), true);
  assert.match(
    checkCentralDirectory(huge, { declaredEntries: 2, fileSize: 1_000_000 })[0]!.message,
    /ratio 84/,
  );
  assert.equal(isBomb(huge, 10_000_000), false, "ratio 8 is fine");
  assert.equal(
    isBomb(
      entries.map((x) => ({ ...x, size: 1000 })),
      1,
    ),
    false,
    "below 64 MiB is fine",
  );
  const dup = central(buildZip({ entries: [e("a.py"), e("a.py")] }));
  assert.match(
    checkCentralDirectory(dup, { declaredEntries: 2, fileSize: 1000 })[0]!.message,
    /more than once/,
  );
  assert.match(
    checkCentralDirectory(entries, { declaredEntries: 3, fileSize: 1000 })[0]!.message,
    /declares 3/,
  );
});

test("walkOrder sorts by local header offset; descriptorLength handles signed and ZIP64 forms", () => {
  const entries = central(buildZip({ entries: [e("a.py"), e("b.py")] })).reverse();
  assert.deepEqual(
    walkOrder(entries).map((x) => x.name),
    ["a.py", "b.py"],
  );
  assert.equal(descriptorLength(Buffer.from([0x50, 0x4b, 0x07, 0x08]), false), 16);
  assert.equal(descriptorLength(Buffer.from([1, 2, 3, 4]), false), 12);
  assert.equal(descriptorLength(Buffer.from([0x50, 0x4b, 0x07, 0x08]), true), 24);
});
