import assert from "node:assert/strict";
import { test } from "node:test";
import {
  BADGE_COLORS,
  badgeColorHex,
  renderBadgeSvg,
  shieldsEndpointJson,
  shieldsEndpointUrl,
  shieldsStaticUrl,
  textWidth,
} from "../../src/core/badges/render.ts";

test("static URL: shields' dash, underscore and space escapes, then percent-encoding", () => {
  assert.equal(
    shieldsStaticUrl({ label: "security", message: "A", color: "brightgreen" }),
    "https://img.shields.io/badge/security-A-brightgreen",
  );
  assert.equal(
    shieldsStaticUrl({ label: "python-versions", message: "3.10 | 3.11", color: "blue" }),
    "https://img.shields.io/badge/python--versions-3.10_%7C_3.11-blue",
  );
  assert.equal(
    shieldsStaticUrl({ label: "snake_case", message: "a/b?c#d&e%", color: "4c1" }),
    "https://img.shields.io/badge/snake__case-a%2Fb%3Fc%23d%26e%25-4c1",
  );
  // A space next to an underscore is %20: "___" would read as "_ " for both "a_ b" and "a _b".
  assert.equal(
    shieldsStaticUrl({ label: "a_ b", message: "a _b", color: "red" }),
    "https://img.shields.io/badge/a__%20b-a%20__b-red",
  );
  // Hostile text: lone surrogates do not throw; non-ASCII is percent-encoded as UTF-8.
  assert.equal(
    shieldsStaticUrl({ label: "\ud800x", message: "é--", color: "red", labelColor: "\udfff" }),
    "https://img.shields.io/badge/%EF%BF%BDx-%C3%A9-----red?labelColor=%EF%BF%BD",
  );
  assert.equal(shieldsEndpointUrl("\ud800"), "https://img.shields.io/endpoint?url=%EF%BF%BD");
});

test("static URL: no label part for an empty label; labelColor as a query", () => {
  assert.equal(
    shieldsStaticUrl({ label: "", message: "ruff", color: "orange" }),
    "https://img.shields.io/badge/ruff-orange",
  );
  assert.equal(
    shieldsStaticUrl({ label: "code style", message: "ruff", color: "d7ff64", labelColor: "261230" }),
    "https://img.shields.io/badge/code_style-ruff-d7ff64?labelColor=261230",
  );
});

test("endpoint JSON: schemaVersion 1 and the fields in order, labelColor only when set", () => {
  assert.equal(
    shieldsEndpointJson({ label: "security", message: "A", color: "brightgreen" }),
    '{"schemaVersion":1,"label":"security","message":"A","color":"brightgreen"}\n',
  );
  const json = JSON.parse(
    shieldsEndpointJson({ label: 'x"<y', message: "", color: "red", labelColor: "555" }),
  );
  assert.deepEqual(json, {
    schemaVersion: 1,
    label: 'x"<y',
    message: "unknown",
    color: "red",
    labelColor: "555",
  });
});

test("endpoint URL: the JSON URL percent-encoded, an optional label override", () => {
  assert.equal(
    shieldsEndpointUrl("https://o.github.io/p/badge/security.json"),
    "https://img.shields.io/endpoint?url=https%3A%2F%2Fo.github.io%2Fp%2Fbadge%2Fsecurity.json",
  );
  assert.equal(
    shieldsEndpointUrl("https://h/x.json?a=1&b=2", { label: "sec & co" }),
    "https://img.shields.io/endpoint?url=https%3A%2F%2Fh%2Fx.json%3Fa%3D1%26b%3D2&label=sec%20%26%20co",
  );
});

test("text widths: Verdana 11px for ASCII, estimates for the rest", () => {
  // Verdana's advance widths (units per 2048 em) at 11px: b 1276, u 1296, i 562, l 562, d 1276.
  assert.equal(textWidth("build"), ((1276 + 1296 + 562 + 562 + 1276) * 11) / 2048);
  assert.ok(Math.abs(textWidth("passing") - 41.755) < 0.001, String(textWidth("passing")));
  assert.ok(textWidth("W") > textWidth("i"));
  assert.equal(textWidth("漢字"), 22);
  assert.equal(textWidth("e\u0301"), textWidth("e"));
  assert.equal(textWidth("\u0000\u001b"), 0);
});

test("colors: names, hex with and without shorthand, anything else lightgrey", () => {
  assert.equal(badgeColorHex("brightgreen"), "#4c1");
  assert.equal(badgeColorHex("RED"), "#e05d44");
  assert.equal(badgeColorHex("ABCDEF"), "#abcdef");
  assert.equal(badgeColorHex("0f0"), "#0f0");
  assert.equal(badgeColorHex("url(#x)"), `#${BADGE_COLORS.lightgrey}`);
  for (const name of ["brightgreen", "green", "yellowgreen", "yellow", "orange", "red", "blue", "lightgrey"])
    assert.match(BADGE_COLORS[name] ?? "", /^[0-9a-f]{3,6}$/);
});

test("SVG: sized from the text, accessible, hostile text escaped", () => {
  const svg = renderBadgeSvg({ label: "security", message: "A", color: "brightgreen" });
  assert.match(
    svg,
    /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="(\d+)" height="20" role="img" aria-label="security: A">/,
  );
  assert.match(svg, /<title>security: A<\/title>/);
  const width = Number(/width="(\d+)"/.exec(svg)?.[1]);
  assert.equal(width, Math.round(textWidth("security")) + 10 + Math.round(textWidth("A")) + 10);
  assert.match(svg, /fill="#4c1"/);

  const hostile = renderBadgeSvg({
    label: "<script>alert(1)</script>",
    message: `"onload='x'&amp;`,
    color: '"/><script>',
    labelColor: "red",
  });
  assert.doesNotMatch(hostile, /<script/);
  assert.doesNotMatch(hostile, /onload='/);
  assert.match(hostile, /&lt;script&gt;/);
  assert.match(hostile, /&quot;onload=&apos;x&apos;&amp;amp;/);
  assert.match(hostile, /fill="#9f9f9f"/);
});

test("SVG: light backgrounds get dark text; an empty label draws the message only", () => {
  const light = renderBadgeSvg({ label: "", message: "ok", color: "d7ff64" });
  assert.match(light, /fill="#333"/);
  assert.doesNotMatch(light, /fill="#555"/);
  assert.equal((light.match(/<text /g) ?? []).length, 2);
  const dark = renderBadgeSvg({ label: "l", message: "m", color: "blue" });
  assert.equal((dark.match(/<text /g) ?? []).length, 4);
  assert.doesNotMatch(dark, /fill="#333"/);
});

test("SVG: well-formed XML (checked by Python's parser)", async () => {
  const { pythonJson } = await import("../helpers/peers.ts");
  const svgs = [
    renderBadgeSvg({ label: "a&b", message: "<c>", color: "red" }),
    renderBadgeSvg({ label: "", message: "漢字 ✓", color: "abc" }),
    renderBadgeSvg({ label: "\u0000\u001b[31m\ud800", message: "\uffff\u0008", color: "abc" }),
  ];
  const roots = pythonJson<string[]>(
    `import json, sys, xml.etree.ElementTree as ET
print(json.dumps([ET.fromstring(s).tag for s in json.load(sys.stdin)]))`,
    svgs,
  );
  assert.deepEqual(roots, Array(3).fill("{http://www.w3.org/2000/svg}svg"));
});
