/**
 * Proving that an index takes a credential before anything is published: an upload request the
 * index must refuse for its content, sent with the credential. The indexes checked (PyPI per
 * warehouse's forklift, pypiserver, devpi-server, the embedded index; see docs/publish.md)
 * authenticate before they read the form, so a 401/403 means "not this credential" and a 400
 * means "the credential passed, the form did not". The form is `:action=file_upload` and
 * `protocol_version=1` with no metadata and no `content` part: every index refuses it before it
 * looks a project up, so the probe can never create a project, a release or a file.
 */
import type { Secret } from "../../secret.ts";
import type { ExchangeListener } from "./exchange.ts";
import type { UploadResponse } from "./response.ts";
import { postUpload } from "./upload.ts";

export interface ProbeRequest {
  uploadUrl: string;
  auth?: { username: string; password: Secret };
  userAgent: string;
  stallMs: number;
  deadlineMs: number;
  signal?: AbortSignal;
  onExchange?: ExchangeListener;
}

/**
 * accepted: the index authenticated the request and refused only its content (400, 422).
 * refused: the index refused the credential (401, 403). unproven: any other answer (a redirect,
 * 404/405 from a URL that takes no uploads, 5xx, a 2xx that says nothing about the form).
 */
export type ProbeVerdict = "accepted" | "refused" | "unproven";

export interface ProbeAnswer {
  verdict: ProbeVerdict;
  answer: UploadResponse;
}

/** The form of the probe: an upload action with nothing to upload. */
export const PROBE_FIELDS: readonly (readonly [string, string])[] = [
  [":action", "file_upload"],
  ["protocol_version", "1"],
];

/** The verdict an answer to the probe gives (pure). */
export function probeVerdict(status: number): ProbeVerdict {
  if (status === 401 || status === 403) return "refused";
  if (status === 400 || status === 422) return "accepted";
  return "unproven";
}

/**
 * Sends the probe. Resolves with the index's answer and its verdict; rejects with the upload
 * adapter's TransportError when no complete answer came.
 */
export async function probeUploadCredentials(request: ProbeRequest): Promise<ProbeAnswer> {
  const answer = await postUpload({
    url: request.uploadUrl,
    fields: PROBE_FIELDS,
    ...(request.auth === undefined ? {} : { auth: request.auth }),
    userAgent: request.userAgent,
    stallMs: request.stallMs,
    deadlineMs: request.deadlineMs,
    purpose: "probe",
    ...(request.signal === undefined ? {} : { signal: request.signal }),
    ...(request.onExchange === undefined ? {} : { onExchange: request.onExchange }),
  });
  return { verdict: probeVerdict(answer.status), answer };
}
