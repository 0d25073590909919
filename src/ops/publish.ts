/**
 * `publish`: put the exact bytes of checked distributions onto an index, idempotently. Resolve
 * the target and credentials, run the distribution checks (errors refuse the whole batch), hash
 * the files, then publish release by release with bounded parallelism. Never prints; progress
 * goes through `onEvent`. Exit-worthy failures of single files are outcomes, not exceptions.
 */
import { relative } from "node:path";
import { digestFile } from "../adapters/file-digests.ts";
import type { DistContext } from "../core/checks/context.ts";
import type { Finding } from "../core/findings.ts";
import type { OutcomeSummary, UploadOutcome } from "../core/upload/outcome.ts";
import { isPublished, summarizeOutcomes } from "../core/upload/outcome.ts";
import { assembleReleases } from "../core/upload/plan.ts";
import { SlipwayError } from "../errors.ts";
import type { Secret } from "../secret.ts";
import { loadPublishConfig, type PublishConfig } from "./publish-config.ts";
import type { PublishEvent } from "./publish-events.ts";
import type { FileJob } from "./publish-file.ts";
import { type HttpSettings, type HttpSettingsInput, httpSettings } from "./publish-http.ts";
import { assembleJobs, defaultDists, givenDists, projectOfFilename, runChecks } from "./publish-inputs.ts";
import { Lookups } from "./publish-lookup.ts";
import { type CredentialProof, proveCredentials } from "./publish-probe.ts";
import { publishRelease } from "./publish-release.ts";
import { startTrustedPublishing, type TrustedPublishingOptions } from "./publish-trusted.ts";

export type { PublishEvent } from "./publish-events.ts";

/** What to publish and where; the HTTP settings (timeouts, retries, clock, events) are HttpSettingsInput's. */
export interface PublishOptions extends HttpSettingsInput, TrustedPublishingOptions {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  /** Wheels and sdists; default: `dist/*.whl` and `dist/*.tar.gz` under cwd. */
  dists?: string[];
  /** Directory whose pyproject.toml may define `[tool.slipway.indexes]` (default: cwd). */
  project?: string;
  /** `.pypirc` path (default `~/.pypirc`). */
  pypirc?: string;
  /** Index name (`[tool.slipway.indexes]`, `.pypirc`, `pypi`, `testpypi`) or upload URL. Default: pypi. */
  to?: string;
  /** Simple-API root to look files up in (required for indexes other than PyPI/TestPyPI unless configured). */
  checkUrl?: string;
  username?: string;
  password?: Secret;
  /**
   * Files in flight at once (default 6: the top of the 3–6 that suits PyPI, which locks per
   * project; on a link with real round trips and server work, parallel uploads are most of the win).
   */
  concurrency?: number;
  /** Resolve, check and look up, but send nothing. */
  dryRun?: boolean;
  /** Run the distribution checks first (default true; refuse the batch on errors). */
  check?: boolean;
  /** Python for README rendering in the checks. */
  python?: string;
  /**
   * PEP 740 attestations (default auto: made, or re-verified and kept, and uploaded whenever
   * trusted publishing is used; PyPI takes them only then). `always` refuses to publish without
   * trusted publishing; `never` uploads none.
   */
  attestations?: "auto" | "always" | "never";
  /** A private Sigstore for the attestations (all three together). */
  sigstore?: { fulcioUrl: string; rekorUrl: string; trustRootFile: string };
}

export interface PublishReport {
  target: { name?: string; uploadUrl: string; simpleUrl: string };
  username: string;
  dryRun: boolean;
  /** The distribution checks: their findings, and whether they passed. */
  check: { ran: boolean; findings: Finding[]; errors: number; warnings: number; ok: boolean };
  /** What the credential probe proved; absent when it was not needed (nothing to send, or the checks refused). */
  credentials?: CredentialProof;
  /** One per file, in upload order; empty when the checks refused the batch. */
  outcomes: UploadOutcome[];
  summary: OutcomeSummary;
  /** Every file is on the index with its sha256 (dry run: nothing stands in the way). */
  ok: boolean;
  /**
   * The index may hold something of this batch: a file uploaded or already there, or an upload
   * whose answer left it open (2xx, 5xx, "exists", a connection lost after the whole body). False
   * when every file was refused outright or never sent: nothing of the batch became public.
   */
  publicEffect: boolean;
}

