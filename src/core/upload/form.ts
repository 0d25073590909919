/**
 * The legacy upload form for one distribution: the ordered text fields PyPI's
 * `POST /legacy/` reads (warehouse forklift/metadata.py `_FORM_TO_RAW_MAPPING`, docs/user/api/upload.md).
 * The `content` file part is added by the HTTP adapter, last.
 */
import { CORE_FIELDS, pyStrip } from "../metadata/fields.ts";
import type { MetadataFile } from "../metadata/parse.ts";
import { field, fieldAll } from "../metadata/parse.ts";
import { splitWheelFilename } from "../names/filename.ts";
import { compareVersions, parseVersion } from "../pep440/version.ts";
import { fail, ok, type Parsed } from "../result.ts";

export type FormField = readonly [name: string, value: string];
export type FileType = "bdist_wheel" | "sdist";

export interface FormInput {
  /** Basename of the distribution file. */
  filename: string;
  /** Its parsed METADATA (wheel) or PKG-INFO (sdist). */
  metadata: MetadataFile;
  /** Lowercase hex digests of the whole file. */
  sha256: string;
  blake2_256: string;
  /** Free text stored by PyPI with the file (twine's --comment). */
  comment?: string;
}

export interface UploadForm {
  fields: FormField[];
  filetype: FileType;
  pyversion: string;
  /** Name and version as the metadata gives them. */
  name: string;
  version: string;
  /** Form fields left out on purpose (e.g. License-File in metadata < 2.4), as data the CLI words. */
  dropped: DroppedField[];
}

/**
 * A form field left out on purpose: `license_file` (its `count` values) because the file's
 * `metadataVersion` is below 2.4, where PyPI refuses License-File (as twine drops it).
 */
export interface DroppedField {
  field: "license_file";
  count: number;
  metadataVersion: string;
}

/**
 * Form names that are not `lower(field).replace("-", "_")`: multi-use fields take packaging's
 * RawMetadata (plural) key, except the five warehouse maps back to the singular.
 */
const FORM_NAMES: Readonly<Record<string, string>> = {
  "home-page": "home_page",
  classifier: "classifiers",
  "project-url": "project_urls",
  "license-file": "license_file",
  "import-name": "import_name",
  "import-namespace": "import_namespace",
};

/** The form name of a core-metadata field (`Requires-Dist` → `requires_dist`). */
export function formName(fieldName: string): string {
  const lower = fieldName.toLowerCase();
  return FORM_NAMES[lower] ?? lower.replaceAll("-", "_");
}

/** twine's "safe name" (pkg_resources.safe_name, twine#743): runs of other characters become `-`. */
export function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9.]+/g, "-");
}

/** `filetype` from the extension, as PyPI matches them (`.whl` ↔ bdist_wheel, `.tar.gz`/`.zip` ↔ sdist). */
export function fileTypeOf(filename: string): FileType | undefined {
  if (filename.endsWith(".whl")) return "bdist_wheel";
  if (filename.endsWith(".tar.gz") || filename.endsWith(".zip")) return "sdist";
  return undefined;
}

/** `pyversion`: the wheel filename's python tag(s) as written (`py3`, `py2.py3`, `cp312`); `source` for an sdist. */
export function pyVersionOf(filename: string): Parsed<string> {
  if (fileTypeOf(filename) === "sdist") return ok("source");
  const parts = splitWheelFilename(filename);
  if (!parts.ok) return fail(`${filename} is not a valid wheel filename: it ${parts.error}`);
  return ok(parts.value.tag.split("-")[0] ?? "");
}

// packaging's _parse_keywords splits on "," and strips each; twine joins with ", ".
const keywordsValue = (value: string): string => value.split(",").map(pyStrip).join(", ");

// packaging's _parse_project_urls splits once on "," and strips both halves; twine sends "label, url".
function projectUrlValue(value: string): string {
  const comma = value.indexOf(",");
  if (comma < 0) return `${pyStrip(value)}, `;
  return `${pyStrip(value.slice(0, comma))}, ${pyStrip(value.slice(comma + 1))}`;
}

const TWO_FOUR = parseVersion("2.4");

/** License-File is meaningful only from Metadata-Version 2.4 (PEP 639); older setuptools wrote it anyway. */
function before24(metadataVersion: string): boolean {
  const parsed = parseVersion(metadataVersion.trim());
  return parsed === undefined || TWO_FOUR === undefined || compareVersions(parsed, TWO_FOUR) < 0;
}

/**
 * Assembles the upload form for one distribution, in a stable order: `:action` and
 * `protocol_version` first, then every core-metadata field in the spec's order (multi-use
 * fields repeated; Keywords as one string; `requires_python` always, even empty, because
 * GitLab requires the key), then `pyversion`, `filetype`, `comment`, and the sha256 and
 * blake2b-256 digests. License-File is dropped below Metadata-Version 2.4, as twine does,
 * because PyPI refuses it there. Fails only when the file cannot be uploaded at all (unknown
 * extension, unparsable wheel name, no Metadata-Version, Name or Version).
 */
export function assembleUploadForm(input: FormInput): Parsed<UploadForm> {
  const filetype = fileTypeOf(input.filename);
  if (filetype === undefined) {
    return fail(`${input.filename} is neither a wheel (.whl) nor an sdist (.tar.gz, .zip)`);
  }
  const pyversion = pyVersionOf(input.filename);
  if (!pyversion.ok) return pyversion;
  const md = input.metadata;
  const metadataVersion = field(md, "Metadata-Version");
  const name = field(md, "Name");
  const version = field(md, "Version");
  for (const [label, value] of [
    ["Metadata-Version", metadataVersion],
    ["Name", name],
    ["Version", version],
  ] as const) {
    if (value === undefined || pyStrip(value) === "") {
      return fail(`the metadata of ${input.filename} has no ${label}`);
    }
  }

  const fields: FormField[] = [
    [":action", "file_upload"],
    ["protocol_version", "1"],
  ];
  const dropped: DroppedField[] = [];
  for (const spec of CORE_FIELDS) {
    const key = formName(spec.name);
    const values = spec.multiple ? fieldAll(md, spec.name) : fieldAll(md, spec.name).slice(0, 1);
    if (spec.name === "Name") {
      fields.push([key, safeName(name as string)]);
    } else if (spec.name === "Description") {
      const text = md.body ?? values[0];
      if (text !== undefined) fields.push([key, text]);
    } else if (spec.name === "Requires-Python") {
      fields.push([key, values[0] ?? ""]);
    } else if (spec.name === "License-File" && values.length > 0 && before24(metadataVersion as string)) {
      dropped.push({
        field: "license_file",
        count: values.length,
        metadataVersion: metadataVersion as string,
      });
    } else if (spec.name === "Keywords") {
      for (const value of values) fields.push([key, keywordsValue(value)]);
    } else if (spec.name === "Project-URL") {
      for (const value of values) fields.push([key, projectUrlValue(value)]);
    } else {
      for (const value of values) fields.push([key, value]);
    }
  }
  fields.push(["pyversion", pyversion.value], ["filetype", filetype]);
  if (input.comment !== undefined) fields.push(["comment", input.comment]);
  fields.push(["sha256_digest", input.sha256], ["blake2_256_digest", input.blake2_256]);
  return ok({
    fields,
    filetype,
    pyversion: pyversion.value,
    name: name as string,
    version: version as string,
    dropped,
  });
}
