/** A wheel's `entry_points.txt` ([EP], warehouse utils/wheel.py, pip's script installer). */
import { maxOf, pushAll } from "../arrays.ts";
import {
  DEFAULT_SECTION,
  type EntryPoint,
  isRecommendedEntryName,
  isValidGroupName,
  parseObjectReference,
  readEntryPointsFile,
} from "../dist/entry-points.ts";
import { type CheckInfo, catalogue, type Finding, finding } from "../findings.ts";
import { fieldAll } from "../metadata/parse.ts";
import { normalizeName } from "../names/name.ts";
import type { DistContext } from "./context.ts";
import { decodeUtf8, locateDistInfo, printable } from "./wheel-layout.ts";

export const EP_CHECKS: CheckInfo[] = [
  {
    id: "EP01",
    severity: "error",
    title: "entry_points.txt is UTF-8",
    why: "PyPI decodes entry_points.txt as UTF-8 and rejects the wheel when it cannot ('entry_points.txt is not decodable as UTF-8').",
    fix: "Save entry_points.txt as UTF-8 (any current build backend does; check custom build steps that write it).",
    source: "[EP], [WHW]",
  },
  {
    id: "EP02",
    severity: "error",
    title: "entry_points.txt parses as strict INI with = as the only delimiter",
    why: "PyPI parses entry_points.txt with configparser (delimiters `=` only, case-sensitive, strict) and rejects a file with lines outside sections, lines without `=`, or duplicate sections or names.",
    fix: "Write one `[group]` header per group and one `name = object.reference` line per entry point; never repeat a group or a name in a group.",
    source: '[WHW] CaseSensitiveConfigParser(delimiters=("=",))',
  },
  {
    id: "EP03",
    severity: "warning",
    title: "Entry point group names are dotted identifiers",
    why: "The spec limits group names to `\\w+(\\.\\w+)*`; other names are not found by tools that validate them (validate-pyproject rejects them in pyproject.toml). New groups should start with the consuming project's name and a dot.",
    fix: "Rename the group to letters, digits and underscores separated by dots, e.g. `myproject.plugins`.",
    source: "[EP], [VP] python_entrypoint_group",
  },
  {
    id: "EP04",
    severity: "error",
    title: "Entry point names use letters, digits, _, . and -",
    why: "PyPI rejects a wheel whose console_scripts or gui_scripts names do not fully match `[\\w.-]+` ('Invalid entry point name'); in other groups such names are allowed but discouraged.",
    fix: "Rename the entry point to letters, digits, `_`, `.` and `-` only (no spaces, no `/`).",
    source: "[EP], [WHW] _ENTRY_POINT_NAME_RE",
  },
  {
    id: "EP05",
    severity: "error",
    title: "Entry point values are valid object references",
    why: "The value must be `module.path` or `module.path:object.attr`, each part a Python identifier; anything else fails when the entry point is loaded. The `[extra]` suffix is deprecated and ignored by modern tools.",
    fix: "Write the value as `package.module:function`; drop `[extras]` and check the spelling of every part.",
    source: "[EP] data model, [VP] python_entrypoint_reference",
  },
  {
    id: "EP06",
    severity: "error",
    title: "console_scripts and gui_scripts name a callable",
    why: "pip ('A callable suffix is required') and installer refuse a script entry point without `:function`: the generated launcher must call something.",
    fix: "Add the function to call: `tool = package.cli:main`.",
    source: "[PIP] MissingCallableSuffix, [INS] parse_entrypoints",
  },
  {
    id: "EP07",
    severity: "error",
    title: "Script names stay inside the scripts directory",
    why: "A script name with `/`, `\\\\` or a `.`/`..` name would make the installer write the launcher outside the environment's bin directory; pip refuses it.",
    fix: "Use a plain file name for the script (no path separators, not `.` or `..`).",
    source: "[PIP] _raise_for_invalid_entrypoint",
  },
  {
    id: "EP08",
    severity: "warning",
    title: "Script names are unique ignoring case, across console_scripts and gui_scripts",
    why: "Scripts become files in one bin directory: on case-insensitive file systems (Windows, macOS) `Tool` and `tool` overwrite each other, and the same name in console_scripts and gui_scripts installs only one of them.",
    fix: "Give every script a distinct name.",
    source: "[EP]",
  },
  {
    id: "EP10",
    severity: "warning",
    title: "Entry points reference modules shipped in the wheel",
    why: "An entry point whose module is neither in the wheel nor in a declared dependency fails with ModuleNotFoundError when used; usually a typo or a package left out of the build.",
    fix: "Fix the module path, or include the package in the wheel (check the build backend's package discovery).",
    source: "derived",
  },
];

