/**
 * The README verdict cache against real Pythons. Most Pythons here run through a wrapper that
 * logs its runs and its imports (`-X importtime`), which proves what a warm run skips: a wrapper
 * is like a pyenv shim, so slipway starts it to learn the renderer's identity, but it never
 * imports docutils. A venv interpreter that logs its own starts (sitecustomize) shows that a
 * real interpreter whose files did not change is not started at all.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { after, test } from "node:test";
import { exec } from "../../src/adapters/exec.ts";
import { type ReadmeItem, renderReadmes, startReadmeRenderer } from "../../src/adapters/readme.ts";
import { cacheDirOf, entryPath } from "../../src/adapters/readme-cache.ts";
import { peersPython } from "../helpers/peers.ts";

const work = mkdtempSync(join(tmpdir(), "slipway-readme-cache-"));
after(() => rmSync(work, { recursive: true, force: true }));
let serial = 0;
const fresh = (name: string) => join(work, `${name}-${++serial}`);

const ITEMS: ReadmeItem[] = [
  { text: "Demo project\n============\n\nAll *good*.\n", contentType: "text/x-rst" },
  { text: "Demo project\n====\n\nSee :ref:`usage`.\n", contentType: undefined },
  { text: "   \n\n", contentType: "text/x-rst; charset=UTF-8" },
  { text: ".. role:: custom\n\n:custom:`x`\n", contentType: "text/x-rst" },
  { text: ":custom:`x`\n", contentType: "text/x-rst" },
  { text: "# Demo\n\nMarkdown.\n", contentType: "text/markdown" },
  { text: "Plain *text*.\n", contentType: "text/plain" },
  // The same README twice (an sdist and its wheel): one entry, one render.
  { text: "Demo project\n============\n\nAll *good*.\n", contentType: "text/x-rst" },
];
const summary = (v: { ok: boolean; empty: boolean }) => (v.ok ? "ok" : v.empty ? "empty" : "failed");
const EXPECTED = ["ok", "failed", "empty", "ok", "failed", "ok", "ok", "ok"];
const DISTINCT_RST = 5;

interface Traced {
  python: string;
  /** Resolves once a run has ended. */
  ended(): Promise<void>;
  /** Runs since the last call, and whether any of them imported docutils. */
  take(): { runs: number; docutils: boolean };
}

/** A wrapper around `python` that logs each run and every module it imports. */
function traced(python: string): Traced {
  const dir = fresh("traced");
  mkdirSync(dir);
  const runs = join(dir, "runs.log");
  const imports = join(dir, "imports.log");
  const script = join(dir, "python");
  const ends = join(dir, "ends.log");
  writeFileSync(
    script,
    `#!/bin/sh\necho run >> '${runs}'\n'${python}' -X importtime "$@" 2>> '${imports}'\ncode=$?\necho end >> '${ends}'\nexit $code\n`,
  );
  chmodSync(script, 0o755);
  const drain = (file: string) => {
    const text = existsSync(file) ? readFileSync(file, "utf8") : "";
    rmSync(file, { force: true });
    return text;
  };
  return {
    python: script,
    async ended() {
      for (let waited = 0; waited < 10_000 && !existsSync(ends); waited += 20) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      rmSync(ends, { force: true });
    },
    take: () => ({
      runs: drain(runs).split("\n").filter(Boolean).length,
      docutils: /\|\s+docutils$/m.test(drain(imports)),
    }),
  };
}

function envFor(extra: Record<string, string | undefined>): Record<string, string | undefined> {
  // HOME points into the temp dir so nothing here can touch the real ~/.cache.
  return { PATH: process.env["PATH"], HOME: join(work, "home"), ...extra };
}

/** Cache entry files (relative to the readme-v1 dir), leftovers of a write included. */
function entries(cacheDir: string): string[] {
  const dir = join(cacheDir, "readme-v1");
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => relative(dir, join(d.parentPath, d.name)))
    .sort();
}

