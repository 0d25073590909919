/**
 * The tag format from the repository, on real git repositories carrying the real release tags of
 * click, attrs, httpx, rich and pluggy (test/fixtures/tags) with their kind of pyproject.toml, and
 * a monorepo whose members tag `pkg-a-v1.0.0` and `pkg-b-v2.1.0`: the current version, the last
 * release, the tag a bump or a release makes, and what is said about the format.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { planChangelog } from "../../src/ops/changelog.ts";
import { type ReleasePlan, release } from "../../src/ops/release.ts";
import { assembleVersionPlan, readVersionPlaces } from "../../src/ops/version.ts";
import { Secret } from "../../src/secret.ts";
import { runSlipway } from "../helpers/cli.ts";
import { commit, git, makeTaggedRepo, readTagFixture, scratch } from "../helpers/git-repo.ts";

const work = scratch("slipway-version-tags-");
after(work.remove);

// The build configuration each project had at that release (trimmed to what decides the version).
const PROJECTS = {
  click: {
    "pyproject.toml":
      '[project]\nname = "click"\nversion = "8.1.7"\ndescription = "Composable command line interface toolkit"\nrequires-python = ">=3.7"\ndependencies = ["colorama; platform_system == \'Windows\'"]\n\n[build-system]\nrequires = ["flit_core<4"]\nbuild-backend = "flit_core.buildapi"\n',
    "src/click/__init__.py": '"""Click is a simple Python module."""\nfrom .core import Command as Command\n',
  },
  attrs: {
    "pyproject.toml":
      '[build-system]\nrequires = ["hatchling", "hatch-vcs", "hatch-fancy-pypi-readme>=23.2.0"]\nbuild-backend = "hatchling.build"\n\n[project]\nname = "attrs"\nauthors = [{ name = "Hynek Schlawack", email = "hs@ox.cx" }]\nrequires-python = ">=3.7"\ndescription = "Classes Without Boilerplate"\ndynamic = ["version", "readme"]\n\n[tool.hatch.version]\nsource = "vcs"\nraw-options = { local_scheme = "no-local-version" }\n',
    "src/attrs/__init__.py": "from attr import define\n",
  },
  httpx: {
    "pyproject.toml":
      '[build-system]\nrequires = ["hatchling", "hatch-fancy-pypi-readme"]\nbuild-backend = "hatchling.build"\n\n[project]\nname = "httpx"\ndescription = "The next generation HTTP client."\nrequires-python = ">=3.8"\ndynamic = ["readme", "version"]\n\n[tool.hatch.version]\npath = "httpx/__version__.py"\n',
    "httpx/__version__.py":
      '__title__ = "httpx"\n__description__ = "A next generation HTTP client, for Python 3."\n__version__ = "0.27.0"\n',
  },
  rich: {
    "pyproject.toml":
      '[tool.poetry]\nname = "rich"\nhomepage = "https://github.com/Textualize/rich"\nversion = "13.7.1"\ndescription = "Render rich text, tables, progress bars, syntax highlighting, markdown and more to the terminal"\n\n[tool.poetry.dependencies]\npython = ">=3.7.0"\n\n[build-system]\nrequires = ["poetry-core>=1.0.0"]\nbuild-backend = "poetry.core.masonry.api"\n',
    "rich/__init__.py": '"""Rich text and beautiful formatting in the terminal."""\n',
  },
  pluggy: {
    "pyproject.toml":
      '[build-system]\nrequires = [\n  "setuptools>=45.0",\n  "setuptools-scm[toml]>=6.2.3",\n]\nbuild-backend = "setuptools.build_meta"\n\n[project]\nname = "pluggy"\nlicense = {text = "MIT"}\nrequires-python = ">=3.8"\ndynamic = ["version"]\n\n[tool.setuptools_scm]\nwrite_to = "src/pluggy/_version.py"\n',
    "src/pluggy/__init__.py":
      'try:\n    from ._version import version as __version__\nexcept ImportError:\n    __version__ = "unknown"\n',
  },
} as const;

// What a maintainer commits between releases: no conventional commits (none of these projects uses them).
const SINCE = ["Fix a typo in the docs (#1240)", "Support Python 3.13 (#1245)"];

function repo(name: keyof typeof PROJECTS): string {
  return makeTaggedRepo(work.dir, PROJECTS[name], readTagFixture(name), SINCE);
}

const slipway = (cwd: string, ...args: string[]) =>
  runSlipway(cwd, args, { PATH: process.env["PATH"] ?? "", HOME: work.dir, NO_COLOR: "1" });

/** The release plan as `slipway release --bump KIND` makes it, stopped at the confirmation. */
async function plannedRelease(dir: string, bump: "patch" | "minor"): Promise<ReleasePlan> {
  let plan: ReleasePlan | undefined;
  const report = await release({
    cwd: dir,
    env: { PATH: process.env["PATH"], HOME: work.dir },
    bump,
    to: "http://127.0.0.1:9/legacy/",
    checkUrl: "http://127.0.0.1:9/simple/",
    password: new Secret("unused-token"),
    toolVersion: "test",
    confirm: async (p) => {
      plan = p;
      return false;
    },
  });
  assert.equal(report.result, undefined, "declined: nothing ran");
  return plan!;
}

