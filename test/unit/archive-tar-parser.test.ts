/**
 * The tar header reader and push parser (core/archive/tar-*.ts) on uncompressed tar bytes:
 * numbers, checksums, pax records, GNU long names and sparse maps, fed whole and byte by byte,
 * with CPython tarfile's rules for where reading stops.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { ArchiveIssue } from "../../src/core/archive/issues.ts";
import { isTarHeader, parseHeader, parseNumber, parsePaxRecords } from "../../src/core/archive/tar-header.ts";
import { type TarMember, TarParser } from "../../src/core/archive/tar-parser.ts";
import { buildTar, gnuLong, header, paxBody, setChecksum, type TarEntry } from "../helpers/tar-writer.ts";

interface Parsed {
  members: (TarMember & { content?: string; complete?: boolean })[];
  issues: ArchiveIssue[];
  ended: boolean;
}

/** Runs the parser over `bytes` in pieces of `step` bytes. */
function parse(bytes: Uint8Array, step = bytes.length || 1): Parsed {
  const out: Parsed = { members: [], issues: [], ended: false };
  let chunks: Buffer[] = [];
  const parser = new TarParser({
    member: (m) => {
      out.members.push({ ...m });
      chunks = [];
    },
    data: (c) => chunks.push(Buffer.from(c)),
    memberEnd: (complete) => {
      const last = out.members[out.members.length - 1]!;
      last.content = Buffer.concat(chunks).toString();
      last.complete = complete;
    },
    issue: (i) => out.issues.push(i),
  });
  for (let at = 0; at < bytes.length; at += step) parser.push(bytes.subarray(at, at + step));
  parser.finish();
  out.ended = parser.endOfArchive;
  return out;
}
const tar = (entries: TarEntry[], more: Partial<Parameters<typeof buildTar>[0]> = {}) =>
  buildTar({ entries, ...more });

test("parseNumber reads octal, base-256 and blank fields and refuses garbage", () => {
  assert.equal(parseNumber(Buffer.from("0000644\0")), 0o644);
  assert.equal(parseNumber(Buffer.from("  755 \0 ")), 0o755);
  assert.equal(parseNumber(Buffer.from("\0\0\0\0")), 0);
  assert.equal(parseNumber(Buffer.from([0x80, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0])), 2 ** 32);
  assert.equal(parseNumber(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe])), -2);
  assert.equal(parseNumber(Buffer.from("12x4\0")), undefined);
  assert.equal(parseNumber(Buffer.from("9\0")), undefined);
});

test("parseHeader checks the checksum (unsigned or signed), the zero block and the ustar prefix", () => {
  const block = header({ name: "a.py", type: "0", size: 5, format: "ustar", prefix: "top/dir" });
  const parsed = parseHeader(block);
  assert.ok("header" in parsed);
  assert.equal(Buffer.from(parsed.header.name).toString(), "top/dir/a.py");
  assert.equal(parsed.header.size, 5);
  assert.equal(parsed.header.magic, "ustar");
  assert.ok(isTarHeader(block));
  const broken = Buffer.from(block);
  broken[0] = 0x62;
  assert.deepEqual(parseHeader(broken), { invalid: "bad checksum" });
  assert.deepEqual(parseHeader(Buffer.alloc(512)), { zero: true });
  assert.equal(isTarHeader(Buffer.alloc(512)), false);
  // Signed checksum (bytes >= 0x80 counted negative) is accepted, as tarfile does.
  const high = header({ name: "\u00e9\u00e9.py", type: "0", size: 0, format: "ustar" });
  let signed = 8 * 0x20;
  for (let i = 0; i < 512; i++) if (i < 148 || i >= 156) signed += high[i]! > 127 ? high[i]! - 256 : high[i]!;
  high.write(`${signed.toString(8).padStart(6, "0")}\0 `, 148, "latin1");
  assert.ok("header" in parseHeader(high));
});

test("parseHeader: an old-style file type with a trailing slash is a directory; GNU and V7 magics", () => {
  const v7dir = header({ name: "top/", type: "\0", size: 0, format: "v7" });
  const parsed = parseHeader(v7dir);
  assert.ok("header" in parsed && parsed.header.type === "5" && parsed.header.magic === "v7");
  const gnu = parseHeader(header({ name: "x", type: "0", size: 0, format: "gnu" }));
  assert.ok("header" in gnu && gnu.header.magic === "gnu");
});

