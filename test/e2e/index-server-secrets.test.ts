/**
 * No credential in anything the embedded index writes (issue 11 B7): a canary token of an unusual
 * shape (not `pypi-AgE…`), sent in query strings, URL userinfo, paths and form fields through each
 * route, never shows up in events, log lines, error bodies or reason phrases, in any encoding.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import type { IndexEvent } from "../../src/server/index-server.ts";
import { startIndex } from "../../src/server/index-server.ts";
import { basicAuth, makeWheel, type RawResponse, rawRequest, uploadRaw } from "../helpers/index-client.ts";

const work = mkdtempSync(join(tmpdir(), "slipway-index-secrets-"));
after(() => rmSync(work, { recursive: true, force: true }));

// Nothing like a PyPI token, and full of characters that URLs encode.
const CANARY = "c4n4ry/T0k+en=%2F~!*(x)";
const enc = encodeURIComponent(CANARY);
const forms = [
  CANARY,
  enc,
  enc.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()),
  Buffer.from(`__token__:${CANARY}`).toString("base64"),
  // Distinctive pieces, so a half-masked or re-encoded copy is caught too.
  "c4n4ry",
  "T0k",
];

function leaks(text: string): string[] {
  return forms.filter((form) => text.includes(form));
}

function show(res: RawResponse): string {
  const headers = Object.entries(res.headers)
    .filter(([name]) => name !== "location")
    .map(([name, value]) => `${name}: ${String(value)}`);
  return [`${res.status} ${res.statusMessage}`, ...headers, res.body.toString()].join("\n");
}

/** Sends the canary through every route of `base`; returns what came back. */
async function throughEveryRoute(base: string): Promise<string[]> {
  const wheel = makeWheel({ name: "canary-pkg", version: "1.0" });
  const spec = { ...wheel, name: "canary-pkg", version: "1.0" };
  const upload = (path: string, extra: Partial<Parameters<typeof uploadRaw>[2]> = {}) =>
    uploadRaw(new URL(path, base).href, CANARY, { ...spec, ...extra });
  const port = new URL(base).port;
  const answers = [
    await upload(`/legacy/?password=${enc}`),
    await upload(`/?token=${CANARY}&api_key=${enc}`),
    // A form field echoed in the 400 answer.
    await upload("/legacy/", { fields: { version: CANARY } }),
    await upload("/legacy/", { filename: `${CANARY}.whl` }),
    await upload("/legacy/", { auth: basicAuth("__token__", `${CANARY}x`) }),
    await rawRequest(base, `/legacy?access_token=${enc}`, { method: "POST" }),
    await rawRequest(base, `/simple/?token=${enc}&format=application/vnd.pypi.simple.v1%2Bjson`),
    await rawRequest(base, `/simple/Canary_Pkg/?Secret=${enc}`),
    await rawRequest(base, `/simple/canary-pkg/?AUTH=${CANARY}`),
    await rawRequest(base, `/files/canary-pkg/nothing.whl?key=${enc}`),
    await rawRequest(base, `/nowhere/${enc}/?${enc}`),
    // In a path, `/` stays raw while `+` and `=` are encoded: a form no list of encodings has.
    await rawRequest(base, `/nowhere/${enc.replaceAll("%2F", "/")}`),
    await rawRequest(base, `/files/canary-pkg/${enc.replaceAll("%2F", "/")}.whl`),
    await rawRequest(base, `/simple/${enc}/`),
    // Absolute-form target with userinfo, as a proxy-minded client sends it.
    await rawRequest(base, `http://__token__:${enc}@127.0.0.1:${port}/simple/?client_secret=${enc}`),
  ];
  assert.equal(answers[0]?.status, 200, answers[0]?.statusMessage);
  assert.equal(answers[2]?.status, 400);
  assert.equal(answers[6]?.status, 200);
  return answers.map(show);
}

test("the canary token never appears in events, error bodies or reason phrases, whatever the route", async () => {
  const events: IndexEvent[] = [];
  const index = await startIndex({ root: join(work, "lib"), token: CANARY, onEvent: (e) => events.push(e) });
  let answers: string[];
  try {
    answers = await throughEveryRoute(index.url);
  } finally {
    await index.close();
  }
  const requests = events.flatMap((e) => (e.type === "request" ? [`${e.method} ${e.path} ${e.status}`] : []));
  assert.ok(requests.includes("POST /legacy/?password=*** 200"), requests.join("\n"));
  assert.ok(requests.includes("POST /?token=***&api_key=*** 200"), requests.join("\n"));
  assert.ok(
    requests.includes("GET /simple/?token=***&format=application/vnd.pypi.simple.v1%2Bjson 200"),
    "format, which steers the simple API, stays visible",
  );
  assert.ok(requests.includes("GET /simple/?client_secret=*** 200"), requests.join("\n"));
  assert.ok(requests.includes("GET (withheld: it held the index's token) 404"), requests.join("\n"));
  assert.deepEqual(leaks(JSON.stringify(events)), [], JSON.stringify(events, null, 1));
  for (const answer of answers) assert.deepEqual(leaks(answer), [], answer);
});

test("slipway index serve: no canary in its log lines, nor in the upstream it prints", async () => {
  const tokenFile = join(work, "token");
  writeFileSync(tokenFile, `${CANARY}\n`, { mode: 0o600 });
  const main = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
  const upstream = `http://__token__:${enc}@127.0.0.1:9/simple/?token=${enc}`;
  const argv = [main, "index", "serve", "--root", join(work, "cli"), "--token-file", tokenFile];
  const child = spawn(process.execPath, [...argv, "--upstream", upstream], {
    env: { ...process.env, CI: "true", NO_COLOR: "1" },
  });
  let output = "";
  child.stdout.on("data", (d: Buffer) => {
    output += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    output += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  try {
    let base = "";
    for (let waited = 0; base === "" && waited < 15_000; waited += 20) {
      base = /upload URL {2}(http:\/\/127\.0\.0\.1:\d+\/)legacy\//.exec(output)?.[1] ?? "";
      if (base === "") await new Promise((r) => setTimeout(r, 20));
    }
    assert.notEqual(base, "", output);
    await throughEveryRoute(base);
    // The upstream does not answer: a 502 whose message names it, and a warning line.
    assert.equal((await rawRequest(base, `/simple/elsewhere/?token=${enc}`)).status, 502);
    for (let waited = 0; !output.includes("/simple/elsewhere/") && waited < 5000; waited += 20) {
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    child.kill("SIGTERM");
  }
  assert.equal(await exited, 0, output);
  assert.match(
    output,
    /upstream {4}http:\/\/127\.0\.0\.1:9\/simple\/\?token=\*\*\* for projects not hosted here/,
  );
  assert.match(output, /POST \/legacy\/\?password=\*\*\* 200/);
  assert.deepEqual(leaks(output), [], output);
});
