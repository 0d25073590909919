/**
 * The tag format of a project that configures none, read from its release tags. Projects tag
 * `8.1.7` (click, attrs, httpx, pluggy), `v13.7.1` (rich), or in a monorepo `pkg-a-v1.0.0`,
 * `pkg-a/1.0.0`, `pkg-a-1.0.0`; assuming `v{version}` told a project with 53 plain tags it had
 * no release yet. Pure: the git adapter lists the tags.
 *
 * The rule (docs/version.md, "Tag format"):
 * 1. A tag is a release tag of the project when it is `<head><version>` with a public PEP 440
 *    version starting with a digit, and a head of `` or `v`, or the project's name (compared
 *    loosely: case, `-`, `_`, `.` ignored) followed by `-`, `_`, `/` or `@` and an optional `v`.
 * 2. A project in a subdirectory of its repository (a monorepo member) counts only the tags that
 *    name it, when there are any: an unprefixed tag there may be another project's.
 * 3. The format of the newest release wins: the one whose tags hold the highest version (a
 *    project that moved from `v1.2` to `1.3` follows its latest habit). When several formats
 *    hold that version, the one with more tags wins, then the shorter format.
 */
import { compareVersions, normalizeVersion, parseVersion, type Version } from "../pep440/version.ts";
import { parseTag } from "./tags.ts";

export type TagFormatSource = "configured" | "inferred" | "default";

export interface TagFormatDecision {
  /** `{version}` exactly once: `v{version}`, `{version}`, `pkg-a-v{version}`. */
  format: string;
  source: TagFormatSource;
  /** How many tags read as versions under `format`. */
  count: number;
  /** The tag with the highest version under `format`. */
  example: string | undefined;
  /** The project's tags in other formats, not used (largest group first). */
  others: { format: string; count: number; example: string }[];
}

export const DEFAULT_TAG_FORMAT = "v{version}";

/** Case, `-`, `_` and `.` ignored: `My_Pkg`, `my-pkg` and `mypkg` are one name. */
function looseName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, "");
}

const NAMED_HEAD = /^(.+?)([-_/@])(v?)$/;

/**
 * The format `tag` is written in and the normalized version it carries, when it is a release tag
 * of a project called one of `names`; undefined otherwise. The first split (from the left) whose
 * head is allowed wins, so `pkg-2-1.0` of project `pkg-2` reads as 1.0, never as `2-1.0`.
 */
export function readTagShape(
  tag: string,
  names: readonly string[],
): { format: string; version: string; named: boolean } | undefined {
  const loose = new Set(names.map(looseName));
  for (let i = 0; i < tag.length; i++) {
    const c = tag.charCodeAt(i);
    if (c < 48 || c > 57) continue;
    if (i > 0 && !/[-_/@v]/.test(tag[i - 1]!)) continue;
    const head = tag.slice(0, i);
    let named = false;
    if (head !== "" && head !== "v") {
      const m = NAMED_HEAD.exec(head);
      if (m === null || !loose.has(looseName(m[1]!))) continue;
      named = true;
    }
    const middle = tag.slice(i);
    const parsed = parseVersion(middle);
    if (parsed === undefined || parsed.local !== undefined) continue;
    return { format: `${head}{version}`, version: normalizeVersion(middle)!, named };
  }
  return undefined;
}

interface Group {
  format: string;
  named: boolean;
  count: number;
  best: { tag: string; version: Version };
}

/** The project's release tags grouped by format, each with its count and highest tag. */
function groupTags(tags: readonly string[], names: readonly string[]): Group[] {
  const groups = new Map<string, Group>();
  for (const tag of tags) {
    const shape = readTagShape(tag, names);
    if (shape === undefined) continue;
    const version = parseVersion(shape.version)!;
    const group = groups.get(shape.format);
    if (group === undefined) {
      groups.set(shape.format, {
        format: shape.format,
        named: shape.named,
        count: 1,
        best: { tag, version },
      });
    } else {
      group.count++;
      if (compareVersions(version, group.best.version) > 0) group.best = { tag, version };
    }
  }
  return [...groups.values()];
}

function othersThan(groups: readonly Group[], format: string): TagFormatDecision["others"] {
  return groups
    .filter((g) => g.format !== format)
    .sort((a, b) => b.count - a.count)
    .map((g) => ({ format: g.format, count: g.count, example: g.best.tag }));
}

/**
 * The tag format for a project that configures none (see the rule at the top of this file), from
 * every tag of the repository. `names`: the project's name and other names its tags may carry;
 * `nested`: the project is not at the repository's top level. `v{version}` (source `default`)
 * when no tag reads as a release of the project.
 */
export function inferTagFormat(input: {
  tags: readonly string[];
  names: readonly string[];
  nested: boolean;
}): TagFormatDecision {
  const all = groupTags(input.tags, input.names);
  const named = all.filter((g) => g.named);
  const competing = input.nested && named.length > 0 ? named : all;
  const ranked = [...competing].sort(
    (a, b) =>
      compareVersions(b.best.version, a.best.version) ||
      b.count - a.count ||
      a.format.length - b.format.length ||
      (a.format < b.format ? -1 : 1),
  );
  const winner = ranked[0];
  if (winner === undefined) {
    return { format: DEFAULT_TAG_FORMAT, source: "default", count: 0, example: undefined, others: [] };
  }
  return {
    format: winner.format,
    source: "inferred",
    count: winner.count,
    example: winner.best.tag,
    others: othersThan(all, winner.format),
  };
}

/**
 * The decision for a configured `tag-format`: how many tags it reads, and the project's tags in
 * other formats (a configured `v{version}` that reads none of 53 plain tags is worth saying).
 */
export function configuredTagFormat(
  format: string,
  input: { tags: readonly string[]; names: readonly string[] },
): TagFormatDecision {
  let count = 0;
  let best: { tag: string; version: Version } | undefined;
  for (const tag of input.tags) {
    const version = parseTag(format, tag);
    if (version === undefined) continue;
    count++;
    const parsed = parseVersion(version)!;
    if (best === undefined || compareVersions(parsed, best.version) > 0) best = { tag, version: parsed };
  }
  const others = othersThan(groupTags(input.tags, input.names), format);
  return { format, source: "configured", count, example: best?.tag, others };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** One line saying which tag format is used and why: for `version show`, plans and the docs. */
export function describeTagFormat(decision: TagFormatDecision): string {
  const { format, source, count, example, others } = decision;
  const ignored =
    others.length === 0
      ? ""
      : `; ignored: ${others.map((o) => `${plural(o.count, "tag")} like ${o.example}`).join(", ")}`;
  switch (source) {
    case "configured":
      return `tag format ${format} (configured in [tool.slipway] tag-format; ${plural(count, "tag")} match${count === 1 ? "es" : ""})`;
    case "inferred":
      return `tag format ${format} (inferred from ${plural(count, "tag")} like ${example}${ignored}; set [tool.slipway] tag-format to choose)`;
    case "default":
      return `tag format ${format} (the default: no tag reads as a release of this project)`;
  }
}

/**
 * A configured format that reads none of the project's tags while others do: worth a note, since
 * the last release then goes unseen.
 */
export function tagFormatMismatch(decision: TagFormatDecision): string | undefined {
  if (decision.source !== "configured" || decision.count > 0 || decision.others.length === 0)
    return undefined;
  const top = decision.others[0]!;
  return `[tool.slipway] tag-format "${decision.format}" matches no tag, but ${plural(top.count, "tag")} look like ${top.format} (e.g. ${top.example}): fix tag-format, or remove it to have it inferred`;
}
