import assert from "node:assert/strict";
import { test } from "node:test";
import { parseCommits } from "../../src/core/changelog/commits.ts";
import { mergeChanges, parseFragments } from "../../src/core/changelog/fragments.ts";
import { assembleEntry, renderEntry } from "../../src/core/changelog/keep-a-changelog.ts";

test("parseFragments reads <id>.<type>.md, orphans and counters, in id order; reports the rest", () => {
  const parsed = parseFragments([
    { name: "12.fixed.md", text: "Retry uploads on 503.\n" },
    { name: "+cli-rework.changed.md", text: "The CLI prints a task list." },
    { name: "3.added.md", text: "- `--json` for `check`\n- `--json` for `build`\n  on two lines\n" },
    { name: "3.added.2.md", text: "Another fragment for #3." },
    { name: "README.md", text: "How to write fragments." },
    { name: ".gitkeep", text: "" },
    { name: "14.feature.md", text: "towncrier type" },
    { name: "15.fixed.md", text: "  \n" },
    { name: "notes.txt", text: "x" },
  ]);
  assert.deepEqual(
    parsed.changes.map((c) => [c.section, c.description, c.origin.kind === "fragment" ? c.origin.id : ""]),
    [
      ["Added", "`--json` for `check`", "3"],
      ["Added", "`--json` for `build`\non two lines", "3"],
      ["Added", "Another fragment for #3.", "3"],
      ["Fixed", "Retry uploads on 503.", "12"],
      ["Changed", "The CLI prints a task list.", undefined],
    ],
  );
  assert.deepEqual(parsed.used, ["3.added.md", "3.added.2.md", "12.fixed.md", "+cli-rework.changed.md"]);
  assert.deepEqual(
    parsed.problems.map((p) => p.file),
    ["14.feature.md", "15.fixed.md", "notes.txt"],
  );
  assert.match(parsed.problems[0]!.message, /unknown fragment type "feature"; use one of added, changed/);
});

test("fragments come first within a section and identical bullets are listed once", () => {
  const fragments = parseFragments([
    { name: "7.fixed.md", text: "Handle an empty README." },
    { name: "+x.security.md", text: "Tokens are redacted in errors." },
  ]).changes;
  const commits = parseCommits([
    { hash: "a".repeat(40), subject: "fix: crash on Windows paths", body: "" },
    { hash: "b".repeat(40), subject: "fix: handle an empty README", body: "" },
    { hash: "c".repeat(40), subject: "feat: add --json", body: "" },
  ]).changes;
  const merged = mergeChanges(fragments, commits);
  assert.deepEqual(
    merged.map((c) => c.description),
    ["Handle an empty README.", "Tokens are redacted in errors.", "crash on Windows paths", "add --json"],
  );
  const entry = assembleEntry(merged, {
    version: "1.3.0",
    date: "2026-11-22",
    issueUrl: "https://github.com/o/r/issues/{id}",
  });
  assert.equal(
    renderEntry(entry),
    [
      "## [1.3.0] - 2026-11-22",
      "",
      "### Added",
      "",
      "- add --json",
      "",
      "### Fixed",
      "",
      "- Handle an empty README. ([#7](https://github.com/o/r/issues/7))",
      "- crash on Windows paths",
      "",
      "### Security",
      "",
      "- Tokens are redacted in errors.",
      "",
    ].join("\n"),
  );
});

test("multi-line fragments render as one bullet with indented continuation lines", () => {
  const { changes } = parseFragments([
    { name: "9.changed.md", text: "First line.\r\n\r\nSecond paragraph.\r\n" },
  ]);
  const entry = assembleEntry(changes, { version: "1.0.1", date: "2026-11-22" });
  assert.equal(entry.sections[0]?.items[0]?.text, "First line.\n\n  Second paragraph. (#9)");
});
