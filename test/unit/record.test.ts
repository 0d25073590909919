import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { assembleDistContext } from "../../src/core/checks/dist-context.ts";
import { checkRecord, REC_CHECKS } from "../../src/core/checks/record.ts";
import type { ArtifactModel } from "../../src/core/dist/artifact.ts";
import {
  b64Length,
  CSV_FIELD_LIMIT,
  DIGEST_BYTES,
  parseRecord,
  parseRecordHash,
  parseRecordSize,
  readCsv,
  splitFileLines,
  splitPythonLines,
} from "../../src/core/dist/record.ts";
import {
  makeArtifact,
  makeWheel,
  recordDigest,
  type WheelOptions,
  wheelRecord,
} from "../helpers/artifact.ts";

const rows = (text: string) => parseRecord(text).entries.map((e) => e.fields);

test("splitPythonLines follows str.splitlines()", () => {
  assert.deepEqual(splitPythonLines(""), []);
  assert.deepEqual(splitPythonLines("a\n"), ["a"]);
  assert.deepEqual(splitPythonLines("a\n\n"), ["a", ""]);
  assert.deepEqual(splitPythonLines("a\r\nb\rc\nd"), ["a", "b", "c", "d"]);
  assert.deepEqual(splitPythonLines("x\vy\fz\x1cw\x85v\u2028u\u2029t"), ["x", "y", "z", "w", "v", "u", "t"]);
  assert.deepEqual(splitPythonLines("a\x1f"), ["a\x1f"]);
});

test("splitFileLines keeps terminators like a file opened with newline=''", () => {
  assert.deepEqual(splitFileLines("a\rb\r\nc\nd"), ["a\r", "b\r\n", "c\n", "d"]);
  assert.deepEqual(splitFileLines(""), []);
});

test("readCsv handles quotes, doubled quotes and text after a closing quote", () => {
  assert.deepEqual(
    readCsv(['a,"b,c",d', '"x""y",z', 'a"b,c', '"q"r,s']).rows.map((r) => r.fields),
    [
      ["a", "b,c", "d"],
      ['x"y', "z"],
      ['a"b', "c"],
      ["qr", "s"],
    ],
  );
});

test("readCsv joins a quoted field across lines without the lost line break", () => {
  const result = readCsv(['"a', 'b",c', "d,e"]);
  assert.deepEqual(
    result.rows.map((r) => [r.line, r.fields]),
    [
      [1, ["ab", "c"]],
      [3, ["d", "e"]],
    ],
  );
});

test("readCsv keeps an unterminated quoted field at end of input", () => {
  assert.deepEqual(
    readCsv(['x,"abc']).rows.map((r) => r.fields),
    [["x", "abc"]],
  );
});

test("readCsv yields an empty row for a blank line and a trailing empty field", () => {
  assert.deepEqual(
    readCsv(["", "a,"]).rows.map((r) => r.fields),
    [[], ["a", ""]],
  );
});

test("readCsv raises the field size limit like csv.Error", () => {
  assert.equal(readCsv(["a".repeat(CSV_FIELD_LIMIT)]).error, undefined);
  assert.match(readCsv(["a".repeat(CSV_FIELD_LIMIT + 1)]).error ?? "", /field larger than field limit/);
  // The limit counts characters (code points), not UTF-16 units: this field is within it.
  assert.equal(readCsv([`x,${"\u{1F600}".repeat(CSV_FIELD_LIMIT)}`]).error, undefined);
});

test("readCsv reads unquoted file lines the same whatever their terminator", () => {
  const lines = splitFileLines("a,b,c\r\n\r\nd,,\re,f\n,g");
  assert.deepEqual(lines, ["a,b,c\r\n", "\r\n", "d,,\r", "e,f\n", ",g"]);
  assert.deepEqual(
    readCsv(lines).rows.map((r) => [r.line, r.fields]),
    [
      [1, ["a", "b", "c"]],
      [2, []],
      [3, ["d", "", ""]],
      [4, ["e", "f"]],
      [5, ["", "g"]],
    ],
  );
  // A quoted row between unquoted ones still goes through the state machine, across lines.
  assert.deepEqual(
    readCsv(["a,b", '"c', 'd",e', "f"]).rows.map((r) => [r.line, r.fields]),
    [
      [1, ["a", "b"]],
      [2, ["cd", "e"]],
      [4, ["f"]],
    ],
  );
});

