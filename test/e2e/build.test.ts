/**
 * `slipway build` for real: real backends (setuptools, hatchling, flit-core, pdm-backend,
 * poetry-core and in-tree ones) installed by real pip from the offline wheelhouse into real
 * cached virtualenvs; results checked with twine, `sha256sum -c` and a pip install into a fresh
 * venv. Nothing reaches beyond this machine.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { after, describe, test } from "node:test";
import { HookError } from "../../src/adapters/python/hooks.ts";
import { MANIFEST_FILE, SUMS_FILE } from "../../src/core/build/output.ts";
import { normalizeName } from "../../src/core/names/name.ts";
import { SlipwayError } from "../../src/errors.ts";
import { buildProjects, COMMIT_DATE, REPO as repo } from "../helpers/build-project.ts";
import { jsonLines, reportOf } from "../helpers/json-lines.ts";
import { peersPython } from "../helpers/peers.ts";
import { wheelhouse } from "../helpers/wheelhouse.ts";

const work = mkdtempSync(join(tmpdir(), "slipway-build-"));
after(() => rmSync(work, { recursive: true, force: true }));
const { env, project, run } = buildProjects(work);
// slipway's pip ignores PIP_* and pip.conf: the wheelhouse is passed as python -m build cannot.
const offline = ["--find-links", wheelhouse(), "--no-index"];

function sh(argv: string[], cwd = work): string {
  return execFileSync(argv[0]!, argv.slice(1), {
    cwd,
    encoding: "utf8",
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
}

const twine = () => join(dirname(peersPython()), "twine");

/** Installs the wheel into a fresh venv (no index) and returns the venv's python. */
function installInFreshVenv(wheel: string): string {
  const venv = mkdtempSync(join(work, "venv-"));
  sh([peersPython(), "-m", "venv", venv]);
  const python = join(venv, "bin", "python");
  sh([python, "-m", "pip", "install", "--no-index", "--no-deps", "--quiet", wheel]);
  return python;
}

describe("the examples build with isolation, pass check and twine, and install", () => {
  const cases = [
    { dir: "examples/hatch-lib", module: "slipway_demo_lib", script: "slipway-demo", backend: "hatchling" },
    { dir: "examples/setuptools-flat", module: "slipway_demo_flat", backend: "setuptools" },
    {
      dir: "examples/prompt-manager",
      module: "prompt_manager",
      script: "prompt-manager",
      backend: "flit_core",
    },
  ];
  for (const c of cases) {
    test(c.dir, async () => {
      const dir = project(c.dir);
      const { report } = await run(dir);
      assert.equal(report.ok, true);
      const out = join(dir, "dist");
      const files = readdirSync(out).sort();
      assert.equal(files.filter((f) => f.endsWith(".whl")).length, 1, files.join(" "));
      assert.equal(files.filter((f) => f.endsWith(".tar.gz")).length, 1, files.join(" "));
      assert.ok(files.includes(SUMS_FILE) && files.includes(MANIFEST_FILE));
      assert.ok(!files.some((f) => f.endsWith(".tmp")), "no temp files left");
      // The sums file is the real `sha256sum -c` format.
      assert.match(
        sh(["sha256sum", "-c", SUMS_FILE], out),
        /\.whl: OK\n.*\.tar\.gz: OK|\.tar\.gz: OK\n.*\.whl: OK/s,
      );
      const manifest = JSON.parse(readFileSync(join(out, MANIFEST_FILE), "utf8"));
      assert.equal(normalizeName(manifest.backend.distribution), normalizeName(c.backend));
      assert.equal(manifest.isolation, true);
      assert.equal(manifest.wheelFrom, "sdist");
      assert.deepEqual(
        manifest.artifacts.map((a: { filename: string }) => a.filename).sort(),
        files.filter((f) => /\.(whl|tar\.gz)$/.test(f)),
      );
      assert.equal(report.check?.errors, 0);
      const dists = files.filter((f) => /\.(whl|tar\.gz)$/.test(f)).map((f) => join(out, f));
      sh([twine(), "check", "--strict", ...dists]);
      const python = installInFreshVenv(dists.find((d) => d.endsWith(".whl"))!);
      sh([python, "-c", `import ${c.module}`]);
      if (c.script) sh([join(dirname(python), c.script), "--help"]);
    });
  }
});

