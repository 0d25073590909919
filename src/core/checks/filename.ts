/** Distribution filenames (validation.md B "Filenames" and ART09): what PyPI reads from the name alone. */
import { pushAll } from "../arrays.ts";
import { type CheckInfo, type Finding, finding, type Location } from "../findings.ts";
import { field } from "../metadata/parse.ts";
import { expectedSdistFilename, parseSdistFilename, splitWheelFilename } from "../names/filename.ts";
import { filenameName } from "../names/name.ts";
import {
  isConventionalPythonTag,
  isPypiPlatformTag,
  parseTagSet,
  unsortedTagComponents,
} from "../names/tags.ts";
import { compareVersions, normalizeVersion, parseVersion } from "../pep440/version.ts";
import type { DistContext } from "./context.ts";

export const ART09: CheckInfo = {
  id: "ART09",
  severity: "error",
  title: "Filename PyPI cannot store",
  why: "PyPI refuses uploads whose filename contains control characters or a path separator, or that is neither a wheel (.whl) nor an sdist (.tar.gz).",
  fix: "Upload only the files your build backend wrote to dist/, under the names it gave them.",
  source: "[WH] _validate_filename",
};

export const FN01: CheckInfo = {
  id: "FN01",
  severity: "error",
  title: "Malformed wheel filename",
  why: "A wheel is named {name}-{version}(-{build})?-{python}-{abi}-{platform}.whl. pip, uv and PyPI parse the name to learn what the file is; one they cannot parse is refused.",
  fix: "Rebuild the wheel with the project's build backend instead of renaming it by hand.",
  source: "[BDF], [PKG] parse_wheel_filename",
};

export const FN02: CheckInfo = {
  id: "FN02",
  severity: "error",
  title: "Wheel name part is not the normalized project name",
  why: "PyPI requires the wheel filename to start with the normalized project name (lower case, runs of -_. as one _), byte for byte, and derives the .dist-info path from it.",
  fix: "Rebuild with a current backend (setuptools ≥ 75.8.1, hatchling, flit_core, pdm-backend, maturin), which writes the normalized name.",
  source: '[WH] "should contain the normalized project name", [BDF]',
};

export const FN03: CheckInfo = {
  id: "FN03",
  severity: "error",
  title: "Wheel filename version differs from METADATA",
  why: "PyPI compares the version in the filename with the Version field and refuses the upload when they differ.",
  fix: "Rebuild the wheel so the filename and METADATA come from the same version.",
  source: '[WH] "Version in filename should be …"',
};

export const FN04: CheckInfo = {
  id: "FN04",
  severity: "warning",
  title: "Wheel filename version not normalized",
  why: "The spec asks for the normalized version in filenames (2025.9.4, not 2025.09.4). PyPI compares parsed versions and accepts it, but uv warns and tools that match names as strings miss the file.",
  fix: "Write the version in normalized form in pyproject.toml (or let the backend normalize it) and rebuild.",
  source: "[BDF] escaping, astral-sh/uv#17783",
};

export const FN05: CheckInfo = {
  id: "FN05",
  severity: "error",
  title: "Invalid wheel compatibility tag",
  why: "The python-abi-platform tag tells installers where the wheel runs. Empty parts or an interpreter that is not an identifier make packaging, and so PyPI and pip, refuse the filename.",
  fix: "Let the backend (or cibuildwheel/auditwheel/delocate) compute the tags instead of setting them by hand.",
  source: "[PT], [PKG] tags.parse_tag",
};

export const FN06: CheckInfo = {
  id: "FN06",
  severity: "warning",
  title: "Compressed tag set not sorted",
  why: 'The spec asks for the members of a compressed tag set to be sorted (py2.py3; manylinux2014_x86_64 before manylinux_2_17_x86_64, since "2" < "_"). packaging can refuse unsorted sets (validate_order); older auditwheel releases write them unsorted (pypa/auditwheel#583).',
  fix: "Sort each dotted tag set by code point, or let an up-to-date auditwheel/backend name the wheel.",
  source: "[PT], [PKG] validate_order",
};

export const FN07: CheckInfo = {
  id: "FN07",
  severity: "error",
  title: "sdist filename is not the PEP 625 name",
  why: "PyPI accepts an sdist only as {normalized_name}-{normalized_version}.tar.gz (PEP 625); dashes in the name part, upper case, a non-normalized version or a .zip sdist are refused.",
  fix: "Rebuild the sdist with a current backend (setuptools ≥ 69.3, hatchling, flit_core, pdm-backend, maturin).",
  source: '[SDF], [WH] "Filename … is invalid, should be …"',
};

