import assert from "node:assert/strict";
import { test } from "node:test";
import {
  compileGlob,
  globProblems,
  matchesOnlyDirectories,
  matchGlob,
  segmentRegExp,
} from "../../src/core/pyproject/glob.ts";
import { pythonJson } from "../helpers/peers.ts";

const FILES = [
  "LICENSE",
  "LICENCE.txt",
  "LICENSE.md",
  "COPYING",
  "AUTHORS.rst",
  "NOTICE",
  ".LICENSE",
  "README.md",
  "licenses/LICENSE.MIT",
  "licenses/LICENSE.CC0",
  "licenses/sub/LICENSE.BSD",
  "licenses/.hidden",
  ".github/LICENSE",
  "src/pkg/__init__.py",
  "src/pkg/LICENSE",
  "src/pkg/vendor/dep/LICENSE",
  "src/pkg/vendor/dep/LICENSE.txt",
  "src/.cache/LICENSE",
  "a-b/c]d/e[f",
  "x-y/[z]",
  "dir with space/LICENSE file",
  "ünïcode/LİCENSE",
  "emoji/😀.txt",
  "z/Zz",
  "z/zz",
  "z/-z",
  "z/!z",
];

test("glob patterns from the spec's valid examples are valid", () => {
  for (const pattern of [
    "LICEN[CS]E*",
    "AUTHORS*",
    "licenses/LICENSE.MIT",
    "licenses/LICENSE.CC0",
    "LICENSE.txt",
    "licenses/*",
  ]) {
    assert.deepEqual(globProblems(pattern), [], pattern);
  }
});

test("glob patterns from the spec's invalid examples are errors", () => {
  const errors = (p: string): string[] =>
    globProblems(p)
      .filter((x) => x.severity === "error")
      .map((x) => x.reason);
  assert.equal(errors("..\\LICENSE.MIT").length > 0, true);
  assert.match(errors("LICEN{CSE*").join(), /"\{"/);
  assert.match(errors("/LICENSE").join(), /absolute/);
  assert.match(errors("C:/LICENSE").join(), /absolute/);
  assert.match(errors("../LICENSE").join(), /`\.\.`/);
  assert.match(errors("a\\b").join(), /`\\`/);
  assert.deepEqual(errors(""), ["is empty"]);
  assert.equal(errors("LICENSE!").length, 1);
  assert.deepEqual(
    globProblems("LICENSE..txt").map((p) => p.severity),
    ["warning"],
  );
});

test("glob matching: wildcards stay in one segment, ** spans, hidden names need a dot", () => {
  assert.deepEqual(matchGlob("LICEN[CS]E*", FILES), ["LICENSE", "LICENCE.txt", "LICENSE.md"]);
  assert.deepEqual(matchGlob("licenses/*", FILES), ["licenses/LICENSE.MIT", "licenses/LICENSE.CC0"]);
  assert.deepEqual(matchGlob("licenses/**", FILES), [
    "licenses/LICENSE.MIT",
    "licenses/LICENSE.CC0",
    "licenses/sub/LICENSE.BSD",
  ]);
  assert.deepEqual(matchGlob("**/LICENSE", FILES), [
    "LICENSE",
    "src/pkg/LICENSE",
    "src/pkg/vendor/dep/LICENSE",
  ]);
  assert.deepEqual(matchGlob(".*", FILES), [".LICENSE"]);
  assert.deepEqual(matchGlob(".github/LICENSE", FILES), [".github/LICENSE"]);
  assert.deepEqual(matchGlob("./LICENSE", FILES), ["LICENSE"]);
  assert.deepEqual(matchGlob("licenses/", FILES), []);
  assert.deepEqual(matchGlob("z/[a-z]z", FILES), ["z/zz"]);
  assert.deepEqual(matchGlob("z/[z-a]z", FILES), []);
  assert.deepEqual(matchGlob("z/[-Z]z", FILES), ["z/Zz", "z/-z"]);
  assert.deepEqual(matchGlob("emoji/?.txt", FILES), ["emoji/😀.txt"]);
  assert.equal(compileGlob("LICENSE")("license"), false);
  assert.equal(segmentRegExp("[").test("["), true);
});

