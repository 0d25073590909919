/**
 * The sdist extraction model (core/archive/extract-tree.ts): where members land, which the
 * 'data' filter rules refuse, and links that only escape through other links.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  dataFilterMode,
  ExtractTree,
  normalizeLink,
  type PlaceResult,
  type TreeMember,
} from "../../src/core/archive/extract-tree.ts";

const placeAll = (members: TreeMember[]): { tree: ExtractTree; results: PlaceResult[] } => {
  const tree = new ExtractTree();
  return { tree, results: members.map((m) => tree.place(m)) };
};
const refusal = (r: PlaceResult | undefined): string | undefined =>
  r && "refuse" in r ? r.refuse : undefined;
const file = (name: string): TreeMember => ({ name, kind: "file" });
const sym = (name: string, linkTarget: string): TreeMember => ({ name, kind: "symlink", linkTarget });

test("dataFilterMode keeps owner rw, drops special and group/other write bits, exec only with the owner's", () => {
  const cases: [number, number][] = [
    [0o644, 0o644],
    [0o755, 0o755],
    [0o777, 0o755],
    [0o4755, 0o755],
    [0o2644, 0o644],
    [0o1777, 0o755],
    [0o400, 0o600],
    [0o000, 0o600],
    [0o611, 0o600],
    [0o511, 0o711],
    [0o666, 0o644],
  ];
  for (const [mode, want] of cases) assert.equal(dataFilterMode(mode), want, mode.toString(8));
});

test("normalizeLink collapses like os.path.normpath on a relative path", () => {
  assert.equal(normalizeLink("a/./b/"), "a/b");
  assert.equal(normalizeLink("a/../b"), "b");
  assert.equal(normalizeLink("a/.."), ".");
  assert.equal(normalizeLink("../../x"), "../../x");
  assert.equal(normalizeLink("a/../../x"), "../x");
});

test("members land under one top directory with missing parents created once", () => {
  const { tree, results } = placeAll([
    file("./top/a/b/c.py"),
    { name: "top/a", kind: "dir" },
    file("top/a/d.py"),
    file("top/a/d.py"),
    { name: "./", kind: "dir" },
  ]);
  assert.deepEqual(results, [
    { path: "top/a/b/c.py", parents: ["top", "top/a", "top/a/b"], replace: false },
    { path: "top/a", parents: [], replace: false },
    { path: "top/a/d.py", parents: [], replace: false },
    { path: "top/a/d.py", parents: [], replace: true },
    { skip: true },
  ]);
  assert.equal(tree.root, "top");
});

test("refusals: absolute, escaping, devices, second top, file over dir, top-level file", () => {
  const one = (m: TreeMember, before: TreeMember[] = [file("top/x")]) =>
    refusal(placeAll([...before, m]).results.at(-1));
  assert.match(one(file("/etc/passwd"))!, /absolute/);
  assert.match(one(file("C:/x"))!, /absolute/);
  assert.match(one(file("top/../../evil"))!, /outside/);
  assert.match(one(file("top\\x"))!, /backslash/);
  assert.match(one({ name: "top/dev", kind: "chardev" })!, /character device/);
  assert.match(one({ name: "top/p", kind: "fifo" })!, /FIFO/);
  assert.match(one({ name: "top/s", kind: "sparse" })!, /sparse/);
  assert.match(one(file("other/x"))!, /second top-level entry "other" besides "top"/);
  assert.match(one(file("top/x"), [{ name: "top/x", kind: "dir" }])!, /replace a directory/);
  assert.match(one(file("top/x/y"))!, /passes through top\/x, which is a file/);
  assert.match(one(file("top"), [])!, /top-level file/);
  assert.equal(one(file("top/a/../b")), undefined);
});

test("links: absolute, escaping, to the root, hardlinks only to files already extracted", () => {
  const one = (m: TreeMember) => refusal(placeAll([file("top/f"), m]).results.at(-1));
  assert.match(one(sym("top/l", "/etc/passwd"))!, /absolute path/);
  assert.match(one(sym("top/l", "../../x"))!, /outside/);
  assert.match(one(sym("top/l", ".."))!, /resolves to the extraction directory/);
  assert.match(one(sym("top/l", ""))!, /empty target/);
  assert.equal(one(sym("top/l", "./f")), undefined);
  const hard = (linkTarget: string) => one({ name: "top/h", kind: "hardlink", linkTarget });
  assert.match(hard("../etc/passwd")!, /outside/);
  assert.match(hard("/etc/passwd")!, /absolute/);
  assert.match(hard("top/missing")!, /not a regular file extracted before it/);
  assert.match(hard("top/h")!, /hardlink to itself/);
  const ok = placeAll([
    file("top/f"),
    sym("top/l", "f"),
    { name: "top/h", kind: "hardlink", linkTarget: "top/l" },
  ]);
  assert.deepEqual(ok.results[2], { path: "top/h", parents: [], replace: false, source: "top/f" });
  assert.deepEqual(ok.results[1], { path: "top/l", parents: [], replace: false, target: "f" });
});

test("paths are resolved through symlinks already extracted, as realpath would", () => {
  // Lexically top/x, but top/c -> top/a/b -> top, so the OS would write dest/../x.
  const { results } = placeAll([
    sym("top/a/b", ".."),
    sym("top/c", "a/b"),
    file("top/c/inside.py"),
    file("top/c/../../x"),
  ]);
  assert.deepEqual(results[2], { path: "top/inside.py", parents: [], replace: false });
  assert.match(refusal(results[3])!, /outside the extraction directory/);
  // The final component is never followed: a file replaces a symlink of its name.
  const over = placeAll([file("top/f"), sym("top/l", "f"), file("top/l")]);
  assert.deepEqual(over.results[2], { path: "top/l", parents: [], replace: true });
});

test("checkLinks finds symlink loops, which only the finished tree shows", () => {
  const loop = placeAll([sym("top/x", "y"), sym("top/y", "x")]);
  assert.deepEqual(
    loop.results.map((r) => refusal(r)),
    [undefined, undefined],
  );
  assert.match(loop.tree.checkLinks()!.refuse, /loops/);
  const fine = placeAll([sym("top/l", "d/f"), { name: "top/d", kind: "dir" }, file("top/d/f")]);
  assert.equal(fine.tree.checkLinks(), undefined);
});
