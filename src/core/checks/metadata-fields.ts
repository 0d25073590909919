/** MD checks on descriptive fields: summary, content type, URLs, e-mails, classifiers, keywords... */
import { pushAll } from "../arrays.ts";
import { classifierStatus, similarClassifiers } from "../classifiers.ts";
import type { Finding } from "../findings.ts";
import { checkDescriptionContentType } from "../metadata/content-type.ts";
import { checkAddressList } from "../metadata/email-address.ts";
import {
  compareMetadataVersions,
  fieldSpec,
  LINE_BOUNDARY,
  PLACEHOLDER,
  pyStrip,
} from "../metadata/fields.ts";
import { headersOf } from "../metadata/parse.ts";
import { checkHttpUrl } from "../metadata/url.ts";
import type { MdScope } from "./metadata-scope.ts";
import { quote, report, single, usable } from "./metadata-scope.ts";

const chars = (text: string): number => [...text].length;

/** Values PyPI drops before validating (empty, or the old `UNKNOWN` placeholder). */
const dropped = (value: string): boolean => value === "" || pyStrip(value) === PLACEHOLDER;

/** MD08: Summary is one line of at most 512 characters. */
export function checkSummary(scope: MdScope): Finding[] {
  const header = single(scope, "Summary");
  if (header === undefined) return [];
  const at = { field: "Summary", line: header.line };
  if (LINE_BOUNDARY.test(header.value)) {
    return [report(scope, "MD08", `Summary ${quote(header.value)} spans more than one line`, at)];
  }
  if (!dropped(header.value) && chars(header.value) > 512) {
    return [
      report(
        scope,
        "MD08",
        `Summary is ${chars(header.value)} characters long; PyPI accepts at most 512`,
        at,
      ),
    ];
  }
  return [];
}

/** MD09: Description-Content-Type is one of the three types, UTF-8, a known Markdown variant. */
export function checkContentType(scope: MdScope): Finding[] {
  const header = single(scope, "Description-Content-Type");
  if (header === undefined) return [];
  const problem = checkDescriptionContentType(header.value);
  if (problem === undefined) return [];
  return [
    report(scope, "MD09", `Description-Content-Type ${quote(header.value)} ${problem}`, {
      field: "Description-Content-Type",
      line: header.line,
    }),
  ];
}

/** MD10: a Description header next to a body. */
export function checkDescriptionTwice(scope: MdScope): Finding[] {
  const header = headersOf(scope.md, "Description")[0];
  if (header === undefined || scope.md.body === undefined) return [];
  return [
    report(
      scope,
      "MD10",
      `has a Description header (line ${header.line}) and a description body (line ${scope.md.bodyLine ?? "?"}); packaging refuses both`,
      { field: "Description", line: header.line },
    ),
  ];
}

const NOT_DYNAMIC = new Set(["name", "version", "metadata-version"]);

/** MD11: Dynamic names known fields, never Name/Version/Metadata-Version (nor Dynamic, for PyPI). */
export function checkDynamic(scope: MdScope): Finding[] {
  const findings: Finding[] = [];
  for (const header of usable(scope, "Dynamic")) {
    const key = header.value.toLowerCase();
    const at = { field: "Dynamic", line: header.line };
    if (NOT_DYNAMIC.has(key)) {
      findings.push(
        report(scope, "MD11", `Dynamic ${quote(header.value)} is not allowed: this field must be static`, at),
      );
    } else if (key === "dynamic") {
      findings.push(report(scope, "MD11", "Dynamic cannot list Dynamic itself (PyPI refuses it)", at));
    } else if (fieldSpec(key) === undefined) {
      findings.push(
        report(scope, "MD11", `Dynamic ${quote(header.value)} is not a core metadata field name`, at),
      );
    }
  }
  return findings;
}

