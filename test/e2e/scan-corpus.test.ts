/**
 * `slipway scan secrets` against the labelled corpus (scripts/scan-corpus.mjs): fifteen real
 * releases of urllib3 and requests committed one after another, with synthetic secrets planted
 * in chosen commits, files and encodings. Every planted secret must be found with its rule and
 * severity, in the work tree (what HEAD still holds) and in the history (all of them, the
 * deleted and overwritten ones too); the real code must yield no error, only the warnings of the
 * projects' own test keys. Recall and false positives per rule are printed as a diagnostic.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { SECRET_RULES } from "../../src/core/secrets/rules.ts";
import { githubChecksumValid } from "../../src/core/secrets/token-checks.ts";
import { runSlipway } from "../helpers/cli.ts";
import {
  type Gap,
  type Plant,
  renderScore,
  type ScoredFinding,
  scanCorpus,
  scoreFindings,
} from "../helpers/scan-corpus.ts";
import { scanSection } from "../helpers/scan-json.ts";

const corpus = scanCorpus();
const ABSENT =
  "the scan corpus is not built: run `npm run peers` (scripts/scan-corpus.mjs downloads the sdists)";
const home = mkdtempSync(join(tmpdir(), "slipway-scan-corpus-"));
after(() => rmSync(home, { recursive: true, force: true }));
const env = { PATH: process.env["PATH"], HOME: home };

interface JsonFinding {
  id: string;
  severity: string;
  location: { file: string; line?: number; commit?: string };
}

const git = (repo: string, ...args: string[]): string =>
  execFileSync("git", args, { cwd: repo, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();

function scanned(args: string[]): { code: number | null; findings: ScoredFinding[]; output: string } {
  const r = runSlipway(corpus!.repo, ["scan", "secrets", ...args, "--json", corpus!.repo], env);
  let doc: { findings: JsonFinding[] };
  try {
    doc = scanSection(r.stdout) as unknown as { findings: JsonFinding[] };
  } catch {
    assert.fail(
      `scan secrets ${args.join(" ")} printed no JSON document (exit ${r.code}): ${r.stderr.slice(-500)}`,
    );
  }
  const findings = doc.findings.map((f) => ({
    rule: f.id,
    severity: f.severity,
    path: f.location.file,
    line: f.location.line ?? 0,
    commit: f.location.commit,
  }));
  return { code: r.code, findings, output: r.stdout + r.stderr };
}

/** The forms slipway's rules do not read (manifest "gaps"), and whether this build finds them anyway. */
function gapNotes(gaps: readonly Gap[], findings: readonly ScoredFinding[]): string {
  return gaps
    .map((g) => {
      const found = findings.some((f) => f.rule === g.rule && f.path === g.path && f.line === g.line);
      return `gap ${g.name} (${g.path}:${g.line}, ${g.encoding}): ${found ? "found now: move it to the plants" : `not found: ${g.why}`}`;
    })
    .join("\n");
}

/** Every planted token (and the base64 one) stays out of the output: 4 characters at most. */
function assertNoSecret(output: string): void {
  for (const p of [...corpus!.manifest.planted, ...corpus!.manifest.gaps]) {
    if (p.secret === null) continue;
    assert.equal(output.includes(p.secret.slice(0, 12)), false, `the output holds the secret of ${p.name}`);
  }
}

function assertScore(plants: readonly Plant[], findings: readonly ScoredFinding[]) {
  const score = scoreFindings(plants, findings, corpus!.manifest.gaps);
  const name = (p: Plant) => `${p.name} (${p.rule} at ${p.path}:${p.line}, ${p.encoding})`;
  assert.deepEqual(score.missed.map(name), [], "planted secrets not found");
  assert.deepEqual(
    score.wrongSeverity.map((w) => `${name(w.plant)}: ${w.severity}, expected ${w.plant.severity}`),
    [],
  );
  assert.deepEqual(
    score.falseErrors.map((f) => `${f.rule} ${f.path}:${f.line}`),
    [],
    "the real code of urllib3 and requests yields an error",
  );
  return score;
}

