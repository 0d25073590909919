import assert from "node:assert/strict";
import { test } from "node:test";
import {
  assemblePrunePlan,
  type CacheEntryFacts,
  formatSize,
  parseSize,
} from "../../src/core/cache/prune-plan.ts";

const DAY = 86_400_000;
const NOW = 100 * DAY;
const entry = (name: string, size: number, daysAgo: number, inUse = false): CacheEntryFacts => ({
  kind: "build-envs",
  name,
  size,
  lastUse: NOW - daysAgo * DAY,
  inUse,
});

test("the least recently used go first, until the rest fits under the cap", () => {
  const entries = [entry("new", 30, 1), entry("old", 30, 9), entry("mid", 30, 5), entry("older", 30, 7)];
  const plan = assemblePrunePlan(entries, { maxSize: 60, now: NOW });
  assert.deepEqual(
    plan.remove.map((r) => [r.entry.name, r.why]),
    [
      ["old", "max-size"],
      ["older", "max-size"],
    ],
  );
  assert.deepEqual(
    plan.keep.map((e) => e.name),
    ["mid", "new"],
  );
  assert.equal(plan.sizeBefore, 120);
  assert.equal(plan.sizeAfter, 60);
  assert.equal(plan.capUnmet, false);
});

test("under the cap nothing goes; a cap of 0 takes everything not in use", () => {
  const entries = [entry("a", 10, 3), entry("b", 10, 2)];
  assert.equal(assemblePrunePlan(entries, { maxSize: 20, now: NOW }).remove.length, 0);
  const all = assemblePrunePlan([...entries, entry("busy", 10, 9, true), entry("empty", 0, 1)], {
    maxSize: 0,
    now: NOW,
  });
  assert.deepEqual(
    all.remove.map((r) => r.entry.name),
    ["a", "b", "empty"],
  );
  assert.equal(all.sizeAfter, 10);
  assert.equal(all.capUnmet, true, "the entry in use alone is over the cap");
});

test("an entry in use is kept even when it is the oldest; the next oldest goes instead", () => {
  const plan = assemblePrunePlan([entry("busy", 50, 9, true), entry("a", 50, 5), entry("b", 50, 1)], {
    maxSize: 100,
    now: NOW,
  });
  assert.deepEqual(
    plan.remove.map((r) => r.entry.name),
    ["a"],
  );
});

test("older-than removes the long unused whatever the size, and says why", () => {
  const plan = assemblePrunePlan([entry("stale", 1, 40), entry("fresh", 1, 2), entry("month", 1, 30.5)], {
    maxSize: 1000,
    olderThanMs: 30 * DAY,
    now: NOW,
  });
  assert.deepEqual(
    plan.remove.map((r) => [r.entry.name, r.why]),
    [
      ["stale", "older-than"],
      ["month", "older-than"],
    ],
  );
});

test("ties in last use are broken by name, so every run plans the same", () => {
  const plan = assemblePrunePlan([entry("b", 10, 1), entry("a", 10, 1), entry("c", 10, 1)], {
    maxSize: 10,
    now: NOW,
  });
  assert.deepEqual(
    plan.remove.map((r) => r.entry.name),
    ["a", "b"],
  );
});

test("sizes as people write them", () => {
  const cases: [string, number][] = [
    ["0", 0],
    ["4096", 4096],
    ["500M", 500 * 1024 ** 2],
    ["2G", 2 * 1024 ** 3],
    ["2g", 2 * 1024 ** 3],
    ["1.5GiB", 1.5 * 1024 ** 3],
    ["800MB", 800 * 1000 ** 2],
    ["10 KiB", 10 * 1024],
    ["1T", 1024 ** 4],
  ];
  for (const [text, bytes] of cases) assert.deepEqual(parseSize(text), { ok: true, value: bytes }, text);
  for (const bad of ["", "-1G", "2Q", "G", "1e9", "two"]) assert.equal(parseSize(bad).ok, false, bad);
});

test("sizes read back in the unit that fits", () => {
  assert.equal(formatSize(0), "0 B");
  assert.equal(formatSize(1023), "1023 B");
  assert.equal(formatSize(1536), "1.5 KiB");
  assert.equal(formatSize(2 * 1024 ** 3), "2.0 GiB");
});
