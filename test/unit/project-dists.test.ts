import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { test } from "node:test";
import type { DistContext, ProjectContext } from "../../src/core/checks/context.ts";
import { assembleDistContext } from "../../src/core/checks/dist-context.ts";
import { checkProjectAgainstDists, PROJECT_DIST_CHECKS } from "../../src/core/checks/project-dists.ts";
import type { Finding } from "../../src/core/findings.ts";
import { parsePyproject } from "../../src/core/pyproject/toml.ts";
import type { FileTable } from "../helpers/artifact.ts";
import { makeArtifact, makeWheel } from "../helpers/artifact.ts";
import { pythonJson } from "../helpers/peers.ts";
import { BASE } from "./pyproject-fixture.ts";

const README = "# Demo\n\nSome text.\n";

const METADATA = `Metadata-Version: 2.4
Name: demo-pkg
Version: 1.0.0
Summary: A demo package
Project-URL: Homepage, https://example.org
Author-email: Jane Doe <jane@example.org>
License-Expression: MIT
License-File: LICENSE
Keywords: demo,packaging
Classifier: Programming Language :: Python :: 3
Classifier: Typing :: Typed
Requires-Python: >=3.9
Requires-Dist: requests>=2.31
Requires-Dist: tomli; python_version < "3.11"
Provides-Extra: dev
Requires-Dist: pytest>=8; extra == "dev"
Description-Content-Type: text/markdown

${README}`;

const PROJECT_FILES = [
  "pyproject.toml",
  "README.md",
  "LICENSE",
  "src/demo_pkg/__init__.py",
  "src/demo_pkg/cli.py",
  "src/demo_pkg/py.typed",
  "tests/fixtures/other/__init__.py",
  "tests/fixtures/other/py.typed",
];

function project(toml = BASE, files = PROJECT_FILES): ProjectContext {
  const parsed = parsePyproject(toml);
  assert.ok(parsed.ok);
  const encode = (s: string): Uint8Array => new TextEncoder().encode(s);
  return {
    display: "pyproject.toml",
    pyprojectText: toml,
    pyproject: parsed.value,
    files,
    contents: new Map([
      ["README.md", encode(README)],
      ["LICENSE", encode("MIT License\n")],
    ]),
  };
}

function wheel(metadata = METADATA, options: { entryPoints?: string; typed?: boolean } = {}): DistContext {
  const files: FileTable = { "demo_pkg/cli.py": "def main(): ...\n" };
  if (options.typed !== false) files["demo_pkg/py.typed"] = "";
  const artifact = makeWheel({
    metadata,
    files,
    distInfo: {
      "entry_points.txt": options.entryPoints ?? "[console_scripts]\ndemo = demo_pkg.cli:main\n",
      "licenses/LICENSE": "MIT License\n",
    },
  });
  return assembleDistContext(artifact, `dist/${artifact.filename}`);
}

const summary = (findings: readonly Finding[]): string[] =>
  findings.map((f) => `${f.id} ${f.severity}: ${f.message.replace(/^dist\/\S+: /, "")}`);

test("the catalogue holds XA04 and TYP02", () => {
  assert.deepEqual(
    PROJECT_DIST_CHECKS.map((c) => c.id),
    ["XA04", "TYP02"],
  );
});

test("XA04 passes a wheel built from the current pyproject.toml", () => {
  assert.deepEqual(summary(checkProjectAgainstDists(project(), [wheel()])), []);
});

test("XA04 passes what backends legitimately rewrite", () => {
  const rewritten = METADATA.replace("Name: demo-pkg", "Name: Demo_Pkg")
    .replace("Version: 1.0.0", "Version: 1.0")
    .replace("License-Expression: MIT", "License-Expression: mit")
    .replace("Requires-Python: >=3.9", "Requires-Python: >= 3.9.0")
    .replace("Keywords: demo,packaging", "Keywords: packaging, demo")
    .replace(
      'Requires-Dist: tomli; python_version < "3.11"',
      "Requires-Dist: tomli ; (python_version<'3.11')",
    )
    .replace("Requires-Dist: requests>=2.31", "Requires-Dist: Requests (>=2.31)")
    .replace('Requires-Dist: pytest>=8; extra == "dev"', "Requires-Dist: pytest >= 8 ; extra == 'Dev'");
  const toml = BASE.replace(
    '"pytest>=8"',
    "\"pytest>=8\", \"coverage; python_version >= '3.10' or os_name == 'nt'\"",
  );
  const md = rewritten.replace(
    "Description-Content-Type",
    `Requires-Dist: coverage; (os_name == "nt" or python_version >= "3.10") and extra == "dev"\nDescription-Content-Type`,
  );
  const entryPoints = "[console_scripts]\ndemo = demo_pkg.cli : main\n";
  assert.deepEqual(summary(checkProjectAgainstDists(project(toml), [wheel(md, { entryPoints })])), []);
});

