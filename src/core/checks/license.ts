/**
 * Licensing checks (LIC01–LIC10, PEP 639) on a distribution: the SPDX License-Expression, the
 * License-File paths and the files they name inside the archive.
 */
import type { CheckInfo, Finding } from "../findings.ts";
import { catalogue } from "../findings.ts";
import { parseLicenseExpression } from "../license/spdx.ts";
import { compareMetadataVersions } from "../metadata/fields.ts";
import { licenseFileProblem } from "../metadata/license-file.ts";
import { field, headersOf } from "../metadata/parse.ts";
import { get, isTable } from "../pyproject/access.ts";
import { parsePyproject } from "../pyproject/toml.ts";
import type { DistContext } from "./context.ts";
import type { MdScope, ReportOptions } from "./metadata-scope.ts";
import { makeScope, quote, reportInfo, single, usable } from "./metadata-scope.ts";
import { readWheelFile } from "./wheel-layout.ts";

export const LIC_CHECKS: CheckInfo[] = [
  {
    id: "LIC01",
    severity: "error",
    title: "License-Expression is not a valid SPDX expression",
    why: "License-Expression must use SPDX licence ids (or LicenseRef-...), AND/OR/WITH and balanced parentheses. packaging, twine and PyPI refuse anything else.",
    fix: 'Set `project.license` to an SPDX expression such as "MIT" or "Apache-2.0 OR MIT" (ids: https://spdx.org/licenses/).',
    source: "[LE] license-expression; [PKG] canonicalize_license_expression",
  },
  {
    id: "LIC02",
    severity: "warning",
    title: "License-Expression not in canonical case",
    why: "PEP 639 lets indexes accept only the case-normalized form (`MIT`, not `mit`; `OR`, not `or`); PyPI may start refusing other spellings.",
    fix: "Write the expression exactly as the canonical form given in the message.",
    source: "[P639]; [PKG] canonicalize_license_expression",
  },
  {
    id: "LIC03",
    severity: "warning",
    title: "Deprecated SPDX licence id",
    why: "SPDX deprecated ids such as `GPL-3.0` or `GPL-2.0+` are ambiguous (only or later?); PEP 639 lets indexes refuse them.",
    fix: "Use the current id, e.g. `GPL-3.0-only` or `GPL-3.0-or-later`.",
    source: "[P639]; SPDX license list",
  },
  {
    id: "LIC04",
    severity: "error",
    title: "Invalid License-File path",
    why: "License-File values must be resolved relative paths with `/` separators, without `..` or globs; packaging (twine, PyPI) refuses others.",
    fix: "List the licence files with plain relative paths in `project.license-files` (globs there are resolved by the backend).",
    source: "[PKG] _process_license_files; [P639]",
  },
  {
    id: "LIC05",
    severity: "error",
    title: "License-File missing from the sdist",
    why: "Each License-File is a path relative to the sdist's top directory; a listed file that is not shipped breaks the licence terms and the wheel build from the sdist.",
    fix: "Make sure the backend includes the licence files in the sdist (check `project.license-files` and the sdist include rules).",
    source: "[SDF]; [P639]",
  },
  {
    id: "LIC06",
    severity: "error",
    title: "License-File missing from the wheel's .dist-info/licenses/",
    why: "A wheel must ship each License-File under `<name>-<version>.dist-info/licenses/`, keeping its directory structure.",
    fix: "Rebuild with a backend that supports PEP 639 (it copies `project.license-files` into .dist-info/licenses/).",
    source: "[BDF] binary-distribution-format; [P639]",
  },
  {
    id: "LIC07",
    severity: "warning",
    title: "Licence file is not UTF-8",
    why: "PEP 639 requires licence files to be UTF-8 text so that tools can display them.",
    fix: "Re-save the licence file as UTF-8.",
    source: "[P639]",
  },
  {
    id: "LIC08",
    severity: "warning",
    title: "No License-File declared",
    why: "Most licences require their text to be shipped with the code; PEP 639 asks publishing tools to warn when a distribution declares no licence file.",
    fix: 'Add the licence text (e.g. LICENSE) and list it in `project.license-files = ["LICENSE"]`.',
    source: "[P639]",
  },
  {
    id: "LIC09",
    severity: "warning",
    title: "License :: classifiers",
    why: "PEP 639 deprecates `License ::` classifiers in favour of License-Expression; next to a License-Expression they are redundant and may contradict it.",
    fix: "Remove the `License ::` classifiers and keep `project.license` as an SPDX expression.",
    source: "[P639]; [PPT] pyproject-toml",
  },
  {
    id: "LIC10",
    severity: "error",
    title: "License-Expression or License-File with Metadata-Version below 2.4",
    why: "Both fields exist since Metadata 2.4. packaging, and so PyPI, refuses License-Expression in older files ('introduced in metadata version 2.4'). License-File below 2.4 only warns: old setuptools wrote it for years, twine leaves it out of the upload and PyPI accepts the file, but an uploader that sends it gets a 400 (astral-sh/uv#9513).",
    fix: "Upgrade the build backend (setuptools ≥ 77, current hatchling) so that it writes Metadata-Version 2.4.",
    source: "[PKG] Metadata.from_raw; [TW] package.py",
  },
];

