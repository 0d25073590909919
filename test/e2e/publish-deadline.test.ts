/**
 * A server that drips its answer (one byte at a time, never done) must not hold `publish`:
 * every request has a total deadline besides its idle timers, past it the request is not
 * retried, and the message names the URL, what was being done, the deadline and `--timeout`.
 * An upload's deadline grows with its size, so a slow but working link is never cut off.
 * Deadlines are injected small; each test has its own time limit, so a hang is a failure.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { MIN_UPLOAD_RATE, uploadDeadlineMs } from "../../src/adapters/http/exchange.ts";
import { postUpload, TransportError } from "../../src/adapters/http/upload.ts";
import { type PublishEvent, publish } from "../../src/ops/publish.ts";
import { Secret } from "../../src/secret.ts";
import { writeDists } from "../helpers/dists.ts";
import { runAsync } from "../helpers/run-async.ts";

const work = mkdtempSync(join(tmpdir(), "slipway-deadline-"));
after(() => rmSync(work, { recursive: true, force: true }));
const CLI = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
const TOKEN = "deadline-canary-4b1f9e07c3d2a8";

interface Dripper {
  url: string;
  /** Requests seen, as "METHOD path". */
  seen: string[];
  close(): Promise<void>;
}

/** Starts the headers of `status`, then sends one byte every 100 ms until the client leaves. */
function drip(res: ServerResponse, status: number): void {
  res.writeHead(status, { "Content-Type": "text/html" });
  const timer = setInterval(() => res.write("."), 100);
  res.on("close", () => clearInterval(timer));
}

/**
 * A loopback index whose simple page (`drip-page`) or upload answer (`drip-upload`) drips; the
 * credential probe (a small POST) gets a prompt 400, like a real index gives it.
 */
