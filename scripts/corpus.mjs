#!/usr/bin/env node
// Prepares the distribution corpus the e2e tests check, under .cache/corpus/:
//   example  the sdist and wheel of each project in examples/, built by its real backend with the
//            peers venv (`python -m build --no-isolation`, so building needs no network);
//   real     a pinned list of distributions downloaded once from PyPI (hash-checked by pip);
//   broken   dists derived from the example builds with zipfile/tarfile, each with a sidecar
//            `<file>.json` naming the check IDs that must fire as errors.
// Idempotent: a set is keyed by the hash of this script, the examples and the peers python, and is
// reused when its stamp exists; it is made in a temp dir and renamed, so parallel runs are safe.
// Prints the manifest path on stdout and a one-line summary on stderr. `--offline` never
// downloads (tests use it): without the real dists it fails and says how to get them.
import { execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const cacheDir = join(root, ".cache", "corpus");
const examplesDir = join(root, "examples");
const offline = process.argv.includes("--offline");

/** Real dists, pinned by exact file and the sha256 PyPI lists for it (verified 2026-11). */
const PINS = {
  wheels: [
    ["six==1.17.0", "4721f391ed90541fddacab5acf947aa0d3dc7d27b2e1e8eda2be8970586c3274"],
    ["idna==3.20", "ab7ae7122974553370f0bdb919e1a960b2cd1bc1ef0276416d896db81c14582c"],
    ["certifi==2026.7.22", "62f22742b58a1a33014a2b6b706588a8d7e2a88ae7bd1a6ebe8c992928483775"],
    ["attrs==26.1.0", "c647aa4a12dfbad9333ca4e71fe62ddc36f4e63b2d260a37a8b83d2f043ac309"],
    ["packaging==26.3", "d7193f7c8e4e93f444fde0262bf90af30e16fa0ad0ad44cb553c87339b23cd1c"],
    ["typing_extensions==4.16.0", "481caa481374e813c1b176ada14e97f1f67a4539ce9cfeb3f350d78d6370c2e8"],
    ["iniconfig==2.3.0", "f631c04d2c48c52b84d0d0549c99ff3859c98df65b3101406327ecc7d53fbf12"],
    ["pluggy==1.6.0", "e920276dd6813095e9377c0bc5566d94c932c33b27a3e3945d8389c374dd4746"],
    // Binary manylinux wheels for CPython 3.11 x86_64.
    ["markupsafe==3.0.3", "0bf2a864d67e76e5c9a34dc26ec616a66b9888e25e7b9460e1c76d3293bd9dbf"],
    ["pyyaml==6.0.3", "b8bb0864c5a28024fac8a632c443c87c5aa6f215c0b126c449ae1a150412f31d"],
    ["charset-normalizer==3.5.2", "211d5a3eb6af8f513b8d4ca19a8c1b7accab1b5f0d3175f9826b03c1a920dc1f"],
  ],
  sdists: [
    ["six==1.17.0", "ff70335d468e7eb6ec65b95b99d3a2836546063f63acc5171de367e834932a81"],
    ["idna==3.20", "a7db850025b95ded1eae8a46181a1a6c56c92c96f0e2b005d9ff8dc0210cab44"],
    ["packaging==26.3", "94edc256424af38762eb31306eed28beb9f0efc50a8837492c9d6fd6004aed79"],
    ["typing_extensions==4.16.0", "dc983d19a509c94dba722ee6abd33940f7c05a89e243c47e907eb4db6f1a43e5"],
    ["certifi==2026.7.22", "741e2c3b351ddf169a738da9f2c048608ff7f2c5cc02f1ebc6b118bb090d5d55"],
  ],
};
const TARGET = ["--platform", "manylinux_2_17_x86_64", "--python-version", "3.11", "--implementation", "cp"];

const sha = (text) => createHash("sha256").update(text).digest("hex").slice(0, 12);
const IGNORED = new Set(["dist", "build", "__pycache__", ".pytest_cache"]);
const keep = (path) => !IGNORED.has(path.split(/[\\/]/).pop()) && !path.endsWith(".egg-info");

/** Every source file of the examples, sorted, for the cache key. */
function exampleFiles(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name))
    .filter((p) =>
      relative(dir, p)
        .split(/[\\/]/)
        .every((part) => keep(part)),
    )
    .sort();
}

