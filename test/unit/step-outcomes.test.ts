/**
 * Reading a finished run's outcomes typed by the step object (what the release output does):
 * the record checked against the step's shape, the plan as the step made it.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { integer, list, string, record as struct } from "../../src/core/stored-shape.ts";
import { SlipwayError } from "../../src/errors.ts";
import { outcomePlan, outcomeRecord, type StepOutcome } from "../../src/pipeline/runner.ts";
import type { Step } from "../../src/pipeline/steps.ts";

const filesRecord = struct({ files: list(struct({ filename: string, size: integer(0, 1e9) })) });
type FilesRecord = ReturnType<typeof filesRecord>;

const upload: Step<null, FilesRecord, { argv: string[] }> = {
  id: "upload",
  title: "Upload",
  public: true,
  record: filesRecord,
  dryRun: "plan",
  plan: async () => ({ argv: ["send", "a.whl"] }),
  run: async () => ({ files: [] }),
};

const outcome = (extra: Partial<StepOutcome>): StepOutcome => ({
  id: "upload",
  title: "Upload",
  public: true,
  status: "ran",
  ...extra,
});

test("a finished step's record, typed by the step", () => {
  const steps = [outcome({ record: { files: [{ filename: "a.whl", size: 3 }] } })];
  const record = outcomeRecord(steps, upload);
  assert.deepEqual(
    record?.files.map((f) => f.filename),
    ["a.whl"],
  );
  assert.equal(outcomeRecord([], upload), undefined, "no outcome of the step: no record");
  assert.equal(outcomeRecord([outcome({ status: "planned" })], upload), undefined);
});

test("a record that does not fit its step's shape is an internal error, not a wrong value", () => {
  const steps = [outcome({ record: { files: [{ filename: "a.whl", size: "3" }] } })];
  assert.throws(
    () => outcomeRecord(steps, upload),
    (error: unknown) => error instanceof SlipwayError && error.code === "internal",
  );
});

test("a dry run's plan, typed by the step", () => {
  const steps = [outcome({ status: "planned", plan: { argv: ["send", "a.whl"] } })];
  assert.deepEqual(outcomePlan(steps, upload)?.argv, ["send", "a.whl"]);
  assert.equal(outcomePlan([outcome({})], upload), undefined);
});
