/**
 * The offline wheelhouse of PEP 517 build backends (setuptools, hatchling, flit_core, pdm-backend,
 * poetry-core, wheel and their dependencies) prepared by scripts/wheelhouse.mjs before the tests
 * run. Build tests install backends from it with pip and no index, so they never reach the network.
 */
import { execFileSync } from "node:child_process";
import { devNull } from "node:os";
import { fileURLToPath } from "node:url";

let cached: string | undefined;

/**
 * Directory of the wheelhouse. Never downloads: it fails, saying to run `npm run peers`, when the
 * test command's preparation step has not made it.
 */
export function wheelhouse(): string {
  cached ??= execFileSync(
    process.execPath,
    [fileURLToPath(new URL("../../scripts/wheelhouse.mjs", import.meta.url)), "--offline"],
    { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
  ).trim();
  return cached;
}

/**
 * `base` without its PIP_* variables, plus those that make pip (and so `python -m build`'s
 * isolated environment) install from the wheelhouse alone. The config file is switched off too:
 * pip merges find-links and indexes from pip.conf into the command line's. slipway's own pip
 * ignores all of these: give it `--find-links <wheelhouse> --no-index` instead.
 */
export function wheelhouseEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(base).filter(([name]) => !name.startsWith("PIP_")));
  return {
    ...env,
    PIP_NO_INDEX: "1",
    PIP_FIND_LINKS: wheelhouse(),
    PIP_CONFIG_FILE: devNull,
    PIP_DISABLE_PIP_VERSION_CHECK: "1",
  };
}
