/**
 * extractSdist on real files: sdists built by real backends and a crafted one in every tar
 * dialect must unpack exactly as Python's tarfile does with filter="data" (the oracle: names,
 * contents, modes, links, mtimes); hostile and damaged archives must fail with an "archive"
 * SlipwayError naming the file and leave nothing behind, where tarfile also refuses them.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { once } from "node:events";
import {
  cpSync,
  createWriteStream,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { createGzip } from "node:zlib";
import { extractSdist } from "../../src/adapters/archives/extract.ts";
import { normalizeLink } from "../../src/core/archive/extract-tree.ts";
import { SlipwayError } from "../../src/errors.ts";
import { peersPython } from "../helpers/peers.ts";
import { seededInt } from "../helpers/random.ts";
import { buildSdist, buildTar, gnuLong, gzipTar, header, type TarEntry } from "../helpers/tar-writer.ts";
import { buildZip } from "../helpers/zip-writer.ts";

const TOP = "demo_pkg-1.0.0";
const work = mkdtempSync(join(tmpdir(), "slipway-extract-"));
after(() => rmSync(work, { recursive: true, force: true }));
let count = 0;

/** Writes `bytes` as the sdist file in a new directory; `dest` is the (missing) output dir. */
function stage(bytes: Uint8Array, name = `${TOP}.tar.gz`): { dir: string; file: string; dest: string } {
  const dir = join(work, String(count++));
  mkdirSync(dir);
  writeFileSync(join(dir, name), bytes);
  return { dir, file: join(dir, name), dest: join(dir, "out") };
}

/** What tarfile's data filter does with `file`: the error class it raises, or "" once extracted. */
function tarfileVerdict(file: string, dest: string): string {
  const code = `import sys, tarfile
try:
    tarfile.open(sys.argv[1]).extractall(sys.argv[2], filter="data")
    print("")
except Exception as e:
    print(type(e).__name__)`;
  return execFileSync(peersPython(), ["-c", code, file, dest], { encoding: "utf8" }).trim();
}

interface Node {
  path: string;
  type: "dir" | "file" | "symlink";
  mode: number;
  content?: Buffer;
  target?: string;
  nlink: number;
}

/** The tree under `root`: entries in path order, and mtimes (ns) kept apart for a tolerant compare. */
function snapshot(root: string): { nodes: Node[]; mtimes: Map<string, bigint> } {
  const nodes: Node[] = [];
  const mtimes = new Map<string, bigint>();
  const visit = (rel: string) => {
    for (const name of readdirSync(join(root, rel)).sort()) {
      const path = rel === "" ? name : `${rel}/${name}`;
      const full = join(root, path);
      const st = lstatSync(full, { bigint: true });
      const type = st.isDirectory() ? "dir" : st.isSymbolicLink() ? "symlink" : "file";
      const node: Node = { path, type, mode: Number(st.mode & 0o7777n), nlink: Number(st.nlink) };
      if (type === "file") node.content = readFileSync(full);
      // tarfile writes normalized link targets since the 2025 filter fixes (3.11.13, 3.12.11).
      if (type === "symlink") node.target = normalizeLink(readlinkSync(full));
      else mtimes.set(path, st.mtimeNs);
      nodes.push(node);
      if (type === "dir") visit(path);
    }
  };
  visit("");
  return { nodes, mtimes };
}

/** Extracts `file` with slipway and with tarfile and compares the trees; dirs in `dated` by mtime too. */
async function matchesTarfile(file: string, dated: (path: string) => boolean) {
  const ours = join(work, String(count++));
  const theirs = join(work, String(count++));
  const result = await extractSdist(file, ours);
  assert.equal(tarfileVerdict(file, theirs), "");
  const a = snapshot(ours);
  const b = snapshot(theirs);
  assert.deepEqual(a.nodes, b.nodes);
  for (const [path, ns] of b.mtimes) {
    const isDir = b.nodes.find((n) => n.path === path)?.type === "dir";
    if (isDir && !dated(path)) continue;
    const diff = a.mtimes.get(path)! - ns;
    assert.ok(diff >= -1000n && diff <= 1000n, `mtime of ${path}: ${a.mtimes.get(path)} vs tarfile ${ns}`);
  }
  return { result, nodes: a.nodes, ours };
}

