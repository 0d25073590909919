/**
 * Which distributions `slipway verify-install` checks: the files named on its command line, or
 * the wheels in `dist/` when none are named; and the budget the project sets for them.
 */
import { join, relative, resolve } from "node:path";
import { listDirIfExists, pathKind } from "../adapters/fs.ts";
import { openProject } from "../adapters/snapshot.ts";
import { SlipwayError } from "../errors.ts";

/**
 * `[tool.slipway.release] verify.max-import-ms` of the project in `cwd` (the budget
 * `slipway release` verifies with), so that `slipway verify-install` there holds the same one;
 * undefined without a pyproject.toml or the setting. A malformed setting is a config error.
 */
export async function readImportBudget(cwd: string): Promise<number | undefined> {
  const project = openProject(cwd);
  if ((await project.pyproject()) === undefined) return undefined;
  return (await project.releaseConfig()).verify.maxImportMs;
}

/** The named files (each must be a file), or `cwd/dist/*.whl`; absolute paths. */
export async function resolveVerifyDists(named: readonly string[], cwd: string): Promise<string[]> {
  return named.length > 0 ? await checkDists(named, cwd) : await defaultDists(cwd);
}

async function defaultDists(cwd: string): Promise<string[]> {
  const dir = join(cwd, "dist");
  // An unreadable or missing directory is reported below, as one without wheels.
  const names = ((await listDirIfExists(dir).catch(() => undefined)) ?? []).filter((n) => n.endsWith(".whl"));
  if (names.length === 0) {
    throw new SlipwayError("usage", `no wheels in ${relative(cwd, dir) || dir} and no distributions given`, {
      hint: "Build first (`slipway build`), or name the wheels and sdists to verify.",
    });
  }
  return names.map((n) => join(dir, n));
}

async function checkDists(dists: readonly string[], cwd: string): Promise<string[]> {
  const checked: string[] = [];
  for (const d of dists) {
    const abs = resolve(cwd, d);
    if ((await pathKind(abs).catch(() => undefined)) !== "file") {
      throw new SlipwayError("usage", `'${d}' is not a file`, { hint: "Check the path, or build first." });
    }
    checked.push(abs);
  }
  return checked;
}
