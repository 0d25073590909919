import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { parseCommits } from "../../src/core/changelog/commits.ts";
import {
  assembleEntry,
  type ChangelogEntry,
  insertEntry,
  renderEntry,
  renderReleaseNotes,
} from "../../src/core/changelog/keep-a-changelog.ts";
import type { LinkOptions } from "../../src/core/changelog/links.ts";

const FIXTURES = fileURLToPath(new URL("../fixtures/changelog/", import.meta.url));

/** One release's worth of commits, shared by every fixture. */
function fixtureEntry(): ChangelogEntry {
  const history = parseCommits([
    { hash: "1a2b3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d", subject: "feat(cli): add `--json` output", body: "" },
    { hash: "2b3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d1a", subject: "fix: handle empty README", body: "" },
    {
      hash: "3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d1a2b",
      subject: "perf(build): reuse environments",
      body: "",
    },
    {
      hash: "4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d1a2b3c",
      subject: "refactor: require Python 3.10",
      body: "BREAKING CHANGE: Python 3.8 and 3.9 are no longer supported.",
    },
    {
      hash: "5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d1a2b3c4d",
      subject: "fix(security): redact tokens in errors",
      body: "",
    },
    { hash: "6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d1a2b3c4d5e", subject: "docs: explain stages", body: "" },
  ]);
  return assembleEntry(history.changes, { version: "1.2.0", date: "2026-11-22", showHashes: true });
}

interface Case {
  keptThrough?: string;
  past?: string;
  links?: LinkOptions;
}

const cases = readdirSync(FIXTURES, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

test("every changelog fixture case is exercised", () => {
  assert.deepEqual(cases, [
    "crlf",
    "empty",
    "hand-edited",
    "header-only",
    "link-references",
    "no-unreleased",
    "unreleased-content",
    "unreleased-empty",
  ]);
});

for (const name of cases) {
  test(`insertEntry: ${name}/before.md becomes after.md, bytes above the insertion point unchanged`, () => {
    const before = readFileSync(`${FIXTURES}${name}/before.md`, "utf8");
    const after = readFileSync(`${FIXTURES}${name}/after.md`, "utf8");
    const spec = JSON.parse(readFileSync(`${FIXTURES}${name}/case.json`, "utf8")) as Case;
    const result = insertEntry(before, fixtureEntry(), spec.links === undefined ? {} : { links: spec.links });
    assert.equal(result.status, "inserted");
    if (result.status !== "inserted") return;
    assert.equal(result.text, after);
    assert.ok(after.startsWith(before.slice(0, result.offset)));
    if (spec.keptThrough !== undefined) {
      // Everything through the end of that line (its line ending included) is byte-identical.
      const at = before.indexOf(spec.keptThrough);
      assert.ok(at >= 0, "keptThrough names a line of before.md");
      const lineEnd = before.indexOf("\n", at);
      const kept = before.slice(0, lineEnd < 0 ? before.length : lineEnd + 1);
      assert.ok(result.offset >= kept.length, `offset ${result.offset} < ${kept.length}`);
      assert.ok(after.startsWith(kept));
    }
    if (spec.past !== undefined) {
      // Past entries are copied verbatim (up to the link definitions, which may gain a line).
      const from = before.indexOf(spec.past);
      assert.ok(from >= 0, "past names a line of before.md");
      const links = before.slice(from).search(/^\[[^\]]+\]: /m);
      const past = before.slice(from, links < 0 ? before.length : from + links);
      assert.ok(after.includes(past), "past entries unchanged");
    }
  });
}

test("the CRLF fixture is CRLF and stays CRLF throughout", () => {
  const before = readFileSync(`${FIXTURES}crlf/before.md`, "utf8");
  const after = readFileSync(`${FIXTURES}crlf/after.md`, "utf8");
  assert.ok(before.includes("\r\n"));
  assert.doesNotMatch(after, /[^\r]\n/);
});

