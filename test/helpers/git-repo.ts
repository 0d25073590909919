/**
 * Real git repositories in temp dirs for the version and changelog tests: files written, an
 * identity set (user.name/email), commits with fixed dates so hashes and logs are stable.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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

export interface Release {
  tag: string;
  /** ISO date of the release. */
  date: string;
}

/** A real tag list from test/fixtures/tags/NAME.txt (`<tag> <date>` per line, oldest first). */
export function readTagFixture(name: string): Release[] {
  const path = new URL(`../fixtures/tags/${name}.txt`, import.meta.url);
  return readFileSync(path, "utf8")
    .trim()
    .split("\n")
    .map((line) => {
      const [tag = "", date = ""] = line.split(" ");
      return { tag, date };
    });
}

/**
 * A repository with `files` in its first commit, then one commit per release (a line added to
 * commits.log, dated as the release; not named like a changelog, which slipway would take for
 * the project's own) carrying an annotated tag, all in one `git fast-import`
 * (hundreds of tags in one process). `after` commits follow the last release, undated tags.
 */
export function makeTaggedRepo(
  parent: string,
  files: Readonly<Record<string, string>>,
  releases: readonly Release[],
  after: readonly string[] = [],
): string {
  const dir = mkdtempSync(join(parent, "repo-"));
  git(dir, "init", "-q", "-b", "main");
  git(dir, "config", "user.name", IDENTITY.GIT_AUTHOR_NAME);
  git(dir, "config", "user.email", IDENTITY.GIT_AUTHOR_EMAIL);
  const who = `${IDENTITY.GIT_AUTHOR_NAME} <${IDENTITY.GIT_AUTHOR_EMAIL}>`;
  const data = (text: string) => `data ${Buffer.byteLength(text)}\n${text}\n`;
  const first = Math.floor(Date.parse(releases[0]?.date ?? "2020-01-01T00:00:00Z") / 1000) - 86_400;
  let stream = `commit refs/heads/main\nmark :1\ncommitter ${who} ${first} +0000\n${data("chore: initial")}`;
  for (const [path, text] of Object.entries(files)) stream += `M 100644 inline ${path}\n${data(text)}`;
  let changes = "";
  let mark = 1;
  const step = (message: string, when: number, tag?: string) => {
    mark++;
    changes += `${message}\n`;
    stream += `commit refs/heads/main\nmark :${mark}\ncommitter ${who} ${when} +0000\n${data(message)}`;
    stream += `from :${mark - 1}\nM 100644 inline commits.log\n${data(changes)}`;
    if (tag !== undefined) stream += `tag ${tag}\nfrom :${mark}\ntagger ${who} ${when} +0000\n${data(tag)}`;
  };
  for (const release of releases)
    step(`Release ${release.tag}`, Math.floor(Date.parse(release.date) / 1000), release.tag);
  let last = Math.floor(Date.parse(releases.at(-1)?.date ?? "2020-01-01T00:00:00Z") / 1000);
  for (const message of after) step(message, ++last);
  execFileSync("git", ["fast-import", "--quiet"], {
    cwd: dir,
    input: stream,
    stdio: ["pipe", "pipe", "pipe"],
  });
  git(dir, "reset", "-q", "--hard", "main");
  return dir;
}
