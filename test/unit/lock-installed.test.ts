import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { listInstalled, nameAndVersion } from "../../src/adapters/installed.ts";
import { LOCK_CHECKS } from "../../src/core/locks/integrity.ts";

const scratch = mkdtempSync(join(tmpdir(), "slipway-installed-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

test("nameAndVersion reads the header block only, first value wins", () => {
  assert.deepEqual(
    nameAndVersion("Metadata-Version: 2.1\r\nName: Foo.Bar\r\nVersion: 1.0 \r\n\r\nName: body\n"),
    {
      name: "Foo.Bar",
      version: "1.0",
    },
  );
  assert.equal(nameAndVersion("Metadata-Version: 2.1\nName: x\n"), undefined);
  assert.equal(nameAndVersion("\nName: x\nVersion: 1\n"), undefined);
});

test("listInstalled: POSIX and Windows layouts, a damaged dist-info and a METADATA symlink are reported, not fatal", async () => {
  const venv = join(scratch, "venv");
  const site = join(venv, "lib", "python3.12", "site-packages");
  const write = (dir: string, text: string) => {
    mkdirSync(join(site, dir), { recursive: true });
    writeFileSync(join(site, dir, "METADATA"), text);
  };
  write("Foo_Bar-1.0.dist-info", "Metadata-Version: 2.1\nName: Foo_Bar\nVersion: 1.0\n");
  write("attrs-25.1.0.dist-info", "Metadata-Version: 2.1\nName: attrs\nVersion: 25.1.0\n\nbody\n");
  write("broken-1.dist-info", "garbage");
  mkdirSync(join(site, "linked-1.dist-info"));
  symlinkSync("/etc/passwd", join(site, "linked-1.dist-info", "METADATA"));
  mkdirSync(join(site, "notmeta.egg-info"));
  const windows = join(scratch, "winvenv", "Lib", "site-packages", "six-1.16.0.dist-info");
  mkdirSync(windows, { recursive: true });
  writeFileSync(join(windows, "METADATA"), "Name: six\nVersion: 1.16.0\n");

  const { packages, unreadable } = await listInstalled(venv);
  assert.deepEqual(
    packages.map((entry) => [entry.name, entry.normalized, entry.version]),
    [
      ["attrs", "attrs", "25.1.0"],
      ["Foo_Bar", "foo-bar", "1.0"],
    ],
  );
  assert.deepEqual(
    unreadable.map((file) => file.slice(site.length + 1)),
    ["broken-1.dist-info/METADATA", "linked-1.dist-info/METADATA"],
  );
  const win = await listInstalled(join(scratch, "winvenv"));
  assert.deepEqual(
    win.packages.map((entry) => `${entry.normalized}==${entry.version}`),
    ["six==1.16.0"],
  );
  assert.deepEqual(await listInstalled(join(scratch, "missing")), { packages: [], unreadable: [] });
});

test("every LOCK check is exercised by a test that names its ID", () => {
  const sources = ["lock-pins.test.ts", "../e2e/lock-integrity.test.ts"]
    .map((file) => readFileSync(new URL(file, import.meta.url), "utf8"))
    .join("\n");
  const ids = Object.keys(LOCK_CHECKS);
  assert.deepEqual(ids, ["LOCK01", "LOCK02", "LOCK03", "LOCK04", "LOCK05", "LOCK06", "LOCK07"]);
  for (const id of ids) assert.ok(new RegExp(`"${id}"`).test(sources), `${id} is asserted nowhere`);
});
