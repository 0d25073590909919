/**
 * The one way slipway runs a subprocess: argv array (no shell), explicit cwd and env, a
 * timeout, and a failure that shows the command line and the tail of stderr.
 */
import { SlipwayError } from "../errors.ts";

export interface ExecOptions {
  cwd: string;
  env?: Readonly<Record<string, string | undefined>>;
  /** Milliseconds before the process is killed; default 120 s. */
  timeoutMs?: number;
  /**
   * Written to the process's stdin, then closed. A promise lets the process start (and do its
   * slow imports) before its input is known.
   */
  input?: string | Uint8Array | Promise<string | Uint8Array>;
  /** When false, a non-zero exit is returned instead of thrown. Default true. */
  check?: boolean;
  /**
   * Called with each line of stdout (UTF-8, without its newline) as soon as it arrives, for
   * protocols that answer the process mid-run; the last unterminated line comes at exit.
   * `stdout` in the result still holds everything. If it throws, the process is killed and
   * exec rejects with that error.
   */
  onStdoutLine?: (line: string) => void;
  /** The same for stderr (lines of both streams interleave as they arrive). */
  onStderrLine?: (line: string) => void;
  /**
   * Streams stdout into this file (created; it must not exist) instead of collecting it: bytes
   * as they are, in bounded memory. `stdout` in the result is then empty.
   */
  stdoutFile?: string;
  /**
   * False: the output goes to the line handlers only (`stdout` and `stderr` in the result are
   * empty), so a process may print without bound in bounded memory. Default true.
   */
  collect?: boolean;
  /** With the line handlers: a longer line is cut to its first this many bytes. */
  maxLineBytes?: number;
}

export interface ExecResult {
  argv: readonly string[];
  code: number;
  stdout: string;
  stderr: string;
}

const TAIL_LINES = 20;

/** Quotes an argv for display only; never passed to a shell. */
export function formatArgv(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`)).join(" ");
}

/**
 * Cuts a byte stream into lines without re-copying earlier chunks (a line may span many); a line
 * longer than `max` bytes keeps its first `max`.
 */
function lineSplitter(
  onLine: (line: string) => void,
  max = Number.POSITIVE_INFINITY,
): { push(chunk: Buffer): void; end(): void } {
  let pending: Buffer[] = [];
  let size = 0;
  const keep = (part: Buffer) => {
    if (size >= max) return;
    const kept = size + part.length > max ? part.subarray(0, max - size) : part;
    pending.push(kept);
    size += kept.length;
  };
  const flush = () => {
    const line = Buffer.concat(pending).toString("utf8");
    pending = [];
    size = 0;
    onLine(line);
  };
  return {
    push(chunk) {
      let start = 0;
      for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, start)) {
        keep(chunk.subarray(start, at));
        start = at + 1;
        flush();
      }
      if (start < chunk.length) keep(chunk.subarray(start));
    },
    end() {
      if (pending.length > 0) flush();
    },
  };
}

function tail(text: string): string {
  const lines = text.trimEnd().split("\n");
  return lines.slice(-TAIL_LINES).join("\n");
}

export async function exec(argv: readonly string[], options: ExecOptions): Promise<ExecResult> {
  const [command, ...args] = argv;
  if (command === undefined) throw new SlipwayError("internal", "exec called with an empty argv");
  const timeoutMs = options.timeoutMs ?? 120_000;
  return await new Promise<ExecResult>((resolve, reject) => {
    // Loaded at the first run, not imported: a warm check starts no process at all, and
    // child_process costs ~3 ms to load.
    const { spawn } = process.getBuiltinModule("node:child_process");
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env as NodeJS.ProcessEnv | undefined,
      stdio: ["pipe", "pipe", "pipe"],
    });
    // Our own timer rather than spawn's `timeout`, so that it is cleared on every way out
    // (a spawn that fails with ENOENT would otherwise keep the event loop alive until it fires).
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    // A throwing line handler must not become an uncaught exception: stop the process, report it.
    let handlerError: unknown;
    const onLine = options.onStdoutLine;
    const splitter = (handler: ((line: string) => void) | undefined) =>
      handler === undefined
        ? undefined
        : lineSplitter((line) => {
            if (handlerError !== undefined) return;
            try {
              handler(line);
            } catch (error) {
              handlerError = error ?? new Error("a line handler threw");
              child.kill("SIGKILL");
            }
          }, options.maxLineBytes);
    const lines = splitter(onLine);
    const errLines = splitter(options.onStderrLine);
    const sink =
      options.stdoutFile === undefined
        ? undefined
        : process.getBuiltinModule("node:fs").createWriteStream(options.stdoutFile, { flags: "wx" });
    const sunk = new Promise<void>((done, fail) => {
      if (sink === undefined) return done();
      sink.on("close", done);
      sink.on("error", (error) => {
        child.kill("SIGKILL");
        fail(error);
      });
    });
    if (sink !== undefined) child.stdout.pipe(sink);
    else
      child.stdout.on("data", (chunk: Buffer) => {
        if (options.collect !== false) out.push(chunk);
        lines?.push(chunk);
      });
    child.stderr.on("data", (chunk: Buffer) => {
      if (options.collect !== false) err.push(chunk);
      errLines?.push(chunk);
    });
    child.on("error", (cause: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      sink?.destroy();
      const hint =
        cause.code === "ENOENT"
          ? `Is ${command} installed and on PATH?`
          : "Check the command and its working directory.";
      reject(
        new SlipwayError("exec", `could not run ${formatArgv(argv)}: ${cause.message}`, { hint, cause }),
      );
    });
    child.on("close", async (code) => {
      clearTimeout(timer);
      try {
        await sunk;
      } catch (cause) {
        reject(
          new SlipwayError("io", `cannot write the output of ${formatArgv(argv)} to ${options.stdoutFile}`, {
            cause,
          }),
        );
        return;
      }
      lines?.end();
      errLines?.end();
      if (handlerError !== undefined) {
        reject(handlerError);
        return;
      }
      const result: ExecResult = {
        argv,
        code: code ?? 128,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
      };
      if (timedOut) {
        reject(
          new SlipwayError("exec", `${formatArgv(argv)} timed out after ${timeoutMs} ms`, {
            hint: "The command hung or is slow; run it by hand to see why.",
          }),
        );
        return;
      }
      if (result.code !== 0 && options.check !== false) {
        reject(
          new SlipwayError("exec", `${formatArgv(argv)} exited with ${result.code}\n${tail(result.stderr)}`, {
            hint: "Read the command's error output above.",
          }),
        );
        return;
      }
      resolve(result);
    });
    child.stdin.on("error", () => {
      // The child may exit without reading its stdin; that is not our failure.
    });
    Promise.resolve(options.input ?? "").then(
      (data) => child.stdin.end(data),
      () => child.stdin.end(),
    );
  });
}
