/**
 * The stored times and owners the reproducibility diff reads: the gzip header (RFC 1952), ZIP
 * DOS date/time and the 0x5455 extended timestamp, tar header and pax mtime/uid/gid/uname/gname.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { gzipSync } from "node:zlib";
import { gzipOsName, parseGzipHeader } from "../../src/core/archive/gzip-header.ts";
import { type TarMember, TarParser } from "../../src/core/archive/tar-parser.ts";
import { dosToEpoch, extendedMtime } from "../../src/core/archive/zip-records.ts";
import { buildTar, setChecksum } from "../helpers/tar-writer.ts";
import { extraField } from "../helpers/zip-writer.ts";

test("parseGzipHeader reads the fixed fields and the optional extra, name, comment and CRC", () => {
  const plain = gzipSync("x");
  plain.writeUInt32LE(1_700_000_123, 4);
  assert.deepEqual(parseGzipHeader(plain), {
    method: 8,
    flags: 0,
    mtime: 1_700_000_123,
    extraFlags: 0,
    os: plain[9],
    length: 10,
  });
  // FHCRC | FEXTRA | FNAME | FCOMMENT, as Python's gzip never writes but GNU gzip may.
  const header = Buffer.concat([
    Buffer.from([0x1f, 0x8b, 8, 0x1e, 1, 0, 0, 0, 2, 3]),
    Buffer.from([2, 0, 0xab, 0xcd]),
    Buffer.from("demo-1.0.tar\0caf\xe9\0", "latin1"),
    Buffer.from([0x12, 0x34]),
  ]);
  assert.deepEqual(parseGzipHeader(header), {
    method: 8,
    flags: 0x1e,
    mtime: 1,
    extraFlags: 2,
    os: 3,
    extra: "abcd",
    filename: "demo-1.0.tar",
    comment: "café",
    length: header.length,
  });
  assert.deepEqual(parseGzipHeader(header.subarray(0, 20)), {
    problem: "the gzip header runs past the first 20 bytes",
  });
  assert.deepEqual(parseGzipHeader(Buffer.from("PK\x03\x04xxxxxxxx")), { problem: "not a gzip file" });
  assert.equal(gzipOsName(3), "Unix");
  assert.equal(gzipOsName(42), "OS 42");
});

test("dosToEpoch reads DOS date/time as UTC; extendedMtime reads 0x5455 when its mtime bit is set", () => {
  assert.equal(dosToEpoch(0x21, 0), Date.UTC(1980, 0, 1) / 1000);
  // 2023-11-14 22:13:20: date (43 << 9) | (11 << 5) | 14, time (22 << 11) | (13 << 5) | (20 / 2).
  assert.equal(dosToEpoch((43 << 9) | (11 << 5) | 14, (22 << 11) | (13 << 5) | 10), 1_700_000_000);
  const ut = (flags: number, seconds: number) => {
    const data = Buffer.alloc(5);
    data[0] = flags;
    data.writeInt32LE(seconds, 1);
    return data;
  };
  const extra = Buffer.concat([
    extraField(0x7875, Buffer.from([1, 4, 0, 0, 0, 0])),
    extraField(0x5455, ut(1, 1_700_000_000)),
  ]);
  assert.equal(extendedMtime(extra), 1_700_000_000);
  assert.equal(extendedMtime(extraField(0x5455, ut(1, -86_400))), -86_400);
  assert.equal(extendedMtime(extraField(0x5455, ut(2, 5))), undefined);
  assert.equal(extendedMtime(extraField(0x5455, Buffer.from([1, 0]))), undefined);
  assert.equal(extendedMtime(Buffer.alloc(0)), undefined);
});

function members(bytes: Uint8Array): TarMember[] {
  const found: TarMember[] = [];
  const parser = new TarParser({
    member: (m) => found.push(m),
    data: () => {},
    memberEnd: () => {},
    issue: () => {},
  });
  parser.push(bytes);
  parser.finish();
  return found;
}

test("tar members carry the header's mtime and owner, replaced by pax records as tarfile does", () => {
  const [plain, pax, bad] = members(
    buildTar({
      entries: [
        { name: "top/a", data: "1" },
        {
          name: "top/b",
          data: "2",
          pax: { mtime: "1700000000.25", uid: "4242", gid: "7", uname: "rené", gname: "staff" },
        },
        {
          name: "top/c",
          pax: { uid: "x1" },
          patch: (block) => {
            block.write("00000000033\0", 136, "latin1");
            setChecksum(block);
          },
        },
      ],
    }),
  );
  assert.deepEqual(
    { mtime: plain?.mtime, uid: plain?.uid, gid: plain?.gid, uname: plain?.uname, gname: plain?.gname },
    { mtime: 1_700_000_000, uid: 1000, gid: 1000, uname: "user", gname: "group" },
  );
  assert.deepEqual(
    { mtime: pax?.mtime, uid: pax?.uid, gid: pax?.gid, uname: pax?.uname, gname: pax?.gname },
    { mtime: 1_700_000_000.25, uid: 4242, gid: 7, uname: "rené", gname: "staff" },
  );
  // An unparsable pax number becomes 0 (tarfile's ValueError fallback).
  assert.deepEqual([bad?.mtime, bad?.uid], [0o33, 0]);
});
