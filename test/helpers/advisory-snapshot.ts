/**
 * The PyPA advisory database snapshot kept in the project's shared data, beside the repository
 * (`../shared/data/pypa-advisory-database`); a worktree one level deeper finds it one level up.
 * SLIPWAY_TEST_ADVISORY_DB names another copy.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export function advisorySnapshot(): string {
  const candidates = [
    process.env["SLIPWAY_TEST_ADVISORY_DB"],
    fileURLToPath(new URL("../../../shared/data/pypa-advisory-database", import.meta.url)),
    fileURLToPath(new URL("../../../../shared/data/pypa-advisory-database", import.meta.url)),
  ];
  const found = candidates.find((dir) => dir !== undefined && existsSync(`${dir}/vulns`));
  if (found === undefined)
    throw new Error("the PyPA advisory database snapshot is missing (shared/data/pypa-advisory-database)");
  return found;
}
