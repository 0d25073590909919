/**
 * Hostile uploads against the embedded index (issue 11 B8, B9): distributions whose own metadata
 * contradicts their filename and form, multipart bodies that never end, and bodies that stall or
 * drip. Real server, real sockets, loopback only; real wheels from the offline wheelhouse.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { IndexEvent, RunningIndex } from "../../src/server/index-server.ts";
import { startIndex } from "../../src/server/index-server.ts";
import { writeDists } from "../helpers/dists.ts";
import {
  basicAuth,
  makeWheel,
  multipart,
  rawRequest,
  sha256,
  tempUploads,
  uploadRaw,
} from "../helpers/index-client.ts";
import { wheelhouse } from "../helpers/wheelhouse.ts";
import { buildZip, recordHash } from "../helpers/zip-writer.ts";

const work = mkdtempSync(join(tmpdir(), "slipway-index-hostile-"));
const root = join(work, "root");
const TOKEN = "hostile-test-token-0123456789";
const events: IndexEvent[] = [];
let index: RunningIndex;

before(async () => {
  index = await startIndex({
    root,
    token: TOKEN,
    uploadIdleTimeoutMs: 400,
    uploadDeadlineMs: 1500,
    onEvent: (e) => events.push(e),
  });
});
after(async () => {
  await index?.close();
  rmSync(work, { recursive: true, force: true });
});

const tempFiles = () => tempUploads(root);

const upload = (filename: string, bytes: Uint8Array, name: string, version: string, filetype?: string) =>
  uploadRaw(index.uploadUrl, TOKEN, {
    filename,
    bytes,
    name,
    version,
    ...(filetype === undefined ? {} : { fields: { filetype } }),
  });

/** A wheel named `filename` whose one dist-info directory is `distInfo`, holding `metadata`. */
function wheelWith(distInfo: string, metadata: string): Buffer {
  const files: Record<string, string> = {
    "demo_pkg/__init__.py": "",
    [`${distInfo}/METADATA`]: metadata,
    [`${distInfo}/WHEEL`]:
      "Wheel-Version: 1.0\nGenerator: slipway-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
  };
  const rows = Object.entries(files).map(([n, d]) => `${n},sha256=${recordHash(d)},${Buffer.byteLength(d)}`);
  files[`${distInfo}/RECORD`] = `${[...rows, `${distInfo}/RECORD,,`].join("\n")}\n`;
  return buildZip({ entries: Object.entries(files).map(([name, data]) => ({ name, data, mode: 0o100644 })) });
}

async function assertNothingStored(project: string): Promise<void> {
  assert.ok(
    !existsSync(join(root, project)) || readdirSync(join(root, project)).every((f) => f === ".slipway"),
  );
  assert.equal((await rawRequest(index.url, `/simple/${project}/`)).status, 404);
  assert.deepEqual(tempFiles(), []);
}

