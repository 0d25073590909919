/**
 * The multipart envelope (read back by an independent parser), how an index's answer becomes a
 * message, the credential probe's verdicts, an upload's deadline, and URLs as they are shown.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { displayUrl, MIN_UPLOAD_RATE, uploadDeadlineMs } from "../../src/adapters/http/exchange.ts";
import { PROBE_FIELDS, probeVerdict } from "../../src/adapters/http/probe.ts";
import { answerMessage, htmlText } from "../../src/adapters/http/response.ts";
import { encodeEnvelope, responseWaitMs } from "../../src/adapters/http/upload.ts";
import { parseMultipart } from "../helpers/multipart.ts";

test("text parts in order, then the content part with its filename and type; lengths add up", () => {
  const fields = [
    [":action", "file_upload"],
    ["description", "line 1\r\nline 2 ✓ ünï\n"],
    ["classifiers", "A :: B"],
    ["classifiers", "C :: D"],
    ['na"me', ""],
  ] as const;
  const file = Buffer.from("PK\u0003\u0004 pretend wheel bytes \r\n--not-a-boundary");
  const { head, tail } = encodeEnvelope(fields, 'x"y.whl', "BOUNDARY123");
  const body = Buffer.concat([head, file, tail]);
  const parts = parseMultipart(body, "multipart/form-data; boundary=BOUNDARY123");
  assert.deepEqual(
    parts.slice(0, -1).map((p) => [p.name, p.data.toString("utf8"), p.filename, p.contentType]),
    [
      [":action", "file_upload", undefined, undefined],
      ["description", "line 1\r\nline 2 ✓ ünï\n", undefined, undefined],
      ["classifiers", "A :: B", undefined, undefined],
      ["classifiers", "C :: D", undefined, undefined],
      ["na%22me", "", undefined, undefined],
    ],
  );
  const content = parts.at(-1);
  assert.equal(content?.name, "content");
  assert.equal(content?.filename, "x%22y.whl");
  assert.equal(content?.contentType, "application/octet-stream");
  assert.ok(content?.data.equals(file));
});

test("the wait for an answer after the body grows with the file: 1 s per MiB on top of the stall limit", () => {
  assert.equal(responseWaitMs(60_000, 0), 60_000);
  assert.equal(responseWaitMs(60_000, 500 * 1024 * 1024), 560_000);
});

test("the index's own words: JSON message, a non-standard reason phrase, then the HTML's text", () => {
  const pypi = "File already exists ('x-1.tar.gz', with blake2_256 hash 'ab').";
  assert.equal(answerMessage(400, pypi, "", "text/plain", undefined), pypi);
  assert.equal(
    answerMessage(
      400,
      "Bad Request",
      JSON.stringify({ message: "Use 'source' as Python version for an sdist.", code: "400 Error" }),
      "application/json",
      { message: "Use 'source' as Python version for an sdist.", code: "400 Error" },
    ),
    "Use 'source' as Python version for an sdist.",
  );
  const pypiserver = `<html><head><title>Error: 409 Conflict</title></head><body><h1>Error: 409 Conflict</h1><pre>Package &#039;x-1.tar.gz&#039; already exists!\n  You may start server with \`--overwrite\` option.</pre></body></html>`;
  assert.equal(
    answerMessage(409, "Conflict", pypiserver, "text/html; charset=UTF-8", undefined),
    "Package 'x-1.tar.gz' already exists! You may start server with `--overwrite` option.",
  );
  const none = "<html><h1>Error: 403 Forbidden</h1><pre>None</pre></html>";
  assert.equal(answerMessage(403, "Forbidden", none, "text/html", undefined), "Forbidden");
  assert.equal(
    answerMessage(200, "Upload of identical file to non volatile index.", "", "text/html", undefined),
    "Upload of identical file to non volatile index.",
  );
  assert.equal(answerMessage(502, "", "", "", undefined), "Bad Gateway", "HTTP/2 has no reason phrase");
  assert.equal(htmlText("<title>t</title><h1>a &amp; <b>b</b></h1>"), "a & b");
});

test("the probe's envelope: the fields and the closing boundary, no content part", () => {
  const { head, tail } = encodeEnvelope(PROBE_FIELDS, undefined, "B0UND");
  const body = Buffer.concat([head, tail]);
  const parts = parseMultipart(body, "multipart/form-data; boundary=B0UND");
  assert.deepEqual(
    parts.map((p) => [p.name, p.data.toString("utf8"), p.filename]),
    [
      [":action", "file_upload", undefined],
      ["protocol_version", "1", undefined],
    ],
  );
  assert.ok(body.toString("latin1").endsWith("--B0UND--\r\n"));
});

test("the probe's verdict: 401/403 refused, 400/422 accepted, anything else unproven", () => {
  assert.deepEqual(
    [401, 403, 400, 422, 200, 301, 404, 405, 409, 500, 503].map((s) => `${s} ${probeVerdict(s)}`),
    [
      "401 refused",
      "403 refused",
      "400 accepted",
      "422 accepted",
      "200 unproven",
      "301 unproven",
      "404 unproven",
      "405 unproven",
      "409 unproven",
      "500 unproven",
      "503 unproven",
    ],
  );
});

test("an upload's deadline: the base plus its size at the minimum rate", () => {
  assert.equal(MIN_UPLOAD_RATE, 64 * 1024);
  assert.equal(uploadDeadlineMs(120_000, 0), 120_000);
  assert.equal(uploadDeadlineMs(120_000, 10 * 1024 * 1024), 120_000 + 160_000);
  assert.equal(uploadDeadlineMs(120_000, 500 * 1024 * 1024), 120_000 + 8_000_000);
});

test("URLs as shown: no userinfo, credential-like query values masked, the rest kept", () => {
  assert.equal(
    displayUrl("https://__token__:pypi-abc@upload.example/legacy/"),
    "https://upload.example/legacy/",
  );
  assert.equal(
    displayUrl("https://idx.example/simple/x/?token=s3cr3t&format=json&api_key=k&Password=p"),
    "https://idx.example/simple/x/?token=***&format=json&api_key=***&Password=***",
  );
  assert.equal(displayUrl("not a url //u:p@x"), "not a url //x");
});
