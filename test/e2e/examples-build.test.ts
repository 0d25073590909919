/**
 * The example projects are real: each builds with its own PEP 517 backend (hatchling, setuptools,
 * flit_core from the peers venv, no network), and the wheel installs into a fresh venv where its
 * console script and imports run.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { peersPython } from "../helpers/peers.ts";

const examples = fileURLToPath(new URL("../../examples/", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "slipway-examples-"));
after(() => rmSync(work, { recursive: true, force: true }));

const IGNORED = /(^|[\\/])(dist|build|__pycache__|[^\\/]*\.egg-info)$/;

function run(argv: string[], cwd = work): string {
  try {
    return execFileSync(argv[0] ?? "", argv.slice(1), {
      cwd,
      encoding: "utf8",
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1", NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? "");
    throw new Error(`${argv.join(" ")} failed:\n${stderr.trim().split("\n").slice(-15).join("\n")}`);
  }
}

// Which of a project's [build-system] requires the peers venv does not satisfy; a build without
// isolation would otherwise fail deep inside the backend with an unrelated-looking error.
const MISSING_REQUIRES_PY = `
import json, sys, tomllib
from importlib.metadata import PackageNotFoundError, version
from packaging.requirements import Requirement
missing = []
for req in map(Requirement, tomllib.load(open(sys.argv[1], "rb"))["build-system"]["requires"]):
    try:
        have = version(req.name)
    except PackageNotFoundError:
        have = None
    if have is None or not req.specifier.contains(have, prereleases=True):
        missing.append(f"{req} (have {have or 'none'})")
print(json.dumps(missing))
`;

function missingBuildRequires(project: string): string[] {
  return JSON.parse(
    run([peersPython(), "-c", MISSING_REQUIRES_PY, join(project, "pyproject.toml")]),
  ) as string[];
}

interface Built {
  wheel: string;
  sdist: string;
  /** python of a fresh venv holding only the installed wheel. */
  python: string;
  bin: string;
}

/** Builds an example from a clean copy and installs its wheel, offline, into a new venv. */
function buildAndInstall(name: string): Built {
  const source = join(work, name, "src");
  const out = join(work, name, "dist");
  cpSync(join(examples, name), source, { recursive: true, filter: (path) => !IGNORED.test(path) });
  const missing = missingBuildRequires(source);
  assert.deepEqual(
    missing,
    [],
    `the peers venv cannot build examples/${name}: add to test/peers/requirements.txt`,
  );
  // `python -m build` makes the sdist, then the wheel from that sdist, as a release would.
  run([peersPython(), "-m", "build", "--no-isolation", "--outdir", out, source]);
  const files = readdirSync(out).sort();
  const wheel = files.find((f) => f.endsWith(".whl"));
  const sdist = files.find((f) => f.endsWith(".tar.gz"));
  assert.ok(wheel && sdist, `examples/${name} built ${files.join(", ")}`);
  const venv = join(work, name, "venv");
  // No pip and no system site-packages in the venv: the peers' pip installs into it.
  run([peersPython(), "-m", "venv", "--without-pip", venv]);
  const python = join(venv, "bin", "python");
  const pip = [peersPython(), "-m", "pip", "--python", python, "install", "--quiet"];
  run([...pip, "--no-index", "--no-deps", join(out, wheel)]);
  return { wheel, sdist, python, bin: join(venv, "bin") };
}

/** Builds on first use, so a failing build fails each test instead of the file's loading. */
function lazily(name: string): () => Built {
  let built: Built | undefined;
  return () => {
    built ??= buildAndInstall(name);
    return built;
  };
}

describe("examples/hatch-lib (hatchling, src layout)", () => {
  const built = lazily("hatch-lib");

  test("builds normalized sdist and wheel names", () => {
    assert.equal(built().wheel, "slipway_demo_lib-0.1.0-py3-none-any.whl");
    assert.equal(built().sdist, "slipway_demo_lib-0.1.0.tar.gz");
  });

  test("the slipway-demo console script prints the installed version", () => {
    assert.equal(run([join(built().bin, "slipway-demo")]).trim(), "slipway-demo 0.1.0");
  });

  test("imports and runs without its optional extras", () => {
    const code = "import slipway_demo_lib as m; print(m.greet('world'), m.dump({'b': 1, 'a': 2}))";
    assert.equal(run([built().python, "-c", code]).trim(), 'Hello, world! {"a": 2, "b": 1}');
  });

  test("the venv is isolated: the extras' packages are absent", () => {
    const code = "import importlib.util as u; print(u.find_spec('yaml'), u.find_spec('colorama'))";
    assert.equal(run([built().python, "-c", code]).trim(), "None None");
  });
});

