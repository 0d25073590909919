/**
 * What every release step shares: the input the runner hands each one (`ReleaseInput`), the
 * step type with its record check, and the shapes and helpers more than one step uses.
 */
import type { GitContext } from "../../adapters/git.ts";
import type { PipSource } from "../../adapters/python/build-env.ts";
import type { ReleaseConfig } from "../../core/release/config.ts";
import type { ReleasePlan } from "../../core/release/plan.ts";
import { list, matching } from "../../core/stored-shape.ts";
import type { Credentials } from "../../core/upload/credentials.ts";
import { SlipwayError } from "../../errors.ts";
import type { JournalStore } from "../../pipeline/journal.ts";
import { type PlanStep, RECORD_HINT, type RunStep, type StepContext } from "../../pipeline/steps.ts";
import type { Secret } from "../../secret.ts";
import type { PublishOptions } from "../publish.ts";
import type { TrustedPublishingOptions } from "../publish-trusted.ts";
import type { ReleaseStepEvent } from "./events.ts";

export type Env = Readonly<Record<string, string | undefined>>;

/** An index to stage on, started (or resolved) on first use. */
export interface StageIndex {
  uploadUrl: string;
  simpleUrl: string;
  username: string;
  password: Secret | undefined;
}

/** What every release step reads; nothing in it changes while the steps run. */
export interface ReleaseInput {
  root: string;
  env: Env;
  plan: ReleasePlan;
  config: ReleaseConfig;
  resume: boolean;
  python: string | undefined;
  pip: PipSource;
  targetCredentials: Credentials;
  /** Trusted publishing for the target (never for the stage), with its PEP 740 attestations. */
  trusted: TrustedPublishingOptions & Pick<PublishOptions, "attestations" | "sigstore">;
  /** Starts the local stage (once) or returns the configured stage index. */
  stage: () => Promise<StageIndex>;
  /** Where the release's artifacts go (real runs). */
  distDir: string;
  toolVersion: string;
  userAgent: string;
  /** Progress inside a step (a build phase, an uploaded file, a verify result), as data. */
  emit: (event: ReleaseStepEvent) => void;
  /** The run's journal, for the checkpoint that copies it to the remote. */
  journal: JournalStore;
}

/** What a journaled record is checked against: the project, the release's dist dir, and its plan. */
export type RecordScope = Pick<ReleaseInput, "root" | "distDir" | "plan">;

/*
 * A release step's record check needs only the scope, so that a release restored from the remote
 * (which has no ReleaseInput yet) checks its journal with the steps' own checks.
 */
interface ScopedCheck<R> {
  checkRecord?(scope: RecordScope, record: R, where: string): Promise<void>;
}

/** A release step whose record has the type R and whose dry-run plan the type P. */
export type ReleaseStep<R, P = never> =
  | (RunStep<ReleaseInput, R, P> & ScopedCheck<R>)
  | (PlanStep<ReleaseInput, R, P> & ScopedCheck<R>);

export type Ctx = StepContext<ReleaseInput>;

export function git(ctx: Ctx): GitContext {
  return { dir: ctx.input.root, env: ctx.input.env };
}

/** `filename sha256` lines: which build a later step worked on. */
export const fingerprints = list(matching(/^[^/\\\0 ]+ [0-9a-f]{64}$/, "a file name and its sha256"));

/** A journaled value that is not the one the step would have written. */
export function mismatch(where: string, field: string, expected: string, found: string): SlipwayError {
  return new SlipwayError(
    "io",
    `${where} is not a file slipway wrote: ${field}: expected ${JSON.stringify(expected)}, found ${JSON.stringify(found)}`,
    { hint: RECORD_HINT },
  );
}

/** The environment without TWINE_*: those name the target, never the stage. */
export function withoutTwine(env: Env): Env {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith("TWINE_")));
}
