import assert from "node:assert/strict";
import { test } from "node:test";
import { projectHeaders } from "../../src/core/pyproject/mapping.ts";
import { parsePyproject } from "../../src/core/pyproject/toml.ts";
import { BASE, runChecks, withId } from "./pyproject-fixture.ts";

const authors = (value: string): string =>
  BASE.replace('authors = [{ name = "Jane Doe", email = "jane@example.org" }]', `authors = ${value}`);
const messages = (toml: string, id: string): string[] =>
  withId(runChecks(toml), id).map((f) => `${f.severity}: ${f.message.replace(/^pyproject\.toml: /, "")}`);

test("PP12 fails on malformed author entries and invalid e-mails", () => {
  assert.deepEqual(
    messages(
      authors(
        '[{ name = "Doe, Jane" }, { email = "jane at example.org" }, { name = "X", url = "https://x" }, {}, "Jane", { email = "a@b.org, c@d.org" }]',
      ),
      "PP12",
    ),
    [
      'error: project.authors entry 1: name "Doe, Jane" contains a comma, which splits it into two people',
      'error: project.authors entry 2: email "jane at example.org" has no `@`: it is not an e-mail address',
      'error: project.authors entry 3: has the key "url"; only name and email are allowed',
      "error: project.authors entry 4: has neither name nor email",
      'error: project.authors entry 5: is a string; use { name = "...", email = "..." }',
      'error: project.authors entry 6: email "a@b.org, c@d.org" holds several addresses; give each its own entry',
    ],
  );
  const maintainers = BASE.replace(
    "keywords",
    'maintainers = [{ name = "J <x>", email = "j@example.org" }]\nkeywords',
  );
  assert.deepEqual(messages(maintainers, "PP12"), [
    'warning: project.maintainers entry 1: name "J <x>" has characters that must be quoted in "name <email>"',
  ]);
});

test("PP12 passes names alone, e-mails alone and internationalized addresses", () => {
  assert.deepEqual(
    messages(
      authors(
        '[{ name = "Zoë Ŝmith" }, { email = "dev@exämple.org" }, { name = "J. R. Doe", email = "jr@example.org" }]',
      ),
      "PP12",
    ),
    [],
  );
});

test("PP13 fails on unknown, deprecated and Private classifiers, and warns on licence classifiers", () => {
  const toml = BASE.replace(
    'classifiers = ["Programming Language :: Python :: 3", "Typing :: Typed"]',
    'classifiers = ["Programming Language :: Python :: 3", "Programming Language :: Python :: 3", "Framework :: Nonexistent", "Private :: Do Not Upload", "License :: OSI Approved :: MIT License", "Natural Language :: Ukranian"]',
  );
  const found = messages(toml, "PP13");
  assert.equal(found.length, 5, found.join("\n"));
  assert.match(found[0] ?? "", /^warning: .* twice/);
  assert.match(found[1] ?? "", /^error: .*"Framework :: Nonexistent", which is not a trove classifier/);
  assert.match(found[2] ?? "", /^error: .*PyPI refuses every Private :: classifier/);
  assert.match(found[3] ?? "", /^warning: .*deprecated by PEP 639 next to the licence expression/);
  assert.match(
    found[4] ?? "",
    /^error: .*deprecated classifier "Natural Language :: Ukranian"; use "Natural Language :: Ukrainian"/,
  );
});

test("PP13 on httpx's licence classifier next to its expression: no setuptools talk for hatchling, a hint that fits", () => {
  // httpx's pyproject: hatchling, license = "BSD-3-Clause", and the BSD License classifier.
  const httpx = BASE.replace(/^license = .*$/m, 'license = "BSD-3-Clause"').replace(
    'classifiers = ["Programming Language :: Python :: 3", "Typing :: Typed"]',
    'classifiers = ["License :: OSI Approved :: BSD License", "Typing :: Typed"]',
  );
  const [licence] = withId(runChecks(httpx), "PP13");
  assert.equal(
    licence?.message,
    'pyproject.toml: project.classifiers has the licence classifier "License :: OSI Approved :: BSD License", deprecated by PEP 639 next to the licence expression in project.license',
  );
  assert.equal(
    licence?.hint,
    'Remove the License :: classifiers: project.license = "BSD-3-Clause" already states the licence.',
  );
  const setuptools = httpx.replace(
    'requires = ["hatchling>=1.27"]\nbuild-backend = "hatchling.build"',
    'requires = ["setuptools>=77"]\nbuild-backend = "setuptools.build_meta"',
  );
  assert.match(
    withId(runChecks(setuptools), "PP13")[0]?.message ?? "",
    /project\.license \(setuptools refuses this\)$/,
  );
});

