/** Consistency across the artifacts of one release ([CM] Dynamic rules, PEP 643/808, [WH]). */
import { pushAll } from "../arrays.ts";
import { type CheckInfo, catalogue, type Finding, finding } from "../findings.ts";
import { fieldSpec } from "../metadata/fields.ts";
import { field, fieldAll, type MetadataFile } from "../metadata/parse.ts";
import { parseSdistFilename } from "../names/filename.ts";
import { normalizeName } from "../names/name.ts";
import { parseVersion } from "../pep440/version.ts";
import type { DistContext } from "./context.ts";
import { metadataVersionBelow } from "./sdist.ts";

export const XA_CHECKS: CheckInfo[] = [
  {
    id: "ART10",
    severity: "error",
    title: "At most one sdist per release",
    why: "PyPI accepts only one source distribution per release ('Only one sdist may be uploaded per release'); a second one (e.g. a .zip next to the .tar.gz) is refused and leaves the release half-published.",
    fix: "Keep a single `<name>-<version>.tar.gz` in the dist directory and delete the others.",
    source: "[WH]",
  },
  {
    id: "XA01",
    severity: "error",
    title: "The artifacts of each project are of one version",
    why: "A release is one version of a project: an artifact of the same project with another version (a stale file left in dist/) would be uploaded alongside and published as a second release. Several projects, each in one version, are a workspace's dist/ as `uv build --all` writes it, and pass (with a project given, XA04 still compares its own artifacts with it).",
    fix: "Empty the dist directory and rebuild all artifacts from the same commit.",
    source: "[SDF], [WH]; uv build --all",
  },
  {
    id: "XA02",
    severity: "error",
    title: "Wheel metadata keeps every field the sdist does not mark Dynamic",
    why: "With Metadata-Version ≥ 2.2 the sdist promises that fields not listed in Dynamic are final: a wheel built from it must have the same values and no extra fields; installers and resolvers rely on it to skip builds. From 2.6 a field both present and Dynamic may only be appended to (PEP 808).",
    fix: "List the field under `dynamic` in pyproject.toml if the build computes it, or stop changing it between sdist and wheel; rebuild both from the same tree.",
    source: "[CM] Dynamic rules 1–2, PEP 643, [P808]",
  },
  {
    id: "XA03",
    severity: "error",
    title: "Import-Name and Import-Namespace are identical in every artifact",
    why: "Import-Name/Import-Namespace (Metadata 2.5) describe the project, not one file: tools use them to map imports to projects, so every sdist and wheel of a release must declare the same names.",
    fix: "Declare `import-names`/`import-namespaces` statically in pyproject.toml and rebuild all artifacts.",
    source: "[CM] Import-Name",
  },
  {
    id: "XA05",
    severity: "warning",
    title: "License-Expression is declared by every artifact (values may differ)",
    why: "License-Expression applies to the file that carries it, so a wheel that bundles libraries may legitimately declare more than the sdist and is not compared; but an artifact that declares no license expression while the others do usually comes from a stale or misconfigured build.",
    fix: "Build every artifact with the same backend configuration so each declares its License-Expression.",
    source: "[CM] License-Expression (applies per distribution file)",
  },
];

const C = catalogue(XA_CHECKS);

interface Release {
  name: string;
  version: string;
}

/** An sdist, including a legacy `.zip` sdist the reader could not classify. */
const isSdist = (ctx: DistContext): boolean =>
  ctx.artifact.kind === "sdist" ||
  (ctx.artifact.kind === "unknown" && /\.(tar\.gz|zip)$/.test(ctx.artifact.filename));

/** Name and version of an artifact: from its metadata, else from its filename. */
export function releaseOfDist(ctx: DistContext): Release | undefined {
  const md = ctx.metadata;
  const parsed = isSdist(ctx) && !ctx.sdistName ? parseSdistFilename(ctx.artifact.filename) : undefined;
  const fromName = ctx.wheelName ?? ctx.sdistName ?? (parsed?.ok ? parsed.value : undefined);
  const name = (md && field(md, "Name")?.trim()) ?? fromName?.name;
  const version = (md && field(md, "Version")?.trim()) ?? fromName?.version;
  return name === undefined || version === undefined ? undefined : { name, version };
}