export const FN08: CheckInfo = {
  id: "FN08",
  severity: "error",
  title: "Local version in a distribution",
  why: "PyPI refuses local versions (1.0+abc): they are for builds that never leave your infrastructure.",
  fix: 'Release under a public version; if setuptools-scm or hatch-vcs adds +g<hash>, build from a clean tagged commit or set local_scheme = "no-local-version".',
  source: '[WHM] "The use of local versions … is not allowed"',
};

export const FN09: CheckInfo = {
  id: "FN09",
  severity: "error",
  title: "Platform tag PyPI does not accept",
  why: "PyPI accepts only portable platform tags (any, win_*, macosx_*, manylinux/musllinux, ios, android, pyemscripten). A plain linux_x86_64 wheel only runs on systems like the one that built it.",
  fix: "Build Linux wheels in a manylinux/musllinux container (cibuildwheel) or repair them with auditwheel; or publish only the sdist.",
  source: "[WH] is_valid_platform_tag, [PT]",
};

export const FN10: CheckInfo = {
  id: "FN10",
  severity: "warning",
  title: "Wheel has a build tag",
  why: "A build tag only breaks ties between wheels of the same version; nothing can depend on it, and users who already installed the earlier build never get the new one.",
  fix: "Publish a new version (e.g. a .post release) instead of a rebuilt wheel with a build tag.",
  source: "[BDF] build tag note",
};

export const FN11: CheckInfo = {
  id: "FN11",
  severity: "warning",
  title: "Filename too long",
  why: "Most file systems cannot store a filename over 255 bytes, so downloads, caches and mirrors of the file fail; PyPI also refuses filenames it finds too long.",
  fix: "Shorten the project name or the tags (many compressed platform tags make very long names).",
  source: '[WH] "Filename is too long"',
};

export const FN_CHECKS: CheckInfo[] = [
  ART09,
  FN01,
  FN02,
  FN03,
  FN04,
  FN05,
  FN06,
  FN07,
  FN08,
  FN09,
  FN10,
  FN11,
];

const MAX_FILENAME_BYTES = 255;
// [WH] rejects C0 controls and DEL, and any path separator.
const UNSAFE_CHARS = /[\x00-\x1f\x7f/\\]/;

/** Every filename check for one distribution. */
export function checkFilename(ctx: DistContext): Finding[] {
  const filename = ctx.artifact.filename;
  const at: Location = { file: ctx.display };
  const findings = [...checkFilenameText(filename, at)];
  if (filename.endsWith(".whl")) pushAll(findings, checkWheelFilename(ctx, at));
  else if (filename.endsWith(".tar.gz") || filename.endsWith(".zip"))
    pushAll(findings, checkSdistFilename(ctx, at));
  return findings;
}

/** ART09 and FN11: what is wrong with the name as a string, whatever the kind. */
export function checkFilenameText(filename: string, at: Location): Finding[] {
  const findings: Finding[] = [];
  const shown = JSON.stringify(filename);
  if (UNSAFE_CHARS.test(filename)) {
    findings.push(
      finding(ART09, `${at.file}: filename ${shown} contains a control character or path separator`, at),
    );
  }
  if (![".whl", ".tar.gz", ".zip"].some((ext) => filename.endsWith(ext))) {
    findings.push(
      finding(ART09, `${at.file}: filename ${shown} is neither a wheel (.whl) nor an sdist (.tar.gz)`, at),
    );
  }
  const bytes = new TextEncoder().encode(filename).length;
  if (bytes > MAX_FILENAME_BYTES) {
    findings.push(
      finding(FN11, `${at.file}: filename is ${bytes} bytes long, over ${MAX_FILENAME_BYTES}`, at),
    );
  }
  return findings;
}

