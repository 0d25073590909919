/**
 * The project against its built distributions: XA04 (static [project] metadata is what every
 * artifact declares) and TYP02 (a py.typed marker in the source tree reaches the wheel).
 */
import { pushAll } from "../arrays.ts";
import type { CheckInfo, Finding } from "../findings.ts";
import { finding } from "../findings.ts";
import { normalizeName } from "../names/name.ts";
import { getString, getTable, type TomlTable } from "../pyproject/access.ts";
import type { DistContext, ProjectContext } from "./context.ts";
import { releaseOfDist } from "./cross.ts";
import type { Comparison } from "./project-dists-fields.ts";
import {
  compareDependencies,
  compareLists,
  compareScalars,
  isIncompleteMetadata,
} from "./project-dists-fields.ts";
import {
  compareEntryPoints,
  compareLicenseFiles,
  compareLicenseTable,
  comparePeople,
  compareReadme,
} from "./project-dists-files.ts";

export const XA04: CheckInfo = {
  id: "XA04",
  severity: "error",
  title: "Distributions contain the static [project] metadata",
  why:
    "A backend must copy every static [project] value (one not listed in dynamic) into the metadata " +
    "unchanged. A difference means the file was built from another state of pyproject.toml (a stale " +
    "dist/ directory) or that the backend or a plugin changed a value it may not: users would install " +
    "something other than what the project declares.",
  fix: "Rebuild the distributions from the current tree; if a plugin must compute the value, list the key in project.dynamic.",
  source: "[PPT] dynamic rules, [P808]",
};

export const TYP02: CheckInfo = {
  id: "TYP02",
  severity: "error",
  title: "py.typed in the source tree is shipped in the wheel",
  why:
    "Type checkers use a package's inline annotations only when its py.typed marker is installed next to " +
    "it (PEP 561). Backends that select package data explicitly (setuptools package_data) often leave it " +
    "out, and the release silently loses its typing.",
  fix: 'Include py.typed in the wheel, e.g. with setuptools: [tool.setuptools.package-data] pkg = ["py.typed"].',
  source: "[P561]",
};

export const PROJECT_DIST_CHECKS: CheckInfo[] = [XA04, TYP02];

/**
 * Whether a distribution is the project's own, for XA04. A uv workspace's dist/ also holds its
 * members' artifacts (`uv build --all` writes them all there): other projects, not stale builds
 * of this one. Outside a workspace every distribution is compared, so a stale artifact of a
 * renamed project is still caught.
 */
function isOwn(project: ProjectContext, table: TomlTable | undefined): (dist: DistContext) => boolean {
  const workspace = getTable(getTable(getTable(project.pyproject, "tool"), "uv"), "workspace");
  if (workspace === undefined) return () => true;
  const name = getString(table, "name");
  return (dist) => {
    const release = releaseOfDist(dist);
    return name !== undefined && release !== undefined && normalizeName(release.name) === normalizeName(name);
  };
}

/** XA04 and TYP02 for every readable distribution of the project (XA04: of the project itself). */
export function checkProjectAgainstDists(project: ProjectContext, dists: readonly DistContext[]): Finding[] {
  const out: Finding[] = [];
  const table = getTable(project.pyproject, "project");
  const own = isOwn(project, table);
  for (const dist of dists) {
    if (table !== undefined && dist.metadata !== undefined && own(dist)) {
      const c: Comparison = {
        project: table,
        dist,
        md: dist.metadata,
        info: XA04,
        incomplete: isIncompleteMetadata(dist, dist.metadata),
      };
      const parts = [
        compareScalars(c),
        compareLists(c),
        compareDependencies(c),
        compareReadme(c, project),
        compareLicenseTable(c),
        compareLicenseFiles(c, project),
        comparePeople(c),
        compareEntryPoints(c),
      ];
      for (const part of parts) pushAll(out, part);
    }
    if (dist.artifact.kind === "wheel" && dist.artifact.readable)
      pushAll(out, checkTypedMarkers(project, dist));
  }
  return out;
}

/** Library paths of a wheel: top-level members outside dist-info, and `.data/purelib|platlib` contents. */
function libraryFiles(dist: DistContext): Set<string> {
  const files = new Set<string>();
  for (const member of dist.artifact.members) {
    if (member.kind === "dir") continue;
    const parts = member.name.split("/");
    const top = parts[0] ?? "";
    if (top.endsWith(".dist-info")) continue;
    if (top.endsWith(".data")) {
      if (parts[1] === "purelib" || parts[1] === "platlib") files.add(parts.slice(2).join("/"));
      continue;
    }
    files.add(member.name);
  }
  return files;
}

const dirOf = (path: string): string => path.slice(0, Math.max(0, path.lastIndexOf("/")));

/**
 * TYP02. A project `py.typed` maps to the wheel path that drops leading source directories
 * (`src/pkg/py.typed` → `pkg/py.typed`); the mapping counts only when a sibling file of the marker
 * is in the wheel at the same place, so test fixtures and unshipped packages are not reported.
 */
export function checkTypedMarkers(project: ProjectContext, dist: DistContext): Finding[] {
  const library = libraryFiles(dist);
  const projectFiles = project.files;
  const out: Finding[] = [];
  for (const marker of projectFiles) {
    if (!marker.endsWith("/py.typed")) continue;
    const parts = marker.split("/");
    const siblings = projectFiles.filter((f) => f !== marker && dirOf(f) === dirOf(marker));
    for (let start = 0; start < parts.length - 1; start++) {
      const prefix = parts.slice(0, start).join("/");
      const strip = (path: string): string => (prefix === "" ? path : path.slice(prefix.length + 1));
      if (!siblings.some((s) => library.has(strip(s)))) continue;
      const expected = strip(marker);
      if (!library.has(expected)) {
        out.push(
          finding(TYP02, `${dist.display}: lacks ${expected}, but the project has ${marker}`, {
            file: dist.display,
            member: expected,
          }),
        );
      }
      break;
    }
  }
  return out;
}
