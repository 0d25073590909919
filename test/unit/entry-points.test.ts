import assert from "node:assert/strict";
import { test } from "node:test";
import { assembleDistContext } from "../../src/core/checks/dist-context.ts";
import { checkEntryPoints, EP_CHECKS, shippedModules } from "../../src/core/checks/entry-points.ts";
import type { ArtifactModel } from "../../src/core/dist/artifact.ts";
import {
  checkObjectReference,
  isRecommendedEntryName,
  isValidGroupName,
  parseEntryPoints,
  parseObjectReference,
  readEntryPointsFile,
} from "../../src/core/dist/entry-points.ts";
import { makeArtifact, makeWheel, minimalMetadata } from "../helpers/artifact.ts";

const entries = (text: string) =>
  parseEntryPoints(text).entries.map((e) => [e.group, e.name, e.value, e.line]);
const kinds = (text: string) => parseEntryPoints(text).problems.map((p) => [p.kind, p.line]);

test("parseEntryPoints reads groups, case-sensitive names and values", () => {
  const text =
    "[console_scripts]\nTool = pkg.cli:main\ntool=pkg.cli:other\n\n[pytest11]\n  plug  =  pkg.plugin  \n";
  assert.deepEqual(entries(text), [
    ["console_scripts", "Tool", "pkg.cli:main", 2],
    ["console_scripts", "tool", "pkg.cli:other", 3],
    ["pytest11", "plug", "pkg.plugin", 6],
  ]);
  assert.deepEqual(kinds(text), []);
});

test("parseEntryPoints treats ':' as part of the name, never as a delimiter", () => {
  assert.deepEqual(entries("[g]\na:b = m:f\n"), [["g", "a:b", "m:f", 2]]);
  assert.deepEqual(kinds("[g]\nname: value\n"), [["syntax", 2]]);
});

test("parseEntryPoints skips full-line comments but keeps inline ones in values", () => {
  assert.deepEqual(entries("# c\n[g]\n; c\n  # indented comment\nx = m:f # not a comment\n"), [
    ["g", "x", "m:f # not a comment", 5],
  ]);
});

test("parseEntryPoints continues values on deeper-indented lines, keeping blank lines inside", () => {
  assert.deepEqual(entries("[g]\nx = a\n\n  b\n\n"), [["g", "x", "a\n\nb", 2]]);
  assert.deepEqual(entries("[g]\n  x = a\n  y = b\n"), [
    ["g", "x", "a", 2],
    ["g", "y", "b", 3],
  ]);
});

test("parseEntryPoints takes a section name up to the last ']' and ignores the rest", () => {
  const file = readEntryPointsFile("[a]x] trailing\nk = v\n");
  assert.deepEqual(file.sections, [{ name: "a]x", line: 1 }]);
});

test("parseEntryPoints reports what strict configparser refuses", () => {
  assert.deepEqual(kinds("x = y\n"), [["syntax", 1]]);
  assert.deepEqual(kinds("[g]\njust words\n"), [["syntax", 2]]);
  assert.deepEqual(kinds("[g]\n= value\n"), [["syntax", 2]]);
  assert.deepEqual(kinds("[g]\na = 1\n[g]\n"), [["duplicate-section", 3]]);
  assert.deepEqual(kinds("[g]\na = 1\na = 2\n"), [["duplicate-key", 3]]);
  assert.deepEqual(kinds("[DEFAULT]\n[DEFAULT]\n"), []);
});

test("parseEntryPoints splits lines on \\n only; a BOM is not a section", () => {
  assert.deepEqual(entries("[g]\r\nx = a\r\n"), [["g", "x", "a", 2]]);
  assert.deepEqual(kinds("\ufeff[g]\n"), [["syntax", 1]]);
});

test("isValidGroupName follows ^\\w+(\\.\\w+)*$ with Unicode \\w", () => {
  for (const ok of ["console_scripts", "pytest11", "prompt_manager.plugins", "ünïcode.grp"]) {
    assert.ok(isValidGroupName(ok), ok);
  }
  for (const bad of ["", "a-b", "a..b", ".a", "a.", "a b"]) assert.ok(!isValidGroupName(bad), bad);
});

test("isRecommendedEntryName fullmatches [\\w.-]+", () => {
  assert.ok(isRecommendedEntryName("my-tool.v2_x"));
  for (const bad of ["my tool", "a/b", "", "x+y"]) assert.ok(!isRecommendedEntryName(bad), bad);
});

