import assert from "node:assert/strict";
import { test } from "node:test";
import { assembleDistContext } from "../../src/core/checks/dist-context.ts";
import { checkWheel, WHL_CHECKS } from "../../src/core/checks/wheel.ts";
import type { ArchiveMember, ArtifactModel } from "../../src/core/dist/artifact.ts";
import type { Finding } from "../../src/core/findings.ts";
import { type FileTable, makeArtifact, makeWheel, minimalMetadata, recordFor } from "../helpers/artifact.ts";

const run = (artifact: ArtifactModel) => checkWheel(assembleDistContext(artifact, artifact.filename));
const only = (findings: Finding[], id: string) => findings.filter((f) => f.id === id);
const ids = (findings: Finding[]) => [...new Set(findings.map((f) => f.id))].sort();

const wheelText = (tag = "py3-none-any", extra = "") =>
  `Wheel-Version: 1.0\nGenerator: test 1.0\nRoot-Is-Purelib: true\n${tag
    .split("\n")
    .map((t) => `Tag: ${t}`)
    .join("\n")}\n${extra}`;

/** A wheel with an arbitrary filename and members; RECORD is generated for `distInfo`. */
function rawWheel(
  filename: string,
  files: FileTable,
  distInfo: string,
  members: ArchiveMember[] = [],
): ArtifactModel {
  const all = { ...files };
  all[`${distInfo}/RECORD`] = recordFor(all, `${distInfo}/RECORD`);
  return makeArtifact({ filename, files: all, members });
}

const distFiles = (distInfo: string, name = "demo_pkg", version = "1.0.0"): FileTable => ({
  "demo_pkg/__init__.py": "",
  [`${distInfo}/METADATA`]: minimalMetadata(name, version),
  [`${distInfo}/WHEEL`]: wheelText(),
});

test("a valid wheel passes every WHL check", () => {
  assert.deepEqual(run(makeWheel()), []);
  assert.equal(new Set(WHL_CHECKS.map((c) => c.id)).size, 15);
});

test("WHL01 fails without a .dist-info directory and with two", () => {
  const none = run(
    makeArtifact({ filename: "demo_pkg-1.0.0-py3-none-any.whl", files: { "demo_pkg/__init__.py": "" } }),
  );
  assert.match(only(none, "WHL01")[0]?.message ?? "", /no top-level \.dist-info/);
  const two = run(
    rawWheel(
      "demo_pkg-1.0.0-py3-none-any.whl",
      { ...distFiles("demo_pkg-1.0.0.dist-info"), "other-2.0.dist-info/METADATA": "x" },
      "demo_pkg-1.0.0.dist-info",
    ),
  );
  assert.match(only(two, "WHL01")[0]?.message ?? "", /2 \.dist-info directories/);
});

test("WHL02 fails when the dist-info version differs from the filename (edge case 6)", () => {
  const di = "demo_pkg-1.0.0+123.ab1cd2e.dist-info";
  const findings = run(rawWheel("demo_pkg-1.0.0-py3-none-any.whl", distFiles(di), di));
  assert.equal(only(findings, "WHL02").length, 1);
  assert.match(only(findings, "WHL02")[0]!.message, /requires demo_pkg-1\.0\.0\.dist-info/);
});

test("WHL02 fails when filename prefix and dist-info differ only in case (edge case 5)", () => {
  const di = "Demo_Pkg-1.0.0.dist-info";
  const findings = run(rawWheel("demo_pkg-1.0.0-py3-none-any.whl", distFiles(di), di));
  assert.deepEqual(ids(findings), ["WHL02"]);
});

test("WHL02 passes when the filename prefix and dist-info are byte-identical", () => {
  assert.deepEqual(only(run(makeWheel({ name: "zope_interface", version: "5.4.0" })), "WHL02"), []);
});

test("WHL03 fails on a .data directory with another prefix", () => {
  const findings = run(makeWheel({ files: { "other-1.0.data/scripts/tool": "#!python\n" } }));
  assert.match(
    only(findings, "WHL03")[0]?.message ?? "",
    /other-1\.0\.data\/ does not match demo_pkg-1\.0\.0\.data\//,
  );
  assert.deepEqual(
    only(run(makeWheel({ files: { "demo_pkg-1.0.0.data/scripts/tool": "#!python\n" } })), "WHL03"),
    [],
  );
});

test("WHL04 fails when WHEEL or METADATA is missing", () => {
  const di = "demo_pkg-1.0.0.dist-info";
  const files = distFiles(di);
  delete files[`${di}/WHEEL`];
  const noWheel = run(rawWheel("demo_pkg-1.0.0-py3-none-any.whl", files, di));
  assert.match(only(noWheel, "WHL04")[0]?.message ?? "", /WHEEL is missing/);
  const noMetadata = { ...distFiles(di) };
  delete noMetadata[`${di}/METADATA`];
  assert.match(
    only(run(rawWheel("demo_pkg-1.0.0-py3-none-any.whl", noMetadata, di)), "WHL04")[0]?.message ?? "",
    /METADATA is missing/,
  );
});

