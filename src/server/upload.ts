/** The legacy upload API (`POST /legacy/`): auth, form, digests, PEP 658 metadata, commit. */
import { createHash, timingSafeEqual } from "node:crypto";
import { createReadStream } from "node:fs";
import { unlink } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { describePublisher } from "../core/attest/identity.ts";
import { provenanceFor } from "../core/attest/provenance.ts";
import type { TrustRoot } from "../core/attest/verify.ts";
import {
  type ClaimedDigests,
  checkDigests,
  checkUploadForm,
  conflictMessage,
  parseAuthorization,
} from "../core/upload/index-rules.ts";
import { checkDistIdentity, readDistMetadata } from "./dist-identity.ts";
import type { IndexEvent } from "./events.ts";
import { type MintedScope, publisherFor } from "./oidc/mint.ts";
import { BodyTimeout, blake2Hasher, FormError, receiveForm } from "./receive-form.ts";
import { type Headers, masked, sendError } from "./respond.ts";
import type { IndexStore } from "./store.ts";

export interface UploadContext {
  store: IndexStore;
  token: string;
  emit: (event: IndexEvent) => void;
  now: () => Date;
  /** 408 when the body stalls this long (no byte). */
  idleMs: number;
  /** 408 when the body is not complete this long after the request started. */
  deadlineMs: number;
  /** Trusted publishing: the scope of a token minted at `/_/oidc/mint-token`, if it is one. */
  mintedScope?: (token: string) => MintedScope | undefined;
  /** The Sigstore trust root uploaded attestations are verified against (read when first needed). */
  /** The trust root for attestations, read on the first upload that carries some. */
  attestationTrust: () => Promise<TrustRoot>;
}

interface Refusal {
  status: 401 | 403;
  message: string;
  headers?: Headers;
}

function sameSecret(a: string, b: string): boolean {
  // Hash first so the comparison is constant-time whatever the lengths.
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}

/** Reads are open; uploads need `__token__:<token>` (401 invites credentials, 403 refuses wrong ones). */
export function authorize(header: string | undefined, token: string): Refusal | undefined {
  if (header === undefined || header.trim() === "") {
    return {
      status: 401,
      message:
        "Authentication required: upload with the username __token__ and this index's token as password.",
      headers: { "WWW-Authenticate": 'Basic realm="slipway"' },
    };
  }
  const credentials = parseAuthorization(header);
  const invalid = "Invalid or non-existent authentication information";
  if (credentials === undefined)
    return { status: 403, message: `${invalid}: unsupported Authorization header.` };
  if (credentials.kind === "basic" && credentials.username !== "__token__") {
    return {
      status: 403,
      message: `${invalid}: use the username __token__ with the index's token (passwords are not supported).`,
    };
  }
  const given = credentials.kind === "basic" ? credentials.password : credentials.token;
  if (!sameSecret(given, token))
    return { status: 403, message: `${invalid}: the token is not this index's token.` };
  return undefined;
}

/**
 * The scope of the request's credential when it is a token minted by trusted publishing
 * (`__token__:<minted>`); a refusal once it has expired (PyPI's caveat text "token is expired").
 */
function mintedCredential(
  header: string | undefined,
  ctx: UploadContext,
): { scope: MintedScope } | Refusal | undefined {
  if (ctx.mintedScope === undefined) return undefined;
  const credentials = parseAuthorization(header);
  if (credentials === undefined || (credentials.kind === "basic" && credentials.username !== "__token__"))
    return undefined;
  const scope = ctx.mintedScope(credentials.kind === "basic" ? credentials.password : credentials.token);
  if (scope === undefined) return undefined;
  if (Math.floor(ctx.now().getTime() / 1000) >= scope.expires) {
    return {
      status: 403,
      message: "Invalid API Token: token is expired. Mint a new one with trusted publishing.",
    };
  }
  return { scope };
}

