import assert from "node:assert/strict";
import { test } from "node:test";
import { pythonJson } from "../helpers/peers.ts";
import { BASE, runChecks, withId } from "./pyproject-fixture.ts";

const set = (key: string, value: string, text = BASE): string => {
  const line = new RegExp(`^${key} = .*$`, "m");
  return line.test(text)
    ? text.replace(line, `${key} = ${value}`)
    : text.replace('name = "demo-pkg"', `name = "demo-pkg"\n${key} = ${value}`);
};

test("PP04 fails on a missing or invalid name and passes any valid spelling", () => {
  assert.match(
    withId(runChecks(BASE.replace('name = "demo-pkg"\n', "")), "PP04")[0]?.message ?? "",
    /has no name/,
  );
  assert.equal(withId(runChecks(set("name", '"demo pkg"')), "PP04").length, 1);
  assert.equal(withId(runChecks(set("name", '"-demo"')), "PP04").length, 1);
  assert.deepEqual(withId(runChecks(set("name", '"Demo_Pkg.Two"')), "PP04"), []);
});

test("PP05 fails on a missing or invalid version and warns on non-normalized or local ones", () => {
  const missing = withId(runChecks(BASE.replace('version = "1.0.0"\n', "")), "PP05");
  assert.match(missing[0]?.message ?? "", /has no version and does not list "version" in dynamic/);
  assert.deepEqual(
    withId(runChecks(BASE.replace('version = "1.0.0"\n', 'dynamic = ["version"]\n')), "PP05"),
    [],
  );
  const invalid = withId(runChecks(set("version", '"1.0-"')), "PP05");
  assert.deepEqual(
    invalid.map((f) => f.severity),
    ["error"],
  );
  const odd = withId(runChecks(set("version", '"v1.0-RC1"')), "PP05");
  assert.deepEqual(
    odd.map((f) => f.severity),
    ["warning"],
  );
  assert.match(odd[0]?.message ?? "", /backends write it as "1\.0rc1"/);
  const local = withId(runChecks(set("version", '"1.0+ubuntu.1"')), "PP05");
  assert.match(local[0]?.message ?? "", /local segment, which PyPI refuses/);
  assert.deepEqual(withId(runChecks(set("version", '"1!2.0.post1.dev3"')), "PP05"), []);
});

test("PP06 fails on name, unknown keys and static scalars in dynamic", () => {
  const findings = withId(
    runChecks(
      BASE.replace(
        'version = "1.0.0"',
        'version = "1.0.0"\ndynamic = ["name", "version", "home-page", "version"]',
      ),
    ),
    "PP06",
  );
  assert.deepEqual(
    findings.map((f) => [f.severity, f.message.replace(/^pyproject\.toml: project\.dynamic /, "")]),
    [
      ["error", 'lists "name", which must always be static'],
      ["error", 'lists "version", which also has a static value'],
      ["error", 'lists "home-page", which is not a [project] key'],
      ["warning", 'lists "version" twice'],
    ],
  );
});

test("PP06 warns (PEP 808) on array and table keys that are static and dynamic at once", () => {
  const findings = withId(
    runChecks(BASE.replace('version = "1.0.0"', 'version = "1.0.0"\ndynamic = ["classifiers", "readme"]')),
    "PP06",
  );
  assert.deepEqual(
    findings.map((f) => f.severity),
    ["warning", "error"],
  );
  assert.match(findings[0]?.message ?? "", /PEP 808/);
  assert.deepEqual(withId(runChecks(BASE.replace('version = "1.0.0"', 'dynamic = ["version"]')), "PP06"), []);
});

test("PP07 fails on a multi-line or over-long description", () => {
  assert.equal(withId(runChecks(set("description", '"first line\\u2028second"')), "PP07").length, 1);
  assert.equal(withId(runChecks(set("description", '"line\\rfeed"')), "PP07").length, 1);
  assert.match(
    withId(runChecks(set("description", `"${"é".repeat(513)}"`)), "PP07")[0]?.message ?? "",
    /513 characters/,
  );
  assert.deepEqual(withId(runChecks(set("description", `"${"é".repeat(512)}"`)), "PP07"), []);
});

