/**
 * index.html of the status site: one self-contained page (inline CSS, no scripts, fonts or
 * images; a Content-Security-Policy that forbids them) with the grade, the counts, the trend as an
 * inline SVG sparkline and the table of open findings. Every string from the document is escaped:
 * findings carry text from scanned files and advisory feeds.
 */

import { maxOf } from "../arrays.ts";
import { escapeHtml } from "../html.ts";
import type { Grade, LevelCounts, SecurityStatus, StatusFinding, StatusLevel } from "./document.ts";
import { STATUS_LEVELS } from "./document.ts";

/** At most `max` characters (code points), with an ellipsis when cut: keeps hostile text from bloating the page. */
function clip(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join("")}…`;
}

/** Only absolute http(s) URLs become links: a finding's `url` may be `javascript:` or worse. */
export function safeHref(url: string | undefined): string | undefined {
  if (url === undefined || url.length > 2000) return undefined;
  return /^https?:\/\/[^\s"'<>\\`\u0000-\u001f\u007f]+$/i.test(url) ? url : undefined;
}

// Pale backgrounds with dark text: every pair passes WCAG AA (4.5:1) for normal text.
export const GRADE_STYLE: Record<Grade, { bg: string; fg: string; words: string }> = {
  A: { bg: "#d4f4dd", fg: "#0b4619", words: "no open findings above low" },
  B: { bg: "#e3f4cf", fg: "#2b4a08", words: "minor findings open" },
  C: { bg: "#fbf1c7", fg: "#5a4500", words: "moderate findings open" },
  D: { bg: "#fde2c8", fg: "#6b3000", words: "high findings open" },
  E: { bg: "#fbd5cf", fg: "#7a1b0c", words: "several high findings open" },
  F: { bg: "#f8c9d0", fg: "#7d0a1f", words: "critical findings open" },
};

export const LEVEL_COLOR: Record<StatusLevel, string> = {
  critical: "#9b0d22",
  high: "#a33a00",
  moderate: "#735700",
  low: "#2d5a10",
  info: "#40506a",
};

const CSS = `*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f24;background:#fff}
main{max-width:72rem;margin:0 auto;padding:1rem}
h1{font-size:1.6rem;margin:.5rem 0;overflow-wrap:anywhere}
h2{font-size:1.25rem;margin:1.5rem 0 .5rem}
a{color:#0a4fb0}
code{font:.9em ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;overflow-wrap:anywhere}
.meta{color:#3d4550;margin:0}
.grade{display:flex;flex-wrap:wrap;gap:1rem;align-items:center;padding:1rem;border-radius:.5rem;border:2px solid currentColor}
.grade strong{font-size:2.5rem;line-height:1}
.wrap{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;width:100%}
caption{text-align:left;font-weight:600;padding:.25rem 0}
th,td{text-align:left;vertical-align:top;padding:.4rem .5rem;border-bottom:1px solid #d0d7de;overflow-wrap:break-word}
.findings td{overflow-wrap:anywhere}
.findings td:nth-child(2){min-width:4.5rem}
.findings td:nth-child(5){min-width:6rem}
.findings td:first-child,.findings td:last-child{white-space:nowrap}
thead th{background:#f3f5f7}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
#counts th[scope=row]{overflow-wrap:anywhere;min-width:4.5rem}
.lvl{font-weight:700;text-transform:uppercase;font-size:.8rem}
.trend svg{max-width:100%;height:auto;display:block}
.small{font-size:.875rem;color:#3d4550}
@media (max-width:40rem){#counts th,#counts td{font-size:.8rem;padding:.25rem .2rem}
.findings td{min-width:0}
.findings thead{position:absolute;left:-9999px}
.findings tr{display:block;border-bottom:1px solid #d0d7de;padding:.5rem 0}
.findings td{display:block;border:0;padding:.1rem 0}
.findings td[data-label]::before{content:attr(data-label) ": ";font-weight:600}}
footer{margin:2rem 0 1rem;color:#3d4550;font-size:.875rem}`;

const CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

function levelLabel(level: StatusLevel): string {
  return `<span class="lvl" style="color:${LEVEL_COLOR[level]}">${level}</span>`;
}

