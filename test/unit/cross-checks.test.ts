import assert from "node:assert/strict";
import { test } from "node:test";
import type { DistContext } from "../../src/core/checks/context.ts";
import { checkCrossArtifact, XA_CHECKS } from "../../src/core/checks/cross.ts";
import { assembleDistContext } from "../../src/core/checks/dist-context.ts";
import type { ArtifactModel } from "../../src/core/dist/artifact.ts";
import type { Finding } from "../../src/core/findings.ts";
import { makeArtifact, makeWheel } from "../helpers/artifact.ts";

const ctx = (artifact: ArtifactModel): DistContext => assembleDistContext(artifact, artifact.filename);

/** Metadata text with extra header lines before the body. */
const metadata = (headers: string[] = [], version = "1.0.0", mv = "2.4") =>
  `Metadata-Version: ${mv}\nName: demo-pkg\nVersion: ${version}\nSummary: A demo\n${headers.map((h) => `${h}\n`).join("")}Description-Content-Type: text/markdown\n\n# Demo\n`;

const wheel = (text: string, version = "1.0.0") => ctx(makeWheel({ metadata: text, version }));
const sdist = (text: string, filename = "demo_pkg-1.0.0.tar.gz", top = "demo_pkg-1.0.0") =>
  ctx(makeArtifact({ filename, files: { [`${top}/PKG-INFO`]: text, [`${top}/pyproject.toml`]: "" } }));
const only = (findings: Finding[], id: string) => findings.filter((f) => f.id === id);

test("matching sdist and wheel pass every cross-artifact check", () => {
  const text = metadata(["Requires-Dist: requests>=2", "License-Expression: MIT", "Import-Name: demo_pkg"]);
  assert.deepEqual(checkCrossArtifact([sdist(text), wheel(text)]), []);
  assert.deepEqual(checkCrossArtifact([]), []);
  assert.deepEqual(
    XA_CHECKS.map((c) => c.id),
    ["ART10", "XA01", "XA02", "XA03", "XA05"],
  );
});

test("XA01 fails on an artifact of another version, but 1.0 and 1.0.0 are one release", () => {
  const findings = checkCrossArtifact([
    sdist(metadata()),
    wheel(metadata()),
    wheel(metadata([], "1.0.1"), "1.0.1"),
  ]);
  const xa01 = only(findings, "XA01");
  assert.equal(xa01.length, 1);
  assert.match(
    xa01[0]!.message,
    /demo_pkg-1\.0\.1-py3-none-any\.whl is demo-pkg 1\.0\.1 but .* is demo-pkg 1\.0\.0/,
  );
  const zeros = checkCrossArtifact([sdist(metadata()), wheel(metadata([], "1.0"), "1.0")]);
  assert.deepEqual(only(zeros, "XA01"), []);
});

test("XA01 passes a workspace's dist/ (several projects, one version each) but not two versions of one", () => {
  // The names and versions `uv build --all` writes for a root project and two members.
  const project = (name: string, version: string) => {
    const text = metadata([], version).replace("Name: demo-pkg", `Name: ${name}`);
    const file = name.replaceAll("-", "_");
    return [
      sdist(text, `${file}-${version}.tar.gz`, `${file}-${version}`),
      ctx(makeWheel({ name: file, version, metadata: text })),
    ];
  };
  const dist = [
    ...project("acme", "0.1.0"),
    ...project("acme-cli", "2.0.1"),
    ...project("acme-core", "1.4.0"),
  ];
  assert.deepEqual(checkCrossArtifact(dist), []);
  const stale = checkCrossArtifact([...dist, ...project("acme-core", "1.3.0")]);
  assert.deepEqual(
    stale.map((f) => `${f.id} ${f.location.file}`),
    ["XA01 acme_core-1.3.0.tar.gz", "XA01 acme_core-1.3.0-py3-none-any.whl"],
  );
  assert.match(stale[0]!.message, /is acme-core 1\.3\.0 but acme_core-1\.4\.0\.tar\.gz is acme-core 1\.4\.0/);
});

test("ART10 fails on two sdists of one release", () => {
  const zip = sdist(metadata(), "demo_pkg-1.0.0.zip");
  const findings = only(checkCrossArtifact([sdist(metadata()), zip, wheel(metadata())]), "ART10");
  assert.equal(findings.length, 1);
  assert.match(findings[0]!.message, /demo_pkg-1\.0\.0\.zip is a second sdist/);
  assert.deepEqual(only(checkCrossArtifact([sdist(metadata()), wheel(metadata())]), "ART10"), []);
  const other = sdist(metadata([], "2.0.0"), "demo_pkg-2.0.0.tar.gz", "demo_pkg-2.0.0");
  assert.deepEqual(only(checkCrossArtifact([sdist(metadata()), other]), "ART10"), []);
});

