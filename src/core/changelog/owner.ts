/**
 * Whose changelog it is. slipway writes Keep a Changelog entries into its `path` (CHANGELOG.md);
 * many projects keep theirs elsewhere or build it with another tool: click writes CHANGES.md,
 * requests HISTORY.md by hand, attrs and pluggy have towncrier build CHANGELOG.md and
 * CHANGELOG.rst from fragments. Writing there (or starting a second CHANGELOG.md) is not what
 * their maintainers expect, so without an explicit `[tool.slipway.changelog] path` such a
 * changelog is left alone and slipway says why.
 */
import { get, getString, getTable, type TomlTable } from "../pyproject/access.ts";

export type ChangelogOwner =
  | { kind: "slipway" }
  /** towncrier builds `file` from its fragments; `config` names where it is configured. */
  | { kind: "towncrier"; file: string; config: string }
  /** The project keeps its changelog in `file`, another file than slipway's path. */
  | { kind: "other"; file: string };

/** Top-level files that hold a project's changelog: CHANGES.md, HISTORY.rst, NEWS, ChangeLog… */
const CHANGELOG_FILE = /^(changes|changelog|history|news|release[-_]?notes)(\.(md|markdown|rst|txt))?$/i;

/** `[tool.towncrier]` of a parsed TOML document (pyproject.toml or towncrier.toml). */
function towncrierOf(document: TomlTable | undefined): TomlTable | undefined {
  return getTable(getTable(document, "tool"), "towncrier");
}

export function assessChangelogOwner(input: {
  pyproject: TomlTable;
  /** The project's `[tool.slipway.changelog] path` (default CHANGELOG.md). */
  path: string;
  /** Names of the files at the project's top. */
  files: readonly string[];
  /** towncrier.toml, parsed, when the project has one. */
  towncrierToml?: TomlTable;
}): ChangelogOwner {
  const slipway = getTable(getTable(input.pyproject, "tool"), "slipway");
  const configured = get(getTable(slipway, "changelog"), "path");
  if (configured !== undefined) return { kind: "slipway" };
  // towncrier reads towncrier.toml first, then pyproject.toml; its default file is NEWS.rst.
  const own = towncrierOf(input.towncrierToml);
  const towncrier = own ?? towncrierOf(input.pyproject);
  if (towncrier !== undefined) {
    const file = getString(towncrier, "filename") ?? "NEWS.rst";
    return {
      kind: "towncrier",
      file,
      config: own === undefined ? "[tool.towncrier] in pyproject.toml" : "towncrier.toml",
    };
  }
  if (input.files.includes(input.path)) return { kind: "slipway" };
  const other = input.files.filter((f) => CHANGELOG_FILE.test(f) && f !== input.path).sort()[0];
  return other === undefined ? { kind: "slipway" } : { kind: "other", file: other };
}

/** Why slipway does not write the changelog of `owner` (not `slipway`), and what to do instead. */
export function describeForeignChangelog(
  owner: Exclude<ChangelogOwner, { kind: "slipway" }>,
  options: { path: string; version: string },
): { why: string; todo: string } {
  // slipway writes Markdown: offering a reStructuredText or plain-text file to it would break it.
  const optIn = /\.(md|markdown)$/i.test(owner.file)
    ? ` (to have slipway write it instead, set [tool.slipway.changelog] path = "${owner.file}")`
    : "";
  if (owner.kind === "towncrier") {
    return {
      why: `towncrier builds ${owner.file} here (${owner.config}), from its fragments; an entry written by slipway would bypass them`,
      todo: `run 'towncrier build --version ${options.version}' and commit it${optIn}`,
    };
  }
  return {
    why: `this project keeps its changelog in ${owner.file}; slipway writes Keep a Changelog entries to ${options.path}, which would start a second one`,
    todo: `update ${owner.file} as usual${optIn.replace(")", ", if it is Keep a Changelog Markdown)")}`,
  };
}
