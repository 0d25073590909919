import assert from "node:assert/strict";
import { test } from "node:test";
import type { ChangelogPlan } from "../../src/core/changelog/plan.ts";
import { parseReleaseConfig, splitCommandLine } from "../../src/core/release/config.ts";
import { assembleReleasePlan, readStoredPlan, releaseSubject } from "../../src/core/release/plan.ts";
import type { VersionPlan } from "../../src/core/version/plan.ts";
import { SlipwayError } from "../../src/errors.ts";

const release = (table: string | Record<string, unknown>) =>
  parseReleaseConfig({ tool: { slipway: { release: table } } });

const configError = (pattern: RegExp) => (e: unknown) =>
  e instanceof SlipwayError && e.code === "config" && pattern.test(e.message);

test("[tool.slipway.release] defaults", () => {
  assert.deepEqual(parseReleaseConfig({}), {
    branch: undefined,
    remote: "origin",
    to: "pypi",
    stage: "local",
    stageUpstream: "https://pypi.org/simple/",
    env: [],
    gates: [],
    commitMessage: "chore(release): {version}",
    push: true,
    verify: {},
    scan: ["secrets", "deps"],
  });
});

test("[tool.slipway.release] scan: a subset, none, or a config error naming the unknown scan", () => {
  assert.deepEqual(release({ scan: ["deps", "deps"] }).scan, ["deps"]);
  assert.deepEqual(release({ scan: [] }).scan, []);
  assert.throws(
    () => release({ scan: ["secrets", "licenses"] }),
    configError(/scan: "licenses" is not a scan/),
  );
  assert.throws(() => release({ scan: true }), configError(/scan: expected an array of strings/));
});

test("[tool.slipway.release] settings are read and validated, each mistake naming its key", () => {
  const config = release({
    branch: "trunk",
    to: "testpypi",
    "stage-upstream": "none",
    env: ["GEMINI_API_KEY"],
    gates: ["pytest -q 'tests/a b'", ["ruff", "check", "."]],
    push: false,
    verify: { extras: ["cli"], "max-import-ms": 500 },
  });
  assert.equal(config.branch, "trunk");
  assert.equal(config.stageUpstream, undefined);
  assert.deepEqual(config.gates, [
    ["pytest", "-q", "tests/a b"],
    ["ruff", "check", "."],
  ]);
  assert.deepEqual(config.verify, { extras: ["cli"], maxImportMs: 500 });
  assert.equal(config.push, false);
  assert.throws(() => release({ brnach: "main" }), configError(/brnach: is not a setting/));
  assert.throws(
    () => release({ env: ["GEMINI-KEY"] }),
    configError(/"GEMINI-KEY" is not an environment variable name/),
  );
  assert.throws(
    () => release({ gates: ["pytest 'unclosed"] }),
    configError(/gates\[0\]: has an unclosed quote/),
  );
  assert.throws(() => release({ gates: [[]] }), configError(/gates\[0\]: expected a command line/));
  assert.throws(() => release({ "commit-message": "release" }), configError(/lacks \{version\}/));
  assert.throws(() => release({ push: "yes" }), configError(/push: expected true or false/));
  assert.throws(() => release({ verify: { extra: [] } }), configError(/verify\.extra: is not a setting/));
  assert.throws(
    () => release({ verify: { "max-import-ms": 0 } }),
    configError(/max-import-ms: expected a positive integer/),
  );
  assert.throws(() => release({ "stage-upstream": "pypi.org" }), configError(/not an http\(s\) URL/));
  assert.throws(() => release("main"), configError(/expected a table/));
});

test("command lines split like a user expects, without a shell", () => {
  assert.deepEqual(splitCommandLine(`pytest -q -k "not slow" 'a b'`), [
    "pytest",
    "-q",
    "-k",
    "not slow",
    "a b",
  ]);
  assert.deepEqual(splitCommandLine(`echo "say \\"hi\\"" a\\ b ''`), ["echo", 'say "hi"', "a b", ""]);
  assert.deepEqual(splitCommandLine("make && make test"), ["make", "&&", "make", "test"]);
  assert.deepEqual(splitCommandLine("   "), []);
  assert.equal(splitCommandLine(`say "hi`), undefined);
});

const versionPlan: VersionPlan = {
  root: "/p",
  mode: "static",
  from: "1.2.3",
  to: "1.2.4",
  change: "bump patch",
  edits: [
    {
      path: "pyproject.toml",
      before: 'version = "1.2.3"\n',
      after: 'version = "1.2.4"\n',
      diff: "d",
      places: [],
    },
  ],
  notes: [],
};

const changelogPlan = {
  path: "CHANGELOG.md",
  from: "1.2.3",
  version: "1.2.4",
  status: "inserted",
  entryText: "## [1.2.4]\n",
  releaseNotes: "### Fixed\n\n- a bug\n",
  edit: { before: "# Changelog\n", after: "# Changelog\n\n## [1.2.4]\n", diff: "c" },
  deletions: [{ path: "changes/1.fixed.md", text: "a bug\n" }],
} as unknown as ChangelogPlan;