test("WHL05 fails on a missing or 2.x Wheel-Version and warns on 1.1", () => {
  const missing = run(makeWheel({ wheel: "Generator: t\nRoot-Is-Purelib: true\nTag: py3-none-any\n" }));
  assert.equal(only(missing, "WHL05")[0]?.severity, "error");
  const two = run(makeWheel({ wheel: wheelText().replace("1.0", "2.0") }));
  assert.match(only(two, "WHL05")[0]?.message ?? "", /newer than installers support/);
  const junk = run(makeWheel({ wheel: wheelText().replace("1.0", "one") }));
  assert.match(only(junk, "WHL05")[0]?.message ?? "", /not of the form 1\.x/);
  const minor = run(makeWheel({ wheel: wheelText().replace("Wheel-Version: 1.0", "Wheel-Version: 1.1") }));
  assert.equal(only(minor, "WHL05")[0]?.severity, "warning");
});

test("WHL06 fails on a missing or non-boolean Root-Is-Purelib and accepts any case", () => {
  assert.equal(
    only(run(makeWheel({ wheel: wheelText().replace("Root-Is-Purelib: true\n", "") })), "WHL06").length,
    1,
  );
  const yes = run(makeWheel({ wheel: wheelText().replace("true", "yes") }));
  assert.match(only(yes, "WHL06")[0]?.message ?? "", /"yes", not true or false/);
  assert.deepEqual(only(run(makeWheel({ wheel: wheelText().replace("true", "True") })), "WHL06"), []);
});

test("WHL07 fails on empty or partial Tag lines and warns on tags contradicting the filename (edge case 12)", () => {
  const partial = run(makeWheel({ wheel: wheelText("py3-none-any\n-manylinux_2_17_x86_64") }));
  assert.match(
    only(partial, "WHL07")[0]?.message ?? "",
    /"-manylinux_2_17_x86_64" is not a python-abi-platform triple/,
  );
  assert.equal(only(partial, "WHL07")[0]?.severity, "error");
  const empty = run(makeWheel({ wheel: wheelText("py3-none-any\n") }));
  assert.equal(only(empty, "WHL07")[0]?.severity, "error");
  const wrong = only(run(makeWheel({ wheel: wheelText("py2-none-any") })), "WHL07");
  assert.deepEqual(
    wrong.map((f) => f.severity),
    ["warning", "warning"],
  );
  assert.match(wrong[0]!.message, /lacks Tag py3-none-any/);
  assert.match(wrong[1]!.message, /has Tag py2-none-any that the filename does not declare/);
});

test("WHL07 checks expanded tags, Build and Generator", () => {
  const expanded = makeWheel({ tag: "py2.py3-none-any", wheel: wheelText("py2-none-any\npy3-none-any") });
  assert.deepEqual(only(run(expanded), "WHL07"), []);
  const compressed = makeWheel({ tag: "py2.py3-none-any", wheel: wheelText("py2.py3-none-any") });
  assert.ok(only(run(compressed), "WHL07").length > 0);
  const build = run(makeWheel({ wheel: wheelText("py3-none-any", "Build: 1\n") }));
  assert.match(only(build, "WHL07")[0]?.message ?? "", /Build 1 but the filename has no build tag/);
  assert.equal(only(build, "WHL07")[0]?.severity, "warning");
  const noGenerator = run(makeWheel({ wheel: wheelText().replace("Generator: test 1.0\n", "") }));
  assert.match(only(noGenerator, "WHL07")[0]?.message ?? "", /no Generator/);
  const malformed = run(makeWheel({ wheel: `${wheelText()}not a header line\nTag: py3-none-any\n` }));
  assert.ok(
    only(malformed, "WHL07").some((f) => /malformed WHEEL/.test(f.message) && f.severity === "error"),
  );
});

test("WHL08 fails on an unknown .data key and on a file directly in .data", () => {
  const findings = run(
    makeWheel({ files: { "demo_pkg-1.0.0.data/share/x.txt": "x", "demo_pkg-1.0.0.data/loose.txt": "x" } }),
  );
  const messages = only(findings, "WHL08").map((f) => f.message);
  assert.ok(messages.some((m) => /share\/ is not an install scheme/.test(m)));
  assert.ok(messages.some((m) => /loose\.txt sits directly/.test(m)));
  const good = makeWheel({
    files: { "demo_pkg-1.0.0.data/data/share/x.txt": "x", "demo_pkg-1.0.0.data/headers/h.h": "" },
  });
  assert.deepEqual(only(run(good), "WHL08"), []);
});

