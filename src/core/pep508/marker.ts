/** PEP 508 environment markers. */
// CONTRACT STUB: the pep440 helper replaces the bodies; keep the exported signatures.
import type { Parsed } from "../result.ts";

export type MarkerOp = "<" | "<=" | "!=" | "==" | ">=" | ">" | "~=" | "===" | "in" | "not in";

export type MarkerValue = { kind: "variable"; name: string } | { kind: "literal"; value: string };

export type Marker =
  | { kind: "compare"; left: MarkerValue; op: MarkerOp; right: MarkerValue }
  | { kind: "and" | "or"; left: Marker; right: Marker };

export function parseMarker(text: string): Parsed<Marker> {
  throw new Error(`not implemented: parseMarker(${text})`);
}

/** The values compared with `extra` (`extra == "x"`), as written. */
export function markerExtras(marker: Marker): string[] {
  throw new Error(`not implemented: markerExtras(${marker.kind})`);
}

/** Evaluates a marker in an environment (variable → value; `extra` may be given). */
export function evaluateMarker(marker: Marker, env: Readonly<Record<string, string>>): boolean {
  throw new Error(`not implemented: evaluateMarker(${marker.kind}, ${Object.keys(env).length})`);
}