function checkWheelFilename(ctx: DistContext, at: Location): Finding[] {
  const filename = ctx.artifact.filename;
  const split = splitWheelFilename(filename);
  if (!split.ok) return [finding(FN01, `${at.file}: wheel filename ${split.error}`, at)];
  const { name, version, build, tag } = split.value;
  const findings: Finding[] = [];

  const metaName = ctx.metadata && field(ctx.metadata, "Name");
  const expectedName = filenameName(metaName ?? name);
  if (name !== expectedName) {
    const source = metaName === undefined ? "" : ` (METADATA Name "${metaName}")`;
    findings.push(
      finding(
        FN02,
        `${at.file}: name part "${name}" is not the normalized project name "${expectedName}"${source}`,
        at,
        {
          hint: `PyPI expects ${expectedName}-${filename.slice(name.length + 1)}. ${FN02.fix}`,
        },
      ),
    );
  }

  const parsed = parseVersion(version);
  const metaVersionText = ctx.metadata && field(ctx.metadata, "Version");
  const metaVersion = metaVersionText === undefined ? undefined : parseVersion(metaVersionText);
  if (parsed && metaVersion && compareVersions(parsed, metaVersion) !== 0) {
    findings.push(
      finding(
        FN03,
        `${at.file}: filename version "${version}" differs from METADATA Version "${metaVersionText}"`,
        at,
      ),
    );
  }
  const normalized = normalizeVersion(version);
  if (normalized !== undefined && normalized !== version) {
    findings.push(
      finding(
        FN04,
        `${at.file}: version part "${version}" is not normalized; the normalized form is "${normalized}"`,
        at,
      ),
    );
  }
  if (parsed?.local !== undefined) {
    findings.push(
      finding(FN08, `${at.file}: version "${version}" has a local segment, which PyPI refuses`, at),
    );
  }
  if (build !== undefined) {
    findings.push(finding(FN10, `${at.file}: build tag "${build}" after version ${version}`, at));
  }
  pushAll(findings, checkTags(tag, at));
  return findings;
}

/** FN05, FN06, FN09 on the `python-abi-platform` part of a wheel filename. */
export function checkTags(tag: string, at: Location): Finding[] {
  const tagSet = parseTagSet(tag);
  if (!tagSet.ok) return [finding(FN05, `${at.file}: wheel ${tagSet.error}`, at)];
  const findings: Finding[] = [];
  for (const python of tagSet.value.pythonTags.filter((p) => !isConventionalPythonTag(p))) {
    findings.push(
      finding(
        FN05,
        `${at.file}: python tag "${python}" is not an implementation and version such as py3 or cp312`,
        at,
        {
          severity: "warning",
        },
      ),
    );
  }
  for (const component of unsortedTagComponents(tag)) {
    findings.push(finding(FN06, `${at.file}: compressed tag set "${component}" is not sorted`, at));
  }
  // PyPI judges each platform after packaging's Tag lower-cases it.
  const platforms = new Set(tagSet.value.platformTags.map((p) => p.toLowerCase()));
  for (const platform of [...platforms].filter((p) => !isPypiPlatformTag(p))) {
    findings.push(finding(FN09, `${at.file}: platform tag "${platform}" is not accepted by PyPI`, at));
  }
  return findings;
}

function checkSdistFilename(ctx: DistContext, at: Location): Finding[] {
  const filename = ctx.artifact.filename;
  const parsed = parseSdistFilename(filename);
  const metaName = ctx.metadata && field(ctx.metadata, "Name");
  const metaVersion = ctx.metadata && field(ctx.metadata, "Version");
  // PyPI builds the expected name from the metadata; without usable metadata, from the filename itself.
  const fromMetadata =
    metaName !== undefined && metaVersion !== undefined
      ? expectedSdistFilename(metaName, metaVersion)
      : undefined;
  const expected =
    fromMetadata ?? (parsed.ok ? expectedSdistFilename(parsed.value.name, parsed.value.version) : undefined);
  const findings: Finding[] = [];
  if (expected === undefined) {
    // Only reached when the filename does not parse (a parsed one always yields an expected name).
    const why = parsed.ok ? "" : `: it ${parsed.error}`;
    findings.push(finding(FN07, `${at.file}: sdist filename is not {name}-{version}.tar.gz${why}`, at));
  } else if (filename !== expected) {
    findings.push(
      finding(FN07, `${at.file}: filename "${filename}" is invalid, it should be "${expected}"`, at, {
        hint: `PyPI expects ${expected}. ${FN07.fix}`,
      }),
    );
  }
  if (parsed.ok && parseVersion(parsed.value.version)?.local !== undefined) {
    findings.push(
      finding(
        FN08,
        `${at.file}: version "${parsed.value.version}" has a local segment, which PyPI refuses`,
        at,
      ),
    );
  }
  return findings;
}
