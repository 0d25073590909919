/**
 * Progress inside the release steps, as data: the CLI (src/cli/commands/release.ts) turns each
 * into English; the library only emits them. `step` is the step (or "resume") they belong to.
 */
import type { FindingLine } from "../../core/release/findings.ts";
import type { UploadStatus } from "../../core/upload/outcome.ts";
import type { BuildPhase } from "../build.ts";
import type { VerifyStep } from "../verify-install.ts";
import type { HostReleaseEvent } from "./host-release.ts";

export type ReleaseStepEvent =
  /** A preflight gate command started. */
  | { type: "gate"; step: "edit"; argv: string[] }
  /** A phase of the build; `scratch`: it writes into a dry run's scratch directory. */
  | { type: "build-phase"; step: "build"; phase: BuildPhase; detail?: string; scratch?: true }
  /** The checks passed: counts, and every finding line (warnings and infos). */
  | { type: "checked"; step: "check"; errors: number; warnings: number; findings: FindingLine[] }
  /** One file's outcome on the stage or the target. */
  | { type: "file-published"; step: "stage" | "publish"; filename: string; status: UploadStatus }
  /** One smoke test of the install from the stage. */
  | { type: "smoke-test"; step: "verify"; test: VerifyStep }
  /** The release state went to the remote under `ref`. */
  | { type: "checkpoint-saved"; step: "checkpoint"; ref: string; remote: string; artifacts: number }
  /** A resume found its release on the remote and restored it here. */
  | { type: "restored"; step: "resume"; tag: string; remote: string; ref: string; artifacts: number }
  /** A resume found its release already complete on the remote; its state refs were removed. */
  | { type: "already-complete"; step: "resume"; tag: string; remote: string }
  /** The host release: skipped (no token; `reason` says), created, or found and completed. */
  | HostReleaseEvent;