function countsTable(doc: SecurityStatus): string {
  const head = STATUS_LEVELS.map((level) => `<th scope="col" class="n">${level}</th>`).join("");
  const row = (name: string, counts: LevelCounts, strong: boolean): string => {
    const cells = STATUS_LEVELS.map((level) => `<td class="n">${counts[level]}</td>`).join("");
    const label = strong ? `<strong>${escapeHtml(name)}</strong>` : escapeHtml(name);
    return `<tr><th scope="row">${label}</th>${cells}</tr>`;
  };
  const sources = Object.entries(doc.counts.bySource)
    .map(([name, counts]) => row(name, counts, false))
    .join("");
  return (
    `<div class="wrap"><table id="counts"><caption>Open findings by level and source</caption>` +
    `<thead><tr><th scope="col">Source</th>${head}</tr></thead>` +
    `<tbody>${sources}</tbody><tfoot>${row("All sources", doc.counts.total, true)}</tfoot></table></div>`
  );
}

function findingCells(finding: StatusFinding): string {
  const href = safeHref(finding.url);
  const id = escapeHtml(clip(finding.id, 120));
  const idHtml =
    href === undefined
      ? `<code>${id}</code>`
      : `<a href="${escapeHtml(href)}" rel="noreferrer"><code>${id}</code></a>`;
  const aliases =
    finding.aliases !== undefined && finding.aliases.length > 0
      ? `<br><span class="small">${escapeHtml(clip(finding.aliases.slice(0, 5).join(", "), 160))}</span>`
      : "";
  const where =
    escapeHtml(clip(finding.location.file, 160)) +
    (finding.location.line === undefined ? "" : `:${finding.location.line}`);
  const pkg = finding.package;
  const fix =
    pkg === undefined
      ? ""
      : `${escapeHtml(clip(`${pkg.name} ${pkg.version}`, 120))}${pkg.runtime ? "" : " (dev)"}` +
        (finding.fixedIn === undefined
          ? ""
          : finding.fixedIn === null
            ? "; no fix known"
            : `; fixed in ${escapeHtml(clip(finding.fixedIn, 60))}`);
  const ignored =
    finding.ignored === undefined
      ? ""
      : `<br><span class="small">ignored until ${escapeHtml(clip(finding.ignored.expires, 40))}: ${escapeHtml(clip(finding.ignored.reason, 160))}</span>`;
  return (
    `<td data-label="Level">${levelLabel(finding.level)}</td>` +
    `<td data-label="Source">${escapeHtml(clip(finding.source, 60))}</td>` +
    `<td data-label="Finding">${idHtml}${aliases}<br>${escapeHtml(clip(finding.message, 240))}${ignored}</td>` +
    `<td data-label="Where"><code>${where}</code></td>` +
    `<td data-label="Package">${fix === "" ? "—" : fix}</td>` +
    `<td data-label="First seen">${escapeHtml(clip(finding.firstSeen, 40))}</td>`
  );
}

/** The table shows the most severe findings up to here; the page stays small whatever the scans found. */
export const MAX_ROWS = 200;

function findingsTable(doc: SecurityStatus): string {
  if (doc.findings.length === 0) return `<p id="no-findings">No open findings.</p>`;
  const shown = doc.findings.slice(0, MAX_ROWS);
  const rows = shown.map((finding) => `<tr>${findingCells(finding)}</tr>`).join("");
  const rest = doc.findings.length - shown.length;
  const more =
    rest === 0
      ? ""
      : `<p id="more-findings">${rest} more (the least severe) are in <a href="index.json">index.json</a>.</p>`;
  const head = ["Level", "Source", "Finding", "Where", "Package", "First seen"]
    .map((name) => `<th scope="col">${name}</th>`)
    .join("");
  return (
    `<div class="wrap"><table id="findings" class="findings"><caption>Open findings (${doc.findings.length}), most severe first</caption>` +
    `<thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table></div>${more}`
  );
}

function openOf(counts: LevelCounts): number {
  return counts.critical + counts.high + counts.moderate + counts.low;
}

