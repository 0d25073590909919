/**
 * slipway as npm users get it: `npm pack` of this checkout (dist/ built), installed globally
 * into a clean prefix from the tarball — offline, its runtime dependencies from the npm cache
 * scripts/npm-pack-prep.mjs filled — then run on Node.js 24 and on Node.js 22 (the `slipway` bin
 * as a user's shell finds it, and through npx), `slipway check` on an example; no
 * devDependency installed; the packed size under budget; the library's type declarations
 * compiled by tsc in a consumer project.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  version: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
/** The budget the issue sets for the packed tarball. */
const PACKED_BUDGET = 3 * 1024 * 1024;

const work = mkdtempSync(join(tmpdir(), "slipway-npm-pack-"));
const prefix = join(work, "prefix");
const home = join(work, "home");
let prep: { node22: string; npmCache: string };
let tarball: string;
let packed: { size: number; unpackedSize: number; files: { path: string }[] };

const node24 = process.execPath;
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const binDir = process.platform === "win32" ? prefix : join(prefix, "bin");
const installed =
  process.platform === "win32"
    ? join(prefix, "node_modules", "slipway")
    : join(prefix, "lib", "node_modules", "slipway");

/** npm with no configuration of this machine: the prefix and cache given, offline. */
function npmEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.toLowerCase().startsWith("npm_")) env[k] = v;
  return {
    ...env,
    HOME: home,
    npm_config_userconfig: join(home, ".npmrc"),
    npm_config_cache: prep.npmCache,
    npm_config_prefix: prefix,
    npm_config_offline: "true",
    npm_config_update_notifier: "false",
    npm_config_audit: "false",
    npm_config_fund: "false",
    ...extra,
  };
}

