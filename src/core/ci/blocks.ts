/**
 * slipway-marked blocks in a generated CI file, and the merge that keeps everything else:
 *
 *     # slipway:begin job.test 3f2a9c01b7de
 *       test:
 *         ...
 *     # slipway:end job.test
 *
 * The hash is of the block's lines as slipway wrote them: a block whose lines no longer match
 * it was edited by hand, and is not overwritten silently. Text outside the blocks (comments, a
 * job of the user's own under `jobs:`) is kept byte for byte.
 */

import { createHash } from "node:crypto";
import { pushAll } from "../arrays.ts";
import type { CiFileModel } from "./model.ts";
import { emitYaml } from "./yaml-emit.ts";

const BEGIN = /^(\s*)# slipway:begin ([A-Za-z0-9_.:-]+) ([0-9a-f]{12})\s*$/;
const END = /^\s*# slipway:end ([A-Za-z0-9_.:-]+)\s*$/;
const ANY_MARKER = /^\s*# slipway:(?:begin|end)\b/;

export interface RenderedBlock {
  id: string;
  /** The block's lines without markers. */
  lines: string[];
  indent: string;
}

export function blockHash(lines: readonly string[]): string {
  return createHash("sha256").update(lines.join("\n"), "utf8").digest("hex").slice(0, 12);
}

function renderBlock(block: RenderedBlock): string[] {
  return [
    `${block.indent}# slipway:begin ${block.id} ${blockHash(block.lines)}`,
    ...block.lines,
    `${block.indent}# slipway:end ${block.id}`,
  ];
}

/** The blocks of a file model, in order: the header (with `jobs:` when nested), then one per job. */
export function renderBlocks(model: CiFileModel): RenderedBlock[] {
  const header = emitYaml(model.header).split("\n");
  if (model.nested) header.push("jobs:");
  const indent = model.nested ? "  " : "";
  return [
    { id: "header", lines: header, indent: "" },
    ...model.jobs.map((job) => ({
      id: `job.${job.id}`,
      lines: emitYaml({ [job.id]: job.body }, indent.length).split("\n"),
      indent,
    })),
  ];
}

/** The whole text of a new file. */
export function renderFile(model: CiFileModel): string {
  const lines = [...model.preamble.map((l) => `# ${l}`)];
  for (const block of renderBlocks(model)) pushAll(lines, renderBlock(block));
  return `${lines.join("\n")}\n`;
}

type Segment =
  | { kind: "text"; lines: string[] }
  | { kind: "block"; id: string; hash: string; lines: string[] };

export type MarkerProblem = { line: number; message: string };

/** The segments of an existing file, or the first marker problem (1-based line). */
export function parseBlocks(
  text: string,
): { ok: true; segments: Segment[] } | { ok: false; problem: MarkerProblem } {
  const lines = text.endsWith("\n") ? text.slice(0, -1).split("\n") : text.split("\n");
  const segments: Segment[] = [];
  let open: { id: string; hash: string; lines: string[]; line: number } | undefined;
  let outside: string[] = [];
  const seen = new Set<string>();
  for (const [i, raw] of lines.entries()) {
    const line = raw.replace(/\r$/, "");
    const begin = BEGIN.exec(line);
    const end = END.exec(line);
    if (open !== undefined) {
      if (end !== null && end[1] === open.id) {
        segments.push({ kind: "block", id: open.id, hash: open.hash, lines: open.lines });
        open = undefined;
      } else if (ANY_MARKER.test(line)) {
        return {
          ok: false,
          problem: {
            line: i + 1,
            message: `a slipway marker inside block ${open.id} (opened on line ${open.line})`,
          },
        };
      } else open.lines.push(raw);
      continue;
    }
    if (begin !== null) {
      const id = begin[2]!;
      if (seen.has(id)) return { ok: false, problem: { line: i + 1, message: `block ${id} appears twice` } };
      seen.add(id);
      if (outside.length > 0) segments.push({ kind: "text", lines: outside });
      outside = [];
      open = { id, hash: begin[3]!, lines: [], line: i + 1 };
    } else if (ANY_MARKER.test(line)) {
      return {
        ok: false,
        problem: {
          line: i + 1,
          message: "a slipway:end with no matching slipway:begin, or a malformed marker",
        },
      };
    } else outside.push(raw);
  }
  if (open !== undefined) {
    return { ok: false, problem: { line: open.line, message: `block ${open.id} has no slipway:end` } };
  }
  if (outside.length > 0) segments.push({ kind: "text", lines: outside });
  return { ok: true, segments };
}

export type MergeResult =
  | { kind: "merged"; text: string }
  | { kind: "edited"; blocks: string[] }
  | { kind: "foreign" }
  | { kind: "broken"; problem: MarkerProblem };

/**
 * The file's new text: every slipway block replaced by its new rendering (blocks slipway no
 * longer generates removed, new ones inserted after the block that precedes them), everything
 * else kept. Refuses (`edited`) when a block was edited by hand, unless `force`; a file with no
 * block at all is `foreign` (not slipway's to merge into).
 */
export function mergeFile(
  existing: string,
  model: CiFileModel,
  options: { force?: boolean } = {},
): MergeResult {
  const parsed = parseBlocks(existing);
  if (!parsed.ok) return { kind: "broken", problem: parsed.problem };
  const blocks = parsed.segments.filter((s) => s.kind === "block");
  if (blocks.length === 0) return { kind: "foreign" };
  const edited = blocks.filter((b) => blockHash(b.lines) !== b.hash).map((b) => b.id);
  if (edited.length > 0 && !options.force) return { kind: "edited", blocks: edited };
  const fresh = renderBlocks(model);
  const byId = new Map(fresh.map((b) => [b.id, b]));
  const existingIds = new Set(blocks.map((b) => b.id));
  const out: string[] = [];
  const placed = new Set<string>();
  // New blocks go after the fresh block that precedes them; those before any existing one go first.
  const pendingAfter = new Map<string | undefined, RenderedBlock[]>();
  let previous: string | undefined;
  for (const block of fresh) {
    if (existingIds.has(block.id)) previous = block.id;
    else pendingAfter.set(previous, [...(pendingAfter.get(previous) ?? []), block]);
  }
  const emitPending = (after: string | undefined) => {
    for (const block of pendingAfter.get(after) ?? []) {
      pushAll(out, renderBlock(block));
      placed.add(block.id);
    }
  };
  let first = true;
  for (const segment of parsed.segments) {
    if (segment.kind === "text") {
      pushAll(out, segment.lines);
      continue;
    }
    if (first) emitPending(undefined);
    first = false;
    const block = byId.get(segment.id);
    if (block !== undefined) {
      pushAll(out, renderBlock(block));
      placed.add(block.id);
      emitPending(block.id);
    }
  }
  return { kind: "merged", text: `${out.join("\n")}\n` };
}
