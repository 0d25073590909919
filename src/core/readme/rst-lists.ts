/**
 * Enumerated list markers as docutils reads them (states.py Body.parse_enumerator,
 * is_enumerated_list_item, make_enumerator): "1.", "(a)", "iv)" or "#.".
 */
import type { Line } from "./rst-text.ts";

export type Sequence = "arabic" | "loweralpha" | "upperalpha" | "lowerroman" | "upperroman" | "#";

export interface Enumerator {
  format: "parens" | "rparen" | "period";
  sequence: Sequence;
  ordinal: number;
}

const SEQUENCES: readonly [Exclude<Sequence, "#">, RegExp][] = [
  ["arabic", /^[0-9]+$/],
  ["loweralpha", /^[a-z]$/],
  ["upperalpha", /^[A-Z]$/],
  ["lowerroman", /^[ivxlcdm]+$/],
  ["upperroman", /^[IVXLCDM]+$/],
];

const ROMAN = /^M{0,4}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})$/;
const ROMAN_VALUES: Readonly<Record<string, number>> = { I: 1, V: 5, X: 10, L: 50, C: 100, D: 500, M: 1000 };

/** docutils RomanNumeral.from_string: well-formed numerals 1..4999, all upper or all lower case. */
export function romanValue(text: string): number | undefined {
  const upper = text.toUpperCase();
  if (!text || !(text === upper || text === text.toLowerCase()) || !ROMAN.test(upper)) return undefined;
  let total = 0;
  for (let i = 0; i < upper.length; i++) {
    const value = ROMAN_VALUES[upper[i]!]!;
    const next = ROMAN_VALUES[upper[i + 1] ?? ""] ?? 0;
    total += value < next ? -value : value;
  }
  return total;
}

function toRoman(n: number): string | undefined {
  if (n < 1 || n > 4999) return undefined;
  const table: [number, string][] = [
    [1000, "M"],
    [900, "CM"],
    [500, "D"],
    [400, "CD"],
    [100, "C"],
    [90, "XC"],
    [50, "L"],
    [40, "XL"],
    [10, "X"],
    [9, "IX"],
    [5, "V"],
    [4, "IV"],
    [1, "I"],
  ];
  let out = "";
  let rest = n;
  for (const [value, digits] of table) {
    while (rest >= value) {
      out += digits;
      rest -= value;
    }
  }
  return out;
}

/** Reads a matched enumerator; undefined when its ordinal is invalid (e.g. "iiii."). */
export function enumeratorAt(m: RegExpExecArray, expected?: Sequence): Enumerator | undefined {
  const groups = m.groups!;
  const format = groups["parens"] ? "parens" : groups["rparen"] ? "rparen" : "period";
  const marker = groups[format]!;
  const text = format === "parens" ? marker.slice(1, -1) : marker.slice(0, -1);
  let sequence: Sequence | undefined;
  if (text === "#") sequence = "#";
  else if (expected !== undefined && expected !== "#") {
    if (SEQUENCES.find(([name]) => name === expected)![1].test(text)) sequence = expected;
  } else if (text === "i") sequence = "lowerroman";
  else if (text === "I") sequence = "upperroman";
  sequence ??= SEQUENCES.find(([, re]) => re.test(text))?.[0];
  if (sequence === undefined) return undefined;
  let ordinal: number | undefined;
  if (sequence === "#") ordinal = 1;
  else if (sequence === "arabic") ordinal = Number(text);
  else if (sequence.endsWith("alpha")) ordinal = text.toLowerCase().charCodeAt(0) - 96;
  else ordinal = romanValue(text);
  return ordinal === undefined ? undefined : { format, sequence, ordinal };
}

/** docutils make_enumerator: the marker that would continue the list, and the auto marker. */
function nextMarkers(e: Enumerator): [string, string] | undefined {
  const n = e.ordinal + 1;
  let label: string | undefined;
  if (e.sequence === "#") label = "#";
  else if (e.sequence === "arabic") label = String(n);
  else if (e.sequence.endsWith("alpha")) label = n > 26 ? undefined : String.fromCharCode(96 + n);
  else label = toRoman(n);
  if (label === undefined) return undefined;
  label = e.sequence.startsWith("upper")
    ? label.toUpperCase()
    : e.sequence.startsWith("lower")
      ? label.toLowerCase()
      : label;
  const wrap = (s: string) =>
    e.format === "parens" ? `(${s}) ` : e.format === "rparen" ? `${s}) ` : `${s}. `;
  return [wrap(label), wrap("#")];
}

/** docutils is_enumerated_list_item: the next line is blank, indented or the next item. */
export function nextEnumeratorOk(lines: readonly Line[], at: number, e: Enumerator): boolean {
  const next = lines[at + 1];
  if (next === undefined) return true;
  if (next.text === "" || next.text[0] === " ") return true;
  const markers = nextMarkers(e);
  return markers?.some((m) => next.text.startsWith(m)) === true;
}
