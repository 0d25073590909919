/**
 * The English of publish events: the library gives the facts (an index's answer, a URL, a file),
 * the CLI says them. One line per warning kind, retry and credential proof, as the CLI prints it.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  renderCause,
  renderCredentials,
  renderRetry,
  renderUploadUrlLint,
  renderWarning,
} from "../../src/cli/render/publish-events.ts";

const URL = "https://upload.example/legacy/";

test("a cause: the index's status, reason and words, or the transport error as it is", () => {
  assert.equal(renderCause({ kind: "answer", status: 503 }), "the index answered 503");
  assert.equal(
    renderCause({ kind: "answer", status: 403, reason: "Forbidden", words: "bad token" }),
    "the index answered 403 Forbidden: bad token",
  );
  assert.equal(
    renderCause({ kind: "transport", error: "ECONNRESET: socket hang up" }),
    "ECONNRESET: socket hang up",
  );
});

test("every warning kind has its sentence; hints where there is a next step", () => {
  assert.deepEqual(renderWarning({ kind: "no-credentials", uploadUrl: URL }), {
    message: `no password or token found for ${URL}: uploading without credentials`,
    hint: "Pass --password-stdin, set TWINE_PASSWORD, or add a password to .pypirc.",
  });
  assert.deepEqual(
    renderWarning({
      kind: "credentials-unproven",
      url: URL,
      cause: { kind: "answer", status: 502, reason: "Bad Gateway" },
      hint: "Try again later.",
    }),
    {
      message: `could not prove the credentials for ${URL}: the index answered 502 Bad Gateway`,
      hint: "Try again later.",
    },
  );
  assert.deepEqual(
    renderWarning({
      kind: "credentials-unproven",
      url: URL,
      cause: { kind: "transport", error: "timed out" },
    }),
    { message: `could not prove the credentials for ${URL}: timed out` },
  );
  assert.deepEqual(
    renderWarning({
      kind: "field-dropped",
      filename: "a-1-py3-none-any.whl",
      field: "license_file",
      count: 2,
      metadataVersion: "2.1",
    }),
    {
      message:
        "a-1-py3-none-any.whl: not sent: license_file (2): Metadata-Version 2.1 is below 2.4, where PyPI refuses License-File",
    },
  );
  assert.deepEqual(
    renderWarning({
      kind: "exists-but-absent",
      filename: "a-1.tar.gz",
      status: 409,
      pageUrl: "https://x/simple/a/",
    }),
    {
      message: "the index refused a-1.tar.gz as if it existed (409), but https://x/simple/a/ is 404",
      hint: "Check --check-url: a wrong simple URL makes every file look absent.",
    },
  );
  const lint = {
    kind: "pypi-no-slash",
    url: "https://upload.pypi.org/legacy",
    use: "https://upload.pypi.org/legacy/",
  } as const;
  assert.deepEqual(renderWarning({ kind: "upload-url", uploadUrl: lint.url, lint }), {
    message:
      "https://upload.pypi.org/legacy lacks the trailing slash; PyPI redirects it, which uploads cannot follow: use https://upload.pypi.org/legacy/",
  });
  assert.match(
    renderUploadUrlLint({ kind: "simple-url", url: "http://x/+simple/" }),
    /simple-index \(download\) URL/,
  );
  assert.equal(
    renderUploadUrlLint({
      kind: "pypi-website",
      url: "https://pypi.org/",
      use: "https://upload.pypi.org/legacy/",
    }),
    "https://pypi.org/ is PyPI's website, not its upload API: use https://upload.pypi.org/legacy/",
  );
  assert.equal(
    renderUploadUrlLint({
      kind: "not-pypi-upload",
      url: "https://test.pypi.org/",
      use: "https://test.pypi.org/legacy/",
    }),
    "https://test.pypi.org/ is not PyPI's upload URL: use https://test.pypi.org/legacy/",
  );
  assert.equal(
    renderUploadUrlLint({ kind: "no-trailing-slash", url: "http://x/legacy" }),
    "http://x/legacy probably needs a trailing slash (/legacy/)",
  );
});

test("retries: an upload names the file and the index's answer; a lookup names its URL", () => {
  assert.equal(
    renderRetry({
      type: "file-retry",
      file: "dist/a.whl",
      filename: "a.whl",
      attempt: 2,
      delayMs: 1500,
      cause: { kind: "answer", status: 429, reason: "Too Many Requests", words: "slow down" },
    }),
    "a.whl: the index answered 429 Too Many Requests: slow down; attempt 2 in 1.5 s",
  );
  assert.equal(
    renderRetry({
      type: "retry",
      purpose: "lookup",
      url: "https://x/simple/a/",
      attempt: 3,
      delayMs: 250,
      cause: { kind: "answer", status: 500, reason: "Internal Server Error" },
    }),
    "lookup https://x/simple/a/: answered 500 Internal Server Error; attempt 3 in 0.3 s",
  );
  assert.equal(
    renderRetry({
      type: "retry",
      purpose: "probe",
      url: URL,
      attempt: 2,
      delayMs: 1000,
      cause: { kind: "answer", status: 503 },
    }),
    `probe ${URL}: the index answered 503; attempt 2 in 1.0 s`,
  );
});

test("the credential proof: verdict, URL and the answer it rests on", () => {
  assert.equal(
    renderCredentials({
      type: "credentials",
      verdict: "accepted",
      url: URL,
      cause: { kind: "answer", status: 400, reason: "Bad Request", words: "no content" },
    }),
    `accepted by ${URL}: the index answered 400 Bad Request: no content`,
  );
});
