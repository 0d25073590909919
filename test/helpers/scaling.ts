/**
 * Linearity judged by scaling, not by a time limit: 8x the input may take at most 24x the time
 * (linear is 8x; a quadratic pass takes 64x). Time is this process's CPU time, not the wall
 * clock, so a loaded machine that preempts the test cannot inflate the larger run (the wall
 * clock did, in CI, with the suite's other processes on two cores). What noise is left (a GC
 * pause) inflates one measurement, never every one: a case fails only when three rounds of
 * best-of-5 all scale badly, which a quadratic pass does every time.
 */
import assert from "node:assert/strict";

/** CPU milliseconds (user + system) that `fn` took in this process. */
function cpuMs(fn: () => void): number {
  const start = process.cpuUsage();
  fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

/**
 * Asserts that `run(make(large))` scales at most ~linearly from `run(make(small))` for every
 * case; `run` gets the attempt number so a memoizing function can be given a fresh input.
 */
export function assertScalesLinearly(
  cases: Record<string, (n: number) => string>,
  run: (doc: string, attempt: number) => void,
  sizes: { small: number; large: number } = { small: 5_000, large: 40_000 },
): void {
  const best = (doc: string) => {
    let ms = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 5; i++)
      ms = Math.min(
        ms,
        cpuMs(() => run(doc, i)),
      );
    return ms;
  };
  const ratio = sizes.large / sizes.small;
  for (const [what, make] of Object.entries(cases)) {
    const [small, large] = [make(sizes.small), make(sizes.large)];
    const rounds: string[] = [];
    for (let round = 0; round < 3; round++) {
      const [a, b] = [best(small), best(large)];
      // A floor of 2 ms keeps timer granularity on tiny inputs from inflating the ratio.
      if (b / Math.max(a, 2) < ratio * 3) break;
      rounds.push(`${a.toFixed(1)} ms → ${b.toFixed(1)} ms`);
    }
    assert.ok(rounds.length < 3, `${what}: ${ratio}x the input took ${rounds.join(", ")} of CPU`);
  }
}