function peersPython() {
  return execFileSync(process.execPath, [join(root, "scripts", "peers.mjs")], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  }).trim();
}

function run(argv, options = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ["pipe", "pipe", "pipe"], ...options });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolvePromise(stdout);
      else
        reject(
          new Error(
            `corpus: ${argv.map((a) => (a.length > 80 ? "<script>" : a)).join(" ")} exited ${code}\n` +
              stderr.trim().split("\n").slice(-20).join("\n"),
          ),
        );
    });
    child.stdin.end(options.input ?? "");
  });
}

/** Publishes a finished temp dir under its final name; a concurrent run may have won already. */
function publish(tmp, final) {
  writeFileSync(join(tmp, ".complete"), "ok\n");
  try {
    renameSync(tmp, final);
  } catch (error) {
    if (!existsSync(join(final, ".complete"))) throw error;
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function ensureReal(python) {
  const dir = join(cacheDir, `real-${sha(JSON.stringify(PINS))}`);
  if (existsSync(join(dir, ".complete"))) return dir;
  if (offline) {
    throw new Error(
      `corpus: the pinned PyPI dists are missing (${dir}); run \`node scripts/corpus.mjs\` first`,
    );
  }
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const pip = [python, "-m", "pip", "download", "--no-deps", "--require-hashes", "--quiet", "--dest", tmp];
  const pinned = (kind) => {
    const file = join(tmp, `${kind}.txt`);
    writeFileSync(file, PINS[kind].map(([req, hash]) => `${req} --hash=sha256:${hash}\n`).join(""));
    return ["-r", file];
  };
  await run([...pip, "--only-binary", ":all:", ...TARGET, ...pinned("wheels")]);
  // pip prepares each sdist's metadata. The peers' own backends do it quickly; an isolated build
  // environment per sdist (the fallback) costs about a minute on a cold pip cache.
  const sdists = [...pip, "--no-binary", ":all:", ...pinned("sdists")];
  await run([...sdists, "--no-build-isolation"]).catch(() => run(sdists));
  for (const kind of ["wheels", "sdists"]) rmSync(join(tmp, `${kind}.txt`));
  const got = readdirSync(tmp).length;
  const want = PINS.wheels.length + PINS.sdists.length;
  if (got !== want) throw new Error(`corpus: expected ${want} downloaded dists in ${tmp}, found ${got}`);
  publish(tmp, dir);
  return dir;
}

// Lists the [build-system] requires of the given pyproject files that the running python does not
// satisfy: building without isolation would otherwise fail deep inside the backend.
const MISSING_REQUIRES_PY = `
import json, sys, tomllib
from importlib.metadata import PackageNotFoundError, version
from packaging.requirements import Requirement
missing = set()
for path in sys.argv[1:]:
    for req in map(Requirement, tomllib.load(open(path, "rb"))["build-system"]["requires"]):
        try:
            have = version(req.name)
        except PackageNotFoundError:
            have = None
        if have is None or not req.specifier.contains(have, prereleases=True):
            missing.add(f"{req} (have {have or 'none'})")
print(json.dumps(sorted(missing)))
`;

/** Builds one example from a clean copy, so the source tree gets no build/ or egg-info. */
async function buildExample(python, name, outDir) {
  const work = join(tmpdir(), `slipway-corpus-${process.pid}-${name}`);
  rmSync(work, { recursive: true, force: true });
  cpSync(join(examplesDir, name), work, { recursive: true, filter: keep });
  // A fixed timestamp makes the archives byte-reproducible across runs.
  const env = { ...process.env, SOURCE_DATE_EPOCH: "1767225600" };
  try {
    await run([python, "-m", "build", "--no-isolation", "--outdir", outDir, work], { env });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const files = readdirSync(outDir);
  const wheel = files.find((f) => f.endsWith(".whl"));
  const sdist = files.find((f) => f.endsWith(".tar.gz"));
  if (!wheel || !sdist) throw new Error(`corpus: building examples/${name} gave ${files.join(", ")}`);
  return { wheel: join(outDir, wheel), sdist: join(outDir, sdist) };
}

async function makeSet(python, realDir, dir) {
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const names = readdirSync(examplesDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(examplesDir, d.name, "pyproject.toml")))
    .map((d) => d.name)
    .sort();
  const missing = JSON.parse(
    await run([
      python,
      "-c",
      MISSING_REQUIRES_PY,
      ...names.map((n) => join(examplesDir, n, "pyproject.toml")),
    ]),
  );
  if (missing.length > 0) {
    throw new Error(
      `corpus: the peers venv (${python}) cannot build the examples, it lacks ${missing.join(", ")}; pin them in test/peers/requirements.txt`,
    );
  }
  const built = Object.fromEntries(
    await Promise.all(
      names.map(async (name) => [name, await buildExample(python, name, join(tmp, "example", name))]),
    ),
  );
  const derived = JSON.parse(
    await run([python, "-c", DERIVE_PY], { input: JSON.stringify({ out: tmp, built }) }),
  );
  const entries = [
    ...names.flatMap((name) => [
      { category: "example", name, file: built[name].wheel },
      { category: "example", name, file: built[name].sdist },
    ]),
    ...readdirSync(realDir)
      .filter((f) => f.endsWith(".whl") || f.endsWith(".tar.gz"))
      .sort()
      .map((f) => ({ category: "real", name: f, file: join(realDir, f) })),
    ...derived,
  ];
  // Paths are stored relative to the set so the renamed directory stays valid.
  const manifest = entries.map((e) => ({ ...e, file: relative(tmp, e.file).split("\\").join("/") }));
  writeFileSync(join(tmp, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  publish(tmp, dir);
}

async function main() {
  const started = process.hrtime.bigint();
  const python = peersPython();
  const realDir = await ensureReal(python);
  const script = readFileSync(fileURLToPath(import.meta.url), "utf8");
  const sources = exampleFiles(examplesDir).map(
    (p) => `${relative(examplesDir, p)}\n${sha(readFileSync(p))}`,
  );
  const key = sha([script, python, realDir, ...sources].join("\n"));
  const dir = join(cacheDir, `set-${key}`);
  const cached = existsSync(join(dir, ".complete"));
  if (!cached) {
    mkdirSync(cacheDir, { recursive: true });
    await makeSet(python, realDir, dir).catch((error) => {
      rmSync(`${dir}.tmp-${process.pid}`, { recursive: true, force: true });
      throw error;
    });
    // Older sets are stale once a new one exists; their downloads (real-*) are kept.
    for (const old of readdirSync(cacheDir)) {
      if (old.startsWith("set-") && old !== `set-${key}` && !old.includes(".tmp-")) {
        rmSync(join(cacheDir, old), { recursive: true, force: true });
      }
    }
  }
  const manifestPath = join(dir, "manifest.json");
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
  const count = (c) => manifest.filter((e) => e.category === c).length;
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  process.stderr.write(
    `corpus: ${count("example")} example, ${count("real")} real, ${count("broken")} broken, ${count("valid")} valid-edge dists in ` +
      `${relative(root, dir)} (${cached ? "cached" : "built"} in ${(ms / 1000).toFixed(1)}s)\n`,
  );
  process.stdout.write(`${manifestPath}\n`);
}

// Derives the broken and valid edge-case dists. Reads {out, built: {example: {wheel, sdist}}} on
// stdin, writes <out>/{broken,valid}/<case>/<file> plus <file>.json, prints the cases as JSON.
// Each broken case breaks ONE rule on an otherwise good dist; RECORD is regenerated unless the
// case is about RECORD.
const DERIVE_PY = String.raw`import base64, csv, gzip, hashlib, io, json, os, re, sys, tarfile, zipfile

job = json.load(sys.stdin)
OUT, BUILT = job["out"], job["built"]
made = []


def b64(data, alg="sha256"):
    return alg + "=" + base64.urlsafe_b64encode(hashlib.new(alg, data).digest()).rstrip(b"=").decode()


class Dist:
    """An archive as an ordered name -> bytes table, edited in memory, then written out."""

    def __init__(self, path):
        self.filename = os.path.basename(path)
        self.wheel = path.endswith(".whl")
        self.files, self.infos = {}, {}
        if self.wheel:
            with zipfile.ZipFile(path) as z:
                for i in z.infolist():
                    self.files[i.filename] = z.read(i)
        else:
            with tarfile.open(path) as t:
                for m in t.getmembers():
                    self.infos[m.name] = m
                    self.files[m.name] = t.extractfile(m).read() if m.isfile() else b""
        meta = [n for n in self.files if n.endswith(".dist-info/METADATA" if self.wheel else "PKG-INFO")]
        self.meta = min(meta, key=len)
        self.top = self.meta.rsplit("/", 1)[0]

    def text(self, name):
        return self.files[name].decode()

    def put(self, name, text):
        self.files[name] = text.encode() if isinstance(text, str) else text

    def edit(self, fn, name=None):
        name = name or self.meta
        self.put(name, fn(self.text(name)))

    def header(self, fn):
        # Edits the header block of METADATA/PKG-INFO, leaving the description body alone.
        head, sep, body = self.text(self.meta).partition("\n\n")
        self.put(self.meta, fn(head) + sep + body)

    def rename(self, old, new):
        # Renames a member, or every member under a prefix (a whole .dist-info directory).
        moved = lambda n: new + n[len(old):] if n.startswith(old) else n  # noqa: E731
        self.files = {moved(n): d for n, d in self.files.items()}
        self.infos = {moved(n): i for n, i in self.infos.items()}
        self.meta, self.top = moved(self.meta), moved(self.top)

    def record(self, alg="sha256", skip=()):
        rec = self.top + "/RECORD"
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        for n, d in self.files.items():
            if n != rec and not n.endswith("/") and n not in skip:
                w.writerow([n, b64(d, alg), len(d)])
        w.writerow([rec, "", ""])
        self.files.pop(rec, None)
        self.files[rec] = out.getvalue().encode()

    def save(self, case, filename=None, expect=(), warn=(), about="", stream=False, compress=None):
        # No expected ID: a valid edge case that PyPI accepts and naive validators refuse.
        category = "broken" if expect else "valid"
        folder = os.path.join(OUT, category, case)
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, filename or self.filename)
        with open(path, "wb") as f:
            (self._zip if self.wheel else self._tar)(f, stream, compress or {})
        side = {"expect": list(expect), "warn": list(warn), "about": about}
        with open(path + ".json", "w") as f:
            json.dump(side, f, indent=2)
        made.append({"category": category, "name": case, "file": path, **side})

    def _zip(self, f, stream, compress):
        class Unseekable(io.RawIOBase):
            # zipfile falls back to data descriptors (flag bit 3) on a stream it cannot seek.
            def writable(self):
                return True

            def write(self, b):
                return f.write(b)

        with zipfile.ZipFile(Unseekable() if stream else f, "w") as z:
            for n, d in self.files.items():
                info = zipfile.ZipInfo(n, (2026, 1, 1, 0, 0, 0))
                info.external_attr = 0o644 << 16
                info.compress_type = compress.get(n, zipfile.ZIP_DEFLATED)
                z.writestr(info, d)

    def _tar(self, f, stream, compress):
        with gzip.GzipFile(fileobj=f, mode="wb", mtime=0) as gz, tarfile.open(
            fileobj=gz, mode="w", format=tarfile.PAX_FORMAT
        ) as t:
            for n, d in self.files.items():
                info = self.infos.get(n) or tarfile.TarInfo(n)
                info.name, info.mtime = n, 1767225600
                if info.isfile():
                    info.size = len(d)
                t.addfile(info, io.BytesIO(d) if info.isfile() else None)


def wheel(example):
    return Dist(BUILT[example]["wheel"])


def sdist(example):
    return Dist(BUILT[example]["sdist"])


def sub(pattern, repl, count=1):
    def fn(text):
        new, n = re.subn(pattern, repl, text, count=count, flags=re.M)
        assert n, f"corpus: {pattern!r} not found"
        return new

    return fn


def add(line):
    return lambda head: head + "\n" + line


LIB, FLAT, PROMPTS = "hatch-lib", "setuptools-flat", "prompt-manager"

# --- filenames ------------------------------------------------------------------------------
d = wheel(LIB)
d.rename(d.top, "Slipway.Demo_Lib-0.1.0.dist-info")
d.record()
d.save("wheel-name-not-normalized", "Slipway.Demo_Lib-0.1.0-py3-none-any.whl", ["FN02"],
       about="wheel name part keeps dots and capitals; PyPI wants the normalized slipway_demo_lib")

d = wheel(LIB)
d.rename(d.top, "slipway_demo_lib-0.1.0+local.7.dist-info")
d.header(sub(r"^Version: .*$", "Version: 0.1.0+local.7"))
d.record()
d.save("local-version", "slipway_demo_lib-0.1.0+local.7-py3-none-any.whl", ["FN08"],
       about="a local version (+local.7) in filename, dist-info and METADATA; PyPI refuses local versions")

d = wheel(LIB)
d.edit(sub(r"^Tag: .*$", "Tag: py3-none-linux_x86_64"), d.top + "/WHEEL")
d.record()
d.save("platform-linux-x86-64", "slipway_demo_lib-0.1.0-py3-none-linux_x86_64.whl", ["FN09"],
       about="plain linux_x86_64 platform tag, which PyPI refuses (only manylinux/musllinux)")

d = wheel(LIB)
d.header(sub(r"^Version: .*$", "Version: 0.1.1"))
d.record()
d.save("version-mismatch", expect=["FN03"], about="METADATA says 0.1.1, the filename 0.1.0")

d = sdist(LIB)
d.save("sdist-dash-name", "slipway-demo-lib-0.1.0.tar.gz", ["FN07"],
       about="pre-PEP 625 sdist filename with dashes; PyPI wants slipway_demo_lib-0.1.0.tar.gz")

# --- core metadata --------------------------------------------------------------------------
d = wheel(LIB)
d.header(sub(r"^Requires-Dist: pyyaml>=6.0", "Requires-Dist: pyyaml=>6.0"))
d.record()
d.save("requires-dist-invalid", expect=["MD12"], about="Requires-Dist with the invalid operator =>")

d = wheel(LIB)
d.header(sub(r"^Requires-Dist: colorama.*$",
             "Requires-Dist: colorama @ https://example.org/colorama-0.4.6-py3-none-any.whl ; extra == 'cli'"))
d.record()
d.save("requires-dist-direct-url", expect=["MD12"], about="Requires-Dist with a direct URL, which PyPI refuses")

d = wheel(LIB)
d.header(sub(r"\nDescription-Content-Type: [^\n]*", ""))
d.record()
d.save("markdown-without-content-type", expect=["DESC03"], warn=["DESC02"],
       about="Markdown description without Description-Content-Type: rendered as rst, it fails")

d = wheel(LIB)
d.header(sub(r"^Description-Content-Type: .*$", "Description-Content-Type: text/markdown; variant=gfm"))
d.record()
d.save("content-type-variant-case", expect=["MD09"], about="variant=gfm: variants are case-sensitive (GFM)")

d = wheel(PROMPTS)
d.header(sub(r"^Description-Content-Type: .*$", "Description-Content-Type: text/html"))
d.record()
d.save("content-type-html", expect=["MD09"], about="Description-Content-Type text/html is not accepted")

d = wheel(FLAT)
d.edit(sub(r"^What it demonstrates\n=+$", "What it demonstrates\n======"))
d.record()
d.save("rst-broken", expect=["DESC03"], about="rst title underline shorter than the title")

d = wheel(FLAT)
d.edit(lambda text: text.partition("\n\n")[0] + "\n\n   \n\n")
d.record()
d.save("rst-empty", expect=["DESC04"], about="whitespace-only rst description renders to nothing")

d = wheel(LIB)
d.header(add("Classifier: Framework :: Slipway :: Imaginary"))
d.record()
d.save("unknown-classifier", expect=["MD20"], about="a classifier that is not in trove-classifiers")

d = wheel(PROMPTS)
d.header(add("Classifier: Private :: Do Not Upload"))
d.record()
d.save("private-classifier", expect=["MD20"], about="Private :: classifiers are refused by PyPI by design")

d = wheel(LIB)
d.header(add("License: MIT"))
d.record()
d.save("license-and-expression", expect=["MD21"], about="both License and License-Expression")

d = wheel(LIB)
d.header(sub(r"^Metadata-Version: .*$", "Metadata-Version: 2.3"))
d.record()
d.save("license-expression-mv23", expect=["LIC10"],
       about="License-Expression and License-File under Metadata-Version 2.3 (hatchling 1.26 did this)")

d = wheel(PROMPTS)
d.header(sub(r"^Metadata-Version: .*$", "Metadata-Version: 2.4"))
d.record()
d.save("import-name-mv24", expect=["MD07"], about="Import-Name (Metadata-Version 2.5) under Metadata-Version 2.4")

d = wheel(LIB)
d.header(sub(r"^Metadata-Version: .*$", "Metadata-Version: 2.0"))
d.record()
d.save("metadata-version-2-0", expect=["MD02"], about="Metadata-Version 2.0 never existed")

d = wheel(FLAT)
d.header(sub(r"^Requires-Python: .*$", "Requires-Python: >=3.9.*"))
d.record()
d.save("requires-python-invalid", expect=["MD14"], about="Requires-Python >=3.9.* (.* only goes with == and !=)")

d = wheel(LIB)
d.header(sub(r"^Summary: (.*)$", "Summary: A demo library\n that spans two lines"))
d.record()
d.save("summary-line-break", expect=["MD08"], about="Summary folded over two lines")

d = wheel(LIB)
d.header(sub(r"^Project-URL: Source, ", "Project-URL: Source code of this example project on GitHub, "))
d.record()
d.save("project-url-long-label", expect=["MD17"], about="Project-URL label longer than 32 characters")

d = wheel(FLAT)
d.header(sub(r"^Author-email: .*$", "Author-email: Slipway Maintainers <maintainers at slipway.dev>"))
d.record()
d.save("author-email-invalid", expect=["MD19"], about="Author-email with 'at' instead of @")

d = sdist(LIB)
d.header(add("Dynamic: Name"))
d.save("dynamic-name", expect=["MD11"], about="PKG-INFO marks Name as Dynamic, which is never allowed")

# --- wheel structure, RECORD, entry points ---------------------------------------------------
d = wheel(LIB)
d.record(skip={"slipway_demo_lib/cli.py"})
d.save("record-missing-entry", expect=["REC03"], about="slipway_demo_lib/cli.py is not listed in RECORD")

d = wheel(LIB)
d.files["slipway_demo_lib/cli.py"] += b"\nprint('tampered')\n"
d.save("record-hash-mismatch", expect=["REC07"], about="cli.py changed after RECORD was written")

d = wheel(LIB)
d.record(alg="md5")
d.save("record-md5", expect=["REC06"], about="RECORD hashes use md5, which wheels forbid")

d = wheel(LIB)
del d.files[d.top + "/RECORD"]
d.save("record-missing", expect=["REC01"], about="no RECORD in the dist-info")

d = wheel(LIB)
del d.files[d.top + "/WHEEL"]
d.record()
d.save("wheel-file-missing", expect=["WHL04"], about="no WHEEL file in the dist-info")

d = wheel(LIB)
d.edit(sub(r"^Wheel-Version: .*$", "Wheel-Version: 2.0"), d.top + "/WHEEL")
d.record()
d.save("wheel-version-2", expect=["WHL05"], about="Wheel-Version 2.0: installers must refuse a new major")

d = wheel(LIB)
extra = "slipway_demo_lib-0.0.9.dist-info/"
d.put(extra + "METADATA", d.text(d.meta).replace("Version: 0.1.0", "Version: 0.0.9", 1))
d.put(extra + "WHEEL", d.text(d.top + "/WHEEL"))
d.record()
d.save("duplicate-dist-info", expect=["WHL01"], about="a second .dist-info directory for 0.0.9")

d = wheel(LIB)
del d.files[d.top + "/licenses/LICENSE"]
d.record()
d.save("license-file-missing", expect=["LIC06"], about="License-File: LICENSE but no .dist-info/licenses/LICENSE")

d = wheel(LIB)
d.edit(sub(r"= slipway_demo_lib\.cli:main$", "= slipway_demo_lib.cli"), d.top + "/entry_points.txt")
d.record()
d.save("console-script-no-callable", expect=["EP06"], about="console script without :callable")

# --- archives and sdists -----------------------------------------------------------------------
d = wheel(PROMPTS)
d.save("zip-data-descriptor", expect=["ART05"], stream=True,
       about="zip written by a streaming writer (data descriptors), which PyPI refuses")

d = wheel(PROMPTS)
d.save("zip-bzip2-member", expect=["ART02"], compress={"prompt_manager/registry.py": zipfile.ZIP_BZIP2},
       about="a member compressed with bzip2; PyPI accepts only stored and deflated")

d = sdist(LIB)
del d.files[d.meta]
d.save("sdist-missing-pkg-info", expect=["SD02"], about="sdist without PKG-INFO")

d = sdist(FLAT)
d.put("other/NOTES.txt", "a second top-level directory\n")
d.save("sdist-two-top-dirs", expect=["ART08"], about="sdist with two top-level directories")

d = sdist(PROMPTS)
d.put(d.top + "/../../evil.py", "print('outside')\n")
d.save("sdist-path-traversal", expect=["SEC01"], about="sdist member that resolves outside the archive root")

d = sdist(PROMPTS)
del d.files[d.top + "/LICENSE"]
d.save("sdist-license-file-missing", expect=["LIC05"], about="License-File: LICENSE but no LICENSE in the sdist")

# --- valid edge cases: PyPI accepts these, so slipway must not report an error ----------------
d = wheel(LIB)
d.put("slipway_demo_lib/data,v1.txt", "a path with a comma, quoted in RECORD\n")
d.record()
d.save("record-quoted-comma", about="RECORD row for a path with a comma, CSV-quoted (validation.md (d) 8)")

d = wheel(LIB)
d.header(sub(r"^Requires-Dist: colorama>=0.4.6; extra == 'cli'$",
             "Requires-Dist: colorama (>=0.4.6,<1) ; extra == 'cli'"))
d.record()
d.save("requires-dist-parenthesized", about="Requires-Dist with a parenthesized specifier, as poetry writes")

d = wheel(LIB)
d.header(sub(r"^Project-URL: Source, ", "Project-URL: " + "S" * 32 + ", "))
d.record()
d.save("project-url-label-32", about="Project-URL label of exactly 32 characters, PyPI's limit")

d = wheel(LIB)
d.header(sub(r"^Summary: .*$", "Summary: " + ("slipway " * 64)[:512]))
d.record()
d.save("summary-512", about="Summary of exactly 512 characters, PyPI's limit")

d = wheel(PROMPTS)
d.header(sub(r"^Description-Content-Type: .*$",
             "Description-Content-Type: text/markdown; charset=UTF-8; variant=CommonMark"))
d.record()
d.save("content-type-params", about="Description-Content-Type with charset and variant parameters")

d = wheel(FLAT)
d.edit(lambda text: text + "\nUsage\n=====\n\nThe same title twice makes duplicate implicit targets.\n")
d.record()
d.save("rst-duplicate-implicit-target", about="two sections titled Usage: docutils reports INFO only")

d = wheel(LIB)
d.header(sub(r"^License-File: LICENSE$", "License-File: LICENSES/MIT.txt"))
d.rename(d.top + "/licenses/LICENSE", d.top + "/licenses/LICENSES/MIT.txt")
d.record()
d.save("license-file-nested", about="License-File in a subdirectory, reproduced under .dist-info/licenses/")

json.dump(made, sys.stdout)
`;

main().catch((error) => {
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 1;
});
