/**
 * readArtifact on ZIPs: the member-level security checks the reader runs (SEC01–SEC06 from
 * names and external attributes) and the worker-thread path for many-member wheels.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { readArtifact } from "../../src/adapters/archives/read-artifact.ts";
import { bytesReader, has, ids, msg } from "../helpers/read-bytes.ts";
import { buildWheel, buildZip, type ZipEntry } from "../helpers/zip-writer.ts";

const { read, dir } = bytesReader("demo_pkg-1.0.0-py3-none-any.whl");

const entry = (
  name: string | Uint8Array,
  data: string | Uint8Array = "print('hi')\n",
  more: Partial<ZipEntry> = {},
): ZipEntry => ({
  name,
  data,
  mode: 0o100644,
  ...more,
});

test("worker threads and the main thread read a many-member wheel to the same model", async () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 400; i++)
    files[`demo_pkg/m${i}.py`] = `def f${i}():\n    return ${i}\n`.repeat(1 + (i % 50));
  files["demo_pkg/secret.py"] = `TOKEN = "npm_${"a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"}"\n`;
  const { bytes, filename } = buildWheel({ files, alg: "sha384" });
  const path = join(dir, filename);
  writeFileSync(path, bytes);
  const threaded = await readArtifact(path, { workers: 2 });
  const inline = await readArtifact(path, { workers: 0 });
  assert.deepEqual(threaded, inline);
  assert.ok(threaded.members.every((m) => m.digests?.sha384 !== undefined));
  assert.ok(threaded.findings.some((f) => f.id === "SEC09" && f.location.member === "demo_pkg/secret.py"));
});

test("SEC01 fails on zip-slip names in a wheel: parent segments, absolute paths, drive letters", async () => {
  for (const name of ["../../evil.py", "/etc/cron.d/evil", "C:/Windows/evil.dll", "..\\evil.py"]) {
    const m = await read(buildZip({ entries: [entry("demo_pkg/ok.py"), entry(name)] }));
    assert.ok(has(m, "SEC01"), `${name}: ${ids(m).join()}`);
  }
  assert.ok(has(await read(buildZip({ entries: [entry("..\\evil.py")] })), "SEC02", "warning"));
});

test("SEC04 fails on a symlink in a wheel's external attributes; SEC03 judges one in a .zip sdist", async () => {
  const link = (target: string) => entry("demo_pkg/link.py", target, { mode: 0o120777, method: 0 });
  const wheel = await read(buildZip({ entries: [entry("demo_pkg/mod.py"), link("mod.py")] }));
  assert.match(msg(wheel, "SEC04"), /symlink to mod\.py/);
  const escaping = await read(
    buildZip({
      entries: [
        entry("demo-1.0/PKG-INFO"),
        entry("demo-1.0/l", "../../../etc/passwd", { mode: 0o120777, method: 0 }),
      ],
    }),
    "demo-1.0.zip",
  );
  assert.match(msg(escaping, "SEC03"), /outside the extraction directory/);
  const inside = await read(
    buildZip({
      entries: [entry("demo-1.0/PKG-INFO"), entry("demo-1.0/l", "PKG-INFO", { mode: 0o120777, method: 0 })],
    }),
    "demo-1.0.zip",
  );
  assert.ok(!ids(inside).includes("SEC03"));
});

test("SEC05 and SEC06 read modes from ZIP external attributes", async () => {
  const fifo = await read(buildZip({ entries: [entry("demo_pkg/pipe", "", { mode: 0o010644 })] }));
  assert.ok(has(fifo, "SEC05", "warning"));
  const suid = await read(buildZip({ entries: [entry("demo_pkg/tool", "#!/bin/sh\n", { mode: 0o104755 })] }));
  assert.match(msg(suid, "SEC06"), /setuid/);
  const plain = await read(
    buildZip({ entries: [entry("demo_pkg/tool", "#!/bin/sh\n", { mode: 0o100755 })] }),
  );
  assert.deepEqual(ids(plain), []);
});
