import assert from "node:assert/strict";
import { test } from "node:test";
import {
  assembleBadges,
  type BadgeInputs,
  badgeImageUrl,
  parseGatesRecord,
  parseSecuritySummary,
  renderBadgeBlock,
  toolsInPyproject,
} from "../../src/core/badges/catalog.ts";
import { shieldsEndpointUrl, shieldsStaticUrl } from "../../src/core/badges/render.ts";
import { SlipwayError } from "../../src/errors.ts";
import { sampleStatus } from "../helpers/status-sample.ts";

function inputs(over: Partial<BadgeInputs> = {}): BadgeInputs {
  return { project: { name: "Demo_Pkg" }, tools: new Set(), ...over };
}

const byId = (list: ReturnType<typeof assembleBadges>, id: string) => list.find((b) => b.id === id);

test("absent sources say unknown in grey, never passing", () => {
  const badges = assembleBadges(inputs());
  for (const id of ["quality-gate", "security", "python", "license"]) {
    assert.equal(byId(badges, id)?.badge?.message, "unknown", id);
    assert.equal(byId(badges, id)?.badge?.color, "lightgrey", id);
  }
  assert.deepEqual(
    badges.map((b) => b.id),
    ["quality-gate", "security", "python", "license", "pypi-version", "pypi-downloads"],
  );
});

test("the gates and security badges follow their sources", () => {
  const badges = assembleBadges(inputs({ gates: "failing", security: { grade: "D", critical: 1, high: 2 } }));
  assert.deepEqual(byId(badges, "quality-gate")?.badge, {
    label: "quality gate",
    message: "failing",
    color: "red",
  });
  assert.deepEqual(byId(badges, "security")?.badge, {
    label: "security",
    message: "grade D, 1 critical, 2 high",
    color: "yellow",
  });
  const clean = assembleBadges(inputs({ gates: "passing", security: { grade: "A", critical: 0, high: 0 } }));
  assert.equal(byId(clean, "quality-gate")?.badge?.color, "brightgreen");
  assert.equal(byId(clean, "security")?.badge?.message, "grade A");
  const site = byId(assembleBadges(inputs({ siteUrl: "https://o.github.io/p/" })), "security")!;
  assert.equal(site.endpointJson, "https://o.github.io/p/badge/security.json");
  assert.match(
    badgeImageUrl(site, { staticUrl: shieldsStaticUrl, endpointUrl: (u) => shieldsEndpointUrl(u) }),
    /^https:\/\/img\.shields\.io\/endpoint\?url=https%3A%2F%2Fo\.github\.io/,
  );
});

test("Python versions: classifiers first, else the minors requires-python admits", () => {
  const msg = (project: Record<string, unknown>) =>
    byId(assembleBadges(inputs({ project })), "python")?.badge?.message;
  assert.equal(
    msg({
      classifiers: [
        "Programming Language :: Python :: 3.12",
        "Programming Language :: Python :: 3.9",
        "Programming Language :: Python :: 3.10",
        "Programming Language :: Python :: 3",
      ],
      "requires-python": ">=3.8",
    }),
    "3.9 | 3.10 | 3.12",
  );
  assert.equal(msg({ "requires-python": ">=3.9" }), ">=3.9");
  assert.equal(msg({ "requires-python": ">=3.9.2,<3.12" }), "3.9 | 3.10 | 3.11");
  assert.equal(msg({ "requires-python": "~=3.10" }), ">=3.10");
  assert.equal(msg({ "requires-python": "not a specifier" }), "unknown");
  assert.equal(msg({ "requires-python": "<3" }), "unknown");
});

test("licence: the expression, a short table text, else a classifier", () => {
  const msg = (project: Record<string, unknown>) =>
    byId(assembleBadges(inputs({ project })), "license")?.badge?.message;
  assert.equal(msg({ license: "MIT OR Apache-2.0" }), "MIT OR Apache-2.0");
  assert.equal(msg({ license: { text: "BSD-3-Clause" } }), "BSD-3-Clause");
  assert.equal(msg({ license: { text: "Permission is hereby granted...\nlong text" } }), "unknown");
  assert.equal(msg({ classifiers: ["License :: OSI Approved :: MIT License"] }), "MIT License");
  assert.equal(msg({ license: "A\nB" }), "A B");
});

