/**
 * The CLI as users meet it: the bundled dist/cli.js run as a real process on real wheels written
 * by Python's zipfile. Exit codes, output formats, colour rules and redaction.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { peersPython } from "../helpers/peers.ts";

const cli = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
  version: string;
};

function slipway(args: string[], options: { cwd: string; env?: Record<string, string> }) {
  const env: Record<string, string> = {
    PATH: process.env["PATH"] ?? "",
    HOME: process.env["HOME"] ?? "/tmp",
    ...options.env,
  };
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: options.cwd, env, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// A token-shaped string assembled at run time so no token-like literal sits in the repo.
const FAKE_TOKEN = `pypi-AgEIcHlwaS5vcmc${"Q".repeat(60)}`;

const WHEEL_WRITER = `
import base64, hashlib, json, sys, zipfile
spec = json.load(sys.stdin)
files = spec["files"]
name, ver = spec["name"], spec["version"]
di = f"{name}-{ver}.dist-info"
rows = []
with zipfile.ZipFile(spec["out"], "w", zipfile.ZIP_DEFLATED) as z:
    for path, text in files.items():
        data = text.encode()
        z.writestr(path, data)
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        rows.append(f"{path},sha256={digest},{len(data)}")
    rows.append(f"{di}/RECORD,,")
    z.writestr(f"{di}/RECORD", "\\n".join(rows) + "\\n")
print("ok")
`;

function writeWheel(out: string, extra: Record<string, string>, metadataExtra = "", mv = "2.4"): void {
  const name = "demo_pkg";
  const version = "1.0.0";
  const di = `${name}-${version}.dist-info`;
  const files: Record<string, string> = {
    "demo_pkg/__init__.py": '__version__ = "1.0.0"\n',
    ...extra,
    [`${di}/METADATA`]: `Metadata-Version: ${mv}\nName: demo-pkg\nVersion: 1.0.0\nSummary: A demo package\nLicense-Expression: MIT\nLicense-File: LICENSE\n${metadataExtra}Description-Content-Type: text/markdown\n\n# Demo\n\nSome text.\n`,
    [`${di}/licenses/LICENSE`]: "MIT License\n\nCopyright (c) 2026 Demo\n",
    [`${di}/WHEEL`]: "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
  };
  execFileSync(peersPython(), ["-c", WHEEL_WRITER], { input: JSON.stringify({ out, name, version, files }) });
}

let dir: string;
let good: string;
let bad: string;
let leaky: string;
let warned: string;
let modern: string;

before(() => {
  assert.ok(existsSync(cli), "dist/cli.js is missing: run `npm run build` first (npm test does)");
  dir = mkdtempSync(join(tmpdir(), "slipway-cli-"));
  good = join(dir, "demo_pkg-1.0.0-py3-none-any.whl");
  writeWheel(good, {});
  const badDir = join(dir, "bad");
  execFileSync("mkdir", ["-p", badDir]);
  bad = join(badDir, "demo_pkg-1.0.0-py3-none-any.whl");
  writeWheel(bad, {}, "Requires-Dist: requests @ https://example.invalid/requests.whl\n");
  const leakyDir = join(dir, "leaky");
  execFileSync("mkdir", ["-p", leakyDir]);
  leaky = join(leakyDir, "demo_pkg-1.0.0-py3-none-any.whl");
  writeWheel(leaky, { "demo_pkg/settings.py": `PYPI_TOKEN = "${FAKE_TOKEN}"\n` });
  const warnDir = join(dir, "warn");
  execFileSync("mkdir", ["-p", warnDir]);
  warned = join(warnDir, "demo_pkg-1.0.0-py3-none-any.whl");
  writeWheel(warned, {}, "Home-page: https://example.org/demo\n");
  const modernDir = join(dir, "modern");
  execFileSync("mkdir", ["-p", modernDir]);
  modern = join(modernDir, "demo_pkg-1.0.0-py3-none-any.whl");
  writeWheel(modern, {}, "", "2.5");
});

after(() => rmSync(dir, { recursive: true, force: true }));

describe("slipway CLI", () => {
  test("--version prints the package version", () => {
    const r = slipway(["--version"], { cwd: dir });
    assert.equal(r.code, 0);
    assert.equal(r.stdout.trim(), pkg.version);
  });

  test("--help lists commands and examples; bare slipway is a usage error", () => {
    const help = slipway(["--help"], { cwd: dir });
    assert.equal(help.code, 0);
    assert.match(help.stdout, /check\s+validate/);
    assert.match(help.stdout, /Examples:/);
    assert.equal(slipway([], { cwd: dir }).code, 2);
  });

  test("every command's --help has examples and no unfilled placeholder", () => {
    const commands = [...slipway(["--help"], { cwd: dir }).stdout.matchAll(/^ {2}([a-z-]+) {2,}/gm)].map(
      (m) => m[1] ?? "",
    );
    assert.ok(commands.length >= 15, commands.join(" "));
    const subcommands = [
      ["scan", "secrets"],
      ["scan", "deps"],
      ["scan", "lock"],
      ["ci", "init"],
      ["ci", "status"],
    ];
    for (const argv of [...commands.map((c) => [c]), ...subcommands]) {
      const r = slipway([...argv, "--help"], { cwd: dir });
      assert.equal(r.code, 0, `${argv.join(" ")} --help: ${r.stderr}`);
      assert.match(r.stdout, /Examples?:/, `${argv.join(" ")} --help has no examples`);
      assert.doesNotMatch(r.stdout, /\$\{|undefined/, `${argv.join(" ")} --help prints a placeholder`);
    }
  });

  test("check --help documents options, exit status and examples", () => {
    const r = slipway(["check", "--help"], { cwd: dir });
    assert.equal(r.code, 0);
    for (const part of [
      "--strict",
      "--format",
      "--select",
      "--ignore",
      "--python",
      "--verbose",
      "Exit status",
      "Examples:",
    ]) {
      assert.ok(r.stdout.includes(part), `check --help mentions ${part}`);
    }
  });

  test("usage errors exit 2 with a hint", () => {
    for (const args of [
      ["frobnicate"],
      ["check", "--format", "xml", good],
      ["check", "--select", "not an id", good],
      ["check", "--bogus"],
      ["check", join(dir, "missing.whl")],
    ]) {
      const r = slipway(args, { cwd: dir });
      assert.equal(r.code, 2, `${args.join(" ")} → ${r.stderr}`);
      assert.match(r.stderr, /hint: /);
    }
  });

  test("check with no project and no files is a configuration error (exit 2)", () => {
    const empty = mkdtempSync(join(tmpdir(), "slipway-empty-"));
    const r = slipway(["check"], { cwd: empty });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no pyproject\.toml/);
    rmSync(empty, { recursive: true });
  });

  test("a clean wheel passes with exit 0", () => {
    const r = slipway(["check", good], { cwd: dir, env: { NO_COLOR: "1" } });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /✓ 1 file checked: 0 errors/);
  });

  test("errors exit 1 and are grouped under the file with ID and hint", () => {
    const r = slipway(["check", bad], { cwd: dir, env: { NO_COLOR: "1" } });
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stdout, /^bad\/demo_pkg-1\.0\.0-py3-none-any\.whl$/m);
    assert.match(r.stdout, /error\s+MD12\s/);
    assert.match(r.stdout, /hint: /);
    assert.match(r.stdout, /✗ 1 file checked: \d+ errors?/);
  });

  test("--json emits the findings as data", () => {
    const r = slipway(["check", bad, "--json"], { cwd: dir });
    assert.equal(r.code, 1);
    const doc = JSON.parse(r.stdout) as {
      ok: boolean;
      errors: number;
      findings: { id: string; location: { file: string } }[];
    };
    assert.equal(doc.ok, false);
    assert.ok(doc.errors >= 1);
    assert.ok(
      doc.findings.some((f) => f.id === "MD12" && f.location.file === "bad/demo_pkg-1.0.0-py3-none-any.whl"),
    );
  });

  test("--format github emits workflow annotations", () => {
    const r = slipway(["check", bad, "--format", "github"], { cwd: dir });
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^::error file=bad\/demo_pkg-1\.0\.0-py3-none-any\.whl,title=MD12 [^:]*::/m);
  });

  test("--select and --ignore filter by ID and prefix", () => {
    assert.equal(slipway(["check", bad, "--ignore", "MD12"], { cwd: dir }).code, 0);
    assert.equal(slipway(["check", bad, "--ignore", "MD"], { cwd: dir }).code, 0);
    assert.equal(slipway(["check", bad, "--select", "REC,WHL"], { cwd: dir }).code, 0);
    assert.equal(slipway(["check", bad, "--select", "MD12"], { cwd: dir }).code, 1);
  });

  test("warnings pass by default and fail with --strict", () => {
    const plain = slipway(["check", warned, "--json"], { cwd: dir });
    const doc = JSON.parse(plain.stdout) as { errors: number; warnings: number };
    assert.equal(doc.errors, 0, plain.stdout);
    assert.ok(doc.warnings >= 1, "a deprecated Home-page field warns (MD18/MD24)");
    assert.equal(plain.code, 0);
    const strict = slipway(["check", warned, "--strict"], { cwd: dir, env: { NO_COLOR: "1" } });
    assert.equal(strict.code, 1);
    assert.match(strict.stdout, /warnings fail with --strict/);
  });

  test("Metadata-Version 2.5 is an info line: hidden by default, shown by --verbose, never failing --strict", () => {
    const quiet = slipway(["check", modern, "--strict"], { cwd: dir, env: { NO_COLOR: "1" } });
    assert.equal(quiet.code, 0, quiet.stdout);
    assert.doesNotMatch(quiet.stdout, /MD02/);
    assert.match(quiet.stdout, /✓ 1 file checked: 0 errors, 0 warnings$/m);
    const verbose = slipway(["check", modern, "--strict", "--verbose"], { cwd: dir, env: { NO_COLOR: "1" } });
    assert.equal(verbose.code, 0, verbose.stdout);
    assert.match(verbose.stdout, /^ {2}info {4}MD02 .*twine < 7\.0/m);
    assert.match(verbose.stdout, /0 errors, 0 warnings, 1 info/);
    const json = JSON.parse(slipway(["check", modern, "--json", "--verbose"], { cwd: dir }).stdout) as {
      ok: boolean;
      warnings: number;
      infos: number;
      findings: { id: string; severity: string }[];
    };
    assert.deepEqual(
      [json.ok, json.warnings, json.infos, json.findings.map((f) => `${f.id}:${f.severity}`)],
      [true, 0, 1, ["MD02:info"]],
    );
    const github = slipway(["check", modern, "--format", "github", "--verbose"], { cwd: dir });
    assert.match(github.stdout, /^::notice file=modern\/demo_pkg-1\.0\.0-py3-none-any\.whl,title=MD02/m);
  });

  test("colour only when forced or on a TTY, never with NO_COLOR", () => {
    const esc = "\u001b[";
    assert.ok(!slipway(["check", bad], { cwd: dir }).stdout.includes(esc), "no colour when piped");
    assert.ok(slipway(["check", bad], { cwd: dir, env: { FORCE_COLOR: "1" } }).stdout.includes(esc));
    assert.ok(
      !slipway(["check", bad], { cwd: dir, env: { FORCE_COLOR: "1", NO_COLOR: "1" } }).stdout.includes(esc),
    );
  });

  test("a token shipped in a wheel is reported but never printed", () => {
    for (const format of ["human", "json", "github"]) {
      const r = slipway(["check", leaky, "--format", format], { cwd: dir });
      assert.equal(r.code, 1, `${format}: ${r.stdout}`);
      assert.match(r.stdout, /SEC09/);
      assert.ok(!r.stdout.includes(FAKE_TOKEN.slice(0, 30)), `${format} output must not contain the token`);
      assert.ok(!r.stderr.includes(FAKE_TOKEN.slice(0, 30)));
    }
  });
});

describe("slipway check on a project directory", () => {
  test("a project with a broken pyproject.toml reports PP01 and exits 1", () => {
    const project = mkdtempSync(join(tmpdir(), "slipway-proj-"));
    writeFileSync(join(project, "pyproject.toml"), '[project]\nname = "demo"\nversion = "1.0\n');
    const r = slipway(["check"], { cwd: project, env: { NO_COLOR: "1" } });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /PP01/);
    rmSync(project, { recursive: true });
  });

  test("a Markdown readme of only a link definition renders to nothing: DESC06 (the GFM parser loads for it)", () => {
    const project = mkdtempSync(join(tmpdir(), "slipway-proj-"));
    writeFileSync(
      join(project, "pyproject.toml"),
      '[project]\nname = "demo"\nversion = "1.0"\nreadme = "README.md"\n',
    );
    const ids = (readme: string) => {
      writeFileSync(join(project, "README.md"), readme);
      const r = slipway(["check", "--json", "--select", "DESC"], {
        cwd: project,
        env: { SLIPWAY_NO_CACHE: "1" },
      });
      const report = JSON.parse(r.stdout) as { findings: { id: string }[] };
      return report.findings.map((f) => f.id);
    };
    assert.deepEqual(ids("[docs]: https://example.com\n"), ["DESC06"]);
    assert.deepEqual(ids("[docs]: https://example.com\n\nSee [docs].\n"), []);
    assert.deepEqual(ids("# Demo\n"), []);
    rmSync(project, { recursive: true });
  });
});

/** A `node` older than 22 somewhere on PATH (Debian's, on these machines), if there is one. */
function olderNode(): string | undefined {
  for (const dir of (process.env["PATH"] ?? "").split(":")) {
    const candidate = join(dir, "node");
    if (dir === "" || !existsSync(candidate)) continue;
    const version = spawnSync(candidate, ["--version"], { encoding: "utf8" }).stdout.trim();
    const major = Number(/^v(\d+)\./.exec(version)?.[1]);
    if (major > 0 && major < 22) return candidate;
  }
  return undefined;
}

