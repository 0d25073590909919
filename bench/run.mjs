#!/usr/bin/env node
// `npm run bench`: every benchmark, each side by side with its peer tool in one run, reported
// as ratios. Needs the peers venv and the corpus (prepared by `npm run peers`).
import { benchAttest } from "./attest.mjs";
import { benchBuild } from "./build.mjs";
import { benchLarge } from "./check-large.mjs";
import { benchSmall } from "./check-small.mjs";
import { benchIndex } from "./index-load.mjs";
import { benchPublish } from "./publish.mjs";
import { benchVersion } from "./version.mjs";

const only = process.argv[2];
const suites = {
  version: benchVersion,
  small: benchSmall,
  large: benchLarge,
  build: benchBuild,
  publish: benchPublish,
  index: benchIndex,
  attest: benchAttest,
};
for (const [name, run] of Object.entries(suites)) {
  if (only && only !== name) continue;
  const r = await run();
  console.log(`\n## ${r.title}\n${r.rows.join("\n")}\n${r.ratio}`);
}
