/** What the checks are given. Built by src/ops from adapters' reads; checks only read these. */
import type { ArtifactModel } from "../dist/artifact.ts";
import type { MetadataFile } from "../metadata/parse.ts";
import type { SdistFilename, WheelFilename } from "../names/filename.ts";

export interface DistContext {
  /** The file as shown in findings (relative to cwd when possible). */
  display: string;
  artifact: ArtifactModel;
  /** Parsed filename, when it parses as a wheel or sdist name. */
  wheelName?: WheelFilename;
  sdistName?: SdistFilename;
  /** The metadata member (`x-1.0.dist-info/METADATA` or `x-1.0/PKG-INFO`) when found. */
  metadataMember?: string;
  /** Parsed METADATA / PKG-INFO when found. */
  metadata?: MetadataFile;
}

export interface ProjectContext {
  /** pyproject.toml as shown in findings. */
  display: string;
  /** Raw text of pyproject.toml. */
  pyprojectText: string;
  /** Parsed TOML; undefined when it does not parse (PP01 says why). */
  pyproject: Record<string, unknown> | undefined;
  /** Project files, relative POSIX paths (git ls-files in a repo, else a walk without junk dirs). */
  files: readonly string[];
  /** Bytes of the project files the checks asked for (readme, licence files, py.typed...). */
  contents: ReadonlyMap<string, Uint8Array>;
}
