/** MD checks on the file as a whole: encoding, header syntax, required fields, repeats, versions. */
import type { Finding } from "../findings.ts";
import {
  compareMetadataVersions,
  fieldSpec,
  METADATA_VERSIONS,
  OLD_TWINE_MAX_METADATA_VERSION,
  PYPI_MAX_METADATA_VERSION,
} from "../metadata/fields.ts";
import { headersOf } from "../metadata/parse.ts";
import { isValidName } from "../names/name.ts";
import { isCanonicalVersion, normalizeVersion, parseVersion } from "../pep440/version.ts";
import type { MdScope } from "./metadata-scope.ts";
import { quote, report, single } from "./metadata-scope.ts";

/** MD01: headers and body that are not UTF-8. */
export function checkEncoding(scope: MdScope): Finding[] {
  return scope.md.problems
    .filter((p) => p.kind === "invalid-utf8")
    .map((p) => {
      const header = scope.md.headers.find((h) => h.line === p.line && h.invalidUtf8 === true);
      const name = header?.name ?? "Description";
      return report(scope, "MD01", `${name} (line ${p.line}) is not valid UTF-8, so packaging refuses it`, {
        field: name,
        line: p.line,
      });
    });
}

// A known field written as a header, e.g. `Requires-Dist: x`, seen after the headers ended early.
const KNOWN_HEADER = /^([A-Za-z0-9-]+):/;

/** MD06: unknown fields, and lines the email parser drops or that end the headers early. */
export function checkHeaderSyntax(scope: MdScope): Finding[] {
  const findings: Finding[] = [];
  for (const problem of scope.md.problems) {
    if (problem.kind === "invalid-utf8") continue;
    if (problem.kind === "non-header-line") {
      const lost = lostHeaders(scope.md.body ?? "");
      const detail =
        lost.length > 0
          ? `; the fields after it (${lost.slice(0, 3).join(", ")}) are lost in the description`
          : "";
      findings.push(
        report(scope, "MD06", `${problem.detail}${detail}`, {
          line: problem.line,
          severity: lost.length > 0 ? "error" : "warning",
          hint: "Fix the line so that it reads `Field: value`, or indent it to continue the previous header.",
        }),
      );
    } else {
      findings.push(report(scope, "MD06", problem.detail, { line: problem.line, severity: "warning" }));
    }
  }
  const seen = new Set<string>();
  for (const header of scope.md.headers) {
    const key = header.name.toLowerCase();
    if (seen.has(key) || fieldSpec(key) !== undefined) continue;
    seen.add(key);
    findings.push(
      report(
        scope,
        "MD06",
        `unknown field "${header.name}" (line ${header.line}); packaging and twine refuse the file, PyPI ignores the field`,
        { field: header.name, line: header.line },
      ),
    );
  }
  return findings;
}

/** Known fields at the top of the body, before its first empty line: headers the parser never saw. */
function lostHeaders(body: string): string[] {
  const lost: string[] = [];
  for (const line of body.split(/\r\n|\r|\n/)) {
    if (line === "") break;
    const name = KNOWN_HEADER.exec(line)?.[1];
    if (name !== undefined && fieldSpec(name) !== undefined) lost.push(name);
  }
  return lost;
}

/** MD02 and MD26: Metadata-Version present, defined, accepted by PyPI and twine; wheels need ≥ 1.1. */
export function checkMetadataVersion(scope: MdScope): Finding[] {
  const headers = headersOf(scope.md, "Metadata-Version");
  if (headers.length === 0)
    return [report(scope, "MD02", "has no Metadata-Version field", { field: "Metadata-Version" })];
  const header = single(scope, "Metadata-Version");
  if (header === undefined) return [];
  const at = { field: "Metadata-Version", line: header.line };
  const version = scope.version;
  if (version === undefined) {
    return [
      report(
        scope,
        "MD02",
        `Metadata-Version ${quote(header.value)} is not a defined version (${METADATA_VERSIONS.join(", ")})`,
        at,
      ),
    ];
  }
  const findings: Finding[] = [];
  if (compareMetadataVersions(version, PYPI_MAX_METADATA_VERSION) > 0) {
    findings.push(
      report(
        scope,
        "MD02",
        `Metadata-Version ${version} is valid but PyPI accepts at most ${PYPI_MAX_METADATA_VERSION}, so the upload is refused`,
        at,
      ),
    );
  } else if (compareMetadataVersions(version, OLD_TWINE_MAX_METADATA_VERSION) > 0) {
    findings.push(
      report(
        scope,
        "MD02",
        `Metadata-Version ${version} is accepted by PyPI but twine < 7.0 (packaging < 26) refuses it ("'${version}' is not a valid metadata version")`,
        // Nothing to act on for whoever uploads with a current tool: an info line, shown by
        // `check --verbose`.
        {
          ...at,
          severity: "info",
          hint: "Upload with twine ≥ 7.0, uv or slipway, or build with Metadata-Version 2.4.",
        },
      ),
    );
  }
  if (scope.ctx.artifact.kind === "wheel" && version === "1.0") {
    findings.push(
      report(scope, "MD26", "Metadata-Version 1.0 is too old for a wheel (1.1 or later is required)", at),
    );
  }
  return findings;
}