test("sdists built by flit_core and hatchling extract exactly as tarfile's data filter does", async () => {
  for (const example of ["prompt-manager", "hatch-lib"]) {
    const source = join(work, `src-${example}`);
    const out = join(work, `dist-${example}`);
    const examples = fileURLToPath(new URL("../../examples/", import.meta.url));
    const ignored = /(^|[\\/])(dist|build|__pycache__|[^\\/]*\.egg-info)$/;
    cpSync(join(examples, example), source, { recursive: true, filter: (p) => !ignored.test(p) });
    execFileSync(peersPython(), ["-m", "build", "--sdist", "--no-isolation", "--outdir", out, source], {
      stdio: "ignore",
    });
    const sdist = readdirSync(out).find((f) => f.endsWith(".tar.gz"))!;
    const { result, nodes } = await matchesTarfile(join(out, sdist), () => false);
    assert.equal(result.root, sdist.replace(/\.tar\.gz$/, ""));
    const files = nodes.filter((n) => n.type === "file");
    assert.ok(files.some((n) => n.path === `${result.root}/PKG-INFO`));
    assert.equal(result.files, files.length);
    assert.equal(
      result.bytes,
      files.reduce((sum, n) => sum + n.content!.length, 0),
    );
  }
});

test("a crafted sdist: modes, links, long names, pax mtimes, duplicates and a multi-chunk member", async () => {
  const int = seededInt(7);
  const big = Buffer.alloc(3 * 1024 * 1024 + 123);
  for (let i = 0; i < big.length; i++) big[i] = int(256);
  const entries: TarEntry[] = [
    { name: `${TOP}/`, pax: { mtime: "1600000000.25" } },
    { name: `${TOP}/src/`, mode: 0o700 },
    { name: `${TOP}/src/pkg/` },
    { name: `${TOP}/src/pkg/__init__.py`, data: "x = 1\n", mode: 0o4777 },
    { name: `${TOP}/src/pkg/data.bin`, data: big },
    { name: `${TOP}/tool.sh`, data: "#!/bin/sh\n", mode: 0o750 },
    { name: `${TOP}/private`, data: "p", mode: 0o400 },
    { name: `${TOP}/group-exec`, data: "g", mode: 0o611 },
    { name: `${TOP}/link`, type: "2", linkname: "src/pkg/__init__.py" },
    { name: `${TOP}/dirlink`, type: "2", linkname: "./src/pkg/" },
    { name: `${TOP}/hard`, type: "1", linkname: `${TOP}/tool.sh`, mode: 0o644 },
    { name: `${TOP}/dup.txt`, data: "first" },
    { name: `${TOP}/dup.txt`, data: "second", mode: 0o755 },
    { name: `${TOP}/${"long/".repeat(30)}deep.py`, data: "d" },
    { name: "x", data: "g", format: "gnu", before: gnuLong("L", `${TOP}/gnu-${"n".repeat(120)}.py`) },
    { name: `${TOP}/alias`, type: "2", linkname: "src" },
    { name: `${TOP}/alias/via-link.py`, data: "v" },
    { name: `${TOP}/when.txt`, data: "m", pax: { mtime: "1234567890.5" } },
  ];
  const { file } = stage(gzipTar(buildTar({ entries, record: true })));
  const explicit = new Set([TOP, `${TOP}/src`, `${TOP}/src/pkg`]);
  const { result, nodes, ours } = await matchesTarfile(file, (p) => explicit.has(p));
  const mode = (p: string) => nodes.find((n) => n.path === `${TOP}/${p}`)?.mode;
  assert.deepEqual(
    ["src/pkg/__init__.py", "tool.sh", "private", "group-exec", "hard", "dup.txt"].map(mode),
    [0o755, 0o644, 0o600, 0o600, 0o644, 0o755],
  );
  assert.equal(readlinkSync(join(ours, TOP, "dirlink")), "src/pkg");
  assert.equal(nodes.find((n) => n.path === `${TOP}/src/via-link.py`)?.type, "file");
  assert.equal(result.root, TOP);
});

