/** Catalogue of the pyproject.toml checks (validation.md section K, and EP09 of section H). */
import type { CheckInfo } from "../findings.ts";

export const PP01: CheckInfo = {
  id: "PP01",
  severity: "error",
  title: "pyproject.toml is valid TOML 1.0 with only the standard top-level tables",
  why:
    "pip, build and every backend read pyproject.toml with Python's tomllib (TOML 1.0): a syntax error, a " +
    "byte-order mark or TOML 1.1-only syntax (\\e or \\x escapes, line breaks or trailing commas in inline " +
    "tables, times without seconds) stops the build before it starts. Top-level tables other than " +
    "[build-system], [project], [tool] and [dependency-groups] are reserved by the specification.",
  fix: "Fix the TOML at the reported line and column; keep tool settings under [tool.<name>].",
  source: "[PPT], TOML 1.0 (tomllib), [VP] schema",
};

export const PP02: CheckInfo = {
  id: "PP02",
  severity: "error",
  title: "[build-system] declares requires and a valid build-backend",
  why:
    "Frontends install build-system.requires and import build-backend to build the project: a table " +
    "without requires is refused by pip, a malformed backend reference cannot be imported, and a " +
    "backend-path outside the project is refused. Without the table, pip and build fall back to " +
    "setuptools' legacy behaviour, which is rarely what a modern project means.",
  fix: 'Declare the backend, e.g. requires = ["hatchling"] and build-backend = "hatchling.build" under [build-system].',
  source: "[PPT], PEP 517, PEP 518, [VP] pep517_backend_reference",
};

export const PP03: CheckInfo = {
  id: "PP03",
  severity: "error",
  title: "[project] has only the specified keys, each with the right TOML type",
  why:
    "The specification lists every key [project] may have. Backends such as flit_core, setuptools and " +
    "pyproject-metadata stop on an unknown key (often a typo such as `author` or `requires`), and a value " +
    "of the wrong type (a string where an array belongs) fails the build or is misread.",
  fix: "Rename or remove the key, or give it the type the pyproject.toml specification requires.",
  source: "[PPT], [VP] project_metadata.schema.json",
};

export const PP04: CheckInfo = {
  id: "PP04",
  severity: "error",
  title: "project.name is present, static and a valid project name",
  why:
    "The name is the one field every backend needs and may never compute. PyPI refuses names that do " +
    "not match ^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$ (ASCII letters and digits, with . _ - between them).",
  fix: 'Set name = "your-project" in [project], using letters, digits, ".", "_" and "-" only.',
  source: "[PPT], [NN]",
};

export const PP05: CheckInfo = {
  id: "PP05",
  severity: "error",
  title: "project.version is declared (static or dynamic) and is a valid PEP 440 version",
  why:
    "Version is a required core-metadata field, so it must be in [project] or listed in dynamic. An " +
    "invalid PEP 440 string fails the build; a non-normalized one (v1.0, 1.0-rc1) is rewritten by the " +
    "backend, so file names and tags no longer match what you wrote; PyPI refuses local versions (+local).",
  fix: 'Write the normalized PEP 440 version (e.g. 1.2.0rc1), or list "version" in project.dynamic.',
  source: "[PPT], [VS]",
};

export const PP06: CheckInfo = {
  id: "PP06",
  severity: "error",
  title: "project.dynamic lists only known keys, never name, and no key that is also static",
  why:
    "dynamic tells the backend which fields it may fill in. Listing name, an unknown key, or a key that " +
    "also has a static value is an error for backends. PEP 808 (Metadata 2.6) lets array and table keys " +
    "be static and dynamic at once, but most backends and validate-pyproject do not support that yet.",
  fix: "Remove the key from project.dynamic, or remove its static value.",
  source: "[PPT], [P808], [VP] validate_project_dynamic",
};

export const PP07: CheckInfo = {
  id: "PP07",
  severity: "error",
  title: "project.description is one line of at most 512 characters",
  why:
    "description becomes the Summary header. PyPI refuses a Summary that contains a line break or is " +
    "longer than 512 characters, and a raw line break in a header corrupts the rest of the metadata.",
  fix: "Keep description to one short sentence; longer text belongs in the README.",
  source: "[PPT], [PKG] _process_summary, [WHM] _LENGTH_LIMITS",
};

