/**
 * Reading crafted archive bytes through the real reader, for the archive tests: each call writes
 * the bytes to a fresh file, reads it with readArtifact, and asserts the read was quick and the
 * artifact's own sha256 is right. Plus small queries over the findings.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";
import { readArtifact } from "../../src/adapters/archives/read-artifact.ts";
import type { ArtifactModel } from "../../src/core/dist/artifact.ts";
import type { Finding } from "../../src/core/findings.ts";

/**
 * A reader of bytes under a default filename, and its temp directory (for tests that write
 * files themselves); the directory goes when the file's tests end.
 */
export function bytesReader(defaultName: string): {
  read: (bytes: Uint8Array, filename?: string) => Promise<ArtifactModel>;
  dir: string;
} {
  const dir = mkdtempSync(join(tmpdir(), "slipway-read-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  let counter = 0;
  const read = async (bytes: Uint8Array, filename = defaultName) => {
    const sub = join(dir, String(counter++));
    mkdirSync(sub);
    const path = join(sub, filename);
    writeFileSync(path, bytes);
    const start = performance.now();
    const model = await readArtifact(path, { display: filename });
    const ms = performance.now() - start;
    assert.ok(ms < 5000, `reading took ${ms.toFixed(0)} ms`);
    assert.equal(model.sha256, createHash("sha256").update(bytes).digest("hex"));
    return model;
  };
  return { read, dir };
}

/** IDs of the reader's findings, optionally of one severity. */
export const ids = (m: ArtifactModel, severity?: Finding["severity"]) =>
  m.findings.filter((f) => severity === undefined || f.severity === severity).map((f) => f.id);

export const has = (m: ArtifactModel, id: string, severity: Finding["severity"] = "error") =>
  m.findings.some((f) => f.id === id && f.severity === severity);

/** The messages of one check's findings, joined for assertion output. */
export const msg = (m: ArtifactModel, id: string) =>
  m.findings
    .filter((f) => f.id === id)
    .map((f) => f.message)
    .join(" | ");
