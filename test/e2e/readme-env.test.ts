/**
 * PyPI's renderer for a Python that lacks readme_renderer: reStructuredText is rendered by the
 * readme_renderer version PyPI runs, in an environment slipway makes once in its cache
 * (src/adapters/readme-env.ts). pip installs it from wheels remade from the peers venv with no
 * index, so nothing here reaches PyPI; offline (no index, nothing to find) the Python's own renderer or the
 * built-in lint decides and the verdict says why, which the checks report as an info.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { renderReadmes } from "../../src/adapters/readme.ts";
import { PYPI_README_REQUIREMENTS, readmePipSource } from "../../src/adapters/readme-env.ts";
import { checkDescription } from "../../src/core/checks/description.ts";
import { peersPython } from "../helpers/peers.ts";

const work = mkdtempSync(join(tmpdir(), "slipway-readme-env-"));
after(() => rmSync(work, { recursive: true, force: true }));

const ITEMS = [
  { text: "Demo project\n============\n\nAll *good*.\n", contentType: "text/x-rst" },
  { text: "Demo project\n====\n\nSee :ref:`usage`.\n", contentType: undefined },
  { text: "# Demo\n\nMarkdown.\n", contentType: "text/markdown" },
];
const summary = (v: { ok: boolean; empty: boolean }) => (v.ok ? "ok" : v.empty ? "empty" : "failed");

/** A Python with neither readme_renderer nor docutils: a bare venv over the peers interpreter. */
function barePython(): string {
  const venv = join(work, "bare");
  if (!existsSync(venv)) execFileSync(peersPython(), ["-m", "venv", "--without-pip", venv]);
  return join(venv, "bin", "python");
}

// Wheels of PyPI's renderer remade from the peers venv, which has the pinned versions installed
// (test/peers/requirements.txt): pip then installs them with no index, so no test reaches PyPI.
const REWHEEL_PY = String.raw`
import os, sys, zipfile
from importlib.metadata import distribution
out = sys.argv[1]
for name in sys.argv[2:]:
    dist = distribution(name)
    tag = next(l.split(":", 1)[1].strip() for l in dist.read_text("WHEEL").splitlines() if l.startswith("Tag:"))
    stem = dist.metadata["Name"].replace("-", "_").lower()
    with zipfile.ZipFile(os.path.join(out, "%s-%s-%s.whl" % (stem, dist.version, tag)), "w") as whl:
        for f in dist.files:
            path = f.locate()
            if f.parts[0] != ".." and "__pycache__" not in f.parts and os.path.isfile(path):
                whl.write(path, str(f))
`;

function rendererWheels(): string {
  const dir = join(work, "wheels");
  if (existsSync(dir)) return dir;
  mkdirSync(dir);
  const names = PYPI_README_REQUIREMENTS.map((r) => r.split("==")[0]!);
  execFileSync(peersPython(), ["-c", REWHEEL_PY, dir, ...names]);
  return dir;
}

const baseEnv = { PATH: process.env["PATH"], HOME: join(work, "home") };

test("PyPI's pins and where pip looks: PIP_INDEX_URL, PIP_FIND_LINKS and PIP_NO_INDEX", () => {
  assert.ok(PYPI_README_REQUIREMENTS.includes("readme_renderer==46.0"));
  assert.ok(PYPI_README_REQUIREMENTS.includes("docutils==0.23"));
  assert.deepEqual(readmePipSource({}), {});
  assert.deepEqual(
    readmePipSource({ PIP_FIND_LINKS: " /a  /b ", PIP_NO_INDEX: "1", PIP_INDEX_URL: "https://i/simple" }),
    {
      indexUrl: "https://i/simple",
      findLinks: ["/a", "/b"],
      noIndex: true,
    },
  );
  assert.deepEqual(readmePipSource({ PIP_NO_INDEX: "off" }), {});
});

