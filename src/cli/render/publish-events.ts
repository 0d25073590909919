/**
 * The English of `publish` events: the library reports what happened as data (ops/publish-events.ts)
 * and these turn it into the lines people read. Pure: the caller writes and redacts.
 */
import type { UploadUrlLint } from "../../core/upload/targets.ts";
import type { AttemptCause, PublishEvent, PublishWarning } from "../../ops/publish-events.ts";

type Retry = Extract<PublishEvent, { type: "retry" | "file-retry" }>;
type Credentials = Extract<PublishEvent, { type: "credentials" }>;

type Answer = Extract<AttemptCause, { kind: "answer" }>;

/** "answered 403 Forbidden: <its words>" */
const answered = (cause: Answer): string =>
  `answered ${cause.status}${cause.reason === undefined ? "" : ` ${cause.reason}`}${cause.words === undefined ? "" : `: ${cause.words}`}`;

/** "the index answered 403 Forbidden: <its words>", or the transport error as it is. */
export function renderCause(cause: AttemptCause): string {
  return cause.kind === "transport" ? cause.error : `the index ${answered(cause)}`;
}

/** What is wrong with an upload URL, and the right one when it is known. */
export function renderUploadUrlLint(lint: UploadUrlLint): string {
  switch (lint.kind) {
    case "pypi-no-slash":
      return `${lint.url} lacks the trailing slash; PyPI redirects it, which uploads cannot follow: use ${lint.use}`;
    case "not-pypi-upload":
      return `${lint.url} is not PyPI's upload URL: use ${lint.use}`;
    case "pypi-website":
      return `${lint.url} is PyPI's website, not its upload API: use ${lint.use}`;
    case "simple-url":
      return `${lint.url} looks like a simple-index (download) URL; the upload URL differs (PyPI: /legacy/, devpi: the index URL without +simple, pypiserver: the server root)`;
    case "no-trailing-slash":
      return `${lint.url} probably needs a trailing slash (/legacy/)`;
  }
}

/** A warning as one line and the next step, when there is one. */
export function renderWarning(warning: PublishWarning): { message: string; hint?: string } {
  switch (warning.kind) {
    case "upload-url":
      return { message: renderUploadUrlLint(warning.lint) };
    case "no-credentials":
      return {
        message: `no password or token found for ${warning.uploadUrl}: uploading without credentials`,
        hint: "Pass --password-stdin, set TWINE_PASSWORD, or add a password to .pypirc.",
      };
    case "credentials-unproven":
      return {
        message: `could not prove the credentials for ${warning.url}: ${renderCause(warning.cause)}`,
        ...(warning.hint === undefined ? {} : { hint: warning.hint }),
      };
    case "field-dropped":
      return {
        message: `${warning.filename}: not sent: ${warning.field} (${warning.count}): Metadata-Version ${warning.metadataVersion} is below 2.4, where PyPI refuses License-File`,
      };
    case "exists-but-absent":
      return {
        message: `the index refused ${warning.filename} as if it existed (${warning.status}), but ${warning.pageUrl} is 404`,
        hint: "Check --check-url: a wrong simple URL makes every file look absent.",
      };
  }
}

/**
 * `lookup <url>: answered 500 Internal Server Error; attempt 2 in 0.5 s` (a simple-page read or the
 * probe) or `<filename>: the index answered 429 …; attempt 2 in 0.5 s` (an upload). The URL is
 * in a lookup's line already, so its answer does not say "the index".
 */
export function renderRetry(event: Retry): string {
  const wait = `attempt ${event.attempt} in ${(event.delayMs / 1000).toFixed(1)} s`;
  if (event.type === "file-retry") return `${event.filename}: ${renderCause(event.cause)}; ${wait}`;
  const why =
    event.purpose === "lookup" && event.cause.kind === "answer"
      ? answered(event.cause)
      : renderCause(event.cause);
  return `${event.purpose} ${event.url}: ${why}; ${wait}`;
}

/** `accepted by <url>: the index answered 400 Bad Request: <its words>` */
export function renderCredentials(event: Credentials): string {
  return `${event.verdict} by ${event.url}: ${renderCause(event.cause)}`;
}
