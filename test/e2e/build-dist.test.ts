/**
 * What `slipway build` leaves in dist/ and says about it, against the tools people run next:
 * `twine upload dist/*` and `slipway check dist/*` through a real shell (so the glob is expanded
 * as users expand it) against the embedded index on loopback, `sha256sum -c`, a version
 * setuptools-scm gives between tags, and the manifest's backend for every backend of the tests.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { after, describe, test } from "node:test";
import {
  type BuildManifest,
  LEGACY_SUMS_FILE,
  MANIFEST_FILE,
  SUMS_FILE,
} from "../../src/core/build/output.ts";
import { normalizeName } from "../../src/core/names/name.ts";
import { check } from "../../src/ops/check.ts";
import { startIndex } from "../../src/server/index-server.ts";
import { buildProjects, REPO } from "../helpers/build-project.ts";
import { git } from "../helpers/git-repo.ts";
import { peersPython } from "../helpers/peers.ts";
import { runAsync } from "../helpers/run-async.ts";

const work = mkdtempSync(join(tmpdir(), "slipway-build-dist-"));
after(() => rmSync(work, { recursive: true, force: true }));
const { env, project, run } = buildProjects(work);
const CLI = join(REPO, "dist", "cli.js");
const isDist = (name: string) => /\.(whl|tar\.gz)$/.test(name);

/** Runs a command line through /bin/sh in `cwd`, as a user types it (globs expanded by the shell). */
function shell(line: string, cwd: string, extra: NodeJS.ProcessEnv = {}) {
  return runAsync(["/bin/sh", "-c", line], { cwd, env: { ...env, NO_COLOR: "1", ...extra } });
}

