/**
 * Lockfile inputs of `slipway scan deps`: the pins of uv.lock, poetry.lock, pylock.toml (PEP 751),
 * requirements files and Pipfile.lock, read directly from their text (no resolution). Every
 * reader turns its file into the same list of pins; a malformed file is a LockError naming the
 * file and the line, never an exception.
 */
import { parse, TomlError } from "smol-toml";
import { normalizeName } from "../names/name.ts";
import { isTable, type TomlTable } from "../pyproject/access.ts";
import type { LockFormat } from "./lock-format.ts";

export { type LockFormat, lockFormatOf } from "./lock-format.ts";

export interface Pin {
  /** The name as the lockfile writes it. */
  name: string;
  /** PEP 503 normalized name. */
  normalized: string;
  version: string;
  /** The environment marker under which the pin applies (`sys_platform == 'win32'`), when any. */
  marker?: string;
  /** Artifact hashes as `algorithm:hex`. */
  hashes: string[];
  file: string;
  /** 1-based line where the pin is defined. */
  line: number;
}

/** A pin as every reader makes it: the name normalized here, the marker only when given. */
function pinOf(
  name: string,
  version: string,
  marker: string | undefined,
  hashes: string[],
  at: { file: string; line: number },
): Pin {
  return {
    name,
    normalized: normalizeName(name),
    version,
    ...(marker === undefined ? {} : { marker }),
    hashes,
    file: at.file,
    line: at.line,
  };
}

/** A requirement line that names a package without pinning one exact version. */
export interface Unpinned {
  requirement: string;
  file: string;
  line: number;
}

export interface LockError {
  file: string;
  line: number;
  message: string;
}

export type LockRead = { ok: true; pins: Pin[]; unpinned: Unpinned[] } | { ok: false; error: LockError };

/** Reads one lockfile's pins; `file` is the name to report (as the user gave it). */
export function readLock(format: LockFormat, file: string, text: string): LockRead {
  switch (format) {
    case "uv.lock":
      return readUvLock(file, text);
    case "poetry.lock":
      return readTomlPackages(file, text, "package", poetryHashes);
    case "pylock.toml":
      return readTomlPackages(file, text, "packages", pylockHashes);
    case "requirements":
      return readRequirements(file, text);
    case "Pipfile.lock":
      return readPipfileLock(file, text);
  }
}

class Malformed extends Error {
  readonly line: number;
  constructor(message: string, line: number) {
    super(message);
    this.line = line;
  }
}

/** Parses TOML into a table, or a LockError with smol-toml's line. */
export function parseLockToml(
  file: string,
  text: string,
): { ok: true; value: TomlTable } | { ok: false; error: LockError } {
  try {
    const value = parse(text);
    if (isTable(value)) return { ok: true, value };
    return { ok: false, error: { file, line: 1, message: "the document is not a TOML table" } };
  } catch (error) {
    if (error instanceof TomlError) {
      const first = (error.message.split("\n")[0] ?? "").replace(/^Invalid TOML document: /, "");
      return { ok: false, error: { file, line: error.line, message: `not valid TOML: ${first}` } };
    }
    return { ok: false, error: { file, line: 1, message: `not valid TOML: ${String(error)}` } };
  }
}

/** 1-based lines of each `[[key]]` header, in order. */
export function arrayTableLines(text: string, key: string): number[] {
  const lines: number[] = [];
  const header = new RegExp(`^\\s*\\[\\[\\s*${key}\\s*\\]\\]`);
  text.split("\n").forEach((line, index) => {
    if (header.test(line)) lines.push(index + 1);
  });
  return lines;
}

type HashesOf = (entry: TomlTable, line: number) => string[];

function readTomlPackages(file: string, text: string, key: string, hashesOf: HashesOf): LockRead {
  const parsed = parseLockToml(file, text);
  if (!parsed.ok) return parsed;
  return pinsOfTable(file, text, parsed.value, key, hashesOf);
}

function readUvLock(file: string, text: string): LockRead {
  const parsed = parseLockToml(file, text);
  if (!parsed.ok) return parsed;
  const read = pinsOfTable(file, text, parsed.value, "package", uvHashes);
  return read.ok ? withUvMarkers(read, parsed.value) : read;
}

