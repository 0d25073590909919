/**
 * `slipway scan` over git's objects and built distributions, on real repositories: the history
 * (a deleted file, an old version of a file, a binary; each blob once; a commit that holds it),
 * a pull request's range, the staged blobs of a pre-commit hook, a shallow clone refused with
 * the way out, distributions through check's secret checks, and a baseline that survives moved
 * code but not a new secret. Tokens are made here in the documented formats (never real ones).
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { scan } from "../../src/ops/scan.ts";
import { runSlipway } from "../helpers/cli.ts";
import { commit, git, makeRepo, scratch, writeFiles } from "../helpers/git-repo.ts";
import { scanSection } from "../helpers/scan-json.ts";
import { buildSdist } from "../helpers/tar-writer.ts";
import { buildWheel } from "../helpers/zip-writer.ts";

const work = scratch("slipway-scan-history-");
after(work.remove);

const PYPI = `pypi-AgEIcHlwaS5vcmc${"Q2hhbmdlTWVfbm90X2FfcmVhbF90b2tlbl9idXRfYV9mb3JtYXRfdGVzdA".repeat(2)}`;
const PYPI2 = `pypi-AgEIcHlwaS5vcmc${"U2Vjb25kX25vdF9hX3JlYWxfdG9rZW5fYnV0X2FfZm9ybWF0X3Rlc3Q".repeat(2)}`;
const AWS = "AKIAQWERTYUIOPASDFGH";
const SLACK = "xoxb-1234567890123-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx";
const env = { PATH: process.env["PATH"], HOME: work.dir };

const seen = (findings: readonly { severity: string; id: string; location: { file: string } }[]) =>
  findings.map((f) => `${f.severity} ${f.id} ${f.location.file}`).sort();

/** A history where every secret is gone from HEAD: deleted, overwritten, in a binary. */
function history(): { dir: string; commits: Record<string, string> } {
  const dir = makeRepo(work.dir, {
    "pyproject.toml": '[project]\nname = "demo"\nversion = "1.0"\n',
    "src/demo/__init__.py": "",
  });
  const commits: Record<string, string> = {};
  commits["settings"] = commit(dir, "settings with a token", {
    "src/demo/settings.py": `import os\n\nTOKEN = "${PYPI}"\n`,
  });
  // Many commits keep the same blob: it is scanned (and reported) once.
  for (let i = 0; i < 5; i++) commit(dir, `unrelated ${i}`, { [`notes/${i}.txt`]: `note ${i}\n` });
  commits["fixed"] = commit(dir, "read the token from the environment", {
    "src/demo/settings.py": 'import os\n\nTOKEN = os.environ["TOKEN"]\n',
  });
  writeFileSync(join(dir, "deploy.env"), `AWS_ACCESS_KEY_ID=${AWS}\n`);
  commits["env"] = commit(dir, "deploy config");
  git(dir, "rm", "-q", "deploy.env");
  commit(dir, "remove deploy config");
  // A binary file with a token among its bytes, under tests/: a warning.
  mkdirSync(join(dir, "tests"), { recursive: true });
  writeFileSync(
    join(dir, "tests/fixture.bin"),
    Buffer.concat([Buffer.from([0, 1, 2, 255, 0]), Buffer.from(`\n${SLACK}\n`), Buffer.alloc(64)]),
  );
  commits["binary"] = commit(dir, "a binary fixture");
  return { dir, commits };
}

