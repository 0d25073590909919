#!/usr/bin/env node
// Benchmark: `slipway publish` vs `twine upload`, both against the same loopback pypiserver
// (emptied before every run): 40 small dists (20 releases, a wheel and an sdist each), first
// directly, then through a proxy that makes the link look like PyPI's (25 ms round trips, 300 ms
// of server work per upload), where bounded parallel uploads matter. Then one generated 500 MB
// random-content wheel to the embedded index (`slipway index serve`, in a process of its own):
// wall time, throughput and peak RSS (GNU time), with a --dry-run (checks, hashing, lookup)
// measured apart so the upload's own rate shows.
// `node bench/publish.mjs [--scenario small|link|big]...` runs some of them (default: all).
import { execFileSync, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { Agent, createServer, request } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { crc32 } from "node:zlib";
import { writeDists } from "../test/helpers/dists.ts";
import { startPypiserver } from "../test/helpers/index-servers.ts";
import { fmt, median, peersPython, timeOnceAsync, timeWithRss } from "./lib.mjs";

const MB = 1024 * 1024;

/** A wheel whose one big member is `size` random bytes, STORED (random data does not deflate), written streaming. */
export function writeBigWheel(path, size) {
  const stem = "slipway_bench_big-1.0";
  const members = [];
  const fd = openSync(path, "w");
  let offset = 0;
  const write = (buf) => {
    writeSync(fd, buf);
    offset += buf.length;
  };
  const add = (name, chunks) => {
    const nameBytes = Buffer.from(name);
    let crc = 0;
    let length = 0;
    const sha = createHash("sha256");
    const start = offset;
    const header = Buffer.alloc(30);
    write(Buffer.concat([header, nameBytes])); // patched below, once crc and size are known
    for (const chunk of chunks()) {
      crc = crc32(chunk, crc);
      sha.update(chunk);
      length += chunk.length;
      write(chunk);
    }
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt32LE(crc >>> 0, 14);
    header.writeUInt32LE(length, 18);
    header.writeUInt32LE(length, 22);
    header.writeUInt16LE(nameBytes.length, 26);
    writeSync(fd, header, 0, 30, start);
    members.push({ nameBytes, crc, length, start, digest: sha.digest("base64url") });
  };
  const one = (text) => () => [Buffer.from(text)];
  add("slipway_bench_big/__init__.py", one('"""A 500 MB wheel for the publish benchmark."""\n'));
  add("slipway_bench_big/blob.bin", function* () {
    for (let left = size; left > 0; left -= 4 * MB) yield randomBytes(Math.min(4 * MB, left));
  });
  const metadata =
    "Metadata-Version: 2.4\nName: slipway-bench-big\nVersion: 1.0\nSummary: big\nRequires-Python: >=3.9\nDescription-Content-Type: text/markdown\n\n# big\n";
  add(`${stem}.dist-info/METADATA`, one(metadata));
  add(
    `${stem}.dist-info/WHEEL`,
    one("Wheel-Version: 1.0\nGenerator: bench\nRoot-Is-Purelib: true\nTag: py3-none-any\n"),
  );
  const rows = members.map((m) => `${m.nameBytes.toString()},sha256=${m.digest},${m.length}`);
  add(`${stem}.dist-info/RECORD`, one(`${rows.join("\n")}\n${stem}.dist-info/RECORD,,\n`));
  const central = members.map((m) => {
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(0x031e, 4);
    c.writeUInt16LE(20, 6);
    c.writeUInt32LE(m.crc >>> 0, 16);
    c.writeUInt32LE(m.length, 20);
    c.writeUInt32LE(m.length, 24);
    c.writeUInt16LE(m.nameBytes.length, 28);
    c.writeUInt32LE((0o100644 << 16) >>> 0, 38);
    c.writeUInt32LE(m.start, 42);
    return Buffer.concat([c, m.nameBytes]);
  });
  const cdStart = offset;
  for (const c of central) write(c);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(members.length, 8);
  end.writeUInt16LE(members.length, 10);
  end.writeUInt32LE(offset - cdStart, 12);
  end.writeUInt32LE(cdStart, 16);
  write(end);
  closeSync(fd);
}

function ok(result, what) {
  if (result.status !== 0)
    throw new Error(`${what} failed (${result.status}):\n${result.stderr.slice(-2000)}`);
  return result;
}

async function startEmbedded(root) {
  mkdirSync(root, { recursive: true });
  const tokenFile = join(root, "token");
  writeFileSync(tokenFile, "bench-token\n");
  const child = spawn(
    process.execPath,
    ["src/cli/main.ts", "index", "serve", "--root", root, "--token-file", tokenFile, "--json"],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const url = await new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (c) => {
      out += c.toString();
      const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(out);
      if (m) resolve(m[0]);
    });
    child.on("exit", (code) => reject(new Error(`index serve exited ${code}: ${out}`)));
  });
  child.stdout.resume();
  return { url, token: "bench-token", stop: () => child.kill("SIGTERM") };
}

