/**
 * The embedded index against real clients on loopback: twine uploads an example project's built
 * sdist and wheel, pip and uv install from it, pip fetches the PEP 658 metadata, the pages
 * validate against the simple API specs, an upstream index serves what is not hosted here (and
 * never what is), and `slipway index serve` runs as a process.
 */
import assert from "node:assert/strict";
import { execFile, execFileSync, spawn } from "node:child_process";
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { devNull, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { publish } from "../../src/ops/publish.ts";
import { Secret } from "../../src/secret.ts";
import type { IndexEvent, RunningIndex } from "../../src/server/index-server.ts";
import { startIndex } from "../../src/server/index-server.ts";
import { writeDists } from "../helpers/dists.ts";
import {
  htmlAnchors,
  makeWheel,
  rawRequest,
  sha256,
  uploadRaw,
  validateHtmlProject,
  validateJsonProject,
} from "../helpers/index-client.ts";
import { peersPython } from "../helpers/peers.ts";
import { wheelhouse, wheelhouseEnv } from "../helpers/wheelhouse.ts";

const JSON_ACCEPT = "application/vnd.pypi.simple.v1+json";
const work = mkdtempSync(join(tmpdir(), "slipway-index-"));
const events: IndexEvent[] = [];
const upstreamEvents: IndexEvent[] = [];
let index: RunningIndex;
let upstream: RunningIndex;
let wheel: string;
let sdist: string;

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

// Asynchronous on purpose: the index answers from this very process, so a blocking spawn would hang.
// `base` is the environment to start from (default: this process's).
function run(
  argv: string[],
  env: Record<string, string> = {},
  base: NodeJS.ProcessEnv = process.env,
): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(
      argv[0] ?? "",
      argv.slice(1),
      {
        cwd: work,
        timeout: 120_000,
        maxBuffer: 32 * 1024 * 1024,
        env: {
          ...base,
          PIP_DISABLE_PIP_VERSION_CHECK: "1",
          PIP_NO_INPUT: "1",
          PYTHONDONTWRITEBYTECODE: "1",
          NO_COLOR: "1",
          UV_NO_CONFIG: "1",
          UV_CACHE_DIR: join(work, "uv-cache"),
          ...env,
        },
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

const bin = (tool: string) => join(dirname(peersPython()), tool);

function newVenv(name: string): string {
  execFileSync(peersPython(), ["-m", "venv", "--without-pip", join(work, name)]);
  return join(work, name, "bin", "python");
}

const pipInstall = (python: string, url: string, ...args: string[]) =>
  run([
    peersPython(),
    "-m",
    "pip",
    "--python",
    python,
    "install",
    "--no-cache-dir",
    "--index-url",
    url,
    ...args,
  ]);

const uvInstall = (python: string, url: string, ...args: string[]) =>
  run([bin("uv"), "pip", "install", "--python", python, "--no-cache", "--index-url", url, ...args]);

function twineUpload(files: string[], password: string): Promise<Ran> {
  const argv = [bin("twine"), "upload", "--non-interactive", "--disable-progress-bar"];
  return run([...argv, "--repository-url", index.uploadUrl, ...files], {
    TWINE_USERNAME: "__token__",
    TWINE_PASSWORD: password,
  });
}

const failure = (r: Ran) => `exit ${r.code}\n${r.stdout}\n${r.stderr}`;

before(async () => {
  const source = join(work, "hatch-lib");
  const examples = fileURLToPath(new URL("../../examples/hatch-lib", import.meta.url));
  cpSync(examples, source, { recursive: true, filter: (p) => !/(^|[\\/])(dist|build|__pycache__)$/.test(p) });
  execFileSync(peersPython(), ["-m", "build", "--no-isolation", "--outdir", join(work, "dist"), source], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  const built = readdirSync(join(work, "dist"));
  wheel = join(work, "dist", built.find((f) => f.endsWith(".whl")) ?? "");
  sdist = join(work, "dist", built.find((f) => f.endsWith(".tar.gz")) ?? "");
  upstream = await startIndex({ root: join(work, "upstream"), onEvent: (e) => upstreamEvents.push(e) });
  index = await startIndex({
    root: join(work, "stage"),
    upstream: upstream.simpleUrl,
    onEvent: (e) => events.push(e),
  });
});

after(async () => {
  await index?.close();
  await upstream?.close();
  rmSync(work, { recursive: true, force: true });
});

const uploads = (outcome: string) =>
  events
    .filter((e) => e.type === "upload" && e.outcome === outcome)
    .map((e) => (e as { filename: string }).filename);
const requested = () =>
  events.flatMap((e) => (e.type === "request" ? [`${e.method} ${e.path} ${e.status}`] : []));
const stored = (filename: string) => join(work, "stage", "slipway-demo-lib", filename);

describe("twine uploads, pip and uv install", () => {
  test("twine uploads the built wheel and sdist; the stored bytes are the built ones", async () => {
    const r = await twineUpload([wheel, sdist], index.token);
    assert.equal(r.code, 0, failure(r));
    assert.deepEqual(uploads("stored").sort(), [
      "slipway_demo_lib-0.1.0-py3-none-any.whl",
      "slipway_demo_lib-0.1.0.tar.gz",
    ]);
    for (const file of [wheel, sdist]) {
      const name = file.slice(file.lastIndexOf("/") + 1);
      assert.equal(sha256(readFileSync(stored(name))), sha256(readFileSync(file)), name);
    }
  });

  test("an identical re-upload by twine succeeds and changes nothing", async () => {
    const before = statSync(stored("slipway_demo_lib-0.1.0-py3-none-any.whl"));
    const r = await twineUpload([wheel], index.token);
    assert.equal(r.code, 0, failure(r));
    assert.deepEqual(uploads("identical"), ["slipway_demo_lib-0.1.0-py3-none-any.whl"]);
    const now = statSync(stored("slipway_demo_lib-0.1.0-py3-none-any.whl"));
    assert.equal(now.ino, before.ino);
    assert.equal(now.mtimeMs, before.mtimeMs);
  });

  test("twine gets a 409 naming both sha256 values for different bytes under the same name", async () => {
    const other = makeWheel({ name: "slipway-demo-lib", version: "0.1.0", salt: "rebuilt" });
    mkdirSync(join(work, "rebuilt"), { recursive: true });
    writeFileSync(join(work, "rebuilt", other.filename), other.bytes);
    const r = await twineUpload([join(work, "rebuilt", other.filename)], index.token);
    assert.notEqual(r.code, 0);
    const output = `${r.stdout}${r.stderr}`.replace(/\s+/g, " ");
    assert.match(output, /409 Conflict/);
    assert.match(output, /File already exists/);
    assert.ok(output.includes(sha256(readFileSync(wheel))) && output.includes(sha256(other.bytes)), output);
    assert.equal(sha256(readFileSync(stored(other.filename))), sha256(readFileSync(wheel)));
  });

  test("twine with a wrong token is refused with 403", async () => {
    const r = await twineUpload([wheel], "not-the-token");
    assert.notEqual(r.code, 0);
    assert.match(`${r.stdout}${r.stderr}`, /403 Forbidden/);
  });

  test("pip installs the wheel from the index into a fresh venv, and it runs", async () => {
    const python = newVenv("venv-pip");
    const r = await pipInstall(python, index.simpleUrl, "--no-deps", "slipway-demo-lib==0.1.0");
    assert.equal(r.code, 0, failure(r));
    const out = execFileSync(python, ["-c", "import slipway_demo_lib as m; print(m.greet('index'))"], {
      encoding: "utf8",
    });
    assert.equal(out.trim(), "Hello, index!");
  });

  test("uv installs the wheel from the index", async () => {
    const python = newVenv("venv-uv");
    const r = await uvInstall(python, index.simpleUrl, "slipway-demo-lib");
    assert.equal(r.code, 0, failure(r));
    assert.match(r.stderr, /\+ slipway-demo-lib==0\.1\.0/);
    execFileSync(python, ["-c", "import slipway_demo_lib"]);
  });

  test("pip 23.0.1, which crashes on PEP 691 `dist-info-metadata` (PEP 714), installs from the index", async () => {
    // Self-contained: the built wheel is on the index (an identical re-upload when already there).
    const bytes = readFileSync(wheel);
    const put = await uploadRaw(index.uploadUrl, index.token, {
      filename: "slipway_demo_lib-0.1.0-py3-none-any.whl",
      bytes,
      name: "slipway-demo-lib",
      version: "0.1.0",
    });
    assert.equal(put.status, 200, put.statusMessage);
    const python = newVenv("venv-pip-23.0.1");
    // That pip from the offline wheelhouse, run from its own wheel: no network, no pip config.
    const isolated = wheelhouseEnv();
    const pipWheel = join(wheelhouse(), "pip-23.0.1-py3-none-any.whl");
    const setup = await run(
      [python, `${pipWheel}/pip`, "install", "--no-cache-dir", "pip==23.0.1"],
      {},
      isolated,
    );
    assert.equal(setup.code, 0, failure(setup));
    const clean = Object.fromEntries(Object.entries(isolated).filter(([k]) => !k.startsWith("PIP_")));
    const version = await run([python, "-m", "pip", "--version"], {}, clean);
    assert.match(version.stdout, /^pip 23\.0\.1 /);
    events.length = 0;
    const r = await run(
      [
        python,
        "-m",
        "pip",
        "install",
        "--no-cache-dir",
        "--index-url",
        index.simpleUrl,
        "--no-deps",
        "slipway-demo-lib==0.1.0",
      ],
      { PIP_CONFIG_FILE: devNull },
      clean,
    );
    assert.equal(r.code, 0, failure(r));
    assert.doesNotMatch(r.stderr, /unhashable type/);
    assert.ok(requested().includes("GET /simple/slipway-demo-lib/ 200"), requested().join("\n"));
    // What that pip asks for gets the JSON page (PEP 691), which then holds no key it chokes on.
    const pip23Accept = `${JSON_ACCEPT}, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01`;
    const page = await fetch(new URL("slipway-demo-lib/", index.simpleUrl), {
      headers: { Accept: pip23Accept },
    });
    assert.equal(page.headers.get("content-type"), JSON_ACCEPT);
    const out = execFileSync(python, ["-c", "import slipway_demo_lib as m; print(m.greet('pip 23'))"], {
      encoding: "utf8",
    });
    assert.equal(out.trim(), "Hello, pip 23!");
  });

  test("pip download fetches the PEP 658 .metadata file, then the wheel", async () => {
    events.length = 0;
    const dest = join(work, "downloads");
    const r = await run([
      peersPython(),
      ...["-m", "pip", "download", "--no-deps", "--no-cache-dir", "-d", dest],
      ...["--index-url", index.simpleUrl, "slipway-demo-lib"],
    ]);
    assert.equal(r.code, 0, failure(r));
    const log = requested();
    const base = "GET /files/slipway-demo-lib/slipway_demo_lib-0.1.0-py3-none-any.whl";
    assert.ok(log.includes(`${base}.metadata 200`), log.join("\n"));
    assert.ok(log.indexOf(`${base}.metadata 200`) < log.indexOf(`${base} 200`), log.join("\n"));
    assert.equal(
      sha256(readFileSync(join(dest, "slipway_demo_lib-0.1.0-py3-none-any.whl"))),
      sha256(readFileSync(wheel)),
    );
  });
});

interface JsonFile {
  filename: string;
  url: string;
  hashes: { sha256: string };
  size: number;
  "requires-python": string | null;
  "core-metadata"?: { sha256: string };
}

describe("the simple pages validate against the specs", () => {
  const page = () => new URL("slipway-demo-lib/", index.simpleUrl).href;

  test("JSON project page (PEP 691/700/658): every field, and every URL serves what it claims", async () => {
    const res = await fetch(page(), { headers: { Accept: JSON_ACCEPT } });
    assert.equal(res.headers.get("content-type"), JSON_ACCEPT);
    assert.equal(res.headers.get("vary"), "Accept");
    const json = (await res.json()) as { versions: string[]; files: JsonFile[] };
    assert.deepEqual(validateJsonProject(json, "slipway-demo-lib"), []);
    assert.deepEqual(json.versions, ["0.1.0"]);
    assert.deepEqual(
      json.files.map((f) => f.filename),
      ["slipway_demo_lib-0.1.0-py3-none-any.whl", "slipway_demo_lib-0.1.0.tar.gz"],
    );
    for (const file of json.files) {
      assert.equal(file["requires-python"], ">=3.9");
      const bytes = Buffer.from(await (await fetch(new URL(file.url, page()))).arrayBuffer());
      assert.equal(sha256(bytes), file.hashes.sha256, file.filename);
      assert.equal(bytes.length, file.size, file.filename);
    }
    const whl = json.files[0] as JsonFile;
    const metadata = Buffer.from(await (await fetch(new URL(`${whl.url}.metadata`, page()))).arrayBuffer());
    assert.equal(sha256(metadata), whl["core-metadata"]?.sha256);
    // Python's zipfile as the oracle: the served metadata is the wheel's own METADATA, byte for byte.
    const code =
      "import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))";
    const inWheel = execFileSync(peersPython(), [
      "-c",
      code,
      wheel,
      "slipway_demo_lib-0.1.0.dist-info/METADATA",
    ]);
    assert.deepEqual(metadata, inWheel);
    assert.equal("core-metadata" in (json.files[1] as JsonFile), false, "no PEP 658 metadata for sdists");
  });

  test("HTML project page (PEP 503): anchors match the JSON page, attributes escaped", async () => {
    const res = await fetch(page());
    assert.equal(res.headers.get("content-type"), "text/html; charset=utf-8");
    const html = await res.text();
    assert.deepEqual(validateHtmlProject(html), []);
    const json = (await (await fetch(page(), { headers: { Accept: JSON_ACCEPT } })).json()) as {
      files: JsonFile[];
    };
    const anchors = htmlAnchors(html);
    assert.deepEqual(
      anchors.map((a) => [a.text, a.href]),
      json.files.map((f) => [f.filename, `${f.url}#sha256=${f.hashes.sha256}`]),
    );
    assert.equal(anchors[0]?.attrs["data-requires-python"], "&gt;=3.9");
    assert.equal(
      anchors[0]?.attrs["data-core-metadata"],
      `sha256=${json.files[0]?.["core-metadata"]?.sha256}`,
    );
  });

  test("the project list in both formats, and pip's HTML-only Accept", async () => {
    const list = (await (await fetch(index.simpleUrl, { headers: { Accept: JSON_ACCEPT } })).json()) as {
      meta: Record<string, string>;
      projects: { name: string }[];
    };
    assert.equal(list.meta["api-version"], "1.3");
    assert.deepEqual(list.projects, [{ name: "slipway-demo-lib" }]);
    const html = await (await fetch(index.simpleUrl, { headers: { Accept: "text/html" } })).text();
    assert.deepEqual(
      htmlAnchors(html).map((a) => a.href),
      ["slipway-demo-lib/"],
    );
  });

  test("non-normalized names redirect (301), slash-less too; 406 when nothing fits; ETag revalidates", async () => {
    for (const path of [
      "/simple/Slipway_Demo.Lib/",
      "/simple/slipway-demo-lib",
      "/simple/SLIPWAY-demo-lib",
    ]) {
      const res = await rawRequest(index.url, path);
      assert.equal(res.status, 301, path);
      assert.equal(res.headers["location"], "/simple/slipway-demo-lib/", path);
    }
    const refused = await rawRequest(index.url, "/simple/slipway-demo-lib/", {
      headers: { Accept: "application/json" },
    });
    assert.equal(refused.status, 406);
    const first = await rawRequest(index.url, "/simple/slipway-demo-lib/", {
      headers: { Accept: JSON_ACCEPT },
    });
    const etag = String(first.headers["etag"]);
    const again = await rawRequest(index.url, "/simple/slipway-demo-lib/", {
      headers: { Accept: JSON_ACCEPT, "If-None-Match": etag },
    });
    assert.equal(again.status, 304);
    const asHtml = await rawRequest(index.url, "/simple/slipway-demo-lib/?format=text/html", {
      headers: { Accept: JSON_ACCEPT },
    });
    assert.equal(asHtml.headers["content-type"], "text/html; charset=utf-8");
  });
});

describe("upstream", () => {
  before(async () => {
    const put = async (target: RunningIndex, spec: Parameters<typeof makeWheel>[0]) => {
      const w = makeWheel(spec);
      const res = await uploadRaw(target.uploadUrl, target.token, {
        ...w,
        name: spec.name,
        version: spec.version,
      });
      assert.equal(res.status, 200, res.body.toString());
    };
    await put(upstream, { name: "upstream-dep", version: "2.0" });
    // Upstream has a newer "stage-app" too: it must never reach a client of the stage.
    await put(upstream, { name: "stage-app", version: "9.0" });
    await put(index, { name: "stage-app", version: "1.0", requires: ["upstream-dep>=2"] });
  });

  test("a project not hosted here comes from upstream, with absolute file URLs", async () => {
    const res = await fetch(new URL("upstream-dep/", index.simpleUrl), { headers: { Accept: JSON_ACCEPT } });
    assert.equal(res.status, 200);
    const json = (await res.json()) as { files: JsonFile[] };
    assert.deepEqual(validateJsonProject(json, "upstream-dep"), []);
    const url = json.files[0]?.url ?? "";
    assert.ok(url.startsWith(`${upstream.url}files/upstream-dep/`), url);
    const html = await (await fetch(new URL("upstream-dep/", index.simpleUrl))).text();
    assert.ok(htmlAnchors(html)[0]?.href.startsWith(`${upstream.url}files/`), html);
    const missing = await rawRequest(index.url, "/simple/nowhere-at-all/");
    assert.equal(missing.status, 404);
  });

  test("a project hosted here hides upstream's files (no dependency confusion)", async () => {
    upstreamEvents.length = 0;
    const json = (await (
      await fetch(new URL("stage-app/", index.simpleUrl), { headers: { Accept: JSON_ACCEPT } })
    ).json()) as { versions: string[]; files: JsonFile[] };
    assert.deepEqual(json.versions, ["1.0"]);
    assert.ok(json.files.every((f) => !f.url.includes(upstream.url)));
    assert.equal(upstreamEvents.length, 0, "upstream was not even asked");
    const list = (await (await fetch(index.simpleUrl, { headers: { Accept: JSON_ACCEPT } })).json()) as {
      projects: { name: string }[];
    };
    assert.deepEqual(
      list.projects.map((p) => p.name),
      ["slipway-demo-lib", "stage-app"],
    );
  });

  test("the stage's own project never comes from upstream; publishing a version upstream has is no conflict", async () => {
    // Upstream (standing in for PyPI) already has own-pkg 1.0.0, built from other bytes.
    const onUpstream = writeDists(join(work, "own-upstream"), { name: "own-pkg", salt: "on pypi" });
    const publishTo = (target: RunningIndex, dists: string[]) =>
      publish({
        cwd: work,
        env: { HOME: work },
        dists,
        to: target.uploadUrl,
        checkUrl: target.simpleUrl,
        username: "__token__",
        password: new Secret(target.token),
      });
    assert.equal((await publishTo(upstream, onUpstream.all)).ok, true);
    const stage = await startIndex({
      root: join(work, "own-stage"),
      upstream: upstream.simpleUrl,
      ownProjects: ["Own_Pkg"],
    });
    try {
      upstreamEvents.length = 0;
      const before = await rawRequest(stage.url, "/simple/own-pkg/", { headers: { Accept: JSON_ACCEPT } });
      assert.equal(before.status, 404, "not upstream's page, even before the first upload");
      assert.match(before.statusMessage, /never taken from upstream/);
      assert.deepEqual(upstreamEvents, [], "upstream was not asked");
      assert.equal((await rawRequest(stage.url, "/simple/upstream-dep/")).status, 200, "others still are");
      // What `release` does: publish the new build to the stage, which looks it up there first.
      const built = writeDists(join(work, "own-built"), { name: "own-pkg", salt: "this build" });
      const report = await publishTo(stage, built.all);
      assert.equal(report.ok, true, JSON.stringify(report.outcomes));
      assert.deepEqual(
        report.outcomes.map((o) => o.status),
        ["uploaded", "uploaded"],
      );
      const page = (await (
        await fetch(new URL("own-pkg/", stage.simpleUrl), { headers: { Accept: JSON_ACCEPT } })
      ).json()) as { files: JsonFile[] };
      assert.deepEqual(
        page.files.map((f) => f.hashes.sha256),
        built.all.map((f) => sha256(readFileSync(f))),
      );
    } finally {
      await stage.close();
    }
  });

  test("pip installs the staged project and its dependency through upstream; uv too", async () => {
    const version =
      "import importlib.metadata as m; print(m.version('stage-app'), m.version('upstream-dep'))";
    const pipPython = newVenv("venv-upstream-pip");
    const r = await pipInstall(pipPython, index.simpleUrl, "stage-app");
    assert.equal(r.code, 0, failure(r));
    assert.equal(execFileSync(pipPython, ["-c", version], { encoding: "utf8" }).trim(), "1.0 2.0");
    const uvPython = newVenv("venv-upstream-uv");
    const u = await uvInstall(uvPython, index.simpleUrl, "stage-app");
    assert.equal(u.code, 0, failure(u));
    assert.equal(execFileSync(uvPython, ["-c", version], { encoding: "utf8" }).trim(), "1.0 2.0");
    const fetched = upstreamEvents.flatMap((e) => (e.type === "request" ? [e.path] : []));
    assert.ok(fetched.includes("/files/upstream-dep/upstream_dep-2.0-py3-none-any.whl"), fetched.join("\n"));
  });

  test("an upstream that does not answer gives 502 naming it", async () => {
    const dead = await startIndex({ root: join(work, "dead") });
    const deadUrl = dead.simpleUrl;
    await dead.close();
    const orphan = await startIndex({ root: join(work, "orphan"), upstream: deadUrl });
    try {
      const res = await rawRequest(orphan.url, "/simple/anything/", {
        headers: { Accept: "application/json" },
      });
      assert.equal(res.status, 406);
      const text = await rawRequest(orphan.url, "/simple/anything/");
      assert.equal(text.status, 502);
      assert.match(text.body.toString(), new RegExp(`Upstream index ${deadUrl}anything/ did not answer`));
    } finally {
      await orphan.close();
    }
  });
});

describe("slipway index serve", () => {
  const main = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));

  test("prints the URLs and where the token is (never the token), logs requests, stops on SIGTERM", async (t) => {
    const root = join(work, "cli-root");
    const child = spawn(process.execPath, [main, "index", "serve", "--root", root, "--port", "0"], {
      env: { ...process.env, CI: "true", NO_COLOR: "1" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const waitFor = async (pattern: RegExp): Promise<RegExpMatchArray> => {
      for (let waited = 0; waited < 15_000; waited += 20) {
        const match = stdout.match(pattern);
        if (match) return match;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`no ${pattern} in:\n${stdout}\n${stderr}`);
    };
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    // A failed assertion must not leave the server running (and the test process waiting on it).
    t.after(() => {
      if (child.exitCode === null) child.kill("SIGKILL");
    });
    const simple = (await waitFor(/simple URL {2}(http:\/\/127\.0\.0\.1:\d+\/simple\/)/))[1] ?? "";
    await waitFor(/Stop with Ctrl-C\./);
    assert.match(stdout, /upload URL {2}http:\/\/127\.0\.0\.1:\d+\/legacy\/ {2}\(username __token__\)/);
    const tokenFile = join(root, ".slipway-token");
    assert.ok(stdout.includes(`token       in ${tokenFile} (new, mode 0600)`), stdout);
    assert.equal(statSync(tokenFile).mode & 0o777, 0o600);
    const token = readFileSync(tokenFile, "utf8").trim();
    assert.ok(token.length >= 24 && !stdout.includes(token));
    const upload = makeWheel({ name: "cli-pkg", version: "1.0" });
    const res = await uploadRaw(simple.replace(/simple\/$/, "legacy/"), token, {
      ...upload,
      name: "cli-pkg",
      version: "1.0",
    });
    assert.equal(res.status, 200, res.body.toString());
    assert.equal((await fetch(`${simple}cli-pkg/`)).status, 200);
    await waitFor(/GET \/simple\/cli-pkg\/ 200 [0-9.]+ ms\n/);
    assert.match(stdout, /POST \/legacy\/ 200 [0-9.]+ ms\n/);
    assert.match(stdout, /upload cli_pkg-1\.0-py3-none-any\.whl: stored \(sha256 [0-9a-f]{64}, \d+ bytes\)/);
    assert.ok(!stdout.includes(token) && !stderr.includes(token));
    child.kill("SIGTERM");
    assert.equal(await exited, 0, stderr);
    assert.match(stderr, /SIGTERM, stopping/);
  });

  test("usage errors exit 2; a missing --token-file is a configuration error", async () => {
    const bad = await run([process.execPath, main, "index", "start"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /takes the subcommand 'serve'/);
    const port = await run([process.execPath, main, "index", "serve", "--port", "http"]);
    assert.equal(port.code, 2);
    const missing = await run([process.execPath, main, "index", "serve", "--token-file", join(work, "nope")]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read the token file/);
    const help = await run([process.execPath, main, "index", "--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: slipway index serve/);
  });
});
