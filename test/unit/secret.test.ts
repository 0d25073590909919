/** A Secret never prints: not as a string, in JSON, in a template, through inspect, in an error. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { format, inspect } from "node:util";
import { Secret, secretOf } from "../../src/secret.ts";

const CANARY = "pypi-AgEIcanary-0123456789abcdef";

test("every way of printing a Secret gives ***", () => {
  const s = new Secret(CANARY);
  const holder = { user: "__token__", password: s, nested: [{ s }] };
  const texts = [
    String(s),
    `${s}`,
    `x${s}`,
    s.toString(),
    JSON.stringify(holder),
    inspect(holder, { depth: 10, showHidden: true }),
    format("%s %o %O %j", s, holder, holder, holder),
    new Error(`failed with ${s}`).message,
    Object.keys(s).join(","),
    JSON.stringify(Object.entries(s)),
  ];
  for (const text of texts) assert.ok(!text.includes(CANARY), text);
  assert.equal(String(s), "***");
  assert.equal(s.reveal(), CANARY);
  assert.equal(new Secret("").empty, true);
  assert.equal(secretOf(undefined), undefined);
  assert.equal(secretOf("x")?.reveal(), "x");
});

test("assertion failures do not show a Secret's value", () => {
  try {
    assert.deepEqual({ p: new Secret(CANARY) }, { p: "other" });
    assert.fail("unreachable");
  } catch (error) {
    assert.ok(!String((error as Error).message).includes(CANARY));
  }
});
