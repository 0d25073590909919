/**
 * OSV's PyPI feed in slipway's cache: `slipway scan update-db` downloads the published archive
 * (a ZIP of one JSON record per advisory), checks that it is one, and swaps it in; `slipway scan
 * deps` reads it back through a compact index (advisory-db.ts's format).
 *
 * Layout under `<cache>/osv-pypi/`: `<sha256>.zip` (the archive as served), `<sha256>.index.json`
 * (its records, indexed) and `current.json` (which one is in use). The download goes to a temp
 * file; only a complete archive that reads as OSV records is renamed into place, and the switch
 * is one atomic write of `current.json`: a failed, stalled or partial download leaves the
 * database in use as it was.
 */
import type { FileHandle } from "node:fs/promises";
import type { IncomingMessage } from "node:http";
import { join } from "node:path";
import { AdvisoryFeedError } from "../core/vulns/feed.ts";
import { trimCoveredVersions } from "../core/vulns/match.ts";
import { type OsvRecord, parseOsvJson } from "../core/vulns/osv.ts";
import {
  type AdvisoryDb,
  type LoadOptions,
  type RecordError,
  readAdvisoryIndex,
  renderAdvisoryIndex,
  selectRecords,
} from "./advisory-db.ts";
import {
  errnoOf,
  listDirIfExists,
  makeDir,
  openExclusive,
  readSmallRegularFile,
  removeFile,
  tempBeside,
  writeFileAtomic,
} from "./fs.ts";
import { cacheDirOf } from "./readme-cache.ts";

// The ZIP reader, zlib and the HTTP stack are loaded when an archive is read or downloaded, not
// by every `scan deps`, which reads only `current.json` and the index.
async function zipParts() {
  const [binary, layout, records, bytes, inflate, zlib] = await Promise.all([
    import("../core/archive/binary.ts"),
    import("../core/archive/zip-layout.ts"),
    import("../core/archive/zip-records.ts"),
    import("./archives/byte-source.ts"),
    import("./archives/inflate.ts"),
    import("node:zlib"),
  ]);
  return { ...binary, ...layout, ...records, ...bytes, ...inflate, crc32: zlib.crc32 };
}

type Env = Readonly<Record<string, string | undefined>>;

const DIR = "osv-pypi";
const STATE = "current.json";
const STATE_FORMAT = 1;
const MAX_REDIRECTS = 5;
/** One record larger than this is damaged, not an advisory. */
const MAX_RECORD_BYTES = 4 * 1024 * 1024;
/** The whole archive's records, uncompressed: OSV's PyPI archive is far below this. */
const MAX_TOTAL_BYTES = 4 * 1024 * 1024 * 1024;
const MAX_ENTRIES = 1_000_000;
const MAX_CD_SIZE = 256 * 1024 * 1024;

/** The default limits of a download. */
export const FEED_DEADLINE_MS = 300_000;
export const FEED_STALL_MS = 30_000;
export const FEED_MAX_BYTES = 1024 * 1024 * 1024;

/** What `current.json` records of the database in use. */
export interface FeedState {
  /** sha256 of the archive. */
  revision: string;
  /** Where it came from, as it may be shown (no credentials). */
  url: string;
  /** When it was downloaded (ISO 8601). */
  fetchedAt: string;
  bytes: number;
  records: number;
  errors: number;
}

/**
 * `<cache>/osv-pypi`: the feed is data, not a speed-up, so it stays where the cache is even when
 * SLIPWAY_NO_CACHE turns the caches off. Undefined without a home directory.
 */
export function feedDirOf(env: Env): string | undefined {
  const root = cacheDirOf({ ...env, SLIPWAY_NO_CACHE: undefined });
  return root === undefined ? undefined : join(root, DIR);
}

const zipName = (revision: string) => `${revision}.zip`;
const indexName = (revision: string) => `${revision}.index.json`;