/** MD03: Name present and valid. */
export function checkName(scope: MdScope): Finding[] {
  const headers = headersOf(scope.md, "Name");
  if (headers.length === 0) return [report(scope, "MD03", "has no Name field", { field: "Name" })];
  const header = single(scope, "Name");
  if (header === undefined) return [];
  const at = { field: "Name", line: header.line };
  if (header.value === "") return [report(scope, "MD03", "Name is empty", at)];
  if (!isValidName(header.value)) {
    return [
      report(
        scope,
        "MD03",
        `Name ${quote(header.value)} is not a valid project name (ASCII letters and digits, with . _ - only between them)`,
        at,
      ),
    ];
  }
  return [];
}

/** MD04: Version present, PEP 440, normalized. */
export function checkVersion(scope: MdScope): Finding[] {
  const headers = headersOf(scope.md, "Version");
  if (headers.length === 0) return [report(scope, "MD04", "has no Version field", { field: "Version" })];
  const header = single(scope, "Version");
  if (header === undefined) return [];
  const at = { field: "Version", line: header.line };
  if (header.value === "") return [report(scope, "MD04", "Version is empty", at)];
  if (parseVersion(header.value) === undefined) {
    return [report(scope, "MD04", `Version ${quote(header.value)} is not a valid PEP 440 version`, at)];
  }
  if (!isCanonicalVersion(header.value)) {
    const normal = normalizeVersion(header.value) ?? header.value;
    return [
      report(
        scope,
        "MD04",
        `Version ${quote(header.value)} is not in normal form; tools show it as "${normal}"`,
        {
          ...at,
          severity: "warning",
          hint: `Write the version as "${normal}".`,
        },
      ),
    ];
  }
  return [];
}

/** MD05: single-use fields given more than once (Keywords is MD22's). */
export function checkRepeats(scope: MdScope): Finding[] {
  const counts = new Map<string, { name: string; lines: number[] }>();
  for (const header of scope.md.headers) {
    const spec = fieldSpec(header.name);
    if (spec === undefined || spec.multiple || spec.name === "Keywords") continue;
    const entry = counts.get(spec.name) ?? { name: spec.name, lines: [] };
    entry.lines.push(header.line);
    counts.set(spec.name, entry);
  }
  return [...counts.values()]
    .filter((e) => e.lines.length > 1)
    .map((e) =>
      report(
        scope,
        "MD05",
        `${e.name} appears ${e.lines.length} times (lines ${e.lines.join(", ")}) but may appear once`,
        {
          field: e.name,
          line: e.lines[1] as number,
        },
      ),
    );
}

/** MD07: fields newer than the declared Metadata-Version (License-Expression/License-File are LIC10's). */
export function checkFieldAges(scope: MdScope): Finding[] {
  const version = scope.version;
  if (version === undefined) return [];
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const header of scope.md.headers) {
    const spec = fieldSpec(header.name);
    if (spec === undefined || seen.has(spec.name) || header.invalidUtf8 === true) continue;
    if (spec.name === "License-Expression" || spec.name === "License-File") continue;
    seen.add(spec.name);
    if (compareMetadataVersions(spec.since, version) <= 0) continue;
    findings.push(
      report(
        scope,
        "MD07",
        `${spec.name} was introduced in Metadata-Version ${spec.since}, but the file declares ${version}`,
        { field: spec.name, line: header.line },
      ),
    );
  }
  return findings;
}
