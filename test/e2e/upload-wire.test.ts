/**
 * On the wire, slipway's upload request against twine 7.0.0's: both clients post the same wheel
 * and sdist to a loopback server that records them; the multipart bodies (read by an
 * independent parser) must carry the same fields and values and the same file part, with a
 * Content-Length (not chunked) and the same Basic credentials. slipway's credential probe goes
 * first: the same credentials, an upload action and nothing else (no metadata, no file).
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, test } from "node:test";
import { publish } from "../../src/ops/publish.ts";
import { Secret } from "../../src/secret.ts";
import { writeDists } from "../helpers/dists.ts";
import { type Captured, parseMultipart, startCapture } from "../helpers/multipart.ts";
import { peersPython } from "../helpers/peers.ts";
import { runAsync } from "../helpers/run-async.ts";

const work = mkdtempSync(join(tmpdir(), "slipway-wire-"));
after(() => rmSync(work, { recursive: true, force: true }));

async function twineUpload(url: string, files: string[]): Promise<void> {
  const twine = join(dirname(peersPython()), "twine");
  const args = ["upload", "--disable-progress-bar", "--non-interactive", "--repository-url", url];
  const result = await runAsync([twine, ...args, "-u", "__token__", "-p", "wire-token", ...files], {
    env: { PATH: process.env["PATH"] ?? "", HOME: work },
  });
  assert.equal(result.status, 0, `twine failed:\n${result.stdout}${result.stderr}`);
}

const posts = (requests: Captured[]) => requests.filter((r) => r.method === "POST");
const partsOf = (request: Captured) => parseMultipart(request.body, String(request.headers["content-type"]));
const hasFile = (request: Captured) => partsOf(request).some((p) => p.filename !== undefined);
/** The uploads (the probe carries no file). */
const uploads = (requests: Captured[]) => posts(requests).filter(hasFile);

function fields(request: Captured): {
  fields: string[];
  file: { name: string; filename?: string; type?: string; data: Buffer };
} {
  const parts = parseMultipart(request.body, String(request.headers["content-type"]));
  const file = parts.find((p) => p.filename !== undefined);
  assert.ok(file, "a file part");
  return {
    fields: parts
      .filter((p) => p.filename === undefined)
      .map((p) => JSON.stringify([p.name, p.data.toString("utf8")]))
      .sort(),
    file: {
      name: file.name,
      ...(file.filename === undefined ? {} : { filename: file.filename }),
      ...(file.contentType === undefined ? {} : { type: file.contentType }),
      data: file.data,
    },
  };
}

test("slipway sends what twine sends, field for field", async () => {
  const dists = writeDists(join(work, "dists"), { name: "slipway-wire-demo", version: "0.3" });
  const server = await startCapture((req, res) => {
    // The simple page: nothing yet, until uploads happened (then list them, so slipway verifies).
    if (req.method === "GET") {
      const uploaded = uploads(server.requests)
        .slice(2)
        .map((r) => fields(r).file);
      const links = uploaded
        .map((f) => `<a href="/f/${f.filename}#sha256=${sha(f.data)}">${f.filename}</a>`)
        .join("\n");
      res.writeHead(uploaded.length === 0 ? 404 : 200, { "Content-Type": "text/html" }).end(links);
      return;
    }
    // Like every index: credentials first, then "no file" is a 400.
    if (!hasFile(req)) res.writeHead(400, "Upload payload does not have a file.");
    res.end();
  });
  try {
    await twineUpload(`${server.url}legacy/`, dists.all);
    const report = await publish({
      cwd: work,
      env: { HOME: work },
      dists: dists.all,
      to: `${server.url}legacy/`,
      checkUrl: `${server.url}simple/`,
      password: new Secret("wire-token"),
      concurrency: 1,
    });
    assert.equal(report.ok, true, JSON.stringify(report.outcomes));
    assert.equal(report.credentials?.verdict, "accepted");
    const [twineWheel, twineSdist, ourWheel, ourSdist] = uploads(server.requests);
    assert.ok(twineWheel && twineSdist && ourWheel && ourSdist);
    for (const [theirs, ours, path] of [
      [twineWheel, ourWheel, dists.wheels[0]],
      [twineSdist, ourSdist, dists.sdist],
    ] as const) {
      const t = fields(theirs);
      const o = fields(ours);
      // slipway always sends requires_python; these dists have one, so the sets must be equal.
      assert.deepEqual(o.fields, t.fields);
      assert.deepEqual({ ...o.file, data: undefined }, { ...t.file, data: undefined });
      assert.ok(o.file.data.equals(readFileSync(path as string)), "the file bytes, unchanged");
      assert.equal(ours.headers["content-length"], String(ours.body.length));
      assert.equal(ours.headers["transfer-encoding"], undefined, "not chunked");
      assert.equal(ours.headers.authorization, theirs.headers.authorization);
      assert.match(String(ours.headers.accept), /^application\/json/);
      assert.equal(ours.url, theirs.url);
    }
    const probes = posts(server.requests).filter((r) => !hasFile(r));
    assert.equal(probes.length, 1, "one credential probe");
    const probe = probes[0] as Captured;
    assert.deepEqual(
      partsOf(probe).map((p) => [p.name, p.data.toString("utf8")]),
      [
        [":action", "file_upload"],
        ["protocol_version", "1"],
      ],
    );
    assert.equal(probe.headers.authorization, twineWheel.headers.authorization);
    assert.equal(probe.headers["content-length"], String(probe.body.length));
    assert.equal(probe.url, twineWheel.url);
  } finally {
    await server.close();
  }
});

function sha(data: Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}