test("WHL09 warns on .data/purelib in a purelib wheel, not on .data/platlib", () => {
  const pure = run(makeWheel({ files: { "demo_pkg-1.0.0.data/purelib/extra.py": "" } }));
  assert.equal(only(pure, "WHL09").length, 1);
  assert.deepEqual(
    only(run(makeWheel({ files: { "demo_pkg-1.0.0.data/platlib/extra.py": "" } })), "WHL09"),
    [],
  );
});

test("WHL10 fails on a symlink in scripts and warns on a shebang installers do not rewrite", () => {
  const link: ArchiveMember = {
    name: "demo_pkg-1.0.0.data/scripts/tool",
    kind: "symlink",
    size: 0,
    linkTarget: "/bin/sh",
  };
  const linked = run(makeWheel({ files: { "demo_pkg-1.0.0.data/scripts/tool": "" } }));
  assert.deepEqual(only(linked, "WHL10"), []);
  const withLink = makeWheel();
  withLink.members.push(link);
  assert.equal(only(run(withLink), "WHL10")[0]?.severity, "error");
  const envPython = run(
    makeWheel({ files: { "demo_pkg-1.0.0.data/scripts/tool": "#!/usr/bin/env python3\nprint()\n" } }),
  );
  assert.match(only(envPython, "WHL10")[0]?.message ?? "", /#!\/usr\/bin\/env python3/);
  const good = {
    "demo_pkg-1.0.0.data/scripts/a": "#!python\n",
    "demo_pkg-1.0.0.data/scripts/b": "#!pythonw\n",
    "demo_pkg-1.0.0.data/scripts/c.sh": "#!/bin/sh\necho\n",
    "demo_pkg-1.0.0.data/scripts/bin": new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1]),
  };
  assert.deepEqual(only(run(makeWheel({ files: good, tag: "py3-none-manylinux_2_17_x86_64" })), "WHL10"), []);
  const nested = run(makeWheel({ files: { "demo_pkg-1.0.0.data/scripts/sub/tool": "#!python\n" } }));
  assert.equal(only(nested, "WHL10")[0]?.severity, "warning");
});

test("WHL11 warns on installer-owned files and signatures in the dist-info", () => {
  const findings = run(makeWheel({ distInfo: { INSTALLER: "pip\n", "RECORD.jws": "{}" } }));
  const messages = only(findings, "WHL11").map((f) => f.message);
  assert.equal(messages.length, 2);
  assert.ok(messages.some((m) => /INSTALLER is written by installers/.test(m)));
  assert.ok(messages.some((m) => /RECORD\.jws is a deprecated wheel signature/.test(m)));
  assert.deepEqual(only(run(makeWheel({ distInfo: { "entry_points.txt": "" } })), "WHL11"), []);
});

test("WHL12 warns on setup.py at the root and on .pyc files", () => {
  const findings = run(
    makeWheel({
      files: { "setup.py": "", "demo_pkg/__pycache__/a.cpython-312.pyc": "", "demo_pkg/b.pyc": "" },
    }),
  );
  const messages = only(findings, "WHL12").map((f) => f.message);
  assert.ok(messages.some((m) => /setup\.py is at the wheel root/.test(m)));
  assert.ok(messages.some((m) => /2 compiled \.pyc\/\.pyo file/.test(m)));
  assert.deepEqual(only(run(makeWheel({ files: { "demo_pkg/setup.py": "" } })), "WHL12"), []);
});

test("WHL13 warns on unreserved dist-info directories and non-SBOM files in sboms/", () => {
  const findings = run(makeWheel({ distInfo: { "extra/notes.txt": "x", "sboms/blob.bin": "x" } }));
  const messages = only(findings, "WHL13").map((f) => f.message);
  assert.ok(messages.some((m) => /extra\/ is not a reserved/.test(m)));
  assert.ok(messages.some((m) => /blob\.bin does not look like an SBOM/.test(m)));
  const good = makeWheel({ distInfo: { "licenses/LICENSE": "MIT", "sboms/app.cdx.json": "{}" } });
  assert.deepEqual(only(run(good), "WHL13"), []);
});

test("WHL14 fails on an extension module in a none-any wheel", () => {
  const findings = run(
    makeWheel({ files: { "demo_pkg/_speed.cpython-312-x86_64-linux-gnu.so": "\x7fELF" } }),
  );
  const whl14 = only(findings, "WHL14");
  assert.equal(whl14[0]?.severity, "error");
  assert.match(whl14[0]!.message, /tagged py3-none-any but contains extension modules/);
  assert.ok(whl14.some((f) => /Root-Is-Purelib: true/.test(f.message)));
});

