#!/usr/bin/env node
// Bundles the CLI and the library with esbuild. The CLI entry stays tiny and each command is a
// separate chunk loaded on demand (code splitting), so `slipway --version` loads almost nothing.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { chmod, readFile, writeFile } from "node:fs/promises";
import { isBuiltin } from "node:module";
import { build } from "esbuild";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));

// Which sources this bundle is made of: caches of what slipway computed (README analyses) are
// keyed by it, so any change to the code, its data or its dependencies is a miss.
const buildHash = createHash("sha256");
const srcDir = new URL("../src/", import.meta.url);
for (const file of readdirSync(srcDir, { recursive: true }).map(String).sort()) {
  const url = new URL(file, srcDir);
  if (statSync(url).isFile()) buildHash.update(`${file}\0`).update(readFileSync(url));
}
buildHash.update(readFileSync(new URL("../package-lock.json", import.meta.url)));
const buildId = buildHash.digest("hex").slice(0, 32);
rmSync(new URL("../dist", import.meta.url), { recursive: true, force: true });

// The Node built-ins each command's code imports: the CLI loads them before it compiles the
// command's chunks eagerly (src/cli/main.ts, loadCommand). A first pass only maps the graph.
const { metafile } = await build({
  entryPoints: ["src/cli/main.ts"],
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  outdir: "dist",
  write: false,
  metafile: true,
  logLevel: "silent",
});
const builtins = {};
for (const { path: file, kind } of metafile.inputs["src/cli/main.ts"]?.imports ?? []) {
  const command = /^src\/cli\/commands\/([a-z-]+)\.ts$/.exec(file)?.[1];
  if (kind !== "dynamic-import" || command === undefined) continue;
  const found = new Set();
  const seen = new Set();
  const stack = [file];
  while (stack.length > 0) {
    const at = stack.pop();
    if (seen.has(at)) continue;
    seen.add(at);
    for (const imp of metafile.inputs[at]?.imports ?? []) {
      if (imp.kind === "dynamic-import") continue;
      if (!imp.external) stack.push(imp.path);
      else if (isBuiltin(imp.path)) found.add(imp.path.startsWith("node:") ? imp.path : `node:${imp.path}`);
    }
  }
  builtins[command] = [...found].sort();
}

await build({
  entryPoints: {
    cli: "src/cli/main.ts",
    index: "src/index.ts",
    // Worker threads need a file of their own; the archive reader finds it beside the chunks.
    "archive-worker": "src/adapters/archives/member-worker.ts",
  },
  outdir: "dist",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node22",
  sourcemap: false,
  legalComments: "linked",
  chunkNames: "chunks/[name]-[hash]",
  define: {
    SLIPWAY_VERSION: JSON.stringify(pkg.version),
    SLIPWAY_BUILD_ID: JSON.stringify(buildId),
    SLIPWAY_BUILTINS: JSON.stringify(JSON.stringify(builtins)),
  },
  // CommonJS dependencies (@fastify/busboy) `require` Node's built-ins; ESM output has no
  // `require`, so each output file gets one from createRequire.
  banner: {
    js: 'import { createRequire as __slipwayCreateRequire } from "node:module"; const require = __slipwayCreateRequire(import.meta.url);',
  },
  logLevel: "warning",
});

// The GitHub Action's entry (action.yml runs it; it runs cli.js beside it): one small file of its
// own, without the chunks' shared runtime or the require banner, so it starts in a few ms.
await build({
  entryPoints: ["src/action/main.ts"],
  outfile: "dist/action.js",
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node22",
  legalComments: "none",
  logLevel: "warning",
});

// The shebang goes on the CLI file only.
const cli = new URL("../dist/cli.js", import.meta.url);
await writeFile(cli, `#!/usr/bin/env node\n${await readFile(cli, "utf8")}`);
await chmod(cli, 0o755);

// Type declarations for library users (package.json "types"), from the same sources.
execFileSync(
  process.execPath,
  [new URL("../node_modules/typescript/bin/tsc", import.meta.url).pathname, "-p", "tsconfig.build.json"],
  {
    stdio: "inherit",
  },
);
