#!/usr/bin/env node
// Makes the commit a workflow pins the slipway action by: HEAD's tree plus the built dist/
// (action.yml runs dist/action.js, which runs dist/cli.js), as a child of HEAD, tagged
// `action-v<version>`. The branch, the index and the work tree are left as they were: dist/
// stays out of main's history (it is rebuilt from source on every change), and only these
// release commits carry it. The commit's dist/ is exactly what `npm run build` makes from the
// commit's own sources; CI proves it by rebuilding at the tag and diffing (docs/github-action.md).
//
//   node scripts/action-commit.mjs            build, commit, tag action-v<package.json version>
//   node scripts/action-commit.mjs --tag NAME a tag of another name
// Prints the commit's SHA (what `uses: owner/slipway@<sha>` pins).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const at = process.argv.indexOf("--tag");
const tag = at === -1 ? `action-v${pkg.version}` : process.argv[at + 1];
if (!tag) {
  process.stderr.write("action-commit: --tag needs a name\n");
  process.exit(2);
}
const git = (args, env = process.env) =>
  execFileSync("git", args, {
    cwd: root,
    encoding: "utf8",
    env,
    stdio: ["ignore", "pipe", "inherit"],
  }).trim();

if (git(["status", "--porcelain", "--untracked-files=no"]) !== "") {
  process.stderr.write(
    "action-commit: the work tree has uncommitted changes; the bundle must come from a commit\n",
  );
  process.exit(1);
}
execFileSync(process.execPath, [join(root, "scripts", "build.mjs")], { cwd: root, stdio: "inherit" });

const head = git(["rev-parse", "HEAD"]);
// A private index: HEAD's tree plus dist/, never the user's staging area.
const temp = mkdtempSync(join(tmpdir(), "slipway-action-commit-"));
try {
  const env = { ...process.env, GIT_INDEX_FILE: join(temp, "index") };
  git(["read-tree", head], env);
  git(["add", "--force", "--", "dist"], env);
  const tree = git(["write-tree"], env);
  const message = `action bundle: dist/ built from ${head.slice(0, 12)}\n\nnpm run build at ${head} makes this dist/ byte for byte.`;
  const commit = execFileSync("git", ["commit-tree", tree, "-p", head, "-F", "-"], {
    cwd: root,
    encoding: "utf8",
    input: message,
  }).trim();
  const existing = (() => {
    try {
      return git(["rev-parse", "--verify", "--quiet", `refs/tags/${tag}^{commit}`]);
    } catch {
      return "";
    }
  })();
  if (existing !== "" && git(["rev-parse", `${existing}^{tree}`]) !== tree) {
    process.stderr.write(`action-commit: tag ${tag} exists with another tree; choose another --tag\n`);
    process.exit(1);
  }
  if (existing === "") git(["tag", tag, commit]);
  process.stdout.write(`${existing || commit}\n`);
} finally {
  rmSync(temp, { recursive: true, force: true });
}
