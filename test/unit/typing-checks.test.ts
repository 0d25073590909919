import assert from "node:assert/strict";
import { test } from "node:test";
import { assembleDistContext } from "../../src/core/checks/dist-context.ts";
import { checkTyping, TYP_CHECKS } from "../../src/core/checks/typing.ts";
import type { ArtifactModel } from "../../src/core/dist/artifact.ts";
import type { Finding } from "../../src/core/findings.ts";
import { type FileTable, makeArtifact, makeWheel, minimalMetadata } from "../helpers/artifact.ts";

const TYPED = minimalMetadata().replace("Summary:", "Classifier: Typing :: Typed\nSummary:");
const run = (artifact: ArtifactModel) => checkTyping(assembleDistContext(artifact, artifact.filename));
const only = (findings: Finding[], id: string) => findings.filter((f) => f.id === id);
const typed = (files: FileTable, metadata = TYPED) => run(makeWheel({ files, metadata }));

test("a typed package with the classifier passes every TYP check", () => {
  assert.deepEqual(typed({ "demo_pkg/py.typed": "" }), []);
  assert.deepEqual(run(makeWheel()), []);
  assert.equal(TYP_CHECKS.length, 4);
});

test("TYP01 warns on py.typed at the root, in the dist-info or in a non-importable directory", () => {
  const root = only(typed({ "py.typed": "" }), "TYP01");
  assert.match(root[0]?.message ?? "", /top of site-packages/);
  const dataDir = only(typed({ "demo_pkg/py.typed": "", "demo_pkg-1.0.0.data/data/py.typed": "" }), "TYP01");
  assert.match(dataDir[0]?.message ?? "", /not installed into site-packages/);
  const dashed = only(typed({ "demo_pkg/py.typed": "", "demo-assets/py.typed": "" }), "TYP01");
  assert.match(dashed[0]?.message ?? "", /demo-assets\/, which is not an importable package path/);
  const nested = only(typed({ "demo_pkg/data/C/py.typed": "" }), "TYP01");
  assert.match(nested[0]?.message ?? "", /type checkers only read demo_pkg\/py\.typed/);
  assert.deepEqual(only(typed({ "demo_pkg/py.typed": "", "demo_pkg/data/C/py.typed": "" }), "TYP01"), []);
  const platlib = typed({
    "demo_pkg-1.0.0.data/platlib/fast/__init__.py": "",
    "demo_pkg-1.0.0.data/platlib/fast/py.typed": "",
  });
  assert.deepEqual(only(platlib, "TYP01"), []);
});

test("TYP03 warns on py.typed in a namespace root and on typed single-file modules", () => {
  const ns = only(typed({ "ns/sub/__init__.py": "", "ns/py.typed": "", "ns/sub/py.typed": "" }), "TYP03");
  assert.equal(ns.length, 1);
  assert.match(ns[0]!.message, /ns\/, a namespace package without __init__\.py/);
  const single = only(typed({ "demo_pkg/py.typed": "", "helper.py": "" }), "TYP03");
  assert.match(single[0]?.message ?? "", /single-file module\(s\) helper\.py cannot be marked typed/);
  assert.deepEqual(only(run(makeWheel({ files: { "helper.py": "" } })), "TYP03"), []);
  assert.deepEqual(only(typed({ "demo_pkg/py.typed": "", "_private_helper.py": "" }), "TYP03"), []);
});

test("TYP04 warns on stub packages without .pyi files, with runtime modules, or a partial marker without its newline (edge case 26)", () => {
  const empty = only(typed({ "demo_pkg/py.typed": "", "other-stubs/README": "" }), "TYP04");
  assert.match(empty[0]?.message ?? "", /contains no \.pyi files/);
  const runtime = only(typed({ "other-stubs/__init__.pyi": "", "other-stubs/impl.py": "" }), "TYP04");
  assert.match(runtime[0]?.message ?? "", /contains runtime modules/);
  const noNewline = only(
    typed({ "other-stubs/__init__.pyi": "", "other-stubs/py.typed": "partial" }),
    "TYP04",
  );
  assert.match(noNewline[0]?.message ?? "", /"partial\\n"/);
  const good = typed({ "other-stubs/__init__.pyi": "", "other-stubs/py.typed": "partial\n" });
  assert.deepEqual(good, []);
  // Inline packages may put anything into py.typed.
  assert.deepEqual(typed({ "demo_pkg/py.typed": "partial" }), []);
});

test("TYP05 warns on the Typing :: Typed classifier without a marker", () => {
  const claim = only(typed({}), "TYP05");
  assert.match(claim[0]?.message ?? "", /declares "Typing :: Typed" but ships no py\.typed/);
  assert.deepEqual(only(typed({ "other-stubs/__init__.pyi": "" }), "TYP05"), []);
  // A marker without the classifier is common (pip, pluggy) and not reported.
  assert.deepEqual(only(run(makeWheel({ files: { "demo_pkg/py.typed": "" } })), "TYP05"), []);
});

test("checkTyping does nothing for an sdist", () => {
  const sdist = makeArtifact({ filename: "demo_pkg-1.0.0.tar.gz", files: { "demo_pkg-1.0.0/py.typed": "" } });
  assert.deepEqual(run(sdist), []);
});
