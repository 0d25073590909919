/**
 * `slipway badges` as a user runs it: a real project directory, the README written byte for
 * byte, `--check` exit codes, bad input refused with nothing changed, `--commit` in a real git
 * repository with CI=true (and refused for a pull request from a fork), local SVGs.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { runSlipway } from "../helpers/cli.ts";
import { sampleStatus } from "../helpers/status-sample.ts";

/** A SecurityStatus of this grade with `high` open high findings counted. */
function statusWith(grade: "A" | "B" | "C", high: number) {
  const doc = sampleStatus(0, { grade });
  doc.counts.total.high = high;
  return doc;
}

import { git, makeRepo } from "../helpers/git-repo.ts";

const parent = mkdtempSync(join(tmpdir(), "slipway-badges-"));
after(() => rmSync(parent, { recursive: true, force: true }));

const PYPROJECT = `[project]
name = "demo_pkg"
version = "1.0"
requires-python = ">=3.10"
license = "MIT"
[tool.ruff]
line-length = 100
`;

const BLOCK = [
  "<!-- slipway:badges:start -->",
  "![quality gate: passing](https://img.shields.io/badge/quality_gate-passing-brightgreen)",
  "![security: unknown](https://img.shields.io/badge/security-unknown-lightgrey)",
  "![python: >=3.10](https://img.shields.io/badge/python-%3E%3D3.10-blue)",
  "![license: MIT](https://img.shields.io/badge/license-MIT-blue)",
  "[![PyPI version](https://img.shields.io/pypi/v/demo-pkg)](https://pypi.org/project/demo-pkg/)",
  "[![PyPI downloads per month](https://img.shields.io/pypi/dm/demo-pkg)](https://pypi.org/project/demo-pkg/)",
  "[![code style: ruff](https://img.shields.io/badge/code_style-ruff-261230)](https://github.com/astral-sh/ruff)",
  "<!-- slipway:badges:end -->",
];

const env = () => ({ PATH: process.env["PATH"], HOME: parent }) as NodeJS.ProcessEnv;

function project(readme: string | Buffer, name = "README.md"): string {
  const dir = mkdtempSync(join(parent, "p-"));
  writeFileSync(join(dir, "pyproject.toml"), PYPROJECT);
  writeFileSync(join(dir, name), readme);
  return dir;
}

test("--write replaces the block byte for byte, keeps the mode; --check turns green", () => {
  const dir = project("\uFEFF# Demo\r\n\r\nIntro.");
  chmodSync(join(dir, "README.md"), 0o640);
  const stale = runSlipway(dir, ["badges", "--check", "README.md", "--gates-status", "passing"], env());
  assert.equal(stale.code, 1, stale.stderr);
  assert.match(stale.stdout, /^--- a\/README\.md/m);
  assert.match(stale.stdout, /\+<!-- slipway:badges:start -->/);
  assert.match(stale.stdout, /out of date/);
  const r = runSlipway(dir, ["badges", "--write", "README.md", "--gates-status", "passing"], env());
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /inserted the badge block into README\.md/);
  assert.equal(
    readFileSync(join(dir, "README.md"), "utf8"),
    `\uFEFF# Demo\r\n\r\n${BLOCK.join("\r\n")}\r\n\r\nIntro.`,
  );
  assert.equal(statSync(join(dir, "README.md")).mode & 0o777, 0o640);
  const ok = runSlipway(dir, ["badges", "--check", "README.md", "--gates-status", "passing"], env());
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /up to date/);
  // A changed source makes it stale again: the gates failed.
  assert.equal(
    runSlipway(dir, ["badges", "--check", "README.md", "--gates-status", "failing"], env()).code,
    1,
  );
  assert.deepEqual(readdirSync(dir).sort(), ["README.md", "pyproject.toml"]);
});

