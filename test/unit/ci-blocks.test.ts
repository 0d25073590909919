/**
 * The YAML emitter (parsed back by the `yaml` package, as GitHub's and GitLab's readers would)
 * and the marked-block merge of core/ci/blocks.ts: hand edits outside blocks kept byte for byte,
 * edits inside refused, blocks added and dropped in place, broken markers named by line.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parse } from "yaml";
import { blockHash, mergeFile, parseBlocks, renderFile } from "../../src/core/ci/blocks.ts";
import type { CiFileModel } from "../../src/core/ci/model.ts";
import { commented, emitYaml, scalar } from "../../src/core/ci/yaml-emit.ts";

describe("emitYaml", () => {
  test("scalars read back as the same strings, whatever they look like", () => {
    const tricky = [
      "on",
      "yes",
      "No",
      "null",
      "~",
      "3.13",
      "24",
      "0x1F",
      "1e3",
      "",
      " lead",
      "trail ",
      "a: b",
      "a #b",
      "a:",
      "- item",
      "*alias",
      "&anchor",
      "!tag",
      "{x}",
      "[x]",
      "'q'",
      '"dq"',
      "%p",
      "@at",
      "`tick`",
      "v*",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression, as workflows hold it
      "${{ matrix.os }}",
      "$CI_COMMIT_TAG",
      "é ünïcode",
      "tab\there",
      "back\\slash",
      "x=1,y=2",
      "|",
      ">",
      "? q",
      "#c",
    ];
    for (const text of tricky) {
      assert.equal(parse(`k: ${scalar(text)}\n`).k, text, `${JSON.stringify(text)} → ${scalar(text)}`);
    }
  });

  test("nested mappings, sequences of mappings, blocks, comments and null events", () => {
    const value = {
      name: "checks",
      "#": "why this\nover two lines",
      on: { pull_request: null, push: { branches: ["main"] } },
      permissions: {},
      jobs: {
        a: {
          steps: [
            {
              uses: commented("actions/checkout@0123456789abcdef0123456789abcdef01234567", "v4.2.2"),
              with: { x: true },
            },
            { run: "echo one\necho two\n" },
            { run: "no newline\n\nblank line inside" },
          ],
          list: [],
          n: 3,
        },
      },
    };
    const text = emitYaml(value);
    assert.match(text, /# v4\.2\.2$/m);
    assert.match(text, /^# why this$/m);
    assert.deepEqual(parse(text), {
      name: "checks",
      on: { pull_request: null, push: { branches: ["main"] } },
      permissions: {},
      jobs: {
        a: {
          steps: [
            { uses: "actions/checkout@0123456789abcdef0123456789abcdef01234567", with: { x: true } },
            { run: "echo one\necho two\n" },
            { run: "no newline\n\nblank line inside" },
          ],
          list: [],
          n: 3,
        },
      },
    });
  });
});

function model(jobs: Record<string, string>, header = "h"): CiFileModel {
  return {
    path: ".github/workflows/x.yml",
    preamble: ["generated"],
    header: { name: header, on: { push: null }, permissions: {} },
    nested: true,
    jobs: Object.entries(jobs).map(([id, run]) => ({
      id,
      body: { "runs-on": "ubuntu-latest", steps: [{ run }] },
    })),
  };
}

describe("mergeFile", () => {
  const first = renderFile(model({ a: "echo a", b: "echo b" }));

  test("a new file is valid YAML and a re-merge of unchanged inputs is byte-identical", () => {
    assert.deepEqual(Object.keys(parse(first).jobs), ["a", "b"]);
    const again = mergeFile(first, model({ a: "echo a", b: "echo b" }));
    assert.deepEqual(again, { kind: "merged", text: first });
  });

  test("text outside the blocks is kept, blocks are replaced, added after their predecessor, and dropped", () => {
    const edited = first
      .replace(
        "# slipway:begin job.b",
        "  # my own job, kept\n  mine:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo mine\n  # slipway:begin job.b",
      )
      .concat("# trailing note\n");
    const merged = mergeFile(edited, model({ a: "echo A", c: "echo c" }));
    assert.equal(merged.kind, "merged");
    const text = (merged as { text: string }).text;
    assert.ok(text.includes("  # my own job, kept\n  mine:\n"));
    assert.ok(text.endsWith("# trailing note\n"));
    assert.deepEqual(Object.keys(parse(text).jobs), ["a", "c", "mine"]);
    assert.equal(parse(text).jobs.a.steps[0].run, "echo A");
    assert.ok(!text.includes("echo b"));
  });

  test("a block edited by hand is refused, named, and taken back only with force", () => {
    const edited = first.replace("echo b", "echo b && deploy");
    assert.deepEqual(mergeFile(edited, model({ a: "echo a", b: "echo b" })), {
      kind: "edited",
      blocks: ["job.b"],
    });
    const forced = mergeFile(edited, model({ a: "echo a", b: "echo b" }), { force: true });
    assert.deepEqual(forced, { kind: "merged", text: first });
  });

  test("a file without blocks is foreign; broken markers are named by line", () => {
    assert.deepEqual(mergeFile("name: mine\non: push\n", model({ a: "x" })), { kind: "foreign" });
    const unterminated = first.replace(/^ {2}# slipway:end job\.b\n/m, "");
    assert.deepEqual(mergeFile(unterminated, model({ a: "x" })), {
      kind: "broken",
      problem: {
        line: unterminated.split("\n").findIndex((l) => l.includes("slipway:begin job.b")) + 1,
        message: "block job.b has no slipway:end",
      },
    });
    const twice = `${first}# slipway:begin job.a ${blockHash([])}\n# slipway:end job.a\n`;
    assert.equal(mergeFile(twice, model({ a: "x" })).kind, "broken");
    const stray = first.replace("# slipway:end header", "# slipway:end other");
    assert.equal(parseBlocks(stray).ok, false);
  });

  test("hostile input stays linear: 20,000 marker-like lines", () => {
    const big = `# slipway:begin header 000000000000\n${"# slipway:beginx\n".repeat(20_000)}`;
    const started = process.hrtime.bigint();
    assert.equal(mergeFile(big, model({ a: "x" })).kind, "broken");
    assert.ok(Number(process.hrtime.bigint() - started) / 1e6 < 500);
  });
});
