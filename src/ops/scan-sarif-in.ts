/**
 * `--sarif-in FILE`: other scanners' SARIF files read as scan sections, so one report and one
 * gate cover bandit, semgrep or CodeQL too. Each file is read as a bounded regular file (never
 * a FIFO, never more than MAX_SARIF_BYTES) and parsed as hostile input (core/sarif/read.ts).
 */
import { resolve } from "node:path";
import { fileSize, pathKind, readSmallRegularFile } from "../adapters/fs.ts";
import { MAX_SARIF_BYTES, sectionsFromSarif } from "../core/sarif/read.ts";
import type { ScanSection } from "../core/scan/report.ts";
import { SlipwayError } from "../errors.ts";

/**
 * The sections of every file in `files` (as the user named them, relative to `cwd`), in order.
 * A missing, unreadable or malformed file is a SlipwayError naming it: a scanner's report that
 * cannot be read is never taken for a clean one.
 */
export async function readSarifSections(files: readonly string[], cwd: string): Promise<ScanSection[]> {
  const sections: ScanSection[] = [];
  for (const file of files) {
    const full = resolve(cwd, file);
    const kind = await pathKind(full);
    if (kind !== "file") {
      throw new SlipwayError(
        "usage",
        `--sarif-in ${file}: ${kind === undefined ? "no such file" : "not a regular file"}`,
        { hint: "name the SARIF file the scanner wrote, e.g. `bandit -r src -f sarif -o bandit.sarif`" },
      );
    }
    const size = await fileSize(full);
    if (size !== undefined && size > MAX_SARIF_BYTES) {
      throw new SlipwayError(
        "config",
        `--sarif-in ${file}: ${size} bytes, more than slipway reads (${MAX_SARIF_BYTES})`,
        {
          hint: "split the scan into several SARIF files",
        },
      );
    }
    // Opened without following a symlink, so what was checked is what is read.
    const text = await readSmallRegularFile(full, MAX_SARIF_BYTES);
    if (text === undefined)
      throw new SlipwayError("usage", `--sarif-in ${file}: a symlink, or changed while read`, {
        hint: "name the SARIF file itself",
      });
    for (const section of sectionsFromSarif(text, file)) sections.push(section);
  }
  return sections;
}
