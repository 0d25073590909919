/**
 * DOC: the documents a project that others install should carry: a LICENSE that is the licence
 * `[project] license` names, a README, a changelog, a security policy and contribution notes.
 * Warnings; `[tool.slipway.check] docs` names the ones a project requires:
 *
 *     [tool.slipway.check]
 *     # An internal tool: no security policy or contribution guide expected.
 *     docs = ["license", "readme", "changelog"]
 */
import { SlipwayError } from "../../errors.ts";
import { pushAll } from "../arrays.ts";
import { type CheckInfo, catalogue, type Finding, finding } from "../findings.ts";
import { parseLicenseExpression, spdxLicense } from "../license/spdx.ts";
import { get, getString, getTable, isTable, type TomlTable } from "../pyproject/access.ts";
import { licenseFileMatches, projectPath } from "../pyproject/plan.ts";
import { stringsSetting } from "../pyproject/settings.ts";
import type { ProjectContext } from "./context.ts";
import { identifyLicenses, sameLicense } from "./license-text.ts";
import { linkFilesToRead } from "./links.ts";

export const DOC_CHECKS: CheckInfo[] = [
  {
    id: "DOC01",
    severity: "warning",
    title: "No LICENSE file",
    why: "Without a licence text in the repository and the distributions nobody may legally reuse the code, whatever the metadata says; most licences (MIT, BSD, Apache-2.0) require their text to travel with every copy.",
    fix: 'Add the licence text as LICENSE at the project root and list it: license-files = ["LICENSE"] in [project].',
    source: "[PPT] license-files; PEP 639",
  },
  {
    id: "DOC02",
    severity: "warning",
    title: "LICENSE text is another licence than License-Expression",
    why: "The LICENSE file is the text users read and lawyers trust; when it is, say, the Apache-2.0 text while [project] license says MIT, the metadata PyPI shows and the licence that actually applies disagree.",
    fix: "Make [project] license name the licence of the LICENSE text, or replace the text with the licence you mean.",
    source: "PEP 639; SPDX licence list",
  },
  {
    id: "DOC03",
    severity: "warning",
    title: "No README",
    why: "The README is the project's front page on the repository host and, through [project] readme, on PyPI.",
    fix: 'Add README.md (or README.rst) at the project root and set readme = "README.md" in [project].',
    source: "[PPT] readme",
  },
  {
    id: "DOC04",
    severity: "warning",
    title: "No changelog",
    why: "Users deciding whether to upgrade look for what changed; slipway's changelog command and release notes write to it.",
    fix: 'Add CHANGELOG.md (slipway changelog keeps it), or set [tool.slipway.check] docs without "changelog".',
    source: "derived; keepachangelog.com",
  },
  {
    id: "DOC05",
    severity: "warning",
    title: "No security policy",
    why: "A SECURITY.md (at the root, in .github/ or docs/) tells a reporter how to disclose a vulnerability privately; without it reports arrive as public issues. GitHub links it from the Security tab.",
    fix: 'Add SECURITY.md with a private contact or GitHub\'s private vulnerability reporting, or set [tool.slipway.check] docs without "security".',
    source: "GitHub: adding a security policy",
  },
  {
    id: "DOC06",
    severity: "warning",
    title: "No contribution guide",
    why: "A CONTRIBUTING.md (at the root, in .github/ or docs/) says how to set up, test and submit a change; GitHub shows it to everyone opening an issue or pull request.",
    fix: 'Add CONTRIBUTING.md, or set [tool.slipway.check] docs without "contributing".',
    source: "GitHub: setting guidelines for repository contributors",
  },
];

const INFO = catalogue(DOC_CHECKS);
const C = (id: string): CheckInfo => INFO[id]!;

/** The documents `[tool.slipway.check] docs` can require; all of them by default. */
export const DOC_KINDS = ["license", "readme", "changelog", "security", "contributing"] as const;
export type DocKind = (typeof DOC_KINDS)[number];

function configError(key: string, message: string, hint: string): SlipwayError {
  return new SlipwayError("config", `pyproject.toml [tool.slipway.check] ${key}: ${message}`, { hint });
}

/** `[tool.slipway.check] docs`, validated; every kind when absent. */
export function readDocsConfig(pyproject: TomlTable | undefined): ReadonlySet<DocKind> {
  const table = getTable(getTable(getTable(pyproject, "tool"), "slipway"), "check");
  const listed = table === undefined ? undefined : stringsSetting(table, "docs", "", configError);
  if (listed === undefined) return new Set(DOC_KINDS);
  for (const [i, kind] of listed.entries()) {
    if (!(DOC_KINDS as readonly string[]).includes(kind)) {
      throw configError(
        `docs[${i}]`,
        `"${kind}" is not a document slipway knows`,
        `use any of ${DOC_KINDS.map((k) => `"${k}"`).join(", ")}`,
      );
    }
  }
  return new Set(listed as DocKind[]);
}

const LICENSE_NAME = /^(licen[cs]e|copying|unlicense)([.-][^/]*)?$/i;
const README_NAME = /^readme([.][^/]*)?$/i;
const CHANGELOG_NAME = /^(change[-_]?log|changes|history|news|release[-_]?notes)([.][^/]*)?$/i;
const SECURITY_NAME = /^security([.][^/]*)?$/i;
const CONTRIBUTING_NAME = /^contributing([.][^/]*)?$/i;
/** Where GitHub looks for community health files, in its order. */
const HEALTH_DIRS = ["", ".github/", "docs/"];
/** Changelog fragment directories (towncrier, scriv): the changelog is assembled at release. */
const FRAGMENT_DIRS = ["changelog.d/", "newsfragments/", "changes/"];

