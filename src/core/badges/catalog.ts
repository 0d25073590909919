/**
 * Which badges a Python project shows, and what each says, from data read elsewhere: the project
 * table, the tools configured, the gates' last result and the SecurityStatus summary. Pure. A
 * source that is absent or could not be read gives "unknown" (grey), never "passing".
 * The URLs and SVGs are core/badges/render.ts's; this module only decides the badges.
 */
import { SlipwayError } from "../../errors.ts";
import { parseSpecifierSet, specifierSetContains } from "../pep440/specifier.ts";
import { get, isTable, type TomlTable } from "../pyproject/access.ts";
import type { Grade } from "../status/document.ts";
import { GRADE_COLORS } from "../status/grade.ts";
import { parseSecurityStatus } from "../status/stored.ts";
import type { Badge } from "./render.ts";

export type BadgeId =
  | "quality-gate"
  | "security"
  | "python"
  | "license"
  | "pypi-version"
  | "pypi-downloads"
  | "code-style"
  | "types";

export type GatesResult = "passing" | "failing";

/** What the security badge needs of a SecurityStatus document. */
export interface SecuritySummary {
  grade: string;
  critical: number;
  high: number;
}

/** Open code-scanning alerts by security severity (GitHub's REST API). */
export interface AlertCounts {
  critical: number;
  high: number;
  medium: number;
  low: number;
}

export interface BadgeInputs {
  /** `[project]` of pyproject.toml (empty when there is none). */
  project: TomlTable;
  /** The tools configured: `ruff`, `mypy`, `pyright` (from pyproject tables and config files). */
  tools: ReadonlySet<string>;
  gates?: GatesResult | undefined;
  security?: SecuritySummary | undefined;
  /** GitHub's code-scanning alerts, when asked for; "unreachable" when they could not be read. */
  codeScanning?: AlertCounts | "unreachable" | undefined;
  /** The published status site: the security badge then uses its endpoint JSON. */
  siteUrl?: string | undefined;
}

/** One badge: fixed (computable offline) or served by shields from the index (URL only). */
export interface CatalogBadge {
  id: BadgeId;
  /** The image's alternative text. */
  alt: string;
  /** Where the badge links to, when anywhere. */
  link?: string;
  /** A badge whose message is known here: shields' static URL, or a local SVG. */
  badge?: Badge;
  /** A badge shields computes (PyPI version, downloads): its dynamic URL; no SVG offline. */
  dynamicUrl?: string;
  /** The shields endpoint JSON this badge is published as (the status site). */
  endpointJson?: string;
}

const UNKNOWN = "lightgrey";

/** The minor versions a badge considers (3.0–3.30; Python 2 only when a classifier names it). */
const MINORS = Array.from({ length: 31 }, (_, i) => `3.${i}`);

/** Python versions from `Programming Language :: Python :: X.Y` classifiers, in order. */
function classifierVersions(classifiers: readonly string[]): string[] {
  const found = classifiers
    .map((c) => /^Programming Language :: Python :: (\d+\.\d+)$/.exec(c.trim())?.[1])
    .filter((v): v is string => v !== undefined);
  const order = (v: string) => v.split(".").map(Number) as [number, number];
  return [...new Set(found)].sort((a, b) => order(a)[0] - order(b)[0] || order(a)[1] - order(b)[1]);
}

/**
 * The badge message for `requires-python`: the minor versions it admits, as `3.9 | 3.10 | ...`,
 * or `>=3.9` when it has no upper bound. A minor counts when any of its releases matches.
 */
function requiresPythonMessage(text: string): string | undefined {
  const parsed = parseSpecifierSet(text);
  if (!parsed.ok) return undefined;
  const admits = (minor: string) =>
    [`${minor}.0`, `${minor}.99`].some((v) => specifierSetContains(parsed.value, v, { prereleases: false }));
  const matched = MINORS.filter(admits);
  if (matched.length === 0) return undefined;
  if (matched.at(-1) === MINORS.at(-1)) return `>=${matched[0]}`;
  return matched.join(" | ");
}

/** One line of at most 60 characters: a badge shows a name, not a text. */
function oneLine(text: string | undefined): string | undefined {
  const line = text?.replace(/\s+/g, " ").trim();
  return line ? (line.length > 60 ? `${line.slice(0, 59)}…` : line) : undefined;
}

function licenseMessage(project: TomlTable): string | undefined {
  return oneLine(licenseText(project));
}

