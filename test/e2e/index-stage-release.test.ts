/**
 * The embedded stage of `slipway release` with an upstream (issue 11 A6): the project being
 * released is answered from the stage only, so a version that upstream (PyPI, here another
 * embedded index on loopback) already has with other bytes is no conflict on the throwaway stage.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import type { IndexEvent } from "../../src/server/events.ts";
import { startIndex } from "../../src/server/index-server.ts";
import { makeWheel, uploadRaw } from "../helpers/index-client.ts";
import { makeReleaseRepo, runRelease } from "../helpers/release-repo.ts";

const work = mkdtempSync(join(tmpdir(), "slipway-stage-own-"));
after(() => rmSync(work, { recursive: true, force: true }));

test("release --dry-run stages a version its upstream already has, and never reads it from upstream", async () => {
  const asked: string[] = [];
  const upstream = await startIndex({
    root: join(work, "upstream"),
    onEvent: (e: IndexEvent) => {
      if (e.type === "request") asked.push(e.path);
    },
  });
  const r = await makeReleaseRepo(work, { cache: join(work, "cache") });
  try {
    // The version this release plans (0.1.0 + minor), already on "PyPI" under the same filename.
    const taken = makeWheel({ name: "slipway-demo-lib", version: "0.2.0", salt: "published elsewhere" });
    const put = await uploadRaw(upstream.uploadUrl, upstream.token, {
      ...taken,
      name: "slipway-demo-lib",
      version: "0.2.0",
    });
    assert.equal(put.status, 200, put.statusMessage);
    asked.length = 0;
    const run = await runRelease(r, [
      ...r.args,
      "--dry-run",
      "--bump",
      "minor",
      "--stage-upstream",
      upstream.simpleUrl,
    ]);
    assert.equal(run.status, 0, `${run.stderr}\n${run.stdout}`);
    for (const step of ["stage", "verify"]) assert.match(run.stderr, new RegExp(`release: ${step}: done in`));
    assert.deepEqual(
      asked.filter((path) => path.includes("slipway-demo-lib") || path.includes("slipway_demo_lib")),
      [],
      "the stage never asked upstream for the project it releases",
    );
  } finally {
    await r.close();
    await upstream.close();
  }
});
