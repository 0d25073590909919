/**
 * What the smoke tests of verify-install exercise, read from a distribution's files: its
 * top-level modules, its console scripts, its extras; and the small Python probe that times an
 * import, with the parsers of what it prints.
 */
import { parseEntryPoints, parseObjectReference } from "../dist/entry-points.ts";
import { fieldAll, parseMetadataFile } from "../metadata/parse.ts";
import type { Marker } from "../pep508/marker.ts";
import { parseRequirement } from "../pep508/requirement.ts";

const IDENTIFIER = /^[\p{XID_Start}_]\p{XID_Continue}*$/u;
// A module file: `x.py`, or an extension `x.so` / `x.cpython-312-x86_64-linux-gnu.so` / `x.pyd`.
const MODULE_FILE = /^([^.]+)(?:\.py|(?:\.[^./]+)?\.(?:so|pyd))$/;
/** How deep namespace packages (PEP 420, no `__init__`) are searched for something to import. */
const NAMESPACE_DEPTH = 3;

/** The importable name of a module file, or undefined (`__init__`, data files, odd names). */
function moduleOf(file: string): string | undefined {
  const name = MODULE_FILE.exec(file)?.[1];
  return name !== undefined && name !== "__init__" && IDENTIFIER.test(name) ? name : undefined;
}

function modulesUnder(prefix: string, paths: readonly string[], depth: number): string[] {
  const files = new Set<string>();
  const dirs = new Map<string, string[]>();
  for (const path of paths) {
    const slash = path.indexOf("/");
    if (slash < 0) files.add(path);
    else {
      const dir = path.slice(0, slash);
      const inner = dirs.get(dir) ?? [];
      inner.push(path.slice(slash + 1));
      dirs.set(dir, inner);
    }
  }
  const found = new Set<string>();
  for (const file of files) {
    const name = moduleOf(file);
    if (name !== undefined && !dirs.has(name)) found.add(prefix + name);
  }
  for (const [dir, inner] of dirs) {
    if (!IDENTIFIER.test(dir) || dir === "__pycache__") continue;
    const isPackage = inner.some(
      (p) => !p.includes("/") && /^__init__(?:\.py|(?:\.[^./]+)?\.(?:so|pyd))$/.test(p),
    );
    if (isPackage) found.add(prefix + dir);
    else if (depth > 1) for (const m of modulesUnder(`${prefix}${dir}.`, inner, depth - 1)) found.add(m);
  }
  return [...found].sort();
}

/**
 * The modules to import to exercise a wheel: its top-level modules and packages (from the
 * paths of its files, `.data/purelib|platlib` included), and for namespace packages the first
 * regular packages or modules inside them. Dist-info and other `.data` files are not code.
 */
export function topLevelModules(paths: readonly string[]): string[] {
  const code: string[] = [];
  for (const path of paths) {
    const [top = "", scheme = "", ...rest] = path.split("/");
    if (top.endsWith(".dist-info")) continue;
    if (top.endsWith(".data")) {
      if ((scheme === "purelib" || scheme === "platlib") && rest.length > 0) code.push(rest.join("/"));
      continue;
    }
    code.push(path);
  }
  return modulesUnder("", code, NAMESPACE_DEPTH);
}

/** A `console_scripts` entry and the extras its object reference declares (`mod:main [cli]`). */
export interface ScriptEntry {
  name: string;
  extras: string[];
}

/**
 * The `console_scripts` entries of an entry_points.txt, each with its declared extras
 * (`gui_scripts` need a display and are not run).
 */
export function consoleScriptEntries(entryPointsText: string | undefined): ScriptEntry[] {
  if (entryPointsText === undefined) return [];
  return parseEntryPoints(entryPointsText)
    .entries.filter((e) => e.group === "console_scripts" && e.name !== "")
    .map((e) => {
      const reference = parseObjectReference(e.value);
      return { name: e.name, extras: reference.ok ? reference.value.extras : [] };
    });
}