test("--history: every blob of every ref once, deleted and overwritten secrets found with the commit that brought them", async () => {
  const { dir, commits } = history();
  // A secret only on another branch is in "every ref".
  git(dir, "checkout", "-q", "-b", "side");
  commit(dir, "side work", { "side.py": `KEY = "${PYPI2}"\n` });
  git(dir, "checkout", "-q", "main");
  assert.equal((await scan({ root: dir, env })).errors, 0, "HEAD's tree holds no error");

  const report = await scan({ root: dir, env, source: { kind: "history", refs: [] } });
  assert.deepEqual(seen(report.findings), [
    "error aws-access-token deploy.env",
    "error pypi-upload-token side.py",
    "error pypi-upload-token src/demo/settings.py",
    "warning slack-bot-token tests/fixture.bin",
  ]);
  const settings = report.findings.find((f) => f.location.file === "src/demo/settings.py")!;
  assert.equal(settings.location.line, 3);
  // The commit named is the one that brought the blob, and holds the file as found.
  assert.equal(settings.location.commit, commits["settings"]);
  const held = git(dir, "show", `${settings.location.commit}:src/demo/settings.py`);
  assert.ok(held.includes(PYPI));
  const env_ = report.findings.find((f) => f.location.file === "deploy.env")!;
  assert.equal(env_.location.commit, commits["env"]);
  // Distinct blobs: pyproject, __init__, settings x2, 5 notes, deploy.env, fixture, side.py.
  assert.equal(report.history?.blobs, 12);
  assert.equal(report.history?.commits, 12);
  assert.equal(report.history?.skipped, 0);
  assert.equal(report.source, "history");
  assert.equal(JSON.stringify(report).includes(PYPI.slice(8)), false, "a secret in the report");

  // --ref main: the side branch is not walked.
  const main = await scan({ root: dir, env, source: { kind: "history", refs: ["main"] } });
  assert.equal(main.findings.filter((f) => f.location.file === "side.py").length, 0);
  assert.equal(main.findings.length, 3);
});

test("the CLI contract: one JSON document, findings with id/severity/location.commit, fingerprints; exit 1; nothing secret printed", () => {
  const { dir } = history();
  const r = runSlipway(dir, ["scan", "secrets", "--history", "--json", dir], env);
  assert.equal(r.code, 1, r.stderr);
  const doc = scanSection(r.stdout);
  assert.equal(doc.findings.length, doc.fingerprints.length);
  for (const f of doc.findings) {
    assert.equal(typeof f.id, "string");
    assert.match(f.severity, /^(error|warning)$/);
    assert.equal(typeof f.location.file, "string");
    assert.equal(typeof f.location.line, "number");
    assert.match(f.location.commit, /^[0-9a-f]{40}$/);
  }
  assert.deepEqual(Object.keys(doc.history), ["commits", "blobs", "bytes", "skipped"]);
  for (const args of [
    ["scan", "--history"],
    ["scan", "--history", "--format", "github"],
  ]) {
    const out = runSlipway(dir, args, env);
    assert.equal(out.code, 1, out.stderr);
    for (const secret of [PYPI, AWS, SLACK])
      assert.equal(
        `${out.stdout}${out.stderr}`.includes(secret.slice(5)),
        false,
        `${args.join(" ")} printed a secret`,
      );
  }
  assert.match(runSlipway(dir, ["scan", "--history"], env).stdout, /in commit [0-9a-f]{12}/);
  // Usage errors: two sources, --ref without --history, a bad range, an unknown ref.
  for (const args of [
    ["scan", "--history", "--staged"],
    ["scan", "--ref", "main"],
    ["scan", "--range", "main"],
    ["scan", "--range", "a...b"],
    ["scan", "--history", "--ref", "no-such-branch"],
    ["scan", "--history", "--ref", "--all"],
  ]) {
    const out = runSlipway(dir, args, env);
    assert.equal(out.code, 2, `${args.join(" ")}: ${out.stderr}`);
  }
  assert.match(runSlipway(dir, ["scan", "secrets", "--help"], env).stdout, /--since origin\/main/);
  assert.match(
    runSlipway(dir, ["scan", "--help"], env).stdout,
    /slipway scan secrets\|deps\|lock\|update-db/,
  );
});

test("--since / --range: only the blobs the range brings, not what its base already had", async () => {
  const dir = makeRepo(work.dir, {
    "pyproject.toml": '[project]\nname = "demo"\nversion = "1.0"\n',
    "old.py": `OLD = "${PYPI}"\n`,
  });
  git(dir, "tag", "base");
  git(dir, "checkout", "-q", "-b", "feature");
  commit(dir, "add a config", { "config.py": `KEY = "${AWS}"\n` });
  // Added and removed inside the range: still in the pull request's history.
  commit(dir, "add a script", { "tmp.sh": `export SLACK=${SLACK}\n` });
  git(dir, "rm", "-q", "tmp.sh");
  commit(dir, "remove the script");
  // Unchanged old.py, renamed: the same blob, already in the base.
  git(dir, "mv", "old.py", "older.py");
  commit(dir, "rename");
  const range = await scan({ root: dir, env, source: { kind: "range", from: "base", to: "feature" } });
  assert.deepEqual(seen(range.findings), [
    "error aws-access-token config.py",
    "error slack-bot-token tmp.sh",
  ]);
  assert.equal(range.history?.commits, 4);
  const since = runSlipway(dir, ["scan", "--since", "base", "--json"], env);
  assert.equal(since.code, 1, since.stderr);
  assert.deepEqual(
    scanSection(since.stdout)
      .findings.map((f: { location: { file: string } }) => f.location.file)
      .sort(),
    ["config.py", "tmp.sh"],
  );
  const empty = runSlipway(dir, ["scan", "--range", "feature..feature", "--json"], env);
  assert.equal(empty.code, 0, empty.stderr);
  assert.equal(scanSection(empty.stdout).history.commits, 0);
});

