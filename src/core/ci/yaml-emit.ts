/**
 * A small YAML emitter for the generated CI files: block mappings and sequences, scalars
 * quoted whenever a plain scalar could be read as something else, `|` blocks for scripts, and
 * comments where a workflow needs to say why. Its output is checked in the tests by parsing it
 * back (the `yaml` package) and by the real linters; a full YAML library would lose the
 * comments beside pinned SHAs that this file places exactly.
 */
import { pushAll } from "../arrays.ts";

/** A scalar with a trailing comment: `uses: owner/repo@sha # v4.2.2`. */
export interface Commented {
  readonly value: string;
  readonly comment: string;
}

export type YamlValue = string | number | boolean | null | Commented | YamlValue[] | YamlMap;
/** Keys starting with `#` are comment lines (their value is the text), not keys. */
export type YamlMap = { [key: string]: YamlValue | undefined };

export function commented(value: string, comment: string): Commented {
  return { value, comment };
}

function isCommented(value: unknown): value is Commented {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).length === 2 &&
    typeof (value as Commented).value === "string" &&
    typeof (value as Commented).comment === "string"
  );
}

// YAML 1.1 readers (GitLab's Ruby parser among them) take these as booleans or null.
const RESERVED = /^(?:true|false|yes|no|on|off|y|n|null|~)$/i;

/** A plain scalar when it reads back as the same string in YAML 1.1 and 1.2, else double-quoted. */
export function scalar(text: string): string {
  const plain =
    /^[A-Za-z_/][A-Za-z0-9_./@:=*+,' -]*$/.test(text) && !/: | #|[: ]$/.test(text) && !RESERVED.test(text);
  if (plain) return text;
  return JSON.stringify(text);
}

function key(name: string): string {
  // `on` is the one key GitHub requires written plain; every reader of workflows takes it as a string.
  if (name === "on") return name;
  return /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(name) && !RESERVED.test(name) ? name : JSON.stringify(name);
}

function comment(text: string, pad: string): string[] {
  return text.split("\n").map((line) => (line === "" ? `${pad}#` : `${pad}# ${line}`));
}

function inline(value: YamlValue): string | undefined {
  if (value === null) return "null";
  if (typeof value === "boolean" || typeof value === "number") return String(value);
  if (typeof value === "string") return value.includes("\n") ? undefined : scalar(value);
  if (isCommented(value)) return `${scalar(value.value)} # ${value.comment}`;
  if (Array.isArray(value)) return value.length === 0 ? "[]" : undefined;
  return Object.keys(value).length === 0 ? "{}" : undefined;
}

function block(text: string, pad: string): string[] {
  const chomp = text.endsWith("\n") ? "" : "-";
  const body = text.endsWith("\n") ? text.slice(0, -1) : text;
  return [`|${chomp}`, ...body.split("\n").map((line) => (line === "" ? "" : `${pad}${line}`))];
}

function entry(head: string, value: YamlValue, pad: string, out: string[]): void {
  // `pull_request:` with nothing after it: how workflows write an event without filters.
  if (value === null) {
    out.push(head);
    return;
  }
  const one = inline(value);
  if (one !== undefined) {
    out.push(`${head} ${one}`);
  } else if (typeof value === "string") {
    const [first, ...rest] = block(value, `${pad}  `);
    pushAll(out, [`${head} ${first}`, ...rest]);
  } else {
    out.push(head);
    emitInto(value, `${pad}  `, out);
  }
}

function emitInto(value: YamlValue, pad: string, out: string[]): void {
  if (Array.isArray(value)) {
    for (const item of value) {
      const one = inline(item);
      if (one !== undefined) out.push(`${pad}- ${one}`);
      else if (typeof item === "string") {
        const [first, ...rest] = block(item, `${pad}  `);
        pushAll(out, [`${pad}- ${first}`, ...rest]);
      } else {
        const lines: string[] = [];
        emitInto(item, `${pad}  `, lines);
        const first = lines[0] ?? "";
        pushAll(out, [`${pad}- ${first.slice(pad.length + 2)}`, ...lines.slice(1)]);
      }
    }
    return;
  }
  if (value === null || typeof value !== "object" || isCommented(value)) {
    out.push(`${pad}${inline(value) ?? ""}`);
    return;
  }
  for (const [name, item] of Object.entries(value)) {
    if (item === undefined) continue;
    if (name.startsWith("#")) pushAll(out, comment(String(item), pad));
    else entry(`${pad}${key(name)}:`, item, pad, out);
  }
}

/** The lines of `value` (a mapping or sequence) at indentation `indent`, no trailing newline. */
export function emitYaml(value: YamlMap | YamlValue[], indent = 0): string {
  const out: string[] = [];
  emitInto(value, " ".repeat(indent), out);
  return out.join("\n");
}
