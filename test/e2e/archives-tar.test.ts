/**
 * readArtifact on real .tar.gz bytes written by test/helpers/tar-writer.ts: valid sdists in
 * every tar dialect, and hostile ones (truncated and corrupt gzip, bad headers, sparse files,
 * devices, escaping links, bombs). Each read must finish quickly and report, never throw.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { createGzip, gzipSync } from "node:zlib";
import { pythonJson } from "../helpers/peers.ts";
import { bytesReader, has, ids, msg } from "../helpers/read-bytes.ts";
import { buildSdist, buildTar, gnuLong, gzipTar, header, type TarEntry } from "../helpers/tar-writer.ts";
import { buildZip, recordHash } from "../helpers/zip-writer.ts";

const { read, dir } = bytesReader("demo_pkg-1.0.0.tar.gz");

const TOP = "demo_pkg-1.0.0";
/** A .tar.gz of a valid sdist plus `entries`. */
const sdist = (entries: TarEntry[], format?: "pax" | "ustar" | "gnu" | "v7") =>
  buildSdist({ entries, ...(format === undefined ? {} : { format }) }).bytes;
const tgz = (
  entries: TarEntry[],
  options: Parameters<typeof buildTar>[0] extends infer S ? Partial<S> : never = {},
) => gzipTar(buildTar({ entries, ...options }));

test("a valid pax sdist reads without findings, with digests, modes and the kept files", async () => {
  const bytes = sdist([
    { name: `${TOP}/LICENSE`, data: "MIT\n" },
    { name: `${TOP}/bin/tool`, data: "#!/bin/sh\necho\n", mode: 0o755 },
  ]);
  const m = await read(bytes);
  assert.deepEqual(m.findings, []);
  assert.equal(m.kind, "sdist");
  const pkgInfo = m.members.find((x) => x.name === `${TOP}/PKG-INFO`);
  assert.equal(pkgInfo?.kind, "file");
  assert.equal(
    pkgInfo?.digests?.sha256,
    recordHash(`Metadata-Version: 2.4\nName: demo_pkg\nVersion: 1.0.0\n\n`),
  );
  assert.equal(m.members.find((x) => x.name === TOP)?.kind, "dir");
  assert.equal(m.members.find((x) => x.name === `${TOP}/bin/tool`)?.mode, 0o755);
  assert.deepEqual([...m.contents.keys()].sort(), [
    `${TOP}/LICENSE`,
    `${TOP}/PKG-INFO`,
    `${TOP}/pyproject.toml`,
  ]);
});

test("pax path and linkpath records and GNU long names give the real names", async () => {
  const long = `${TOP}/${"deep/".repeat(30)}module.py`;
  const m = await read(
    tgz([
      { name: `${TOP}/` },
      { name: long, data: "x = 1\n" },
      { name: `${TOP}/ünï.py`, data: "y = 2\n" },
      { name: `${TOP}/short`, type: "2", linkname: "x", pax: { linkpath: "ünï.py" } },
      {
        name: "ignored",
        data: "z\n",
        format: "gnu",
        before: gnuLong("L", `${TOP}/${"gnu/".repeat(40)}z.py`),
      },
    ]),
  );
  const names = m.members.map((x) => x.name);
  assert.ok(names.includes(long));
  assert.ok(names.includes(`${TOP}/ünï.py`));
  assert.ok(names.includes(`${TOP}/${"gnu/".repeat(40)}z.py`));
  assert.equal(m.members.find((x) => x.name === `${TOP}/short`)?.linkTarget, "ünï.py");
});

test("ART07 warns on GNU and V7 tar formats and passes ustar", async () => {
  assert.match(msg(await read(sdist([], "gnu")), "ART07"), /GNU tar format/);
  assert.ok(has(await read(sdist([], "gnu")), "ART07", "warning"));
  assert.match(msg(await read(sdist([], "v7")), "ART07"), /V7/);
  assert.deepEqual(ids(await read(sdist([], "ustar"))), []);
});

