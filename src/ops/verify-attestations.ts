/**
 * `slipway verify-attestations`: what `pypi-attestations verify` does, from TypeScript. For local
 * files, `<file>.publish.attestation` beside each; for `NAME==VERSION`, every file of that
 * release on an index, with its PEP 740 provenance from the integrity API. Each attestation is
 * verified against a trust root and the expected publisher (repository, and workflow file when
 * named — else the one the provenance names, which must then be in the expected repository).
 */
import { basename } from "node:path";
import { digestFile } from "../adapters/file-digests.ts";
import { pathKind, readSmallRegularFile } from "../adapters/fs.ts";
import { getProvenance } from "../adapters/http/sigstore.ts";
import { LookupError, lookupProject } from "../adapters/http/simple-client.ts";
import { pushAll } from "../core/arrays.ts";
import { describePublisher, describeSigner, type Publisher } from "../core/attest/identity.ts";
import {
  ATTESTATION_SUFFIX,
  type Attestation,
  MAX_ATTESTATION_BYTES,
  parseAttestation,
} from "../core/attest/model.ts";
import { readProvenance } from "../core/attest/provenance.ts";
import { type TrustRoot, type VerdictProblem, verifyAttestation } from "../core/attest/verify.ts";
import { parseSdistFilename, parseWheelFilename } from "../core/names/filename.ts";
import { normalizeName } from "../core/names/name.ts";
import { compareVersions, parseVersion } from "../core/pep440/version.ts";
import { SlipwayError } from "../errors.ts";
import { loadTrustRoot } from "./attest.ts";

export interface ExpectedPublisher {
  kind: "GitHub" | "GitLab";
  /** OWNER/REPO (GitHub) or the project path (GitLab). */
  repository: string;
  /** The workflow file (GitHub: in .github/workflows/) or CI file path (GitLab); undefined: the provenance's. */
  workflow?: string;
  /** The OIDC issuer, when not the kind's usual one. */
  issuer?: string;
}

export interface VerifyAttestationsOptions {
  /** Local distribution files, or one `NAME==VERSION` (with `index`). */
  targets: readonly string[];
  expected: ExpectedPublisher;
  /** Simple-API root for NAME==VERSION (e.g. https://pypi.org/simple/). */
  index?: string;
  trustRootFile?: string;
  userAgent: string;
  deadlineMs?: number;
  signal?: AbortSignal;
}

export interface FileVerdict {
  /** The file (a path, or the filename on the index). */
  file: string;
  ok: boolean;
  /** Who signed it, as the certificate says (when it could be read). */
  signer?: string;
  /** The publisher it was checked against. */
  publisher?: string;
  problem?: VerdictProblem | "missing";
  reason?: string;
  /** How many attestations were checked for this file. */
  attestations: number;
}

export interface VerifyAttestationsReport {
  trustRoot: string;
  files: FileVerdict[];
  ok: boolean;
}

const toPublisher = (expected: ExpectedPublisher, workflow: string): Publisher =>
  expected.kind === "GitHub"
    ? { kind: "GitHub", repository: expected.repository, workflow }
    : { kind: "GitLab", repository: expected.repository, workflowFilepath: workflow };

function checkAll(
  file: string,
  dist: { filename: string; sha256: string },
  attestations: readonly Attestation[],
  publisher: Publisher,
  trust: TrustRoot,
  issuer: string | undefined,
): FileVerdict {
  let signer: string | undefined;
  for (const attestation of attestations) {
    const verdict = verifyAttestation(attestation, dist, trust, {
      publisher,
      ...(issuer === undefined ? {} : { issuer }),
    });
    if (verdict.signer !== undefined) signer = describeSigner(verdict.signer);
    if (!verdict.ok)
      return {
        file,
        ok: false,
        publisher: describePublisher(publisher),
        problem: verdict.problem,
        reason: verdict.reason,
        attestations: attestations.length,
        ...(signer === undefined ? {} : { signer }),
      };
  }
  return {
    file,
    ok: true,
    publisher: describePublisher(publisher),
    attestations: attestations.length,
    ...(signer === undefined ? {} : { signer }),
  };
}

async function verifyLocal(
  path: string,
  options: VerifyAttestationsOptions,
  trust: TrustRoot,
): Promise<FileVerdict> {
  const filename = basename(path);
  if (options.expected.workflow === undefined)
    throw new SlipwayError("usage", "local files need the workflow that should have signed them", {
      hint: "add --workflow FILE (GitHub: the file name in .github/workflows/; GitLab: the CI file path)",
    });
  if ((await pathKind(path)) !== "file")
    return { file: path, ok: false, problem: "missing", reason: "no such file", attestations: 0 };
  const attestationPath = `${path}${ATTESTATION_SUFFIX}`;
  const text = await readSmallRegularFile(attestationPath, MAX_ATTESTATION_BYTES);
  if (text === undefined)
    return {
      file: path,
      ok: false,
      problem: "missing",
      reason: `no ${basename(attestationPath)} beside it`,
      attestations: 0,
    };
  const parsed = parseAttestation(text);
  if (!parsed.ok)
    return {
      file: path,
      ok: false,
      problem: "malformed",
      reason: `${basename(attestationPath)}: ${parsed.error}`,
      attestations: 0,
    };
  const { sha256 } = await digestFile(path);
  const publisher = toPublisher(options.expected, options.expected.workflow);
  return checkAll(path, { filename, sha256 }, [parsed.value], publisher, trust, options.expected.issuer);
}