test("WHL14 warns on shared libraries in pure wheels, platform tags without code and abi3 misuse", () => {
  const lib = only(run(makeWheel({ files: { "demo_pkg/libfoo.dll": "MZ" } })), "WHL14");
  assert.equal(lib[0]?.severity, "warning");
  const noCode = only(run(makeWheel({ tag: "py3-none-manylinux_2_17_x86_64" })), "WHL14");
  assert.match(noCode[0]?.message ?? "", /no compiled code/);
  const bundledTool = makeWheel({
    tag: "py3-none-manylinux_2_17_x86_64",
    files: { "demo_pkg/data/bin/cmake": "\x7fELF" },
  });
  assert.deepEqual(only(run(bundledTool), "WHL14"), []);
  const abi3 = only(
    run(
      makeWheel({
        tag: "py3-abi3-manylinux_2_17_x86_64",
        wheel: wheelText("py3-abi3-manylinux_2_17_x86_64").replace("true", "false"),
        files: { "demo_pkg/_x.abi3.so": "" },
      }),
    ),
    "WHL14",
  );
  assert.deepEqual(
    abi3.map((f) => f.severity),
    ["warning"],
  );
  assert.match(abi3[0]!.message, /abi3 with python tag py3/);
});

test("WHL14 passes a correctly tagged binary wheel", () => {
  const tag = "cp312-abi3-manylinux_2_17_x86_64";
  const wheel = makeWheel({
    tag,
    wheel: wheelText(tag).replace("true", "false"),
    files: { "demo_pkg/_x.abi3.so": "\x7fELF" },
  });
  assert.deepEqual(only(run(wheel), "WHL14"), []);
});

test("WHL15 warns when Requires-Python excludes a python tag", () => {
  const metadata = minimalMetadata().replace("Summary:", "Requires-Python: >=3.9\nSummary:");
  const py2 = makeWheel({
    tag: "py2.py3-none-any",
    wheel: wheelText("py2-none-any\npy3-none-any"),
    metadata,
  });
  const findings = only(run(py2), "WHL15");
  assert.equal(findings.length, 1);
  assert.match(findings[0]!.message, /python tag py2 but Requires-Python >=3\.9 excludes Python 2/);
  const cp38 = makeWheel({
    tag: "cp38-cp38-manylinux_2_17_x86_64",
    wheel: wheelText("cp38-cp38-manylinux_2_17_x86_64").replace("true", "false"),
    files: { "demo_pkg/_x.cpython-38-x86_64-linux-gnu.so": "" },
    metadata,
  });
  assert.match(only(run(cp38), "WHL15")[0]?.message ?? "", /excludes Python 3\.8/);
  assert.deepEqual(only(run(makeWheel({ metadata })), "WHL15"), []);
  const patch = minimalMetadata().replace("Summary:", "Requires-Python: >=3.9.1,<3.10\nSummary:");
  const cp39 = makeWheel({
    tag: "cp39-cp39-manylinux_2_17_x86_64",
    wheel: wheelText("cp39-cp39-manylinux_2_17_x86_64").replace("true", "false"),
    files: { "demo_pkg/_x.cpython-39-x86_64-linux-gnu.so": "" },
    metadata: patch,
  });
  assert.deepEqual(only(run(cp39), "WHL15"), []);
  // Only patch numbers between the bounds: a window of one release passes, an empty one fails.
  const cp39With = (spec: string) =>
    makeWheel({
      tag: "cp39-cp39-manylinux_2_17_x86_64",
      wheel: wheelText("cp39-cp39-manylinux_2_17_x86_64").replace("true", "false"),
      files: { "demo_pkg/_x.cpython-39-x86_64-linux-gnu.so": "" },
      metadata: minimalMetadata().replace("Summary:", `Requires-Python: ${spec}\nSummary:`),
    });
  assert.deepEqual(only(run(cp39With(">3.9.17,<3.9.19")), "WHL15"), []);
  assert.deepEqual(only(run(cp39With("~=3.9.7,!=3.9.8")), "WHL15"), []);
  assert.equal(only(run(cp39With(">3.9.17,<3.9.18")), "WHL15").length, 1);
  assert.equal(only(run(cp39With("==3.9.*,!=3.9.*")), "WHL15").length, 1);
});

test("checkWheel does nothing for an sdist", () => {
  const sdist = makeArtifact({
    filename: "demo_pkg-1.0.0.tar.gz",
    files: { "demo_pkg-1.0.0/PKG-INFO": minimalMetadata() },
  });
  assert.deepEqual(run(sdist), []);
});

test("with an unparsable filename the single .dist-info is found by scanning", () => {
  const wheel = makeWheel({ wheel: wheelText().replace("Root-Is-Purelib: true\n", "") });
  wheel.filename = "demo_pkg.whl";
  const ctx = assembleDistContext(wheel, wheel.filename);
  assert.equal(ctx.wheelName, undefined);
  assert.deepEqual(
    checkWheel(ctx).map((f) => f.id),
    ["WHL06"],
  );
});
