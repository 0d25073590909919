/**
 * The Markdown of `status diff --format markdown` (a pull-request or issue body) and of the
 * release-notes section `status decide` writes. Every text from a finding is escaped (a scanner's
 * message is not trusted Markdown: no links, mentions, HTML or table breaks get through) and
 * capped, so a flood of findings still makes a body GitHub accepts.
 */
import { SlipwayError } from "../../errors.ts";
import { compareVersions, parseVersion } from "../pep440/version.ts";
import { CHANGE_KINDS, type ChangeKind, countChanges, type StatusChange, type StatusDiff } from "./diff.ts";
import type { StatusFinding } from "./document.ts";

/** GitHub refuses an issue body over 65,536 characters; this leaves room for a header. */
export const MAX_MARKDOWN = 60_000;
/** Changes listed per kind before "and N more". */
export const MAX_LISTED = 100;
/** Characters of one finding's message. */
const MAX_MESSAGE = 200;

/** `text` as literal Markdown inline text: one line, punctuation escaped, mentions and HTML defused. */
export function escapeMarkdown(text: string, max = MAX_MESSAGE): string {
  let line = text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, " ").trim();
  if ([...line].length > max) line = `${[...line].slice(0, max - 1).join("")}…`;
  return line.replace(/[\\`*_[\]<>|~&]/g, (c) => `\\${c}`).replace(/@/g, "@\u200b");
}

const HEADINGS: Record<ChangeKind, string> = {
  new: "New",
  "severity-changed": "Severity changed",
  "fix-available": "Fix now available",
  "ignore-expired": "Ignore expired",
  resolved: "Resolved",
};

function findingLine(change: StatusChange): string {
  const f = change.finding;
  const id = escapeMarkdown(f.id, 80);
  const ref = f.url !== undefined && /^https:\/\/[^\s()<>]+$/.test(f.url) ? `[${id}](${f.url})` : `**${id}**`;
  const where =
    f.package !== undefined
      ? `${escapeMarkdown(f.package.name, 80)} ${escapeMarkdown(f.package.version, 40)} (${f.package.runtime ? "runtime" : "dev"})`
      : `\`${f.location.file.replace(/[`\n\r]/g, "?").slice(0, 120)}\``;
  const level = change.kind === "severity-changed" ? `${change.from} → ${f.level}` : f.level;
  const fix = typeof f.fixedIn === "string" ? `, fixed in ${escapeMarkdown(f.fixedIn, 40)}` : "";
  const expired = change.expired === undefined ? "" : `, ignore expired ${change.expired}`;
  return `- ${ref} (${level}${fix}${expired}) in ${where}: ${escapeMarkdown(f.message)}`;
}

/** The diff as a Markdown body: a summary line and a section per kind of change. */
export function renderDiffMarkdown(diff: StatusDiff): string {
  const counts = countChanges(diff);
  const parts = [
    `## Security status of ${escapeMarkdown(diff.project, 100)}`,
    "",
    `Between ${diff.from} and ${diff.to}: ${CHANGE_KINDS.map((k) => `${counts[k]} ${HEADINGS[k].toLowerCase()}`).join(", ")}; ${diff.unchanged} unchanged.`,
  ];
  let size = parts.join("\n").length;
  for (const kind of CHANGE_KINDS) {
    const changes = diff.changes.filter((c) => c.kind === kind);
    if (changes.length === 0) continue;
    const section = ["", `### ${HEADINGS[kind]} (${changes.length})`, ""];
    let listed = 0;
    for (const change of changes.slice(0, MAX_LISTED)) {
      const line = findingLine(change);
      if (size + line.length + 200 > MAX_MARKDOWN) break;
      section.push(line);
      size += line.length + 1;
      listed += 1;
    }
    if (listed < changes.length)
      section.push(`- … and ${changes.length - listed} more (see \`slipway status diff --json\`)`);
    // biome-ignore lint/plugin/no-call-spread: MAX_LISTED lines and a heading at most
    parts.push(...section);
    size += 60;
  }
  return `${parts.join("\n")}\n`;
}

