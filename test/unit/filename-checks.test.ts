import assert from "node:assert/strict";
import { test } from "node:test";
import type { DistContext } from "../../src/core/checks/context.ts";
import { checkFilename, FN_CHECKS } from "../../src/core/checks/filename.ts";
import type { Finding } from "../../src/core/findings.ts";
import type { MetadataFile } from "../../src/core/metadata/parse.ts";
import { makeArtifact } from "../helpers/artifact.ts";

/** A parsed METADATA with the given single-valued fields (what the metadata parser hands the checks). */
function metadata(fields: Record<string, string>): MetadataFile {
  const entries = Object.entries(fields);
  return {
    headers: entries.map(([name, value], i) => ({ name, value, line: i + 1 })),
    fields: new Map(entries.map(([name, value]) => [name.toLowerCase(), [value]])),
    body: undefined,
    problems: [],
  };
}

function ctx(filename: string, fields?: Record<string, string>): DistContext {
  const artifact = makeArtifact({ filename, path: `dist/${filename}`, files: {} });
  return { display: artifact.path, artifact, ...(fields ? { metadata: metadata(fields) } : {}) };
}

const ids = (findings: readonly Finding[]): string[] => findings.map((f) => f.id);
const only = (findings: readonly Finding[], id: string): Finding[] => findings.filter((f) => f.id === id);

const GOOD_WHEEL = "friendly_bard-1.0rc1-py3-none-any.whl";
const GOOD_SDIST = "friendly_bard-1.0rc1.tar.gz";
const FRIENDLY = { "Metadata-Version": "2.4", Name: "Friendly.Bard", Version: "1.0rc1" };

test("the FN catalogue covers FN01–FN11 and ART09 with complete entries", () => {
  assert.deepEqual(
    FN_CHECKS.map((c) => c.id),
    ["ART09", "FN01", "FN02", "FN03", "FN04", "FN05", "FN06", "FN07", "FN08", "FN09", "FN10", "FN11"],
  );
  for (const info of FN_CHECKS) {
    for (const key of ["title", "why", "fix", "source"] as const)
      assert.ok(info[key].length > 5, `${info.id}.${key}`);
  }
});

test("well-named wheel and sdist pass every filename check", () => {
  assert.deepEqual(checkFilename(ctx(GOOD_WHEEL, FRIENDLY)), []);
  assert.deepEqual(checkFilename(ctx(GOOD_SDIST, FRIENDLY)), []);
  assert.deepEqual(
    checkFilename(ctx("demo-2.0-cp312-abi3-manylinux2014_x86_64.manylinux_2_17_x86_64.whl")),
    [],
  );
});

test("ART09 fails on a control character or path separator in the filename", () => {
  for (const filename of ["friendly_bard-1.0rc1-py3-none-any\x07.whl", "a\\friendly_bard-1.0rc1.tar.gz"]) {
    const found = only(checkFilename(ctx(filename)), "ART09");
    assert.equal(found.length, 1, filename);
    assert.equal(found[0]?.severity, "error");
    assert.match(found[0]?.message ?? "", /control character or path separator/);
  }
});

test("ART09 fails on an extension PyPI does not take, and passes .whl and .tar.gz", () => {
  for (const filename of ["demo-1.0.egg", "demo-1.0.tar.bz2", "demo-1.0.exe", "demo-1.0-py3-none-any.WHL"]) {
    const found = only(checkFilename(ctx(filename)), "ART09");
    assert.equal(found.length, 1, filename);
    assert.match(found[0]?.message ?? "", /neither a wheel/);
  }
  assert.deepEqual(only(checkFilename(ctx(GOOD_WHEEL)), "ART09"), []);
  assert.deepEqual(only(checkFilename(ctx(GOOD_SDIST)), "ART09"), []);
});

test("FN01 fails on a wheel filename packaging cannot parse", () => {
  for (const filename of [
    "demo-1.0-py3-any.whl",
    "demo-1-0-1-x-py3-none-any.whl",
    "de__mo-1.0-py3-none-any.whl",
    "demo-one-py3-none-any.whl",
    "demo-1.0-b1-py3-none-any.whl",
  ]) {
    const findings = checkFilename(ctx(filename));
    assert.deepEqual(ids(findings), ["FN01"], filename);
    assert.match(findings[0]?.message ?? "", /^dist\/.+: wheel filename /);
  }
  assert.deepEqual(only(checkFilename(ctx(GOOD_WHEEL)), "FN01"), []);
});