describe("real tag lists", () => {
  for (const [name, mode, current, last, next] of [
    ["click", "static", "8.1.7", "8.1.7", "8.1.8"],
    ["attrs", "vcs", "23.2.0", "23.2.0", "23.2.1"],
    ["httpx", "static", "0.27.0", "0.27.0", "0.27.1"],
    ["rich", "static", "13.7.1", "v13.7.1", "v13.7.2"],
    ["pluggy", "vcs", "1.5.0", "1.5.0", "1.5.1"],
  ] as const) {
    test(`${name}: version ${current} from the last tag ${last}; the next tag is ${next}`, async () => {
      const dir = repo(name);
      const state = await readVersionPlaces(dir);
      assert.deepEqual(state.errors, []);
      assert.equal(state.mode.kind, mode);
      assert.equal(state.current, current);
      assert.equal(state.lastTag?.name, last);
      assert.equal(state.tagFormatDecision.source, "inferred");
      assert.equal(state.tagFormat, last.startsWith("v") ? "v{version}" : "{version}");
      const plan = assembleVersionPlan(state, { bump: "patch" });
      if (mode === "vcs") assert.equal(plan.tag?.name, next);
      else assert.ok(plan.edits.length > 0 && plan.tag === undefined);
      const released = await plannedRelease(dir, "patch");
      assert.deepEqual([released.from, released.tag.name], [current, next]);
      assert.ok(
        released.notes.some((n) => n.startsWith(`tag format ${state.tagFormat} (inferred from`)),
        released.notes.join("\n"),
      );
    });
  }

  test("version show and --json say which format was inferred, from how many tags", () => {
    const dir = repo("attrs");
    const shown = slipway(dir, "version");
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /^version 23\.2\.0 \(from git tags: hatch-vcs/);
    assert.match(
      shown.stdout,
      /tag format \{version\} \(inferred from 28 tags like 23\.2\.0; set \[tool\.slipway\] tag-format to choose\)/,
    );
    assert.doesNotMatch(shown.stdout, /no release tag yet|no version/);
    const json = JSON.parse(slipway(dir, "version", "--json").stdout);
    assert.equal(json.current, "23.2.0");
    assert.equal(json.tagFormat, "{version}");
    assert.equal(json.tagFormatSource, "inferred");
    assert.deepEqual(json.tagFormatEvidence, { tags: 28, example: "23.2.0", others: [] });
  });

  test("a configured tag-format that reads none of the tags is kept, and said to be wrong", async () => {
    const dir = makeTaggedRepo(
      work.dir,
      {
        ...PROJECTS.pluggy,
        "pyproject.toml": `${PROJECTS.pluggy["pyproject.toml"]}\n[tool.slipway]\ntag-format = "v{version}"\n`,
      },
      readTagFixture("pluggy"),
    );
    const state = await readVersionPlaces(dir);
    assert.equal(state.tagFormatDecision.source, "configured");
    assert.equal(state.current, undefined);
    assert.ok(
      state.notes.includes(
        '[tool.slipway] tag-format "v{version}" matches no tag, but 23 tags look like {version} (e.g. 1.5.0): fix tag-format, or remove it to have it inferred',
      ),
      state.notes.join("\n"),
    );
  });
});

