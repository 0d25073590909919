/**
 * Spreads member work over worker threads. zlib's async API costs more per call than a 20 KiB
 * member takes to inflate, so members travel in batches (~1 MiB of compressed bytes each) to
 * workers that inflate, hash and scan them synchronously, each with one reused inflate engine.
 * A large member is cut into pieces over consecutive batches to the same worker, so no member
 * is ever whole in memory. Batch buffers move to the worker and back without copies; the
 * reader waits while every worker is busy (backpressure). Without workers (none asked for, or
 * no worker file in an unusual bundle) the pieces are processed on this thread as they come.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import type { Worker } from "node:worker_threads";
import type { HashAlg } from "../../core/dist/artifact.ts";
import { type JobResult, type MemberJob, MemberRunner, type MemberSpec, runBatch } from "./member-job.ts";
import type { BatchRequest } from "./member-worker.ts";

/** Compressed bytes per batch. */
const BATCH_BYTES = 1024 * 1024;
const BATCH_JOBS = 512;
/** Batches queued per worker before the reader waits. */
const QUEUE_PER_WORKER = 2;
/**
 * A worker's heap holds little beyond one batch's strings and results, and a small young
 * generation is collected often, so the worker stays a few MiB above an idle isolate.
 */
const LIMITS = { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 256 };

interface Pending {
  request: BatchRequest;
  /** Called with the results and, when the worker sent it back, the batch buffer. */
  done: (results: JobResult[], buffer?: Uint8Array) => void;
}

/** This thread, as a place to run a batch. */
const LOCAL = "local";
type Target = PooledWorker | typeof LOCAL;

interface PooledWorker {
  worker: Worker;
  pending: Map<number, Pending>;
  /** The runner whose member is open on this worker (its next pieces must come here). */
  owner: BatchRunner | undefined;
}

/** Where the worker module is: next to this file from source, or the bundle's emitted entry. */
function workerUrl(): URL | undefined {
  const candidates = ["./member-worker.ts", "./archive-worker.js", "../archive-worker.js"];
  for (const candidate of candidates) {
    const url = new URL(candidate, import.meta.url);
    if (url.protocol === "file:" && existsSync(fileURLToPath(url))) return url;
  }
  return undefined;
}

let shared: PooledWorker[] | undefined;
/** Readers holding the pool: when the last one is done, the workers go (see `release`). */
let users = 0;
/** Batch buffers back from their batch, for any reader's next batch (a few in all). */
const spareBatches: Uint8Array[] = [];
const MAX_SPARE_BATCHES = 2;
let nextId = 0;
/** Readers waiting for a worker to take a batch or be released. */
let waiters: (() => void)[] = [];

function poolChanged(): void {
  const wake = waiters;
  waiters = [];
  for (const resolve of wake) resolve();
}

const nextChange = (): Promise<void> => new Promise((resolve) => waiters.push(resolve));

const lost = (index: number): JobResult => ({
  index,
  size: 0,
  crc: 0,
  digests: [],
  hits: [],
  problem: "the worker thread reading it stopped",
});

function startWorker(url: URL): PooledWorker {
  const pooled: PooledWorker = {
    // Loaded here, not imported: only a large archive starts workers, and worker_threads
    // costs a small check ~3 ms to load.
    worker: new (process.getBuiltinModule("node:worker_threads").Worker)(url, { resourceLimits: LIMITS }),
    pending: new Map(),
    owner: undefined,
  };
  pooled.worker.on("message", (message: { id: number; results: JobResult[]; buffer: ArrayBuffer }) => {
    const pending = pooled.pending.get(message.id);
    pooled.pending.delete(message.id);
    // An idle worker must not keep the process alive; a busy one must.
    if (pooled.pending.size === 0) pooled.worker.unref();
    pending?.done(message.results, new Uint8Array(message.buffer));
    poolChanged();
  });
  // A dead worker leaves the pool. Its batches went with it (their buffers were transferred),
  // so their members are reported unreadable rather than silently missing.
  const fail = () => {
    shared = shared?.filter((w) => w !== pooled);
    for (const p of pooled.pending.values()) {
      p.done([...new Set(p.request.jobs.map((j) => j.index))].map(lost));
    }
    pooled.pending.clear();
    poolChanged();
  };
  pooled.worker.on("error", fail);
  pooled.worker.on("exit", fail);
  // After the listeners: attaching a message listener refs the worker's port again.
  pooled.worker.unref();
  return pooled;
}

