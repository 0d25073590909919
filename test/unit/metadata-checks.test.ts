import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { test } from "node:test";
import type { DistContext } from "../../src/core/checks/context.ts";
import { checkMetadata, MD_CHECKS } from "../../src/core/checks/metadata.ts";
import type { Finding } from "../../src/core/findings.ts";
import { parseMetadataFile } from "../../src/core/metadata/parse.ts";
import { makeArtifact, makeWheel } from "../helpers/artifact.ts";

const WHEEL_MEMBER = "demo_pkg-1.0.0.dist-info/METADATA";

/** A wheel context whose METADATA is `metadata` (text or raw bytes). */
function wheelCtx(metadata: string | Uint8Array): DistContext {
  const artifact = makeWheel();
  const bytes = typeof metadata === "string" ? Buffer.from(metadata, "utf8") : metadata;
  artifact.contents.set(WHEEL_MEMBER, bytes);
  return {
    display: artifact.filename,
    artifact,
    metadataMember: WHEEL_MEMBER,
    metadata: parseMetadataFile(bytes),
  };
}

function sdistCtx(metadata: string): DistContext {
  const member = "demo_pkg-1.0.0/PKG-INFO";
  const artifact = makeArtifact({ filename: "demo_pkg-1.0.0.tar.gz", files: { [member]: metadata } });
  return {
    display: artifact.filename,
    artifact,
    metadataMember: member,
    metadata: parseMetadataFile(Buffer.from(metadata, "utf8")),
  };
}

/** Minimal valid metadata plus `extra` header lines (and an optional body). */
const meta = (extra = "", options: { mv?: string; body?: string } = {}): string =>
  `Metadata-Version: ${options.mv ?? "2.4"}\nName: demo-pkg\nVersion: 1.0.0\nSummary: A demo\n${extra}${
    options.body === undefined ? "" : `\n${options.body}`
  }`;

const run = (text: string | Uint8Array): Finding[] => checkMetadata(wheelCtx(text));
const of = (findings: Finding[], id: string): Finding[] => findings.filter((f) => f.id === id);
const errors = (findings: Finding[], id: string): Finding[] =>
  of(findings, id).filter((f) => f.severity === "error");
const warnings = (findings: Finding[], id: string): Finding[] =>
  of(findings, id).filter((f) => f.severity === "warning");

const RICH = meta(
  [
    "Description-Content-Type: text/markdown; charset=UTF-8; variant=GFM",
    "Keywords: release,packaging",
    "Author: Jane Doe",
    'Author-email: "Doe, Jane" <jane@example.org>, ops@example.io',
    "Maintainer-email: Ops <ops@example.io>",
    "License-Expression: MIT",
    "License-File: LICENSE",
    "Classifier: Programming Language :: Python :: 3",
    "Classifier: Typing :: Typed",
    "Requires-Python: >=3.9",
    "Requires-Dist: requests[socks]>=2.31; python_version < '3.13'",
    "Requires-Dist: pytest>=8; extra == 'tests'",
    "Requires-Dist: ruff; extra == 'dev-tools'",
    "Provides-Extra: tests",
    "Provides-Extra: dev-tools",
    "Project-URL: Homepage, https://example.org",
    "Project-URL: Source, https://github.com/example/demo",
    "Dynamic: Requires-Dist",
    "Import-Name: demo_pkg",
    "Import-Name: demo_pkg.sub; private",
    "Import-Namespace: demo_ns",
    "",
  ].join("\n"),
  { mv: "2.5", body: "# Demo\n\nText.\n" },
);

test("a complete, valid METADATA passes every MD check", () => {
  const findings = run(RICH).filter((f) => f.id !== "MD02");
  assert.deepEqual(findings, []);
  assert.deepEqual(
    run(RICH).map((f) => [f.id, f.severity]),
    [["MD02", "info"]],
  );
});

test("catalogue lists MD01–MD27 once each with complete texts", () => {
  assert.deepEqual(
    MD_CHECKS.map((c) => c.id),
    Array.from({ length: 27 }, (_, i) => `MD${String(i + 1).padStart(2, "0")}`),
  );
  for (const c of MD_CHECKS) assert.ok(c.title && c.why.length > 40 && c.fix && c.source, c.id);
});

