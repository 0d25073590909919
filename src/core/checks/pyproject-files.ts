/** PP08 readme, PP10 license, PP11 license-files: the keys that point at files. */
import { pushAll } from "../arrays.ts";
import type { CheckInfo, Finding } from "../findings.ts";
import { parseLicenseExpression } from "../license/spdx.ts";
import { checkDescriptionContentType } from "../metadata/content-type.ts";
import type { TomlTable } from "../pyproject/access.ts";
import { get, getStrings, has, isTable, tomlType } from "../pyproject/access.ts";
import { globProblems, matchesOnlyDirectories, matchGlob } from "../pyproject/glob.ts";
import { suffixOf } from "../pyproject/mapping.ts";
import { projectPath } from "../pyproject/plan.ts";
import { PP08, PP10, PP11 } from "./pyproject-catalogue.ts";
import type { PyprojectView } from "./pyproject-view.ts";
import { invalidUtf8At, report, show } from "./pyproject-view.ts";

/** A file a key names: missing, outside the project, or not UTF-8. */
function checkNamedFile(
  view: PyprojectView,
  info: CheckInfo,
  path: readonly string[],
  file: string,
): Finding[] {
  const clean = projectPath(file);
  if (clean === undefined) {
    const absolute = /^([A-Za-z]:)?[\\/]/.test(file);
    return [
      report(
        view,
        info,
        path,
        `names ${show(file)}, which is ${absolute ? "an absolute path" : "outside the project"}`,
        {
          ...(absolute ? {} : { severity: "warning" as const }),
          hint: "Use a path relative to pyproject.toml inside the project: an sdist cannot contain files outside it.",
        },
      ),
    ];
  }
  const bytes = view.contents.get(clean);
  if (bytes === undefined && !view.fileSet.has(clean)) {
    return [report(view, info, path, `names ${show(file)}, which does not exist`)];
  }
  const bad = bytes === undefined ? undefined : invalidUtf8At(bytes);
  if (bad === undefined) return [];
  return [
    report(view, info, path, `names ${show(file)}, which is not UTF-8 (invalid byte at offset ${bad})`),
  ];
}

const README_KEYS = new Set(["file", "text", "content-type"]);

/** PP08: readme. */
export function checkReadme(view: PyprojectView): Finding[] {
  const readme = get(view.project, "readme");
  const path = ["project", "readme"];
  if (typeof readme === "string") {
    const out = checkNamedFile(view, PP08, path, readme);
    const suffix = suffixOf(readme);
    if (suffix === ".md" || suffix === ".rst") return out;
    // [PPT]: tools MAY infer more suffixes; hatchling and setuptools read .txt (and no suffix) as plain text.
    const lenient = suffix === ".txt" || suffix === "";
    out.push(
      report(
        view,
        PP08,
        path,
        `names ${show(readme)}, whose suffix gives no content type (only .md and .rst do)`,
        {
          ...(lenient ? { severity: "warning" as const } : {}),
          hint: `Use a table: readme = { file = ${show(readme)}, content-type = "text/plain" } (or text/markdown, text/x-rst).`,
        },
      ),
    );
    return out;
  }
  if (!isTable(readme)) return [];
  const out: Finding[] = [];
  for (const key of Object.keys(readme)) {
    if (!README_KEYS.has(key))
      out.push(report(view, PP08, [...path, key], "is not a readme key (file, text, content-type)"));
  }
  const file = get(readme, "file");
  const text = get(readme, "text");
  if (file !== undefined && text !== undefined)
    out.push(report(view, PP08, path, "has both file and text; give one"));
  if (file === undefined && text === undefined)
    out.push(report(view, PP08, path, "has neither file nor text"));
  for (const [key, value] of [
    ["file", file],
    ["text", text],
  ] as const) {
    if (value !== undefined && typeof value !== "string") {
      out.push(report(view, PP08, [...path, key], `must be a string, not ${tomlType(value)}`));
    }
  }
  if (typeof file === "string") pushAll(out, checkNamedFile(view, PP08, [...path, "file"], file));
  const contentType = get(readme, "content-type");
  if (contentType === undefined) {
    out.push(report(view, PP08, path, "has no content-type; a readme table requires one"));
  } else if (typeof contentType !== "string") {
    out.push(report(view, PP08, [...path, "content-type"], `must be a string, not ${tomlType(contentType)}`));
  } else {
    const problem = checkDescriptionContentType(contentType);
    if (problem) out.push(report(view, PP08, [...path, "content-type"], `${show(contentType)} ${problem}`));
  }
  return out;
}

