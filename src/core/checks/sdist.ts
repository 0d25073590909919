/** Source distribution structure ([SDF], PEP 625/643, PEP 706 extraction). */
import { pushAll } from "../arrays.ts";
import type { ArchiveMember } from "../dist/artifact.ts";
import { type CheckInfo, catalogue, type Finding, finding } from "../findings.ts";
import { field, type MetadataFile, parseMetadataFile } from "../metadata/parse.ts";
import { filenameName, normalizeName } from "../names/name.ts";
import { compareVersions, normalizeVersion, parseVersion } from "../pep440/version.ts";
import type { DistContext } from "./context.ts";

export const SD_CHECKS: CheckInfo[] = [
  {
    id: "SD01",
    severity: "warning",
    title: "sdist's single top-level directory is <normalized_name>-<version>",
    why: "The sdist spec requires the archive to unpack into one directory named like the filename stem, `{name}-{version}` with the normalized name; PyPI only checks that there is a single directory, but tools that derive the path from the filename break.",
    fix: "Build the sdist with a current backend (setuptools ≥ 69.3, hatchling, flit_core, …), which names the directory correctly.",
    source: "[SDF]",
  },
  {
    id: "SD02",
    severity: "error",
    title: "sdist has <top>/PKG-INFO with a Metadata-Version",
    why: "PyPI and twine read the sdist's metadata from `<top>/PKG-INFO`; without it (or when it is not a regular file or has no Metadata-Version) the upload is refused.",
    fix: "Build the sdist with a PEP 517 backend (`python -m build --sdist`), never by archiving the source tree by hand.",
    source: "[WH], [TW] sdist.py",
  },
  {
    id: "SD03",
    severity: "warning",
    title: "PKG-INFO uses Metadata-Version 2.2 or later",
    why: "Standard sdists must carry Metadata-Version ≥ 2.2 so that installers can trust the fields not marked Dynamic without building; older PKG-INFO files come from legacy setuptools and are accepted by PyPI, but every field counts as dynamic.",
    fix: "Upgrade the build backend (setuptools ≥ 68.2 writes 2.2+; current backends write 2.4).",
    source: "[SDF], PEP 643",
  },
  {
    id: "SD04",
    severity: "warning",
    title: "sdist contains <top>/pyproject.toml",
    why: "An sdist without pyproject.toml is a legacy sdist: installers build it with setuptools' defaults and cannot know its real build backend or build requirements.",
    fix: "Add a pyproject.toml with a [build-system] table to the project and make sure the backend includes it in the sdist.",
    source: "[SDF]",
  },
  {
    id: "SD05",
    severity: "error",
    title: "sdist filename, PKG-INFO and top directory agree on name and version",
    why: "The spec requires the filename, the top directory and PKG-INFO to name the same project and version; PyPI validates the filename against the metadata and refuses a mismatch.",
    fix: "Rebuild the sdist from a clean tree; a mismatch usually means a stale PKG-INFO or a renamed file.",
    source: "[SDF] 'MUST match', [WH]",
  },
  {
    id: "SD06",
    severity: "error",
    title: "sdist extracts safely with Python's 'data' tar filter",
    why: "pip unpacks sdists through tarfile's `data` filter (PEP 706) wherever Python provides it (pip/_internal/utils/unpacking.py), as does Python 3.14's tarfile by default: it refuses members that escape the target directory, absolute or escaping links and device files, so such an sdist cannot be installed.",
    fix: "Rebuild the sdist from the source tree without links pointing outside it, `..` paths or special files (see the SEC findings for each member).",
    source: "[SDF], [P706]",
  },
];

const C = catalogue(SD_CHECKS);

const strip = (name: string): string => name.replace(/^(\.\/)+/, "");

/** The single top-level directory of an sdist, or undefined when there is not exactly one. */
export function sdistTop(members: readonly ArchiveMember[]): string | undefined {
  const roots = new Set(members.map((m) => strip(m.name).split("/")[0]).filter((r) => r !== "" && r !== "."));
  const [top] = roots;
  return roots.size === 1 ? top : undefined;
}

const memberAt = (members: readonly ArchiveMember[], path: string) =>
  members.find((m) => strip(m.name) === path);

/** Checks an sdist's layout and its PKG-INFO; nothing for other artifacts. */
export function checkSdist(ctx: DistContext): Finding[] {
  if (ctx.artifact.kind !== "sdist") return [];
  const findings = checkExtraction(ctx);
  const top = sdistTop(ctx.artifact.members);
  if (top === undefined) return findings;
  const pkgInfo = readPkgInfo(ctx, top, findings);
  if (memberAt(ctx.artifact.members, `${top}/pyproject.toml`) === undefined) {
    findings.push(
      finding(C.SD04!, `${ctx.display} has no ${top}/pyproject.toml (a legacy sdist)`, { file: ctx.display }),
    );
  }
  pushAll(findings, checkNames(ctx, top, pkgInfo));
  return findings;
}

function readPkgInfo(ctx: DistContext, top: string, findings: Finding[]): MetadataFile | undefined {
  const path = `${top}/PKG-INFO`;
  const location = { file: ctx.display, member: path };
  const member = memberAt(ctx.artifact.members, path);
  if (member === undefined) {
    findings.push(finding(C.SD02!, `${ctx.display} has no ${path}`, location));
    return undefined;
  }
  if (member.kind !== "file") {
    findings.push(
      finding(C.SD02!, `${path} in ${ctx.display} is a ${member.kind}, not a regular file`, location),
    );
    return undefined;
  }
  const bytes = ctx.artifact.contents.get(member.name);
  const metadata = ctx.metadata ?? (bytes === undefined ? undefined : parseMetadataFile(bytes));
  if (metadata === undefined) return undefined;
  const mv = field(metadata, "Metadata-Version")?.trim();
  if (mv === undefined) {
    findings.push(
      finding(C.SD02!, `${path} has no Metadata-Version`, { ...location, field: "Metadata-Version" }),
    );
  } else if (/^\d+\.\d+$/.test(mv) && metadataVersionBelow(mv, "2.2")) {
    findings.push(
      finding(C.SD03!, `${path} has Metadata-Version ${mv}; standard sdists need 2.2 or later`, {
        ...location,
        field: "Metadata-Version",
      }),
    );
  }
  return metadata;
}