test("no findings without metadata: the wheel/sdist checks report the missing file", () => {
  const artifact = makeWheel();
  assert.deepEqual(checkMetadata({ display: artifact.filename, artifact }), []);
});

test("MD01 fails on a header or body that is not UTF-8 and passes on UTF-8 text", () => {
  const bad = Buffer.concat([
    Buffer.from(meta("Author: Jos")),
    Buffer.from([0xe9]),
    Buffer.from("\n\nok "),
    Buffer.from([0xff]),
  ]);
  const found = errors(run(bad), "MD01");
  assert.deepEqual(
    found.map((f) => [f.location.field, f.location.line]),
    [
      ["Author", 5],
      ["Description", 7],
    ],
  );
  assert.match(
    found[0]?.message ?? "",
    /demo_pkg-1\.0\.0-py3-none-any\.whl METADATA: Author \(line 5\) is not valid UTF-8/,
  );
  assert.deepEqual(of(run(meta("Author: José Ñandú\n", { body: "naïve ✓\n" })), "MD01"), []);
});

test("MD02 fails on a missing or undefined Metadata-Version and on 2.6 for PyPI; 2.5 is an info line (edge case 3)", () => {
  assert.equal(errors(run("Name: demo\nVersion: 1.0\n"), "MD02").length, 1);
  for (const mv of ["2.0", "2.1 ", "3.0", "v2.1"])
    assert.equal(errors(run(meta("", { mv })), "MD02").length, 1, mv);
  const pypi = errors(run(meta("", { mv: "2.6" })), "MD02");
  assert.match(pypi[0]?.message ?? "", /PyPI accepts at most 2\.5/);
  // Nothing to act on with a current uploader: info (shown by --verbose), never a warning.
  const twine = of(run(meta("", { mv: "2.5" })), "MD02");
  assert.deepEqual(
    twine.map((f) => f.severity),
    ["info"],
  );
  assert.match(twine[0]?.message ?? "", /twine < 7\.0/);
  for (const mv of ["1.0", "1.2", "2.1", "2.4"]) assert.deepEqual(of(run(meta("", { mv })), "MD02"), [], mv);
});

test("MD03 fails on a missing, empty or invalid Name and passes on a valid one", () => {
  assert.equal(errors(run("Metadata-Version: 2.4\nVersion: 1.0\n"), "MD03").length, 1);
  for (const name of ["", "-bad", "bad-", "with space", "ümlaut", "a~b"]) {
    assert.equal(errors(run(`Metadata-Version: 2.4\nName: ${name}\nVersion: 1.0\n`), "MD03").length, 1, name);
  }
  assert.deepEqual(of(run("Metadata-Version: 2.4\nName: Demo.Pkg_2\nVersion: 1.0\n"), "MD03"), []);
});

test("MD04 fails on a missing or invalid Version, warns when not normalized, passes a canonical one", () => {
  assert.equal(errors(run("Metadata-Version: 2.4\nName: a\n"), "MD04").length, 1);
  assert.equal(errors(run("Metadata-Version: 2.4\nName: a\nVersion: 1.0-\n"), "MD04").length, 1);
  const warn = warnings(run("Metadata-Version: 2.4\nName: a\nVersion: 1.0-RC1\n"), "MD04");
  assert.match(warn[0]?.hint ?? "", /"1\.0rc1"/);
  assert.deepEqual(of(run("Metadata-Version: 2.4\nName: a\nVersion: 1.0rc1\n"), "MD04"), []);
});

test("MD05 fails on a repeated single-use field and passes repeated multi-use fields", () => {
  const found = errors(
    run(meta("Summary: again\nRequires-Python: >=3.9\nRequires-Python: >=3.10\n")),
    "MD05",
  );
  assert.deepEqual(found.map((f) => f.location.field).sort(), ["Requires-Python", "Summary"]);
  assert.deepEqual(
    of(run(meta("Classifier: Typing :: Typed\nClassifier: Natural Language :: English\n")), "MD05"),
    [],
  );
});

