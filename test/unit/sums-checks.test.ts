/**
 * SUM01–SUM04 on checksum-file text as `sha256sum` (text, binary and --tag modes) and slipway
 * build write it, and on hostile variants: oversized, malformed, escaping names, duplicates.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { MANIFEST_FILE, renderSha256Sums, SUMS_FILE } from "../../src/core/build/output.ts";
import {
  checkEntry,
  checksumKindOf,
  checkUnlisted,
  parseManifest,
  parseSha256Sums,
  SUM_CHECKS,
  SUMS_MAX_ENTRIES,
} from "../../src/core/checks/sums.ts";

const sha = (s: string) => createHash("sha256").update(s).digest("hex");
const A = sha("wheel bytes");
const B = sha("sdist bytes");
const WHEEL = "demo_pkg-1.0.0-py3-none-any.whl";
const SDIST = "demo_pkg-1.0.0.tar.gz";
const brief = (list: ReturnType<typeof parseSha256Sums>) => ({
  entries: list.entries.map((e) => `${e.name} ${e.sha256.slice(0, 8)}`),
  findings: list.findings.map((f) => `${f.id} ${f.severity} ${f.message}`),
});

test("the catalogue holds SUM01–SUM04; checksum files and the manifest are recognised by name", () => {
  assert.deepEqual(
    SUM_CHECKS.map((c) => c.id),
    ["SUM01", "SUM02", "SUM03", "SUM04"],
  );
  for (const name of [SUMS_FILE, "SHA256SUMS", "SHA256SUMS.txt", "sha256sums.txt", `${SDIST}.sha256`]) {
    assert.equal(checksumKindOf(`dist/${name}`), "sums", name);
  }
  assert.equal(checksumKindOf(`dist/${MANIFEST_FILE}`), "manifest");
  for (const name of [WHEEL, SDIST, "SHA512SUMS", "README.md", "sha256.py"])
    assert.equal(checksumKindOf(name), undefined);
});

test("SUM04 passes every form sha256sum and slipway build write", () => {
  const expected = [`${WHEEL} ${A.slice(0, 8)}`, `${SDIST} ${B.slice(0, 8)}`];
  const forms = [
    renderSha256Sums([
      { filename: SDIST, sha256: B },
      { filename: WHEEL, sha256: A },
    ]), // slipway build
    `${A}  ${WHEEL}\n${B}  ${SDIST}\n`, // sha256sum (text mode)
    `${A} *${WHEEL}\r\n${B} *${SDIST}\r\n`, // sha256sum -b, CRLF
    `SHA256 (${WHEEL}) = ${A}\nSHA256 (${SDIST}) = ${B}\n`, // sha256sum --tag
    `${A.toUpperCase()}  ${WHEEL}\n\n${B}  ${SDIST}`, // upper case, blank line, no final newline
  ];
  for (const text of forms)
    assert.deepEqual(
      brief(parseSha256Sums(text, "dist/SHA256SUMS")),
      { entries: expected, findings: [] },
      text,
    );
  // A name with a backslash is escaped by sha256sum: the line starts with one.
  assert.deepEqual(
    parseSha256Sums(`\\${A}  odd\\\\name.whl\n`, "SHA256SUMS").entries[0]?.name,
    "odd\\name.whl",
  );
  // NAME.sha256: one bare hash names NAME.
  assert.deepEqual(brief(parseSha256Sums(`${B}\n`, `dist/${SDIST}.sha256`)).entries, [
    `${SDIST} ${B.slice(0, 8)}`,
  ]);
});

test("SUM04 warns on malformed lines and fails on an empty list, escaping names, conflicting duplicates, too many entries", () => {
  const malformed = brief(
    parseSha256Sums(`${A}  ${WHEEL}\nnot a line\n${B.slice(2)}  ${SDIST}\n`, "SHA256SUMS"),
  );
  assert.deepEqual(malformed.entries, [`${WHEEL} ${A.slice(0, 8)}`]);
  assert.deepEqual(
    malformed.findings.map((f) => f.split(":")[0]),
    ["SUM04 warning SHA256SUMS line 2", "SUM04 warning SHA256SUMS line 3"],
  );
  assert.match(
    brief(parseSha256Sums("\n\n", "SHA256SUMS")).findings.join(),
    /SUM04 error .*vouches for nothing/,
  );
  // A bare hash only counts in NAME.sha256.
  assert.match(brief(parseSha256Sums(`${A}\n`, "SHA256SUMS")).findings.join(), /SUM04 error/);
  for (const name of ["../../etc/passwd", "/etc/passwd", "C:/x.whl", "dist/../../x.whl"]) {
    const list = brief(parseSha256Sums(`${A}  ${name}\n${B}  ${SDIST}\n`, "SHA256SUMS"));
    assert.deepEqual(list.entries, [`${SDIST} ${B.slice(0, 8)}`], name);
    assert.match(
      list.findings.join(),
      /SUM04 error SHA256SUMS line 1: names .* outside the checksum file's directory/,
    );
  }
  const twice = brief(parseSha256Sums(`${A}  ${WHEEL}\n${B}  ${WHEEL}\n${A}  ${WHEEL}\n`, "SHA256SUMS"));
  assert.equal(twice.entries.length, 1);
  assert.deepEqual(
    twice.findings.map((f) => f.slice(0, 34)),
    ["SUM04 error SHA256SUMS line 2: lis"],
  );
  const many = Array.from({ length: SUMS_MAX_ENTRIES + 1 }, (_, i) => `${A}  f${i}.whl`).join("\n");
  const tooMany = brief(parseSha256Sums(many, "SHA256SUMS"));
  assert.deepEqual(tooMany.entries, []);
  assert.match(tooMany.findings.join(), /lists more than 10000 files/);
  // One huge line is a malformed line, not a slow one.
  assert.match(
    brief(parseSha256Sums(`${A}  ${"x".repeat(100_000)}\n`, "SHA256SUMS")).findings.join(),
    /not a checksum line \("[0-9a-f]{57}\.\.\."\)/,
  );
});

const manifest = (artifacts: unknown, format: unknown = 1) =>
  JSON.stringify({ format, tool: { name: "slipway", version: "0.1.0" }, artifacts });

test("SUM04 reads slipway's build manifest and refuses what is not one", () => {
  const good = parseManifest(
    manifest([
      { filename: WHEEL, kind: "wheel", size: 11, sha256: A },
      { filename: SDIST, kind: "sdist", size: 11, sha256: B },
    ]),
    MANIFEST_FILE,
  );
  assert.deepEqual(
    good.entries.map((e) => [e.name, e.size, "field" in e.at ? e.at.field : ""]),
    [
      [WHEEL, 11, "artifacts[0]"],
      [SDIST, 11, "artifacts[1]"],
    ],
  );
  assert.deepEqual(good.findings, []);
  const bad = [
    "{not json",
    "[]",
    manifest([], 2),
    JSON.stringify({ format: 1 }),
    manifest([]),
    manifest([{ filename: "../x.whl", size: 1, sha256: A }]),
    manifest([{ filename: WHEEL, size: -1, sha256: A }]),
    manifest([{ filename: WHEEL, size: 1, sha256: "abc" }]),
    `${"[".repeat(100_000)}${"]".repeat(100_000)}`,
  ];
  for (const text of bad) {
    const list = parseManifest(text, MANIFEST_FILE);
    assert.deepEqual(list.entries, [], text.slice(0, 40));
    assert.deepEqual(
      list.findings.map((f) => `${f.id} ${f.severity}`),
      ["SUM04 error"],
      text.slice(0, 40),
    );
  }
});

test("SUM01 names the file and both hashes; SUM02 a missing file; SUM03 an unlisted distribution", () => {
  const [entry] = parseSha256Sums(`${A}  ${WHEEL}\n`, "dist/SHA256SUMS").entries;
  assert.deepEqual(checkEntry("dist/SHA256SUMS", "dist/", entry!, { sha256: A, size: 11 }), []);
  const [changed] = checkEntry("dist/SHA256SUMS", "dist/", entry!, { sha256: B, size: 11 });
  assert.equal(changed?.id, "SUM01");
  assert.equal(changed.message, `dist/SHA256SUMS line 1: ${WHEEL} has sha256 ${B} but the list says ${A}`);
  assert.deepEqual(changed.location, { file: "dist/SHA256SUMS", line: 1 });
  const [sized] = parseManifest(manifest([{ filename: WHEEL, size: 11, sha256: A }]), MANIFEST_FILE).entries;
  assert.match(
    checkEntry(MANIFEST_FILE, "dist/", sized!, { sha256: A, size: 12 })[0]?.message ?? "",
    /\(12 bytes, listed 11\)/,
  );
  const [missing] = checkEntry("dist/SHA256SUMS", "dist/", entry!, { missing: true });
  assert.equal(missing?.id, "SUM02");
  assert.match(missing.message, new RegExp(`${WHEEL} is listed \\(sha256 ${A}\\) but is not in dist/`));
  assert.equal(checkEntry("dist/SHA256SUMS", "dist/", entry!, { notAFile: true })[0]?.id, "SUM02");
  const list = parseSha256Sums(`${A}  ${WHEEL}\n`, "dist/SHA256SUMS");
  const unlisted = checkUnlisted("dist/SHA256SUMS", list, [WHEEL, "demo_pkg-0.9.0-py3-none-any.whl"]);
  assert.deepEqual(
    unlisted.map((f) => `${f.id} ${f.severity} ${f.message}`),
    [
      "SUM03 warning dist/SHA256SUMS: demo_pkg-0.9.0-py3-none-any.whl is a distribution beside it that it does not list",
    ],
  );
  // NAME.sha256 vouches for NAME alone.
  const single = parseSha256Sums(`${A}\n`, `dist/${WHEEL}.sha256`);
  assert.deepEqual(checkUnlisted(`dist/${WHEEL}.sha256`, single, [WHEEL, SDIST]), []);
});
