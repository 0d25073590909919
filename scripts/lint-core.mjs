#!/usr/bin/env node
// src/core must be pure: besides the import and global bans in biome.json, no clock or
// randomness. Time and ids come in as arguments so plans, dry-runs and tests are exact.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const BANNED = [
  [/\bDate\.now\s*\(/, "Date.now()"],
  [/\bnew Date\s*\(\s*\)/, "new Date()"],
  [/\bMath\.random\s*\(/, "Math.random()"],
  [/\bperformance\.now\s*\(/, "performance.now()"],
];

function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (entry.name.endsWith(".ts")) yield path;
  }
}

let bad = 0;
for (const file of files("src/core")) {
  const lines = readFileSync(file, "utf8").split("\n");
  lines.forEach((line, i) => {
    for (const [pattern, what] of BANNED) {
      if (pattern.test(line)) {
        console.error(
          `${file}:${i + 1}: ${what} in src/core; pass the clock or randomness in as an argument`,
        );
        bad++;
      }
    }
  });
}
process.exit(bad === 0 ? 0 : 1);
