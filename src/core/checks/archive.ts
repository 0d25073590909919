/**
 * ART01–ART08: the distribution file as a container. These findings are raised while the
 * archive is read (src/adapters/archives) and arrive in `ArtifactModel.findings`; this module
 * holds their catalogue and turns the parsers' issues into findings.
 */
import type { ArchiveIssue } from "../archive/issues.ts";
import { quote } from "../archive/issues.ts";
import { topLevelDirectory } from "../archive/member-paths.ts";
import {
  type ArchiveMember,
  type ArtifactKind,
  MAX_KEPT_CONTENT,
  MAX_TOTAL_KEPT,
  mustRead,
} from "../dist/artifact.ts";
import { type CheckInfo, catalogue, type Finding, finding, type Severity } from "../findings.ts";
import { SEC_CHECKS } from "./security.ts";

export const ART_CHECKS: CheckInfo[] = [
  {
    id: "ART01",
    severity: "error",
    title: "Distribution file is not a readable archive",
    why: "PyPI opens every upload with Python's zipfile or tarfile and refuses what they cannot read; pip and uv fail on the same files. A file that is both a valid ZIP and a valid tar (a polyglot) is refused because different tools would see different contents.",
    fix: "Rebuild the distribution with your build backend (`python -m build`) and do not edit, append to or re-compress it afterwards.",
    source: "[WH] _is_valid_dist_file; [SDF]",
  },
  {
    id: "ART02",
    severity: "error",
    title: "ZIP member uses a compression method other than stored or deflate",
    why: "PyPI accepts only stored (0) and deflate (8) members; bzip2, LZMA, zstd and others are refused, and older installers cannot read them.",
    fix: "Rebuild the wheel with a standard backend, which writes deflate; do not recompress it with other tools.",
    source: "[WH] _is_valid_dist_file",
  },
  {
    id: "ART03",
    severity: "error",
    title: "Decompression bomb: the archive expands too much",
    why: "PyPI refuses a ZIP whose members declare more than 64 MiB uncompressed at more than 50 times the file size. slipway judges this from the declared sizes and never inflates past them.",
    fix: "Remove the huge, highly compressible files (generated data, zero-filled fixtures) from the distribution, or ship them another way.",
    source: "[WH] COMPRESSION_RATIO_MIN_SIZE / COMPRESSION_RATIO_THRESHOLD",
  },
  {
    id: "ART04",
    severity: "warning",
    title: "Distribution file is larger than PyPI's default limit",
    why: "PyPI refuses files above 100 MiB unless the project has been granted a higher limit, and projects above 10 GiB in total.",
    fix: "Shrink the distribution (leave out tests, data and debug symbols) or request a larger file-size limit from the PyPI admins before releasing.",
    source: "[WHC] MAX_FILESIZE, MAX_PROJECT_SIZE",
  },
  {
    id: "ART05",
    severity: "error",
    title: "ZIP framing differs between the central directory and the local headers",
    why: "PyPI refuses ZIPs that a central-directory reader and a streaming reader would see differently: data descriptors, comments in the central directory, duplicate names, local headers that disagree with the directory, multi-disk records, ZIP64 extensible data or duplicate extras, unknown records and bytes appended after the end record. Such archives can hide files from scanners.",
    fix: "Rebuild the wheel with a standard backend; do not write it with a streaming ZIP writer, append to it or concatenate archives.",
    source: "[WHZ] warehouse/utils/zipfiles.py; [WHA] docs.pypi.org/archives",
  },
  {
    id: "ART06",
    severity: "error",
    title: "ZIP member name is not clean UTF-8",
    why: "Wheel member names are UTF-8 by the spec. PyPI refuses names with control characters or invalid UTF-8, and a non-ASCII name without the UTF-8 flag is decoded as cp437 by Python, so PyPI cannot find it.",
    fix: "Rename the offending files in the project, or rebuild with a backend that sets the UTF-8 flag on non-ASCII names.",
    source: '[WHZ]; [BDF] "filenames inside the archive are UTF-8"',
  },
  {
    id: "ART07",
    severity: "error",
    title: "sdist tar format problems (sparse members, non-pax format)",
    why: "The sdist spec requires the POSIX.1-2001 pax tar format. PyPI refuses sparse members, and readers disagree about GNU and old-style headers, malformed pax records or data areas on links.",
    fix: "Build the sdist with `python -m build --sdist` (Python's tarfile writes pax) rather than GNU tar or custom tooling.",
    source: "[SDF]; [WH]; [WHA]",
  },
  {
    id: "ART08",
    severity: "error",
    title: "sdist does not have exactly one top-level directory",
    why: "PyPI and twine locate PKG-INFO inside the single top-level directory of an sdist and refuse archives with several top-level entries or none.",
    fix: "Build the sdist with your backend so every file sits under `{name}-{version}/`.",
    source: "[WH] _is_valid_dist_file; [TW] sdist.py",
  },
  {
    id: "ART11",
    severity: "error",
    title: "Member path too deep or too long to create on disk",
    why: "pip, installer and tarfile create a member's directories with os.makedirs, which recurses once per missing level: a member ~1,000 directories deep fails to install with RecursionError (pip 23.2 and installer 1.1 on CPython 3.11). Linux refuses paths over 4096 bytes (PATH_MAX) and every common file system names over 255 bytes. Such paths only appear in crafted archives, where they also slow down every tool that reads them.",
    fix: "Rebuild the distribution from a normal source tree: keep paths under 900 directory levels, 4096 bytes in all and 255 bytes per name.",
    source: "CPython os.makedirs, sys.getrecursionlimit(); Linux limits.h PATH_MAX, NAME_MAX",
  },
  {
    id: "ART12",
    severity: "error",
    title: "A file the checks must read is too large to read",
    why: "slipway keeps at most 16 MiB of each metadata file (METADATA, WHEEL, entry_points.txt, a .pth file, PKG-INFO, pyproject.toml, setup.cfg) and 64 MiB in all. A larger one is not a real distribution's, and skipping it would let its checks pass without running.",
    fix: "Rebuild the distribution with your build backend; metadata files are a few KiB to a few MiB.",
    source: "slipway (never a silent pass)",
  },
];