test("on a Node.js older than 22 the CLI says so plainly and exits 2", (t) => {
  const node = olderNode();
  if (node === undefined) {
    t.skip("no Node.js older than 22 on PATH");
    return;
  }
  const run = spawnSync(node, [cli, "check", "."], { encoding: "utf8" });
  assert.equal(run.status, 2, run.stderr);
  assert.match(
    run.stderr,
    /^slipway: Node\.js 2?\d\.\d+\.\d+ is too old; slipway needs Node\.js 22\.3 or newer\n/,
  );
  assert.doesNotMatch(run.stderr, /SyntaxError/);
  // The hint is a command to paste: this very script, these arguments, on a pinned Node.js.
  assert.ok(run.stderr.includes(`\n  npx -p node@24 node ${cli} check .\n`), run.stderr);
});

test("from a checkout, 'npx slipway' runs on the pinned Node.js even when PATH's node is too old", (t) => {
  const node = olderNode();
  if (node === undefined) {
    t.skip("no Node.js older than 22 on PATH");
    return;
  }
  const root = fileURLToPath(new URL("../..", import.meta.url));
  // PATH as a user's shell has it: the old node first, no node_modules/.bin (npm test adds it).
  const path = [dirname(node), ...(process.env["PATH"] ?? "").split(":")]
    .filter((dir) => !dir.includes("node_modules"))
    .join(":");
  const run = spawnSync(join(dirname(node), "npx"), ["--no-install", "slipway", "--version"], {
    cwd: root,
    env: { PATH: path, HOME: process.env["HOME"] ?? "/tmp", npm_config_update_notifier: "false" },
    encoding: "utf8",
  });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout.trim(), pkg.version);
});
