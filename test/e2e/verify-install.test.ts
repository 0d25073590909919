/**
 * verify-install for real: real venvs from the peers Python, real pip installing from the local
 * files (--no-index) or from an index on loopback (the embedded staging index when it is there,
 * else pypiserver), real console scripts and imports. Wheels are written by the test's own ZIP
 * writer; the sdist is built by hatchling. Nothing reaches beyond this machine.
 */
import assert from "node:assert/strict";
import { execFile, execFileSync, spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { devNull, tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describeVerifyResult } from "../../src/core/verify/step-results.ts";
import {
  type VerifyInstallOptions,
  type VerifyRun,
  type VerifyStep,
  verifyInstall,
} from "../../src/ops/verify-install.ts";
import { jsonLines, reportOf } from "../helpers/json-lines.ts";
import { peersPython } from "../helpers/peers.ts";
import { wheelhouse } from "../helpers/wheelhouse.ts";
import { writeWheel } from "../helpers/wheels.ts";

const work = mkdtempSync(join(tmpdir(), "slipway-verify-test-"));
after(() => rmSync(work, { recursive: true, force: true }));
const python = peersPython();
const bin = dirname(python);
// Hermetic pip: no PIP_* from this machine, no pip.conf.
const env: Record<string, string | undefined> = {
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("PIP_"))),
  PIP_CONFIG_FILE: devNull,
};
const base: Omit<VerifyInstallOptions, "dists"> = { cwd: work, env, pythons: [python], noIndex: true };

const CLI = `import argparse\ndef main():\n    argparse.ArgumentParser(prog="good").parse_args()\n`;
const good = (dir: string, extra = "") =>
  writeWheel(dir, {
    name: "goodpkg",
    files: { "goodpkg/__init__.py": `${CLI}${extra}`, "goodpkg/util.py": "X = 1\n" },
    entryPoints: "[console_scripts]\ngood = goodpkg:main\n",
  });

const failed = (run: VerifyRun | undefined) => run?.steps.filter((s) => !s.ok) ?? [];

