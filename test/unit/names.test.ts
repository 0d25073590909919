import assert from "node:assert/strict";
import { test } from "node:test";
import {
  expectedSdistFilename,
  expectedWheelPrefix,
  parseSdistFilename,
  parseWheelFilename,
  splitWheelFilename,
} from "../../src/core/names/filename.ts";
import {
  filenameName,
  isNormalizedName,
  isValidName,
  normalizeName,
  ultranormalizeName,
} from "../../src/core/names/name.ts";
import {
  expandTags,
  isConventionalPythonTag,
  isPypiPlatformTag,
  parseTagSet,
  unsortedTagComponents,
} from "../../src/core/names/tags.ts";

test("normalizeName folds case and runs of -_. (name-normalization spec examples)", () => {
  for (const name of [
    "Friendly-Bard",
    "FRIENDLY-BARD",
    "friendly.bard",
    "friendly_bard",
    "friendly--bard",
    "FrIeNdLy-._.-bArD",
  ]) {
    assert.equal(normalizeName(name), "friendly-bard", name);
  }
  assert.equal(normalizeName("_not_legal"), "-not-legal");
});

test("isValidName follows the core metadata Name regex with \\Z", () => {
  for (const name of ["a", "A1", "zope.interface", "friendly_bard", "x-y.z_w", "0"])
    assert.ok(isValidName(name), name);
  for (const name of ["", "_not_legal", "-a", "a-", "a.", "a b", "é", "name\n", "a/b", "a+b"]) {
    assert.ok(!isValidName(name), JSON.stringify(name));
  }
});

test("isNormalizedName accepts only lower-case dash-separated names", () => {
  assert.ok(isNormalizedName("friendly-bard"));
  for (const name of ["Friendly-Bard", "friendly_bard", "friendly--bard", "-not-legal", "a-"]) {
    assert.ok(!isNormalizedName(name), name);
  }
});

test("filenameName escapes the normalized name for dist filenames ([BDF] examples)", () => {
  assert.equal(filenameName("Friendly.Bard"), "friendly_bard");
  assert.equal(filenameName("zope.interface"), "zope_interface");
  assert.equal(filenameName("PyTAT"), "pytat");
  assert.equal(filenameName("openslide-bin"), "openslide_bin");
});

test("ultranormalizeName collapses look-alike names as warehouse does", () => {
  assert.equal(ultranormalizeName("Foo-Bar_Baz.qux"), "f00barbazqux");
  assert.equal(ultranormalizeName("pil"), ultranormalizeName("P1L"));
  assert.equal(ultranormalizeName("l-i_o"), "110");
});

test("parseWheelFilename splits name, version, build and expands tags in filename order", () => {
  const parsed = parseWheelFilename(
    "friendly_bard-1.0rc1-12abc-py2.py3-none-manylinux_2_17_x86_64.macosx_11_0_arm64.whl",
  );
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.value, {
    name: "friendly_bard",
    version: "1.0rc1",
    build: "12abc",
    pythonTags: ["py2", "py3"],
    abiTags: ["none"],
    platformTags: ["manylinux_2_17_x86_64", "macosx_11_0_arm64"],
    tags: [
      "py2-none-manylinux_2_17_x86_64",
      "py2-none-macosx_11_0_arm64",
      "py3-none-manylinux_2_17_x86_64",
      "py3-none-macosx_11_0_arm64",
    ],
  });
  const plain = parseWheelFilename("demo-1.0-py3-none-any.whl");
  assert.ok(plain.ok);
  assert.equal(plain.value.build, undefined);
  assert.ok(!("build" in plain.value));
});

