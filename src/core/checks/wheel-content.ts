/**
 * What a wheel carries besides its layout: files that do not belong in a wheel (WHL11–WHL13),
 * compiled code versus the tags (WHL14) and python tags versus Requires-Python (WHL15).
 */
import type { ArchiveMember } from "../dist/artifact.ts";
import { type CheckInfo, catalogue, type Finding, finding } from "../findings.ts";
import { field } from "../metadata/parse.ts";
import { parseSpecifierSet, type Specifier, specifierSetContains } from "../pep440/specifier.ts";
import type { DistContext } from "./context.ts";
import { isNativeBinary, type WheelLayout } from "./wheel-layout.ts";

export const WHL_CONTENT_CHECKS: CheckInfo[] = [
  {
    id: "WHL11",
    severity: "warning",
    title: "No installer-owned or signature files in the wheel's .dist-info",
    why: "INSTALLER, REQUESTED and direct_url.json are written by the installer into the installed .dist-info; shipped in a wheel they claim an install that never happened. RECORD.jws and RECORD.p7s (wheel signatures) are deprecated and verified by nothing.",
    fix: "Build the wheel from the source tree with a build backend instead of repacking an installed package; drop RECORD.jws/RECORD.p7s.",
    source: "[BDF], [REC]",
  },
  {
    id: "WHL12",
    severity: "warning",
    title: "No setup.py/setup.cfg at the wheel root and no .pyc files",
    why: "A wheel's root is installed into site-packages: setup.py and setup.cfg would land there as stray modules. Byte-code is compiled by the installer for the target Python; shipped .pyc files are stale or for the wrong interpreter (check-wheel-contents W001).",
    fix: "Exclude setup.py, setup.cfg and `__pycache__`/`*.pyc` from the package data of the build configuration.",
    source: "[BDF], [CWC] W001",
  },
  {
    id: "WHL13",
    severity: "warning",
    title: ".dist-info subdirectories are only licenses/ and sboms/ (with SBOM files)",
    why: "The .dist-info directory is a specified format: only `licenses/` (PEP 639) and `sboms/` (PEP 770) are reserved, plus the legacy `license_files/` and `LICENSES/`; other directories are unexpected and may clash with future standards.",
    fix: "Move extra files out of the .dist-info directory (into the package, or `.data/data/`), and keep only SBOM documents in `sboms/`.",
    source: "[BDF], PEP 639, PEP 770",
  },
  {
    id: "WHL14",
    severity: "error",
    title: "Compiled code matches the wheel's tags and Root-Is-Purelib",
    why: "A `*-none-any` wheel is installed on every platform and Python: a CPython extension module inside it breaks at import everywhere but on the build machine. Conversely a platform tag without compiled code needlessly limits who can install it, and `abi3` only exists for CPython (`cp3x`) tags.",
    fix: "Let the build backend tag the wheel from what it compiled (e.g. `cp312-cp312-manylinux_2_17_x86_64`), set Root-Is-Purelib false for compiled wheels, and build pure wheels as `py3-none-any`.",
    source: "[PT], [BDF] FAQ (derived)",
  },
  {
    id: "WHL15",
    severity: "warning",
    title: "Every python tag can satisfy Requires-Python",
    why: "A python tag that Requires-Python rules out (a `py2.py3` wheel with `Requires-Python: >=3.9`, a `cp38` wheel for `>=3.9`) advertises support that installers will never use; usually the tags are stale.",
    fix: "Tag the wheel only for the Pythons Requires-Python allows (e.g. `py3` instead of `py2.py3`), or relax Requires-Python.",
    source: "derived from [PT], [CM] Requires-Python",
  },
];

const C = catalogue(WHL_CONTENT_CHECKS);

/** WHL11–WHL15 on a wheel whose layout is known. */
export function checkWheelContent(
  ctx: DistContext,
  layout: WheelLayout,
  purelib: boolean | undefined,
): Finding[] {
  return [
    ...checkDistInfoFiles(ctx, layout),
    ...checkStrayFiles(ctx, layout),
    ...checkPurity(ctx, layout, purelib),
    ...checkRequiresPython(ctx),
  ];
}

const INSTALLER_FILES = new Set(["INSTALLER", "REQUESTED", "direct_url.json", "RECORD.jws", "RECORD.p7s"]);
const RESERVED_DIRS = new Set(["licenses", "license_files", "LICENSES", "sboms"]);
const SBOM_FILE = /\.(json|xml|spdx|rdf|ya?ml|tv|txt|cdx|bom)$/i;

