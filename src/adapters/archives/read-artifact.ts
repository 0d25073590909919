/**
 * The one way slipway reads a distribution file: once, streaming, into an ArtifactModel that the
 * checks read without touching the file again. Container problems come back as findings in the
 * model; only a file that cannot be opened (or an abort) throws.
 */
import { open } from "node:fs/promises";
import { basename } from "node:path";
import type { ArchiveIssue } from "../../core/archive/issues.ts";
import { issue } from "../../core/archive/issues.ts";
import { checkFileSize, issuesToFindings } from "../../core/checks/archive.ts";
import type { ArtifactKind, ArtifactModel } from "../../core/dist/artifact.ts";
import { SlipwayError } from "../../errors.ts";
import { SequentialSource } from "./byte-source.ts";
import { readTarGz } from "./tar-reader.ts";
import { type ContainerRead, readZip } from "./zip-reader.ts";

export interface ReadArtifactOptions {
  /** How findings name the file (default: `path`). */
  display?: string;
  signal?: AbortSignal;
  /**
   * Worker threads for the small members of a ZIP (0: this thread only). By default one per
   * core, started only when an archive has enough small-member content to pay for them.
   */
  workers?: number;
  /**
   * Called as soon as the archive's member count is known (ZIP: from its central directory),
   * and for a tar as the count passes each MEMBERS_STEP: a caller that owns its process may
   * switch to a leaner memory mode before the members are read.
   */
  onMembers?: (count: number) => void;
}

/** How often a tar reader reports its growing member count. */
export const MEMBERS_STEP = 10_000;

/** The artifact kind from the file name: `.whl` wheels; `.tar.gz` and legacy `.zip` sdists. */
export function artifactKind(filename: string): ArtifactKind {
  if (filename.endsWith(".whl")) return "wheel";
  if (filename.endsWith(".tar.gz") || filename.endsWith(".zip")) return "sdist";
  return "unknown";
}

/**
 * Reads the artifact at `path` in one pass: member list, digests (sha256 plus RECORD's
 * algorithms for wheels), the contents the checks need, the file's sha256, and every container
 * finding (ART01–ART08, SEC01–SEC07, SEC09, SEC11).
 */
export async function readArtifact(path: string, options: ReadArtifactOptions = {}): Promise<ArtifactModel> {
  const file = options.display ?? path;
  const filename = basename(path);
  const kind = artifactKind(filename);
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    fh = await open(path, "r");
  } catch (cause) {
    throw new SlipwayError("io", `cannot open ${file}: ${(cause as Error).message}`, {
      hint: "Check the path; build the distributions first (`slipway build`).",
      cause,
    });
  }
  try {
    const size = (await fh.stat()).size;
    const read = await readContainer({
      fh,
      size,
      kind,
      filename,
      signal: options.signal,
      workers: options.workers,
      onMembers: options.onMembers,
    });
    const issues = [...read.issues, ...checkFileSize(size)];
    const model: ArtifactModel = {
      path,
      filename,
      kind,
      size,
      sha256: read.sha256,
      members: read.members,
      contents: read.contents,
      findings: issuesToFindings(issues, file),
      readable: read.readable,
    };
    if (read.record !== undefined) model.record = read.record;
    return model;
  } finally {
    await fh.close();
  }
}

async function readContainer(options: {
  fh: Awaited<ReturnType<typeof open>>;
  size: number;
  kind: ArtifactKind;
  filename: string;
  signal: AbortSignal | undefined;
  workers: number | undefined;
  onMembers: ((count: number) => void) | undefined;
}): Promise<ContainerRead> {
  const { fh, size, kind, filename, signal, workers, onMembers } = options;
  if (kind === "unknown") {
    return failed(
      [
        issue(
          "ART01",
          `${filename} is not a .whl, .tar.gz or .zip file, so it is not a distribution slipway can read`,
        ),
      ],
      await new SequentialSource(fh, size, { signal }).finish(),
    );
  }
  try {
    return filename.endsWith(".tar.gz")
      ? await readTarGz({ fh, size, signal, onMembers, membersStep: MEMBERS_STEP })
      : await readZip({ fh, size, kind, filename, signal, workers, onMembers });
  } catch (error) {
    if (signal?.aborted) throw error;
    // A parser bug must not hide the file's other problems behind a crash; report and go on.
    const reason = error instanceof Error ? error.message : String(error);
    return failed(
      [issue("ART01", `slipway could not read the archive: ${reason}`)],
      await new SequentialSource(fh, size, { signal }).finish(),
    );
  }
}

function failed(issues: ArchiveIssue[], sha256: string): ContainerRead {
  return { members: [], contents: new Map(), issues, readable: false, sha256 };
}
