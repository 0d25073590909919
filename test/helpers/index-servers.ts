/**
 * Real package indexes on loopback for the publishing tests: pypiserver (htpasswd auth) and
 * devpi-server (a user and a non-volatile index made through its REST API), both from the
 * pinned peers venv, each in a temp directory and stopped by the test that started it.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { peersPython } from "./peers.ts";

export interface PeerIndex {
  /** Name and version, for the docs table. */
  server: string;
  uploadUrl: string;
  simpleUrl: string;
  username: string;
  password: string;
  close(): Promise<void>;
}

/** A free loopback port (the OS picks it; the server binds it right after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

async function waitFor(url: string, child: ChildProcess, log: () => string, seconds = 60): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`the server exited (${child.exitCode}) before it answered:\n${log()}`);
    try {
      const res = await fetch(url);
      await res.body?.cancel();
      if (res.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`no answer from ${url} within ${seconds} s:\n${log()}`);
}

function start(argv: string[], cwd: string): { child: ChildProcess; log: () => string } {
  const [command = "", ...args] = argv;
  const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return { child, log: () => output };
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
    setTimeout(() => child.kill("SIGKILL"), 5000).unref();
  });
}

const bin = (name: string) => join(dirname(peersPython()), name);

function version(distribution: string): string {
  return execFileSync(
    peersPython(),
    ["-c", `import importlib.metadata as m; print(m.version("${distribution}"))`],
    { encoding: "utf8" },
  ).trim();
}

/**
 * pypiserver with uploads behind an htpasswd user, no fallback to PyPI. Reads are open unless
 * `authenticate` says otherwise (pypiserver's `-a`, e.g. "download,update,list").
 */
export async function startPypiserver(
  dir: string,
  options: { authenticate?: string } = {},
): Promise<PeerIndex & { packages: string; pid: number }> {
  const packages = join(dir, "packages");
  mkdirSync(packages, { recursive: true });
  const htpasswd = join(dir, "htpasswd");
  const username = "uploader";
  const password = "pypiserver-Pa55!";
  execFileSync(peersPython(), [
    "-c",
    "import sys; from passlib.apache import HtpasswdFile as H; h = H(sys.argv[1], new=True); h.set_password(sys.argv[2], sys.argv[3]); h.save()",
    htpasswd,
    username,
    password,
  ]);
  const port = await freePort();
  const { child, log } = start(
    [
      bin("pypi-server"),
      "run",
      "-p",
      String(port),
      "-i",
      "127.0.0.1",
      "-P",
      htpasswd,
      "-a",
      options.authenticate ?? "update",
      "--disable-fallback",
      packages,
    ],
    dir,
  );
  const root = `http://127.0.0.1:${port}/`;
  await waitFor(`${root}simple/`, child, log);
  return {
    server: `pypiserver ${version("pypiserver")}`,
    uploadUrl: root,
    simpleUrl: `${root}simple/`,
    username,
    password,
    packages,
    pid: child.pid ?? 0,
    close: () => stop(child),
  };
}

/** devpi-server with user `alice` and a non-volatile stage index `alice/dev` (no PyPI mirror base). */
export async function startDevpi(dir: string): Promise<PeerIndex> {
  const serverdir = join(dir, "devpi");
  execFileSync(bin("devpi-init"), ["--serverdir", serverdir, "--root-passwd", "root-pw"], {
    stdio: "ignore",
  });
  const port = await freePort();
  const { child, log } = start(
    [bin("devpi-server"), "--serverdir", serverdir, "--host", "127.0.0.1", "--port", String(port)],
    dir,
  );
  const root = `http://127.0.0.1:${port}/`;
  try {
    await waitFor(root, child, log, 90);
    const username = "alice";
    const password = "devpi-Pa55!";
    const json = { "Content-Type": "application/json", Accept: "application/json" };
    const user = await fetch(`${root}${username}`, {
      method: "PUT",
      headers: json,
      body: JSON.stringify({ password, email: "alice@example.org" }),
    });
    if (user.status !== 201) throw new Error(`creating the devpi user: ${user.status} ${await user.text()}`);
    const login = await fetch(`${root}+login`, {
      method: "POST",
      headers: json,
      body: JSON.stringify({ user: username, password }),
    });
    const session = ((await login.json()) as { result: { password: string } }).result.password;
    const auth = Buffer.from(`${username}:${session}`).toString("base64");
    const index = await fetch(`${root}${username}/dev`, {
      method: "PUT",
      headers: { ...json, "X-Devpi-Auth": auth },
      body: JSON.stringify({ bases: [], volatile: false }),
    });
    if (index.status !== 200)
      throw new Error(`creating the devpi index: ${index.status} ${await index.text()}`);
    return {
      server: `devpi-server ${version("devpi-server")}`,
      uploadUrl: `${root}${username}/dev/`,
      simpleUrl: `${root}${username}/dev/+simple/`,
      username,
      password,
      close: () => stop(child),
    };
  } catch (error) {
    await stop(child);
    throw error;
  }
}
