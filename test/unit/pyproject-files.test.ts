import assert from "node:assert/strict";
import { test } from "node:test";
import { filesToRead, licenseFileMatches, projectPath } from "../../src/core/pyproject/plan.ts";
import { parsePyproject } from "../../src/core/pyproject/toml.ts";
import { BASE, runChecks, withId } from "./pyproject-fixture.ts";

const LATIN1 = new Uint8Array([0x4c, 0x69, 0x63, 0xe9, 0x6e, 0x63, 0x65, 0x0a]);
const readme = (value: string, text = BASE): string =>
  text.replace('readme = "README.md"', `readme = ${value}`);

test("PP08 fails on a missing, non-UTF-8 or absolute readme file", () => {
  const missing = withId(runChecks(readme('"README.rst"')), "PP08");
  assert.match(missing[0]?.message ?? "", /names "README\.rst", which does not exist/);
  assert.equal(missing[0]?.location.field, "project.readme");
  const latin1 = withId(runChecks(BASE, { contents: { "README.md": LATIN1, LICENSE: "MIT\n" } }), "PP08");
  assert.match(latin1[0]?.message ?? "", /not UTF-8 \(invalid byte at offset 3\)/);
  const absolute = withId(runChecks(readme('"/etc/README.md"')), "PP08");
  assert.deepEqual(
    absolute.map((f) => f.severity),
    ["error"],
  );
  const outside = withId(runChecks(readme('"../README.md"')), "PP08");
  assert.equal(outside[0]?.severity, "warning");
});

test("PP08 fails on an unknown suffix, warns on .txt, and passes .md/.rst in any case", () => {
  const contents = {
    "README.adoc": "= x\n",
    "README.txt": "x\n",
    "docs/README.RST": "x\n",
    LICENSE: "MIT\n",
  };
  assert.deepEqual(
    withId(runChecks(readme('"README.adoc"'), { contents }), "PP08").map((f) => f.severity),
    ["error"],
  );
  assert.deepEqual(
    withId(runChecks(readme('"README.txt"'), { contents }), "PP08").map((f) => f.severity),
    ["warning"],
  );
  assert.deepEqual(withId(runChecks(readme('"./docs/README.RST"'), { contents }), "PP08"), []);
});

test("PP08 fails on malformed readme tables", () => {
  const cases: [string, RegExp][] = [
    ['{ file = "README.md", text = "x", content-type = "text/markdown" }', /has both file and text/],
    ['{ content-type = "text/markdown" }', /has neither file nor text/],
    ['{ file = "README.md" }', /has no content-type/],
    ['{ text = "x", content-type = "text/html" }', /"text\/html"/],
    ['{ text = "x", content-type = "text/markdown; variant=gfm" }', /variant "gfm"/],
    ['{ text = "x", content-type = "text/x-rst; charset=latin-1" }', /charset "latin-1"/],
    ['{ text = "x", content-type = "text/plain", encoding = "utf-8" }', /is not a readme key/],
  ];
  for (const [value, pattern] of cases) {
    const findings = withId(runChecks(readme(value)), "PP08");
    assert.equal(findings.length, 1, value);
    assert.match(findings[0]?.message ?? "", pattern, value);
  }
  assert.deepEqual(
    withId(
      runChecks(readme('{ file = "README.md", content-type = "text/markdown; charset=UTF-8; variant=GFM" }')),
      "PP08",
    ),
    [],
  );
  assert.deepEqual(
    withId(runChecks(readme('{ text = "Plain words", content-type = "text/plain" }')), "PP08"),
    [],
  );
});

test("PP10 fails on an invalid SPDX expression and warns on case and deprecated ids", () => {
  const invalid = withId(runChecks(BASE.replace('license = "MIT"', 'license = "MIT OR Foo-1.0"')), "PP10");
  assert.deepEqual(
    invalid.map((f) => f.severity),
    ["error"],
  );
  const lower = withId(runChecks(BASE.replace('license = "MIT"', 'license = "mit or apache-2.0"')), "PP10");
  assert.match(lower[0]?.message ?? "", /canonical form "MIT OR Apache-2\.0"/);
  const deprecated = withId(runChecks(BASE.replace('license = "MIT"', 'license = "GPL-3.0"')), "PP10");
  assert.deepEqual(
    deprecated.map((f) => f.severity),
    ["warning"],
  );
  assert.match(deprecated[0]?.message ?? "", /deprecated SPDX identifiers: GPL-3\.0/);
  assert.deepEqual(
    withId(
      runChecks(
        BASE.replace('license = "MIT"', 'license = "Apache-2.0 WITH LLVM-exception OR LicenseRef-Own"'),
      ),
      "PP10",
    ),
    [],
  );
});

