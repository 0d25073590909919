/**
 * The README analysis cache: the adapter on its own (keys, builds, damaged entries), and the
 * built CLI, whose second run takes a README's analysis from the cache instead of parsing it.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { openAnalysisCache } from "../../src/adapters/analysis-cache.ts";
import { analyze, type DescriptionAnalysis } from "../../src/core/checks/description.ts";

const work = mkdtempSync(join(tmpdir(), "slipway-analysis-cache-"));
after(() => rmSync(work, { recursive: true, force: true }));
let serial = 0;
const fresh = (name: string) => join(work, `${name}-${++serial}`);

const RST: DescriptionAnalysis = {
  kind: "rst",
  text: "Demo\n====\n\nSee :ref:`usage` and `the guide <docs/guide.rst>`_.\n\n.. code-block:: nosuchlang\n\n   x\n",
};
const MD: DescriptionAnalysis = {
  kind: "markdown",
  text: "# Demo\n\n<p style='x'>hi</p> [docs](docs/a.md)\n",
};

/** Every entry file under the cache's analysis directory. */
function entries(root: string): string[] {
  return readdirSync(join(root, "readme-analysis-v1"), { recursive: true })
    .map(String)
    .filter((f) => f.endsWith(".json"))
    .map((f) => join(root, "readme-analysis-v1", f));
}

test("entries are keyed by build, kind and text; damaged or foreign ones are misses", async () => {
  const root = fresh("cache");
  const env = { SLIPWAY_CACHE_DIR: root };
  const cache = openAnalysisCache(env, "build-a");
  assert.ok(cache);
  assert.equal(await cache.get(RST), undefined);
  for (const a of [RST, MD]) await cache.put(a, analyze(a));
  assert.deepEqual(await cache.get(RST), analyze(RST));
  assert.deepEqual(await cache.get(MD), analyze(MD));
  const [rst, md] = [analyze(RST), analyze(MD)];
  assert.ok(
    "links" in rst && rst.links.length > 0 && "html" in md && md.html.length > 0,
    "the fixtures find something",
  );
  // The same text as the other kind, or from another build of slipway, is another entry.
  assert.equal(await cache.get({ kind: "markdown", text: RST.text }), undefined);
  assert.equal(await openAnalysisCache(env, "build-b")?.get(RST), undefined);

  const [first, second] = entries(root);
  const good = readFileSync(first!, "utf8");
  for (const damaged of [
    "{ truncated",
    JSON.stringify({ ...JSON.parse(good), key: "0".repeat(64) }),
    JSON.stringify({
      ...JSON.parse(good),
      result: { issues: [{ line: "1", level: "error", message: "x" }] },
    }),
    JSON.stringify({ ...JSON.parse(good), result: { urls: [{ url: 1, line: 1, kind: "link" }], html: [] } }),
  ]) {
    writeFileSync(first!, damaged);
    writeFileSync(second!, damaged);
    assert.equal(await cache.get(RST), undefined, damaged);
    assert.equal(await cache.get(MD), undefined, damaged);
  }
  // Off without a build id (slipway run from its sources), or with caching turned off.
  assert.equal(openAnalysisCache(env, undefined), undefined);
  assert.equal(openAnalysisCache({ ...env, SLIPWAY_NO_CACHE: "1" }, "build-a"), undefined);
});

test("the built CLI parses a README once: a warm run reads the analysis back from the cache", () => {
  const cli = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
  const project = fresh("project");
  const root = fresh("cache");
  const readme = join(project, "README.rst");
  mkdirSync(project);
  writeFileSync(
    join(project, "pyproject.toml"),
    '[project]\nname = "demo"\nversion = "1.0"\nreadme = "README.rst"\n',
  );
  writeFileSync(readme, RST.text);
  const descFindings = () => {
    const r = spawnSync(
      process.execPath,
      [cli, "check", "--json", "--select", "DESC", "--python", "/nonexistent"],
      {
        cwd: project,
        env: { PATH: process.env["PATH"], SLIPWAY_CACHE_DIR: root },
        encoding: "utf8",
      },
    );
    return (JSON.parse(r.stdout) as { findings: { id: string; message: string }[] }).findings.map(
      (f) => `${f.id} ${f.message}`,
    );
  };
  const cold = descFindings();
  assert.ok(
    cold.some((f) => f.startsWith("DESC05")) && cold.some((f) => f.startsWith("DESC08")),
    cold.join("\n"),
  );
  const [entry] = entries(root);
  assert.ok(entry, "the analysis was stored");
  assert.deepEqual(descFindings(), cold);

  // Proof the warm run read the entry: an entry edited by hand (trusted, like any cache) shows.
  const stored = JSON.parse(readFileSync(entry, "utf8"));
  stored.result.links = [];
  writeFileSync(entry, JSON.stringify(stored));
  assert.ok(!descFindings().some((f) => f.startsWith("DESC08")));
  // A damaged entry is a miss: parsed again, and written back whole.
  writeFileSync(entry, "{ truncated");
  assert.deepEqual(descFindings(), cold);
  assert.equal(JSON.parse(readFileSync(entry, "utf8")).key, stored.key);
});
