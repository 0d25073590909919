/** The flags `ci status` and `ci protect` share: which host and repository, and rate-limit waits shown. */
import { redact } from "../../redact.ts";
import type { CommandIO } from "../command.ts";

export const HOST_FLAGS = {
  host: { type: "string" },
  api: { type: "string" },
  repository: { type: "string" },
} as const;

/** The ops' `host` option from the parsed flags (each absent flag left to detection). */
export function hostOption(values: { host?: string; api?: string; repository?: string }) {
  return {
    ...(values.host === undefined ? {} : { kind: values.host }),
    ...(values.api === undefined ? {} : { api: values.api }),
    ...(values.repository === undefined ? {} : { repository: values.repository }),
  };
}

/** A line on stderr for each wait on a host's rate limit or retry. */
export function waitLine(io: CommandIO, command: string) {
  return (w: { url: string; reason: string; waitMs: number }) =>
    io.stderr.write(
      redact(`${command}: ${w.url}: ${w.reason}; retrying in ${(w.waitMs / 1000).toFixed(1)} s\n`),
    );
}
