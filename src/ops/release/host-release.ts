/**
 * The `host-release` step, after the push: the GitHub / Gitea / GitLab release for the tag, with
 * the changelog entry as its notes and the distributions, SHA256SUMS and the publish
 * attestations as its assets. Idempotent by tag: an existing release is completed, never
 * duplicated; an asset already there with the same sha256 is kept, one with other bytes is a
 * conflict (nothing is overwritten). Without the token the step is skipped and says so.
 */
import { createHash } from "node:crypto";
import { dirname, join, resolve } from "node:path";
import { hashFile } from "../../adapters/dist-output.ts";
import { makeDir, pathKind, writeFileAtomic } from "../../adapters/fs.ts";
import type { HostClient } from "../../adapters/http/host-api.ts";
import { renderSha256Sums } from "../../core/build/output.ts";
import { HOST_NAMES, type HostKind, type PlannedHost } from "../../core/host/remote.ts";
import { isPrerelease, parseVersion } from "../../core/pep440/version.ts";
import { list, literal, optional, sha256, string, record as struct } from "../../core/stored-shape.ts";
import { SlipwayError } from "../../errors.ts";
import type { StepProblem } from "../../pipeline/steps.ts";
import { checkRepositoryAccess, openHostClient } from "../host-client.ts";
import { ensureAssets, ensureRelease, type WantedAsset } from "../host-release-assets.ts";
import { artifactsOf, confirmArtifacts } from "./build.ts";
import type { Ctx, ReleaseInput, ReleaseStep } from "./context.ts";

export type HostAssetStatus = "uploaded" | "kept" | "replaced-unfinished";

export type HostReleaseEvent =
  | {
      type: "host-release";
      step: "host-release";
      host: HostKind;
      tag: string;
      action: "skipped" | "created" | "found" | "notes-written";
      url?: string;
      reason?: string;
    }
  | { type: "host-asset"; step: "host-release"; name: string; status: HostAssetStatus }
  | { type: "host-wait"; step: "host-release"; url: string; reason: string; waitMs: number };

const hostReleaseRecord = struct({
  host: literal("github", "gitea", "gitlab"),
  tag: string,
  skipped: optional(string),
  url: optional(string),
  assets: list(struct({ name: string, sha256, status: literal("uploaded", "kept", "replaced-unfinished") })),
});

export type HostReleaseRecord = ReturnType<typeof hostReleaseRecord>;

export interface HostReleasePlan {
  host: HostKind;
  repository: string;
  api: string;
  tag: string;
  token: string;
  assets: string[];
}

/** Where the release's SHA256SUMS is written before it is uploaded. */
const SUMS_DIR = ".slipway/host-release";

function hostOf(input: ReleaseInput): PlannedHost {
  const host = input.plan.host;
  if (host === undefined)
    throw new SlipwayError("internal", "the host-release step runs only with a planned host");
  return host;
}

function clientOf(ctx: Ctx): HostClient | undefined {
  const { input } = ctx;
  return openHostClient(hostOf(input), {
    env: input.env,
    userAgent: input.userAgent,
    onWait: (w) => input.emit({ type: "host-wait", step: "host-release", ...w }),
  });
}

function skipReason(host: PlannedHost): string {
  return `${host.tokenEnv} is not set`;
}

/** The release's title, notes and pre-release flag, from the plan. */
function content(input: ReleaseInput) {
  const { plan } = input;
  const version = parseVersion(plan.version);
  return {
    tag: plan.tag.name,
    title: `${plan.name} ${plan.version}`,
    notes: (plan.changelog?.releaseNotes ?? "").trim(),
    prerelease: version !== undefined && isPrerelease(version),
  };
}

