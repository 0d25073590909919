/**
 * Small py3-none-any wheels written to disk for install tests: the files, METADATA (with any
 * extra header lines, e.g. Requires-Dist), WHEEL, entry_points.txt and a RECORD that matches.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildZip, recordHash } from "./zip-writer.ts";

export interface WheelSpec {
  name: string;
  version?: string;
  files: Record<string, string>;
  entryPoints?: string;
  /** Header lines added to METADATA after Name and Version. */
  metadata?: string;
}

/** Writes a py3-none-any wheel into `dir` (created when missing) and returns its path. */
export function writeWheel(dir: string, spec: WheelSpec): string {
  const version = spec.version ?? "1.0.0";
  const di = `${spec.name}-${version}.dist-info`;
  const files: Record<string, string> = {
    ...spec.files,
    [`${di}/METADATA`]: `Metadata-Version: 2.1\nName: ${spec.name}\nVersion: ${version}\n${spec.metadata ?? ""}\n`,
    [`${di}/WHEEL`]: "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    ...(spec.entryPoints === undefined ? {} : { [`${di}/entry_points.txt`]: spec.entryPoints }),
  };
  const rows = Object.entries(files).map(([n, d]) => `${n},sha256=${recordHash(d)},${Buffer.byteLength(d)}`);
  files[`${di}/RECORD`] = `${[...rows, `${di}/RECORD,,`].join("\n")}\n`;
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${spec.name}-${version}-py3-none-any.whl`);
  writeFileSync(path, buildZip({ entries: Object.entries(files).map(([name, data]) => ({ name, data })) }));
  return path;
}