test("XA02 fails when the wheel changes or adds a field the sdist does not mark Dynamic", () => {
  const changed = only(
    checkCrossArtifact([
      sdist(metadata(["Requires-Dist: a"])),
      wheel(metadata(["Requires-Dist: a", "Requires-Dist: b"])),
    ]),
    "XA02",
  );
  assert.match(
    changed[0]?.message ?? "",
    /Requires-Dist is "a", "b" but .* has "a" and does not mark it Dynamic/,
  );
  const added = only(
    checkCrossArtifact([sdist(metadata()), wheel(metadata(["Requires-Python: >=3.9"]))]),
    "XA02",
  );
  assert.match(added[0]?.message ?? "", /has no Requires-Python and does not mark it Dynamic/);
  const description = only(
    checkCrossArtifact([sdist(metadata()), wheel(metadata().replace("# Demo", "# Other demo"))]),
    "XA02",
  );
  assert.match(description[0]?.message ?? "", /Description is a \d+-character description/);
});

test("XA02 allows Dynamic fields, only warns on reordering and skips sdists older than 2.2", () => {
  const dynamic = checkCrossArtifact([
    sdist(metadata(["Dynamic: Requires-Dist", "Requires-Dist: a"])),
    wheel(metadata(["Requires-Dist: b"])),
  ]);
  assert.deepEqual(only(dynamic, "XA02"), []);
  const reordered = only(
    checkCrossArtifact([
      sdist(metadata(["Classifier: A :: B", "Classifier: C :: D"])),
      wheel(metadata(["Classifier: C :: D", "Classifier: A :: B"])),
    ]),
    "XA02",
  );
  assert.deepEqual(
    reordered.map((f) => f.severity),
    ["warning"],
  );
  const legacy = checkCrossArtifact([
    sdist(metadata([], "1.0.0", "2.1")),
    wheel(metadata(["Requires-Dist: b"])),
  ]);
  assert.deepEqual(only(legacy, "XA02"), []);
});

test("XA02 enforces append-only Dynamic fields from Metadata-Version 2.6 (PEP 808)", () => {
  const source = sdist(metadata(["Dynamic: Requires-Dist", "Requires-Dist: a"], "1.0.0", "2.6"));
  const replaced = only(
    checkCrossArtifact([source, wheel(metadata(["Requires-Dist: b"], "1.0.0", "2.6"))]),
    "XA02",
  );
  assert.match(replaced[0]?.message ?? "", /may only be appended to/);
  const appended = checkCrossArtifact([
    source,
    wheel(metadata(["Requires-Dist: a", "Requires-Dist: b"], "1.0.0", "2.6")),
  ]);
  assert.deepEqual(only(appended, "XA02"), []);
});

test("XA03 fails when Import-Name differs between artifacts", () => {
  const findings = only(
    checkCrossArtifact([
      sdist(metadata(["Import-Name: demo_pkg"], "1.0.0", "2.5")),
      wheel(metadata(["Import-Name: demo_pkg", "Import-Name: extra"], "1.0.0", "2.5")),
    ]),
    "XA03",
  );
  assert.equal(findings.length, 1);
  assert.match(findings[0]!.message, /declares Import-Name "demo_pkg", "extra" but .* declares "demo_pkg"/);
  const same = checkCrossArtifact([
    sdist(metadata(["Import-Namespace: ns", "Import-Name: ns.a"], "1.0.0", "2.5")),
    wheel(metadata(["Import-Name: ns.a", "Import-Namespace: ns"], "1.0.0", "2.5")),
  ]);
  assert.deepEqual(only(same, "XA03"), []);
});

test("XA05 lets License-Expression differ per artifact but warns when one has none", () => {
  const differing = checkCrossArtifact([
    sdist(metadata(["License-Expression: MIT"])),
    wheel(metadata(["License-Expression: MIT AND BSD-3-Clause"])),
  ]);
  assert.deepEqual(differing, []);
  const missing = only(
    checkCrossArtifact([sdist(metadata(["License-Expression: MIT"])), wheel(metadata())]),
    "XA05",
  );
  assert.equal(missing.length, 1);
  assert.match(missing[0]!.message, /declares no License-Expression but .* declares MIT/);
});
