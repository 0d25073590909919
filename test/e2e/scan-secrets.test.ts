/**
 * `slipway scan` on a real git work tree: what git tracks and what it would add are scanned,
 * what it ignores is not; test material is a warning, code an error; inline allows,
 * .gitleaksignore and a team's .gitleaks.toml are honoured; a symlink or a FIFO in the tree is
 * neither followed nor waited on; and no output ever holds a secret. The tokens are made here in
 * the documented formats (never real ones).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { scan } from "../../src/ops/scan.ts";
import { runSlipway } from "../helpers/cli.ts";
import { makeRepo, scratch, writeFiles } from "../helpers/git-repo.ts";
import { scanSection } from "../helpers/scan-json.ts";

const work = scratch("slipway-scan-");
after(work.remove);

const PYPI = `pypi-AgEIcHlwaS5vcmc${"Q2hhbmdlTWVfbm90X2FfcmVhbF90b2tlbl9idXRfYV9mb3JtYXRfdGVzdA".repeat(2)}`;
const AWS = "AKIAQWERTYUIOPASDFGH";
const SLACK = "xoxb-1234567890123-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx";
const TEAM = "acme_live_9f8e7d6c5b4a39281706f5e4d3c2b1a0";
const env = { PATH: process.env["PATH"], HOME: work.dir };

function project(): string {
  const dir = makeRepo(work.dir, {
    "pyproject.toml": '[project]\nname = "demo"\nversion = "1.0"\n',
    ".gitignore": "local-secrets.txt\n",
    "src/demo/settings.py": `PYPI_TOKEN = "${PYPI}"\n`,
    "src/demo/allowed.py": `TOKEN = "${PYPI}"  # slipway: allow\n`,
    "tests/test_slack.py": `SLACK = "${SLACK}"\n`,
    "README.md": "# demo\n\nNothing secret here.\n",
  });
  // Untracked but not ignored: what `git add -A` would commit next.
  writeFiles(dir, { "deploy.env": `AWS_ACCESS_KEY_ID=${AWS}\n`, "local-secrets.txt": `${PYPI}\n` });
  return dir;
}

test("the tree git would commit is scanned: code is an error, tests a warning, ignored files are not read", async () => {
  const dir = project();
  const report = await scan({ root: dir, env });
  const seen = report.findings
    .map((f) => `${f.severity} ${f.id} ${f.location.file}:${f.location.line}`)
    .sort();
  assert.deepEqual(seen, [
    "error aws-access-token deploy.env:1",
    "error pypi-upload-token src/demo/settings.py:1",
    "warning slack-bot-token tests/test_slack.py:1",
  ]);
  assert.equal(report.ok, false);
  assert.equal(report.files.scanned, 7);
  // A fingerprint names the rule and the place and hashes the secret: no secret in it.
  assert.match(report.fingerprints[0]!, /^[a-z-]+:[^:]+:[0-9a-f]{64}$/);
  assert.equal(JSON.stringify(report).includes(PYPI.slice(8)), false, "a secret in the report");
});

test("the CLI: exit 1 on a secret, every format free of the secret, 0 once only warnings are left", () => {
  const dir = project();
  for (const args of [["scan"], ["scan", "secrets", "--json"], ["scan", "--format", "github"]]) {
    const r = runSlipway(dir, args, env);
    assert.equal(r.code, 1, `${args.join(" ")}: ${r.stderr}`);
    for (const secret of [PYPI, AWS, SLACK]) {
      assert.equal(
        `${r.stdout}${r.stderr}`.includes(secret.slice(5)),
        false,
        `${args.join(" ")} printed a secret`,
      );
    }
  }
  const text = runSlipway(dir, ["scan"], env);
  assert.match(
    text.stdout,
    /src\/demo\/settings\.py\n {2}error {3}pypi-upload-token 1: PyPI upload token: pypi…/,
  );
  assert.match(text.stdout, /✗ 7 files scanned for secrets: 2 errors, 1 warning/);
  const github = runSlipway(dir, ["scan", "--format", "github"], env);
  assert.match(github.stdout, /^::error file=deploy\.env,line=1,title=aws-access-token/m);

  // The fingerprint of the AWS key into .gitleaksignore (gitleaks' file:rule:line form), the
  // settings fixed: only the test's warning is left.
  writeFileSync(join(dir, ".gitleaksignore"), "deploy.env:aws-access-token:1\n");
  writeFileSync(join(dir, "src/demo/settings.py"), 'import os\nPYPI_TOKEN = os.environ["PYPI_TOKEN"]\n');
  const clean = runSlipway(dir, ["scan", "--json"], env);
  assert.equal(clean.code, 0, clean.stderr);
  const report = scanSection(clean.stdout);
  assert.deepEqual(
    report.findings.map((f: { id: string }) => f.id),
    ["slack-bot-token"],
  );
  assert.equal(runSlipway(dir, ["scan", "--format", "xml"], env).code, 2);
  assert.equal(runSlipway(dir, ["scan", "a", "b"], env).code, 2);
});

test("a team's .gitleaks.toml rule is used; a symlink out of the tree and a FIFO are skipped, not followed", async () => {
  const dir = project();
  writeFiles(dir, {
    ".gitleaks.toml": `[extend]\nuseDefault = true\n\n[[rules]]\nid = "acme-live-key"\ndescription = "ACME live API key"\nregex = '''acme_live_[0-9a-f]{32}'''\nkeywords = ["acme_live_"]\n`,
    "src/demo/client.py": `KEY = "${TEAM}"\n`,
  });
  const outside = join(work.dir, "outside-secret.txt");
  writeFileSync(outside, `${AWS}\n`);
  symlinkSync(outside, join(dir, "linked.txt"));
  // A tracked file replaced by a FIFO: git still lists it; reading it must not wait forever.
  rmSync(join(dir, "README.md"));
  execFileSync("mkfifo", [join(dir, "README.md")]);
  const report = await scan({ root: dir, env });
  const ids = report.findings.map((f) => `${f.id} ${f.location.file}`);
  assert.ok(ids.includes("acme-live-key src/demo/client.py"), ids.join(", "));
  assert.equal(ids.filter((i) => i.startsWith("aws-access-token")).length, 1, "only deploy.env's key");
  assert.equal(report.files.skipped, 2, "the link and the FIFO are skipped");
  assert.deepEqual(report.rules, ["built-in", ".gitleaks.toml"]);
  // Outside git every file is walked: links are listed (never followed), FIFOs are not.
  rmSync(join(dir, ".git"), { recursive: true, force: true });
  const walked = await scan({ root: dir, env });
  assert.equal(walked.files.skipped, 1, "the link is skipped");
  assert.ok(walked.findings.some((f) => f.id === "acme-live-key"));
});

test("a broken .gitleaks.toml is a configuration error naming the file", () => {
  const dir = project();
  writeFiles(dir, { ".gitleaks.toml": "[[rules]]\nid = 3\n" });
  const r = runSlipway(dir, ["scan"], env);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /\.gitleaks\.toml/);
});

test("[tool.slipway.scan] adds rules and can make test material an error too", async () => {
  const dir = project();
  writeFiles(dir, {
    "pyproject.toml": `[project]\nname = "demo"\nversion = "1.0"\n\n[tool.slipway.scan]\nseverity-by-place = false\n\n[[tool.slipway.scan.rules]]\nid = "acme-live-key"\ndescription = "ACME live API key"\nregex = 'acme_live_[0-9a-f]{32}'\nkeywords = ["acme_live_"]\n`,
    "src/demo/client.py": `KEY = "${TEAM}"\n`,
  });
  const report = await scan({ root: dir, env });
  const seen = report.findings.map((f) => `${f.severity} ${f.id}`).sort();
  assert.deepEqual(seen, [
    "error acme-live-key",
    "error aws-access-token",
    "error pypi-upload-token",
    "error slack-bot-token",
  ]);
  assert.deepEqual(report.rules, ["built-in", "pyproject.toml [tool.slipway.scan]"]);
});