/** The database in use, or undefined when none was downloaded (or its record is damaged). */
export async function readFeedState(dir: string): Promise<FeedState | undefined> {
  let value: unknown;
  try {
    value = JSON.parse((await readSmallRegularFile(join(dir, STATE), 64 * 1024)) ?? "null");
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (
    v["format"] !== STATE_FORMAT ||
    typeof v["revision"] !== "string" ||
    !/^[0-9a-f]{64}$/.test(v["revision"])
  )
    return undefined;
  const count = (key: string) =>
    Number.isSafeInteger(v[key]) && (v[key] as number) >= 0 ? (v[key] as number) : 0;
  return {
    revision: v["revision"],
    url: typeof v["url"] === "string" ? v["url"].slice(0, 2048) : "",
    fetchedAt: typeof v["fetchedAt"] === "string" ? v["fetchedAt"].slice(0, 64) : "",
    bytes: count("bytes"),
    records: count("records"),
    errors: count("errors"),
  };
}

export interface FeedDb extends AdvisoryDb {
  state: FeedState;
}

/**
 * The downloaded database's records (those naming a package of `only`), from its index; the
 * index is rebuilt from the stored archive when it is missing or damaged. Undefined when no
 * database was downloaded or its archive is gone.
 */
export async function loadFeedDb(env: Env, options: LoadOptions = {}): Promise<FeedDb | undefined> {
  const dir = feedDirOf(env);
  if (dir === undefined) return undefined;
  const state = await readFeedState(dir);
  if (state === undefined) return undefined;
  const indexed = await readAdvisoryIndex(
    join(dir, indexName(state.revision)),
    state.revision,
    options.only,
    options.versions,
  );
  if (indexed !== undefined)
    return { ...indexed, revision: state.revision, fromIndex: true, filesRead: 0, state };
  let read: ZipRecords;
  try {
    read = await readOsvZip(join(dir, zipName(state.revision)));
  } catch {
    return undefined;
  }
  await writeFileAtomic(
    join(dir, indexName(state.revision)),
    renderAdvisoryIndex(state.revision, read.records, read.errors),
  ).catch(() => {});
  return {
    records: selectRecords(read.records, options.only),
    errors: read.errors,
    revision: state.revision,
    fromIndex: false,
    filesRead: read.members,
    total: read.records.length,
    state,
  };
}

export interface ZipRecords {
  records: OsvRecord[];
  /** Members that are not readable OSV JSON records, each named. */
  errors: RecordError[];
  /** `.json` members read. */
  members: number;
}

class NotOsvZip extends Error {}

/**
 * Every `*.json` member of an archive parsed as an OSV record, through slipway's ZIP records
 * and inflater: sizes bounded, CRCs checked, each member's damage named. Throws NotOsvZip when
 * the file is not a readable ZIP at all.
 */
export async function readOsvZip(path: string): Promise<ZipRecords> {
  const { open } = await import("node:fs/promises");
  const {
    analyzeEnd,
    checkCentralEntry,
    crc32,
    decodeUtf8Lenient,
    FLAG_ENCRYPTED,
    FLAG_STRONG_ENCRYPTION,
    hasBytes,
    inflateWhole,
    LOCAL_HEADER_SIZE,
    parseCentralDirectory,
    parseLocalHeader,
    readAt,
    SIG_LOCAL,
    TAIL_SIZE,
  } = await zipParts();
  let fh: FileHandle;
  try {
    fh = await open(path, "r");
  } catch (error) {
    throw new NotOsvZip(`cannot open the archive: ${(error as Error).message}`);
  }
  try {
    const size = (await fh.stat()).size;
    const tail = await readAt(fh, Math.max(0, size - TAIL_SIZE), Math.min(size, TAIL_SIZE));
    const end = analyzeEnd(tail, size, { maxCdSize: MAX_CD_SIZE });
    if (end.fatal) throw new NotOsvZip(end.issues[0]?.message ?? "not a ZIP archive");
    const cd = parseCentralDirectory(await readAt(fh, end.cdStart, end.cdSize), MAX_ENTRIES);
    if (cd.problem !== undefined) throw new NotOsvZip(`the central directory is unreadable: ${cd.problem}`);
    const records: OsvRecord[] = [];
    const errors: RecordError[] = [];
    let members = 0;
    let total = 0;
    for (const entry of cd.entries) {
      const name = entry.name;
      if (name.endsWith("/") || !name.endsWith(".json")) continue;
      members++;
      const problem = (error: string) => errors.push({ path: name, error });
      if (checkCentralEntry(entry).fatal) {
        problem("a damaged central directory entry");
        continue;
      }
      if (entry.size > MAX_RECORD_BYTES || entry.compressedSize > MAX_RECORD_BYTES) {
        problem(`larger than ${MAX_RECORD_BYTES} bytes`);
        continue;
      }
      total += entry.size;
      if (total > MAX_TOTAL_BYTES)
        throw new NotOsvZip(`the records add up to more than ${MAX_TOTAL_BYTES} bytes`);
      if ((entry.flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION)) !== 0) {
        problem("encrypted");
        continue;
      }
      const at = entry.offset + end.shift;
      const head = await readAt(fh, at, LOCAL_HEADER_SIZE);
      if (head.length < LOCAL_HEADER_SIZE || !hasBytes(head, 0, SIG_LOCAL)) {
        problem(`no local file header at offset ${at}`);
        continue;
      }
      const local = parseLocalHeader(head);
      const data = await readAt(
        fh,
        at + LOCAL_HEADER_SIZE + local.nameLength + local.extraLength,
        entry.compressedSize,
      );
      if (data.length < entry.compressedSize) {
        problem("the archive ends inside its data");
        continue;
      }
      let bytes: Uint8Array;
      if (entry.method === 0) bytes = data;
      else if (entry.method === 8) {
        const out = inflateWhole(data, entry.size);
        if ("problem" in out) {
          problem(out.problem);
          continue;
        }
        bytes = out;
      } else {
        problem(`compressed with method ${entry.method}, which slipway does not read`);
        continue;
      }
      if (bytes.length !== entry.size || crc32(bytes) !== entry.crc) {
        problem("its content does not match the archive's size and CRC-32");
        continue;
      }
      const parsed = parseOsvJson(decodeUtf8Lenient(bytes));
      if (parsed.ok) records.push(trimCoveredVersions(parsed.value));
      else problem(parsed.error);
    }
    return { records, errors, members };
  } finally {
    await fh.close();
  }
}