test("parseRecord reads quoted paths with commas (edge case 8)", () => {
  const text = '"wcwidth/textwrap.py,cover",sha256=abc,12\r\nwcwidth-0.8.3.dist-info/RECORD,,\r\n';
  assert.deepEqual(rows(text), [
    ["wcwidth/textwrap.py,cover", "sha256=abc", "12"],
    ["wcwidth-0.8.3.dist-info/RECORD", "", ""],
  ]);
  assert.equal(parseRecord(text).splitMismatch, undefined);
});

test("parseRecord reports a quoted path that str.splitlines() breaks", () => {
  const record = parseRecord('"odd\vname.py",sha256=abc,1\n');
  assert.deepEqual(record.entries[0]?.fields, ["oddname.py", "sha256=abc", "1"]);
  assert.deepEqual(record.splitMismatch?.written, ["odd\vname.py", "sha256=abc", "1"]);
});

test("parseRecord reports a quoted newline in a path", () => {
  const record = parseRecord('"a\nb.py",sha256=abc,1\n');
  assert.deepEqual(record.entries[0]?.fields, ["ab.py", "sha256=abc", "1"]);
  assert.equal(record.splitMismatch?.line, 1);
});

test("parseRecordHash accepts every guaranteed algorithm at its digest length", () => {
  for (const [alg, bytes] of Object.entries(DIGEST_BYTES)) {
    const digest = Buffer.alloc(bytes, 7).toString("base64url");
    assert.equal(digest.length, b64Length(bytes));
    const parsed = parseRecordHash(`${alg}=${digest}`);
    assert.ok(parsed.ok, `${alg}`);
  }
});

test("parseRecordHash names hex, padding, the standard alphabet, weak and unknown algorithms", () => {
  const raw = createHash("sha256").update("x").digest();
  const cases: [string, RegExp][] = [
    [`sha256=${raw.toString("hex")}`, /hex/],
    [`sha256=${raw.toString("base64")}`, /padding|"\+" or "\/"/],
    [`sha256=${raw.toString("base64url")}=`, /padding/],
    [`md5=${createHash("md5").update("x").digest("base64url")}`, /too weak/],
    [`sha1=${createHash("sha1").update("x").digest("base64url")}`, /too weak/],
    [`shake_128=${raw.toString("base64url")}`, /no fixed digest length/],
    [`whirlpool=${raw.toString("base64url")}`, /algorithms_guaranteed/],
    [`sha256=${raw.toString("base64url").slice(1)}`, /42 characters, expected 43/],
    [raw.toString("base64url"), /<algorithm>=<digest>/],
    ["sha256=a!b", /outside urlsafe/],
  ];
  for (const [value, expected] of cases) {
    const parsed = parseRecordHash(value);
    assert.equal(parsed.ok, false, value);
    if (!parsed.ok) assert.match(parsed.error, expected, value);
  }
  assert.deepEqual(parseRecordHash(`sha256=${raw.toString("base64url")}`), {
    ok: true,
    alg: "sha256",
    digest: raw.toString("base64url"),
  });
});

test("parseRecordSize takes only plain base-10 digits", () => {
  assert.equal(parseRecordSize("120"), 120);
  assert.equal(parseRecordSize("0"), 0);
  assert.equal(parseRecordSize("1_000"), undefined);
  assert.equal(parseRecordSize(" 12"), undefined);
  assert.equal(parseRecordSize(""), undefined);
});

// ---- REC checks on wheel models -------------------------------------------------------------

const DI = "demo_pkg-1.0.0.dist-info";
const RECORD = `${DI}/RECORD`;

const runRec = (artifact: ArtifactModel) => checkRecord(assembleDistContext(artifact, artifact.filename));
const recOnly = (artifact: ArtifactModel, id: string) => runRec(artifact).filter((f) => f.id === id);
/** A wheel whose RECORD is the generated one passed through `edit`. */
const edited = (edit: (record: string) => string, options: WheelOptions = {}) =>
  makeWheel({ ...options, record: edit(wheelRecord(options)) });