function pinsOfTable(
  file: string,
  text: string,
  document: TomlTable,
  key: string,
  hashesOf: HashesOf,
): LockRead {
  const packages = document[key] ?? [];
  if (!Array.isArray(packages)) return malformed(file, 1, `\`${key}\` is not an array of tables`);
  const lines = arrayTableLines(text, key);
  const pins: Pin[] = [];
  try {
    packages.forEach((entry, index) => {
      const line = lines[index] ?? 1;
      if (!isTable(entry)) throw new Malformed(`\`${key}\` entry ${index + 1} is not a table`, line);
      const name = entry.name;
      if (typeof name !== "string" || name === "")
        throw new Malformed(`\`${key}\` entry ${index + 1} has no name`, line);
      const version = entry.version;
      // A uv.lock entry for the project itself or a path dependency may carry no version.
      if (version === undefined) return;
      if (typeof version !== "string") throw new Malformed(`${name}: \`version\` is not a string`, line);
      const marker = markerOf(entry);
      pins.push(pinOf(name, version, marker, hashesOf(entry, line), { file, line }));
    });
  } catch (error) {
    if (error instanceof Malformed) return malformed(file, error.line, error.message);
    throw error;
  }
  return { ok: true, pins, unpinned: [] };
}

/**
 * uv and PEP 751 write `marker`; poetry writes `markers`, a string or (lock 2.1) a table of one
 * marker per group, which apply together as alternatives.
 */
function markerOf(entry: TomlTable): string | undefined {
  const value = entry.marker ?? entry.markers;
  if (typeof value === "string") return value;
  if (!isTable(value)) return undefined;
  const parts = [...new Set(Object.values(value).filter((part): part is string => typeof part === "string"))];
  if (parts.length === 0) return undefined;
  return parts.length === 1 ? parts[0] : parts.map((part) => `(${part})`).join(" or ");
}

/**
 * uv.lock writes no marker on a package, only on the dependency edges that lead to it. A pin's
 * marker is derived from the edges from the project (and other workspace members) down: the
 * alternatives of the conjunctions along each path, none when one path is unconditional. Extras
 * and groups are taken as all enabled, as `uv export --all-extras --all-groups` does.
 */
function withUvMarkers(read: LockRead, document: TomlTable): LockRead {
  if (!read.ok) return read;
  if (!Array.isArray(document.package)) return read;
  const packages = document.package.filter(isTable);
  const byName = new Map<string, TomlTable[]>();
  for (const entry of packages) {
    if (typeof entry.name !== "string") continue;
    const name = normalizeName(entry.name);
    byName.set(name, [...(byName.get(name) ?? []), entry]);
  }
  const ALWAYS = "";
  const conditions = new Map<TomlTable, Set<string>>();
  const queue: [TomlTable, string][] = [];
  const reach = (entry: TomlTable, condition: string): void => {
    const known = conditions.get(entry) ?? new Set<string>();
    conditions.set(entry, known);
    if (known.has(ALWAYS) || known.has(condition) || known.size >= MAX_ALTERNATIVES) return;
    if (condition === ALWAYS) known.clear();
    known.add(condition);
    queue.push([entry, condition]);
  };
  const roots = packages.filter((entry) => {
    const source = isTable(entry.source) ? entry.source : {};
    return "editable" in source || "virtual" in source;
  });
  for (const root of roots.length > 0 ? roots : packages) reach(root, ALWAYS);
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    const [entry, condition] = next;
    for (const edge of dependencyEdges(entry)) {
      const marker = typeof edge.marker === "string" ? edge.marker : ALWAYS;
      const targets = (byName.get(normalizeName(String(edge.name))) ?? []).filter(
        (target) => edge.version === undefined || target.version === edge.version,
      );
      for (const target of targets) reach(target, conjoin(condition, marker));
    }
  }
  for (const pin of read.pins) {
    const entry = (byName.get(pin.normalized) ?? []).find((candidate) => candidate.version === pin.version);
    const known = entry ? conditions.get(entry) : undefined;
    if (!known || known.has(ALWAYS)) continue;
    const alternatives = [...known];
    pin.marker =
      alternatives.length === 1 ? (alternatives[0] as string) : alternatives.map(grouped).join(" or ");
  }
  return read;
}

