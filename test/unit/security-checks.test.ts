/**
 * SEC01–SEC08, SEC10, SEC12, SEC13 on in-memory member lists: the reader's member checks
 * (core/archive/member-checks.ts) and checkSecurity() on finished models.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { checkMembers as checkMemberIssues, type MemberFacts } from "../../src/core/archive/member-checks.ts";
import { issuesToFindings } from "../../src/core/checks/archive.ts";
import { checkSecurity } from "../../src/core/checks/security.ts";
import type { ArchiveMember } from "../../src/core/dist/artifact.ts";
import type { Finding } from "../../src/core/findings.ts";
import { makeArtifact, makeWheel } from "../helpers/artifact.ts";

const file = (name: string, more: Partial<ArchiveMember> = {}): ArchiveMember => ({
  name,
  kind: "file",
  size: 10,
  mode: 0o644,
  ...more,
});
const sdistFacts: MemberFacts = { kind: "sdist", container: "tar" };
const wheelFacts: MemberFacts = { kind: "wheel", container: "zip" };
/** The reader's member checks, as the findings it would report (catalogue severities applied). */
const checkMembers = (members: ArchiveMember[], facts: MemberFacts) =>
  issuesToFindings(checkMemberIssues(members, facts), "x");
const of = (findings: Finding[], id: string) => findings.filter((f) => f.id === id);
const TOP = "demo-1.0";

test("SEC01 fails on parent segments, absolute paths, drive letters and UNC paths", () => {
  for (const name of [
    "../x.py",
    "a/../../x.py",
    "/etc/passwd",
    "\\evil.py",
    "C:/x.py",
    "c:x.py",
    "//server/share/x",
    "..\\..\\x.py",
  ]) {
    const found = of(checkMembers([file(name)], wheelFacts), "SEC01");
    assert.equal(found[0]?.severity, "error", name);
  }
});

test("SEC01 warns on a `..` that stays inside and passes ordinary names", () => {
  assert.equal(of(checkMembers([file("a/b/../c.py")], wheelFacts), "SEC01")[0]?.severity, "warning");
  assert.deepEqual(
    of(checkMembers([file("./a/b.py"), file("pkg/..data/x"), file("a/.../b")], wheelFacts), "SEC01"),
    [],
  );
});

test("SEC02 warns on backslashes in ZIP names but not in tar names", () => {
  assert.equal(of(checkMembers([file("pkg\\mod.py")], wheelFacts), "SEC02").length, 1);
  assert.deepEqual(of(checkMembers([file("pkg\\mod.py")], sdistFacts), "SEC02"), []);
  assert.deepEqual(of(checkMembers([file("pkg/mod.py")], wheelFacts), "SEC02"), []);
});

test("SEC03 judges links by target: absolute, escaping and root links fail, dangling ones warn", () => {
  const base = [file(`${TOP}/PKG-INFO`), file(`${TOP}/src/a.py`)];
  const cases: [ArchiveMember, "error" | "warning" | undefined][] = [
    [{ name: `${TOP}/l1`, kind: "symlink", size: 0, linkTarget: "/etc/passwd" }, "error"],
    [{ name: `${TOP}/l2`, kind: "symlink", size: 0, linkTarget: "../../x" }, "error"],
    [{ name: `${TOP}/src/l3`, kind: "symlink", size: 0, linkTarget: "../.." }, "error"],
    [{ name: `${TOP}/src/l4`, kind: "symlink", size: 0, linkTarget: "a.py" }, undefined],
    [{ name: `${TOP}/src/l5`, kind: "symlink", size: 0, linkTarget: "../PKG-INFO" }, undefined],
    [{ name: `${TOP}/src/l6`, kind: "hardlink", size: 0, linkTarget: "../PKG-INFO" }, "error"],
    [{ name: `${TOP}/src/l7`, kind: "hardlink", size: 0, linkTarget: `${TOP}/PKG-INFO` }, undefined],
    [{ name: `${TOP}/src/l8`, kind: "symlink", size: 0, linkTarget: "nope.py" }, "warning"],
    [{ name: `${TOP}/src/l9`, kind: "symlink", size: 0, linkTarget: "C:\\Windows" }, "error"],
    [{ name: `${TOP}/l10`, kind: "symlink", size: 0, linkTarget: "src/" }, undefined],
    [{ name: `${TOP}/l11`, kind: "symlink", size: 0, linkTarget: "" }, "error"],
  ];
  for (const [link, severity] of cases) {
    const found = of(checkMembers([...base, link], sdistFacts), "SEC03");
    assert.equal(
      found[0]?.severity,
      severity,
      `${link.name} -> ${link.linkTarget}: ${found.map((f) => f.message)}`,
    );
  }
});