describe("without isolation, the chosen interpreter's backends build", () => {
  for (const dir of ["examples/hatch-lib", "examples/setuptools-flat", "examples/prompt-manager"]) {
    test(dir, async () => {
      const copy = project(dir);
      const { report, events } = await run(copy, { isolation: false });
      assert.equal(report.ok, true);
      assert.equal(report.manifest.isolation, false);
      assert.equal(events.filter((e) => e.type === "env").length, 0, "no environment is made");
      assert.equal(readdirSync(join(copy, "dist")).filter((f) => /\.(whl|tar\.gz)$/.test(f)).length, 2);
    });
  }

  test("a missing build requirement is named before the backend runs", async () => {
    const dir = project("test/fixtures/build/pdm-lib");
    await assert.rejects(run(dir, { isolation: false }), (error: unknown) => {
      assert.ok(error instanceof SlipwayError);
      assert.match(error.message, /lacks build requirements: pdm-backend.*not installed/);
      assert.match(error.hint ?? "", /pip install/);
      return true;
    });
    assert.equal(existsSync(join(dir, "dist")), false);
  });
});

describe("every backend builds its fixture", () => {
  const cases = [
    ["test/fixtures/build/pdm-lib", "pdm-backend"],
    ["test/fixtures/build/poetry-lib", "poetry-core"],
    ["test/fixtures/build/intree-backend", "flit_core"],
    ["test/fixtures/build/no-build-system", "setuptools"],
  ] as const;
  for (const [dir, backend] of cases) {
    test(`${basename(dir)} (${backend})`, async () => {
      const copy = project(dir);
      const { report, events } = await run(copy);
      assert.equal(
        report.ok,
        true,
        JSON.stringify(report.check?.findings.filter((f) => f.severity === "error")),
      );
      assert.equal(report.artifacts.length, 2);
      if (basename(dir) === "no-build-system") {
        assert.equal(report.manifest.backend.spec, "setuptools.build_meta:__legacy__");
        const legacy = { kind: "legacy-backend", project: ".", backend: "setuptools.build_meta:__legacy__" };
        assert.deepEqual(report.warnings, [legacy, { kind: "no-source-date-epoch" }]);
        assert.deepEqual(
          events.filter((e) => e.type === "warning"),
          report.warnings.map((w) => ({ type: "warning", ...w })),
          "each warning is an event as it happens",
        );
      }
      const wheel = report.artifacts.find((a) => a.kind === "wheel")!;
      sh([twine(), "check", "--strict", ...report.artifacts.map((a) => a.path)]);
      installInFreshVenv(wheel.path);
    });
  }
});

describe("reproducible builds", () => {
  test("two builds of the same commit are byte-identical, with SOURCE_DATE_EPOCH from the commit", async () => {
    // pdm-backend and setuptools stamp the sdist's gzip header with the current time: not here.
    for (const dir of ["examples/hatch-lib", "examples/prompt-manager", "test/fixtures/build/poetry-lib"]) {
      const copy = project(dir, { git: true });
      const first = await run(copy, { outDir: join(copy, "out1") });
      const second = await run(copy, { outDir: join(copy, "out2") });
      assert.equal(first.report.manifest.sourceDateEpoch, Date.parse(COMMIT_DATE) / 1000);
      assert.equal(first.report.manifest.git?.dirty, false);
      assert.deepEqual(
        first.report.artifacts.map((a) => a.sha256),
        second.report.artifacts.map((a) => a.sha256),
        `${dir} is not reproducible`,
      );
    }
  });

  test("--verify-reproducible passes a reproducible project", async () => {
    const { report } = await run(project("examples/prompt-manager", { git: true }), {
      verifyReproducible: true,
    });
    assert.equal(report.ok, true);
    assert.equal(report.reproducible?.identical, true);
  });

  test("--verify-reproducible names the member whose content differs, and writes nothing", async () => {
    const dir = project("test/fixtures/build/unreproducible", { git: true });
    const { report } = await run(dir, { verifyReproducible: true });
    assert.equal(report.ok, false);
    assert.equal(report.reproducible?.identical, false);
    const lines = report.reproducible!.artifacts.flatMap((a) => a.differences).join("\n");
    assert.match(lines, /_stamp\.py.*content differs/);
    assert.equal(existsSync(join(dir, "dist")), false);
  });
});

