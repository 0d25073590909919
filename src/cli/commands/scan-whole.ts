/**
 * The lockfile part of bare `slipway scan`: when the project has lockfiles, their integrity
 * (scan lock) and their pinned dependencies against the advisory database (scan deps), as more
 * sections of the one report. Loaded only when the work tree is scanned whole.
 */

import type { ScanSection } from "../../core/scan/report.ts";
import { AdvisoryFeedError } from "../../core/vulns/feed.ts";
import { parseGate } from "../../core/vulns/report.ts";
import { SlipwayError } from "../../errors.ts";
import { projectLockfiles, scanDeps } from "../../ops/scan-deps.ts";
import { scanLock } from "../../ops/scan-lock.ts";
import { redact } from "../../redact.ts";
import type { CommandIO } from "../command.ts";
import type { Checked } from "../render/scan-output.ts";
import { depsChecked, depsDetails } from "./scan-deps.ts";

export interface LockSections {
  sections: ScanSection[];
  checked: Record<string, Checked>;
  details: Record<string, Record<string, unknown>>;
  /** The dependency scan needed an advisory database and had none: exit 3 unless a finding fails. */
  feedUnreachable: boolean;
}

export async function lockSections(
  root: string,
  io: CommandIO,
  options: { db?: string; failOn?: string },
): Promise<LockSections> {
  const out: LockSections = { sections: [], checked: {}, details: {}, feedUnreachable: false };
  const lockfiles = await projectLockfiles(root);
  if (lockfiles.length === 0) {
    if (options.db !== undefined || options.failOn !== undefined)
      throw new SlipwayError(
        "usage",
        `--db and --fail-on are for the dependency scan, and ${root} has no lockfile`,
        {
          hint: "slipway scan deps LOCKFILE … names one; or leave them out",
        },
      );
    return out;
  }
  const lock = await scanLock({ path: root, env: io.env });
  out.sections.push(lock.section);
  out.checked["lock"] = { count: lock.lockfiles.length, verb: "checked for lockfile integrity" };
  out.details["lock"] = { lockfiles: lock.lockfiles };
  let gate: ReturnType<typeof parseGate>;
  if (options.failOn !== undefined) {
    gate = parseGate(options.failOn);
    if (gate === undefined)
      throw new SlipwayError(
        "usage",
        `--fail-on '${options.failOn}' is not one of low, moderate, high, critical`,
        {
          hint: "slipway scan --fail-on moderate",
        },
      );
  }
  try {
    const deps = await scanDeps({
      root,
      lockfiles,
      env: io.env,
      ...(gate === undefined ? {} : { gate }),
      ...(options.db === undefined ? {} : { db: options.db }),
    });
    out.sections.push(deps.section);
    out.checked["deps"] = depsChecked(deps);
    out.details["deps"] = depsDetails(deps);
  } catch (error) {
    if (!(error instanceof AdvisoryFeedError)) throw error;
    // The other scans are still reported; the exit status says the dependency scan could not run.
    out.feedUnreachable = true;
    io.stderr.write(
      redact(
        `slipway scan: the dependency scan did not run: ${error.message}\n${error.hint ? `hint: ${error.hint}\n` : ""}`,
      ),
    );
  }
  return out;
}