test("SEC03 fails on members written through a symlink (gh-149486 style escapes)", () => {
  const members = [
    { name: `${TOP}/up`, kind: "symlink" as const, size: 0, linkTarget: "src" },
    file(`${TOP}/src/a.py`),
    file(`${TOP}/up/evil.py`),
  ];
  const found = of(checkMembers(members, sdistFacts), "SEC03");
  assert.ok(found.some((f) => /through the symlink/.test(f.message)));
});

test("SEC04 fails on a symlink inside a wheel and passes regular files", () => {
  const found = of(
    checkMembers([{ name: "pkg/link.py", kind: "symlink", size: 6, linkTarget: "mod.py" }], wheelFacts),
    "SEC04",
  );
  assert.equal(found.length, 1);
  assert.match(found[0]!.message, /symlink to mod\.py/);
  assert.deepEqual(of(checkMembers([file("pkg/mod.py")], wheelFacts), "SEC04"), []);
});

test("SEC05 fails on devices and FIFOs in a tar, warns in a ZIP", () => {
  for (const kind of ["chardev", "blockdev", "fifo"] as const) {
    assert.equal(
      of(checkMembers([{ name: `${TOP}/d`, kind, size: 0 }], sdistFacts), "SEC05")[0]?.severity,
      "error",
    );
    assert.equal(
      of(checkMembers([{ name: "d", kind, size: 0 }], wheelFacts), "SEC05")[0]?.severity,
      "warning",
    );
  }
  assert.deepEqual(
    of(checkMembers([file(`${TOP}/f`), { name: `${TOP}/dir`, kind: "dir", size: 0 }], sdistFacts), "SEC05"),
    [],
  );
});

test("SEC06 warns on setuid/setgid/sticky bits, writable modes and stray executable bits", () => {
  const heads = new Map([
    [`${TOP}/script`, Buffer.from("#!/bi")],
    [`${TOP}/data.txt`, Buffer.from("hell")],
    [`${TOP}/lib.so`, Buffer.from([0x7f, 0x45, 0x4c, 0x46])],
    [`${TOP}/prog`, Buffer.from([0x7f, 0x45, 0x4c, 0x46])],
  ]);
  const facts: MemberFacts = { ...sdistFacts, heads };
  const issues = of(
    checkMembers(
      [
        file(`${TOP}/suid`, { mode: 0o4755 }),
        file(`${TOP}/w`, { mode: 0o666 }),
        file(`${TOP}/script`, { mode: 0o755 }),
        file(`${TOP}/data.txt`, { mode: 0o755 }),
        file(`${TOP}/prog`, { mode: 0o755 }),
      ],
      facts,
    ),
    "SEC06",
  );
  assert.ok(issues.every((i) => i.severity === "warning"));
  const text = issues.map((i) => i.message).join("\n");
  assert.match(text, /setuid bit set \(mode 4755\)/);
  assert.match(text, /1 member\(s\) are group- or world-writable: "demo-1.0\/w"/);
  assert.match(text, /1 file\(s\) have an executable bit.*data\.txt/);
  assert.doesNotMatch(text, /"demo-1.0\/script"|"demo-1.0\/prog"/);
});

test("SEC06 ignores write bits in wheels, where installers apply the umask", () => {
  const wheel: MemberFacts = { kind: "wheel", container: "zip" };
  assert.deepEqual(
    of(checkMembers([file("demo-1.0.dist-info/RECORD", { mode: 0o664 })], wheel), "SEC06"),
    [],
  );
  assert.equal(of(checkMembers([file(`${TOP}/w`, { mode: 0o664 })], sdistFacts), "SEC06").length, 1);
});

test("SEC06 passes ordinary modes and members without recorded modes", () => {
  const members = [
    file(`${TOP}/a.py`),
    { name: `${TOP}/d`, kind: "dir" as const, size: 0, mode: 0o755 },
    { name: `${TOP}/b.py`, kind: "file" as const, size: 1 },
  ];
  assert.deepEqual(of(checkMembers(members, sdistFacts), "SEC06"), []);
  assert.deepEqual(
    of(
      checkMembers(
        [
          { name: `${TOP}/l`, kind: "symlink", size: 0, mode: 0o777, linkTarget: "a.py" },
          file(`${TOP}/a.py`),
        ],
        sdistFacts,
      ),
      "SEC06",
    ),
    [],
  );
});

