/**
 * `badges --code-scanning` against a loopback stand-in for GitHub's code-scanning REST API
 * (GitHub itself cannot be reached from tests): the alert list in the documented shape, paged;
 * refusals and silence give "unknown"; the token never reaches the output.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { CLI } from "../helpers/cli.ts";
import { sampleStatus } from "../helpers/status-sample.ts";

/** A SecurityStatus of this grade with `high` open high findings counted. */
function statusWith(grade: "A" | "B" | "C", high: number) {
  const doc = sampleStatus(0, { grade });
  doc.counts.total.high = high;
  return doc;
}

import { runAsync } from "../helpers/run-async.ts";

const parent = mkdtempSync(join(tmpdir(), "slipway-badges-cs-"));
after(() => rmSync(parent, { recursive: true, force: true }));
const TOKEN = "ghs_loopbackTestToken1234567890abcdef";

/** One alert as GitHub lists it (trimmed to the fields read, plus some that are not). */
function alert(n: number, level: string | null) {
  return {
    number: n,
    state: "open",
    rule: { id: `py/rule-${n}`, severity: "error", security_severity_level: level },
    tool: { name: "CodeQL", version: "2.20.0" },
  };
}

async function serve(
  answer: (url: URL, headers: IncomingHttpHeaders) => { status: number; body: string },
): Promise<{ url: string; seen: { url: string; headers: IncomingHttpHeaders }[]; close(): Promise<void> }> {
  const seen: { url: string; headers: IncomingHttpHeaders }[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    seen.push({ url: req.url ?? "", headers: req.headers });
    const { status, body } = answer(url, req.headers);
    res.writeHead(status, { "content-type": "application/json" });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

function project(): string {
  const dir = mkdtempSync(join(parent, "p-"));
  writeFileSync(join(dir, "pyproject.toml"), '[project]\nname = "demo"\nversion = "1"\n');
  return dir;
}

const run = (dir: string, env: Record<string, string>) =>
  runAsync([process.execPath, CLI, "badges", "--code-scanning", "--json"], {
    cwd: dir,
    env: { PATH: process.env["PATH"], HOME: parent, ...env },
  });

function securityOf(stdout: string): { message?: string; image: string } {
  const out = JSON.parse(stdout) as { badges: { id: string; message?: string; image: string }[] };
  return out.badges.find((b) => b.id === "security")!;
}

test("open alerts are counted over pages by security severity", async () => {
  const levels = ["critical", "high", "high", "medium", "low", null];
  const all = Array.from({ length: 150 }, (_, i) => alert(i + 1, levels[i % levels.length]!));
  const server = await serve((url) => {
    const page = Number(url.searchParams.get("page"));
    return { status: 200, body: JSON.stringify(all.slice((page - 1) * 100, page * 100)) };
  });
  try {
    const r = await run(project(), {
      GITHUB_TOKEN: TOKEN,
      GITHUB_REPOSITORY: "owner/demo",
      GITHUB_API_URL: server.url,
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(securityOf(r.stdout).message, "25 critical, 50 high alerts");
    assert.equal(server.seen.length, 2);
    assert.match(
      server.seen[0]!.url,
      /^\/repos\/owner\/demo\/code-scanning\/alerts\?state=open&per_page=100&page=1$/,
    );
    assert.equal(server.seen[0]!.headers.authorization, `Bearer ${TOKEN}`);
    assert.ok(!r.stdout.includes(TOKEN.slice(4)) && !r.stderr.includes(TOKEN.slice(4)));
  } finally {
    await server.close();
  }
});

test("a refusal, a body that is not a list, no answer, no token: unknown, never passing, no token shown", async () => {
  for (const [status, body] of [
    [401, '{"message":"Bad credentials"}'],
    [200, '{"alerts": []}'],
    [200, "not json"],
  ] as const) {
    const server = await serve(() => ({ status, body }));
    try {
      const r = await run(project(), {
        GITHUB_TOKEN: TOKEN,
        GITHUB_REPOSITORY: "owner/demo",
        GITHUB_API_URL: server.url,
      });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(securityOf(r.stdout).message, "unknown");
      assert.match(r.stderr, /note: code-scanning alerts not read \(GitHub's code-scanning API/);
      assert.ok(!r.stdout.includes(TOKEN.slice(4)) && !r.stderr.includes(TOKEN.slice(4)));
    } finally {
      await server.close();
    }
  }
  const gone = await serve(() => ({ status: 200, body: "[]" }));
  await gone.close();
  const silent = await run(project(), {
    GITHUB_TOKEN: TOKEN,
    GITHUB_REPOSITORY: "owner/demo",
    GITHUB_API_URL: gone.url,
  });
  assert.equal(securityOf(silent.stdout).message, "unknown");
  assert.match(silent.stderr, /did not answer/);
  const noToken = await run(project(), { GITHUB_REPOSITORY: "owner/demo" });
  assert.equal(securityOf(noToken.stdout).message, "unknown");
  assert.match(noToken.stderr, /GITHUB_TOKEN is not set/);
});

test("no open alerts, joined with a status document", async () => {
  const server = await serve(() => ({ status: 200, body: "[]" }));
  try {
    const dir = project();
    const bare = await run(dir, {
      GITHUB_TOKEN: TOKEN,
      GITHUB_REPOSITORY: "owner/demo",
      GITHUB_API_URL: server.url,
    });
    assert.equal(securityOf(bare.stdout).message, "no open alerts");
    writeFileSync(join(dir, "index.json"), JSON.stringify(statusWith("B", 1)));
    const joined = await runAsync(
      [process.execPath, CLI, "badges", "--code-scanning", "--json", "--status", "index.json"],
      {
        cwd: dir,
        env: {
          PATH: process.env["PATH"],
          HOME: parent,
          GITHUB_TOKEN: TOKEN,
          GITHUB_REPOSITORY: "owner/demo",
          GITHUB_API_URL: server.url,
        },
      },
    );
    assert.equal(securityOf(joined.stdout).message, "grade B, 1 high");
  } finally {
    await server.close();
  }
});