test("checkObjectReference accepts the spec's forms with spaces where readers ignore them", () => {
  for (const ok of [
    "pkg",
    "pkg.mod",
    "pkg.mod:func",
    "pkg.mod : Cls.method",
    "pkg:f [extra1, extra2]",
    " pkg:f ",
  ]) {
    assert.deepEqual(checkObjectReference(ok), [], ok);
  }
  assert.deepEqual(parseObjectReference("pkg.mod:f [a,b]"), {
    ok: true,
    value: { module: "pkg.mod", attr: "f", extras: ["a", "b"] },
  });
});

test("checkObjectReference names each broken part", () => {
  const cases: [string, RegExp][] = [
    ["", /module part is empty/],
    ["pkg:", /object part is empty/],
    ["my-pkg:main", /"my-pkg"/],
    ["pkg. mod:main", /" mod"/],
    ["pkg..mod", /""/],
    ["1pkg:f", /"1pkg"/],
    ["pkg:f [x", /without a closing/],
    ["pkg:f []", /not valid extra names/],
    ["pkg:f\nmore", /not a Python identifier/],
  ];
  for (const [value, expected] of cases) {
    const problems = checkObjectReference(value);
    assert.ok(problems.length > 0, value);
    assert.match(problems.join("; "), expected, value);
  }
});

// ---- EP checks on wheel models --------------------------------------------------------------

const runEp = (artifact: ArtifactModel) => checkEntryPoints(assembleDistContext(artifact, artifact.filename));
const withEntryPoints = (text: string | Uint8Array, files: Record<string, string> = {}) =>
  makeWheel({ distInfo: { "entry_points.txt": text }, files });
const epOnly = (text: string, id: string, files: Record<string, string> = {}) =>
  runEp(withEntryPoints(text, files)).filter((f) => f.id === id);

test("a valid entry_points.txt passes every EP check", () => {
  const text =
    "[console_scripts]\ndemo = demo_pkg:main\n\n[gui_scripts]\ndemo-gui = demo_pkg.gui:run\n\n[demo_pkg.plugins]\nx = demo_pkg\n";
  assert.deepEqual(runEp(withEntryPoints(text, { "demo_pkg/gui.py": "" })), []);
  assert.deepEqual(runEp(makeWheel()), []);
  assert.equal(EP_CHECKS.length, 9);
});

test("EP01 fails on an entry_points.txt that is not UTF-8", () => {
  const findings = runEp(withEntryPoints(new Uint8Array([0x5b, 0x67, 0x5d, 0x0a, 0x78, 0x3d, 0xff])));
  assert.deepEqual(
    findings.map((f) => f.id),
    ["EP01"],
  );
});

test("EP02 fails on what configparser refuses and warns on [DEFAULT]", () => {
  assert.match(
    epOnly("[g]\nname: demo_pkg:main\n", "EP02")[0]?.message ?? "",
    /neither a \[section\] nor name = value/,
  );
  assert.match(epOnly("[g]\na = demo_pkg\n[g]\n", "EP02")[0]?.message ?? "", /section \[g\] appears twice/);
  assert.match(epOnly("[g]\na = demo_pkg\na = demo_pkg\n", "EP02")[0]?.message ?? "", /"a" appears twice/);
  assert.equal(epOnly("[DEFAULT]\na = demo_pkg\n", "EP02")[0]?.severity, "warning");
});

test("EP03 warns on a group that is not a dotted identifier", () => {
  assert.match(epOnly("[my-plugins]\na = demo_pkg\n", "EP03")[0]?.message ?? "", /group \[my-plugins\]/);
  assert.deepEqual(epOnly("[my_app.plugins]\na = demo_pkg\n", "EP03"), []);
});

test("EP04 fails on a console script name PyPI rejects and warns elsewhere", () => {
  assert.equal(epOnly("[console_scripts]\nmy tool = demo_pkg:main\n", "EP04")[0]?.severity, "error");
  assert.equal(epOnly("[demo.plugins]\nmy plugin = demo_pkg\n", "EP04")[0]?.severity, "warning");
  assert.deepEqual(epOnly("[console_scripts]\nmy-tool.v2_x = demo_pkg:main\n", "EP04"), []);
});

