/**
 * The one error type slipway throws. `message` names what failed and its subject (file, URL,
 * step) in one line; `hint` says what to do next. Expected outcomes (a check found problems, an
 * index said "exists") are returned as values, never thrown.
 */
/**
 * `check`: the checks refused the artifacts; `conflict`: reality contradicts a record (an index
 * holds other bytes under a name, a resumed step finds something else in its place); `network`:
 * an index or remote did not take what was sent.
 */
export type ErrorCode =
  | "usage"
  | "config"
  | "io"
  | "exec"
  | "python"
  | "archive"
  | "check"
  | "conflict"
  | "network"
  | "internal";

export interface SlipwayErrorOptions {
  hint?: string;
  cause?: unknown;
}

export class SlipwayError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: SlipwayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "SlipwayError";
    this.code = code;
    this.hint = options.hint;
  }
}

/** Exit code for an error: usage and configuration mistakes are 2, everything else 1. */
export function exitCodeFor(error: unknown): 1 | 2 {
  return error instanceof SlipwayError && (error.code === "usage" || error.code === "config") ? 2 : 1;
}
