/**
 * The embedded staging index: a PyPI-compatible index on node:http, backed by a directory. It
 * takes uploads on the legacy API (`/legacy/`, and `/`), serves the simple API (`/simple/`, PEP
 * 503 HTML and PEP 691 JSON) and the files (`/files/<project>/<filename>` plus PEP 658
 * `.metadata`), and can fall back to an upstream index for projects it does not host. With
 * trusted publishing it verifies PEP 740 attestations sent with uploads and serves the provenance
 * (`/integrity/<project>/<version>/<filename>/provenance`).
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import type { TrustRoot } from "../core/attest/verify.ts";
import { isNormalizedName, isValidName, normalizeName } from "../core/names/name.ts";
import { negotiateSimple, SIMPLE_OFFERS } from "../core/simple/negotiate.ts";
import { SlipwayError } from "../errors.ts";
import type { IndexEvent } from "./events.ts";
import { serveFile } from "./files.ts";
import { serveProvenance } from "./integrity.ts";
import { loggableTarget, maskFields, tokenMask } from "./log-safety.ts";
import type { TrustedPublishingConfig } from "./oidc/config.ts";
import { handleAudience, handleMint, TrustedPublishing } from "./oidc/mint.ts";
import { guardResponse, redirect, sendBody, sendError } from "./respond.ts";
import { type SimpleContext, serveIndex, serveProject } from "./simple.ts";
import { IndexStore } from "./store.ts";
import { handleUpload, type UploadContext } from "./upload.ts";

export type { IndexEvent } from "./events.ts";

export interface IndexServerOptions {
  /** Directory holding the index (created when missing). */
  root: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** Upload token (password for the username `__token__`); default: a random one, see `RunningIndex.token`. */
  token?: string;
  /** Base URL of an upstream simple index (e.g. https://pypi.org/simple/) for projects not hosted here. */
  upstream?: string;
  /**
   * Projects this index answers for alone, even before their first upload: never proxied from
   * upstream (the project being released, whose version may already be on upstream).
   */
  ownProjects?: readonly string[];
  /** An upload whose body sends no byte for this long is answered 408 (default 30 s). */
  uploadIdleTimeoutMs?: number;
  /** An upload whose body is not complete this long after it started is answered 408 (default 30 min). */
  uploadDeadlineMs?: number;
  /**
   * Trusted publishing (`/_/oidc/audience`, `/_/oidc/mint-token`), as PyPI: without it both
   * answer "not enabled". Minted tokens upload only to their publisher's projects, until expiry.
   */
  trustedPublishing?: TrustedPublishingConfig;
  /**
   * The Sigstore trust root PEP 740 attestations on uploads are verified against (a
   * trusted_root.json read with `readTrustRoot`); default: Sigstore's public good, as PyPI.
   */
  attestationTrustRoot?: TrustRoot;
  /** The clock for JWT checks and minted-token expiry, in ms since the epoch (tests). */
  now?: () => number;
  onEvent?: (event: IndexEvent) => void;
}

export interface RunningIndex {
  /** `http://127.0.0.1:PORT/` */
  url: string;
  /** `url + "legacy/"`: the repository URL for twine, `uv publish` and `slipway publish`. */
  uploadUrl: string;
  /** `url + "simple/"`: the index URL for pip and uv. */
  simpleUrl: string;
  token: string;
  /** Stops accepting connections and resolves once the requests in flight are answered. */
  close(): Promise<void>;
}

interface Routes {
  trustedPublishing: TrustedPublishing | undefined;
  upload: UploadContext;
  simple: SimpleContext;
  emit: (event: IndexEvent) => void;
}

const UNSAFE_SEGMENT = /[/\\\u0000-\u001f\u007f]/;

function landingPage(): string {
  return [
    "<!DOCTYPE html>",
    "<html><head><title>slipway staging index</title></head><body>",
    "<h1>slipway staging index</h1>",
    '<p>Simple API: <a href="simple/">simple/</a>. Uploads: POST to <code>legacy/</code>.</p>',
    "</body></html>",
    "",
  ].join("\n");
}

function methodNotAllowed(req: IncomingMessage, res: ServerResponse, allow: string, message: string): void {
  sendError(req, res, 405, message, { Allow: allow });
}