/**
 * A loopback proxy that makes the link look like the way to PyPI: every answer comes `rttMs`
 * later (one round trip), and an upload's (a POST with a file) `workMs` more, as if the index
 * hashed, scanned and stored it meanwhile. The index behind it is reached over keep-alive.
 */
async function startLinkProxy(upstream, { rttMs, workMs }) {
  const agent = new Agent({ keepAlive: true });
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const delay = rttMs + (req.method === "POST" && body.includes('name="content"') ? workMs : 0);
      const target = new URL(req.url ?? "/", upstream);
      const out = request(target, {
        method: req.method,
        headers: { ...req.headers, host: target.host },
        agent,
      });
      out.on("error", () => req.socket.destroy());
      out.on("response", (answer) => {
        const parts = [];
        answer.on("data", (c) => parts.push(c));
        answer.on("end", () =>
          setTimeout(() => {
            const headers = { ...answer.headers };
            delete headers["transfer-encoding"];
            delete headers.connection;
            headers["content-length"] = String(Buffer.concat(parts).length);
            res.writeHead(answer.statusCode ?? 502, answer.statusMessage, headers);
            res.end(Buffer.concat(parts));
          }, delay),
        );
      });
      out.end(body);
    });
  });
  await new Promise((done) => server.listen(0, "127.0.0.1", done));
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    close: () =>
      new Promise((done) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

async function measure({ runs = 3, bigMb = 500, scenarios = ["small", "link", "big"] } = {}) {
  const work = mkdtempSync(join(tmpdir(), "slipway-bench-publish-"));
  const rows = [];
  let ratio = "";
  try {
    const files = [];
    for (let i = 0; i < 20; i++)
      files.push(...writeDists(join(work, "small"), { name: `slipway-bench-${i}`, version: "1.0" }).all);
    const server = await startPypiserver(join(work, "pypiserver"));
    const proxy = scenarios.includes("link")
      ? await startLinkProxy(server.uploadUrl, { rttMs: 25, workMs: 300 })
      : undefined;
    const env = { ...process.env, TWINE_USERNAME: server.username, TWINE_PASSWORD: server.password, CI: "1" };
    const empty = () => {
      for (const f of readdirSync(server.packages)) rmSync(join(server.packages, f));
    };
    const twine = [
      join(dirname(peersPython()), "twine"),
      "upload",
      "--disable-progress-bar",
      "--repository-url",
      server.uploadUrl,
      ...files,
    ];
    const slipway = [
      process.execPath,
      "dist/cli.js",
      "publish",
      ...files,
      "--to",
      server.uploadUrl,
      "--check-url",
      server.simpleUrl,
    ];
    const times = { twine: [], slipway: [] };
    // pypiserver's own CPU time per run (Linux /proc): its requests are served one after another,
    // so this much wall time goes to the server whatever the client does.
    const serverCpu = () => {
      const fields = readFileSync(`/proc/${server.pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in ms at 100 Hz
    };
    const cpu = { twine: [], slipway: [] };
    const timed = async (tool, argv) => {
      empty();
      const before = serverCpu();
      times[tool].push(ok(await timeOnceAsync(argv, { env }), tool).ms);
      cpu[tool].push(serverCpu() - before);
      if (readdirSync(server.packages).length !== 40) throw new Error(`${tool} did not upload all 40 files`);
    };
    // The same files, the same tools, through the PyPI-like link.
    const viaLink = (argv) =>
      argv.map((a) =>
        a === server.uploadUrl ? proxy.url : a === server.simpleUrl ? `${proxy.url}simple/` : a,
      );
    const linkTimes = { twine: [], slipway: [] };
    const linked = async (tool, argv) => {
      empty();
      linkTimes[tool].push(ok(await timeOnceAsync(viaLink(argv), { env }), `${tool} (link)`).ms);
      if (readdirSync(server.packages).length !== 40) throw new Error(`${tool} did not upload all 40 files`);
    };
    const dry = [];
    try {
      for (let r = 0; r < runs; r++) {
        if (scenarios.includes("small")) {
          await timed("twine", twine);
          await timed("slipway", slipway);
          // Everything before the first byte: start-up, the distribution checks, the lookups.
          empty();
          dry.push(ok(await timeOnceAsync([...slipway, "--dry-run"], { env }), "slipway --dry-run").ms);
        }
        if (proxy) {
          await linked("twine", twine);
          await linked("slipway", slipway);
        }
      }
    } finally {
      await proxy?.close();
      await server.close();
    }
    const ratios = [];
    if (scenarios.includes("small")) {
      const [t, s] = [median(times.twine), median(times.slipway)];
      rows.push(
        `40 small dists -> pypiserver   twine upload ${fmt(t, 0).padStart(6)} ms   slipway publish ${fmt(s, 0).padStart(6)} ms   (${fmt(t / s, 2)}x)`,
        `  pypiserver CPU per run       twine ${fmt(median(cpu.twine), 0)} ms (40 uploads)   slipway ${fmt(median(cpu.slipway), 0)} ms (40 uploads, a lookup per release before and after)`,
        `  slipway before its first byte (publish --dry-run: start-up, checks, lookups) ${fmt(median(dry), 0)} ms`,
      );
      ratios.push(`publish 40 small dists: ${fmt(t / s, 2)}x faster than twine upload`);
    }
    if (proxy) {
      const [t, s] = [median(linkTimes.twine), median(linkTimes.slipway)];
      rows.push(
        `40 small dists, 25 ms RTT + 300 ms server work per upload   twine upload ${fmt(t, 0).padStart(6)} ms   slipway publish ${fmt(s, 0).padStart(6)} ms   (${fmt(t / s, 2)}x; target 3x)`,
      );
      ratios.push(`through a PyPI-like link: ${fmt(t / s, 2)}x faster than twine upload`);
    }
    ratio = ratios.join("; ");

    if (scenarios.includes("big")) {
      const big = join(work, "big", "slipway_bench_big-1.0-py3-none-any.whl");
      mkdirSync(dirname(big), { recursive: true });
      writeBigWheel(big, bigMb * MB);
      const index = await startEmbedded(join(work, "index"));
      try {
        const argv = [
          process.execPath,
          "dist/cli.js",
          "publish",
          big,
          "--to",
          `${index.url}legacy/`,
          "--check-url",
          `${index.url}simple/`,
        ];
        const benv = { env: { ...process.env, TWINE_PASSWORD: index.token, CI: "1" } };
        const dry = ok(timeWithRss([...argv, "--dry-run"], benv), "slipway publish --dry-run (500 MB)");
        const real = ok(timeWithRss(argv, benv), "slipway publish (500 MB)");
        const upload = real.seconds - dry.seconds;
        rows.push(
          `${bigMb} MB wheel -> embedded index  ${fmt(real.seconds, 1)} s (${fmt(bigMb / real.seconds, 0)} MB/s overall; checks+hashing+lookup ${fmt(dry.seconds, 1)} s, upload+verify ${fmt(upload, 1)} s = ${fmt(bigMb / upload, 0)} MB/s)   peak RSS ${fmt(real.rssMiB, 0)} MiB (dry run ${fmt(dry.rssMiB, 0)} MiB)`,
        );
        ratio += `; ${bigMb} MB wheel: ${fmt(bigMb / real.seconds, 0)} MB/s, peak RSS ${fmt(real.rssMiB, 0)} MiB`;
      } finally {
        index.stop();
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return {
    title: `publish: slipway publish vs twine upload (median of ${runs}; ${scenarios.join(", ")})`,
    rows,
    ratio,
  };
}

/**
 * Runs in a process of its own (servers and timings need an event loop of their own, and
 * bench/run.mjs calls benchmarks synchronously); expects dist/ built (npm run bench does).
 */
export function benchPublish() {
  const out = execFileSync(process.execPath, ["bench/publish.mjs", "--report-json"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 16 * MB,
  });
  return JSON.parse(out.trim().split("\n").at(-1));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const picked = process.argv.flatMap((a, i) => (process.argv[i - 1] === "--scenario" ? [a] : []));
  const r = await measure(picked.length > 0 ? { scenarios: picked } : {});
  if (process.argv.includes("--report-json")) console.log(JSON.stringify(r));
  else console.log(`\n## ${r.title}\n${r.rows.join("\n")}\n${r.ratio}`);
}
