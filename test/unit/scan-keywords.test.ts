/**
 * The keyword prefilter's table-driven scan against the plain oracle (`text.includes(word)`)
 * on random texts built from the keywords' own pieces, where overlaps and fail links matter.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { KeywordMatcher } from "../../src/core/secrets/keywords.ts";
import { SECRET_RULES } from "../../src/core/secrets/rules.ts";

/** A small deterministic generator (no Math.random: a failure must replay). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

test("the keywords found are exactly those the text contains", () => {
  const words = [...new Set(SECRET_RULES.flatMap((r) => r.keywords.map((k) => k.toLowerCase())))];
  const sets = [words, ["he", "she", "his", "hers"], ["aaa", "aa", "a"], ["abcab", "bca", "cab"]];
  for (const keywords of sets) {
    const matcher = new KeywordMatcher(keywords);
    const pieces = [...keywords, ...keywords.map((k) => k.slice(0, Math.ceil(k.length / 2))), " ", "é", "\n"];
    const next = lcg(keywords.length);
    for (let round = 0; round < 400; round++) {
      let text = "";
      const n = Math.floor(next() * 12);
      for (let i = 0; i < n; i++) text += pieces[Math.floor(next() * pieces.length)]!;
      const expected = keywords.map((k, i) => (text.includes(k) ? i : -1)).filter((i) => i >= 0);
      assert.deepEqual(
        [...matcher.present(text)].sort((a, b) => a - b),
        expected,
        JSON.stringify(text),
      );
    }
  }
});

test("a keyword outside ASCII still matches (the trie walk)", () => {
  const matcher = new KeywordMatcher(["clé", "key"]);
  assert.deepEqual([...matcher.present("une clé, a key")].sort(), [0, 1]);
  assert.deepEqual([...matcher.present("une cle")], []);
});