describe("a monorepo", () => {
  const member = (name: string, version: string | undefined) =>
    version === undefined
      ? `[build-system]\nrequires = ["hatchling", "hatch-vcs"]\nbuild-backend = "hatchling.build"\n\n[project]\nname = "${name}"\ndynamic = ["version"]\n\n[tool.hatch.version]\nsource = "vcs"\nraw-options = { root = "../..", tag_regex = "^${name}-v(?P<version>.*)$", git_describe_command = "git describe --tags --match '${name}-v*'" }\n`
      : `[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n\n[project]\nname = "${name}"\nversion = "${version}"\n`;

  function monorepo(): string {
    const dir = makeTaggedRepo(
      work.dir,
      {
        "pyproject.toml": '[tool.uv.workspace]\nmembers = ["packages/*"]\n',
        "packages/pkg-a/pyproject.toml": member("pkg-a", undefined),
        "packages/pkg-b/pyproject.toml": member("pkg-b", "2.1.0"),
      },
      [
        { tag: "pkg-a-v0.9.0", date: "2025-01-10T10:00:00Z" },
        { tag: "pkg-b-v2.0.0", date: "2025-02-10T10:00:00Z" },
        { tag: "pkg-a-v1.0.0", date: "2025-03-10T10:00:00Z" },
        { tag: "pkg-b-v2.1.0", date: "2025-04-10T10:00:00Z" },
      ],
    );
    commit(dir, "fix(pkg-a): handle empty input", { "packages/pkg-a/src/pkg_a/core.py": "x = 1\n" });
    commit(dir, "feat(pkg-b): add a cache", { "packages/pkg-b/src/pkg_b/cache.py": "y = 2\n" });
    return dir;
  }

  test("each member reads its own prefixed tags, and bumps to its own next tag", async () => {
    const dir = monorepo();
    const a = await readVersionPlaces(join(dir, "packages/pkg-a"));
    assert.deepEqual(
      [a.mode.kind, a.current, a.lastTag?.name, a.tagFormat],
      ["vcs", "1.0.0", "pkg-a-v1.0.0", "pkg-a-v{version}"],
    );
    assert.equal(assembleVersionPlan(a, { bump: "minor" }).tag?.name, "pkg-a-v1.1.0");
    const b = await readVersionPlaces(join(dir, "packages/pkg-b"));
    assert.deepEqual([b.current, b.lastTag?.name, b.errors], ["2.1.0", "pkg-b-v2.1.0", []]);
    const plan = await plannedRelease(join(dir, "packages/pkg-b"), "minor");
    assert.deepEqual([plan.from, plan.version, plan.tag.name], ["2.1.0", "2.2.0", "pkg-b-v2.2.0"]);
  });

  test("a member's changelog lists its own commits since its own last tag", async () => {
    const dir = monorepo();
    const plan = await planChangelog(join(dir, "packages/pkg-b"), { date: "2026-02-01" });
    assert.equal(plan.from, "2.1.0");
    assert.equal(plan.commitCount, 1, "pkg-a's fix is not pkg-b's change");
    assert.match(plan.entryText, /### Added\n\n- \*\*pkg-b\*\*: add a cache\n/);
    assert.doesNotMatch(plan.entryText, /empty input/);
    const a = await planChangelog(join(dir, "packages/pkg-a"), { date: "2026-02-01" });
    assert.deepEqual([a.from, a.version, a.commitCount], ["1.0.0", "1.0.1", 1]);
    assert.equal(git(dir, "describe", "--tags", "--match", "pkg-a-v*", "--abbrev=0").trim(), "pkg-a-v1.0.0");
  });
});
