import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { readProject } from "../../src/adapters/project.ts";
import type { ProjectContext } from "../../src/core/checks/context.ts";
import { checkDocsSet, docFilesToRead } from "../../src/core/checks/docs-set.ts";
import { identifyLicenses } from "../../src/core/checks/license-text.ts";
import { spdxLicense } from "../../src/core/license/spdx.ts";
import { parsePyproject } from "../../src/core/pyproject/toml.ts";
import { SlipwayError } from "../../src/errors.ts";
import { peersPython } from "../helpers/peers.ts";

const enc = new TextEncoder();

function project(pyproject: string, files: Record<string, string>): ProjectContext {
  const parsed = parsePyproject(pyproject);
  assert.ok(parsed.ok);
  const contents = new Map<string, Uint8Array>(Object.entries(files).map(([p, t]) => [p, enc.encode(t)]));
  return {
    display: "pkg/pyproject.toml",
    pyprojectText: pyproject,
    pyproject: parsed.value,
    files: ["pyproject.toml", ...Object.keys(files)].sort(),
    contents,
  };
}

const PY = (license = "MIT", extra = "") =>
  `[project]\nname = "x"\nversion = "1"\nlicense = "${license}"\nreadme = "README.md"\n${extra}`;
const ids = (ctx: ProjectContext) => checkDocsSet(ctx).map((f) => f.id);

// Real licence texts, as shipped by the peers venv's own dependencies.
const sitePackages = join(dirname(dirname(peersPython())), "lib", "python3.11", "site-packages");
const licenseText = (distInfo: string, file: string) =>
  readFileSync(
    `${sitePackages}/${readdirSync(sitePackages).find((d) => d.startsWith(distInfo))}/licenses/${file}`,
    "utf8",
  );

test("a project with every document has no DOC finding; each missing one is a warning", () => {
  const mit = licenseText("attrs-", "LICENSE");
  const full = {
    "README.md": "# x",
    LICENSE: mit,
    "CHANGELOG.md": "",
    ".github/SECURITY.md": "",
    "docs/CONTRIBUTING.md": "",
  };
  assert.deepEqual(ids(project(PY(), full)), []);
  const bare = project('[project]\nname = "x"\nversion = "1"\n', { "src/x.py": "" });
  const findings = checkDocsSet(bare);
  assert.deepEqual(
    findings.map((f) => f.id),
    ["DOC01", "DOC03", "DOC04", "DOC05", "DOC06"],
  );
  assert.ok(findings.every((f) => f.severity === "warning" && f.location.file === "pkg/pyproject.toml"));
  // Other spellings and places count: COPYING, HISTORY.rst, towncrier fragments, docs/SECURITY.md.
  const other = {
    "README.rst": "",
    COPYING: mit,
    "newsfragments/1.bugfix": "",
    "docs/SECURITY.md": "",
    "CONTRIBUTING.rst": "",
  };
  assert.deepEqual(ids(project('[project]\nname = "x"\nversion = "1"\n', other)), []);
  // A nested README or SECURITY.md is not the project's.
  const nested = {
    "src/README.md": "",
    "src/SECURITY.md": "",
    LICENSE: mit,
    "CHANGES.rst": "",
    "CONTRIBUTING.md": "",
  };
  assert.deepEqual(ids(project('[project]\nname = "x"\nversion = "1"\n', nested)), ["DOC03", "DOC05"]);
});

test("[tool.slipway.check] docs names the documents required; a wrong name is a config error", () => {
  const only = PY("MIT", '[tool.slipway.check]\ndocs = ["license", "readme"]\n');
  assert.deepEqual(ids(project(only, { "README.md": "" })), ["DOC01"]);
  const none = PY("MIT", "[tool.slipway.check]\ndocs = []\n");
  assert.deepEqual(ids(project(none, { LICENSE: licenseText("bandit-", "LICENSE") })), []);
  const wrong = PY("MIT", '[tool.slipway.check]\ndocs = ["licence"]\n');
  assert.throws(
    () => checkDocsSet(project(wrong, {})),
    (e: unknown) =>
      e instanceof SlipwayError && e.code === "config" && /docs\[0\]: "licence" is not/.test(e.message),
  );
});

