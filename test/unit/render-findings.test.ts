/**
 * How findings reach people: one finding reported for the README, the wheel and the sdist is
 * shown once with its places (JSON and annotations keep one entry per place), info lines, and
 * where a finding points.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { renderGithub, renderHuman, renderJson, type Summary } from "../../src/cli/render/findings.ts";
import { splitLead, where } from "../../src/cli/render/group.ts";
import { makeStyle } from "../../src/cli/style.ts";
import { checkDescription } from "../../src/core/checks/description.ts";
import type { Finding } from "../../src/core/findings.ts";
import { REQUESTS_KEYS, requestsKeyFindings } from "../helpers/secret-findings.ts";

const plain = makeStyle(false);
const summary = (findings: readonly Finding[], over: Partial<Summary> = {}): Summary => ({
  files: [...new Set(findings.map((f) => f.location.file))],
  errors: findings.filter((f) => f.severity === "error").length,
  warnings: findings.filter((f) => f.severity === "warning").length,
  ok: true,
  strict: false,
  renderers: [],
  ...over,
});

// One README as the project has it, as hatchling wrote it into the wheel's METADATA and the
// sdist's PKG-INFO (the body starts after 14 header lines in both).
const README = "# demo\n\nSee the [changelog](CHANGELOG.md) for what changed.\n";
const readmeFindings = (): Finding[] => [
  ...checkDescription({ location: { file: "README.md" }, description: README, contentType: "text/markdown" }),
  ...checkDescription({
    location: {
      file: "dist/demo-1.0-py3-none-any.whl",
      member: "demo-1.0.dist-info/METADATA",
      field: "Description",
    },
    description: README,
    contentType: "text/markdown",
    firstLine: 15,
  }),
  ...checkDescription({
    location: { file: "dist/demo-1.0.tar.gz", member: "demo-1.0/PKG-INFO", field: "Description" },
    description: README,
    contentType: "text/markdown",
    firstLine: 15,
  }),
];

test("a finding reported for the README, the wheel and the sdist is shown once with its three places", () => {
  const findings = readmeFindings();
  assert.equal(findings.length, 3);
  assert.ok(findings.every((f) => f.id === "DESC08"));
  const text = renderHuman(findings, summary(findings), plain);
  const message = 'relative link "CHANGELOG.md" does not resolve on PyPI';
  assert.equal(text.split(message).length - 1, 1, text);
  assert.equal(text.split("hint: ").length - 1, 1, text);
  assert.match(text, /^README\.md, dist\/demo-1\.0-py3-none-any\.whl, dist\/demo-1\.0\.tar\.gz$/m);
  assert.match(text, /^ {17}at README\.md line 3$/m);
  assert.match(
    text,
    /^ {17}at dist\/demo-1\.0-py3-none-any\.whl demo-1\.0\.dist-info\/METADATA Description line 3$/m,
  );
  assert.match(text, /^ {17}at dist\/demo-1\.0\.tar\.gz demo-1\.0\/PKG-INFO Description line 3$/m);
  assert.match(text, /3 files checked: 0 errors, 3 warnings/);
  // JSON keeps one object per place, messages whole: what scripts already read.
  const doc = JSON.parse(renderJson(findings, summary(findings))) as { findings: Finding[]; infos: number };
  assert.equal(doc.findings.length, 3);
  assert.deepEqual(
    doc.findings.map((f) => f.location.file),
    ["README.md", "dist/demo-1.0-py3-none-any.whl", "dist/demo-1.0.tar.gz"],
  );
  assert.ok(doc.findings.every((f) => f.message.includes(message)));
  assert.equal(doc.infos, 0);
  // Annotations are per file: one each.
  assert.equal(renderGithub(findings, summary(findings), plain).match(/^::warning /gm)?.length, 3);
});

test("requests' test keys: the same words about several members are shown once, the members as places", () => {
  const findings = requestsKeyFindings("dist/requests-2.34.2.tar.gz");
  assert.equal(findings.length, 6, findings.map((f) => f.message).join("\n"));
  const text = renderHuman(findings, summary(findings), plain);
  assert.equal(text.split("hint: ").length - 1, 2, text);
  assert.match(
    text,
    /^ {2}warning SEC08 {2}looks like a key file in test or documentation material \(tests\/\)$/m,
  );
  assert.match(
    text,
    /^ {2}warning SEC09 {2}looks like a private key \(----…\) in test or documentation material \(tests\/\)$/m,
  );
  for (const key of REQUESTS_KEYS) {
    assert.match(
      text,
      new RegExp(`^ {17}at dist/requests-2\\.34\\.2\\.tar\\.gz ${key.replaceAll(".", "\\.")}$`, "m"),
    );
    assert.match(
      text,
      new RegExp(`^ {17}at dist/requests-2\\.34\\.2\\.tar\\.gz ${key.replaceAll(".", "\\.")} line 1$`, "m"),
    );
  }
  assert.match(text, /1 file checked: 0 errors, 6 warnings/);
  // One key alone keeps its whole message.
  const one = renderHuman([findings[0]!], summary([findings[0]!]), plain);
  assert.match(one, /member "requests-2\.34\.2\/tests\/certs\/[^"]+" looks like a key file/);
});

test("findings that differ in more than their place stay apart, under their own file", () => {
  const findings = readmeFindings();
  const other = { ...findings[2]!, message: findings[2]!.message.replace("CHANGELOG.md", "NEWS.md") };
  const text = renderHuman([findings[0]!, other], summary([findings[0]!, other]), plain);
  assert.match(text, /^README\.md$/m);
  assert.match(text, /^dist\/demo-1\.0\.tar\.gz$/m);
  assert.doesNotMatch(text, /^ +at /m);
});

const info: Finding = {
  id: "MD02",
  severity: "info",
  message:
    "dist/demo-1.0.tar.gz PKG-INFO: Metadata-Version 2.5 is accepted by PyPI but twine < 7.0 (packaging < 26) refuses it",
  hint: "Upload with twine ≥ 7.0, uv or slipway, or build with Metadata-Version 2.4.",
  location: { file: "dist/demo-1.0.tar.gz", member: "demo-1.0/PKG-INFO", field: "Metadata-Version", line: 1 },
};

test("info findings render as info lines, a GitHub notice, and are counted apart", () => {
  const text = renderHuman([info], summary([info], { infos: 1 }), plain);
  assert.match(text, /^ {2}info {4}MD02 {3}demo-1\.0\/PKG-INFO:1: Metadata-Version 2\.5/m);
  assert.match(text, /✓ 1 file checked: 0 errors, 0 warnings, 1 info$/m);
  assert.match(renderGithub([info], summary([info]), plain), /^::notice file=dist\/demo-1\.0\.tar\.gz,/m);
  assert.equal((JSON.parse(renderJson([info], summary([info], { infos: 1 }))) as { infos: number }).infos, 1);
});

test("where() names member, field and line unless the message says them; a message's lead splits off", () => {
  const [, wheel] = readmeFindings();
  // The message counts lines in the description, the location in METADATA: print neither twice.
  assert.equal(where(wheel!, wheel!.message), "");
  assert.equal(where(info, "Metadata-Version 2.5"), "demo-1.0/PKG-INFO:1");
  assert.deepEqual(
    splitLead(wheel!).lead,
    "dist/demo-1.0-py3-none-any.whl demo-1.0.dist-info/METADATA Description line 3",
  );
  assert.equal(splitLead(info).lead, "dist/demo-1.0.tar.gz PKG-INFO");
  assert.equal(splitLead({ ...info, message: "no lead here" }).lead, undefined);
});
