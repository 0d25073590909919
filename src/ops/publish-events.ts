/**
 * What `publish` reports while it works, as data: each event names what happened and carries the
 * facts (file, URL, status, counts); the CLI turns them into sentences (cli/render/publish-events.ts)
 * or JSON lines. Events carry no credentials, ever.
 */
import type { Exchange } from "../adapters/http/exchange.ts";
import type { ProbeVerdict } from "../adapters/http/probe.ts";
import type { DroppedField } from "../core/upload/form.ts";
import type { UploadOutcome } from "../core/upload/outcome.ts";
import type { UploadUrlLint } from "../core/upload/targets.ts";

/**
 * Why an attempt did not settle: the index's answer (status, reason phrase and its own words), or
 * no complete answer (the transport error, which names the URL and what was being done).
 */
export type AttemptCause =
  | { kind: "answer"; status: number; reason?: string; words?: string }
  | { kind: "transport"; error: string };

/** What the credential probe proved, without the sentence: the verdict and the index's answer. */
export interface CredentialFacts {
  verdict: ProbeVerdict;
  /** The upload URL asked, as shown (no userinfo). */
  url: string;
  cause: AttemptCause;
  /** The next step, when the answer calls for one. */
  hint?: string;
}

/**
 * Something the user should know that does not stop the batch:
 * - `upload-url`: the upload URL looks like a known mistake (`lint`: which, and the right URL);
 * - `no-credentials`: no password or token was found, so files go without credentials;
 * - `credentials-unproven`: the probe could not tell whether the index takes the credentials;
 * - `field-dropped`: a metadata field left out of a file's upload form (see DroppedField);
 * - `exists-but-absent`: the index refused a file as if it existed, yet its simple page is 404.
 */
export type PublishWarning =
  | { kind: "upload-url"; uploadUrl: string; lint: UploadUrlLint }
  | { kind: "no-credentials"; uploadUrl: string }
  | ({ kind: "credentials-unproven" } & Omit<CredentialFacts, "verdict">)
  | ({ kind: "field-dropped"; filename: string } & DroppedField)
  | { kind: "exists-but-absent"; filename: string; status: number; pageUrl: string };

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
  | ({ type: "warning" } & PublishWarning)
  | { type: "checked"; errors: number; warnings: number }
  /** What the credential probe proved (see probeUploadCredentials). */
  | ({ type: "credentials" } & CredentialFacts)
  | { type: "file-start"; file: string; filename: string; size: number; attempt: number }
  | { type: "file-progress"; file: string; filename: string; sent: number; total: number }
  | {
      type: "file-retry";
      file: string;
      filename: string;
      /** The attempt about to be made (2 for the first retry). */
      attempt: number;
      delayMs: number;
      cause: AttemptCause;
    }
  /** A simple-page read or the credential probe is asked again after `delayMs`. */
  | {
      type: "retry";
      purpose: "lookup" | "probe";
      url: string;
      attempt: number;
      delayMs: number;
      cause: AttemptCause;
    }
  | { type: "file-done"; outcome: UploadOutcome }
  /** A file's PEP 740 attestation, made, kept (it verified) or replaced (it did not: `reason`). */
  | { type: "attested"; file: string; action: "created" | "reused" | "replaced"; reason?: string }
  /** One HTTP request and how it ended (for --verbose): method, URL, status, timing, bytes. */
  | ({ type: "http" } & Exchange);

/** Every kind of publish warning, for renderers that must cover them all. */
export type PublishWarningKind = PublishWarning["kind"];
