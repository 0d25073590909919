/**
 * `slipway scan lock`, the pure part: each lockfile of a project checked by its format (uv.lock
 * and poetry.lock against pyproject.toml, pylock.toml, requirements files and Pipfile.lock for
 * their hashes), and the findings as the scan section every renderer and the gate read.
 */
import { createHash } from "node:crypto";
import { type Finding, finding } from "../findings.ts";
import type { TomlTable } from "../pyproject/access.ts";
import type { ScanRule, ScanSection } from "../scan/report.ts";
import {
  checkLockHashes,
  checkPoetryLock,
  checkUvLock,
  LOCK_CHECK_LIST,
  LOCK_CHECKS,
  lockErrorFinding,
} from "./integrity.ts";
import { type LockFormat, readLock } from "./pins.ts";

/** One lockfile as read: `text` undefined when it could not be read as a small regular file. */
export interface LockfileInput {
  /** The name findings show (relative to the project). */
  file: string;
  format: LockFormat;
  text: string | undefined;
  /** Why `text` is missing ("a symlink", "larger than 64 MiB"). */
  unreadable?: string;
}

export interface LockScanInputs {
  /** pyproject.toml parsed, when the project has one. */
  pyproject: TomlTable | undefined;
  /** Its name as findings show it. */
  pyprojectFile: string;
  lockfiles: readonly LockfileInput[];
}

/** The findings of every lockfile, in the order given. */
export function checkLockfiles(inputs: LockScanInputs): Finding[] {
  return inputs.lockfiles.flatMap((lock) => checkLockfile(inputs.pyproject, inputs.pyprojectFile, lock));
}

function checkLockfile(
  pyproject: TomlTable | undefined,
  pyprojectFile: string,
  lock: LockfileInput,
): Finding[] {
  if (lock.text === undefined) {
    return [
      finding(LOCK_CHECKS.LOCK01!, `${lock.file}: not read (${lock.unreadable ?? "not a regular file"})`, {
        file: lock.file,
      }),
    ];
  }
  const files = { pyproject: pyprojectFile, lock: lock.file };
  switch (lock.format) {
    case "uv.lock":
      return checkUvLock(pyproject ?? {}, lock.text, files);
    case "poetry.lock":
      return checkPoetryLock(pyproject ?? {}, lock.text, files);
    case "pylock.toml":
    case "requirements":
      return checkLockHashes(lock.format, lock.file, lock.text, readLock(lock.format, lock.file, lock.text));
    case "Pipfile.lock":
      return pipfileHashes(lock.file, lock.text);
  }
}

/** Pipfile.lock: every pinned package lists its hashes (pipenv installs with --require-hashes). */
function pipfileHashes(file: string, text: string): Finding[] {
  const read = readLock("Pipfile.lock", file, text);
  if (!read.ok) return [lockErrorFinding(read.error)];
  return read.pins
    .filter((pin) => pin.hashes.length === 0)
    .map((pin) =>
      finding(LOCK_CHECKS.LOCK06!, `${file}: ${pin.name}==${pin.version} has no hashes`, {
        file,
        line: pin.line,
      }),
    );
}

/** The LOCK checks as scan rules: title, why and fix, and where docs/scan-lock.md explains them. */
export function lockRules(helpBase?: string): ScanRule[] {
  return LOCK_CHECK_LIST.map((info) => ({
    id: info.id,
    description: info.title,
    help: `${info.why} ${info.fix}`,
    ...(helpBase === undefined ? {} : { helpUri: `${helpBase}${info.id.toLowerCase()}` }),
  }));
}

/**
 * The lock scan as a section: a finding's fingerprint is its check, file and message (which names
 * the package or requirement, not a line), so an unrelated edit above it keeps it the same.
 * Errors fail the gate; warnings (LOCK07) fail it only with `strict`.
 */
export function lockSection(findings: readonly Finding[], options: { strict?: boolean } = {}): ScanSection {
  const used = new Set(findings.map((f) => f.id));
  return {
    scanner: "lock",
    findings: [...findings],
    fingerprints: findings.map(
      (f) =>
        `${f.id}:${f.location.file}:${createHash("sha256").update(f.message, "utf8").digest("hex").slice(0, 16)}`,
    ),
    rules: lockRules().filter((rule) => used.has(rule.id)),
    failed: findings.some(
      (f) => f.severity === "error" || (options.strict === true && f.severity === "warning"),
    ),
  };
}