test("a missing file is created like an empty one, with the standard header", () => {
  const empty = insertEntry("", fixtureEntry());
  const missing = insertEntry(undefined, fixtureEntry());
  assert.deepEqual(missing, empty);
  assert.equal(missing.status, "inserted");
  if (missing.status !== "inserted") return;
  assert.ok(missing.created);
  assert.match(missing.text, /^# Changelog\n\n.*Keep a Changelog.*\n/s);
  assert.match(missing.text, /\n## \[Unreleased\]\n\n## \[1\.2\.0\] - 2026-11-22\n/);
  assert.ok(insertEntry("\r\n", fixtureEntry()).status === "inserted");
  const crlf = insertEntry("\r\n", fixtureEntry());
  if (crlf.status === "inserted") assert.doesNotMatch(crlf.text, /[^\r]\n/);
});

test("a version already in the file is reported, not inserted twice (resumed release)", () => {
  const text = "# Changelog\n\n## [Unreleased]\n\n## [v1.2] - 2026-11-22\n\n- Done.\n";
  assert.deepEqual(insertEntry(text, fixtureEntry()), { status: "exists", line: 5 });
  const inserted = insertEntry("# Changelog\n", fixtureEntry());
  assert.equal(inserted.status, "inserted");
  if (inserted.status !== "inserted") return;
  assert.deepEqual(insertEntry(inserted.text, fixtureEntry()), { status: "exists", line: 3 });
});

test("moved Unreleased content is part of the returned entry, so release notes carry it", () => {
  const before = readFileSync(`${FIXTURES}unreleased-content/before.md`, "utf8");
  const result = insertEntry(before, fixtureEntry());
  assert.equal(result.status, "inserted");
  if (result.status !== "inserted") return;
  assert.ok(result.movedUnreleased);
  const notes = renderReleaseNotes(result.entry);
  assert.match(notes, /^This release needs Python 3\.10\.\n\n### Added\n\n- A `--quiet` flag/);
  assert.match(notes, /### Notes for packagers\n\nThe wheel tag changed\.\n$/);
  // "Handle empty README" was written by hand and derived from a commit: listed once, hand-written first.
  assert.equal(notes.match(/handle empty README/gi)?.length, 1);
  assert.doesNotMatch(notes, /^## /m);
});

test("renderEntry: Keep a Changelog order, bold scopes, breaking notes indented under the bullet", () => {
  const text = renderEntry(fixtureEntry());
  const order = [...text.matchAll(/^### (\w+)$/gm)].map((m) => m[1]);
  assert.deepEqual(order, ["Added", "Changed", "Fixed", "Security"]);
  assert.match(text, /^## \[1\.2\.0\] - 2026-11-22\n/);
  assert.match(text, /^- \*\*cli\*\*: add `--json` output \(1a2b3c4\)$/m);
  assert.match(text, /^- \*\*Breaking:\*\* require Python 3\.10 \(4d5e6f7\)\n\n {2}Python 3\.8 and 3\.9/m);
  // The security scope is not repeated under Security.
  assert.match(text, /^### Security\n\n- redact tokens in errors \(5e6f7a8\)\n$/m);
  assert.doesNotMatch(text, /explain stages/);
  assert.equal(renderEntry(fixtureEntry(), { bracketed: false }).split("\n")[0], "## 1.2.0 - 2026-11-22");
});

test("an entry with nothing to list says so instead of rendering an empty heading", () => {
  const entry = assembleEntry([], { version: "1.2.1", date: "2026-11-23" });
  assert.equal(renderEntry(entry), "## [1.2.1] - 2026-11-23\n\nNo user-facing changes.\n");
  assert.equal(renderReleaseNotes(entry), "No user-facing changes.\n");
});

test("assembleEntry refuses a date that is not YYYY-MM-DD, and links hashes with a template", () => {
  assert.throws(() => assembleEntry([], { version: "1.0.0", date: "22/11/2026" }), /not an ISO 8601 date/);
  assert.throws(() => assembleEntry([], { version: "1.0.0", date: "2026-13-01" }), /not an ISO 8601 date/);
  const history = parseCommits([{ hash: "abcdef0123456789", subject: "fix: x", body: "" }]);
  const entry = assembleEntry(history.changes, {
    version: "1.0.1",
    date: "2026-11-22",
    commitUrl: "https://github.com/o/r/commit/{hash}",
  });
  assert.deepEqual(entry.sections, [
    {
      section: "Fixed",
      items: [{ text: "x ([abcdef0](https://github.com/o/r/commit/abcdef0123456789))", key: "x" }],
    },
  ]);
});

test("insertEntry ignores look-alike headings in code fences and rejects a template without placeholders", () => {
  const text = "# Changelog\n\n~~~\n## [Unreleased]\n## [0.1.0]\n~~~\n\n## [1.0.0] - 2026-01-01\n\n- x\n";
  const result = insertEntry(text, fixtureEntry());
  assert.equal(result.status, "inserted");
  if (result.status === "inserted") {
    assert.ok(result.text.startsWith(text.slice(0, text.indexOf("## [1.0.0]"))));
    assert.ok(!result.movedUnreleased);
    assert.match(result.text, /~~~\n\n## \[1\.2\.0\] - 2026-11-22\n/);
  }
  assert.throws(
    () => insertEntry(text, fixtureEntry(), { links: { compareUrl: "https://x/compare" } }),
    /lacks \{from\} or \{to\}/,
  );
});

test("HTML comments right under the Unreleased heading stay there; the entries below them move", () => {
  const text =
    "# Changelog\n\n## [Unreleased]\n\n<!-- add entries below -->\n\n### Added\n\n- x\n\n## [1.0.0]\n";
  const result = insertEntry(text, assembleEntry([], { version: "1.1.0", date: "2026-11-22" }));
  assert.equal(result.status, "inserted");
  if (result.status !== "inserted") return;
  assert.equal(
    result.text,
    "# Changelog\n\n## [Unreleased]\n\n<!-- add entries below -->\n\n## [1.1.0] - 2026-11-22\n\n### Added\n\n- x\n\n## [1.0.0]\n",
  );
  assert.ok(result.offset >= text.indexOf("-->") + 4);
});
