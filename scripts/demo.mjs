#!/usr/bin/env node
// `npm run demo`: slipway's main job on the bundled example. For now that is `slipway check` on
// examples/hatch-lib and the sdist and wheel its own backend builds (later: the full release
// against the embedded staging index). Building uses the pinned peers venv until `slipway build`
// exists; the example's dist/ is rebuilt each run so the demo always checks fresh bytes.
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const example = join(root, "examples", "hatch-lib");
const python = execFileSync(process.execPath, [join(root, "scripts", "peers.mjs")], {
  encoding: "utf8",
  stdio: ["ignore", "pipe", "inherit"],
}).trim();

rmSync(join(example, "dist"), { recursive: true, force: true });
console.log("$ python -m build --no-isolation examples/hatch-lib");
execFileSync(python, ["-m", "build", "--no-isolation", "--outdir", join(example, "dist"), example], {
  stdio: ["ignore", "ignore", "inherit"],
});
console.log("$ slipway check examples/hatch-lib");
try {
  execFileSync(
    process.execPath,
    [join(root, "dist", "cli.js"), "check", "examples/hatch-lib", "--python", python],
    {
      cwd: root,
      stdio: "inherit",
    },
  );
} catch (error) {
  process.exit(typeof error.status === "number" ? error.status : 1);
}