/** A venv over the peers' packages, with its own copy of docutils that a test may "upgrade". */
function venvWithOwnDocutils(options: { readmeRenderer: boolean }): { python: string; site: string } {
  const venv = fresh("venv");
  execFileSync(peersPython(), ["-m", "venv", "--without-pip", venv]);
  const lib = join(venv, "lib");
  const site = join(lib, readdirSync(lib)[0]!, "site-packages");
  const peersSite = execFileSync(
    peersPython(),
    ["-c", "import docutils, os; print(os.path.dirname(os.path.dirname(docutils.__file__)))"],
    { encoding: "utf8" },
  ).trim();
  for (const name of ["docutils", "docutils-0.23.dist-info"]) {
    cpSync(join(peersSite, name), join(site, name), { recursive: true, preserveTimestamps: true });
  }
  if (options.readmeRenderer) {
    // After the venv's own site-packages on sys.path, so its docutils copy wins.
    writeFileSync(join(site, "peers.pth"), `${peersSite}\n`);
  } else {
    for (const name of readdirSync(peersSite).filter((n) => /^pygments\b/i.test(n))) {
      symlinkSync(join(peersSite, name), join(site, name));
    }
  }
  return { python: join(venv, "bin", "python"), site };
}

/** A venv as `venvWithOwnDocutils`, whose interpreter appends a line to a log at every start. */
function loggingVenv(): { python: string; site: string; runs(): number } {
  const venv = venvWithOwnDocutils({ readmeRenderer: true });
  const log = join(dirname(venv.site), "starts.log");
  writeFileSync(join(venv.site, "sitecustomize.py"), `open(${JSON.stringify(log)}, "a").write("start\\n")\n`);
  return {
    ...venv,
    runs() {
      const text = existsSync(log) ? readFileSync(log, "utf8") : "";
      rmSync(log, { force: true });
      return text.split("\n").filter(Boolean).length;
    },
  };
}

test("a warm run does not start an unchanged Python at all, and starts it for a text it has no verdict for", async () => {
  const cache = fresh("cache");
  const py = loggingVenv();
  const options = { python: py.python, cwd: work, env: envFor({ SLIPWAY_CACHE_DIR: cache }) };
  const cold = await renderReadmes(ITEMS, options);
  assert.deepEqual(cold.map(summary), EXPECTED);
  assert.equal(cold[1]!.renderer, "readme_renderer 46.0, docutils 0.23");
  assert.equal(py.runs(), 1);
  assert.equal(readdirSync(join(cache, "python-identity-v1")).length, 1);
  // Markdown too: without comrak this Python cannot render it, so it is not asked.
  assert.deepEqual(await renderReadmes(ITEMS, options), cold);
  assert.equal(py.runs(), 0);

  const changed = { text: "Demo project\n===========\n\nAll *good*.\n", contentType: "text/x-rst" };
  const [verdict] = await renderReadmes([changed, ...ITEMS], options);
  assert.deepEqual(verdict!.messages, [{ line: 2, text: "Title underline too short." }]);
  assert.equal(py.runs(), 1);
  assert.deepEqual(await renderReadmes([changed], options), [verdict]);
  assert.equal(py.runs(), 0);
});

