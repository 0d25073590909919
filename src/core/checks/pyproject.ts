/**
 * The project's pyproject.toml checked as PyPI, pip and the build backends will read it
 * (validation.md section K, PP01–PP18, and EP09). Pure: the adapter hands in the text, the file
 * list and the bytes of the files the keys name.
 */
import type { Finding } from "../findings.ts";
import { finding } from "../findings.ts";
import { parsePyproject } from "../pyproject/toml.ts";
import type { ProjectContext } from "./context.ts";
import { PP01 } from "./pyproject-catalogue.ts";
import { checkProjectEntryPoints } from "./pyproject-entry-points.ts";
import {
  checkDependencies,
  checkDescription,
  checkDynamic,
  checkImportNames,
  checkName,
  checkRequiresPython,
  checkVersion,
} from "./pyproject-fields.ts";
import { checkLicenseFiles, checkLicenseKey, checkReadme } from "./pyproject-files.ts";
import { checkClassifiers, checkPeople, checkProjection, checkUrls } from "./pyproject-people.ts";
import {
  checkBuildSystem,
  checkDependencyGroups,
  checkProjectKeys,
  checkTopLevel,
} from "./pyproject-tables.ts";
import type { PyprojectView } from "./pyproject-view.ts";
import { assembleView, invalidUtf8At } from "./pyproject-view.ts";

export { PP_CHECKS } from "./pyproject-catalogue.ts";

const CHECKS: readonly ((view: PyprojectView) => Finding[])[] = [
  checkTopLevel,
  checkBuildSystem,
  checkProjectKeys,
  checkName,
  checkVersion,
  checkDynamic,
  checkDescription,
  checkReadme,
  checkRequiresPython,
  checkLicenseKey,
  checkLicenseFiles,
  checkPeople,
  checkClassifiers,
  checkUrls,
  checkDependencies,
  checkImportNames,
  checkDependencyGroups,
  checkProjection,
  checkProjectEntryPoints,
];

/**
 * Every pyproject finding for a project. When the file is not UTF-8 or not TOML that tomllib
 * accepts, that single PP01 finding is all there is: nothing else can be read reliably.
 */
export function checkProject(ctx: ProjectContext): Finding[] {
  const bytes = ctx.contents.get("pyproject.toml");
  const badByte = bytes === undefined ? undefined : invalidUtf8At(bytes);
  if (badByte !== undefined) {
    return [
      finding(
        PP01,
        `${ctx.display} is not UTF-8 (invalid byte at offset ${badByte})`,
        { file: ctx.display },
        {
          hint: "Save pyproject.toml as UTF-8: tomllib refuses any other encoding.",
        },
      ),
    ];
  }
  // Parsed again here (cheap) so the TOML 1.0 rules hold whoever built the context.
  const parsed = parsePyproject(ctx.pyprojectText);
  if (!parsed.ok) {
    const { message, line, column } = parsed.problem;
    return [finding(PP01, `${ctx.display}:${line}:${column}: ${message}`, { file: ctx.display, line })];
  }
  const view = assembleView(ctx, ctx.pyproject ?? parsed.value);
  return CHECKS.flatMap((check) => check(view));
}