export const PP08: CheckInfo = {
  id: "PP08",
  severity: "error",
  title: "project.readme names a UTF-8 file or text with a supported content type",
  why:
    "The readme becomes the project's description on PyPI. Backends must fail when the file is missing, " +
    "when its suffix is not .md or .rst and no content-type is given, or when a table has both or neither " +
    "of file and text, or no content-type. PyPI refuses content types other than text/markdown, " +
    "text/x-rst and text/plain, charsets other than UTF-8 and unknown Markdown variants.",
  fix: 'Use readme = "README.md" (or .rst), or a table such as { file = "README.txt", content-type = "text/plain" }, saved as UTF-8.',
  source: "[PPT], [CM] Description-Content-Type",
};

export const PP09: CheckInfo = {
  id: "PP09",
  severity: "error",
  title: "project.requires-python is a valid version specifier set",
  why:
    "requires-python becomes Requires-Python, which installers use to choose a compatible release. PyPI " +
    "refuses an invalid set, and spellings that were once tolerated (>=3.6.*, 3.8, *) are invalid.",
  fix: "Write a specifier set such as >=3.9 or >=3.9,<4.",
  source: "[PPT], [VS]",
};

export const PP10: CheckInfo = {
  id: "PP10",
  severity: "error",
  title: "project.license is a valid SPDX expression (or a well-formed legacy table)",
  why:
    "Since PEP 639, license is an SPDX expression written to License-Expression; PyPI refuses unknown " +
    "identifiers and expects the canonical case. The legacy table ({ file } or { text }) is deprecated, " +
    "must have exactly one of its keys, and cannot be combined with license-files.",
  fix: 'Write license = "MIT" (or another SPDX expression such as "Apache-2.0 OR MIT") and list licence files in license-files.',
  source: "[PPT], [P639], [LE]",
};

export const PP11: CheckInfo = {
  id: "PP11",
  severity: "error",
  title: "project.license-files patterns are valid and each matches a UTF-8 file",
  why:
    "Each entry is a glob pattern. Backends must refuse invalid patterns (backslashes, absolute paths, " +
    "`..`, characters such as `{`) and must fail when a pattern matches no file. Matched files are shipped " +
    "in every distribution, declared as License-File, and must be UTF-8 text.",
  fix: 'Use relative patterns with "/" such as "LICEN[CS]E*" or "LICENSES/*", check each matches a file, and save licence files as UTF-8.',
  source: "[GP], [PPT], [P639]",
};

export const PP12: CheckInfo = {
  id: "PP12",
  severity: "error",
  title: "authors and maintainers are tables with a comma-free name and a valid e-mail",
  why:
    "Each entry becomes part of Author/Maintainer or Author-email/Maintainer-email. An entry needs a " +
    "name or an email and nothing else; a comma in a name splits it into two addresses; PyPI refuses an " +
    "Author-email or Maintainer-email that is not a valid address list.",
  fix: 'Write entries such as { name = "Jane Doe", email = "jane@example.org" }, without commas in the name.',
  source: "[PPT], [VP] author, [WHM] email-validator",
};

export const PP13: CheckInfo = {
  id: "PP13",
  severity: "error",
  title: "project.classifiers are known, current trove classifiers",
  why:
    "PyPI refuses unknown and deprecated classifiers, and every Private :: classifier (whose purpose is to " +
    "block accidental uploads). License :: classifiers are deprecated by PEP 639 in favour of license, and " +
    "some backends refuse them next to a licence expression.",
  fix: "Use classifiers from https://pypi.org/classifiers/, apply the suggested replacements, and state the licence in project.license.",
  source: "[PPT], [WHM], trove-classifiers, [P639]",
};

