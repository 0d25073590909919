/**
 * renderReadmes against real Pythons: the peers venv (readme_renderer 46 + docutils 0.23), a
 * fresh venv holding only docutils, the `python3` on PATH whatever it has, a Python that fails,
 * and no Python at all. One process renders the whole batch.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import {
  chmodSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { renderReadmes } from "../../src/adapters/readme.ts";
import { checkDescription } from "../../src/core/checks/description.ts";
import { peersPython } from "../helpers/peers.ts";

const work = mkdtempSync(join(tmpdir(), "slipway-readme-"));
after(() => rmSync(work, { recursive: true, force: true }));

const ITEMS = [
  { text: "Demo project\n============\n\nAll *good*.\n", contentType: "text/x-rst" },
  { text: "Demo project\n====\n\nSee :ref:`usage`.\n", contentType: undefined },
  { text: "   \n\n", contentType: "text/x-rst; charset=UTF-8" },
  // A role defined by one document must not leak into the next one (docutils keeps a registry).
  { text: ".. role:: custom\n\n:custom:`x`\n", contentType: "text/x-rst" },
  { text: ":custom:`x`\n", contentType: "text/x-rst" },
  { text: "# Demo\n\nMarkdown.\n", contentType: "text/markdown" },
  { text: "Plain *text*.\n", contentType: "text/plain" },
];

const summary = (v: { ok: boolean; empty: boolean }) => (v.ok ? "ok" : v.empty ? "empty" : "failed");
const EXPECTED = ["ok", "failed", "empty", "ok", "failed", "ok", "ok"];
// Without the verdict cache, so every test here renders for real and none writes to the user's
// ~/.cache (readme-cache.test.ts covers the cache).
const env = { PATH: process.env["PATH"], HOME: process.env["HOME"], SLIPWAY_NO_CACHE: "1" };

test("peers python: readme_renderer 46 with docutils 0.23, PyPI's renderer", async () => {
  const verdicts = await renderReadmes(ITEMS, { python: peersPython(), cwd: work, env });
  assert.deepEqual(verdicts.map(summary), EXPECTED);
  for (const i of [0, 1, 2, 3, 4]) assert.equal(verdicts[i]!.renderer, "readme_renderer 46.0, docutils 0.23");
  assert.deepEqual(verdicts[0]!.versions?.docutils, "0.23");
  // docutils stops at the first problem; the built-in lint would name both.
  assert.deepEqual(verdicts[1]!.messages, [{ line: 2, text: "Title underline too short." }]);
  assert.deepEqual(verdicts[2]!.messages, [{ text: "No content rendered from RST source." }]);
  assert.equal(verdicts[6]!.renderer, "none (plain text or unsupported type)");
  const findings = checkDescription({
    location: { file: "README.rst" },
    description: ITEMS[1]!.text,
    contentType: "text/x-rst",
    verdict: verdicts[1]!,
  });
  assert.deepEqual(
    findings.map((f) => `${f.id}:${f.severity}`),
    ["DESC03:error"],
  );
});

test("a python with docutils but no readme_renderer renders with docutils and readme_renderer's settings", async () => {
  const venv = join(work, "docutils-only");
  execFileSync(peersPython(), ["-m", "venv", "--without-pip", venv]);
  const lib = join(venv, "lib");
  const site = join(lib, readdirSync(lib)[0]!, "site-packages");
  const docutilsDir = execFileSync(
    peersPython(),
    ["-c", "import docutils, os; print(os.path.dirname(docutils.__file__))"],
    {
      encoding: "utf8",
    },
  ).trim();
  symlinkSync(docutilsDir, join(site, "docutils"));
  const verdicts = await renderReadmes(ITEMS, { python: join(venv, "bin", "python"), cwd: work, env });
  assert.deepEqual(verdicts.map(summary), EXPECTED);
  assert.equal(verdicts[1]!.renderer, "docutils 0.23");
  assert.equal(verdicts[1]!.versions?.readmeRenderer, undefined);
  assert.equal(verdicts[5]!.renderer, "built-in Markdown check (micromark)");
});

test("python3 on PATH is used when no python is given (whatever it has installed)", async () => {
  const probe = (code: string): string | undefined => {
    try {
      return execFileSync("python3", ["-c", code], {
        encoding: "utf8",
        env,
        stdio: ["ignore", "pipe", "ignore"],
      }).trim();
    } catch {
      return undefined;
    }
  };
  const readmeRenderer = probe(
    "import readme_renderer, importlib.metadata as m; print(m.version('readme_renderer'))",
  );
  const docutils = probe("import docutils; print(docutils.__version__)");
  const verdicts = await renderReadmes(ITEMS.slice(0, 3), { cwd: work, env });
  assert.deepEqual(verdicts.map(summary), EXPECTED.slice(0, 3));
  const expected =
    readmeRenderer !== undefined
      ? `readme_renderer ${readmeRenderer}, docutils ${docutils}`
      : docutils !== undefined
        ? `docutils ${docutils}`
        : "built-in rst lint";
  assert.equal(verdicts[0]!.renderer, expected);
  if (readmeRenderer === undefined && docutils === "0.19") {
    // docutils 0.19 refuses duplicate embedded targets that PyPI's 0.23 accepts: DESC09.
    const text = "`x <https://a.example>`_ and `x <https://b.example>`_\n";
    const [old] = await renderReadmes([{ text, contentType: "text/x-rst" }], { cwd: work, env });
    const found = checkDescription({
      location: { file: "README.rst" },
      description: text,
      contentType: undefined,
      verdict: old!,
    });
    assert.deepEqual(
      found.map((f) => `${f.id}:${f.severity}`),
      ["DESC02:warning", "DESC03:warning", "DESC09:warning"],
    );
  }
});

test("no python at all falls back to the built-in checks", async () => {
  const missing = await renderReadmes(ITEMS, { python: join(work, "no-such-python"), cwd: work, env });
  assert.deepEqual(missing.map(summary), EXPECTED);
  assert.equal(missing[1]!.renderer, "built-in rst lint");
  assert.deepEqual(missing[1]!.messages, [
    { line: 2, text: "Title underline too short." },
    { line: 4, text: 'Unknown interpreted text role "ref".' },
  ]);
  const noPath = await renderReadmes(ITEMS.slice(0, 2), {
    cwd: work,
    env: { PATH: join(work, "empty-bin") },
  });
  assert.deepEqual(
    noPath.map((v) => v.renderer),
    ["built-in rst lint", "built-in rst lint"],
  );
});

test("a python that fails or prints something else also falls back", async () => {
  const script = join(work, "broken-python");
  writeFileSync(script, "#!/bin/sh\necho 'not json'\n");
  chmodSync(script, 0o755);
  const verdicts = await renderReadmes(ITEMS.slice(0, 2), { python: script, cwd: work, env });
  assert.deepEqual(
    verdicts.map((v) => [v.renderer, summary(v)]),
    [
      ["built-in rst lint", "ok"],
      ["built-in rst lint", "failed"],
    ],
  );
});

test("the whole batch is rendered by one python process", async () => {
  const log = join(work, "calls.log");
  const wrapper = join(work, "counting-python");
  writeFileSync(wrapper, `#!/bin/sh\necho call >> '${log}'\nexec '${peersPython()}' "$@"\n`);
  chmodSync(wrapper, 0o755);
  const many = Array.from({ length: 25 }, (_, i) => ITEMS[i % ITEMS.length]!);
  const verdicts = await renderReadmes(many, { python: wrapper, cwd: work, env });
  assert.equal(verdicts.length, 25);
  assert.equal(readFileSync(log, "utf8"), "call\n");
  const none = await renderReadmes([{ text: "plain", contentType: "text/plain" }], {
    python: wrapper,
    cwd: work,
    env,
  });
  assert.equal(none[0]!.ok, true);
  assert.equal(readFileSync(log, "utf8"), "call\n", "no Python needed for plain text");
});