test("a changed file the identity was read from, or another environment, starts Python again", async () => {
  const cache = fresh("cache");
  const py = loggingVenv();
  const cwd = fresh("cwd");
  mkdirSync(cwd);
  const env = envFor({ SLIPWAY_CACHE_DIR: cache });
  const render = (extra: Record<string, string> = {}) =>
    renderReadmes(ITEMS, { python: py.python, cwd, env: { ...env, ...extra } });
  const cold = await render();
  assert.equal(py.runs(), 1);
  await render();
  assert.equal(py.runs(), 0);

  // A docutils.conf appearing in the working directory (docutils would read it), then going.
  const conf = join(cwd, "docutils.conf");
  writeFileSync(conf, "[general]\n");
  await render();
  assert.equal(py.runs(), 1);
  rmSync(conf);
  assert.deepEqual(await render(), cold);
  assert.equal(py.runs(), 1);

  // A .pth file edited in place (the directory's mtime stays).
  const pth = join(py.site, "peers.pth");
  writeFileSync(pth, `${readFileSync(pth, "utf8")}# edited\n`);
  await render();
  assert.equal(py.runs(), 1);

  // docutils' metadata edited in place: the new version is seen, not the remembered one.
  const metadata = join(py.site, "docutils-0.23.dist-info", "METADATA");
  writeFileSync(metadata, readFileSync(metadata, "utf8").replace("Version: 0.23\n", "Version: 0.23.post1\n"));
  const init = join(py.site, "docutils", "__init__.py");
  writeFileSync(
    init,
    readFileSync(init, "utf8").replace("__version__ = '0.23'", "__version__ = '0.23.post1'"),
  );
  const upgraded = await render();
  assert.equal(upgraded[0]!.renderer, "readme_renderer 46.0, docutils 0.23.post1");
  assert.equal(py.runs(), 1);
  await render();
  assert.equal(py.runs(), 0);

  // Another PYTHONPATH is another slot: asked once, then known.
  await render({ PYTHONPATH: cwd });
  await render({ PYTHONPATH: cwd });
  assert.equal(py.runs(), 1);
  await render();
  assert.equal(py.runs(), 0);
});

test("a cold run renders and fills the cache; a warm run gives identical verdicts without importing docutils", async () => {
  const cache = fresh("cache");
  const py = traced(peersPython());
  const options = { python: py.python, cwd: work, env: envFor({ SLIPWAY_CACHE_DIR: cache }) };
  const cold = await renderReadmes(ITEMS, options);
  assert.deepEqual(cold.map(summary), EXPECTED);
  assert.equal(cold[0]!.renderer, "readme_renderer 46.0, docutils 0.23");
  assert.deepEqual(py.take(), { runs: 1, docutils: true });
  const files = entries(cache);
  assert.equal(files.length, DISTINCT_RST, "one entry per distinct reStructuredText, no temp files");
  for (const file of files) {
    const key = /^([0-9a-f]{2})\/([0-9a-f]{64})\.json$/.exec(file);
    assert.ok(key && key[2]!.startsWith(key[1]!), file);
    assert.equal(JSON.parse(readFileSync(join(cache, "readme-v1", file), "utf8")).key, key[2]);
  }

  const warm = await renderReadmes(ITEMS, options);
  assert.deepEqual(warm, cold);
  assert.deepEqual(py.take(), { runs: 1, docutils: false });
  assert.deepEqual(entries(cache), files);
});

test("a changed text misses and gets its own verdict", async () => {
  const cache = fresh("cache");
  const py = traced(peersPython());
  const options = { python: py.python, cwd: work, env: envFor({ SLIPWAY_CACHE_DIR: cache }) };
  await renderReadmes(ITEMS.slice(0, 1), options);
  py.take();
  // One character shorter underline: docutils now refuses it, so a stale "ok" would show.
  const changed = { text: "Demo project\n===========\n\nAll *good*.\n", contentType: "text/x-rst" };
  const [verdict] = await renderReadmes([changed], options);
  assert.equal(summary(verdict!), "failed");
  assert.deepEqual(verdict!.messages, [{ line: 2, text: "Title underline too short." }]);
  assert.deepEqual(py.take(), { runs: 1, docutils: true });
  assert.equal(entries(cache).length, 2);
  // The same text as Markdown is another key too.
  const asMarkdown = await renderReadmes([{ ...ITEMS[0]!, contentType: "text/markdown" }], options);
  assert.equal(asMarkdown[0]!.renderer, "built-in Markdown check (micromark)");
});

