/**
 * What an uploaded distribution says it is. PyPI refuses a file whose own metadata contradicts its
 * filename and form (a `demo_pkg-3.0` wheel whose dist-info says `evil-pkg 7.0`); so does the
 * index, before it stores the file or serves that METADATA as PEP 658 metadata.
 */
import { readArtifact } from "../adapters/archives/read-artifact.ts";
import { assembleDistContext } from "../core/checks/dist-context.ts";
import { field } from "../core/metadata/parse.ts";
import { isValidName, normalizeName } from "../core/names/name.ts";
import { compareVersions, parseVersion } from "../core/pep440/version.ts";

/** A distribution's core metadata as found in the archive: the member and its bytes. */
export interface DistMetadata {
  /** `x-1.0.dist-info/METADATA` or `x-1.0/PKG-INFO`. */
  member: string;
  bytes: Uint8Array;
  name: string | undefined;
  version: string | undefined;
}

/**
 * Reads the core metadata of the distribution at `path` (uploaded as `filename`): a wheel's
 * `{name}-{version}.dist-info/METADATA` as its filename names it (else the only `*.dist-info/METADATA`),
 * an sdist's `<top>/PKG-INFO`. A string says why there is none.
 */
export async function readDistMetadata(path: string, filename: string): Promise<DistMetadata | string> {
  const model = await readArtifact(path, { display: filename, workers: 0 });
  if (!model.readable) return model.findings[0]?.message ?? `${filename} is not a readable archive`;
  // The temp file has another name: the filename is what locates the metadata.
  const ctx = assembleDistContext({ ...model, filename }, filename);
  const bytes = ctx.metadataMember === undefined ? undefined : model.contents.get(ctx.metadataMember);
  if (ctx.metadataMember === undefined || ctx.metadata === undefined || bytes === undefined) {
    return model.kind === "wheel"
      ? `${filename} has no .dist-info/METADATA file`
      : `${filename} has no PKG-INFO file in a single top-level directory`;
  }
  return {
    member: ctx.metadataMember,
    bytes,
    name: field(ctx.metadata, "Name"),
    version: field(ctx.metadata, "Version"),
  };
}

const sameName = (a: string | undefined, b: string): boolean =>
  a !== undefined && isValidName(a) && normalizeName(a) === normalizeName(b);
// Equal as PEP 440 versions (3.0 is 3.0.0), as PyPI compares them.
function sameVersion(a: string | undefined, b: string): boolean {
  const left = a === undefined ? undefined : parseVersion(a);
  const right = parseVersion(b);
  return left !== undefined && right !== undefined && compareVersions(left, right) === 0;
}

/**
 * The message for a 400 when the archive's metadata (and a wheel's dist-info directory name)
 * names another project or version than the upload (`name`, `version`: the form's, which the
 * filename was already checked against); undefined when they agree.
 */
export function checkDistIdentity(found: DistMetadata, name: string, version: string): string | undefined {
  const upload = `'${name}' ${version} (its filename and form)`;
  const dir = found.member.split("/")[0] ?? "";
  if (dir.endsWith(".dist-info")) {
    // {name}-{version}.dist-info, the name part escaped so that it holds no '-' (PEP 427).
    const stem = dir.slice(0, -".dist-info".length);
    const dash = stem.indexOf("-");
    if (dash < 0 || !sameName(stem.slice(0, dash), name) || !sameVersion(stem.slice(dash + 1), version)) {
      return `Invalid distribution file. Its metadata directory '${dir}' does not match ${upload}.`;
    }
  }
  if (!sameName(found.name, name) || !sameVersion(found.version, version)) {
    const says = `Name '${found.name ?? ""}', Version '${found.version ?? ""}'`;
    return `Invalid distribution file. Its ${found.member} says ${says}, which does not match ${upload}.`;
  }
  return undefined;
}