describe("a distribution must be what its filename and form say (B8)", () => {
  test("a real wheel (pluggy 1.7.0) uploaded as demo_pkg-3.0 is refused: its dist-info names another project", async () => {
    const pluggy = readFileSync(join(wheelhouse(), "pluggy-1.7.0-py3-none-any.whl"));
    const res = await upload("demo_pkg-3.0-py3-none-any.whl", pluggy, "demo-pkg", "3.0");
    assert.equal(res.status, 400);
    assert.equal(
      res.statusMessage,
      "Invalid distribution file. Its metadata directory 'pluggy-1.7.0.dist-info' does not match 'demo-pkg' 3.0 (its filename and form).",
    );
    await assertNothingStored("demo-pkg");
    // Under its own name, with the name spelled another way, the same bytes are welcome.
    const own = await upload("pluggy-1.7.0-py3-none-any.whl", pluggy, "Pluggy", "1.7.0");
    assert.equal(own.status, 200, own.statusMessage);
    const served = await rawRequest(index.url, "/files/pluggy/pluggy-1.7.0-py3-none-any.whl.metadata");
    assert.match(served.body.toString(), /^Metadata-Version: 2\.\d\nName: pluggy\nVersion: 1\.7\.0\n/);
  });

  test("a wheel whose dist-info directory is right but whose METADATA says evil-pkg 7.0 is refused", async () => {
    const evil = "Metadata-Version: 2.4\nName: evil-pkg\nVersion: 7.0\n\n";
    const cases: [string, string, RegExp][] = [
      ["evil_pkg-7.0.dist-info", evil, /metadata directory 'evil_pkg-7\.0\.dist-info' does not match/],
      [
        "demo_pkg-3.0.dist-info",
        evil,
        /Its demo_pkg-3\.0\.dist-info\/METADATA says Name 'evil-pkg', Version '7\.0'/,
      ],
      ["demo_pkg-3.0.dist-info", "Metadata-Version: 2.4\nName: demo-pkg\nVersion: 3.1\n\n", /Version '3\.1'/],
      ["demo_pkg-3.0.dist-info", "Metadata-Version: 2.4\nVersion: 3.0\n\n", /says Name '', Version '3\.0'/],
    ];
    for (const [distInfo, metadata, message] of cases) {
      const res = await upload(
        "demo_pkg-3.0-py3-none-any.whl",
        wheelWith(distInfo, metadata),
        "demo-pkg",
        "3.0",
      );
      assert.equal(res.status, 400, `${distInfo}: ${res.statusMessage}`);
      assert.match(res.statusMessage, /^Invalid distribution file\. /);
      assert.match(res.statusMessage, message);
    }
    assert.equal(
      (await rawRequest(index.url, "/files/demo-pkg/demo_pkg-3.0-py3-none-any.whl.metadata")).status,
      404,
      "no METADATA of evil-pkg served as demo-pkg's",
    );
    await assertNothingStored("demo-pkg");
  });

  test("names compare normalized and versions as PEP 440 versions", async () => {
    const wheel = wheelWith(
      "Demo.Pkg-3.0.0.dist-info",
      "Metadata-Version: 2.4\nName: Demo_Pkg\nVersion: 3.0.0\n\n",
    );
    const res = await upload("demo_pkg-3.0-py3-none-any.whl", wheel, "demo-pkg", "3.0");
    assert.equal(res.status, 200, res.statusMessage);
  });

  test("an sdist whose PKG-INFO says evil-pkg 7.0 is refused; one without PKG-INFO too", async () => {
    const evil = writeDists(join(work, "evil"), { name: "evil-pkg", version: "7.0" });
    const res = await upload("sdist_pkg-3.0.tar.gz", readFileSync(evil.sdist), "sdist-pkg", "3.0");
    assert.equal(res.status, 400);
    assert.equal(
      res.statusMessage,
      "Invalid distribution file. Its evil_pkg-7.0/PKG-INFO says Name 'evil-pkg', Version '7.0', which does not match 'sdist-pkg' 3.0 (its filename and form).",
    );
    const wheelOnly = makeWheel({ name: "sdist-pkg", version: "3.0" });
    const junk = await upload("sdist_pkg-3.0.tar.gz", wheelOnly.bytes, "sdist-pkg", "3.0");
    assert.equal(junk.status, 400);
    assert.match(junk.statusMessage, /^Invalid distribution file\. /);
    await assertNothingStored("sdist-pkg");
    const good = writeDists(join(work, "good"), { name: "sdist-pkg", version: "3.0" });
    assert.equal(
      (await upload("sdist_pkg-3.0.tar.gz", readFileSync(good.sdist), "sdist-pkg", "3.0")).status,
      200,
    );
  });
});

interface SocketAnswer {
  /** The response as sent (head and body). */
  text: string;
  /** When the response was complete, or (with `untilClose`) the server closed the connection. */
  afterMs: number;
}