test("bad input: a broken marker, twice a marker, not UTF-8 — exit 2, file:line, nothing changed", () => {
  const cases: [string | Buffer, RegExp][] = [
    [
      "# T\n\n<!-- slipway:badges:start -->\n",
      /README\.md:3: a <!-- slipway:badges:start --> marker without/,
    ],
    [
      "<!-- slipway:badges:start -->\n<!-- slipway:badges:end -->\n<!-- slipway:badges:end -->\n",
      /README\.md:3: a second <!-- slipway:badges:end -->/,
    ],
    [Buffer.from([0x23, 0x20, 0x54, 0x0a, 0xc3, 0x28, 0x0a]), /README\.md:2: not UTF-8 text/],
  ];
  for (const [readme, message] of cases) {
    const dir = project(readme);
    const before = readFileSync(join(dir, "README.md"));
    for (const mode of ["--write", "--check"]) {
      const r = runSlipway(dir, ["badges", mode, "README.md"], env());
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
    }
    assert.deepEqual(readFileSync(join(dir, "README.md")), before);
    assert.deepEqual(readdirSync(dir).sort(), ["README.md", "pyproject.toml"]);
  }
  // A FIFO where the README should be: refused at once, never waited on.
  const fifoDir = project("# T\n");
  rmSync(join(fifoDir, "README.md"));
  execFileSync("mkfifo", [join(fifoDir, "README.md")]);
  const fifo = runSlipway(fifoDir, ["badges", "--write", "README.md"], env());
  assert.equal(fifo.code, 2, fifo.stderr);
  assert.match(fifo.stderr, /cannot read README\.md: .* is not a regular file/);
  const linkDir = project("# T\n");
  symlinkSync("README.md", join(linkDir, "README.link.md"));
  const link = runSlipway(linkDir, ["badges", "--write", "README.link.md"], env());
  assert.equal(link.code, 2, link.stderr);
  assert.match(link.stderr, /README\.link\.md is a symlink/);
  assert.equal(readFileSync(join(linkDir, "README.md"), "utf8"), "# T\n");
  const recordDir = project("# T\n");
  mkdirSync(join(recordDir, ".slipway/gates.json"), { recursive: true });
  const record = runSlipway(recordDir, ["badges", "--write", "README.md"], env());
  assert.equal(record.code, 2, record.stderr);
  assert.match(record.stderr, /cannot read \.slipway\/gates\.json/);
  assert.equal(readFileSync(join(recordDir, "README.md"), "utf8"), "# T\n");
  const dir = project("# T\n");
  const status = join(dir, "status.json");
  writeFileSync(status, JSON.stringify({ ...statusWith("A", 0), schema: 2 }));
  const r = runSlipway(dir, ["badges", "--write", "README.md", "--status", "status.json"], env());
  assert.equal(r.code, 2);
  assert.match(
    r.stderr,
    /slipway badges: status\.json: .*schema 2; this slipway reads SecurityStatus schema 1/,
  );
  assert.equal(readFileSync(join(dir, "README.md"), "utf8"), "# T\n");
});

test("reStructuredText README, the SecurityStatus badge and local SVGs", () => {
  const dir = project("Demo\n====\n\nText.\n", "README.rst");
  writeFileSync(join(dir, "index.json"), JSON.stringify(statusWith("C", 1)));
  const r = runSlipway(
    dir,
    ["badges", "--write", "README.rst", "--status", "index.json", "--svg", "docs/badges"],
    env(),
  );
  assert.equal(r.code, 0, r.stderr);
  const text = readFileSync(join(dir, "README.rst"), "utf8");
  assert.ok(
    text.startsWith("Demo\n====\n\n.. slipway:badges:start\n\n|quality-gate| |security| |python|"),
    text,
  );
  assert.match(
    text,
    /\.\. \|security\| image:: docs\/badges\/security\.svg\n {3}:alt: security: grade C, 1 high\n/,
  );
  assert.match(text, /\.\. \|pypi-version\| image:: https:\/\/img\.shields\.io\/pypi\/v\/demo-pkg\n/);
  assert.ok(text.endsWith(".. slipway:badges:end\n\nText.\n"));
  const svgs = readdirSync(join(dir, "docs/badges")).sort();
  assert.deepEqual(svgs, ["code-style.svg", "license.svg", "python.svg", "quality-gate.svg", "security.svg"]);
  const security = readFileSync(join(dir, "docs/badges/security.svg"), "utf8");
  assert.match(security, /^<svg /);
  assert.match(security, /security: grade C, 1 high/);
});