async function route(routes: Routes, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = req.method ?? "GET";
  const target = req.url ?? "/";
  // Origin-form targets are appended (so `//x` stays a path); absolute-form ones parse as they are.
  const url = URL.parse(target.startsWith("/") ? `http://index.invalid${target}` : target);
  if (url === null) return sendError(req, res, 400, "Malformed request target.");
  const raw = url.pathname.split("/").slice(1);
  let segments: string[];
  try {
    segments = raw.map((s) => decodeURIComponent(s));
  } catch {
    return sendError(req, res, 400, `Malformed URL path '${url.pathname}'.`);
  }
  if (segments.some((s) => UNSAFE_SEGMENT.test(s) || s === "." || s === "..")) {
    return sendError(req, res, 400, "Invalid path: a segment holds '/', '\\', '..' or a control character.");
  }
  const [first = "", second, third] = segments;
  const isRead = method === "GET" || method === "HEAD";
  if (segments.length === 1 && first === "" && method === "POST")
    return handleUpload(routes.upload, req, res);
  if (segments.length === 2 && first === "legacy" && second === "") {
    if (method === "POST") return handleUpload(routes.upload, req, res);
    return methodNotAllowed(req, res, "POST", "The upload API takes POST requests; install from /simple/.");
  }
  // PyPI answers the slash-less upload URL with a 308 (forklift missing_trailing_slash_redirect).
  if (segments.length === 1 && first === "legacy") return redirect(res, 308, `/legacy/${url.search}`);
  if (segments.length === 1 && first === "simple") return redirect(res, 301, `/simple/${url.search}`);
  if (first === "simple" && !isRead) {
    return methodNotAllowed(
      req,
      res,
      "GET, HEAD",
      "This is the simple API (for installs); upload to /legacy/.",
    );
  }
  if (first === "_" && second === "oidc") {
    const rest = segments.slice(2).join("/");
    if (rest === "audience") {
      if (!isRead) return methodNotAllowed(req, res, "GET, HEAD", "The audience is read with GET.");
      return handleAudience(routes.trustedPublishing, req, res);
    }
    // `github/mint-token`: the legacy alias older gh-action-pypi-publish releases call.
    if (rest === "mint-token" || rest === "github/mint-token") {
      if (method !== "POST")
        return methodNotAllowed(req, res, "POST", 'Mint a token with POST {"token": "<JWT>"}.');
      return handleMint(routes.trustedPublishing, req, res, (result) =>
        routes.emit({
          type: "mint",
          outcome: result.ok ? "minted" : "refused",
          issuer: result.issuer ?? "",
          subject: result.subject ?? "",
          projects: result.ok ? result.projects : [],
          code: result.ok ? "" : result.code,
          description: result.ok ? "" : result.description,
        }),
      );
    }
  }
  if (segments.length === 1 && first === "" && isRead) {
    return sendBody(req, res, 200, landingPage(), { "Content-Type": "text/html; charset=utf-8" });
  }
  if (first === "simple" && segments.length <= 3 && (segments.length < 3 || third === "")) {
    const name = second ?? "";
    const contentType = negotiateSimple(req.headers.accept, url.searchParams.get("format"));
    if (name !== "" && (!isNormalizedName(name) || segments.length === 2)) {
      // Clients must ask for the normalized name; PyPI redirects the others (301), and adds the slash.
      if (!isValidName(name)) return sendError(req, res, 404, `'${name}' is not a valid project name.`);
      return redirect(res, 301, `/simple/${normalizeName(name)}/${url.search}`);
    }
    if (contentType === undefined) {
      return sendError(req, res, 406, `Not acceptable: this index answers ${SIMPLE_OFFERS.join(", ")}.`);
    }
    return name === ""
      ? serveIndex(routes.simple, req, res, contentType)
      : serveProject(routes.simple, req, res, name, contentType);
  }
  if (first === "integrity" && segments.length === 5 && segments[4] === "provenance") {
    if (!isRead) return methodNotAllowed(req, res, "GET, HEAD", "Provenance is read with GET.");
    const [, project = "", version = "", filename = ""] = segments;
    return serveProvenance(routes.simple.store, req, res, { project, version, filename });
  }
  if (first === "files" && segments.length === 3 && second !== undefined && third !== undefined) {
    if (!isRead) return methodNotAllowed(req, res, "GET, HEAD", "Files are read-only.");
    return serveFile(routes.simple.store, req, res, second, third);
  }
  return sendError(req, res, 404, `Nothing at '${url.pathname}' on this index; try /simple/ or /legacy/.`);
}

const DEFAULT_IDLE_MS = 30_000;
// A 1 GiB file (PyPI's largest) at under 1 MB/s.
const DEFAULT_DEADLINE_MS = 30 * 60_000;

function positiveMs(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) {
    throw new SlipwayError("usage", `${name} must be a positive number of milliseconds, not ${value}`);
  }
  return value;
}

function hostForUrl(address: AddressInfo): string {
  if (address.address === "0.0.0.0") return "127.0.0.1";
  if (address.address === "::") return "[::1]";
  return address.family === "IPv6" ? `[${address.address}]` : address.address;
}

interface CheckedOptions {
  upstream: string | undefined;
  ownProjects: Set<string>;
  token: string;
  idleMs: number;
  deadlineMs: number;
}