/** The highest of the versions, by PEP 440 (text order for what does not parse). */
function highest(versions: readonly string[]): string | undefined {
  return [...versions].sort((a, b) => {
    const va = parseVersion(a);
    const vb = parseVersion(b);
    return va !== undefined && vb !== undefined ? compareVersions(vb, va) : b < a ? -1 : b > a ? 1 : 0;
  })[0];
}

function advisory(f: StatusFinding): string {
  return `${escapeMarkdown(f.id, 80)}, ${f.level}`;
}

/**
 * The release-notes section for the changes a release acts on: one bullet per package bumped
 * (to the highest fixed version among its advisories), one per dependency finding resolved in
 * the tree, one per secret removed from the distributions. Empty when there is none.
 */
export function renderSecurityNotes(changes: readonly StatusChange[]): string {
  const bumps = new Map<string, StatusFinding[]>();
  const lines: string[] = [];
  for (const { kind, finding } of changes) {
    if (finding.package !== undefined && typeof finding.fixedIn === "string" && kind !== "resolved") {
      const list = bumps.get(finding.package.name) ?? [];
      list.push(finding);
      bumps.set(finding.package.name, list);
    } else if (finding.package !== undefined && kind === "resolved") {
      lines.push(
        `- moves off ${escapeMarkdown(finding.package.name, 80)} ${escapeMarkdown(finding.package.version, 40)} (${advisory(finding)})`,
      );
    } else if (finding.source === "secrets") {
      lines.push(
        `- removes a credential that shipped in the distributions (${advisory(finding)}); it has been revoked`,
      );
    }
  }
  const bumpLines = [...bumps]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, findings]) => {
      const to = highest(findings.map((f) => f.fixedIn as string)) ?? "";
      const ids = [...new Set(findings.map(advisory))].join("; ");
      return `- bumps ${escapeMarkdown(name, 80)} to ${escapeMarkdown(to, 40)} (${ids})`;
    });
  const all = [...bumpLines, ...lines];
  return all.length === 0 ? "" : `### Security\n\n${all.join("\n")}\n`;
}

/** A notes file larger than this is refused (`release --security-notes`). */
export const MAX_NOTES_BYTES = 64 * 1024;
/** Bullets a notes file may hold. */
const MAX_NOTES_ITEMS = 500;

/**
 * The bullets of a security-notes file (what `status decide --notes` writes, or one written by
 * hand): an optional `Security` heading, then `- ` or `* ` bullets, each with indented
 * continuation lines; blank lines between. Anything else (another heading, a paragraph, HTML, a
 * control character) is a usage error naming the file and the line: the file goes into the
 * changelog verbatim, so it must be just that list. An empty file gives no bullets.
 */
export function parseSecurityNotes(text: string, name: string): string[] {
  const fail = (line: number, what: string): never => {
    throw new SlipwayError("usage", `${name}:${line}: ${what}`, {
      hint: "give the Markdown section `slipway status decide --notes FILE` writes: an optional '### Security' heading and '- ' bullets",
    });
  };
  if (text.includes("\ufffd")) fail(1, "is not UTF-8 text");
  const items: string[] = [];
  const lines = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split(/\r?\n/);
  let sawHeading = false;
  lines.forEach((line, i) => {
    const n = i + 1;
    if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(line))
      fail(n, "holds a control character: not Markdown text");
    if (line.trim() === "") return;
    if (/(?<!\\)<[a-zA-Z!/?]/.test(line)) fail(n, "holds raw HTML: the notes are Markdown text");
    if (/^#{1,6}\s+Security\s*#*\s*$/i.test(line)) {
      if (sawHeading || items.length > 0) fail(n, "a second heading: the notes are one section");
      sawHeading = true;
      return;
    }
    const bullet = /^[-*]\s+(\S.*)$/.exec(line);
    if (bullet !== null) {
      if (items.length >= MAX_NOTES_ITEMS) fail(n, `more than ${MAX_NOTES_ITEMS} bullets`);
      items.push((bullet[1] as string).trimEnd());
      return;
    }
    if (/^\s{2,}\S/.test(line) && items.length > 0) {
      items[items.length - 1] += `\n  ${line.trim()}`;
      return;
    }
    fail(
      n,
      /^#/.test(line)
        ? "a heading other than 'Security'"
        : "neither a bullet nor a bullet's indented continuation",
    );
  });
  return items;
}