/** The process-wide workers (created on first use, never keeping the process alive). */
function workers(count: number): PooledWorker[] {
  if (shared === undefined) {
    const url = workerUrl();
    shared = url === undefined ? [] : Array.from({ length: count }, () => startWorker(url));
  }
  return shared.slice(0, count);
}

/**
 * Ends the idle workers. An idle worker still holds its isolate (~15-25 MiB with the heap its
 * batches grew); between archives a check runs its checks, the memory peak of its own, and
 * starting two workers again for the next archive costs ~30 ms.
 */
function retire(): void {
  const pool = shared ?? [];
  shared = undefined;
  for (const pooled of pool) void pooled.worker.terminate();
}

/**
 * Default worker count: one per core, at most 2. Each worker is a V8 isolate of its own
 * (~15 MiB), and two already inflate, hash and scan faster (~300 MB/s) than the checks need.
 * This thread only reads and dispatches: running batches here too was measured to push tens
 * of MiB of the scanner's short-lived strings into its old generation.
 */
export const defaultWorkers = (): number => Math.max(1, Math.min(2, availableParallelism()));

export interface BatchRunnerOptions {
  algorithms: readonly HashAlg[];
  workers: number;
  onResult: (result: JobResult) => void;
}

/**
 * Takes members piece by piece (`begin`, `write`..., `end`) and gets them processed: in batches
 * on worker threads, or on this thread when there are none.
 */
export class BatchRunner {
  private readonly algorithms: HashAlg[];
  private readonly onResult: (result: JobResult) => void;
  private readonly pool: PooledWorker[];
  /** This thread's runner: every member without workers, batches when every worker died. */
  private local: MemberRunner | undefined;
  private jobs: MemberJob[] = [];
  private buffer: Uint8Array | undefined;
  private used = 0;
  private readonly outstanding = new Set<Promise<void>>();
  /** The member being added, and whether its first piece went out. */
  private open: MemberSpec | undefined;
  private started = false;
  /** Where the open member's earlier pieces went. */
  private pinned: Target | undefined;
  private released = false;

  constructor(options: BatchRunnerOptions) {
    this.algorithms = [...options.algorithms];
    this.onResult = options.onResult;
    this.pool = options.workers > 0 ? workers(options.workers) : [];
    if (this.pool.length > 0) users++;
  }

  /**
   * Takes a whole small member at once when that needs no waiting: processed here without
   * workers, or copied into the batch being filled when it fits. False: use begin/write/end.
   */
  add(spec: MemberSpec, data: Uint8Array): boolean {
    if (this.open !== undefined) return false;
    if (this.pool.length === 0) {
      this.local ??= new MemberRunner();
      const job: MemberJob = { ...spec, start: 0, length: data.length, first: true, last: true };
      const result = this.local.piece(job, data, this.algorithms);
      if (result !== undefined) this.onResult(result);
      return true;
    }
    const buffer = this.buffer;
    if (buffer === undefined || buffer.length - this.used < data.length || this.jobs.length >= BATCH_JOBS) {
      return false;
    }
    buffer.set(data, this.used);
    this.jobs.push({ ...spec, start: this.used, length: data.length, first: true, last: true });
    this.used += data.length;
    return true;
  }

  /** Starts a member; its compressed bytes follow through `write`, and `end` closes it. */
  begin(spec: MemberSpec): void {
    this.open = spec;
    this.started = false;
  }

  /**
   * Adds the open member's next compressed bytes. `data` is copied or processed before this
   * resolves (the caller's buffer moves on); it resolves when the reader may go on.
   */
  async write(data: Uint8Array): Promise<void> {
    if (data.length > 0) await this.piece(data, false);
  }

  /** Ends the open member. */
  async end(): Promise<void> {
    const open = this.open;
    if (open === undefined) return;
    const tail = this.jobs[this.jobs.length - 1];
    if (this.pool.length > 0 && this.started && tail?.index === open.index) tail.last = true;
    else await this.piece(new Uint8Array(0), true);
    this.open = undefined;
  }

  /** Runs what is queued and waits for every batch. */
  async flush(): Promise<void> {
    await this.dispatch();
    await Promise.all(this.outstanding);
    this.release();
  }

  /** Lets the pool go (idempotent); the last reader to do so ends the workers. */
  release(): void {
    if (this.released || this.pool.length === 0) return;
    this.released = true;
    users--;
    if (users === 0) retire();
  }

