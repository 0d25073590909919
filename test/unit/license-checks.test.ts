import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { test } from "node:test";
import type { DistContext } from "../../src/core/checks/context.ts";
import { checkLicense, LIC_CHECKS } from "../../src/core/checks/license.ts";
import type { Finding } from "../../src/core/findings.ts";
import { licenseFileProblem } from "../../src/core/metadata/license-file.ts";
import { parseMetadataFile } from "../../src/core/metadata/parse.ts";
import type { FileTable } from "../helpers/artifact.ts";
import { makeArtifact, makeWheel } from "../helpers/artifact.ts";
import { pythonJson } from "../helpers/peers.ts";

const MIT = "MIT License\n\nCopyright (c) 2026 Demo\n";

const meta = (extra: string, mv = "2.4"): string =>
  `Metadata-Version: ${mv}\nName: demo-pkg\nVersion: 1.0.0\nSummary: A demo\n${extra}`;

function ctxOf(artifact: DistContext["artifact"], member: string): DistContext {
  const bytes = artifact.contents.get(member) as Uint8Array;
  return { display: artifact.filename, artifact, metadataMember: member, metadata: parseMetadataFile(bytes) };
}

/** A wheel with METADATA `metadata` and extra files under `.dist-info/`. */
const wheel = (metadata: string, distInfo: FileTable = {}): Finding[] =>
  checkLicense(ctxOf(makeWheel({ metadata, distInfo }), "demo_pkg-1.0.0.dist-info/METADATA"));

/** An sdist with PKG-INFO `metadata` and extra files under the top directory. */
function sdist(metadata: string, files: FileTable = {}): Finding[] {
  const table: FileTable = { "demo_pkg-1.0.0/PKG-INFO": metadata };
  for (const [name, content] of Object.entries(files)) table[`demo_pkg-1.0.0/${name}`] = content;
  return checkLicense(
    ctxOf(makeArtifact({ filename: "demo_pkg-1.0.0.tar.gz", files: table }), "demo_pkg-1.0.0/PKG-INFO"),
  );
}

const ids = (findings: Finding[]): string[] => findings.map((f) => `${f.id}:${f.severity}`);
const of = (findings: Finding[], id: string): Finding[] => findings.filter((f) => f.id === id);

test("a PEP 639 wheel and sdist with their licence files pass every LIC check", () => {
  const text = meta(
    "License-Expression: MIT OR Apache-2.0\nLicense-File: LICENSE\nLicense-File: licenses/APACHE.txt\n",
  );
  assert.deepEqual(wheel(text, { "licenses/LICENSE": MIT, "licenses/licenses/APACHE.txt": "Apache\n" }), []);
  assert.deepEqual(sdist(text, { LICENSE: MIT, "licenses/APACHE.txt": "Apache\n" }), []);
});

test("catalogue lists LIC01–LIC10 once each with complete texts", () => {
  assert.deepEqual(
    LIC_CHECKS.map((c) => c.id),
    Array.from({ length: 10 }, (_, i) => `LIC${String(i + 1).padStart(2, "0")}`),
  );
  for (const c of LIC_CHECKS) assert.ok(c.title && c.why.length > 40 && c.fix && c.source, c.id);
});

test("LIC01 fails on an invalid SPDX expression and passes a valid one", () => {
  for (const expr of ["Nope", "(MIT", "MIT AND", "MIT WITH Nope", "DocumentRef-x:LicenseRef-y", ""]) {
    const found = of(
      wheel(meta(`License-Expression: ${expr}\nLicense-File: LICENSE\n`), { "licenses/LICENSE": MIT }),
      "LIC01",
    );
    assert.equal(found.length, 1, expr);
    assert.equal(found[0]?.severity, "error");
  }
  assert.deepEqual(of(wheel(meta("License-Expression: LicenseRef-Proprietary\n")), "LIC01"), []);
});

test("LIC02 warns on a non-canonical expression and names the canonical form", () => {
  const [f] = of(wheel(meta("License-Expression: mit or apache-2.0\n")), "LIC02");
  assert.equal(f?.severity, "warning");
  assert.match(f?.hint ?? "", /"MIT OR Apache-2\.0"/);
  assert.deepEqual(of(wheel(meta("License-Expression: MIT OR Apache-2.0\n")), "LIC02"), []);
});

test("LIC03 warns on deprecated SPDX ids and passes current ones", () => {
  assert.match(
    of(wheel(meta("License-Expression: GPL-3.0\n")), "LIC03")[0]?.message ?? "",
    /deprecated SPDX id\(s\) GPL-3\.0/,
  );
  assert.deepEqual(of(wheel(meta("License-Expression: GPL-3.0-or-later\n")), "LIC03"), []);
});

