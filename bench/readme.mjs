#!/usr/bin/env node
// Benchmark: slipway's one-pass Markdown scanner (src/core/readme/markdown-scan.ts) against
// micromark's CommonMark parse read through its events (what the scanner stands in for: link and
// image destinations and raw HTML, with lines), side by side in one run, on:
//   - every Markdown long description on this machine: the test corpus dists (.cache/corpus),
//     the peers venv's installed packages, the committed fixtures and the examples' READMEs;
//     per README both warm (best of 5, in this process) and cold (the first parse in a fresh
//     process, as one `slipway check` pays it), and the totals;
//   - one ~1 MB README (the corpus concatenated);
//   - the pathological inputs of test/unit/markdown-scan.test.ts, judged by scaling (8x the input);
//   - `slipway check` of typical dists, cold (SLIPWAY_NO_CACHE=1, the first check of a README;
//     no Python, so only the Markdown work differs), with the bundle as built (npm run build
//     first) and with a bundle of the same sources whose scanner is replaced by micromark.
// `--quick` skips the cold per-README processes and the check runs.
import { execFileSync, spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync, inflateRawSync } from "node:zlib";
import { PATHOLOGICAL_MARKDOWN } from "../test/helpers/markdown-pathological.ts";
import { smallCorpus } from "./check-small.mjs";
import { compare, fmt, median } from "./lib.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
// Outside the repository (the lint would read the generated sources), with node_modules beside.
const out = join(tmpdir(), "slipway-bench-readme");
const quick = process.argv.includes("--quick");

// The same items through micromark's events: the scanner tests' own oracle, copied in its place.
const MICROMARK_SCAN = readFileSync(join(root, "test", "helpers", "micromark-items.ts"), "utf8");
const IMPLS = {
  scanner: join(root, "src", "core", "readme", "markdown-scan.ts"),
  micromark: join(out, "micromark-scan.ts"),
};

// ---- a child: the first parse of one file in a fresh process ------------------------------

if (process.argv[2] === "--cold") {
  const [, , , impl, file] = process.argv;
  const text = readFileSync(file, "utf8");
  const t0 = performance.now();
  const { scanMarkdownSyntax } = await import(IMPLS[impl]);
  const t1 = performance.now();
  scanMarkdownSyntax(text);
  const t2 = performance.now();
  process.stdout.write(JSON.stringify({ importMs: t1 - t0, parseMs: t2 - t1 }));
  process.exit(0);
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
symlinkSync(join(root, "node_modules"), join(out, "node_modules"));
writeFileSync(IMPLS.micromark, MICROMARK_SCAN);
const impls = {
  scanner: (await import(IMPLS.scanner)).scanMarkdownSyntax,
  micromark: (await import(IMPLS.micromark)).scanMarkdownSyntax,
};
const { field, parseMetadataFile } = await import(join(root, "src", "core", "metadata", "parse.ts"));

// ---- the corpus -------------------------------------------------------------------------

function listFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** A wheel's *.dist-info/METADATA, read through the central directory (no ZIP64). */
function wheelMetadata(path) {
  const buf = readFileSync(path);
  const end = buf.lastIndexOf(Buffer.from("PK\x05\x06", "latin1"));
  if (end < 0) return undefined;
  const cdEnd = buf.readUInt32LE(end + 16) + buf.readUInt32LE(end + 12);
  for (let p = buf.readUInt32LE(end + 16); p + 46 <= cdEnd; ) {
    const nameLength = buf.readUInt16LE(p + 28);
    const name = buf.toString("utf8", p + 46, p + 46 + nameLength);
    const [method, size, local] = [
      buf.readUInt16LE(p + 10),
      buf.readUInt32LE(p + 20),
      buf.readUInt32LE(p + 42),
    ];
    p += 46 + nameLength + buf.readUInt16LE(p + 30) + buf.readUInt16LE(p + 32);
    if (!/^[^/]+\.dist-info\/METADATA$/.test(name)) continue;
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(start, start + size);
    return method === 8 ? inflateRawSync(data) : data;
  }
  return undefined;
}

/** An sdist's top-level <name>/PKG-INFO (ustar; long names are not needed here). */
function sdistMetadata(path) {
  const tar = gunzipSync(readFileSync(path));
  for (let p = 0; p + 512 <= tar.length; ) {
    const name = tar.toString("utf8", p, p + 100).replace(/\0.*$/s, "");
    if (name === "") return undefined;
    const size = Number.parseInt(
      tar
        .toString("latin1", p + 124, p + 136)
        .replace(/\0.*$/s, "")
        .trim() || "0",
      8,
    );
    if (/^[^/]+\/PKG-INFO$/.test(name)) return tar.subarray(p + 512, p + 512 + size);
    p += 512 + Math.ceil(size / 512) * 512;
  }
  return undefined;
}

function corpus() {
  const seen = new Set();
  const found = [];
  const add = (name, text) => {
    if (!text?.trim() || seen.has(text)) return;
    seen.add(text);
    found.push({ name, text });
  };
  const fromMetadata = (name, bytes) => {
    if (!bytes) return;
    const md = parseMetadataFile(bytes);
    const type = field(md, "Description-Content-Type")?.split(";")[0]?.trim().toLowerCase();
    if (type === "text/markdown") add(name, md.body ?? field(md, "Description"));
  };
  for (const file of listFiles(join(root, ".cache", "corpus"))) {
    if (file.endsWith(".whl")) fromMetadata(basename(file), wheelMetadata(file));
    else if (file.endsWith(".tar.gz")) fromMetadata(basename(file), sdistMetadata(file));
  }
  for (const file of listFiles(join(root, ".cache", "peers"))) {
    if (file.endsWith(".dist-info/METADATA")) fromMetadata(basename(dirname(file)), readFileSync(file));
  }
  for (const file of listFiles(join(root, "test", "fixtures", "markdown"))) {
    if (file.endsWith(".md")) add(`fixture ${basename(file)}`, readFileSync(file, "utf8"));
  }
  for (const file of listFiles(join(root, "examples"))) {
    if (/\/examples\/[^/]+\/README\.md$/.test(file))
      add(`example ${basename(dirname(file))}`, readFileSync(file, "utf8"));
  }
  return found;
}

function best(fn, text, rounds = 5) {
  let ms = Number.POSITIVE_INFINITY;
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    fn(text);
    ms = Math.min(ms, performance.now() - start);
  }
  return ms;
}