/** MD17: Project-URL is `label, url` with a unique label of ≤ 32 characters and an http(s) URL. */
export function checkProjectUrls(scope: MdScope): Finding[] {
  const findings: Finding[] = [];
  const labels = new Map<string, number>();
  for (const header of usable(scope, "Project-URL")) {
    const at = { field: "Project-URL", line: header.line };
    const comma = header.value.indexOf(",");
    const label = pyStrip(comma < 0 ? header.value : header.value.slice(0, comma));
    const url = comma < 0 ? "" : pyStrip(header.value.slice(comma + 1));
    const first = labels.get(label);
    if (first !== undefined) {
      findings.push(
        report(
          scope,
          "MD17",
          `Project-URL label ${quote(label)} is used twice (lines ${first} and ${header.line})`,
          at,
        ),
      );
      continue;
    }
    labels.set(label, header.line);
    if (label === "")
      findings.push(report(scope, "MD17", `Project-URL ${quote(header.value)} has no label`, at));
    else if (chars(label) > 32) {
      findings.push(
        report(scope, "MD17", `Project-URL label ${quote(label)} is longer than 32 characters`, at),
      );
    } else if (url === "") {
      findings.push(
        report(scope, "MD17", `Project-URL ${quote(header.value)} has no URL after "label,"`, at),
      );
    } else pushAll(findings, urlFindings(scope, "MD17", `Project-URL ${quote(label)}`, url, at));
  }
  return findings;
}

/** MD18: Home-page and Download-URL are http(s) URLs. */
export function checkLegacyUrls(scope: MdScope): Finding[] {
  return ["Home-page", "Download-URL"].flatMap((name) => {
    const header = single(scope, name);
    if (header === undefined || dropped(header.value)) return [];
    return urlFindings(scope, "MD18", name, header.value, { field: name, line: header.line });
  });
}

function urlFindings(
  scope: MdScope,
  id: string,
  what: string,
  url: string,
  at: { field: string; line: number },
): Finding[] {
  const verdict = checkHttpUrl(url);
  if (verdict.error !== undefined)
    return [report(scope, id, `${what} URL ${quote(url)} ${verdict.error}`, at)];
  if (verdict.warning !== undefined) {
    return [
      report(scope, id, `${what} URL ${quote(url)} ${verdict.warning}`, {
        ...at,
        severity: "warning",
        hint: "Use an absolute URL such as https://example.org/project.",
      }),
    ];
  }
  return [];
}

/** MD19: Author-email and Maintainer-email are address lists of valid addresses. */
export function checkEmails(scope: MdScope): Finding[] {
  return ["Author-email", "Maintainer-email"].flatMap((name) => {
    const header = single(scope, name);
    if (header === undefined || dropped(header.value)) return [];
    return checkAddressList(header.value).map((p) =>
      report(scope, "MD19", `${name} ${quote(p.text)} ${p.reason}`, {
        field: name,
        line: header.line,
        severity: p.severity,
        ...(p.severity === "warning"
          ? { hint: 'Quote a display name with special characters: "Doe, Jane [Dev]" <jane@example.org>.' }
          : {}),
      }),
    );
  });
}

/** MD20: classifiers are on PyPI's list, not deprecated, not private. */
export function checkClassifiers(scope: MdScope): Finding[] {
  const findings: Finding[] = [];
  for (const header of usable(scope, "Classifier")) {
    const at = { field: "Classifier", line: header.line };
    const status = classifierStatus(header.value);
    if (status.kind === "unknown") {
      const near = similarClassifiers(header.value).slice(0, 2);
      const hint = near.length > 0 ? `Did you mean ${near.map((c) => `"${c}"`).join(" or ")}?` : undefined;
      findings.push(
        report(scope, "MD20", `Classifier ${quote(header.value, 120)} is not a known trove classifier`, {
          ...at,
          ...(hint === undefined ? {} : { hint }),
        }),
      );
    } else if (status.kind === "deprecated") {
      const use =
        status.replacements.length > 0
          ? `; use ${status.replacements.map((c) => `"${c}"`).join(" or ")}`
          : "";
      findings.push(report(scope, "MD20", `Classifier ${quote(header.value, 120)} is deprecated${use}`, at));
    } else if (status.kind === "private") {
      findings.push(
        report(
          scope,
          "MD20",
          `Classifier ${quote(header.value, 120)} is a Private :: classifier, which PyPI always refuses`,
          {
            ...at,
            hint: "Keep Private :: classifiers only on packages that must never reach PyPI; remove it to publish.",
          },
        ),
      );
    }
  }
  return findings;
}

/** MD21: License and License-Expression together. */
export function checkLicenseTwice(scope: MdScope): Finding[] {
  const license = single(scope, "License");
  const expression = single(scope, "License-Expression");
  if (license === undefined || expression === undefined || dropped(license.value) || expression.value === "")
    return [];
  return [
    report(
      scope,
      "MD21",
      `has both License (line ${license.line}) and License-Expression ${quote(expression.value)}; PyPI refuses the pair`,
      { field: "License", line: license.line },
    ),
  ];
}

