/** MD checks on dependency-like fields: Requires-Dist, Requires-Python, extras, *-Dist, import names. */
import type { Finding } from "../findings.ts";
import { compareMetadataVersions } from "../metadata/fields.ts";
import { isValidName, normalizeName } from "../names/name.ts";
import { parseSpecifierSet } from "../pep440/specifier.ts";
import { checkMarkerSemantics, markerExtras } from "../pep508/marker.ts";
import { parseRequirement } from "../pep508/requirement.ts";
import type { MdScope } from "./metadata-scope.ts";
import { quote, report, single, usable } from "./metadata-scope.ts";

/** MD12 and MD13: every Requires-Dist parses, has no URL, and names only declared extras. */
export function checkRequiresDist(scope: MdScope): Finding[] {
  const findings: Finding[] = [];
  const declared = new Set(usable(scope, "Provides-Extra").map((h) => normalizeName(h.value.trim())));
  const checkExtras = scope.version !== undefined && compareMetadataVersions(scope.version, "2.1") >= 0;
  for (const header of usable(scope, "Requires-Dist")) {
    const at = { field: "Requires-Dist", line: header.line };
    const parsed = parseRequirement(header.value);
    if (!parsed.ok) {
      findings.push(
        report(
          scope,
          "MD12",
          `Requires-Dist ${quote(header.value)} is not a valid dependency specifier: ${parsed.error}`,
          at,
        ),
      );
      continue;
    }
    const req = parsed.value;
    if (req.url !== undefined) {
      findings.push(
        report(
          scope,
          "MD12",
          `Requires-Dist ${quote(header.value)} is a direct URL reference, which PyPI refuses ("Can't have direct dependency")`,
          at,
        ),
      );
    }
    if (req.marker === undefined) continue;
    // The spec asks publishing tools to reject these; packaging and PyPI accept them, so warn.
    for (const problem of checkMarkerSemantics(req.marker)) {
      findings.push(
        report(scope, "MD12", `Requires-Dist ${quote(header.value)} has a questionable marker: ${problem}`, {
          ...at,
          severity: "warning",
          hint: "Compare version variables (python_version...) with version operators and string variables (sys_platform...) with == / != / in.",
        }),
      );
    }
    if (!checkExtras) continue;
    for (const extra of markerExtras(req.marker)) {
      if (declared.has(normalizeName(extra))) continue;
      findings.push(
        report(
          scope,
          "MD13",
          `Requires-Dist ${quote(header.value)} depends on the extra "${extra}", which no Provides-Extra declares`,
          at,
        ),
      );
    }
  }
  return findings;
}

/** MD14: Requires-Python is a specifier set. */
export function checkRequiresPython(scope: MdScope): Finding[] {
  const header = single(scope, "Requires-Python");
  if (header === undefined) return [];
  const parsed = parseSpecifierSet(header.value);
  if (parsed.ok) return [];
  return [
    report(
      scope,
      "MD14",
      `Requires-Python ${quote(header.value)} is not a valid specifier set: ${parsed.error}`,
      {
        field: "Requires-Python",
        line: header.line,
      },
    ),
  ];
}

/** MD15: Provides-Extra names are valid, normalized (2.3+) and distinct. */
export function checkProvidesExtra(scope: MdScope): Finding[] {
  const findings: Finding[] = [];
  const strict = scope.version !== undefined && compareMetadataVersions(scope.version, "2.3") >= 0;
  const seen = new Map<string, string>();
  for (const header of usable(scope, "Provides-Extra")) {
    const at = { field: "Provides-Extra", line: header.line };
    const value = header.value;
    if (!isValidName(value)) {
      findings.push(report(scope, "MD15", `Provides-Extra ${quote(value)} is not a valid extra name`, at));
      continue;
    }
    const normal = normalizeName(value);
    const earlier = seen.get(normal);
    if (earlier !== undefined) {
      findings.push(
        report(
          scope,
          "MD15",
          `Provides-Extra ${quote(value)} and ${quote(earlier)} are the same extra once normalized`,
          {
            ...at,
            severity: "warning",
            hint: "Declare each extra once.",
          },
        ),
      );
    }
    seen.set(normal, value);
    if (strict && value !== normal) {
      findings.push(
        report(
          scope,
          "MD15",
          `Provides-Extra ${quote(value)} is not normalized; Metadata-Version ${scope.version} requires "${normal}"`,
          { ...at, severity: "warning", hint: `Write the extra as "${normal}".` },
        ),
      );
    }
  }
  return findings;
}

