/**
 * The next versions slipway offers when no bump is given (core/version/choices.ts): the menu for
 * finals, pre-, dev and post-releases, the suggestion from conventional commits, every reply a
 * person may type, and the flags named off a terminal.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  assembleVersionMenu,
  describeMenuArguments,
  parseVersionAnswer,
  requestArguments,
  type VersionMenu,
} from "../../src/core/version/choices.ts";
import { assembleNextVersion } from "../../src/core/version/plan.ts";

const rows = (menu: VersionMenu) =>
  menu.choices.map((c) => [c.version, c.label, requestArguments(c.request, "flags")]);

describe("the menu", () => {
  test("a final release without conventional commits: no default, pre-releases of the patch", () => {
    const menu = assembleVersionMenu("8.1.7", undefined);
    assert.equal(menu.suggested, undefined);
    assert.deepEqual(rows(menu), [
      ["8.1.8", "patch", "--bump patch"],
      ["8.2.0", "minor", "--bump minor"],
      ["9.0.0", "major", "--bump major"],
      ["8.1.8a1", "alpha of 8.1.8", "--bump pre=a"],
      ["8.1.8b1", "beta of 8.1.8", "--bump pre=b"],
      ["8.1.8rc1", "release candidate of 8.1.8", "--bump pre=rc"],
      ["8.1.7.post1", "post-release (same code, new files or metadata)", "--bump post"],
    ]);
    assert.deepEqual(assembleVersionMenu("8.1.7", "none"), menu, "no bump called for: no default");
  });

  test("conventional commits that call for minor: it is the default; pre-releases lead to it", () => {
    const menu = assembleVersionMenu("1.2.3", "minor");
    assert.equal(menu.choices[menu.suggested!]!.version, "1.3.0");
    assert.deepEqual(rows(menu).slice(3, 6), [
      ["1.3.0a1", "alpha of 1.3.0", "--version 1.3.0a1"],
      ["1.3.0b1", "beta of 1.3.0", "--version 1.3.0b1"],
      ["1.3.0rc1", "release candidate of 1.3.0", "--version 1.3.0rc1"],
    ]);
  });

  test("on a release candidate: the final first, the next candidate, no post-release", () => {
    const menu = assembleVersionMenu("1.2.4rc1", "patch");
    assert.deepEqual(rows(menu), [
      ["1.2.4", "final release", "--bump release"],
      ["1.3.0", "minor", "--bump minor"],
      ["2.0.0", "major", "--bump major"],
      ["1.2.4rc2", "next release candidate of 1.2.4", "--bump pre"],
    ]);
    assert.equal(menu.suggested, 0, "a fix after rc1 calls for the final (a patch of a pre-release)");
    // patch, minor and major of 2.0.0rc1 are all 2.0.0 (bump.ts): offered once, as the final.
    const rc = assembleVersionMenu("2.0.0rc1", "major");
    assert.deepEqual([rows(rc).map((r) => r[0]), rc.suggested], [["2.0.0", "2.0.0rc2"], 0]);
  });

  test("on an alpha: later phases start at 1; on a dev release: every phase of its release", () => {
    assert.deepEqual(
      assembleVersionMenu("1.2.4a2", undefined)
        .choices.slice(3)
        .map((c) => c.version),
      ["1.2.4a3", "1.2.4b1", "1.2.4rc1"],
    );
    assert.deepEqual(
      assembleVersionMenu("1.2.4.dev3", undefined).choices.map((c) => c.version),
      ["1.2.4", "1.3.0", "2.0.0", "1.2.4a1", "1.2.4b1", "1.2.4rc1"],
    );
  });

  test("a post-release, calendar versions and epochs keep their shape", () => {
    assert.deepEqual(
      assembleVersionMenu("1.2.3.post1", undefined)
        .choices.map((c) => c.version)
        .at(-1),
      "1.2.3.post2",
    );
    assert.deepEqual(
      assembleVersionMenu("2024.5", undefined)
        .choices.slice(0, 3)
        .map((c) => c.version),
      ["2024.5.1", "2024.6", "2025.0"],
    );
    assert.equal(assembleVersionMenu("1!1.0", undefined).choices[0]!.version, "1!1.0.1");
  });

  test("every choice's request, planned as the release plans it, gives the version shown", () => {
    for (const current of ["8.1.7", "0.27.0", "2.0.0rc1", "1.2.4a2", "1.2.4.dev3", "1.2.3.post1"]) {
      for (const suggested of [undefined, "patch", "minor", "major"] as const) {
        for (const choice of assembleVersionMenu(current, suggested).choices) {
          assert.equal(
            assembleNextVersion(current, choice.request),
            choice.version,
            `${current} ${choice.label}`,
          );
        }
      }
    }
  });

  test("no version yet, or a local one: only a typed version", () => {
    assert.deepEqual(assembleVersionMenu(undefined, "minor").choices, []);
    assert.deepEqual(assembleVersionMenu("1.0+local", undefined).choices, []);
  });
});

describe("replies", () => {
  const menu = assembleVersionMenu("1.2.3", "minor");
  const chosen = (reply: string) => {
    const answer = parseVersionAnswer(menu, reply);
    return answer.kind === "choice" ? answer.choice.version : answer;
  };

  test("empty takes the suggestion; without one it cancels", () => {
    assert.equal(chosen(""), "1.3.0");
    assert.deepEqual(parseVersionAnswer(assembleVersionMenu("1.2.3", undefined), "  "), { kind: "cancel" });
  });

  test("a number picks a line; a bump kind bumps", () => {
    assert.equal(chosen("3"), "2.0.0");
    assert.equal(chosen(" 6 "), "1.3.0rc1");
    assert.equal(chosen("pre=rc"), "1.2.4rc1");
    assert.equal(chosen("dev"), "1.2.4.dev0");
    assert.deepEqual(chosen("8"), { kind: "invalid", error: "pick 1 to 7, a bump kind or a version" });
    assert.deepEqual(chosen("release"), {
      kind: "invalid",
      error: "1.2.3 is already a final release; bump major, minor or patch instead of release",
    });
  });

  test("a typed version must be PEP 440, public, and greater than the current one", () => {
    assert.equal(chosen("1.5.0"), "1.5.0");
    assert.equal(chosen("V1.5-RC.2"), "1.5rc2", "normalized as packaging does");
    const refusals: [string, RegExp][] = [
      ["1.2.3", /1\.2\.3 is equal to the current version 1\.2\.3; a new version must be greater/],
      ["1.2.3.0", /equal to the current version/],
      ["1.2", /1\.2 is lower than the current version 1\.2\.3/],
      ["1.2.3rc1", /lower than/],
      ["1.5.0+local", /local version label/],
      ["banana", /"banana" is not a valid PEP 440 version/],
    ];
    for (const [reply, error] of refusals) {
      const answer = parseVersionAnswer(menu, reply);
      assert.equal(answer.kind, "invalid", reply);
      assert.match((answer as { error: string }).error, error);
    }
  });

  test("with no version yet, any public version is a first version", () => {
    const first = assembleVersionMenu(undefined, undefined);
    assert.deepEqual(parseVersionAnswer(first, "0.1"), {
      kind: "choice",
      choice: { version: "0.1", label: "typed", request: { set: "0.1" } },
    });
    assert.equal(parseVersionAnswer(first, "minor").kind, "invalid");
  });
});

test("off a terminal, the exact arguments for every candidate", () => {
  assert.equal(
    describeMenuArguments(assembleVersionMenu("2.0.0rc1", undefined), "flags"),
    "--bump release (2.0.0), --bump pre (2.0.0rc2), or --version X (any PEP 440 version greater than 2.0.0rc1)",
  );
  assert.equal(
    describeMenuArguments(assembleVersionMenu("1.2.3", "minor"), "command").split(", ").slice(3, 4)[0],
    "slipway version set 1.3.0a1",
  );
  assert.equal(
    describeMenuArguments(assembleVersionMenu(undefined, undefined), "flags"),
    "--version X (any PEP 440 version)",
  );
});