describe("dist/ holds only distributions", () => {
  test("after slipway build, twine upload dist/* and slipway check dist/* pass; sha256sum -c .SHA256SUMS", async () => {
    const dir = project("examples/hatch-lib", { git: true });
    const { report } = await run(dir);
    assert.equal(report.ok, true);

    const check = await shell(`${process.execPath} ${CLI} check dist/*`, dir);
    assert.equal(check.status, 0, `${check.stdout}\n${check.stderr}`);
    assert.match(check.stdout, /files checked: 0 errors/);
    assert.doesNotMatch(check.stdout, /SHA256SUMS|slipway-build|ART01/);

    const index = await startIndex({ root: join(work, "index") });
    try {
      const twine = join(dirname(peersPython()), "twine");
      const upload = await shell(
        `${twine} upload --non-interactive --disable-progress-bar --repository-url ${index.uploadUrl} dist/*`,
        dir,
        { TWINE_USERNAME: "__token__", TWINE_PASSWORD: index.token },
      );
      assert.equal(upload.status, 0, `${upload.stdout}\n${upload.stderr}`);
      const page = await fetch(`${index.simpleUrl}slipway-demo-lib/`, {
        headers: { Accept: "application/vnd.pypi.simple.v1+json" },
      });
      const json = (await page.json()) as { files: { filename: string; hashes: { sha256: string } }[] };
      assert.deepEqual(
        new Map(json.files.map((f) => [f.filename, f.hashes.sha256])),
        new Map(report.artifacts.map((a) => [a.filename, a.sha256])),
      );
    } finally {
      await index.close();
    }

    const files = readdirSync(join(dir, "dist")).sort();
    assert.deepEqual(
      files.filter((f) => !isDist(f)),
      [SUMS_FILE, MANIFEST_FILE].sort(),
    );
    const sums = await shell(`cd dist && sha256sum -c ${SUMS_FILE}`, dir);
    assert.equal(sums.status, 0, sums.stderr);
    assert.equal(sums.stdout.match(/: OK$/gm)?.length, 2);
  });

  test("an earlier slipway's dist/SHA256SUMS goes (with and without --clean); another tool's stays", async () => {
    const dir = project("examples/prompt-manager");
    const { report } = await run(dir, { check: false });
    const out = join(dir, "dist");
    // What slipway wrote before the checksums were hidden: the same lines, a visible name.
    const legacy = readFileSync(join(out, SUMS_FILE), "utf8");
    writeFileSync(join(out, LEGACY_SUMS_FILE), legacy);
    await run(dir, { check: false });
    assert.equal(existsSync(join(out, LEGACY_SUMS_FILE)), false, "a rebuild removes it");

    writeFileSync(join(out, LEGACY_SUMS_FILE), legacy);
    await run(dir, { check: false, clean: true });
    assert.equal(existsSync(join(out, LEGACY_SUMS_FILE)), false, "--clean removes it");
    assert.deepEqual(readdirSync(out).filter(isDist).sort(), report.artifacts.map((a) => a.filename).sort());

    // A file of that name slipway did not write (it names a file that is no distribution).
    const theirs = `${"0".repeat(64)}  notes.txt\n`;
    writeFileSync(join(out, LEGACY_SUMS_FILE), theirs);
    await run(dir, { check: false, clean: true });
    assert.equal(readFileSync(join(out, LEGACY_SUMS_FILE), "utf8"), theirs);
  });

  test("the CLI says where the hidden files are and how to verify the checksums", () => {
    const dir = project("examples/prompt-manager");
    const r = spawnSync(process.execPath, [CLI, "build", "--no-check", "--python", peersPython()], {
      cwd: dir,
      encoding: "utf8",
      env: { ...env, CI: "true", NO_COLOR: "1" },
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stdout,
      /^checksums: cd dist && sha256sum -c \.SHA256SUMS; manifest: dist\/\.slipway-build\.json$/m,
    );
    const help = spawnSync(process.execPath, [CLI, "build", "--help"], { encoding: "utf8" });
    assert.match(help.stdout, /cd dist && sha256sum -c \.SHA256SUMS/);
  });
});

describe("build writes what the backend built", () => {
  test("a setuptools-scm version between tags (1.6.1.dev1+g…) is built with a warning; check alone refuses it", async () => {
    const dir = project("test/fixtures/build/scm-lib");
    git(dir, "init", "-q", "-b", "main");
    git(dir, "add", "-A");
    git(dir, "commit", "-qm", "init");
    git(dir, "tag", "-a", "v1.6.0", "-m", "1.6.0");
    writeFileSync(join(dir, "docs", "changes.rst"), "Changes\n=======\n");
    git(dir, "add", "-A");
    git(dir, "commit", "-qm", "docs");
    const hash = git(dir, "rev-parse", "--short=9", "HEAD").trim();

    const { report } = await run(dir);
    assert.equal(report.ok, true, JSON.stringify(report.check?.findings));
    const version = `1.6.1.dev1+g${hash}`;
    assert.deepEqual(report.artifacts.map((a) => a.filename).sort(), [
      `slipway_fixture_scm-${version}-py3-none-any.whl`,
      `slipway_fixture_scm-${version}.tar.gz`,
    ]);
    assert.deepEqual(
      readdirSync(join(dir, "dist")).filter(isDist).sort(),
      report.artifacts.map((a) => a.filename).sort(),
    );
    const local = report.check!.findings.filter((f) => f.id === "FN08");
    assert.deepEqual(
      local.map((f) => f.severity),
      ["warning", "warning"],
    );
    assert.match(local[0]!.message, /local segment, which PyPI refuses/);
    // setuptools-scm's file finder put every tracked file into the sdist (the dry-run test relies on it).
    const members = execFileSync("tar", ["tzf", join(dir, "dist", `slipway_fixture_scm-${version}.tar.gz`)], {
      encoding: "utf8",
    });
    assert.match(members, /\/testing\/test_greet\.py$/m);
    assert.match(members, /\/docs\/changes\.rst$/m);

    // `slipway check` on its own still calls it an error: PyPI refuses the upload.
    const alone = await check({ cwd: dir, env, dists: report.artifacts.map((a) => a.path) });
    assert.deepEqual(
      alone.findings.filter((f) => f.id === "FN08").map((f) => f.severity),
      ["error", "error"],
    );
    assert.equal(alone.ok, false);
  });
});

/** A Python 3.10: `python3.10` on PATH, else one pyenv installed (not necessarily selected). */
function findPython310(): string | undefined {
  const probe = (python: string) =>
    spawnSync(python, ["-c", "import sys; assert sys.version_info[:2] == (3, 10); print(sys.executable)"], {
      encoding: "utf8",
    });
  const onPath = probe("python3.10");
  if (onPath.status === 0) return onPath.stdout.trim();
  const versions = spawnSync("pyenv", ["versions", "--bare"], { encoding: "utf8" });
  const version =
    versions.status === 0 ? versions.stdout.split("\n").find((v) => /^3\.10\.\d+$/.test(v)) : undefined;
  if (version === undefined) return undefined;
  const prefix = spawnSync("pyenv", ["prefix", version], { encoding: "utf8" }).stdout.trim();
  const pyenv = probe(join(prefix, "bin", "python3.10"));
  return pyenv.status === 0 ? pyenv.stdout.trim() : undefined;
}

/** `name==version` pins of test/peers/wheelhouse.txt, by normalized name. */
function wheelhousePins(): Map<string, string> {
  const text = readFileSync(join(REPO, "test", "peers", "wheelhouse.txt"), "utf8");
  return new Map([...text.matchAll(/^([A-Za-z0-9._-]+)==(\S+)/gm)].map((m) => [normalizeName(m[1]!), m[2]!]));
}

describe("the manifest names the backend that built", () => {
  const pins = wheelhousePins();
  // Every project the build tests build, with the distribution that provides its backend.
  const cases: [string, string | null][] = [
    ["examples/hatch-lib", "hatchling"],
    ["examples/setuptools-flat", "setuptools"],
    ["examples/prompt-manager", "flit-core"],
    ["test/fixtures/build/pdm-lib", "pdm-backend"],
    ["test/fixtures/build/poetry-lib", "poetry-core"],
    ["test/fixtures/build/no-build-system", "setuptools"],
    ["test/fixtures/build/scm-lib", "setuptools"],
    ["test/fixtures/build/intree-backend", null],
    ["test/fixtures/build/unreproducible", null],
  ];
  for (const [dir, dist] of cases) {
    test(`${basename(dir)}: ${dist ?? "in-tree backend"}`, async () => {
      const copy = project(dir, { git: dir.endsWith("scm-lib") });
      if (dir.endsWith("scm-lib")) git(copy, "tag", "v1.0.0");
      const { report } = await run(copy, { sdist: true, check: false });
      const backend = report.manifest.backend;
      if (dist === null) {
        assert.deepEqual(
          { distribution: backend.distribution, inTree: backend.inTree },
          { distribution: null, inTree: true },
        );
        return;
      }
      assert.equal(normalizeName(backend.distribution ?? "(none)"), dist);
      assert.equal(backend.version, pins.get(dist));
      assert.equal(backend.inTree, false);
      const written = JSON.parse(readFileSync(join(copy, "dist", MANIFEST_FILE), "utf8")) as BuildManifest;
      assert.deepEqual(written.backend, backend);
    });
  }

  // Python 3.10 (Ubuntu 22.04's) has packages_distributions(), but it reads only top_level.txt,
  // which pdm-backend and poetry-core do not write: their namespace packages (pdm, poetry) must
  // be traced to the distribution by file. Runs where a Python 3.10 is found.
  const py310 = findPython310();
  test("on Python 3.10 too, pdm-backend and poetry-core are named with their versions", {
    skip: py310 === undefined ? "no python3.10 on PATH (nor installed by pyenv)" : false,
  }, async () => {
    for (const [dir, dist] of [
      ["test/fixtures/build/pdm-lib", "pdm-backend"],
      ["test/fixtures/build/poetry-lib", "poetry-core"],
    ] as const) {
      const copy = project(dir);
      const { report } = await run(copy, { sdist: true, check: false, python: py310! });
      assert.match(report.manifest.python.version, /^3\.10\./);
      assert.equal(normalizeName(report.manifest.backend.distribution ?? "(none)"), dist);
      assert.equal(report.manifest.backend.version, pins.get(dist));
    }
  });
});
