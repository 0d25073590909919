/**
 * Runs a step table: every preflight first (all problems reported together, nothing mutated),
 * then the steps in order, each finished one journaled with its record. Before the commit point
 * (the first public effect: a public step that finished, or one that failed after something of
 * it became public) a failure undoes every finished step in reverse, so the repository ends as
 * it was; after it nothing is undone and `--resume` continues, re-checking reality through each
 * step's `verify`. A dry run takes the same path: "run" steps run (and are undone at the end),
 * "plan" steps describe themselves. Nothing here prints: progress goes out as events.
 */
import { SlipwayError } from "../errors.ts";
import type { Journal, JournalStore } from "./journal.ts";
import {
  checkStepTable,
  type JsonValue,
  NoPublicEffectError,
  ownRecord,
  type PipelineProblem,
  readJournaledRecord,
  type Step,
  type StepContext,
  type StepPlan,
  type StepRecord,
  type StepTable,
  toJson,
} from "./steps.ts";

export type PipelineEvent =
  | { type: "step-start"; step: string; title: string }
  | { type: "step-done"; step: string; title: string; record: StepRecord; ms: number }
  | { type: "step-planned"; step: string; title: string; plan: StepPlan }
  | { type: "step-skipped"; step: string; title: string; reason: "verified" }
  | { type: "step-failed"; step: string; title: string; error: SlipwayError }
  | { type: "step-undone"; step: string; title: string }
  | { type: "step-undo-failed"; step: string; title: string; error: SlipwayError };

export interface PipelineOptions<C> {
  /** The caller's read-only data, handed to every step as `ctx.input`. */
  input: C;
  journal: JournalStore;
  /** What the run is about, e.g. `demo-pkg 1.2.4 → pypi`; a resumed journal must name the same. */
  subject: string;
  /** The caller's plan (plain data), stored in the journal as `plan`. */
  plan?: object;
  dryRun?: boolean;
  resume?: boolean;
  /** Milliseconds since the epoch. */
  now: () => number;
  onEvent?: (event: PipelineEvent) => void;
}

export type StepStatus = "ran" | "skipped" | "planned" | "failed" | "undone" | "pending";

export interface StepOutcome {
  id: string;
  title: string;
  public: boolean;
  status: StepStatus;
  record?: StepRecord;
  plan?: StepPlan;
}

export type PipelineResult =
  /** Preflight found errors: nothing ran, the journal was not touched. */
  | { status: "blocked"; problems: PipelineProblem[]; steps: StepOutcome[] }
  | { status: "done"; problems: PipelineProblem[]; steps: StepOutcome[] }
  /** Dry run: the plan of every step ("run" steps carry their record, "plan" steps their plan). */
  | { status: "planned"; problems: PipelineProblem[]; steps: StepOutcome[] }
  | {
      status: "failed";
      problems: PipelineProblem[];
      steps: StepOutcome[];
      /** The step that failed (or whose verify found a conflict). */
      step: string;
      error: SlipwayError;
      /** Steps undone, in the order they were undone. */
      undone: string[];
      /** True when the journal is kept and `--resume` continues. */
      resumable: boolean;
      /** What the user does next, one sentence. */
      next: string;
    };

/**
 * The record `step` left in a run's outcomes (a report's `steps`), typed by the step and checked
 * against its shape; undefined when it left none (it did not run, or a dry run undid it).
 */
export function outcomeRecord<C, R>(outcomes: readonly StepOutcome[], step: Step<C, R>): R | undefined {
  const record = outcomes.find((o) => o.id === step.id)?.record;
  return record === undefined ? undefined : ownRecord(step, record);
}

/**
 * What `step` planned in a dry run, as its `plan` returned it (the runner only made it JSON,
 * which a plan already is); undefined when the step has no plan in these outcomes.
 */
export function outcomePlan<C, R, P>(outcomes: readonly StepOutcome[], step: Step<C, R, P>): P | undefined {
  return outcomes.find((o) => o.id === step.id)?.plan as P | undefined;
}

