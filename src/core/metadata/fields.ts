/**
 * The core metadata field table ([CM] core-metadata): which version introduced each field and
 * whether it may repeat. The "since" versions follow packaging.metadata's validators, which is
 * what twine and PyPI enforce.
 */

/** Every Metadata-Version the spec defines, oldest first ("2.0" never existed: PEP 426 was withdrawn). */
export const METADATA_VERSIONS = ["1.0", "1.1", "1.2", "2.1", "2.2", "2.3", "2.4", "2.5", "2.6"] as const;

export type MetadataVersion = (typeof METADATA_VERSIONS)[number];

/** Highest Metadata-Version PyPI accepts (warehouse forklift/metadata.py SUPPORTED_METADATA_VERSIONS). */
export const PYPI_MAX_METADATA_VERSION: MetadataVersion = "2.5";

/** Highest Metadata-Version twine < 7 accepts (it validates with packaging < 26.0). */
export const OLD_TWINE_MAX_METADATA_VERSION: MetadataVersion = "2.4";

export interface FieldSpec {
  /** Canonical spelling as the spec writes it. */
  name: string;
  since: MetadataVersion;
  multiple: boolean;
}

const spec = (name: string, since: MetadataVersion, multiple: boolean): FieldSpec => ({
  name,
  since,
  multiple,
});

export const CORE_FIELDS: readonly FieldSpec[] = [
  spec("Metadata-Version", "1.0", false),
  spec("Name", "1.0", false),
  spec("Version", "1.0", false),
  spec("Dynamic", "2.2", true),
  spec("Platform", "1.0", true),
  spec("Supported-Platform", "1.1", true),
  spec("Summary", "1.0", false),
  spec("Description", "1.0", false),
  spec("Description-Content-Type", "2.1", false),
  // Keywords is one header holding a comma-separated list; a second header is invalid.
  spec("Keywords", "1.0", false),
  spec("Home-page", "1.0", false),
  spec("Download-URL", "1.1", false),
  spec("Author", "1.0", false),
  spec("Author-email", "1.0", false),
  spec("Maintainer", "1.2", false),
  spec("Maintainer-email", "1.2", false),
  spec("License", "1.0", false),
  spec("License-Expression", "2.4", false),
  spec("License-File", "2.4", true),
  spec("Classifier", "1.1", true),
  spec("Requires-Dist", "1.2", true),
  spec("Requires-Python", "1.2", false),
  spec("Requires-External", "1.2", true),
  spec("Project-URL", "1.2", true),
  spec("Provides-Extra", "2.1", true),
  spec("Provides-Dist", "1.2", true),
  spec("Obsoletes-Dist", "1.2", true),
  spec("Import-Name", "2.5", true),
  spec("Import-Namespace", "2.5", true),
  spec("Requires", "1.1", true),
  spec("Provides", "1.1", true),
  spec("Obsoletes", "1.1", true),
];

const BY_LOWER = new Map(CORE_FIELDS.map((f) => [f.name.toLowerCase(), f]));

/** The field's spec by case-insensitive name, or undefined for a field the spec does not define. */
export function fieldSpec(name: string): FieldSpec | undefined {
  return BY_LOWER.get(name.toLowerCase());
}

export function isMetadataVersion(text: string): text is MetadataVersion {
  return (METADATA_VERSIONS as readonly string[]).includes(text);
}

/** Comparator over the known versions (list order, so "1.2" < "2.1"). */
export function compareMetadataVersions(a: MetadataVersion, b: MetadataVersion): number {
  return METADATA_VERSIONS.indexOf(a) - METADATA_VERSIONS.indexOf(b);
}

/**
 * Line boundaries of `str.splitlines()` that packaging refuses in single-line values (the
 * CVE-2024-6923 fix, pypa/packaging#1356): a reader splitting on any of them sees a new header.
 */
export const LINE_BOUNDARY = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/;

/** Values old setuptools/distutils wrote for "not given"; PyPI drops form fields equal to it. */
export const PLACEHOLDER = "UNKNOWN";

// Python's str.isspace() set, which str.strip() removes (wider than JS trim: \x1c-\x1f, \x85; no BOM).
const PY_SPACE =
  "[\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";
const PY_STRIP = new RegExp(`^${PY_SPACE}+|${PY_SPACE}+$`, "gu");

/** Python's `str.strip()`, which packaging applies to Keywords and Project-URL parts. */
export function pyStrip(text: string): string {
  return text.replace(PY_STRIP, "");
}