export type FeedEvent =
  | { type: "feed-request"; url: string }
  | { type: "feed-progress"; received: number; total?: number }
  | { type: "feed-downloaded"; bytes: number; ms: number }
  | { type: "feed-verified"; records: number; errors: number };

export interface UpdateFeedOptions {
  url: string;
  env: Env;
  /** The download's total deadline (redirects included). */
  deadlineMs?: number;
  /** No byte for this long ends the download. */
  stallMs?: number;
  /** A larger archive is refused (Content-Length, or counted as it arrives). */
  maxBytes?: number;
  /** The time to record as the download's (ISO 8601). */
  now: string;
  userAgent: string;
  onEvent?: (event: FeedEvent) => void;
}

export interface UpdateFeedResult {
  dir: string;
  state: FeedState;
  /** The revision that was in use before, when there was one. */
  previous?: string;
  /** True when the archive served is the one in use already. */
  unchanged: boolean;
}

/**
 * Downloads the feed and swaps it in. Every way of not getting a usable archive (no answer, a
 * status other than 200, the deadline or the size cap, bytes that are not a ZIP of OSV records)
 * throws AdvisoryFeedError and leaves the database in use untouched.
 */
export async function updateFeed(options: UpdateFeedOptions): Promise<UpdateFeedResult> {
  const dir = feedDirOf(options.env);
  if (dir === undefined) {
    throw new AdvisoryFeedError("no cache directory to keep the advisory database in (no HOME)", {
      hint: "set SLIPWAY_CACHE_DIR, or pass --db DIR to `slipway scan deps`",
    });
  }
  await makeDir(dir, { parents: true });
  const previous = await readFeedState(dir);
  const temp = tempBeside(join(dir, "download.zip"));
  const { displayUrl } = await import("./http/exchange.ts");
  const shown = displayUrl(options.url);
  try {
    const started = performance.now();
    options.onEvent?.({ type: "feed-request", url: shown });
    const { sha256, bytes } = await download(options, temp);
    options.onEvent?.({ type: "feed-downloaded", bytes, ms: Math.round(performance.now() - started) });
    let read: ZipRecords;
    try {
      read = await readOsvZip(temp);
    } catch (error) {
      throw new AdvisoryFeedError(`${shown} did not serve a ZIP archive: ${(error as Error).message}`, {
        hint: "check the URL (OSV's is the default); the advisory database in use was kept",
      });
    }
    // A ZIP of something else (or mostly damaged records) is not an advisory database.
    if (read.records.length === 0 || read.errors.length > read.records.length) {
      const first = read.errors[0];
      throw new AdvisoryFeedError(
        `${shown} served a ZIP archive that is not OSV records: ${read.records.length} records read, ${read.errors.length} damaged${first ? ` (${first.path}: ${first.error})` : ""}`,
        { hint: "check the URL (OSV's is the default); the advisory database in use was kept" },
      );
    }
    options.onEvent?.({ type: "feed-verified", records: read.records.length, errors: read.errors.length });
    const state: FeedState = {
      revision: sha256,
      url: shown,
      fetchedAt: options.now,
      bytes,
      records: read.records.length,
      errors: read.errors.length,
    };
    const { rename } = await import("node:fs/promises");
    await rename(temp, join(dir, zipName(sha256)));
    await writeFileAtomic(
      join(dir, indexName(sha256)),
      renderAdvisoryIndex(sha256, read.records, read.errors),
    );
    // The switch: one atomic write. Until it lands, `current.json` names the old database.
    await writeFileAtomic(
      join(dir, STATE),
      `${JSON.stringify({ format: STATE_FORMAT, ...state }, null, 2)}\n`,
    );
    await removeOthers(dir, sha256);
    return {
      dir,
      state,
      ...(previous === undefined ? {} : { previous: previous.revision }),
      unchanged: previous?.revision === sha256,
    };
  } finally {
    await removeFile(temp).catch(() => false);
  }
}

