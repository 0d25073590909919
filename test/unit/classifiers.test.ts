import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CLASSIFIERS_SOURCE,
  classifierStatus,
  similarClassifiers,
  validClassifiers,
} from "../../src/core/classifiers.ts";
import trove from "../../src/data/classifiers.json" with { type: "json" };

test("the shipped classifier list names its source and is sorted and unique", () => {
  assert.match(CLASSIFIERS_SOURCE, /^trove-classifiers \d{4}\.\d+\.\d+/);
  const list = validClassifiers();
  assert.ok(list.length > 800);
  assert.equal(new Set(list).size, list.length);
  assert.ok(list.includes("Programming Language :: Python :: 3"));
  for (const deprecated of Object.keys(trove.deprecated)) assert.ok(!list.includes(deprecated), deprecated);
});

test("classifierStatus: listed classifiers are valid", () => {
  assert.deepEqual(classifierStatus("Development Status :: 5 - Production/Stable"), { kind: "valid" });
  assert.deepEqual(classifierStatus("License :: OSI Approved :: MIT License"), { kind: "valid" });
  assert.deepEqual(classifierStatus("Typing :: Typed"), { kind: "valid" });
});

test("classifierStatus: deprecated classifiers name their replacements", () => {
  assert.deepEqual(classifierStatus("Natural Language :: Ukranian"), {
    kind: "deprecated",
    replacements: ["Natural Language :: Ukrainian"],
  });
  assert.deepEqual(classifierStatus("Topic :: Communications :: Chat :: AOL Instant Messenger"), {
    kind: "deprecated",
    replacements: [],
  });
});

test("classifierStatus: Private :: classifiers are private, everything else unknown", () => {
  assert.deepEqual(classifierStatus("Private :: Do Not Upload"), { kind: "private" });
  assert.deepEqual(classifierStatus("Programming Language :: Python :: 4"), { kind: "unknown" });
  // PyPI matches exactly: case and spacing matter.
  assert.deepEqual(classifierStatus("programming language :: python :: 3"), { kind: "unknown" });
  assert.deepEqual(classifierStatus("Programming Language :: Python :: 3 "), { kind: "unknown" });
  assert.deepEqual(classifierStatus(""), { kind: "unknown" });
});

test("the status result is a copy: callers cannot change the shipped replacements", () => {
  const status = classifierStatus("Natural Language :: Ukranian");
  assert.equal(status.kind, "deprecated");
  if (status.kind === "deprecated") status.replacements.push("x");
  assert.deepEqual(classifierStatus("Natural Language :: Ukranian"), {
    kind: "deprecated",
    replacements: ["Natural Language :: Ukrainian"],
  });
});

test("similarClassifiers suggests the listed spelling of a mis-cased or mis-spaced classifier", () => {
  assert.deepEqual(similarClassifiers("programming language::python :: 3"), [
    "Programming Language :: Python :: 3",
  ]);
  assert.deepEqual(similarClassifiers("Not A Classifier"), []);
});
