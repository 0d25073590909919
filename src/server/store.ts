/**
 * The embedded index's directory. Layout:
 *
 *   <root>/<project>/<filename>                  the distribution, never rewritten
 *   <root>/<project>/<filename>.metadata         PEP 658 core metadata (wheels)
 *   <root>/<project>/.slipway/<filename>.json    sidecar: sha256, size, upload time, requires-python
 *   <root>/<project>/.slipway/<filename>.provenance.json
 *                                                PEP 740 provenance, when the upload had attestations
 *   <root>/.tmp/<owner>/                         uploads in flight, one directory per process (same
 *                                                filesystem, for link/rename; see temp-dirs.ts)
 *
 * The distribution file is the commit point: it appears by `link(2)` from a complete temp file,
 * which fails when the name exists, so two uploads (even from two processes) can never mix bytes
 * or replace each other. The provenance, metadata and sidecar follow it, each written whole; a
 * sidecar missing after a crash is rebuilt from the file itself (and the provenance beside it). A
 * crash between the link and the provenance leaves the file as if uploaded without attestations.
 */

import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { link, mkdir, readdir, readFile, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { readSmallRegularFile, writeFileAtomic } from "../adapters/fs.ts";
import { readProvenance } from "../core/attest/provenance.ts";
import { isNormalizedName } from "../core/names/name.ts";
import { parseSpecifierSet } from "../core/pep440/specifier.ts";
import { checked, integer, optional, record, sha256, string } from "../core/stored-shape.ts";
import { isSafeFilename } from "../core/upload/index-rules.ts";
import { readDistMetadata } from "./dist-identity.ts";
import { makeOwnTempDir, type OwnTempDir, sweepTemp } from "./temp-dirs.ts";

/** What the index knows about one stored distribution. */
export interface StoredFile {
  filename: string;
  sha256: string;
  size: number;
  /** ISO 8601 UTC. */
  uploadTime: string;
  requiresPython?: string;
  /** sha256 of `<filename>.metadata`, for wheels. */
  metadataSha256?: string;
  /** sha256 of the stored PEP 740 provenance object, when the upload had attestations. */
  provenanceSha256?: string;
}

const sidecarShape = record({
  filename: string,
  sha256,
  size: integer(0, Number.MAX_SAFE_INTEGER),
  uploadTime: checked((t) => !Number.isNaN(Date.parse(t)), "an ISO 8601 time"),
  requiresPython: optional(checked((t) => parseSpecifierSet(t).ok, "a PEP 440 specifier set")),
  metadataSha256: optional(sha256),
  provenanceSha256: optional(sha256),
});

export type CommitOutcome =
  | { outcome: "stored"; file: StoredFile }
  | { outcome: "identical"; file: StoredFile }
  | { outcome: "conflict"; storedSha256: string };

const SIDECARS = ".slipway";
/** A provenance object holds a few attestations of about 10 KiB; 4 MiB is far past any real one. */
const MAX_PROVENANCE_CHARS = 4 * 1024 * 1024;
const TEMP = ".tmp";

export function isDistFilename(filename: string): boolean {
  return isSafeFilename(filename) && (filename.endsWith(".whl") || filename.endsWith(".tar.gz"));
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(path), hash);
  return hash.digest("hex");
}

interface PageCacheEntry {
  key: string;
  files: StoredFile[];
}

export class IndexStore {
  readonly root: string;
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly cache = new Map<string, PageCacheEntry>();
  private ownTemp: OwnTempDir | undefined;

  constructor(root: string) {
    this.root = root;
  }

  /**
   * Creates the root, removes what killed uploads left in `.tmp` (directories of processes that
   * are gone; see temp-dirs.ts), and makes this process's own temp directory.
   */
  async init(): Promise<void> {
    const temp = join(this.root, TEMP);
    await mkdir(temp, { recursive: true });
    await sweepTemp(temp);
    this.ownTemp = await makeOwnTempDir(temp);
  }

  /** Removes this process's temp directory; call once no upload is in flight. */
  async close(): Promise<void> {
    await this.ownTemp?.release();
    this.ownTemp = undefined;
  }

