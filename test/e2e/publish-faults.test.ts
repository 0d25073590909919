/**
 * Publishing through a hostile network: a fault-injecting proxy in front of the embedded index
 * drops connections mid-body, loses answers after the index stored the file, returns 500, 503
 * with Retry-After and 429, and answers slowly or never, at random (seeded, so a failure
 * reproduces). Over many runs, each must end with every file on the index exactly once with its
 * sha256 and a successful report, or with a report naming what failed; never a duplicate, a
 * corrupt file, a conflict, a published outcome the index does not back, or a silent skip.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { isPublished, type UploadOutcome } from "../../src/core/upload/outcome.ts";
import { publish } from "../../src/ops/publish.ts";
import { Secret } from "../../src/secret.ts";
import { type RunningIndex, startIndex } from "../../src/server/index-server.ts";
import { writeDists } from "../helpers/dists.ts";
import { FAULTS, type Fault, type FaultProxy, startFaultProxy } from "../helpers/fault-proxy.ts";
import { seededRandom } from "../helpers/random.ts";

const RUNS = Number(process.env["SLIPWAY_FAULT_RUNS"] ?? 200);
const work = mkdtempSync(join(tmpdir(), "slipway-faults-"));
let index: RunningIndex;
let proxy: FaultProxy;
let random = seededRandom(1);

const POST_FAULTS = FAULTS.filter((f) => f !== "pass");
const GET_FAULTS: Fault[] = [
  "drop-mid-body",
  "error-500",
  "busy-503",
  "rate-429",
  "slow",
  "stall-after-forward",
];

function pick(req: IncomingMessage): Fault {
  const r = random();
  if (req.method === "POST") {
    return r < 0.45 ? (POST_FAULTS[Math.floor(random() * POST_FAULTS.length)] as Fault) : "pass";
  }
  return r < 0.2 ? (GET_FAULTS[Math.floor(random() * GET_FAULTS.length)] as Fault) : "pass";
}

before(async () => {
  index = await startIndex({ root: join(work, "index") });
  proxy = await startFaultProxy({ upstream: index.url, pick, slowMs: 15 });
});
after(async () => {
  await proxy.close();
  await index.close();
  rmSync(work, { recursive: true, force: true });
});

interface Truth {
  filename: string;
  sha256: string;
}

/** What the index really holds, read directly (not through the proxy). */
async function truth(project: string): Promise<Truth[]> {
  const res = await fetch(`${index.simpleUrl}${project}/`, {
    headers: { Accept: "application/vnd.pypi.simple.v1+json" },
  });
  if (res.status === 404) return [];
  const page = (await res.json()) as { files: { filename: string; hashes: { sha256: string } }[] };
  return page.files.map((f) => ({ filename: f.filename, sha256: f.hashes.sha256 }));
}

test(`${RUNS} seeded runs through a faulty network: all published exactly once, or a named failure`, async () => {
  const stats = { ok: 0, failed: 0, recovered: 0, failures: [] as string[] };
  for (let run = 0; run < RUNS; run++) {
    random = seededRandom(0x5eed + run);
    const project = `fault-run-${run}`;
    const dists = writeDists(join(work, `run-${run}`), {
      name: project,
      version: "1.0",
      pythonTags: ["py3", "cp311"],
      salt: String(run),
    });
    const report = await publish({
      cwd: work,
      env: { HOME: work },
      dists: dists.all,
      to: `${proxy.url}legacy/`,
      checkUrl: `${proxy.url}simple/`,
      password: new Secret(index.token),
      // Every fourth run gets only two attempts, so the failure reports are exercised too.
      retry: { attempts: run % 4 === 0 ? 2 : 5, baseMs: 2, capMs: 10, maxRetryAfterMs: 10 },
      stallTimeoutMs: 150,
      lookupTimeoutMs: 300,
      random: seededRandom(run),
    });
    const where = `run ${run} (seed ${0x5eed + run})`;
    const held = await truth(project);
    const names = held.map((f) => f.filename);
    assert.equal(new Set(names).size, names.length, `${where}: a file is listed twice: ${names}`);
    const byName = new Map(report.outcomes.map((o) => [o.filename, o] as const));
    for (const file of held) {
      const mine = byName.get(file.filename);
      assert.ok(mine, `${where}: the index holds ${file.filename}, which was never sent`);
      assert.equal(file.sha256, mine.sha256, `${where}: the index holds other bytes for ${file.filename}`);
    }
    assert.equal(report.outcomes.length, dists.all.length, `${where}: every file has an outcome`);
    for (const o of report.outcomes) {
      assert.ok(
        ["uploaded", "failed", "not-sent"].includes(o.status),
        `${where}: ${o.filename} is ${o.status}`,
      );
      assert.ok(o.message.length > 0, `${where}: ${o.filename} has no message`);
      if (isPublished(o.status)) {
        assert.ok(
          held.some((f) => f.filename === o.filename && f.sha256 === o.sha256),
          `${where}: ${o.filename} reported ${o.status} but is not on the index`,
        );
      }
    }
    assert.equal(
      report.ok,
      report.outcomes.every((o: UploadOutcome) => isPublished(o.status)),
      where,
    );
    if (report.ok) {
      stats.ok++;
      assert.equal(held.length, dists.all.length, `${where}: success with files missing`);
    } else {
      stats.failed++;
      stats.failures.push(
        `${where}: ${report.outcomes
          .filter((o) => !isPublished(o.status))
          .map((o) => `${o.filename} ${o.status}: ${o.message}`)
          .join("; ")}`,
      );
    }
    stats.recovered += report.outcomes.filter((o) => o.status === "uploaded" && o.attempts > 1).length;
  }
  const counts = Object.fromEntries([...proxy.counts].sort());
  for (const fault of FAULTS)
    assert.ok(
      (proxy.counts.get(`POST ${fault}`) ?? 0) > 0,
      `POST ${fault} was injected: ${JSON.stringify(counts)}`,
    );
  assert.ok(
    stats.ok >= RUNS * 0.8,
    `most runs recover (${stats.ok}/${RUNS}); failures:\n${stats.failures.slice(0, 5).join("\n")}`,
  );
  assert.ok(stats.recovered > 0, "some files needed and survived a retry");
  assert.ok(stats.failed > 0, "some runs ran out of attempts, so failure reports were checked too");
  process.stdout.write(
    `# ${stats.ok}/${RUNS} runs published everything, ${stats.failed} failed with reasons; ${stats.recovered} files recovered after a fault\n# faults: ${JSON.stringify(counts)}\n# e.g. ${stats.failures.slice(0, 3).join("\n# e.g. ")}\n`,
  );
});
