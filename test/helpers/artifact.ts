/**
 * In-memory artifact models for unit tests of the checks: the same shape the archive reader
 * produces, built from a name → content table, with real digests.
 */
import { createHash } from "node:crypto";
import { RecordMembers } from "../../src/core/checks/record-members.ts";
import { scanRecord } from "../../src/core/checks/record-scan.ts";
import { layoutOf } from "../../src/core/checks/wheel-layout.ts";
import type { ArchiveMember, ArtifactKind, ArtifactModel } from "../../src/core/dist/artifact.ts";
import { wantsContent } from "../../src/core/dist/artifact.ts";
import type { RecordScan } from "../../src/core/dist/record.ts";
import { parseWheelFilename } from "../../src/core/names/filename.ts";

export type FileTable = Record<string, string | Uint8Array>;

const bytes = (v: string | Uint8Array): Uint8Array =>
  typeof v === "string" ? new TextEncoder().encode(v) : v;

export function recordDigest(content: string | Uint8Array, alg = "sha256"): string {
  return createHash(alg).update(bytes(content)).digest("base64url");
}

/** A RECORD file listing `files` (with sha256 and size) plus the RECORD row itself. */
export function recordFor(files: FileTable, recordPath: string): string {
  const rows = Object.entries(files)
    .filter(([name]) => name !== recordPath)
    .map(([name, content]) => `${csvField(name)},sha256=${recordDigest(content)},${bytes(content).length}`);
  rows.push(`${csvField(recordPath)},,`);
  return `${rows.join("\n")}\n`;
}

function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export interface ModelOptions {
  filename: string;
  kind?: ArtifactKind;
  files: FileTable;
  /** Extra members (dirs, links...) or overrides merged by name. */
  members?: ArchiveMember[];
  path?: string;
}

export function makeArtifact(options: ModelOptions): ArtifactModel {
  const kind =
    options.kind ??
    (options.filename.endsWith(".whl")
      ? "wheel"
      : options.filename.endsWith(".tar.gz")
        ? "sdist"
        : "unknown");
  const members: ArchiveMember[] = [];
  const contents = new Map<string, Uint8Array>();
  for (const [name, value] of Object.entries(options.files)) {
    const data = bytes(value);
    members.push({
      name,
      kind: "file",
      size: data.length,
      mode: 0o644,
      digests: { sha256: recordDigest(data) },
    });
    if (wantsContent(kind, name, data.length)) contents.set(name, data);
  }
  for (const extra of options.members ?? []) {
    const at = members.findIndex((m) => m.name === extra.name);
    if (at >= 0) members[at] = extra;
    else members.push(extra);
  }
  const model: ArtifactModel = {
    path: options.path ?? options.filename,
    filename: options.filename,
    kind,
    size: 1000,
    sha256: "0".repeat(64),
    members,
    contents,
    findings: [],
    readable: true,
  };
  const record = kind === "wheel" ? scanOf(options.filename, members, options.files) : undefined;
  if (record !== undefined) model.record = record;
  return model;
}

/** The RECORD scan the archive reader would attach: same choice of RECORD, same scanner. */
function scanOf(
  filename: string,
  members: readonly ArchiveMember[],
  files: FileTable,
): RecordScan | undefined {
  const parsed = parseWheelFilename(filename);
  const { distInfo } = layoutOf(members, parsed.ok ? parsed.value : undefined);
  if (distInfo === undefined) return undefined;
  const path = `${distInfo}/RECORD`;
  const content = files[path];
  if (content === undefined) return undefined;
  return scanRecord(bytes(content), { path, members: new RecordMembers(members, distInfo) });
}

export interface WheelOptions {
  name?: string;
  version?: string;
  tag?: string;
  /** METADATA text; a minimal valid one by default. */
  metadata?: string;
  /** WHEEL text; a valid one by default. */
  wheel?: string;
  /** Files outside dist-info (library files). */
  files?: FileTable;
  /** Extra dist-info files (entry_points.txt, licenses/...), relative to the dist-info dir. */
  distInfo?: FileTable;
  /** RECORD text (or bytes); generated from all files by default. */
  record?: string | Uint8Array;
  /** Members replacing the generated ones by name (e.g. without digests), before RECORD is scanned. */
  members?: ArchiveMember[];
}

export function minimalMetadata(name = "demo_pkg", version = "1.0.0"): string {
  return `Metadata-Version: 2.4\nName: ${name}\nVersion: ${version}\nSummary: A demo package\nDescription-Content-Type: text/markdown\n\n# Demo\n\nSome text.\n`;
}

/** A structurally valid wheel model; every part can be replaced to make it invalid. */
export function makeWheel(options: WheelOptions = {}): ArtifactModel {
  const { files, filename } = wheelFiles(options);
  return makeArtifact({
    filename,
    files,
    ...(options.members === undefined ? {} : { members: options.members }),
  });
}

/** The RECORD text `makeWheel(options)` generates (to edit it for another wheel). */
export function wheelRecord(options: WheelOptions = {}): string {
  const { record: _, members: __, ...rest } = options;
  const { files, recordPath } = wheelFiles(rest);
  return files[recordPath] as string;
}

function wheelFiles(options: WheelOptions): { files: FileTable; filename: string; recordPath: string } {
  const name = options.name ?? "demo_pkg";
  const version = options.version ?? "1.0.0";
  const tag = options.tag ?? "py3-none-any";
  const di = `${name}-${version}.dist-info`;
  const files: FileTable = {
    [`${name}/__init__.py`]: '__version__ = "1.0.0"\n',
    ...(options.files ?? {}),
    [`${di}/METADATA`]: options.metadata ?? minimalMetadata(name, version),
    [`${di}/WHEEL`]:
      options.wheel ?? `Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: ${tag}\n`,
  };
  for (const [rel, content] of Object.entries(options.distInfo ?? {})) files[`${di}/${rel}`] = content;
  files[`${di}/RECORD`] = options.record ?? recordFor(files, `${di}/RECORD`);
  return { files, filename: `${name}-${version}-${tag}.whl`, recordPath: `${di}/RECORD` };
}