/** MD22: a second Keywords header (error), or space-separated keywords (warning). */
export function checkKeywords(scope: MdScope): Finding[] {
  const headers = headersOf(scope.md, "Keywords");
  if (headers.length > 1) {
    return [
      report(
        scope,
        "MD22",
        `Keywords appears ${headers.length} times; it must be one comma-separated header`,
        {
          field: "Keywords",
          line: (headers[1] ?? headers[0])?.line as number,
          severity: "error",
        },
      ),
    ];
  }
  const header = headers[0];
  if (header === undefined || header.invalidUtf8 === true) return [];
  const value = header.value.trim();
  if (value.includes(",") || !/\s/.test(value)) return [];
  return [
    report(
      scope,
      "MD22",
      `Keywords ${quote(value)} are separated by spaces; PyPI shows them as one keyword`,
      {
        field: "Keywords",
        line: header.line,
      },
    ),
  ];
}

const DEPRECATED: Record<string, string> = {
  "Home-page": "use a Project-URL (e.g. `Homepage, https://...`)",
  "Download-URL": "use a Project-URL (e.g. `Download, https://...`)",
  Requires: "use Requires-Dist",
  Provides: "use Provides-Dist",
  Obsoletes: "use Obsoletes-Dist",
};

/** MD24: deprecated fields (License only from 2.4 on, and when MD21 does not already fire). */
export function checkDeprecated(scope: MdScope): Finding[] {
  const findings: Finding[] = [];
  for (const [name, instead] of Object.entries(DEPRECATED)) {
    const header = usable(scope, name)[0];
    if (header === undefined || dropped(header.value)) continue;
    findings.push(
      report(scope, "MD24", `${name} is deprecated; ${instead}`, {
        field: name,
        line: header.line,
        hint: `${instead[0]!.toUpperCase()}${instead.slice(1)} instead.`,
      }),
    );
  }
  const license = usable(scope, "License")[0];
  const modern = scope.version !== undefined && compareMetadataVersions(scope.version, "2.4") >= 0;
  if (
    license !== undefined &&
    modern &&
    headersOf(scope.md, "License-Expression").length === 0 &&
    !dropped(license.value)
  ) {
    findings.push(
      report(
        scope,
        "MD24",
        `License is deprecated since Metadata-Version 2.4; use License-Expression (SPDX)`,
        {
          field: "License",
          line: license.line,
          // The backend writes License from a licence table (sampleproject, requests, pluggy) or
          // [tool.poetry] license (rich); an SPDX string in [project] makes it License-Expression.
          hint: 'State the licence as an SPDX expression in [project] (license = "MIT", a string, not a table, with license-files = ["LICENSE"]): the backend then writes License-Expression and no License field.',
        },
      ),
    );
  }
  return findings;
}

/** MD25: `UNKNOWN` placeholders from old setuptools. */
export function checkPlaceholders(scope: MdScope): Finding[] {
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const header of scope.md.headers) {
    const key = header.name.toLowerCase();
    if (seen.has(key) || header.value.trim() !== PLACEHOLDER) continue;
    seen.add(key);
    findings.push(
      report(scope, "MD25", `${header.name} is the placeholder "UNKNOWN"`, {
        field: header.name,
        line: header.line,
      }),
    );
  }
  if (!seen.has("description") && scope.md.body?.trim() === PLACEHOLDER) {
    findings.push(
      report(scope, "MD25", 'the description body is the placeholder "UNKNOWN"', { field: "Description" }),
    );
  }
  return findings;
}

const MULTI_LINE = new Set(["Description", "License", "Summary"]);

/** MD27: folded or line-separated values in fields that must be one line (Summary is MD08's). */
export function checkFolding(scope: MdScope): Finding[] {
  const findings: Finding[] = [];
  for (const header of scope.md.headers) {
    const spec = fieldSpec(header.name);
    if (spec === undefined || MULTI_LINE.has(spec.name) || header.invalidUtf8 === true) continue;
    const at = { field: spec.name, line: header.line };
    if ((header.continuations ?? 0) > 0) {
      findings.push(
        report(
          scope,
          "MD27",
          `${header.name} ${quote(header.value)} is folded over ${(header.continuations ?? 0) + 1} lines`,
          at,
        ),
      );
    } else if (LINE_BOUNDARY.test(header.value)) {
      findings.push(
        report(
          scope,
          "MD27",
          `${header.name} ${quote(header.value)} contains a line-separator character`,
          at,
        ),
      );
    }
  }
  return findings;
}
