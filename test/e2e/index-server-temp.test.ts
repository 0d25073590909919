/**
 * Temp files of killed uploads (issue 11 B10): `slipway index serve` processes are SIGKILLed
 * mid-upload and the next start removes what they left, while an upload in flight in another
 * live process sharing the root is left alone and completes. Real processes, real sockets.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { readProcessStart } from "../../src/adapters/process-start.ts";
import { startIndex } from "../../src/server/index-server.ts";
import { ABANDONED_MS } from "../../src/server/temp-dirs.ts";
import { basicAuth, makeWheel, multipart, rawRequest, sha256, tempUploads } from "../helpers/index-client.ts";

const work = mkdtempSync(join(tmpdir(), "slipway-index-temp-"));
const TOKEN = "temp-test-token-0123456789";
const tokenFile = join(work, "token");
writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
const children: ChildProcess[] = [];
after(() => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  rmSync(work, { recursive: true, force: true });
});

const main = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));

/** `slipway index serve --json` in a child process; resolves with it and its URL once it listens. */
async function serve(root: string): Promise<{ child: ChildProcess; url: string }> {
  const argv = [main, "index", "serve", "--root", root, "--token-file", tokenFile, "--json"];
  const child = spawn(process.execPath, argv, { stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let out = "";
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  for (let waited = 0; waited < 15_000; waited += 20) {
    const line = out.split("\n").find((l) => l.includes('"type":"listening"'));
    if (line) return { child, url: (JSON.parse(line) as { url: string }).url };
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`the index did not start:\n${out}`);
}

const tempFiles = tempUploads;
const tempDirs = (root: string) => readdirSync(join(root, ".tmp"));

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let waited = 0; waited < 10_000; waited += 20) {
    if (ok()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Starts an upload of a 2 MB wheel and sends half of its body; `rest()` sends the other half. */
async function halfUpload(
  url: string,
  name: string,
): Promise<{ socket: Socket; rest: () => Promise<string> }> {
  const wheel = makeWheel({ name, version: "1.0", salt: "x".repeat(2_000_000) });
  const form = multipart(
    [
      [":action", "file_upload"],
      ["metadata_version", "2.4"],
      ["name", name],
      ["version", "1.0"],
      ["filetype", "bdist_wheel"],
      ["pyversion", "py3"],
      ["sha256_digest", sha256(wheel.bytes)],
    ],
    { filename: wheel.filename, bytes: wheel.bytes },
  );
  const target = new URL(url);
  const socket = connect(Number(target.port), target.hostname);
  await new Promise((resolve) => socket.once("connect", resolve));
  let answer = "";
  socket.on("data", (d: Buffer) => {
    answer += d.toString();
  });
  socket.on("error", () => undefined);
  socket.write(
    `POST /legacy/ HTTP/1.1\r\nHost: ${target.host}\r\nContent-Type: ${form.contentType}\r\n` +
      `Content-Length: ${form.body.length}\r\nAuthorization: ${basicAuth("__token__", TOKEN)}\r\n\r\n`,
  );
  const half = Math.floor(form.body.length / 2);
  socket.write(form.body.subarray(0, half));
  return {
    socket,
    rest: async () => {
      socket.write(form.body.subarray(half));
      await until("the upload's answer", () => /\r\n\r\n/.test(answer));
      socket.destroy();
      return answer;
    },
  };
}

test("temp files of indexes killed with SIGKILL mid-upload are removed at the next start", async () => {
  const root = join(work, "killed");
  let left: string[] = [];
  for (let round = 0; round < 3; round++) {
    const { child, url } = await serve(root);
    // The start of this process removed what the previous kill left.
    assert.ok(
      left.every((path) => !existsSync(path)),
      `round ${round}: ${left.join(", ")} still there`,
    );
    const { socket } = await halfUpload(url, "killed-pkg");
    await until("a temp file of the upload", () => tempFiles(root).length === 1);
    child.kill("SIGKILL");
    await new Promise((resolve) => child.once("exit", resolve));
    socket.destroy();
    // Nothing else ever removes it: this is what piled up (1.25 GB after 24 kills).
    left = tempFiles(root);
    assert.equal(left.length, 1, `round ${round}`);
  }
  const index = await startIndex({ root, token: TOKEN });
  try {
    assert.deepEqual(tempFiles(root), []);
    assert.equal(tempDirs(root).length, 1, "only this process's own temp directory");
    assert.equal(
      (await rawRequest(index.url, "/simple/killed-pkg/")).status,
      404,
      "nothing half-made is visible",
    );
  } finally {
    await index.close();
  }
  assert.deepEqual(tempDirs(root), [], "close removes the own temp directory");
});

test("an upload in flight in another live index on the same root survives this one's start, and completes", async () => {
  const root = join(work, "shared");
  const { child, url } = await serve(root);
  const inFlight = await halfUpload(url, "shared-pkg");
  await until("a temp file of the upload", () => tempFiles(root).length === 1);
  const [file] = tempFiles(root);
  const index = await startIndex({ root, token: TOKEN });
  try {
    assert.ok(file !== undefined && existsSync(file), "the other process's temp file is left alone");
    const answer = await inFlight.rest();
    assert.match(answer, /^HTTP\/1\.1 200 OK\r\n/);
    // Published by the other process, seen by this one: one store, two processes.
    const page = await rawRequest(index.url, "/simple/shared-pkg/");
    assert.equal(page.status, 200);
  } finally {
    await index.close();
    child.kill("SIGTERM");
    await new Promise((resolve) => child.once("exit", resolve));
  }
});

test("owner markers: a dead or reused pid and a stopped heartbeat are swept; a live owner's directory is kept", async () => {
  const root = join(work, "markers");
  const tmp = join(root, ".tmp");
  const sleeper = spawn("sleep", ["60"]);
  children.push(sleeper);
  const live = sleeper.pid ?? 0;
  const start = await readProcessStart(live);
  const old = new Date(Date.now() - ABANDONED_MS - 60_000);
  const dirs: Record<string, { owner?: object; stale?: boolean; keep: boolean }> = {
    "live-owner": {
      owner: { host: hostname(), pid: live, ...(start === undefined ? {} : { processStart: start }) },
      keep: true,
    },
    "dead-pid": { owner: { host: hostname(), pid: 2 ** 22 + 17 }, keep: false },
    // The pid is alive but started at another time: a reused pid, not the owner.
    ...(start === undefined
      ? {}
      : { "reused-pid": { owner: { host: hostname(), pid: live, processStart: `${start}0` }, keep: false } }),
    "stopped-heartbeat": { owner: { host: hostname(), pid: live }, stale: true, keep: false },
    "other-host-beating": { owner: { host: "elsewhere.invalid", pid: 1 }, keep: true },
    "other-host-silent": { owner: { host: "elsewhere.invalid", pid: 1 }, stale: true, keep: false },
    "being-created": { keep: true },
  };
  for (const [name, spec] of Object.entries(dirs)) {
    const dir = join(tmp, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "upload.whl"), "half an upload");
    if (spec.owner) writeFileSync(join(dir, ".owner"), JSON.stringify(spec.owner));
    if (spec.stale) utimesSync(join(dir, ".owner"), old, old);
  }
  const index = await startIndex({ root, token: TOKEN });
  sleeper.kill("SIGKILL");
  try {
    for (const [name, spec] of Object.entries(dirs)) {
      assert.equal(existsSync(join(tmp, name, "upload.whl")), spec.keep, name);
    }
  } finally {
    await index.close();
  }
});
