/**
 * Directive option conversion functions of docutils (parsers/rst/directives/__init__.py and
 * images.py), reduced to "is this value accepted?". Each returns an error text or undefined.
 */

export type OptionCheck = (value: string | undefined) => string | undefined;

const REQUIRED = "argument required but none supplied";

export const unchanged: OptionCheck = () => undefined;

export const unchangedRequired: OptionCheck = (value) => (value === undefined ? REQUIRED : undefined);

export const flag: OptionCheck = (value) =>
  value !== undefined && value.trim() !== "" ? `no argument is allowed; "${value}" supplied` : undefined;

/** Python int(): optional sign and surrounding whitespace, digits with single underscores. */
export function pythonInt(value: string | undefined): number | undefined {
  if (value === undefined || !/^\s*[+-]?\d+(?:_\d+)*\s*$/.test(value)) return undefined;
  return Number(value.replaceAll("_", ""));
}

function intError(value: string | undefined): string {
  return value === undefined
    ? "int() argument must be a string, a bytes-like object or a real number, not 'NoneType'"
    : `invalid literal for int() with base 10: '${value}'`;
}

export const int: OptionCheck = (value) => (pythonInt(value) === undefined ? intError(value) : undefined);

export const nonnegativeInt: OptionCheck = (value) => {
  const n = pythonInt(value);
  if (n === undefined) return intError(value);
  return n < 0 ? "negative value; must be positive or zero" : undefined;
};

export const percentage: OptionCheck = (value) =>
  nonnegativeInt(value === undefined ? value : value.replace(/[ %]+$/, ""));

const CSS_UNITS = [
  "em",
  "ex",
  "ch",
  "rem",
  "vw",
  "vh",
  "vmin",
  "vmax",
  "cm",
  "mm",
  "Q",
  "in",
  "pt",
  "pc",
  "px",
];

/** docutils get_measure with nodes.parse_measure: a non-negative number and a known unit. */
function measure(value: string | undefined, units: readonly string[]): string | undefined {
  if (value === undefined) return "argument required but none supplied";
  const m = /^(-?[0-9.]+) *([a-zA-Zµ]*|%?)$/u.exec(value);
  const number = m ? Number(m[1]) : Number.NaN;
  if (!m || Number.isNaN(number) || !/^-?(\d+\.?\d*|\.\d+)$/.test(m[1]!))
    return `"${value}" is no valid measure.`;
  if (number < 0 || !units.includes(m[2]!)) {
    return `not a positive number or measure of one of the following units:\n${units.filter(Boolean).join(", ")}`;
  }
  return undefined;
}

export const lengthOrUnitless: OptionCheck = (value) => measure(value, [...CSS_UNITS, ""]);

export const lengthOrPercentageOrUnitless: OptionCheck = (value) => measure(value, [...CSS_UNITS, "%", ""]);

/** docutils nodes.make_id: what survives as an HTML class/id; empty means unusable. */
export function makeId(name: string): string {
  return name
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^[-0-9]+|-+$/g, "");
}

export const classOption: OptionCheck = (value) => {
  if (value === undefined) return REQUIRED;
  const bad = value.split(/\s+/u).find((name) => name !== "" && makeId(name) === "");
  return bad === undefined ? undefined : `cannot make "${bad}" into a class name`;
};

export function choice(values: readonly string[]): OptionCheck {
  return (value) => {
    if (value === undefined)
      return `must supply an argument; choose from ${values.map((v) => `"${v}"`).join(", ")}`;
    return values.includes(value.trim().toLowerCase())
      ? undefined
      : `"${value}" unknown; choose from ${values.map((v) => `"${v}"`).join(", ")}`;
  };
}

/** value_or(values, other): one of `values`, else whatever `other` accepts. */
export function valueOr(values: readonly (string | undefined)[], other: OptionCheck): OptionCheck {
  return (value) => (values.includes(value) ? undefined : other(value));
}

export const positiveIntList: OptionCheck = (value) => {
  if (value === undefined) return REQUIRED;
  const entries = value.includes(",") ? value.split(",") : value.trim().split(/\s+/u);
  for (const entry of entries) {
    const n = pythonInt(entry);
    if (n === undefined) return intError(entry);
    if (n < 1) return "negative or zero value; must be positive";
  }
  return undefined;
};

export const IMAGE_ALIGN = ["top", "middle", "bottom", "left", "center", "right"];
export const H_ALIGN = ["left", "center", "right"];
export const V_ALIGN = ["top", "middle", "bottom"];

export const figwidth: OptionCheck = (value) =>
  value !== undefined && value.trim().toLowerCase() === "image"
    ? undefined
    : lengthOrPercentageOrUnitless(value);

/** single_char_or_unicode: one character, or a Unicode code such as U+2014 or 0x2014. */
export const singleCharOrUnicode: OptionCheck = (value) => {
  if (value === undefined) return REQUIRED;
  if (/^\d+$/.test(value) || /^(?:0x|x|\\x|U\+?|\\u)[0-9a-f]+$|^&#x[0-9a-f]+;$/i.test(value))
    return undefined;
  return [...value].length > 1
    ? `'${value}' invalid; must be a single character or a Unicode code`
    : undefined;
};

export const singleCharOrWhitespace: OptionCheck = (value) =>
  value === "tab" || value === "space" ? undefined : singleCharOrUnicode(value);