test("a wheel with a generated RECORD passes every REC check", () => {
  assert.deepEqual(runRec(makeWheel()), []);
  assert.deepEqual(runRec(makeWheel({ files: { "demo_pkg/a,b.py": "x", 'demo_pkg/q"uote.py': "y" } })), []);
  assert.equal(REC_CHECKS.length, 9);
});

test("REC01 fails without RECORD, on non-UTF-8 RECORD and on csv.Error", () => {
  const missing = makeWheel();
  missing.members = missing.members.filter((m) => m.name !== RECORD);
  assert.match(recOnly(missing, "REC01")[0]?.message ?? "", /has no demo_pkg-1\.0\.0\.dist-info\/RECORD/);
  const latin1 = makeWheel({ record: new Uint8Array([0x61, 0xe9, 0x2c, 0x2c]) });
  assert.match(recOnly(latin1, "REC01")[0]?.message ?? "", /not valid UTF-8/);
  const huge = makeWheel({ record: `${"a".repeat(CSV_FIELD_LIMIT + 1)},,\n` });
  assert.match(recOnly(huge, "REC01")[0]?.message ?? "", /field larger than field limit/);
  // A RECORD that could not be read verified nothing: an error, never a pass.
  const unread = makeWheel();
  delete unread.record;
  assert.deepEqual(
    runRec(unread).map((f) => [f.id, f.severity]),
    [["REC01", "error"]],
  );
});

test("REC02 fails on blank rows, unquoted commas and paths split by str.splitlines()", () => {
  const blank = recOnly(
    edited((r) => r.replace("\n", "\n\n")),
    "REC02",
  );
  assert.match(blank[0]?.message ?? "", /line 2 is blank/);
  const comma = makeWheel({ files: { "demo_pkg/a,b.py": "x" } });
  const unquoted = edited((r) => r.replace('"demo_pkg/a,b.py"', "demo_pkg/a,b.py"), {
    files: { "demo_pkg/a,b.py": "x" },
  });
  assert.deepEqual(recOnly(comma, "REC02"), []);
  assert.match(recOnly(unquoted, "REC02")[0]?.message ?? "", /has 4 fields .*must be quoted/);
  const vt = makeWheel({ files: { "demo_pkg/odd\vname.py": "x" } });
  const messages = recOnly(vt, "REC02").map((f) => f.message);
  assert.ok(messages.some((m) => /after str\.splitlines\(\)/.test(m)));
});

test("REC03 fails on a member RECORD does not list, but exempts signatures (edge case 11)", () => {
  const unlisted = edited((r) => r.replace(/^demo_pkg\/__init__\.py,.*\n/m, ""));
  assert.match(
    recOnly(unlisted, "REC03")[0]?.message ?? "",
    /demo_pkg\/__init__\.py is not listed in RECORD/,
  );
  assert.equal(recOnly(unlisted, "REC03")[0]?.severity, "error");
  const selfless = edited((r) => r.replace(`${RECORD},,\n`, ""));
  assert.match(recOnly(selfless, "REC03")[0]?.message ?? "", /RECORD does not list itself/);
  const signed = makeWheel();
  signed.members.push({ name: `${DI}/RECORD.jws`, kind: "file", size: 2, digests: { sha256: "x" } });
  assert.deepEqual(recOnly(signed, "REC03"), []);
});

test("REC03 names the backslashed RECORD row of a Windows writer (edge case 9)", () => {
  const files = { "demo_pkg-1.0.0.data/data/share/x.txt": "x" };
  const windows = edited(
    (r) => r.replace("demo_pkg-1.0.0.data/data/share/x.txt", "demo_pkg-1.0.0.data\\data\\share\\x.txt"),
    {
      files,
    },
  );
  const findings = runRec(windows);
  assert.match(
    findings.find((f) => f.id === "REC03")?.message ?? "",
    /RECORD has it as demo_pkg-1\.0\.0\.data\\data/,
  );
  assert.equal(findings.find((f) => f.id === "REC08")?.severity, "warning");
  assert.deepEqual(
    findings.filter((f) => f.id === "REC04"),
    [],
  );
});