/** Digests the client announced only after the content part, computed by reading the file again. */
async function lateDigests(
  path: string,
  claimed: ClaimedDigests,
  have: ClaimedDigests,
): Promise<ClaimedDigests> {
  const blake2 =
    claimed.blake2_256 !== undefined && have.blake2_256 === undefined ? await blake2Hasher() : undefined;
  const md5 = claimed.md5 !== undefined && have.md5 === undefined ? createHash("md5") : undefined;
  if (!blake2 && !md5) return have;
  for await (const chunk of createReadStream(path)) {
    blake2?.update(chunk as Buffer);
    md5?.update(chunk as Buffer);
  }
  return {
    ...have,
    ...(blake2 ? { blake2_256: blake2.hex() } : {}),
    ...(md5 ? { md5: md5.digest("hex") } : {}),
  };
}

function sendOk(res: ServerResponse, message: string): void {
  const body = message === "" ? "" : `${masked(res, message)}\n`;
  res.writeHead(200, {
    "Content-Type": "text/plain; charset=utf-8",
    "Content-Length": Buffer.byteLength(body),
  });
  res.end(body);
}

/**
 * The upload's `attestations` field, verified (issue 15): the provenance object to store beside
 * the file, PyPI's 400 text, or undefined when there is nothing to store. A file already here
 * (identical or not) is answered before its attestations are looked at, as forklift does.
 */
async function checkUploadAttestations(
  ctx: UploadContext,
  values: readonly string[] | undefined,
  upload: { scope: MintedScope | undefined; project: string; filename: string; sha256: string },
): Promise<{ ok: true; provenance: string } | { ok: false; message: string } | undefined> {
  if (values === undefined) return undefined;
  if ((await ctx.store.describe(upload.project, upload.filename)) !== undefined) return undefined;
  const { scope, project, filename, sha256 } = upload;
  const publisher = scope === undefined ? undefined : publisherFor(scope, project);
  // Sigstore's verifier loads with the first attestations, not with every index.
  const { ATTESTATIONS_REFUSED, checkAttestations } = await import("./attestations.ts");
  const checked = checkAttestations({
    values,
    publisher,
    issuer: scope?.issuer,
    dist: { filename, sha256 },
    trust: await ctx.attestationTrust(),
  });
  const base = {
    type: "attestation",
    project,
    filename,
    publisher: publisher === undefined ? "" : describePublisher(publisher.identity),
  } as const;
  if (!checked.ok) {
    ctx.emit({ ...base, outcome: "refused", predicateTypes: [], reason: checked.reason });
    return { ok: false, message: `${ATTESTATIONS_REFUSED}${checked.reason}` };
  }
  ctx.emit({ ...base, outcome: "verified", predicateTypes: checked.predicateTypes, reason: "" });
  const provenance = provenanceFor(checked.publisher.identity, checked.attestations);
  return { ok: true, provenance: `${JSON.stringify(provenance)}\n` };
}

