/**
 * Argument, option and content rules of the docutils 0.23 directives (the `required_arguments`,
 * `optional_arguments`, `final_argument_whitespace`, `has_content` and `option_spec` of each
 * class in parsers/rst/directives/). The oracle test compares this table with docutils itself.
 */
import * as o from "./rst-options.ts";

export interface DirectiveSpec {
  required: number;
  optional: number;
  finalWhitespace: boolean;
  content: boolean;
  options: Readonly<Record<string, o.OptionCheck>>;
}

const CLASS_NAME = { class: o.classOption, name: o.unchanged };
const admonition: DirectiveSpec = {
  required: 0,
  optional: 0,
  finalWhitespace: true,
  content: true,
  options: CLASS_NAME,
};
const plainBody: DirectiveSpec = {
  required: 0,
  optional: 0,
  finalWhitespace: false,
  content: true,
  options: {},
};
const WIDTHS = o.valueOr(["auto", "grid"], o.positiveIntList);
const AUTO_WIDTHS = o.valueOr(["auto"], o.positiveIntList);
const TABLE_ALIGN = o.choice(o.H_ALIGN);
const IMAGE_OPTIONS = {
  alt: o.unchanged,
  height: o.lengthOrUnitless,
  width: o.lengthOrPercentageOrUnitless,
  scale: o.percentage,
  align: o.choice(o.IMAGE_ALIGN),
  target: o.unchangedRequired,
  loading: o.choice(["embed", "link", "lazy"]),
  ...CLASS_NAME,
};

export const DIRECTIVE_SPECS: Readonly<Record<string, DirectiveSpec>> = {
  attention: admonition,
  caution: admonition,
  danger: admonition,
  error: admonition,
  hint: admonition,
  important: admonition,
  note: admonition,
  tip: admonition,
  warning: admonition,
  admonition: { ...admonition, required: 1 },
  sidebar: { ...admonition, optional: 1, options: { ...CLASS_NAME, subtitle: o.unchangedRequired } },
  topic: { ...admonition, required: 1 },
  "line-block": { ...plainBody, options: CLASS_NAME },
  "parsed-literal": { ...plainBody, options: CLASS_NAME },
  code: {
    required: 0,
    optional: 1,
    finalWhitespace: false,
    content: true,
    options: { ...CLASS_NAME, "number-lines": o.valueOr([undefined], o.int) },
  },
  math: { ...plainBody, options: CLASS_NAME },
  rubric: { required: 1, optional: 0, finalWhitespace: true, content: false, options: CLASS_NAME },
  epigraph: plainBody,
  highlights: plainBody,
  "pull-quote": plainBody,
  compound: { ...plainBody, options: CLASS_NAME },
  container: {
    required: 0,
    optional: 1,
    finalWhitespace: true,
    content: true,
    options: { name: o.unchanged },
  },
  table: {
    required: 0,
    optional: 1,
    finalWhitespace: true,
    content: true,
    options: { ...CLASS_NAME, align: TABLE_ALIGN, width: o.lengthOrPercentageOrUnitless, widths: WIDTHS },
  },
  "csv-table": {
    required: 0,
    optional: 1,
    finalWhitespace: true,
    content: true,
    options: {
      "header-rows": o.nonnegativeInt,
      "stub-columns": o.nonnegativeInt,
      header: o.unchanged,
      width: o.lengthOrPercentageOrUnitless,
      widths: AUTO_WIDTHS,
      file: o.unchangedRequired,
      url: o.unchangedRequired,
      encoding: o.unchanged,
      ...CLASS_NAME,
      align: TABLE_ALIGN,
      delim: o.singleCharOrWhitespace,
      keepspace: o.flag,
      quote: o.singleCharOrUnicode,
      escape: o.singleCharOrUnicode,
    },
  },
  "list-table": {
    required: 0,
    optional: 1,
    finalWhitespace: true,
    content: true,
    options: {
      "header-rows": o.nonnegativeInt,
      "stub-columns": o.nonnegativeInt,
      width: o.lengthOrPercentageOrUnitless,
      widths: AUTO_WIDTHS,
      ...CLASS_NAME,
      align: TABLE_ALIGN,
    },
  },
  meta: plainBody,
  image: { required: 1, optional: 0, finalWhitespace: true, content: false, options: IMAGE_OPTIONS },
  figure: {
    required: 1,
    optional: 0,
    finalWhitespace: true,
    content: true,
    options: {
      ...IMAGE_OPTIONS,
      align: o.choice(o.H_ALIGN),
      figwidth: o.figwidth,
      figclass: o.classOption,
      figname: o.unchanged,
    },
  },
  include: {
    required: 1,
    optional: 0,
    finalWhitespace: true,
    content: false,
    options: {
      literal: o.flag,
      code: o.unchanged,
      encoding: o.unchanged,
      parser: o.unchanged,
      "tab-width": o.int,
      "start-line": o.int,
      "end-line": o.int,
      "start-after": o.unchanged,
      "end-before": o.unchanged,
      "number-lines": o.valueOr([undefined], o.int),
      ...CLASS_NAME,
    },
  },
  raw: {
    required: 1,
    optional: 0,
    finalWhitespace: true,
    content: true,
    options: {
      file: o.unchangedRequired,
      url: o.unchangedRequired,
      encoding: o.unchanged,
      class: o.classOption,
    },
  },
  replace: plainBody,
  unicode: {
    required: 1,
    optional: 0,
    finalWhitespace: true,
    content: false,
    options: { trim: o.flag, ltrim: o.flag, rtrim: o.flag },
  },
  date: plainBody,
  class: { required: 1, optional: 0, finalWhitespace: true, content: true, options: {} },
  role: plainBody,
  "default-role": { required: 0, optional: 1, finalWhitespace: false, content: false, options: {} },
  title: { required: 1, optional: 0, finalWhitespace: true, content: false, options: {} },
  contents: {
    required: 0,
    optional: 1,
    finalWhitespace: true,
    content: false,
    options: {
      depth: o.nonnegativeInt,
      local: o.flag,
      backlinks: o.choice(["top", "entry", "none"]),
      class: o.classOption,
    },
  },
  sectnum: {
    required: 0,
    optional: 0,
    finalWhitespace: false,
    content: false,
    options: { depth: o.int, start: o.int, prefix: o.unchangedRequired, suffix: o.unchangedRequired },
  },
  header: plainBody,
  footer: plainBody,
  "target-notes": {
    required: 0,
    optional: 0,
    finalWhitespace: false,
    content: false,
    options: { class: o.classOption },
  },
  "restructuredtext-test-directive": {
    required: 0,
    optional: 1,
    finalWhitespace: true,
    content: true,
    options: { option: o.unchangedRequired },
  },
};
