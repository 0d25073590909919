/**
 * The embedded index's upload API under raw HTTP: authentication, PyPI's error shapes, digest and
 * form checks, traversal attempts, idempotent and conflicting re-uploads, concurrent uploads of the
 * same file, and a connection dropped mid-body. Real server, real sockets, loopback only.
 */
import assert from "node:assert/strict";
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { RunningIndex } from "../../src/server/index-server.ts";
import { startIndex } from "../../src/server/index-server.ts";
import {
  basicAuth,
  makeWheel,
  multipart,
  rawRequest,
  sha256,
  tempUploads,
  type UploadSpec,
  uploadRaw,
} from "../helpers/index-client.ts";
import { pythonJson } from "../helpers/peers.ts";
import { buildZip } from "../helpers/zip-writer.ts";

const work = mkdtempSync(join(tmpdir(), "slipway-index-http-"));
const root = join(work, "root");
const TOKEN = "index-test-token-0123456789";
let index: RunningIndex;

before(async () => {
  index = await startIndex({ root, token: TOKEN });
});
after(async () => {
  await index?.close();
  rmSync(work, { recursive: true, force: true });
});

const upload = (spec: UploadSpec) => uploadRaw(index.uploadUrl, TOKEN, spec);
const wheelSpec = (name: string, version: string, salt = ""): UploadSpec => ({
  ...makeWheel({ name, version, salt }),
  name,
  version,
});
const tempFiles = () => tempUploads(root);

