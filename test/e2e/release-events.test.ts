/**
 * What `release` tells a library caller while it runs: typed events, not English. A whole real
 * release (built, checked, staged, verified, checkpointed, published, pushed) through the library,
 * with every event kept: the build inside the release runs none of the checks (the check step
 * runs them, once), and each step's progress is data the caller can read.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { type ReleaseEvent, release } from "../../src/ops/release.ts";
import { peersPython } from "../helpers/peers.ts";
import { releaseRepos } from "../helpers/release-repo.ts";
import { wheelhouse } from "../helpers/wheelhouse.ts";

const { repo } = releaseRepos("slipway-release-events-");

test("a release's progress is typed events; the build runs no checks, the check step runs them once", async () => {
  const r = await repo();
  const events: ReleaseEvent[] = [];
  const report = await release({
    cwd: r.project,
    env: r.env,
    to: r.target.uploadUrl,
    checkUrl: r.target.simpleUrl,
    python: peersPython(),
    pip: { findLinks: [wheelhouse()], noIndex: true },
    toolVersion: "0.0.0-test",
    onEvent: (e) => events.push(e),
  });
  assert.equal(report.result?.status, "done", JSON.stringify(report.result));
  const of = <T extends ReleaseEvent["type"]>(type: T) =>
    events.filter((e): e is Extract<ReleaseEvent, { type: T }> => e.type === type);

  // The build's phases: the sdist, the wheel from it, the write; never the build's own check.
  const phases = of("build-phase").map((e) => e.phase);
  assert.deepEqual(phases, ["prepare", "sdist", "unpack", "wheel", "write"]);
  assert.ok(
    of("build-phase").every((e) => e.step === "build" && e.scratch === undefined),
    "a real run writes into the release's dist dir",
  );
  // The checks ran once, in the check step, and passed with their counts and lines as data.
  const checked = of("checked");
  assert.equal(checked.length, 1);
  assert.equal(checked[0]!.errors, 0);
  assert.equal(checked[0]!.findings.length >= checked[0]!.warnings, true);

  const files = report.result!.steps.find((s) => s.id === "publish")!.record!["files"] as {
    filename: string;
  }[];
  const names = files.map((f) => f.filename).sort();
  assert.equal(names.length, 2);
  for (const step of ["stage", "publish"] as const) {
    const published = of("file-published").filter((e) => e.step === step);
    assert.deepEqual(published.map((e) => e.filename).sort(), names, step);
    assert.ok(
      published.every((e) => e.status === "uploaded"),
      `${step}: ${JSON.stringify(published)}`,
    );
  }
  const smoke = of("smoke-test");
  assert.ok(smoke.length > 0);
  assert.ok(smoke.every((e) => e.test.ok));
  assert.ok(smoke.some((e) => e.test.kind === "import" && e.test.subject === "slipway_demo_lib"));
  assert.deepEqual(of("checkpoint-saved"), [
    {
      type: "checkpoint-saved",
      step: "checkpoint",
      ref: "refs/slipway/release/v0.1.1",
      remote: "origin",
      artifacts: 2,
    },
  ]);
  // No English sentences for a renderer to pass on: every event is one of the typed kinds.
  const kinds = new Set(events.map((e) => e.type));
  assert.deepEqual([...kinds].filter((k) => !k.startsWith("step-")).sort(), [
    "build-phase",
    "checked",
    "checkpoint-saved",
    "file-published",
    "plan",
    "smoke-test",
    "stage-started",
  ]);
});