/** The trend as an inline SVG polyline of open findings (above info), with a text summary for everyone. */
function sparkline(trend: readonly SecurityStatus[]): string {
  const points = trend.slice(-365);
  const first = points[0];
  const last = points[points.length - 1];
  if (first === undefined || last === undefined) return "";
  const values = points.map((doc) => openOf(doc.counts.total));
  const highest = maxOf(values);
  const max = Math.max(1, highest);
  const width = 300;
  const height = 60;
  const step = points.length > 1 ? (width - 8) / (points.length - 1) : 0;
  const xy = values.map((value, i) => [4 + i * step, 4 + (height - 8) * (1 - value / max)] as const);
  const line = xy.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(" ");
  const [lx, ly] = xy[xy.length - 1] ?? [0, 0];
  const summary =
    points.length === 1
      ? `One document so far: ${values[0]} open findings, grade ${escapeHtml(last.grade)}.`
      : `From ${escapeHtml(first.generatedAt.slice(0, 10))} to ${escapeHtml(last.generatedAt.slice(0, 10))} (${points.length} documents): ` +
        `open findings ${values[0]} → ${values[values.length - 1]}, at most ${highest}; grade ${escapeHtml(first.grade)} → ${escapeHtml(last.grade)}.`;
  return (
    `<section class="trend" aria-labelledby="trend-h"><h2 id="trend-h">Trend</h2>` +
    `<svg id="sparkline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="spark-t">` +
    `<title id="spark-t">Open findings over time, ${points.length} documents</title>` +
    `<line x1="0" y1="${height - 4}" x2="${width}" y2="${height - 4}" stroke="#d0d7de"/>` +
    `<polyline fill="none" stroke="#0a4fb0" stroke-width="2" points="${line}"/>` +
    `<circle cx="${lx.toFixed(1)}" cy="${ly.toFixed(1)}" r="3" fill="#0a4fb0"/></svg>` +
    `<p id="trend-summary">${summary}</p></section>`
  );
}

function scannersList(doc: SecurityStatus): string {
  if (doc.scanners.length === 0) return "";
  const items = doc.scanners
    .map((scanner) => {
      const parts = [
        scanner.version === undefined ? "" : ` ${scanner.version}`,
        scanner.database === undefined ? "" : ` (database ${scanner.database})`,
      ];
      return `<li>${escapeHtml(clip(scanner.name + parts.join(""), 200))}</li>`;
    })
    .join("");
  return `<section aria-labelledby="scanners-h"><h2 id="scanners-h">Scanners</h2><ul>${items}</ul></section>`;
}

/** index.html for `doc`, with `trend` (oldest first, ending with `doc`) drawn as the sparkline. */
export function renderStatusPage(doc: SecurityStatus, trend: readonly SecurityStatus[]): string {
  const name = escapeHtml(clip(doc.project.name, 100));
  const grade = GRADE_STYLE[doc.grade];
  const versions = [
    `version on the index: ${doc.project.version === null ? "not published" : escapeHtml(clip(doc.project.version, 60))}`,
    doc.project.sourceVersion === null
      ? ""
      : `in the source: ${escapeHtml(clip(doc.project.sourceVersion, 60))}`,
    doc.commit === null ? "" : `commit <code>${escapeHtml(doc.commit.slice(0, 12))}</code>`,
  ].filter((part) => part !== "");
  const days =
    doc.daysSinceHighOrCritical === null
      ? "No high or critical finding on record."
      : doc.daysSinceHighOrCritical === 0
        ? "A high or critical finding is open now."
        : `${doc.daysSinceHighOrCritical} days since a high or critical finding was last open.`;
  const total = doc.counts.total;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<title>${name}: security status</title>
<style>${CSS}</style>
</head>
<body>
<main>
<header><h1>${name}: security status</h1>
<p class="meta">${versions.join(" · ")}</p>
<p class="meta">Generated <time datetime="${escapeHtml(doc.generatedAt)}">${escapeHtml(doc.generatedAt)}</time></p></header>
<section aria-labelledby="grade-h"><h2 id="grade-h">Grade</h2>
<div id="grade" class="grade" style="background:${grade.bg};color:${grade.fg}"><strong aria-hidden="true">${doc.grade}</strong><span>Grade ${doc.grade}: ${grade.words}. ${openOf(total)} open above info (${total.critical} critical, ${total.high} high, ${total.moderate} moderate, ${total.low} low). ${days}</span></div></section>
<section aria-labelledby="counts-h"><h2 id="counts-h">Counts</h2>
${countsTable(doc)}</section>
${sparkline(trend)}
<section aria-labelledby="findings-h"><h2 id="findings-h">Open findings</h2>
${findingsTable(doc)}</section>
${scannersList(doc)}
<footer>The document: <a href="index.json">index.json</a> (SecurityStatus, schema 1). Badges: <a href="badge/security.svg">security</a>, <a href="badge/grade.svg">grade</a>, <a href="badge/findings.svg">findings</a> (shields endpoint JSON beside each). Generated by slipway.</footer>
</main>
</body>
</html>
`;
}