test("licence texts are identified from real files, and every id is an SPDX id", () => {
  const cases: [string, string, string[]][] = [
    ["attrs-", "LICENSE", ["MIT"]],
    ["bandit-", "LICENSE", ["Apache-2.0"]],
    ["idna-", "LICENSE.md", ["BSD-3-Clause"]],
    ["lazy-", "LICENSE", ["BSD-2-Clause"]],
    ["pathspec-", "LICENSE", ["MPL-2.0"]],
    ["docutils-", "licenses/gpl-3-0.txt", ["GPL-3.0"]],
    ["docutils-", "licenses/BSD-0-Clause.rst", ["0BSD"]],
    ["distlib-", "LICENSE.txt", ["PSF-2.0"]],
    ["dulwich-", "COPYING", ["GPL-2.0", "Apache-2.0"]],
  ];
  for (const [dist, file, expected] of cases) {
    const found = identifyLicenses(licenseText(dist, file));
    assert.deepEqual(found, expected, `${dist} ${file}`);
    for (const id of found) assert.ok(spdxLicense(id) ?? spdxLicense(`${id}-only`), id);
  }
  assert.deepEqual(identifyLicenses("All rights reserved."), []);
});

test("DOC02: a LICENSE that is another licence than the expression names both", () => {
  const apache = licenseText("bandit-", "LICENSE");
  const base = { "README.md": "", "CHANGELOG.md": "", "SECURITY.md": "", "CONTRIBUTING.md": "" };
  const findings = checkDocsSet(project(PY("MIT"), { ...base, LICENSE: apache }));
  assert.deepEqual(
    findings.map((f) => f.id),
    ["DOC02"],
  );
  assert.match(
    findings[0]!.message,
    /^pkg\/LICENSE is the Apache-2\.0 licence text, but \[project\] license is "MIT"$/,
  );
  assert.equal(findings[0]!.location.file, "pkg/LICENSE");
  // Matching ids, GNU -or-later ids, a dual licence with one file per licence: no finding.
  assert.deepEqual(ids(project(PY("Apache-2.0"), { ...base, LICENSE: apache })), []);
  const gpl = licenseText("docutils-", "licenses/gpl-3-0.txt");
  assert.deepEqual(ids(project(PY("GPL-3.0-or-later"), { ...base, COPYING: gpl })), []);
  assert.deepEqual(ids(project(PY("GPL-2.0-only"), { ...base, COPYING: gpl })).join(), "DOC02");
  const dual = PY("Apache-2.0 OR BSD-3-Clause", 'license-files = ["LICENSE*"]\n');
  const files = { ...base, "LICENSE.APACHE": apache, "LICENSE.BSD": licenseText("idna-", "LICENSE.md") };
  assert.deepEqual(ids(project(dual, files)), []);
  // A text slipway does not know, a LicenseRef- or an invalid expression: nothing to compare.
  assert.deepEqual(ids(project(PY("MIT"), { ...base, LICENSE: "Proprietary. All rights reserved." })), []);
  assert.deepEqual(ids(project(PY("LicenseRef-Mine"), { ...base, LICENSE: apache })), []);
  assert.deepEqual(ids(project(PY("MIT AND"), { ...base, LICENSE: apache })), []);
});

test("the files read for the checks: licence texts, the README and docs/*.md", () => {
  const files = [
    "LICENSE",
    "README.md",
    "CONTRIBUTING.md",
    "docs/a.md",
    "docs/b/c.rst",
    "src/notes.md",
    "legal/MIT.txt",
  ];
  const pyproject = { project: { "license-files": ["legal/*.txt"] } };
  assert.deepEqual(docFilesToRead(pyproject, files).sort(), [
    "LICENSE",
    "README.md",
    "docs/a.md",
    "legal/MIT.txt",
  ]);
});

test("the flagship example carries the whole documentation set, its LICENSE the MIT text", async () => {
  const root = fileURLToPath(new URL("../../examples/prompt-manager", import.meta.url));
  const ctx = await readProject(root);
  assert.deepEqual(checkDocsSet(ctx), []);
  assert.deepEqual(identifyLicenses(new TextDecoder().decode(ctx.contents.get("LICENSE"))), ["MIT"]);
  const wrong = {
    ...ctx,
    pyproject: {
      ...ctx.pyproject,
      project: { ...(ctx.pyproject?.["project"] as object), license: "BSD-3-Clause" },
    },
  };
  assert.deepEqual(
    checkDocsSet(wrong).map((f) => f.id),
    ["DOC02"],
  );
});