function checkDistInfoFiles(ctx: DistContext, layout: WheelLayout): Finding[] {
  const dir = layout.distInfo;
  if (dir === undefined) return [];
  const findings: Finding[] = [];
  const reported = new Set<string>();
  for (const m of ctx.artifact.members) {
    if (!m.name.startsWith(`${dir}/`) || m.name === `${dir}/`) continue;
    const rest = m.name.slice(dir.length + 1);
    const location = { file: ctx.display, member: m.name };
    const parts = rest.split("/");
    const top = parts[0] ?? "";
    if (parts.length === 1 && INSTALLER_FILES.has(top)) {
      const why = top.startsWith("RECORD.")
        ? "is a deprecated wheel signature"
        : "is written by installers, not builders";
      findings.push(finding(C.WHL11!, `${m.name} ${why}`, location));
    } else if (parts.length > 1 && !RESERVED_DIRS.has(top) && !reported.has(top)) {
      reported.add(top);
      findings.push(finding(C.WHL13!, `${dir}/${top}/ is not a reserved .dist-info subdirectory`, location));
    } else if (top === "sboms" && m.kind !== "dir" && (parts.length > 2 || !SBOM_FILE.test(rest))) {
      findings.push(finding(C.WHL13!, `${m.name} does not look like an SBOM document`, location));
    }
  }
  return findings;
}

const list = (names: readonly string[]): string =>
  names.length <= 3 ? names.join(", ") : `${names.slice(0, 3).join(", ")} and ${names.length - 3} more`;

function checkStrayFiles(ctx: DistContext, layout: WheelLayout): Finding[] {
  const findings: Finding[] = [];
  for (const name of ["setup.py", "setup.cfg"]) {
    if (ctx.artifact.members.some((m) => m.name === name)) {
      findings.push(
        finding(C.WHL12!, `${name} is at the wheel root and would be installed into site-packages`, {
          file: ctx.display,
          member: name,
        }),
      );
    }
  }
  const inDistInfo = (n: string) => layout.distInfo !== undefined && n.startsWith(`${layout.distInfo}/`);
  const bytecode = ctx.artifact.members.filter((m) => /\.py[co]$/.test(m.name) && !inDistInfo(m.name));
  if (bytecode.length > 0) {
    const names = bytecode.map((m) => m.name);
    findings.push(
      finding(C.WHL12!, `${ctx.display} ships ${names.length} compiled .pyc/.pyo file(s): ${list(names)}`, {
        file: ctx.display,
        member: names[0]!,
      }),
    );
  }
  return findings;
}

// CPython/PyPy/GraalPy extension modules carry an interpreter-specific suffix (PEP 3149, abi3).
const EXTENSION_MODULE = /(\.(cpython|pypy|graalpy)[^/]*\.so|\.abi3\.so|\.pyd)$/i;
const SHARED_LIBRARY = /\.(so(\.\d+)*|dylib|dll)$/i;

interface Binaries {
  /** Python extension modules: tied to one interpreter ABI. */
  extensions: string[];
  /** Shared libraries (ctypes, bundled dependencies): tied to a platform. */
  libraries: string[];
  /** Native executables (`.exe`, ELF/PE/Mach-O scripts): tied to a platform, not loaded by Python. */
  executables: string[];
  /** Files whose bytes were not kept but may be executables: no extension, or under a `bin/` directory. */
  maybeExecutables: string[];
}

function findBinaries(ctx: DistContext, layout: WheelLayout): Binaries {
  const found: Binaries = { extensions: [], libraries: [], executables: [], maybeExecutables: [] };
  for (const m of ctx.artifact.members as readonly ArchiveMember[]) {
    if (m.kind !== "file" || (layout.distInfo !== undefined && m.name.startsWith(`${layout.distInfo}/`)))
      continue;
    if (EXTENSION_MODULE.test(m.name)) found.extensions.push(m.name);
    else if (SHARED_LIBRARY.test(m.name)) found.libraries.push(m.name);
    else if (/\.exe$/i.test(m.name)) found.executables.push(m.name);
    else {
      const bytes = ctx.artifact.contents.get(m.name);
      if (bytes !== undefined && isNativeBinary(bytes)) found.executables.push(m.name);
      else if (bytes === undefined && /(^|\/)bin\/|(^|\/)[^./]+$/.test(m.name))
        found.maybeExecutables.push(m.name);
    }
  }
  return found;
}

