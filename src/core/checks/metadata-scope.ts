/** What every MD check reads: the parsed file, where it lives, and helpers to point findings at a field. */
import type { CheckInfo, Finding, Location, Severity } from "../findings.ts";
import { finding } from "../findings.ts";
import type { MetadataVersion } from "../metadata/fields.ts";
import { isMetadataVersion } from "../metadata/fields.ts";
import type { MetadataFile, MetadataHeader } from "../metadata/parse.ts";
import { headersOf } from "../metadata/parse.ts";
import type { DistContext } from "./context.ts";
import { md } from "./metadata-catalogue.ts";

export interface MdScope {
  ctx: DistContext;
  md: MetadataFile;
  /** Archive member of the metadata file. */
  member: string;
  /** How messages name the file: `<artifact> METADATA`. */
  where: string;
  /** Declared Metadata-Version when it is one the spec defines (and given once). */
  version: MetadataVersion | undefined;
}

export function makeScope(ctx: DistContext, file: MetadataFile): MdScope {
  const member = ctx.metadataMember ?? (ctx.artifact.kind === "sdist" ? "PKG-INFO" : "METADATA");
  const base = member.slice(member.lastIndexOf("/") + 1);
  const declared = headersOf(file, "Metadata-Version");
  const text = declared.length === 1 ? declared[0]?.value : undefined;
  return {
    ctx,
    md: file,
    member,
    where: `${ctx.display} ${base}`,
    version: text !== undefined && isMetadataVersion(text) ? text : undefined,
  };
}

export interface ReportOptions {
  field?: string;
  line?: number;
  severity?: Severity;
  hint?: string;
}

/** A finding of MD check `id` located at the metadata member (and field/line when given). */
export function report(scope: MdScope, id: string, message: string, options: ReportOptions = {}): Finding {
  return reportInfo(scope, md(id), message, options);
}

/** Like `report`, for a catalogue entry of another family (LIC). */
export function reportInfo(
  scope: MdScope,
  info: CheckInfo,
  message: string,
  options: ReportOptions = {},
): Finding {
  const location: Location = { file: scope.ctx.display, member: scope.member };
  if (options.field !== undefined) location.field = options.field;
  if (options.line !== undefined) location.line = options.line;
  const overrides: { severity?: Severity; hint?: string } = {};
  if (options.severity !== undefined) overrides.severity = options.severity;
  if (options.hint !== undefined) overrides.hint = options.hint;
  return finding(info, `${scope.where}: ${message}`, location, overrides);
}

/** Headers of a field whose value decoded cleanly (MD01 reports the others). */
export function usable(scope: MdScope, name: string): MetadataHeader[] {
  return headersOf(scope.md, name).filter((h) => h.invalidUtf8 !== true);
}

/**
 * The one header of a single-use field, when it is given exactly once and decoded cleanly;
 * a repeated field is reported by MD05 and not judged further (packaging leaves it unparsed).
 */
export function single(scope: MdScope, name: string): MetadataHeader | undefined {
  const all = headersOf(scope.md, name);
  return all.length === 1 && all[0]?.invalidUtf8 !== true ? all[0] : undefined;
}

/** JSON-quoted value for messages, shortened so a message stays one readable line. */
export function quote(value: string, max = 80): string {
  const shown = value.length > max ? `${value.slice(0, max)}…` : value;
  return JSON.stringify(shown);
}