test("FN02 fails when the wheel name part is not the normalized METADATA Name (edge case 5)", () => {
  const findings = checkFilename(ctx("Friendly.Bard-1.0rc1-py3-none-any.whl", FRIENDLY));
  assert.deepEqual(ids(findings), ["FN02"]);
  assert.match(
    findings[0]?.message ?? "",
    /name part "Friendly\.Bard" is not the normalized project name "friendly_bard"/,
  );
  assert.match(findings[0]?.hint ?? "", /friendly_bard-1\.0rc1-py3-none-any\.whl/);
  // A dashed name cannot appear (it would shift the parts), but dots and upper case can.
  assert.deepEqual(ids(checkFilename(ctx("atlas.schema-0.1.0-py3-none-any.whl", { Name: "atlas-schema" }))), [
    "FN02",
  ]);
  assert.deepEqual(
    ids(checkFilename(ctx("PyTAT-1.0-py3-none-any.whl"))),
    ["FN02"],
    "checked without metadata too",
  );
  assert.deepEqual(
    ids(checkFilename(ctx("other-1.0rc1-py3-none-any.whl", FRIENDLY))),
    ["FN02"],
    "another project",
  );
});

test("FN02 passes the normalized name whatever the METADATA spelling", () => {
  assert.deepEqual(
    only(checkFilename(ctx("atlas_schema-0.1.0-py3-none-any.whl", { Name: "Atlas.Schema" })), "FN02"),
    [],
  );
  assert.deepEqual(only(checkFilename(ctx(GOOD_WHEEL)), "FN02"), []);
});

test("FN03 fails when the filename version differs from METADATA Version", () => {
  const findings = checkFilename(ctx(GOOD_WHEEL, { ...FRIENDLY, Version: "1.0" }));
  assert.deepEqual(ids(findings), ["FN03"]);
  assert.match(findings[0]?.message ?? "", /filename version "1\.0rc1" differs from METADATA Version "1\.0"/);
});

test("FN03 passes versions that are equal once parsed (1.0 == 1.0.0)", () => {
  assert.deepEqual(checkFilename(ctx("demo-1.0-py3-none-any.whl", { Name: "demo", Version: "1.0.0" })), []);
});

test("FN04 warns on a non-normalized wheel version but PyPI accepts it, so no error (edge case 7)", () => {
  const findings = checkFilename(
    ctx("demo-2025.09.4-py3-none-any.whl", { Name: "demo", Version: "2025.9.4" }),
  );
  assert.deepEqual(ids(findings), ["FN04"]);
  assert.equal(findings[0]?.severity, "warning");
  assert.match(
    findings[0]?.message ?? "",
    /"2025\.09\.4" is not normalized; the normalized form is "2025\.9\.4"/,
  );
  assert.deepEqual(only(checkFilename(ctx("demo-2025.9.4-py3-none-any.whl")), "FN04"), []);
});

test("FN05 fails on an empty tag part or a non-identifier python tag", () => {
  for (const filename of [
    "demo-1.0-py3--any.whl",
    "demo-1.0-py3.-none-any.whl",
    "demo-1.0-3py-none-any.whl",
  ]) {
    const findings = checkFilename(ctx(filename));
    assert.deepEqual(ids(findings), ["FN05"], filename);
    assert.equal(findings[0]?.severity, "error");
  }
});

test("FN05 warns on a python tag without implementation and version, passes py3/cp312", () => {
  const findings = checkFilename(ctx("demo-1.0-python-none-any.whl"));
  assert.deepEqual(ids(findings), ["FN05"]);
  assert.equal(findings[0]?.severity, "warning");
  assert.deepEqual(only(checkFilename(ctx("demo-1.0-cp312-cp312-win_amd64.whl")), "FN05"), []);
});

test("FN06 warns on an unsorted compressed tag set and passes a sorted one", () => {
  const findings = checkFilename(ctx("demo-1.0-py3.py2-none-any.whl"));
  assert.deepEqual(ids(findings), ["FN06"]);
  assert.match(findings[0]?.message ?? "", /"py3\.py2" is not sorted/);
  assert.deepEqual(checkFilename(ctx("demo-1.0-py2.py3-none-any.whl")), []);
});

test('FN06 warns on auditwheel\'s manylinux_2_17_x86_64.manylinux2014_x86_64 order ("2" sorts before "_")', () => {
  const findings = checkFilename(ctx("demo-2.0-cp312-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"));
  assert.deepEqual(ids(findings), ["FN06"]);
  assert.equal(findings[0]?.severity, "warning");
});

test("FN07 fails on a pre-PEP 625 dashed sdist name (edge case 4: openslide-bin)", () => {
  const findings = checkFilename(
    ctx("openslide-bin-4.0.0.9.tar.gz", { Name: "openslide-bin", Version: "4.0.0.9" }),
  );
  assert.deepEqual(ids(findings), ["FN07"]);
  assert.match(
    findings[0]?.message ?? "",
    /filename "openslide-bin-4\.0\.0\.9\.tar\.gz" is invalid, it should be "openslide_bin-4\.0\.0\.9\.tar\.gz"/,
  );
  // Without metadata the filename's own parts give the same answer.
  assert.deepEqual(ids(checkFilename(ctx("openslide-bin-4.0.0.9.tar.gz"))), ["FN07"]);
});

