/** Assembles what the distribution checks read from an artifact model: parsed filename and metadata. */
import type { ArtifactModel } from "../dist/artifact.ts";
import { parseMetadataFile } from "../metadata/parse.ts";
import { parseSdistFilename, parseWheelFilename } from "../names/filename.ts";
import type { DistContext } from "./context.ts";

/**
 * Where the metadata lives. Wheels: `<name>-<version>.dist-info/METADATA` from the filename's own
 * parts, byte-exact, as PyPI looks it up (warehouse#17111); failing that, the single top-level
 * dist-info. Sdists: `<top>/PKG-INFO`.
 */
export function locateMetadata(artifact: ArtifactModel, wheelPrefix: string | undefined): string | undefined {
  const names = new Set(artifact.members.filter((m) => m.kind === "file").map((m) => m.name));
  if (artifact.kind === "wheel") {
    const exact = wheelPrefix === undefined ? undefined : `${wheelPrefix}.dist-info/METADATA`;
    if (exact !== undefined && names.has(exact)) return exact;
    const candidates = [...names].filter((n) => /^[^/]+\.dist-info\/METADATA$/.test(n));
    return candidates.length === 1 ? candidates[0] : undefined;
  }
  if (artifact.kind === "sdist") {
    const tops = new Set(artifact.members.map((m) => m.name.split("/")[0]));
    if (tops.size !== 1) return undefined;
    const [top] = tops;
    const path = `${top}/PKG-INFO`;
    return names.has(path) ? path : undefined;
  }
  return undefined;
}

export function assembleDistContext(artifact: ArtifactModel, display: string): DistContext {
  const ctx: DistContext = { display, artifact };
  let prefix: string | undefined;
  if (artifact.kind === "wheel") {
    const parsed = parseWheelFilename(artifact.filename);
    if (parsed.ok) {
      ctx.wheelName = parsed.value;
      prefix = `${parsed.value.name}-${parsed.value.version}`;
    }
  } else if (artifact.kind === "sdist") {
    const parsed = parseSdistFilename(artifact.filename);
    if (parsed.ok) ctx.sdistName = parsed.value;
  }
  if (!artifact.readable) return ctx;
  const member = locateMetadata(artifact, prefix);
  const bytes = member === undefined ? undefined : artifact.contents.get(member);
  if (member !== undefined && bytes !== undefined) {
    ctx.metadataMember = member;
    ctx.metadata = parseMetadataFile(bytes);
  }
  return ctx;
}