const sym = (name: string, linkname: string): TarEntry => ({ name: `${TOP}/${name}`, type: "2", linkname });
const hard = (linkname: string): TarEntry => ({ name: `${TOP}/h`, type: "1", linkname });
const plain = (name: string): TarEntry => ({ name, data: "x" });
/** [case, members after a valid sdist's files, error, what tarfile's data filter raises (if it refuses)] */
const hostile: [string, TarEntry[], RegExp, string?][] = [
  ["../evil", [plain("../evil")], /"\.\.\/evil" resolves outside/, "OutsideDestinationError"],
  ["absolute path", [plain("/abs.py")], /"\/abs\.py" is an absolute path/],
  [
    "symlink to /etc/passwd",
    [sym("passwd", "/etc/passwd")],
    /passwd" is a link to the absolute path \/etc\/passwd/,
    "AbsoluteLinkError",
  ],
  [
    "escaping symlink",
    [sym("up", "../../outside")],
    /outside the extraction directory/,
    "LinkOutsideDestinationError",
  ],
  // Lexically demo_pkg-1.0.0/evil, but c -> a/b -> the top directory, so it climbs out of dest.
  [
    "symlink chain escaping",
    [sym("a/b", ".."), sym("c", "a/b"), plain(`${TOP}/c/../../evil`)],
    /c\/\.\.\/\.\.\/evil" resolves outside/,
    "OutsideDestinationError",
  ],
  ["symlink to the destination", [sym("root", "..")], /resolves to the extraction directory/],
  ["symlink loop", [sym("x", "y"), sym("y", "x")], /"demo_pkg-1\.0\.0\/x" is a symlink to y, which loops/],
  [
    "hardlink outside",
    [hard("../etc/passwd")],
    /hardlink whose target \.\.\/etc\/passwd resolves outside/,
    "LinkOutsideDestinationError",
  ],
  ["absolute hardlink", [hard("/etc/passwd")], /absolute path \/etc\/passwd/, "AbsoluteLinkError"],
  [
    "character device",
    [{ name: `${TOP}/null`, type: "3" }],
    /"demo_pkg-1\.0\.0\/null" is a character device/,
    "SpecialFileError",
  ],
  ["fifo", [{ name: `${TOP}/pipe`, type: "6" }], /is a FIFO/, "SpecialFileError"],
  [
    "two top-level dirs",
    [plain("other-2.0/setup.py")],
    /second top-level entry "other-2\.0" besides "demo_pkg-1\.0\.0"/,
  ],
  // Past the path limits (ART11): refused before any work proportional to the depth.
  [
    "a member 1,000 directories deep",
    [plain(`${TOP}/${"d/".repeat(999)}x.py`)],
    /is 1000 directories deep/,
    "RecursionError",
  ],
  [
    "a path over 4096 bytes",
    [plain(`${TOP}/${`${"p".repeat(200)}/`.repeat(21)}x.py`)],
    /has a path of 4240 bytes/,
    "OSError",
  ],
  ["a name over 255 bytes", [plain(`${TOP}/${"n".repeat(300)}.py`)], /has a name of 303 bytes/, "OSError"],
  [
    "a base-256 size of 2^88 - 1",
    [
      {
        name: `${TOP}/big.bin`,
        data: "x",
        patch: (b) => b.fill(0xff, 125, 136).fill(0x80, 124, 125),
        rechecksum: true,
      },
    ],
    /Python's tarfile raises "ValueError: cannot fit 'int' into an offset-sized integer" when it lists the archive .* and "ReadError: unexpected end of data" when it extracts the member/,
    "ReadError",
  ],
];

/** Asserts extractSdist refuses `file` with an "archive" error and leaves nothing anywhere. */
async function refused(staged: { dir: string; file: string; dest: string }, error: RegExp) {
  await assert.rejects(extractSdist(staged.file, staged.dest), (e: unknown) => {
    assert.ok(e instanceof SlipwayError, String(e));
    assert.equal(e.code, "archive");
    assert.match(e.message, error);
    assert.ok(e.message.includes(staged.file), e.message);
    return true;
  });
  assert.deepEqual(readdirSync(staged.dest), []);
  assert.deepEqual(readdirSync(staged.dir).sort(), [basename(staged.file), "out"].sort());
  assert.equal(existsSync(join(work, "evil")) || existsSync(join(work, "outside")), false);
}