test("--staged: the staged blob with its own line numbers, not the work tree's later edits", () => {
  const dir = makeRepo(work.dir, {
    "pyproject.toml": '[project]\nname = "demo"\nversion = "1.0"\n',
    "app.py": "print('hello')\n",
  });
  writeFiles(dir, { "app.py": `import os\n\n\nKEY = "${AWS}"\n` });
  git(dir, "add", "app.py");
  // Edited after staging: the commit would hold the staged text, which is what is scanned.
  writeFiles(dir, { "app.py": 'KEY = os.environ["KEY"]\n', "untracked.py": `T = "${PYPI}"\n` });
  const r = runSlipway(dir, ["scan", "--staged", "--json"], env);
  assert.equal(r.code, 1, r.stderr);
  const doc = scanSection(r.stdout);
  assert.deepEqual(
    doc.findings.map((f: { id: string; location: { file: string; line: number } }) => [
      f.id,
      f.location.file,
      f.location.line,
    ]),
    [["aws-access-token", "app.py", 4]],
  );
  assert.equal(doc.findings[0].location.commit, undefined);
  // Nothing staged: a clean pass; in a fresh repository, everything staged is new.
  git(dir, "reset", "-q");
  assert.equal(runSlipway(dir, ["scan", "--staged"], env).code, 0);
  const fresh = join(work.dir, "fresh");
  mkdirSync(fresh);
  git(fresh, "init", "-q");
  writeFiles(fresh, { "a.py": `K = "${AWS}"\n` });
  git(fresh, "add", "a.py");
  assert.equal(runSlipway(fresh, ["scan", "--staged"], env).code, 1);
});

test("a shallow or partial clone asked for history is a configuration error that says how to fetch it; outside git too", () => {
  const { dir } = history();
  const shallow = join(work.dir, "shallow");
  execFileSync("git", ["clone", "-q", "--depth", "1", `file://${dir}`, shallow], { stdio: "ignore" });
  for (const args of [
    ["scan", "--history"],
    ["scan", "--since", "HEAD"],
    ["scan", "--range", "HEAD..HEAD"],
  ]) {
    const r = runSlipway(shallow, args, env);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, /shallow clone/);
    assert.match(r.stderr, /git fetch --unshallow/);
    assert.match(r.stderr, /fetch-depth: 0/);
  }
  const json = runSlipway(shallow, ["scan", "--history", "--json"], env);
  assert.equal(JSON.parse(json.stdout.trim()).code, "config");
  // A partial clone lacks the blobs: refused too, and nothing is fetched behind the user's back.
  git(dir, "config", "uploadpack.allowFilter", "true");
  const partial = join(work.dir, "partial");
  execFileSync("git", ["clone", "-q", "--no-checkout", "--filter=blob:none", `file://${dir}`, partial], {
    stdio: "ignore",
  });
  const objectsBefore = git(partial, "count-objects", "-v");
  const lacking = runSlipway(partial, ["scan", "--history"], env);
  assert.equal(lacking.code, 2, lacking.stderr);
  assert.match(lacking.stderr, /blobs of the history are not in .* \(a partial clone\?\)/);
  assert.equal(git(partial, "count-objects", "-v"), objectsBefore, "nothing fetched");
  const plain = join(work.dir, "plain");
  mkdirSync(plain);
  writeFileSync(join(plain, "a.py"), "x = 1\n");
  const outside = runSlipway(plain, ["scan", "--history"], env);
  assert.equal(outside.code, 2);
  assert.match(outside.stderr, /not in a git work tree/);
});