test("PyPI badges use shields' dynamic URLs for the normalized name; none without a valid name", () => {
  const badges = assembleBadges(inputs());
  assert.equal(byId(badges, "pypi-version")?.dynamicUrl, "https://img.shields.io/pypi/v/demo-pkg");
  assert.equal(byId(badges, "pypi-downloads")?.dynamicUrl, "https://img.shields.io/pypi/dm/demo-pkg");
  assert.equal(byId(badges, "pypi-version")?.link, "https://pypi.org/project/demo-pkg/");
  const hostile = assembleBadges(inputs({ project: { name: "../x?y" } }));
  assert.equal(byId(hostile, "pypi-version"), undefined);
});

test("code style and type checking appear only when configured", () => {
  assert.deepEqual(toolsInPyproject({ tool: { ruff: {}, pyright: {}, black: {} } }), ["ruff", "pyright"]);
  const badges = assembleBadges(inputs({ tools: new Set(["ruff", "mypy", "pyright"]) }));
  assert.equal(byId(badges, "code-style")?.badge?.message, "ruff");
  assert.equal(byId(badges, "types")?.badge?.message, "mypy | pyright");
});

test("the block: Markdown images with escaped alt text; rst substitutions", () => {
  const badges = assembleBadges(inputs({ project: { license: "[weird]" } })).slice(3, 5);
  const images = new Map(badges.map((b) => [b.id, `https://img/${b.id}`] as const));
  assert.deepEqual(renderBadgeBlock(badges, "markdown", images), [
    "![license: \\[weird\\]](https://img/license)",
  ]);
  const withPypi = assembleBadges(inputs()).slice(4, 5);
  const rst = renderBadgeBlock(withPypi, "rst", new Map([["pypi-version", "https://img/v"]]));
  assert.deepEqual(rst, [
    "",
    "|pypi-version|",
    "",
    ".. |pypi-version| image:: https://img/v",
    "   :alt: PyPI version",
    "   :target: https://pypi.org/project/demo-pkg/",
    "",
  ]);
});

test("the SecurityStatus reader: schema 1 only, strict counts, errors name the file", () => {
  const doc = sampleStatus(3, { grade: "B" });
  const total = doc.counts.total;
  assert.deepEqual(parseSecuritySummary(JSON.stringify(doc), "s.json"), {
    grade: "B",
    critical: total.critical,
    high: total.high,
  });
  const fails = (text: string, pattern: RegExp) =>
    assert.throws(
      () => parseSecuritySummary(text, "s.json"),
      (e: unknown) => e instanceof SlipwayError && e.code === "config" && pattern.test(e.message),
    );
  fails(
    JSON.stringify({ ...doc, schema: 2 }),
    /^s\.json: .*schema 2; this slipway reads SecurityStatus schema 1/,
  );
  fails(JSON.stringify({ ...doc, grade: "Z" }), /^s\.json: not a SecurityStatus document: \$\.grade/);
  fails(
    JSON.stringify({ ...doc, counts: { ...doc.counts, total: { ...total, critical: -1 } } }),
    /\$\.counts\.total\.critical/,
  );
  fails("{", /^s\.json is not JSON/);
});

test("the gates record", () => {
  assert.equal(parseGatesRecord('{"schema":1,"result":"failing"}', "g.json"), "failing");
  assert.throws(
    () => parseGatesRecord('{"schema":1,"result":"ok"}', "g.json"),
    /g\.json: not a gates record/,
  );
  assert.throws(() => parseGatesRecord("{", "g.json"), /g\.json: not JSON/);
});

test("code-scanning alerts: unread ones make the security badge unknown; read ones join the grade", () => {
  const status = { grade: "A", critical: 0, high: 0 };
  const sec = (over: Partial<BadgeInputs>) => byId(assembleBadges(inputs(over)), "security")?.badge;
  assert.deepEqual(sec({ security: status, codeScanning: "unreachable" }), {
    label: "security",
    message: "unknown",
    color: "lightgrey",
  });
  assert.deepEqual(sec({ security: status, codeScanning: { critical: 0, high: 2, medium: 0, low: 0 } }), {
    label: "security",
    message: "grade A, 2 high",
    color: "orange",
  });
  assert.equal(sec({ codeScanning: { critical: 0, high: 0, medium: 1, low: 0 } })?.color, "yellow");
  assert.equal(
    sec({
      security: { grade: "F", critical: 1, high: 0 },
      codeScanning: { critical: 0, high: 0, medium: 0, low: 3 },
    })?.color,
    "red",
  );
});
