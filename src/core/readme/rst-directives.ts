/**
 * Running a directive as docutils does with readme_renderer's settings: the directive block is
 * split into arguments, options and content (states.py parse_directive_block), then each
 * directive's own rules apply (raw and include are disabled on PyPI, admonitions need content...).
 */
import pygments from "../../data/pygments-lexers.json" with { type: "json" };
import {
  type Call,
  type DirectiveHost,
  error,
  needsContent,
  nested,
  type Parsed,
  type Runner,
} from "./rst-directive-host.ts";
import { DIRECTIVE_SPECS, type DirectiveSpec } from "./rst-directive-specs.ts";
import { csvTable, listTable, table } from "./rst-directive-tables.ts";
import type { RstNode } from "./rst-doc.ts";
import { adjustUri, cleanUri, roleKind, SIMPLENAME } from "./rst-inline.ts";
import { canonicalDirective } from "./rst-names.ts";
import { H_ALIGN, makeId, V_ALIGN } from "./rst-options.ts";
import { escapeToNull, isBlank, type Line, normalizeName, takeIndented } from "./rst-text.ts";

const LEXERS = new Set<string>(pygments.aliases);

/** Field marker of docutils Body.patterns (a directive option starts with one). */
export const FIELD_MARKER = /^:(?![: ])([^:\\]|\\.|:(?!([ `]|$)))*(?<! ):( +|$)/;

class MarkupError extends Error {}

/** docutils parse_extension_options: a field list of known options with acceptable values. */
function parseOptions(spec: DirectiveSpec, block: Line[]): Map<string, string | undefined> {
  const options = new Map<string, string | undefined>();
  let i = 0;
  while (i < block.length) {
    const m = FIELD_MARKER.exec(block[i]!.text);
    if (!m) throw new MarkupError("invalid option block");
    const raw = m[0].slice(1, m[0].trimEnd().lastIndexOf(":"));
    const body = takeIndented(block, i, { firstIndent: m[0].length });
    const name = raw.toLowerCase();
    const value =
      body.block
        .map((l) => l.text.trim())
        .filter(Boolean)
        .join("\n") || undefined;
    const check = spec.options[name];
    if (check === undefined) throw new MarkupError(`unknown option: "${name}"`);
    if (options.has(name)) throw new MarkupError(`invalid option data: duplicate option "${name}"`);
    const error = check(value);
    if (error !== undefined)
      throw new MarkupError(
        `invalid option value: (option: "${name}"; value: ${JSON.stringify(value ?? null)})\n${error}`,
      );
    options.set(name, value);
    i = body.last + 1;
  }
  return options;
}

/** docutils parse_directive_block: arguments, options and content of a directive. */
function parseBlock(spec: DirectiveSpec, lines: Line[]): Parsed {
  let indented = lines;
  if (indented.length > 0 && isBlank(indented[0]!.text)) indented = indented.slice(1);
  while (indented.length > 0 && isBlank(indented.at(-1)!.text)) indented = indented.slice(0, -1);
  const takesArgs = spec.required + spec.optional > 0;
  const hasOptions = Object.keys(spec.options).length > 0;
  let argBlock: Line[] = [];
  let content = indented;
  let firstBlank = indented.length;
  if (indented.length > 0 && (takesArgs || hasOptions)) {
    const blank = indented.findIndex((l) => isBlank(l.text));
    firstBlank = blank < 0 ? indented.length : blank;
    argBlock = indented.slice(0, firstBlank);
    content = indented.slice(firstBlank + 1);
  }
  let options = new Map<string, string | undefined>();
  if (hasOptions) {
    const at = argBlock.findIndex((l) => FIELD_MARKER.test(l.text));
    if (at >= 0) {
      options = parseOptions(spec, argBlock.slice(at));
      argBlock = argBlock.slice(0, at);
    }
  }
  if (argBlock.length > 0 && !takesArgs) {
    content = [...argBlock, ...indented.slice(firstBlank)];
    argBlock = [];
  }
  while (content.length > 0 && isBlank(content[0]!.text)) content = content.slice(1);
  let args: string[] = [];
  if (takesArgs) {
    const text = argBlock.map((l) => l.text).join("\n");
    args = text.split(/\s+/u).filter(Boolean);
    const max = spec.required + spec.optional;
    if (args.length < spec.required) {
      throw new MarkupError(`${spec.required} argument(s) required, ${args.length} supplied`);
    }
    if (args.length > max) {
      if (!spec.finalWhitespace)
        throw new MarkupError(`maximum ${max} argument(s) allowed, ${args.length} supplied`);
      args = [
        ...args.slice(0, max - 1),
        text
          .trim()
          .split(/\s+/u)
          .slice(max - 1)
          .join(" "),
      ];
    }
  }
  if (content.length > 0 && !spec.content) throw new MarkupError("no content permitted");
  return { args, options, content };
}

/** Runs `.. name:: ...` whose block (text after `::` and the indented lines) is `block`. */
export function runDirective(host: DirectiveHost, name: string, block: Line[], line: number): RstNode[] {
  const { doc } = host;
  const canonical = canonicalDirective(name);
  if (canonical === undefined) {
    doc.report("error", line, `Unknown directive type "${name}".`);
    return [{ kind: "system_message", line }];
  }
  const spec = DIRECTIVE_SPECS[canonical]!;
  let parsed: Parsed;
  try {
    parsed = parseBlock(spec, block);
  } catch (error) {
    if (!(error instanceof MarkupError)) throw error;
    doc.report("error", line, `Error in "${name}" directive:\n${error.message}.`);
    return [{ kind: "system_message", line }];
  }
  const label = parsed.options.get("name");
  if (label !== undefined && parsed.options.has("name")) {
    doc.noteName(normalizeName(label), {}, true, line);
    if (host.inSubstitution) doc.substitutionIllegal.push("Targets (names and identifiers)");
  }
  return DIRECTIVE_RUNNERS[canonical]?.(host, { name, line, ...parsed }) ?? [{ kind: canonical, line }];
}

const onlyInSubstitution: Runner = (host, call) =>
  host.inSubstitution
    ? [{ kind: "inline", line: call.line }]
    : error(
        host,
        call,
        `Invalid context: the "${call.name}" directive can only be used within a substitution definition.`,
      );

const admonition: Runner = (host, call) => {
  if (call.args[0] !== undefined) host.inline(call.args[0], call.line);
  return nested(host, call, "admonition");
};

function topLevelOnly(host: DirectiveHost, call: Call): boolean {
  if (host.matchTitles) return true;
  error(host, call, `The "${call.name}" directive may not be used within topics or body elements.`);
  return false;
}

function image(host: DirectiveHost, call: Call): RstNode[] {
  const align = call.options.get("align")?.trim().toLowerCase();
  if (align !== undefined && host.inSubstitution && !V_ALIGN.includes(align)) {
    return error(
      host,
      call,
      `Error in "${call.name}" directive: "${align}" is not a valid value for the "align" option within a substitution definition.  Valid values for "align" are: "top", "middle", "bottom".`,
    );
  }
  if (align !== undefined && !host.inSubstitution && !H_ALIGN.includes(align)) {
    return error(
      host,
      call,
      `Error in "${call.name}" directive: "${align}" is not a valid value for the "align" option.  Valid values for "align" are: "left", "center", "right".`,
    );
  }
  host.doc.links.push({ uri: cleanUri(escapeToNull(call.args[0] ?? "")), line: call.line, kind: "image" });
  const target = call.options.get("target");
  if (target !== undefined) {
    const ref = TARGET_REFERENCE.exec(target.trim().split(/\s+/u).join(" "));
    if (ref && target.trim().endsWith("_")) {
      host.doc.refs.push({
        name: normalizeName(ref.groups!["simple"] ?? ref.groups!["phrase"]!),
        line: call.line,
      });
    } else {
      host.doc.links.push({ uri: adjustUri(cleanUri(escapeToNull(target))), line: call.line, kind: "link" });
    }
  }
  return [{ kind: "image", line: call.line }];
}

// states.py Body.explicit.patterns.reference: `name_` or `phrase`_ makes a target indirect.
export const TARGET_REFERENCE = new RegExp(
  `^(?:(?<simple>${SIMPLENAME})_|\`(?! )(?<phrase>.+?)(?<![\\s\\x00])\`_)$`,
  "u",
);

const ROLE_DEFINITION = new RegExp(String.raw`^(${SIMPLENAME})\s*(?:\(\s*(${SIMPLENAME})\s*\)\s*)?$`, "u");

const DIRECTIVE_RUNNERS: Readonly<Record<string, Runner>> = {
  attention: admonition,
  caution: admonition,
  danger: admonition,
  error: admonition,
  hint: admonition,
  important: admonition,
  note: admonition,
  tip: admonition,
  warning: admonition,
  admonition,
  sidebar: (host, call) => {
    if (call.args[0] !== undefined) host.inline(call.args[0], call.line);
    return nested(host, call, "sidebar");
  },
  topic: (host, call) => {
    if (!topLevelOnly(host, call)) return [{ kind: "system_message", line: call.line }];
    host.inline(call.args[0] ?? "", call.line);
    return nested(host, call, "topic");
  },
  "line-block": (host, call) => {
    if (!needsContent(host, call)) return [];
    for (const l of call.content) host.inline(l.text.trim(), l.line);
    return [{ kind: "line_block", line: call.line }];
  },
  "parsed-literal": (host, call) => {
    if (!needsContent(host, call)) return [];
    host.inline(call.content.map((l) => l.text).join("\n"), call.content[0]!.line);
    return [{ kind: "literal_block", line: call.line }];
  },
  code: (host, call) => {
    if (!needsContent(host, call)) return [];
    const language = call.args[0];
    if (language !== undefined && language !== "text" && !LEXERS.has(language.toLowerCase())) {
      host.doc.note(
        call.line,
        `Pygments has no lexer for "${language}"; PyPI shows this code block without highlighting.`,
      );
    }
    return [{ kind: "literal_block", line: call.line }];
  },
  math: (host, call) => (needsContent(host, call) ? [{ kind: "math_block", line: call.line }] : []),
  rubric: (host, call) => {
    host.inline(call.args[0] ?? "", call.line);
    return [{ kind: "rubric", line: call.line }];
  },
  epigraph: (host, call) => nested(host, call, "block_quote"),
  highlights: (host, call) => nested(host, call, "block_quote"),
  "pull-quote": (host, call) => nested(host, call, "block_quote"),
  compound: (host, call) => nested(host, call, "compound"),
  container: (host, call) => {
    const bad = (call.args[0] ?? "").split(/\s+/u).find((c) => c && makeId(c) === "");
    if (bad !== undefined)
      return error(host, call, `Invalid class attribute value for "${call.name}" directive: "${bad}".`);
    return nested(host, call, "container");
  },
  image,
  figure: (host, call) => {
    const nodes = image(host, call);
    if (nodes[0]?.kind !== "image" || call.content.length === 0) return [{ kind: "figure", line: call.line }];
    const holder: RstNode = { kind: "figure", line: call.line, children: [] };
    host.body(call.content, holder);
    const first = holder.children!.find((c) => c.kind !== "system_message");
    if (first && first.kind !== "paragraph" && first.kind !== "empty_comment") {
      return error(host, call, "Figure caption must be a paragraph or empty comment.");
    }
    return [holder];
  },
  raw: (host, call) => {
    host.doc.report("warning", call.line, `"${call.name}" directive disabled.`);
    return [{ kind: "system_message", line: call.line }];
  },
  include: (host, call) => {
    host.doc.report("warning", call.line, `"${call.name}" directive disabled.`);
    return [{ kind: "system_message", line: call.line }];
  },
  replace: (host, call) => {
    if (!host.inSubstitution) return onlyInSubstitution(host, call);
    if (!needsContent(host, call)) return [];
    const holder: RstNode = { kind: "replace", line: call.line, children: [] };
    host.body(call.content, holder);
    const kinds = holder.children!.filter((c) => c.kind !== "system_message");
    if (kinds.length !== 1 || kinds[0]!.kind !== "paragraph") {
      return error(host, call, `Error in "${call.name}" directive: may contain a single paragraph only.`);
    }
    return [{ kind: "inline", line: call.line }];
  },
  unicode: onlyInSubstitution,
  date: onlyInSubstitution,
  class: (host, call) => {
    const bad = (call.args[0] ?? "").split(/\s+/u).find((c) => c && makeId(c) === "");
    if (bad !== undefined)
      return error(host, call, `Invalid class attribute value for "${call.name}" directive: "${bad}".`);
    if (call.content.length === 0) return [{ kind: "pending_class", line: call.line }];
    const holder: RstNode = { kind: "class", line: call.line, children: [] };
    host.body(call.content, holder);
    return holder.children!;
  },
  role: (host, call) => {
    const first = call.content[0];
    if (first === undefined || first.line !== call.line) {
      return error(host, call, `"${call.name}" directive requires arguments on the first line.`);
    }
    const m = ROLE_DEFINITION.exec(first.text);
    if (!m)
      return error(host, call, `"${call.name}" directive arguments not valid role names: "${first.text}".`);
    if (makeId(m[1]!) === "") return error(host, call, `Invalid argument for "${call.name}" directive.`);
    const base = m[2];
    if (base !== undefined && roleKind(host.doc, base) === undefined) {
      return error(host, call, `Unknown interpreted text role "${base}".`);
    }
    host.doc.customRoles.set(m[1]!.toLowerCase(), base ?? "");
    // Role options (:class:, :language:, :format:) are accepted without checking them.
    if (call.content.length > 1) host.doc.unverified.add("role directive options");
    return [{ kind: "invisible", line: call.line }];
  },
  "default-role": (host, call) => {
    const role = call.args[0];
    if (role !== undefined && roleKind(host.doc, role) === undefined) {
      return error(host, call, `Unknown interpreted text role "${role}".`);
    }
    host.doc.defaultRole = role;
    return [{ kind: "invisible", line: call.line }];
  },
  title: (_host, call) => [{ kind: "invisible", line: call.line }],
  contents: (host, call) =>
    topLevelOnly(host, call)
      ? [{ kind: "contents", line: call.line }]
      : [{ kind: "system_message", line: call.line }],
  sectnum: (_host, call) => [{ kind: "invisible", line: call.line }],
  "target-notes": (_host, call) => [{ kind: "invisible", line: call.line }],
  header: (host, call) => (needsContent(host, call) ? [{ kind: "invisible", line: call.line }] : []),
  footer: (host, call) => (needsContent(host, call) ? [{ kind: "invisible", line: call.line }] : []),
  meta: (host, call) => {
    if (!needsContent(host, call)) return [];
    host.doc.unverified.add("meta directive");
    return [{ kind: "invisible", line: call.line }];
  },
  table,
  "list-table": listTable,
  "csv-table": csvTable,
};
