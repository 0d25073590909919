/**
 * `.pypirc` read exactly as twine reads it (twine/utils.py `get_config`): Python's
 * `configparser.RawConfigParser` (keys case-insensitive, section names case-sensitive, no `%`
 * interpolation, so a token containing `%` or `%%` stays literal), `[distutils] index-servers`
 * defaulting to "pypi testpypi", `[server-login]` as legacy defaults, and the built-in URLs of
 * pypi (always) and testpypi (only when listed).
 */
import { Secret } from "../../secret.ts";
import { fail, ok, type Parsed } from "../result.ts";

export const PYPI_UPLOAD_URL = "https://upload.pypi.org/legacy/";
export const TESTPYPI_UPLOAD_URL = "https://test.pypi.org/legacy/";

/** An INI file as RawConfigParser sees it: section → lowercased key → raw value. */
export interface IniFile {
  sections: Map<string, Map<string, string>>;
  defaults: Map<string, string>;
}

// configparser: `[name]` at the start of the stripped line; `key <= or :> value`, first delimiter wins.
const SECTION = /^\[(.+)\]/;
const OPTION = /^(.*?)\s*[=:]\s*(.*)$/;

/**
 * Parses INI text with RawConfigParser's default rules (strict, `#`/`;` full-line comments, no
 * inline comments, indented continuation lines, `[DEFAULT]` inherited by every section). Errors
 * name the line but never its content: a malformed line may hold a token (twine#1233).
 */
export function parseIni(text: string): Parsed<IniFile> {
  const sections = new Map<string, Map<string, string[]>>();
  const defaults = new Map<string, string[]>();
  const seen = new Set<string>();
  let current: Map<string, string[]> | undefined;
  let currentName = "";
  let option: string | undefined;
  let indent = 0;
  const lines = text.replace(/^\uFEFF/, "").split(/\r\n|\r|\n/);
  for (const [index, line] of lines.entries()) {
    const lineNo = index + 1;
    const stripped = line.trim();
    const comment = stripped.startsWith("#") || stripped.startsWith(";");
    if (comment || stripped === "") {
      // An empty line may belong to a multi-line value; a comment line is skipped.
      if (!comment && current !== undefined && option !== undefined) current.get(option)?.push("");
      continue;
    }
    const lineIndent = line.length - line.trimStart().length;
    if (current !== undefined && option !== undefined && lineIndent > indent) {
      current.get(option)?.push(stripped);
      continue;
    }
    indent = lineIndent;
    const header = SECTION.exec(stripped);
    if (header) {
      const name = header[1] as string;
      // RawConfigParser (strict) refuses a section twice, but `[DEFAULT]` may reopen.
      if (seen.has(name)) return fail(`line ${lineNo}: section [${name}] appears twice`);
      if (name !== "DEFAULT") seen.add(name);
      current = name === "DEFAULT" ? defaults : new Map();
      if (name !== "DEFAULT") sections.set(name, current);
      currentName = name;
      option = undefined;
      continue;
    }
    if (current === undefined) return fail(`line ${lineNo}: a setting before any [section] header`);
    const match = OPTION.exec(stripped);
    const key = match?.[1]?.trimEnd().toLowerCase() ?? "";
    if (match === null || key === "") return fail(`line ${lineNo}: not a \`key = value\` line`);
    if (current.has(key)) return fail(`line ${lineNo}: '${key}' is set twice in [${currentName}]`);
    current.set(key, [match[2] ?? ""]);
    option = key;
  }
  // configparser joins continuation lines with "\n" and strips trailing blank lines.
  const join = (table: Map<string, string[]>) =>
    new Map([...table].map(([k, v]) => [k, v.join("\n").trimEnd()] as const));
  return ok({
    sections: new Map([...sections].map(([name, table]) => [name, join(table)] as const)),
    defaults: join(defaults),
  });
}

/** RawConfigParser.get: the section's value, else `[DEFAULT]`'s; undefined when the section is missing. */
export function iniGet(ini: IniFile, section: string, key: string): string | undefined {
  const table = ini.sections.get(section);
  if (table === undefined) return undefined;
  return table.get(key.toLowerCase()) ?? ini.defaults.get(key.toLowerCase());
}

export interface PypircRepository {
  /** Section name. */
  name: string;
  /** Upload URL (twine's `repository`). */
  repository?: string;
  username?: string;
  password?: Secret;
  /** Whether the file itself configures this section (not only the built-in defaults). */
  configured: boolean;
}

export interface Pypirc {
  indexServers: string[];
  repositories: Map<string, PypircRepository>;
}

/** What twine uses when there is no `.pypirc` at the default path. */
export function defaultPypirc(): Pypirc {
  return assemblePypirc({ sections: new Map(), defaults: new Map() });
}

/** Parses `.pypirc` text into twine's repository table. Errors name a line, never a value. */
export function parsePypirc(text: string): Parsed<Pypirc> {
  const ini = parseIni(text);
  return ini.ok ? ok(assemblePypirc(ini.value)) : ini;
}

function assemblePypirc(ini: IniFile): Pypirc {
  const loginUser = iniGet(ini, "server-login", "username");
  const loginPassword = iniGet(ini, "server-login", "password");
  const indexServers = (iniGet(ini, "distutils", "index-servers") ?? "pypi testpypi")
    .split(/\s+/)
    .filter((s) => s !== "");
  const repositories = new Map<string, PypircRepository>();
  const entry = (name: string): PypircRepository => {
    let repo = repositories.get(name);
    if (repo === undefined) {
      repo = { name, configured: false };
      if (loginUser !== undefined) repo.username = loginUser;
      if (loginPassword !== undefined) repo.password = new Secret(loginPassword);
      repositories.set(name, repo);
    }
    return repo;
  };
  entry("pypi").repository = PYPI_UPLOAD_URL;
  if (indexServers.includes("testpypi")) entry("testpypi").repository = TESTPYPI_UPLOAD_URL;
  for (const name of indexServers) {
    const repo = entry(name);
    if (ini.sections.has(name)) repo.configured = true;
    const repository = iniGet(ini, name, "repository");
    const username = iniGet(ini, name, "username");
    const password = iniGet(ini, name, "password");
    if (repository !== undefined) repo.repository = repository;
    if (username !== undefined) repo.username = username;
    if (password !== undefined) repo.password = new Secret(password);
  }
  return { indexServers, repositories };
}
