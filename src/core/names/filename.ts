/** Wheel and sdist filenames ([BDF], [SDF], packaging.utils). */
// CONTRACT STUB: the names helper replaces the bodies; keep the exported signatures.
import type { Parsed } from "../result.ts";

export interface WheelFilename {
  /** Name and version parts exactly as in the filename. */
  name: string;
  version: string;
  build?: string;
  pythonTags: string[];
  abiTags: string[];
  platformTags: string[];
  /** Expanded `py-abi-plat` triples, in filename order (what WHEEL `Tag:` lines must list). */
  tags: string[];
}

export interface SdistFilename {
  name: string;
  version: string;
  extension: ".tar.gz" | ".zip";
}

export function parseWheelFilename(filename: string): Parsed<WheelFilename> {
  throw new Error(`not implemented: parseWheelFilename(${filename})`);
}

export function parseSdistFilename(filename: string): Parsed<SdistFilename> {
  throw new Error(`not implemented: parseSdistFilename(${filename})`);
}
