/**
 * Console scripts that need an extra, for real: a wheel laid out as httpx 0.28.1 is (its
 * `httpx` script falls back to a message naming `httpx[cli]` when click is missing; click,
 * pygments and rich are declared only under `Provides-Extra: cli`), its optional dependencies as
 * tiny local wheels in a find-links directory, real venvs and real pip with --no-index.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { devNull, tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describeVerifyResult } from "../../src/core/verify/step-results.ts";
import { type VerifyRun, type VerifyStep, verifyInstall } from "../../src/ops/verify-install.ts";
import { peersPython } from "../helpers/peers.ts";
import { writeWheel } from "../helpers/wheels.ts";

const work = mkdtempSync(join(tmpdir(), "slipway-verify-extras-"));
after(() => rmSync(work, { recursive: true, force: true }));
const python = peersPython();
const env: Record<string, string | undefined> = {
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("PIP_"))),
  PIP_CONFIG_FILE: devNull,
};

// The optional dependencies, as a find-links directory would hold them. PyYAML's import name
// (yaml) is not its distribution name: only a run with the extra installed can tell.
const deps = join(work, "deps");
writeWheel(deps, {
  name: "click",
  version: "8.1.7",
  files: { "click/__init__.py": "def echo(text):\n    print(text)\n" },
});
writeWheel(deps, {
  name: "PyYAML",
  version: "6.0.2",
  files: { "yaml/__init__.py": "def safe_dump(data):\n    return repr(data)\n" },
});

// httpx's layout: the package imports its command line lazily and falls back to advice.
const INIT = `"""An HTTP client whose command line needs the cli extra."""
try:
    from ._main import main
except ImportError:
    def main():
        import sys
        print("The fetchkit command line needs its optional dependencies.")
        print("Install them with: pip install 'fetchkit[cli]'")
        sys.exit(1)
`;
const MAIN = `import sys
import click

def main():
    click.echo("usage: fetchkit URL" if "--help" in sys.argv else "fetched")
`;
const REPORT = `import yaml

def main():
    print(yaml.safe_dump({"ok": True}))
`;

function fetchkit(options: { broken?: boolean } = {}): string {
  return writeWheel(join(work, options.broken ? "broken" : "dist"), {
    name: "fetchkit",
    version: "0.28.1",
    files: { "fetchkit/__init__.py": INIT, "fetchkit/_main.py": MAIN, "fetchkit/report.py": REPORT },
    metadata: [
      "Requires-Python: >=3.8",
      "Provides-Extra: cli",
      "Requires-Dist: click==8.*; extra == 'cli'",
      "Provides-Extra: yaml",
      "Requires-Dist: PyYAML>=6; extra == 'yaml'",
      "",
    ].join("\n"),
    entryPoints: [
      "[console_scripts]",
      "fetchkit = fetchkit:main",
      "fetchkit-report = fetchkit.report:main",
      "fetchkit-cli = fetchkit._main:main [cli]",
      ...(options.broken ? ["fetchkit-broken = fetchkit:no_such_function"] : []),
      "",
    ].join("\n"),
  });
}

const verify = (dist: string, extras?: string[]) =>
  verifyInstall({
    cwd: work,
    env,
    dists: [dist],
    pythons: [python],
    findLinks: [deps],
    noIndex: true,
    ...(extras === undefined ? {} : { extras }),
  });

const row = (s: VerifyStep) => [s.kind, s.subject, s.ok, s.warning === true];
const script = (run: VerifyRun | undefined, name: string) =>
  run?.steps.find((s) => s.kind === "script" && s.subject === name);

describe("console scripts that need an extra", { concurrency: 1 }, () => {
  test("with every extra verified: warnings that name the extra, proven by a run with it; the run passes", async () => {
    const report = await verify(fetchkit());
    const run = report.runs[0];
    assert.equal(
      report.ok,
      true,
      JSON.stringify(
        run?.steps.filter((s) => !s.ok),
        null,
        2,
      ),
    );
    assert.deepEqual(run?.steps.slice(3).map(row), [
      ["import", "fetchkit", true, false],
      ["extra", "fetchkit[cli]==0.28.1", true, false],
      // Failed on the plain install, ran once the extra was in.
      ["script", "fetchkit", true, true],
      ["extra", "fetchkit[yaml]==0.28.1", true, false],
      ["script", "fetchkit-report", true, true],
      // Its entry point declares [cli]: it runs only with that extra installed.
      ["script", "fetchkit-cli", true, false],
    ]);
    assert.deepEqual(script(run, "fetchkit")?.result, {
      kind: "script-needs-extra",
      script: "fetchkit",
      cause: { extras: ["cli"], evidence: "Install them with: pip install 'fetchkit[cli]'" },
      outcome: "proven",
    });
    const yaml = script(run, "fetchkit-report")?.result;
    assert.deepEqual(yaml, {
      kind: "script-needs-extra",
      script: "fetchkit-report",
      cause: { extras: ["yaml"], evidence: "ModuleNotFoundError: No module named 'yaml'" },
      outcome: "proven",
    });
    // The words, as the CLI prints them.
    assert.equal(
      describeVerifyResult(yaml!),
      "fetchkit-report needs the 'yaml' extra: without it, it failed with ModuleNotFoundError: No module named 'yaml'; with it, it ran",
    );
    const cli = script(run, "fetchkit-cli")?.result;
    assert.ok(cli?.kind === "script-ran", JSON.stringify(cli));
    assert.deepEqual(cli.declaredExtras, ["cli"]);
    assert.match(
      describeVerifyResult(cli),
      /^fetchkit-cli --help exited 0 \(with the 'cli' extra its entry point declares\)$/,
    );
  });

  test("with no extra verified: the extra is named from METADATA and the script's advice, a warning", async () => {
    const report = await verify(fetchkit(), []);
    const run = report.runs[0];
    assert.deepEqual(script(run, "fetchkit")?.result, {
      kind: "script-needs-extra",
      script: "fetchkit",
      cause: { extras: ["cli"], evidence: "Install them with: pip install 'fetchkit[cli]'" },
      outcome: "unverified",
    });
    // click is declared only under cli (Requires-Dist: click==8.*; extra == 'cli').
    const cli = script(run, "fetchkit-cli")?.result;
    assert.deepEqual(cli, {
      kind: "script-needs-extra",
      script: "fetchkit-cli",
      cause: { extras: ["cli"], evidence: "ModuleNotFoundError: No module named 'click'" },
      outcome: "unverified",
    });
    assert.equal(
      describeVerifyResult(cli!),
      "fetchkit-cli needs the 'cli' extra: it failed with ModuleNotFoundError: No module named 'click'; verify with --extras cli",
    );
    assert.deepEqual([script(run, "fetchkit")?.warning, script(run, "fetchkit-cli")?.warning], [true, true]);
    // yaml is no distribution's name: nothing proves it optional without installing the extra.
    assert.equal(script(run, "fetchkit-report")?.ok, false);
    assert.deepEqual(
      run?.steps.filter((s) => !s.ok).map((s) => s.subject),
      ["fetchkit-report"],
    );
  });

  test("a script broken for another reason stays an error, though the extras were tried", async () => {
    const report = await verify(fetchkit({ broken: true }));
    const run = report.runs[0];
    assert.equal(report.ok, false);
    assert.deepEqual(run?.steps.filter((s) => !s.ok).map(row), [["script", "fetchkit-broken", false, false]]);
    assert.match(script(run, "fetchkit-broken")?.output ?? "", /no_such_function/);
    assert.equal(script(run, "fetchkit")?.warning, true);
  });

  test("the CLI prints the warning and exits 0", async () => {
    const cli = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
    const dist = fetchkit();
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        cli,
        "verify-install",
        dist,
        "--python",
        python,
        "--find-links",
        "deps", // relative: the directory verify-install was started in
        "--no-index",
        "--extras",
        "cli",
        "--script",
        "fetchkit",
      ],
      { cwd: work, env: { ...env, CI: "true", NO_COLOR: "1" }, timeout: 120_000 },
    );
    assert.match(
      stdout,
      /^ {2}warn script {7}fetchkit: fetchkit needs the 'cli' extra: without it, it failed with .*fetchkit\[cli\].*; with it, it ran \(\d/m,
    );
    assert.match(stdout, /^verified: 1 run passed, 1 warning, from the local files$/m);
  });
});
