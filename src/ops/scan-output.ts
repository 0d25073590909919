/**
 * The files a scan writes besides its output: the SARIF report (`--sarif FILE`, replaced
 * atomically: code scanning never uploads half a file) and the job summary GitHub Actions
 * shows (`$GITHUB_STEP_SUMMARY`, appended to). The CLI renders the text; this writes it.
 */
import { resolve } from "node:path";
import { readTextIfExists, writeFileAtomic } from "../adapters/fs.ts";

/** GitHub shows at most 1 MiB of a step's summary and refuses to show a larger one. */
export const STEP_SUMMARY_LIMIT = 1024 * 1024;

/** Writes `text` to `file` (relative to `cwd`) through a temp file and a rename. */
export async function writeScanReport(file: string, text: string, cwd: string): Promise<void> {
  await writeFileAtomic(resolve(cwd, file), text);
}

/**
 * Appends `markdown` to the step summary file `file` (what an earlier step wrote stays), as one
 * replacement of the whole file, so a reader never sees half of it. Render within
 * `stepSummaryRoom` first: GitHub shows no summary over 1 MiB.
 */
export async function appendStepSummary(file: string, markdown: string, cwd: string): Promise<void> {
  const path = resolve(cwd, file);
  const before = (await readTextIfExists(path)) ?? "";
  // A blank line first, so what came before (a table, a paragraph) ends there.
  const gap = before === "" || before.endsWith("\n\n") ? "" : before.endsWith("\n") ? "\n" : "\n\n";
  const joined = `${before}${gap}${markdown}`;
  await writeFileAtomic(path, joined);
}

/** How many bytes of Markdown the summary file `file` still takes before GitHub's limit. */
export async function stepSummaryRoom(file: string, cwd: string): Promise<number> {
  const before = (await readTextIfExists(resolve(cwd, file))) ?? "";
  return Math.max(0, STEP_SUMMARY_LIMIT - Buffer.byteLength(before) - 1);
}