test("ART07 fails on GNU sparse members, old-style and pax", async () => {
  const old = await read(sdist([{ name: `${TOP}/hole.bin`, type: "S", data: "abc", format: "gnu" }]));
  assert.match(msg(old, "ART07"), /sparse/);
  assert.ok(has(old, "ART07"));
  const pax = await read(
    sdist([
      { name: `${TOP}/hole2.bin`, data: "abc", pax: { "GNU.sparse.major": "1", "GNU.sparse.minor": "0" } },
    ]),
  );
  assert.equal(pax.members.find((x) => x.name === `${TOP}/hole2.bin`)?.kind, "sparse");
  assert.ok(has(pax, "ART07"));
});

test("ART07 warns on a link header that declares data and on a malformed pax header", async () => {
  const link = await read(
    sdist([
      {
        name: `${TOP}/l`,
        type: "2",
        linkname: "PKG-INFO",
        size: 0,
        patch: (b) => b.write("00000000001\0", 124),
        rechecksum: true,
      },
    ]),
  );
  assert.match(msg(link, "ART07"), /declares 1 data bytes/);
  const bad = Buffer.from("99 path=x\n");
  const padded = Buffer.concat([bad, Buffer.alloc(512 - bad.length)]);
  const paxHeader = header({ name: "pax", type: "x", size: bad.length, format: "ustar" });
  const m = await read(
    sdist([{ name: `${TOP}/after.py`, data: "x\n", before: Buffer.concat([paxHeader, padded]) }]),
  );
  assert.ok(has(m, "ART07", "warning"), m.findings.map((f) => f.message).join());
});

test("ART08 fails on two top-level directories and on a top-level file, passes one directory", async () => {
  assert.ok(
    has(
      await read(
        tgz([
          { name: "a-1.0/PKG-INFO", data: "x" },
          { name: "b/x", data: "y" },
        ]),
      ),
      "ART08",
    ),
  );
  assert.ok(
    has(
      await read(
        tgz([
          { name: "a-1.0/PKG-INFO", data: "x" },
          { name: "setup.py", data: "y" },
        ]),
      ),
      "ART08",
    ),
  );
  assert.ok(
    !ids(
      await read(
        tgz([
          { name: "./a-1.0/PKG-INFO", data: "x" },
          { name: "./a-1.0/x", data: "y" },
        ]),
      ),
    ).includes("ART08"),
  );
});

test("ART01 fails on a file that is not gzip and on a gzip stream damaged before the tar ends", async () => {
  const notGzip = await read(buildTar({ entries: [{ name: `${TOP}/a`, data: "x" }] }));
  assert.match(msg(notGzip, "ART01"), /not a gzip/);
  assert.equal(notGzip.readable, false);
  const big = gzipTar(
    buildTar({
      entries: [
        { name: `${TOP}/PKG-INFO`, data: "x" },
        { name: `${TOP}/a.bin`, data: randomText(200_000) },
      ],
    }),
  );
  const truncated = await read(big.subarray(0, big.length >> 1));
  assert.match(msg(truncated, "ART01"), /corrupt or truncated/);
  assert.ok(has(truncated, "ART01"));
  const corrupt = Buffer.from(big);
  for (let i = 2000; i < 2100; i++) corrupt[i] = 0xff;
  assert.ok(has(await read(corrupt), "ART01"));
});

test("ART01 warns on gzip damage after the tar's end block, which tarfile never reads", async () => {
  const good = sdist([]);
  const crc = Buffer.from(good);
  crc.writeUInt32LE((crc.readUInt32LE(crc.length - 8) ^ 1) >>> 0, crc.length - 8);
  for (const damaged of [crc, good.subarray(0, good.length - 4)]) {
    const m = await read(damaged);
    assert.match(msg(m, "ART01"), /damaged after the end of the tar archive/);
    assert.ok(has(m, "ART01", "warning") && !has(m, "ART01"));
  }
});