function licenseText(project: TomlTable): string | undefined {
  const license = get(project, "license");
  if (typeof license === "string" && license.trim() !== "") return license.trim();
  if (isTable(license)) {
    const text = get(license, "text");
    // A short one-line text is a name ("MIT"); a whole licence text is not a badge.
    if (typeof text === "string" && text.trim() !== "" && text.trim().length <= 40 && !text.includes("\n")) {
      return text.trim();
    }
  }
  const classifiers = stringList(get(project, "classifiers"));
  const fromClassifier = classifiers
    .find((c) => c.startsWith("License :: "))
    ?.split(" :: ")
    .at(-1);
  return fromClassifier?.trim() || undefined;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/** The normalized project name (PEP 503), safe in a URL path. */
function normalizedName(project: TomlTable): string | undefined {
  const name = get(project, "name");
  if (typeof name !== "string" || !/^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/.test(name)) return undefined;
  return name.toLowerCase().replace(/[-_.]+/g, "-");
}

/**
 * The eight badges, in the order a README shows them: quality gate, security, Python versions,
 * licence, PyPI version, monthly downloads, code style (only with ruff configured) and type
 * checking (only with mypy or pyright configured). Without a project name the PyPI badges are
 * left out (there is nothing to ask shields about).
 */
export function assembleBadges(inputs: BadgeInputs): CatalogBadge[] {
  const badges: CatalogBadge[] = [];
  const gate = inputs.gates;
  badges.push({
    id: "quality-gate",
    alt: `quality gate: ${gate ?? "unknown"}`,
    badge: {
      label: "quality gate",
      message: gate ?? "unknown",
      color: gate === "passing" ? "brightgreen" : gate === "failing" ? "red" : UNKNOWN,
    },
  });
  const securityBadge = assembleSecurityBadge(inputs.security, inputs.codeScanning);
  const site = inputs.siteUrl?.replace(/\/+$/, "");
  badges.push({
    id: "security",
    alt: `security: ${securityBadge.message}`,
    badge: securityBadge,
    ...(site === undefined ? {} : { link: `${site}/`, endpointJson: `${site}/badge/security.json` }),
  });
  const project = inputs.project;
  const classifiers = stringList(get(project, "classifiers"));
  const fromClassifiers = classifierVersions(classifiers);
  const requires = get(project, "requires-python");
  const python =
    fromClassifiers.length > 0
      ? fromClassifiers.join(" | ")
      : typeof requires === "string"
        ? requiresPythonMessage(requires)
        : undefined;
  badges.push({
    id: "python",
    alt: `python: ${python ?? "unknown"}`,
    badge: { label: "python", message: python ?? "unknown", color: python === undefined ? UNKNOWN : "blue" },
  });
  const license = licenseMessage(project);
  badges.push({
    id: "license",
    alt: `license: ${license ?? "unknown"}`,
    badge: {
      label: "license",
      message: license ?? "unknown",
      color: license === undefined ? UNKNOWN : "blue",
    },
  });
  const name = normalizedName(project);
  if (name !== undefined) {
    const link = `https://pypi.org/project/${name}/`;
    badges.push({
      id: "pypi-version",
      alt: "PyPI version",
      link,
      dynamicUrl: `https://img.shields.io/pypi/v/${name}`,
    });
    badges.push({
      id: "pypi-downloads",
      alt: "PyPI downloads per month",
      link,
      dynamicUrl: `https://img.shields.io/pypi/dm/${name}`,
    });
  }
  if (inputs.tools.has("ruff")) {
    badges.push({
      id: "code-style",
      alt: "code style: ruff",
      link: "https://github.com/astral-sh/ruff",
      badge: { label: "code style", message: "ruff", color: "261230" },
    });
  }
  const checkers = ["mypy", "pyright"].filter((t) => inputs.tools.has(t));
  if (checkers.length > 0) {
    badges.push({
      id: "types",
      alt: `types: ${checkers.join(" | ")}`,
      badge: { label: "types", message: checkers.join(" | "), color: "blue" },
    });
  }
  return badges;
}

const COLOR_ORDER = ["brightgreen", "green", "yellowgreen", "yellow", "orange", "red"];

/**
 * The security badge: the status document's grade and open critical/high counts, joined with
 * the open code-scanning alerts when those were asked for. Any source asked for and not read
 * makes it "unknown": a partial picture is not shown as a good one.
 */
function assembleSecurityBadge(
  status: SecuritySummary | undefined,
  alerts: BadgeInputs["codeScanning"],
): Badge {
  const unknown = { label: "security", message: "unknown", color: UNKNOWN };
  if (alerts === "unreachable" || (status === undefined && alerts === undefined)) return unknown;
  if (alerts === undefined) {
    return {
      label: "security",
      message: securityMessage(status!),
      color: GRADE_COLORS[status!.grade as Grade] ?? UNKNOWN,
    };
  }
  const alertColor =
    alerts.critical > 0 ? "red" : alerts.high > 0 ? "orange" : alerts.medium > 0 ? "yellow" : "brightgreen";
  if (status === undefined) {
    const open = [
      alerts.critical > 0 ? `${alerts.critical} critical` : "",
      alerts.high > 0 ? `${alerts.high} high` : "",
    ].filter(Boolean);
    return {
      label: "security",
      message: open.length === 0 ? "no open alerts" : `${open.join(", ")} alerts`,
      color: alertColor,
    };
  }
  const joined = {
    grade: status.grade,
    critical: status.critical + alerts.critical,
    high: status.high + alerts.high,
  };
  const gradeColor = GRADE_COLORS[status.grade as Grade] ?? UNKNOWN;
  const color = COLOR_ORDER.indexOf(alertColor) > COLOR_ORDER.indexOf(gradeColor) ? alertColor : gradeColor;
  return { label: "security", message: securityMessage(joined), color };
}

function securityMessage(s: SecuritySummary): string {
  const open = [s.critical > 0 ? `${s.critical} critical` : "", s.high > 0 ? `${s.high} high` : ""].filter(
    Boolean,
  );
  return open.length === 0 ? `grade ${s.grade}` : `grade ${s.grade}, ${open.join(", ")}`;
}

/** The tools a pyproject table configures (`[tool.ruff]`, `[tool.mypy]`, `[tool.pyright]`). */
export function toolsInPyproject(pyproject: TomlTable): string[] {
  const tool = get(pyproject, "tool");
  return isTable(tool) ? ["ruff", "mypy", "pyright"].filter((t) => isTable(get(tool, t))) : [];
}

/**
 * The security summary of a SecurityStatus document's text (schema 1): its grade and open
 * critical and high counts. A minimal strict reader for the badge only; errors name the file
 * (and the line of a JSON syntax error).
 */
export function parseSecuritySummary(text: string, file: string): SecuritySummary {
  // The one strict reader of SecurityStatus documents (errors name the file and the JSON path).
  const doc = parseSecurityStatus(text, file);
  return { grade: doc.grade, critical: doc.counts.total.critical, high: doc.counts.total.high };
}

/** The gates' result from the record file's text (`{"schema": 1, "result": "passing"|"failing"}`). */
export function parseGatesRecord(text: string, file: string): GatesResult {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new SlipwayError("config", `${file}: not JSON`, {
      hint: 'write {"schema": 1, "result": "passing"}',
    });
  }
  const result = isTable(doc) && get(doc, "schema") === 1 ? get(doc, "result") : undefined;
  if (result !== "passing" && result !== "failing") {
    throw new SlipwayError(
      "config",
      `${file}: not a gates record (schema 1, result "passing" or "failing")`,
      {
        hint: 'write {"schema": 1, "result": "passing"}',
      },
    );
  }
  return result;
}