/**
 * Sends `head` and then `body` (one chunk every `gapMs`) on a raw socket; resolves with the whole
 * response, or with everything once the server closes the connection when `untilClose`.
 */
function sendRaw(
  head: string,
  body: Buffer[],
  options: { gapMs?: number; untilClose?: boolean } = {},
): Promise<SocketAnswer> {
  const url = new URL(index.url);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(Number(url.port), url.hostname);
    let text = "";
    let timer: NodeJS.Timeout | undefined;
    const done = () => {
      clearTimeout(timer);
      clearTimeout(giveUp);
      socket.destroy();
      resolve({ text, afterMs: Date.now() - started });
    };
    const complete = () => {
      const end = text.indexOf("\r\n\r\n");
      const length = /\r\nContent-Length: (\d+)\r\n/i.exec(text);
      return end >= 0 && length !== null && text.length >= end + 4 + Number(length[1]);
    };
    socket.on("data", (d: Buffer) => {
      text += d.toString("latin1");
      if (!options.untilClose && complete()) done();
    });
    socket.on("error", () => undefined);
    socket.on("close", done);
    const giveUp = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no ${options.untilClose ? "close" : "answer"} within 5 s:\n${text}`));
    }, 5000);
    socket.once("connect", () => {
      socket.write(head);
      const chunks = [...body];
      const next = () => {
        const chunk = chunks.shift();
        if (chunk === undefined || socket.destroyed) return;
        socket.write(chunk);
        timer = setTimeout(next, options.gapMs ?? 0);
      };
      next();
    });
  });
}

function uploadForm(spec: { filename: string; bytes: Uint8Array }) {
  return multipart(
    [
      [":action", "file_upload"],
      ["metadata_version", "2.4"],
      ["name", "slow-pkg"],
      ["version", "1.0"],
      ["filetype", "bdist_wheel"],
      ["pyversion", "py3"],
      ["sha256_digest", sha256(spec.bytes)],
    ],
    { filename: spec.filename, bytes: spec.bytes },
  );
}

function headFor(form: { contentType: string }, length: number | "chunked"): string {
  const size = length === "chunked" ? "Transfer-Encoding: chunked" : `Content-Length: ${length}`;
  return (
    `POST /legacy/ HTTP/1.1\r\nHost: ${new URL(index.url).host}\r\nContent-Type: ${form.contentType}\r\n` +
    `${size}\r\nAuthorization: ${basicAuth("__token__", TOKEN)}\r\n\r\n`
  );
}

describe("bodies that never end, stall or drip (B9)", () => {
  const wheel = () => makeWheel({ name: "slow-pkg", version: "1.0", salt: "s".repeat(50_000) });

  test("a multipart body without its closing boundary gets a 400 answer, not a closed connection", async () => {
    const form = uploadForm(wheel());
    const cut = form.body.subarray(0, form.body.lastIndexOf("\r\n--"));
    const answer = await sendRaw(headFor(form, cut.length), [cut]);
    assert.match(
      answer.text,
      /^HTTP\/1\.1 400 malformed multipart\/form-data: Unexpected end of multipart data\.\r\n/,
    );
    // Chunked, as a streaming client sends it, the same.
    const chunked = Buffer.concat([
      Buffer.from(`${cut.length.toString(16)}\r\n`),
      cut,
      Buffer.from("\r\n0\r\n\r\n"),
    ]);
    const again = await sendRaw(headFor(form, "chunked"), [chunked]);
    assert.match(again.text, /^HTTP\/1\.1 400 malformed multipart/);
    assert.deepEqual(tempFiles(), []);
  });

  test("an upload idle mid-body is answered 408 after the idle timeout, and leaves no temp file", async () => {
    events.length = 0;
    const form = uploadForm(wheel());
    const half = form.body.subarray(0, form.body.length / 2);
    const answer = await sendRaw(headFor(form, form.body.length), [half], { untilClose: true });
    assert.match(answer.text, /^HTTP\/1\.1 408 The upload stalled: no data for 0\.4 s\.\r\n/);
    assert.match(answer.text, /\r\nConnection: close\r\n/i);
    assert.ok(answer.afterMs >= 350 && answer.afterMs < 1400, `closed after ${answer.afterMs} ms`);
    assert.deepEqual(tempFiles(), []);
    assert.ok(
      events.some(
        (e) => e.type === "warning" && e.kind === "upload-timed-out" && /^The upload stalled/.test(e.error),
      ),
      JSON.stringify(events),
    );
    // Headers alone and no body at all: the same.
    const none = await sendRaw(headFor(form, form.body.length), [], { untilClose: true });
    assert.match(none.text, /^HTTP\/1\.1 408 /);
  });

  test("an upload that drips (never idle) is answered 408 at the total deadline", async () => {
    const form = uploadForm(wheel());
    const drops = Array.from({ length: 60 }, (_, i) => form.body.subarray(i * 10, i * 10 + 10));
    const answer = await sendRaw(headFor(form, form.body.length), drops, { gapMs: 100, untilClose: true });
    assert.match(answer.text, /^HTTP\/1\.1 408 The upload took longer than 1\.5 s\.\r\n/);
    assert.ok(answer.afterMs >= 1400 && answer.afterMs < 3000, `closed after ${answer.afterMs} ms`);
    assert.deepEqual(tempFiles(), []);
    assert.ok(!existsSync(join(root, "slow-pkg", "slow_pkg-1.0-py3-none-any.whl")));
  });

  test("a complete upload after all that is stored", async () => {
    const spec = wheel();
    const res = await upload(spec.filename, spec.bytes, "slow-pkg", "1.0");
    assert.equal(res.status, 200, res.statusMessage);
  });
});

describe("sidecars read back from the root are hostile input (B1)", () => {
  test("a forged, mistyped or stale sidecar is never served: the file's own bytes are described again", async () => {
    const wheel = makeWheel({ name: "sidecar-demo", version: "1.0", requiresPython: ">=3.9" });
    assert.equal((await upload(wheel.filename, wheel.bytes, "sidecar-demo", "1.0")).status, 200);
    const sidecar = join(root, "sidecar-demo", ".slipway", `${wheel.filename}.json`);
    const page = async () => {
      const r = await fetch(`${index.simpleUrl}sidecar-demo/`, {
        headers: { accept: "application/vnd.pypi.simple.v1+json" },
      });
      return (await r.json()) as { files: { filename: string; hashes: { sha256: string }; size: number }[] };
    };
    const real = { sha256: sha256(wheel.bytes), size: wheel.bytes.length };
    const forgeries: Record<string, object> = {
      "another file's name": {
        filename: "other-1.0-py3-none-any.whl",
        ...real,
        uploadTime: "2026-01-01T00:00:00Z",
      },
      "a size the file does not have": {
        filename: wheel.filename,
        sha256: "0".repeat(64),
        size: 3,
        uploadTime: "2026-01-01T00:00:00Z",
      },
      "a field the index never writes": {
        filename: wheel.filename,
        ...real,
        uploadTime: "x",
        url: "https://evil/",
      },
      "a requires-python that is not one": {
        filename: wheel.filename,
        ...real,
        uploadTime: "2026-01-01T00:00:00Z",
        requiresPython: '"><script>',
      },
    };
    for (const [what, forged] of Object.entries(forgeries)) {
      writeFileSync(sidecar, JSON.stringify(forged));
      const files = (await page()).files;
      assert.deepEqual(
        files.map((f) => [f.filename, f.hashes.sha256, f.size]),
        [[wheel.filename, real.sha256, real.size]],
        what,
      );
      // Rebuilt from the bytes, and the forgery replaced.
      assert.equal(JSON.parse(readFileSync(sidecar, "utf8")).sha256, real.sha256, what);
    }
  });
});