async function startDripper(mode: "drip-page" | "drip-upload"): Promise<Dripper> {
  const seen: string[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    seen.push(`${req.method} ${req.url}`);
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
    });
    req.on("end", () => {
      if (req.method === "GET") {
        if (mode === "drip-page") drip(res, 200);
        else res.writeHead(404).end();
      } else if (size < 1024) res.writeHead(400, "Upload payload does not have a file.").end();
      else drip(res, 500);
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    seen,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

const dists = () => writeDists(mkdtempSync(join(work, "d-")), { name: "slipway-drip", version: "1" }).all;

async function publishTo(server: Dripper, timeoutMs: number) {
  const events: PublishEvent[] = [];
  const report = await publish({
    cwd: work,
    env: { HOME: work },
    dists: dists(),
    to: `${server.url}legacy/`,
    checkUrl: `${server.url}simple/`,
    password: new Secret(TOKEN),
    check: false,
    timeoutMs,
    retry: { baseMs: 5, capMs: 10 },
    onEvent: (e) => events.push(e),
  });
  return { report, events };
}

test("a simple page that drips: the lookup gives up at the deadline, once, and says what to do", {
  timeout: 30_000,
}, async () => {
  const server = await startDripper("drip-page");
  try {
    const { report, events } = await publishTo(server, 400);
    assert.equal(report.ok, false);
    for (const o of report.outcomes) {
      assert.equal(o.status, "failed");
      assert.equal(o.attempts, 0, "nothing was sent");
      assert.match(o.message, /could not look .* up on the index/);
      assert.match(o.message, /http:\/\/127\.0\.0\.1:\d+\/simple\/slipway-drip\//, "the URL");
      assert.match(
        o.message,
        /no complete answer within the 0\.4 s deadline \(the page was still arriving: \d+ bytes/,
      );
      assert.match(o.hint ?? "", /raise --timeout \(now 0\.4 s\)/);
    }
    assert.equal(server.seen.filter((r) => r.startsWith("GET")).length, 1, "a deadline is not retried");
    assert.ok(!events.some((e) => e.type === "retry"));
    assert.ok(
      events.some(
        (e) =>
          e.type === "http" && e.purpose === "lookup" && e.status === 200 && /deadline/.test(e.error ?? ""),
      ),
      "the exchange is reported with its status and why it ended",
    );
  } finally {
    await server.close();
  }
});

test("an upload answer that drips (500): failed at the deadline, not retried, checked on the index", {
  timeout: 30_000,
}, async () => {
  const server = await startDripper("drip-upload");
  try {
    const { report, events } = await publishTo(server, 400);
    const [wheel, sdist] = report.outcomes;
    assert.equal(wheel?.status, "failed");
    assert.equal(wheel?.attempts, 1);
    assert.match(
      wheel?.message ?? "",
      /no complete answer from http:\/\/127\.0\.0\.1:\d+\/legacy\/ within the 0\.4 s deadline \(the answer \(500\) was still arriving: \d+ bytes so far\)/,
    );
    assert.match(wheel?.hint ?? "", /--timeout/);
    assert.equal(sdist?.status, "not-sent");
    assert.ok(!events.some((e) => e.type === "file-retry"), "a deadline is not retried");
    // After the failure the index's page was read again (it may have stored the file).
    assert.deepEqual(
      server.seen.filter((r) => !r.startsWith("POST")),
      ["GET /simple/slipway-drip/", "GET /simple/slipway-drip/"],
    );
    assert.equal(report.publicEffect, true, "a 500 after the whole body leaves it open");
  } finally {
    await server.close();
  }
});

test("an upload's deadline grows with its size: a slow but working link is not cut off", {
  timeout: 30_000,
}, async () => {
  // The index reads the body at 4 × MIN_UPLOAD_RATE, then answers 200.
  const rate = 4 * MIN_UPLOAD_RATE;
  const server = createServer((req, res) => {
    req.on("data", (chunk: Buffer) => {
      req.pause();
      setTimeout(() => req.resume(), (chunk.length / rate) * 1000);
    });
    req.on("end", () => res.end());
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/legacy/`;
  const path = join(work, "payload.whl");
  const size = 2 * MIN_UPLOAD_RATE; // half a second at the server's rate
  writeFileSync(path, Buffer.alloc(size, 7));
  const send = (deadlineMs: number) =>
    postUpload({
      url,
      fields: [[":action", "file_upload"]],
      file: { path, filename: "payload.whl", size },
      userAgent: "slipway/test",
      stallMs: 10_000,
      deadlineMs,
    });
  try {
    // 200 ms alone would cut it off; the size allowance (2 s for 128 KiB) keeps it.
    assert.equal(uploadDeadlineMs(200, size), 2200);
    assert.equal((await send(uploadDeadlineMs(200, size))).status, 200);
    await assert.rejects(send(200), (error: unknown) => {
      assert.ok(error instanceof TransportError);
      assert.equal(error.deadline, true);
      assert.match(
        error.message,
        /within the 0\.2 s deadline \(\d+ of \d+ bytes sent\)|within the 0\.2 s deadline \(the whole body was sent/,
      );
      return true;
    });
  } finally {
    server.closeAllConnections();
    await new Promise<void>((done) => server.close(() => done()));
  }
});

test("CLI: --timeout sets the deadline; the message names the URL without credentials; bad values exit 2", {
  timeout: 60_000,
}, async () => {
  const server = await startDripper("drip-page");
  try {
    const port = new URL(server.url).port;
    const result = await runAsync(
      [
        process.execPath,
        CLI,
        "publish",
        ...dists(),
        "--to",
        `http://__token__:${TOKEN}@127.0.0.1:${port}/legacy/`,
        "--check-url",
        `${server.url}simple/`,
        "--timeout",
        "1",
      ],
      { cwd: work, env: { PATH: process.env["PATH"] ?? "", HOME: work, CI: "1" } },
    );
    const out = result.stdout + result.stderr;
    assert.equal(result.status, 1, out);
    assert.match(out, /no complete answer within the 1\.0 s deadline/);
    assert.match(out, /http:\/\/127\.0\.0\.1:\d+\/simple\/slipway-drip\//);
    assert.match(out, /hint: .*raise --timeout \(now 1\.0 s\)/);
    assert.ok(!out.includes(TOKEN));
    for (const bad of ["0", "-3", "soon", "100000"]) {
      const usage = await runAsync([process.execPath, CLI, "publish", `--timeout=${bad}`], {
        cwd: work,
        env: { PATH: process.env["PATH"] ?? "", HOME: work },
      });
      assert.equal(usage.status, 2, `--timeout ${bad}`);
      assert.match(usage.stderr, /--timeout must be a number of seconds above 0/);
    }
  } finally {
    await server.close();
  }
});
