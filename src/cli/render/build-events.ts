/**
 * The English of `build` warnings: the library reports them as facts (ops/build.ts
 * `BuildWarning`) and this turns each into the line people read. Pure: the caller writes and
 * redacts.
 */
import { type BuildWarning, uncommittedMessage } from "../../ops/build.ts";

/** A build warning as one line (without the "warning: " label). */
export function renderBuildWarning(warning: BuildWarning): string {
  switch (warning.kind) {
    case "legacy-backend":
      return `${warning.project} names no build-system.build-backend; using setuptools' legacy backend (${warning.backend})`;
    case "uncommitted-changes":
      return uncommittedMessage(warning);
    case "no-source-date-epoch":
      return "SOURCE_DATE_EPOCH is not set and the project is not a git commit: timestamps in the artifacts will vary";
  }
}