const BY_ID = catalogue(LIC_CHECKS);

function lic(id: string): CheckInfo {
  const info = BY_ID[id];
  if (info === undefined) throw new Error(`unknown check ${id}`);
  return info;
}

const say = (scope: MdScope, id: string, message: string, options: ReportOptions = {}): Finding =>
  reportInfo(scope, lic(id), message, options);

/** LIC01–LIC03: the SPDX expression parses, is canonical and uses no deprecated id. */
function checkExpression(scope: MdScope): Finding[] {
  const header = single(scope, "License-Expression");
  if (header === undefined) return [];
  const at = { field: "License-Expression", line: header.line };
  const parsed = parseLicenseExpression(header.value);
  if (!parsed.ok) {
    return [
      say(
        scope,
        "LIC01",
        `License-Expression ${quote(header.value)} is not a valid SPDX expression: ${parsed.error}`,
        at,
      ),
    ];
  }
  const findings: Finding[] = [];
  const { canonical, deprecated } = parsed.value;
  if (canonical !== header.value) {
    findings.push(
      say(
        scope,
        "LIC02",
        `License-Expression ${quote(header.value)} is not canonical; write "${canonical}"`,
        {
          ...at,
          hint: `Write the expression as "${canonical}".`,
        },
      ),
    );
  }
  if (deprecated.length > 0) {
    findings.push(
      say(
        scope,
        "LIC03",
        `License-Expression ${quote(header.value)} uses deprecated SPDX id(s) ${deprecated.join(", ")}`,
        at,
      ),
    );
  }
  return findings;
}

const decoder = new TextDecoder("utf-8", { fatal: true });

/** LIC04–LIC07: License-File values are valid, present in the archive, and UTF-8. */
function checkFiles(scope: MdScope): Finding[] {
  const findings: Finding[] = [];
  const { artifact } = scope.ctx;
  const dir = scope.member.includes("/") ? scope.member.slice(0, scope.member.lastIndexOf("/")) : "";
  const modern = scope.version !== undefined && compareMetadataVersions(scope.version, "2.4") >= 0;
  const members = new Set(artifact.members.filter((m) => m.kind === "file").map((m) => m.name));
  for (const header of usable(scope, "License-File")) {
    const at = { field: "License-File", line: header.line };
    const problem = licenseFileProblem(header.value);
    if (problem !== undefined) {
      findings.push(say(scope, "LIC04", `License-File ${quote(header.value)} ${problem}`, at));
      continue;
    }
    if (!modern || dir === "") continue;
    const wheel = artifact.kind === "wheel";
    const path = wheel ? `${dir}/licenses/${header.value}` : `${dir}/${header.value}`;
    if (!members.has(path)) {
      findings.push(
        say(
          scope,
          wheel ? "LIC06" : "LIC05",
          `License-File ${quote(header.value)} is not in the archive (expected ${path})`,
          at,
        ),
      );
      continue;
    }
    const bytes = artifact.contents.get(path);
    if (bytes === undefined) continue;
    try {
      decoder.decode(bytes);
    } catch {
      findings.push(
        say(
          scope,
          "LIC07",
          `licence file ${path} (License-File ${quote(header.value)}) is not valid UTF-8`,
          at,
        ),
      );
    }
  }
  return findings;
}

/** LIC08: no License-File at all. */
function checkDeclared(scope: MdScope): Finding[] {
  if (headersOf(scope.md, "License-File").length > 0) return [];
  return [
    say(scope, "LIC08", "declares no License-File, so no licence text is shipped with it", {
      field: "License-File",
    }),
  ];
}

/** LIC09: `License ::` classifiers, deprecated by PEP 639. */
function checkClassifiers(scope: MdScope): Finding[] {
  const licenses = usable(scope, "Classifier").filter((h) => h.value.startsWith("License ::"));
  const first = licenses[0];
  if (first === undefined) return [];
  const names = licenses.map((h) => `"${h.value}"`).join(", ");
  const expression = single(scope, "License-Expression");
  const message =
    expression === undefined
      ? `License classifier(s) ${names} are deprecated by PEP 639; declare the licence as License-Expression instead`
      : `License classifier(s) ${names} next to License-Expression ${quote(expression.value)}; PEP 639 says not to use both`;
  const poetry = expression === undefined ? poetryLicence(scope) : undefined;
  const hint = poetry === undefined ? {} : { hint: poetryHint(scope, poetry) };
  return [say(scope, "LIC09", message, { field: "Classifier", line: first.line, ...hint })];
}

