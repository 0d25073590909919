/**
 * What `slipway build` shows while it works: on a TTY one status line (phase and elapsed time)
 * redrawn in place, the backend's output folded away unless --verbose; in CI or a pipe, one
 * plain line per phase. Warnings always get a line of their own.
 */
import type { BuildEvent, BuildPhase } from "../../ops/build.ts";
import { redact } from "../../redact.ts";
import { renderBuildWarning } from "../render/build-events.ts";
import type { Style } from "../style.ts";

const LABELS: Record<BuildPhase, string> = {
  prepare: "reading the project",
  sdist: "building the sdist",
  unpack: "unpacking the sdist",
  wheel: "building the wheel",
  rebuild: "building again to compare",
  check: "checking the artifacts",
  write: "writing",
};

export interface ProgressOptions {
  stream: NodeJS.WritableStream;
  /** Line-oriented output (CI, pipes). */
  plain: boolean;
  /** Print nothing but warnings (--json). */
  quiet: boolean;
  verbose: boolean;
  style: Style;
}

export class Progress {
  readonly verbose: boolean;
  private readonly options: ProgressOptions;
  private label = "";
  private started = performance.now();
  private timer: NodeJS.Timeout | undefined;

  constructor(options: ProgressOptions) {
    this.options = options;
    this.verbose = options.verbose;
  }

  event(event: BuildEvent): void {
    const { plain, quiet, style } = this.options;
    if (event.type === "warning") {
      this.line(`${style.yellow("warning")}: ${renderBuildWarning(event)}`);
      return;
    }
    if (quiet) return;
    if (event.type === "output") {
      if (this.verbose) this.line(style.dim(`  | ${event.line}`));
      return;
    }
    if (event.type === "env") {
      const what = event.requirements.join(", ") || "no requirements";
      this.line(
        `  ${event.kind} environment ${event.reused ? "reused from the cache" : "created"}: ${what}`,
        true,
      );
      return;
    }
    if (event.type === "requirements") {
      this.line(`  the backend also needs: ${event.requirements.join(", ")}`, true);
      return;
    }
    this.label = `${LABELS[event.phase]}${event.detail ? ` ${event.detail}` : ""}`;
    this.started = performance.now();
    if (plain) this.line(`slipway build: ${this.label}`);
    else this.draw();
    if (!plain && this.timer === undefined) {
      this.timer = setInterval(() => this.draw(), 200);
      this.timer.unref();
    }
  }

  /** Clears the status line; call before printing results. */
  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    if (!this.options.plain && this.label !== "") this.options.stream.write("\r\u001b[2K");
    this.label = "";
  }

  private draw(): void {
    if (this.label === "") return;
    const seconds = ((performance.now() - this.started) / 1000).toFixed(1);
    this.options.stream.write(
      `\r\u001b[2K${this.options.style.bold(this.label)} ${this.options.style.dim(`${seconds}s`)}`,
    );
  }

  /** A line of its own above the status line; `detail` lines only on a TTY or with --verbose. */
  private line(text: string, detail = false): void {
    if (detail && this.options.plain && !this.verbose) {
      // CI logs get the environment decisions too: they explain the timings.
      this.options.stream.write(`${redact(text)}\n`);
      return;
    }
    if (!this.options.plain) this.options.stream.write("\r\u001b[2K");
    this.options.stream.write(`${redact(text)}\n`);
    if (!this.options.plain) this.draw();
  }
}
