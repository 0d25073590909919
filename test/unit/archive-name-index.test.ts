/**
 * NameIndex: member names → first position, in typed arrays (issue 11 B5), and linear work
 * whatever the names: crafted ones that share a hash move it to a Map (counted, never timed).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { hashOf, NameIndex } from "../../src/core/archive/name-index.ts";

const indexOf = (names: readonly string[], expected = names.length) => {
  const index = new NameIndex((i) => names[i]!, expected);
  const firsts = names.map((_, i) => index.add(i));
  return { index, firsts };
};

test("add returns the first position of each name; get finds it; forEach visits each name once", () => {
  const names = ["a/b.py", "a/c.py", "a/b.py", "", "x", "a/c.py", "a/b.py"];
  const { index, firsts } = indexOf(names);
  assert.deepEqual(firsts, [0, 1, 0, 3, 4, 1, 0]);
  assert.equal(index.get("a/c.py"), 1);
  assert.equal(index.get(""), 3);
  assert.equal(index.get("a/d.py"), undefined);
  const seen: number[] = [];
  index.forEach((position) => {
    seen.push(position);
  });
  assert.deepEqual(
    seen.sort((a, b) => a - b),
    [0, 1, 3, 4],
  );
});

test("the table grows past the size it was made for", () => {
  const names = Array.from({ length: 5_000 }, (_, i) => `pkg/m${i}.py`);
  const { index, firsts } = indexOf(names, 1);
  assert.deepEqual(
    firsts,
    names.map((_, i) => i),
  );
  assert.equal(index.get("pkg/m4999.py"), 4999);
  assert.equal(index.degraded, false);
});

test("100,000 real-looking names cost about one probe each", () => {
  const names = Array.from({ length: 100_000 }, (_, i) => `bench_pkg/s${i % 100}/m${i}.py`);
  const { index } = indexOf(names);
  for (const name of names) index.get(`${name} `.slice(0, -1));
  assert.equal(index.degraded, false);
  assert.ok(index.work < 3 * 2 * names.length, `work ${index.work}`);
});

test("names crafted to share a slot move the index to a Map: work stays linear", () => {
  // 1,000 names whose hashes agree in the low 12 bits: every one lands in the same slot of a
  // 4,096-slot table. Probing them all would take ~500,000 steps.
  const names: string[] = [];
  for (let i = 0; names.length < 1_000; i++) {
    const name = `pkg/${i}.py`;
    if ((hashOf(name) & 4095) === 0) names.push(name);
  }
  const { index, firsts } = indexOf(names);
  assert.deepEqual(
    firsts,
    names.map((_, i) => i),
  );
  for (const [i, name] of names.entries()) assert.equal(index.get(name), i);
  assert.equal(index.degraded, true);
  assert.ok(index.work < 12 * names.length, `work ${index.work}`);
});
