#!/usr/bin/env node
// Generates reproducible ~50 MB wheels for the archive-reader benchmark (bench/archives.mjs):
//   mixed    - Python sources, data files and a few extension-module-like binaries
//   sources  - only Python sources (many small members: per-member overhead dominates)
//   binaries - a few large, poorly compressible members (inflate and hashing dominate)
//   sdist    - the mixed content as a .tar.gz sdist (one gzip stream through the tar parser)
// Usage: node bench/gen-wheels.mjs [outdir] [profile...] [--mb=50]
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { seededRandom } from "../test/helpers/random.ts";
import { buildTar } from "../test/helpers/tar-writer.ts";
import { buildZip } from "../test/helpers/zip-writer.ts";

const args = process.argv.slice(2);
const targetMb = Number(args.find((a) => a.startsWith("--mb="))?.slice(5) ?? 50);
const positional = args.filter((a) => !a.startsWith("--"));
const outdir = positional[0] ?? "bench/.fixtures";
const profiles =
  positional.slice(1).length > 0 ? positional.slice(1) : ["mixed", "sources", "binaries", "sdist"];

const rng = seededRandom;

const WORDS =
  "value result config handler request response session client server buffer stream parse render check build index token path name version module package record member archive digest".split(
    " ",
  );

function pySource(rand, size) {
  const out = [];
  let n = 0;
  const word = () => WORDS[Math.floor(rand() * WORDS.length)];
  while (n < size) {
    const fn = `${word()}_${word()}_${Math.floor(rand() * 1000)}`;
    const line =
      `def ${fn}(${word()}, ${word()}=None):\n` +
      `    """Return the ${word()} of the ${word()} for ${word()} ${Math.floor(rand() * 1e6)}."""\n` +
      `    ${word()} = ${word()}.${word()}(${word()}, ${Math.floor(rand() * 100)})\n` +
      `    if ${word()} is not None and ${word()} > ${(rand() * 10).toFixed(3)}:\n` +
      `        raise ValueError(f"bad ${word()}: {${word()}!r}")\n` +
      `    return ${word()}\n\n`;
    out.push(line);
    n += line.length;
  }
  return Buffer.from(out.join("").slice(0, size));
}

/** Machine-code-like bytes: random runs mixed with repeated tables, compresses ~2x. */
function binary(rand, size) {
  const b = Buffer.alloc(size);
  let at = 0;
  while (at < size) {
    const run = 16 + Math.floor(rand() * 240);
    if (rand() < 0.55) for (let i = 0; i < run && at < size; i++) b[at++] = Math.floor(rand() * 256);
    else {
      const byte = Math.floor(rand() * 16);
      for (let i = 0; i < run && at < size; i++) b[at++] = (byte + (i % 4)) & 0xff;
    }
  }
  return b;
}

function csv(rand, size) {
  const rows = [];
  let n = 0;
  while (n < size) {
    const row = `${Math.floor(rand() * 1e6)},${WORDS[Math.floor(rand() * WORDS.length)]},${(rand() * 1000).toFixed(4)},${rand() < 0.5}\n`;
    rows.push(row);
    n += row.length;
  }
  return Buffer.from(rows.join("").slice(0, size));
}

function files(profile, rand, budget) {
  const out = [];
  let compressedEstimate = 0;
  let i = 0;
  while (compressedEstimate < budget) {
    const pick = profile === "sources" ? 0 : profile === "binaries" ? 1 : rand();
    if (pick < 0.8) {
      const size = 500 + Math.floor(rand() ** 2 * 60_000);
      out.push([`bench_pkg/mod${Math.floor(i / 50)}/m${i}.py`, pySource(rand, size)]);
      compressedEstimate += size / 4.5;
    } else if (pick < 0.93 && profile !== "binaries") {
      const size = 200_000 + Math.floor(rand() * 2_000_000);
      out.push([`bench_pkg/data/table${i}.csv`, csv(rand, size)]);
      compressedEstimate += size / 3;
    } else {
      const size = 1_000_000 + Math.floor(rand() * 7_000_000);
      out.push([`bench_pkg/_ext${i}.cpython-312-x86_64-linux-gnu.so`, binary(rand, size)]);
      compressedEstimate += size / 1.6;
    }
    i++;
  }
  return out;
}

mkdirSync(outdir, { recursive: true });
for (const profile of profiles) {
  const rand = rng(0x5eed + profile.length);
  const di = "bench_pkg-1.0.0.dist-info";
  const list = files(profile === "sdist" ? "mixed" : profile, rand, targetMb * 1024 * 1024);
  if (profile === "sdist") {
    writeSdist(list);
    continue;
  }
  list.push([`${di}/METADATA`, Buffer.from("Metadata-Version: 2.4\nName: bench-pkg\nVersion: 1.0.0\n\n")]);
  list.push([
    `${di}/WHEEL`,
    Buffer.from(
      "Wheel-Version: 1.0\nGenerator: bench\nRoot-Is-Purelib: false\nTag: cp312-cp312-linux_x86_64\n",
    ),
  ]);
  const rows = list.map(
    ([n, d]) => `${n},sha256=${createHash("sha256").update(d).digest("base64url")},${d.length}`,
  );
  rows.push(`${di}/RECORD,,`);
  list.push([`${di}/RECORD`, Buffer.from(`${rows.join("\n")}\n`)]);
  const bytes = buildZip({ entries: list.map(([name, data]) => ({ name, data, mode: 0o100644 })) });
  mkdirSync(join(outdir, profile), { recursive: true });
  const path = join(outdir, profile, "bench_pkg-1.0.0-cp312-cp312-linux_x86_64.whl");
  writeFileSync(path, bytes);
  const uncompressed = list.reduce((n, [, d]) => n + d.length, 0);
  console.log(
    `${path}: ${(bytes.length / 1048576).toFixed(1)} MiB, ${list.length} members, ${(uncompressed / 1048576).toFixed(1)} MiB uncompressed`,
  );
}

function writeSdist(list) {
  const top = "bench_pkg-1.0.0";
  const entries = [
    { name: `${top}/` },
    { name: `${top}/PKG-INFO`, data: "Metadata-Version: 2.4\nName: bench-pkg\nVersion: 1.0.0\n\n" },
    ...list.map(([name, data]) => ({ name: `${top}/src/${name}`, data })),
  ];
  const bytes = gzipSync(buildTar({ entries, record: true }));
  mkdirSync(join(outdir, "sdist"), { recursive: true });
  const path = join(outdir, "sdist", `${top}.tar.gz`);
  writeFileSync(path, bytes);
  const uncompressed = list.reduce((n, [, d]) => n + d.length, 0);
  console.log(
    `${path}: ${(bytes.length / 1048576).toFixed(1)} MiB, ${entries.length} members, ${(uncompressed / 1048576).toFixed(1)} MiB uncompressed`,
  );
}
