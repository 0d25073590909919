/**
 * What `slipway publish` shows while it works: on a TTY a bar per file in flight and one for
 * the whole batch (bytes sent), redrawn in place, with finished files printed above them; in CI
 * or a pipe one plain line per event. Warnings always get a line; with --verbose, so does every
 * request (method, URL, status, bytes, time), every retry of a lookup and the credential probe.
 */
import type { PublishEvent } from "../../ops/publish-events.ts";
import { redact } from "../../redact.ts";
import { renderCredentials, renderRetry, renderWarning } from "../render/publish-events.ts";
import type { Style } from "../style.ts";

export interface PublishProgressOptions {
  stream: NodeJS.WritableStream;
  /** Line-oriented output (CI, pipes). */
  plain: boolean;
  /** Only warnings (--json). */
  quiet: boolean;
  /** A line per request and per retry (--verbose). */
  verbose: boolean;
  style: Style;
}

type HttpEvent = Extract<PublishEvent, { type: "http" }>;

/** `POST http://host/legacy/ (upload) → 200 OK, 1.4 KiB sent, 0 B received in 31 ms` */
export function requestLine(e: HttpEvent): string {
  const answer =
    e.status === undefined
      ? `no answer (${e.error ?? "?"})`
      : `${e.status}${e.reason ? ` ${e.reason}` : ""}${e.error === undefined ? "" : ` (${e.error})`}`;
  const bytes = e.method === "POST" ? `${size(e.sent)} sent, ${size(e.received)} received` : size(e.received);
  return `http: ${e.method} ${e.url} (${e.purpose}) → ${answer}, ${bytes} in ${e.ms} ms`;
}

export const size = (n: number): string =>
  n < 1024
    ? `${n} B`
    : n < 1024 * 1024
      ? `${(n / 1024).toFixed(1)} KiB`
      : n < 1024 ** 3
        ? `${(n / 1024 / 1024).toFixed(1)} MiB`
        : `${(n / 1024 ** 3).toFixed(2)} GiB`;

const BAR = 24;

function bar(done: number, total: number): string {
  const filled = total <= 0 ? BAR : Math.min(BAR, Math.floor((done / total) * BAR));
  return `${"█".repeat(filled)}${"░".repeat(BAR - filled)}`;
}

interface Active {
  filename: string;
  sent: number;
  total: number;
  attempt: number;
}

export class PublishProgress {
  private readonly options: PublishProgressOptions;
  private readonly active = new Map<string, Active>();
  private files = 0;
  private finished = 0;
  /** Bytes of finished uploads plus bytes in flight, over bytes of every upload started. */
  private doneBytes = 0;
  private startedBytes = 0;
  private drawn = 0;
  private timer: NodeJS.Timeout | undefined;
  /** When the first upload began (the rate leaves the checks out). */
  private started: number | undefined;

  constructor(options: PublishProgressOptions) {
    this.options = options;
  }

  event(event: PublishEvent): void {
    const { plain, quiet, style } = this.options;
    if (event.type === "warning") {
      const { message, hint } = renderWarning(event);
      this.line(`${style.yellow("warning")}: ${message}${hint ? `\n  hint: ${hint}` : ""}`);
      return;
    }
    if (quiet) return;
    const verbose = this.options.verbose ? this.verboseLine(event) : undefined;
    if (verbose !== undefined) {
      this.line(verbose);
      return;
    }
    switch (event.type) {
      case "target": {
        this.files = event.files.length;
        const who = event.authenticated ? ` as ${event.username}` : " without credentials";
        const verb = event.dryRun ? "dry run: would publish" : "publishing";
        this.line(
          `slipway publish: ${verb} ${event.files.length} file${event.files.length === 1 ? "" : "s"} to ${event.uploadUrl}${who} (looking files up in ${event.simpleUrl})`,
        );
        return;
      }
      case "checked":
        this.line(
          `checks: ${event.errors} error${event.errors === 1 ? "" : "s"}, ${event.warnings} warning${event.warnings === 1 ? "" : "s"}`,
        );
        return;
      case "file-start":
        if (event.attempt === 1) this.startedBytes += event.size;
        this.started ??= performance.now();
        this.active.set(event.filename, {
          filename: event.filename,
          sent: 0,
          total: event.size,
          attempt: event.attempt,
        });
        if (plain)
          this.line(
            `uploading ${event.filename} (${size(event.size)})${event.attempt > 1 ? `, attempt ${event.attempt}` : ""}`,
          );
        else this.schedule();
        return;
      case "file-progress": {
        const a = this.active.get(event.filename);
        if (a !== undefined) {
          a.sent = event.sent;
          a.total = event.total;
        }
        if (!plain) this.schedule();
        return;
      }
      case "file-retry":
        this.line(`${style.yellow("retry")}: ${renderRetry(event)}`);
        return;
      case "attested":
        this.line(
          event.action === "replaced"
            ? `${style.yellow("attestation replaced")} for ${event.file}: ${event.reason ?? "it did not verify"}`
            : `attestation ${event.action === "reused" ? "verified and kept" : "made"} for ${event.file}`,
        );
        return;
      case "file-done": {
        const o = event.outcome;
        this.active.delete(o.filename);
        this.finished++;
        if (o.attempts > 0) this.doneBytes += o.size;
        const mark =
          o.status === "uploaded" || o.status === "exists-identical" || o.status === "would-upload"
            ? style.green(o.status)
            : style.red(o.status);
        this.line(`${mark} ${o.filename}${o.status === "uploaded" ? ` (${size(o.size)})` : ""}`);
        return;
      }
    }
  }

  /** The --verbose line of a request, a retry of a lookup or the probe, or the credential proof. */
  private verboseLine(event: PublishEvent): string | undefined {
    const { style } = this.options;
    if (event.type === "http") return style.dim(requestLine(event));
    if (event.type === "retry") return `${style.yellow("retry")}: ${renderRetry(event)}`;
    if (event.type === "credentials") return `credentials: ${renderCredentials(event)}`;
    return undefined;
  }

  /** Clears the bars; call before printing results. */
  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.clear();
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.draw();
    }, 100);
    this.timer.unref();
  }

  private clear(): void {
    if (this.options.plain || this.drawn === 0) return;
    this.options.stream.write(`\u001b[${this.drawn}A\r\u001b[J`);
    this.drawn = 0;
  }

  private draw(): void {
    if (this.options.plain) return;
    const { style } = this.options;
    this.clear();
    const lines: string[] = [];
    for (const a of this.active.values()) {
      const again = a.attempt > 1 ? style.dim(` (attempt ${a.attempt})`) : "";
      lines.push(
        `  ${bar(a.sent, a.total)} ${size(a.sent).padStart(10)} / ${size(a.total)}  ${a.filename}${again}`,
      );
    }
    const inFlight = [...this.active.values()].reduce((n, a) => n + Math.min(a.sent, a.total), 0);
    const sent = this.doneBytes + inFlight;
    const seconds = this.started === undefined ? 0 : (performance.now() - this.started) / 1000;
    const rate = seconds > 0.5 ? `${size(sent / seconds)}/s` : "";
    lines.push(
      style.bold(
        `  ${bar(sent, this.startedBytes)} ${size(sent).padStart(10)} / ${size(this.startedBytes)}  ${this.finished}/${this.files} files  ${rate}`,
      ),
    );
    this.options.stream.write(`${lines.join("\n")}\n`);
    this.drawn = lines.length;
  }

  /** A permanent line above the bars. */
  private line(text: string): void {
    this.clear();
    this.options.stream.write(`${redact(text)}\n`);
    if (!this.options.plain && this.active.size > 0) this.draw();
  }
}
