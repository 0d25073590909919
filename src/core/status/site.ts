/**
 * The static status site (`slipway status --site DIR`): a SecurityStatus document and the earlier
 * documents of its history rendered as files for GitHub Pages or any static host. Pure: the
 * result is a map of relative path → content that ops/status-site.ts writes. See
 * docs/status-site.md for the files and how to publish them.
 */
import { SlipwayError } from "../../errors.ts";
import { type Badge, renderBadgeSvg, shieldsEndpointJson } from "../badges/render.ts";
import { type LevelCounts, type SecurityStatus, STATUS_LEVELS } from "./document.ts";
import { GRADE_COLORS } from "./grade.ts";
import { renderStatusPage } from "./site-page.ts";

/** The file that marks a directory as a slipway status site (ops refuses any other full directory). */
export const SITE_MARKER = ".slipway-site.json";

export interface AssembleSiteOptions {
  /** The earlier documents, any order; those of another schema or shape are left out of the trend. */
  history?: readonly unknown[];
  /**
   * The document's text exactly as `slipway status` wrote it, so index.json is byte-identical to
   * it; without it the document is serialized with two-space indentation.
   */
  documentText?: string;
}

/** Findings open at a level that counts against the project (everything above info). */
export function openCount(counts: LevelCounts): number {
  return counts.critical + counts.high + counts.moderate + counts.low;
}

/** "none", or the non-zero levels above info, most severe first: "1 critical, 2 high". */
export function countsSummary(counts: LevelCounts): string {
  const parts = STATUS_LEVELS.filter((level) => level !== "info" && counts[level] > 0).map(
    (level) => `${counts[level]} ${level}`,
  );
  return parts.length === 0 ? "none" : parts.join(", ");
}

/**
 * The site's three badges: `security` (the grade and how many findings are open), `grade`, and
 * `findings` (the open findings per level, colored by the most severe).
 */
export function assembleStatusBadges(doc: SecurityStatus): {
  security: Badge;
  grade: Badge;
  findings: Badge;
} {
  const total = doc.counts.total;
  const open = openCount(total);
  const color = GRADE_COLORS[doc.grade];
  const worst =
    total.critical > 0
      ? "red"
      : total.high > 0
        ? "orange"
        : total.moderate > 0
          ? "yellow"
          : total.low > 0
            ? "yellowgreen"
            : "brightgreen";
  return {
    security: { label: "security", message: open === 0 ? doc.grade : `${doc.grade} · ${open} open`, color },
    grade: { label: "security grade", message: doc.grade, color },
    findings: { label: "open findings", message: countsSummary(total), color: worst },
  };
}

/** The history's documents of schema 1 that carry what the trend reads, oldest first, then `doc`. */
export function assembleTrend(doc: SecurityStatus, history: readonly unknown[]): SecurityStatus[] {
  const usable = history.filter(isTrendPoint);
  const byTime = new Map<string, SecurityStatus>();
  for (const entry of usable) byTime.set(entry.generatedAt, entry);
  byTime.set(doc.generatedAt, doc);
  return [...byTime.values()].sort((a, b) =>
    a.generatedAt < b.generatedAt ? -1 : a.generatedAt > b.generatedAt ? 1 : 0,
  );
}

function isTrendPoint(value: unknown): value is SecurityStatus {
  if (typeof value !== "object" || value === null) return false;
  const doc = value as Partial<SecurityStatus>;
  const total = doc.counts?.total as Partial<LevelCounts> | undefined;
  return (
    doc.schema === 1 &&
    typeof doc.generatedAt === "string" &&
    typeof doc.grade === "string" &&
    doc.grade in GRADE_COLORS &&
    typeof total === "object" &&
    total !== null &&
    STATUS_LEVELS.every((level) => Number.isSafeInteger(total[level]) && (total[level] ?? -1) >= 0)
  );
}

/**
 * The site's files by relative path: index.json (the document), index.html (the page),
 * badge/{security,grade,findings}.json (shields endpoint JSON) and .svg (offline badges), and the
 * marker that lets a later run replace them. Throws a SlipwayError for a document of another
 * schema.
 */
export function assembleStatusSite(
  doc: SecurityStatus,
  options: AssembleSiteOptions = {},
): Map<string, string> {
  if ((doc as { schema: unknown }).schema !== 1) {
    throw new SlipwayError(
      "usage",
      `the status site takes a SecurityStatus of schema 1, not ${JSON.stringify((doc as { schema: unknown }).schema)}`,
      { hint: "regenerate the document with this slipway's `slipway status`" },
    );
  }
  const trend = assembleTrend(doc, options.history ?? []);
  const badges = assembleStatusBadges(doc);
  const files = new Map<string, string>();
  files.set(SITE_MARKER, `${JSON.stringify({ generator: "slipway", site: 1 })}\n`);
  for (const [name, badge] of Object.entries(badges)) {
    files.set(`badge/${name}.json`, shieldsEndpointJson(badge));
    files.set(`badge/${name}.svg`, renderBadgeSvg(badge));
  }
  files.set("index.html", renderStatusPage(doc, trend));
  files.set("index.json", options.documentText ?? `${JSON.stringify(doc, null, 2)}\n`);
  return files;
}