function releaseOf(target: string): { name: string; version: string } | undefined {
  const match = /^([A-Za-z0-9][A-Za-z0-9._-]*)==([^=\s]+)$/.exec(target);
  return match?.[1] !== undefined && match[2] !== undefined
    ? { name: match[1], version: match[2] }
    : undefined;
}

function versionOfFile(filename: string): string | undefined {
  const parsed = filename.endsWith(".whl") ? parseWheelFilename(filename) : parseSdistFilename(filename);
  return parsed.ok ? parsed.value.version : undefined;
}

async function verifyRelease(
  release: { name: string; version: string },
  options: VerifyAttestationsOptions,
  trust: TrustRoot,
): Promise<FileVerdict[]> {
  if (options.index === undefined)
    throw new SlipwayError("usage", `${release.name}==${release.version} needs --index`, {
      hint: "the simple API root, e.g. --index https://pypi.org/simple/",
    });
  const wanted = parseVersion(release.version);
  if (wanted === undefined) throw new SlipwayError("usage", `${release.version} is not a PEP 440 version`);
  const deadlineMs = options.deadlineMs ?? 30_000;
  let listing: Awaited<ReturnType<typeof lookupProject>>;
  try {
    listing = await lookupProject({
      simpleUrl: options.index,
      project: release.name,
      userAgent: options.userAgent,
      timeoutMs: deadlineMs,
      deadlineMs,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
  } catch (error) {
    if (error instanceof LookupError)
      throw new SlipwayError("network", `${error.url}: ${error.message}`, {
        hint: "check --index and the network",
      });
    throw error;
  }
  const files = listing.listing.files.filter((file) => {
    const version = versionOfFile(file.filename);
    const parsed = version === undefined ? undefined : parseVersion(version);
    return parsed !== undefined && compareVersions(parsed, wanted) === 0;
  });
  if (files.length === 0)
    throw new SlipwayError(
      "usage",
      `${listing.url} lists no file of ${normalizeName(release.name)} ${release.version}`,
      {
        hint: "check the name, the version and --index",
      },
    );
  const out: FileVerdict[] = [];
  for (const file of files) {
    const missing = (reason: string): FileVerdict => ({
      file: file.filename,
      ok: false,
      problem: "missing",
      reason,
      attestations: 0,
    });
    if (file.sha256 === undefined) {
      out.push(missing("the index gives no sha256 for it"));
      continue;
    }
    if (file.provenance === undefined) {
      out.push(missing("the index lists no provenance for it"));
      continue;
    }
    const answer = await getProvenance(file.provenance, {
      userAgent: options.userAgent,
      deadlineMs,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    if (answer.status === 404) {
      out.push(missing("the index has no provenance for it (404)"));
      continue;
    }
    if (answer.status !== 200)
      throw new SlipwayError("network", `${file.provenance} answered ${answer.status}`, {
        hint: "run again later",
      });
    let value: unknown;
    try {
      value = JSON.parse(answer.text);
    } catch {
      out.push({
        file: file.filename,
        ok: false,
        problem: "malformed",
        reason: "the provenance is not JSON",
        attestations: 0,
      });
      continue;
    }
    const provenance = readProvenance(value);
    if (!provenance.ok) {
      out.push({
        file: file.filename,
        ok: false,
        problem: "malformed",
        reason: provenance.error,
        attestations: 0,
      });
      continue;
    }
    // Every bundle must verify: an index serving one good and one forged bundle is not vouched for.
    let verdict: FileVerdict | undefined;
    for (const bundle of provenance.value.bundles) {
      const served = bundle.publisher;
      const workflow =
        options.expected.workflow ??
        (served?.kind === "GitHub"
          ? served.workflow
          : served?.kind === "GitLab"
            ? served.workflowFilepath
            : undefined);
      if (workflow === undefined) {
        verdict = {
          file: file.filename,
          ok: false,
          problem: "identity",
          reason: `the provenance names a ${String(bundle.publisherJson.kind)} publisher; give --workflow`,
          attestations: bundle.attestations.length,
        };
        break;
      }
      const publisher = toPublisher(options.expected, workflow);
      verdict = checkAll(
        file.filename,
        { filename: file.filename, sha256: file.sha256 },
        bundle.attestations,
        publisher,
        trust,
        options.expected.issuer,
      );
      if (!verdict.ok) break;
    }
    if (verdict !== undefined) out.push(verdict);
  }
  return out;
}

export async function verifyAttestations(
  options: VerifyAttestationsOptions,
): Promise<VerifyAttestationsReport> {
  if (options.targets.length === 0)
    throw new SlipwayError("usage", "nothing to verify", {
      hint: "give distribution files, or NAME==VERSION with --index",
    });
  if (!/^[^/\s]+(\/[^/\s]+)+$/.test(options.expected.repository))
    throw new SlipwayError("usage", `--repository ${options.expected.repository} is not OWNER/REPO`);
  const trust = await loadTrustRoot(options.trustRootFile);
  const files: FileVerdict[] = [];
  for (const target of options.targets) {
    const release = releaseOf(target);
    if (release !== undefined && (await pathKind(target)) === undefined)
      pushAll(files, await verifyRelease(release, options, trust));
    else files.push(await verifyLocal(target, options, trust));
  }
  return { trustRoot: trust.source, files, ok: files.every((f) => f.ok) };
}
