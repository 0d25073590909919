/**
 * Pure parts of `slipway version`: `[tool.slipway]` config, where each build backend keeps the
 * version (or that a tag makes it), tag names, drift assessment and plans (the offered choices: version-choices.test.ts).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parse } from "smol-toml";
import { assembleEntryVersion } from "../../src/core/changelog/plan.ts";
import type { TomlTable } from "../../src/core/pyproject/access.ts";

import { parseKeyPath, parseSlipwayConfig } from "../../src/core/version/config.ts";
import {
  assembleVersionPlan,
  assessVersion,
  type VersionPlace,
  type VersionState,
} from "../../src/core/version/plan.ts";
import { assembleVersionSources } from "../../src/core/version/sources.ts";
import { inferTagFormat } from "../../src/core/version/tag-format.ts";
import { parseTag, pickLastRelease } from "../../src/core/version/tags.ts";
import { SlipwayError } from "../../src/errors.ts";

const toml = (text: string) => parse(text) as TomlTable;
const sources = (text: string, setupCfg?: string) => {
  const pyproject = toml(text);
  return assembleVersionSources({ pyproject, setupCfg, config: parseSlipwayConfig(pyproject) });
};
const BACKEND = (requires: string, backend: string) =>
  `[build-system]\nrequires = [${requires}]\nbuild-backend = "${backend}"\n`;

describe("config", () => {
  test("defaults, extra files of every kind, and key paths", () => {
    const config = parseSlipwayConfig(
      toml(`[tool.slipway.version]\nfiles = [
      { path = "docs/conf.py", kind = "python", name = "release" },
      { path = "./README.md", kind = "marker" },
      { path = "x.toml", kind = "toml", key = 'tool."x.y".version' },
      { path = "o.cfg", kind = "setup-cfg", section = "bumpversion" },
    ]`),
    );
    assert.equal(config.tagFormat, undefined, "not configured: inferred from the tags");
    assert.equal(config.changelog.path, "CHANGELOG.md");
    assert.deepEqual(config.versionFiles, [
      { path: "docs/conf.py", location: { kind: "python", name: "release" } },
      { path: "README.md", location: { kind: "marker" } },
      { path: "x.toml", location: { kind: "toml", path: ["tool", "x.y", "version"] } },
      { path: "o.cfg", location: { kind: "setup-cfg", section: "bumpversion" } },
    ]);
    assert.deepEqual(parseKeyPath("a . b"), ["a", "b"]);
    assert.equal(parseKeyPath("a..b"), undefined);
    assert.equal(parseKeyPath("a."), undefined);
  });

  for (const [text, error] of [
    ['[tool.slipway]\ntag-format = "v"', /must contain \{version\} exactly once/],
    [
      '[tool.slipway.version]\nfiles = [{ path = "../x", kind = "marker" }]',
      /files\[0\]\.path: "\.\.\/x" leaves the project/,
    ],
    ['[tool.slipway.version]\nfiles = [{ path = "x", kind = "regex" }]', /files\[0\]\.kind: expected one of/],
    [
      '[tool.slipway.version]\nfiles = [{ path = "x", kind = "marker", name = "v" }]',
      /files\[0\]\.name: is not a setting of kind "marker"/,
    ],
    ['[tool.slipway.changelog]\ncompare-url = "https://h/{from}"', /lacks \{to\}/],
  ] as const) {
    test(`config error: ${error.source}`, () => {
      assert.throws(
        () => parseSlipwayConfig(toml(text)),
        (e: unknown) => e instanceof SlipwayError && e.code === "config" && error.test(e.message),
      );
    });
  }
});

describe("sources", () => {
  const DYNAMIC = '[project]\nname = "My-Pkg"\ndynamic = ["version"]\n';
  for (const [name, text, backend] of [
    ["hatch-vcs", `${DYNAMIC}[tool.hatch.version]\nsource = "vcs"\n`, "hatch-vcs"],
    [
      "uv-dynamic-versioning",
      `${DYNAMIC}[tool.hatch.version]\nsource = "uv-dynamic-versioning"\n`,
      "uv-dynamic-versioning",
    ],
    ["setuptools-scm table", `${DYNAMIC}[tool.setuptools_scm]\n`, "setuptools-scm"],
    [
      "setuptools_scm requirement",
      `${BACKEND('"setuptools", "setuptools_scm[toml]>=8"', "setuptools.build_meta")}${DYNAMIC}`,
      "setuptools-scm",
    ],
    ["versioningit", `${DYNAMIC}[tool.versioningit]\n`, "versioningit"],
    ["pdm scm", `${DYNAMIC}[tool.pdm.version]\nsource = "scm"\n`, "pdm-backend"],
    [
      "poetry-dynamic-versioning",
      '[tool.poetry]\nname = "x"\nversion = "0.0.0"\n[tool.poetry-dynamic-versioning]\nenable = true\n',
      "poetry-dynamic-versioning",
    ],
  ] as const) {
    test(`${name}: the version comes from the tag`, () => {
      const found = sources(text);
      assert.equal(found.mode.kind, "vcs");
      assert.equal(found.mode.kind === "vcs" && found.mode.backend, backend);
      assert.deepEqual(found.candidates, []);
    });
  }

  test("static [project] version first, then conventional modules and setup.cfg as optional", () => {
    const found = sources('[project]\nname = "My.Pkg"\nversion = "1.0"\n', "[metadata]\nversion = 1.0\n");
    assert.deepEqual(found.candidates[0], {
      paths: ["pyproject.toml"],
      locations: [{ kind: "toml", path: ["project", "version"] }],
      origin: "[project] version",
      required: true,
    });
    assert.ok(found.candidates.some((c) => c.paths[0] === "src/my_pkg/__about__.py" && !c.required));
    assert.ok(found.candidates.some((c) => c.paths[0] === "my_pkg/version.py" && !c.required));
    assert.equal(found.candidates.at(-1)!.paths[0], "setup.cfg");
  });

  test("file sources of dynamic versions are required places", () => {
    const hatch = sources(`${DYNAMIC}[tool.hatch.version]\npath = "src/my_pkg/__about__.py"\n`);
    assert.deepEqual(hatch.candidates[0]!.paths, ["src/my_pkg/__about__.py"]);
    assert.deepEqual(hatch.candidates[0]!.locations, [
      { kind: "python" },
      { kind: "python", name: "VERSION" },
    ]);
    const attr = sources(
      `${DYNAMIC}[tool.setuptools]\npackage-dir = {"" = "lib"}\n[tool.setuptools.dynamic]\nversion = {attr = "my_pkg.meta.__version__"}\n`,
    );
    assert.deepEqual(attr.candidates[0]!.paths.slice(0, 2), [
      "lib/my_pkg/meta/__init__.py",
      "lib/my_pkg/meta.py",
    ]);
    const cfg = sources(DYNAMIC, "[metadata]\nversion = attr: my_pkg.__version__\n");
    assert.equal(cfg.candidates[0]!.origin, "setup.cfg version = attr:");
    assert.ok(
      !cfg.candidates.some((c) => c.paths[0] === "setup.cfg"),
      "an attr: setup.cfg is not itself a place",
    );
    const flit = sources(`${BACKEND('"flit_core>=3.4"', "flit_core.buildapi")}${DYNAMIC}`);
    assert.deepEqual(flit.candidates[0]!.paths, [
      "src/my_pkg/__init__.py",
      "src/my_pkg.py",
      "my_pkg/__init__.py",
      "my_pkg.py",
    ]);
    assert.match(
      sources(`${BACKEND('"maturin"', "maturin")}${DYNAMIC}`).problems[0]!,
      /cannot tell where maturin reads it from/,
    );
    assert.match(sources('[project]\nname = "x"\n').problems[0]!, /declares no version/);
  });
});

describe("tags", () => {
  test("the highest PEP 440 version among matching tags", () => {
    assert.equal(parseTag("v{version}", "v1.2.0-rc.1"), "1.2.0rc1");
    assert.equal(parseTag("v{version}", "vv1.0"), undefined);
    assert.equal(parseTag("pkg-{version}", "pkg-1.0+local"), undefined);
    assert.deepEqual(pickLastRelease("v{version}", ["v2.0.0", "v10.0.0rc1", "v9.9", "other", "v1.0.0"]), {
      name: "v10.0.0rc1",
      version: "10.0.0rc1",
    });
    assert.equal(pickLastRelease("v{version}", ["1.0", "release"]), undefined);
  });
});

const place = (path: string, value: string): VersionPlace => ({
  path,
  kind: "file",
  location: { kind: "marker" },
  where: "marker",
  origin: "test",
  value,
  normalized: value === "bad" ? undefined : value.replace(/\.0$/, ""),
});

const CONTEXT = {
  history: { shallow: [] },
  tagFormat: inferTagFormat({ tags: [], names: [], nested: false }),
};

describe("assess and plan", () => {
  test("agreement, drift, an invalid value, and the last tag", () => {
    const mode = { kind: "static" } as const;
    assert.deepEqual(
      assessVersion(mode, [place("a", "1.2"), place("b", "1.2.0")], undefined, CONTEXT).errors,
      [],
    );
    assert.match(
      assessVersion(mode, [place("a", "1.2"), place("b", "1.3")], undefined, CONTEXT).errors[0]!,
      /a marker = 1\.2; b marker = 1\.3/,
    );
    assert.match(
      assessVersion(mode, [place("a", "bad")], undefined, CONTEXT).errors[0]!,
      /a marker holds "bad", which is not a PEP 440 version/,
    );
    const vcs = assessVersion(
      { kind: "vcs", backend: "hatch-vcs", setting: "" },
      [],
      { name: "v3.0", version: "3.0" },
      CONTEXT,
    );
    assert.deepEqual([vcs.current, vcs.errors], ["3.0", []]);
  });

  test("a plan edits every place of one file in turn and refuses drift", () => {
    const text = "a = 1.0  # slipway: version\nb = 1.0  # slipway: version\n";
    const state: VersionState = {
      root: "/p",
      mode: { kind: "static" },
      tagFormat: "v{version}",
      tagFormatDecision: CONTEXT.tagFormat,
      history: CONTEXT.history,
      places: [{ ...place("f", "1.0"), location: { kind: "marker" } }],
      lastTag: undefined,
      texts: { f: text },
      current: "1.0",
      errors: [],
      notes: [],
    };
    // Two marked lines: "found exactly once" fails before anything is planned.
    assert.throws(() => assembleVersionPlan(state, { bump: "minor" }), /found 2 line marked/);
    const single = { ...state, texts: { f: "a = 1.0  # slipway: version\n" } };
    assert.equal(
      assembleVersionPlan(single, { bump: "minor" }).edits[0]!.after,
      "a = 1.1  # slipway: version\n",
    );
    assert.throws(
      () => assembleVersionPlan({ ...single, errors: ["drift"] }, { bump: "minor" }),
      /^SlipwayError: drift$|drift/,
    );
    assert.throws(
      () => assembleVersionPlan({ ...single, current: undefined }, { bump: "minor" }),
      /has no version yet/,
    );
    assert.equal(assembleVersionPlan({ ...single, current: undefined }, { set: "v0.1" }).to, "0.1");
  });

  test("the changelog entry's version: explicit, the files' when ahead, else bumped", () => {
    const bump = { kind: "minor" as const, preOne: false, reasons: [] };
    const tag = { name: "v1.0.0", version: "1.0.0" };
    assert.deepEqual(assembleEntryVersion({ explicit: "V2.0-RC1", current: "1.0.0", lastTag: tag, bump }), {
      version: "2.0rc1",
      source: "explicit",
    });
    assert.deepEqual(assembleEntryVersion({ explicit: undefined, current: "1.0.1", lastTag: tag, bump }), {
      version: "1.0.1",
      source: "files",
    });
    assert.deepEqual(
      assembleEntryVersion({ explicit: undefined, current: "1.1.0.dev0", lastTag: tag, bump }),
      { version: "1.1.0", source: "commits" },
    );
    assert.throws(
      () => assembleEntryVersion({ explicit: undefined, current: undefined, lastTag: undefined, bump }),
      /no version and no release tag/,
    );
  });
});
