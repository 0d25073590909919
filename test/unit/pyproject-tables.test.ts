import assert from "node:assert/strict";
import { test } from "node:test";
import { checkProject, PP_CHECKS } from "../../src/core/checks/pyproject.ts";
import { parsePyproject } from "../../src/core/pyproject/toml.ts";
import { BASE, runChecks, withId } from "./pyproject-fixture.ts";

const encode = (v: string | Uint8Array): Uint8Array =>
  typeof v === "string" ? new TextEncoder().encode(v) : v;

test("the base project passes every pyproject check", () => {
  assert.deepEqual(runChecks(BASE), []);
});

test("the catalogue lists PP01–PP18 and EP09 once each, with full texts", () => {
  const ids = PP_CHECKS.map((c) => c.id);
  assert.deepEqual(ids, [
    ...Array.from({ length: 18 }, (_, n) => `PP${String(n + 1).padStart(2, "0")}`),
    "EP09",
  ]);
  for (const info of PP_CHECKS) {
    for (const text of [info.title, info.why, info.fix, info.source]) assert.ok(text.length > 5, info.id);
  }
});

test("PP01 fails on a TOML syntax error, with line and column in the message", () => {
  const findings = runChecks(`${BASE}\n[project.urls\n`);
  assert.equal(findings.length, 1);
  assert.equal(findings[0]?.id, "PP01");
  assert.equal(findings[0]?.severity, "error");
  assert.equal(findings[0]?.location.line, BASE.split("\n").length + 1);
  assert.match(findings[0]?.message ?? "", /^pyproject\.toml:\d+:\d+: /);
});

test("PP01 fails on TOML 1.1 syntax that tomllib rejects", () => {
  const findings = runChecks(
    BASE.replace('Homepage = "https://example.org"', 'Homepage = "https://example.org"\nx = { a = 1, }'),
  );
  assert.deepEqual(
    findings.map((f) => f.id),
    ["PP01"],
  );
  assert.match(findings[0]?.message ?? "", /trailing comma in an inline table/);
});

test("PP01 fails on a file that is not UTF-8", () => {
  const bytes = new Uint8Array([...encode(BASE), 0x23, 0xff, 0x0a]);
  const parsed = parsePyproject(BASE);
  const findings = checkProject({
    display: "pyproject.toml",
    pyprojectText: BASE,
    pyproject: parsed.ok ? parsed.value : undefined,
    files: [],
    contents: new Map([["pyproject.toml", bytes]]),
  });
  assert.deepEqual(
    findings.map((f) => f.id),
    ["PP01"],
  );
  assert.match(findings[0]?.message ?? "", /not UTF-8 \(invalid byte at offset \d+\)/);
});

test("PP01 warns on a non-standard top-level table and passes [tool] and [dependency-groups]", () => {
  const findings = withId(runChecks(`${BASE}\n[tool.ruff]\nline-length = 100\n\n[poetry]\nx = 1\n`), "PP01");
  assert.deepEqual(
    findings.map((f) => [f.severity, f.location.field]),
    [["warning", "poetry"]],
  );
});

test("PP02 warns when [build-system] is missing", () => {
  const findings = withId(runChecks(BASE.replace(/\[build-system\][^[]*/, "")), "PP02");
  assert.deepEqual(
    findings.map((f) => f.severity),
    ["warning"],
  );
});

test("PP02 fails on a table without requires, bad requirements and a malformed backend", () => {
  const broken = BASE.replace(
    'requires = ["hatchling>=1.27"]\nbuild-backend = "hatchling.build"',
    'build-backend = "hatchling..build:"\nbackend-path = ["../outside", "."]',
  );
  const messages = withId(runChecks(broken), "PP02").map((f) => f.message);
  assert.equal(messages.length, 3, messages.join("\n"));
  assert.match(messages[0] ?? "", /has no requires/);
  assert.match(messages[2] ?? "", /"\.\.\/outside" is outside the project/);
  const badReq = withId(runChecks(BASE.replace('"hatchling>=1.27"', '"hatchling >= 1.27 ;"')), "PP02");
  assert.equal(badReq.length, 1);
  const badBackend = withId(runChecks(BASE.replace('"hatchling.build"', '"hatchling.build:1x"')), "PP02");
  assert.match(badBackend[0]?.message ?? "", /"1x", which is not a Python identifier/);
});

test("PP02 passes in-tree backends and the :object form", () => {
  const ok = BASE.replace(
    'build-backend = "hatchling.build"',
    'build-backend = "backend.main:Backend"\nbackend-path = ["."]',
  );
  assert.deepEqual(withId(runChecks(ok), "PP02"), []);
});

test("PP03 fails on unknown [project] keys and suggests the meant one", () => {
  const findings = withId(
    runChecks(BASE.replace('name = "demo-pkg"', 'name = "demo-pkg"\nauthor = "x"\nrequires_python = ">=3"')),
    "PP03",
  );
  assert.deepEqual(
    findings.map((f) => f.location.field),
    ["project.author", "project.requires_python"],
  );
  assert.match(findings[0]?.hint ?? "", /project\.authors/);
  assert.match(findings[1]?.hint ?? "", /project\.requires-python/);
});

test("PP03 fails on values of the wrong TOML type", () => {
  const findings = withId(
    runChecks(
      BASE.replace('keywords = ["demo", "packaging"]', 'keywords = "demo, packaging"').replace(
        'license-files = ["LICENSE"]',
        'license-files = { paths = ["LICENSE"] }',
      ),
    ),
    "PP03",
  );
  assert.deepEqual(
    findings.map((f) => f.location.field),
    ["project.license-files", "project.keywords"],
  );
  assert.match(findings[0]?.hint ?? "", /array of glob patterns/);
  const items = withId(runChecks(BASE.replace('dev = ["pytest>=8"]', 'dev = ["pytest>=8", 3]')), "PP03");
  assert.match(items[0]?.message ?? "", /"dev" is an array with non-string items/);
});

test("PP17 fails on bad group names, items, missing includes and cycles", () => {
  const groups = `[dependency-groups]
test = ["pytest", { include-group = "lint" }]
lint = [{ include-group = "test" }, "ruff>=0.5", { include-group = "docs" }]
"bad name" = ["x"]
Lint = ["y"]
weird = [{ group = "x" }]
`;
  const findings = withId(runChecks(BASE.replace(/\[dependency-groups\][^[]*/, groups)), "PP17");
  const messages = findings.map((f) => f.message).join("\n");
  assert.match(messages, /"bad name" is not a valid group name/);
  assert.match(messages, /normalizes to the same name as "lint"/);
  assert.match(messages, /includes the group "docs", which does not exist/);
  assert.match(messages, /use a requirement string or \{ include-group = "name" \}/);
  assert.match(messages, /includes itself through test → lint → test/);
});

test("PP17 passes includes across normalized names", () => {
  const groups =
    '[dependency-groups]\nTest_Suite = ["pytest"]\nall = [{ include-group = "test-suite" }, "coverage"]\n';
  assert.deepEqual(withId(runChecks(BASE.replace(/\[dependency-groups\][^[]*/, groups)), "PP17"), []);
});