for (const [what, entries, error, tarfile] of hostile) {
  test(`refused, with nothing left behind: ${what}`, async () => {
    // Files come first, so the failure has something to clean up.
    const staged = stage(buildSdist({ entries }).bytes);
    await refused(staged, error);
    if (tarfile !== undefined)
      assert.equal(tarfileVerdict(staged.file, join(work, String(count++))), tarfile);
  });
}

test("truncated or corrupt archives are refused naming the file", async () => {
  const good = buildSdist({ files: { "data.txt": "z".repeat(20000) } }).bytes;
  await refused(stage(good.subarray(0, good.length - 100)), /gzip stream is corrupt or truncated/);
  const flipped = Buffer.from(good);
  flipped[Math.floor(good.length / 2)]! ^= 0xff;
  await refused(stage(flipped), /gzip stream is corrupt or truncated/);
  const tar = buildTar({ entries: [{ name: `${TOP}/a.py`, data: "a".repeat(5000) }] });
  await refused(stage(gzipTar(tar.subarray(0, 2048))), /truncated inside the member/);
  await refused(
    stage(gzipTar(buildTar({ entries: [{ name: `${TOP}/a.py`, data: "a" }], end: false }))),
    /no end-of-archive block/,
  );
  await refused(stage(gzipTar(buildTar({ entries: [] }))), /no members/);
  await refused(stage(Buffer.from("not an archive")), /not a gzip-compressed file/);
  const zip = buildZip({ entries: [{ name: `${TOP}/PKG-INFO`, data: "x" }] });
  await refused(stage(zip, `${TOP}.zip`), /only \.tar\.gz sdists are supported, not \.zip/);
  await refused(stage(zip), /only \.tar\.gz/);
});

/** A gzip file streamed from parts, `zeros` counts written without holding them in memory. */
async function gzipFile(
  parts: (Buffer | { zeros: number })[],
): Promise<{ dir: string; file: string; dest: string }> {
  const staged = stage(Buffer.alloc(0));
  const gz = createGzip({ level: 9 });
  const closed = once(gz.pipe(createWriteStream(staged.file)), "close");
  const mib = Buffer.alloc(1024 * 1024);
  for (const part of parts) {
    const pieces = Buffer.isBuffer(part) ? [part] : [];
    if (!Buffer.isBuffer(part))
      for (let left = part.zeros; left > 0; left -= mib.length)
        pieces.push(mib.subarray(0, Math.min(left, mib.length)));
    for (const piece of pieces) if (!gz.write(piece)) await once(gz, "drain");
  }
  gz.end();
  await closed;
  return staged;
}

test("decompression bombs stop at max(64 MiB, 50 x the file size), checked on declared and inflated sizes", async () => {
  const size = 80 * 1024 * 1024;
  const member = header({ name: `${TOP}/zeros.bin`, type: "0", size, format: "pax" });
  await refused(
    await gzipFile([member, { zeros: size + 1024 }]),
    /members declaring more than 67108864 bytes/,
  );
  // Zeros after the end block: tarfile stops reading there, but the stream is still inflated.
  const small = buildTar({ entries: [{ name: `${TOP}/a.py`, data: "a" }] });
  await refused(await gzipFile([small, { zeros: size }]), /decompresses to more than 67108864 bytes/);
});

test("dest must be empty (and is left alone); an aborted extraction leaves it empty", async () => {
  const staged = stage(buildSdist({}).bytes);
  mkdirSync(staged.dest);
  writeFileSync(join(staged.dest, "keep"), "mine");
  await assert.rejects(
    extractSdist(staged.file, staged.dest),
    (e: unknown) => e instanceof SlipwayError && e.code === "io" && /not empty/.test(e.message),
  );
  assert.deepEqual(readdirSync(staged.dest), ["keep"]);
  const other = stage(buildSdist({}).bytes);
  await assert.rejects(extractSdist(other.file, other.dest, { signal: AbortSignal.abort() }), {
    name: "AbortError",
  });
  assert.deepEqual(readdirSync(other.dest), []);
  const missing = join(work, "missing.tar.gz");
  await assert.rejects(
    extractSdist(missing, join(work, String(count++))),
    (e: unknown) => e instanceof SlipwayError && e.code === "io" && e.message.includes(missing),
  );
});
