/**
 * diffArtifacts and renderArtifactDiff (core/dist/artifact-diff.ts) on in-memory listings: each
 * kind of difference alone, reported once and in its own words, and the fallbacks that keep a
 * pair of different files from ever diffing empty.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { GzipHeader } from "../../src/core/archive/gzip-header.ts";
import {
  countDifferences,
  diffArtifacts,
  isoTime,
  renderArtifactDiff,
} from "../../src/core/dist/artifact-diff.ts";
import type { ArchiveListing, ListedMember, ZipEntryInfo } from "../../src/core/dist/artifact-listing.ts";

const SHA_A = "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b";
const SHA_B = "9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0";

const file = (name: string, more: Partial<ListedMember> = {}): ListedMember => ({
  name,
  kind: "file",
  size: 10,
  mode: 0o644,
  mtime: 1_700_000_000,
  sha256: SHA_A,
  owner: { uid: 0, gid: 0, uname: "root", gname: "root" },
  ...more,
});

const GZIP: GzipHeader = { method: 8, flags: 0, mtime: 0, extraFlags: 0, os: 3, length: 10 };

/** A .tar.gz listing; `sha256` stands for the file's bytes, `tarSha256` for the tar stream's. */
const tgz = (
  members: ListedMember[],
  more: {
    sha256?: string;
    gzip?: Partial<GzipHeader>;
    tarSha256?: string;
    tarSize?: number;
    size?: number;
  } = {},
): ArchiveListing => ({
  size: more.size ?? 1000,
  sha256: more.sha256 ?? "f".repeat(64),
  container: {
    format: "tar.gz",
    gzip: { ...GZIP, ...more.gzip },
    tarSize: more.tarSize ?? 10240,
    tarSha256: more.tarSha256 ?? "e".repeat(64),
  },
  members,
});

const base = [file("pkg/__init__.py"), file("pkg/_stamp.py"), file("pkg/mod.py")];
/** `b` differs in its file bytes (and tar stream) from `a`, plus whatever `change` does. */
const pair = (change: (members: ListedMember[]) => ListedMember[]) =>
  diffArtifacts(
    tgz(base),
    tgz(change(base.map((m) => ({ ...m }))), { sha256: "0".repeat(64), tarSha256: "1".repeat(64) }),
  );

test("identical artifacts give an empty diff and no lines", () => {
  const diff = diffArtifacts(tgz(base), tgz(base));
  assert.equal(diff.identical, true);
  assert.equal(countDifferences(diff), 0);
  assert.deepEqual(renderArtifactDiff(diff), []);
});

test("content, mtime, mode, owner and kind are each reported alone, in their own words", () => {
  const content = pair((ms) => [ms[0]!, { ...ms[1]!, sha256: SHA_B }, ms[2]!]);
  assert.deepEqual(renderArtifactDiff(content), [
    "member pkg/_stamp.py: content differs (sha256 1a2b3c4d5e6f… vs 9f8e7d6c5b4a…)",
  ]);
  const sized = pair((ms) => [ms[0]!, { ...ms[1]!, sha256: SHA_B, size: 12 }, ms[2]!]);
  assert.match(renderArtifactDiff(sized)[0]!, /, 10 vs 12 bytes\)$/);

  const mtime = pair((ms) => [{ ...ms[0]!, mtime: 1_795_314_600 }, ms[1]!, ms[2]!]);
  assert.equal(countDifferences(mtime), 1);
  assert.deepEqual(mtime.mtime, [
    {
      name: "pkg/__init__.py",
      field: "mtime",
      a: 1_700_000_000,
      b: 1_795_314_600,
      isoA: "2023-11-14T22:13:20Z",
      isoB: "2026-11-22T02:30:00Z",
    },
  ]);
  assert.deepEqual(renderArtifactDiff(mtime), [
    "member pkg/__init__.py: mtime 2023-11-14T22:13:20Z vs 2026-11-22T02:30:00Z",
  ]);

  const mode = pair((ms) => [ms[0]!, ms[1]!, { ...ms[2]!, mode: 0o755 }]);
  assert.deepEqual(renderArtifactDiff(mode), ["member pkg/mod.py: mode 0644 vs 0755"]);
  const { mode: _dropped, ...modeless } = base[2]!;
  assert.deepEqual(renderArtifactDiff(pair((ms) => [ms[0]!, ms[1]!, modeless])), [
    "member pkg/mod.py: mode 0644 vs none",
  ]);

  const owner = pair((ms) => [
    { ...ms[0]!, owner: { uid: 1000, gid: 1000, uname: "ci", gname: "ci" } },
    ms[1]!,
    ms[2]!,
  ]);
  assert.deepEqual(renderArtifactDiff(owner), [
    "member pkg/__init__.py: owner root:root (0:0) vs ci:ci (1000:1000)",
  ]);

  const kind = pair((ms) => [ms[0]!, { ...ms[1]!, kind: "symlink", linkTarget: "x" }, ms[2]!]);
  assert.deepEqual(renderArtifactDiff(kind), ["member pkg/_stamp.py: kind file vs symlink"]);
  const link = diffArtifacts(
    tgz([file("l", { kind: "symlink", linkTarget: "a" })]),
    tgz([file("l", { kind: "symlink", linkTarget: "b" })], { sha256: "0".repeat(64) }),
  );
  assert.deepEqual(renderArtifactDiff(link), ['member l: link target "a" vs "b"']);
});

