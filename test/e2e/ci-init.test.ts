/**
 * `slipway ci init` / `ci diff` as a user runs them on copies of the example projects and of a
 * real sdist from the corpus: files created once and then left alone, hand edits outside the
 * slipway blocks kept, edits inside refused with nothing written, all files or none, bad input
 * refused with a clear error.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { parse } from "yaml";
import { runSlipway } from "../helpers/cli.ts";
import { loadCorpus } from "../helpers/corpus.ts";

const parent = mkdtempSync(join(tmpdir(), "slipway-ci-init-"));
after(() => rmSync(parent, { recursive: true, force: true }));
const examples = new URL("../../examples/", import.meta.url).pathname;
const env = { PATH: process.env["PATH"], HOME: parent, NO_COLOR: "1" };
let n = 0;

function copyOf(example: string): string {
  const dir = join(parent, `${example}-${n++}`);
  cpSync(join(examples, example), dir, { recursive: true });
  return dir;
}

const ci = (cwd: string, ...args: string[]) => runSlipway(cwd, ["ci", ...args], env);
const WORKFLOWS = [
  ".github/workflows/checks.yml",
  ".github/workflows/release.yml",
  ".github/workflows/security.yml",
];
const read = (dir: string, path: string) => readFileSync(join(dir, path), "utf8");
const stamp = (dir: string, paths: string[]) =>
  paths.map((p) => `${statSync(join(dir, p)).ino}:${statSync(join(dir, p)).mtimeMs}`);

test("init writes the three workflows once; a re-run on unchanged inputs writes nothing", () => {
  const dir = copyOf("hatch-lib");
  const first = ci(dir, "init", "--provider", "github");
  assert.equal(first.code, 0, first.stderr);
  for (const path of WORKFLOWS)
    assert.match(first.stdout, new RegExp(`created\\s+${path.replaceAll(".", "\\.")}`));
  assert.match(first.stdout, /note: skipped tests: no pytest configuration/);
  const before = stamp(dir, WORKFLOWS);
  const again = ci(dir, "init", "--provider", "github");
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.stdout.match(/^unchanged /gm)?.length, 3);
  assert.deepEqual(stamp(dir, WORKFLOWS), before, "no file was rewritten");
  const diff = ci(dir, "diff", "--provider", "github");
  assert.equal(diff.code, 0);
  assert.match(diff.stdout, /up to date/);
  assert.ok(!existsSync(join(dir, ".slipway/ci-init-edit.json")), "the journal is gone");
});

test("a new tool shows in diff, and init adds its job while keeping the user's own lines", () => {
  // An example without ruff (the flagship one configures it already).
  const dir = copyOf("hatch-lib");
  assert.equal(ci(dir, "init", "--provider", "github").code, 0);
  const checks = join(dir, WORKFLOWS[0]!);
  const jobsBefore = Object.keys(parse(read(dir, WORKFLOWS[0]!)).jobs);
  assert.ok(!jobsBefore.includes("lint"), "no lint job before ruff is configured");
  const mine =
    "  # the team's own job, outside slipway's blocks\n  docs:\n    runs-on: ubuntu-latest\n    permissions: {}\n    steps:\n      - run: echo docs\n";
  const text = read(dir, WORKFLOWS[0]!);
  writeFileSync(checks, text.replace("  # slipway:begin job.scan", `${mine}  # slipway:begin job.scan`));
  writeFileSync(
    join(dir, "pyproject.toml"),
    `${read(dir, "pyproject.toml")}\n[tool.ruff]\nline-length = 100\n`,
  );
  const diff = ci(dir, "diff", "--provider", "github");
  assert.equal(diff.code, 1);
  assert.match(diff.stdout, /^\+ {2}lint:$/m);
  assert.match(diff.stdout, /^\+ +- run: ruff check \.$/m);
  const init = ci(dir, "init", "--provider", "github");
  assert.equal(init.code, 0, init.stderr);
  assert.match(init.stdout, /updated\s+\.github\/workflows\/checks\.yml/);
  assert.match(init.stdout, /unchanged\s+\.github\/workflows\/release\.yml/);
  const after = read(dir, WORKFLOWS[0]!);
  assert.ok(after.includes(mine), "the hand-written job is kept byte for byte");
  assert.deepEqual(Object.keys(parse(after).jobs).sort(), [...jobsBefore, "docs", "lint"].sort());
});

test("an edit inside a block is refused with nothing written; --force takes the block back", () => {
  const dir = copyOf("setuptools-flat");
  assert.equal(ci(dir, "init", "--provider", "github").code, 0);
  const checks = join(dir, WORKFLOWS[0]!);
  const edited = read(dir, WORKFLOWS[0]!).replace("run: npx --yes", "run: echo hi && npx --yes");
  writeFileSync(checks, edited);
  // Inputs that change release.yml too: the refusal must leave it as well.
  writeFileSync(
    join(dir, "pyproject.toml"),
    `${read(dir, "pyproject.toml")}\n[tool.slipway.release]\nto = "testpypi"\n`,
  );
  const releaseBefore = read(dir, WORKFLOWS[1]!);
  const refused = ci(dir, "init", "--provider", "github");
  assert.equal(refused.code, 1);
  assert.match(
    refused.stderr,
    /nothing was written: \.github\/workflows\/checks\.yml: block job\.scan was edited by hand/,
  );
  assert.match(refused.stderr, /hint: move your edits outside/);
  assert.equal(read(dir, WORKFLOWS[0]!), edited);
  assert.equal(read(dir, WORKFLOWS[1]!), releaseBefore);
  const forced = ci(dir, "init", "--provider", "github", "--force");
  assert.equal(forced.code, 0, forced.stderr);
  assert.ok(!read(dir, WORKFLOWS[0]!).includes("echo hi"));
  assert.match(read(dir, WORKFLOWS[1]!), /url: https:\/\/test\.pypi\.org\/p\/slipway-demo-flat/);
});

test("all files or none: a directory where one file goes leaves no file written", () => {
  const dir = copyOf("hatch-lib");
  mkdirSync(join(dir, ".github/workflows/security.yml"), { recursive: true });
  const r = ci(dir, "init", "--provider", "github");
  assert.equal(r.code, 1);
  assert.match(r.stderr, /slipway ci: /);
  assert.deepEqual(readdirSync(join(dir, ".github/workflows")), ["security.yml"]);
});

test("a file slipway did not write is not overwritten without --force", () => {
  const dir = copyOf("hatch-lib");
  mkdirSync(join(dir, ".github/workflows"), { recursive: true });
  writeFileSync(join(dir, WORKFLOWS[1]!), "name: mine\non: push\njobs: {}\n");
  const r = ci(dir, "init", "--provider", "github");
  assert.equal(r.code, 1);
  assert.match(r.stderr, /release\.yml: exists and has no slipway blocks/);
  assert.ok(!existsSync(join(dir, WORKFLOWS[0]!)));
});

test("gitea and gitlab: their files, within their limits", () => {
  const dir = copyOf("prompt-manager");
  const gitea = ci(dir, "init", "--provider", "gitea", "--actions-url", "https://github.com");
  assert.equal(gitea.code, 0, gitea.stderr);
  const release = read(dir, ".gitea/workflows/release.yml");
  assert.match(release, /uses: https:\/\/github\.com\/actions\/upload-artifact@[0-9a-f]{40} # v3\./);
  assert.match(release, /no OIDC ID tokens/);
  assert.ok(!/environment:|id-token/.test(release));
  const gitlab = ci(dir, "init", "--provider", "gitlab");
  assert.equal(gitlab.code, 0, gitlab.stderr);
  const doc = parse(read(dir, ".gitlab-ci.yml"));
  assert.deepEqual(doc.publish.id_tokens, {
    PYPI_ID_TOKEN: { aud: "pypi" },
    SIGSTORE_ID_TOKEN: { aud: "sigstore" },
  });
  assert.equal(doc.publish.resource_group, "release");
  assert.equal(ci(dir, "init", "--provider", "gitlab").stdout.split("\n")[0], "unchanged .gitlab-ci.yml");
});

test("a real sdist (packaging, from the corpus): ruff, mypy, pytest with coverage, tests per Python", () => {
  const sdist = loadCorpus().find((e) => e.category === "real" && /^packaging-.*\.tar\.gz$/.test(e.name));
  assert.ok(sdist);
  const dir = join(parent, "sdist");
  mkdirSync(dir);
  execFileSync("tar", ["-xzf", sdist.file, "-C", dir, "--strip-components=1"]);
  const r = ci(dir, "init", "--provider", "github", "--json");
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { files: { path: string; status: string }[] };
  assert.deepEqual(
    report.files.map((f) => f.status),
    ["created", "created", "created"],
  );
  const jobs = parse(read(dir, WORKFLOWS[0]!)).jobs;
  assert.deepEqual(Object.keys(jobs), ["lint", "types", "test", "scan", "build", "badges"]);
  assert.ok(jobs.test.strategy.matrix.python.length >= 3);
});

test("bad input: a clear error, exit 2, nothing written", () => {
  const dir = copyOf("hatch-lib");
  const cases: [string[], RegExp][] = [
    [["init", "--provider", "jenkins"], /unknown provider "jenkins": github, gitea or gitlab/],
    [["init"], /--provider is required/],
    [[], /ci needs a subcommand: init or diff/],
    [["deploy", "--provider", "github"], /unknown subcommand "deploy"/],
    [["init", "--provider", "github", "--actions-url", "https://x"], /--actions-url is for --provider gitea/],
    [["init", "--provider", "gitea", "--actions-url", "not a url"], /--actions-url is an http\(s\) URL/],
    [["init", "--provider", "github", "--project", join(parent, "nowhere")], /no pyproject\.toml in/],
  ];
  for (const [args, message] of cases) {
    const r = ci(dir, ...args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
  assert.ok(!existsSync(join(dir, ".github")));
  const help = ci(dir, "--help");
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Examples:\n {2}slipway ci init --provider github/);
});