describe("failures are clear and leave dist/ empty", () => {
  test("a backend that raises: its output and a command to reproduce", async () => {
    const dir = project("test/fixtures/build/broken-backend");
    await assert.rejects(run(dir), (error: unknown) => {
      assert.ok(error instanceof HookError, String(error));
      assert.equal(error.kind, "hook-failed");
      assert.match(error.message, /failed in build_sdist: RuntimeError: fixture backend failure/);
      assert.ok(error.output.some((l) => /fixture backend failure/.test(l)));
      assert.match(error.command, /build_sdist\(/);
      return true;
    });
    assert.equal(existsSync(join(dir, "dist")), false);
  });

  test("a backend module that does not exist", async () => {
    const dir = project("test/fixtures/build/missing-backend-module");
    await assert.rejects(run(dir), (error: unknown) => {
      assert.ok(error instanceof HookError);
      assert.equal(error.kind, "backend-unavailable");
      assert.match(error.message, /cannot import the build backend no_such_backend_module/);
      return true;
    });
  });

  test("a requirement pip cannot install names the index it tried", async () => {
    const dir = project("test/fixtures/build/missing-requirement");
    await assert.rejects(run(dir), (error: unknown) => {
      assert.ok(error instanceof SlipwayError);
      assert.match(
        error.message,
        /could not install the build requirements .*slipway-no-such-package-xyz==1\.0 \(no index, find-links /,
      );
      return true;
    });
    assert.equal(existsSync(join(dir, "dist")), false);
  });

  test("a syntax error in pyproject.toml names the line", async () => {
    const dir = project("test/fixtures/build/bad-pyproject");
    await assert.rejects(run(dir), (error: unknown) => {
      assert.ok(error instanceof SlipwayError);
      assert.equal(error.code, "config");
      assert.match(error.message, /pyproject\.toml:\d+:\d+: invalid TOML/);
      return true;
    });
  });

  test("a Python that does not exist", async () => {
    const dir = project("examples/prompt-manager");
    await assert.rejects(
      run(dir, { python: join(work, "no-such-python") }),
      /Python interpreter ".*no-such-python" not found/,
    );
  });

  test("no Python on PATH, and a Python too old, each say what to do", async () => {
    const dir = project("examples/prompt-manager");
    const bin = mkdtempSync(join(work, "bin-"));
    const noPython = { ...env, PATH: bin };
    await assert.rejects(run(dir, { env: noPython, python: undefined }), (error: unknown) => {
      assert.ok(error instanceof SlipwayError);
      assert.match(error.message, /no Python interpreter found on PATH/);
      assert.match(error.hint ?? "", /--python/);
      return true;
    });
    // Python 3.8 cannot run here; a stand-in answers the probe as 3.8 would.
    writeFileSync(
      join(bin, "python3"),
      `#!/bin/sh\necho '{"executable": "${bin}/python3", "version": "3.8.18", "versionInfo": [3, 8, 18], "implementation": "CPython"}'\n`,
      { mode: 0o755 },
    );
    await assert.rejects(
      run(dir, { env: noPython, python: undefined }),
      /no Python 3\.9 or newer on PATH; found only .*python3 \(3\.8\.18\)/,
    );
    await assert.rejects(
      run(dir, { env: noPython, python: join(bin, "python3") }),
      /is Python 3\.8\.18; building needs Python 3\.9 or newer/,
    );
    assert.equal(existsSync(join(dir, "dist")), false);
  });

  test("artifacts of another version in the output dir are refused unless --clean", async () => {
    const dir = project("examples/prompt-manager");
    mkdirSync(join(dir, "dist"));
    writeFileSync(join(dir, "dist", "prompt_manager-0.0.9.tar.gz"), "old");
    await assert.rejects(run(dir), /already holds prompt_manager-0\.0\.9\.tar\.gz/);
    assert.deepEqual(readdirSync(join(dir, "dist")), ["prompt_manager-0.0.9.tar.gz"]);
    const { report } = await run(dir, { clean: true });
    assert.equal(report.ok, true);
    assert.ok(!readdirSync(join(dir, "dist")).includes("prompt_manager-0.0.9.tar.gz"));
  });

  test("a dirty tree warns; --require-clean refuses it", async () => {
    const dir = project("examples/prompt-manager", { git: true });
    writeFileSync(join(dir, "README.md"), `${readFileSync(join(dir, "README.md"), "utf8")}\nmore\n`);
    const { report, events } = await run(dir, { check: false });
    const commit = execFileSync("git", ["rev-parse", "HEAD"], { cwd: dir, encoding: "utf8" }).trim();
    const dirty = { kind: "uncommitted-changes", changes: ["M README.md"], count: 1, commit };
    assert.deepEqual(report.warnings, [dirty]);
    assert.deepEqual(
      events.filter((e) => e.type === "warning"),
      [{ type: "warning", ...dirty }],
    );
    assert.equal(report.manifest.git?.dirty, true);
    await assert.rejects(run(dir, { requireClean: true, outDir: join(dir, "other") }), /uncommitted changes/);
    assert.equal(existsSync(join(dir, "other")), false);
  });
});

describe("the build-environment cache", () => {
  test("a second build reuses the environment; concurrent builds both succeed", async () => {
    const cache = join(work, "fresh-cache");
    const fresh = { ...env, SLIPWAY_CACHE_DIR: cache };
    const dir = project("examples/hatch-lib");
    const [a, b] = await Promise.all([
      run(dir, { env: fresh, outDir: join(dir, "a"), check: false }),
      run(dir, { env: fresh, outDir: join(dir, "b"), check: false }),
    ]);
    assert.equal(a.report.ok && b.report.ok, true);
    // One environment for both (same requirements), and no half-made copy left behind.
    const entries = readdirSync(join(cache, "build-envs"));
    assert.equal(entries.filter((n) => !n.startsWith(".")).length, 1, entries.join(" "));
    assert.deepEqual(
      entries.filter((n) => n.startsWith(".")),
      [],
    );
    const again = await run(dir, { env: fresh, outDir: join(dir, "c"), check: false });
    const reused = again.events
      .filter((e) => e.type === "env")
      .map((e) => (e.type === "env" ? e.reused : undefined));
    assert.deepEqual(reused, [true, true]);
  });

  test("a corrupted cached environment is made again", async () => {
    const cache = join(work, "heal-cache");
    const fresh = { ...env, SLIPWAY_CACHE_DIR: cache };
    const dir = project("examples/prompt-manager");
    await run(dir, { env: fresh, outDir: join(dir, "a"), check: false, wheel: true });
    const [key] = readdirSync(join(cache, "build-envs")).filter((n) => !n.startsWith("."));
    // Break the backend inside the environment, keeping its stamp.
    const site = join(cache, "build-envs", key!, "lib");
    const pyDir = readdirSync(site)[0]!;
    rmSync(join(site, pyDir, "site-packages", "flit_core"), { recursive: true });
    const { report, events } = await run(dir, {
      env: fresh,
      outDir: join(dir, "b"),
      check: false,
      wheel: true,
    });
    assert.equal(report.ok, true);
    assert.deepEqual(
      events.filter((e) => e.type === "env").map((e) => (e.type === "env" ? e.reused : undefined)),
      [true, false],
    );
  });
});

describe("the CLI", () => {
  const cli = join(repo, "dist", "cli.js");
  test("--help has examples", () => {
    const r = spawnSync(process.execPath, [cli, "build", "--help"], { encoding: "utf8" });
    assert.equal(r.status, 0);
    assert.match(r.stdout, /Examples:\n {2}slipway build/);
  });

  test("a failing backend shows its output tail and the command to reproduce it", () => {
    const dir = project("test/fixtures/build/broken-backend");
    const r = spawnSync(process.execPath, [cli, "build", "--python", peersPython(), ...offline], {
      cwd: dir,
      encoding: "utf8",
      env: { ...env, NO_COLOR: "1" },
    });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /last \d+ lines of the backend's output/);
    assert.match(r.stderr, /fixture backend failure/);
    assert.match(r.stderr, /\nreproduce: cd .* && .*python.* -c /);
    assert.equal(existsSync(join(dir, "dist")), false);
  });

  test("--json of a failing backend: the phases, then an error line with the command and the output tail", () => {
    const dir = project("test/fixtures/build/broken-backend");
    const r = spawnSync(process.execPath, [cli, "build", "--json", "--python", peersPython(), ...offline], {
      cwd: dir,
      encoding: "utf8",
      env: { ...env, NO_COLOR: "1" },
    });
    assert.equal(r.status, 1);
    const lines = jsonLines(r.stdout);
    assert.deepEqual(
      lines.filter((l) => l.type === "phase"),
      [
        { type: "phase", phase: "prepare" },
        { type: "phase", phase: "sdist" },
      ],
    );
    assert.ok(
      lines.some((l) => l.type === "warning" && l["kind"] === "no-source-date-epoch"),
      "no git commit here, so no SOURCE_DATE_EPOCH",
    );
    const last = lines.at(-1)!;
    assert.equal(last.type, "error");
    assert.equal(last["exit"], 1);
    assert.match(String(last["command"]), /^cd .* && .*python.* -c /);
    assert.ok((last["output"] as string[]).some((l) => /fixture backend failure/.test(l)));
    assert.equal(lines.filter((l) => l.type === "report").length, 0, "no report: the build did not finish");
  });

  test("plain progress lines in CI, then the artifacts", () => {
    const dir = project("examples/prompt-manager");
    const r = spawnSync(process.execPath, [cli, "build", "--python", peersPython(), ...offline], {
      cwd: dir,
      encoding: "utf8",
      env: { ...env, CI: "true", NO_COLOR: "1" },
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /^slipway build: building the sdist$/m);
    assert.match(r.stderr, /^slipway build: building the wheel from the sdist$/m);
    assert.match(r.stdout, /built 2 artifacts in/);
    assert.doesNotMatch(r.stderr, /\u001b\[/, "no terminal control codes in CI");
  });

  test("--json: each event a line as the build goes, the report last; the warnings worded on stderr", () => {
    const dir = project("examples/prompt-manager", { git: true });
    writeFileSync(join(dir, "README.md"), `${readFileSync(join(dir, "README.md"), "utf8")}\nmore\n`);
    const r = spawnSync(
      process.execPath,
      [cli, "build", "--json", "--python", peersPython(), "--out", "out", ...offline],
      { cwd: dir, encoding: "utf8", env: { ...env, CI: "true", NO_COLOR: "1" } },
    );
    assert.equal(r.status, 0, r.stderr);
    const lines = jsonLines(r.stdout);
    const report = reportOf(r.stdout);
    assert.equal(report.ok, true);
    assert.deepEqual(
      report.artifacts.map((a: { kind: string }) => a.kind),
      ["sdist", "wheel"],
    );
    assert.deepEqual(
      lines.filter((l) => l.type === "phase").map((l) => [l["phase"], l["detail"]]),
      [
        ["prepare", undefined],
        ["sdist", undefined],
        ["unpack", undefined],
        ["wheel", "from the sdist"],
        ["check", undefined],
        ["write", "out"],
      ],
    );
    const warning = lines.find((l) => l.type === "warning");
    assert.equal(warning?.["kind"], "uncommitted-changes");
    assert.deepEqual(warning?.["changes"], ["M README.md"]);
    const { type: _type, ...facts } = warning!;
    assert.deepEqual(report.warnings, [facts], "the report keeps the warnings' facts");
    assert.equal(lines.filter((l) => l.type === "env").length, 2, "the sdist's and the wheel's environment");
    assert.equal(
      lines.filter((l) => l.type === "output").length,
      0,
      "the backend's output only with --verbose",
    );
    // The rendered English of the warning, as it always read.
    assert.match(
      r.stderr,
      /^warning: the git work tree has uncommitted changes \(M README\.md\), so the build does not match commit [0-9a-f]{12}$/m,
    );
    assert.doesNotMatch(r.stderr, /slipway build: building/, "no progress lines with --json");
  });
});
