/**
 * Member path logic (core/archive/member-paths.ts): traversal, link containment with the
 * symlink/hardlink bases of cpython gh-107845 and the root-link case of gh-149486 (validation.md
 * edge case 22), collisions and the sdist's single top directory.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  collisions,
  duplicates,
  existingPaths,
  isAbsolute,
  linkProblem,
  memberPath,
  resolvePath,
  throughSymlink,
  topLevelDirectory,
  traversalProblem,
} from "../../src/core/archive/member-paths.ts";

test("resolvePath normalizes like posixpath.normpath and notes any climb above the root", () => {
  assert.deepEqual(resolvePath("./a//b/./c/../d"), { parts: ["a", "b", "d"], escapes: false });
  assert.deepEqual(resolvePath("a/../../b"), { parts: ["b"], escapes: true });
  assert.deepEqual(resolvePath("a\\..\\..\\b"), { parts: ["b"], escapes: true });
  assert.equal(memberPath("./pkg-1.0/"), "pkg-1.0");
  // Clean names come back as they are, less a trailing slash; anything else is resolved.
  assert.equal(memberPath("pkg/a.py"), "pkg/a.py");
  assert.equal(memberPath("pkg/sub/"), "pkg/sub");
  assert.equal(memberPath("pkg/.hidden/..x/a."), "pkg/.hidden/..x/a.");
  assert.equal(memberPath("pkg/./a.py"), "pkg/a.py");
  assert.equal(memberPath("pkg/../a.py"), "a.py");
  assert.equal(memberPath("pkg//a.py"), "pkg/a.py");
  assert.equal(memberPath("pkg\\a.py"), "pkg/a.py");
  assert.equal(memberPath("/abs/a.py"), "abs/a.py");
  assert.equal(memberPath(""), "");
});

test("SEC01 traversalProblem: what pip refuses is an error, an inner `..` a warning", () => {
  assert.equal(traversalProblem("/etc/passwd")?.why, "is an absolute path");
  assert.equal(traversalProblem("C:\\x")?.why, "starts with a drive letter");
  assert.equal(traversalProblem("\\\\host\\share\\x")?.why, "is a UNC path");
  assert.equal(traversalProblem("../x")?.severity, "error");
  assert.equal(traversalProblem("a/../b")?.severity, "warning");
  assert.equal(traversalProblem("a/b..c/d"), undefined);
  assert.equal(traversalProblem("./a/b"), undefined);
  assert.ok(isAbsolute("/x") && isAbsolute("c:x") && !isAbsolute("x/c:"));
});

test("SEC03 linkProblem follows edge case 22: symlinks from their directory, hardlinks from the root", () => {
  const existing = existingPaths(["pkg/a.txt", "pkg/sub/b.txt", "top.txt"]);
  const check = (name: string, kind: "symlink" | "hardlink", target: string) =>
    linkProblem({ name, kind, target }, existing);
  // The same target text means different files for the two link kinds.
  assert.equal(check("pkg/sub/l", "symlink", "../a.txt"), undefined);
  assert.equal(check("pkg/sub/l", "hardlink", "../a.txt")?.severity, "error");
  assert.equal(check("pkg/sub/l", "hardlink", "pkg/a.txt"), undefined);
  // Normalize before testing containment: "sub/../../.." climbs out although it starts inside.
  assert.equal(check("pkg/l", "symlink", "sub/../../..")?.severity, "error");
  assert.equal(check("pkg/l", "symlink", "sub/../../top.txt"), undefined);
  // Links to the extraction directory itself are refused (gh-149486).
  assert.match(check("pkg/l", "symlink", "..")?.why ?? "", /extraction directory itself/);
  assert.match(check("pkg/l", "hardlink", ".")?.why ?? "", /extraction directory itself/);
  assert.equal(check("pkg/l", "symlink", "/tmp/x")?.severity, "error");
  assert.equal(check("pkg/l", "symlink", "nowhere")?.severity, "warning");
  assert.equal(check("pkg/l", "symlink", "sub")?.severity, undefined, "directories implied by members exist");
  assert.match(check("pkg/l", "symlink", "l")?.why ?? "", /itself/);
});

test("SEC03 throughSymlink finds members extracted through a symlinked directory", () => {
  const found = throughSymlink(["pkg/link", "pkg/link/x.py", "pkg/other/y.py"], new Set(["pkg/link"]));
  assert.deepEqual([...found], [["pkg/link/x.py", "pkg/link"]]);
  assert.equal(throughSymlink(["a/b"], new Set()).size, 0);
});

test("SEC07 collisions group names equal after NFC and case folding; duplicates count repeats", () => {
  assert.deepEqual(collisions(["a/X.py", "a/x.py", "a/y.py", "./a/y.py"]), [["a/X.py", "a/x.py"]]);
  assert.equal(collisions(["caf\u00e9", "cafe\u0301"]).length, 1);
  // Groups in the order their first member appears; each group's members in member order.
  assert.deepEqual(collisions(["B.py", "a.py", "b.py", "A.py", "B.PY", "a.py"]), [
    ["B.py", "b.py", "B.PY"],
    ["a.py", "A.py"],
  ]);
  assert.deepEqual([...duplicates(["a", "./a", "b"])], [["a", 2]]);
});

test("ART08 topLevelDirectory mirrors os.path.commonpath", () => {
  assert.equal(topLevelDirectory(["p-1.0", "p-1.0/PKG-INFO", "./p-1.0/src/a.py"]).top, "p-1.0");
  assert.equal(topLevelDirectory(["p-1.0/a", "q/b"]).top, undefined);
  assert.equal(topLevelDirectory(["p-1.0/a", "/p-1.0/b"]).top, undefined, "absolute and relative mixed");
  assert.equal(topLevelDirectory(["../x/a"]).top, undefined);
  assert.deepEqual(topLevelDirectory(["a/x", "b/y", "c/z"]).tops, ["a", "b", "c"]);
});
