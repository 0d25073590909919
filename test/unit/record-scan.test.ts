/**
 * The streaming RECORD scan (issue 11 B2–B4): cut anywhere, it reads what the whole text reads
 * (which record-oracle.test.ts checks against Python's csv); past its limit it refuses; and its
 * work, with the REC checks', grows linearly with ghost rows and unlisted members. Work is
 * counted (rows, characters, path segments, findings made), never timed.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { assembleDistContext } from "../../src/core/checks/dist-context.ts";
import { verifyRecord } from "../../src/core/checks/record.ts";
import { RecordMembers } from "../../src/core/checks/record-members.ts";
import { RecordScanner, scanRecord } from "../../src/core/checks/record-scan.ts";
import type { ArchiveMember } from "../../src/core/dist/artifact.ts";
import {
  CsvReader,
  type CsvRow,
  LineSplitter,
  parseRecord,
  readCsv,
  splitPythonLines,
} from "../../src/core/dist/record.ts";
import { makeWheel, recordDigest, wheelRecord } from "../helpers/artifact.ts";
import { seededInt } from "../helpers/random.ts";

const encoder = new TextEncoder();

/** Rows of `text` read through the splitter and reader in the given pieces. */
function streamedRows(pieces: readonly string[]): { rows: CsvRow[]; error?: string } {
  const rows: CsvRow[] = [];
  const reader = new CsvReader((row) => rows.push(row));
  const lines = new LineSplitter({ keepEnds: false, sink: (piece, end) => reader.text(piece, end) });
  for (const piece of pieces) lines.push(piece);
  lines.finish();
  reader.finish();
  return reader.error === undefined ? { rows } : { rows, error: reader.error };
}

const PARTS = ["a", ",", '"', "\n", "\r", "\r\n", "\v", "\u2028", "é", "\u{1F600}", "sha256=x", "12", '""'];

test("the CSV reader reads text cut anywhere as it reads the whole lines", () => {
  const r = seededInt(11);
  for (let n = 0; n < 3000; n++) {
    let text = "";
    for (let k = 0, len = 1 + r(30); k < len; k++) text += PARTS[r(PARTS.length)];
    const pieces: string[] = [];
    for (let at = 0; at < text.length; ) {
      const size = 1 + r(5);
      pieces.push(text.slice(at, at + size));
      at += size;
    }
    const whole = readCsv(splitPythonLines(text));
    const cut = streamedRows(pieces);
    const label = JSON.stringify({ text, pieces });
    assert.equal(cut.error === undefined, whole.error === undefined, label);
    assert.deepEqual(
      cut.rows.map((row) => [row.line, row.fields]),
      whole.rows.map((row) => [row.line, row.fields]),
      label,
    );
  }
});

test("the scan finds the first row str.splitlines() reads differently, whatever the byte boundaries", () => {
  const r = seededInt(7);
  const pathParts = ["pkg/m.py", "x\vy.py", '"q,uo""te".py', "n\u2028l", "é", "a\r\nb", '"c\nd"'];
  for (let n = 0; n < 600; n++) {
    const rows: string[] = [];
    for (let k = 0, len = 1 + r(5); k < len; k++) rows.push(`${pathParts[r(pathParts.length)]},sha256=x,1`);
    const text = `${rows.join("\n")}\n`;
    const bytes = encoder.encode(text);
    const scanner = new RecordScanner({
      path: "d.dist-info/RECORD",
      members: new RecordMembers([], "d.dist-info"),
    });
    // Byte pieces of 1–7: multi-byte characters and \r\n get cut in two.
    for (let at = 0; at < bytes.length; ) {
      const size = 1 + r(7);
      scanner.push(bytes.subarray(at, at + size));
      at += size;
    }
    const scan = scanner.end();
    const expected = parseRecord(text).splitMismatch;
    const found = scan.issues.find((i) => /after str\.splitlines\(\)/.test(i.message));
    assert.equal(found?.line, expected?.line, JSON.stringify(text));
  }
});

test("the scan refuses a RECORD past its limit, and a declared size past it before reading", () => {
  const members = new RecordMembers([{ name: "a.py", kind: "file", size: 0 }], "d.dist-info");
  const over = scanRecord(encoder.encode("a.py,,\n".repeat(200)), {
    path: "d.dist-info/RECORD",
    members,
    limit: 1000,
  });
  assert.match(over.unusable ?? "", /it is more than 1000 bytes; slipway verifies RECORDs up to 1000 bytes/);
  const declared = new RecordScanner({ path: "d.dist-info/RECORD", members, limit: 1000 });
  declared.expect(5000);
  assert.ok(declared.done);
  assert.match(declared.end().unusable ?? "", /it is 5000 bytes/);
});

test("a RECORD row of millions of fields keeps a few and counts the rest", () => {
  const row = `${"a,".repeat(1_000_000)}a\n`;
  const scan = scanRecord(encoder.encode(row), {
    path: "d.dist-info/RECORD",
    members: new RecordMembers([], "d.dist-info"),
  });
  assert.equal(scan.issues.length, 1);
  assert.match(scan.issues[0]!.message, /line 1 has 1000001 fields \("a","a",.*,… 999993 more\)/);
});

/** Total counted work of scanning and checking `wheel`'s RECORD. */
function workOf(options: Parameters<typeof makeWheel>[0]): { work: number; findings: number } {
  const wheel = makeWheel(options);
  const meter = { work: 0 };
  const findings = verifyRecord(
    assembleDistContext(wheel, wheel.filename),
    "demo_pkg-1.0.0.dist-info",
    meter,
  );
  return { work: (wheel.record?.work ?? 0) + meter.work, findings: findings.length };
}

test("ghost RECORD rows cost linear work and a capped number of findings (was quadratic)", () => {
  const ghosts = (n: number) =>
    workOf({
      record: `${wheelRecord()}${Array.from({ length: n }, (_, i) => `demo_pkg/ghost${i}.py,sha256=${recordDigest("")},0`).join("\n")}\n`,
    });
  const small = ghosts(2_000);
  const large = ghosts(16_000);
  assert.equal(small.findings, 21);
  assert.equal(large.findings, 21);
  assert.ok(large.work / small.work < 8.8, `work ${small.work} -> ${large.work} for 8x the rows`);
});

test("unlisted members cost linear work and a capped number of findings (was quadratic)", () => {
  const unlisted = (n: number) => {
    const files = Object.fromEntries(
      Array.from({ length: n }, (_, i) => [`demo_pkg/m${i}.py`, `x = ${i}\n`]),
    );
    return workOf({ files, record: wheelRecord() });
  };
  const small = unlisted(2_000);
  const large = unlisted(16_000);
  assert.equal(small.findings, 21);
  assert.equal(large.findings, 21);
  assert.ok(large.work / small.work < 8.8, `work ${small.work} -> ${large.work} for 8x the members`);
});

test("the REC checks read each member a bounded number of times", () => {
  const files = Object.fromEntries(
    Array.from({ length: 5_000 }, (_, i) => [`demo_pkg/m${i}.py`, `x = ${i}\n`]),
  );
  const wheel = makeWheel({ files });
  let reads = 0;
  const members = new Proxy(wheel.members, {
    get(target, key, receiver) {
      if (typeof key === "string" && /^\d+$/.test(key)) reads++;
      return Reflect.get(target, key, receiver) as ArchiveMember;
    },
  });
  wheel.members = members;
  verifyRecord(assembleDistContext(wheel, wheel.filename), "demo_pkg-1.0.0.dist-info");
  assert.ok(reads <= 4 * wheel.members.length, `${reads} reads of ${wheel.members.length} members`);
});
