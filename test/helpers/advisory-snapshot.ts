/**
 * The PyPA advisory database snapshot kept in the project's shared data, beside the repository
 * (`../shared/data/pypa-advisory-database`); a worktree one level deeper finds it one level up.
 * SLIPWAY_TEST_ADVISORY_DB names another copy.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The whole snapshot, or undefined on a machine without it (the caller skips, saying so). */
export function advisorySnapshot(): string | undefined {
  const candidates = [
    process.env["SLIPWAY_TEST_ADVISORY_DB"],
    fileURLToPath(new URL("../../../shared/data/pypa-advisory-database", import.meta.url)),
    fileURLToPath(new URL("../../../../shared/data/pypa-advisory-database", import.meta.url)),
  ];
  return candidates.find((dir) => dir !== undefined && existsSync(`${dir}/vulns`));
}

/** Records of two packages of the database, committed with the tests (test/fixtures/advisories). */
export const ADVISORY_FIXTURES = fileURLToPath(new URL("../fixtures/advisories", import.meta.url));