describe("authentication", () => {
  const spec = () => wheelSpec("auth-pkg", "1.0");

  test("no credentials: 401 with a Basic challenge", async () => {
    const res = await upload({ ...spec(), auth: null });
    assert.equal(res.status, 401);
    assert.equal(res.headers["www-authenticate"], 'Basic realm="slipway"');
    assert.match(res.statusMessage, /^Authentication required/);
  });

  test("a wrong token or a username other than __token__: 403", async () => {
    const wrong = await upload({ ...spec(), auth: basicAuth("__token__", "nope") });
    assert.equal(wrong.status, 403);
    assert.match(wrong.statusMessage, /the token is not this index's token/);
    const user = await upload({ ...spec(), auth: basicAuth("alice", TOKEN) });
    assert.equal(user.status, 403);
    assert.match(user.statusMessage, /use the username __token__/);
    assert.equal((await upload({ ...spec(), auth: "Digest abc" })).status, 403);
    assert.ok(!existsSync(join(root, "auth-pkg")));
  });

  test("a bearer token is accepted like PyPI's `token` scheme", async () => {
    const res = await upload({ ...spec(), auth: `Bearer ${TOKEN}` });
    assert.equal(res.status, 200, res.statusMessage);
  });

  test("errors are JSON {message, code, title} when the client prefers JSON, text otherwise", async () => {
    const json = await upload({ ...spec(), auth: null, accept: "application/json;q=0.9, text/plain;q=0.8" });
    assert.equal(json.headers["content-type"], "application/json");
    const body = JSON.parse(json.body.toString()) as Record<string, string>;
    assert.deepEqual(Object.keys(body).sort(), ["code", "message", "title"]);
    assert.equal(body["title"], "Unauthorized");
    assert.equal(body["code"], `401 ${json.statusMessage}`);
    assert.equal(body["message"], json.statusMessage);
    const text = await upload({ ...spec(), auth: null, accept: "*/*" });
    assert.equal(text.headers["content-type"], "text/plain; charset=utf-8");
    assert.ok(text.body.toString().startsWith("401 Unauthorized\n\nAuthentication required"));
  });
});

describe("form and digest checks", () => {
  test("a wrong sha256 or blake2_256 digest is refused, naming the digest", async () => {
    const sha = await upload({
      ...wheelSpec("digest-pkg", "1.0"),
      fields: { sha256_digest: "0".repeat(64) },
    });
    assert.equal(sha.status, 400);
    assert.match(sha.statusMessage, /^The digest supplied does not match .*sha256 claimed 0{64}/);
    const blake = await upload({
      ...wheelSpec("digest-pkg", "1.0"),
      fields: { blake2_256_digest: "1".repeat(64) },
    });
    assert.equal(blake.status, 400);
    assert.match(blake.statusMessage, /blake2_256 claimed 1{64}/);
    assert.ok(!existsSync(join(root, "digest-pkg")), "nothing stored");
  });

  test("blake2_256 alone is enough when it matches Python's hashlib, sent before or after the content", async () => {
    const spec = wheelSpec("blake-pkg", "1.0");
    const digest = pythonJson<string>(
      "import hashlib, json, sys; print(json.dumps(hashlib.blake2b(bytes(json.load(sys.stdin)), digest_size=32).hexdigest()))",
      [...spec.bytes],
    );
    const before = await upload({ ...spec, fields: { sha256_digest: null, blake2_256_digest: digest } });
    assert.equal(before.status, 200, before.statusMessage);
    // Digests sent after the file part (a form order no client uses, but a valid one) are checked by a re-read.
    const { body, contentType } = multipart(
      [[":action", "file_upload"]],
      { filename: spec.filename, bytes: spec.bytes },
      [
        ["metadata_version", "2.4"],
        ["name", "blake-pkg"],
        ["version", "1.0"],
        ["filetype", "bdist_wheel"],
        ["pyversion", "py3"],
        ["blake2_256_digest", "2".repeat(64)],
      ],
    );
    const res = await rawRequest(index.url, "/legacy/", {
      method: "POST",
      body,
      headers: { "Content-Type": contentType, Authorization: basicAuth("__token__", TOKEN) },
    });
    assert.equal(res.status, 400);
    assert.match(res.statusMessage, /blake2_256 claimed 2{64}, received [0-9a-f]{64}/);
  });

  test("PyPI's form rules: digests required, filetype and pyversion, names and versions", async () => {
    const cases: [Partial<Record<string, string | null>>, RegExp][] = [
      [{ sha256_digest: null }, /^Include at least one message digest/],
      [{ ":action": "submit" }, /^Unsupported ':action'/],
      [{ pyversion: null }, /^Python version is required/],
      [{ name: "other-pkg" }, /^Start filename for 'other-pkg'/],
      [{ version: "1.0+local" }, /local versions/],
      [{ metadata_version: "2.0" }, /Metadata-Version/],
    ];
    for (const [fields, message] of cases) {
      const res = await upload({
        ...wheelSpec("form-pkg", "1.0"),
        fields: fields as Record<string, string | null>,
      });
      assert.equal(res.status, 400, JSON.stringify(fields));
      assert.match(res.statusMessage, message, JSON.stringify(fields));
    }
    const sdist = await upload({
      filename: "Form.Pkg-1.0.tar.gz",
      bytes: Buffer.from("x"),
      name: "Form.Pkg",
      version: "1.0",
    });
    assert.equal(
      sdist.statusMessage,
      "Filename 'Form.Pkg-1.0.tar.gz' is invalid, should be 'form_pkg-1.0.tar.gz'.",
    );
    assert.deepEqual(tempFiles(), [], "refused uploads leave no temp file");
  });

  test("a wheel that is not a zip, or has no METADATA, is an invalid distribution", async () => {
    const junk = await upload({
      filename: "junk_pkg-1.0-py3-none-any.whl",
      bytes: Buffer.from("not a zip"),
      name: "junk-pkg",
      version: "1.0",
    });
    assert.equal(junk.status, 400);
    assert.match(junk.statusMessage, /^Invalid distribution file\./);
    const bare = buildZip({ entries: [{ name: "bare_pkg/__init__.py", data: "", mode: 0o100644 }] });
    const res = await upload({
      filename: "bare_pkg-1.0-py3-none-any.whl",
      bytes: bare,
      name: "bare-pkg",
      version: "1.0",
    });
    assert.equal(res.status, 400);
    assert.equal(
      res.statusMessage,
      "Invalid distribution file. bare_pkg-1.0-py3-none-any.whl has no .dist-info/METADATA file",
    );
  });

  test("wrong methods and URLs answer like PyPI: 405 on read-only paths, 308 to /legacy/", async () => {
    assert.equal((await rawRequest(index.url, "/legacy/")).status, 405);
    const simplePost = await rawRequest(index.url, "/simple/", { method: "POST" });
    assert.equal(simplePost.status, 405);
    assert.match(simplePost.statusMessage, /upload to \/legacy\//);
    const slashless = await rawRequest(index.url, "/legacy", { method: "POST" });
    assert.equal(slashless.status, 308);
    assert.equal(slashless.headers["location"], "/legacy/");
    const notMultipart = await rawRequest(index.url, "/legacy/", {
      method: "POST",
      body: Buffer.from(":action=file_upload"),
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Authorization: basicAuth("__token__", TOKEN),
      },
    });
    assert.equal(notMultipart.status, 400);
    const rootPost = await upload({ ...wheelSpec("root-pkg", "1.0") });
    assert.equal(rootPost.status, 200);
    const viaRoot = await uploadRaw(index.url, TOKEN, wheelSpec("root-pkg", "1.1"));
    assert.equal(viaRoot.status, 200, "POST / is the upload API too");
  });
});

describe("traversal and hidden files", () => {
  test("filenames with separators, '..' or a leading dot are refused and nothing lands outside", async () => {
    const bytes = Buffer.from("payload");
    for (const filename of [
      "../escape_pkg-1.0.tar.gz",
      "x/../../escape_pkg-1.0.tar.gz",
      "..\\escape_pkg-1.0.tar.gz",
      ".escape_pkg-1.0.tar.gz",
    ]) {
      const res = await upload({ filename, bytes, name: "escape-pkg", version: "1.0" });
      assert.equal(res.status, 400, filename);
      assert.match(res.statusMessage, /^Cannot upload a file with/, filename);
    }
    const name = await upload({
      filename: "escape_pkg-1.0.tar.gz",
      bytes,
      name: "../../escape-pkg",
      version: "1.0",
    });
    assert.equal(name.status, 400);
    assert.ok(
      !existsSync(join(work, "escape_pkg-1.0.tar.gz")) && !existsSync(join(root, "escape_pkg-1.0.tar.gz")),
    );
    assert.ok(!existsSync(join(root, "escape-pkg")));
  });

  test("reads never reach the token, sidecars, temp files or anything outside the root", async () => {
    // The CLI keeps its token at the root: make sure no path leads there.
    writeFileSync(join(root, ".slipway-token"), `${TOKEN}\n`);
    const stored = await upload(wheelSpec("read-pkg", "1.0"));
    assert.equal(stored.status, 200);
    const paths = [
      "/files/../../etc/passwd",
      "/files/read-pkg/..%2F..%2Fetc%2Fpasswd",
      "/files/read-pkg/%2e%2e/%2e%2e/etc/passwd",
      "/files/read-pkg/.slipway/read_pkg-1.0-py3-none-any.whl.json",
      "/files/read-pkg/.slipway",
      "/files/.tmp/x.whl",
      "/files/read-pkg/..%5c.slipway-token",
      "/.slipway-token",
      "/files/.slipway-token",
      "/simple/..%2F..%2F/",
      "/simple/%00/",
    ];
    for (const path of paths) {
      const res = await rawRequest(index.url, path);
      assert.ok(res.status === 400 || res.status === 404, `${path}: ${res.status}`);
      assert.ok(!res.body.toString().includes(TOKEN) && !res.body.toString().includes("root:"), path);
    }
    const ok = await rawRequest(index.url, "/files/read-pkg/read_pkg-1.0-py3-none-any.whl");
    assert.equal(ok.status, 200);
    assert.equal(ok.headers["etag"], `"${sha256(ok.body)}"`);
    assert.equal(Number(ok.headers["content-length"]), ok.body.length);
  });
});

describe("re-uploads and concurrency", () => {
  test("an identical re-upload answers 200 and changes nothing", async () => {
    const spec = wheelSpec("same-pkg", "1.0");
    assert.equal((await upload(spec)).status, 200);
    const path = join(root, "same-pkg", spec.filename);
    const before = statSync(path);
    const sidecar = readFileSync(join(root, "same-pkg", ".slipway", `${spec.filename}.json`), "utf8");
    const again = await upload(spec);
    assert.equal(again.status, 200);
    assert.match(again.body.toString(), /already here with the same sha256/);
    assert.equal(statSync(path).ino, before.ino);
    assert.equal(readFileSync(join(root, "same-pkg", ".slipway", `${spec.filename}.json`), "utf8"), sidecar);
  });

  test("different bytes under the same name: 409 naming both sha256 values; the stored file is untouched", async () => {
    const first = wheelSpec("clash-pkg", "1.0", "a");
    const second = wheelSpec("clash-pkg", "1.0", "b");
    assert.equal((await upload(first)).status, 200);
    const res = await upload({ ...second, accept: "application/json" });
    assert.equal(res.status, 409);
    const body = JSON.parse(res.body.toString()) as { message: string; code: string };
    assert.match(
      body.message,
      /^File already exists \('clash_pkg-1\.0-py3-none-any\.whl'\) with different content/,
    );
    assert.ok(body.message.includes(sha256(first.bytes)) && body.message.includes(sha256(second.bytes)));
    assert.equal(body.code, `409 ${res.statusMessage}`);
    assert.equal(sha256(readFileSync(join(root, "clash-pkg", first.filename))), sha256(first.bytes));
  });

  test("20 concurrent uploads of the same bytes: all 200, one file", async () => {
    const spec = wheelSpec("burst-pkg", "1.0");
    const results = await Promise.all(Array.from({ length: 20 }, () => upload(spec)));
    assert.deepEqual(
      results.map((r) => r.status),
      Array(20).fill(200),
    );
    assert.deepEqual(readdirSync(join(root, "burst-pkg")).sort(), [
      ".slipway",
      spec.filename,
      `${spec.filename}.metadata`,
    ]);
    assert.equal(sha256(readFileSync(join(root, "burst-pkg", spec.filename))), sha256(spec.bytes));
    assert.deepEqual(tempFiles(), []);
  });

  test("20 concurrent uploads of two contents: one wins whole, the others of it 200, the rest 409", async () => {
    const a = wheelSpec("race-pkg", "1.0", "a".repeat(5000));
    const b = wheelSpec("race-pkg", "1.0", "b".repeat(7000));
    const specs = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b));
    const results = await Promise.all(specs.map((s) => upload(s)));
    const storedSha = sha256(readFileSync(join(root, "race-pkg", a.filename)));
    assert.ok(
      storedSha === sha256(a.bytes) || storedSha === sha256(b.bytes),
      "the stored file is one of them, intact",
    );
    results.forEach((r, i) => {
      const mine = sha256((specs[i] as UploadSpec).bytes);
      assert.equal(r.status, mine === storedSha ? 200 : 409, `upload ${i}: ${r.statusMessage}`);
    });
    const page = (await (
      await fetch(new URL("race-pkg/", index.simpleUrl), {
        headers: { Accept: "application/vnd.pypi.simple.v1+json" },
      })
    ).json()) as { files: { hashes: { sha256: string } }[] };
    assert.deepEqual(
      page.files.map((f) => f.hashes.sha256),
      [storedSha],
    );
    assert.deepEqual(tempFiles(), []);
  });

  test("after a crash: a missing sidecar and metadata are rebuilt, stale temp files removed", async () => {
    const spec = wheelSpec("crash-pkg", "1.0");
    assert.equal((await upload(spec)).status, 200);
    const dir = join(root, "crash-pkg");
    const before = readFileSync(join(dir, `${spec.filename}.metadata`));
    // As if the process died between linking the file and writing what follows it.
    rmSync(join(dir, ".slipway"), { recursive: true });
    rmSync(join(dir, `${spec.filename}.metadata`));
    const stale = join(root, ".tmp", "0123abcd.whl");
    writeFileSync(stale, "half an upload");
    utimesSync(stale, new Date(Date.now() - 2 * 3600_000), new Date(Date.now() - 2 * 3600_000));
    await index.close();
    index = await startIndex({ root, token: TOKEN });
    assert.ok(!existsSync(stale));
    const page = (await (
      await fetch(new URL("crash-pkg/", index.simpleUrl), {
        headers: { Accept: "application/vnd.pypi.simple.v1+json" },
      })
    ).json()) as {
      files: { hashes: { sha256: string }; size: number; "core-metadata": { sha256: string } }[];
    };
    assert.equal(page.files[0]?.hashes.sha256, sha256(spec.bytes));
    assert.equal(page.files[0]?.size, spec.bytes.length);
    assert.equal(page.files[0]?.["core-metadata"].sha256, sha256(before));
    assert.deepEqual(readFileSync(join(dir, `${spec.filename}.metadata`)), before);
    assert.equal((await upload(spec)).status, 200, "still idempotent");
  });

  test("a connection dropped mid-body leaves no file, visible or temporary", async () => {
    const spec = wheelSpec("drop-pkg", "1.0", "z".repeat(200_000));
    const form = multipart(
      [
        [":action", "file_upload"],
        ["metadata_version", "2.4"],
        ["name", "drop-pkg"],
        ["version", "1.0"],
        ["filetype", "bdist_wheel"],
        ["pyversion", "py3"],
        ["sha256_digest", sha256(spec.bytes)],
      ],
      { filename: spec.filename, bytes: spec.bytes },
    );
    const url = new URL(index.url);
    const socket = connect(Number(url.port), url.hostname);
    await new Promise((resolve) => socket.once("connect", resolve));
    const head =
      `POST /legacy/ HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: ${form.contentType}\r\n` +
      `Content-Length: ${form.body.length}\r\nAuthorization: ${basicAuth("__token__", TOKEN)}\r\n\r\n`;
    socket.write(head);
    socket.write(form.body.subarray(0, form.body.length / 2));
    for (let i = 0; i < 200 && tempFiles().length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(tempFiles().length, 1, "the upload was streaming to a temp file");
    socket.destroy();
    for (let i = 0; i < 200 && tempFiles().length > 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(tempFiles(), []);
    assert.ok(!existsSync(join(root, "drop-pkg", spec.filename)));
    assert.equal((await rawRequest(index.url, "/simple/drop-pkg/")).status, 404);
    assert.equal((await upload(spec)).status, 200, "a complete retry then succeeds");
  });
});
