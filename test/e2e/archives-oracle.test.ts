/**
 * Oracle: Python's zipfile and tarfile (the readers PyPI and pip use) decide whether each of a
 * broad generated set of archives is readable; slipway's ART01 must agree. Valid archives,
 * every crafted framing problem and deterministic fuzz (byte flips, truncations) of a wheel and
 * an sdist. Where Python reads a file that PyPI refuses, slipway must still fail it with the
 * rule PyPI applies (ART05, ART06, ART02, ART03 or the polyglot ART01), never with "unreadable".
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { gzipSync } from "node:zlib";
import { readArtifact } from "../../src/adapters/archives/read-artifact.ts";
import { pythonJson } from "../helpers/peers.ts";
import { buildSdist, buildTar } from "../helpers/tar-writer.ts";
import { buildWheel, buildZip, extraField, type ZipEntry } from "../helpers/zip-writer.ts";

interface Case {
  name: string;
  bytes: Uint8Array;
  kind: "zip" | "tar";
  /** Python reads it but PyPI refuses it: slipway's error must carry one of these IDs. */
  pypiRejects?: string[];
}

const rng = seededRandom;

const e = (name: string, more: Partial<ZipEntry> = {}): ZipEntry => ({
  name,
  data: `# ${name}\nx = 1\n`,
  mode: 0o100644,
  ...more,
});