function checkPurity(ctx: DistContext, layout: WheelLayout, purelib: boolean | undefined): Finding[] {
  const name = ctx.wheelName;
  if (name === undefined) return [];
  const { extensions, libraries, executables, maybeExecutables } = findBinaries(ctx, layout);
  const loaded = [...extensions, ...libraries];
  const anyPlatform = name.platformTags.every((p) => p === "any");
  const noAbi = name.abiTags.every((a) => a === "none");
  const tag = [name.pythonTags, name.abiTags, name.platformTags].map((t) => t.join(".")).join("-");
  const at = (member?: string) =>
    member === undefined ? { file: ctx.display } : { file: ctx.display, member };
  const findings: Finding[] = [];
  if (anyPlatform && extensions.length > 0) {
    findings.push(
      finding(
        C.WHL14!,
        `${ctx.display} is tagged ${tag} but contains extension modules ${list(extensions)}`,
        at(extensions[0]),
      ),
    );
  } else if (anyPlatform && libraries.length > 0) {
    const message = `${ctx.display} is tagged ${tag} but contains native binaries ${list(libraries)}`;
    findings.push(finding(C.WHL14!, message, at(libraries[0]), { severity: "warning" }));
  } else if (noAbi && extensions.length > 0) {
    const message = `${ctx.display} has ABI tag none but contains extension modules ${list(extensions)}, which need a specific ABI`;
    findings.push(finding(C.WHL14!, message, at(extensions[0]), { severity: "warning" }));
  }
  // Tools such as cmake or clang-format ship bare executables inside the package: not flagged.
  if (!anyPlatform && loaded.length === 0 && executables.length === 0 && maybeExecutables.length === 0) {
    const message = `${ctx.display} has platform tag ${name.platformTags.join(".")} but no compiled code`;
    findings.push(
      finding(C.WHL14!, message, at(), {
        severity: "warning",
        hint: "If the wheel is pure Python, build it as py3-none-any so every platform can install it.",
      }),
    );
  }
  if (purelib === true && loaded.length > 0) {
    const message = `${ctx.display} declares Root-Is-Purelib: true but contains compiled code ${list(loaded)}`;
    findings.push(finding(C.WHL14!, message, at(loaded[0]), { severity: "warning" }));
  }
  const wrongAbi3 = name.abiTags.includes("abi3") ? name.pythonTags.filter((p) => !/^cp3\d*$/.test(p)) : [];
  if (wrongAbi3.length > 0) {
    const message = `${ctx.display} uses ABI tag abi3 with python tag ${wrongAbi3.join(", ")}; abi3 is CPython's stable ABI and pairs with cp3x`;
    findings.push(finding(C.WHL14!, message, at(), { severity: "warning" }));
  }
  return findings;
}

/** The Python release a tag names (`py3` → [3], `cp312` → [3, 12]), for py/cp tags only. */
export function pythonTagVersion(tag: string): { major: number; minor?: number } | undefined {
  const match = /^(py|cp)(\d)(\d*)$/.exec(tag);
  if (!match) return undefined;
  const major = Number(match[2]);
  return match[3] === "" ? { major } : { major, minor: Number(match[3]) };
}

const PATCH_LIMIT = 40;

/**
 * Whether some release `major.minor.patch` (minor and patch up to 40) satisfies the set. A
 * specifier's answer only changes at the patch numbers it names, so trying 0, the limit and each
 * named patch with its neighbours finds a satisfying release whenever one exists.
 */
const satisfiable = (set: readonly Specifier[], major: number, minor: number | undefined): boolean => {
  const patches = new Set([0, PATCH_LIMIT]);
  for (const s of set) {
    const patch = /^\s*(?:\d+!)?\d+\.\d+\.(\d+)/.exec(s.version)?.[1];
    if (patch === undefined) continue;
    for (const p of [Number(patch) - 1, Number(patch), Number(patch) + 1])
      if (p >= 0 && p <= PATCH_LIMIT) patches.add(p);
  }
  const minors = minor === undefined ? Array.from({ length: PATCH_LIMIT + 1 }, (_, i) => i) : [minor];
  return minors.some((m) => [...patches].some((p) => specifierSetContains(set, `${major}.${m}.${p}`)));
};

function checkRequiresPython(ctx: DistContext): Finding[] {
  const name = ctx.wheelName;
  const requires = ctx.metadata === undefined ? undefined : field(ctx.metadata, "Requires-Python");
  if (name === undefined || requires === undefined) return [];
  const parsed = parseSpecifierSet(requires.trim());
  if (!parsed.ok) return [];
  const findings: Finding[] = [];
  for (const tag of name.pythonTags) {
    const version = pythonTagVersion(tag);
    if (version === undefined || satisfiable(parsed.value, version.major, version.minor)) continue;
    const python =
      version.minor === undefined ? `Python ${version.major}` : `Python ${version.major}.${version.minor}`;
    findings.push(
      finding(
        C.WHL15!,
        `${ctx.display} has python tag ${tag} but Requires-Python ${requires.trim()} excludes ${python}`,
        { file: ctx.display, member: ctx.metadataMember ?? "METADATA", field: "Requires-Python" },
      ),
    );
  }
  return findings;
}