interface Finished<C> {
  step: Step<C>;
  /** The record as its step's type (checked against the step's shape). */
  record: unknown;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** A step's record or plan as the JSON object the journal and the events carry. */
function jsonObject(value: unknown, what: string): { [key: string]: JsonValue } {
  const json = toJson(value, what);
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new SlipwayError("internal", `${what} is not a JSON object`);
  }
  return json;
}

function asSlipwayError(error: unknown, what: string): SlipwayError {
  const message = error instanceof Error ? error.message : String(error);
  const code = error instanceof SlipwayError ? error.code : "internal";
  const hint = error instanceof SlipwayError ? error.hint : undefined;
  return new SlipwayError(
    code,
    `${what}: ${message}`,
    hint === undefined ? { cause: error } : { cause: error, hint },
  );
}

/**
 * Runs `table` as described in the file comment. Resolves to a result for every expected outcome
 * (blocked by preflight, done, planned, failed with what was undone and what to do next); throws a
 * SlipwayError only when it cannot start: an invalid table, `--resume` without a journal or with a
 * journal for another subject, or an interrupted run in the journal when not resuming.
 */
export async function runPipeline<C>(
  table: StepTable<C>,
  options: PipelineOptions<C>,
): Promise<PipelineResult> {
  checkStepTable(table);
  const dryRun = options.dryRun ?? false;
  const store = options.journal;
  const emit = options.onEvent ?? (() => {});
  const now = options.now;
  const journal = await openJournal(table, options);

  const records = new Map<string, StepRecord>();
  const plans = new Map<string, StepPlan>();
  const statuses = new Map<string, StepStatus>(table.map((s) => [s.id, "pending"]));
  const finished: Finished<C>[] = [];
  const problems: PipelineProblem[] = [];
  const undone: string[] = [];
  const ctx = (): StepContext<C> => ({
    input: options.input,
    records: new Map(records),
    dryRun,
    now,
  });
  const outcomes = (): StepOutcome[] =>
    table.map((s) => {
      const outcome: StepOutcome = {
        id: s.id,
        title: s.title,
        public: s.public,
        status: statuses.get(s.id)!,
      };
      const record = records.get(s.id);
      const plan = plans.get(s.id);
      if (record !== undefined) outcome.record = record;
      if (plan !== undefined) outcome.plan = plan;
      return outcome;
    });

  let live: Journal | null = null;
  const save = async (change: Partial<Journal>) => {
    if (!live) return;
    Object.assign(live, change, { updatedAt: iso(now()) });
    await store.write(live);
  };

  // Resume: re-check each journaled step against reality before trusting its record.
  if (options.resume && journal) {
    // Every record is checked before any step's verify touches anything on its word.
    const journaled = new Map<string, { json: StepRecord; record: unknown }>();
    for (const [i, s] of journal.steps.entries()) {
      const step = table.find((t) => t.id === s.id);
      if (step === undefined) continue; // openJournal refused unknown steps
      const where = `${store.path} steps[${i}].record`;
      journaled.set(s.id, {
        json: s.record,
        record: await readJournaledRecord(step, options.input, s.record, where),
      });
    }
    for (const step of table) {
      const found = journaled.get(step.id);
      if (found === undefined) continue;
      const { record } = found;
      let verdict: string;
      try {
        verdict = step.verify ? await step.verify(ctx(), record) : "done";
      } catch (error) {
        return fail(step, asSlipwayError(error, `re-checking step "${step.title}" (${step.id}) failed`), {
          undo: false,
          next: `fix the cause and run again with --resume; the journal ${store.path} is kept`,
        });
      }
      if (verdict === "done") {
        records.set(step.id, found.json);
        finished.push({ step, record });
        statuses.set(step.id, "skipped");
        emit({ type: "step-skipped", step: step.id, title: step.title, reason: "verified" });
      } else if (verdict === "conflict") {
        const error = new SlipwayError(
          "conflict",
          `step "${step.title}" (${step.id}): what ${store.path} records no longer matches reality`,
          { hint: "inspect the target by hand; slipway will not overwrite or skip a conflicting result" },
        );
        return fail(step, error, {
          undo: false,
          resumable: false,
          next: `resolve the conflict by hand; ${store.path} is kept`,
        });
      }
      // "redo": the step runs again below.
    }
  }

  const toRun = table.filter((s) => statuses.get(s.id) === "pending");
  for (const step of toRun) {
    if (!step.preflight) continue;
    try {
      for (const problem of await step.preflight(ctx())) problems.push({ ...problem, step: step.id });
    } catch (error) {
      const err = asSlipwayError(error, `preflight of step "${step.title}" (${step.id}) could not run`);
      problems.push({
        id: "preflight-error",
        severity: "error",
        message: err.message,
        hint: err.hint ?? "fix the cause and run again",
        step: step.id,
      });
    }
  }
  if (problems.some((p) => p.severity === "error")) return { status: "blocked", problems, steps: outcomes() };

  // The journal is first written when the first step starts; until then the stored one is untouched.
  live = dryRun
    ? null
    : journal
      ? { ...journal, status: "running", failure: null, updatedAt: iso(now()) }
      : {
          schema: 1,
          subject: options.subject,
          plan: options.plan === undefined ? null : toJson(options.plan, "the plan"),
          status: "running",
          startedAt: iso(now()),
          updatedAt: iso(now()),
          running: null,
          steps: [],
          failure: null,
        };
  for (const step of toRun) {
    try {
      if (dryRun && step.dryRun === "plan") {
        const plan = jsonObject(await step.plan(ctx()), `the plan of step "${step.id}"`);
        plans.set(step.id, plan);
        statuses.set(step.id, "planned");
        emit({ type: "step-planned", step: step.id, title: step.title, plan });
        continue;
      }
      emit({ type: "step-start", step: step.id, title: step.title });
      const started = now();
      await save({ running: step.id });
      const made = await step.run(ctx());
      // Recorded in memory first: if the journal write fails, the undo still knows the step ran.
      // What is kept is the JSON the journal stores, read back through the step's shape.
      const record = jsonObject(made, `the record of step "${step.id}"`);
      records.set(step.id, record);
      finished.push({ step, record: ownRecord(step, record) });
      statuses.set(step.id, "ran");
      if (live) {
        const steps = live.steps.filter((s) => s.id !== step.id);
        steps.push({ id: step.id, finishedAt: iso(now()), record });
        await save({ running: null, steps });
      }
      emit({ type: "step-done", step: step.id, title: step.title, record, ms: now() - started });
    } catch (error) {
      const err = asSlipwayError(error, `step "${step.title}" (${step.id}) failed`);
      // A public step that started may have half-happened (2 of 3 files uploaded): never undo from
      // there, unless the step says nothing of it became public (every file refused).
      const effectless = error instanceof NoPublicEffectError;
      const committed = (step.public && !effectless) || finished.some((f) => f.step.public);
      if (committed) {
        return fail(step, err, {
          undo: false,
          next: `fix the cause and run again with --resume to continue from "${step.title}"`,
        });
      }
      return fail(step, err, {
        undo: true,
        next: step.public
          ? "nothing was published and the rest was undone; fix the cause and run again"
          : "nothing was changed; fix the cause and run again",
      });
    }
  }

  if (dryRun) {
    const undoError = await undoFinished();
    if (undoError) return undoFailure(undoError.step, undoError.error);
    return { status: "planned", problems, steps: outcomes() };
  }
  await save({ status: "done", running: null });
  return { status: "done", problems, steps: outcomes() };

  /** Undoes finished steps in reverse; stops at the first undo that fails and says which. */
  async function undoFinished(): Promise<{ step: Step<C>; error: SlipwayError } | null> {
    while (finished.length > 0) {
      const last = finished[finished.length - 1]!;
      try {
        if (last.step.undo) await last.step.undo(ctx(), last.record);
      } catch (error) {
        const err = asSlipwayError(error, `undoing step "${last.step.title}" (${last.step.id}) failed`);
        emit({ type: "step-undo-failed", step: last.step.id, title: last.step.title, error: err });
        return { step: last.step, error: err };
      }
      finished.pop();
      // A step with nothing to undo (a check, a test install) keeps its record: it stays true.
      if (last.step.undo) records.delete(last.step.id);
      statuses.set(last.step.id, "undone");
      undone.push(last.step.id);
      emit({ type: "step-undone", step: last.step.id, title: last.step.title });
      if (live) await save({ steps: live.steps.filter((s) => s.id !== last.step.id) }).catch(() => {});
    }
    return null;
  }

  function undoFailure(step: Step<C>, error: SlipwayError): PipelineResult {
    return {
      status: "failed",
      problems,
      steps: outcomes(),
      step: step.id,
      error,
      undone: [...undone],
      resumable: false,
      next: `undo step "${step.title}" by hand (${finished.map((f) => f.step.id).join(", ")} are still in effect)`,
    };
  }

  async function fail(
    step: Step<C>,
    error: SlipwayError,
    how: { undo: boolean; next: string; resumable?: false },
  ): Promise<PipelineResult> {
    statuses.set(step.id, "failed");
    emit({ type: "step-failed", step: step.id, title: step.title, error });
    if (how.undo) {
      const undoError = await undoFinished();
      if (undoError) {
        await save({
          status: "failed",
          running: null,
          failure: { step: step.id, message: error.message },
        }).catch(() => {});
        return undoFailure(undoError.step, undoError.error);
      }
      // Everything is back as it was: no journal is left to resume from.
      if (live) await store.remove();
    } else {
      // A failed journal write leaves the previous journal, which a resume re-verifies just the same.
      await save({
        status: "failed",
        running: null,
        failure: { step: step.id, message: error.message },
      }).catch(() => {});
    }
    return {
      status: "failed",
      problems,
      steps: outcomes(),
      step: step.id,
      error,
      undone,
      resumable: how.undo ? false : (how.resumable ?? !dryRun),
      next: how.next,
    };
  }
}