test("an upgraded docutils in the same Python misses, then is cached under its own identity", async () => {
  const cache = fresh("cache");
  const venv = venvWithOwnDocutils({ readmeRenderer: true });
  const py = traced(venv.python);
  const options = { python: py.python, cwd: work, env: envFor({ SLIPWAY_CACHE_DIR: cache }) };
  const before = await renderReadmes(ITEMS, options);
  assert.equal(before[0]!.renderer, "readme_renderer 46.0, docutils 0.23");
  await renderReadmes(ITEMS, options);
  assert.deepEqual(py.take(), { runs: 2, docutils: true }, "the first run imports, the second hits");
  assert.equal(entries(cache).length, DISTINCT_RST);

  // Edited in place: no file is added or removed, so only the version tells the two apart.
  const init = join(venv.site, "docutils", "__init__.py");
  writeFileSync(
    init,
    readFileSync(init, "utf8").replace("__version__ = '0.23'", "__version__ = '0.23.post1'"),
  );
  const metadata = join(venv.site, "docutils-0.23.dist-info", "METADATA");
  writeFileSync(metadata, readFileSync(metadata, "utf8").replace("Version: 0.23\n", "Version: 0.23.post1\n"));
  const after = await renderReadmes(ITEMS, options);
  assert.equal(after[0]!.renderer, "readme_renderer 46.0, docutils 0.23.post1");
  assert.deepEqual(after.map(summary), EXPECTED);
  assert.deepEqual(py.take(), { runs: 1, docutils: true });
  assert.equal(entries(cache).length, 2 * DISTINCT_RST);
  assert.deepEqual(await renderReadmes(ITEMS, options), after);
  assert.deepEqual(py.take(), { runs: 1, docutils: false });
});

test("another Python never hits the entries of the first", async () => {
  const cache = fresh("cache");
  const env = envFor({ SLIPWAY_CACHE_DIR: cache });
  await renderReadmes(ITEMS, { python: peersPython(), cwd: work, env });
  assert.equal(entries(cache).length, DISTINCT_RST);
  // docutils 0.23 without readme_renderer: the same texts, but its own verdicts and entries.
  const bare = traced(venvWithOwnDocutils({ readmeRenderer: false }).python);
  // Its own renderer, not PyPI's readme_renderer environment (readme-env.test.ts covers that).
  const verdicts = await renderReadmes(ITEMS, { python: bare.python, cwd: work, env, pypiEnv: false });
  assert.equal(verdicts[0]!.renderer, "docutils 0.23");
  assert.deepEqual(verdicts.map(summary), EXPECTED);
  assert.deepEqual(bare.take(), { runs: 1, docutils: true });
  assert.equal(entries(cache).length, 2 * DISTINCT_RST);
});

