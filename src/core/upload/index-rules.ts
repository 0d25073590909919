/**
 * What the embedded index accepts on its legacy upload API, with PyPI's rules and wording
 * (warehouse forklift/forms.py, forklift/legacy.py) so a release rehearsed against it fails where
 * PyPI would. Pure: the server hands in the parsed form and the digests it computed.
 */
import { METADATA_VERSIONS, PYPI_MAX_METADATA_VERSION } from "../metadata/fields.ts";
import { expectedSdistFilename, parseWheelFilename } from "../names/filename.ts";
import { isValidName, normalizeName } from "../names/name.ts";
import { parseSpecifierSet } from "../pep440/specifier.ts";
import { normalizeVersion, parseVersion } from "../pep440/version.ts";
import { fail, ok, type Parsed } from "../result.ts";

export type FileType = "sdist" | "bdist_wheel";

/** A multipart upload form as received: text fields (repeatable) and what came as file parts. */
export interface ReceivedForm {
  fields: ReadonlyMap<string, readonly string[]>;
  /** Names of the parts sent as files, in order (`content`, and perhaps others). */
  fileParts: readonly string[];
  /** The `content` part's filename, exactly as sent. */
  filename?: string;
  /** The `content` part's Content-Type. */
  contentType?: string;
}

export interface ClaimedDigests {
  sha256?: string;
  blake2_256?: string;
  md5?: string;
}

/** A form that passed every check that needs no file bytes. */
export interface UploadRequest {
  name: string;
  /** PEP 503 normalized name: the project's directory. */
  project: string;
  version: string;
  filetype: FileType;
  filename: string;
  /** Empty when the form had none (or an empty one). */
  requiresPython: string;
  digests: ClaimedDigests;
}

// PyPI: only `content` (and the legacy `gpg_signature`) may be file parts (forklift/decorators.py).
const FILE_FIELDS = new Set(["content", "gpg_signature"]);
const HEX64 = /^[a-f0-9]{64}$/i;
const HEX32 = /^[a-f0-9]{32}$/i;
// forklift/metadata.py SUPPORTED_METADATA_VERSIONS: 2.0 was never valid.
const SUPPORTED_METADATA_VERSIONS = METADATA_VERSIONS.slice(
  0,
  METADATA_VERSIONS.indexOf(PYPI_MAX_METADATA_VERSION) + 1,
);

/** The single value of a field; the empty string counts as absent, as on PyPI. */
export function field(form: ReceivedForm, name: string): string | undefined {
  const value = form.fields.get(name)?.[0];
  return value === undefined || value === "" ? undefined : value;
}

/**
 * A filename that can be stored and served as one path segment: not empty, at most 255 bytes, no
 * control characters, no `/` or `\`, not starting with `.` (so no `..` and no hidden files).
 */
export function isSafeFilename(filename: string): boolean {
  return (
    filename !== "" &&
    new TextEncoder().encode(filename).length <= 255 &&
    !/[\u0000-\u001f\u007f/\\]/.test(filename) &&
    !filename.startsWith(".")
  );
}

function checkFilename(
  filename: string,
  filetype: FileType,
  name: string,
  version: string,
): string | undefined {
  if (!isSafeFilename(filename)) {
    return `Cannot upload a file with '/' or '\\', control characters or a leading '.' in its name: '${filename}'.`;
  }
  const isWheel = filename.endsWith(".whl");
  if (!isWheel && !filename.endsWith(".tar.gz")) {
    return `Invalid file extension: use .tar.gz (PEP 625) or .whl, not '${filename}'.`;
  }
  if (isWheel !== (filetype === "bdist_wheel")) {
    return `Invalid file extension: '${filename}' does not match filetype '${filetype}'.`;
  }
  if (!isWheel) {
    const expected = expectedSdistFilename(name, version);
    return filename === expected ? undefined : `Filename '${filename}' is invalid, should be '${expected}'.`;
  }
  const wheel = parseWheelFilename(filename);
  if (!wheel.ok) return `Invalid wheel filename '${filename}': it ${wheel.error}.`;
  if (normalizeName(wheel.value.name) !== normalizeName(name)) {
    return `Start filename for '${name}' with '${normalizeName(name).replaceAll("-", "_")}', not '${wheel.value.name}'.`;
  }
  if (normalizeVersion(wheel.value.version) !== normalizeVersion(version)) {
    return `Version in filename should be '${normalizeVersion(version)}' not '${wheel.value.version}'.`;
  }
  return undefined;
}

function checkDigestFormats(form: ReceivedForm): Parsed<ClaimedDigests> {
  const digests: ClaimedDigests = {};
  const sha256 = field(form, "sha256_digest");
  const blake2 = field(form, "blake2_256_digest");
  const md5 = field(form, "md5_digest");
  if (sha256 !== undefined) {
    if (!HEX64.test(sha256)) return fail("sha256_digest: Use a valid, hex-encoded, SHA256 message digest.");
    digests.sha256 = sha256.toLowerCase();
  }
  if (blake2 !== undefined) {
    if (!HEX64.test(blake2))
      return fail("blake2_256_digest: Use a valid, hex-encoded, BLAKE2 message digest.");
    digests.blake2_256 = blake2.toLowerCase();
  }
  if (md5 !== undefined) {
    if (!HEX32.test(md5)) return fail("md5_digest: Use a valid, hex-encoded, MD5 message digest.");
    digests.md5 = md5.toLowerCase();
  }
  // The stored hash must be proven by a strong digest; md5 alone proves nothing.
  if (digests.sha256 === undefined && digests.blake2_256 === undefined) {
    return fail("Include at least one message digest: sha256_digest or blake2_256_digest.");
  }
  return ok(digests);
}