function zipCases(): Case[] {
  const wheel = buildWheel({ files: { "demo_pkg/mod.py": "def f():\n    return 1\n".repeat(40) } }).bytes;
  const cases: Case[] = [
    { name: "valid wheel", bytes: wheel, kind: "zip" },
    {
      name: "stored members",
      bytes: buildZip({ entries: [e("a.py", { method: 0 }), e("b.py", { method: 0 })] }),
      kind: "zip",
    },
    {
      name: "zip64 records",
      bytes: buildZip({ entries: [e("a.py", { zip64: true })], zip64End: {} }),
      kind: "zip",
    },
    { name: "archive comment", bytes: buildZip({ entries: [e("a.py")], comment: "hello" }), kind: "zip" },
    {
      name: "data descriptor",
      bytes: buildZip({ entries: [e("a.py", { dataDescriptor: true })] }),
      kind: "zip",
      pypiRejects: ["ART05"],
    },
    {
      name: "cd comment",
      bytes: buildZip({ entries: [e("a.py", { central: { comment: "c" } })] }),
      kind: "zip",
      pypiRejects: ["ART05"],
    },
    {
      name: "duplicate name",
      bytes: buildZip({ entries: [e("a.py"), e("a.py")] }),
      kind: "zip",
      pypiRejects: ["ART05"],
    },
    {
      name: "local size mismatch",
      bytes: buildZip({ entries: [e("a.py", { local: { size: 1 } })] }),
      kind: "zip",
      pypiRejects: ["ART05"],
    },
    {
      name: "trailing data",
      bytes: buildZip({ entries: [e("a.py")], append: Buffer.from("tail") }),
      kind: "zip",
      pypiRejects: ["ART05"],
    },
    {
      name: "prepended data",
      bytes: buildZip({ entries: [e("a.py")], prepend: Buffer.from("head") }),
      kind: "zip",
      pypiRejects: ["ART05"],
    },
    {
      name: "gap",
      bytes: buildZip({ entries: [e("a.py", { after: Buffer.from("JUNK") }), e("b.py")] }),
      kind: "zip",
      pypiRejects: ["ART05"],
    },
    {
      name: "hidden local",
      bytes: buildZip({ entries: [e("a.py"), e("h.py", { skipCentral: true })] }),
      kind: "zip",
      pypiRejects: ["ART05"],
    },
    {
      name: "count mismatch",
      bytes: buildZip({ entries: [e("a.py")], end: { entries: 3, entriesOnDisk: 3 } }),
      kind: "zip",
      pypiRejects: ["ART05"],
    },
    {
      name: "duplicate zip64 extra",
      bytes: buildZip({
        entries: [
          e("a.py", {
            local: { extra: Buffer.concat([extraField(1, Buffer.alloc(0)), extraField(1, Buffer.alloc(0))]) },
          }),
        ],
      }),
      kind: "zip",
      pypiRejects: ["ART05"],
    },
    {
      name: "control char name",
      bytes: buildZip({ entries: [e("a\tb.py")] }),
      kind: "zip",
      pypiRejects: ["ART06"],
    },
    {
      name: "unflagged non-ascii",
      bytes: buildZip({ entries: [e("é.py", { utf8Flag: false })] }),
      kind: "zip",
      pypiRejects: ["ART06"],
    },
    { name: "bzip2 method", bytes: buildZip({ entries: [e("a.py", { method: 12 })] }), kind: "zip" },
    { name: "unknown method", bytes: buildZip({ entries: [e("a.py", { method: 77 })] }), kind: "zip" },
    { name: "encrypted", bytes: buildZip({ entries: [e("a.py", { flags: 1 })] }), kind: "zip" },
    { name: "crc mismatch", bytes: buildZip({ entries: [e("a.py", { central: { crc: 7 } })] }), kind: "zip" },
    {
      name: "local name mismatch",
      bytes: buildZip({ entries: [e("a.py", { local: { name: "b.py" } })] }),
      kind: "zip",
    },
    {
      name: "bad local offset",
      bytes: buildZip({ entries: [e("a.py", { central: { offset: 5 } })] }),
      kind: "zip",
    },
    { name: "bad cd offset", bytes: buildZip({ entries: [e("a.py")], end: { cdOffset: 1 } }), kind: "zip" },
    {
      name: "version 6.4",
      bytes: buildZip({ entries: [e("a.py", { central: { versionNeeded: 64 } })] }),
      kind: "zip",
    },
    {
      name: "flagged invalid utf8",
      bytes: buildZip({ entries: [e("x", { name: Buffer.from([0xc3, 0x28]), utf8Flag: true })] }),
      kind: "zip",
    },
    {
      name: "corrupt cd extra",
      bytes: buildZip({ entries: [e("a.py", { central: { extra: Buffer.from([1, 0, 40, 0, 1, 2]) } })] }),
      kind: "zip",
    },
    { name: "empty file", bytes: Buffer.alloc(0), kind: "zip" },
    { name: "text file", bytes: Buffer.from("hello world\n"), kind: "zip" },
  ];
  // Truncations and single-byte flips all over a valid wheel.
  const random = rng(42);
  for (let i = 0; i < 40; i++) {
    const cut = Math.floor(random() * wheel.length);
    cases.push({ name: `wheel cut at ${cut}`, bytes: wheel.subarray(0, cut), kind: "zip" });
  }
  for (let i = 0; i < 160; i++) {
    const flipped = Buffer.from(wheel);
    // Half the flips land in the last 400 bytes: the central directory and end records.
    const at =
      random() < 0.5 ? wheel.length - 1 - Math.floor(random() * 400) : Math.floor(random() * wheel.length);
    flipped[at] = (flipped[at]! ^ (1 << Math.floor(random() * 8))) & 0xff;
    cases.push({ name: `wheel flip at ${at}`, bytes: flipped, kind: "zip" });
  }
  return cases;
}