/** Reads and checks the journal before anything runs: resume needs one, a fresh run must not clobber one. */
async function openJournal<C>(table: StepTable<C>, options: PipelineOptions<C>): Promise<Journal | null> {
  const store = options.journal;
  if (options.dryRun && options.resume) {
    throw new SlipwayError("usage", "--dry-run and --resume cannot be combined", {
      hint: "resume for real, or dry-run a fresh release",
    });
  }
  if (options.dryRun) return null;
  const journal = await store.read();
  if (!options.resume) {
    if (journal && journal.status !== "done") {
      throw new SlipwayError(
        "usage",
        `an unfinished run of "${journal.subject}" is recorded in ${store.path}`,
        {
          hint: "continue it with --resume, or check what it did and remove the journal",
        },
      );
    }
    return null;
  }
  if (!journal) {
    throw new SlipwayError("usage", `nothing to resume: ${store.path} does not exist`, {
      hint: "run without --resume to start a new run",
    });
  }
  if (journal.subject !== options.subject) {
    throw new SlipwayError("usage", `${store.path} records "${journal.subject}", not "${options.subject}"`, {
      hint: `resume with the same arguments as the interrupted run, or finish it first`,
    });
  }
  const known = new Set(table.map((s) => s.id));
  const unknown = journal.steps.find((s) => !known.has(s.id));
  if (unknown) {
    throw new SlipwayError(
      "io",
      `${store.path} records step "${unknown.id}", which this version does not have`,
      {
        hint: "resume with the slipway version that started the run",
      },
    );
  }
  return journal;
}
