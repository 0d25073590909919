/**
 * The member model's memory (issue 11 B5: 150,000 members took 517 MB): what one member keeps
 * alive once an archive is read, counted in heap bytes after full collections, never timed and
 * never as RSS. And the member count the reader reports early, so the CLI can switch to V8's
 * memory-saving mode before a many-member wheel is read.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { readArtifact } from "../../src/adapters/archives/read-artifact.ts";
import type { ArtifactModel } from "../../src/core/dist/artifact.ts";
import { type CheckEvent, check } from "../../src/ops/check.ts";
import { buildSdist } from "../helpers/tar-writer.ts";
import { buildWheel, recordHash } from "../helpers/zip-writer.ts";

const dir = mkdtempSync(join(tmpdir(), "slipway-memory-"));
after(() => rmSync(dir, { recursive: true, force: true }));

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** `count` small modules in 100 packages, as the hostile bench's many-file wheels. */
const manyFiles = (count: number): Record<string, string> =>
  Object.fromEntries(
    Array.from({ length: count }, (_, i) => [`demo_pkg/s${i % 100}/m${i}.py`, `x = ${i}\n`]),
  );

function save(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

/** Reads `path` `count` times in a frame of its own (an awaited value can linger in a live frame). */
async function readModels(path: string, count: number): Promise<ArtifactModel[]> {
  const models: ArtifactModel[] = [];
  for (let i = 0; i < count; i++) models.push(await readArtifact(path));
  return models;
}

/** Heap and ArrayBuffer bytes the models keep alive, per member: held, then dropped, after full collections. */
async function retainedPerMember(path: string): Promise<{ heap: number; buffers: number; members: number }> {
  // A first read compiles the reader, so what the measured reads leave is their models.
  await readModels(path, 1);
  const models = await readModels(path, 2);
  gc();
  gc();
  const held = process.memoryUsage();
  const members = models.reduce((n, m) => n + m.members.length, 0);
  models.length = 0;
  gc();
  gc();
  const dropped = process.memoryUsage();
  return {
    heap: (held.heapUsed - dropped.heapUsed) / members,
    buffers: (held.arrayBuffers - dropped.arrayBuffers) / members,
    members: members / 2,
  };
}

test("a read wheel keeps a name and a fixed record per member: under 170 heap bytes each (was 248)", async () => {
  const path = save("demo_pkg-1.0.0-py3-none-any.whl", buildWheel({ files: manyFiles(20_000) }).bytes);
  const { heap, buffers, members } = await retainedPerMember(path);
  assert.equal(members, 20_004);
  // ~90 bytes of member record and ~50 of name (136 in all on Node 24); a digests object and a
  // base64 sha256 per member were another ~110.
  assert.ok(heap < 170, `the model keeps ${heap.toFixed(0)} heap bytes per member`);
  // Off the heap: 32 bytes of sha256, a flag, and RECORD's line number per member (37).
  assert.ok(buffers < 48, `the model keeps ${buffers.toFixed(0)} ArrayBuffer bytes per member`);
});

test("members hold no digest objects of their own; their digests are still RECORD's form", async () => {
  const wheel = buildWheel({ version: "1.0.1", files: manyFiles(50) });
  const model = await readArtifact(save(wheel.filename, wheel.bytes));
  const member = model.members.find((m) => m.name === "demo_pkg/s7/m7.py");
  assert.ok(member !== undefined);
  assert.deepEqual(Object.keys(member), ["name", "kind", "size", "compressedSize", "mode", "linkTarget"]);
  assert.deepEqual(member.digests, { sha256: recordHash("x = 7\n") });
  // One shape for every member: none got a field the others lack.
  const shapes = new Set(model.members.map((m) => Object.keys(m).join()));
  assert.equal(shapes.size, 1);
});

test("a read sdist keeps its members as lean as a wheel's", async () => {
  const { bytes, filename } = buildSdist({ files: manyFiles(20_000) });
  const { heap, members } = await retainedPerMember(save(filename, bytes));
  assert.equal(members, 20_004);
  // Its names are 15 bytes longer (`demo_pkg-1.0.0/` in front): ~154 bytes (was 282).
  assert.ok(heap < 185, `the model keeps ${heap.toFixed(0)} heap bytes per member`);
});

test("the reader reports the member count: a wheel's once, from its directory; a tar's as it grows", async () => {
  const wheel = buildWheel({ version: "1.0.2", files: manyFiles(12_000) });
  const counts: number[] = [];
  await readArtifact(save(wheel.filename, wheel.bytes), { onMembers: (count) => counts.push(count) });
  assert.deepEqual(counts, [12_004]);

  const sdist = buildSdist({ version: "1.0.3", files: manyFiles(25_000) });
  const tarCounts: number[] = [];
  await readArtifact(save(sdist.filename, sdist.bytes), { onMembers: (count) => tarCounts.push(count) });
  assert.deepEqual(tarCounts, [10_000, 20_000]);
});

test("check passes the member count on as an event, for the CLI's memory mode", async () => {
  const wheel = buildWheel({ version: "1.0.4", files: manyFiles(30) });
  const path = save(wheel.filename, wheel.bytes);
  const events: CheckEvent[] = [];
  await check({ cwd: dir, env: {}, dists: [path], onEvent: (event) => events.push(event) });
  const members = events.filter((e) => e.type === "members");
  assert.deepEqual(members, [{ type: "members", file: wheel.filename, count: 34 }]);
  const order = events.map((e) => e.type);
  assert.ok(order.indexOf("members") < order.indexOf("file-done"), order.join());
});
