import assert from "node:assert/strict";
import { test } from "node:test";
import { assembleDistContext } from "../../src/core/checks/dist-context.ts";
import { checkSdist, dataFilterRefusal, SD_CHECKS } from "../../src/core/checks/sdist.ts";
import type { ArchiveMember, ArtifactModel } from "../../src/core/dist/artifact.ts";
import type { Finding } from "../../src/core/findings.ts";
import { type FileTable, makeArtifact, makeWheel, minimalMetadata } from "../helpers/artifact.ts";
import { pythonJson } from "../helpers/peers.ts";

const PYPROJECT = '[project]\nname = "demo-pkg"\nversion = "1.0.0"\n';

function sdist(
  options: { filename?: string; top?: string; files?: FileTable; members?: ArchiveMember[] } = {},
) {
  const top = options.top ?? "demo_pkg-1.0.0";
  const files: FileTable = options.files ?? {
    [`${top}/PKG-INFO`]: minimalMetadata("demo-pkg", "1.0.0"),
    [`${top}/pyproject.toml`]: PYPROJECT,
    [`${top}/src/demo_pkg/__init__.py`]: "",
  };
  return makeArtifact({
    filename: options.filename ?? "demo_pkg-1.0.0.tar.gz",
    files,
    members: options.members ?? [],
  });
}

const run = (artifact: ArtifactModel) => checkSdist(assembleDistContext(artifact, artifact.filename));
const only = (findings: Finding[], id: string) => findings.filter((f) => f.id === id);

test("a valid sdist passes every SD check", () => {
  assert.deepEqual(run(sdist()), []);
  assert.equal(SD_CHECKS.length, 6);
});

