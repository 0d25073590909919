/** What every pyproject check reads: the parsed document plus locations with line numbers. */
import type { CheckInfo, Finding, Location, Severity } from "../findings.ts";
import { finding } from "../findings.ts";
import type { TomlTable } from "../pyproject/access.ts";
import { getTable } from "../pyproject/access.ts";
import type { TomlScan } from "../pyproject/toml.ts";
import { formatKeyPath, lineOf, scanToml } from "../pyproject/toml.ts";
import type { ProjectContext } from "./context.ts";

export interface PyprojectView {
  display: string;
  text: string;
  doc: TomlTable;
  /** `[project]`, when it is a table. */
  project: TomlTable | undefined;
  files: readonly string[];
  fileSet: ReadonlySet<string>;
  contents: ReadonlyMap<string, Uint8Array>;
}

export function assembleView(ctx: ProjectContext, doc: TomlTable): PyprojectView {
  return {
    display: ctx.display,
    text: ctx.pyprojectText,
    doc,
    project: getTable(doc, "project"),
    files: ctx.files,
    fileSet: new Set(ctx.files),
    contents: ctx.contents,
  };
}

const scans = new WeakMap<PyprojectView, TomlScan>();

/** The location of a key path; `item` (an array element) narrows the line. */
export function at(view: PyprojectView, path: readonly string[], item?: string): Location {
  let scan = scans.get(view);
  if (!scan) {
    scan = scanToml(view.text);
    scans.set(view, scan);
  }
  const line = lineOf(scan, view.text, path, item);
  const location: Location = { file: view.display, field: formatKeyPath(path) };
  if (line !== undefined) location.line = line;
  return location;
}

/** A finding on a key path whose message starts with the file and the key. */
export function report(
  view: PyprojectView,
  info: CheckInfo,
  path: readonly string[],
  detail: string,
  options: { item?: string; severity?: Severity; hint?: string } = {},
): Finding {
  const overrides: { severity?: Severity; hint?: string } = {};
  if (options.severity) overrides.severity = options.severity;
  if (options.hint) overrides.hint = options.hint;
  return finding(
    info,
    `${view.display}: ${formatKeyPath(path)} ${detail}`,
    at(view, path, options.item),
    overrides,
  );
}

/** A value shown in a message: quoted, cut to a readable length, line breaks visible. */
export function show(value: string, max = 80): string {
  const quoted = JSON.stringify(value);
  return quoted.length > max ? `${quoted.slice(0, max - 4)}…"` : quoted;
}

/**
 * The byte offset of the first ill-formed UTF-8 sequence (Unicode Table 3-7: no overlongs, no
 * surrogates, nothing above U+10FFFF), or undefined when the bytes are valid UTF-8.
 */
export function invalidUtf8At(bytes: Uint8Array): number | undefined {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      i++;
      continue;
    }
    let length: number;
    let low = 0x80;
    let high = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) length = 2;
    else if (b >= 0xe0 && b <= 0xef) {
      length = 3;
      if (b === 0xe0) low = 0xa0;
      if (b === 0xed) high = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      length = 4;
      if (b === 0xf0) low = 0x90;
      if (b === 0xf4) high = 0x8f;
    } else return i;
    for (let k = 1; k < length; k++) {
      const c = bytes[i + k];
      const [min, max] = k === 1 ? [low, high] : [0x80, 0xbf];
      if (c === undefined || c < min || c > max) return i;
    }
    i += length;
  }
  return undefined;
}