test("a baseline: written with the findings, it silences them; moved code stays silent, a new secret does not", () => {
  const dir = makeRepo(work.dir, {
    "pyproject.toml": '[project]\nname = "demo"\nversion = "1.0"\n',
    "src/legacy.py": `A = 1\nKEY = "${AWS}"\n`,
  });
  const write = runSlipway(dir, ["scan", "--baseline-write"], env);
  assert.equal(write.code, 0, write.stderr);
  assert.match(write.stderr, /wrote 1 fingerprints to \.slipway-baseline\.json/);
  const text = readFileSync(join(dir, ".slipway-baseline.json"), "utf8");
  assert.equal(text.includes(AWS.slice(4)), false, "the baseline holds no secret");
  const entry = JSON.parse(text).findings[0];
  assert.deepEqual(Object.keys(entry), ["fingerprint", "rule", "path", "line", "shown"]);
  assert.equal(entry.shown, "AKIA…");

  const quiet = runSlipway(dir, ["scan", "--json"], env);
  assert.equal(quiet.code, 0, quiet.stdout);
  assert.deepEqual(scanSection(quiet.stdout).baseline, { file: ".slipway-baseline.json", suppressed: 1 });
  // Moved ten lines down: the fingerprint has no line number.
  writeFiles(dir, { "src/legacy.py": `${"# moved\n".repeat(10)}A = 1\nKEY = "${AWS}"\n` });
  assert.equal(runSlipway(dir, ["scan"], env).code, 0);
  // The same key in the history is silenced too (same rule, path, secret).
  assert.equal(runSlipway(dir, ["scan", "--history"], env).code, 0);
  // Another secret is new; --no-baseline shows the old one again.
  writeFiles(dir, { "src/legacy.py": `KEY = "${AWS.replace("QWER", "ZXCV")}"\n` });
  assert.equal(runSlipway(dir, ["scan"], env).code, 1);
  writeFiles(dir, { "src/legacy.py": `KEY = "${AWS}"\n` });
  assert.equal(runSlipway(dir, ["scan", "--no-baseline"], env).code, 1);
  // The same secret under another name is another finding.
  writeFiles(dir, { "src/renamed.py": `KEY = "${AWS}"\n` });
  assert.equal(runSlipway(dir, ["scan"], env).code, 1);
  // --baseline-write=FILE and --baseline FILE.
  const custom = runSlipway(dir, ["scan", "--baseline-write=ci/accepted.json"], env);
  assert.equal(custom.code, 0, custom.stderr);
  assert.equal(runSlipway(dir, ["scan", "--baseline", "ci/accepted.json", "--no-baseline"], env).code, 2);
  assert.equal(runSlipway(dir, ["scan", "--baseline", "ci/accepted.json"], env).code, 0);
});

test("a hostile baseline is a clear configuration error, never a crash or a silent pass", () => {
  const dir = makeRepo(work.dir, { "src/app.py": `KEY = "${AWS}"\n` });
  const print = `aws-access-token:src/app.py:${"0".repeat(64)}`;
  const cases: Record<string, string> = {
    "not JSON": "{",
    "an array": "[]",
    "another version": '{"version": 2, "findings": []}',
    "an unknown key": '{"version": 1, "findings": [], "secrets": []}',
    "a bad fingerprint": '{"version": 1, "findings": [{"fingerprint": "x", "rule": "x", "path": "x"}]}',
    "a rule not its fingerprint's": `{"version": 1, "findings": [{"fingerprint": "${print}", "rule": "other", "path": "src/app.py"}]}`,
    "a long shown": `{"version": 1, "findings": [{"fingerprint": "${print}", "rule": "aws-access-token", "path": "src/app.py", "shown": "AKIAQWERTY"}]}`,
  };
  for (const [what, text] of Object.entries(cases)) {
    writeFileSync(join(dir, "b.json"), text);
    const r = runSlipway(dir, ["scan", "--baseline", "b.json"], env);
    assert.equal(r.code, 2, `${what}: ${r.stderr}`);
    assert.match(r.stderr, /b\.json is not a slipway baseline/, what);
  }
  writeFileSync(join(dir, "big.json"), Buffer.alloc(9 * 1024 * 1024, 32));
  assert.match(runSlipway(dir, ["scan", "--baseline", "big.json"], env).stderr, /larger than/);
  symlinkSync("/dev/zero", join(dir, "link.json"));
  assert.equal(runSlipway(dir, ["scan", "--baseline", "link.json"], env).code, 2);
  execFileSync("mkfifo", [join(dir, "fifo.json")]);
  assert.equal(runSlipway(dir, ["scan", "--baseline", "fifo.json"], env).code, 2);
  assert.match(runSlipway(dir, ["scan", "--baseline", "missing.json"], env).stderr, /does not exist/);
  // The default file, when present and broken, is an error too: never a silent pass.
  writeFileSync(join(dir, ".slipway-baseline.json"), "{}");
  assert.equal(runSlipway(dir, ["scan"], env).code, 2);
});