test("built-in verdicts and verdicts of a renderer that does not match its metadata are never cached", async () => {
  const cache = fresh("cache");
  const env = envFor({ SLIPWAY_CACHE_DIR: cache });
  const system = "/usr/bin/python3";
  const hasDocutils = (python: string) => {
    try {
      execFileSync(python, ["-c", "import docutils"], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  };
  if (existsSync(system) && !hasDocutils(system)) {
    const plain = await renderReadmes(ITEMS, { python: system, cwd: work, env, pypiEnv: false });
    assert.equal(plain[1]!.renderer, "built-in rst lint");
  }
  // docutils imported from a bare directory (no dist-info): it renders, but who it is is unknown.
  const venv = fresh("no-metadata");
  execFileSync(peersPython(), ["-m", "venv", "--without-pip", venv]);
  const lib = join(venv, "lib");
  const site = join(lib, readdirSync(lib)[0]!, "site-packages");
  const docutilsDir = execFileSync(peersPython(), ["-c", "import docutils; print(docutils.__path__[0])"], {
    encoding: "utf8",
  }).trim();
  symlinkSync(docutilsDir, join(site, "docutils"));
  const bare = await renderReadmes(ITEMS, {
    python: join(venv, "bin", "python"),
    cwd: work,
    env,
    pypiEnv: false,
  });
  assert.equal(bare[1]!.renderer, "docutils 0.23");
  assert.deepEqual(bare.map(summary), EXPECTED);
  assert.deepEqual(entries(cache), []);
});

test("corrupt or foreign cache entries are misses, and are rewritten", async () => {
  const cache = fresh("cache");
  const py = traced(peersPython());
  const options = { python: py.python, cwd: work, env: envFor({ SLIPWAY_CACHE_DIR: cache }) };
  const cold = await renderReadmes(ITEMS, options);
  const files = entries(cache).map((f) => join(cache, "readme-v1", f));
  const good = files.map((f) => readFileSync(f, "utf8"));
  const [a, b, c, d, e] = files;
  writeFileSync(a!, "{ truncated");
  writeFileSync(b!, "");
  writeFileSync(c!, JSON.stringify({ key: "0".repeat(64), verdict: JSON.parse(good[2]!).verdict }));
  writeFileSync(d!, JSON.stringify({ key: JSON.parse(good[3]!).key, verdict: { renderer: "x", ok: "yes" } }));
  rmSync(e!);
  mkdirSync(e!); // not even a file
  py.take();
  const again = await renderReadmes(ITEMS, options);
  assert.deepEqual(again, cold);
  assert.deepEqual(py.take(), { runs: 1, docutils: true });
  assert.deepEqual(
    [a!, b!, c!, d!].map((f) => readFileSync(f, "utf8")),
    good.slice(0, 4),
  );
  // The directory in the way stays a miss, and the check still gets its verdict.
  assert.deepEqual(await renderReadmes(ITEMS, options), cold);
});

test("SLIPWAY_NO_CACHE=1 writes nothing and reads nothing", async () => {
  const cache = fresh("cache");
  const py = traced(peersPython());
  const env = envFor({ SLIPWAY_CACHE_DIR: cache });
  await renderReadmes(ITEMS, { python: py.python, cwd: work, env });
  py.take();
  const off = { python: py.python, cwd: work, env: { ...env, SLIPWAY_NO_CACHE: "1" } };
  assert.deepEqual((await renderReadmes(ITEMS, off)).map(summary), EXPECTED);
  assert.deepEqual(py.take(), { runs: 1, docutils: true }, "the warm cache was not used");
  const elsewhere = fresh("cache");
  await renderReadmes(ITEMS, { ...off, env: { ...off.env, SLIPWAY_CACHE_DIR: elsewhere } });
  assert.equal(existsSync(elsewhere), false);
});

test("an unusable cache directory still gives correct verdicts", async () => {
  // A regular file where the directory should be: mkdir fails even for root.
  const blocked = fresh("blocked");
  writeFileSync(blocked, "not a directory");
  const py = traced(peersPython());
  const options = { python: py.python, cwd: work, env: envFor({ SLIPWAY_CACHE_DIR: blocked }) };
  for (let run = 0; run < 2; run++) {
    const verdicts = await renderReadmes(ITEMS, options);
    assert.deepEqual(verdicts.map(summary), EXPECTED);
    assert.equal(verdicts[0]!.renderer, "readme_renderer 46.0, docutils 0.23");
    assert.deepEqual(py.take(), { runs: 1, docutils: true });
  }
  assert.equal(readFileSync(blocked, "utf8"), "not a directory");
});

test("the cache lives in SLIPWAY_CACHE_DIR, else $XDG_CACHE_HOME/slipway, else ~/.cache/slipway", async () => {
  assert.equal(cacheDirOf({ SLIPWAY_CACHE_DIR: "/c", XDG_CACHE_HOME: "/x", HOME: "/h" }), "/c");
  assert.equal(cacheDirOf({ XDG_CACHE_HOME: "/x", HOME: "/h" }), "/x/slipway");
  assert.equal(cacheDirOf({ XDG_CACHE_HOME: "relative", HOME: "/h" }), "/h/.cache/slipway");
  assert.equal(cacheDirOf({ HOME: "/h" }), "/h/.cache/slipway");
  assert.equal(cacheDirOf({}), undefined);
  assert.equal(cacheDirOf({ HOME: "/h", SLIPWAY_NO_CACHE: "1" }), undefined);
  assert.equal(cacheDirOf({ HOME: "/h", SLIPWAY_NO_CACHE: "0" }), "/h/.cache/slipway");
  assert.equal(entryPath("/c", "ab12"), "/c/ab/ab12.json");
  const xdg = fresh("xdg");
  await renderReadmes(ITEMS.slice(0, 1), {
    python: peersPython(),
    cwd: work,
    env: envFor({ XDG_CACHE_HOME: xdg }),
  });
  assert.equal(entries(join(xdg, "slipway")).length, 1);
});

test("a renderer whose process ends early, or is closed unused, still answers or ends", async () => {
  const env = envFor({ SLIPWAY_CACHE_DIR: fresh("cache") });
  const scripts = {
    silent: "#!/bin/sh\nexit 0\n",
    crashes: "#!/bin/sh\necho boom >&2\nexit 3\n",
    "names-itself-then-dies": `#!/bin/sh\necho '{"dists": {"docutils": "0.23"}}'\nexit 0\n`,
  };
  for (const [name, body] of Object.entries(scripts)) {
    const script = join(fresh("early"), name);
    mkdirSync(dirname(script));
    writeFileSync(script, body);
    chmodSync(script, 0o755);
    const renderer = startReadmeRenderer({ python: script, cwd: work, env });
    await new Promise((resolve) => setTimeout(resolve, 100)); // let it exit before render
    const verdicts = await renderer.render(ITEMS);
    assert.deepEqual(verdicts.map(summary), EXPECTED, name);
    assert.equal(verdicts[1]!.renderer, "built-in rst lint", name);
  }
  // Closed without render (an error while reading archives): a started Python exits with
  // docutils untouched; closed before it started, it never starts.
  const py = traced(peersPython());
  const started = startReadmeRenderer({ python: py.python, cwd: work, env });
  await new Promise((resolve) => setTimeout(resolve, 200));
  started.close();
  await py.ended();
  assert.deepEqual(py.take(), { runs: 1, docutils: false });
  startReadmeRenderer({ python: py.python, cwd: work, env }).close();
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.deepEqual(py.take(), { runs: 0, docutils: false });
});

test("exec hands over stdout lines while the process still runs", async () => {
  // The process answers only after slipway saw its first line: impossible without streaming.
  let answer: (text: string) => void = () => {};
  const input = new Promise<string>((resolve) => {
    answer = resolve;
  });
  const lines: string[] = [];
  const result = await exec(
    ["sh", "-c", "printf 'h\\303\\251llo\\n'; read x; echo \"got $x\"; printf tail"],
    {
      cwd: work,
      env: envFor({}),
      input,
      onStdoutLine: (line) => {
        lines.push(line);
        answer("reply\n");
      },
    },
  );
  assert.deepEqual(lines, ["héllo", "got reply", "tail"]);
  assert.equal(result.stdout, "héllo\ngot reply\ntail");
  // A line longer than a pipe chunk, of 3-byte characters: chunks end mid-character.
  const long: string[] = [];
  await exec([process.execPath, "-e", 'process.stdout.write("€".repeat(100000) + "\\nend\\n")'], {
    cwd: work,
    env: envFor({}),
    onStdoutLine: (line) => long.push(line),
  });
  assert.deepEqual(long, ["€".repeat(100000), "end"]);
  await assert.rejects(
    exec(["sh", "-c", "echo one; sleep 5"], {
      cwd: work,
      env: envFor({}),
      onStdoutLine: () => {
        throw new Error("handler failed");
      },
    }),
    /handler failed/,
  );
});
