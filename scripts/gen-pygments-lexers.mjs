#!/usr/bin/env node
// Regenerates src/data/pygments-lexers.json: every alias Pygments' get_lexer_by_name() accepts
// (lower-cased, as Pygments compares them), read from the peers venv's Pygments. The built-in rst
// lint uses it to say which `.. code::` languages PyPI cannot highlight.
// Usage: node scripts/gen-pygments-lexers.mjs
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const python = execFileSync(process.execPath, [join(root, "scripts", "peers.mjs")], {
  encoding: "utf8",
}).trim();
const code = `
import json, pygments
from pygments.lexers import get_all_lexers
aliases = sorted({a.lower() for _, names, _, _ in get_all_lexers(plugins=False) for a in names})
print(json.dumps({"pygments": pygments.__version__, "aliases": aliases}))
`;
const data = JSON.parse(execFileSync(python, ["-c", code], { encoding: "utf8" }));
const out = join(root, "src", "data", "pygments-lexers.json");
writeFileSync(out, `${JSON.stringify(data)}\n`);
process.stdout.write(`${out}: ${data.aliases.length} aliases from Pygments ${data.pygments}\n`);