describe("examples/setuptools-flat (setuptools, flat layout, dynamic version)", () => {
  const built = lazily("setuptools-flat");

  test("builds normalized sdist and wheel names with the version read from __init__.py", () => {
    assert.equal(built().wheel, "slipway_demo_flat-0.3.0-py3-none-any.whl");
    assert.equal(built().sdist, "slipway_demo_flat-0.3.0.tar.gz");
  });

  test("python -m slipway_demo_flat prints the installed version", () => {
    assert.equal(run([built().python, "-m", "slipway_demo_flat"]).trim(), "slipway-demo-flat 0.3.0");
  });

  test("imports and runs", () => {
    const code = "from slipway_demo_flat import slugify; print(slugify('Hello, World!'))";
    assert.equal(run([built().python, "-c", code]).trim(), "hello-world");
  });

  test("the installed metadata carries the PEP 639 license expression", () => {
    const code =
      "import importlib.metadata as m; print(m.metadata('slipway-demo-flat')['License-Expression'])";
    assert.equal(run([built().python, "-c", code]).trim(), "MIT");
  });
});

describe("examples/prompt-manager (flit_core, plugins, lazy extras)", () => {
  const built = lazily("prompt-manager");

  test("builds normalized sdist and wheel names", () => {
    assert.equal(built().wheel, "prompt_manager-0.1.0-py3-none-any.whl");
    assert.equal(built().sdist, "prompt_manager-0.1.0.tar.gz");
  });

  test("the console script finds the built-in plugins through their entry-point group", () => {
    // No SDK in this venv: every plugin is listed as unavailable with its install command.
    assert.deepEqual(
      run([join(built().bin, "prompt-manager"), "plugins"])
        .trim()
        .split("\n"),
      [
        'anthropic 0.1.0: unavailable, pip install "prompt-manager[anthropic]"',
        'langchain 0.1.0: unavailable, pip install "prompt-manager[langchain]"',
        'litellm 0.1.0: unavailable, pip install "prompt-manager[litellm]"',
        'openai 0.1.0: unavailable, pip install "prompt-manager[openai]"',
      ],
    );
    assert.equal(run([join(built().bin, "prompt-manager"), "--version"]).trim(), "prompt-manager 0.1.0");
  });

  test("the console script renders a prompt stored as JSON", () => {
    const code = [
      "import sys",
      "from prompt_manager import FileSystemStorage, Prompt",
      "FileSystemStorage(sys.argv[1]).save(Prompt(id='translate', template='Translate into {{language}}:\\n\\n{{text}}'))",
    ].join("\n");
    const prompts = join(work, "prompt-manager", "prompts");
    run([built().python, "-c", code, prompts]);
    assert.equal(run([join(built().bin, "prompt-manager"), "list", prompts]).trim(), "translate 1");
    const rendered = run([
      join(built().bin, "prompt-manager"),
      "render",
      prompts,
      "translate",
      "text=Bonjour",
      "language=English",
    ]);
    assert.equal(rendered.trim(), "Translate into English:\n\nBonjour");
  });

  test("integrations import lazily and name the missing extra", () => {
    const code = [
      "import sys, prompt_manager.integrations as i",
      "print(i.OpenAIIntegration.name, i.AnthropicIntegration.name)",
      "try:\n    i.LangChainIntegration()\nexcept ImportError as e:\n    print(e)",
      "print(sorted(m for m in ('openai', 'anthropic', 'langchain_core', 'litellm') if m in sys.modules))",
    ].join("\n");
    assert.equal(
      run([built().python, "-c", code]).trim(),
      'openai anthropic\nthe langchain integration needs extra packages: pip install "prompt-manager[langchain]"\n[]',
    );
  });

  test("the sdist carries the docs, examples and tests, the wheel the licence under .dist-info", () => {
    const code = [
      "import sys, tarfile, zipfile",
      "print(sorted({n.split('/')[1] for n in tarfile.open(sys.argv[1]).getnames() if '/' in n}))",
      "print([n for n in zipfile.ZipFile(sys.argv[2]).namelist() if '/licenses/' in n])",
    ].join("\n");
    const dist = join(work, "prompt-manager", "dist");
    const out = run([peersPython(), "-c", code, join(dist, built().sdist), join(dist, built().wheel)]);
    assert.equal(
      out.trim(),
      "['CHANGELOG.md', 'CONTRIBUTING.md', 'LICENSE', 'PKG-INFO', 'README.md', 'RELEASING.md', 'SECURITY.md', " +
        "'bench_example.py', 'docs', 'examples', 'pyproject.toml', 'requirements-dev.txt', 'src', 'tests']\n" +
        "['prompt_manager-0.1.0.dist-info/licenses/LICENSE']",
    );
  });

  test("ships py.typed and declares one extra per integration, yaml and all", () => {
    const code = [
      "import importlib.metadata as m, importlib.resources as r",
      "print(r.files('prompt_manager').joinpath('py.typed').is_file())",
      "print(sorted(m.metadata('prompt-manager').get_all('Provides-Extra')))",
    ].join("\n");
    assert.equal(
      run([built().python, "-c", code]).trim(),
      "True\n['all', 'anthropic', 'langchain', 'litellm', 'openai', 'yaml']",
    );
  });
});

test("every example directory is covered above", () => {
  const covered = ["hatch-lib", "prompt-manager", "setuptools-flat"];
  const present = readdirSync(examples, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  assert.deepEqual(present, covered);
});
