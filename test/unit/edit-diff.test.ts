/**
 * The unified diff renderer: exact output on small cases (as `diff -u` prints them), and on
 * generated edits, applying our hunks gives the new text back and changes as few lines as
 * GNU `diff --minimal` does.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { renderUnifiedDiff } from "../../src/core/edits/diff.ts";
import { seededInt } from "../helpers/random.ts";

test("one changed line with context, a missing final newline, creation and deletion", () => {
  assert.equal(renderUnifiedDiff("a.txt", "x\n", "x\n"), "");
  assert.equal(
    renderUnifiedDiff("p.toml", "a\nb\nversion = 1\nc\n", "a\nb\nversion = 2\nc\n"),
    "--- a/p.toml\n+++ b/p.toml\n@@ -1,4 +1,4 @@\n a\n b\n-version = 1\n+version = 2\n c\n",
  );
  assert.equal(
    renderUnifiedDiff("r", "v1", "v2"),
    "--- a/r\n+++ b/r\n@@ -1 +1 @@\n-v1\n\\ No newline at end of file\n+v2\n\\ No newline at end of file\n",
  );
  assert.equal(
    renderUnifiedDiff("n", "", "x\n", { from: "/dev/null" }),
    "--- /dev/null\n+++ b/n\n@@ -0,0 +1 @@\n+x\n",
  );
  assert.equal(renderUnifiedDiff("n", "x\ny\n", ""), "--- a/n\n+++ b/n\n@@ -1,2 +0,0 @@\n-x\n-y\n");
});

/** Applies our hunks to `before` (a strict patch: context and removals must match). */
function applyDiff(before: string, diff: string): string {
  const lines = before === "" ? [] : before.replace(/\n$/, "").split("\n");
  const out: string[] = [];
  let at = 0;
  const body = diff.split("\n").slice(2, -1);
  for (let i = 0; i < body.length; i++) {
    const m = /^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@$/.exec(body[i]!);
    if (m === null) {
      const line = body[i]!;
      if (line.startsWith("\\")) continue;
      const text = line.slice(1);
      if (line[0] === " " || line[0] === "-")
        assert.equal(lines[at++], text, `context/removal matches at ${at}`);
      if (line[0] === " " || line[0] === "+") out.push(text);
      continue;
    }
    const start = Number(m[1]) - (m[2] === "0" ? 0 : 1);
    while (at < start) out.push(lines[at++]!);
  }
  while (at < lines.length) out.push(lines[at++]!);
  return out.length === 0 ? "" : `${out.join("\n")}\n`;
}

test("generated edits: our hunks rebuild the text and are as small as diff --minimal's", () => {
  const int = seededInt(2026);
  const dir = mkdtempSync(join(tmpdir(), "slipway-diff-"));
  try {
    for (let n = 0; n < 60; n++) {
      const words = ["a", "b", "c", "version = 1", "", "d"];
      const before = Array.from({ length: int(25) }, () => words[int(words.length)]!);
      const after = [...before];
      for (let k = int(5); k >= 0; k--) {
        const op = int(3);
        const at = int(after.length + 1);
        if (op === 0) after.splice(at, 1);
        else if (op === 1) after.splice(at, 0, words[int(words.length)]!);
        else if (at < after.length) after[at] = `changed ${k}`;
      }
      const a = before.length === 0 ? "" : `${before.join("\n")}\n`;
      const b = after.length === 0 ? "" : `${after.join("\n")}\n`;
      const ours = renderUnifiedDiff("f", a, b);
      if (a === b) {
        assert.equal(ours, "");
        continue;
      }
      assert.equal(applyDiff(a, ours), b, `case ${n}`);
      writeFileSync(join(dir, "a"), a);
      writeFileSync(join(dir, "b"), b);
      const gnu = spawnSync("diff", ["--minimal", "-u", join(dir, "a"), join(dir, "b")], {
        encoding: "utf8",
      }).stdout;
      const count = (d: string) =>
        d
          .split("\n")
          .slice(2)
          .filter((l) => /^[-+]/.test(l)).length;
      assert.equal(count(ours), count(gnu), `case ${n}: as many changed lines as diff --minimal`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
