/** A project's `.gitleaksignore` (security-ci.md §1.4): findings gitleaks was told to skip. */

/** One `.gitleaksignore` line: `file:rule-id:line`, or `commit:file:rule-id:line` for history. */
export interface GitleaksIgnore {
  commit?: string;
  file: string;
  ruleId: string;
  line: number;
}

/**
 * The fingerprints of a `.gitleaksignore` (gitleaks `detect/detect.go`): `#` comments and blank
 * lines skipped, backslashes read as `/`. The path may hold colons, so the line number and
 * rule id are taken from the right and a leading hex commit id from the left. Lines that are not
 * fingerprints are returned as problems, not thrown: gitleaks ignores them too.
 */
export function parseGitleaksIgnore(text: string): { entries: GitleaksIgnore[]; problems: string[] } {
  const entries: GitleaksIgnore[] = [];
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const parts = line.replace(/\\/g, "/").split(":");
    const number = Number(parts.at(-1));
    if (parts.length < 3 || !Number.isInteger(number) || number < 1) {
      problems.push(
        `.gitleaksignore line ${i + 1}: "${line}" is not file:rule-id:line or commit:file:rule-id:line`,
      );
      return;
    }
    const ruleId = parts.at(-2)!;
    let head = parts.slice(0, -2);
    let commit: string | undefined;
    if (head.length >= 2 && /^[0-9a-f]{7,64}$/i.test(head[0]!)) {
      commit = head[0]!.toLowerCase();
      head = head.slice(1);
    }
    const entry: GitleaksIgnore = { file: head.join(":"), ruleId, line: number };
    entries.push(commit === undefined ? entry : { commit, ...entry });
  });
  return { entries, problems };
}

/** Whether a finding at `file`/`line` (in `commit`, for history) is on the ignore list. */
export function ignoredByGitleaks(
  entries: readonly GitleaksIgnore[],
  finding: { ruleId: string; path: string; line: number; commit?: string },
): boolean {
  return entries.some(
    (e) =>
      e.ruleId === finding.ruleId &&
      e.file === finding.path &&
      e.line === finding.line &&
      (e.commit === undefined || finding.commit?.startsWith(e.commit) === true),
  );
}
