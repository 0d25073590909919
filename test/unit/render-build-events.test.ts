/** The English of build warnings: the library's facts, worded by the CLI as they always read. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { renderBuildWarning } from "../../src/cli/render/build-events.ts";
import { type BuildWarning, uncommittedMessage } from "../../src/ops/build.ts";

type Uncommitted = Extract<BuildWarning, { kind: "uncommitted-changes" }>;

test("a legacy backend names the project and the backend", () => {
  assert.equal(
    renderBuildWarning({
      kind: "legacy-backend",
      project: "pkg",
      backend: "setuptools.build_meta:__legacy__",
    }),
    "pkg names no build-system.build-backend; using setuptools' legacy backend (setuptools.build_meta:__legacy__)",
  );
});

test("uncommitted changes: the sample, '...' when there are more, the short commit", () => {
  const commit = "0123456789abcdef0123456789abcdef01234567";
  const few: Uncommitted = {
    kind: "uncommitted-changes",
    changes: ["M README.md", "?? new.txt"],
    count: 2,
    commit,
  };
  assert.equal(
    renderBuildWarning(few),
    "the git work tree has uncommitted changes (M README.md; ?? new.txt), so the build does not match commit 0123456789ab",
  );
  const many = { ...few, changes: ["M a", "M b", "M c", "M d", "M e"], count: 7 };
  assert.match(renderBuildWarning(many), /\(M a; M b; M c; M d; M e; \.\.\.\), so/);
  assert.match(renderBuildWarning({ ...few, commit: null }), /does not match commit \(none\)$/);
  assert.equal(uncommittedMessage(few), renderBuildWarning(few), "the --require-clean error says the same");
});

test("no SOURCE_DATE_EPOCH", () => {
  assert.equal(
    renderBuildWarning({ kind: "no-source-date-epoch" }),
    "SOURCE_DATE_EPOCH is not set and the project is not a git commit: timestamps in the artifacts will vary",
  );
});