/** Poorly compressible text, so a cut in the gzip stream lands inside it. */
function randomText(n: number): string {
  let out = "";
  let x = 12345;
  while (out.length < n) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    out += x.toString(36);
  }
  return out.slice(0, n);
}

test("ART01 fails on a tar that ends inside a member and on an invalid first header", async () => {
  const tar = buildTar({ entries: [{ name: `${TOP}/a.py`, data: "x".repeat(3000) }], end: false });
  const cut = await read(gzipSync(tar.subarray(0, 1024)));
  assert.match(msg(cut, "ART01"), /truncated inside the member/);
  assert.equal(cut.members[0]?.digests, undefined);
  const garbage = await read(gzipSync(Buffer.alloc(1024, 0x41)));
  assert.match(msg(garbage, "ART01"), /first header is invalid/);
  assert.equal(garbage.readable, false);
});

test("ART01 warns when Python's tarfile would silently stop: bad header later, data after the end, no end blocks", async () => {
  const later = buildTar({ entries: [{ name: `${TOP}/a.py`, data: "x" }], end: false });
  const hidden = await read(
    gzipSync(
      Buffer.concat([
        later,
        Buffer.alloc(512, 0x41),
        buildTar({ entries: [{ name: `${TOP}/evil.py`, data: "y" }] }),
      ]),
    ),
  );
  assert.ok(has(hidden, "ART01", "warning"));
  assert.ok(!hidden.members.some((x) => x.name.endsWith("evil.py")));
  const afterEnd = await read(
    gzipTar(
      buildTar({
        entries: [{ name: `${TOP}/a.py`, data: "x" }],
        trailing: buildTar({ entries: [{ name: `${TOP}/b.py`, data: "y" }] }),
      }),
    ),
  );
  assert.match(msg(afterEnd, "ART01"), /follows the tar end-of-archive/);
  const noEnd = await read(gzipSync(later));
  assert.match(msg(noEnd, "ART01"), /no end-of-archive/);
  assert.ok(has(noEnd, "ART01", "warning") && !has(noEnd, "ART01"));
});

test("ART01 warns on bytes after the gzip stream and fails on a ZIP appended to it (polyglot)", async () => {
  const good = sdist([]);
  const zeros = await read(Buffer.concat([good, Buffer.alloc(100)]));
  assert.match(msg(zeros, "ART01"), /follow the end of the gzip stream/);
  assert.ok(!has(zeros, "ART01"));
  const polyglot = await read(Buffer.concat([good, buildZip({ entries: [{ name: "a.py", data: "x" }] })]));
  assert.match(msg(polyglot, "ART01"), /polyglot/);
  assert.ok(has(polyglot, "ART01"));
});

test("ART03 fails (an error, as for wheels) on a decompression bomb and stops reading it", async () => {
  const gzip = createGzip({ level: 9 });
  const parts: Buffer[] = [];
  gzip.on("data", (c: Buffer) => parts.push(c));
  const done = new Promise((resolve) => gzip.on("end", resolve));
  gzip.write(header({ name: `${TOP}/zeros.bin`, type: "0", size: 300 * 1024 * 1024, format: "ustar" }));
  const zeros = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < 300; i++) if (!gzip.write(zeros)) await new Promise((r) => gzip.once("drain", r));
  gzip.end(Buffer.alloc(1024));
  await done;
  const bomb = Buffer.concat(parts);
  assert.ok(bomb.length < 1_000_000);
  const rssBefore = process.memoryUsage().rss;
  const m = await read(bomb);
  assert.ok(process.memoryUsage().rss - rssBefore < 96 * 1024 * 1024, "streamed, not held in memory");
  assert.match(msg(m, "ART03"), /stopped reading/);
  assert.ok(has(m, "ART03", "error"), "a bomb is an error in an sdist too, never a pass");
});

