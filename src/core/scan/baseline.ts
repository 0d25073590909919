/**
 * The secret scan's baseline: the fingerprints (`rule:path:sha256(secret)`) of findings a team
 * has reviewed and accepted, so a scan reports only new ones. A fingerprint holds no line
 * number, so moving code does not resurrect a finding; another secret, or the same one in
 * another file, is new. The file is committed, so it is read as hostile input: a strict shape,
 * a size bound, and an error that names what is wrong. It never holds a secret: the rule, the
 * path, the line when written and the first four characters at most, for a reviewer.
 */
import { SlipwayError } from "../../errors.ts";
import type { Finding } from "../findings.ts";

/** Where `--baseline-write` writes, and where a scan looks for a baseline, by default. */
export const DEFAULT_BASELINE = ".slipway-baseline.json";
/** A baseline larger than this is refused unread. */
export const MAX_BASELINE_BYTES = 8 * 1024 * 1024;
/** More entries than this is refused. */
export const MAX_BASELINE_ENTRIES = 100_000;

export interface BaselineEntry {
  fingerprint: string;
  rule: string;
  path: string;
  line?: number;
  /** The secret's first four characters and an ellipsis at most. */
  shown?: string;
}

export interface Baseline {
  version: 1;
  entries: BaselineEntry[];
}

const FINGERPRINT = /^[^:\s]{1,200}:[^\n]{1,4096}:[0-9a-f]{64}$/;
const ENTRY_KEYS = new Set(["fingerprint", "rule", "path", "line", "shown"]);

/** Parses a baseline's text; throws a "config" SlipwayError naming `file` and the first problem. */
export function parseBaseline(text: string, file: string): Baseline {
  const bad = (what: string): SlipwayError =>
    new SlipwayError("config", `${file} is not a slipway baseline: ${what}`, {
      hint: "Write it again with `slipway scan --baseline-write`, or pass another file with --baseline.",
    });
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (cause) {
    throw bad(`not JSON (${(cause as Error).message})`);
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) throw bad("not a JSON object");
  const top = data as Record<string, unknown>;
  for (const key of Object.keys(top))
    if (key !== "version" && key !== "generator" && key !== "findings")
      throw bad(`unknown key ${JSON.stringify(key.slice(0, 40))}`);
  if (top["version"] !== 1) throw bad('"version" is not 1');
  const list = top["findings"];
  if (!Array.isArray(list)) throw bad('"findings" is not an array');
  if (list.length > MAX_BASELINE_ENTRIES) throw bad(`more than ${MAX_BASELINE_ENTRIES} findings`);
  const entries = list.map((raw, i): BaselineEntry => {
    const where = `findings[${i}]`;
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw bad(`${where} is not an object`);
    const item = raw as Record<string, unknown>;
    for (const key of Object.keys(item))
      if (!ENTRY_KEYS.has(key)) throw bad(`${where} has an unknown key ${JSON.stringify(key.slice(0, 40))}`);
    const { fingerprint, rule, path, line, shown } = item;
    if (typeof fingerprint !== "string" || !FINGERPRINT.test(fingerprint))
      throw bad(`${where}.fingerprint is not rule:path:sha256`);
    if (typeof rule !== "string" || !fingerprint.startsWith(`${rule}:`))
      throw bad(`${where}.rule does not match its fingerprint`);
    if (typeof path !== "string" || !fingerprint.startsWith(`${rule}:${path}:`))
      throw bad(`${where}.path does not match its fingerprint`);
    const entry: BaselineEntry = { fingerprint, rule, path };
    if (line !== undefined) {
      if (typeof line !== "number" || !Number.isInteger(line) || line < 1)
        throw bad(`${where}.line is not a line number`);
      entry.line = line;
    }
    if (shown !== undefined) {
      if (typeof shown !== "string" || [...shown].length > 5)
        throw bad(`${where}.shown is longer than 4 characters`);
      entry.shown = shown;
    }
    return entry;
  });
  return { version: 1, entries };
}

/** The baseline of `findings` (fingerprints in the same order), one entry per fingerprint, sorted. */
export function assembleBaseline(findings: readonly Finding[], fingerprints: readonly string[]): Baseline {
  const byPrint = new Map<string, BaselineEntry>();
  findings.forEach((f, i) => {
    const fingerprint = fingerprints[i];
    if (fingerprint === undefined || byPrint.has(fingerprint)) return;
    const rule = f.id;
    const path = fingerprint.slice(rule.length + 1, -65);
    const entry: BaselineEntry = { fingerprint, rule, path };
    if (f.location.line !== undefined) entry.line = f.location.line;
    const shown = shownIn(f.message);
    if (shown !== undefined) entry.shown = shown;
    byPrint.set(fingerprint, entry);
  });
  const entries = [...byPrint.values()].sort((a, b) =>
    a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : 0,
  );
  return { version: 1, entries };
}

/** The baseline as the text written to disk: stable, one entry per line, reviewable in a diff. */
export function renderBaseline(baseline: Baseline): string {
  const lines = baseline.entries.map((e) => `    ${JSON.stringify(e)}`);
  return `{\n  "version": 1,\n  "generator": "slipway scan --baseline-write",\n  "findings": [\n${lines.join(",\n")}${lines.length > 0 ? "\n" : ""}  ]\n}\n`;
}

/** The findings (and their fingerprints) not in the baseline, and how many it suppressed. */
export function dropBaselined<T extends { findings: Finding[]; fingerprints: string[] }>(
  found: T,
  baseline: Baseline,
): { findings: Finding[]; fingerprints: string[]; suppressed: number } {
  const known = new Set(baseline.entries.map((e) => e.fingerprint));
  const findings: Finding[] = [];
  const fingerprints: string[] = [];
  let suppressed = 0;
  found.findings.forEach((f, i) => {
    const print = found.fingerprints[i]!;
    if (known.has(print)) suppressed++;
    else {
      findings.push(f);
      fingerprints.push(print);
    }
  });
  return { findings, fingerprints, suppressed };
}

/** The redacted secret a finding's message shows (`pypi…`): four characters and an ellipsis at most. */
function shownIn(message: string): string | undefined {
  const m = /: (\S{0,4}…) at column/.exec(message);
  return m?.[1];
}