/** PP10: license (SPDX string, or the deprecated table). */
export function checkLicenseKey(view: PyprojectView): Finding[] {
  const license = get(view.project, "license");
  const path = ["project", "license"];
  if (typeof license === "string") {
    const parsed = parseLicenseExpression(license);
    if (!parsed.ok)
      return [report(view, PP10, path, `${show(license)} is not a valid SPDX expression: ${parsed.error}`)];
    const out: Finding[] = [];
    const { canonical, deprecated } = parsed.value;
    if (canonical !== license) {
      out.push(
        report(view, PP10, path, `${show(license)} is not in canonical form ${show(canonical)}`, {
          severity: "warning",
          hint: `Write license = ${show(canonical)}; PEP 639 lets PyPI accept only case-normalized expressions.`,
        }),
      );
    }
    if (deprecated.length > 0) {
      out.push(
        report(view, PP10, path, `uses deprecated SPDX identifiers: ${deprecated.join(", ")}`, {
          severity: "warning",
          hint: "Use the current identifier (e.g. GPL-3.0-only or GPL-3.0-or-later instead of GPL-3.0).",
        }),
      );
    }
    return out;
  }
  if (!isTable(license)) return [];
  return checkLicenseTable(view, license);
}

function checkLicenseTable(view: PyprojectView, license: TomlTable): Finding[] {
  const path = ["project", "license"];
  const out: Finding[] = [
    report(view, PP10, path, "uses the deprecated table form", {
      severity: "warning",
      hint: 'Replace it with an SPDX expression, e.g. license = "MIT", and license-files = ["LICENSE"].',
    }),
  ];
  for (const key of Object.keys(license)) {
    if (key !== "file" && key !== "text")
      out.push(report(view, PP10, [...path, key], "is not a license table key (file or text)"));
  }
  const file = get(license, "file");
  const text = get(license, "text");
  if (file !== undefined && text !== undefined)
    out.push(report(view, PP10, path, "has both file and text; give one"));
  if (file === undefined && text === undefined)
    out.push(report(view, PP10, path, "has neither file nor text"));
  if (typeof file === "string") pushAll(out, checkNamedFile(view, PP10, [...path, "file"], file));
  if (has(view.project, "license-files")) {
    out.push(
      report(view, PP10, path, "is a table while license-files is set; PEP 639 forbids combining them", {
        hint: 'Use an SPDX expression string, e.g. license = "MIT", together with license-files.',
      }),
    );
  }
  return out;
}

/** PP11: license-files glob patterns. */
export function checkLicenseFiles(view: PyprojectView): Finding[] {
  const path = ["project", "license-files"];
  const out: Finding[] = [];
  const checked = new Set<string>();
  for (const pattern of getStrings(view.project, "license-files") ?? []) {
    const problems = globProblems(pattern);
    for (const problem of problems) {
      out.push(
        report(view, PP11, path, `pattern ${show(pattern)} ${problem.reason}`, {
          item: pattern,
          severity: problem.severity,
        }),
      );
    }
    if (problems.some((p) => p.severity === "error")) continue;
    const matched = matchGlob(pattern, view.files);
    if (matched.length === 0) {
      const dirs = matchesOnlyDirectories(pattern, view.files);
      out.push(
        report(
          view,
          PP11,
          path,
          `pattern ${show(pattern)} ${dirs ? "matches only directories, no file" : "matches no file"}`,
          {
            item: pattern,
            ...(dirs
              ? {
                  severity: "warning" as const,
                  hint: `Match the files inside, e.g. ${show(`${pattern.replace(/\/+$/, "")}/*`)}.`,
                }
              : {}),
          },
        ),
      );
    }
    for (const file of matched) {
      if (checked.has(file)) continue;
      checked.add(file);
      const bytes = view.contents.get(file);
      const bad = bytes === undefined ? undefined : invalidUtf8At(bytes);
      if (bad !== undefined) {
        out.push(
          report(
            view,
            PP11,
            path,
            `matches ${show(file)}, which is not UTF-8 (invalid byte at offset ${bad})`,
            { item: pattern },
          ),
        );
      }
    }
  }
  return out;
}
