/**
 * The tag format read from a repository's tags when none is configured: real tag lists of click,
 * attrs, httpx, pluggy (`8.1.7`) and rich (`v13.7.1`), monorepo prefixes, a project that changed
 * its habit, and tags that are not releases of the project.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  configuredTagFormat,
  describeTagFormat,
  inferTagFormat,
  readTagShape,
  tagFormatMismatch,
} from "../../src/core/version/tag-format.ts";
import { pickLastRelease } from "../../src/core/version/tags.ts";
import { readTagFixture } from "../helpers/git-repo.ts";

const tagsOf = (name: string) => readTagFixture(name).map((r) => r.tag);

describe("one tag", () => {
  for (const [tag, names, expected] of [
    ["8.1.7", ["click"], { format: "{version}", version: "8.1.7", named: false }],
    ["v13.7.1", ["rich"], { format: "v{version}", version: "13.7.1", named: false }],
    ["1.0.0.dev0", ["pluggy"], { format: "{version}", version: "1.0.0.dev0", named: false }],
    ["v2.0.0-rc.1", ["x"], { format: "v{version}", version: "2.0.0rc1", named: false }],
    ["pkg-a-v1.0.0", ["pkg-a"], { format: "pkg-a-v{version}", version: "1.0.0", named: true }],
    ["mypkg/1.2.3", ["MyPkg"], { format: "mypkg/{version}", version: "1.2.3", named: true }],
    ["my_pkg-1.2.3", ["my-pkg"], { format: "my_pkg-{version}", version: "1.2.3", named: true }],
    ["pkg-2-1.0", ["pkg-2"], { format: "pkg-2-{version}", version: "1.0", named: true }],
    ["pkg-b-v2.1.0", ["pkg-a"], undefined],
    ["release-1.0", ["demo"], undefined],
    ["v1.0+local", ["demo"], undefined],
    ["vv1.0", ["demo"], undefined],
    ["latest", ["demo"], undefined],
    ["20240101-nightly", ["demo"], undefined],
  ] as const) {
    test(`${tag} (project ${names.join(", ")})`, () => {
      assert.deepEqual(readTagShape(tag, names), expected);
    });
  }
});

describe("real tag lists", () => {
  for (const [project, format, count, example] of [
    ["click", "{version}", 53, "8.1.7"],
    ["attrs", "{version}", 28, "23.2.0"],
    ["httpx", "{version}", 66, "0.27.0"],
    ["pluggy", "{version}", 23, "1.5.0"],
    ["rich", "v{version}", 191, "v13.7.1"],
  ] as const) {
    test(`${project}: ${format} from ${count} tags, the last release ${example}`, () => {
      const tags = tagsOf(project);
      const decision = inferTagFormat({ tags, names: [project], nested: false });
      assert.deepEqual(decision, { format, source: "inferred", count, example, others: [] });
      assert.equal(pickLastRelease(decision.format, tags)?.name, example);
      assert.match(describeTagFormat(decision), new RegExp(`inferred from ${count} tags like ${example}`));
    });
  }

  test("no tag that reads as a release: the default v{version}, said as such", () => {
    const decision = inferTagFormat({ tags: ["latest", "stable"], names: ["demo"], nested: false });
    assert.equal(decision.source, "default");
    assert.equal(decision.format, "v{version}");
    assert.match(describeTagFormat(decision), /the default: no tag reads as a release/);
  });
});

describe("which format wins", () => {
  test("the newest release's format, even with fewer tags (a project that dropped the v)", () => {
    const old = tagsOf("click")
      .slice(0, 40)
      .map((t) => `v${t}`);
    const recent = tagsOf("click").slice(40);
    const decision = inferTagFormat({ tags: [...old, ...recent], names: ["click"], nested: false });
    assert.equal(decision.format, "{version}");
    assert.equal(decision.count, 13);
    assert.deepEqual(decision.others, [{ format: "v{version}", count: 40, example: "v8.0.0rc1" }]);
    assert.match(describeTagFormat(decision), /ignored: 40 tags like v8\.0\.0/);
  });

  test("both formats on the newest release: the one with more tags", () => {
    const plain = tagsOf("pluggy");
    const decision = inferTagFormat({ tags: [...plain, "v1.5.0"], names: ["pluggy"], nested: false });
    assert.equal(decision.format, "{version}");
  });

  test("a monorepo member counts only the tags that name it", () => {
    const tags = ["v5.0.0", "pkg-a-v0.9.0", "pkg-a-v1.0.0", "pkg-b-v2.1.0"];
    const a = inferTagFormat({ tags, names: ["pkg-a"], nested: true });
    assert.deepEqual([a.format, a.example, a.count], ["pkg-a-v{version}", "pkg-a-v1.0.0", 2]);
    const b = inferTagFormat({ tags, names: ["pkg_b"], nested: true });
    assert.deepEqual([b.format, b.example], ["pkg-b-v{version}", "pkg-b-v2.1.0"]);
    // A member with no tag of its own yet falls back to the repository's tags.
    const c = inferTagFormat({ tags, names: ["pkg-c"], nested: true });
    assert.equal(c.format, "v{version}");
    // At the top of the repository every format competes: the highest release wins.
    assert.equal(inferTagFormat({ tags, names: ["pkg-a"], nested: false }).format, "v{version}");
  });

  test("a configured format is kept; reading no tag while others do is worth a note", () => {
    const tags = tagsOf("attrs");
    const decision = configuredTagFormat("v{version}", { tags, names: ["attrs"] });
    assert.deepEqual([decision.format, decision.source, decision.count], ["v{version}", "configured", 0]);
    assert.equal(
      tagFormatMismatch(decision),
      '[tool.slipway] tag-format "v{version}" matches no tag, but 28 tags look like {version} (e.g. 23.2.0): fix tag-format, or remove it to have it inferred',
    );
    const right = configuredTagFormat("{version}", { tags, names: ["attrs"] });
    assert.deepEqual([right.count, right.example, tagFormatMismatch(right)], [28, "23.2.0", undefined]);
  });
});
