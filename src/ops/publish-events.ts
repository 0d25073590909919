/** What `publish` reports while it works. Events carry no credentials, ever. */
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
  | { type: "file-start"; file: string; filename: string; size: number; attempt: number }
  | { type: "file-progress"; file: string; filename: string; sent: number; total: number }
  | { type: "file-retry"; file: string; filename: string; attempt: number; delayMs: number; reason: string }
  | { type: "file-done"; outcome: UploadOutcome };