const C = catalogue(EP_CHECKS);

const SCRIPT_GROUPS = new Set(["console_scripts", "gui_scripts"]);

/** Checks a wheel's entry_points.txt, when it has one; nothing for other artifacts. */
export function checkEntryPoints(ctx: DistContext): Finding[] {
  if (ctx.artifact.kind !== "wheel") return [];
  const { distInfo } = locateDistInfo(ctx);
  if (distInfo === undefined) return [];
  const member = `${distInfo}/entry_points.txt`;
  const bytes = ctx.artifact.contents.get(member);
  if (bytes === undefined) return [];
  const at = (line?: number) =>
    line === undefined ? { file: ctx.display, member } : { file: ctx.display, member, line };
  const text = decodeUtf8(bytes);
  if (text === undefined) return [finding(C.EP01!, `${member} is not valid UTF-8`, at())];
  const file = readEntryPointsFile(text);
  const findings: Finding[] = file.problems.map((p) =>
    finding(C.EP02!, `${member} line ${p.line}: ${p.detail}`, at(p.line)),
  );
  for (const section of file.sections) {
    if (section.name === DEFAULT_SECTION) {
      const message = `${member} line ${section.line}: configparser copies the entries of [${DEFAULT_SECTION}] into every group`;
      findings.push(finding(C.EP02!, message, at(section.line), { severity: "warning" }));
    } else if (!isValidGroupName(section.name)) {
      findings.push(
        finding(
          C.EP03!,
          `${member} line ${section.line}: group [${printable(section.name)}] is not a dotted identifier`,
          at(section.line),
        ),
      );
    }
  }
  // No reference is deeper than its count of dots: module paths past that need not be built.
  const depth = maxOf(
    file.entries.map((e) => e.value.split(".").length),
    1,
  );
  const known: KnownModules = {
    shipped: shippedModules(ctx, distInfo, depth),
    dependencies: dependencyNames(ctx),
  };
  for (const entry of file.entries) pushAll(findings, checkEntry(member, entry, known, at(entry.line)));
  pushAll(findings, checkScriptClashes(member, file.entries, at));
  return findings;
}

interface KnownModules {
  /** Dotted module paths the wheel ships. */
  shipped: ReadonlySet<string>;
  /** Normalized names of the Requires-Dist projects. */
  dependencies: ReadonlySet<string>;
}