/** A counting semaphore over async work. */
function limiter(size: number): { run<T>(fn: () => Promise<T>): Promise<T> } {
  let free = size;
  const waiting: (() => void)[] = [];
  return {
    async run<T>(fn: () => Promise<T>): Promise<T> {
      if (free === 0) await new Promise<void>((wake) => waiting.push(wake));
      else free--;
      try {
        return await fn();
      } finally {
        const next = waiting.shift();
        if (next) next();
        else free++;
      }
    },
  };
}

/** Each slotted request (lookup, upload) first refreshes a trusted-publishing token about to expire. */
function refreshing(
  slots: { run<T>(fn: () => Promise<T>): Promise<T> },
  ensureFresh: (() => Promise<void>) | undefined,
): { run<T>(fn: () => Promise<T>): Promise<T> } {
  if (ensureFresh === undefined) return slots;
  return {
    run: <T>(fn: () => Promise<T>) =>
      slots.run(async () => {
        await ensureFresh();
        return fn();
      }),
  };
}

/**
 * Publishes the distributions. Resolves to a report whose `ok` is true only when every file is
 * on the index with its sha256; throws SlipwayError for configuration and usage mistakes and for
 * files that cannot be read.
 */
export async function publish(options: PublishOptions): Promise<PublishReport> {
  const http = httpSettings(options);
  const emit = http.emit;
  const display = (path: string) => relative(options.cwd, path) || path;
  const explicit = options.dists !== undefined && options.dists.length > 0;
  const paths = explicit
    ? await givenDists(options.cwd, options.dists ?? [])
    : await defaultDists(options.cwd);
  const config = await loadPublishConfig({
    cwd: options.cwd,
    env: options.env,
    ...(options.project === undefined ? {} : { project: options.project }),
    ...(options.pypirc === undefined ? {} : { pypirc: options.pypirc }),
    ...(options.to === undefined ? {} : { to: options.to }),
    ...(options.checkUrl === undefined ? {} : { checkUrl: options.checkUrl }),
    ...(options.username === undefined ? {} : { username: options.username }),
    ...(options.password === undefined ? {} : { password: options.password }),
  });
  const { target, credentials } = config;
  const http0 = { userAgent: http.userAgent, deadlineMs: Math.min(http.timeoutMs, 30_000) };
  const trusted = await startTrustedPublishing(options, target.uploadUrl, credentials, {
    ...http0,
    ...(http.signal === undefined ? {} : { signal: http.signal }),
  });
  const dryRun = options.dryRun === true;
  const attestationsMode = options.attestations ?? "auto";
  if (attestationsMode === "always" && trusted === undefined)
    throw new SlipwayError(
      "config",
      "--attestations always, but this publish does not use trusted publishing",
      {
        hint: "indexes take PEP 740 attestations only from trusted publishers: publish from CI with --trusted-publishing, or drop --attestations always",
      },
    );
  const attesting = attestationsMode !== "never" && trusted !== undefined;
  const targetInfo = {
    ...(target.name === undefined ? {} : { name: target.name }),
    uploadUrl: target.uploadUrl,
    simpleUrl: target.simpleUrl,
  };
  emit({
    type: "target",
    ...targetInfo,
    username: credentials.username,
    authenticated: credentials.password !== undefined,
    files: paths.map(display),
    dryRun,
  });
  for (const lint of target.warnings)
    emit({ type: "warning", kind: "upload-url", uploadUrl: target.uploadUrl, lint });
  if (credentials.password === undefined)
    emit({ type: "warning", kind: "no-credentials", uploadUrl: target.uploadUrl });

  const lookups = new Lookups({
    simpleUrl: target.simpleUrl,
    uploadUrl: target.uploadUrl,
    credentials,
    http,
  });
  const slots = refreshing(limiter(Math.max(1, Math.floor(options.concurrency ?? 6))), trusted?.ensureFresh);
  // The first lookups run while the checks do: reading the index changes nothing.
  lookups.prefetch(paths.map(projectOfFilename), (fn) => slots.run(fn));
  // So does the credential probe, which can create nothing either.
  const probe = startProbe(target.uploadUrl, credentials, http);
  // Hashing too: it reads the files the checks read, on the other core.
  const hashing = new Map(paths.map((path) => [path, digestFile(path, display(path))] as const));
  for (const pending of hashing.values()) pending.catch(() => {});

  const contexts = new Map<string, DistContext>();
  let checkResult: PublishReport["check"] = { ran: false, findings: [], errors: 0, warnings: 0, ok: true };
  if (options.check !== false) {
    checkResult = await runChecks(options, paths, explicit, contexts, target.uploadUrl);
    emit({ type: "checked", errors: checkResult.errors, warnings: checkResult.warnings });
    if (!checkResult.ok) {
      await probe.settle();
      return {
        target: targetInfo,
        username: credentials.username,
        dryRun,
        check: checkResult,
        outcomes: [],
        summary: summarizeOutcomes([], dryRun),
        ok: false,
        publicEffect: false,
      };
    }
  }

  const mayHaveLanded = new Set<string>();
  let results: UploadOutcome[][];
  try {
    const jobs = await assembleJobs(paths, contexts, display, emit, hashing);
    contexts.clear();
    if (attesting && !dryRun) await attachAttestations(jobs, options, http, emit);
    results = await Promise.all(
      assembleReleases(jobs).map((release) =>
        publishRelease(release, {
          uploadUrl: target.uploadUrl,
          credentials,
          http,
          dryRun,
          lookups,
          slots,
          ...(probe.take === undefined ? {} : { proof: probe.take }),
          mayHaveLanded,
        }),
      ),
    );
  } catch (error) {
    await probe.settle();
    throw error;
  }
  const outcomes = results.flat();
  const summary = summarizeOutcomes(outcomes, dryRun);
  const proof = await probe.settle();
  return {
    target: targetInfo,
    username: credentials.username,
    dryRun,
    check: checkResult,
    ...(proof === undefined ? {} : { credentials: proof }),
    outcomes,
    summary,
    ok: summary.ok,
    publicEffect: outcomes.some((o) => isPublished(o.status)) || mayHaveLanded.size > 0,
  };
}