describe("verify-install from local files", { concurrency: 2 }, () => {
  test("a good wheel passes: proof by hash and RECORD, import, script --help", async () => {
    const events: string[] = [];
    const report = await verifyInstall({
      ...base,
      dists: [good(join(work, "good"))],
      onEvent: (e) => events.push(e.type),
    });
    const run = report.runs[0];
    assert.equal(report.ok, true, JSON.stringify(failed(run), null, 2));
    assert.deepEqual(
      run?.steps.map((s) => [s.kind, s.subject]),
      [
        ["venv", `Python ${run?.python.version}`],
        ["install", "goodpkg==1.0.0"],
        ["proof", "goodpkg 1.0.0"],
        ["import", "goodpkg"],
        ["script", "good"],
      ],
    );
    const proof = run?.steps[2]?.result;
    assert.equal(proof?.kind, "wheel-proven");
    assert.ok(proof?.kind === "wheel-proven" && proof.archive.kind === "sha256-matches");
    assert.equal(proof.archive.filename, "goodpkg-1.0.0-py3-none-any.whl");
    assert.match(proof.archive.sha256, /^[0-9a-f]{64}$/);
    assert.ok(proof.files >= 3, "RECORD: every file of the wheel");
    // The words, as the CLI prints them.
    assert.match(
      describeVerifyResult(proof),
      /^sha256 [0-9a-f]{64} matches goodpkg-1\.0\.0-py3-none-any\.whl; installed RECORD: \d+ files identical to the wheel's$/,
    );
    assert.equal(typeof run?.steps[3]?.importMs, "number");
    assert.deepEqual([events[0], events.at(-1)], ["start", "run-done"]);
    assert.equal(run?.venv, undefined);
  });

  test("a console script pointing at a missing function fails, naming the script", async () => {
    const dist = writeWheel(join(work, "broken"), {
      name: "brokenpkg",
      files: { "brokenpkg/__init__.py": CLI },
      entryPoints: "[console_scripts]\nbroken = brokenpkg:no_such_function\nfine = brokenpkg:main\n",
    });
    const report = await verifyInstall({ ...base, dists: [dist], keep: true });
    const run = report.runs[0];
    assert.equal(report.ok, false);
    const bad = failed(run);
    assert.deepEqual(
      bad.map((s) => [s.kind, s.subject]),
      [["script", "broken"]],
    );
    assert.deepEqual(bad[0]?.result, {
      kind: "script-failed",
      name: "broken",
      argv: ["broken", "--help"],
      exit: 1,
    });
    assert.match(bad[0]?.command ?? "", /bin\/broken --help$/);
    assert.match(bad[0]?.output ?? "", /no_such_function/);
    // keep: the venv is still there, with the script in it.
    assert.ok(run?.venv !== undefined && existsSync(join(run.venv, "bin", "broken")));
    rmSync(dirname(run?.venv ?? ""), { recursive: true, force: true });
  });

  test("a wheel missing a module it uses fails the import and the script", async () => {
    const dist = writeWheel(join(work, "missing"), {
      name: "holeypkg",
      files: { "holeypkg/__init__.py": "from . import gone\n" },
      entryPoints: "[console_scripts]\nholey = holeycli.main:run\n",
    });
    const report = await verifyInstall({ ...base, dists: [dist] });
    const bad = failed(report.runs[0]);
    assert.deepEqual(
      bad.map((s) => [s.kind, s.subject]),
      [
        ["import", "holeypkg"],
        ["script", "holey"],
      ],
    );
    const failedImport = bad[0]?.result;
    assert.ok(failedImport?.kind === "import-failed", JSON.stringify(failedImport));
    assert.equal(failedImport.module, "holeypkg");
    assert.match(failedImport.lastLine, /^ImportError: cannot import name 'gone'/);
    assert.match(bad[1]?.output ?? "", /ModuleNotFoundError: No module named 'holeycli'/);
  });

  test("an extra whose dependency cannot be installed fails, naming the extra and pip's error", async () => {
    const dist = writeWheel(join(work, "extras"), {
      name: "extrapkg",
      files: { "extrapkg/__init__.py": "" },
      metadata:
        "Provides-Extra: fine\nProvides-Extra: fancy\nRequires-Dist: no-such-dependency-slipway>=1; extra == 'fancy'\n",
    });
    const report = await verifyInstall({ ...base, dists: [dist] });
    const bad = failed(report.runs[0]);
    assert.deepEqual(
      bad.map((s) => [s.kind, s.subject]),
      [["extra", "extrapkg[fancy]==1.0.0"]],
    );
    assert.deepEqual(bad[0]?.result, { kind: "extra-install-failed", extra: "fancy" });
    assert.match(bad[0]?.output ?? "", /no-such-dependency-slipway/);
    const fine = report.runs[0]?.steps.find((s) => s.subject === "extrapkg[fine]==1.0.0");
    assert.equal(fine?.ok, true);
    // An extra the distribution does not declare is a failure too, not pip's silent warning.
    const unknown = await verifyInstall({ ...base, dists: [dist], extras: ["nope"] });
    assert.deepEqual(failed(unknown.runs[0])[0]?.result, {
      kind: "extra-unknown",
      project: "extrapkg",
      extra: "nope",
      provided: ["fine", "fancy"],
    });
  });

  test("an import over the time budget fails, naming the module, its time and the slow part", async () => {
    const dist = writeWheel(join(work, "slow"), {
      name: "slowpkg",
      files: {
        "slowpkg/__init__.py": "from . import heavy\n",
        "slowpkg/heavy.py": "import time\ntime.sleep(0.3)\n",
      },
    });
    const report = await verifyInstall({ ...base, dists: [dist], maxImportMs: 100 });
    const bad = failed(report.runs[0]);
    assert.deepEqual(
      bad.map((s) => [s.kind, s.subject]),
      [["import", "slowpkg"]],
    );
    const slow = bad[0]?.result;
    assert.ok(slow?.kind === "import-slow", JSON.stringify(slow));
    assert.deepEqual([slow.module, slow.budget, slow.ms], ["slowpkg", 100, bad[0]?.importMs]);
    assert.ok((bad[0]?.importMs ?? 0) >= 300);
    assert.match(bad[0]?.output ?? "", /\d+\.\d ms {2}slowpkg\.heavy/);
    // Within a generous budget the same wheel passes.
    assert.equal((await verifyInstall({ ...base, dists: [dist], maxImportMs: 5000 })).ok, true);
  });

  test("an sdist is built by pip (backend from find-links) and smoke-tested from what got installed", async () => {
    const project = join(work, "sdist-project");
    mkdirSync(join(project, "src", "sdistpkg"), { recursive: true });
    writeFileSync(
      join(project, "pyproject.toml"),
      '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n\n[project]\nname = "sdistpkg"\nversion = "0.1"\n\n[project.scripts]\nsdisttool = "sdistpkg:main"\n',
    );
    writeFileSync(join(project, "src", "sdistpkg", "__init__.py"), CLI);
    execFileSync(
      python,
      ["-m", "build", "--sdist", "--no-isolation", "--outdir", join(project, "dist"), project],
      {
        env,
        stdio: "ignore",
      },
    );
    const dist = join(project, "dist", "sdistpkg-0.1.tar.gz");
    const report = await verifyInstall({ ...base, dists: [dist], findLinks: [wheelhouse()] });
    const run = report.runs[0];
    assert.equal(report.ok, true, JSON.stringify(failed(run), null, 2));
    assert.equal(run?.target.kind, "sdist");
    assert.deepEqual(
      run?.steps.slice(3).map((s) => [s.kind, s.subject]),
      [
        ["import", "sdistpkg"],
        ["script", "sdisttool"],
      ],
    );
  });
});