function cold(impl, file) {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "--cold", impl, file], {
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`cold ${impl} ${file}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const readmes = corpus();
const kb = (text) => `${fmt(Buffer.byteLength(text) / 1024, 1)} KB`;
console.log(`README rendering: scanner vs micromark on ${readmes.length} Markdown READMEs`);

// Same answers, or the comparison means nothing.
for (const { name, text } of readmes) {
  if (JSON.stringify(impls.scanner(text)) !== JSON.stringify(impls.micromark(text))) {
    console.log(`  note: ${name}: the two disagree`);
  }
}

const rows = readmes.map(({ name, text }, i) => {
  const file = join(out, `readme-${i}.md`);
  writeFileSync(file, text);
  const row = { name, size: Buffer.byteLength(text), warm: {}, cold: {} };
  for (const impl of Object.keys(impls)) {
    row.warm[impl] = best(impls[impl], text);
    if (!quick) row.cold[impl] = cold(impl, file);
  }
  return row;
});
rows.sort((a, b) => b.size - a.size);
console.log(
  `\n${"README".padEnd(44)} ${"size".padStart(9)}  warm: scanner  micromark   cold: scanner  micromark (import)`,
);
for (const r of rows) {
  const c = quick
    ? ""
    : `   ${fmt(r.cold.scanner.parseMs, 2).padStart(10)}  ${fmt(r.cold.micromark.parseMs, 2).padStart(9)} (${fmt(r.cold.micromark.importMs, 1)})`;
  console.log(
    `${r.name.slice(0, 44).padEnd(44)} ${`${fmt(r.size / 1024, 1)} KB`.padStart(9)}  ${fmt(r.warm.scanner, 2).padStart(13)}  ${fmt(r.warm.micromark, 2).padStart(9)}${c}`,
  );
}
const sum = (f) => rows.reduce((s, r) => s + f(r), 0);
const bytes = sum((r) => r.size);
console.log(
  `\ntotal ${fmt(bytes / 1024, 0)} KB over ${rows.length} READMEs, warm: scanner ${fmt(
    sum((r) => r.warm.scanner),
    1,
  )} ms, micromark ${fmt(
    sum((r) => r.warm.micromark),
    1,
  )} ms`,
);
if (!quick) {
  const worst = rows.reduce((a, b) => (b.cold.micromark.parseMs > a.cold.micromark.parseMs ? b : a));
  console.log(
    `cold (first parse in a fresh process): scanner sum ${fmt(
      sum((r) => r.cold.scanner.parseMs),
      1,
    )} ms, median ${fmt(median(rows.map((r) => r.cold.scanner.parseMs)), 2)} ms; micromark sum ${fmt(
      sum((r) => r.cold.micromark.parseMs),
      1,
    )} ms, median ${fmt(median(rows.map((r) => r.cold.micromark.parseMs)), 2)} ms, max ${fmt(worst.cold.micromark.parseMs, 1)} ms (${worst.name}, ${kb(readmes.find((x) => x.name === worst.name).text)}; scanner ${fmt(worst.cold.scanner.parseMs, 1)} ms)`,
  );
  console.log(
    `cold import (unbundled, from node_modules / the .ts sources): scanner median ${fmt(median(rows.map((r) => r.cold.scanner.importMs)), 1)} ms, micromark ${fmt(median(rows.map((r) => r.cold.micromark.importMs)), 1)} ms`,
  );
}

// ---- one large README -------------------------------------------------------------------

let large = readmes.map((r) => r.text).join("\n\n");
while (Buffer.byteLength(large) < 1_000_000) large += `\n\n${large}`;
large = large.slice(0, 1_000_000);
const largeFile = join(out, "large.md");
writeFileSync(largeFile, large);
console.log(`\none README of ${kb(large)} (the corpus concatenated):`);
for (const impl of Object.keys(impls)) {
  const c = quick ? "" : `, cold ${fmt(cold(impl, largeFile).parseMs, 0)} ms`;
  console.log(`  ${impl.padEnd(10)} warm ${fmt(best(impls[impl], large, 3), 0)} ms${c}`);
}

// ---- pathological inputs: scaling ---------------------------------------------------------

const CASES = PATHOLOGICAL_MARKDOWN;
// micromark is measured at a tenth of the scanner's sizes: on some of these it is quadratic, and
// 40,000 repeats would take minutes.
const SIZES = { scanner: [5_000, 40_000], micromark: [500, 4_000] };
console.log(
  "\npathological inputs (test/unit/markdown-scan.test.ts), best of 3, 8x the input (linear: 8x the time):",
);
for (const [what, make] of Object.entries(CASES)) {
  const cells = Object.keys(impls).map((impl) => {
    const [n, m] = SIZES[impl];
    const [a, b] = [best(impls[impl], make(n), 3), best(impls[impl], make(m), 3)];
    return `${impl} n=${n} ${fmt(a, 1)} ms → n=${m} ${fmt(b, 1)} ms (${fmt(b / a, 1)}x)`;
  });
  console.log(`  ${what.padEnd(14)} ${cells.join(";  ")}`);
}

// ---- slipway check, scanner bundle vs micromark bundle ------------------------------------

if (!quick) {
  const variant = join(out, "variant");
  rmSync(variant, { recursive: true, force: true });
  mkdirSync(variant, { recursive: true });
  for (const entry of [
    "src",
    "scripts",
    "package.json",
    "package-lock.json",
    "tsconfig.json",
    "tsconfig.build.json",
  ]) {
    cpSync(join(root, entry), join(variant, entry), { recursive: true });
  }
  symlinkSync(join(root, "node_modules"), join(variant, "node_modules"));
  writeFileSync(join(variant, "src", "core", "readme", "markdown-scan.ts"), MICROMARK_SCAN);
  execFileSync(process.execPath, ["scripts/build.mjs"], {
    cwd: variant,
    stdio: ["ignore", "ignore", "inherit"],
  });
  // No Python (a path that does not exist): both bundles then give the built-in verdicts, so
  // the difference is the Markdown work alone, without Python's start-up noise.
  const python = join(out, "no-python");
  const dists = smallCorpus().filter((c) => c.category === "example" || c.category === "real");
  const env = { ...process.env, SLIPWAY_NO_CACHE: "1" };
  const sets = [
    ["release-like dists", dists.map((d) => d.file)],
    ...[...new Set(dists.filter((d) => d.category === "example").map((d) => dirname(d.file)))].map((dir) => [
      `${basename(dir)} (sdist + wheel)`,
      dists.filter((d) => dirname(d.file) === dir).map((d) => d.file),
    ]),
  ];
  console.log(
    "\nslipway check --python <none>, cold (SLIPWAY_NO_CACHE=1: the first check of a README), median of 9:",
  );
  for (const [label, files] of sets) {
    const argv = (cli) => [process.execPath, cli, "check", ...files, "--python", python, "--json"];
    const [s, m] = compare(
      [
        { name: "scanner", argv: argv(join(root, "dist", "cli.js")), options: { env } },
        { name: "micromark", argv: argv(join(variant, "dist", "cli.js")), options: { env } },
      ],
      9,
    );
    console.log(
      `  ${`${label} (${files.length})`.padEnd(36)} scanner ${fmt(s.median, 0)} ms, micromark ${fmt(m.median, 0)} ms (${m.median >= s.median ? "+" : ""}${fmt(m.median - s.median, 0)} ms)`,
    );
  }
}