test("PP10 fails on a license table with license-files, both keys or a missing file", () => {
  const table = withId(runChecks(BASE.replace('license = "MIT"', 'license = { file = "LICENSE" }')), "PP10");
  assert.deepEqual(
    table.map((f) => f.severity),
    ["warning", "error"],
  );
  assert.match(table[1]?.message ?? "", /PEP 639 forbids combining them/);
  const both = withId(
    runChecks(
      BASE.replace('license = "MIT"', 'license = { file = "COPYING", text = "MIT" }').replace(
        'license-files = ["LICENSE"]\n',
        "",
      ),
    ),
    "PP10",
  );
  assert.deepEqual(
    both.map((f) => f.message.replace(/^pyproject\.toml: /, "")),
    [
      "project.license uses the deprecated table form",
      "project.license has both file and text; give one",
      'project.license.file names "COPYING", which does not exist',
    ],
  );
});

test("PP11 fails on invalid patterns and on patterns matching no file", () => {
  const findings = withId(
    runChecks(
      BASE.replace(
        'license-files = ["LICENSE"]',
        'license-files = ["LICENSE", "LICEN{CS}E", "../LICENSE", "NOTICE*", "licenses\\\\MIT"]',
      ),
    ),
    "PP11",
  );
  assert.deepEqual(
    findings.map((f) => f.message.replace(/^pyproject\.toml: project\.license-files pattern /, "")),
    [
      '"LICEN{CS}E" contains "{", which glob patterns may not use',
      '"../LICENSE" contains `..`; patterns must stay inside the project',
      '"NOTICE*" matches no file',
      '"licenses\\\\MIT" uses `\\`; the path delimiter must be `/`',
    ],
  );
});

test("PP11 warns on a pattern that matches only a directory and fails on non-UTF-8 licence files", () => {
  const contents = { "README.md": "# x\n", "LICENSES/MIT.txt": LATIN1, "LICENSES/Apache-2.0.txt": "ok\n" };
  const dir = withId(
    runChecks(BASE.replace('license-files = ["LICENSE"]', 'license-files = ["LICENSES"]'), { contents }),
    "PP11",
  );
  assert.deepEqual(
    dir.map((f) => f.severity),
    ["warning"],
  );
  assert.match(dir[0]?.hint ?? "", /"LICENSES\/\*"/);
  const latin = withId(
    runChecks(BASE.replace('license-files = ["LICENSE"]', 'license-files = ["LICENSES/*"]'), { contents }),
    "PP11",
  );
  assert.deepEqual(
    latin.map((f) => f.message),
    [
      'pyproject.toml: project.license-files matches "LICENSES/MIT.txt", which is not UTF-8 (invalid byte at offset 3)',
    ],
  );
  assert.deepEqual(
    withId(runChecks(BASE.replace('license-files = ["LICENSE"]', "license-files = []")), "PP11"),
    [],
  );
});

test("filesToRead names the readme, licence files and py.typed markers, inside the project only", () => {
  const toml = BASE.replace(
    'license-files = ["LICENSE"]',
    'license-files = ["LICEN[CS]E*", "licenses/**"]',
  ).replace(
    'readme = "README.md"',
    'readme = { file = "./docs//README.md", content-type = "text/markdown" }',
  );
  const parsed = parsePyproject(toml);
  assert.ok(parsed.ok);
  const files = [
    "LICENSE",
    "LICENCE.txt",
    "licenses/a/MIT",
    "src/pkg/py.typed",
    "py.typed",
    "src/pkg/__init__.py",
    "NOTICE",
  ];
  assert.deepEqual(filesToRead(parsed.value, files), [
    "LICENCE.txt",
    "LICENSE",
    "docs/README.md",
    "licenses/a/MIT",
    "py.typed",
    "src/pkg/py.typed",
  ]);
  const escaping = parsePyproject(BASE.replace('readme = "README.md"', 'readme = "../README.md"'));
  assert.ok(escaping.ok);
  assert.ok(!filesToRead(escaping.value, []).some((p) => p.includes("..")));
  assert.deepEqual(licenseFileMatches(undefined, files), []);
  assert.equal(projectPath("a/../../b"), undefined);
  assert.equal(projectPath("a\\b/./c"), "a/b/c");
});