test("SEC07 warns on case-only and Unicode-normalization collisions and on repeated tar members", () => {
  const nfc = "café.py";
  const nfd = "cafe\u0301.py";
  const issues = of(
    checkMembers(
      [file("pkg/Mod.py"), file("pkg/mod.py"), file(`pkg/${nfc}`), file(`pkg/${nfd}`)],
      wheelFacts,
    ),
    "SEC07",
  );
  assert.equal(issues.length, 2);
  assert.match(issues.map((i) => i.message).join(), /differ only in case/);
  assert.match(issues.map((i) => i.message).join(), /Unicode normalization/);
  const dup = of(checkMembers([file(`${TOP}/a.py`), file(`${TOP}/a.py`)], sdistFacts), "SEC07");
  assert.match(dup[0]!.message, /appears 2 times/);
  assert.deepEqual(of(checkMembers([file("pkg/a.py"), file("pkg/b.py")], wheelFacts), "SEC07"), []);
});

const sdistModel = (names: string[]) =>
  makeArtifact({
    filename: "demo-1.0.tar.gz",
    files: Object.fromEntries(names.map((n) => [`${TOP}/${n}`, "x"])),
  });
const security = (artifact: ReturnType<typeof makeArtifact>) =>
  checkSecurity({ display: artifact.filename, artifact });

test("SEC08 flags files that hold secrets by name; key material is an error outside tests", () => {
  const findings = security(
    sdistModel([
      ".env",
      ".env.production",
      ".pypirc",
      "deploy/id_rsa",
      "certs/server.pem",
      "tests/keys/id_ed25519",
      "store.kdbx",
      ".aws/credentials",
    ]),
  ).filter((f) => f.id === "SEC08");
  const bySuffix = (s: string) => findings.find((f) => f.location.member?.endsWith(s))?.severity;
  assert.equal(bySuffix("/.env"), "warning");
  assert.equal(bySuffix(".env.production"), "warning");
  assert.equal(bySuffix(".pypirc"), "error");
  assert.equal(bySuffix("deploy/id_rsa"), "error");
  assert.equal(bySuffix("server.pem"), "warning");
  assert.equal(bySuffix("tests/keys/id_ed25519"), "warning");
  assert.equal(bySuffix("store.kdbx"), "error");
  assert.equal(bySuffix(".aws/credentials"), "error");
});

test("SEC08 in test or documentation material is a warning whose hint says how to allow the path", () => {
  // httpx 0.29.0 ships tests/fixtures/.netrc ("password example-password"), aiohttp 3.14.5
  // examples/server.key, urllib3 2.8.0 dummyserver/certs/server.key.
  const findings = security(
    sdistModel([
      "tests/fixtures/.netrc",
      "examples/server.key",
      "dummyserver/certs/server.key",
      "deploy/.netrc",
    ]),
  ).filter((f) => f.id === "SEC08");
  const of = (s: string) => findings.find((f) => f.location.member?.endsWith(s))!;
  for (const [member, glob] of [
    ["tests/fixtures/.netrc", "tests/**"],
    ["examples/server.key", "examples/**"],
    ["dummyserver/certs/server.key", "dummyserver/**"],
  ] as const) {
    assert.equal(of(member).severity, "warning", member);
    assert.ok(of(member).hint.includes(`allow-secrets = ["${glob}"]`), of(member).hint);
  }
  assert.equal(of("deploy/.netrc").severity, "error");
  assert.match(of("deploy/.netrc").hint, /rotate any credential/);
});

test("SEC08 on a credential file whose every secret is a placeholder is a warning that never says rotate", () => {
  // httpx 0.29.0's tests/fixtures/.netrc, moved out of tests/ so only its content can excuse it.
  const netrc = "machine netrcexample.org\nlogin example-username\npassword example-password";
  const model = (files: Record<string, string>) =>
    security(
      makeArtifact({
        filename: "demo-1.0.tar.gz",
        files: Object.fromEntries(Object.entries(files).map(([n, d]) => [`${TOP}/${n}`, d])),
      }),
    ).filter((f) => f.id === "SEC08");
  const [placeholder] = model({ "deploy/.netrc": netrc });
  assert.equal(placeholder?.severity, "warning");
  assert.match(placeholder.message, /with a placeholder value \("example"\)/);
  assert.doesNotMatch(placeholder.hint, /rotate|revoke/i);
  assert.match(placeholder.hint, /allow-secrets = \["deploy\/\.netrc"\]/);
  const pypirc = "[pypi]\nusername = __token__\npassword = changeme\n";
  assert.equal(model({ ".pypirc": pypirc })[0]?.severity, "warning");
  // One real-looking secret among placeholders: an error, as is an unreadable one.
  assert.equal(
    model({ "deploy/.netrc": `${netrc}\nmachine b.example.org password Zq81vLx0Pw` })[0]?.severity,
    "error",
  );
  assert.equal(model({ ".git-credentials": "https://jane:Zq81vLx0Pw@github.com\n" })[0]?.severity, "error");
  assert.equal(model({ ".git-credentials": "https://jane:your-token@github.com\n" })[0]?.severity, "warning");
});

