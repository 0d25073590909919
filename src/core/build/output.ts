/**
 * What a build leaves in its output directory: the artifacts, and beside them two hidden files,
 * the checksums (the format `sha256sum -c` reads) and the build manifest. Hidden, so `dist/*`
 * expands to distributions only: `twine upload dist/*` and `slipway check dist/*` take every file
 * they are given as a distribution. Pure: the adapters read and write the files.
 */

import { parseSdistFilename, splitWheelFilename } from "../names/filename.ts";
import { normalizeName } from "../names/name.ts";
import { normalizeVersion } from "../pep440/version.ts";

export const ARTIFACT_PATTERN = /\.(whl|tar\.gz|zip)$/;
/** Checksums of the distributions: `cd dist && sha256sum -c .SHA256SUMS`. */
export const SUMS_FILE = ".SHA256SUMS";
/** The build manifest (JSON, `BuildManifest`). */
export const MANIFEST_FILE = ".slipway-build.json";
/** Where earlier slipway versions wrote the checksums, inside the `dist/*` glob. */
export const LEGACY_SUMS_FILE = "SHA256SUMS";

export interface ArtifactRelease {
  /** Normalized project name (PEP 503). */
  name: string;
  /** Normalized version, or the text as written when it does not parse. */
  version: string;
}

/** Which project release a distribution filename belongs to; undefined for other files. */
export function releaseOf(filename: string): ArtifactRelease | undefined {
  const parts = filename.endsWith(".whl")
    ? splitWheelFilename(filename)
    : /\.(tar\.gz|zip)$/.test(filename)
      ? parseSdistFilename(filename)
      : undefined;
  if (parts === undefined || !parts.ok) return undefined;
  const { name, version } = parts.value;
  return { name: normalizeName(name), version: normalizeVersion(version) ?? version };
}

/**
 * The files already in the output directory that belong to another release (another version,
 * or another project) than the artifacts just built: mixing them would make `dist/*` uploads
 * and SHA256SUMS describe two releases at once.
 */
export function otherReleases(existing: readonly string[], built: readonly string[]): string[] {
  const releases = new Set(
    built.map(releaseOf).flatMap((r) => (r === undefined ? [] : [`${r.name}==${r.version}`])),
  );
  return existing.filter((file) => {
    if (!ARTIFACT_PATTERN.test(file) || built.includes(file)) return false;
    const release = releaseOf(file);
    return release === undefined || !releases.has(`${release.name}==${release.version}`);
  });
}

/** `SHA256SUMS` text: `<hex>  <name>` per line (two spaces: binary-safe text mode), sorted by name. */
export function renderSha256Sums(entries: readonly { filename: string; sha256: string }[]): string {
  return [...entries]
    .sort((a, b) => (a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0))
    .map((e) => `${e.sha256}  ${e.filename}\n`)
    .join("");
}

/**
 * Whether a checksums file is one slipway wrote: one `<sha256>  <distribution filename>` line
 * per distribution and nothing else, so removing it when the distributions change loses nothing.
 */
export function isOwnSumsFile(text: string): boolean {
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  return (
    lines.length > 0 &&
    lines.every((line) => {
      const match = /^[0-9a-f]{64} {2}([^/\\]+)$/.exec(line);
      return match !== null && ARTIFACT_PATTERN.test(match[1]!);
    })
  );
}

export interface BuiltArtifact {
  filename: string;
  kind: "sdist" | "wheel";
  size: number;
  sha256: string;
}

/** How a summary names the backend: `pdm-backend 2.5.0`, `in-tree backend _build 1.0`. */
export function describeBackend(backend: BuildManifest["backend"]): string {
  const module = backend.spec.split(":")[0]!.trim();
  const name = backend.inTree ? `in-tree backend ${module}` : (backend.distribution ?? module);
  return backend.version === null ? name : `${name} ${backend.version}`;
}

export interface BuildManifest {
  format: 1;
  tool: { name: "slipway"; version: string };
  project: ArtifactRelease | null;
  artifacts: BuiltArtifact[];
  backend: {
    spec: string;
    /** The distribution that installed the backend; null for an in-tree (`backend-path`) one. */
    distribution: string | null;
    version: string | null;
    inTree: boolean;
    requires: string[];
  };
  python: { version: string; implementation: string };
  isolation: boolean;
  /** How the wheel was built: from the unpacked sdist, or from the source tree. */
  wheelFrom: "sdist" | "tree" | null;
  git: { commit: string | null; dirty: boolean } | null;
  sourceDateEpoch: number | null;
  configSettings: Record<string, string | string[]>;
  /** Milliseconds per phase, and in all. */
  timings: Record<string, number>;
}