test("members only in one archive; duplicates pair up in order", () => {
  const diff = pair((ms) => [ms[0]!, ms[2]!, file("pkg/new.py"), file("pkg/new.py")]);
  assert.deepEqual(diff.onlyInA, ["pkg/_stamp.py"]);
  assert.deepEqual(diff.onlyInB, ["pkg/new.py", "pkg/new.py"]);
  assert.deepEqual(diff.order, []);
  assert.deepEqual(renderArtifactDiff(diff), [
    "member pkg/_stamp.py: only in a",
    "member pkg/new.py: only in b",
    "member pkg/new.py: only in b",
  ]);
  const dup = diffArtifacts(
    tgz([file("d"), file("d")]),
    tgz([file("d"), file("d", { sha256: SHA_B })], { sha256: "0".repeat(64) }),
  );
  assert.equal(dup.content.length, 1);
  assert.deepEqual(dup.onlyInA, []);
});

test("order: only the members that moved are reported, with 1-based positions", () => {
  const moved = pair((ms) => [ms[1]!, ms[2]!, ms[0]!]);
  assert.deepEqual(moved.order, [{ name: "pkg/__init__.py", a: 1, b: 3 }]);
  assert.deepEqual(renderArtifactDiff(moved), ["member pkg/__init__.py: position 1 vs 3"]);
  const many = Array.from({ length: 6 }, (_, i) => file(`m${i}`));
  const reversed = diffArtifacts(tgz(many), tgz([...many].reverse(), { sha256: "0".repeat(64) }));
  assert.equal(reversed.order.length, 5);
});