test("XA04 fails on a stale wheel: version, dependencies, extras, classifiers, URLs, licence", () => {
  const stale = METADATA.replace("Version: 1.0.0", "Version: 0.9.0")
    .replace('Requires-Dist: tomli; python_version < "3.11"\n', "Requires-Dist: click>=8\n")
    .replace("Provides-Extra: dev\n", "")
    .replace("Classifier: Typing :: Typed\n", "")
    .replace("https://example.org", "https://old.example.org")
    .replace("License-Expression: MIT", "License-Expression: Apache-2.0")
    .replace("Summary: A demo package", "Summary: An old summary");
  assert.deepEqual(summary(checkProjectAgainstDists(project(), [wheel(stale)])), [
    'XA04 error: METADATA Version is "0.9.0", but project.version is "1.0.0"',
    'XA04 error: METADATA Summary is "An old summary", but project.description is "A demo package"',
    'XA04 error: METADATA License-Expression is "Apache-2.0", but project.license is "MIT"',
    'XA04 error: METADATA Classifier lacks "Typing :: Typed", which project.classifiers declares',
    'XA04 error: METADATA Project-URL lacks "Homepage, https://example.org", which project.urls declares',
    'XA04 error: METADATA Project-URL has "Homepage, https://old.example.org", but project.urls does not declare it',
    "XA04 error: METADATA Requires-Dist lacks \"tomli; python_version < '3.11'\", which project.dependencies declares",
    'XA04 error: METADATA Requires-Dist has "click>=8", but project.dependencies does not declare it',
    'XA04 error: METADATA Provides-Extra lacks "dev", which project.optional-dependencies declares',
  ]);
});

test("XA04 fails on a different name, requires-python, readme type and missing entry point", () => {
  const other = METADATA.replace("Name: demo-pkg", "Name: demo-pkg2")
    .replace("Requires-Python: >=3.9", "Requires-Python: >=3.8")
    .replace("Description-Content-Type: text/markdown", "Description-Content-Type: text/x-rst")
    .replace("License-File: LICENSE\n", "")
    .replace("Some text.", "Other text.");
  const found = summary(
    checkProjectAgainstDists(project(), [
      wheel(other, { entryPoints: "[console_scripts]\ndemo = demo_pkg.main:run\n" }),
    ]),
  );
  assert.deepEqual(found, [
    'XA04 error: METADATA Name is "demo-pkg2", but project.name is "demo-pkg"',
    'XA04 error: METADATA Requires-Python is ">=3.8", but project.requires-python is ">=3.9"',
    'XA04 error: METADATA Description-Content-Type is "text/x-rst", but project.readme implies "text/markdown"',
    'XA04 warning: METADATA Description differs from "README.md"',
    'XA04 error: METADATA License-File lacks "LICENSE", which project.license-files declares',
    'XA04 error: demo_pkg-1.0.0.dist-info/entry_points.txt [console_scripts] lacks "demo = demo_pkg.cli:main", which project.scripts declares',
    'XA04 warning: demo_pkg-1.0.0.dist-info/entry_points.txt [console_scripts] has "demo = demo_pkg.main:run", but project.scripts does not declare it',
  ]);
});