test("MD06 fails on an unknown field and on a broken line that hides real headers", () => {
  const unknown = errors(run(meta("Home-Page-2: x\n")), "MD06");
  assert.match(unknown[0]?.message ?? "", /unknown field "Home-Page-2"/);
  const hidden = errors(run(meta("oops no colon\nRequires-Dist: requests\n\nbody\n")), "MD06");
  assert.match(hidden[0]?.message ?? "", /Requires-Dist\) are lost/);
  assert.equal(warnings(run(meta("oops no colon\n")), "MD06").length, 1);
  assert.deepEqual(of(run(meta("home-page: https://example.org\n")), "MD06"), []);
});

test("MD07 fails on a field newer than Metadata-Version and passes when the version is new enough", () => {
  const found = errors(run(meta("Import-Name: demo\nDynamic: Requires-Dist\n", { mv: "2.1" })), "MD07");
  assert.deepEqual(
    found.map((f) => f.location.field),
    ["Import-Name", "Dynamic"],
  );
  assert.match(found[0]?.message ?? "", /introduced in Metadata-Version 2\.5, but the file declares 2\.1/);
  assert.deepEqual(of(run(meta("Import-Name: demo\nDynamic: Requires-Dist\n", { mv: "2.5" })), "MD07"), []);
});

test("MD08 fails on a Summary with a line break (incl. Unicode separators, edge case 16) or over 512 chars", () => {
  for (const summary of ["one\n  two", "a\u2028b", "a\x85b", "a\vb", "a\x1cb"]) {
    assert.equal(
      errors(run(`Metadata-Version: 2.4\nName: a\nVersion: 1\nSummary: ${summary}\n`), "MD08").length,
      1,
    );
  }
  assert.match(
    errors(run(`Metadata-Version: 2.4\nName: a\nVersion: 1\nSummary: ${"x".repeat(513)}\n`), "MD08")[0]
      ?.message ?? "",
    /513 characters/,
  );
  assert.deepEqual(
    of(run(`Metadata-Version: 2.4\nName: a\nVersion: 1\nSummary: ${"é".repeat(512)}\n`), "MD08"),
    [],
  );
});

test("MD09 fails on an unsupported Description-Content-Type and passes the three types", () => {
  for (const dct of [
    "text/html",
    "text/markdown; variant=gfm",
    "text/plain; charset=latin-1",
    "markdown",
    "text/markdown;;",
    "text / markdown",
  ]) {
    assert.equal(errors(run(meta(`Description-Content-Type: ${dct}\n`)), "MD09").length, 1, dct);
  }
  for (const dct of [
    "text/plain",
    "TEXT/X-RST; charset=utf-8",
    'text/markdown; variant="CommonMark"',
    "text/markdown;",
  ]) {
    assert.deepEqual(of(run(meta(`Description-Content-Type: ${dct}\n`)), "MD09"), [], dct);
  }
});

test("MD10 fails on a Description header next to a body and passes either alone", () => {
  assert.equal(errors(run(meta("Description: short\n", { body: "long\n" })), "MD10").length, 1);
  assert.deepEqual(of(run(meta("Description: short\n")), "MD10"), []);
  assert.deepEqual(of(run(meta("", { body: "long\n" })), "MD10"), []);
});

test("MD11 fails on Dynamic naming Name, Version, Dynamic or an unknown field", () => {
  for (const value of ["Name", "version", "Metadata-Version", "Dynamic", "Foo", "Requires-Dist "]) {
    assert.equal(errors(run(meta(`Dynamic: ${value}\n`)), "MD11").length, 1, value);
  }
  assert.deepEqual(of(run(meta("Dynamic: requires-dist\nDynamic: License-File\n")), "MD11"), []);
});

