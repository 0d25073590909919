/**
 * Spreads small-member work over worker threads. zlib's async API costs more per call than a
 * 20 KiB member takes to inflate, so wheels of many small files would use one core; batching
 * members (~1 MiB of compressed bytes each) to workers uses them all and keeps the allocation
 * churn of inflating and scanning out of the main thread's heap. Batch buffers move to the
 * worker and back without copies. The reader waits when every worker is busy (backpressure).
 * Without a worker file (an unusual bundle) batches run on the main thread.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { HashAlg } from "../../core/dist/artifact.ts";
import { type JobResult, type MemberJob, runBatch } from "./member-job.ts";
import type { BatchRequest } from "./member-worker.ts";

/** Compressed bytes per batch. */
const BATCH_BYTES = 1024 * 1024;
const BATCH_JOBS = 512;
/** Batches queued per worker before the reader waits. */
const QUEUE_PER_WORKER = 2;
/** A small young generation keeps a worker's heap (and so the process's RSS) small. */
const LIMITS = { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 256 };

interface Pending {
  request: BatchRequest;
  /** Called with the results and, when the worker sent it back, the batch buffer. */
  done: (results: JobResult[], buffer?: Uint8Array) => void;
}

interface PooledWorker {
  worker: Worker;
  pending: Map<number, Pending>;
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
let nextId = 0;

const lostJob = (job: MemberJob): JobResult => ({
  index: job.index,
  size: 0,
  crc: 0,
  digests: {},
  hits: [],
  problem: "the worker thread reading it stopped",
});

function startWorker(url: URL): PooledWorker {
  const pooled: PooledWorker = { worker: new Worker(url, { resourceLimits: LIMITS }), pending: new Map() };
  pooled.worker.on("message", (message: { id: number; results: JobResult[]; buffer: ArrayBuffer }) => {
    const pending = pooled.pending.get(message.id);
    pooled.pending.delete(message.id);
    // An idle worker must not keep the process alive; a busy one must.
    if (pooled.pending.size === 0) pooled.worker.unref();
    pending?.done(message.results, new Uint8Array(message.buffer));
  });
  // A dead worker leaves the pool. Its batches went with it (their buffers were transferred),
  // so their members are reported unreadable rather than silently missing.
  const fail = () => {
    shared = shared?.filter((w) => w !== pooled);
    for (const p of pooled.pending.values()) p.done(p.request.jobs.map(lostJob));
    pooled.pending.clear();
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

/** Default worker count: one per core, at most 4 (the main thread mostly waits on I/O). */
export const defaultWorkers = (): number => Math.max(1, Math.min(4, availableParallelism()));

/** Collects small members into batches and runs them on worker threads. */
export class BatchRunner {
  private readonly algorithms: HashAlg[];
  private readonly onResult: (result: JobResult) => void;
  private readonly pool: PooledWorker[];
  private jobs: MemberJob[] = [];
  /** Batch buffers come back when their batch is done: a few in all, however many batches. */
  private readonly spare: Uint8Array[] = [];
  private buffer: Uint8Array = new Uint8Array(BATCH_BYTES);
  private used = 0;
  private readonly outstanding = new Set<Promise<void>>();

  constructor(options: {
    algorithms: readonly HashAlg[];
    workers: number;
    onResult: (result: JobResult) => void;
  }) {
    this.algorithms = [...options.algorithms];
    this.onResult = options.onResult;
    this.pool = options.workers > 0 ? workers(options.workers) : [];
  }

  /**
   * Queues a member whose compressed bytes are `data` (copied: the caller's buffer moves on).
   * Resolves when the reader may go on; it waits while every worker is busy.
   */
  async add(job: Omit<MemberJob, "start" | "length">, data: Uint8Array): Promise<void> {
    if (this.pool.length === 0) {
      this.onResult(runBatch([{ ...job, start: 0, length: data.length }], data, this.algorithms)[0]!);
      return;
    }
    if (this.used + data.length > this.buffer.length || this.jobs.length >= BATCH_JOBS) await this.dispatch();
    if (data.length > this.buffer.length) this.buffer = new Uint8Array(data.length);
    this.buffer.set(data, this.used);
    this.jobs.push({ ...job, start: this.used, length: data.length });
    this.used += data.length;
  }

  /** Runs what is queued and waits for every batch. */
  async flush(): Promise<void> {
    await this.dispatch();
    await Promise.all(this.outstanding);
  }

  private async dispatch(): Promise<void> {
    if (this.jobs.length === 0) return;
    const batch = this.buffer;
    const request: BatchRequest = {
      id: nextId++,
      jobs: this.jobs,
      buffer: batch.subarray(0, this.used),
      algorithms: this.algorithms,
    };
    this.jobs = [];
    this.used = 0;
    this.buffer = this.spare.pop() ?? new Uint8Array(BATCH_BYTES);
    let free = this.freeWorker();
    while (free === undefined && this.outstanding.size > 0 && this.alive().length > 0) {
      await Promise.race(this.outstanding);
      free = this.freeWorker();
    }
    if (free === undefined) {
      for (const result of runBatch(request.jobs, request.buffer, request.algorithms)) this.onResult(result);
      this.recycle(batch);
      return;
    }
    const worker = free;
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

  private recycle(buffer: Uint8Array): void {
    if (buffer.length === BATCH_BYTES && this.spare.length < 8) this.spare.push(buffer);
  }

  private alive(): PooledWorker[] {
    return this.pool.filter((w) => shared?.includes(w));
  }

  private freeWorker(): PooledWorker | undefined {
    return this.alive().find((w) => w.pending.size < QUEUE_PER_WORKER);
  }
}