const MAX_ALTERNATIVES = 16;

function dependencyEdges(entry: TomlTable): TomlTable[] {
  const edges: unknown[] = Array.isArray(entry.dependencies) ? [...entry.dependencies] : [];
  for (const key of ["optional-dependencies", "dev-dependencies"]) {
    const table = entry[key];
    if (!isTable(table)) continue;
    for (const list of Object.values(table))
      if (Array.isArray(list)) for (const edge of list) edges.push(edge);
  }
  return edges.filter((edge): edge is TomlTable => isTable(edge) && typeof edge.name === "string");
}

function conjoin(left: string, right: string): string {
  if (left === "" || left === right) return right;
  if (right === "") return left;
  return `${grouped(left)} and ${grouped(right)}`;
}

function grouped(marker: string): string {
  return / or /.test(marker) ? `(${marker})` : marker;
}

function malformed(file: string, line: number, message: string): LockRead {
  return { ok: false, error: { file, line, message } };
}

/** The artifacts a TOML lock entry lists (sdist + wheels), each a table. */
export function entryArtifacts(
  entry: TomlTable,
  wheelsKey: string,
  sdistKey: string,
  line: number,
): TomlTable[] {
  const artifacts: TomlTable[] = [];
  const sdist = entry[sdistKey];
  if (sdist !== undefined) {
    if (!isTable(sdist)) throw new Malformed(`${String(entry.name)}: \`${sdistKey}\` is not a table`, line);
    artifacts.push(sdist);
  }
  const wheels = entry[wheelsKey] ?? [];
  if (!Array.isArray(wheels))
    throw new Malformed(`${String(entry.name)}: \`${wheelsKey}\` is not an array`, line);
  for (const wheel of wheels) {
    if (!isTable(wheel))
      throw new Malformed(`${String(entry.name)}: a \`${wheelsKey}\` entry is not a table`, line);
    artifacts.push(wheel);
  }
  return artifacts;
}

function uvHashes(entry: TomlTable, line: number): string[] {
  return entryArtifacts(entry, "wheels", "sdist", line).flatMap((artifact) =>
    typeof artifact.hash === "string" ? [artifact.hash] : [],
  );
}

function poetryHashes(entry: TomlTable, line: number): string[] {
  const files = entry.files ?? [];
  if (!Array.isArray(files)) throw new Malformed(`${String(entry.name)}: \`files\` is not an array`, line);
  return files.flatMap((artifact) =>
    isTable(artifact) && typeof artifact.hash === "string" ? [artifact.hash] : [],
  );
}

function pylockHashes(entry: TomlTable, line: number): string[] {
  return entryArtifacts(entry, "wheels", "sdist", line).flatMap((artifact) => {
    const hashes = artifact.hashes;
    if (!isTable(hashes)) return [];
    return Object.entries(hashes).flatMap(([algorithm, hex]) =>
      typeof hex === "string" ? [`${algorithm}:${hex}`] : [],
    );
  });
}

// The line is trimmed before matching; the marker is taken whole (no lazy group before `\s*$`,
// which backtracks quadratically on a long run of inner spaces).
const PIN_LINE = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*===?\s*([^\s;,]+)\s*(?:;(.*))?$/;
const HASH_OPTION = /--hash[=\s]\s*([A-Za-z0-9]+:[0-9A-Fa-f]+)/g;

/**
 * requirements*.txt as pip reads it: `\` continues a line, `#` after whitespace starts a comment,
 * options (`-r`, `--index-url`) are skipped. `name==version` (or `===`) is a pin; any other
 * requirement is reported as unpinned, never guessed.
 */