function tarCases(): Case[] {
  const { bytes: sdist } = buildSdist({ files: { "README.md": "# readme\n".repeat(50) } });
  const tar = buildTar({
    entries: [
      { name: "demo-1.0/" },
      { name: "demo-1.0/PKG-INFO", data: "Metadata-Version: 2.4\nName: demo\nVersion: 1.0\n" },
      { name: "demo-1.0/src/a.py", data: "x = 1\n".repeat(200) },
      { name: "demo-1.0/link", type: "2", linkname: "PKG-INFO" },
    ],
    record: true,
  });
  const cases: Case[] = [
    { name: "valid sdist", bytes: sdist, kind: "tar" },
    { name: "gnu sdist", bytes: buildSdist({ format: "gnu" }).bytes, kind: "tar" },
    { name: "v7 sdist", bytes: buildSdist({ format: "v7" }).bytes, kind: "tar" },
    { name: "ustar sdist", bytes: buildSdist({ format: "ustar" }).bytes, kind: "tar" },
    {
      name: "no end blocks",
      bytes: gzipSync(buildTar({ entries: [{ name: "d/a", data: "x" }], end: false })),
      kind: "tar",
    },
    { name: "plain tar", bytes: tar, kind: "tar" },
    { name: "empty gzip", bytes: gzipSync(Buffer.alloc(0)), kind: "tar" },
    {
      name: "zip polyglot",
      bytes: Buffer.concat([sdist, buildZip({ entries: [e("a.py")] })]),
      kind: "tar",
      pypiRejects: ["ART01"],
    },
  ];
  const gz = gzipSync(tar);
  const random = rng(7);
  for (let i = 0; i < 40; i++) {
    const cut = Math.floor(random() * gz.length);
    cases.push({ name: `sdist cut at ${cut}`, bytes: gz.subarray(0, cut), kind: "tar" });
  }
  for (let i = 0; i < 120; i++) {
    const flipped = Buffer.from(tar);
    // Flip inside the uncompressed tar (headers mostly: they are most of a small archive).
    const at = Math.floor(random() * 4096);
    flipped[at] = (flipped[at]! ^ (1 << Math.floor(random() * 8))) & 0xff;
    cases.push({ name: `tar flip at ${at}`, bytes: gzipSync(flipped), kind: "tar" });
  }
  return cases;
}

const PYTHON = `
import json, sys, tarfile, zipfile
out = {}
for case in json.load(sys.stdin):
    path = case["path"]
    try:
        if case["kind"] == "zip":
            with zipfile.ZipFile(path) as z:
                for info in z.infolist():
                    z.read(info)
        else:
            with tarfile.open(path, "r:gz") as t:
                for m in t.getmembers():
                    if m.isfile():
                        t.extractfile(m).read()
        out[path] = None
    except Exception as e:
        out[path] = type(e).__name__ + ": " + str(e)[:160]
print(json.dumps(out))
`;

import { seededRandom } from "../helpers/random.ts";

test("ART01 agrees with Python's zipfile and tarfile on which archives are readable", {
  timeout: 120_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "slipway-oracle-"));
  const cases = [...zipCases(), ...tarCases()].map((c, i) => {
    const sub = join(dir, String(i));
    mkdirSync(sub);
    const path = join(sub, c.kind === "zip" ? "demo_pkg-1.0.0-py3-none-any.whl" : "demo-1.0.tar.gz");
    writeFileSync(path, c.bytes);
    return { ...c, path };
  });
  const python = pythonJson<Record<string, string | null>>(
    PYTHON,
    cases.map((c) => ({ path: c.path, kind: c.kind })),
  );
  const disagreements: string[] = [];
  let unreadable = 0;
  for (const c of cases) {
    const model = await readArtifact(c.path);
    const errors = model.findings.filter((f) => f.severity === "error");
    const pyError = python[c.path];
    const art01 = errors.some((f) => f.id === "ART01");
    // Python cannot decompress members in methods PyPI refuses anyway: ART02 says so.
    const unreadableHere = art01 || errors.some((f) => f.id === "ART02");
    if (pyError !== null && pyError !== undefined) {
      unreadable++;
      if (!unreadableHere) disagreements.push(`${c.name}: Python fails (${pyError}) but slipway reads it`);
    } else if (c.pypiRejects !== undefined) {
      if (!errors.some((f) => c.pypiRejects!.includes(f.id))) {
        disagreements.push(`${c.name}: PyPI refuses it but slipway has no ${c.pypiRejects.join("/")} error`);
      }
    } else if (art01) {
      const shown = errors.filter((f) => f.id === "ART01").map((f) => f.message);
      disagreements.push(`${c.name}: Python reads it but slipway says ${shown.join("; ")}`);
    }
  }
  rmSync(dir, { recursive: true, force: true });
  assert.deepEqual(disagreements, []);
  // The generated set must exercise both outcomes broadly.
  assert.ok(unreadable > 60 && unreadable < cases.length - 60, `unreadable ${unreadable} of ${cases.length}`);
});
