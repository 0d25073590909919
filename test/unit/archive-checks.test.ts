/**
 * The ART catalogue and the pure ART checks on member lists (core/checks/archive.ts), and the
 * turning of parser issues into findings.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ART_CHECKS, checkFileSize, checkTopLevel, issuesToFindings } from "../../src/core/checks/archive.ts";
import { SEC_CHECKS } from "../../src/core/checks/security.ts";
import type { ArchiveMember } from "../../src/core/dist/artifact.ts";

const member = (name: string, kind: ArchiveMember["kind"] = "file"): ArchiveMember => ({
  name,
  kind,
  size: 1,
});

test("the ART and SEC catalogues cover ART01–ART08, ART11, ART12 and SEC01–SEC13 with full texts", () => {
  // ART09 (filenames) and ART10 (one sdist per release) live with the filename and cross checks.
  assert.deepEqual(
    ART_CHECKS.map((c) => c.id),
    ["ART01", "ART02", "ART03", "ART04", "ART05", "ART06", "ART07", "ART08", "ART11", "ART12"],
  );
  assert.deepEqual(
    SEC_CHECKS.map((c) => c.id),
    Array.from({ length: 13 }, (_, i) => `SEC${String(i + 1).padStart(2, "0")}`),
  );
  for (const c of [...ART_CHECKS, ...SEC_CHECKS]) {
    for (const key of ["title", "why", "fix", "source"] as const)
      assert.ok(c[key].trim().length >= 3, `${c.id}.${key}`);
  }
  assert.equal(ART_CHECKS.find((c) => c.id === "ART04")?.severity, "warning");
});

test("issuesToFindings applies the catalogue's severity and hint unless the issue overrides them", () => {
  const [plain, milder] = issuesToFindings(
    [
      { id: "ART05", message: "m1", member: "a.py" },
      { id: "SEC09", message: "m2", member: "b.py", line: 3, severity: "warning", hint: "do this" },
    ],
    "dist/x.whl",
  );
  assert.deepEqual(plain, {
    id: "ART05",
    severity: "error",
    message: "dist/x.whl: m1",
    hint: ART_CHECKS.find((c) => c.id === "ART05")!.fix,
    location: { file: "dist/x.whl", member: "a.py" },
  });
  assert.deepEqual(milder?.location, { file: "dist/x.whl", member: "b.py", line: 3 });
  assert.equal(milder?.severity, "warning");
  assert.equal(milder?.hint, "do this");
  assert.throws(() => issuesToFindings([{ id: "NOPE01", message: "x" }], "f"), /unknown check id/);
});

test("ART08 fails on several top-level entries or none, passes one directory", () => {
  assert.deepEqual(checkTopLevel([member("p-1.0", "dir"), member("p-1.0/PKG-INFO")]), []);
  assert.match(
    checkTopLevel([member("p-1.0/PKG-INFO"), member("setup.py")])[0]!.message,
    /2 top-level entries \("p-1.0", "setup.py"\)/,
  );
  assert.match(checkTopLevel([])[0]!.message, /no members/);
  const many = checkTopLevel(["a", "b", "c", "d", "e"].map((n) => member(`${n}/x`)));
  assert.match(many[0]!.message, /5 top-level entries .*, …\)/);
});

test("ART04 warns above 100 MiB (or a given limit) and passes smaller files", () => {
  assert.deepEqual(checkFileSize(100 * 1024 * 1024), []);
  assert.match(
    checkFileSize(100 * 1024 * 1024 + 1)[0]!.message,
    /100\.0 MiB, above PyPI's default limit of 100\.0 MiB/,
  );
  assert.equal(checkFileSize(2000, 1000)[0]?.id, "ART04");
});