test("XA04 in a uv workspace compares the root's own artifacts only; elsewhere every artifact", () => {
  // `uv build --all` writes the members' artifacts into the root's dist/ (see check-workspace.test.ts).
  const member = METADATA.replace("Name: demo-pkg", "Name: demo-core").replace(
    "Version: 1.0.0",
    "Version: 3.2.0",
  );
  const workspace = `${BASE}\n[tool.uv.workspace]\nmembers = ["packages/*"]\n`;
  assert.deepEqual(summary(checkProjectAgainstDists(project(workspace), [wheel(), wheel(member)])), []);
  // The root's own artifact is still compared.
  const stale = METADATA.replace("Version: 1.0.0", "Version: 0.9.0");
  assert.deepEqual(summary(checkProjectAgainstDists(project(workspace), [wheel(stale), wheel(member)])), [
    'XA04 error: METADATA Version is "0.9.0", but project.version is "1.0.0"',
  ]);
  // A single project: an artifact of another name is a stale one (a renamed project), an error.
  assert.match(
    summary(checkProjectAgainstDists(project(), [wheel(), wheel(member)])).join("\n"),
    /XA04 error: METADATA Name is "demo-core", but project\.name is "demo-pkg"/,
  );
});

test("XA04 skips dynamic keys and accepts PEP 808 additions to partial ones", () => {
  const toml = BASE.replace('version = "1.0.0"\n', 'dynamic = ["version", "dependencies", "classifiers"]\n');
  const md = METADATA.replace("Version: 1.0.0", "Version: 7.0")
    .replace("Requires-Dist: requests>=2.31\n", "Requires-Dist: requests>=2.31\nRequires-Dist: anything\n")
    .replace("Classifier: Typing :: Typed", "Classifier: Typing :: Typed\nClassifier: Framework :: Pytest");
  assert.deepEqual(summary(checkProjectAgainstDists(project(toml), [wheel(md)])), []);
  const dropped = md
    .replace("Classifier: Typing :: Typed\n", "")
    .replace("Requires-Dist: requests>=2.31\n", "");
  assert.deepEqual(summary(checkProjectAgainstDists(project(toml), [wheel(dropped)])), [
    'XA04 error: METADATA Classifier lacks "Typing :: Typed", which project.classifiers declares',
    'XA04 error: METADATA Requires-Dist lacks "requests>=2.31", which project.dependencies declares',
  ]);
});

test("XA04 warns on values a backend added for keys pyproject.toml leaves unset", () => {
  const toml = BASE.replace('keywords = ["demo", "packaging"]\n', "");
  assert.deepEqual(summary(checkProjectAgainstDists(project(toml), [wheel()])), [
    'XA04 warning: METADATA Keywords has "demo", but project.keywords is not set nor dynamic',
    'XA04 warning: METADATA Keywords has "packaging", but project.keywords is not set nor dynamic',
  ]);
});

test("XA04 compares an sdist's PKG-INFO too", () => {
  const pkgInfo = METADATA.replace("Version: 1.0.0", "Version: 1.0.1");
  const sdist = makeArtifact({
    filename: "demo_pkg-1.0.1.tar.gz",
    files: { "demo_pkg-1.0.1/PKG-INFO": pkgInfo, "demo_pkg-1.0.1/pyproject.toml": BASE },
  });
  const found = summary(
    checkProjectAgainstDists(project(), [assembleDistContext(sdist, "dist/demo_pkg-1.0.1.tar.gz")]),
  );
  assert.deepEqual(found, ['XA04 error: PKG-INFO Version is "1.0.1", but project.version is "1.0.0"']);
});

test("TYP02 fails when the wheel lacks the package's py.typed", () => {
  const findings = checkProjectAgainstDists(project(), [wheel(METADATA, { typed: false })]);
  assert.deepEqual(summary(findings), [
    "TYP02 error: lacks demo_pkg/py.typed, but the project has src/demo_pkg/py.typed",
  ]);
  assert.equal(findings[0]?.location.member, "demo_pkg/py.typed");
});

test("TYP02 passes shipped markers and ignores markers of packages the wheel does not contain", () => {
  const files = [...PROJECT_FILES, "tools/helper/py.typed", "tools/helper/run.py"];
  assert.deepEqual(summary(checkProjectAgainstDists(project(BASE, files), [wheel()])), []);
  const flat = ["pyproject.toml", "README.md", "LICENSE", "demo_pkg/cli.py", "demo_pkg/py.typed"];
  assert.deepEqual(
    summary(checkProjectAgainstDists(project(BASE, flat), [wheel(METADATA, { typed: false })])),
    ["TYP02 error: lacks demo_pkg/py.typed, but the project has demo_pkg/py.typed"],
  );
});