test("MD12 fails on an invalid Requires-Dist and on a direct URL; passes a PEP 508 requirement", () => {
  assert.equal(errors(run(meta("Requires-Dist: bad name\n")), "MD12").length, 1);
  assert.match(
    errors(run(meta("Requires-Dist: foo @ https://x.org/foo.whl\n")), "MD12")[0]?.message ?? "",
    /direct URL/,
  );
  assert.deepEqual(
    of(run(meta("Requires-Dist: requests (>=2.0)\nRequires-Dist: a[b]>=1; os_name == 'nt'\n")), "MD12"),
    [],
  );
  const marker = of(run(meta("Requires-Dist: a; sys_platform >= 'linux'\n")), "MD12");
  assert.deepEqual(
    marker.map((f) => f.severity),
    ["warning"],
  );
});

test("MD13 warns on an extra marker with no Provides-Extra and passes after normalization", () => {
  assert.equal(warnings(run(meta("Requires-Dist: pytest; extra == 'test'\n")), "MD13").length, 1);
  assert.deepEqual(
    of(run(meta("Provides-Extra: dev-tools\nRequires-Dist: ruff; extra == 'Dev_Tools'\n")), "MD13"),
    [],
  );
});

test("MD14 fails on an invalid Requires-Python (edge case 18) and passes a specifier set", () => {
  for (const value of [">=3.6.*", "3", "*", ">=3.8; python_version>'3'"]) {
    assert.equal(errors(run(meta(`Requires-Python: ${value}\n`)), "MD14").length, 1, value);
  }
  assert.deepEqual(of(run(meta("Requires-Python: >=3.9, <4\n")), "MD14"), []);
});

test("MD15 fails on an invalid extra, warns on unnormalized (edge case 17) and duplicate extras", () => {
  assert.equal(errors(run(meta("Provides-Extra: -x\n")), "MD15").length, 1);
  const unnormalized = warnings(run(meta("Provides-Extra: bye_bye\n", { mv: "2.3" })), "MD15");
  assert.match(unnormalized[0]?.message ?? "", /requires "bye-bye"/);
  assert.deepEqual(of(run(meta("Provides-Extra: bye_bye\n", { mv: "2.2" })), "MD15"), []);
  assert.equal(
    warnings(run(meta("Provides-Extra: dev\nProvides-Extra: DEV\n", { mv: "2.2" })), "MD15").length,
    1,
  );
  assert.deepEqual(of(run(meta("Provides-Extra: bye-bye\n")), "MD15"), []);
});

test("MD16 fails on the old `Name (3.4)` form (edge case 19) and URLs; passes a requirement", () => {
  assert.match(
    errors(run(meta("Provides-Dist: AnotherProject (3.4)\n")), "MD16")[0]?.message ?? "",
    /old `Name \(1\.0\)` form/,
  );
  assert.equal(errors(run(meta("Obsoletes-Dist: x @ https://x.org/x.whl\n")), "MD16").length, 1);
  assert.deepEqual(of(run(meta("Provides-Dist: AnotherProject==3.4\nObsoletes-Dist: Gorgon\n")), "MD16"), []);
});

test("MD17 fails on bad Project-URLs and warns on a URL without host", () => {
  const cases = [
    "Project-URL: Docs, https://a.org\nProject-URL: Docs, https://b.org",
    `Project-URL: ${"L".repeat(33)}, https://a.org`,
    "Project-URL: Docs, ftp://a.org",
    "Project-URL: , https://a.org",
    "Project-URL: Docs",
  ];
  for (const extra of cases) assert.equal(errors(run(meta(`${extra}\n`)), "MD17").length, 1, extra);
  assert.equal(warnings(run(meta("Project-URL: Docs, https:docs\n")), "MD17").length, 1);
  assert.deepEqual(of(run(meta(`Project-URL: ${"L".repeat(32)},https://a.org/x?y#z\n`)), "MD17"), []);
});

test("MD18 fails on a Home-page or Download-URL that is not http(s) and passes https", () => {
  assert.equal(
    errors(run(meta("Home-page: example.com\nDownload-URL: ftp://example.com/x\n")), "MD18").length,
    2,
  );
  assert.deepEqual(of(run(meta("Home-page: https://example.com\nDownload-URL: UNKNOWN\n")), "MD18"), []);
});