test("parsePaxRecords reads length-prefixed records and flags malformed ones", () => {
  const { records, malformed } = parsePaxRecords(
    paxBody({ path: "ü/x.py", "SCHILY.xattr.a": "b=c", mtime: "1700000000.5" }),
  );
  assert.equal(malformed, false);
  assert.equal(Buffer.from(records.get("path")!).toString(), "ü/x.py");
  assert.equal(Buffer.from(records.get("SCHILY.xattr.a")!).toString(), "b=c");
  assert.equal(parsePaxRecords(Buffer.from("99 path=x\n")).malformed, true);
  assert.equal(parsePaxRecords(Buffer.from("12 pathx\n...")).malformed, true);
  assert.equal(parsePaxRecords(Buffer.concat([paxBody({ path: "a" }), Buffer.alloc(20)])).malformed, false);
});

test("the parser reports members and content, identically whole and byte by byte", () => {
  const bytes = tar([
    { name: "top/" },
    { name: "top/a.py", data: "print('a')\n" },
    { name: "top/empty" },
    { name: "top/link", type: "2", linkname: "a.py" },
    { name: "top/hard", type: "1", linkname: "top/a.py" },
    { name: "top/fifo", type: "6" },
    { name: "top/b.bin", data: "x".repeat(1500) },
  ]);
  const whole = parse(bytes);
  assert.deepEqual(parse(bytes, 1), whole);
  assert.deepEqual(parse(bytes, 511), whole);
  assert.deepEqual(whole.issues, []);
  assert.equal(whole.ended, true);
  assert.deepEqual(
    whole.members.map((m) => [m.name, m.kind, m.size, m.linkTarget]),
    [
      ["top", "dir", 0, undefined],
      ["top/a.py", "file", 11, undefined],
      ["top/empty", "file", 0, undefined],
      ["top/link", "symlink", 0, "a.py"],
      ["top/hard", "hardlink", 0, "top/a.py"],
      ["top/fifo", "fifo", 0, undefined],
      ["top/b.bin", "file", 1500, undefined],
    ],
  );
  assert.equal(whole.members[1]!.content, "print('a')\n");
  assert.equal(whole.members[6]!.content, "x".repeat(1500));
  assert.equal(whole.members[1]!.mode, 0o644);
});

test("pax and GNU long names: the outermost extended header wins, as in tarfile", () => {
  const xThenL = Buffer.concat([
    header({ name: "pax", type: "x", size: paxBody({ path: "from-pax" }).length, format: "ustar" }),
    pad(paxBody({ path: "from-pax" })),
    gnuLong("L", "from-gnu"),
    tar([{ name: "short", data: "1", format: "gnu" }], { end: true }),
  ]);
  assert.equal(parse(xThenL).members[0]?.name, "from-pax");
  const lThenX = Buffer.concat([
    gnuLong("L", "from-gnu"),
    header({ name: "pax", type: "x", size: paxBody({ path: "from-pax" }).length, format: "ustar" }),
    pad(paxBody({ path: "from-pax" })),
    tar([{ name: "short", data: "1", format: "gnu" }]),
  ]);
  assert.equal(parse(lThenX).members[0]?.name, "from-gnu");
});

test("a pax size overrides the header size for framing; global headers apply to later members", () => {
  const bytes = tar([
    { name: "top/a", data: "0123456789", size: 3, pax: { size: "10" } },
    { name: "top/b", data: "x" },
  ]);
  const parsed = parse(bytes);
  assert.deepEqual(
    parsed.members.map((m) => [m.name, m.size, m.content]),
    [
      ["top/a", 10, "0123456789"],
      ["top/b", 1, "x"],
    ],
  );
  const body = paxBody({ uname: "nobody" });
  const global = Buffer.concat([
    header({ name: "g", type: "g", size: body.length, format: "ustar" }),
    pad(body),
    tar([{ name: "top/c", data: "c" }]),
  ]);
  assert.deepEqual(
    parse(global).members.map((m) => m.name),
    ["top/c"],
  );
});