/** MD16: Provides-Dist and Obsoletes-Dist parse as requirements without URLs (PyPI's rule). */
export function checkProvidesObsoletes(scope: MdScope): Finding[] {
  const findings: Finding[] = [];
  for (const name of ["Provides-Dist", "Obsoletes-Dist"]) {
    for (const header of usable(scope, name)) {
      const at = { field: name, line: header.line };
      const parsed = parseRequirement(header.value);
      if (!parsed.ok) {
        const old = /^\s*[\w.-]+\s*\(\s*[\w.]+\s*\)\s*$/.test(header.value);
        const tail = old ? " (the old `Name (1.0)` form; write `Name==1.0`)" : `: ${parsed.error}`;
        findings.push(
          report(scope, "MD16", `${name} ${quote(header.value)} is not a valid requirement${tail}`, at),
        );
      } else if (parsed.value.url !== undefined) {
        findings.push(
          report(
            scope,
            "MD16",
            `${name} ${quote(header.value)} is a direct URL reference, which PyPI refuses`,
            at,
          ),
        );
      }
    }
  }
  return findings;
}

// Python's str.isidentifier: XID_Start or "_", then XID_Continue.
const IDENTIFIER = /^[\p{XID_Start}_]\p{XID_Continue}*$/u;
const KEYWORDS = new Set(
  "False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield".split(
    " ",
  ),
);

/** The reason packaging refuses one Import-Name/Import-Namespace value, if it does. */
export function importNameProblem(value: string): string | undefined {
  const semicolon = value.indexOf(";");
  const name = (semicolon < 0 ? value : value.slice(0, semicolon)).trimEnd();
  for (const part of name.split(".")) {
    if (!IDENTIFIER.test(part)) return `"${part}" is not a Python identifier`;
    if (KEYWORDS.has(part)) return `"${part}" is a Python keyword`;
  }
  if (semicolon >= 0 && value.slice(semicolon + 1).trimStart() !== "private")
    return 'the only option after ";" is "private"';
  return undefined;
}

/** MD23: import names are dotted identifiers; warnings for names in both fields and unlisted parents. */
export function checkImportNames(scope: MdScope): Finding[] {
  const findings: Finding[] = [];
  const names = new Map<string, string>();
  for (const field of ["Import-Name", "Import-Namespace"]) {
    const headers = usable(scope, field);
    // A single empty Import-Name means "this distribution provides no import names".
    if (field === "Import-Name" && headers.length === 1 && headers[0]?.value === "") continue;
    for (const header of headers) {
      const at = { field, line: header.line };
      const problem = importNameProblem(header.value);
      if (problem !== undefined) {
        findings.push(report(scope, "MD23", `${field} ${quote(header.value)} is invalid: ${problem}`, at));
        continue;
      }
      const name = (header.value.split(";")[0] ?? "").trim();
      const other = names.get(name);
      if (other !== undefined && other !== field) {
        findings.push(
          report(scope, "MD23", `"${name}" is listed in both Import-Name and Import-Namespace`, {
            ...at,
            severity: "warning",
            hint: "List a name in one of the two fields only.",
          }),
        );
      }
      names.set(name, field);
    }
  }
  for (const name of names.keys()) {
    const parts = name.split(".");
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join(".");
      if (names.has(parent)) continue;
      findings.push(
        report(scope, "MD23", `import name "${name}" is listed but its parent "${parent}" is not`, {
          field: names.get(name) as string,
          severity: "warning",
          hint: `Add "${parent}" to Import-Name or Import-Namespace.`,
        }),
      );
      break;
    }
  }
  return findings;
}