test("FN07 fails on upper case, a non-normalized version, a .zip sdist, a version mismatch, an unparsable name", () => {
  const cases: [string, Record<string, string> | undefined, RegExp][] = [
    ["Friendly.Bard-1.0rc1.tar.gz", FRIENDLY, /should be "friendly_bard-1\.0rc1\.tar\.gz"/],
    ["friendly_bard-1.0RC1.tar.gz", undefined, /should be "friendly_bard-1\.0rc1\.tar\.gz"/],
    ["friendly_bard-1.0rc1.zip", FRIENDLY, /should be "friendly_bard-1\.0rc1\.tar\.gz"/],
    ["friendly_bard-1.0.tar.gz", FRIENDLY, /should be "friendly_bard-1\.0rc1\.tar\.gz"/],
    ["friendly_bard.tar.gz", undefined, /is not \{name\}-\{version\}\.tar\.gz: it has no "-"/],
  ];
  for (const [filename, fields, message] of cases) {
    const findings = checkFilename(ctx(filename, fields));
    assert.deepEqual(ids(findings), ["FN07"], filename);
    assert.match(findings[0]?.message ?? "", message, filename);
  }
});

test("FN07 passes the exact PEP 625 name", () => {
  assert.deepEqual(
    checkFilename(ctx("zope_interface-7.2.tar.gz", { Name: "zope.interface", Version: "7.2" })),
    [],
  );
});

test("FN08 fails on a local version in a wheel or sdist filename", () => {
  const wheel = checkFilename(ctx("demo-1.0+g1234abc-py3-none-any.whl"));
  assert.deepEqual(ids(wheel), ["FN08"]);
  assert.match(wheel[0]?.message ?? "", /"1\.0\+g1234abc" has a local segment/);
  const sdist = checkFilename(ctx("demo-1.0+local.tar.gz", { Name: "demo", Version: "1.0+local" }));
  assert.deepEqual(ids(sdist), ["FN08"]);
  assert.deepEqual(only(checkFilename(ctx("demo-1.0.post1-py3-none-any.whl")), "FN08"), []);
});

test("FN09 fails on platform tags PyPI refuses, once per tag", () => {
  const findings = checkFilename(ctx("demo-1.0-cp312.cp313-cp312-linux_x86_64.manylinux_2_17_x86_64.whl"));
  assert.deepEqual(ids(findings), ["FN09"]);
  assert.match(findings[0]?.message ?? "", /platform tag "linux_x86_64" is not accepted by PyPI/);
  assert.deepEqual(ids(checkFilename(ctx("demo-1.0-cp312-cp312-macosx_11_1_arm64.whl"))), ["FN09"]);
});

test("FN09 passes PyPI's platforms, judged lower-cased as PyPI does", () => {
  for (const plat of [
    "any",
    "win_arm64",
    "musllinux_1_2_aarch64",
    "macosx_10_9_universal2",
    "ios_13_0_arm64_iphoneos",
    "android_21_x86_64",
    "Win_AMD64",
  ]) {
    assert.deepEqual(only(checkFilename(ctx(`demo-1.0-cp312-cp312-${plat}.whl`)), "FN09"), [], plat);
  }
});

test("FN10 warns on a build tag and passes a wheel without one", () => {
  const findings = checkFilename(ctx("demo-1.0-2-py3-none-any.whl"));
  assert.deepEqual(ids(findings), ["FN10"]);
  assert.equal(findings[0]?.severity, "warning");
  assert.deepEqual(only(checkFilename(ctx("demo-1.0-py3-none-any.whl")), "FN10"), []);
});

test("FN11 warns on a filename over 255 bytes (counted in UTF-8) and passes 255", () => {
  // manylinux_2_10 … manylinux_2_21: a sorted set of accepted tags, only the length is wrong.
  const platforms = Array.from({ length: 12 }, (_, i) => `manylinux_2_${i + 10}_x86_64`).join(".");
  const long = `demo-1.0-py3-none-${platforms}.whl`;
  assert.ok(long.length > 255);
  const findings = checkFilename(ctx(long));
  assert.deepEqual(ids(findings), ["FN11"]);
  assert.match(findings[0]?.message ?? "", new RegExp(`filename is ${long.length} bytes long, over 255`));
  const exact = `${"a".repeat(255 - "-1.0.tar.gz".length)}-1.0.tar.gz`;
  assert.equal(exact.length, 255);
  assert.deepEqual(checkFilename(ctx(exact)), []);
  const multibyte = `${"a".repeat(240)}éééé-1.0.tar.gz`;
  assert.equal(multibyte.length, 255);
  assert.deepEqual(ids(checkFilename(ctx(multibyte))), ["FN11"]);
});
