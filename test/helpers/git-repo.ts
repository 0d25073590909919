/**
 * Real git repositories in temp dirs for the version and changelog tests: files written, an
 * identity set (user.name/email), commits with fixed dates so hashes and logs are stable.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

const IDENTITY = {
  GIT_AUTHOR_NAME: "Slipway Tests",
  GIT_AUTHOR_EMAIL: "tests@slipway.dev",
  GIT_COMMITTER_NAME: "Slipway Tests",
  GIT_COMMITTER_EMAIL: "tests@slipway.dev",
  GIT_AUTHOR_DATE: "2026-01-02T03:04:05Z",
  GIT_COMMITTER_DATE: "2026-01-02T03:04:05Z",
};

/** Runs git in `dir`; returns stdout. */
export function git(dir: string, ...args: string[]): string {
  return execFileSync("git", args, {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, ...IDENTITY },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Writes `files` (relative path → text) under `dir`, creating folders. */
export function writeFiles(dir: string, files: Readonly<Record<string, string>>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

/** A new repository holding `files` in one commit (`message`), with user.name/email configured. */
export function makeRepo(
  parent: string,
  files: Readonly<Record<string, string>>,
  message = "chore: initial",
): string {
  const dir = mkdtempSync(join(parent, "repo-"));
  git(dir, "init", "-q", "-b", "main");
  git(dir, "config", "user.name", IDENTITY.GIT_AUTHOR_NAME);
  git(dir, "config", "user.email", IDENTITY.GIT_AUTHOR_EMAIL);
  writeFiles(dir, files);
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "-m", message);
  return dir;
}

/** Commits whatever is staged or given (an empty commit when nothing is), with a full message. */
export function commit(dir: string, message: string, files: Readonly<Record<string, string>> = {}): string {
  writeFiles(dir, files);
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "--allow-empty", "-m", message);
  return git(dir, "rev-parse", "HEAD").trim();
}

/** A scratch parent directory removed by the returned function. */
export function scratch(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