/** What a METADATA file says verify-install needs: its extras and whether it has requirements. */
export function readInstallFacts(metadata: Uint8Array): {
  name?: string;
  version?: string;
  extras: string[];
  requires: readonly string[];
} {
  const md = parseMetadataFile(metadata);
  const name = fieldAll(md, "Name")[0]?.trim();
  const version = fieldAll(md, "Version")[0]?.trim();
  return {
    ...(name === undefined ? {} : { name }),
    ...(version === undefined ? {} : { version }),
    extras: [...new Set(fieldAll(md, "Provides-Extra").map((e) => e.trim()))].filter((e) => e !== ""),
    requires: fieldAll(md, "Requires-Dist"),
  };
}

// True when no environment satisfies the marker without an extra (`extra == "x" and ...`).
function needsExtra(marker: Marker): boolean {
  if (marker.kind !== "compare") {
    return marker.kind === "and"
      ? needsExtra(marker.left) || needsExtra(marker.right)
      : needsExtra(marker.left) && needsExtra(marker.right);
  }
  const { left, op, right } = marker;
  return (
    op === "==" &&
    (left.kind === "variable" ? left.name : right.kind === "variable" ? right.name : "") === "extra"
  );
}

/**
 * The Requires-Dist entries a plain install (no extra) may need; a requirement that cannot be
 * parsed counts, so that pip, not this filter, decides about it.
 */
export function baseRequirements(requires: readonly string[]): string[] {
  return requires.filter((text) => {
    const parsed = parseRequirement(text);
    return !parsed.ok || parsed.value.marker === undefined || !needsExtra(parsed.value.marker);
  });
}

/**
 * A `--script` value as argv: one word is a script run with `--help`; several words are a whole
 * command line, split at whitespace (never given to a shell).
 */
export function scriptArgv(command: string): string[] {
  const words = command
    .trim()
    .split(/\s+/)
    .filter((w) => w !== "");
  return words.length === 1 ? [...words, "--help"] : words;
}

const MARK_START = "__slipway_import_start__";
const MARK_MS = "__slipway_import_ms__=";

/**
 * Imports the module named in argv[1] and prints how long the import took (wall clock inside
 * the interpreter, so interpreter start-up is not counted). The start mark on stderr separates
 * start-up from the import in `-X importtime` output. `__import__`, not importlib.import_module:
 * `-X importtime` times the C import path only, so the module itself would not be listed.
 */
export const IMPORT_PROBE_PY = `
import sys, time
sys.stderr.write("${MARK_START}\\n"); sys.stderr.flush()
t = time.perf_counter()
__import__(sys.argv[1])
ms = (time.perf_counter() - t) * 1000
sys.stdout.flush()
sys.stdout.write("\\n${MARK_MS}%.3f\\n" % ms)
`;

/** The import time the probe printed, in ms; undefined when it did not get that far. */
export function parseImportMs(stdout: string): number | undefined {
  const at = stdout.lastIndexOf(MARK_MS);
  if (at < 0) return undefined;
  const ms = Number.parseFloat(stdout.slice(at + MARK_MS.length));
  return Number.isFinite(ms) ? ms : undefined;
}

/** stdout without the probe's own line. */
export function stripProbeOutput(stdout: string): string {
  const at = stdout.lastIndexOf(`\n${MARK_MS}`);
  return at < 0 ? stdout : stdout.slice(0, at);
}

const IMPORT_TIME_LINE = /^import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)\s*$/;

/** stderr without `-X importtime` lines and the probe's start mark: what the module itself wrote. */
export function stripImportTime(stderr: string): string {
  return stderr
    .split("\n")
    .filter((line) => !line.startsWith("import time:") && line !== MARK_START)
    .join("\n");
}

/**
 * The `n` modules with the largest own ("self") import time after the probe's start mark, from
 * `-X importtime` output: where an over-budget import spends its time.
 */
export function slowestImports(stderr: string, n = 5): { module: string; selfMs: number }[] {
  const lines = stderr.split("\n");
  const start = lines.indexOf(MARK_START);
  const entries: { module: string; selfMs: number }[] = [];
  for (const line of lines.slice(start + 1)) {
    const match = IMPORT_TIME_LINE.exec(line);
    if (match) entries.push({ module: match[4] ?? "", selfMs: Number(match[1]) / 1000 });
  }
  return entries.sort((a, b) => b.selfMs - a.selfMs).slice(0, n);
}