/** A sdist whose `big.bin` header is changed by `patch`, with a file after it. */
const withSize = (patch: (block: Buffer) => void, pax?: Record<string, string>) =>
  tgz(
    [
      { name: `${TOP}/` },
      { name: `${TOP}/PKG-INFO`, data: "Metadata-Version: 2.4\nName: demo_pkg\nVersion: 1.0.0\n\n" },
      { name: `${TOP}/big.bin`, data: "x", patch, rechecksum: true, ...(pax === undefined ? {} : { pax }) },
      { name: `${TOP}/after.py`, data: "print(1)\n" },
    ],
    { record: true },
  );

/** A base-256 size field (0x80, then the value in 11 big-endian bytes), as GNU tar writes huge sizes. */
const base256 = (value: bigint) => (block: Buffer) => {
  block[124] = 0x80;
  for (let i = 11, v = value; i >= 1; i--, v >>= 8n) block[124 + i] = Number(v & 0xffn);
};

const TARFILE = `
import json, sys, tarfile
out = []
for path in json.load(sys.stdin):
    try:
        with tarfile.open(path) as t:
            names = [m.name for m in t]
        out.append({"ok": True, "names": names})
    except Exception as e:
        out.append({"ok": False, "raised": f"{type(e).__name__}: {e}"})
print(json.dumps(out))
`;

test("ART01 on a huge tar size field quotes what Python's tarfile really raises on it", async () => {
  const cases: [string, Buffer][] = [
    // Past a signed 64-bit offset: seek() refuses (ValueError).
    ["base-256 2^88-1", withSize(base256(2n ** 88n - 1n))],
    ["base-256 2^63-1", withSize(base256(2n ** 63n - 1n))],
    // Within it: tarfile seeks past the end of the data (ReadError).
    ["base-256 2^62", withSize(base256(2n ** 62n))],
    ["base-256 2^53", withSize(base256(2n ** 53n))],
    ["pax size 10^30", withSize(() => undefined, { size: "1000000000000000000000000000000" })],
  ];
  const paths = cases.map(([, bytes], i) => {
    const path = join(dir, `huge-${i}.tar.gz`);
    writeFileSync(path, bytes);
    return path;
  });
  const python = pythonJson<{ ok: boolean; raised?: string }[]>(TARFILE, paths);
  for (const [i, [name, bytes]] of cases.entries()) {
    const verdict = python[i]!;
    assert.equal(verdict.ok, false, `${name}: tarfile read it`);
    const m = await read(bytes);
    assert.ok(has(m, "ART01", "error"), `${name}: ${msg(m, "ART01")}`);
    assert.ok(
      msg(m, "ART01").includes(`Python's tarfile raises "${verdict.raised}"`),
      `${name}: ${msg(m, "ART01")} vs ${verdict.raised}`,
    );
  }
});

test("SEC01 fails on members escaping the extraction directory", async () => {
  for (const name of ["../evil.py", `${TOP}/../../evil.py`, "/etc/passwd", "C:/x.py"]) {
    const m = await read(sdist([{ name, data: "x" }]));
    assert.ok(has(m, "SEC01"), `${name}: ${ids(m).join()}`);
  }
  assert.ok(!ids(await read(sdist([{ name: `./${TOP}/ok.py`, data: "x" }]))).includes("SEC01"));
});

test("SEC03 fails on links that escape, are absolute or point at the root; symlinks resolve from their directory", async () => {
  const links: [TarEntry, "error" | "warning" | undefined][] = [
    [{ name: `${TOP}/abs`, type: "2", linkname: "/etc/passwd" }, "error"],
    [{ name: `${TOP}/up`, type: "2", linkname: "../../etc/passwd" }, "error"],
    [{ name: `${TOP}/root`, type: "2", linkname: ".." }, "error"],
    [{ name: `${TOP}/sub/rel`, type: "2", linkname: "../PKG-INFO" }, undefined],
    [{ name: `${TOP}/sub/hard`, type: "1", linkname: "../PKG-INFO" }, "error"],
    [{ name: `${TOP}/hard-ok`, type: "1", linkname: `${TOP}/PKG-INFO` }, undefined],
    [{ name: `${TOP}/dangling`, type: "2", linkname: "missing.txt" }, "warning"],
    [{ name: `${TOP}/trailing`, type: "2", linkname: "src/" }, undefined],
  ];
  for (const [link, severity] of links) {
    const m = await read(sdist([link]));
    const found = m.findings.filter((f) => f.id === "SEC03");
    if (severity === undefined) assert.deepEqual(found, [], String(link.name));
    else
      assert.equal(
        found[0]?.severity,
        severity,
        `${String(link.name)}: ${found.map((f) => f.message).join()}`,
      );
  }
});