before(() => {
  const out = execFileSync(node24, [join(root, "scripts", "npm-pack-prep.mjs"), "--offline"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  prep = JSON.parse(out) as typeof prep;
  mkdirSync(home, { recursive: true });
  assert.ok(existsSync(join(root, "dist", "cli.js")), "run `npm run build` first");
  const json = execFileSync(npm, ["pack", "--json", "--pack-destination", work], {
    cwd: root,
    encoding: "utf8",
    env: npmEnv(),
    stdio: ["ignore", "pipe", "inherit"],
  });
  const [info] = JSON.parse(json) as (typeof packed & { filename: string })[];
  assert.ok(info);
  packed = info;
  tarball = join(work, info.filename);
  // The checkout's npm caches are not touched: the install reads only the prepared cache.
  const install = spawnSync(npm, ["install", "--global", "--omit=dev", "--ignore-scripts", tarball], {
    encoding: "utf8",
    env: npmEnv(),
  });
  assert.equal(install.status, 0, `offline install failed:\n${install.stdout}\n${install.stderr}`);
});

after(() => rmSync(work, { recursive: true, force: true }));

/** The installed `slipway` as a shell finds it, with `node` on PATH being the one given. */
function slipway(node: string, args: string[], cwd = work) {
  return spawnSync(join(binDir, "slipway"), args, {
    cwd,
    encoding: "utf8",
    env: {
      PATH: [dirname(node), binDir, process.env["PATH"] ?? ""].join(delimiter),
      HOME: home,
      SLIPWAY_README_ENV: "off",
      NO_COLOR: "1",
    },
  });
}

test("the tarball is under the size budget and holds what users run, nothing of the checkout's own", () => {
  assert.ok(packed.size < PACKED_BUDGET, `packed ${packed.size} bytes, budget ${PACKED_BUDGET}`);
  assert.equal(statSync(tarball).size, packed.size);
  const paths = packed.files.map((f) => f.path);
  for (const needed of ["package.json", "README.md", "dist/cli.js", "dist/index.js", "dist/types/index.d.ts"])
    assert.ok(paths.includes(needed), `${needed} is packed`);
  for (const path of paths)
    assert.ok(
      !/^(src|test|scripts|bench|examples|node_modules|\.cache)\//.test(path),
      `${path} is not packed`,
    );
});

test("installed from the tarball offline: no devDependency, only the runtime dependencies", () => {
  const manifest = JSON.parse(readFileSync(join(installed, "package.json"), "utf8")) as { version: string };
  assert.equal(manifest.version, pkg.version);
  const names = new Set<string>();
  const nm = join(installed, "node_modules");
  for (const entry of existsSync(nm) ? readdirSync(nm) : [])
    if (entry.startsWith("@")) for (const sub of readdirSync(join(nm, entry))) names.add(`${entry}/${sub}`);
    else if (!entry.startsWith(".")) names.add(entry);
  for (const dev of Object.keys(pkg.devDependencies))
    assert.ok(!names.has(dev), `devDependency ${dev} is not installed`);
  for (const dep of Object.keys(pkg.dependencies))
    assert.ok(names.has(dep), `dependency ${dep} is installed`);
});

for (const [label, node] of [
  ["24", () => node24],
  ["22", () => prep.node22],
] as const) {
  test(`Node.js ${label}: slipway --version, npx slipway --version, slipway check on an example`, () => {
    const v = spawnSync(node(), ["--version"], { encoding: "utf8" });
    assert.match(v.stdout, new RegExp(`^v${label}\\.`));
    const version = slipway(node(), ["--version"]);
    assert.equal(version.status, 0, version.stderr);
    assert.equal(version.stdout.trim(), pkg.version);
    // npx finds the global install (offline: it must not fetch anything).
    const npx = spawnSync(
      npm === "npm" ? "npx" : "npx.cmd",
      ["--offline", "--no-install", "slipway", "--version"],
      {
        cwd: work,
        encoding: "utf8",
        env: { ...npmEnv(), PATH: [dirname(node()), binDir, process.env["PATH"] ?? ""].join(delimiter) },
      },
    );
    assert.equal(npx.status, 0, npx.stderr);
    assert.equal(npx.stdout.trim(), pkg.version);
    const project = join(work, `hatch-lib-${label}`);
    cpSync(join(root, "examples", "hatch-lib"), project, {
      recursive: true,
      filter: (src) => !/[/\\](dist|build|__pycache__)$/.test(src),
    });
    const check = slipway(node(), ["check", "--json"], project);
    assert.equal(check.status, 0, check.stdout + check.stderr);
    const report = JSON.parse(check.stdout) as { ok: boolean; errors: number };
    assert.equal(report.ok, true);
    assert.equal(report.errors, 0);
  });
}

test("the library's type declarations compile in a consumer project (strict, nodenext)", () => {
  const consumer = join(work, "consumer");
  mkdirSync(join(consumer, "node_modules", "@types"), { recursive: true });
  symlinkSync(installed, join(consumer, "node_modules", "slipway"), "junction");
  symlinkSync(
    join(root, "node_modules", "@types", "node"),
    join(consumer, "node_modules", "@types", "node"),
    "junction",
  );
  writeFileSync(
    join(consumer, "package.json"),
    JSON.stringify({ name: "consumer", private: true, type: "module" }),
  );
  writeFileSync(
    join(consumer, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "es2023",
        module: "nodenext",
        moduleResolution: "nodenext",
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        types: ["node"],
      },
      files: ["main.ts"],
    }),
  );
  writeFileSync(
    join(consumer, "main.ts"),
    [
      'import { check, type CheckReport, type Finding, SlipwayError } from "slipway";',
      'const report: CheckReport = await check({ cwd: process.cwd(), env: process.env, project: "." });',
      "const first: Finding | undefined = report.findings[0];",
      'console.log(first?.id, report.findings.length, new SlipwayError("usage", "m").code);',
      "// @ts-expect-error: the options are typed (a project is a string)",
      'await check({ cwd: 1, env: process.env, project: "." });',
      "",
    ].join("\n"),
  );
  const tsc = spawnSync(node24, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", consumer], {
    cwd: consumer,
    encoding: "utf8",
  });
  assert.equal(tsc.status, 0, `tsc:\n${tsc.stdout}${tsc.stderr}`);
});