/** A small src-layout project; `extra` is appended to [project], `tool` after it. */
function sourceTree(pyproject: string): Record<string, string> {
  return {
    "pyproject.toml": pyproject,
    "README.md": "# Demo\n\nReal text for the description.\n",
    LICENSE: "MIT License\n\nCopyright (c) Jane Doe\n",
    "src/demo_pkg/__init__.py": '"""Demo package for slipway."""\n__version__ = "1.0.0"\n',
    "src/demo_pkg/cli.py": "def main():\n    pass\n\n\ndef gui():\n    pass\n",
    "src/demo_pkg/plugins.py": "class One:\n    pass\n",
    "src/demo_pkg/py.typed": "",
  };
}

const RICH_PROJECT = `
[project]
name = "Demo_Pkg"
version = "01.0.0"
description = "Demo for slipway"
readme = "README.md"
requires-python = ">= 3.9"
authors = [{ name = "Jane Doe", email = "jane@example.org" }, { name = "Only Name" }, { email = "only@example.org" }]
maintainers = [{ name = "M. Aintainer", email = "m@example.org" }]
keywords = ["demo", "slipway"]
classifiers = ["Programming Language :: Python :: 3", "Typing :: Typed"]
dependencies = [
  "requests >= 2.31",
  "tomli;python_version<'3.11'",
  "Typing_Extensions[Foo_Bar] (>=4.0)",
  "colorama; sys_platform == \\"win32\\" or os_name == 'nt'",
]

[project.optional-dependencies]
Dev_Tools = ["pytest>=8", "coverage[toml]; python_version >= '3.10'"]
docs = ["sphinx", "Demo_Pkg[Dev_Tools]"]

[project.urls]
Homepage = "https://example.org"
"Bug Tracker" = "https://example.org/issues"

[project.scripts]
demo = "demo_pkg.cli:main"

[project.gui-scripts]
demo-gui = "demo_pkg.cli : gui"

[project.entry-points."demo.plugins"]
one = "demo_pkg.plugins:One"
`;

const PEP639 = 'license = "mit"\nlicense-files = ["LICEN[CS]E*"]\n';

/** `hooks`: the PEP 517 hooks to call (the peers venv has no `wheel` for setuptools 65's bdist_wheel). */
const BUILDS: { backend: string; pyproject: string; hooks?: string[] }[] = [
  {
    backend: "hatchling.build",
    pyproject: `[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n${RICH_PROJECT.replace("requires-python", `${PEP639}requires-python`)}\n[tool.hatch.build.targets.wheel]\npackages = ["src/demo_pkg"]\n`,
  },
  {
    backend: "hatchling.build",
    pyproject: `[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n${RICH_PROJECT.replace('version = "01.0.0"', 'dynamic = ["version"]')}\n[tool.hatch.version]\npath = "src/demo_pkg/__init__.py"\n\n[tool.hatch.build.targets.wheel]\npackages = ["src/demo_pkg"]\n`,
  },
  {
    backend: "flit_core.buildapi",
    pyproject: `[build-system]\nrequires = ["flit_core"]\nbuild-backend = "flit_core.buildapi"\n${RICH_PROJECT.replace("requires-python", `${PEP639.replace('"mit"', '"MIT"')}requires-python`)}\n[tool.flit.module]\nname = "demo_pkg"\n`,
  },
  {
    backend: "setuptools.build_meta",
    hooks: ["sdist"],
    pyproject: `[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n${RICH_PROJECT.replace("requires-python", 'license = { text = "MIT" }\nrequires-python')}\n[tool.setuptools.packages.find]\nwhere = ["src"]\n\n[tool.setuptools.package-data]\ndemo_pkg = ["py.typed"]\n`,
  },
];