test("REC04 warns on a RECORD path that is not in the wheel", () => {
  const stale = edited((r) => `demo_pkg/gone.py,sha256=${recordDigest("x")},1\n${r}`);
  assert.deepEqual(
    recOnly(stale, "REC04").map((f) => [f.severity, f.message]),
    [["warning", `${RECORD} line 1 lists demo_pkg/gone.py, which is not in the wheel`]],
  );
});

test("REC05 fails on a row without hash or size and warns on RECORD's own hash", () => {
  const noHash = edited((r) => r.replace(/^(demo_pkg\/__init__\.py),sha256=[^,]*,/m, "$1,,"));
  assert.match(recOnly(noHash, "REC05")[0]?.message ?? "", /has no hash/);
  const noSize = edited((r) => r.replace(/^(demo_pkg\/__init__\.py,sha256=[^,]*),\d+/m, "$1,"));
  assert.match(recOnly(noSize, "REC05")[0]?.message ?? "", /has no size/);
  const own = edited((r) => r.replace(`${RECORD},,`, `${RECORD},sha256=${recordDigest("")},0`));
  assert.equal(recOnly(own, "REC05")[0]?.severity, "warning");
  const words = edited((r) => r.replace(/^(demo_pkg\/__init__\.py,sha256=[^,]*),\d+/m, "$1,twelve"));
  assert.match(recOnly(words, "REC05")[0]?.message ?? "", /"twelve" is not an integer/);
  const spaced = edited((r) => r.replace(/^(demo_pkg\/__init__\.py,sha256=[^,]*),(\d+)/m, "$1, $2"));
  assert.equal(recOnly(spaced, "REC05")[0]?.severity, "warning");
});

test("REC06 fails on hex digests (edge case 10) and md5", () => {
  const hex = createHash("sha256").update('__version__ = "1.0.0"\n').digest("hex");
  const findings = recOnly(
    edited((r) => r.replace(/^(demo_pkg\/__init__\.py),sha256=[^,]*,/m, `$1,sha256=${hex},`)),
    "REC06",
  );
  assert.match(findings[0]?.message ?? "", /digest is hex/);
  const md5 = edited((r) =>
    r.replace(/^(demo_pkg\/__init__\.py),sha256=[^,]*,/m, `$1,md5=${recordDigest("x", "md5")},`),
  );
  assert.match(recOnly(md5, "REC06")[0]?.message ?? "", /md5 is too weak/);
});

test("REC07 fails on a wrong hash or size and says when a member could not be read", () => {
  const wrongHash = edited((r) =>
    r.replace(/^(demo_pkg\/__init__\.py),sha256=[^,]*,/m, `$1,sha256=${recordDigest("other")},`),
  );
  assert.match(
    recOnly(wrongHash, "REC07")[0]?.message ?? "",
    /demo_pkg\/__init__\.py has sha256=.* but .* says sha256=/,
  );
  const wrongSize = edited((r) => r.replace(/^(demo_pkg\/__init__\.py,sha256=[^,]*),\d+/m, "$1,999"));
  assert.match(recOnly(wrongSize, "REC07")[0]?.message ?? "", /is 22 bytes but .* says 999/);
  // Digests are what the reader computed: a member it could not read has none.
  const init = '__version__ = "1.0.0"\n';
  const unreadable = makeWheel({ members: [{ name: "demo_pkg/__init__.py", kind: "file", size: 22 }] });
  const findings = recOnly(unreadable, "REC07");
  assert.deepEqual(
    findings.map((f) => f.severity),
    ["error"],
  );
  assert.match(findings[0]!.message, /could not be read/);
  assert.equal(findings[0]!.location.member, "demo_pkg/__init__.py");
  const sha512 = edited((r) =>
    r.replace(/^(demo_pkg\/__init__\.py),sha256=[^,]*,/m, `$1,sha512=${recordDigest(init, "sha512")},`),
  );
  // Without the sha512 digest (the reader computes the algorithms RECORD names) it is not verified...
  assert.match(recOnly(sha512, "REC07")[0]?.message ?? "", /its sha512 digest was not computed/);
  // ...with it, it is.
  const computed = makeWheel({
    record: wheelRecord().replace(
      /^(demo_pkg\/__init__\.py),sha256=[^,]*,/m,
      `$1,sha512=${recordDigest(init, "sha512")},`,
    ),
    members: [
      {
        name: "demo_pkg/__init__.py",
        kind: "file",
        size: 22,
        digests: { sha256: recordDigest(init), sha512: recordDigest(init, "sha512") },
      },
    ],
  });
  assert.deepEqual(recOnly(computed, "REC07"), []);
});