test("MD19 fails on addresses PyPI refuses (edge case 20) and passes RFC 5322 lists", () => {
  const bad = [
    "x [at] y",
    "a@b.org; c@d.org",
    "https://example.com",
    "Jane Doe",
    "jane@localhost",
    "Jane <jane at x.org>",
    "a@@b.org",
    '"quoted"@x.org',
    "a@b",
  ];
  for (const value of bad)
    assert.equal(errors(run(meta(`Author-email: ${value}\n`)), "MD19").length, 1, value);
  const good = [
    "Name <a@b.org>, c@d.io",
    '"Doe, Jane" <jane@x.org>, c@d.io',
    "Ä <ä@b.org>",
    "a@b.org (Comment)",
    "jane@example.org,",
  ];
  for (const value of good)
    assert.deepEqual(of(run(meta(`Maintainer-email: ${value}\n`)), "MD19"), [], value);
  assert.deepEqual(of(run(meta("Author-email: UNKNOWN\n")), "MD19"), []);
  const two = errors(run(meta("Author-email: ok@x.org, Doe, Jane <j@x.org>\n")), "MD19");
  assert.match(two[0]?.message ?? "", /"Doe" has no `@`/);
  // PyPI only judges the address: a malformed display name is a warning.
  for (const value of [
    "jane@x.org <jane@x.org>",
    "Jane [Dev] <j@x.org>",
    "Jane <j@x.org> extra",
    "Jane: <j@x.org>",
  ]) {
    const found = of(run(meta(`Author-email: ${value}\n`)), "MD19");
    assert.deepEqual(
      found.map((f) => f.severity),
      ["warning"],
      value,
    );
  }
});

test("MD20 fails on unknown, deprecated and Private :: classifiers and passes listed ones", () => {
  const found = errors(
    run(
      meta(
        "Classifier: Programming Language :: Python :: 4\nClassifier: Framework :: Django CMS :: 4.2\nClassifier: Private :: Do Not Upload\n",
      ),
    ),
    "MD20",
  );
  assert.equal(found.length, 3);
  assert.match(found[1]?.message ?? "", /deprecated; use "Framework :: Django CMS :: 5\.0"/);
  assert.match(found[2]?.message ?? "", /PyPI always refuses/);
  assert.match(errors(run(meta("Classifier: typing :: typed\n")), "MD20")[0]?.hint ?? "", /Typing :: Typed/);
  assert.deepEqual(of(run(meta("Classifier: Typing :: Typed\n")), "MD20"), []);
});

test("MD21 fails on License next to License-Expression and passes either alone", () => {
  assert.equal(errors(run(meta("License: MIT License\nLicense-Expression: MIT\n")), "MD21").length, 1);
  assert.deepEqual(of(run(meta("License-Expression: MIT\n")), "MD21"), []);
  assert.deepEqual(of(run(meta("License: UNKNOWN\nLicense-Expression: MIT\n")), "MD21"), []);
});

test("MD22 fails on two Keywords headers, warns on space-separated keywords, passes a comma list", () => {
  assert.equal(errors(run(meta("Keywords: a\nKeywords: b\n")), "MD22").length, 1);
  assert.equal(warnings(run(meta("Keywords: release packaging pypi\n")), "MD22").length, 1);
  assert.deepEqual(of(run(meta("Keywords: release tool,packaging\n")), "MD22"), []);
});

test("MD23 fails on invalid import names and warns on duplicates and missing parents", () => {
  for (const value of ["class", "pkg.1x", "pkg; Private", "pkg-name", ""]) {
    assert.equal(
      errors(run(meta(`Import-Name: ${value}\nImport-Name: other\n`, { mv: "2.5" })), "MD23").length,
      1,
      value,
    );
  }
  assert.equal(errors(run(meta("Import-Namespace:\n", { mv: "2.5" })), "MD23").length, 1);
  const both = warnings(run(meta("Import-Name: pkg\nImport-Namespace: pkg\n", { mv: "2.5" })), "MD23");
  assert.match(both[0]?.message ?? "", /both Import-Name and Import-Namespace/);
  const parent = warnings(run(meta("Import-Name: pkg.sub\n", { mv: "2.5" })), "MD23");
  assert.match(parent[0]?.message ?? "", /parent "pkg" is not/);
  assert.deepEqual(of(run(meta("Import-Name:\n", { mv: "2.5" })), "MD23"), []);
  assert.deepEqual(
    of(run(meta("Import-Namespace: ns\nImport-Name: ns.pkg ;  private\n", { mv: "2.5" })), "MD23"),
    [],
  );
});

