/**
 * The upload form: field names, repetition and values as PyPI reads them, checked by hand on
 * the quirks and against twine 7.0.0 (PackageFile.metadata_dictionary plus
 * Repository._convert_metadata_to_list_of_tuples) on a generated set of real wheels and sdists.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { parseMetadataFile } from "../../src/core/metadata/parse.ts";
import {
  assembleUploadForm,
  type FormField,
  formName,
  pyVersionOf,
  safeName,
} from "../../src/core/upload/form.ts";
import { metadataText } from "../helpers/dists.ts";
import { pythonJson } from "../helpers/peers.ts";
import { buildTar, gzipTar } from "../helpers/tar-writer.ts";
import { buildZip } from "../helpers/zip-writer.ts";

const work = mkdtempSync(join(tmpdir(), "slipway-form-"));
after(() => rmSync(work, { recursive: true, force: true }));

const SHA = "a".repeat(64);
const B2 = "b".repeat(64);

function form(metadata: string, filename = "demo_pkg-1.0-py3-none-any.whl"): FormField[] {
  const parsed = assembleUploadForm({
    filename,
    metadata: parseMetadataFile(new TextEncoder().encode(metadata)),
    sha256: SHA,
    blake2_256: B2,
  });
  assert.ok(parsed.ok, parsed.ok ? "" : parsed.error);
  return parsed.value.fields;
}

const values = (fields: FormField[], name: string) => fields.filter(([n]) => n === name).map(([, v]) => v);

test("form names: lowercase and underscores, plural RawMetadata keys, warehouse's singular exceptions", () => {
  assert.equal(formName("Requires-Dist"), "requires_dist");
  assert.equal(formName("Home-page"), "home_page");
  assert.equal(formName("Classifier"), "classifiers");
  assert.equal(formName("Project-URL"), "project_urls");
  assert.equal(formName("Platform"), "platform");
  assert.equal(formName("Supported-Platform"), "supported_platform");
  assert.equal(formName("License-File"), "license_file");
  assert.equal(formName("Import-Name"), "import_name");
  assert.equal(formName("Import-Namespace"), "import_namespace");
  assert.equal(formName("Description-Content-Type"), "description_content_type");
});

test("the form has the protocol fields, digests, filetype, pyversion and repeated multi-use fields", () => {
  const text = `${metadataText("Demo_Pkg", "1.0")}`.replace(
    "Classifier: Operating System :: OS Independent\n",
    "Classifier: Operating System :: OS Independent\nRequires-Dist: requests>=2\nRequires-Dist: rich; extra == 'cli'\nProvides-Extra: cli\n",
  );
  const fields = form(text);
  assert.deepEqual(fields.slice(0, 2), [
    [":action", "file_upload"],
    ["protocol_version", "1"],
  ]);
  assert.deepEqual(values(fields, "name"), ["Demo-Pkg"], "twine's safe name");
  assert.deepEqual(values(fields, "version"), ["1.0"]);
  assert.deepEqual(values(fields, "metadata_version"), ["2.4"]);
  assert.deepEqual(values(fields, "requires_dist"), ["requests>=2", "rich; extra == 'cli'"]);
  assert.deepEqual(values(fields, "classifiers").length, 2);
  assert.deepEqual(values(fields, "keywords"), ["demo, publish, tests"], "one string, joined as twine does");
  assert.deepEqual(values(fields, "project_urls"), ["Homepage, https://example.org/slipway-pub-demo"]);
  assert.deepEqual(values(fields, "license_file"), ["LICENSE"]);
  assert.deepEqual(values(fields, "description"), ["# Demo_Pkg\n\nA package made by the tests.\n"]);
  assert.deepEqual(values(fields, "pyversion"), ["py3"]);
  assert.deepEqual(values(fields, "filetype"), ["bdist_wheel"]);
  assert.deepEqual(values(fields, "sha256_digest"), [SHA]);
  assert.deepEqual(values(fields, "blake2_256_digest"), [B2]);
  assert.equal(values(fields, "md5_digest").length, 0, "twine 6.2 dropped md5");
});

test("requires_python is always sent, even empty (GitLab requires the key)", () => {
  const fields = form("Metadata-Version: 2.1\nName: x\nVersion: 1\n");
  assert.deepEqual(values(fields, "requires_python"), [""]);
  assert.equal(values(fields, "description").length, 0);
});

test("License-File is dropped below Metadata-Version 2.4, as twine does (PyPI refuses it there)", () => {
  const text = "Metadata-Version: 2.1\nName: x\nVersion: 1\nLicense-File: LICENSE\nLicense-File: NOTICE\n";
  const parsed = assembleUploadForm({
    filename: "x-1-py3-none-any.whl",
    metadata: parseMetadataFile(new TextEncoder().encode(text)),
    sha256: SHA,
    blake2_256: B2,
  });
  assert.ok(parsed.ok);
  assert.equal(values(parsed.value.fields, "license_file").length, 0);
  assert.deepEqual(parsed.value.dropped, [{ field: "license_file", count: 2, metadataVersion: "2.1" }]);
});

test("pyversion: the python tag(s) of a wheel as written, `source` for an sdist", () => {
  assert.deepEqual(pyVersionOf("x-1-py2.py3-none-any.whl"), { ok: true, value: "py2.py3" });
  assert.deepEqual(pyVersionOf("x-1-1build-cp312-cp312-manylinux_2_17_x86_64.whl"), {
    ok: true,
    value: "cp312",
  });
  assert.deepEqual(pyVersionOf("x-1.tar.gz"), { ok: true, value: "source" });
  assert.equal(pyVersionOf("x-1-py3.whl").ok, false);
  const sdist = form("Metadata-Version: 2.4\nName: x\nVersion: 1\n", "x-1.tar.gz");
  assert.deepEqual(values(sdist, "filetype"), ["sdist"]);
  assert.deepEqual(values(sdist, "pyversion"), ["source"]);
});

test("a file that cannot be uploaded at all is refused with the reason", () => {
  const md = parseMetadataFile(new TextEncoder().encode("Metadata-Version: 2.4\nName: x\n"));
  const noVersion = assembleUploadForm({ filename: "x-1.tar.gz", metadata: md, sha256: SHA, blake2_256: B2 });
  assert.deepEqual(noVersion, { ok: false, error: "the metadata of x-1.tar.gz has no Version" });
  const egg = assembleUploadForm({ filename: "x-1.egg", metadata: md, sha256: SHA, blake2_256: B2 });
  assert.equal(egg.ok, false);
  assert.equal(safeName("a__b..c"), "a-b..c");
});

// --- the twine oracle ------------------------------------------------------------------------

const VARIANTS: string[] = [
  metadataText("slipway-pub-demo", "1.0.0"),
  "Metadata-Version: 2.1\nName: Old_Style.Pkg\nVersion: 0.1\nSummary: old\nHome-page: https://example.org\nAuthor: A. Person\nAuthor-email: a@example.org\nLicense: MIT\nLicense-File: LICENSE.txt\nPlatform: UNKNOWN\nClassifier: Development Status :: 4 - Beta\nRequires-Python: >=3.8\nDescription-Content-Type: text/x-rst\n\nHello\n=====\n\nbody\n",
  "Metadata-Version: 2.2\nName: dyn\nVersion: 2.0\nDynamic: Requires-Dist\nDynamic: Summary\nRequires-Dist: numpy (>=1.0)\nRequires-Dist: scipy; python_version >= '3.10'\nProvides-Extra: fast\nProvides-Extra: docs\nProject-URL: Docs, https://docs.example.org\nProject-URL: Source ,  https://src.example.org \nKeywords: a , b,c\nMaintainer: M\nMaintainer-email: m@example.org\nDownload-URL: https://example.org/dl\n",
  "Metadata-Version: 1.2\nName: ancient\nVersion: 3\nRequires-External: libpq\nProvides-Dist: ancient\nObsoletes-Dist: older\nSupported-Platform: linux-x86_64\nDescription: a one-line header description\n",
  "Metadata-Version: 2.4\nName: lic\nVersion: 1.0.post1\nLicense-Expression: Apache-2.0 OR MIT\nLicense-File: LICENSE\nLicense-File: licenses/NOTICE\nKeywords: single\n\nbody with ünïcödé ✓\n",
  "Metadata-Version: 2.3\nName: empty-ish\nVersion: 1.0rc1\nSummary: \nRequires-Python: \n",
];

function wheelFile(index: number, metadata: string): string {
  const name = /^Name: (.*)$/m.exec(metadata)?.[1] ?? "x";
  const version = /^Version: (.*)$/m.exec(metadata)?.[1] ?? "1";
  const stem = `${name.toLowerCase().replace(/[-_.]+/g, "_")}-${version}`;
  const zip = buildZip({
    entries: [
      { name: `${stem}.dist-info/METADATA`, data: metadata },
      {
        name: `${stem}.dist-info/WHEEL`,
        data: "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py2-none-any\nTag: py3-none-any\n",
      },
    ],
  });
  const path = join(work, `v${index}`, `${stem}-py2.py3-none-any.whl`);
  mkdirSync(join(work, `v${index}`), { recursive: true });
  writeFileSync(path, zip);
  return path;
}

function sdistFile(index: number, metadata: string): string {
  const name = /^Name: (.*)$/m.exec(metadata)?.[1] ?? "x";
  const version = /^Version: (.*)$/m.exec(metadata)?.[1] ?? "1";
  const stem = `${name.toLowerCase().replace(/[-_.]+/g, "_")}-${version}`;
  const tar = buildTar({ entries: [{ name: `${stem}/` }, { name: `${stem}/PKG-INFO`, data: metadata }] });
  const path = join(work, `v${index}`, `${stem}.tar.gz`);
  writeFileSync(path, gzipTar(tar));
  return path;
}

const TWINE_FORM = `
import sys, json
from twine.package import PackageFile
from twine.repository import Repository
out = []
for path in json.load(sys.stdin):
    pf = PackageFile.from_filename(path, None)
    fields = Repository._convert_metadata_to_list_of_tuples(pf.metadata_dictionary())
    out.append({"fields": [[k, v] for k, v in fields], "sha256": pf.sha2_digest, "blake2": pf.blake2_256_digest})
print(json.dumps(out))
`;

test("oracle: the same fields and values as twine 7.0.0 sends, for wheels and sdists", () => {
  const files = VARIANTS.flatMap((md, i) => [
    { path: wheelFile(i, md), md },
    { path: sdistFile(i, md), md },
  ]);
  const twine = pythonJson<{ fields: [string, string][]; sha256: string; blake2: string }[]>(
    TWINE_FORM,
    files.map((f) => f.path),
  );
  for (const [i, file] of files.entries()) {
    const expected = twine[i];
    assert.ok(expected);
    const filename = file.path.split("/").pop() as string;
    const ours = assembleUploadForm({
      filename,
      metadata: parseMetadataFile(new TextEncoder().encode(file.md)),
      sha256: expected.sha256,
      blake2_256: expected.blake2,
    });
    assert.ok(ours.ok);
    // twine appends these two in _upload(); slipway sends them first.
    const theirs = [...expected.fields, [":action", "file_upload"], ["protocol_version", "1"]] as [
      string,
      string,
    ][];
    // slipway always sends requires_python (GitLab needs the key); twine only when the metadata has it.
    if (!theirs.some(([k]) => k === "requires_python")) theirs.push(["requires_python", ""]);
    const key = ([k, v]: readonly [string, string]) => JSON.stringify([k, v]);
    assert.deepEqual(ours.value.fields.map(key).sort(), theirs.map(key).sort(), `fields of ${filename}`);
  }
});