/** Normalized name plus the version as PyPI groups releases (trailing `.0`s do not count: 1.0 is 1.0.0). */
function releaseKey(r: Release): string {
  const v = parseVersion(r.version);
  if (v === undefined) return `${normalizeName(r.name)} ${r.version}`;
  const release = [...v.release];
  while (release.length > 1 && release.at(-1) === 0) release.pop();
  return `${normalizeName(r.name)} ${JSON.stringify({ ...v, release })}`;
}

const locate = (ctx: DistContext, fieldName?: string): Finding["location"] => {
  const location: Finding["location"] = { file: ctx.display };
  if (ctx.metadataMember !== undefined) location.member = ctx.metadataMember;
  if (fieldName !== undefined) location.field = fieldName;
  return location;
};

interface Keyed {
  ctx: DistContext;
  release: Release;
  key: string;
}

/** The key that most artifacts share (the first seen on a tie): the reference the others meet. */
function mostCommon(keyed: readonly Keyed[]): string | undefined {
  const counts = new Map<string, number>();
  for (const k of keyed) counts.set(k.key, (counts.get(k.key) ?? 0) + 1);
  let best: string | undefined;
  for (const [key, n] of counts) if (best === undefined || n > counts.get(best)!) best = key;
  return best;
}

/** Groups by a key, in first-seen order. */
function groupBy<T>(items: readonly T[], key: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group === undefined) groups.set(k, [item]);
    else group.push(item);
  }
  return [...groups.values()];
}

/**
 * Checks the artifacts given together against each other: per project one version (a
 * workspace's dist/ holds several projects), and per release one sdist and agreeing metadata.
 */
export function checkCrossArtifact(dists: DistContext[]): Finding[] {
  const keyed: Keyed[] = dists.flatMap((ctx) => {
    const release = releaseOfDist(ctx);
    return release === undefined ? [] : [{ ctx, release, key: releaseKey(release) }];
  });
  const findings: Finding[] = [];
  for (const project of groupBy(keyed, (k) => normalizeName(k.release.name))) {
    const main = mostCommon(project);
    const reference = project.find((k) => k.key === main)!;
    for (const k of project) {
      if (k.key === main) continue;
      const message = `${k.ctx.display} is ${k.release.name} ${k.release.version} but ${reference.ctx.display} is ${reference.release.name} ${reference.release.version}: two versions of one project`;
      findings.push(finding(C.XA01!, message, locate(k.ctx)));
    }
  }
  for (const release of groupBy(keyed, (k) => k.key)) {
    const sdists = release.filter((k) => isSdist(k.ctx));
    for (const extra of sdists.slice(1)) {
      const message = `${extra.ctx.display} is a second sdist for ${extra.release.name} ${extra.release.version} (after ${sdists[0]!.ctx.display}); PyPI accepts one per release`;
      findings.push(finding(C.ART10!, message, { file: extra.ctx.display }));
    }
    const wheels = release.filter((k) => k.ctx.artifact.kind === "wheel");
    for (const sdist of sdists)
      for (const wheel of wheels) pushAll(findings, compareDynamic(sdist.ctx, wheel.ctx));
    const same = release.map((k) => k.ctx);
    pushAll(findings, checkImportNames(same));
    pushAll(findings, checkLicenseExpression(same));
  }
  return findings;
}

const NOT_COMPARED = new Set(["metadata-version", "name", "version", "dynamic", "license-expression"]);

/** Field values as compared across artifacts: lower-case names, the body as Description. */
function fieldValues(md: MetadataFile): Map<string, readonly string[]> {
  const values = new Map(md.fields);
  if (md.body !== undefined && md.body !== "") values.set("description", [md.body]);
  return values;
}

const sameList = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((v, i) => v === b[i]);

const show = (values: readonly string[], key: string): string => {
  if (values.length === 0) return "nothing";
  if (key === "description") return `a ${values[0]!.length}-character description`;
  const text = values.map((v) => JSON.stringify(v)).join(", ");
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
};

