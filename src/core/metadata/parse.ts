/** Core metadata files (METADATA, PKG-INFO, WHEEL) parsed with the email-header rules of packaging.metadata. */
// CONTRACT STUB: the metadata helper replaces the bodies; keep the exported signatures.

export interface MetadataHeader {
  /** Field name as written. */
  name: string;
  /** Value as compat32 keeps it (leading whitespace stripped, folded lines kept with their break). */
  value: string;
  /** 1-based line of the header. */
  line: number;
}

export interface MetadataProblem {
  kind: "invalid-utf8" | "non-header-line" | "empty-name";
  line: number;
  detail: string;
}

export interface MetadataFile {
  headers: MetadataHeader[];
  /** Lower-case field name → values in order. */
  fields: ReadonlyMap<string, readonly string[]>;
  /** Message body (the Description since 2.1), verbatim; undefined when there is none. */
  body: string | undefined;
  problems: MetadataProblem[];
}

export function parseMetadataFile(bytes: Uint8Array): MetadataFile {
  throw new Error(`not implemented: parseMetadataFile(${bytes.length})`);
}

/** First value of a field (case-insensitive name), or undefined. */
export function field(md: MetadataFile, name: string): string | undefined {
  return md.fields.get(name.toLowerCase())?.[0];
}

/** All values of a field (case-insensitive name). */
export function fieldAll(md: MetadataFile, name: string): readonly string[] {
  return md.fields.get(name.toLowerCase()) ?? [];
}