/**
 * Archives and indexes of earlier downloads. The state is read again first: a concurrent
 * update-db may have switched to its own download since, and that one is kept too.
 */
async function removeOthers(dir: string, keep: string): Promise<void> {
  const inUse = (await readFeedState(dir))?.revision;
  for (const name of (await listDirIfExists(dir)) ?? []) {
    const match = /^([0-9a-f]{64})\.(?:zip|index\.json)$/.exec(name);
    if (match && match[1] !== keep && match[1] !== inUse)
      await removeFile(join(dir, name)).catch(() => false);
  }
}

/** Streams the answer into `temp` (created exclusively), hashing it; throws AdvisoryFeedError. */
async function download(
  options: UpdateFeedOptions,
  temp: string,
): Promise<{ sha256: string; bytes: number }> {
  const deadlineMs = options.deadlineMs ?? FEED_DEADLINE_MS;
  const stallMs = options.stallMs ?? FEED_STALL_MS;
  const maxBytes = options.maxBytes ?? FEED_MAX_BYTES;
  const [{ createHash }, { transportFor }, { Deadline, displayUrl, formatSeconds }] = await Promise.all([
    import("node:crypto"),
    import("./http/agents.ts"),
    import("./http/exchange.ts"),
  ]);
  const shown = displayUrl(options.url);
  const fh = await openExclusive(temp, 0o644);
  const hash = createHash("sha256");
  let received = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      let current: { destroy: (error: Error) => void } | undefined;
      const finish = (error?: Error) => {
        if (settled) return;
        settled = true;
        deadline.stop();
        if (error) reject(error);
        else resolve();
      };
      const deadline = new Deadline(deadlineMs, () => {
        const error = new AdvisoryFeedError(
          `${shown}: no complete answer within the ${formatSeconds(deadlineMs)} s deadline (${received} bytes arrived)`,
          { hint: "try again later, or pass a longer --timeout; the advisory database in use was kept" },
        );
        finish(error);
        current?.destroy(error);
      });
      const unreachable = (why: string) =>
        new AdvisoryFeedError(`cannot download ${shown}: ${why}`, {
          hint: "check the network or the URL, then run `slipway scan update-db` again; the advisory database in use was kept",
        });
      const hop = (target: URL, left: number) => {
        if (target.protocol !== "https:" && target.protocol !== "http:") {
          finish(unreachable(`${target.protocol} URLs are not downloaded`));
          return;
        }
        const transport = transportFor(target);
        const req = transport.request(target, {
          method: "GET",
          headers: { "User-Agent": options.userAgent, Accept: "application/zip, */*" },
          agent: transport.agent,
        });
        current = req;
        req.setTimeout(stallMs, () => req.destroy(unreachable(`no byte for ${formatSeconds(stallMs)} s`)));
        req.on("error", (error) =>
          finish(error instanceof AdvisoryFeedError ? error : unreachable(describe(error))),
        );
        req.on("response", (res: IncomingMessage) => {
          const status = res.statusCode ?? 0;
          const location = res.headers.location;
          if ([301, 302, 303, 307, 308].includes(status) && location !== undefined) {
            res.resume();
            if (left === 0) finish(unreachable(`more than ${MAX_REDIRECTS} redirects`));
            else hop(new URL(location, target), left - 1);
            return;
          }
          if (status !== 200) {
            res.resume();
            finish(unreachable(`the server answered ${status} ${res.statusMessage ?? ""}`.trim()));
            return;
          }
          const length = Number(res.headers["content-length"]);
          if (Number.isFinite(length) && length > maxBytes) {
            res.destroy();
            finish(unreachable(`the archive is ${length} bytes, more than the ${maxBytes} allowed`));
            return;
          }
          current = res;
          let writing = Promise.resolve();
          res.on("data", (chunk: Buffer) => {
            received += chunk.length;
            if (received > maxBytes) {
              res.destroy(unreachable(`the archive is larger than the ${maxBytes} bytes allowed`));
              return;
            }
            hash.update(chunk);
            options.onEvent?.({
              type: "feed-progress",
              received,
              ...(Number.isFinite(length) ? { total: length } : {}),
            });
            // Back-pressure: the socket waits while the file catches up.
            res.pause();
            writing = writing.then(async () => {
              await fh.write(chunk);
              res.resume();
            });
            writing.catch((error: unknown) => res.destroy(error as Error));
          });
          res.on("error", (error) =>
            finish(error instanceof AdvisoryFeedError ? error : unreachable(describe(error))),
          );
          res.on("end", () => {
            if (!res.complete) {
              finish(unreachable("the connection closed before the archive was complete"));
              return;
            }
            writing.then(
              () => finish(),
              (error: unknown) => finish(unreachable(describe(error))),
            );
          });
        });
        req.end();
      };
      hop(new URL(options.url), MAX_REDIRECTS);
    });
    if (received === 0) {
      throw new AdvisoryFeedError(`${shown} served an empty answer`, {
        hint: "check the URL; the advisory database in use was kept",
      });
    }
    await fh.sync().catch(() => {});
  } finally {
    await fh.close();
  }
  return { sha256: hash.digest("hex"), bytes: received };
}

function describe(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  const code = errnoOf(error);
  const message = e?.message ?? String(error);
  return code !== undefined && !message.includes(code) ? `${code}: ${message}` : message;
}