test("EP05 fails on a broken object reference and warns on extras", () => {
  assert.match(
    epOnly("[g]\nx = demo-pkg:main\n", "EP05")[0]?.message ?? "",
    /"demo-pkg", not a Python identifier/,
  );
  const extras = epOnly("[g]\nx = demo_pkg:main [cli]\n", "EP05");
  assert.equal(extras[0]?.severity, "warning");
  assert.match(extras[0]!.message, /\[cli\] extras suffix is deprecated/);
  const multiLine = epOnly("[g]\nx = demo_pkg\n  more\n", "EP05");
  assert.match(multiLine[0]?.message ?? "", /"demo_pkg\\nmore"/);
  assert.ok(!multiLine[0]!.message.includes("\n"), "messages stay on one line");
});

test("EP06 fails on a script without :callable (edge case 24), not on plugins", () => {
  assert.match(
    epOnly("[console_scripts]\ntool = demo_pkg\n", "EP06")[0]?.message ?? "",
    /names a module, not a callable/,
  );
  assert.deepEqual(epOnly("[demo.plugins]\ntool = demo_pkg\n", "EP06"), []);
});

test("EP07 fails on script names that escape the scripts directory", () => {
  for (const name of ["../evil", "sub/tool", "..", "a\\b"]) {
    const findings = runEp(withEntryPoints(`[console_scripts]\n${name} = demo_pkg:main\n`));
    assert.deepEqual(
      findings.map((f) => f.id),
      ["EP07"],
      name,
    );
  }
  assert.deepEqual(epOnly("[demo.plugins]\n../x = demo_pkg\n", "EP07"), []);
});

test("EP08 warns on script names clashing by case or across console and gui scripts", () => {
  const text =
    "[console_scripts]\nTool = demo_pkg:a\ntool = demo_pkg:b\n[gui_scripts]\nTOOL = demo_pkg:c\nother = demo_pkg:d\n";
  assert.equal(epOnly(text, "EP08").length, 2);
  assert.deepEqual(epOnly("[console_scripts]\na = demo_pkg:a\n[gui_scripts]\nb = demo_pkg:b\n", "EP08"), []);
});

test("EP10 warns when the referenced module is not shipped", () => {
  assert.match(
    epOnly("[console_scripts]\ntool = demo_pkg.cli:main\n", "EP10")[0]?.message ?? "",
    /module demo_pkg\.cli is not in the wheel/,
  );
  const shipped = {
    "demo_pkg/cli/__init__.py": "",
    "demo_pkg-1.0.0.data/platlib/fast.cpython-312-x86_64-linux-gnu.so": "",
  };
  const text = "[console_scripts]\na = demo_pkg.cli:main\nb = fast:run\n";
  assert.deepEqual(epOnly(text, "EP10", shipped), []);
  // A module from a declared dependency (setuptools-scm → vcs-versioning) is fine.
  const metadata = minimalMetadata().replace("Summary:", "Requires-Dist: vcs-versioning>=1\nSummary:");
  const fromDependency = makeWheel({
    metadata,
    distInfo: { "entry_points.txt": "[console_scripts]\nscm = vcs_versioning._cli:main\n" },
  });
  assert.deepEqual(runEp(fromDependency), []);
});

test("checkEntryPoints does nothing for an sdist", () => {
  const sdist = makeArtifact({
    filename: "demo_pkg-1.0.0.tar.gz",
    files: { "demo_pkg-1.0.0/PKG-INFO": "x" },
  });
  assert.deepEqual(runEp(sdist), []);
});

test("EP10 builds module paths only as deep as the entry points reach (a member 10,000 levels deep)", () => {
  const deep = `demo_pkg/${"d/".repeat(10_000)}x.py`;
  const wheel = makeWheel({
    distInfo: { "entry_points.txt": "[console_scripts]\ndemo = demo_pkg.cli:main\n" },
    files: { "demo_pkg/cli.py": "def main(): pass\n", [deep]: "" },
  });
  assert.deepEqual(runEp(wheel), []);
  // Counted, not timed: every prefix of the deep member would be 10,000 module paths.
  const ctx = assembleDistContext(wheel, wheel.filename);
  const shipped = shippedModules(ctx, "demo_pkg-1.0.0.dist-info", 2);
  assert.ok(shipped.size <= 4, [...shipped].join(" "));
  assert.ok(shipped.has("demo_pkg.cli"));
});