const BUILD_SCRIPT = `
import base64, json, os, subprocess, sys, tarfile, tempfile, zipfile
results = []
for proj in json.load(sys.stdin):
    with tempfile.TemporaryDirectory() as root:
        for rel, text in proj["files"].items():
            path = os.path.join(root, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
        out = os.path.join(root, "_out")
        os.makedirs(out)
        code = ("import importlib, sys; b = importlib.import_module(sys.argv[1]); "
                "[print('@@' + getattr(b, 'build_' + hook)(sys.argv[2])) for hook in sys.argv[3:]]")
        argv = [sys.executable, "-c", code, proj["backend"], out, *proj["hooks"]]
        run = subprocess.run(argv, cwd=root, capture_output=True, text=True)
        if run.returncode != 0:
            results.append({"error": run.stderr[-3000:]})
            continue
        artifacts = []
        for name in [line[2:] for line in run.stdout.splitlines() if line.startswith("@@")]:
            path = os.path.join(out, name)
            files = {}
            if name.endswith(".whl"):
                with zipfile.ZipFile(path) as z:
                    for info in z.infolist():
                        if not info.is_dir():
                            files[info.filename] = base64.b64encode(z.read(info)).decode()
            else:
                with tarfile.open(path) as t:
                    for m in t.getmembers():
                        if m.isfile():
                            files[m.name] = base64.b64encode(t.extractfile(m).read()).decode()
            artifacts.append({"filename": name, "files": files})
        results.append({"artifacts": artifacts})
print(json.dumps(results))
`;

type Built = { error: string } | { artifacts: { filename: string; files: Record<string, string> }[] };

let built: Built[] | undefined;
const buildAll = (): Built[] => {
  built ??= pythonJson<Built[]>(
    BUILD_SCRIPT,
    BUILDS.map((b) => ({
      backend: b.backend,
      hooks: b.hooks ?? ["wheel", "sdist"],
      files: sourceTree(b.pyproject),
    })),
  );
  return built;
};

function projectOf(tree: Record<string, string>): ProjectContext {
  const text = tree["pyproject.toml"] as string;
  const parsed = parsePyproject(text);
  assert.ok(parsed.ok, parsed.ok ? "" : parsed.problem.message);
  const contents = new Map(
    Object.entries(tree).map(([k, v]): [string, Uint8Array] => [k, new TextEncoder().encode(v)]),
  );
  return {
    display: "pyproject.toml",
    pyprojectText: text,
    pyproject: parsed.value,
    files: Object.keys(tree).sort(),
    contents,
  };
}

function distsOf(result: Built): DistContext[] {
  assert.ok("artifacts" in result, "error" in result ? result.error : "");
  return result.artifacts.map((a) => {
    const files: FileTable = {};
    for (const [name, b64] of Object.entries(a.files))
      files[name] = new Uint8Array(Buffer.from(b64, "base64"));
    return assembleDistContext(makeArtifact({ filename: a.filename, files }), a.filename);
  });
}

test("XA04 oracle: wheels and sdists that hatchling, flit_core and setuptools build raise no finding", () => {
  const results = buildAll();
  BUILDS.forEach((build, n) => {
    const result = results[n] as Built;
    const dists = distsOf(result);
    assert.equal(dists.length, (build.hooks ?? ["wheel", "sdist"]).length);
    const findings = checkProjectAgainstDists(projectOf(sourceTree(build.pyproject)), dists);
    assert.deepEqual(summary(findings), [], `${build.backend} #${n}`);
  });
});

test("XA04 oracle: the same real distributions fail once pyproject.toml moves on", () => {
  const results = buildAll();
  const build = BUILDS[0] as (typeof BUILDS)[number];
  const moved = build.pyproject
    .replace('version = "01.0.0"', 'version = "1.1.0"')
    .replace('"sphinx", ', '"sphinx>=7", ')
    .replace('"Typing :: Typed"', '"Typing :: Typed", "Framework :: Pytest"');
  const findings = checkProjectAgainstDists(projectOf(sourceTree(moved)), distsOf(results[0] as Built));
  const errors = findings
    .filter((f) => f.id === "XA04" && f.severity === "error")
    .map((f) => f.location.field);
  // Each of the wheel and the sdist: Version, Classifier, and Requires-Dist (missing and unexpected).
  assert.deepEqual(errors.sort(), [
    "Classifier",
    "Classifier",
    "Requires-Dist",
    "Requires-Dist",
    "Requires-Dist",
    "Requires-Dist",
    "Version",
    "Version",
  ]);
});