export function readRequirements(file: string, text: string): LockRead {
  const pins: Pin[] = [];
  const unpinned: Unpinned[] = [];
  const physical = text.split(/\r?\n/);
  for (let index = 0; index < physical.length; index++) {
    const line = index + 1;
    let logical = physical[index] ?? "";
    while (logical.endsWith("\\") && index + 1 < physical.length) {
      index++;
      logical = `${logical.slice(0, -1)} ${physical[index] ?? ""}`;
    }
    const content = logical.replace(/(?:^|\s)#.*$/, "").trim();
    if (content === "") continue;
    const hashes = [...content.matchAll(HASH_OPTION)].map((match) => (match[1] ?? "").toLowerCase());
    const requirement = content.replace(/\s--hash[=\s]\s*\S+/g, "").trim();
    if (requirement === "" || requirement.startsWith("-")) continue;
    const match = PIN_LINE.exec(requirement);
    if (match && !requirement.includes("*")) {
      const [, name = "", version = ""] = match;
      const marker = match[3]?.trim();
      pins.push(pinOf(name, version, marker || undefined, hashes, { file, line }));
    } else {
      unpinned.push({ requirement, file, line });
    }
  }
  return { ok: true, pins, unpinned };
}

/** Pipfile.lock: JSON with `default` and `develop` maps of name → {version: "==x", hashes, markers}. */
export function readPipfileLock(file: string, text: string): LockRead {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return malformed(file, jsonErrorLine(text, error), `not valid JSON: ${(error as Error).message}`);
  }
  if (!isTable(data)) return malformed(file, 1, "the document is not a JSON object");
  const lines = text.split("\n");
  const pins: Pin[] = [];
  const unpinned: Unpinned[] = [];
  for (const section of ["default", "develop"]) {
    const packages = data[section];
    if (packages === undefined) continue;
    if (!isTable(packages)) return malformed(file, 1, `\`${section}\` is not an object`);
    for (const [name, entry] of Object.entries(packages)) {
      const line = lineOfKey(lines, name);
      if (!isTable(entry)) return malformed(file, line, `${section}.${name} is not an object`);
      const hashes = Array.isArray(entry.hashes)
        ? entry.hashes.filter((hash) => typeof hash === "string")
        : [];
      const marker = typeof entry.markers === "string" ? entry.markers : undefined;
      const version =
        typeof entry.version === "string" ? /^===?\s*(\S+)$/.exec(entry.version)?.[1] : undefined;
      if (version === undefined) {
        unpinned.push({
          requirement: `${name}${typeof entry.version === "string" ? entry.version : ""}`,
          file,
          line,
        });
        continue;
      }
      pins.push(pinOf(name, version, marker || undefined, hashes, { file, line }));
    }
  }
  return { ok: true, pins, unpinned };
}

function lineOfKey(lines: readonly string[], key: string): number {
  const quoted = JSON.stringify(key);
  const index = lines.findIndex((line) => line.trimStart().startsWith(`${quoted}:`));
  return index + 1 || 1;
}

function jsonErrorLine(text: string, error: unknown): number {
  const message = error instanceof Error ? error.message : "";
  const line = /\(line (\d+)/.exec(message);
  if (line) return Number(line[1]);
  // V8 names no position for an unexpected token: find it with a small JSON scanner.
  return text.slice(0, jsonErrorOffset(text)).split("\n").length;
}

/** Offset of the first syntax error of a JSON text that JSON.parse rejected. */
function jsonErrorOffset(text: string): number {
  let pos = 0;
  const ws = () => {
    while (pos < text.length && " \t\r\n".includes(text[pos] as string)) pos++;
  };
  const bad = (): never => {
    throw pos;
  };
  const value = (): void => {
    ws();
    const char = text[pos];
    if (char === "{" || char === "[") {
      const close = char === "{" ? "}" : "]";
      pos++;
      ws();
      if (text[pos] === close) {
        pos++;
        return;
      }
      for (;;) {
        if (close === "}") {
          ws();
          if (text[pos] !== '"') bad();
          string();
          ws();
          if (text[pos] !== ":") bad();
          pos++;
        }
        value();
        ws();
        if (text[pos] === ",") pos++;
        else if (text[pos] === close) {
          pos++;
          return;
        } else bad();
      }
    }
    if (char === '"') {
      string();
      return;
    }
    const literal = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(
      text.slice(pos, pos + 400),
    );
    if (!literal) bad();
    pos += (literal as RegExpExecArray)[0].length;
  };
  const string = (): void => {
    pos++;
    while (pos < text.length && text[pos] !== '"') pos += text[pos] === "\\" ? 2 : 1;
    if (pos >= text.length) bad();
    pos++;
  };
  try {
    value();
    ws();
    return pos;
  } catch (offset) {
    return typeof offset === "number" ? offset : 0;
  }
}
