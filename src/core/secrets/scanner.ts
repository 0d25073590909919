/**
 * Scans one member's content for the SEC09/SEC11 patterns while it streams past, chunk by
 * chunk, without keeping it: a window of the last bytes carries matches across chunk edges.
 * Binary members (a NUL byte early on, git's heuristic) are skipped.
 */
import { Buffer } from "node:buffer";
import { type ArchiveIssue, issue, quote } from "../archive/issues.ts";
import type { ArtifactKind } from "../dist/artifact.ts";
import { CodeBlockTracker, type DocMarkup } from "./doc-blocks.ts";
import {
  benignReason,
  CONTENT_RULES,
  type ContentRule,
  looksLikePlaceholder,
  PARTNER_MARKERS,
  placeholderIn,
  redact,
} from "./patterns.ts";

/** Content bytes scanned per member; the rest of a huge text file is not read for secrets. */
export const SCAN_LIMIT = 8 * 1024 * 1024;
/** How far back a match may start in the previous chunk (longest token ~ 200 characters). */
const OVERLAP = 512;
/** Text is scanned in pieces of this many bytes. */
const PIECE = 64 * 1024;
/** A NUL in this many leading bytes marks a binary file. */
const SNIFF = 8000;

export interface ContentHit {
  rule: ContentRule;
  line: number;
  /** What a finding may show: redacted for secrets, the marker itself for SEC11. */
  shown: string;
  /** The line is inside a code block of a Markdown or reStructuredText document. */
  codeBlock: boolean;
  /** The placeholder word the match contains (`example`, `changeme`...), if any. */
  placeholder?: string;
}

/** How a member is scanned: as text, or as a document whose code blocks hold examples. */
export interface ScanOptions {
  /** Content bytes scanned (default SCAN_LIMIT). */
  limit?: number;
  /** Track the code blocks of a Markdown or reStructuredText document (see docMarkupOf). */
  markup?: DocMarkup | undefined;
}

/** How far before its anchor a match may start ("-----BEGIN OPENSSH " before "PRIVATE KEY"). */
const LOOKBACK = 64;

interface Compiled {
  /** Alternation of the anchors only: cheap enough to run over every byte. */
  prefilter: RegExp;
  regex: RegExp;
  rules: ContentRule[];
}