test("parseWheelFilename refuses what packaging refuses, with a reason", () => {
  const cases: Record<string, RegExp> = {
    "demo-1.0-py3-none-any.zip": /\.whl/,
    "demo-1.0-py3-any.whl": /4 "-"-separated parts/,
    "demo-x-1.0-1-py3-none-any.whl": /7 "-"-separated parts/,
    "de__mo-1.0-py3-none-any.whl": /name part/,
    "-1.0-py3-none-any.whl": /name part ""/,
    "de+mo-1.0-py3-none-any.whl": /name part/,
    "demo-one-py3-none-any.whl": /version part "one"/,
    "demo-1.0-b1-py3-none-any.whl": /build tag "b1"/,
    "demo-1.0-py3--any.whl": /empty part/,
    "demo-1.0-py3.-none-any.whl": /empty part in "py3\."/,
    "demo-1.0-3py-none-any.whl": /python tag "3py"/,
  };
  for (const [filename, reason] of Object.entries(cases)) {
    const parsed = parseWheelFilename(filename);
    assert.ok(!parsed.ok, filename);
    assert.match(parsed.error, reason, filename);
  }
});

test("parseWheelFilename keeps legacy (non-normalized) names parseable, as consumers must", () => {
  const parsed = parseWheelFilename("Friendly.Bard-1.0-py3-none-any.whl");
  assert.ok(parsed.ok);
  assert.equal(parsed.value.name, "Friendly.Bard");
});

test("splitWheelFilename leaves the tag part unparsed", () => {
  const split = splitWheelFilename("demo-1.0-py3--any.whl");
  assert.ok(split.ok);
  assert.equal(split.value.tag, "py3--any");
});

test("parseSdistFilename splits at the last dash and accepts the legacy .zip", () => {
  assert.deepEqual(parseSdistFilename("openslide-bin-4.0.0.9.tar.gz"), {
    ok: true,
    value: { name: "openslide-bin", version: "4.0.0.9", extension: ".tar.gz" },
  });
  assert.deepEqual(parseSdistFilename("demo-1.0.zip"), {
    ok: true,
    value: { name: "demo", version: "1.0", extension: ".zip" },
  });
  for (const [filename, reason] of [
    ["demo-1.0.tgz", /\.tar\.gz/],
    ["demo.tar.gz", /no "-"/],
    ["-1.0.tar.gz", /empty name/],
    ["demo-1.0-.tar.gz", /version part ""/],
    ["demo-1.0-x.tar.gz", /version part "x"/],
  ] as const) {
    const parsed = parseSdistFilename(filename);
    assert.ok(!parsed.ok, filename);
    assert.match(parsed.error, reason, filename);
  }
  // A legacy post-release name: "1" is a valid version, so packaging reads name "foo-bar-1.0".
  assert.deepEqual(parseSdistFilename("foo-bar-1.0-1.tar.gz"), {
    ok: true,
    value: { name: "foo-bar-1.0", version: "1", extension: ".tar.gz" },
  });
});

test("expectedSdistFilename and expectedWheelPrefix build the PEP 625 / [BDF] names", () => {
  assert.equal(expectedSdistFilename("openslide-bin", "4.0.0.9"), "openslide_bin-4.0.0.9.tar.gz");
  assert.equal(expectedSdistFilename("Friendly.Bard", "1.0RC1"), "friendly_bard-1.0rc1.tar.gz");
  assert.equal(expectedSdistFilename("demo", "not a version"), undefined);
  assert.equal(expectedWheelPrefix("Zope.Interface", "2025.09.04"), "zope_interface-2025.9.4");
});

test("parseTagSet validates and expands a tag triple like packaging.tags.parse_tag", () => {
  const parsed = parseTagSet("cp312.cp313-abi3-win_amd64");
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.value.tags, ["cp312-abi3-win_amd64", "cp313-abi3-win_amd64"]);
  assert.ok(!parseTagSet("py3-none").ok);
  assert.ok(!parseTagSet("py3-none-any-x").ok);
  assert.ok(!parseTagSet("py3-none-").ok);
  assert.ok(parseTagSet("_x-none-any").ok, "an identifier may start with _");
  assert.ok(parseTagSet("pé3-none-any").ok, "identifiers are Unicode");
  assert.ok(!parseTagSet("p!y-none-any").ok);
  assert.deepEqual(expandTags(["a", "b"], ["c"], ["d", "e"]), ["a-c-d", "a-c-e", "b-c-d", "b-c-e"]);
});

