/**
 * The shapes of the release steps' records, checked when a resumed run reads them back from
 * `.slipway/release.json` (hostile input: a repository can commit a journal). A record must hold
 * exactly the fields its step writes, every path must stay inside the project and be the one the
 * step would use (the build's output is `.slipway/dist/<version>`, never anything else), and every
 * value that reaches git as an argument must be an object id or a ref name.
 */
import { join, relative } from "node:path";
import { resolveInside } from "../adapters/state-dir.ts";
import { releaseStateRefs } from "../core/release/plan.ts";
import {
  boolean,
  checkStored,
  httpUrl,
  integer,
  list,
  literal,
  matching,
  nullable,
  objectId,
  optional,
  refName,
  relativePath,
  type Shape,
  sha256,
  string,
  record as struct,
} from "../core/stored-shape.ts";
import { SlipwayError } from "../errors.ts";
import type { StepContext, StepRecord } from "../pipeline/steps.ts";
import type { ReleaseInput } from "./release-steps.ts";

/** What a record is checked against: the project, the release's dist dir, and its plan. */
export type RecordScope = Pick<ReleaseInput, "root" | "distDir" | "plan">;

const HINT =
  "resume with the slipway version that started the run; if you did not start it, delete the journal";
const count = integer(0, Number.MAX_SAFE_INTEGER);
const filename = matching(/^[^/\\\0]+$/, "a file name");
/** `filename sha256` lines: which build a later step worked on. */
const fingerprints = list(matching(/^[^/\\\0 ]+ [0-9a-f]{64}$/, "a file name and its sha256"));

const artifact = struct({
  file: relativePath,
  filename,
  kind: literal("sdist", "wheel"),
  sha256,
  size: count,
});

/** A record's check: its shape, then what `extra` knows; returns the record typed. */
function checker<T>(shape: Shape<T>, extra?: (scope: RecordScope, value: T, where: string) => Promise<void>) {
  return async (scope: RecordScope, record: unknown, where: string): Promise<T> => {
    const value = checkStored(record, shape, where, HINT);
    await extra?.(scope, value, where);
    return value;
  };
}

/** A step's `checkRecord` from a check of its record. */
export function stepCheck(
  check: (scope: RecordScope, record: unknown, where: string) => Promise<unknown>,
): (ctx: StepContext<ReleaseInput>, record: StepRecord, where: string) => Promise<void> {
  return async (ctx, record, where) => {
    await check(ctx.input, record, where);
  };
}

function mismatch(where: string, field: string, expected: string, found: string): SlipwayError {
  return new SlipwayError(
    "io",
    `${where} is not a file slipway wrote: ${field}: expected ${JSON.stringify(expected)}, found ${JSON.stringify(found)}`,
    { hint: HINT },
  );
}

export const checkEditRecord = checker(struct({ paths: list(relativePath) }));

/**
 * A journaled build is always a real run's (a dry run keeps no journal), so its output is the
 * release's dist dir and each artifact a file directly in it; a `scratch` directory (what a dry
 * run removes) can never come from a journal.
 */
export const checkBuildRecord = checker(
  struct({ out: relativePath, source: literal("."), artifacts: list(artifact) }),
  async (scope, value, where) => {
    const { root, distDir } = scope;
    const out = relative(root, distDir);
    if (value.out !== out) throw mismatch(where, "out", out, value.out);
    await resolveInside(root, value.out, `${where} out`, { followFile: true });
    for (const [i, a] of value.artifacts.entries()) {
      const file = join(out, a.filename);
      if (a.file !== file) throw mismatch(where, `artifacts[${i}].file`, file, a.file);
      await resolveInside(root, a.file, `${where} artifacts[${i}].file`, { followFile: true });
    }
  },
);

/** One finding line as the check step records it (core/release/findings.ts). */
const findingLine = struct({
  id: string,
  severity: literal("error", "warning", "info"),
  message: string,
  places: list(string),
  hint: string,
});

export const checkCheckRecord = checker(
  struct({ errors: count, warnings: count, findings: list(findingLine), artifacts: fingerprints }),
);

export const checkStageRecord = checker(struct({ simpleUrl: httpUrl, files: count }));

export const checkVerifyRecord = checker(
  struct({ ok: boolean, runs: count, steps: count, artifacts: fingerprints }),
);

export const checkCommitTagRecord = checker(
  struct({ commit: objectId, parent: objectId, tag: refName, tagObject: objectId }),
  async (scope, value, where) => {
    const tag = scope.plan.tag.name;
    if (value.tag !== tag) throw mismatch(where, "tag", tag, value.tag);
  },
);

export const checkPublishRecord = checker(
  struct({
    files: list(struct({ filename, sha256, status: string, url: optional(string) })),
  }),
);

export const checkPushRecord = checker(
  struct({ remote: string, branch: refName, tag: refName, commit: nullable(objectId) }),
);

export const checkCheckpointRecord = checker(
  struct({ remote: string, stateRef: string, tagRef: string }),
  async (scope, value, where) => {
    const refs = releaseStateRefs(scope.plan.tag.name);
    const expected = { remote: scope.plan.git.remote, stateRef: refs.state, tagRef: refs.tag };
    for (const key of ["remote", "stateRef", "tagRef"] as const) {
      if (value[key] !== expected[key]) throw mismatch(where, key, expected[key], value[key]);
    }
  },
);

/** Each release step's record check, by step id. */
export const RECORD_CHECKS: Readonly<
  Record<string, (scope: RecordScope, record: unknown, where: string) => Promise<unknown>>
> = {
  edit: checkEditRecord,
  build: checkBuildRecord,
  check: checkCheckRecord,
  stage: checkStageRecord,
  verify: checkVerifyRecord,
  "commit-tag": checkCommitTagRecord,
  checkpoint: checkCheckpointRecord,
  publish: checkPublishRecord,
  push: checkPushRecord,
};
