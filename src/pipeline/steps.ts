/**
 * The step table that drives a pipeline such as `slipway release`: each step declares whether it
 * is public (after the commit point), whether it is safe to run for real in a dry run, its
 * preflight checks, how to re-check it on resume and how to undo it. The runner (runner.ts) owns
 * the order of things; steps never see each other except through the records they leave, read
 * through `recordOf` with the step itself as the key, typed by the shape the step declares.
 */
import type { Location, Severity } from "../core/findings.ts";
import { checkStored, type Shape } from "../core/stored-shape.ts";
import { SlipwayError } from "../errors.ts";

/** Plain JSON: what records, plans and journals are made of. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A record as the journal stores it: a JSON object. */
export type StepRecord = { [key: string]: JsonValue };

/** A plan as `--dry-run` and `--json` show it: a JSON object. */
export type StepPlan = { [key: string]: JsonValue };

/** A preflight problem, Finding-shaped; errors block the pipeline, warnings are only reported. */
export interface StepProblem {
  id: string;
  severity: Severity;
  message: string;
  hint: string;
  location?: Location;
}

/** A problem as the runner reports it: tagged with the step whose preflight found it. */
export interface PipelineProblem extends StepProblem {
  step: string;
}

/**
 * What a step sees. `input` is the caller's read-only data (project, release plan, adapters);
 * `records` holds what the steps before it left (journaled ones too, on resume), as JSON by step
 * id: read one through `recordOf(ctx, step)`, which checks it against the step's shape.
 */
export interface StepContext<C> {
  readonly input: C;
  readonly records: ReadonlyMap<string, StepRecord>;
  readonly dryRun: boolean;
  /** The injected clock (milliseconds since the epoch). */
  readonly now: () => number;
}

/** On resume: the step's effect is really there, must be done again, or contradicts the record. */
export type Verdict = "done" | "redo" | "conflict";

/*
 * The hooks are declared as methods, not function-typed fields: a table holds steps of different
 * record types, and a `Step<C, BuildRecord>` must fit where a `Step<C, unknown>` goes.
 */
interface StepBase<C, R> {
  /** Stable id, kebab-case: journal key and event subject. */
  id: string;
  /** One line for humans: "Publish to pypi". */
  title: string;
  /** After the commit point (publish to the target, push): never undone once it has run. */
  public: boolean;
  /**
   * The shape of what `run` returns: every record is checked against it when the step finishes
   * and whenever a later step reads it, so the record's type and its check are one thing.
   */
  record: Shape<R>;
  /**
   * The stricter shape a journaled record must have, when it differs from `record` (a journal is
   * a real run's, and a dry run's record holds scratch paths that a real one never does).
   */
  journaled?: Shape<R>;
  /** Every preflight of every step runs before anything mutates; problems are reported together. */
  preflight?(ctx: StepContext<C>): Promise<StepProblem[]>;
  run(ctx: StepContext<C>): Promise<R>;
  /**
   * On resume, for a journaled step: re-check reality (the index, the remote, the files) instead
   * of trusting the journal. Without it the journal is trusted ("done"). After "redo" (and for the
   * step a kill interrupted) `run` is called again, so it must cope with a partial earlier attempt.
   */
  verify?(ctx: StepContext<C>, record: R): Promise<Verdict>;
  /**
   * On resume, before anything else runs, after the journaled record fit its shape: what the
   * shape cannot say (every path stays inside the project and is the one the step would use, a
   * tag is the plan's). The record is hostile input (a repository can commit a journal). Throws a
   * SlipwayError naming `where` and the field.
   */
  checkRecord?(input: C, record: R, where: string): Promise<void>;
  /** Reverts the step from its record; only called for steps before the commit point. */
  undo?(ctx: StepContext<C>, record: R): Promise<void>;
}

/**
 * What a public step throws when it failed before it had any public effect (the index refused
 * every file before it accepted one): the commit point was not reached, so the runner undoes
 * the steps before it as it does for any earlier failure.
 */
export class NoPublicEffectError extends SlipwayError {
  constructor(error: SlipwayError) {
    super(error.code, error.message, {
      ...(error.hint === undefined ? {} : { hint: error.hint }),
      ...(error.cause === undefined ? {} : { cause: error.cause }),
    });
    this.name = "NoPublicEffectError";
  }
}