test("MD24 warns on deprecated fields and passes current ones", () => {
  const found = warnings(run(meta("Home-page: https://x.org\nRequires: os\nLicense: MIT\n")), "MD24");
  assert.deepEqual(
    found.map((f) => f.location.field),
    ["Home-page", "Requires", "License"],
  );
  // Each hint is about its own field, not a list of every deprecated one (rich, requests: License).
  assert.match(found[0]!.hint, /^Use a Project-URL .* instead/);
  assert.match(found[2]!.hint, /^State the licence as an SPDX expression in \[project\]/);
  assert.doesNotMatch(found[2]!.hint, /Home-page|Requires-Dist/);
  assert.deepEqual(of(run(meta("License: MIT\n", { mv: "2.3" })), "MD24"), []);
  assert.deepEqual(of(run(meta("Project-URL: Homepage, https://x.org\n")), "MD24"), []);
});

test("MD25 warns on UNKNOWN placeholders and passes real values", () => {
  const found = warnings(run(meta("Home-page: UNKNOWN\nAuthor: UNKNOWN\n", { body: "UNKNOWN\n" })), "MD25");
  assert.deepEqual(
    found.map((f) => f.location.field),
    ["Home-page", "Author", "Description"],
  );
  assert.deepEqual(of(run(meta("Author: Jane\n")), "MD25"), []);
});

test("MD26 fails on a wheel with Metadata-Version 1.0 and passes an sdist or 1.1", () => {
  assert.equal(errors(run(meta("", { mv: "1.0" })), "MD26").length, 1);
  assert.deepEqual(of(checkMetadata(sdistCtx(meta("", { mv: "1.0" }))), "MD26"), []);
  assert.deepEqual(of(run(meta("", { mv: "1.1" })), "MD26"), []);
});

test("MD27 warns on folded or line-separated single-line fields (edge case 16) but not License", () => {
  const found = warnings(
    run(meta("Author: Jane\n  Injected-Header: x\nMaintainer: Joe\u2028Evil: 1\n")),
    "MD27",
  );
  assert.deepEqual(
    found.map((f) => f.location.field),
    ["Author", "Maintainer"],
  );
  assert.deepEqual(of(run(meta("License: line one\n        line two\n", { mv: "2.3" })), "MD27"), []);
});

test("edge case 15: a folded legacy Description header is kept raw and is not an MD27 finding", () => {
  const text =
    "Metadata-Version: 2.1\nName: a\nVersion: 1\nDescription: Title\n       |\n       |Text\n        old style\n";
  const ctx = wheelCtx(text);
  assert.equal(
    ctx.metadata?.fields.get("description")?.[0],
    "Title\n       |\n       |Text\n        old style",
  );
  assert.deepEqual(of(checkMetadata(ctx), "MD27"), []);
});

test("findings point at the artifact, member, field and line", () => {
  const [f] = errors(run(meta("Requires-Python: >=3.6.*\n")), "MD14");
  assert.deepEqual(f?.location, {
    file: "demo_pkg-1.0.0-py3-none-any.whl",
    member: WHEEL_MEMBER,
    field: "Requires-Python",
    line: 5,
  });
  assert.match(
    f?.message ?? "",
    /^demo_pkg-1\.0\.0-py3-none-any\.whl METADATA: Requires-Python ">=3\.6\.\*" is not a valid specifier set/,
  );
  const sdist = checkMetadata(sdistCtx("Metadata-Version: 2.2\nName: a\n"));
  assert.match(
    errors(sdist, "MD04")[0]?.message ?? "",
    /^demo_pkg-1\.0\.0\.tar\.gz PKG-INFO: has no Version field/,
  );
});