  /** A fresh path for an upload in flight; the extension lets the archive reader know the kind. */
  tempPath(filename: string | undefined): string {
    if (this.ownTemp === undefined) throw new Error("the index store is not open (init() first)");
    const ext = filename?.endsWith(".whl") ? ".whl" : filename?.endsWith(".tar.gz") ? ".tar.gz" : ".bin";
    return join(this.ownTemp.path, `${randomBytes(12).toString("hex")}${ext}`);
  }

  filePath(project: string, filename: string): string {
    return join(this.root, project, filename);
  }

  /** Runs `task` alone for this key within this process (uploads and sidecar repairs of one file). */
  private async withLock<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(key) ?? Promise.resolve();
    const run = previous.then(task, task);
    const tail = run.catch(() => undefined);
    this.locks.set(key, tail);
    try {
      return await run;
    } finally {
      if (this.locks.get(key) === tail) this.locks.delete(key);
    }
  }

  /**
   * Makes the complete temp file `temp` the project's `filename`, unless that name exists: then
   * the same sha256 is "identical" (nothing changes) and another is a "conflict". The temp file is
   * always gone afterwards.
   */
  async commit(options: {
    project: string;
    filename: string;
    temp: string;
    sha256: string;
    size: number;
    requiresPython: string;
    uploadTime: string;
    metadata?: Uint8Array;
    /** The provenance object's JSON text, stored only when this commit makes the file. */
    provenance?: string;
  }): Promise<CommitOutcome> {
    const { project, filename, temp } = options;
    try {
      return await this.withLock(`${project}/${filename}`, async () => {
        await mkdir(join(this.root, project, SIDECARS), { recursive: true });
        try {
          await link(temp, this.filePath(project, filename));
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
          const existing = await this.describeLocked(project, filename);
          return existing.sha256 === options.sha256
            ? { outcome: "identical", file: existing }
            : { outcome: "conflict", storedSha256: existing.sha256 };
        }
        const file: StoredFile = {
          filename,
          sha256: options.sha256,
          size: options.size,
          uploadTime: options.uploadTime,
          ...(options.requiresPython === "" ? {} : { requiresPython: options.requiresPython }),
          ...(options.metadata === undefined
            ? {}
            : { metadataSha256: createHash("sha256").update(options.metadata).digest("hex") }),
          ...(options.provenance === undefined
            ? {}
            : { provenanceSha256: createHash("sha256").update(options.provenance).digest("hex") }),
        };
        if (options.provenance !== undefined) {
          await writeFileAtomic(this.provenancePath(project, filename), options.provenance);
        }
        if (options.metadata !== undefined) {
          await writeFileAtomic(`${this.filePath(project, filename)}.metadata`, options.metadata);
        }
        await writeFileAtomic(this.sidecarPath(project, filename), `${JSON.stringify(file)}\n`);
        return { outcome: "stored", file };
      });
    } finally {
      await unlink(temp).catch(() => undefined);
    }
  }

  private sidecarPath(project: string, filename: string): string {
    return join(this.root, project, SIDECARS, `${filename}.json`);
  }

  private provenancePath(project: string, filename: string): string {
    return join(this.root, project, SIDECARS, `${filename}.provenance.json`);
  }

  /**
   * The stored provenance object's JSON text of a stored file, or undefined when it has none.
   * Only the bytes the sidecar vouches for (by sha256) are served: a file anyone may have put
   * in the index's directory is not provenance.
   */
  async provenance(project: string, filename: string): Promise<string | undefined> {
    const file = await this.describe(project, filename);
    if (file?.provenanceSha256 === undefined) return undefined;
    const text = await readSmallRegularFile(this.provenancePath(project, filename), MAX_PROVENANCE_CHARS);
    if (text === undefined) return undefined;
    return createHash("sha256").update(text).digest("hex") === file.provenanceSha256 ? text : undefined;
  }

  /** sha256 of a provenance file this index could have written (a valid object), else undefined. */
  private async provenanceDigest(project: string, filename: string): Promise<string | undefined> {
    const text = await readSmallRegularFile(this.provenancePath(project, filename), MAX_PROVENANCE_CHARS);
    if (text === undefined) return undefined;
    try {
      if (!readProvenance(JSON.parse(text)).ok) return undefined;
    } catch {
      return undefined;
    }
    return createHash("sha256").update(text).digest("hex");
  }

  /**
   * The sidecar of a stored file; when it is missing (a crash between the link and the sidecar,
   * or an upload by another process still finishing) it is rebuilt from the file's bytes.
   */
  private async readSidecar(project: string, filename: string): Promise<StoredFile | undefined> {
    let text: string;
    try {
      text = await readFile(this.sidecarPath(project, filename), "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      return undefined;
    }
    // The root may be a directory anyone could have written (a committed `.slipway/`): a sidecar
    // that is not exactly what this index writes, for this file at its size, is rebuilt from the
    // bytes (issue 11 B1), never served.
    let file: StoredFile;
    try {
      file = sidecarShape(JSON.parse(text), "");
    } catch {
      return undefined;
    }
    const size = await stat(this.filePath(project, filename)).then(
      (info) => info.size,
      () => undefined,
    );
    return file.filename === filename && file.size === size ? file : undefined;
  }

  private async describeLocked(project: string, filename: string): Promise<StoredFile> {
    const sidecar = await this.readSidecar(project, filename);
    if (sidecar) return sidecar;
    const path = this.filePath(project, filename);
    const [info, sha256] = await Promise.all([stat(path), sha256File(path)]);
    let metadataSha256: string | undefined;
    if (filename.endsWith(".whl")) {
      const metadata = await readDistMetadata(path, filename);
      if (typeof metadata !== "string") {
        metadataSha256 = createHash("sha256").update(metadata.bytes).digest("hex");
        await writeFileAtomic(`${path}.metadata`, metadata.bytes);
      }
    }
    const provenanceSha256 = await this.provenanceDigest(project, filename);
    const file: StoredFile = {
      filename,
      sha256,
      size: info.size,
      uploadTime: info.mtime.toISOString(),
      ...(metadataSha256 === undefined ? {} : { metadataSha256 }),
      ...(provenanceSha256 === undefined ? {} : { provenanceSha256 }),
    };
    await mkdir(join(this.root, project, SIDECARS), { recursive: true });
    await writeFileAtomic(this.sidecarPath(project, filename), `${JSON.stringify(file)}\n`);
    return file;
  }

  /** The stored file's description, or undefined when the project has no such distribution. */
  async describe(project: string, filename: string): Promise<StoredFile | undefined> {
    if (!isNormalizedName(project) || !isDistFilename(filename)) return undefined;
    try {
      await stat(this.filePath(project, filename));
    } catch {
      return undefined;
    }
    // The common case needs no lock: a sidecar is only ever replaced whole (rename).
    const sidecar = await this.readSidecar(project, filename);
    if (sidecar) return sidecar;
    return await this.withLock(`${project}/${filename}`, () => this.describeLocked(project, filename));
  }

  /**
   * The project's files, sorted by name; empty when the project is not hosted here. Cached until
   * the project directory or its sidecar directory changes (their mtimes move on every commit).
   */
  async projectFiles(project: string): Promise<StoredFile[]> {
    if (!isNormalizedName(project)) return [];
    const dir = join(this.root, project);
    let key: string;
    try {
      const [a, b] = await Promise.all([stat(dir), stat(join(dir, SIDECARS)).catch(() => undefined)]);
      key = `${a.mtimeMs}:${b?.mtimeMs ?? 0}`;
    } catch {
      return [];
    }
    const cached = this.cache.get(project);
    if (cached?.key === key) return cached.files;
    const names = (await readdir(dir)).filter(isDistFilename).sort();
    const files = await Promise.all(names.map((name) => this.describe(project, name)));
    const present = files.filter((f): f is StoredFile => f !== undefined);
    this.cache.set(project, { key, files: present });
    return present;
  }

  /** Normalized names of the projects with at least one distribution, sorted. */
  async projects(): Promise<string[]> {
    const entries = await readdir(this.root, { withFileTypes: true });
    const candidates = entries.filter((e) => e.isDirectory() && isNormalizedName(e.name)).map((e) => e.name);
    const hosted = await Promise.all(
      candidates.map(async (name) =>
        (await readdir(join(this.root, name))).some(isDistFilename) ? name : undefined,
      ),
    );
    return hosted.filter((n): n is string => n !== undefined).sort();
  }
}