test("distributions: check's secret checks on the members, through the same archive readers", () => {
  const dir = makeRepo(work.dir, { "README.md": "# demo\n" });
  mkdirSync(join(dir, "dist"));
  const sdist = buildSdist({
    files: {
      "src/demo/deploy.py": `TOKEN = "${PYPI}"\n`,
      ".env": `AWS=${AWS}\n`,
      "tests/keys.py": `K = "${PYPI2}"\n`,
    },
  });
  writeFileSync(join(dir, "dist", sdist.filename), sdist.bytes);
  const wheel = buildWheel({ files: { "demo/clean.py": "x = 1\n" } });
  writeFileSync(join(dir, "dist", wheel.filename), wheel.bytes);
  const r = runSlipway(
    dir,
    ["scan", "secrets", `dist/${sdist.filename}`, `dist/${wheel.filename}`, "--json"],
    env,
  );
  assert.equal(r.code, 1, r.stderr);
  const doc = scanSection(r.stdout);
  assert.equal(doc.source, "dists");
  assert.equal(doc.files.scanned, 2);
  const ids = doc.findings.map((f: { id: string; severity: string }) => `${f.severity} ${f.id}`).sort();
  assert.ok(ids.includes("error SEC09"), ids.join(", "));
  assert.ok(ids.includes("warning SEC08"), ids.join(", "));
  assert.ok(ids.includes("warning SEC09"), ids.join(", "));
  assert.equal(doc.findings.length, doc.fingerprints.length);
  assert.equal(r.stdout.includes(PYPI.slice(8)), false);
  assert.equal(runSlipway(dir, ["scan", "secrets", `dist/${wheel.filename}`], env).code, 0);
  assert.equal(runSlipway(dir, ["scan", "secrets", `dist/${wheel.filename}`, "src"], env).code, 2);
  assert.equal(runSlipway(dir, ["scan", "secrets", "dist/missing-1.0.tar.gz"], env).code, 1);
});

test("history findings honour .gitleaksignore's commit entries; --baseline-write accepts the history; progress only on a terminal", () => {
  const { dir, commits } = history();
  const r = runSlipway(dir, ["scan", "--history", "--json"], env);
  const doc = scanSection(r.stdout);
  const aws = doc.findings.find((f: { id: string }) => f.id === "aws-access-token");
  // gitleaks' history form: commit:path:rule:line.
  writeFileSync(
    join(dir, ".gitleaksignore"),
    `${commits["env"]}:deploy.env:aws-access-token:${aws.location.line}\n`,
  );
  const ignored = scanSection(runSlipway(dir, ["scan", "--history", "--json"], env).stdout);
  assert.equal(
    ignored.findings.some((f: { id: string }) => f.id === "aws-access-token"),
    false,
  );
  assert.equal(ignored.findings.length, doc.findings.length - 1);
  // Off a terminal, nothing but the verdict; the baseline written, the history passes.
  const written = runSlipway(dir, ["scan", "--history", "--baseline-write", "--json"], env);
  assert.equal(written.code, 0, written.stderr);
  assert.equal(written.stderr, "");
  assert.equal(scanSection(written.stdout).baselineWritten.entries, 2);
  const again = runSlipway(dir, ["scan", "--history"], env);
  assert.equal(again.code, 0, again.stdout);
  assert.equal(again.stderr, "");
  // On a terminal (script(1) gives one), a status line counts blobs and megabytes.
  const hasScript = (() => {
    try {
      execFileSync("script", ["--version"], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  })();
  if (hasScript) {
    const cli = new URL("../../src/cli/main.ts", import.meta.url).pathname;
    const tty = spawnSync(
      "script",
      ["-qec", `'${process.execPath}' '${cli}' scan --history --no-baseline`, "/dev/null"],
      { cwd: dir, env, encoding: "utf8" },
    );
    assert.equal(tty.status, 1, tty.stderr);
    assert.match(tty.stdout, /scanning git blobs: \d+ \(\d+\.\d MB\)/);
  }
});
