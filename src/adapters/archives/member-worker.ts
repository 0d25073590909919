/**
 * Worker-thread entry: processes batches of small ZIP members (inflate, hash, CRC, scan) so
 * archives of many small files use every core. See worker-pool.ts; the build must emit this
 * file as its own entry (`archive-worker.js`) for bundled use.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { parentPort } from "node:worker_threads";
import type { HashAlg } from "../../core/dist/artifact.ts";
import { type MemberJob, runBatch } from "./member-job.ts";

export interface BatchRequest {
  id: number;
  jobs: MemberJob[];
  buffer: Uint8Array;
  algorithms: HashAlg[];
}

/**
 * Every one-shot inflate leaves ~8 KiB of native zlib state that only a full GC releases, and
 * this thread allocates too little JS for V8 to run one: thousands of members would hold
 * hundreds of MiB. So the worker collects after every few thousand members itself.
 */
const GC_EVERY_MEMBERS = 1000;
let collect: (() => void) | undefined;
try {
  setFlagsFromString("--expose-gc");
  collect = runInNewContext("gc") as () => void;
} catch {
  collect = undefined;
}
let sinceCollect = 0;

parentPort?.on("message", (request: BatchRequest) => {
  const results = runBatch(request.jobs, request.buffer, request.algorithms);
  // The batch buffer was transferred here and goes back the same way, to be refilled; results
  // are small (digests, dist-info contents) and are copied.
  const buffer = request.buffer.buffer as ArrayBuffer;
  parentPort?.postMessage({ id: request.id, results, buffer }, [buffer]);
  sinceCollect += request.jobs.length;
  if (sinceCollect >= GC_EVERY_MEMBERS && collect !== undefined) {
    sinceCollect = 0;
    collect();
  }
});