test("PP14 fails on long or comma labels and non-http URLs", () => {
  const urls =
    '[project.urls]\nHomepage = "https://example.org"\n"Documentation and tutorials for beginners" = "https://example.org/docs"\n"Source, code" = "https://example.org/src"\nChat = "irc://libera.chat/demo"\nIssues = "example.org/issues"\n';
  const found = messages(BASE.replace(/\[project\.urls\][^[]*/, urls), "PP14");
  assert.deepEqual(found, [
    'error: project.urls."Documentation and tutorials for beginners" has a label of 41 characters; PyPI accepts at most 32',
    'error: project.urls."Source, code" has a comma in its label, which splits "label, url" in the wrong place',
    'error: project.urls.Chat "irc://libera.chat/demo" uses the scheme "irc" (only http and https are accepted)',
    'error: project.urls.Issues "example.org/issues" has no scheme (it must start with https://)',
  ]);
  const line = withId(runChecks(BASE.replace(/\[project\.urls\][^[]*/, urls)), "PP14")[3]?.location.line;
  assert.equal(
    line,
    BASE.replace(/\[project\.urls\][^[]*/, urls)
      .split("\n")
      .findIndex((l) => l.startsWith("Issues")) + 1,
  );
});

test("PP14 passes 32-character labels and http URLs", () => {
  const urls = `[project.urls]\n"${"x".repeat(32)}" = "http://example.org/a?b=c#d"\n`;
  assert.deepEqual(messages(BASE.replace(/\[project\.urls\][^[]*/, urls), "PP14"), []);
});

test("PP18 fails on line breaks that would forge headers and warns on commas in keywords", () => {
  const toml = BASE.replace(
    'keywords = ["demo", "packaging"]',
    'keywords = ["demo, packaging", "x\\ny"]',
  ).replace('name = "Jane Doe"', 'name = "Jane\\rDoe"');
  assert.deepEqual(messages(toml, "PP18"), [
    'error: project.authors would put a line break into the Author-email header: "Jane\\rDoe <jane@example.org>"',
    'warning: project.keywords keyword "demo, packaging" contains a comma; Keywords splits it in two',
    'error: project.keywords keyword "x\\ny" would put a line break into Keywords',
  ]);
  const url = BASE.replace('Homepage = "https://example.org"', '"Home\\u2028page" = "https://example.org"');
  assert.equal(withId(runChecks(url), "PP18").length, 1);
});

test("PP18 projection maps [project] onto core metadata headers", () => {
  const parsed = parsePyproject(BASE);
  assert.ok(parsed.ok);
  const project = parsed.value["project"] as Record<string, unknown>;
  const headers = projectHeaders(project, ["LICENSE"]).map((h) => `${h.field}: ${h.value}`);
  assert.deepEqual(headers, [
    "Name: demo-pkg",
    "Version: 1.0.0",
    "Summary: A demo package",
    "Requires-Python: >=3.9",
    "License-Expression: MIT",
    "Description-Content-Type: text/markdown",
    "Keywords: demo,packaging",
    "Classifier: Programming Language :: Python :: 3",
    "Classifier: Typing :: Typed",
    "Project-URL: Homepage, https://example.org",
    "Author-email: Jane Doe <jane@example.org>",
    "Requires-Dist: requests>=2.31",
    "Requires-Dist: tomli; python_version < '3.11'",
    "Requires-Dist: pytest>=8",
    "Provides-Extra: dev",
    "License-File: LICENSE",
  ]);
});

test("EP09 fails on reserved groups, nested tables, bad names and references", () => {
  const toml = `${BASE.replace('demo = "demo_pkg.cli:main"', 'demo = "demo_pkg.cli"\n"demo tool" = "demo_pkg.cli:main"\nrun = "demo_pkg.cli:main [extra]"')}
[project.gui-scripts]
demo-gui = "demo_pkg.gui:main"

[project.entry-points.console_scripts]
other = "demo_pkg.cli:other"

[project.entry-points."demo pkg"]
x = "demo_pkg:x"

[project.entry-points."demo_pkg.plugins"]
good = "demo_pkg.plugins:Good"
bad = "demo_pkg.plugins:1bad"
nested = { inner = "x:y" }
" spaced" = "demo_pkg:x"
`;
  assert.deepEqual(messages(toml, "EP09"), [
    'error: project.scripts.demo "demo_pkg.cli" names a module without ":function"; pip refuses such scripts',
    'error: project.scripts."demo tool" is not a valid script name; use letters, digits, "_", "." and "-" only',
    "error: project.entry-points.console_scripts is forbidden; backends must refuse it",
    'error: project.entry-points."demo pkg" names the group "demo pkg", which is not a dotted identifier (^\\w+(\\.\\w+)*$)',
    'error: project.entry-points."demo_pkg.plugins".bad "demo_pkg.plugins:1bad" is not an object reference: the object part "1bad" has "1bad", not a Python identifier',
    'error: project.entry-points."demo_pkg.plugins".nested is a nested table; entry-point groups are one level deep',
    "error: project.entry-points.\"demo_pkg.plugins\".\" spaced\" is not a valid entry point name (no '=', no leading '[', no surrounding spaces)",
  ]);
});

test("EP09 passes well-formed scripts, GUI scripts and plugin groups", () => {
  const toml = `${BASE}
[project.gui-scripts]
demo-gui = "demo_pkg.gui:main"

[project.entry-points."pytest11"]
demo = "demo_pkg.plugin"
`;
  assert.deepEqual(messages(toml, "EP09"), []);
});
