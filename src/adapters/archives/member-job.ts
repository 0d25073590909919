/**
 * One small ZIP member, compressed bytes in hand: inflate it (bounded by its declared size),
 * hash, CRC, scan and keep it. Runs on the main thread or in a worker (member-worker.ts); both
 * produce the same plain result, which can cross a thread boundary.
 */
import type { HashAlg } from "../../core/dist/artifact.ts";
import { inflateWhole } from "./inflate.ts";
import { MemberSink, type SinkResult } from "./member-sink.ts";

export interface MemberJob {
  /** The member's slot (central directory index). */
  index: number;
  method: number;
  size: number;
  /** Where the compressed bytes are in the batch buffer. */
  start: number;
  length: number;
  keep: boolean;
  scan: boolean;
  head: number;
}

export interface JobResult extends Omit<SinkResult, "content"> {
  index: number;
  problem?: string;
  content?: Uint8Array;
}

/** Processes one member whose compressed bytes are `data`. */
export function runJob(job: MemberJob, data: Uint8Array, algorithms: readonly HashAlg[]): JobResult {
  const sink = new MemberSink({ algorithms, keep: job.keep, scan: job.scan, crc: true, head: job.head });
  let problem: string | undefined;
  if (job.method === 0) {
    if (data.length !== job.size) problem = `stored with compressed size ${data.length} but size ${job.size}`;
    else sink.push(data);
  } else {
    const out = inflateWhole(data, job.size);
    if (out instanceof Uint8Array) sink.push(out);
    else problem = out.problem;
  }
  const result: JobResult = { index: job.index, ...sink.end() };
  if (problem !== undefined) result.problem = problem;
  return result;
}

/** Every job of a batch; `buffer` holds their compressed bytes back to back. */
export function runBatch(
  jobs: readonly MemberJob[],
  buffer: Uint8Array,
  algorithms: readonly HashAlg[],
): JobResult[] {
  return jobs.map((job) => runJob(job, buffer.subarray(job.start, job.start + job.length), algorithms));
}