test("REC08 fails on absolute, drive-letter, dot-dot and empty paths", () => {
  const bad = ["/etc/passwd", "C:/x.py", "demo_pkg/../../x.py", "demo_pkg/./x.py", "demo_pkg//x.py", ""];
  for (const path of bad) {
    const findings = recOnly(
      edited((r) => `${path},sha256=${recordDigest("")},0\n${r}`),
      "REC08",
    );
    assert.equal(findings[0]?.severity, "error", path);
  }
  assert.deepEqual(recOnly(makeWheel({ files: { "demo_pkg/sub dir/x.py": "" } }), "REC08"), []);
});

test("REC09 flags directory rows, duplicates and file/directory conflicts", () => {
  const dir = recOnly(
    edited((r) => `demo_pkg/,,\n${r}`),
    "REC09",
  );
  assert.equal(dir[0]?.severity, "warning");
  const sameDup = recOnly(
    edited((r) => r + r.split("\n")[0]!),
    "REC09",
  );
  assert.equal(sameDup[0]?.severity, "warning");
  const differentDup = recOnly(
    edited((r) => `${r}demo_pkg/__init__.py,sha256=${recordDigest("x")},1\n`),
    "REC09",
  );
  assert.match(differentDup[0]?.message ?? "", /with different hashes or sizes/);
  assert.equal(differentDup[0]?.severity, "error");
  const conflict = recOnly(
    edited((r) => `${r}demo_pkg/__init__.py/x,sha256=${recordDigest("x")},1\n`),
    "REC09",
  );
  assert.match(conflict[0]?.message ?? "", /both as a file and as a directory/);
});

test("REC09 fails when two members, both listed, are a file and a directory of one path", () => {
  // RecordMembers finds each file's node from its directory's, once per directory.
  const cases: [Record<string, string>, string][] = [
    [{ "demo_pkg/data": "x", "demo_pkg/data/inner.py": "y", "demo_pkg/other.py": "z" }, "demo_pkg/data"],
    [{ top: "x", "top/inner.py": "y" }, "top"],
    [{ "demo_pkg/a/b/c": "x", "demo_pkg/a/b/c/d/e.py": "y", "demo_pkg/a/b/f.py": "z" }, "demo_pkg/a/b/c"],
  ];
  for (const [files, path] of cases) {
    const found = recOnly(
      edited((r) => r, { files }),
      "REC09",
    );
    assert.deepEqual(
      found.map((f) => f.message),
      [`demo_pkg-1.0.0.dist-info/RECORD uses ${path} both as a file and as a directory`],
      path,
    );
  }
});

test("checkRecord does nothing for an sdist", () => {
  const sdist = makeArtifact({
    filename: "demo_pkg-1.0.0.tar.gz",
    files: { "demo_pkg-1.0.0/PKG-INFO": "x" },
  });
  assert.deepEqual(runRec(sdist), []);
});

test("REC findings of one kind are capped and summarized (a hex-digest RECORD flags every row)", () => {
  const files = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`demo_pkg/m${i}.py`, `x = ${i}\n`]));
  const hex = edited(
    (r) =>
      r.replace(/sha256=([^,]+)/g, (_, d: string) => `sha256=${Buffer.from(d, "base64url").toString("hex")}`),
    { files },
  );
  const rec06 = recOnly(hex, "REC06");
  assert.equal(rec06.length, 21);
  assert.match(rec06[20]!.message, /RECORD: 13 more REC06 problems like the ones above/);
});