function compile(): Compiled {
  const partners = PARTNER_MARKERS.map(
    (m) => ({ id: "SEC11", what: m, source: escapeRegExp(m), anchor: "PYE FILE---" }) as ContentRule,
  );
  const all = [...CONTENT_RULES, ...partners];
  const anchors = [...new Set(all.map((r) => r.anchor))];
  return {
    prefilter: new RegExp(anchors.join("|"), "g"),
    regex: new RegExp(all.map((r, i) => `(?<r${i}>${r.source})`).join("|"), "g"),
    rules: all,
  };
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&");

let compiled: Compiled | undefined;

const countNewlines = (text: string, from: number, to: number): number => {
  let n = 0;
  for (let at = text.indexOf("\n", from); at >= 0 && at < to; at = text.indexOf("\n", at + 1)) n++;
  return n;
};

export class ContentScanner {
  private readonly limit: number;
  private scanned = 0;
  private isBinary = false;
  /** The previous window's text and where it started in the member. */
  private window = "";
  private windowStart = 0;
  /** Newlines before `windowStart`, and how far matches were already accepted. */
  private lineBase = 0;
  private acceptedTo = 0;
  /** Where in `window` the last scan stopped: the first anchor it left for later, or the end. */
  private resumeAt = 0;
  private readonly hits: {
    rule: ContentRule;
    offset: number;
    line: number;
    text: string;
    codeBlock: boolean;
  }[] = [];
  private readonly blocks: CodeBlockTracker | undefined;

  constructor(options: ScanOptions = {}) {
    this.limit = options.limit ?? SCAN_LIMIT;
    this.blocks = options.markup === undefined ? undefined : new CodeBlockTracker(options.markup);
  }

  get binary(): boolean {
    return this.isBinary;
  }

  push(chunk: Uint8Array): void {
    if (this.isBinary || this.scanned >= this.limit) return;
    if (this.scanned === 0 && chunk.subarray(0, SNIFF).indexOf(0) >= 0) {
      this.isBinary = true;
      return;
    }
    const part =
      chunk.length > this.limit - this.scanned ? chunk.subarray(0, this.limit - this.scanned) : chunk;
    this.scanned += part.length;
    // Pieces of at most PIECE bytes: their strings stay small, short-lived heap objects.
    for (let at = 0; at < part.length; at += PIECE) this.pushPiece(part.subarray(at, at + PIECE));
  }

  private pushPiece(piece: Uint8Array): void {
    const text = Buffer.from(piece.buffer, piece.byteOffset, piece.length).toString("latin1");
    // Keep only the tail of the previous window; its line count moves into lineBase.
    // The tail keeps LOOKBACK more than the anchors left for later: a match starts up to
    // LOOKBACK before its anchor ("-----BEGIN RSA " before "PRIVATE KEY"), and that prefix
    // must still be there when the anchor is scanned.
    const keep = Math.min(OVERLAP + LOOKBACK, this.window.length);
    const cut = this.window.length - keep;
    if (cut > 0) this.lineBase += countNewlines(this.window, 0, cut);
    this.windowStart += cut;
    this.window = keep === 0 ? text : this.window.slice(cut) + text;
    this.blocks?.forgetBefore(this.lineBase + 1);
    this.blocks?.feed(text);
    // Matches starting in the last OVERLAP characters may continue in the next piece.
    this.scan(this.window.length - OVERLAP, 0);
  }

  /** The hits, after the last window is scanned to its end. */
  finish(): ContentHit[] {
    // The window is the one the last piece scanned, so the scan resumes where that one stopped
    // (the same anchors in the same order as from the start, without the second pass).
    if (!this.isBinary) this.scan(this.window.length, this.resumeAt);
    const names = new Set(this.hits.map((h) => h.rule.source));
    return this.hits
      .filter((h) => !PARTNER_MARKERS.includes(h.rule.what) || h.rule.requires !== undefined)
      .filter((h) => h.rule.requires === undefined || names.has(escapeRegExp(h.rule.requires)))
      .map((h) => {
        const placeholder = h.rule.id === "SEC09" ? placeholderIn(h.text) : undefined;
        const shown = h.rule.showMatch ? h.text : redact(h.text);
        const hit: ContentHit = { rule: h.rule, line: h.line, shown, codeBlock: h.codeBlock };
        return placeholder === undefined ? hit : { ...hit, placeholder };
      });
  }

  private scan(acceptBefore: number, start: number): void {
    compiled ??= compile();
    const { prefilter, regex, rules } = compiled;
    const text = this.window;
    this.resumeAt = text.length;
    if (start >= text.length) return;
    prefilter.lastIndex = start;
    for (let p = prefilter.exec(text); p !== null; p = prefilter.exec(text)) {
      const anchor = p.index;
      if (anchor >= acceptBefore) {
        this.resumeAt = anchor;
        break;
      }
      // Run the full patterns only on a small slice around the anchor.
      const from = Math.max(0, anchor - LOOKBACK);
      const slice = text.slice(from, Math.min(text.length, anchor + OVERLAP));
      regex.lastIndex = 0;
      for (let m = regex.exec(slice); m !== null; m = regex.exec(slice)) {
        const at = from + m.index;
        if (at > anchor) break;
        if (at + m[0].length <= anchor) continue;
        const offset = this.windowStart + at;
        const index = Object.values(m.groups ?? {}).findIndex((v) => v !== undefined);
        const rule = rules[index];
        if (offset >= this.acceptedTo && rule !== undefined && this.accept(rule, text, at, m[0])) {
          this.acceptedTo = offset + 1;
          const line = this.lineBase + countNewlines(text, 0, at) + 1;
          const codeBlock = this.blocks?.isCode(line) ?? false;
          this.hits.push({ rule, offset, line, text: m[0], codeBlock });
        }
        break;
      }
    }
  }

  private accept(rule: ContentRule, text: string, at: number, match: string): boolean {
    const boundary = rule.boundary;
    if (boundary !== undefined) {
      const before = text[at - 1];
      const after = text[at + match.length];
      if ((before !== undefined && boundary.test(before)) || (after !== undefined && boundary.test(after)))
        return false;
    }
    if (rule.randomFrom !== undefined && looksLikePlaceholder(match, rule.randomFrom)) return false;
    return true;
  }
}

/**
 * Issues for the hits in one member. Only the redacted form is shown. A secret in test or
 * documentation material, in a code block of a document, or with a placeholder value is a
 * warning whose hint says how to allow it; anywhere else it is an error.
 */
export function hitIssues(member: string, hits: readonly ContentHit[], kind: ArtifactKind): ArchiveIssue[] {
  // Paths as the project has them: an sdist's without its top directory (`name-1.0/`).
  const path = kind === "sdist" ? member.slice(member.indexOf("/") + 1) : member;
  return hits.map((hit) => {
    const where = `member ${quote(member)} line ${hit.line}`;
    if (hit.rule.id === "SEC11") {
      return issue("SEC11", `${where}: ${hit.rule.what} marker ${JSON.stringify(hit.shown)}`, {
        member,
        line: hit.line,
      });
    }
    const benign = benignReason(path, {
      codeBlock: hit.codeBlock,
      ...(hit.placeholder === undefined ? {} : { placeholder: hit.placeholder }),
    });
    const found = `${where}: looks like a ${hit.rule.what} (${hit.shown})`;
    if (benign === undefined) return issue("SEC09", found, { member, line: hit.line });
    return issue("SEC09", `${found} ${benign.why}`, {
      member,
      line: hit.line,
      severity: "warning",
      hint: benign.hint,
    });
  });
}

/** Scans a whole buffer at once (members read in one piece, tests). */
export function scanContent(bytes: Uint8Array, options: ScanOptions = {}): ContentHit[] {
  const scanner = new ContentScanner(options);
  scanner.push(bytes);
  return scanner.finish();
}
