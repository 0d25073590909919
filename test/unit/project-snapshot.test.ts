/**
 * The pure readings of the project snapshot: pyproject.toml decoded and parsed once, and each
 * command's reading of it with the words that command always used for a broken file.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  assembleIndexes,
  assembleProjectBuildSystem,
  assembleProjectConfig,
  assemblePyprojectFile,
} from "../../src/core/project/snapshot.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

test("a pyproject is decoded strictly, keeps its BOM, and is parsed once", () => {
  const file = assemblePyprojectFile(bytes('\uFEFF[project]\nname = "a"\n'));
  assert.equal(file.utf8, true);
  assert.equal(file.text.charCodeAt(0), 0xfeff);
  const broken = assemblePyprojectFile(new Uint8Array([0x5b, 0x70, 0xff, 0x5d]));
  assert.equal(broken.utf8, false);
  assert.match(broken.text, /\uFFFD/);
});

test("version, changelog and release: the config, or an error that names the problem", () => {
  const ok = assembleProjectConfig(
    assemblePyprojectFile(bytes('[project]\nname = "a"\n[tool.slipway.changelog]\npath = "CHANGES.md"\n')),
    "/p",
  );
  assert.equal(ok.config.changelog.path, "CHANGES.md");
  assert.throws(() => assembleProjectConfig(undefined, "/p"), /no pyproject.toml in \/p/);
  assert.throws(
    () => assembleProjectConfig(assemblePyprojectFile(new Uint8Array([0xff])), "/p"),
    /pyproject.toml is not UTF-8 text/,
  );
  assert.throws(
    () => assembleProjectConfig(assemblePyprojectFile(bytes("[project\n")), "/p"),
    /pyproject.toml is not valid TOML \(line 1, column \d+\)/,
  );
});

test("indexes: empty without a file, the table typed, TOML errors name the path", () => {
  assert.equal(assembleIndexes(undefined, "x/pyproject.toml").size, 0);
  const file = assemblePyprojectFile(
    bytes(
      '[tool.slipway.indexes.staging]\nupload-url = "https://h/legacy/"\nsimple-url = "https://h/simple/"\n',
    ),
  );
  assert.deepEqual([...assembleIndexes(file, "x/pyproject.toml").keys()], ["staging"]);
  assert.throws(
    () => assembleIndexes(assemblePyprojectFile(bytes("a = \n")), "x/pyproject.toml"),
    /x\/pyproject.toml is not valid TOML \(line 1\)/,
  );
});

test("build system: the declared backend, the legacy one without a file, errors with file:line:column", () => {
  const file = assemblePyprojectFile(
    bytes('[build-system]\nrequires = ["flit_core"]\nbuild-backend = "flit_core.buildapi"\n'),
  );
  assert.equal(assembleProjectBuildSystem(file, "p/pyproject.toml").backend, "flit_core.buildapi");
  assert.equal(assembleProjectBuildSystem(undefined, "p/pyproject.toml").legacy, true);
  assert.throws(
    () => assembleProjectBuildSystem(assemblePyprojectFile(bytes("[build-system\n")), "p/pyproject.toml"),
    /^SlipwayError: p\/pyproject.toml:1:\d+: invalid TOML/,
  );
});
