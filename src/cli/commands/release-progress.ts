/**
 * What `slipway release` shows while it runs: on a TTY a task list redrawn in place (one line per
 * step: pending, running with its latest detail and elapsed time, done, failed, undone); in CI or
 * a pipe one plain line per event. Everything written passes the redaction filter.
 */
import { maxOf } from "../../core/arrays.ts";
import type { ReleaseEvent } from "../../ops/release.ts";
import { redact } from "../../redact.ts";
import { renderIndexWarning } from "../render/index-events.ts";
import type { Style } from "../style.ts";

export interface ReleaseProgressOptions {
  stream: NodeJS.WritableStream;
  plain: boolean;
  /** --json: nothing but problems reaches the stream. */
  quiet: boolean;
  style: Style;
  /** Milliseconds, for elapsed times. */
  now: () => number;
  /** A dry run cleans up after its real steps: that is not an undo worth alarming anyone. */
  dryRun: boolean;
}

/** One line of progress inside a step, in English (rendered from the step's event by release.ts). */
export type DetailLine = { type: "detail"; step: string; message: string };

type State = "pending" | "running" | "done" | "skipped" | "planned" | "failed" | "undone";

interface Task {
  id: string;
  title: string;
  state: State;
  started?: number;
  ms?: number;
  detail?: string;
}

const MARK: Readonly<Record<State, string>> = {
  pending: "·",
  running: "›",
  done: "✓",
  skipped: "✓",
  planned: "○",
  failed: "✗",
  undone: "↺",
};

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

export class ReleaseProgress {
  private readonly options: ReleaseProgressOptions;
  private readonly tasks: Task[] = [];
  private drawn = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(options: ReleaseProgressOptions) {
    this.options = options;
  }

  /** The steps to show, in order (the task list's rows). */
  setSteps(steps: readonly { id: string; title: string }[]): void {
    this.tasks.length = 0;
    for (const s of steps) this.tasks.push({ id: s.id, title: s.title, state: "pending" as const });
  }

  event(event: ReleaseEvent | DetailLine): void {
    const { plain, quiet } = this.options;
    if (quiet) return;
    // The list appears with the first step, not with the plan: a confirmation question may come
    // between the two, and a list drawn above it could not be redrawn in place.
    if (!plain && this.timer === undefined && event.type.startsWith("step-")) {
      this.timer = setInterval(() => this.draw(), 250);
      this.timer.unref();
    }
    const task = "step" in event ? this.tasks.find((t) => t.id === event.step) : undefined;
    switch (event.type) {
      case "step-start":
        if (task) Object.assign(task, { state: "running", started: this.options.now(), detail: undefined });
        if (plain) this.line(`${event.step}: started (${event.title})`);
        break;
      case "step-done":
        if (task) Object.assign(task, { state: "done", ms: event.ms, detail: undefined });
        if (plain) this.line(`${event.step}: done in ${seconds(event.ms)}`);
        break;
      case "step-skipped":
        if (task) Object.assign(task, { state: "skipped", detail: "already done (re-checked)" });
        if (plain) this.line(`${event.step}: already done (re-checked), skipped`);
        break;
      case "step-planned":
        if (task) Object.assign(task, { state: "planned", detail: "planned (dry run)" });
        if (plain) this.line(`${event.step}: planned (dry run)`);
        break;
      case "step-failed":
        if (task) Object.assign(task, { state: "failed", detail: event.error.message.split("\n")[0] });
        if (plain) this.line(`${event.step}: FAILED: ${event.error.message.split("\n")[0]}`);
        break;
      case "step-undone":
        if (this.options.dryRun) {
          if (task) task.detail = "done, then cleaned up (dry run)";
          if (plain) this.line(`${event.step}: cleaned up (dry run)`);
          break;
        }
        if (task) Object.assign(task, { state: "undone", detail: "undone" });
        if (plain) this.line(`${event.step}: undone`);
        break;
      case "step-undo-failed":
        if (task) Object.assign(task, { detail: `undo FAILED: ${event.error.message}` });
        if (plain) this.line(`${event.step}: undo FAILED: ${event.error.message}`);
        break;
      case "detail":
        if (task) task.detail = event.message;
        if (plain) this.line(`${event.step}: ${event.message}`);
        // Before the list shows (the preflight's gate commands), a line of its own.
        else if (this.timer === undefined) this.options.stream.write(`${redact(`  ${event.message}`)}\n`);
        break;
      case "stage-started":
        this.note(`staging index on ${event.url}`);
        break;
      case "stage-warning":
        this.note(`staging index: warning: ${renderIndexWarning(event)}`);
        break;
      case "lock-taken-over":
        this.note(`took over the release lock of pid ${event.previous.pid}, which is no longer running`);
        break;
      case "plan":
        break;
    }
    if (!plain) this.draw();
  }

  /** A line above the task list (TTY) or a plain line. */
  note(text: string): void {
    if (this.options.quiet) return;
    if (this.options.plain) {
      this.line(text);
      return;
    }
    this.clear();
    this.options.stream.write(`${redact(text)}\n`);
    this.draw();
  }

  /** Draws the last frame (if the list was ever shown) and stops redrawing. */
  stop(): void {
    if (this.timer === undefined) return;
    this.draw();
    clearInterval(this.timer);
    this.timer = undefined;
    this.drawn = 0;
  }

  private line(text: string): void {
    this.options.stream.write(`${redact(`release: ${text}`)}\n`);
  }

  private clear(): void {
    if (this.drawn > 0) this.options.stream.write(`\u001b[${this.drawn}A\u001b[J`);
    this.drawn = 0;
  }

  private draw(): void {
    if (this.options.plain || this.options.quiet || this.tasks.length === 0 || this.timer === undefined)
      return;
    const { style } = this.options;
    const width = maxOf(
      this.tasks.map((t) => t.title.length),
      Number.NEGATIVE_INFINITY,
    );
    const columns = (this.options.stream as { columns?: number }).columns || 100;
    const rows = this.tasks.map((t) => {
      const mark =
        t.state === "done" || t.state === "skipped"
          ? style.green(MARK[t.state])
          : t.state === "failed"
            ? style.red(MARK[t.state])
            : t.state === "running"
              ? style.bold(MARK[t.state])
              : style.dim(MARK[t.state]);
      const time =
        t.state === "running" && t.started !== undefined
          ? seconds(this.options.now() - t.started)
          : t.ms !== undefined
            ? seconds(t.ms)
            : "";
      const head = `  ${mark} ${t.title.padEnd(width)}  ${time.padStart(6)}`;
      const room = Math.max(0, columns - width - 16);
      const detail =
        t.detail === undefined
          ? ""
          : `  ${t.detail.length > room ? `${t.detail.slice(0, Math.max(0, room - 1))}…` : t.detail}`;
      return detail === "" ? head : `${head}${style.dim(detail)}`;
    });
    this.clear();
    this.options.stream.write(`${redact(rows.join("\n"))}\n`);
    this.drawn = rows.length;
  }
}
