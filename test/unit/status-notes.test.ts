/**
 * `release --security-notes`: the notes file `status decide --notes` writes read back strictly
 * (core/status/notes.ts parseSecurityNotes), and its bullets put into the changelog entry's
 * Security section (core/changelog/plan.ts) without changing anything else of the entry.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { CommitRecord } from "../../src/core/changelog/commits.ts";
import { assembleChangelogPlan, type ChangelogInputs } from "../../src/core/changelog/plan.ts";
import { decideRelease } from "../../src/core/status/decide.ts";
import { assembleStatusDiff } from "../../src/core/status/diff.ts";
import { parseSecurityNotes } from "../../src/core/status/notes.ts";
import { parseSecurityPolicy } from "../../src/core/status/policy.ts";
import { parseSlipwayConfig } from "../../src/core/version/config.ts";
import { SlipwayError } from "../../src/errors.ts";
import { dep, doc } from "../helpers/status-docs.ts";

const HASH = (n: number) => String(n).repeat(40).slice(0, 40);
const COMMITS: CommitRecord[] = [
  { hash: HASH(1), subject: "fix(parser): handle empty input", body: "" },
  { hash: HASH(2), subject: "feat: a --quiet flag", body: "" },
];
const CHANGELOG = "# Changelog\n\n## [1.0.0] - 2026-04-01\n\n### Added\n\n- The first release\n";

function inputs(commits: CommitRecord[] = COMMITS): ChangelogInputs {
  return {
    config: parseSlipwayConfig({ tool: { slipway: {} } }).changelog,
    tagFormat: "v{version}",
    lastTag: { name: "v1.0.0", version: "1.0.0" },
    current: "1.0.0",
    commits,
    fragments: [],
    changelog: CHANGELOG,
  };
}

test("the notes decide writes read back as its bullets", () => {
  const diff = assembleStatusDiff(
    doc("2026-12-01", []),
    doc("2026-12-07", [dep("GHSA-j", "high", { pkg: "jinja2", fixedIn: "3.1.6" })]),
  );
  const { releaseNotes } = decideRelease(diff, parseSecurityPolicy(undefined), { publishedVersion: "1.0.0" });
  assert.deepEqual(parseSecurityNotes(releaseNotes, "security.md"), ["bumps jinja2 to 3.1.6 (GHSA-j, high)"]);
  assert.deepEqual(parseSecurityNotes("", "security.md"), []);
  assert.deepEqual(parseSecurityNotes("\ufeff* one\r\n  more of it\r\n\r\n- two\r\n", "s.md"), [
    "one\n  more of it",
    "two",
  ]);
});

test("a notes file that is not just the Security list is refused, naming the file and line", () => {
  const cases: [string, RegExp][] = [
    ["### Security\n\n- a\n\n## 2.0.0\n", /^s\.md:5: a heading other than 'Security'/],
    ["- a\nsome paragraph\n", /^s\.md:2: neither a bullet/],
    ["- a <script>alert(1)</script>\n", /^s\.md:1: holds raw HTML/],
    ["- a\u0007b\n", /^s\.md:1: holds a control character/],
    ["- \ufffd\n", /^s\.md:1: is not UTF-8 text/],
    ["### Security\n- a\n### Security\n", /^s\.md:3: a second heading/],
  ];
  for (const [text, message] of cases) {
    assert.throws(
      () => parseSecurityNotes(text, "s.md"),
      (e: unknown) => e instanceof SlipwayError && e.code === "usage" && message.test(e.message),
      String(message),
    );
  }
  assert.deepEqual(parseSecurityNotes("- escaped \\<b\\> is text\n", "s.md"), ["escaped \\<b\\> is text"]);
});

test("the bullets go into the entry's Security section; the rest of the entry is as without them", () => {
  const plain = assembleChangelogPlan(inputs(), { version: "1.0.1", date: "2026-12-07" });
  const plan = assembleChangelogPlan(inputs(), {
    version: "1.0.1",
    date: "2026-12-07",
    securityItems: ["bumps jinja2 to 3.1.6 (GHSA-j, high)"],
  });
  assert.equal(
    plan.entryText,
    `${plain.entryText}\n### Security\n\n- bumps jinja2 to 3.1.6 (GHSA-j, high)\n`,
  );
  assert.ok(plan.edit?.after.startsWith("# Changelog\n\n## [1.0.1] - 2026-12-07\n"));
  assert.ok(
    plan.edit?.after.endsWith(CHANGELOG.slice("# Changelog\n\n".length)),
    "past entries kept byte for byte",
  );
  assert.match(plan.releaseNotes, /### Security\n\n- bumps jinja2 to 3\.1\.6/);
  // A commit's own security fix and the notes share the one section.
  const withFix = assembleChangelogPlan(
    inputs([...COMMITS, { hash: HASH(3), subject: "security: escape the template name", body: "" }]),
    { version: "1.0.1", date: "2026-12-07", securityItems: ["bumps jinja2 to 3.1.6 (GHSA-j, high)"] },
  );
  assert.equal(withFix.entryText.match(/### Security/g)?.length ?? 0, 1);
  assert.equal(
    assembleChangelogPlan(inputs(), { version: "1.0.1", date: "2026-12-07", securityItems: [] }).entryText,
    plain.entryText,
  );
});