test("a pattern naming a directory matches only directories", () => {
  assert.equal(matchesOnlyDirectories("licenses", FILES), true);
  assert.equal(matchesOnlyDirectories("nothing", FILES), false);
});

const PATTERNS = [
  "LICENSE",
  "LICEN[CS]E*",
  "LICEN[CS]E",
  "*",
  "**",
  "**/*",
  "**/LICENSE",
  "**/LICENSE*",
  "*/LICENSE",
  "*/*/LICENSE",
  "licenses/*",
  "licenses/**",
  "licenses/**/*",
  "licenses/**/LICENSE.*",
  "licenses/*/*",
  "LICENSE.*",
  "LICENSE.??",
  "LICENSE.???",
  "?ICENSE",
  "*.txt",
  "**/*.txt",
  ".*",
  ".github/*",
  "*/LICENSE",
  "src/**/LICENSE",
  "src/**",
  "src/*/LICENSE",
  "src/pkg/**/dep/*",
  "src/.cache/*",
  "[A-Z]*",
  "[a-z]*",
  "[!A-Z]*",
  "[]]*",
  "a-b/c]d/*",
  "a-b/c[]]d/*",
  "x-y/[[]z]",
  "x-y/*",
  "z/[a-z]z",
  "z/[z-a]z",
  "z/[Z-z]z",
  "z/[-Z]z",
  "z/[Z-]z",
  "z/[a-b-z]z",
  "z/[!!]z",
  "z/[*]z",
  "z/[?]z",
  "z/**z",
  "z/*z*",
  "dir with space/*",
  "dir with space/LICENSE file",
  "ünïcode/*",
  "ünïcode/L?CENSE",
  "emoji/?.txt",
  "emoji/*",
  "licenses/",
  "./LICENSE",
  "licenses/./LICENSE.MIT",
  "nothing",
  "*/nothing",
  "**/",
];

test("glob matching agrees with Python's glob.glob(recursive=True) on a real tree", () => {
  const code = `
import glob, json, os, sys, tempfile
data = json.load(sys.stdin)
out = {}
with tempfile.TemporaryDirectory() as root:
    for rel in data["files"]:
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        open(path, "w").close()
    for pattern in data["patterns"]:
        found = glob.glob(pattern, root_dir=root, recursive=True)
        files = sorted({os.path.normpath(f) for f in found if os.path.isfile(os.path.join(root, f))})
        out[pattern] = files
print(json.dumps(out))
`;
  const expected = pythonJson<Record<string, string[]>>(code, { files: FILES, patterns: PATTERNS });
  for (const pattern of PATTERNS) {
    assert.deepEqual(matchGlob(pattern, FILES).sort(), expected[pattern], pattern);
  }
});

test("glob validity agrees with the spec's reference implementation", () => {
  const patterns = [
    ...PATTERNS,
    "LICEN{CSE*",
    "..\\LICENSE.MIT",
    "../LICENSE",
    "/LICENSE",
    "a/../b",
    "LICENSE..txt",
    "LICENSE!",
    "LICENSE~",
    "a:b",
    "C:\\x",
    "tab\there",
    "new\nline",
    "名前/LICENSE",
    "ﬁ",
    "x\u0301",
    "#x",
    "a,b",
    "$x",
  ];
  const code = `
import json, os, re, sys
out = {}
for pattern in json.load(sys.stdin):
    bad = (".." in pattern or pattern.startswith((os.sep, "/")) or ":\\\\" in pattern
           or re.match(r'^[\\w \\-\\.\\/\\*\\?\\[\\]]+$', pattern) is None)
    out[pattern] = bad
print(json.dumps(out))
`;
  const reference = pythonJson<Record<string, boolean>>(code, patterns);
  for (const pattern of patterns) {
    const problems = globProblems(pattern);
    // Any ".." is refused by the reference; slipway warns when it is inside a name.
    const refused = problems.some((p) => p.severity === "error" || p.reason.includes(".."));
    assert.equal(refused, reference[pattern], JSON.stringify(pattern));
  }
});