const input = {
  name: "demo-pkg",
  version: versionPlan,
  changelog: changelogPlan,
  config: parseReleaseConfig({}),
  stage: { kind: "local" as const, upstream: null },
  target: {
    name: "pypi",
    uploadUrl: "https://upload.pypi.org/legacy/",
    simpleUrl: "https://pypi.org/simple/",
  },
  branch: "main",
  push: true,
  tagName: "v1.2.4",
};

test("the plan holds every edit (version, changelog, used fragments), the commit of exactly those, and the tag", () => {
  const plan = assembleReleasePlan(input);
  assert.deepEqual(
    plan.edits.map((e) => [e.path, e.purpose, e.after === null]),
    [
      ["pyproject.toml", "version", false],
      ["CHANGELOG.md", "changelog", false],
      ["changes/1.fixed.md", "fragment", true],
    ],
  );
  assert.deepEqual(plan.commit, {
    message: "chore(release): 1.2.4",
    paths: ["pyproject.toml", "CHANGELOG.md", "changes/1.fixed.md"],
  });
  assert.deepEqual(plan.tag, { name: "v1.2.4", message: "demo-pkg 1.2.4\n\n### Fixed\n\n- a bug\n" });
  assert.equal(releaseSubject(plan), "demo-pkg 1.2.4 → pypi");
  // It survives the journal's JSON round trip, and a foreign document is refused.
  assert.deepEqual(readStoredPlan(JSON.parse(JSON.stringify(plan)), "j"), plan);
  assert.throws(
    () => readStoredPlan({ schema: 2 }, "/p/.slipway/release.json"),
    (e: unknown) =>
      e instanceof SlipwayError &&
      /^\/p\/\.slipway\/release\.json \(plan\) is not a file slipway wrote: schema: expected 1, found 2$/.test(
        e.message,
      ),
  );
});

test("a stored plan is hostile input: every path, name and git argument is checked, unknown fields refused", () => {
  const plan = JSON.parse(JSON.stringify(assembleReleasePlan(input)));
  const refused: [string, (p: typeof plan) => void, RegExp][] = [
    [
      "absolute edit",
      (p) => (p.edits[0].path = "/etc/profile"),
      /edits\[0\]\.path: expected a relative path inside the project/,
    ],
    [
      "climbing edit",
      (p) => (p.edits[1].path = "docs/../../x"),
      /edits\[1\]\.path: expected a relative path/,
    ],
    ["commit path", (p) => (p.commit.paths = [".."]), /commit\.paths\[0\]: expected a relative path/],
    ["changelog path", (p) => (p.changelog.path = "C:\\x"), /changelog\.path: expected a relative path/],
    ["version as a path", (p) => (p.version = "../../../home"), /version: expected a PEP 440 version/],
    [
      "remote as an option",
      (p) => (p.git.remote = "--upload-pack=touch pwned"),
      /git\.remote: expected a git remote's name/,
    ],
    ["tag as an option", (p) => (p.tag.name = "-d"), /tag\.name: expected a git branch or tag name/],
    ["branch with ..", (p) => (p.git.branch = "main..x"), /git\.branch: expected a git branch or tag name/],
    [
      "file URL target",
      (p) => (p.target.uploadUrl = "file:///etc/passwd"),
      /target\.uploadUrl: expected an http\(s\) URL/,
    ],
    ["unknown field", (p) => (p.hooks = ["sh"]), /hooks: unknown field/],
    ["mistyped field", (p) => (p.git.push = "yes"), /git\.push: expected true or false, found "yes"/],
  ];
  for (const [what, change, message] of refused) {
    const copy = JSON.parse(JSON.stringify(plan));
    change(copy);
    assert.throws(
      () => readStoredPlan(copy, "release.json"),
      (e: unknown) => e instanceof SlipwayError && e.code === "io" && message.test(e.message),
      what,
    );
  }
});

test("a version from tags plans no commit when nothing else changes; one file edited twice is refused", () => {
  const vcs = assembleReleasePlan({
    ...input,
    version: { ...versionPlan, mode: "vcs", edits: [], tag: { name: "v1.2.4", message: "m" } },
    changelog: undefined,
  });
  assert.equal(vcs.mode, "vcs");
  assert.equal(vcs.commit, null);
  assert.equal(vcs.tag.message, "demo-pkg 1.2.4\n");
  assert.throws(
    () =>
      assembleReleasePlan({
        ...input,
        version: { ...versionPlan, edits: [{ ...versionPlan.edits[0]!, path: "CHANGELOG.md" }] },
      }),
    (e: unknown) => e instanceof SlipwayError && /would edit CHANGELOG\.md twice/.test(e.message),
  );
});