/**
 * The credential probe, started now. `take()` is what the first upload awaits; `settle()` ends
 * it (aborted when nobody took it: every file was already there) and gives the proof when taken.
 * Without a password there is nothing to prove (a warning says so already): no probe.
 */
function startProbe(
  uploadUrl: string,
  credentials: PublishConfig["credentials"],
  http: HttpSettings,
): { take?: () => Promise<CredentialProof>; settle: () => Promise<CredentialProof | undefined> } {
  if (credentials.password === undefined) return { settle: async () => undefined };
  const stop = new AbortController();
  const signal = http.signal === undefined ? stop.signal : AbortSignal.any([http.signal, stop.signal]);
  let taken = false;
  const proving = proveCredentials(uploadUrl, credentials, { ...http, signal }).then((proof) => {
    if (!stop.signal.aborted) {
      const facts = {
        url: proof.url,
        cause: proof.cause,
        ...(proof.hint === undefined ? {} : { hint: proof.hint }),
      };
      http.emit({ type: "credentials", verdict: proof.verdict, ...facts });
      if (proof.verdict === "unproven")
        http.emit({ type: "warning", kind: "credentials-unproven", ...facts });
    }
    return proof;
  });
  return {
    take: () => {
      taken = true;
      return proving;
    },
    settle: async () => {
      if (!taken) stop.abort();
      const proof = await proving;
      return taken ? proof : undefined;
    },
  };
}

/**
 * Makes (or re-verifies and keeps) each file's attestation and puts it in the file's upload form
 * as PyPI's `attestations` field: a JSON list of attestation objects.
 */
async function attachAttestations(
  jobs: readonly FileJob[],
  options: PublishOptions,
  http: HttpSettings,
  emit: (event: PublishEvent) => void,
): Promise<void> {
  // Loaded only when attesting: Sigstore's verifier is a large share of the bundle.
  const { attest } = await import("./attest.ts");
  const report = await attest({
    files: jobs.map((job) => job.path),
    // Hashed already, and checked unchanged since the checks read them.
    sha256s: new Map(jobs.map((job) => [job.path, job.sha256])),
    env: options.env,
    userAgent: http.userAgent,
    deadlineMs: Math.min(http.timeoutMs, 30_000),
    ...(options.oidcProvider === undefined ? {} : { oidcProvider: options.oidcProvider }),
    ...(options.sigstore === undefined
      ? {}
      : {
          fulcioUrl: options.sigstore.fulcioUrl,
          rekorUrl: options.sigstore.rekorUrl,
          trustRootFile: options.sigstore.trustRootFile,
        }),
    ...(http.signal === undefined ? {} : { signal: http.signal }),
    onEvent: (event) => {
      if (event.type === "attested") emit({ ...event });
    },
  });
  jobs.forEach((job, i) => {
    const attested = report.files[i];
    if (attested === undefined || attested.file !== job.path) throw new Error("attestations out of order");
    job.form.fields.push(["attestations", JSON.stringify([attested.attestation])]);
  });
}