  private async piece(data: Uint8Array, last: boolean): Promise<void> {
    const open = this.open;
    if (open === undefined) return;
    if (this.pool.length === 0) {
      this.local ??= new MemberRunner();
      const job: MemberJob = { ...open, start: 0, length: data.length, first: !this.started, last };
      this.started = true;
      const result = this.local.piece(job, data, this.algorithms);
      if (result !== undefined) this.onResult(result);
      return;
    }
    let at = 0;
    do {
      const room = this.buffer === undefined ? 0 : this.buffer.length - this.used;
      // A member that would fit a batch of its own starts one rather than spanning two: a
      // spanning member holds its worker for the next batch too, and that serialises them.
      const split = this.started || data.length > BATCH_BYTES;
      if (room === 0 || (!split && room < data.length) || this.jobs.length >= BATCH_JOBS) {
        await this.dispatch();
      }
      this.buffer ??= spareBatches.pop() ?? new Uint8Array(BATCH_BYTES);
      const buffer = this.buffer;
      const length = Math.min(buffer.length - this.used, data.length - at);
      buffer.set(data.subarray(at, at + length), this.used);
      const job = {
        ...open,
        start: this.used,
        length,
        first: !this.started,
        last: last && at + length === data.length,
      };
      this.jobs.push(job);
      this.started = true;
      this.used += length;
      at += length;
    } while (at < data.length);
  }

  /** Sends the batch being filled to a worker (waiting for one to have room), or runs it here when none is left. */
  private async dispatch(): Promise<void> {
    const jobs = this.jobs;
    const batch = this.buffer;
    if (jobs.length === 0 || batch === undefined) return;
    this.jobs = [];
    this.buffer = undefined;
    this.used = 0;
    const request: BatchRequest = { id: nextId++, jobs, buffer: batch, algorithms: this.algorithms };
    // The open member continues in the next batch when its latest piece here is not its last.
    const tail = jobs[jobs.length - 1]!;
    const spans = this.open !== undefined && tail.index === this.open.index && !tail.last;
    // Choosing a worker and registering the batch on it happen in one synchronous step, so
    // another reader cannot slip a batch between a spanning member's pieces.
    let target = this.target();
    while (target === null) {
      await nextChange();
      target = this.target();
    }
    this.pin(target, spans);
    if (target === LOCAL) {
      this.local ??= new MemberRunner();
      for (const result of runBatch(this.local, request)) this.onResult(result);
      this.recycle(batch);
      return;
    }
    const worker = target;
    const promise = new Promise<void>((resolve) => {
      worker.pending.set(request.id, {
        request,
        done: (results, returned) => {
          for (const result of results) this.onResult(result);
          if (returned !== undefined) this.recycle(returned);
          resolve();
        },
      });
    });
    this.outstanding.add(promise);
    void promise.then(() => this.outstanding.delete(promise));
    // The batch buffer moves to the worker (no copy) and comes back with the results.
    worker.worker.ref();
    worker.worker.postMessage(request, [batch.buffer as ArrayBuffer]);
  }

  /**
   * Where the next batch goes: where the open member's earlier pieces went, else the least
   * busy worker no other reader holds; null to wait for one.
   */
  private target(): Target | null {
    const alive = this.pool.filter((w) => shared?.includes(w));
    // With every worker gone this thread carries on (pieces of members lost with them are dropped).
    if (alive.length === 0) return LOCAL;
    if (this.pinned === LOCAL) return LOCAL;
    if (this.pinned !== undefined && !alive.includes(this.pinned)) {
      // The open member's earlier pieces died with that worker; the reader reports it unread.
      this.pinned = undefined;
    }
    const candidates = this.pinned === undefined ? alive.filter((w) => w.owner === undefined) : [this.pinned];
    let free: PooledWorker | undefined;
    for (const w of candidates) if (w.pending.size < (free?.pending.size ?? QUEUE_PER_WORKER)) free = w;
    return free ?? null;
  }

  /** Holds the target for this reader while a member spans batches; releases it after. */
  private pin(target: Target, spans: boolean): void {
    if (spans) {
      if (target !== LOCAL) target.owner = this;
      this.pinned = target;
    } else if (this.pinned === target) {
      if (target !== LOCAL) target.owner = undefined;
      this.pinned = undefined;
      poolChanged();
    }
  }

  private recycle(buffer: Uint8Array): void {
    if (buffer.length === BATCH_BYTES && spareBatches.length < MAX_SPARE_BATCHES) spareBatches.push(buffer);
  }
}
