/**
 * A scan's `--json` document (`{ok, exit, sections: [...]}`, docs/json.md) read in tests: one
 * section by scanner, with its findings' fingerprints listed beside them, and the document's
 * verdict.
 */
import assert from "node:assert/strict";

// biome-ignore lint/suspicious/noExplicitAny: tests read the JSON document as data
type Json = any;

export type JsonSection = Record<string, Json> & {
  findings: Json[];
  fingerprints: string[];
  ok: boolean;
  exit: number;
};

export function scanSection(stdout: string, scanner = "secrets"): JsonSection {
  const doc = JSON.parse(stdout) as {
    ok: boolean;
    exit: number;
    sections: { scanner: string; findings: { fingerprint: string }[] }[];
  };
  assert.ok(Array.isArray(doc.sections), `not a scan document: ${stdout.slice(0, 200)}`);
  const section = doc.sections.find((s) => s.scanner === scanner);
  assert.ok(section, `no ${scanner} section in ${doc.sections.map((s) => s.scanner).join(", ")}`);
  return { ...section, fingerprints: section.findings.map((f) => f.fingerprint), ok: doc.ok, exit: doc.exit };
}
