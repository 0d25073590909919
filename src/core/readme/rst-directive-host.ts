/**
 * What a directive runner gets from the parser that met the directive, and the helpers all
 * runners share (docutils Directive.error / assert_has_content / nested_parse).
 */
import type { RstDoc, RstNode } from "./rst-doc.ts";
import type { Line } from "./rst-text.ts";

/** What a directive may ask of the parser that met it. */
export interface DirectiveHost {
  doc: RstDoc;
  /** Nested parse of body elements (section titles not allowed). */
  body(lines: Line[], into: RstNode): void;
  inline(text: string, line: number): void;
  /** True at document or section level, where topic and contents are allowed. */
  matchTitles: boolean;
  /** True inside a substitution definition. */
  inSubstitution: boolean;
}

/** A directive's parsed block (docutils parse_directive_block). */
export interface Parsed {
  args: string[];
  options: Map<string, string | undefined>;
  content: Line[];
}

export interface Call extends Parsed {
  name: string;
  line: number;
}

export type Runner = (host: DirectiveHost, call: Call) => RstNode[];

/** Reports an ERROR for the directive and returns the node docutils puts in its place. */
export function error(host: DirectiveHost, call: Call, message: string): RstNode[] {
  host.doc.report("error", call.line, message);
  return [{ kind: "system_message", line: call.line }];
}

/** Directive.assert_has_content. */
export function needsContent(host: DirectiveHost, call: Call): boolean {
  if (call.content.length > 0) return true;
  error(host, call, `Content block expected for the "${call.name}" directive; none found.`);
  return false;
}

/** A directive whose content is parsed as body elements. */
export function nested(host: DirectiveHost, call: Call, kind: string): RstNode[] {
  if (!needsContent(host, call)) return [{ kind: "system_message", line: call.line }];
  const node: RstNode = { kind, line: call.line, children: [] };
  host.body(call.content, node);
  return [node];
}