/** The files that go up, in order: the distributions, SHA256SUMS, then each attestation that exists. */
async function wantedAssets(ctx: Ctx): Promise<WantedAsset[]> {
  const { input } = ctx;
  // What goes up is what was checked and published: a file changed since is refused here.
  await confirmArtifacts(ctx);
  const artifacts = artifactsOf(ctx);
  const wanted: WantedAsset[] = artifacts.map((a) => ({
    name: a.filename,
    path: resolve(input.root, a.file),
    sha256: a.sha256,
    size: a.size,
  }));
  const sums = renderSha256Sums(artifacts.map((a) => ({ filename: a.filename, sha256: a.sha256 })));
  const sumsPath = join(input.root, SUMS_DIR, input.plan.tag.name.replace(/[/\\]/g, "_"), "SHA256SUMS");
  await makeDir(dirname(sumsPath), { parents: true });
  await writeFileAtomic(sumsPath, sums);
  wanted.push({
    name: "SHA256SUMS",
    path: sumsPath,
    sha256: createHash("sha256").update(sums).digest("hex"),
    size: Buffer.byteLength(sums),
  });
  for (const a of artifacts) {
    const path = `${resolve(input.root, a.file)}.publish.attestation`;
    if ((await pathKind(path)) !== "file") continue;
    const { sha256: digest, size } = await hashFile(path);
    wanted.push({ name: `${a.filename}.publish.attestation`, path, sha256: digest, size });
  }
  return wanted;
}

export const hostReleaseStep: ReleaseStep<HostReleaseRecord, HostReleasePlan> = {
  id: "host-release",
  title: "Create the host release",
  public: true,
  dryRun: "plan",
  record: hostReleaseRecord,
  async preflight(ctx): Promise<StepProblem[]> {
    const host = hostOf(ctx.input);
    const name = HOST_NAMES[host.kind];
    const client = clientOf(ctx);
    if (client === undefined) {
      return [
        {
          id: "host-token",
          severity: "warning",
          message: `${skipReason(host)}: the ${name} release of ${ctx.input.plan.tag.name} will be skipped`,
          hint: `export ${host.tokenEnv} to have slipway create it, or set [tool.slipway.release] host = "none"`,
        },
      ];
    }
    try {
      await checkRepositoryAccess(client, host);
      return [];
    } catch (error) {
      const e = error instanceof SlipwayError ? error : new SlipwayError("network", String(error));
      return [
        { id: "host-access", severity: "error", message: e.message, hint: e.hint ?? "fix the host settings" },
      ];
    }
  },
  async plan(ctx) {
    const { input } = ctx;
    const host = hostOf(input);
    const built = ctx.records.has("build") ? artifactsOf(ctx).map((a) => a.filename) : [];
    return {
      host: host.kind,
      repository: host.repository,
      api: host.apiUrl,
      tag: input.plan.tag.name,
      token: clientOf(ctx) === undefined ? `${skipReason(host)}: skipped` : host.tokenEnv,
      assets: [...built, "SHA256SUMS", ...built.map((f) => `${f}.publish.attestation (when made)`)],
    };
  },
  async run(ctx) {
    const { input } = ctx;
    const host = hostOf(input);
    const tag = input.plan.tag.name;
    const client = clientOf(ctx);
    if (client === undefined) {
      const reason = skipReason(host);
      input.emit({
        type: "host-release",
        step: "host-release",
        host: host.kind,
        tag,
        action: "skipped",
        reason,
      });
      return { host: host.kind, tag, skipped: reason, assets: [] };
    }
    const wanted = await wantedAssets(ctx);
    const release = await ensureRelease(client, host, content(input), (action, url) =>
      input.emit({ type: "host-release", step: "host-release", host: host.kind, tag, action, url }),
    );
    const assets = await ensureAssets(client, host, {
      release,
      wanted,
      pkg: { name: input.plan.name, version: input.plan.version },
      onAsset: (name, status) => input.emit({ type: "host-asset", step: "host-release", name, status }),
    });
    return { host: host.kind, tag, url: release.url, assets };
  },
  // Idempotent by tag and digest: running it again only completes what is missing.
  async verify() {
    return "redo";
  },
};
