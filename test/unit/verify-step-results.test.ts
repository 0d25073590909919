/**
 * The words of verify-install steps: each result's facts make the line the CLI prints and the
 * release's verify error quotes, as these lines always read.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  type ArchiveFact,
  describeVerifyResult,
  type VerifyResult,
} from "../../src/core/verify/step-results.ts";

const sha = "a".repeat(64);
const matches: ArchiveFact = { kind: "sha256-matches", filename: "p-1.0-py3-none-any.whl", sha256: sha };
const noSha: ArchiveFact = { kind: "no-sha256", filename: "p-1.0.tar.gz", hash: "md5=0f" };

const cases: [VerifyResult, string][] = [
  [{ kind: "venv-created", dir: "/tmp/v", pipVersion: "23.2.1" }, "/tmp/v (pip 23.2.1)"],
  [{ kind: "installed", distributions: 1 }, "installed 1 distribution"],
  [{ kind: "install-failed", requirement: "p==1.0", exit: 1 }, "pip could not install p==1.0 (exit 1)"],
  [{ kind: "not-in-report", name: "p" }, "pip's report does not list p"],
  [{ kind: "other-version", name: "p", installed: "0.9", expected: "1.0" }, "pip installed p 0.9, not 1.0"],
  [
    { kind: "foreign-file", filename: "q.whl", url: "http://i/q.whl", artifacts: ["p.whl", "p.tar.gz"] },
    "pip installed q.whl (from http://i/q.whl), which is not among the artifacts under test (p.whl, p.tar.gz)",
  ],
  [
    { kind: "hash-mismatch", filename: "p.whl", url: "http://i/p.whl", installed: "b1", local: "c2" },
    "p.whl installed from http://i/p.whl has sha256 b1, but the local artifact has sha256 c2",
  ],
  [{ kind: "not-in-metadata", name: "p" }, "pip installed p, but importlib.metadata does not find it"],
  [{ kind: "sdist-proven", archive: matches }, `sha256 ${sha} matches p-1.0-py3-none-any.whl`],
  [
    { kind: "sdist-unproven", archive: noSha },
    "pip reported no sha256 for p-1.0.tar.gz (md5=0f); cannot prove an sdist install without it",
  ],
  [
    { kind: "sdist-unproven", archive: { ...noSha, hash: null } },
    "pip reported no sha256 for p-1.0.tar.gz (no hash at all); cannot prove an sdist install without it",
  ],
  [
    { kind: "record-differs", name: "p", filename: "p.whl", files: 2, archive: matches },
    "the installed files of p differ from p.whl in 2 files",
  ],
  [
    { kind: "record-differs", name: "p", filename: "p.whl", files: 1, archive: noSha },
    "the installed files of p differ from p.whl in 1 file; pip reported no sha256 for p-1.0.tar.gz (md5=0f)",
  ],
  [
    { kind: "wheel-proven", archive: matches, files: 7 },
    `sha256 ${sha} matches p-1.0-py3-none-any.whl; installed RECORD: 7 files identical to the wheel's`,
  ],
  [{ kind: "dependencies-satisfied", requirements: 2 }, "2 requirements satisfied"],
  [
    { kind: "dependencies-failed", requirement: "p==1.0" },
    "pip could not install the dependencies of p==1.0",
  ],
  [{ kind: "imported", ms: 12.5 }, "imported in 12.5 ms"],
  [
    { kind: "import-failed", module: "p", lastLine: "ImportError: x", exit: 1 },
    "import p failed: ImportError: x",
  ],
  [{ kind: "import-failed", module: "p", lastLine: "", exit: -9 }, "import p failed (exit -9)"],
  [
    { kind: "import-slow", module: "p", ms: 301.2, budget: 100 },
    "import p took 301.2 ms, over the budget of 100 ms",
  ],
  [{ kind: "script-ran", argv: ["p", "--help"] }, "p --help exited 0"],
  [
    { kind: "script-ran", argv: ["p", "--help"], declaredExtras: ["cli"] },
    "p --help exited 0 (with the 'cli' extra its entry point declares)",
  ],
  [{ kind: "script-missing", name: "p", bin: "/v/bin" }, "console script p is not installed in /v/bin"],
  [
    { kind: "script-failed", name: "p", argv: ["p", "--help"], exit: 1, alsoWithExtras: ["cli", "all"] },
    "console script p: `p --help` exited with 1, also with the 'cli', 'all' extra installed",
  ],
  [
    {
      kind: "script-needs-extra",
      script: "p",
      cause: { extras: ["cli"], evidence: "ModuleNotFoundError: No module named 'click'" },
      outcome: "unverified",
    },
    "p needs the 'cli' extra: it failed with ModuleNotFoundError: No module named 'click'; verify with --extras cli",
  ],
  [
    { kind: "script-not-run", extras: ["cli"] },
    "not run: its entry point needs the 'cli' extra, which could not be installed (see its step)",
  ],
  [
    { kind: "extra-unknown", project: "p", extra: "x", provided: [] },
    'p does not provide the extra "x" (it provides: none)',
  ],
  [{ kind: "extra-install-failed", extra: "x" }, 'extra "x": pip could not install its dependencies'],
  [{ kind: "extra-replaced", extra: "x", project: "p" }, 'extra "x": pip replaced p with another file'],
  [{ kind: "extra-installed", modules: [] }, "installed"],
  [{ kind: "extra-installed", modules: ["p", "q"] }, "installed; import p, q ok"],
  [
    { kind: "extra-import-failed", extra: "x", modules: ["p"] },
    'extra "x": with its dependencies installed, importing p failed',
  ],
  [{ kind: "error", error: "EACCES: permission denied" }, "EACCES: permission denied"],
];

test("every result in words, as the CLI prints it", () => {
  for (const [result, words] of cases) assert.equal(describeVerifyResult(result), words, result.kind);
});