test("SEC08 passes templates and public keys", () => {
  const findings = security(
    sdistModel([".env.example", ".env.sample", "id_rsa.pub", "src/env.py", "README.md"]),
  );
  assert.deepEqual(
    findings.filter((f) => f.id === "SEC08"),
    [],
  );
});

test("SEC10 groups VCS, IDE and build junk by directory and flags nested distributions", () => {
  const findings = security(
    sdistModel([
      ".git/config",
      ".git/HEAD",
      ".idea/workspace.xml",
      "src/__pycache__/a.cpython-312.pyc",
      "dist/old-0.9.tar.gz",
      ".venv/bin/python",
      "src/.mod.py.swp",
      "build/lib/x.py",
      "src/x.so",
    ]),
  ).filter((f) => f.id === "SEC10");
  const text = findings.map((f) => f.message).join("\n");
  assert.match(text, /"\.git\/" is shipped \(2 files/);
  assert.match(text, /"\.idea\/"/);
  assert.match(text, /"src\/__pycache__\/"/);
  assert.match(text, /"dist\/"/);
  assert.match(text, /"\.venv\/"/);
  assert.match(text, /\.mod\.py\.swp/);
  assert.match(text, /"build\/"/);
  assert.match(text, /x\.so/);
  assert.ok(findings.every((f) => f.severity === "warning"));
});

test("SEC10: slipway's .slipway/ in an sdist is an error (attrs after a release: hatchling's default sdist)", () => {
  // The members hatchling put in attrs' sdist after a release: its .gitignore does not name .slipway/.
  const findings = security(
    sdistModel([
      "PKG-INFO",
      "src/attr/__init__.py",
      ".slipway/.gitignore",
      ".slipway/release.json",
      ".slipway/dist/26.1.1/.SHA256SUMS",
      ".slipway/dist/26.1.1/attrs-26.1.1-py3-none-any.whl",
      ".slipway/dist/26.1.1/attrs-26.1.1.tar.gz",
      "docs/.slipway/notes.txt",
    ]),
  ).filter((f) => f.id === "SEC10");
  // One finding for the directory (not one per nested distribution), an error, with the fix.
  assert.equal(findings.length, 1, findings.map((f) => f.message).join("\n"));
  const [state] = findings;
  assert.equal(state!.severity, "error");
  assert.match(
    state!.message,
    /"\.slipway\/" is shipped \(5 files, e\.g\. "demo-1\.0\/\.slipway\/\.gitignore"\): slipway's run state/,
  );
  assert.match(state!.hint, /\/\.slipway\/.*\.gitignore/);
});

test("SEC10 passes a clean sdist and a wheel whose package is named build", () => {
  assert.deepEqual(
    security(sdistModel(["PKG-INFO", "src/pkg/__init__.py", "docs/index.md"])).filter(
      (f) => f.id === "SEC10",
    ),
    [],
  );
  const wheel = makeWheel({ name: "build", files: { "build/__init__.py": "", "build/env.py": "" } });
  assert.deepEqual(
    security(wheel).filter((f) => f.id === "SEC10"),
    [],
  );
});

test("SEC12 warns on .pth files installed into site-packages", () => {
  const wheel = makeWheel({
    files: { "demo_pkg-hook.pth": "import demo_pkg\n", "demo_pkg-1.0.0.data/purelib/x.pth": "x\n" },
  });
  const found = security(wheel).filter((f) => f.id === "SEC12");
  assert.equal(found.length, 2);
  assert.deepEqual(
    security(makeWheel({ files: { "demo_pkg/docs/example.pth": "x" } })).filter((f) => f.id === "SEC12"),
    [],
  );
});

test("SEC13 warns on an oversized member and on very many members, with configurable thresholds", () => {
  const wheel = makeWheel({ files: { "demo_pkg/big.bin": "x".repeat(2000) } });
  const ctx = { display: wheel.filename, artifact: wheel };
  assert.match(
    checkSecurity(ctx, { maxMemberSize: 1000 }).find((f) => f.id === "SEC13")?.message ?? "",
    /big\.bin/,
  );
  assert.match(
    checkSecurity(ctx, { maxMembers: 3 }).find((f) => f.id === "SEC13")?.message ?? "",
    /members \(threshold 3\)/,
  );
  assert.deepEqual(
    checkSecurity(ctx).filter((f) => f.id === "SEC13"),
    [],
  );
});