test("LIC04 fails on License-File paths packaging refuses and passes plain relative paths", () => {
  for (const path of [
    "../LICENSE",
    "/abs/LICENSE",
    "C:/LICENSE",
    "licenses\\LICENSE",
    "LICENSE*",
    "a//b",
    "./LICENSE",
  ]) {
    assert.equal(of(wheel(meta(`License-File: ${path}\n`)), "LIC04").length, 1, path);
  }
  assert.deepEqual(
    of(wheel(meta("License-File: docs/LICENSE.md\n"), { "licenses/docs/LICENSE.md": MIT }), "LIC04"),
    [],
  );
});

test("LIC04 license-file rule agrees with packaging on generated paths", () => {
  const segments = ["LICENSE", "a", ".", "..", "", "x*", "c:", "C:", "\\", "b.txt", " ", "ü", "..a", ".b"];
  const paths = new Set<string>();
  for (const a of segments)
    for (const sep of ["/", "\\", "//"]) for (const b of segments) paths.add(`${a}${sep}${b}`);
  for (const a of segments) paths.add(a);
  const list = [...paths];
  const verdicts = pythonJson<(string | null)[]>(
    `
import sys, json
from packaging.metadata import Metadata, InvalidMetadata
v = Metadata.__dict__["license_files"]
out = []
for p in json.load(sys.stdin):
    try:
        v._process_license_files([p]); out.append(None)
    except InvalidMetadata as e:
        out.append(str(e))
print(json.dumps(out))
`,
    list,
  );
  const wrong = list.flatMap((p, i) =>
    (licenseFileProblem(p) === undefined) === (verdicts[i] === null)
      ? []
      : [`${JSON.stringify(p)}: ${verdicts[i]}`],
  );
  assert.deepEqual(wrong, []);
});

test("LIC05 fails when an sdist lacks a License-File and passes when it ships it", () => {
  const text = meta("License-Expression: MIT\nLicense-File: LICENSE\n");
  const [f] = of(sdist(text), "LIC05");
  assert.equal(f?.severity, "error");
  assert.match(f?.message ?? "", /expected demo_pkg-1\.0\.0\/LICENSE/);
  assert.deepEqual(of(sdist(text, { LICENSE: MIT }), "LIC05"), []);
});

test("LIC06 fails when a wheel lacks .dist-info/licenses/<path> and passes with it", () => {
  const text = meta("License-Expression: MIT\nLicense-File: LICENSES/MIT.txt\n");
  // At the dist-info root instead of under licenses/: still missing.
  const [f] = of(wheel(text, { "LICENSES/MIT.txt": MIT }), "LIC06");
  assert.match(f?.message ?? "", /expected demo_pkg-1\.0\.0\.dist-info\/licenses\/LICENSES\/MIT\.txt/);
  assert.deepEqual(of(wheel(text, { "licenses/LICENSES/MIT.txt": MIT }), "LIC06"), []);
});

test("LIC07 warns on a licence file that is not UTF-8 and passes UTF-8 text", () => {
  const latin1 = Buffer.from("Copyright (c) Jos\xe9\n", "latin1");
  const text = meta("License-Expression: MIT\nLicense-File: LICENSE\n");
  assert.deepEqual(ids(of(wheel(text, { "licenses/LICENSE": latin1 }), "LIC07")), ["LIC07:warning"]);
  assert.deepEqual(ids(of(sdist(text, { LICENSE: latin1 }), "LIC07")), ["LIC07:warning"]);
  assert.deepEqual(of(wheel(text, { "licenses/LICENSE": "Copyright (c) José\n" }), "LIC07"), []);
});

test("LIC08 warns when no License-File is declared", () => {
  assert.deepEqual(ids(of(wheel(meta("License-Expression: MIT\n")), "LIC08")), ["LIC08:warning"]);
  assert.deepEqual(of(wheel(meta("License-File: LICENSE\n"), { "licenses/LICENSE": MIT }), "LIC08"), []);
});

test("LIC09 warns on License :: classifiers, alone or next to License-Expression", () => {
  const classifier = "Classifier: License :: OSI Approved :: MIT License\n";
  assert.match(of(wheel(meta(classifier)), "LIC09")[0]?.message ?? "", /deprecated by PEP 639/);
  assert.match(
    of(wheel(meta(`License-Expression: MIT\n${classifier}`)), "LIC09")[0]?.message ?? "",
    /next to License-Expression "MIT"/,
  );
  assert.deepEqual(of(wheel(meta("Classifier: Typing :: Typed\n")), "LIC09"), []);
});