test("a Python without readme_renderer renders reStructuredText with PyPI's readme_renderer, made once", async (t) => {
  const wheels = rendererWheels();
  if (wheels === undefined)
    return t.skip("no readme_renderer 46.0 wheels in the wheelhouse (re-run npm run peers)");
  const cache = join(work, "cache-online");
  const env = { ...baseEnv, SLIPWAY_CACHE_DIR: cache, PIP_NO_INDEX: "1", PIP_FIND_LINKS: wheels };
  const options = { python: barePython(), cwd: work, env };
  const first = await renderReadmes(ITEMS, options);
  assert.deepEqual(first.map(summary), ["ok", "failed", "ok"]);
  for (const v of first.slice(0, 2)) {
    assert.equal(v.renderer, "readme_renderer 46.0, docutils 0.23");
    assert.equal(v.note, undefined);
  }
  assert.deepEqual(first[1]!.messages[0]?.line, 2);
  // Markdown stays with the chosen Python (which cannot render it: the built-in check).
  assert.match(first[2]!.renderer, /built-in Markdown/);
  assert.equal(readdirSync(join(cache, "build-envs")).length, 1);
  // Warm: the same environment, the same verdicts.
  assert.deepEqual(await renderReadmes(ITEMS, options), first);
  assert.equal(readdirSync(join(cache, "build-envs")).length, 1);
  // The Python's own renderer when asked for it.
  const own = await renderReadmes(ITEMS, { ...options, pypiEnv: false });
  assert.equal(own[0]!.renderer, "built-in rst lint");
  // The index is read back from disk: an entry naming an interpreter outside slipway's build
  // environments is not run (the cached environment is found again and the entry rewritten).
  const planted = join(work, "planted-python");
  const marker = join(work, "planted-ran");
  writeFileSync(planted, `#!/bin/sh\ntouch '${marker}'\nexit 1\n`, { mode: 0o755 });
  const index = join(cache, "readme-env-v1");
  const entries = readdirSync(index);
  assert.equal(entries.length, 1);
  writeFileSync(join(index, entries[0]!), JSON.stringify({ python: planted }));
  const again = await renderReadmes(ITEMS, options);
  assert.equal(existsSync(marker), false, "the planted interpreter ran");
  assert.equal(again[0]!.renderer, "readme_renderer 46.0, docutils 0.23");
});

test("offline, the Python's own renderer decides and the checks say why as an info", async () => {
  const cache = join(work, "cache-offline");
  const env = { ...baseEnv, SLIPWAY_CACHE_DIR: cache, PIP_NO_INDEX: "1" };
  const options = { python: barePython(), cwd: work, env };
  const verdicts = await renderReadmes(ITEMS, options);
  assert.deepEqual(verdicts.map(summary), ["ok", "failed", "ok"]);
  assert.equal(verdicts[1]!.renderer, "built-in rst lint");
  assert.match(
    verdicts[1]!.note ?? "",
    /PyPI's readme_renderer could not be set up in slipway's cache \(could not install/,
  );
  assert.equal(verdicts[2]!.note, undefined, "Markdown does not need readme_renderer's rst");
  const findings = checkDescription({
    location: { file: "README.rst" },
    description: ITEMS[0]!.text,
    contentType: "text/x-rst",
    verdict: verdicts[0]!,
  });
  assert.deepEqual(
    findings.map((f) => `${f.id}:${f.severity}`),
    ["DESC09:info"],
  );
  // The failure is remembered: the next check does not wait for pip again.
  const index = join(cache, "readme-env-v1");
  const [entry] = readdirSync(index);
  assert.ok(JSON.parse(readFileSync(join(index, entry!), "utf8")).failedAt > 0);
  const again = await renderReadmes(ITEMS, options);
  assert.equal(again[1]!.note, verdicts[1]!.note);
});

test("with the cache off nothing is made and nothing is noted", async () => {
  const env = { ...baseEnv, SLIPWAY_NO_CACHE: "1", PIP_NO_INDEX: "1" };
  const verdicts = await renderReadmes(ITEMS, { python: barePython(), cwd: work, env });
  assert.equal(verdicts[0]!.renderer, "built-in rst lint");
  assert.equal(verdicts[0]!.note, undefined);
});

test("SLIPWAY_README_ENV=off: no environment is made, pip is not run, and nothing is noted", async () => {
  const cache = join(work, "cache-env-off");
  // An index that refuses every connection: had pip run, the verdict would carry its failure.
  const env = {
    ...baseEnv,
    SLIPWAY_CACHE_DIR: cache,
    SLIPWAY_README_ENV: "off",
    PIP_INDEX_URL: "http://127.0.0.1:9/",
  };
  const verdicts = await renderReadmes(ITEMS, { python: barePython(), cwd: work, env });
  assert.deepEqual(verdicts.map(summary), ["ok", "failed", "ok"]);
  assert.equal(verdicts[1]!.renderer, "built-in rst lint");
  assert.equal(verdicts[1]!.note, undefined);
  assert.equal(existsSync(join(cache, "build-envs")), false);
  assert.equal(existsSync(join(cache, "readme-env-v1")), false);
});
