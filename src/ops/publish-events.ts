/** What `publish` reports while it works. Events carry no credentials, ever. */
import type { Exchange } from "../adapters/http/exchange.ts";
import type { ProbeVerdict } from "../adapters/http/probe.ts";
import type { UploadOutcome } from "../core/upload/outcome.ts";

export type PublishEvent =
  | {
      type: "target";
      /** The index name it was chosen by, when it has one. */
      name?: string;
      uploadUrl: string;
      simpleUrl: string;
      username: string;
      /** Whether a password (token) was found. */
      authenticated: boolean;
      files: string[];
      dryRun: boolean;
    }
  | { type: "warning"; message: string; hint?: string }
  | { type: "checked"; errors: number; warnings: number }
  /** What the credential probe proved (see probeUploadCredentials). */
  | {
      type: "credentials";
      verdict: ProbeVerdict;
      url: string;
      status?: number;
      message: string;
      hint?: string;
    }
  | { type: "file-start"; file: string; filename: string; size: number; attempt: number }
  | { type: "file-progress"; file: string; filename: string; sent: number; total: number }
  | { type: "file-retry"; file: string; filename: string; attempt: number; delayMs: number; reason: string }
  /** A simple-page read or the credential probe is asked again after `delayMs`. */
  | {
      type: "retry";
      purpose: "lookup" | "probe";
      url: string;
      attempt: number;
      delayMs: number;
      reason: string;
    }
  | { type: "file-done"; outcome: UploadOutcome }
  /** One HTTP request and how it ended (for --verbose): method, URL, status, timing, bytes. */
  | ({ type: "http" } & Exchange);