test("SD01 warns when the top directory is not the normalized name and version", () => {
  const top = "Demo.Pkg-1.0";
  const findings = run(
    sdist({
      top,
      files: {
        [`${top}/PKG-INFO`]: minimalMetadata("demo-pkg", "1.0.0"),
        [`${top}/pyproject.toml`]: PYPROJECT,
      },
    }),
  );
  assert.deepEqual(
    findings.map((f) => [f.id, f.severity]),
    [["SD01", "warning"]],
  );
  assert.match(findings[0]!.message, /is Demo\.Pkg-1\.0\/, the spec requires demo_pkg-1\.0\.0\//);
});

test("SD02 fails without PKG-INFO, on a linked PKG-INFO and without Metadata-Version", () => {
  const missing = run(sdist({ files: { "demo_pkg-1.0.0/pyproject.toml": PYPROJECT } }));
  assert.match(only(missing, "SD02")[0]?.message ?? "", /has no demo_pkg-1\.0\.0\/PKG-INFO/);
  const linked = run(
    sdist({
      members: [{ name: "demo_pkg-1.0.0/PKG-INFO", kind: "symlink", size: 0, linkTarget: "../PKG-INFO" }],
    }),
  );
  assert.match(only(linked, "SD02")[0]?.message ?? "", /is a symlink, not a regular file/);
  const noVersion = run(
    sdist({
      files: {
        "demo_pkg-1.0.0/PKG-INFO": "Name: demo-pkg\nVersion: 1.0.0\n",
        "demo_pkg-1.0.0/pyproject.toml": PYPROJECT,
      },
    }),
  );
  assert.match(only(noVersion, "SD02")[0]?.message ?? "", /has no Metadata-Version/);
});

test("SD03 warns on a PKG-INFO older than Metadata-Version 2.2", () => {
  const old = minimalMetadata("demo-pkg", "1.0.0").replace("Metadata-Version: 2.4", "Metadata-Version: 2.1");
  const findings = run(
    sdist({ files: { "demo_pkg-1.0.0/PKG-INFO": old, "demo_pkg-1.0.0/pyproject.toml": PYPROJECT } }),
  );
  assert.deepEqual(
    only(findings, "SD03").map((f) => f.severity),
    ["warning"],
  );
  const current = minimalMetadata("demo-pkg", "1.0.0").replace(
    "Metadata-Version: 2.4",
    "Metadata-Version: 2.2",
  );
  const ok = run(
    sdist({ files: { "demo_pkg-1.0.0/PKG-INFO": current, "demo_pkg-1.0.0/pyproject.toml": PYPROJECT } }),
  );
  assert.deepEqual(only(ok, "SD03"), []);
});

test("SD04 warns on a legacy sdist without pyproject.toml", () => {
  const findings = run(sdist({ files: { "demo_pkg-1.0.0/PKG-INFO": minimalMetadata("demo-pkg", "1.0.0") } }));
  assert.match(only(findings, "SD04")[0]?.message ?? "", /no demo_pkg-1\.0\.0\/pyproject\.toml/);
});

test("SD05 fails when PKG-INFO and the filename disagree and warns on the top directory", () => {
  const files = {
    "demo_pkg-1.0.0/PKG-INFO": minimalMetadata("demo-pkg", "1.0.1"),
    "demo_pkg-1.0.0/pyproject.toml": PYPROJECT,
  };
  const findings = only(run(sdist({ files })), "SD05");
  assert.equal(findings[0]?.severity, "error");
  assert.match(
    findings[0]!.message,
    /the filename demo_pkg-1\.0\.0\.tar\.gz names demo_pkg 1\.0\.0 but PKG-INFO names demo-pkg 1\.0\.1/,
  );
  const otherTop = run(
    sdist({
      top: "other-1.0.0",
      files: {
        "other-1.0.0/PKG-INFO": minimalMetadata("demo-pkg", "1.0.0"),
        "other-1.0.0/pyproject.toml": PYPROJECT,
      },
    }),
  );
  assert.deepEqual(
    otherTop.map((f) => [f.id, f.severity]),
    [["SD05", "warning"]],
  );
  // 1.0 and 1.0.0 are the same version; only the spelling (SD01) differs.
  const spelled = run(sdist({ filename: "demo_pkg-1.0.tar.gz" }));
  assert.deepEqual(only(spelled, "SD05"), []);
});

test("SD06 fails on members the PEP 706 data filter refuses", () => {
  const members: ArchiveMember[] = [
    { name: "demo_pkg-1.0.0/../../escape.txt", kind: "file", size: 1 },
    { name: "demo_pkg-1.0.0/passwd", kind: "symlink", size: 0, linkTarget: "/etc/passwd" },
    { name: "demo_pkg-1.0.0/a/up", kind: "symlink", size: 0, linkTarget: "../../../x" },
    { name: "demo_pkg-1.0.0/pipe", kind: "fifo", size: 0 },
  ];
  const findings = only(run(sdist({ members })), "SD06");
  assert.equal(findings.length, 1);
  assert.match(findings[0]!.message, /refuses 4 member\(s\)/);
  const safe: ArchiveMember[] = [
    { name: "demo_pkg-1.0.0/docs/link", kind: "symlink", size: 0, linkTarget: "../README" },
    { name: "demo_pkg-1.0.0/hard", kind: "hardlink", size: 0, linkTarget: "demo_pkg-1.0.0/README" },
    { name: "/demo_pkg-1.0.0/README", kind: "file", size: 0 },
  ];
  assert.deepEqual(only(run(sdist({ members: safe })), "SD06"), []);
});

test("dataFilterRefusal resolves symlinks from their directory and hardlinks from the root", () => {
  assert.equal(
    dataFilterRefusal({ name: "top/a/l", kind: "symlink", size: 0, linkTarget: "../b" }),
    undefined,
  );
  assert.match(
    dataFilterRefusal({ name: "top/l", kind: "symlink", size: 0, linkTarget: "../../b" }) ?? "",
    /outside/,
  );
  assert.match(
    dataFilterRefusal({ name: "top/h", kind: "hardlink", size: 0, linkTarget: "../b" }) ?? "",
    /outside/,
  );
  assert.equal(
    dataFilterRefusal({ name: "top/h", kind: "hardlink", size: 0, linkTarget: "top/b" }),
    undefined,
  );
  assert.match(dataFilterRefusal({ name: "top/dev", kind: "chardev", size: 0 }) ?? "", /chardev/);
});

test("checkSdist does nothing for a wheel", () => {
  assert.deepEqual(run(makeWheel()), []);
});

test("SD06 agrees with Python's tarfile.data_filter over generated members", () => {
  let seed = 7;
  const next = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const segments = ["top", "a", "b", "..", ".", ""];
  const path = () => Array.from({ length: 1 + next(4) }, () => segments[next(segments.length)]).join("/");
  const kinds = ["file", "symlink", "hardlink", "fifo", "chardev"] as const;
  const members: ArchiveMember[] = Array.from({ length: 600 }, () => {
    const kind = kinds[next(kinds.length)]!;
    const name = (next(5) === 0 ? "/" : "") + path();
    const member: ArchiveMember = { name: name === "" ? "x" : name, kind, size: 0 };
    if (kind === "symlink" || kind === "hardlink") member.linkTarget = (next(6) === 0 ? "/" : "") + path();
    return member;
  });
  const expected = pythonJson<(string | null)[]>(
    `
import json, sys, tarfile
TYPES = {"file": tarfile.REGTYPE, "symlink": tarfile.SYMTYPE, "hardlink": tarfile.LNKTYPE,
         "fifo": tarfile.FIFOTYPE, "chardev": tarfile.CHRTYPE}
out = []
for m in json.load(sys.stdin):
    info = tarfile.TarInfo(m["name"])
    info.type = TYPES[m["kind"]]
    info.linkname = m.get("linkTarget", "")
    try:
        tarfile.data_filter(info, "/nonexistent-slipway-dest")
        out.append(None)
    except tarfile.FilterError as e:
        out.append(type(e).__name__)
print(json.dumps(out))
`,
    members,
  );
  let refused = 0;
  members.forEach((member, i) => {
    const mine = dataFilterRefusal(member);
    if (mine !== undefined) refused++;
    assert.equal(
      mine !== undefined,
      expected[i] !== null,
      `${JSON.stringify(member)}: ${mine} vs ${expected[i]}`,
    );
  });
  assert.ok(refused > 50 && refused < members.length - 50, `refused ${refused}`);
});