test("SEC03 fails on a member written through a symlink", async () => {
  const m = await read(
    sdist([
      { name: `${TOP}/out`, type: "2", linkname: "src" },
      { name: `${TOP}/out/x.py`, data: "x" },
    ]),
  );
  assert.match(msg(m, "SEC03"), /through the symlink/);
});

test("SEC05 fails on devices and FIFOs in an sdist", async () => {
  for (const type of ["3", "4", "6"]) {
    const m = await read(sdist([{ name: `${TOP}/dev`, type }]));
    assert.ok(has(m, "SEC05"), type);
  }
});

test("SEC06 warns on setuid bits, writable files and stray executable bits; scripts may be executable", async () => {
  assert.match(
    msg(await read(sdist([{ name: `${TOP}/s`, data: "#!/bin/sh\n", mode: 0o4755 }])), "SEC06"),
    /setuid/,
  );
  assert.match(
    msg(await read(sdist([{ name: `${TOP}/w.txt`, data: "x", mode: 0o666 }])), "SEC06"),
    /writable/,
  );
  assert.match(
    msg(await read(sdist([{ name: `${TOP}/data.csv`, data: "a,b\n", mode: 0o755 }])), "SEC06"),
    /executable bit/,
  );
  assert.deepEqual(
    ids(await read(sdist([{ name: `${TOP}/run`, data: "#!/usr/bin/env python\n", mode: 0o755 }]))),
    [],
  );
});

test("SEC07 warns on duplicate tar members and case-only collisions", async () => {
  assert.match(
    msg(await read(sdist([{ name: `${TOP}/PKG-INFO`, data: "again" }])), "SEC07"),
    /appears 2 times/,
  );
  assert.match(
    msg(
      await read(
        sdist([
          { name: `${TOP}/Readme.md`, data: "a" },
          { name: `${TOP}/README.md`, data: "b" },
        ]),
      ),
      "SEC07",
    ),
    /case/,
  );
});

test("SEC09 fails on a token in an sdist file and shows only its redacted form", async () => {
  const token = `pypi-AgEIcHlwaS5vcmc${"CJDA2NzlkZWQwLTk1NzMtNGE1Yy1iZTc1LTc4NDZlZjRjYzQxOAACKlsz".repeat(2)}`;
  const m = await read(
    sdist([{ name: `${TOP}/build.sh`, data: `#!/bin/sh\n# upload\nTWINE_PASSWORD=${token}\n`, mode: 0o755 }]),
  );
  const f = m.findings.find((x) => x.id === "SEC09");
  assert.equal(f?.severity, "error");
  assert.equal(f?.location.member, `${TOP}/build.sh`);
  assert.equal(f?.location.line, 3);
  assert.ok(
    !JSON.stringify(m.findings).includes(token.slice(0, 12)),
    "the token must not appear in findings",
  );
  assert.match(f?.message ?? "", /pypi…/);
  const inTests = await read(sdist([{ name: `${TOP}/tests/fixture.txt`, data: token }]));
  assert.equal(inTests.findings.find((x) => x.id === "SEC09")?.severity, "warning");
});

test("SEC11 fails on PyArmor-encrypted code", async () => {
  const m = await read(
    sdist([
      {
        name: `${TOP}/src/enc.py`,
        data: "from pytransform import pyarmor_runtime\n__pyarmor__(__name__, __file__, b'\\x50')\n",
      },
    ]),
  );
  assert.ok(has(m, "SEC11"));
});