test("ART07 sparse members: old GNU with extension blocks, and pax GNU.sparse records", () => {
  const sparse = header({ name: "top/s", type: "S", size: 3, format: "gnu" });
  sparse[482] = 1; // one extension block follows
  setChecksum(sparse);
  const ext = Buffer.alloc(512); // byte 504 = 0: the last one
  const bytes = Buffer.concat([
    sparse,
    ext,
    pad(Buffer.from("abc")),
    tar([{ name: "top/after", data: "z" }]),
  ]);
  const parsed = parse(bytes);
  assert.deepEqual(
    parsed.members.map((m) => [m.name, m.kind]),
    [
      ["top/s", "sparse"],
      ["top/after", "file"],
    ],
  );
  const pax = parse(
    tar([{ name: "top/p", data: "abc", pax: { "GNU.sparse.major": "1", "GNU.sparse.minor": "0" } }]),
  );
  assert.equal(pax.members[0]?.kind, "sparse");
});

test("ART07 warns once on GNU or V7 headers and on link headers that declare data", () => {
  assert.equal(
    parse(
      tar(
        [
          { name: "a", data: "1" },
          { name: "b", data: "2" },
        ],
        { format: "gnu" },
      ),
    ).issues.filter((i) => i.id === "ART07").length,
    1,
  );
  assert.match(parse(tar([{ name: "a", data: "1" }], { format: "v7" })).issues[0]!.message, /V7/);
  const link = parse(
    tar([
      { name: "top/l", type: "2", linkname: "x", size: 512 },
      { name: "top/next", data: "n" },
    ]),
  );
  assert.match(link.issues.map((i) => i.message).join(), /declares 512 data bytes/);
});

test("ART01 truncation: inside member data is an error, a missing end block a warning", () => {
  const bytes = tar([{ name: "top/a", data: "x".repeat(1000) }], { end: false });
  const cut = parse(bytes.subarray(0, 700));
  assert.equal(cut.issues[0]?.id, "ART01");
  assert.equal(cut.issues[0]?.severity, undefined);
  assert.equal(cut.members[0]?.complete, false);
  const noEnd = parse(bytes);
  assert.equal(noEnd.issues[0]?.severity, "warning");
  assert.equal(noEnd.members[0]?.complete, true);
  const partialHeader = parse(Buffer.concat([bytes, Buffer.alloc(100, 0x41)]));
  assert.equal(partialHeader.issues[0]?.severity, "warning");
  assert.match(parse(Buffer.alloc(0)).issues[0]!.message, /empty/);
});

test("ART01 invalid headers: fatal first, a warning later (tarfile stops silently), fatal after extended headers", () => {
  assert.match(parse(Buffer.alloc(512, 0x41)).issues[0]!.message, /first header is invalid/);
  const later = parse(
    Buffer.concat([
      tar([{ name: "a", data: "1" }], { end: false }),
      Buffer.alloc(512, 0x41),
      tar([{ name: "hidden", data: "2" }]),
    ]),
  );
  assert.deepEqual(
    later.members.map((m) => m.name),
    ["a"],
  );
  assert.equal(later.issues[0]?.severity, "warning");
  const afterPax = parse(
    Buffer.concat([header({ name: "x", type: "x", size: 0, format: "ustar" }), Buffer.alloc(1024)]),
  );
  assert.match(afterPax.issues[0]!.message, /followed by the end of the archive/);
  assert.equal(afterPax.issues[0]?.severity, undefined);
});

test("ART01 warns on data after the end block; zero padding after it is fine", () => {
  assert.deepEqual(parse(tar([{ name: "a", data: "1" }], { record: true })).issues, []);
  const hidden = parse(tar([{ name: "a", data: "1" }], { trailing: tar([{ name: "b", data: "2" }]) }));
  assert.match(hidden.issues[0]!.message, /follows the tar end-of-archive/);
  assert.deepEqual(
    hidden.members.map((m) => m.name),
    ["a"],
  );
});

test("ART06 warns on tar names that are not UTF-8 or hold control characters", () => {
  const latin1 = parse(tar([{ name: Buffer.from([0x74, 0x2f, 0xe9]), data: "1", format: "ustar" }]));
  assert.match(latin1.issues[0]!.message, /not valid UTF-8/);
  assert.equal(latin1.issues[0]!.severity, "warning");
  assert.match(parse(tar([{ name: "t/a\nb", data: "1" }])).issues[0]!.message, /control character/);
});

test("an oversized extended header is refused instead of buffered", () => {
  const big = header({ name: "x", type: "x", size: 2 * 1024 * 1024, format: "ustar" });
  const parsed = parse(Buffer.concat([big, Buffer.alloc(4096)]));
  assert.match(parsed.issues[0]!.message, /extended header/);
});

function pad(b: Buffer): Buffer {
  return Buffer.concat([b, Buffer.alloc((512 - (b.length % 512)) % 512)]);
}