test("PP09 fails on specifier sets PyPI refuses and passes valid ones", () => {
  for (const bad of ['">=3.6.*"', '"3.8"', '"*"', '"~=3"']) {
    assert.equal(withId(runChecks(set("requires-python", bad)), "PP09").length, 1, bad);
  }
  for (const good of ['">=3.9,<4"', '"==3.*"', '"~=3.9"', '">= 3.9 , != 3.9.1"']) {
    assert.deepEqual(withId(runChecks(set("requires-python", good)), "PP09"), [], good);
  }
});

test("PP15 fails on invalid requirements and direct references", () => {
  const findings = withId(
    runChecks(set("dependencies", '["requests>=2", "pkg @ https://example.org/pkg.whl", "bad name"]')),
    "PP15",
  );
  assert.deepEqual(
    findings.map((f) => f.location.field),
    ["project.dependencies", "project.dependencies"],
  );
  assert.match(findings[0]?.message ?? "", /direct reference .* PyPI refuses/);
  assert.match(findings[1]?.message ?? "", /invalid requirement "bad name"/);
  assert.equal(
    findings[1]?.location.line,
    BASE.split("\n").findIndex((l) => l.startsWith("dependencies")) + 1,
  );
});

test("PP15 fails on invalid or colliding extras and warns on non-normalized ones", () => {
  const extras =
    '[project.optional-dependencies]\nDev_Tools = ["pytest"]\ndev-tools = ["ruff"]\n"not valid" = ["x"]\nall = ["demo-pkg[dev-tools]"]\n';
  const findings = withId(runChecks(BASE.replace(/\[project\.optional-dependencies\][^[]*/, extras)), "PP15");
  assert.deepEqual(
    findings.map((f) => [f.severity, f.location.field]),
    [
      ["warning", "project.optional-dependencies.Dev_Tools"],
      ["error", "project.optional-dependencies.dev-tools"],
      ["error", 'project.optional-dependencies."not valid"'],
    ],
  );
});

test("PP16 fails on invalid import names, names in both keys, and warns on missing parents", () => {
  const toml = set(
    "import-names",
    '["demo_pkg", "demo_pkg.sub.deep", "class", "x; public", "demo_pkg"]',
  ).replace('name = "demo-pkg"', 'name = "demo-pkg"\nimport-namespaces = ["demo_pkg"]');
  const findings = withId(runChecks(toml), "PP16");
  const summary = findings.map((f) => `${f.severity}:${f.message.replace(/^pyproject\.toml: /, "")}`);
  assert.deepEqual(summary, [
    'error:project.import-names has "class": "class" is a Python keyword',
    'error:project.import-names has "x; public": the only option after ";" is "private"',
    'warning:project.import-names lists "demo_pkg" twice',
    'error:project.import-namespaces lists "demo_pkg", which is also in project.import-names',
    'warning:project.import-names lists "demo_pkg.sub.deep" but not its parent "demo_pkg.sub"',
  ]);
  assert.deepEqual(
    withId(runChecks(set("import-names", '["demo_pkg", "_demo_private ; private"]')), "PP16"),
    [],
  );
});

interface OracleCase {
  field: "name" | "version" | "requires_python" | "requires_dist" | "provides_extra" | "import_names";
  value: string;
}

const ORACLE: OracleCase[] = [
  ...["demo", "Demo_Pkg", "a", "_x", "x_", "x..y", "x--y", "1x", "é", "x y", "x.", "A-B.c_d", "-", "x\n"].map(
    (value): OracleCase => ({ field: "name", value }),
  ),
  ...[
    "1.0",
    "v1.0",
    "1.0.0rc1",
    "1.0-rc1",
    "1!2.0",
    "1.0+local",
    "1.0.post",
    "1.0-",
    "01.02",
    "1.0a",
    " 1.0 ",
    "1.0_0",
    "1.0.x",
    "1..0",
  ].map((value): OracleCase => ({ field: "version", value })),
  ...[
    ">=3.9",
    ">=3.6.*",
    "3.8",
    "*",
    "~=3",
    "~=3.9",
    "==3.*",
    ">= 3.9, < 4",
    ">=3.9,",
    "!=3.0.*",
    "<=3.9.*",
    "===foo",
    ">3.9; os_name == 'nt'",
  ].map((value): OracleCase => ({ field: "requires_python", value })),
  ...[
    "requests",
    "requests>=2",
    "requests (>=2)",
    "requests[security]>=2",
    "requests[Sec_Urity]",
    "pkg ; python_version<'3'",
    "pkg; os_name=='nt' and extra=='x'",
    "pkg>=1.0.*",
    "pkg~=1",
    "pkg==1.0+local",
    "pkg>=1.0+local",
    "bad name",
    "pkg; unknown_var == '1'",
    "pkg;",
    "pkg >= 1 ,",
    "-pkg",
    "pkg[",
    "pkg; python_version < '3.8' or",
    "pkg===arbitrary",
    "pkg; '3' < python_version < '4'",
  ].map((value): OracleCase => ({ field: "requires_dist", value })),
  ...["dev", "Dev_Tools", "dev tools", "-dev", "dev-", "a.b", "é"].map(
    (value): OracleCase => ({ field: "provides_extra", value }),
  ),
  ...[
    "foo",
    "foo.bar",
    "class",
    "foo; private",
    "foo ;private",
    "foo; public",
    "1foo",
    "foo.",
    "foo bar",
    "_x",
    "é",
    "foo;private ",
    "None",
    "match",
    "a.b.c",
  ].map((value): OracleCase => ({ field: "import_names", value })),
];

/** The pyproject that declares one oracle value, and the key its findings land on. */
function declare(c: OracleCase): { toml: string; key: string } {
  const v = JSON.stringify(c.value);
  switch (c.field) {
    case "name":
      return { toml: set("name", v), key: "PP04" };
    case "version":
      return { toml: set("version", v), key: "PP05" };
    case "requires_python":
      return { toml: set("requires-python", v), key: "PP09" };
    case "requires_dist":
      return { toml: set("dependencies", `[${v}]`), key: "PP15" };
    case "provides_extra":
      return { toml: BASE.replace('dev = ["pytest>=8"]', `${v} = ["pytest>=8"]`), key: "PP15" };
    case "import_names":
      return { toml: set("import-names", `[${v}]`), key: "PP16" };
  }
}

test("PP04 PP05 PP09 PP15 PP16 oracle: errors match packaging's metadata validation", () => {
  const code = `
import json, sys
from packaging.metadata import Metadata
out = []
for case in json.load(sys.stdin):
    raw = {"metadata_version": "2.5", "name": "demo", "version": "1.0"}
    multi = case["field"] in ("requires_dist", "provides_extra", "import_names")
    raw[case["field"]] = [case["value"]] if multi else case["value"]
    try:
        Metadata.from_raw(raw, validate=True)
        out.append(True)
    except Exception:
        out.append(False)
print(json.dumps(out))
`;
  const accepted = pythonJson<boolean[]>(code, ORACLE);
  const disagreements: string[] = [];
  ORACLE.forEach((c, n) => {
    const { toml, key } = declare(c);
    const errors = withId(runChecks(toml), key).filter((f) => f.severity === "error");
    if ((errors.length === 0) !== accepted[n])
      disagreements.push(`${c.field} ${JSON.stringify(c.value)}: packaging ${accepted[n]}`);
  });
  assert.deepEqual(disagreements, []);
  assert.ok(accepted.filter((a) => !a).length > 20);
});