export const PP14: CheckInfo = {
  id: "PP14",
  severity: "error",
  title: "project.urls labels have at most 32 characters and values are http(s) URLs",
  why:
    "Each entry becomes `Project-URL: label, url`. PyPI refuses labels longer than 32 characters and URLs " +
    "whose scheme is not http or https; a comma in a label moves the split point and breaks the URL.",
  fix: "Use short labels (Homepage, Documentation, Source, Changelog) and absolute https:// URLs.",
  source: "[PPT], [CM] Project-URL, [WHM], [WKU]",
};

export const PP15: CheckInfo = {
  id: "PP15",
  severity: "error",
  title: "dependencies and optional-dependencies are valid requirements with valid extra names",
  why:
    "Each string becomes a Requires-Dist header: an invalid requirement fails the build and PyPI refuses " +
    "direct references (name @ url). Extra names become Provides-Extra and are normalized (PEP 685): two " +
    "extras that normalize alike collide, and a non-normalized name is rewritten by the backend.",
  fix: 'Write requirements such as "requests>=2.31" or "tomli; python_version < \'3.11\'", publish direct dependencies to an index, and name extras in lower case with - (e.g. "dev-tools").',
  source: "[PPT], [DS], [CM] Provides-Extra, [WHM]",
};

export const PP16: CheckInfo = {
  id: "PP16",
  severity: "error",
  title: "project.import-names and import-namespaces are dotted Python identifiers",
  why:
    "PEP 794 import names become Import-Name and Import-Namespace (Metadata 2.5). PyPI refuses values " +
    "that are not dotted identifiers, contain a keyword, or carry an option other than `; private`. A " +
    "name in both keys contradicts itself, and the parents of dotted names should be listed too.",
  fix: 'List importable names such as "mypkg" and "mypkg.plugins", add "; private" only to private ones, and keep each name in one key.',
  source: "[PPT], PEP 794, [PKG] _process_import_names",
};

export const PP17: CheckInfo = {
  id: "PP17",
  severity: "error",
  title: "[dependency-groups] are well-formed and their includes resolve",
  why:
    "pip, uv and other tools install dependency groups (PEP 735). A group name that is not a valid name, " +
    "two names that normalize alike, an item that is neither a requirement string nor " +
    '{ include-group = "..." }, an include of a missing group or a cycle of includes makes them fail.',
  fix: 'Name groups like extras, list requirement strings or { include-group = "other" } tables, and break include cycles.',
  source: "PEP 735, [VP] validate_include_dependency",
};

export const PP18: CheckInfo = {
  id: "PP18",
  severity: "error",
  title: "Static [project] values can be written into core metadata unchanged",
  why:
    "The backend copies static values into single-line metadata headers. A line break in a keyword, an " +
    "author name, a URL label or a licence file path ends the header early and forges the next one " +
    "(CVE-2024-6923), and a comma inside one keyword splits it in two. XA04 then compares these values " +
    "with what the built distributions contain.",
  fix: "Remove line breaks from the value, and do not put commas inside a keyword.",
  source: "[PPT], [CM], pypa/packaging#1356",
};

export const EP09: CheckInfo = {
  id: "EP09",
  severity: "error",
  title: "[project] entry-point tables are well-formed",
  why:
    "Backends must refuse [project.entry-points.console_scripts] and .gui_scripts (they belong in " +
    "[project.scripts] and [project.gui-scripts]) and nested sub-tables. Group names must be dotted " +
    "identifiers, script names may use only letters, digits, `_`, `.` and `-`, every value must be an " +
    "object reference, and scripts also need `:function`, or pip refuses to install them.",
  fix: 'Write scripts as name = "package.module:function" under [project.scripts], and plugins under [project.entry-points."group.name"].',
  source: "[PPT], [EP], [VP] python_entrypoint_*, [PIP] MissingCallableSuffix",
};

/** The catalogue, in ID order; EP09 lives here because it checks pyproject.toml. */
export const PP_CHECKS: CheckInfo[] = [
  PP01,
  PP02,
  PP03,
  PP04,
  PP05,
  PP06,
  PP07,
  PP08,
  PP09,
  PP10,
  PP11,
  PP12,
  PP13,
  PP14,
  PP15,
  PP16,
  PP17,
  PP18,
  EP09,
];