/**
 * Checks an upload form in PyPI's order: action and protocol, file parts, metadata version, name,
 * version, filetype and pyversion, digests, requires_python, then the filename against the name
 * and version. Returns the request, or the message for a 400 answer.
 */
export function checkUploadForm(form: ReceivedForm): Parsed<UploadRequest> {
  const action = field(form, ":action");
  if (action !== "file_upload")
    return fail(`Unsupported ':action' ${JSON.stringify(action ?? "")}; use 'file_upload'.`);
  const protocol = field(form, "protocol_version") ?? "1";
  if (protocol !== "1") return fail("Unknown protocol version.");
  const stray = form.fileParts.find((name) => !FILE_FIELDS.has(name));
  if (stray !== undefined) return fail(`${stray}: Should not be a tuple.`);
  if (form.filename === undefined) return fail("Upload payload does not have a file.");
  if (form.contentType?.toLowerCase().startsWith("image/")) return fail("Invalid distribution file.");

  const metadataVersion = field(form, "metadata_version") ?? "";
  if (!(SUPPORTED_METADATA_VERSIONS as readonly string[]).includes(metadataVersion)) {
    return fail(
      `'${metadataVersion}' is an invalid value for Metadata-Version. Error: Use a known metadata version.`,
    );
  }
  const name = field(form, "name") ?? "";
  if (!isValidName(name)) {
    return fail(
      `'${name}' is an invalid value for Name. Error: Start and end with a letter or numeral containing only ASCII numeric and '.', '_' and '-'.`,
    );
  }
  const version = field(form, "version") ?? "";
  const parsedVersion = parseVersion(version);
  if (parsedVersion === undefined) {
    return fail(
      `'${version}' is an invalid value for Version. Error: Start and end with a letter or numeral.`,
    );
  }
  if (parsedVersion.local !== undefined) {
    return fail(`The use of local versions in '${version}' is not allowed.`);
  }
  const filetype = field(form, "filetype");
  if (filetype !== "sdist" && filetype !== "bdist_wheel") return fail("filetype: Use a known file type.");
  const pyversion = field(form, "pyversion");
  if (filetype === "bdist_wheel" && pyversion === undefined) {
    return fail("Python version is required for binary distribution uploads.");
  }
  if (filetype === "sdist" && pyversion !== undefined && pyversion !== "source") {
    return fail("Use 'source' as Python version for an sdist.");
  }
  const digests = checkDigestFormats(form);
  if (!digests.ok) return digests;
  const requiresPython = field(form, "requires_python") ?? "";
  if (!parseSpecifierSet(requiresPython).ok) {
    return fail(`'${requiresPython}' is an invalid value for Requires-Python.`);
  }
  const problem = checkFilename(form.filename, filetype, name, version);
  if (problem !== undefined) return fail(problem);
  return ok({
    name,
    project: normalizeName(name),
    version,
    filetype,
    filename: form.filename,
    requiresPython,
    digests: digests.value,
  });
}

/**
 * Compares the digests a client claimed with the ones computed from the bytes received; the
 * message for a 400 answer, or undefined when every claimed digest matches.
 */
export function checkDigests(claimed: ClaimedDigests, actual: ClaimedDigests): string | undefined {
  const wrong = (["sha256", "blake2_256", "md5"] as const).filter(
    (alg) => claimed[alg] !== undefined && claimed[alg] !== actual[alg],
  );
  if (wrong.length === 0) return undefined;
  const detail = wrong
    .map((alg) => `${alg} claimed ${claimed[alg]}, received ${actual[alg] ?? "?"}`)
    .join("; ");
  return `The digest supplied does not match a digest calculated from the uploaded file (${detail}).`;
}

/** The 409 message for a filename already taken by different bytes; names both hashes. */
export function conflictMessage(filename: string, storedSha256: string, uploadedSha256: string): string {
  return (
    `File already exists ('${filename}') with different content: the index has sha256 ${storedSha256}, ` +
    `this upload has sha256 ${uploadedSha256}. A file name can never be reused; release a new version.`
  );
}

/** Credentials from an Authorization header: Basic user:password, or a bare token (`token`/`bearer`). */
export type Credentials =
  | { kind: "basic"; username: string; password: string }
  | { kind: "token"; token: string };

/** Parses an Authorization header; undefined when it is absent or not a scheme the index knows. */
export function parseAuthorization(header: string | undefined): Credentials | undefined {
  if (header === undefined) return undefined;
  const match = /^\s*([A-Za-z]+)\s+(\S+)\s*$/.exec(header);
  if (!match) return undefined;
  const scheme = (match[1] ?? "").toLowerCase();
  const value = match[2] ?? "";
  if (scheme === "token" || scheme === "bearer") return { kind: "token", token: value };
  if (scheme !== "basic") return undefined;
  let decoded: string;
  try {
    decoded = new TextDecoder("utf-8", { fatal: true }).decode(
      Uint8Array.from(atob(value), (c) => c.charCodeAt(0)),
    );
  } catch {
    return undefined;
  }
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  return { kind: "basic", username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * The message as an HTTP reason phrase: one line of printable ISO-8859-1 (what PyPI sends and
 * HTTP/1.1 allows), at most 1000 characters.
 */
export function reasonPhrase(message: string): string {
  const line = message.replace(/\s+/g, " ").trim();
  const latin1 = line.replace(/[^\u0020-\u007e\u00a0-\u00ff]/g, "?");
  return latin1.length > 1000 ? `${latin1.slice(0, 997)}...` : latin1;
}
