/**
 * ZIP members' compressed bytes in hand, piece by piece: inflate (bounded by the declared size),
 * hash, CRC, scan and keep. Runs on the main thread or in a worker (member-worker.ts); both
 * produce the same plain results, which can cross a thread boundary.
 */
import { Buffer } from "node:buffer";
import type { HashAlg } from "../../core/dist/artifact.ts";
import type { DocMarkup } from "../../core/secrets/doc-blocks.ts";
import { canReuseEngine, type InflateProblem, inflateWhole, RawInflater } from "./inflate.ts";
import { MemberSink, type SinkResult } from "./member-sink.ts";

/** What the reader decided about a member before its bytes arrive. */
export interface MemberSpec {
  /** The member's slot (central directory index). */
  index: number;
  method: number;
  /** Declared uncompressed size: the inflate ceiling. */
  size: number;
  keep: boolean;
  scan: boolean;
  markup?: DocMarkup | undefined;
  head: number;
}

/**
 * One piece of a member's compressed bytes in a batch buffer. A member's pieces arrive in order
 * on one thread, in one batch or spread over consecutive ones; `first` starts it, `last` ends it.
 */
export interface MemberJob extends MemberSpec {
  /** Where the piece is in the batch buffer. */
  start: number;
  length: number;
  first: boolean;
  last: boolean;
}

export interface JobResult extends Omit<SinkResult, "content"> {
  index: number;
  problem?: string;
  content?: Uint8Array;
}

/** The member being processed on this thread: what it is, its sink, its first problem. */
interface OpenMember {
  spec: MemberSpec;
  sink: MemberSink;
  problem?: string;
}

/**
 * A thread's member processor: one member open at a time, one inflate engine for all of them.
 * Pieces of a member other than the open one (its earlier pieces were lost with a worker) are
 * dropped; the reader reports such members itself.
 */
export class MemberRunner {
  /** One engine for every member on this thread; undefined when zlib lacks the surface for it. */
  private readonly inflater: RawInflater | undefined;
  private open: OpenMember | undefined;
  /** Compressed pieces of a deflated member when there is no reusable engine (single piece in practice). */
  private pending: Uint8Array[] = [];

  /** `reuseEngine: false` forces one-shot inflation per member (what a Node without the surface gets). */
  constructor(options: { reuseEngine?: boolean } = {}) {
    this.inflater = (options.reuseEngine ?? canReuseEngine()) ? new RawInflater() : undefined;
  }

  /** Takes one piece; returns the member's result when this was its last piece. */
  piece(job: MemberJob, data: Uint8Array, algorithms: readonly HashAlg[]): JobResult | undefined {
    if (job.first) this.begin(job, algorithms);
    const open = this.open;
    if (open === undefined || open.spec.index !== job.index) return undefined;
    if (open.problem === undefined) this.feed(open, data, job.last);
    if (!job.last) return undefined;
    this.open = undefined;
    return this.finish(open);
  }

  private begin(spec: MemberSpec, algorithms: readonly HashAlg[]): void {
    const sink = new MemberSink({
      algorithms,
      keep: spec.keep,
      scan: spec.scan,
      markup: spec.markup,
      crc: true,
      head: spec.head,
      whole: spec.size,
    });
    this.open = { spec, sink };
    this.pending = [];
    if (spec.method !== 0) this.inflater?.begin(spec.size);
  }

  private feed(open: OpenMember, data: Uint8Array, last: boolean): void {
    const { spec, sink } = open;
    if (spec.method === 0) {
      if (sink.size + data.length > spec.size)
        open.problem = `stored data runs past its size of ${spec.size} bytes`;
      else sink.push(data);
      return;
    }
    let outcome: InflateProblem | undefined;
    if (this.inflater !== undefined) {
      outcome = this.inflater.write(data, last, (chunk) => sink.push(chunk));
    } else {
      // Without a reusable engine the reader sends only small members, in one piece.
      if (!last) {
        this.pending.push(data.slice());
        return;
      }
      const whole = this.pending.length === 0 ? data : Buffer.concat([...this.pending, data]);
      const out = inflateWhole(whole, spec.size);
      if (out instanceof Uint8Array) sink.push(out);
      else outcome = out;
    }
    if (outcome !== undefined) open.problem = outcome.problem;
  }

  private finish(open: OpenMember): JobResult {
    const { spec, sink } = open;
    let problem = open.problem;
    if (problem === undefined && spec.method === 0 && sink.size < spec.size) {
      problem = "the archive ends inside its data";
    }
    const result: JobResult = { index: spec.index, ...sink.end() };
    if (problem !== undefined) result.problem = problem;
    return result;
  }
}

/** Every piece of a batch; `buffer` holds them back to back. Results of the members that ended. */
export function runBatch(
  runner: MemberRunner,
  request: { jobs: readonly MemberJob[]; buffer: Uint8Array; algorithms: readonly HashAlg[] },
): JobResult[] {
  const { jobs, buffer, algorithms } = request;
  const results: JobResult[] = [];
  for (const job of jobs) {
    const result = runner.piece(job, buffer.subarray(job.start, job.start + job.length), algorithms);
    if (result !== undefined) results.push(result);
  }
  return results;
}