/** The options, validated and with their defaults, before anything touches the disk. */
function checkOptions(options: IndexServerOptions): CheckedOptions {
  let upstream: string | undefined;
  if (options.upstream !== undefined) {
    const parsed = URL.canParse(options.upstream) ? new URL(options.upstream) : undefined;
    if (!parsed || (parsed.protocol !== "http:" && parsed.protocol !== "https:")) {
      throw new SlipwayError("usage", `upstream '${options.upstream}' is not an http(s) URL`, {
        hint: "Give the simple API's base URL, e.g. https://pypi.org/simple/",
      });
    }
    upstream = parsed.href.endsWith("/") ? parsed.href : `${parsed.href}/`;
  }
  const ownProjects = new Set<string>();
  for (const name of options.ownProjects ?? []) {
    if (!isValidName(name)) {
      throw new SlipwayError("usage", `'${name}' is not a valid project name`, {
        hint: "Give the project's name as pyproject.toml spells it (letters, digits, '.', '_', '-').",
      });
    }
    ownProjects.add(normalizeName(name));
  }
  if (options.token === "") {
    throw new SlipwayError("usage", "the index's upload token is empty", {
      hint: "Give a non-empty token, or none for a random one.",
    });
  }
  const token = options.token ?? randomBytes(24).toString("base64url");
  const idleMs = positiveMs(options.uploadIdleTimeoutMs, DEFAULT_IDLE_MS, "uploadIdleTimeoutMs");
  const deadlineMs = positiveMs(options.uploadDeadlineMs, DEFAULT_DEADLINE_MS, "uploadDeadlineMs");
  return { upstream, ownProjects, token, idleMs, deadlineMs };
}

/**
 * Starts the index on `host:port` (default 127.0.0.1 and a free port), serving `root`. Resolves
 * once it listens; `close()` stops it. Uploads need the token (random unless given).
 */
export async function startIndex(options: IndexServerOptions): Promise<RunningIndex> {
  const { upstream, ownProjects, token, idleMs, deadlineMs } = checkOptions(options);
  const store = new IndexStore(resolve(options.root));
  try {
    await store.init();
  } catch (cause) {
    throw new SlipwayError(
      "io",
      `cannot use ${options.root} as the index directory: ${(cause as Error).message}`,
      {
        hint: "Pass --root with a writable directory.",
        cause,
      },
    );
  }
  const mask = tokenMask(token);
  // Every event leaves with the token masked in each text, whatever field carries it.
  const emit = (event: IndexEvent) => {
    try {
      options.onEvent?.(maskFields(event, mask));
    } catch {
      // A listener's failure must not take a request down with it.
    }
  };
  const clock = options.now ?? Date.now;
  const trustedPublishing =
    options.trustedPublishing === undefined
      ? undefined
      : new TrustedPublishing(options.trustedPublishing, { now: clock });
  // Known once the server listens; no request is served before.
  let url = "";
  const routes: Routes = {
    trustedPublishing,
    upload: {
      store,
      token,
      emit,
      now: () => new Date(clock()),
      idleMs,
      deadlineMs,
      attestationTrust: async () =>
        options.attestationTrustRoot ?? (await import("../core/attest/verify.ts")).publicGoodTrustRoot(),
      ...(trustedPublishing === undefined
        ? {}
        : { mintedScope: (t: string) => trustedPublishing.scopeOf(t) }),
    },
    simple: {
      store,
      emit,
      ownProjects,
      selfUrl: () => url,
      ...(upstream === undefined ? {} : { upstream }),
    },
    emit,
  };
  const server = createServer((req, res) => {
    const started = performance.now();
    guardResponse(res, mask);
    // Query values and userinfo never reach a log line (they may carry credentials).
    const shown = loggableTarget(req.url ?? "");
    res.on("close", () => {
      const durationMs = Math.round((performance.now() - started) * 10) / 10;
      emit({
        type: "request",
        method: req.method ?? "",
        path: shown,
        status: res.statusCode,
        durationMs,
      });
    });
    route(routes, req, res).catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      emit({ type: "warning", kind: "route-failed", method: req.method ?? "", path: shown, error: message });
      if (!res.headersSent) sendError(req, res, 500, `The index failed: ${message}`);
      else res.destroy();
    });
  });
  // Uploads have their own idle timer and deadline (408); Node's request timeout (default 5 min,
  // which would cut large uploads over slow links) only backs them up.
  server.requestTimeout = deadlineMs + 60_000;
  const listening = new Promise<void>((resolveListen, reject) => {
    server.once("error", (cause: Error) =>
      reject(
        new SlipwayError(
          "io",
          `cannot listen on ${options.host ?? "127.0.0.1"}:${options.port ?? 0}: ${cause.message}`,
          {
            hint: "Choose another --port, or stop what is using it.",
            cause,
          },
        ),
      ),
    );
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolveListen());
  });
  try {
    await listening;
  } catch (error) {
    await store.close();
    throw error;
  }
  url = `http://${hostForUrl(server.address() as AddressInfo)}:${(server.address() as AddressInfo).port}/`;
  return {
    url,
    uploadUrl: `${url}legacy/`,
    simpleUrl: `${url}simple/`,
    token,
    close: async () => {
      await new Promise<void>((resolveClose, reject) => {
        server.close((error) => (error ? reject(error) : resolveClose()));
        server.closeIdleConnections();
        // Keep-alive clients that never send again must not hold the close forever.
        setTimeout(() => server.closeAllConnections(), 2000).unref();
      });
      await store.close();
    },
  };
}