/**
 * How poetry configured the licence, when the artifact shows poetry built it: an sdist's
 * pyproject.toml with [tool.poetry] and no [project] table, or a wheel whose WHEEL names
 * poetry-core as its generator (its pyproject is not in the wheel).
 */
interface PoetryLicence {
  /** poetry-core adds the classifier itself: a licence is set (a License field was written). */
  automatic: boolean;
  /** `License ::` entries written in [tool.poetry] classifiers by hand. */
  listed: boolean;
}

function poetryLicence(scope: MdScope): PoetryLicence | undefined {
  const dir = scope.member.includes("/") ? scope.member.slice(0, scope.member.lastIndexOf("/")) : "";
  const automatic = single(scope, "License") !== undefined;
  if (scope.ctx.artifact.kind === "wheel") {
    const wheel = readWheelFile(scope.ctx, dir);
    const generator = wheel === undefined ? undefined : field(wheel, "Generator");
    return generator !== undefined && /^poetry(-core)?\b/i.test(generator.trim())
      ? { automatic, listed: !automatic }
      : undefined;
  }
  const bytes = scope.ctx.artifact.contents.get(dir === "" ? "pyproject.toml" : `${dir}/pyproject.toml`);
  if (bytes === undefined) return undefined;
  const parsed = parsePyproject(new TextDecoder().decode(bytes));
  if (!parsed.ok) return undefined;
  const tool = get(parsed.value, "tool");
  const poetry = isTable(tool) ? get(tool, "poetry") : undefined;
  if (!isTable(poetry) || get(parsed.value, "project") !== undefined) return undefined;
  const classifiers = get(poetry, "classifiers");
  const listed =
    Array.isArray(classifiers) &&
    classifiers.some((c) => typeof c === "string" && c.startsWith("License ::"));
  return { automatic: typeof get(poetry, "license") === "string", listed };
}

/**
 * LIC09's advice in poetry's terms: poetry-core adds the classifier itself for the licence given
 * under [tool.poetry], which has no way to ask for License-Expression; a [project] table does
 * (poetry-core 2.2 added PEP 639: python-poetry/poetry-core#870).
 */
function poetryHint(scope: MdScope, poetry: PoetryLicence): string {
  const declared = single(scope, "License")?.value.trim();
  const id = declared !== undefined && parseLicenseExpression(declared).ok ? declared : "MIT";
  const steps: string[] = [];
  // A wheel does not say which table held the licence; [tool.poetry] is by far the common case,
  // and the same words keep the wheel's and the sdist's finding one (shown once).
  if (poetry.automatic)
    steps.push(`poetry-core adds this classifier itself for \`license = "${id}"\` under [tool.poetry].`);
  if (poetry.listed) steps.push("Delete the `License ::` entries from [tool.poetry] classifiers.");
  steps.push(
    `To declare License-Expression instead, move the metadata to a [project] table (poetry 2 reads it) with \`license = "${id}"\` and \`license-files = ["LICENSE"]\`, and build with poetry-core >= 2.2.`,
  );
  return steps.join(" ");
}

/** LIC10: PEP 639 fields under a Metadata-Version that predates them. */
function checkAge(scope: MdScope): Finding[] {
  const version = scope.version;
  if (version === undefined || compareMetadataVersions(version, "2.4") >= 0) return [];
  const findings: Finding[] = [];
  const expression = headersOf(scope.md, "License-Expression")[0];
  if (expression !== undefined) {
    findings.push(
      say(
        scope,
        "LIC10",
        `License-Expression needs Metadata-Version 2.4 but the file declares ${version}; packaging refuses it ("license-expression introduced in metadata version 2.4, not ${version}")`,
        { field: "License-Expression", line: expression.line },
      ),
    );
  }
  const file = headersOf(scope.md, "License-File")[0];
  if (file !== undefined) {
    findings.push(
      say(
        scope,
        "LIC10",
        `License-File needs Metadata-Version 2.4 but the file declares ${version}; installers and twine ignore it`,
        // Old setuptools wrote this under 2.1 for years and PyPI holds thousands of such files
        // (six 1.17.0): twine >= 6.1 leaves the field out of the upload form, so it is accepted.
        // Only an uploader that sends the field gets a 400 (astral-sh/uv#9513): a warning.
        {
          field: "License-File",
          line: file.line,
          severity: "warning",
          hint: "Upgrade the build backend (setuptools ≥ 77) so it writes Metadata-Version 2.4; until then the licence files are not declared to tools that read 2.4 fields.",
        },
      ),
    );
  }
  return findings;
}

/**
 * Runs the licensing checks on one distribution. Does nothing when the metadata file was not
 * found (the wheel and sdist checks report that).
 */
export function checkLicense(ctx: DistContext): Finding[] {
  if (ctx.metadata === undefined) return [];
  const scope = makeScope(ctx, ctx.metadata);
  return [checkExpression, checkFiles, checkDeclared, checkClassifiers, checkAge].flatMap((rule) =>
    rule(scope),
  );
}