/** Where each badge's image comes from: shields (static, endpoint or dynamic URL) or a local SVG. */
export function badgeImageUrl(
  entry: CatalogBadge,
  urls: { staticUrl: (badge: Badge) => string; endpointUrl: (jsonUrl: string) => string },
  localSvg?: string,
): string {
  if (localSvg !== undefined) return localSvg;
  if (entry.dynamicUrl !== undefined) return entry.dynamicUrl;
  if (entry.endpointJson !== undefined) return urls.endpointUrl(entry.endpointJson);
  return urls.staticUrl(entry.badge!);
}

/** Alt text as Markdown link text: brackets and backslashes escaped. */
function markdownText(text: string): string {
  return text.replace(/[\\[\]]/g, (c) => `\\${c}`);
}

/**
 * The block's lines: Markdown images on one line each (one paragraph: shown side by side), or
 * reStructuredText substitutions (`|python|`) on one line and their image definitions below,
 * with the blank lines a comment marker needs around them. `images` maps each badge id to its URL.
 */
export function renderBadgeBlock(
  entries: readonly CatalogBadge[],
  format: "markdown" | "rst",
  images: ReadonlyMap<BadgeId, string>,
): string[] {
  if (format === "markdown") {
    return entries.map((e) => {
      const image = `![${markdownText(e.alt)}](${images.get(e.id)})`;
      return e.link === undefined ? image : `[${image}](${e.link})`;
    });
  }
  const lines = ["", entries.map((e) => `|${e.id}|`).join(" "), ""];
  for (const e of entries) {
    lines.push(`.. |${e.id}| image:: ${images.get(e.id)}`, `   :alt: ${e.alt}`);
    if (e.link !== undefined) lines.push(`   :target: ${e.link}`);
  }
  lines.push("");
  return lines;
}
