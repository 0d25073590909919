/**
 * The step table that drives a pipeline such as `slipway release`: each step declares whether it
 * is public (after the commit point), whether it is safe to run for real in a dry run, its
 * preflight checks, how to re-check it on resume and how to undo it. The runner (runner.ts) owns
 * the order of things; steps never see each other except through the records they leave.
 */
import type { Location, Severity } from "../core/findings.ts";
import { SlipwayError } from "../errors.ts";

/** Plain JSON: what records, plans and journals are made of. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** What a finished step leaves behind for the journal and for later steps: hashes, paths, ids. */
export type StepRecord = { [key: string]: JsonValue };

/** What a step would do, as data (file edits, uploads, argv + cwd), for `--dry-run` and `--json`. */
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
 * `records` and `plans` hold what the steps before it produced, so data flows through records
 * instead of a shared mutable context.
 */
export interface StepContext<C> {
  readonly input: C;
  /** Records of the finished steps before this one, by step id (journaled ones too, on resume). */
  readonly records: Readonly<Record<string, StepRecord>>;
  /** In a dry run: the plans of the "plan" steps before this one, by step id. */
  readonly plans: Readonly<Record<string, StepPlan>>;
  readonly dryRun: boolean;
  /** The injected clock (milliseconds since the epoch). */
  readonly now: () => number;
}

/** On resume: the step's effect is really there, must be done again, or contradicts the record. */
export type Verdict = "done" | "redo" | "conflict";

interface StepBase<C> {
  /** Stable id, kebab-case: journal key and event subject. */
  id: string;
  /** One line for humans: "Publish to pypi". */
  title: string;
  /** After the commit point (publish to the target, push): never undone once it has run. */
  public: boolean;
  /** Every preflight of every step runs before anything mutates; problems are reported together. */
  preflight?: (ctx: StepContext<C>) => Promise<StepProblem[]>;
  run: (ctx: StepContext<C>) => Promise<StepRecord>;
  /**
   * On resume, for a journaled step: re-check reality (the index, the remote, the files) instead
   * of trusting the journal. Without it the journal is trusted ("done"). After "redo" (and for the
   * step a kill interrupted) `run` is called again, so it must cope with a partial earlier attempt.
   */
  verify?: (ctx: StepContext<C>, record: StepRecord) => Promise<Verdict>;
  /**
   * On resume, before anything else runs: checks the record read back from the journal, which is
   * hostile input (a repository can commit a journal) — its shape, and that every path in it
   * stays inside the project. Throws a SlipwayError naming `where` and the field. Without it the
   * record is trusted as it is, so a step whose record names paths or git arguments needs one.
   */
  checkRecord?: (ctx: StepContext<C>, record: StepRecord, where: string) => Promise<void>;
  /** Reverts the step from its record; only called for steps before the commit point. */
  undo?: (ctx: StepContext<C>, record: StepRecord) => Promise<void>;
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
export interface RunStep<C> extends StepBase<C> {
  dryRun: "run";
  plan?: (ctx: StepContext<C>) => Promise<StepPlan>;
}

/** Not safe in a dry run: only describes itself through `plan`. */
export interface PlanStep<C> extends StepBase<C> {
  dryRun: "plan";
  plan: (ctx: StepContext<C>) => Promise<StepPlan>;
}

export type Step<C> = RunStep<C> | PlanStep<C>;

export type StepTable<C> = readonly Step<C>[];

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