function checkEntry(
  member: string,
  entry: EntryPoint,
  known: KnownModules,
  location: Finding["location"],
): Finding[] {
  const where = `${member} line ${entry.line}: [${printable(entry.group)}] ${printable(entry.name)}`;
  const value = printable(entry.value);
  const isScript = SCRIPT_GROUPS.has(entry.group);
  const findings: Finding[] = [];
  if (isScript && (/[/\\]/.test(entry.name) || entry.name === "." || entry.name === "..")) {
    findings.push(
      finding(C.EP07!, `${where}: the script name would be written outside the scripts directory`, location),
    );
  } else if (entry.name !== "" && !isRecommendedEntryName(entry.name)) {
    const message = `${where}: the name has characters outside letters, digits, "_", "." and "-"`;
    findings.push(finding(C.EP04!, message, location, isScript ? {} : { severity: "warning" }));
  }
  const reference = parseObjectReference(entry.value);
  if (!reference.ok) {
    findings.push(finding(C.EP05!, `${where} = ${value}: ${reference.problems.join("; ")}`, location));
    return findings;
  }
  if (reference.value.extras.length > 0) {
    const message = `${where} = ${value}: the [${reference.value.extras.join(", ")}] extras suffix is deprecated`;
    findings.push(finding(C.EP05!, message, location, { severity: "warning" }));
  }
  if (isScript && reference.value.attr === undefined) {
    findings.push(
      finding(C.EP06!, `${where} = ${value} names a module, not a callable (module:function)`, location),
    );
  }
  const module = reference.value.module;
  const top = normalizeName(module.split(".")[0] ?? "");
  if (!known.shipped.has(module) && !known.dependencies.has(top)) {
    findings.push(finding(C.EP10!, `${where} = ${value}: module ${module} is not in the wheel`, location));
  }
  return findings;
}

function checkScriptClashes(
  member: string,
  entries: readonly EntryPoint[],
  at: (line?: number) => Finding["location"],
): Finding[] {
  const findings: Finding[] = [];
  const seen = new Map<string, EntryPoint>();
  for (const entry of entries) {
    if (!SCRIPT_GROUPS.has(entry.group)) continue;
    const key = entry.name.toLowerCase();
    const earlier = seen.get(key);
    if (earlier === undefined) {
      seen.set(key, entry);
      continue;
    }
    // Exact duplicates inside one group are EP02 (configparser refuses them).
    if (earlier.group === entry.group && earlier.name === entry.name) continue;
    const message = `${member} line ${entry.line}: script [${entry.group}] ${printable(entry.name)} clashes with [${earlier.group}] ${printable(earlier.name)} on line ${earlier.line}`;
    findings.push(finding(C.EP08!, message, at(entry.line)));
  }
  return findings;
}

/**
 * Normalized Requires-Dist names: an entry point may point into a dependency whose import name
 * matches its project name (setuptools-scm's CLI lives in vcs-versioning), not worth a warning.
 */
function dependencyNames(ctx: DistContext): Set<string> {
  const requires = ctx.metadata === undefined ? [] : fieldAll(ctx.metadata, "Requires-Dist");
  return new Set(
    requires.flatMap((r) => {
      const name = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(r)?.[1];
      return name === undefined ? [] : [normalizeName(name)];
    }),
  );
}

/**
 * Importable module paths the wheel ships (dotted), from the wheel root and `.data/purelib`
 * / `.data/platlib`: every package directory, `.py`/`.pyi` module and extension module, up to
 * `depth` parts (every prefix of a member 30,000 directories deep cost ~900M characters).
 */
export function shippedModules(
  ctx: DistContext,
  distInfo: string,
  depth = Number.POSITIVE_INFINITY,
): Set<string> {
  const prefix = distInfo.slice(0, -".dist-info".length);
  const roots = ["", `${prefix}.data/purelib/`, `${prefix}.data/platlib/`];
  const modules = new Set<string>();
  for (const m of ctx.artifact.members) {
    const root = roots.filter((r) => m.name.startsWith(r)).at(-1);
    if (root === undefined) continue;
    const parts = m.name.slice(root.length).split("/").filter(Boolean);
    if (parts.length === 0 || parts[0]?.endsWith(".dist-info") || parts[0]?.endsWith(".data")) continue;
    const file = m.kind === "dir" ? undefined : parts.pop();
    for (let i = 1; i <= Math.min(parts.length, depth); i++) modules.add(parts.slice(0, i).join("."));
    if (parts.length >= depth) continue;
    const stem = file === undefined ? undefined : /^([^.]+)(\.[^/]*)?\.(py|pyi|pyc|so|pyd)$/.exec(file)?.[1];
    if (stem !== undefined) modules.add([...parts, stem].join("."));
  }
  return modules;
}
