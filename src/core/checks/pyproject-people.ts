/** PP12 authors/maintainers, PP13 classifiers, PP14 urls, PP18 values that must survive as headers. */
import { classifierStatus } from "../classifiers.ts";
import type { Finding } from "../findings.ts";
import { checkAddressList } from "../metadata/email-address.ts";
import { LINE_BOUNDARY } from "../metadata/fields.ts";
import { checkHttpUrl } from "../metadata/url.ts";
import { get, getString, getStrings, getTable, isTable, tomlType } from "../pyproject/access.ts";
import { projectHeaders } from "../pyproject/mapping.ts";
import { licenseFileMatches } from "../pyproject/plan.ts";
import { PP12, PP13, PP14, PP18 } from "./pyproject-catalogue.ts";
import type { PyprojectView } from "./pyproject-view.ts";
import { report, show } from "./pyproject-view.ts";

// RFC 5322 specials other than "." and ",": unquoted in `name <email>` they break the address.
const NAME_SPECIALS = /[()<>@:;"[\]\\]/;

/** PP12: authors and maintainers. */
export function checkPeople(view: PyprojectView): Finding[] {
  const out: Finding[] = [];
  for (const key of ["authors", "maintainers"] as const) {
    const entries = get(view.project, key);
    if (!Array.isArray(entries)) continue;
    const path = ["project", key];
    entries.forEach((entry, index) => {
      const which = `entry ${index + 1}`;
      const flag = (
        detail: string,
        options: { item?: string; severity?: "warning"; hint?: string } = {},
      ): void => {
        out.push(report(view, PP12, path, `${which}: ${detail}`, options));
      };
      if (!isTable(entry)) {
        flag(`is ${tomlType(entry)}; use { name = "...", email = "..." }`);
        return;
      }
      for (const field of Object.keys(entry)) {
        if (field !== "name" && field !== "email")
          flag(`has the key ${show(field)}; only name and email are allowed`);
      }
      const name = get(entry, "name");
      const email = get(entry, "email");
      if (name === undefined && email === undefined) flag("has neither name nor email");
      for (const [field, value] of [
        ["name", name],
        ["email", email],
      ] as const) {
        if (value !== undefined && typeof value !== "string")
          flag(`${field} must be a string, not ${tomlType(value)}`);
      }
      if (typeof name === "string") {
        const problem = personNameProblem(name, typeof email === "string");
        if (problem)
          flag(problem.detail, {
            item: name,
            ...(problem.warning ? { severity: "warning", hint: problem.hint } : {}),
          });
      }
      if (typeof email === "string") {
        const problems = email.trim() === "" ? [{ reason: "is empty" }] : checkAddressList(email);
        const first = problems[0];
        if (first) flag(`email ${show(email)} ${first.reason}`, { item: email });
        else if (email.includes(","))
          flag(`email ${show(email)} holds several addresses; give each its own entry`, { item: email });
      }
    });
  }
  return out;
}

function personNameProblem(
  name: string,
  withEmail: boolean,
): { detail: string; warning?: boolean; hint?: string } | undefined {
  if (name.includes(","))
    return { detail: `name ${show(name)} contains a comma, which splits it into two people` };
  if (name.trim() === "")
    return { detail: "name is empty", warning: true, hint: "Give the name or drop the key." };
  if (withEmail && NAME_SPECIALS.test(name)) {
    return {
      detail: `name ${show(name)} has characters that must be quoted in "name <email>"`,
      warning: true,
      hint: "Backends that write the name unquoted produce an Author-email PyPI refuses; drop the special characters.",
    };
  }
  return undefined;
}

/** PP13: classifiers. */
export function checkClassifiers(view: PyprojectView): Finding[] {
  const path = ["project", "classifiers"];
  const out: Finding[] = [];
  const seen = new Set<string>();
  const expression = getString(view.project, "license");
  // setuptools (>= 77) refuses to build with both; hatchling and the others build them (httpx).
  const backend = getString(getTable(view.doc, "build-system"), "build-backend") ?? "";
  const refuses = backend.startsWith("setuptools") ? " (setuptools refuses this)" : "";
  for (const classifier of getStrings(view.project, "classifiers") ?? []) {
    const item = { item: classifier };
    if (seen.has(classifier)) {
      out.push(report(view, PP13, path, `lists ${show(classifier)} twice`, { ...item, severity: "warning" }));
      continue;
    }
    seen.add(classifier);
    const status = classifierStatus(classifier);
    if (status.kind === "unknown") {
      out.push(
        report(view, PP13, path, `has ${show(classifier)}, which is not a trove classifier PyPI knows`, item),
      );
    } else if (status.kind === "deprecated") {
      const instead =
        status.replacements.length > 0 ? `; use ${status.replacements.map((r) => show(r)).join(" or ")}` : "";
      out.push(report(view, PP13, path, `has the deprecated classifier ${show(classifier)}${instead}`, item));
    } else if (status.kind === "private") {
      out.push(
        report(view, PP13, path, `has ${show(classifier)}: PyPI refuses every Private :: classifier`, {
          ...item,
          hint: "Keep it only if the project must never reach PyPI; remove it to publish there.",
        }),
      );
    } else if (classifier.startsWith("License ::")) {
      const clash =
        expression === undefined ? "" : ` next to the licence expression in project.license${refuses}`;
      out.push(
        report(
          view,
          PP13,
          path,
          `has the licence classifier ${show(classifier)}, deprecated by PEP 639${clash}`,
          {
            ...item,
            severity: "warning",
            hint:
              expression === undefined
                ? 'Remove License :: classifiers and state the licence as an SPDX expression, e.g. license = "MIT".'
                : `Remove the License :: classifiers: project.license = ${show(expression)} already states the licence.`,
          },
        ),
      );
    }
  }
  return out;
}

/** PP14: urls. */
export function checkUrls(view: PyprojectView): Finding[] {
  const urls = getTable(view.project, "urls");
  if (!urls) return [];
  const out: Finding[] = [];
  for (const label of Object.keys(urls)) {
    const path = ["project", "urls", label];
    const flag = (detail: string, severity?: "warning"): void => {
      out.push(report(view, PP14, path, detail, severity ? { severity } : {}));
    };
    if (label.trim() === "") flag("has an empty label");
    else if ([...label].length > 32)
      flag(`has a label of ${[...label].length} characters; PyPI accepts at most 32`);
    if (label.includes(",")) flag('has a comma in its label, which splits "label, url" in the wrong place');
    const url = getString(urls, label);
    if (url === undefined) continue;
    const verdict = checkHttpUrl(url);
    if (verdict.error) flag(`${show(url)} ${verdict.error}`);
    else if (verdict.warning) flag(`${show(url)} ${verdict.warning}`, "warning");
  }
  return out;
}

// Headers whose values no parser checks first (Summary is PP07's; Requires-Dist, Classifier... fail earlier).
const FREE_TEXT = new Set([
  "Author",
  "Author-email",
  "Maintainer",
  "Maintainer-email",
  "Project-URL",
  "License-File",
]);

/** PP18: static values that cannot be written as single-line headers unchanged. */
export function checkProjection(view: PyprojectView): Finding[] {
  const project = view.project;
  if (!project) return [];
  const out: Finding[] = [];
  for (const header of projectHeaders(project, licenseFileMatches(project, view.files))) {
    if (!FREE_TEXT.has(header.field) || !LINE_BOUNDARY.test(header.value)) continue;
    out.push(
      report(
        view,
        PP18,
        header.key,
        `would put a line break into the ${header.field} header: ${show(header.value)}`,
      ),
    );
  }
  for (const keyword of getStrings(project, "keywords") ?? []) {
    if (LINE_BOUNDARY.test(keyword)) {
      out.push(
        report(
          view,
          PP18,
          ["project", "keywords"],
          `keyword ${show(keyword)} would put a line break into Keywords`,
        ),
      );
    } else if (keyword.includes(",")) {
      out.push(
        report(
          view,
          PP18,
          ["project", "keywords"],
          `keyword ${show(keyword)} contains a comma; Keywords splits it in two`,
          {
            item: keyword,
            severity: "warning",
          },
        ),
      );
    }
  }
  return out;
}