/** Safe in a dry run (build, check, stage to a throwaway index): runs for real, undone at the end. */
export interface RunStep<C, R, P> extends StepBase<C, R> {
  dryRun: "run";
  plan?(ctx: StepContext<C>): Promise<P>;
}

/** Not safe in a dry run: only describes itself through `plan`. */
export interface PlanStep<C, R, P> extends StepBase<C, R> {
  dryRun: "plan";
  plan(ctx: StepContext<C>): Promise<P>;
}

/** A step whose record has the type R and whose plan (what a dry run shows) the type P. */
export type Step<C, R = unknown, P = unknown> = RunStep<C, R, P> | PlanStep<C, R, P>;

export type StepTable<C> = readonly Step<C>[];

/** What a journaled record that does not fit says to do. */
export const RECORD_HINT =
  "resume with the slipway version that started the run; if you did not start it, delete the journal";

/**
 * The record `step` left in this run (or a journaled one), typed; undefined when it has none.
 * The record is checked against the step's shape, so a record that drifted from its type is an
 * internal error here rather than a wrong value later.
 */
export function recordOf<C, R>(ctx: StepContext<C>, step: Step<C, R>): R | undefined {
  const stored = ctx.records.get(step.id);
  if (stored === undefined) return undefined;
  return ownRecord(step, stored);
}

/** Like `recordOf`, for a step that must have run before: an internal error when it did not. */
export function needRecord<C, R>(ctx: StepContext<C>, step: Step<C, R>): R {
  const record = recordOf(ctx, step);
  if (record === undefined) throw new SlipwayError("internal", `the ${step.id} step left no record`);
  return record;
}

/** A record this process made, checked against its step's shape; an internal error when it does not fit. */
export function ownRecord<C, R>(step: Step<C, R>, value: unknown): R {
  try {
    return checkStored(value, step.record, `the record of step "${step.id}"`, "this is a bug in slipway");
  } catch (error) {
    throw new SlipwayError("internal", error instanceof Error ? error.message : String(error), {
      cause: error,
    });
  }
}

/**
 * A record read back from a journal (hostile input), checked: its shape (the step's `journaled`
 * one, else `record`), then the step's `checkRecord`. Throws a SlipwayError ("io") naming `where`
 * and the field.
 */
export async function readJournaledRecord<I, R>(
  step: Pick<StepBase<I, R>, "id" | "record" | "journaled" | "checkRecord">,
  input: I,
  value: unknown,
  where: string,
): Promise<R> {
  const record = checkStored(value, step.journaled ?? step.record, where, RECORD_HINT);
  await step.checkRecord?.(input, record, where);
  return record;
}

/**
 * `value` as the JSON it is stored as: objects (fields holding undefined are left out, as
 * JSON.stringify does), arrays, strings, finite numbers, booleans and null. Anything else is an
 * internal error naming `what` and where in it.
 */
export function toJson(value: unknown, what: string, at = ""): JsonValue {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (Array.isArray(value)) return value.map((item, i) => toJson(item, what, `${at}[${i}]`));
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return toJsonObject(value, what, at);
  }
  throw new SlipwayError("internal", `${what}${at === "" ? "" : ` ${at}`} is not JSON data`);
}

/** Like `toJson`, for a value that must be a JSON object. */
export function toJsonObject(value: object, what: string, at = ""): { [key: string]: JsonValue } {
  if (Array.isArray(value) || Object.getPrototypeOf(value) !== Object.prototype) {
    throw new SlipwayError("internal", `${what}${at === "" ? "" : ` ${at}`} is not a JSON object`);
  }
  const out: { [key: string]: JsonValue } = {};
  for (const [key, item] of Object.entries(value)) {
    if (item !== undefined) out[key] = toJson(item, what, at === "" ? key : `${at}.${key}`);
  }
  return out;
}

/**
 * Throws a SlipwayError ("internal": the table is code, not user input) when the table breaks the
 * rules the runner relies on: unique ids, and no public step that runs for real in a dry run.
 */
export function checkStepTable<C>(table: StepTable<C>): void {
  const seen = new Set<string>();
  for (const step of table) {
    if (seen.has(step.id)) {
      throw new SlipwayError("internal", `step table: the id "${step.id}" appears twice`);
    }
    seen.add(step.id);
    if (step.public && step.dryRun === "run") {
      throw new SlipwayError("internal", `step table: public step "${step.id}" cannot run in a dry run`, {
        hint: 'declare it dryRun: "plan" with a plan() that describes it',
      });
    }
  }
}
