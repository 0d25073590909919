/** core/ci/facts.ts: what the generated CI is made from, decided from pyproject and root names. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { assembleCiFacts, type CiFactsInput } from "../../src/core/ci/facts.ts";
import { parsePyproject } from "../../src/core/pyproject/toml.ts";
import { parseReleaseConfig } from "../../src/core/release/config.ts";

function facts(text: string, present: string[] = [], extra: Partial<CiFactsInput> = {}) {
  const parsed = parsePyproject(text);
  assert.ok(parsed.ok);
  return assembleCiFacts({
    pyproject: parsed.value,
    present: new Set(present),
    release: parseReleaseConfig(parsed.value),
    tagFormat: undefined,
    setupPy: undefined,
    defaultBranch: undefined,
    ...extra,
  });
}

test("Pythons: classifiers first, else requires-python over the known versions, else the newest", () => {
  const classified = facts(
    `[project]\nname="a"\nrequires-python=">=3.8"\nclassifiers=["Programming Language :: Python :: 3.11","Programming Language :: Python :: 3.12"]`,
  );
  assert.deepEqual(classified.pythons, ["3.11", "3.12"]);
  assert.equal(classified.mainPython, "3.12");
  assert.deepEqual(facts(`[project]\nname="a"\nrequires-python=">=3.10,<3.13"`).pythons, [
    "3.10",
    "3.11",
    "3.12",
  ]);
  assert.deepEqual(facts(`[project]\nname="a"\nrequires-python="not a spec"`).pythons, ["3.13"]);
  assert.deepEqual(facts(`[project]\nname="a"\nrequires-python="<3"`).pythons, ["3.13"]);
});

test("the lockfile: uv, then poetry, then requirements; none says what it skips", () => {
  const base = `[project]\nname="a"`;
  assert.deepEqual(facts(base, ["requirements.txt", "poetry.lock", "uv.lock"]).lock, {
    kind: "uv",
    path: "uv.lock",
  });
  assert.deepEqual(facts(base, ["requirements.txt", "poetry.lock"]).lock, {
    kind: "poetry",
    path: "poetry.lock",
  });
  assert.deepEqual(
    facts(base, ["requirements.txt", "requirements-dev.txt"]).lock.path,
    "requirements-dev.txt",
  );
  const none = facts(base);
  assert.deepEqual(none.lock, { kind: "none", path: undefined });
  assert.ok(none.skipped.some((s) => s.startsWith("lockfile integrity:")));
  assert.ok(none.skipped.some((s) => s.startsWith("tests:")));
});

test("native code: from the backend, [tool.cibuildwheel], ext-modules or setup.py", () => {
  assert.equal(facts(`[build-system]\nbuild-backend="maturin"\n[project]\nname="a"`).native, true);
  assert.equal(facts(`[project]\nname="a"\n[tool.cibuildwheel]\nskip="pp*"`).native, true);
  assert.equal(
    facts(`[project]\nname="a"\n[tool.setuptools.ext-modules]`).native,
    false,
    "ext-modules is an array of tables",
  );
  assert.equal(
    facts(`[project]\nname="a"\n[[tool.setuptools.ext-modules]]\nname="x"\nsources=["x.c"]`).native,
    true,
  );
  const setup = facts(`[project]\nname="a"`, ["setup.py"], {
    setupPy: "setup(ext_modules=[Extension('x', ['x.c'])])",
  });
  assert.equal(setup.native, true);
  assert.equal(facts(`[build-system]\nbuild-backend="hatchling.build"\n[project]\nname="a"`).native, false);
});

test("tools, coverage threshold, dev extra and release settings", () => {
  const f = facts(
    `[project]\nname="My_Pkg"\n[project.optional-dependencies]\ntest=["pytest"]\n[tool.black]\n[tool.coverage.report]\nfail_under=87.5\n[tool.slipway]\ntag-format="release-{version}"\n[tool.slipway.release]\nto="testpypi"\nenv=["API_KEY"]\ngates=["pytest -q"]`,
    ["mypy.ini", "conftest.py"],
    { tagFormat: "release-{version}", defaultBranch: "trunk" },
  );
  assert.deepEqual(
    { ...f.tools },
    { ruff: false, black: true, mypy: true, pyright: false, pytest: true, coverageFailUnder: 87.5 },
  );
  assert.equal(f.devExtra, "test");
  assert.equal(f.release.projectUrl, "https://test.pypi.org/p/my-pkg");
  assert.equal(f.release.trusted, true);
  assert.equal(f.release.tagPattern, "release-*");
  assert.equal(f.release.branch, "trunk");
  assert.deepEqual(f.release.env, ["API_KEY"]);
  assert.deepEqual(f.release.gates, [["pytest", "-q"]]);
  assert.equal(
    facts(`[project]\nname="a"\n[tool.coverage.report]\nfail_under="x"`).tools.coverageFailUnder,
    undefined,
  );
});
