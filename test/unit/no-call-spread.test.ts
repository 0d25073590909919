/**
 * The guard against spreading arrays into calls (issue 11 B3: 100,000 RECORD rows spread into
 * `push` crashed `check` with a RangeError): the biome plugin flags what it must and nothing
 * else, and src/ has no unmarked spread left.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { pushAll } from "../../src/core/arrays.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const BIOME = join(ROOT, "node_modules/.bin/biome");
const PLUGIN = join(ROOT, "scripts/no-call-spread.grit");

interface Diagnostic {
  category: string;
  location: { path: string; start: { line: number } };
}

/** biome's diagnostics for `args` run in `cwd`, as JSON. */
function lint(cwd: string, args: string[]): Diagnostic[] {
  const run = spawnSync(BIOME, ["lint", "--reporter=json", "--max-diagnostics=1000", ...args], {
    cwd,
    encoding: "utf8",
  });
  const report = JSON.parse(run.stdout) as { diagnostics: Diagnostic[] };
  return report.diagnostics;
}

const SAMPLE = `
const a = [1, 2, 3];
const out: number[] = [];
out.push(...a);
Math.max(...a);
const f = (...xs: number[]) => xs;
f?.(...a);
new Set(...[a]);
String.fromCharCode.apply(null, a);
Reflect.apply(f, null, a);
class B { constructor(...r: number[]) { void r; } }
class C extends B { constructor(...r: number[]) { super(...r); } }
void C;
const ok1 = [...a, ...out];
const ok2 = { ...{ x: 1 } };
function ok3(...rest: number[]) { return rest; }
ok3(1, 2);
f([...a]);
// biome-ignore lint/plugin/no-call-spread: three items
out.push(...a);
`;

test("the no-call-spread plugin flags call spreads and apply, not rest parameters or literals", () => {
  const dir = mkdtempSync(join(tmpdir(), "slipway-spread-"));
  try {
    writeFileSync(join(dir, "sample.ts"), SAMPLE);
    writeFileSync(
      join(dir, "biome.json"),
      JSON.stringify({
        plugins: [PLUGIN],
        formatter: { enabled: false },
        linter: { rules: { recommended: false } },
      }),
    );
    const lines = lint(dir, ["sample.ts"])
      .filter((d) => d.category === "plugin")
      .map((d) => d.location.start.line);
    // push, Math.max, f?.(), new Set, .apply, Reflect.apply, super(...): the ignored line is not there.
    assert.deepEqual(lines, [4, 5, 7, 8, 9, 10, 12]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("src/ has no call spread the plugin flags, and biome.json runs it on src/", () => {
  const config = JSON.parse(readFileSync(join(ROOT, "biome.json"), "utf8")) as {
    overrides: { includes: string[]; plugins?: string[] }[];
  };
  assert.ok(
    config.overrides.some(
      (o) => o.includes.includes("src/**") && o.plugins?.includes("./scripts/no-call-spread.grit"),
    ),
  );
  const flagged = lint(ROOT, ["src"]).filter((d) => d.category === "plugin");
  assert.deepEqual(
    flagged.map((d) => `${d.location.path}:${d.location.start.line}`),
    [],
  );
});

test("pushAll appends more items than a call's arguments can hold", () => {
  const many = Array.from({ length: 300_000 }, (_, i) => i);
  assert.throws(() => [].push(...(many as never[])), RangeError);
  const out = pushAll([-1], many);
  assert.equal(out.length, 300_001);
  assert.equal(out.at(-1), 299_999);
});
