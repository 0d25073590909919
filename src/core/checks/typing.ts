/** PEP 561 typing markers in wheels: where py.typed lives, stub-only packages, the classifier. */
import { pushAll } from "../arrays.ts";
import { isPythonIdentifier } from "../dist/entry-points.ts";
import { type CheckInfo, catalogue, type Finding, finding } from "../findings.ts";
import { fieldAll } from "../metadata/parse.ts";
import type { DistContext } from "./context.ts";
import { decodeUtf8, distPrefix, locateDistInfo } from "./wheel-layout.ts";

export const TYP_CHECKS: CheckInfo[] = [
  {
    id: "TYP01",
    severity: "warning",
    title: "py.typed sits inside an importable package",
    why: "Type checkers look for py.typed in the package directory they import (PEP 561); one at the wheel root, in the .dist-info or .data directories, or under a path that is not importable marks nothing (check-wheel-contents W003).",
    fix: "Place py.typed next to the package's `__init__.py` (e.g. `src/mypkg/py.typed`) and include it as package data.",
    source: "[P561]",
  },
  {
    id: "TYP03",
    severity: "warning",
    title: "Namespace packages are marked in their sub-packages; single-file modules cannot be marked",
    why: "PEP 561 says a namespace package's py.typed belongs in its regular sub-packages, and typing information for a single-file top-level module cannot be declared at all: the marker is ignored.",
    fix: "Move py.typed into each sub-package of the namespace; turn single-file modules you want typed into packages (`mod/__init__.py` + `mod/py.typed`).",
    source: "[P561]",
  },
  {
    id: "TYP04",
    severity: "warning",
    title: "Stub-only packages (<pkg>-stubs) hold .pyi stubs and mark partial stubs correctly",
    why: "A `<pkg>-stubs` directory is read by type checkers only for its .pyi files; partial stubs are recognized only when py.typed contains the line `partial\\n` (mypy checks the exact line; python/mypy#6000).",
    fix: "Ship only .pyi files in `<pkg>-stubs/`, and write `partial` followed by a newline into its py.typed when the stubs are partial.",
    source: "[P561]",
  },
  {
    id: "TYP05",
    severity: "warning",
    title: "Typing :: Typed classifier only with a py.typed marker",
    why: "The `Typing :: Typed` classifier tells users and PyPI search that the package ships type information, which is only true when a py.typed marker (or a stub package) is in the wheel; without it type checkers ignore the package's annotations.",
    fix: "Add py.typed to the package (and include it as package data), or drop the classifier.",
    source: "derived from [P561], trove classifiers",
  },
];

const C = catalogue(TYP_CHECKS);

const STUBS_DIR = /^[\p{XID_Start}_]\p{XID_Continue}*-stubs$/u;

interface LibraryFile {
  /** Member name in the archive. */
  member: string;
  /** Path relative to site-packages. */
  path: string;
}

/** Files that install into site-packages: the wheel root plus `.data/purelib` and `.data/platlib`. */
function libraryFiles(ctx: DistContext, prefix: string | undefined): LibraryFile[] {
  const roots = prefix === undefined ? [] : [`${prefix}.data/purelib/`, `${prefix}.data/platlib/`];
  const files: LibraryFile[] = [];
  for (const m of ctx.artifact.members) {
    if (m.kind === "dir") continue;
    const root = roots.find((r) => m.name.startsWith(r));
    const top = m.name.split("/")[0] ?? "";
    if (root === undefined && (top.endsWith(".dist-info") || top.endsWith(".data"))) continue;
    files.push({ member: m.name, path: root === undefined ? m.name : m.name.slice(root.length) });
  }
  return files;
}

/** Checks py.typed placement, stub packages and the Typing :: Typed classifier in a wheel. */
export function checkTyping(ctx: DistContext): Finding[] {
  if (ctx.artifact.kind !== "wheel") return [];
  const { distInfo } = locateDistInfo(ctx);
  const prefix = distInfo === undefined ? undefined : distPrefix(distInfo);
  const files = libraryFiles(ctx, prefix);
  const paths = new Set(files.map((f) => f.path));
  const markers = files.filter((f) => f.path === "py.typed" || f.path.endsWith("/py.typed"));
  const findings: Finding[] = [];
  for (const m of ctx.artifact.members) {
    const misplaced =
      m.name.endsWith("py.typed") && !markers.some((f) => f.member === m.name) && m.kind !== "dir";
    if (misplaced && (m.name === "py.typed" || m.name.endsWith("/py.typed"))) {
      findings.push(
        finding(
          C.TYP01!,
          `${m.name} is not installed into site-packages, so it marks nothing`,
          at(ctx, m.name),
        ),
      );
    }
  }
  for (const marker of markers) pushAll(findings, checkMarker(ctx, marker, paths));
  const stubDirs = new Set(files.map((f) => f.path.split("/")[0] ?? "").filter((t) => STUBS_DIR.test(t)));
  for (const dir of stubDirs) pushAll(findings, checkStubPackage(ctx, dir, files));
  pushAll(findings, checkClassifier(ctx, markers, stubDirs.size > 0, files));
  return findings;
}