test("the corpus is what its manifest says: each secret at its commit, path and line", {
  skip: corpus ? false : ABSENT,
}, () => {
  const { repo, manifest } = corpus!;
  const rules = new Set(SECRET_RULES.map((r) => r.id));
  assert.equal(git(repo, "rev-parse", "HEAD"), manifest.head);
  assert.equal(git(repo, "rev-list", "--count", "HEAD"), String(manifest.commits.length + 1));
  assert.ok(manifest.planted.length >= 20, "at least 20 planted secrets");
  for (const p of manifest.planted) {
    assert.ok(rules.has(p.rule), `${p.name}: no rule ${p.rule}`);
    assert.equal(git(repo, "rev-parse", `${p.commit}:${p.path}`), p.blob, p.name);
    const bytes = execFileSync("git", ["cat-file", "blob", p.blob], { cwd: repo });
    const line = bytes.toString("latin1").split("\n")[p.line - 1] ?? "";
    // As written, or base64-encoded (a Kubernetes Secret's data).
    const stored = p.secret === null ? [] : [p.secret, Buffer.from(p.secret).toString("base64")];
    if (p.secret !== null)
      assert.ok(
        stored.some((x) => line.includes(x)),
        `${p.name}: not on line ${p.line}`,
      );
    else assert.match(line, /-----BEGIN [A-Z ]*PRIVATE KEY-----/, p.name);
    // The GitHub tokens carry a valid CRC32: slipway drops a token whose checksum fails.
    if (p.secret !== null && /^gh[pousr]_/.test(p.secret)) assert.ok(githubChecksumValid(p.secret), p.name);
  }
  // Some live only in the history: a deleted file, a line the next release overwrote.
  const historyOnly = manifest.planted.filter((p) => !p.inTree).map((p) => p.name);
  assert.deepEqual(historyOnly.sort(), ["deleted-python-pypi", "overwritten-python-gho"]);
  const binary = manifest.planted.find((p) => p.name === "binary-ghp")!;
  assert.ok(
    execFileSync("git", ["cat-file", "blob", binary.blob], { cwd: repo }).subarray(0, 8000).includes(0),
  );
});

test("the work tree: every secret HEAD holds is found, the real code gives warnings only", {
  skip: corpus ? false : ABSENT,
}, (t) => {
  const { code, findings, output } = scanned([]);
  assert.equal(code, 1, "exit 1: error-severity secrets are there");
  const plants = corpus!.manifest.planted.filter((p) => p.inTree);
  const score = assertScore(plants, findings);
  // The projects ship TLS test keys (urllib3 dummyserver/certs, requests tests/certs): warnings.
  assert.ok(score.warnings.length >= 8, `${score.warnings.length} warnings on the projects' test keys`);
  assertNoSecret(output);
  const gaps = gapNotes(
    corpus!.manifest.gaps.filter((g) => g.inTree),
    findings,
  );
  t.diagnostic(`work tree (HEAD), ${plants.length} planted secrets:\n${renderScore(score)}\n${gaps}`);
});

test("the history: every planted secret is found once per blob, in a commit that holds it", (t) => {
  if (corpus === undefined) return t.skip(ABSENT);
  const { code, findings, output } = scanned(["--history"]);
  assert.equal(code, 1, "exit 1: error-severity secrets are there");
  const score = assertScore(corpus.manifest.planted, findings);
  for (const p of corpus.manifest.planted) {
    for (const f of findings.filter((x) => x.rule === p.rule && x.path === p.path && x.line === p.line)) {
      assert.ok(f.commit !== undefined, `${p.name}: a history finding names its commit`);
      assert.equal(
        git(corpus.repo, "rev-parse", `${f.commit}:${p.path}`),
        p.blob,
        `${p.name}: commit ${f.commit}`,
      );
    }
  }
  // Each blob once: the .env of every later commit is one blob, so one finding per secret.
  const keys = findings.map((f) => `${f.rule} ${f.path}:${f.line} ${f.commit}`);
  const stripe = findings.filter((f) => f.rule === "stripe-access-token");
  assert.equal(
    stripe.length,
    1,
    `the .env blob scanned once: ${keys.filter((k) => k.includes(".env")).join(", ")}`,
  );
  assertNoSecret(output);
  t.diagnostic(
    `history (${corpus.manifest.commits.length + 1} commits), ${corpus.manifest.planted.length} planted secrets:\n${renderScore(score)}`,
  );
});
