/** Backoff with full jitter, Retry-After in both forms, and which answers are worth a retry. */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  DEFAULT_RETRY,
  isRetryable,
  parseRetryAfter,
  retryDelay,
  shouldRetry,
} from "../../src/core/upload/retry.ts";
import { seededRandom } from "../helpers/random.ts";

const NOW = Date.parse("2026-03-01T12:00:00Z");

test("Retry-After: delay-seconds, IMF-fixdate, RFC 850 and asctime dates; junk is ignored", () => {
  assert.equal(parseRetryAfter("120", NOW), 120_000);
  assert.equal(parseRetryAfter(" 0 ", NOW), 0);
  assert.equal(parseRetryAfter("Sun, 01 Mar 2026 12:00:30 GMT", NOW), 30_000);
  assert.equal(parseRetryAfter("Sunday, 01-Mar-26 12:01:00 GMT", NOW), 60_000);
  assert.equal(parseRetryAfter("Sun Mar  1 12:00:05 2026", NOW), 5_000, "asctime is GMT, whatever TZ says");
  assert.equal(parseRetryAfter("Sun, 01 Mar 2026 11:00:00 GMT", NOW), 0, "a past date means now");
  assert.equal(parseRetryAfter("-5", NOW), undefined);
  assert.equal(parseRetryAfter("soon", NOW), undefined);
  assert.equal(parseRetryAfter("1.5", NOW), undefined);
  assert.equal(parseRetryAfter(undefined, NOW), undefined);
});

test("full jitter: every delay lies in [0, min(cap, base·2^(n-1))) and they are spread out", () => {
  const policy = { ...DEFAULT_RETRY, baseMs: 100, capMs: 1_000 };
  const random = seededRandom(7);
  for (let retry = 1; retry <= 8; retry++) {
    const ceiling = Math.min(1_000, 100 * 2 ** (retry - 1));
    const delays = Array.from({ length: 200 }, () => retryDelay(policy, retry, random));
    assert.ok(
      delays.every((d) => d >= 0 && d < ceiling),
      `retry ${retry}`,
    );
    assert.ok(Math.max(...delays) - Math.min(...delays) > ceiling / 2, "jitter spreads the retries");
  }
  assert.equal(
    retryDelay(policy, 3, () => 0.999999),
    399,
  );
});

test("Retry-After is a floor, bounded by maxRetryAfterMs", () => {
  const policy = { ...DEFAULT_RETRY, baseMs: 100, capMs: 1_000, maxRetryAfterMs: 5_000 };
  assert.equal(
    retryDelay(policy, 1, () => 0, 2_000),
    2_000,
  );
  assert.equal(
    retryDelay(policy, 1, () => 0.5, 10),
    50,
    "the backoff wins when larger",
  );
  assert.equal(
    retryDelay(policy, 1, () => 0, 3_600_000),
    5_000,
  );
});

test("transport errors, 408, 429, 499 and 5xx are retried; other answers are final", () => {
  for (const status of [408, 429, 499, 500, 502, 503, 504, 599])
    assert.ok(isRetryable({ kind: "response", status }), `${status}`);
  for (const status of [200, 301, 308, 400, 401, 403, 404, 405, 409, 410, 413])
    assert.ok(!isRetryable({ kind: "response", status }), `${status}`);
  assert.ok(isRetryable({ kind: "transport", error: "ECONNRESET" }));
  const policy = { ...DEFAULT_RETRY, attempts: 3 };
  assert.ok(shouldRetry(policy, 2, { kind: "response", status: 503 }));
  assert.ok(!shouldRetry(policy, 3, { kind: "response", status: 503 }), "bounded attempts");
  assert.ok(!shouldRetry(policy, 1, { kind: "response", status: 400 }));
});
