/**
 * Wheel compatibility tags (https://packaging.python.org/en/latest/specifications/platform-compatibility-tags/)
 * and the platform tags PyPI accepts.
 */
import { fail, ok, type Parsed } from "../result.ts";

/** A `py-abi-plat` tag with each part as a compressed set (`py2.py3`), split but not lowercased. */
export interface TagSet {
  pythonTags: string[];
  abiTags: string[];
  platformTags: string[];
  /** The cartesian product `py-abi-plat`, python outermost, platform innermost (filename order). */
  tags: string[];
}

// Python's str.isidentifier(): XID_Start or `_`, then XID_Continue.
const IDENTIFIER = /^[\p{XID_Start}_]\p{XID_Continue}*$/u;

/**
 * Parses a tag triple the way packaging.tags.parse_tag does (packaging 26.3): exactly three
 * `-`-separated components, no empty member in any `.`-separated set, and every interpreter an
 * identifier. Order inside a set is not checked here (see `unsortedTagComponents`).
 */
export function parseTagSet(tag: string): Parsed<TagSet> {
  const components = tag.split("-").map((component) => component.split("."));
  const empty = components.find((parts) => parts.includes(""));
  if (empty) return fail(`tag "${tag}" has an empty part in "${empty.join(".")}"`);
  const [pythonTags, abiTags, platformTags] = components;
  if (components.length !== 3 || !pythonTags || !abiTags || !platformTags) {
    return fail(`tag "${tag}" does not have exactly three parts (python-abi-platform)`);
  }
  const badInterpreter = pythonTags.find((python) => !IDENTIFIER.test(python));
  if (badInterpreter !== undefined) {
    return fail(`tag "${tag}" has a python tag "${badInterpreter}" that is not an identifier`);
  }
  return ok({ pythonTags, abiTags, platformTags, tags: expandTags(pythonTags, abiTags, platformTags) });
}

/** Every `py-abi-plat` combination of the three sets, in filename order. */
export function expandTags(
  pythonTags: readonly string[],
  abiTags: readonly string[],
  platformTags: readonly string[],
): string[] {
  return pythonTags.flatMap((python) =>
    abiTags.flatMap((abi) => platformTags.map((platform) => `${python}-${abi}-${platform}`)),
  );
}

// Python compares str by code point; JS `<` compares UTF-16 units, which differs past U+FFFF.
const byCodePoint = (a: string, b: string): number => {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = (x[i]?.codePointAt(0) ?? 0) - (y[i]?.codePointAt(0) ?? 0);
    if (d !== 0) return d;
  }
  return x.length - y.length;
};

/** Compressed sets of a tag whose members are not in sorted order, as written (`py3.py2`). */
export function unsortedTagComponents(tag: string): string[] {
  return tag
    .split("-")
    .map((component) => component.split("."))
    .filter((parts) => parts.some((part, i) => i > 0 && byCodePoint(parts[i - 1] ?? "", part) > 0))
    .map((parts) => parts.join("."));
}

// The spec form of a python tag: an implementation abbreviation then py_version_nodot
// (`py3`, `cp312`, `pp310`, `graalpy311`). Not enforced by packaging or PyPI.
const PYTHON_TAG_SHAPE = /^[a-z]+[0-9]+$/;

/** True when a python tag has the spec's `<implementation><version>` form. */
export function isConventionalPythonTag(tag: string): boolean {
  return PYTHON_TAG_SHAPE.test(tag);
}

// PyPI's allow-list, as in warehouse/utils/wheel.py `_parse_platform_tag` (is_valid_platform_tag),
// which forklift/legacy.py applies to each packaging Tag's (lower-cased) platform. Python's `\d`
// is any Unicode decimal digit, its `.` is anything but `\n`, and its `$` also matches before a
// final `\n`: the patterns below spell those out so the answers are the same.
const STATIC_PLATFORMS = new Set([
  "any",
  "win32",
  "win_arm64",
  "win_amd64",
  "win_ia64",
  "manylinux1_x86_64",
  "manylinux1_i686",
  "manylinux2010_x86_64",
  "manylinux2010_i686",
  "manylinux2014_x86_64",
  "manylinux2014_i686",
  "manylinux2014_aarch64",
  "manylinux2014_armv7l",
  "manylinux2014_ppc64",
  "manylinux2014_ppc64le",
  "manylinux2014_s390x",
  "linux_armv6l",
  "linux_armv7l",
]);
const MACOSX = /^macosx_(\p{Nd}+)_(\p{Nd}+)_([^\n]*)\n?$/u;
const MACOSX_ARCHES = new Set([
  "ppc",
  "ppc64",
  "i386",
  "x86_64",
  "arm64",
  "intel",
  "fat",
  "fat3",
  "fat64",
  "universal",
  "universal2",
]);
// macOS 10.x bumped the minor version; from 11 on only `<major>_0` is used (packaging.python.org#1933).
const MACOSX_MAJORS = new Set(["11", "12", "13", "14", "15", "26"]);
const LINUX = /^(many|musl)linux_\p{Nd}+_\p{Nd}+_([^\n]*)\n?$/u;
const MUSLLINUX_ARCHES = new Set(["x86_64", "i686", "aarch64", "armv7l", "ppc64le", "s390x", "riscv64"]);
const MANYLINUX_ARCHES = new Set([...MUSLLINUX_ARCHES, "ppc64"]);
const IOS = /^ios_\p{Nd}+_\p{Nd}+_([^\n]*)_(?:iphoneos|iphonesimulator)\n?$/u;
const IOS_ARCHES = new Set(["arm64", "x86_64"]);
const ANDROID = /^android_\p{Nd}+_([^\n]*)\n?$/u;
const ANDROID_ARCHES = new Set(["armeabi_v7a", "arm64_v8a", "x86", "x86_64"]);
const PYEMSCRIPTEN = /^pyemscripten_\p{Nd}+_\p{Nd}+_wasm32\n?$/u;

/**
 * True when PyPI accepts a wheel with this platform tag. Pass the tag lower-cased, as PyPI
 * sees it after packaging's Tag normalization. Plain `linux_x86_64` is refused: Linux wheels
 * must be manylinux/musllinux so they run beyond the machine that built them.
 */
export function isPypiPlatformTag(tag: string): boolean {
  if (STATIC_PLATFORMS.has(tag)) return true;
  const mac = MACOSX.exec(tag);
  if (mac && MACOSX_ARCHES.has(mac[3] ?? "")) {
    if (mac[1] === "10") return true;
    if (MACOSX_MAJORS.has(mac[1] ?? "") && mac[2] === "0") return true;
  }
  const linux = LINUX.exec(tag);
  if (linux) {
    const arches = linux[1] === "musl" ? MUSLLINUX_ARCHES : MANYLINUX_ARCHES;
    if (arches.has(linux[2] ?? "")) return true;
  }
  const ios = IOS.exec(tag);
  if (ios && IOS_ARCHES.has(ios[1] ?? "")) return true;
  const android = ANDROID.exec(tag);
  if (android && ANDROID_ARCHES.has(android[1] ?? "")) return true;
  return PYEMSCRIPTEN.test(tag);
}