test("--commit in CI: commits only a change, with [skip ci]; never outside CI or for a fork's pull request", () => {
  const repo = makeRepo(parent, { "pyproject.toml": PYPROJECT, "README.md": "# Demo\n", "other.txt": "x\n" });
  writeFileSync(join(repo, "other.txt"), "dirty\n");
  const ci = { ...env(), CI: "true" };
  const head = () => git(repo, "rev-parse", "HEAD").trim();
  const start = head();

  const local = runSlipway(repo, ["badges", "--write", "README.md", "--commit"], env());
  assert.equal(local.code, 0, local.stderr);
  assert.match(local.stdout, /not committed: --commit runs in CI only/);
  assert.equal(head(), start);
  git(repo, "checkout", "--", "README.md");

  const eventPath = join(parent, "event-fork.json");
  writeFileSync(
    eventPath,
    JSON.stringify({
      pull_request: {
        head: { repo: { full_name: "someone/fork" } },
        base: { repo: { full_name: "owner/demo" } },
      },
    }),
  );
  const fork = runSlipway(repo, ["badges", "--write", "README.md", "--commit"], {
    ...ci,
    GITHUB_EVENT_NAME: "pull_request",
    GITHUB_EVENT_PATH: eventPath,
  });
  assert.equal(fork.code, 0, fork.stderr);
  assert.match(fork.stdout, /not committed: a pull request from a fork/);
  assert.equal(head(), start);
  // An unreadable event payload on a pull request counts as a fork.
  const missing = runSlipway(repo, ["badges", "--write", "README.md", "--commit"], {
    ...ci,
    GITHUB_EVENT_NAME: "pull_request",
    GITHUB_EVENT_PATH: join(parent, "absent.json"),
  });
  assert.match(missing.stdout, /not committed: a pull request from a fork/);
  const gitlab = runSlipway(repo, ["badges", "--write", "README.md", "--commit"], {
    ...ci,
    CI_MERGE_REQUEST_SOURCE_PROJECT_ID: "7",
    CI_MERGE_REQUEST_PROJECT_ID: "3",
  });
  assert.match(gitlab.stdout, /not committed: a pull request from a fork/);
  git(repo, "checkout", "--", "README.md");

  const same = join(parent, "event-same.json");
  writeFileSync(
    same,
    JSON.stringify({
      pull_request: {
        head: { repo: { full_name: "owner/demo" } },
        base: { repo: { full_name: "owner/demo" } },
      },
    }),
  );
  const r = runSlipway(repo, ["badges", "--write", "README.md", "--commit"], {
    ...ci,
    GITHUB_EVENT_NAME: "pull_request",
    GITHUB_EVENT_PATH: same,
  });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /committed [0-9a-f]{12}/);
  assert.notEqual(head(), start);
  assert.equal(git(repo, "log", "-1", "--format=%s").trim(), "docs: update the README badges [skip ci]");
  assert.equal(git(repo, "show", "--name-only", "--format=", "HEAD").trim(), "README.md");
  // The unrelated change stayed out of the commit.
  assert.match(git(repo, "status", "--porcelain"), /^ M other\.txt$/m);

  const again = runSlipway(repo, ["badges", "--write", "README.md", "--commit"], ci);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /not committed: the README did not change/);
  assert.equal(git(repo, "rev-list", "--count", "HEAD").trim(), "2");
});

test("--help has examples; usage mistakes exit 2", () => {
  const help = runSlipway(parent, ["badges", "--help"], env());
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Examples:\n {2}slipway badges/);
  assert.equal(runSlipway(parent, ["badges", "--gates-status", "green"], env()).code, 2);
  assert.equal(runSlipway(parent, ["badges", "--commit"], env()).code, 2);
  assert.equal(runSlipway(parent, ["badges", "--write", "a", "--check", "b"], env()).code, 2);
});

test("--save-gates records the result that later runs read; --commit takes the local SVGs along", () => {
  const repo = makeRepo(parent, { "pyproject.toml": PYPROJECT, "README.md": "# Demo\n" });
  const saved = runSlipway(repo, ["badges", "--gates-status", "failing", "--save-gates"], env());
  assert.equal(saved.code, 0, saved.stderr);
  assert.equal(readFileSync(join(repo, ".slipway/gates.json"), "utf8"), '{"schema":1,"result":"failing"}\n');
  const later = runSlipway(repo, ["badges"], env());
  assert.match(
    later.stdout,
    /!\[quality gate: failing\]\(https:\/\/img\.shields\.io\/badge\/quality_gate-failing-red\)/,
  );
  // A broken README: nothing written, the record included.
  writeFileSync(join(repo, "README.md"), "# Demo\n<!-- slipway:badges:end -->\n");
  const refused = runSlipway(
    repo,
    ["badges", "--write", "README.md", "--gates-status", "passing", "--save-gates"],
    env(),
  );
  assert.equal(refused.code, 2);
  assert.match(readFileSync(join(repo, ".slipway/gates.json"), "utf8"), /failing/);
  git(repo, "checkout", "--", "README.md");
  rmSync(join(repo, ".slipway"), { recursive: true });
  const r = runSlipway(repo, ["badges", "--write", "README.md", "--svg", "badges", "--commit"], {
    ...env(),
    CI: "true",
  });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    git(repo, "show", "--name-only", "--format=", "HEAD").trim().split("\n").sort().join(" "),
    "README.md badges/code-style.svg badges/license.svg badges/python.svg badges/quality-gate.svg badges/security.svg",
  );
  assert.equal(git(repo, "status", "--porcelain").trim(), "");
});
