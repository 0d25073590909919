/**
 * The English of the embedded index's warnings: the server reports them as facts
 * (server/events.ts `IndexWarning`) and this words each one. Pure: the caller writes and redacts.
 */
import type { IndexWarning } from "../../server/events.ts";

/** An index warning as one line (without the "warning: " label). */
export function renderIndexWarning(warning: IndexWarning): string {
  switch (warning.kind) {
    case "route-failed":
      return `${warning.method} ${warning.path}: ${warning.error}`;
    case "upload-aborted":
      return `upload aborted: ${warning.error}`;
    case "upload-timed-out":
      return `upload timed out: ${warning.error}`;
    case "upload-failed":
      return `upload failed: ${warning.error}`;
  }
}