const BY_ID = catalogue([...ART_CHECKS, ...SEC_CHECKS]);

/** Findings for the parsers' issues, located in `file` (and named in each message). */
export function issuesToFindings(issues: readonly ArchiveIssue[], file: string): Finding[] {
  return issues.map((i) => {
    const info = BY_ID[i.id];
    if (info === undefined) throw new Error(`unknown check id ${i.id}`);
    const location: Finding["location"] = { file };
    if (i.member !== undefined) location.member = i.member;
    if (i.line !== undefined) location.line = i.line;
    const overrides: { severity?: Severity; hint?: string } = {};
    if (i.severity !== undefined) overrides.severity = i.severity;
    if (i.hint !== undefined) overrides.hint = i.hint;
    return finding(info, `${file}: ${i.message}`, location, overrides);
  });
}

/** ART08 on the member list of an sdist (tar or legacy zip). */
export function checkTopLevel(members: readonly ArchiveMember[]): ArchiveIssue[] {
  if (members.length === 0) return [{ id: "ART08", message: "the sdist has no members" }];
  const { top, tops } = topLevelDirectory(members.map((m) => m.name));
  if (top !== undefined) return [];
  const shown = tops.slice(0, 4).map(quote).join(", ");
  return [
    {
      id: "ART08",
      message: `the sdist has ${tops.length} top-level entries (${shown}${tops.length > 4 ? ", …" : ""}); it needs exactly one directory`,
    },
  ];
}

/** ART04 on the artifact's size. */
export function checkFileSize(size: number, limit = 100 * 1024 * 1024): ArchiveIssue[] {
  if (size <= limit) return [];
  const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return [{ id: "ART04", message: `the file is ${mib(size)}, above PyPI's default limit of ${mib(limit)}` }];
}

/**
 * ART12: members the checks must read (`mustRead`) whose content was read but not kept, over
 * the per-file or total limits. Without this their checks would find nothing to check and pass.
 */
export function checkUnkept(
  members: readonly ArchiveMember[],
  contents: ReadonlyMap<string, Uint8Array>,
  kind: ArtifactKind,
): ArchiveIssue[] {
  const issues: ArchiveIssue[] = [];
  for (const m of members) {
    // mustRead first: it rules out nearly every member without making its digests.
    if (!mustRead(kind, m.name) || m.kind !== "file" || contents.has(m.name) || m.digests === undefined)
      continue;
    issues.push({
      id: "ART12",
      member: m.name,
      message: `member ${quote(m.name)} is ${m.size} bytes: more than slipway reads of a file its checks need (${MAX_KEPT_CONTENT} bytes each, ${MAX_TOTAL_KEPT} in all), so it was not checked`,
    });
  }
  return issues;
}
