/**
 * Worker-thread entry: processes batches of ZIP member pieces (inflate, hash, CRC, scan) so
 * archives use every core. See worker-pool.ts; the build must emit this file as its own entry
 * (`archive-worker.js`) for bundled use.
 */
import { parentPort } from "node:worker_threads";
import type { HashAlg } from "../../core/dist/artifact.ts";
import { type MemberJob, MemberRunner, runBatch } from "./member-job.ts";

export interface BatchRequest {
  id: number;
  jobs: MemberJob[];
  buffer: Uint8Array;
  algorithms: HashAlg[];
}

// One runner for the worker's life: its inflate engine and output buffer serve every member,
// and a member whose pieces span batches stays open between messages.
const runner = new MemberRunner();

parentPort?.on("message", (request: BatchRequest) => {
  const results = runBatch(runner, request);
  // The batch buffer was transferred here and goes back the same way, to be refilled; results
  // are small (digests, dist-info contents) and are copied.
  const buffer = request.buffer.buffer as ArrayBuffer;
  parentPort?.postMessage({ id: request.id, results, buffer }, [buffer]);
});
