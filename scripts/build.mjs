#!/usr/bin/env node
// Bundles the CLI and the library with esbuild. The CLI entry stays tiny and each command is a
// separate chunk loaded on demand (code splitting), so `slipway --version` loads almost nothing.
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { chmod, readFile, writeFile } from "node:fs/promises";
import { build } from "esbuild";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
rmSync(new URL("../dist", import.meta.url), { recursive: true, force: true });

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
  define: { SLIPWAY_VERSION: JSON.stringify(pkg.version) },
  // CommonJS dependencies (@fastify/busboy) `require` Node's built-ins; ESM output has no
  // `require`, so each output file gets one from createRequire.
  banner: {
    js: 'import { createRequire as __slipwayCreateRequire } from "node:module"; const require = __slipwayCreateRequire(import.meta.url);',
  },
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