/** True when Metadata-Version `a` (`X.Y`) is older than `b`. */
export function metadataVersionBelow(a: string, b: string): boolean {
  const [am = 0, an = 0] = a.split(".").map(Number);
  const [bm = 0, bn = 0] = b.split(".").map(Number);
  return am < bm || (am === bm && an < bn);
}

interface NameVersion {
  name: string;
  version: string;
  what: string;
}

function checkNames(ctx: DistContext, top: string, pkgInfo: MetadataFile | undefined): Finding[] {
  const findings: Finding[] = [];
  const name = pkgInfo === undefined ? undefined : field(pkgInfo, "Name")?.trim();
  const version = pkgInfo === undefined ? undefined : field(pkgInfo, "Version")?.trim();
  const fromMetadata =
    name !== undefined && version !== undefined ? { name, version, what: "PKG-INFO" } : undefined;
  const fromFilename = ctx.sdistName && { ...ctx.sdistName, what: `the filename ${ctx.artifact.filename}` };
  const dash = top.lastIndexOf("-");
  const fromTop =
    dash > 0
      ? { name: top.slice(0, dash), version: top.slice(dash + 1), what: `the top directory ${top}/` }
      : undefined;
  const location = { file: ctx.display, member: `${top}/PKG-INFO` };
  if (fromMetadata && fromFilename && !sameRelease(fromMetadata, fromFilename)) {
    findings.push(finding(C.SD05!, `${ctx.display}: ${mismatch(fromFilename, fromMetadata)}`, location));
  }
  const reference = fromMetadata ?? fromFilename;
  if (reference === undefined) return findings;
  if (fromTop === undefined || !sameRelease(fromTop, reference)) {
    const message =
      fromTop === undefined
        ? `the top directory ${top}/ of ${ctx.display} is not <name>-<version>`
        : `${ctx.display}: ${mismatch(fromTop, reference)}`;
    findings.push(
      finding(C.SD05!, message, { file: ctx.display, member: `${top}/` }, { severity: "warning" }),
    );
    return findings;
  }
  const normalized = normalizeVersion(reference.version);
  const expected = normalized === undefined ? undefined : `${filenameName(reference.name)}-${normalized}`;
  if (expected !== undefined && top !== expected) {
    const message = `the top directory of ${ctx.display} is ${top}/, the spec requires ${expected}/`;
    findings.push(finding(C.SD01!, message, { file: ctx.display, member: `${top}/` }));
  }
  return findings;
}

const mismatch = (a: NameVersion, b: NameVersion): string =>
  `${a.what} names ${a.name} ${a.version} but ${b.what} names ${b.name} ${b.version}`;

/** Same normalized name and the same parsed version (`1.0` and `1.0.0` are the same). */
export function sameRelease(
  a: { name: string; version: string },
  b: { name: string; version: string },
): boolean {
  if (normalizeName(a.name) !== normalizeName(b.name)) return false;
  const va = parseVersion(a.version);
  const vb = parseVersion(b.version);
  return va !== undefined && vb !== undefined ? compareVersions(va, vb) === 0 : a.version === b.version;
}

/** Resolves `path` (already relative to the root) into segments; undefined when it climbs above the root. */
function resolveInside(path: string): string[] | undefined {
  const out: string[] = [];
  for (const segment of path.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") {
      if (out.length === 0) return undefined;
      out.pop();
    } else out.push(segment);
  }
  return out;
}

/** Why tarfile's `data` filter refuses a member, or undefined when it extracts it. */
export function dataFilterRefusal(member: ArchiveMember): string | undefined {
  if (member.kind === "chardev" || member.kind === "blockdev" || member.kind === "fifo")
    return `is a ${member.kind}`;
  // The filter strips leading slashes, then refuses anything resolving outside the destination.
  const name = member.name.replace(/^\/+/, "");
  if (resolveInside(name) === undefined) return "resolves outside the extraction directory";
  const target = member.linkTarget;
  if (target === undefined || (member.kind !== "symlink" && member.kind !== "hardlink")) return undefined;
  if (target.startsWith("/")) return `links to the absolute path ${target}`;
  // Symlink targets are relative to the link's directory, hardlink targets to the archive root.
  const base = member.kind === "symlink" ? name.split("/").slice(0, -1).join("/") : "";
  const resolved = resolveInside(base === "" ? target : `${base}/${target}`);
  return resolved === undefined ? `links to ${target}, outside the extraction directory` : undefined;
}

function checkExtraction(ctx: DistContext): Finding[] {
  const refused = ctx.artifact.members.flatMap((m) => {
    const why = dataFilterRefusal(m);
    return why === undefined ? [] : [`${m.name} ${why}`];
  });
  if (refused.length === 0) return [];
  const shown =
    refused.slice(0, 3).join("; ") + (refused.length > 3 ? `; and ${refused.length - 3} more` : "");
  const first = ctx.artifact.members.find((m) => dataFilterRefusal(m) !== undefined)!;
  return [
    finding(C.SD06!, `${ctx.display}: the 'data' tar filter refuses ${refused.length} member(s): ${shown}`, {
      file: ctx.display,
      member: first.name,
    }),
  ];
}