test("gzip header fields, the tar stream, and the compressed data are told apart", () => {
  const header = diffArtifacts(
    tgz(base),
    tgz(base, {
      sha256: "0".repeat(64),
      gzip: { mtime: 1_700_000_123, os: 255, filename: "x.tar", extraFlags: 2 },
    }),
  );
  assert.deepEqual(renderArtifactDiff(header), [
    "gzip header: mtime 0 vs 1700000123",
    "gzip header: OS 3 (Unix) vs 255 (unknown)",
    "gzip header: extra flags (XFL) 0 vs 2 (maximum compression)",
    'gzip header: original filename none vs "x.tar"',
  ]);
  const level = diffArtifacts(tgz(base), tgz(base, { sha256: "0".repeat(64), size: 990 }));
  assert.deepEqual(renderArtifactDiff(level), [
    "gzip: compressed data size 990 vs 980 (same tar stream: another compression level or zlib version)",
  ]);
  const tarOnly = diffArtifacts(tgz(base), tgz(base, { sha256: "0".repeat(64), tarSha256: "1".repeat(64) }));
  assert.equal(tarOnly.container.length, 1);
  assert.match(
    renderArtifactDiff(tarOnly)[0]!,
    /^tar stream: sha256 eeeeeeeeeeee… vs 111111111111… \(no member differs/,
  );
  const padded = diffArtifacts(
    tgz(base),
    tgz(base, { sha256: "0".repeat(64), tarSha256: "1".repeat(64), tarSize: 20480 }),
  );
  assert.deepEqual(renderArtifactDiff(padded), ["tar stream: size 10240 vs 20480"]);
  // A member difference explains the tar stream: no extra line for it.
  assert.equal(pair((ms) => [{ ...ms[0]!, mode: 0o600 }, ms[1]!, ms[2]!]).container.length, 0);
});

const zipInfo = (more: Partial<ZipEntryInfo> = {}): ZipEntryInfo => ({
  method: 8,
  flags: 0,
  versionMadeBy: 0x0314,
  externalAttr: 0o100644 << 16,
  compressedSize: 7,
  centralExtra: "",
  localExtra: "",
  ...more,
});
const zip = (members: ListedMember[], sha256 = "f".repeat(64), comment = ""): ArchiveListing => ({
  size: 500,
  sha256,
  container: { format: "zip", comment },
  members,
});
const zipFile = (info: Partial<ZipEntryInfo> = {}, more: Partial<ListedMember> = {}): ListedMember => {
  const { owner: _none, ...rest } = file("pkg/a.py", more);
  return { ...rest, zip: zipInfo(info) };
};
/** An extended-timestamp extra field: flags, then mtime (and more times in local headers). */
const ut = (flags: number, ...times: number[]): string => {
  const data = Buffer.alloc(1 + 4 * times.length);
  data[0] = flags;
  for (const [i, t] of times.entries()) data.writeInt32LE(t, 1 + 4 * i);
  return Buffer.concat([Buffer.from([0x55, 0x54, data.length, 0]), data]).toString("hex");
};

test("ZIP entry fields: method, compressed size, extra fields, and the 0x5455 mtime as an mtime", () => {
  const other = "0".repeat(64);
  const lines = (x: ListedMember, y: ListedMember) =>
    renderArtifactDiff(diffArtifacts(zip([x]), zip([y], other)));
  assert.deepEqual(lines(zipFile(), zipFile({ compressedSize: 9 })), [
    "member pkg/a.py: compressed size 7 vs 9 (same content: another compression level or zlib version)",
  ]);
  assert.deepEqual(lines(zipFile(), zipFile({ method: 0, compressedSize: 10 })), [
    "member pkg/a.py: compression method deflate vs stored",
  ]);
  assert.deepEqual(lines(zipFile(), zipFile({ flags: 0x0808 })), [
    "member pkg/a.py: general-purpose flags 0x0000 vs 0x0808",
  ]);
  const utA = zipFile({
    centralExtra: ut(1, 1_700_000_000),
    localExtra: ut(3, 1_700_000_000, 5),
    extendedMtime: 1_700_000_000,
  });
  const utB = zipFile({
    centralExtra: ut(1, 1_700_000_060),
    localExtra: ut(3, 1_700_000_060, 5),
    extendedMtime: 1_700_000_060,
  });
  assert.deepEqual(lines(utA, utB), [
    "member pkg/a.py: mtime (0x5455) 2023-11-14T22:13:20Z vs 2023-11-14T22:14:20Z",
  ]);
  const atime = zipFile({
    centralExtra: ut(1, 1_700_000_000),
    localExtra: ut(3, 1_700_000_000, 6),
    extendedMtime: 1_700_000_000,
  });
  assert.deepEqual(lines(utA, atime), [
    "member pkg/a.py: extra field 0x5455 (local header) 0300f1536505000000 vs 0300f1536506000000",
  ]);
  assert.deepEqual(
    lines(utA, zipFile({ extendedMtime: 1_700_000_000, localExtra: ut(3, 1_700_000_000, 5) })),
    ["member pkg/a.py: extra fields (central directory) 0x5455 vs none"],
  );
  assert.deepEqual(renderArtifactDiff(diffArtifacts(zip([zipFile()]), zip([zipFile()], other, "built"))), [
    'zip: comment "" vs "built"',
  ]);
  assert.deepEqual(renderArtifactDiff(diffArtifacts(zip([zipFile()]), tgz([file("pkg/a.py")]))), [
    "artifact: format zip vs tar.gz",
    "member pkg/a.py: owner none vs root:root (0:0)",
  ]);
});

test("bytes that differ with every listed field equal still give one line", () => {
  const diff = diffArtifacts(zip([zipFile()]), zip([zipFile()], "0".repeat(64)));
  assert.equal(diff.identical, false);
  assert.deepEqual(renderArtifactDiff(diff), [
    "artifact: sha256 ffffffffffff… vs 000000000000… (no listed field differs: the difference lies in record layout or unlisted header fields)",
  ]);
});

test("render caps the lines at `limit` and counts the rest", () => {
  const many = Array.from({ length: 30 }, (_, i) => file(`m${String(i).padStart(2, "0")}`));
  const diff = diffArtifacts(
    tgz(many),
    tgz(
      many.map((m) => ({ ...m, mtime: 0 })),
      { sha256: "0".repeat(64) },
    ),
  );
  const lines = renderArtifactDiff(diff, { limit: 5 });
  assert.equal(lines.length, 6);
  assert.equal(lines[0], "member m00: mtime 2023-11-14T22:13:20Z vs 1970-01-01T00:00:00Z");
  assert.equal(lines[5], "and 25 more");
  assert.equal(renderArtifactDiff(diff).length, 21);
  assert.equal(renderArtifactDiff(diff, { limit: 30 }).length, 30);
  assert.deepEqual(
    renderArtifactDiff(diffArtifacts(tgz([file("a\nb")]), tgz([], { sha256: "0".repeat(64) }))),
    ["member a\\x0ab: only in a"],
  );
});

test("isoTime: whole seconds without milliseconds, fractions kept, absent and huge values", () => {
  assert.equal(isoTime(1_700_000_000), "2023-11-14T22:13:20Z");
  assert.equal(isoTime(1_700_000_000.25), "2023-11-14T22:13:20.250Z");
  assert.equal(isoTime(-1), "1969-12-31T23:59:59Z");
  assert.equal(isoTime(undefined), "none");
  assert.equal(isoTime(1e20), "100000000000000000000");
});