/** Handles one upload request from the first byte to the answer; never throws. */
export async function handleUpload(
  ctx: UploadContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  // A body left unread is not worth a kept-alive connection: the client may drip it forever.
  const closing = (): Headers => (req.complete ? {} : { Connection: "close" });
  const minted = mintedCredential(req.headers.authorization, ctx);
  const refusal =
    minted === undefined
      ? authorize(req.headers.authorization, ctx.token)
      : "status" in minted
        ? minted
        : undefined;
  if (refusal) {
    sendError(req, res, refusal.status, refusal.message, { ...refusal.headers, ...closing() });
    return;
  }
  if (!/^multipart\/form-data\s*;/i.test(req.headers["content-type"] ?? "")) {
    const message = "Upload requires a multipart/form-data body with ':action=file_upload'.";
    sendError(req, res, 400, message, closing());
    return;
  }
  let temp: string | undefined;
  // The answer goes out once the temp file is gone: a refused client finds nothing left behind.
  let answer: (() => void) | undefined;
  const refuse = (status: number, message: string) => {
    const headers = closing();
    answer = () => sendError(req, res, status, message, headers);
  };
  try {
    const received = await receiveForm(req, {
      tempFor: (filename) => ctx.store.tempPath(filename),
      onTemp: (path) => {
        temp = path;
      },
      idleMs: ctx.idleMs,
      deadlineMs: ctx.deadlineMs,
    });
    if (received.problem !== undefined) return refuse(400, received.problem);
    const checked = checkUploadForm(received.form);
    if (!checked.ok) return refuse(400, checked.error);
    const request = checked.value;
    // A minted token uploads only to its publisher's projects (PyPI's ProjectID caveat).
    if (minted !== undefined && "scope" in minted && !minted.scope.projects.includes(request.project)) {
      return refuse(
        403,
        `The given token isn't allowed to upload to project '${request.project}': it was minted by trusted publishing for ${minted.scope.projects.join(", ")}.`,
      );
    }
    if (received.temp === undefined) return refuse(400, "Upload payload does not have a file.");
    const digests = await lateDigests(received.temp, request.digests, received.digests);
    const mismatch = checkDigests(request.digests, digests);
    if (mismatch !== undefined) return refuse(400, mismatch);
    // The archive must say it is what the filename and form say (PyPI: "Invalid distribution file").
    const found = await readDistMetadata(received.temp, request.filename);
    if (typeof found === "string") return refuse(400, `Invalid distribution file. ${found}`);
    const contradiction = checkDistIdentity(found, request.name, request.version);
    if (contradiction !== undefined) return refuse(400, contradiction);
    // PEP 658 metadata is served for wheels only: an sdist's PKG-INFO may not be final.
    const metadata = request.filetype === "bdist_wheel" ? found.bytes : undefined;
    const sha256 = digests.sha256 ?? "";
    const attested = await checkUploadAttestations(ctx, received.form.fields.get("attestations"), {
      scope: minted !== undefined && "scope" in minted ? minted.scope : undefined,
      project: request.project,
      filename: request.filename,
      sha256,
    });
    if (attested !== undefined && !attested.ok) return refuse(400, attested.message);
    const result = await ctx.store.commit({
      project: request.project,
      filename: request.filename,
      temp: received.temp,
      sha256,
      size: received.size,
      requiresPython: request.requiresPython,
      uploadTime: ctx.now().toISOString(),
      ...(metadata === undefined ? {} : { metadata }),
      ...(attested === undefined ? {} : { provenance: attested.provenance }),
    });
    temp = undefined;
    const base = {
      type: "upload",
      project: request.project,
      filename: request.filename,
      sha256,
      size: received.size,
    };
    ctx.emit({ ...base, outcome: result.outcome } as IndexEvent);
    if (result.outcome === "conflict") {
      return refuse(409, conflictMessage(request.filename, result.storedSha256, sha256));
    }
    answer = () =>
      sendOk(
        res,
        result.outcome === "identical" ? `${request.filename} is already here with the same sha256.` : "",
      );
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // `req.destroyed` says nothing here: a request is destroyed once its body is read. The socket says whether anyone listens.
    if (res.destroyed || req.socket.destroyed) {
      // The client is gone: nobody reads an answer, and no partial file was ever made visible.
      ctx.emit({ type: "warning", kind: "upload-aborted", error: message });
      res.destroy();
      return;
    }
    if (error instanceof BodyTimeout) {
      ctx.emit({ type: "warning", kind: "upload-timed-out", error: message });
      return refuse(408, message);
    }
    if (error instanceof FormError) return refuse(400, `${message}.`);
    ctx.emit({ type: "warning", kind: "upload-failed", error: message });
    if (!res.headersSent) refuse(500, `The index could not store the upload: ${message}`);
  } finally {
    if (temp !== undefined) await unlink(temp).catch(() => undefined);
    answer?.();
  }
}