const cliPath = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));

/** The CLI as a real process (Node runs the TypeScript source), without a TTY. */
async function slipway(
  args: string[],
  cwd: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return await new Promise((resolve) => {
    execFile(
      process.execPath,
      [cliPath, "verify-install", ...args],
      { cwd, env: { ...env, CI: "1", NO_COLOR: "1" }, timeout: 120_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe("slipway verify-install (CLI)", { concurrency: 2 }, () => {
  test("dist/*.whl by default; --json prints the events, then the report; exit 0", async () => {
    const project = join(work, "cli-good");
    good(join(project, "dist"));
    const r = await slipway(["--python", python, "--no-index", "--json"], project);
    assert.equal(r.code, 0, r.stderr);
    const report = reportOf(r.stdout) as { ok: boolean; runs: VerifyRun[] };
    assert.equal(report.ok, true);
    assert.deepEqual(report.runs[0]?.target.files, ["goodpkg-1.0.0-py3-none-any.whl"]);
    const lines = jsonLines(r.stdout);
    const types = lines.map((l) => l.type);
    assert.deepEqual(types.slice(0, 2), ["start", "run-start"]);
    assert.deepEqual(types.slice(-2), ["run-done", "report"]);
    const steps = lines.filter((l) => l.type === "step").map((l) => l["step"] as VerifyStep);
    assert.deepEqual(steps, report.runs[0]?.steps, "each step is a line as it ends, as the report holds it");
    assert.equal(
      types.filter((t) => t === "step-start").length,
      steps.length,
      "each step is announced as it starts",
    );
    assert.equal(r.stderr, "", "stdout holds the JSON; CI output has nothing else to say");
  });

  test("a failing step prints the command and the output tail; exit 1", async () => {
    const dist = writeWheel(join(work, "cli-broken"), {
      name: "clibroken",
      files: { "clibroken/__init__.py": "" },
      entryPoints: "[console_scripts]\nclibroken = clibroken:gone\n",
    });
    const r = await slipway([dist, "--python", python, "--no-index", "--extras", ""], work);
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stdout,
      /^clibroken 1\.0\.0 \(wheel: clibroken-1\.0\.0-py3-none-any\.whl\) with Python 3/m,
    );
    assert.match(r.stdout, /^ {2}ok {3}import {7}clibroken: imported in/m);
    assert.match(
      r.stdout,
      /^ {2}FAIL script {7}clibroken: console script clibroken: `clibroken --help` exited with 1/m,
    );
    assert.match(r.stdout, /^ {7}\$ \S+\/bin\/clibroken --help$/m);
    assert.match(r.stdout, /^ {7}\| ImportError: cannot import name 'gone'/m);
    assert.match(r.stdout, /^verify-install failed: 1 of 1 runs failed, from the local files$/m);
  });

  test("usage errors exit 2 with a hint", async () => {
    const empty = mkdtempSync(join(work, "cli-empty-"));
    const none = await slipway([], empty);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no wheels in dist and no distributions given\nhint: Build first/);
    const budget = await slipway(["x.whl", "--max-import-ms", "fast"], empty);
    assert.equal(budget.code, 2);
    assert.match(budget.stderr, /--max-import-ms must be a number/);
    const help = await slipway(["--help"], empty);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Examples:$/m);
  });
});

/** A free loopback port (closed again at once; the server started next takes it). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

type Stage = { simpleUrl: string; close(): Promise<void> };

/** The embedded staging index on loopback, with `files` uploaded by twine. */
async function startEmbedded(files: string[], root: string): Promise<Stage> {
  const { startIndex } = await import("../../src/server/index-server.ts");
  const index = await startIndex({ root, host: "127.0.0.1", port: 0 });
  // Not execFileSync: the index answers from this very event loop.
  await promisify(execFile)(
    join(bin, "twine"),
    ["upload", "--non-interactive", "--disable-progress-bar", "--repository-url", index.uploadUrl, ...files],
    { env: { ...env, TWINE_USERNAME: "__token__", TWINE_PASSWORD: index.token }, timeout: 60_000 },
  );
  return { simpleUrl: index.simpleUrl, close: () => index.close() };
}

/** pypiserver (from the peers venv) on loopback, serving a directory holding `files`. */
async function startPypiserver(files: string[], dir: string): Promise<Stage> {
  mkdirSync(dir, { recursive: true });
  for (const f of files) copyFileSync(f, join(dir, basename(f)));
  const port = await freePort();
  const child = spawn(
    join(bin, "pypi-server"),
    ["run", "-p", String(port), "-i", "127.0.0.1", "-a", ".", "-P", ".", "--disable-fallback", dir],
    { stdio: "ignore" },
  );
  const simpleUrl = `http://127.0.0.1:${port}/simple/`;
  for (let i = 0; ; i++) {
    const up = await fetch(simpleUrl).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    if (i > 100) throw new Error("pypiserver did not start");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    simpleUrl,
    close: async () => {
      child.kill();
    },
  };
}

for (const [server, start] of [
  ["the embedded staging index", startEmbedded],
  ["pypiserver", startPypiserver],
] as const) {
  describe(`verify-install from ${server} on loopback`, () => {
    const local = join(work, server, "local");
    const served = join(work, server, "served");
    let stage: Stage | undefined;
    let goodWheel = "";
    let otherWheel = "";
    before(async () => {
      goodWheel = good(local);
      // Same file name, different bytes: what the index has is not what was tested.
      otherWheel = writeWheel(local, { name: "otherpkg", files: { "otherpkg/__init__.py": "A = 1\n" } });
      const tampered = writeWheel(served, { name: "otherpkg", files: { "otherpkg/__init__.py": "A = 2\n" } });
      stage = await start([goodWheel, tampered], join(work, server, "root"));
    });
    after(async () => await stage?.close());

    test("the exact version installs from the index and is proven identical", async () => {
      const report = await verifyInstall({
        ...base,
        noIndex: false,
        dists: [goodWheel],
        indexUrl: stage?.simpleUrl ?? "",
      });
      assert.equal(report.ok, true, JSON.stringify(failed(report.runs[0]), null, 2));
      assert.deepEqual(report.source, { kind: "index", url: stage?.simpleUrl });
      assert.match(
        report.runs[0]?.steps[1]?.command ?? "",
        /--index-url http:\/\/127\.0\.0\.1:\d+\/simple\/ --no-cache-dir/,
      );
    });

    test("a wheel on the index that differs from the local artifact fails, naming both hashes", async () => {
      const report = await verifyInstall({
        ...base,
        noIndex: false,
        dists: [otherWheel],
        indexUrl: stage?.simpleUrl ?? "",
      });
      const bad = failed(report.runs[0]);
      assert.deepEqual(
        bad.map((s) => s.kind),
        ["proof"],
      );
      const sha = (path: string) =>
        execFileSync("sha256sum", [path], { encoding: "utf8" }).split(" ")[0] ?? "";
      const mismatch = bad[0]?.result;
      assert.ok(mismatch?.kind === "hash-mismatch", JSON.stringify(mismatch));
      assert.equal(mismatch.filename, "otherpkg-1.0.0-py3-none-any.whl");
      assert.equal(mismatch.installed, sha(join(served, "otherpkg-1.0.0-py3-none-any.whl")));
      assert.equal(mismatch.local, sha(otherWheel));
      // The hint names where pip took the file (its report's download_info.url) and why.
      const url = mismatch.url;
      assert.ok(url.startsWith(new URL(stage?.simpleUrl ?? "").origin), url);
      assert.equal(
        bad[0]?.hint,
        `pip took it from ${url}, through the index ${stage?.simpleUrl}, which holds other bytes under this file name: an earlier upload of this version, or a mirror, upstream or extra index that answers for it. Replace the file there, or bump the version: PyPI never lets a file name be reused.`,
      );
    });
  });
}