const nameOf = (path: string): string => path.slice(path.lastIndexOf("/") + 1);
const dirOf = (path: string): string => path.slice(0, path.lastIndexOf("/") + 1);

/** The root files that look like licence texts (LICENSE, LICENSE.txt, COPYING, LICENCE-MIT...). */
function rootLicenseFiles(files: readonly string[]): string[] {
  return files.filter((f) => !f.includes("/") && LICENSE_NAME.test(f));
}

/** The licence files the project names: `license-files` matches and a `license = {file}` table. */
function declaredLicenseFiles(project: TomlTable | undefined, files: readonly string[]): string[] {
  const declared = licenseFileMatches(project, files);
  const license = get(project, "license");
  const file = isTable(license) ? get(license, "file") : undefined;
  const clean = typeof file === "string" ? projectPath(file) : undefined;
  if (clean !== undefined && files.includes(clean)) declared.push(clean);
  return declared;
}

/** Files whose bytes the document checks read: licence texts and the documents links are checked in. */
export function docFilesToRead(pyproject: TomlTable | undefined, files: readonly string[]): string[] {
  const project = getTable(pyproject, "project");
  return [
    ...new Set([
      ...rootLicenseFiles(files),
      ...declaredLicenseFiles(project, files),
      ...linkFilesToRead(files),
    ]),
  ];
}

function hasHealthFile(files: readonly string[], name: RegExp): boolean {
  return files.some((f) => HEALTH_DIRS.includes(dirOf(f)) && name.test(nameOf(f)));
}

const decoder = new TextDecoder("utf-8");

/** DOC02: each licence text that is a known licence must be one the expression names. */
function checkLicenseText(
  ctx: ProjectContext,
  project: TomlTable | undefined,
  texts: readonly string[],
  display: (p: string) => string,
): Finding[] {
  const expression = getString(project, "license");
  if (expression === undefined) return [];
  const parsed = parseLicenseExpression(expression);
  // An invalid expression is PP's to report; a LicenseRef- names a text slipway cannot know.
  if (!parsed.ok) return [];
  const ids = parsed.value.licenses.filter((id) => spdxLicense(id) !== undefined);
  if (ids.length === 0) return [];
  const findings: Finding[] = [];
  for (const path of texts) {
    const bytes = ctx.contents.get(path);
    if (bytes === undefined) continue;
    const found = identifyLicenses(decoder.decode(bytes));
    if (found.length === 0 || found.some((f) => ids.some((id) => sameLicense(id, f)))) continue;
    const file = display(path);
    findings.push(
      finding(
        C("DOC02"),
        `${file} is the ${found.join(" / ")} licence text, but [project] license is "${parsed.value.canonical}"`,
        { file },
        {
          hint: `Set license = "${found[0]}" (or the -only / -or-later id) in [project] if the code is under ${found[0]}, or replace ${path} with the ${ids.join(" / ")} text.`,
        },
      ),
    );
  }
  return findings;
}

/** Every DOC finding of the project. */
export function checkDocsSet(ctx: ProjectContext): Finding[] {
  const pyproject = ctx.pyproject;
  if (pyproject === undefined) return [];
  const wanted = readDocsConfig(pyproject);
  const project = getTable(pyproject, "project");
  const files = ctx.files;
  const name = "pyproject.toml";
  const prefix = ctx.display.endsWith(name) ? ctx.display.slice(0, -name.length) : "";
  const display = (path: string) => `${prefix}${path}`;
  const at = { file: ctx.display };
  const findings: Finding[] = [];

  if (wanted.has("license")) {
    const texts = [...new Set([...declaredLicenseFiles(project, files), ...rootLicenseFiles(files)])];
    const inDir = files.some((f) => f.startsWith("LICENSES/"));
    if (texts.length === 0 && !inDir) {
      findings.push(finding(C("DOC01"), `${ctx.display}: the project has no LICENSE file`, at));
    }
    pushAll(findings, checkLicenseText(ctx, project, texts, display));
  }
  const readme = get(project, "readme");
  if (
    wanted.has("readme") &&
    readme === undefined &&
    !files.some((f) => !f.includes("/") && README_NAME.test(f))
  ) {
    findings.push(finding(C("DOC03"), `${ctx.display}: the project has no README`, at));
  }
  const changelog =
    files.some((f) => (dirOf(f) === "" || dirOf(f) === "docs/") && CHANGELOG_NAME.test(nameOf(f))) ||
    files.some((f) => FRAGMENT_DIRS.some((d) => f.startsWith(d)));
  if (wanted.has("changelog") && !changelog) {
    findings.push(
      finding(
        C("DOC04"),
        `${ctx.display}: the project has no changelog (CHANGELOG.md, CHANGES.rst, HISTORY.md...)`,
        at,
      ),
    );
  }
  if (wanted.has("security") && !hasHealthFile(files, SECURITY_NAME)) {
    findings.push(
      finding(
        C("DOC05"),
        `${ctx.display}: the project has no SECURITY.md (at the root, in .github/ or docs/)`,
        at,
      ),
    );
  }
  if (wanted.has("contributing") && !hasHealthFile(files, CONTRIBUTING_NAME)) {
    findings.push(
      finding(
        C("DOC06"),
        `${ctx.display}: the project has no CONTRIBUTING.md (at the root, in .github/ or docs/)`,
        at,
      ),
    );
  }
  return findings;
}