/** Dynamic rules 1–2 of the core metadata spec, and PEP 808's append-only rule for 2.6. */
function compareDynamic(sdist: DistContext, wheel: DistContext): Finding[] {
  const s = sdist.metadata;
  const w = wheel.metadata;
  const mv = s === undefined ? undefined : field(s, "Metadata-Version")?.trim();
  if (
    s === undefined ||
    w === undefined ||
    mv === undefined ||
    !/^\d+\.\d+$/.test(mv) ||
    metadataVersionBelow(mv, "2.2")
  ) {
    return [];
  }
  const dynamic = new Set(fieldAll(s, "Dynamic").map((d) => d.trim().toLowerCase()));
  const sv = fieldValues(s);
  const wv = fieldValues(w);
  const findings: Finding[] = [];
  for (const key of new Set([...sv.keys(), ...wv.keys()])) {
    if (NOT_COMPARED.has(key)) continue;
    const spec = fieldSpec(key);
    const label = spec?.name ?? key;
    const inSdist = sv.get(key) ?? [];
    const inWheel = wv.get(key) ?? [];
    const where = `${wheel.display} ${label}`;
    if (dynamic.has(key)) {
      const appendOnly = !metadataVersionBelow(mv, "2.6") && spec?.multiple === true && inSdist.length > 0;
      if (appendOnly && !sameList(inWheel.slice(0, inSdist.length), inSdist)) {
        const message = `${where} is ${show(inWheel, key)}, which does not start with the sdist's ${show(inSdist, key)}; with Metadata-Version ${mv} a Dynamic field may only be appended to`;
        findings.push(finding(C.XA02!, message, locate(wheel, label)));
      }
      continue;
    }
    if (sameList(inSdist, inWheel)) continue;
    const reordered = sameList([...inSdist].sort(), [...inWheel].sort());
    const message = reordered
      ? `${where} lists the same values as ${sdist.display} in another order`
      : inSdist.length === 0
        ? `${where} is ${show(inWheel, key)} but ${sdist.display} has no ${label} and does not mark it Dynamic`
        : `${where} is ${show(inWheel, key)} but ${sdist.display} has ${show(inSdist, key)} and does not mark it Dynamic`;
    findings.push(finding(C.XA02!, message, locate(wheel, label), reordered ? { severity: "warning" } : {}));
  }
  return findings;
}

function checkImportNames(dists: readonly DistContext[]): Finding[] {
  const findings: Finding[] = [];
  for (const label of ["Import-Name", "Import-Namespace"]) {
    const declared = dists.map((ctx) => ({
      ctx,
      values:
        ctx.metadata === undefined
          ? undefined
          : fieldAll(ctx.metadata, label)
              .map((v) => v.trim())
              .sort(),
    }));
    const known = declared.filter((d) => d.values !== undefined);
    const reference = known.find((d) => d.values!.length > 0);
    if (reference === undefined) continue;
    for (const d of known) {
      if (sameList(d.values!, reference.values!)) continue;
      const message = `${d.ctx.display} declares ${label} ${show(d.values!, "")} but ${reference.ctx.display} declares ${show(reference.values!, "")}`;
      findings.push(finding(C.XA03!, message, locate(d.ctx, label)));
    }
  }
  return findings;
}

function checkLicenseExpression(dists: readonly DistContext[]): Finding[] {
  const withMetadata = dists.filter((ctx) => ctx.metadata !== undefined);
  const declaring = withMetadata.find((ctx) => field(ctx.metadata!, "License-Expression") !== undefined);
  if (declaring === undefined) return [];
  const expression = field(declaring.metadata!, "License-Expression")!.trim();
  return withMetadata
    .filter((ctx) => field(ctx.metadata!, "License-Expression") === undefined)
    .map((ctx) =>
      finding(
        C.XA05!,
        `${ctx.display} declares no License-Expression but ${declaring.display} declares ${expression}`,
        locate(ctx, "License-Expression"),
      ),
    );
}
