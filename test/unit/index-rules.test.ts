import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  checkDigests,
  checkUploadForm,
  conflictMessage,
  isSafeFilename,
  parseAuthorization,
  type ReceivedForm,
  reasonPhrase,
} from "../../src/core/upload/index-rules.ts";

const SHA = "ab".repeat(32);

function form(fields: Record<string, string>, extra: Partial<ReceivedForm> = {}): ReceivedForm {
  const base: Record<string, string> = {
    ":action": "file_upload",
    protocol_version: "1",
    metadata_version: "2.4",
    name: "Demo.Pkg",
    version: "1.0",
    filetype: "bdist_wheel",
    pyversion: "py3",
    sha256_digest: SHA,
    ...fields,
  };
  const map = new Map<string, string[]>();
  for (const [k, v] of Object.entries(base)) if (v !== "<absent>") map.set(k, [v]);
  return { fields: map, fileParts: ["content"], filename: "demo_pkg-1.0-py3-none-any.whl", ...extra };
}

function refusal(f: ReceivedForm): string {
  const result = checkUploadForm(f);
  assert.equal(result.ok, false, "expected a refusal");
  return result.ok ? "" : result.error;
}

describe("upload form", () => {
  test("a twine-like wheel form passes, with the normalized project and lowercase digest", () => {
    const result = checkUploadForm(form({ sha256_digest: SHA.toUpperCase(), requires_python: ">=3.9" }));
    assert.ok(result.ok);
    assert.deepEqual(result.value, {
      name: "Demo.Pkg",
      project: "demo-pkg",
      version: "1.0",
      filetype: "bdist_wheel",
      filename: "demo_pkg-1.0-py3-none-any.whl",
      requiresPython: ">=3.9",
      digests: { sha256: SHA },
    });
  });

  test("an sdist needs the exact PEP 625 name and 'source' (or no) pyversion", () => {
    const sdist = { filetype: "sdist", pyversion: "source" };
    assert.ok(checkUploadForm(form(sdist, { filename: "demo_pkg-1.0.tar.gz" })).ok);
    assert.ok(
      checkUploadForm(form({ ...sdist, pyversion: "<absent>" }, { filename: "demo_pkg-1.0.tar.gz" })).ok,
    );
    assert.equal(
      refusal(form(sdist, { filename: "Demo.Pkg-1.0.tar.gz" })),
      "Filename 'Demo.Pkg-1.0.tar.gz' is invalid, should be 'demo_pkg-1.0.tar.gz'.",
    );
    assert.equal(
      refusal(form({ ...sdist, pyversion: "py3" }, { filename: "demo_pkg-1.0.tar.gz" })),
      "Use 'source' as Python version for an sdist.",
    );
    assert.match(refusal(form(sdist, { filename: "demo_pkg-1.0.zip" })), /Invalid file extension/);
  });

  test("a wheel needs a pyversion and a filename matching name and version after normalization", () => {
    assert.equal(
      refusal(form({ pyversion: "<absent>" })),
      "Python version is required for binary distribution uploads.",
    );
    assert.ok(
      checkUploadForm(form({ version: "1.0.0" }, { filename: "Demo_Pkg-1.0.0-py3-none-any.whl" })).ok,
    );
    assert.ok(
      checkUploadForm(form({ version: "1.0" }, { filename: "demo_pkg-1.0.0-py3-none-any.whl" })).ok === false,
    );
    assert.match(refusal(form({ name: "other" })), /^Start filename for 'other' with 'other'/);
    assert.equal(refusal(form({ version: "2.0" })), "Version in filename should be '2.0' not '1.0'.");
    assert.match(refusal(form({}, { filename: "demo_pkg-1.0.whl" })), /^Invalid wheel filename/);
    assert.match(
      refusal(form({ filetype: "sdist", pyversion: "source" })),
      /does not match filetype 'sdist'/,
    );
  });

  test("path separators, traversal, control characters and hidden names are refused", () => {
    for (const filename of [
      "../demo_pkg-1.0-py3-none-any.whl",
      "a/b.whl",
      "a\\b.whl",
      ".hidden.whl",
      "x\n.whl",
      "",
    ]) {
      assert.equal(isSafeFilename(filename), false, filename);
      assert.match(refusal(form({}, { filename })), /Cannot upload a file with '\/'/, filename);
    }
    assert.equal(isSafeFilename("demo_pkg-1.0-py3-none-any.whl"), true);
    assert.equal(isSafeFilename(`${"a".repeat(252)}.whl`), false);
  });

  test("action, protocol, file parts and metadata version are checked first", () => {
    assert.match(refusal(form({ ":action": "submit" })), /Unsupported ':action'/);
    assert.equal(refusal(form({ protocol_version: "2" })), "Unknown protocol version.");
    assert.equal(refusal(form({}, { fileParts: ["content", "summary"] })), "summary: Should not be a tuple.");
    assert.equal(
      refusal(form({}, { filename: undefined as unknown as string })),
      "Upload payload does not have a file.",
    );
    assert.equal(refusal(form({}, { contentType: "image/png" })), "Invalid distribution file.");
    assert.match(
      refusal(form({ metadata_version: "2.0" })),
      /'2.0' is an invalid value for Metadata-Version/,
    );
  });

  test("names, versions, local versions and requires_python", () => {
    assert.match(refusal(form({ name: "-bad-" })), /'-bad-' is an invalid value for Name/);
    assert.match(refusal(form({ version: "one" })), /'one' is an invalid value for Version/);
    assert.equal(
      refusal(form({ version: "1.0+local" })),
      "The use of local versions in '1.0+local' is not allowed.",
    );
    assert.match(refusal(form({ requires_python: ">=3.9,=<4" })), /invalid value for Requires-Python/);
    assert.ok(checkUploadForm(form({ requires_python: "" })).ok, "an empty requires_python is absent");
  });

  test("digests: a strong one is required; formats are checked", () => {
    assert.match(refusal(form({ sha256_digest: "<absent>" })), /Include at least one message digest/);
    assert.match(
      refusal(form({ sha256_digest: "<absent>", md5_digest: "0".repeat(32) })),
      /Include at least one message digest/,
    );
    assert.ok(checkUploadForm(form({ sha256_digest: "<absent>", blake2_256_digest: SHA })).ok);
    assert.match(refusal(form({ sha256_digest: "xyz" })), /^sha256_digest: Use a valid/);
    assert.match(refusal(form({ blake2_256_digest: "00" })), /^blake2_256_digest: Use a valid/);
    assert.match(refusal(form({ md5_digest: "00" })), /^md5_digest: Use a valid/);
  });

  test("checkDigests compares only what was claimed, naming each mismatch", () => {
    assert.equal(checkDigests({ sha256: SHA }, { sha256: SHA, blake2_256: "x" }), undefined);
    const message = checkDigests(
      { sha256: SHA, md5: "1".repeat(32) },
      { sha256: "cd".repeat(32), md5: "1".repeat(32) },
    );
    assert.match(message ?? "", /^The digest supplied does not match .*sha256 claimed ab.*, received cd/);
  });

  test("the conflict message names the file and both hashes", () => {
    const message = conflictMessage("f.whl", "1".repeat(64), "2".repeat(64));
    assert.ok(message.startsWith("File already exists ('f.whl')"));
    assert.ok(message.includes("1".repeat(64)) && message.includes("2".repeat(64)));
  });
});

describe("authorization and reason phrases", () => {
  test("Basic, token and bearer schemes", () => {
    const basic = `Basic ${Buffer.from("__token__:s3cr:et").toString("base64")}`;
    assert.deepEqual(parseAuthorization(basic), {
      kind: "basic",
      username: "__token__",
      password: "s3cr:et",
    });
    assert.deepEqual(parseAuthorization("token abc"), { kind: "token", token: "abc" });
    assert.deepEqual(parseAuthorization("Bearer abc"), { kind: "token", token: "abc" });
    assert.equal(parseAuthorization(undefined), undefined);
    assert.equal(parseAuthorization("Digest x"), undefined);
    assert.equal(parseAuthorization("Basic !!!"), undefined);
    assert.equal(parseAuthorization(`Basic ${Buffer.from("nocolon").toString("base64")}`), undefined);
  });

  test("reason phrases are one line of ISO-8859-1, capped", () => {
    assert.equal(reasonPhrase("a\r\nb\tc  d"), "a b c d");
    assert.equal(reasonPhrase("naïve → ok"), "naïve ? ok");
    assert.equal(reasonPhrase("x".repeat(1200)).length, 1000);
  });
});