test("unsortedTagComponents lists dotted sets out of order (code point order)", () => {
  assert.deepEqual(unsortedTagComponents("py2.py3-none-any"), []);
  assert.deepEqual(unsortedTagComponents("py3.py2-none-macosx_11_0_arm64.macosx_10_9_x86_64"), [
    "py3.py2",
    "macosx_11_0_arm64.macosx_10_9_x86_64",
  ]);
  // U+FF5E sorts before U+1F600 by code point, after it by UTF-16 unit.
  assert.deepEqual(unsortedTagComponents("a\uff5e.a\u{1f600}-none-any"), []);
  assert.deepEqual(unsortedTagComponents("a\u{1f600}.a\uff5e-none-any"), ["a\u{1f600}.a\uff5e"]);
});

test("isConventionalPythonTag recognizes implementation + version", () => {
  for (const tag of ["py3", "cp312", "pp310", "graalpy311", "py2"])
    assert.ok(isConventionalPythonTag(tag), tag);
  for (const tag of ["py", "python", "cp3_12", "Py3"]) assert.ok(!isConventionalPythonTag(tag), tag);
});

test("isPypiPlatformTag accepts PyPI's allow-list", () => {
  const accepted = [
    "any",
    "win32",
    "win_amd64",
    "win_arm64",
    "win_ia64",
    "manylinux1_x86_64",
    "manylinux1_i686",
    "manylinux2010_x86_64",
    "manylinux2014_aarch64",
    "manylinux2014_ppc64",
    "manylinux2014_s390x",
    "manylinux_2_17_x86_64",
    "manylinux_2_28_aarch64",
    "manylinux_2_31_riscv64",
    "manylinux_2_17_ppc64",
    "musllinux_1_2_x86_64",
    "musllinux_1_1_armv7l",
    "linux_armv6l",
    "linux_armv7l",
    "macosx_10_9_x86_64",
    "macosx_10_15_universal2",
    "macosx_10_6_intel",
    "macosx_10_4_fat3",
    "macosx_11_0_arm64",
    "macosx_14_0_universal2",
    "macosx_15_0_x86_64",
    "macosx_26_0_arm64",
    "ios_13_0_arm64_iphoneos",
    "ios_12_0_x86_64_iphonesimulator",
    "android_21_arm64_v8a",
    "android_24_armeabi_v7a",
    "android_21_x86",
    "pyemscripten_2025_0_wasm32",
    // Python's \d is any Unicode decimal digit, so warehouse accepts these too.
    "manylinux_\u0662_\u0661\u0667_x86_64",
    // Python's $ also matches before a final newline.
    "macosx_10_9_x86_64\n",
  ];
  for (const tag of accepted) assert.ok(isPypiPlatformTag(tag), JSON.stringify(tag));
});

test("isPypiPlatformTag refuses everything else", () => {
  const refused = [
    "linux_x86_64",
    "linux_aarch64",
    "linux_i686",
    "win_x86",
    "manylinux1_aarch64",
    "manylinux2010_aarch64",
    "manylinux2014_riscv64",
    "manylinux_2_17_sparc",
    "manylinux_x_17_x86_64",
    "manylinux_2_x86_64",
    "musllinux_1_2_ppc64",
    "macosx_11_1_arm64",
    "macosx_16_0_arm64",
    "macosx_27_0_arm64",
    "macosx_10_9_arm64e",
    "macosx_10_9_fat32",
    "ios_13_0_arm64",
    "ios_13_0_armv7_iphoneos",
    "android_21_arm64",
    "android_21_1_x86",
    "pyemscripten_2025_0_wasm64",
    "emscripten_3_1_58_wasm32",
    "pyodide_2025_0_wasm32",
    "Win_AMD64",
    "any\n",
    "",
  ];
  for (const tag of refused) assert.ok(!isPypiPlatformTag(tag), JSON.stringify(tag));
});