// What poetry-core 2.5 writes for a [tool.poetry]-only project with `license = "MIT"` (the
// classifier is its own addition, package.py all_classifiers), as `uv build` made it.
const POETRY_PKG_INFO = meta(
  "License: MIT\nLicense-File: LICENSE\nRequires-Python: >=3.9,<4.0\nClassifier: License :: OSI Approved :: MIT License\nClassifier: Programming Language :: Python :: 3\nClassifier: Topic :: Utilities\nDescription-Content-Type: text/markdown\n\n# demo\n",
);
const POETRY_PYPROJECT = `[tool.poetry]
name = "demo-pkg"
version = "1.0.0"
description = "A demo"
authors = ["Jane Doe <jane@example.org>"]
license = "MIT"
classifiers = ["Topic :: Utilities"]

[tool.poetry.dependencies]
python = "^3.9"

[build-system]
requires = ["poetry-core>=1.0.0"]
build-backend = "poetry.core.masonry.api"
`;

test("LIC09 speaks poetry's language for a [tool.poetry]-only project, the same for its wheel and sdist", () => {
  const fromSdist = of(sdist(POETRY_PKG_INFO, { "pyproject.toml": POETRY_PYPROJECT, LICENSE: MIT }), "LIC09");
  const poetryWheel = makeWheel({
    metadata: POETRY_PKG_INFO,
    distInfo: { "licenses/LICENSE": MIT },
    wheel: "Wheel-Version: 1.0\nGenerator: poetry-core 2.5.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
  });
  const fromWheel = of(checkLicense(ctxOf(poetryWheel, "demo_pkg-1.0.0.dist-info/METADATA")), "LIC09");
  assert.equal(fromSdist.length, 1);
  const hint = fromSdist[0]!.hint;
  assert.match(hint, /`license = "MIT"` under \[tool\.poetry\]/);
  assert.match(hint, /\[project\] table/);
  assert.doesNotMatch(hint, /keep `project\.license`/, "no [project] table to keep anything in");
  assert.equal(fromWheel[0]?.hint, hint, "one hint, so the two findings are shown as one");
  // Classifiers listed by hand in [tool.poetry] are named too.
  const listed = POETRY_PYPROJECT.replace(
    'classifiers = ["Topic :: Utilities"]',
    'classifiers = ["License :: OSI Approved :: MIT License"]',
  );
  assert.match(
    of(sdist(POETRY_PKG_INFO, { "pyproject.toml": listed }), "LIC09")[0]?.hint ?? "",
    /Delete the `License ::` entries from \[tool\.poetry\] classifiers/,
  );
  // A [project] project (any backend) keeps the PEP 621 hint.
  const pep621 = '[project]\nname = "demo-pkg"\nversion = "1.0.0"\nlicense = {text = "MIT"}\n';
  assert.match(
    of(sdist(POETRY_PKG_INFO, { "pyproject.toml": pep621 }), "LIC09")[0]?.hint ?? "",
    /keep `project\.license` as an SPDX expression/,
  );
  assert.match(of(wheel(POETRY_PKG_INFO), "LIC09")[0]?.hint ?? "", /keep `project\.license`/);
});

test("LIC10 fails on License-Expression under 2.3 (edge case 2) and warns on License-File under 2.1 (edge case 1)", () => {
  // PyPI accepts License-File under 2.1 (six 1.17.0 ships it) because twine leaves it out of the form.
  const old = of(wheel(meta("License-File: LICENSE\n", "2.1"), { "licenses/LICENSE": MIT }), "LIC10");
  assert.deepEqual(ids(old), ["LIC10:warning"]);
  assert.match(old[0]?.message ?? "", /installers and twine ignore it/);
  const hatch = of(wheel(meta("License-Expression: MIT\n", "2.3")), "LIC10");
  assert.deepEqual(ids(hatch), ["LIC10:error"]);
  assert.match(hatch[0]?.message ?? "", /license-expression introduced in metadata version 2\.4, not 2\.3/);
  assert.deepEqual(
    of(
      wheel(meta("License-Expression: MIT\nLicense-File: LICENSE\n", "2.4"), { "licenses/LICENSE": MIT }),
      "LIC10",
    ),
    [],
  );
});

test("no LIC findings without metadata", () => {
  const artifact = makeWheel();
  assert.deepEqual(checkLicense({ display: artifact.filename, artifact }), []);
});
