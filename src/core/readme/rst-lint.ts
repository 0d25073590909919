/**
 * The built-in reStructuredText lint: decides, without Python, whether PyPI's renderer
 * (readme_renderer with docutils 0.23: halt_level=2, raw and include disabled) would refuse a
 * long description, and names every problem it finds (docutils itself stops at the first).
 */

import { memoByText } from "./memo.ts";
import { BodyParser } from "./rst-body.ts";
import { RstDoc, type RstIssue, type RstLink, type RstNode, type RstNote } from "./rst-doc.ts";
import { rendersEmpty, resolveDocument } from "./rst-resolve.ts";
import { toLines } from "./rst-text.ts";

export type { RstIssue, RstLevel, RstLink, RstNote } from "./rst-doc.ts";

export interface RstAnalysis {
  /** Problems docutils reports at WARNING or above; any one fails the upload. */
  issues: RstIssue[];
  /** Observations that do not fail rendering on PyPI. */
  notes: RstNote[];
  /** True when the document renders to nothing ("No content rendered from RST source."). */
  empty: boolean;
  links: RstLink[];
  /** Constructs the lint parses but does not fully verify (their contents may still fail). */
  unverified: string[];
}

export const BUILTIN_RST_RENDERER = "built-in rst lint";

/** Parses and checks a reStructuredText document the way readme_renderer would render it. */
export const analyzeRst = memoByText((text: string): RstAnalysis => {
  const doc = new RstDoc();
  const root: RstNode = { kind: "document", line: 1, children: [] };
  new BodyParser(doc, root).parse(toLines(text), { matchTitles: true, into: root });
  resolveDocument(doc, root);
  const byLine = (a: { line: number }, b: { line: number }) => a.line - b.line;
  return {
    issues: [...doc.issues].sort(byLine),
    notes: [...doc.notes].sort(byLine),
    empty: rendersEmpty(root),
    links: doc.links,
    unverified: [...doc.unverified].sort(),
  };
});

/** The problems that make readme_renderer refuse `text` (empty when it renders). */
export function lintRst(text: string): RstIssue[] {
  return analyzeRst(text).issues;
}
