/** The English of the embedded index's warnings: facts from the server, worded by the CLI. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { renderIndexWarning } from "../../src/cli/render/index-events.ts";

test("a failed route names the request; an upload's trouble says what happened to it", () => {
  assert.equal(
    renderIndexWarning({ kind: "route-failed", method: "GET", path: "/simple/x/", error: "upstream down" }),
    "GET /simple/x/: upstream down",
  );
  assert.equal(renderIndexWarning({ kind: "upload-aborted", error: "aborted" }), "upload aborted: aborted");
  assert.equal(
    renderIndexWarning({ kind: "upload-timed-out", error: "The upload stalled: no data for 0.4 s." }),
    "upload timed out: The upload stalled: no data for 0.4 s.",
  );
  assert.equal(renderIndexWarning({ kind: "upload-failed", error: "ENOSPC" }), "upload failed: ENOSPC");
});