const at = (ctx: DistContext, member: string) => ({ file: ctx.display, member });

const isPackage = (dir: string, paths: ReadonlySet<string>): boolean =>
  paths.has(`${dir}/__init__.py`) || paths.has(`${dir}/__init__.pyi`);

function checkMarker(ctx: DistContext, marker: LibraryFile, paths: ReadonlySet<string>): Finding[] {
  if (marker.path === "py.typed") {
    return [
      finding(
        C.TYP01!,
        `${marker.member} is at the top of site-packages, outside any package`,
        at(ctx, marker.member),
      ),
    ];
  }
  const dir = marker.path.slice(0, -"/py.typed".length);
  const parts = dir.split("/");
  const importable = parts.every((p, i) => isPythonIdentifier(p) || (i === 0 && STUBS_DIR.test(p)));
  if (!importable) {
    return [
      finding(
        C.TYP01!,
        `${marker.member} is in ${dir}/, which is not an importable package path`,
        at(ctx, marker.member),
      ),
    ];
  }
  const findings: Finding[] = [];
  if (STUBS_DIR.test(parts[0] ?? "")) pushAll(findings, checkPartial(ctx, marker));
  else if (!isPackage(dir, paths)) {
    // Inside a regular top-level package, type checkers read the marker at the package's top only.
    const top = parts[0]!;
    if (parts.length > 1 && isPackage(top, paths)) {
      if (!paths.has(`${top}/py.typed`)) {
        const message = `${marker.member} is in ${dir}/, a directory without __init__.py inside package ${top}/; type checkers only read ${top}/py.typed`;
        findings.push(finding(C.TYP01!, message, at(ctx, marker.member)));
      }
    } else {
      const message = `${marker.member} is in ${dir}/, a namespace package without __init__.py; mark its sub-packages instead`;
      findings.push(finding(C.TYP03!, message, at(ctx, marker.member)));
    }
  }
  return findings;
}

/** In stub packages only the exact line `partial\n` counts (edge case 26); inline packages may hold anything. */
function checkPartial(ctx: DistContext, marker: LibraryFile): Finding[] {
  const bytes = ctx.artifact.contents.get(marker.member);
  const text = bytes === undefined ? undefined : decodeUtf8(bytes)?.replaceAll("\r\n", "\n");
  if (text === undefined || !/partial/i.test(text)) return [];
  if (text.split(/(?<=\n)/).includes("partial\n")) return [];
  const message = `${marker.member} contains ${JSON.stringify(text)}; type checkers recognize partial stubs only by the line "partial\\n"`;
  return [finding(C.TYP04!, message, at(ctx, marker.member))];
}

function checkStubPackage(ctx: DistContext, dir: string, files: readonly LibraryFile[]): Finding[] {
  const inside = files.filter((f) => f.path.startsWith(`${dir}/`));
  const findings: Finding[] = [];
  if (!inside.some((f) => f.path.endsWith(".pyi"))) {
    findings.push(
      finding(
        C.TYP04!,
        `stub package ${dir}/ contains no .pyi files`,
        at(ctx, inside[0]?.member ?? `${dir}/`),
      ),
    );
  }
  const modules = inside.filter((f) => f.path.endsWith(".py"));
  if (modules.length > 0) {
    const names = modules.map((f) => f.member);
    const message = `stub package ${dir}/ contains runtime modules ${names.slice(0, 3).join(", ")}${names.length > 3 ? ", …" : ""}; stub packages hold only .pyi files`;
    findings.push(finding(C.TYP04!, message, at(ctx, names[0]!)));
  }
  return findings;
}

function checkClassifier(
  ctx: DistContext,
  markers: readonly LibraryFile[],
  hasStubs: boolean,
  files: readonly LibraryFile[],
): Finding[] {
  const classifiers =
    ctx.metadata === undefined ? [] : fieldAll(ctx.metadata, "Classifier").map((c) => c.trim());
  const declared = classifiers.includes("Typing :: Typed");
  const typed = hasStubs || markers.some((m) => m.path !== "py.typed");
  const location = { file: ctx.display, member: ctx.metadataMember ?? "METADATA", field: "Classifier" };
  const findings: Finding[] = [];
  // Only the claim without a marker is reported: most typed packages on PyPI (pip, pluggy,
  // hatchling...) ship py.typed without the classifier, so the reverse would be noise.
  if (declared && !typed) {
    findings.push(
      finding(C.TYP05!, `${ctx.display} declares "Typing :: Typed" but ships no py.typed marker`, location),
    );
  }
  // Private helpers (`_foo.py`) are not part of the typed API.
  const singleModules = files.filter((f) => /^[^/_][^/]*\.py$/.test(f.path) && f.path !== "setup.py");
  const claims = declared || markers.some((m) => m.path === "py.typed");
  if (claims && singleModules.length > 0) {
    const names = singleModules.map((f) => f.path).join(", ");
    const message = `${ctx.display} claims type information but its top-level single-file module(s) ${names} cannot be marked typed`;
    findings.push(finding(C.TYP03!, message, at(ctx, singleModules[0]!.member)));
  }
  return findings;
}
